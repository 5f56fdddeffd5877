"""Fixtures of the quality-control workflow tests.

* ``world``: a small store on each backend (SQLite, and PostgreSQL marked ``postgres``) with the small
  questionnaire published, two interviewers and a supervisor, and ten submitted interviews each;
* ``demo``: a copy of the small demo database (recipient survey, audits, certificates) for the end-to-end
  workflow, the command line and the app; built once per session.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from surveykit.questionnaire.io import questionnaire_from_data
from surveykit.store import Store

from .helpers import SMALL, certify, small_answers

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
_counter = itertools.count()


class SmallWorld:
    """The store, and the submitted interviews of each interviewer (ids, in order)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.interviews: dict[str, list[str]] = {}

    def submit(self, interviewer: str, k: int, institution: str = "csp1") -> str:
        meta = self.store.start_interview(
            "small",
            institution_id=institution,
            interviewer_id=interviewer,
            mode="face_to_face",
            period="2026",
        )
        self.store.submit(meta.id, small_answers(k))
        self.interviews.setdefault(interviewer, []).append(meta.id)
        return meta.id


@pytest.fixture(scope="session")
def small_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("casework-template") / "surveykit.sqlite"
    Store.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_casework_template(postgres_cluster) -> str:
    url = postgres_cluster.create_database("casework_template")
    Store.upgrade(url)
    return "casework_template"


@pytest.fixture(params=BACKENDS)
def world(request, tmp_path) -> SmallWorld:
    if request.param == "sqlite":
        target = tmp_path / "surveykit.sqlite"
        shutil.copyfile(request.getfixturevalue("small_template"), target)
        url = f"sqlite:///{target}"
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        template = request.getfixturevalue("postgres_casework_template")
        name = f"casework_{next(_counter)}"
        url = cluster.create_database(name, template=template)
        request.addfinalizer(lambda: cluster.drop_database(name))
    with Store.open(url, enforce_certification=False) as store:
        store.publish(questionnaire_from_data(SMALL).unwrap())
        store.add_institution("csp1", "Centre 1")
        store.add_institution("csp2", "Centre 2")
        store.add_person("anna", "Anna Ivanova", ["interviewer"])
        store.add_person("boris", "Boris Petrov", ["interviewer"])
        store.add_person("sofia", "Sofia Smirnova", ["supervisor"])
        store.add_person("tanya", "Tanya Trainee", ["trainee"])
        certify(store, "anna")
        certify(store, "boris")
        world = SmallWorld(store)
        for k in range(10):
            world.submit("anna", k, "csp1" if k % 2 else "csp2")
            world.submit("boris", k)
        yield world


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    from surveykit.demo import build_demo

    path = tmp_path_factory.mktemp("casework-demo") / "surveykit.sqlite"
    build_demo(f"sqlite:///{path}", seed=21, size="small", quality_control=False)  # the tests run it
    return path


@pytest.fixture
def demo_url(demo_template, tmp_path) -> str:
    target = tmp_path / "demo" / "surveykit.sqlite"
    target.parent.mkdir()
    shutil.copyfile(demo_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def demo(demo_url):
    with Store.open(demo_url) as store:
        yield store


@pytest.fixture
def report_checks(monkeypatch):
    """The checks as the supervisor's four signals (``quality_report``) instead of ``run_checks``: these tests
    are about the workflow after the flags, so they do not depend on the set of checks configured."""
    from surveykit import casework

    def checks(store, questionnaire_id, frame=None):
        if frame is None:
            frame = store.interviews_frame(questionnaire_id)
        return casework._flags_of_report(store.form(questionnaire_id), frame)

    monkeypatch.setattr(casework, "run_checks_for", checks)
