"""The story `make demo` tells (issue 16 item 7): a cohort at every stage of training, so that the trainer's
batch issues a certificate and says why the others get none; the lessons served among the apps and opening
with trainee-facing text; the practice institution out of the council's rating."""

from __future__ import annotations

import re

import pytest

from surveykit.demo import STAGE_NAMES, TRAINEE_STORY, build_demo
from surveykit.store import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("story")
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    summary = build_demo(url, seed=11, size="small", quality_control=False)
    return url, summary


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """Certificates the batch writes go to the test's folder, never the checkout's data/."""
    from surveykit.config import settings

    monkeypatch.setenv("SURVEYKIT_DATA_DIR", str(tmp_path / "data"))
    settings.cache_clear()
    yield tmp_path / "data"
    settings.cache_clear()


def _service(url):
    from surveykit.training.service import TrainingService

    store = Store.open(url)
    return store, TrainingService(store)


def test_the_cohort_holds_every_stage_of_training(demo):
    url, summary = demo
    store, service = _service(url)
    with store:
        members = store.training.cohort_members("cohort-2026-spring")
        stages = dict(zip(members, TRAINEE_STORY, strict=False))
        assert set(stages.values()) == set(STAGE_NAMES)  # the small demo too: one trainee per stage
        for login, stage in stages.items():
            eligibility = service.eligibility(login)
            status = service.exam_status(login)
            assert not service.valid_certificates(login), login  # nobody certified before the trainer acts
            if stage == "to_certify":
                assert eligibility.eligible and "interviewer" in eligibility.roles and status.passed, login
            elif stage == "ready_for_exam":
                assert not eligibility.eligible and status.can_start and not status.attempts, login
                # for the interviewer, only the exam is missing
                assert eligibility.checks["interviewer"] == {
                    "attendance": True,
                    "knowledge": False,
                    "mock_interview": True,
                }
                assert any("no knowledge test taken" in r for r in eligibility.reasons_in("en"))
            elif stage == "failed_once":
                assert not eligibility.eligible and status.results and not status.passed, login
                assert status.attempts_left == 1
            else:  # part way: the attendance is what is missing, said in both languages
                assert not eligibility.eligible
                assert any("attendance" in r for r in eligibility.reasons_in("en"))
                assert any("посещение" in r for r in eligibility.reasons_in("ru"))
    assert summary.logins["trainee01"] == "trainee, ready for the exam"
    assert summary.counts["trainees exam passed, certificate to issue"] >= 1


def test_the_trainers_batch_issues_a_certificate_and_says_why_not_the_others(demo, data_dir):
    url, _ = demo
    store, service = _service(url)
    with store:
        members = store.training.cohort_members("cohort-2026-spring")
        outcome = service.issue_cohort(members, out_dir=data_dir / "batch", language="ru")
        to_certify = [m for m, s in zip(members, TRAINEE_STORY, strict=False) if s == "to_certify"]
        assert len(outcome.registered) == len(to_certify) >= 1
        assert {p for p, _, _ in outcome.skipped} == set(members) - set(to_certify)
        assert all(reasons for reasons in outcome.skipped_ru)
        first = outcome.lines("ru")[0]
        assert re.match(rf"Выдано сертификатов: {len(to_certify)}\b", first), first
        for login in to_certify:
            assert service.valid_certificates(login)


def _texts(widget) -> str:
    """Every HTML and description text of a widget tree, tags stripped."""
    parts = []
    stack = [widget]
    while stack:
        w = stack.pop()
        value = getattr(w, "value", None)
        if isinstance(value, str) and type(w).__name__ == "HTML":
            parts.append(re.sub(r"<style>.*?</style>|<[^>]+>", " ", value, flags=re.S))
        stack.extend(getattr(w, "children", ()))
    return " ".join(parts)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_lessons_open_with_text_for_trainees(language):
    """The lessons app's first screen and a module's first screen speak to trainees: no file names, no
    package names, no module codes; the Russian page has no English words."""
    from surveykit.ui.lesson import LessonsApp, LessonView

    for page in (LessonsApp({"lang": language}), LessonView("M0", language, links=True)):
        text = _texts(page)
        assert text.strip()
        assert not re.search(r"\.ya?ml|\.md\b|surveykit|\bM\d\b|notebook", text, re.I), text[:400]
        if language == "ru":
            names = {"AAPOR", "LSMS", "UWSC", "ASA", "ISO", "CCSG", "bus", "gov", "min", "max"}
            latin = set(re.findall(r"[A-Za-z]{3,}", text)) - names
            assert not latin, sorted(latin)[:20]


def test_the_lessons_are_served_by_make_demo(capsys, monkeypatch):
    """`make demo` ends in `surveykit serve`, which lists the lessons app among the apps (and the README's
    table of apps names it)."""
    import argparse

    from surveykit.cli import cmd_serve
    from surveykit.config import PROJECT_ROOT

    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "surveykit serve" in recipe

    class Served:
        returncode = 0

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(cmd_serve, "start_voila", lambda port, env=None: Served())
    monkeypatch.setattr(cmd_serve, "wait_until_up", lambda port, timeout, process: None)
    assert cmd_serve.run(argparse.Namespace(port=15866, workers=1)) == 0
    assert "http://127.0.0.1:15866/voila/render/lessons.ipynb" in capsys.readouterr().out
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "| the course's lessons" in readme and "`lessons.ipynb`" in readme
