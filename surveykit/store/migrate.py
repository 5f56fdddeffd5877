"""Schema migrations with Alembic, run programmatically (the scripts live in ``surveykit/store/migrations``).

``surveykit db upgrade`` calls :func:`upgrade`. Checking a database's revision, which every
:class:`~surveykit.store.Store` does when it opens one (SK502), needs no Alembic: it lives in
:mod:`surveykit.store.revisions` (re-exported here), so an app kernel never imports the migration runner.
"""

from __future__ import annotations

from alembic.command import upgrade as alembic_upgrade
from alembic.config import Config
from sqlalchemy.engine import Connection

from surveykit.store.engine import Database, sqlite_file
from surveykit.store.revisions import MIGRATIONS_DIR, Revision, check_revision, current, head, revision_of

__all__ = ["MIGRATIONS_DIR", "Revision", "alembic_config", "check_revision", "current", "head", "upgrade"]


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade(db: Database, target: str = "head") -> tuple[str | None, str]:
    """Create or upgrade the database (for SQLite also its folder); returns ``(before, after)`` revisions."""
    path = sqlite_file(db.url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)

    def work(conn: Connection) -> tuple[str | None, str]:
        before = revision_of(conn)
        alembic_upgrade(alembic_config(conn), target)
        return before, revision_of(conn) or ""

    return db.write(work)
