"""Fixtures of the training-app tests: a fresh store per test, an issuer key, a clock the test moves, a
training service over them, and trainees in the states the tests need.

Every test gets its own ``data/`` folder (``SURVEYKIT_DATA_DIR``) and signing key (``SURVEYKIT_SIGNING_KEY``),
so issued PDFs and logs never land in the checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from surveykit.certificates import generate_key
from surveykit.config import settings
from surveykit.store import Store
from surveykit.training.service import TrainingService, current_course

from .helpers import Clock, add_trainee, full_attendance, passed_mock


@pytest.fixture(scope="session")
def course():
    return current_course()


@pytest.fixture(scope="session")
def key_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "issuer.pem"
    generate_key(path)
    return path


@pytest.fixture(scope="session")
def key(key_path):
    from surveykit.certificates import load_key

    return load_key(key_path)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch, key_path):
    """This test's data folder and the session's signing key, through the ordinary settings."""
    monkeypatch.setenv("SURVEYKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SURVEYKIT_SIGNING_KEY", str(key_path))
    monkeypatch.setenv("SURVEYKIT_DEFAULT_LANGUAGE", "ru")
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture(scope="session")
def store_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "surveykit.sqlite"
    Store.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def store_url(tmp_path, store_template) -> str:
    target = tmp_path / "db" / "surveykit.sqlite"
    target.parent.mkdir(parents=True)
    shutil.copyfile(store_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def store(store_url):
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(store, course, key, clock) -> TrainingService:
    return TrainingService(store, course=course, clock=clock, key=key)


@pytest.fixture
def ready_trainee(store, service):
    """A trainee with full attendance and a passed mock interview: only the exam is missing."""
    add_trainee(store)
    full_attendance(service, "t1")
    passed_mock(service, "t1")
    return "t1"
