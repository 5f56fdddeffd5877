"""Shared fixtures: a throwaway PostgreSQL cluster for the session and a fresh SQLite store per test.

``postgres_url`` starts a cluster with ``initdb`` + ``pg_ctl`` in a temporary folder (see
:mod:`surveykit.store.testing`) and removes it at the end. Without the PostgreSQL binaries the tests that
need it are skipped, unless ``SURVEYKIT_REQUIRE_POSTGRES=1`` (CI), which turns that into a failure.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def postgres_cluster():
    """A running throwaway PostgreSQL cluster (TemporaryPostgres), stopped and deleted after the session."""
    from surveykit.store.testing import PostgresUnavailable, TemporaryPostgres

    required = os.environ.get("SURVEYKIT_REQUIRE_POSTGRES") == "1"
    try:
        cluster = TemporaryPostgres().start()
    except PostgresUnavailable as err:
        reason = f"PostgreSQL is not available: {err}"
        if required:
            pytest.fail(f"{reason} (SURVEYKIT_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster) -> str:
    """The SQLAlchemy URL of a database in the throwaway cluster."""
    return postgres_cluster.create_database("surveykit_test")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """The URL of a not yet created SQLite database in this test's folder."""
    return f"sqlite:///{tmp_path / 'data' / 'surveykit.sqlite'}"


@pytest.fixture
def sqlite_store(sqlite_url):
    """A fresh, migrated SQLite store."""
    from surveykit.store import Store

    Store.upgrade(sqlite_url)
    store = Store.open(sqlite_url)
    yield store
    store.close()
