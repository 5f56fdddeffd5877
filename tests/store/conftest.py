"""Fixtures of the store tests: a fresh database per test on SQLite and on PostgreSQL, the example
questionnaire published with an institution and people, and helpers to compare a database before and after."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from surveykit.config import PROJECT_ROOT
from surveykit.questionnaire.io import load_questionnaire, questionnaire_from_data
from surveykit.questionnaire.model import Questionnaire
from surveykit.store import Store

from .helpers import SMALL, World, populate

EXAMPLE = PROJECT_ROOT / "questionnaires" / "example_all_types.yaml"

_counter = itertools.count()
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def example() -> Questionnaire:
    return load_questionnaire(EXAMPLE)


@pytest.fixture(scope="session")
def small() -> Questionnaire:
    return questionnaire_from_data(SMALL).unwrap()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An SQLite database at the head revision, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "surveykit.sqlite"
    Store.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_cluster) -> str:
    """A PostgreSQL database at the head revision, used as the template of each test's database."""
    url = postgres_cluster.create_database("surveykit_template")
    Store.upgrade(url)
    return "surveykit_template"


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> str:
    """A fresh database at the head revision, on each backend."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "data" / "surveykit.sqlite"
        target.parent.mkdir(parents=True)
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    cluster = request.getfixturevalue("postgres_cluster")
    template = request.getfixturevalue("postgres_template")
    name = f"test_{next(_counter)}"
    url = cluster.create_database(name, template=template)
    request.addfinalizer(lambda: cluster.drop_database(name))
    return url


@pytest.fixture
def store(store_url):
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture
def world(store, example, small) -> World:
    return populate(store, example, small)
