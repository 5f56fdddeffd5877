"""Fixtures of the data-exchange tests: canonical frames of the shipped questionnaires (built once), and a
small store with interviews of the example, recipient and staff surveys."""

from __future__ import annotations

import pytest

from surveykit.questionnaire.compiled import compile_form

from .helpers import canonical, example_answers, load, new_store, recipient_answers, staff_answers, submit_all

GENERATORS = {
    "example_all_types": example_answers,
    "recipient_survey": recipient_answers,
    "staff_survey": staff_answers,
}


@pytest.fixture(scope="session")
def frames():
    """``frames(name)`` -> (form, canonical frame, repeat frames) of 21 interviews (cached)."""
    cache = {}

    def get(name: str):
        if name not in cache:
            form = compile_form(load(name))
            frame, repeats = canonical(form, [GENERATORS[name](i) for i in range(21)])
            cache[name] = (form, frame, repeats)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def populated_db(tmp_path_factory):
    """A store file with 12 example, 30 recipient and 12 staff interviews (copied per test: see ``store``)."""
    path = tmp_path_factory.mktemp("db") / "surveykit.sqlite"
    store = new_store(path, questionnaires=[load(n) for n in GENERATORS])
    submit_all(store, "example_all_types", [example_answers(i) for i in range(12)])
    submit_all(store, "recipient_survey", [recipient_answers(i) for i in range(30)])
    submit_all(store, "staff_survey", [staff_answers(i) for i in range(12)])
    store.close()
    return path


@pytest.fixture
def db_url(populated_db, tmp_path):
    """The URL of a fresh copy of the populated store."""
    import shutil

    target = tmp_path / "surveykit.sqlite"
    shutil.copyfile(populated_db, target)
    return f"sqlite:///{target}"


@pytest.fixture
def store(db_url):
    from surveykit.store import Store

    with Store.open(db_url, enforce_certification=False) as opened:
        yield opened


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path, monkeypatch):
    """Keep the project pseudonym key of every test in its own folder (never in the checkout's data/)."""
    from surveykit.config import settings

    monkeypatch.setenv("SURVEYKIT_DATA_DIR", str(tmp_path / "data"))
    settings.cache_clear()
    yield
    settings.cache_clear()
