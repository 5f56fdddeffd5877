"""Fixtures of the fieldwork tests: a store with the recipient survey published, a small register with
recipient counts, three interviewers and a supervisor; files are written inline by each test."""

from __future__ import annotations

import datetime as dt

import pytest

from surveykit.config import PROJECT_ROOT
from surveykit.questionnaire.io import load_questionnaire
from surveykit.store import Store

RECIPIENT = PROJECT_ROOT / "questionnaires" / "recipient_survey.yaml"
NOW = dt.datetime.now(dt.UTC)
PERIOD = "2026"


def full_answers(**changes) -> dict:
    """A complete, valid recipient interview (every filter "yes", so every question applies)."""
    answers = {"consent": "yes", "proxy_respondent": "no"}
    answers.update({f"q{i}": "yes" for i in range(1, 16)})
    answers.update(changes)
    return answers


@pytest.fixture(scope="session")
def recipient():
    return load_questionnaire(RECIPIENT)


@pytest.fixture
def campaign_store(sqlite_url, recipient):
    """The recipient survey published; institutions kcson_sev (400 recipients), cso_2 (2000) and
    small_home (25) in two regions, dom_x without a recipient count; interviewers anna, boris, vera (active)
    and a supervisor sofia. The certification gate is off: these tests are about fieldwork."""
    Store.upgrade(sqlite_url)
    store = Store.open(sqlite_url, enforce_certification=False)
    store.publish(recipient)
    store.add_institution("kcson_sev", "КЦСОН Северный", type="kcson", region="north", municipality="Северск",
                          recipients=400)  # fmt: skip
    store.add_institution(
        "cso_2", "ЦСО № 2", type="cso", region="north", municipality="Северск", recipients=2000
    )
    store.add_institution("small_home", "Дом-интернат малый", type="home", region="south", municipality="Южный",
                          recipients=25)  # fmt: skip
    store.add_institution("dom_x", "Дом без данных", type="home", region="south", municipality="Южный")
    for ident, name in (("anna", "Анна Иванова"), ("boris", "Борис Петров"), ("vera", "Вера Сидорова")):
        store.add_person(ident, name, ["interviewer"], login=ident.upper(), access_code="1111-2222")
    store.add_person("sofia", "София Смирнова", ["supervisor"], login="SOFIA", access_code="3333-4444")
    yield store
    store.close()


@pytest.fixture
def write_csv(tmp_path):
    """Write ``text`` (a CSV, first line the header) to a file of the test's folder; returns the path."""

    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text.strip() + "\n", encoding="utf-8")
        return path

    return write
