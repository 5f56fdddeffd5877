"""Fixtures of the access tests: a fresh store per test on SQLite and on PostgreSQL, with an administrator,
an interviewer and a supervisor whose access codes the tests know."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from surveykit.store import Store

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
CODES = {"ada": "ADMN-2468", "anna": "7F3K-9QXM", "sofia": "SOFI-1357"}
_counter = itertools.count()


@pytest.fixture(scope="session")
def access_sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("access-template") / "surveykit.sqlite"
    Store.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def access_postgres_template(postgres_cluster) -> str:
    Store.upgrade(postgres_cluster.create_database("access_template"))
    return "access_template"


def fresh_url(request, backend: str, tmp_path: Path, name: str = "surveykit") -> str:
    """A new database at the head revision on ``backend``."""
    if backend == "sqlite":
        target = tmp_path / name / "surveykit.sqlite"
        target.parent.mkdir(parents=True)
        shutil.copyfile(request.getfixturevalue("access_sqlite_template"), target)
        return f"sqlite:///{target}"
    cluster = request.getfixturevalue("postgres_cluster")
    template = request.getfixturevalue("access_postgres_template")
    db_name = f"access_{next(_counter)}"
    url = cluster.create_database(db_name, template=template)
    request.addfinalizer(lambda: cluster.drop_database(db_name))
    return url


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> str:
    return fresh_url(request, request.param, tmp_path)


@pytest.fixture
def store(store_url):
    with Store.open(store_url, enforce_certification=False) as opened:
        yield opened


@pytest.fixture
def people(store) -> Store:
    """ada (administrator), anna (interviewer), sofia (supervisor), each with a known access code."""
    store.add_person("ada", "Ada Admin", ["administrator"], login="ADA", access_code=CODES["ada"], by="setup")
    store.add_person("anna", "Anna Ivanova", ["interviewer"], login="ANNA01", access_code=CODES["anna"])
    store.add_person("sofia", "Sofia P.", ["supervisor"], login="SOFIA", access_code=CODES["sofia"])
    return store
