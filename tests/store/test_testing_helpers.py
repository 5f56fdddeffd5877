"""The throwaway PostgreSQL helper used by the tests and the benchmarks."""

from __future__ import annotations

import pytest

from surveykit.store import testing


def test_missing_binaries_are_reported_clearly(monkeypatch):
    monkeypatch.setattr(testing, "find_postgres_bin", lambda hint=None: None)
    with pytest.raises(testing.PostgresUnavailable) as info:
        testing.TemporaryPostgres()
    assert "initdb" in str(info.value) and "SURVEYKIT_PG_BIN" in str(info.value)


def test_a_folder_without_the_binaries_is_not_taken(tmp_path):
    (tmp_path / "initdb").write_text("")
    found = testing.find_postgres_bin(tmp_path)
    assert found != tmp_path


@pytest.mark.postgres
def test_the_cluster_serves_databases_and_is_removed(postgres_cluster):
    import psycopg

    url = postgres_cluster.create_database("helper_check")
    assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    with psycopg.connect(
        f"host=127.0.0.1 port={postgres_cluster.port} user=postgres dbname=helper_check"
    ) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    postgres_cluster.drop_database("helper_check")
    assert postgres_cluster.root is not None and (postgres_cluster.root / "data").is_dir()
