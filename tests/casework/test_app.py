"""The supervisor app's quality-control tabs driven as a model (no browser)."""

from __future__ import annotations

from surveykit import casework as cw
from surveykit.access import OPERATOR
from surveykit.demo import DEMO_ACCESS_CODE
from surveykit.supervision import interviews_to_review
from surveykit.ui.supervisor_app import SupervisorApp

from .helpers import flags


def signed_in(store, login="olga", language="en"):
    app = SupervisorApp(store, language=language)
    login_box, code_box = app.body.children[1], app.body.children[2]
    login_box.value, code_box.value = login, DEMO_ACCESS_CODE
    app.body.children[3].click()
    return app


def find(widget, cls):
    found, stack = [], [widget]
    while stack:
        w = stack.pop()
        if cls in getattr(w, "_dom_classes", ()):
            found.append(w)
        stack.extend(reversed(getattr(w, "children", ())))
    return found


def test_run_checks_then_decide_record_and_lift_in_the_app(demo, report_checks):
    app = signed_in(demo)
    assert "run the checks" in app.flags_box.children[-1].value.lower()
    find(app, "sk-qc-run")[0].click()
    assert "new case" in app.notice.value
    assert find(app, "sk-flags-chart") and "Анна Смирнова" in find(app, "sk-flags")[0].value
    cases = demo.casework.cases(status="open")
    assert "open case(s)" in app.cases_box.children[0].value and len(app.cases_box.children) == len(cases) + 1

    # a flag on an interview still waiting for review (the demo's flagged ones are approved already)
    waiting = interviews_to_review(demo, "recipient_survey").iloc[0]
    flag = {
        "rule": "duplicates",
        "level": "interview",
        "interview_id": waiting.interview_id,
        "interviewer_id": waiting.interviewer_id,
        "institution_id": waiting.institution_id,
        "detail": "92 %",
    }
    (case,) = cw.open_cases(demo, "recipient_survey", flags(flag), actor=OPERATOR)
    app._qc("recipient_survey")
    card = app.cases_box.children[-1]
    assert f"#{case.id}" in card.children[0].value
    find(card, "sk-case-reject")[0].click()  # without a comment: refused, in words
    assert "SK533" in app.notice.value or "reason" in app.notice.value
    comment = next(w for w in card.children if w.__class__.__name__ == "Text")
    comment.value = "Q3 and Q4 contradict each other"
    find(card, "sk-case-reject")[0].click()
    first = demo.casework.case(case.id)
    assert first.resolution == "rejected" and demo.interview(first.interview_id).status == "rejected"
    assert demo.review_notes(first.interview_id)[-1].note == "Q3 and Q4 contradict each other"

    # record a back-check: the checker's opening words first, then the form; a full falsification
    # suspends the interviewer and excludes the interview
    script = find(app, "sk-bc-script")[0].value
    assert "Say first:" in script and "Your answers are confidential" in script
    assert find(app, "sk-bc-date")[0].placeholder == "YYYY-MM-DD"
    pick = find(app, "sk-bc-pick")[0]
    check = demo.casework.backcheck(pick.value)
    find(app, "sk-bc-record")[0].click()  # the form's required answers are missing
    assert "SK537" in app.notice.value or "happened" in app.notice.value
    for code, value in (("happened", "no"), ("eligible", "yes"), ("staff_present", "no")):
        find(app, f"sk-bc-{code}")[0].value = value
    find(app, "sk-bc-outcome")[0].value = "full_falsification"
    find(app, "sk-bc-record")[0].click()
    assert "suspended" in app.notice.value
    assert demo.casework.backcheck(check.id).outcome == "full_falsification"
    interviewer = demo.interview(check.interview_id).interviewer_id
    assert not demo.certification_status(interviewer).valid
    assert len(find(app, "sk-lift")) == 1

    app.tabs.selected_index = app.tabs.children.index(app.effect_box)  # the effect tab computes on opening
    table = find(app, "sk-effect")[0].value
    assert "Score without excluded" in table and table.count("<tr>") == 1 + 16

    lift_row = app.exclusions_box.children[1]
    reason = next(w for w in lift_row.children if w.__class__.__name__ == "Text")
    reason.value = "the respondent was reached again and confirmed"
    find(lift_row, "sk-lift")[0].click()
    assert demo.casework.exclusions().empty and not find(app, "sk-lift")


def test_the_quality_tabs_in_russian(demo, report_checks):
    app = signed_in(demo, "pavel", "ru")
    titles = [app.tabs.get_title(i) for i in range(len(app.tabs.children))]
    assert titles[3:8] == ["Сигналы по интервьюерам", "Очередь случаев", "Повторные проверки", "Исключения",
                           "Влияние на рейтинг"]  # fmt: skip
    assert titles[8:] == ["Полевая работа", "Кампания"]  # pavel is a sociologist: the campaign too
    find(app, "sk-qc-run")[0].click()
    assert "Проверено интервью" in app.notice.value
    assert find(app, "sk-bc-date")[0].placeholder == "ГГГГ-ММ-ДД"  # the back-check form in Russian
    assert "Сначала скажите:" in find(app, "sk-bc-script")[0].value
