"""Which schema revision a database is at, without the migration runner.

:class:`~surveykit.store.Store` checks the revision every time it opens a database, and every app kernel opens
one; importing Alembic for that costs each kernel its start-up time and memory. The head revision is read from
the migration scripts' ``revision`` / ``down_revision`` lines (the newest is the one no script builds on), the
database's revision from the ``alembic_version`` table Alembic keeps, with SQLAlchemy Core. Running
migrations (:mod:`surveykit.store.migrate`) still goes through Alembic; a test checks that both agree on the
head.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from surveykit.errors import ErrorCode, StoreError
from surveykit.store.engine import Database, sqlite_file

__all__ = ["MIGRATIONS_DIR", "Revision", "check_revision", "current", "head", "revision_of"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: Alembic's bookkeeping table (its default name; ``env.py`` does not change it)
VERSION_TABLE = "alembic_version"
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(?P<value>.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Revision:
    """Where a database stands: its revision (None when empty) and the revision this surveykit needs."""

    url: str
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _literal(value: str) -> str | None:
    value = value.strip()
    if value == "None":
        return None
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    raise ValueError(f"not a plain revision literal: {value}")


@functools.cache
def head() -> str:
    """The newest revision of the migration scripts: the one no other script names as ``down_revision``."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = {
            m.group(1): _literal(m.group("value")) for m in _ASSIGNMENT.finditer(script.read_text("utf-8"))
        }
        if found.get("revision"):
            revisions.add(str(found["revision"]))
        if found.get("down_revision"):
            parents.add(str(found["down_revision"]))
    heads = sorted(revisions - parents)
    if len(heads) != 1:
        raise RuntimeError(f"the migration scripts in {MIGRATIONS_DIR} have {len(heads)} heads: {heads}")
    return heads[0]


def revision_of(conn: Connection) -> str | None:
    """The revision recorded in the database (None when it has no schema yet)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return ", ".join(sorted(rows)) if rows else None  # several rows: branches, never up to date


def current(db: Database) -> Revision:
    """The revision of a database (``current`` None for an empty database or a missing SQLite file)."""
    url = db.url.render_as_string(hide_password=True)
    path = sqlite_file(db.url)
    if path is not None and not path.exists():
        return Revision(url, None, head())
    with db.read() as conn:
        return Revision(url, revision_of(conn), head())


def check_revision(db: Database) -> None:
    """Raise SK502 unless the database is at the head revision."""
    revision = current(db)
    if not revision.up_to_date:
        raise StoreError(
            ErrorCode.DB_NOT_UPGRADED,
            found=revision.current or "none (not created yet)",
            expected=revision.head,
        )
