"""Schema migrations: a fresh database is created and matches the models; an old one is refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from surveykit.errors import ErrorCode, StoreError
from surveykit.store import Store
from surveykit.store.migrate import head
from surveykit.store.schema import metadata


def _schema_diff(store: Store) -> list:
    with store.db.read() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, metadata)


def test_upgrade_creates_the_sqlite_folder_and_the_schema_matches_the_models(sqlite_url, tmp_path):
    assert not (tmp_path / "data").exists()
    before, after = Store.upgrade(sqlite_url)
    assert (before, after) == (None, head())
    assert (tmp_path / "data" / "surveykit.sqlite").exists()
    with Store.open(sqlite_url) as store:
        assert _schema_diff(store) == []
        with store.db.read() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == store.db.busy_timeout_ms


@pytest.mark.postgres
def test_upgrade_a_fresh_postgres_database_and_the_schema_matches_the_models(postgres_cluster):
    url = postgres_cluster.create_database("fresh_migration")
    try:
        assert Store.revision(url).current is None
        assert Store.upgrade(url) == (None, head())
        with Store.open(url) as store:
            assert _schema_diff(store) == []
        assert Store.upgrade(url) == (head(), head())  # upgrading again changes nothing
    finally:
        postgres_cluster.drop_database("fresh_migration")


def test_revision_reports_current_and_head(store_url):
    revision = Store.revision(store_url)
    assert revision.current == revision.head == head()
    assert revision.up_to_date


def test_opening_a_missing_database_says_to_upgrade_and_creates_nothing(sqlite_url, tmp_path):
    with pytest.raises(StoreError) as info:
        Store.open(sqlite_url)
    assert info.value.code is ErrorCode.DB_NOT_UPGRADED
    assert "surveykit db upgrade" in str(info.value)
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_opening_an_unmigrated_database_is_refused(backend, sqlite_url, tmp_path, request):
    if backend == "sqlite":
        (tmp_path / "data").mkdir()
        sa.create_engine(sqlite_url).connect().close()  # an empty file
        url = sqlite_url
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        url = cluster.create_database("unmigrated")
        request.addfinalizer(lambda: cluster.drop_database("unmigrated"))
    with pytest.raises(StoreError) as info:
        Store.open(url)
    assert info.value.code is ErrorCode.DB_NOT_UPGRADED
    assert info.value.params["found"].startswith("none")


def test_opening_a_database_at_an_older_revision_is_refused(store_url):
    with Store.open(store_url) as store, store.db.transaction() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(StoreError) as info:
        Store.open(store_url)
    assert info.value.code is ErrorCode.DB_NOT_UPGRADED
    assert (info.value.params["found"], info.value.params["expected"]) == ("0000", head())


def test_an_unreachable_server_is_reported_with_the_url_but_not_the_password():
    with pytest.raises(StoreError) as info:
        Store.open("postgresql://user:secret@127.0.0.1:1/nothing")
    assert info.value.code is ErrorCode.DB_UNAVAILABLE
    assert "secret" not in str(info.value)
    assert "127.0.0.1:1" in str(info.value)


def test_the_head_read_without_alembic_is_alembics_head():
    """Store.open checks the revision without importing Alembic; both must name the same head."""
    from alembic.script import ScriptDirectory

    from surveykit.store.migrate import alembic_config
    from surveykit.store.revisions import head as light_head

    assert light_head() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_revision_read_without_alembic_is_alembics(sqlite_url):
    from surveykit.store.revisions import revision_of

    Store.upgrade(sqlite_url)
    with Store.open(sqlite_url) as store, store.db.read() as conn:
        assert revision_of(conn) == MigrationContext.configure(conn).get_current_revision() == head()
