"""Migration 0003 (fieldwork): an upgrade from 0002 keeps every row, and the result matches the models."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from surveykit.store import Store
from surveykit.store.engine import Database
from surveykit.store.migrate import head, upgrade
from surveykit.store.schema import metadata

WHEN = dt.datetime(2026, 3, 1, 12, 0)

ROWS = {
    "institutions": [
        {"id": "kcson_sev", "name": "КЦСОН Северный", "type": "kcson", "region": "north", "municipality": "Северск",
         "address": "ул. Ленина, 1", "website": "https://kcson.example.ru", "created_at": WHEN},
        {"id": "cso_2", "name": "ЦСО № 2", "type": None, "region": None, "municipality": None, "address": None,
         "website": None, "created_at": WHEN},
    ],
    "people": [
        {"id": "anna", "display_name": "Анна", "roles": '["interviewer"]', "login": "ANNA", "access_code_hash": None,
         "active": True, "created_at": WHEN, "failed_sign_ins": 2, "locked_until": None},
    ],
    "assignments": [
        {"id": 1, "interviewer_id": "anna", "institution_id": "kcson_sev", "questionnaire_id": "recipient_survey",
         "period": "2025", "target": 40, "created_at": WHEN},
    ],
    "audit_log": [
        {"id": 1, "at": WHEN, "actor": None, "action": "create", "entity": "institution", "entity_id": "kcson_sev",
         "details": None},
    ],
}  # fmt: skip


def _insert(db: Database) -> None:
    with db.transaction() as conn:
        for table, rows in ROWS.items():
            for row in rows:
                columns = ", ".join(row)
                values = ", ".join(f":{k}" for k in row)
                conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)


def _dump(db: Database) -> dict[str, list[tuple]]:
    with db.read() as conn:
        return {
            table: sorted(
                tuple(str(v) for v in row)
                for row in conn.execute(sa.text(f"SELECT {', '.join(ROWS[table][0])} FROM {table}")).all()
            )
            for table in ROWS
        }


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_an_upgrade_from_0002_keeps_every_row_and_matches_the_models(backend, sqlite_url, request):
    if backend == "sqlite":
        url = sqlite_url
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        url = cluster.create_database("from_0002")
        request.addfinalizer(lambda: cluster.drop_database("from_0002"))
    db = Database(url)
    try:
        assert upgrade(db, "0002") == (None, "0002")
        _insert(db)
        before = _dump(db)
        assert upgrade(db) == ("0002", head())
        assert _dump(db) == before
        with db.read() as conn:
            assert conn.execute(sa.text("SELECT recipients FROM institutions")).scalars().all() == [
                None,
                None,
            ]
            for table in ("sample_targets", "fieldwork_cases", "contact_attempts"):
                assert conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        db.dispose()
    with Store.open(url) as store:  # the upgraded database is usable with the new columns
        assert store.institution("kcson_sev").recipients is None
        store.add_institution("kcson_sev", "КЦСОН Северный", recipients=400)
        assert store.institution("kcson_sev").recipients == 400
        assert [a.target for a in store.assignments()] == [40]
