"""Every app signs in with a session and reaches data only through the guarded store: a council viewer is
refused where interview data or exam keys live, an ended session brings the sign-in back with its message,
and the dashboard asks council members to sign in unless it is deliberately public."""

from __future__ import annotations

import ipywidgets as W
import pytest

from surveykit.config import settings
from surveykit.errors import ErrorCode
from surveykit.ui.dashboard_app import DashboardApp
from surveykit.ui.exam_app import ExamApp
from surveykit.ui.interview_app import InterviewApp
from surveykit.ui.practice_app import PracticeApp
from surveykit.ui.trainer_app import TrainerApp

from .helpers import CODE


def texts(widget) -> str:
    out = []
    if isinstance(getattr(widget, "value", None), str):
        out.append(widget.value)
    for child in getattr(widget, "children", ()) or ():
        out.append(texts(child))
    return " ".join(out)


def click_sign_in(app, login, code=CODE):
    fields = [w for w in _walk(app) if isinstance(w, W.Text | W.Password)]
    button = next(w for w in _walk(app) if isinstance(w, W.Button) and "sk-sign-in" in w._dom_classes)
    fields[0].value, fields[1].value = login, code
    button.click()


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


@pytest.fixture
def apps(world):
    return {
        "interview": lambda: InterviewApp(world.store, language="en"),
        "exam": lambda: ExamApp(world.service, language="en"),
        "trainer": lambda: TrainerApp(world.service, language="en"),
        "practice": lambda: PracticeApp(world.service, language="en"),
    }


@pytest.mark.parametrize("name", ["interview", "exam", "trainer", "practice"])
def test_a_council_viewer_cannot_sign_in_where_interviews_or_exam_keys_are(apps, name):
    app = apps[name]()
    click_sign_in(app, "cou")
    assert app.person is None
    assert "SK512" not in app.notice.value  # the message is in words, the code is in the log
    assert "may not use this" in app.notice.value and "council viewer" in app.notice.value


@pytest.mark.parametrize(
    ("name", "login"), [("interview", "anna"), ("exam", "tr1"), ("trainer", "trn"), ("practice", "tr1")]
)
def test_the_right_person_signs_in_and_an_ended_session_shows_the_sign_in_again(apps, world, name, login):
    app = apps[name]()
    click_sign_in(app, login)
    assert app.person is not None and app.person.id == login
    guarded = app.guarded if hasattr(app, "guarded") and app.guarded is not None else app.training._guard
    world.store.end_session(guarded.token)
    persona = next(iter(world.service.personas().values()))
    again = {
        "interview": lambda: app.show_home(),
        "exam": lambda: app.show_home(),
        "trainer": lambda: app.show_main(),
        "practice": lambda: app.start("face_to_face", False) if app.show_cover(persona) is None else None,
    }[name]
    app.guard(lambda: again())()
    assert app.person is None
    assert any(isinstance(w, W.Password) for w in _walk(app))  # the sign-in page again
    assert "sign in again" in app.notice.value.lower()


def test_the_dashboard_over_a_store_asks_council_members_to_sign_in(world):
    app = DashboardApp(world.store, language="en")
    assert not hasattr(app, "data") and "council members" in texts(app)
    click_sign_in(app, "anna")  # an interviewer holds no aggregates.read
    assert app.person is None and "may not use this" in app.notice.value
    click_sign_in(app, "cou")
    assert app.person.id == "cou" and app.guarded is not None
    assert "sk-plot" in app.rating_plot.value


def test_an_ended_dashboard_session_returns_to_the_sign_in(world):
    app = DashboardApp(world.store, language="en")
    click_sign_in(app, "cou")
    world.store.end_session(app.guarded.token)
    app.guard(lambda: app._render("rating"))()
    assert app.person is None and "sign in again" in app.notice.value.lower()


def test_a_public_dashboard_is_a_deliberate_setting(world, monkeypatch):
    monkeypatch.setenv("SURVEYKIT_DASHBOARD_PUBLIC", "true")
    settings.cache_clear()
    app = DashboardApp(world.store, language="en")
    assert app.guarded is None and "sk-plot" in app.rating_plot.value
    monkeypatch.setenv("SURVEYKIT_DASHBOARD_PUBLIC", "false")
    settings.cache_clear()
    assert not hasattr(DashboardApp(world.store, language="en"), "data")


def test_the_sign_in_refusal_codes_are_the_store_ones(world):
    from surveykit.errors import AccessDenied

    with pytest.raises(AccessDenied) as err:
        world.store.start_session("cou", CODE, InterviewApp.ROLES, app="interview")
    assert err.value.code is ErrorCode.ROLE_REQUIRED
