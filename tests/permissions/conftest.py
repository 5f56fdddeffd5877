"""Fixtures of the permission tests: a database with the dashboard sample (ratings, open answers), one person
of every role (access code ``2468``), interviews of two interviewers and exam attempts of two trainees.

The database is built once per session and copied for each test (SQLite); the PostgreSQL variants build
a smaller world of their own (``tests/permissions/test_guarded_store.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from surveykit.config import settings
from surveykit.dashboard.sample import build_sample_database, sample_data
from surveykit.store import Store
from surveykit.training.service import TrainingService, current_course

from .helpers import CODE, PEOPLE, World, certify


@pytest.fixture(scope="session")
def key_path(issuer_key) -> Path:
    """The session's issuer key (tests/conftest.py): the certificates of the session-wide world template
    are signed with it, and the interview gate trusts only the configured key."""
    return issuer_key


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch, key_path):
    """This test's data folder and signing key, through the ordinary settings."""
    monkeypatch.setenv("SURVEYKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SURVEYKIT_SIGNING_KEY", str(key_path))
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture(scope="session")
def course():
    return current_course()


def add_people(store: Store) -> None:
    for person_id, (name, roles) in PEOPLE.items():
        store.add_person(person_id, name, list(roles), login=person_id, access_code=CODE)
    certify(store, "anna")
    certify(store, "vera")
    certify(store, "adm")


@pytest.fixture(scope="session")
def world_template(tmp_path_factory, course) -> tuple[Path, dict[str, str]]:
    """The sample database (ratings, open answers) plus the people, interviews and exam attempts of
    :class:`World`; the ids of the records made are returned with it."""
    path = tmp_path_factory.mktemp("permissions") / "surveykit.sqlite"
    url = f"sqlite:///{path}"
    build_sample_database(url, sample_data(interviews_per_institution=12))
    with Store.open(url) as store:
        add_people(store)
        ids = World.make_records(store, TrainingService(store, course=course))
    return path, ids


@pytest.fixture
def world(tmp_path, world_template, course) -> World:
    template, ids = world_template
    target = tmp_path / "db" / "surveykit.sqlite"
    target.parent.mkdir(parents=True)
    shutil.copyfile(template, target)
    store = Store.open(f"sqlite:///{target}")
    yield World(store, TrainingService(store, course=course), ids)
    store.close()
