"""The interview app's first screen and case outcomes (issue 16, item 3), driven without a browser.

Before consent the screen shows who to interview and the consent script (no page counter, no "review"
button); a "no" records a refusal as the case's outcome; not reached, an appointment (shown later as a
reminder), unable and not eligible are recorded there too; consent begins the interview, whose submission
records the complete. Past and full assignments are not offered first; going over a target asks first.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as W
import pytest

from surveykit.fieldwork.campaign import plan_campaign
from surveykit.store.testing import add_signed_certificate
from surveykit.ui.interview_app import InterviewApp

from .conftest import NOW, PERIOD, full_answers

CODE = "1111-2222"


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def find(app, css: str, kind: type = W.Widget) -> list:
    return [w for w in walk(app) if css in getattr(w, "_dom_classes", ()) and isinstance(w, kind)]


def one(app, css: str):
    (found,) = find(app, css)
    return found


def texts(app) -> str:
    return "\n".join(w.value for w in walk(app) if isinstance(w, W.HTML)) + "\n".join(
        str(getattr(w, "description", "")) for w in walk(app) if isinstance(w, W.Button)
    )


def visible(widget) -> bool:
    return widget.layout.display != "none"


@pytest.fixture
def field(campaign_store):
    """anna certified, assigned to cso_2 in 2026 (600 to do) and to a full 2025 assignment at small_home."""
    store = campaign_store
    add_signed_certificate(store, "anna", ["interviewer"], issued_at=NOW - dt.timedelta(days=30),
                           valid_until=NOW + dt.timedelta(days=300))  # fmt: skip
    plan_campaign(store, PERIOD, institutions=["cso_2"], interviewers=["anna"])
    old = store.assign("anna", "small_home", "recipient_survey", "2025", 1)
    meta = store.start_interview("recipient_survey", institution_id="small_home", interviewer_id="anna",
                                 mode="face_to_face", period="2025", assignment_id=old.id)  # fmt: skip
    store.submit(meta.id, full_answers())
    return store


def signed_in(store, language: str = "ru") -> InterviewApp:
    app = InterviewApp(store, language=language)
    app.sign_in("ANNA", CODE)
    app.show_home()
    return app


def current(store):
    return next(a for a in store.assignments(interviewer_id="anna") if a.period == PERIOD)


def start_contact(app, store):
    one(app, f"sk-start-{current(store).id}").click()


def test_the_first_screen_shows_the_selection_and_the_consent_script_without_page_or_review(field):
    app = signed_in(field)
    start_contact(app, field)
    shown = texts(app)
    assert "Кого опрашивать" in shown and "получавший услуги этой организации" in shown
    assert "законный представитель" in shown  # the questionnaire allows proxies
    assert "Здравствуйте! Я провожу опрос" in shown  # the consent script, read aloud
    assert "Согласны ли Вы принять участие" in shown
    assert "Страница" not in shown and "Проверить" not in shown  # no form navigation before consent
    assert "журнал" not in shown.lower()
    assert one(app, "sk-contact-begin").disabled
    assert not find(app, "sk-q-consent")  # the form is not open yet


def test_no_to_consent_records_a_refusal_as_the_cases_outcome(field):
    app = signed_in(field)
    start_contact(app, field)
    one(app, "sk-contact-consent").value = "no"
    refused = one(app, "sk-refused")
    assert visible(refused) and not visible(one(app, "sk-contact-begin"))
    assert "Без согласия опрос не проводится" in texts(app)
    one(app, "sk-contact-record-refusal").click()
    (case,) = field.fieldwork.cases_frame(period=PERIOD).itertuples()
    assert (case.final, case.interviewer_id, case.mode) == ("2.112", "anna", "face_to_face")
    assert "Респондент отказался" in app.notice.value and case.code in app.notice.value
    assert find(app, f"sk-start-{current(field).id}")  # back home
    assert field.drafts("anna") == []  # no interview was begun


def test_an_appointment_is_recorded_reminded_and_continued(field):
    app = signed_in(field, "en")
    start_contact(app, field)
    one(app, "sk-contact-outcome").value = "appointment"
    one(app, "sk-contact-record").click()
    assert "Choose the date" in texts(app)  # no date yet: nothing recorded
    assert field.fieldwork.cases() == []
    when = (dt.datetime.now() + dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    one(app, "sk-contact-date").value = when.date()
    one(app, "sk-contact-time").value = "25:99"
    one(app, "sk-contact-record").click()
    assert "HH:MM" in texts(app)
    one(app, "sk-contact-time").value = when.strftime("%H:%M")
    one(app, "sk-contact-record").click()
    (case,) = field.fieldwork.cases_frame(period=PERIOD).itertuples()
    assert case.final == "2.25" and bool(case.open)
    assert when.strftime("%d.%m.%Y %H:%M") in app.notice.value
    reminders = one(app, "sk-reminders")  # the home page reminds of it
    assert when.strftime("%d.%m.%Y %H:%M") in texts(reminders) and case.code in texts(reminders)
    find(reminders, f"sk-continue-case-{case.case_id}")[0].click()
    assert "Earlier attempts" in texts(app) and "appointment on" in texts(app)
    assert case.code in app.header.value


def test_not_reached_unable_and_not_eligible_are_recorded_with_their_codes(field):
    app = signed_in(field, "en")
    recorded = []
    for outcome, code in (("non_contact", "2.24"), ("unable", "2.32"), ("not_eligible", "4.70")):
        start_contact(app, field)
        one(app, "sk-contact-outcome").value = outcome
        one(app, "sk-contact-code").value = code
        one(app, "sk-contact-record").click()
        recorded.append(code)
    cases = field.fieldwork.cases_frame(period=PERIOD)
    assert sorted(cases["final"]) == sorted(recorded)
    home = texts(app)
    assert "Nobody at home" in home  # the non-contact is offered again under its assignment


def test_consent_begins_the_interview_and_its_submission_completes_the_case(field):
    app = signed_in(field)
    start_contact(app, field)
    one(app, "sk-contact-consent").value = "yes"
    begin = one(app, "sk-contact-begin")
    assert not begin.disabled
    begin.click()
    assert find(app, "sk-q-proxy_respondent")  # the form, with consent already given
    assert app.session.answers["consent"] == "yes"
    (case,) = field.fieldwork.cases()
    assert case.interview_id == app.meta.id
    for code, value in full_answers().items():
        app.session.set_answer(code, value)
    app.submit()
    assert [a.disposition for a in field.fieldwork.attempts(case.id)] == ["1.1"]


def test_the_respondent_stopping_records_a_break_off_and_hides_the_draft(field):
    app = signed_in(field, "en")
    start_contact(app, field)
    one(app, "sk-contact-consent").value = "yes"
    one(app, "sk-contact-begin").click()
    app.session.set_answer("proxy_respondent", "no")
    one(app, "sk-stop").click()
    assert "Break-off" in texts(one(app, "sk-stop-panel"))
    one(app, "sk-stop-confirm").click()
    (case,) = field.fieldwork.cases_frame(period=PERIOD).itertuples()
    assert case.final == "2.12" and not case.open
    assert not find(app, "sk-resume")  # the broken-off draft is not offered again
    assert len(field.drafts("anna")) == 1  # but its answers are kept


def test_past_and_full_assignments_come_after_current_ones_and_over_target_asks_first(field):
    app = signed_in(field)
    cards = [
        w for w in walk(app) if any(c.startswith("sk-assignment-") for c in getattr(w, "_dom_classes", ()))
    ]
    old = next(a for a in field.assignments(interviewer_id="anna") if a.period == "2025")
    assert cards[0]._dom_classes[-1] == f"sk-assignment-{current(field).id}"  # the 2026 assignment first
    others = one(app, "sk-other-assignments")
    assert others.selected_index is None  # collapsed while there is current work
    assert "период завершён" in texts(others) and "план выполнен" in texts(others)
    one(app, f"sk-start-{old.id}").click()
    panel = one(app, "sk-over-target")
    assert "1 из 1" in texts(panel) and "сверх плана" in texts(panel)
    one(app, "sk-over-target-no").click()
    assert not find(app, "sk-contact-consent")
    one(app, f"sk-start-{old.id}").click()
    one(app, "sk-over-target-yes").click()
    assert find(app, "sk-contact-consent")


def test_the_drafts_list_shows_the_questionnaires_title(field):
    app = signed_in(field)
    start_contact(app, field)
    one(app, "sk-contact-consent").value = "yes"
    one(app, "sk-contact-begin").click()
    app._save_draft()
    app.show_home()
    (label,) = find(app, "sk-draft-label")
    assert "Анкета для опроса получателей" in label.value and "recipient_survey" not in label.value


def test_practice_records_no_outcomes(field):
    app = signed_in(field)
    app.practice = True
    app.show_home()
    start_contact(app, field)
    assert "итоги контактов не записываются" in texts(app) and not find(app, "sk-contact-record")
    one(app, "sk-contact-consent").value = "no"
    assert not visible(one(app, "sk-refused"))


def test_withdrawing_consent_during_the_interview_records_a_refusal(field):
    app = signed_in(field, "en")
    start_contact(app, field)
    one(app, "sk-contact-consent").value = "yes"
    one(app, "sk-contact-begin").click()
    app.session.set_answer("consent", "no")  # the respondent changes their mind on the first page
    one(app, "sk-stop").click()
    assert "The respondent refused" in texts(one(app, "sk-stop-panel"))
    one(app, "sk-stop-confirm").click()
    (case,) = field.fieldwork.cases_frame(period=PERIOD).itertuples()
    assert case.final == "2.112"
    assert not find(app, "sk-resume")
