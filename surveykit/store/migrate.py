"""Schema migrations with Alembic, run programmatically (the scripts live in ``surveykit/store/migrations``).

``surveykit db upgrade`` calls :func:`upgrade`; :class:`~surveykit.store.Store` calls :func:`check_revision`
when it opens a database and refuses one that is not at the head revision (SK502).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic.command import upgrade as alembic_upgrade
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from surveykit.errors import ErrorCode, StoreError
from surveykit.store.engine import Database, sqlite_file

__all__ = ["MIGRATIONS_DIR", "Revision", "alembic_config", "check_revision", "current", "head", "upgrade"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class Revision:
    """Where a database stands: its revision (None when empty) and the revision this surveykit needs."""

    url: str
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@functools.cache
def head() -> str:
    """The newest revision of the migration scripts."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None, "the migration scripts have no head revision"
    return revision


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def current(db: Database) -> Revision:
    """The revision of a database (``current`` None for an empty database or a missing SQLite file)."""
    path = sqlite_file(db.url)
    if path is not None and not path.exists():
        return Revision(db.url.render_as_string(hide_password=True), None, head())
    with db.read() as conn:
        return Revision(db.url.render_as_string(hide_password=True), _current(conn), head())


def check_revision(db: Database) -> None:
    """Raise SK502 unless the database is at the head revision."""
    revision = current(db)
    if not revision.up_to_date:
        raise StoreError(
            ErrorCode.DB_NOT_UPGRADED,
            found=revision.current or "none (not created yet)",
            expected=revision.head,
        )


def upgrade(db: Database, target: str = "head") -> tuple[str | None, str]:
    """Create or upgrade the database (for SQLite also its folder); returns ``(before, after)`` revisions."""
    path = sqlite_file(db.url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)

    def work(conn: Connection) -> tuple[str | None, str]:
        before = _current(conn)
        alembic_upgrade(alembic_config(conn), target)
        return before, _current(conn) or ""

    return db.write(work)
