"""The supervisor's app driven as a model (no browser): decisions reach the store, rules are the store's."""

from __future__ import annotations

import pytest

from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.store import Store
from surveykit.supervision import interviews_to_review, open_answers
from surveykit.ui.supervisor_app import SupervisorApp


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('supervision') / 'db.sqlite'}"
    build_demo(url, seed=21, size="small")
    with Store.open(url) as opened:
        yield opened


def signed_in(store, login="olga"):
    app = SupervisorApp(store, language="en")
    login_box, code_box = app.body.children[1], app.body.children[2]
    login_box.value, code_box.value = login, DEMO_ACCESS_CODE
    app.body.children[3].click()
    return app


def buttons(widget, cls):
    """Widgets with a CSS class, in document order."""
    found = []
    stack = [widget]
    while stack:
        w = stack.pop()
        if cls in getattr(w, "_dom_classes", ()):
            found.append(w)
        stack.extend(reversed(getattr(w, "children", ())))
    return found


def test_only_supervisors_and_sociologists_get_in(store):
    app = signed_in(store, "anna")
    assert app.person is None
    assert "SK512" not in app.notice.value and "supervisor" in app.notice.value
    assert signed_in(store, "pavel").person.id == "pavel"


def test_approve_and_reject_submitted_interviews(store):
    app = signed_in(store)
    waiting = interviews_to_review(store, "recipient_survey")
    assert len(waiting) > 2
    first, second = waiting["interview_id"].iloc[:2]
    buttons(app, "sk-approve")[0].click()
    assert store.interview(first).status == "approved"
    buttons(app, "sk-reject")[0].click()  # no reason: refused with a message
    assert store.interview(second).status == "submitted" and "reason" in app.notice.value
    row = buttons(app, "sk-reject")[0]
    note = next(w for w in app.interviews_box.children[1].children if w.__class__.__name__ == "Text")
    note.value = "q14 and q15 contradict the notes on the cover sheet"
    row.click()
    assert store.interview(second).status == "rejected"
    assert store.review_notes(second)[-1].note.startswith("q14")
    assert len(interviews_to_review(store, "recipient_survey")) == len(waiting) - 2


def test_open_answers_are_published_only_in_the_approved_wording(store):
    app = signed_in(store)
    pending = open_answers(store, "recipient_survey", status="pending")
    assert len(pending) > 0
    card = app.answers_box.children[1]
    text = card.children[0]
    text.value = "Нужен пандус у входа [имя удалено]."
    buttons(card, "sk-publish")[0].click()
    approved = open_answers(store, "recipient_survey", status="approved")
    published = approved.set_index("interview_id").loc[pending["interview_id"].iloc[0]]
    assert published["published_text"] == "Нужен пандус у входа [имя удалено]."
    assert len(open_answers(store, "recipient_survey", status="pending")) == len(pending) - 1


def test_quality_tab_lists_every_interviewer(store):
    app = signed_in(store)
    table = app.quality_box.children[1].value
    for person in ("Анна Смирнова", "Борис Кузнецов"):
        assert person in table


def test_an_ended_session_decides_nothing_and_returns_to_the_sign_in(store):
    app = signed_in(store)
    first = interviews_to_review(store, "recipient_survey")["interview_id"].iloc[0]
    store.end_session(app.guarded.token)  # signed out elsewhere, or expired
    buttons(app, "sk-approve")[0].click()
    assert store.interview(first).status == "submitted"  # nothing decided
    assert "SK522" not in app.notice.value and "sign in again" in app.notice.value.lower()
    assert app.guarded is None and buttons(app, "sk-sign-in")


def test_a_supervisor_who_lost_the_role_can_no_longer_decide(store):
    app = signed_in(store)
    first = interviews_to_review(store, "recipient_survey")["interview_id"].iloc[0]
    store.set_roles("olga", ["interviewer"], by="admin")
    buttons(app, "sk-approve")[0].click()
    assert store.interview(first).status == "submitted"
    assert "may not" in app.notice.value
