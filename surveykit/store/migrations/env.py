"""Alembic environment of the response store: always run through :mod:`surveykit.store.migrate`, which hands
over an open connection (no alembic.ini, no URL here)."""

from __future__ import annotations

from alembic import context

from surveykit.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - a developer ran `alembic` by hand
    raise RuntimeError("run migrations with `surveykit db upgrade` (surveykit.store.migrate.upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
