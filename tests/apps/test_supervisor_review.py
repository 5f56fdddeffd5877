"""Supervisors read an interview before deciding (issue 16, item 2): the whole interview in questionnaire order
with answers as labels, skipped questions marked, calculated values, the paradata timeline and the flags that
concern it, next to approve / reject with a comment / back-check. Driven as a model (no browser)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from surveykit import casework as qc
from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.questionnaire.io import questionnaire_from_data
from surveykit.store import Store
from surveykit.supervision import interview_review, interviews_to_review
from surveykit.ui.supervisor_app import SupervisorApp

HOSTILE = '<script>alert("x")</script> Нужен пандус & поручни'

#: a small questionnaire with a skip, a calculated value and a multiple choice
CALC = {
    "schema_version": 1,
    "id": "calc_check",
    "version": "1",
    "title": {"en": "Calculation check", "ru": "Проверка вычислений"},
    "languages": ["ru", "en"],
    "default_language": "ru",
    "choice_lists": {
        "services": [
            {"name": "meals", "label": {"ru": "Питание", "en": "Meals"}},
            {"name": "cleaning", "label": {"ru": "Уборка", "en": "Cleaning"}},
        ]
    },
    "items": [
        {"code": "consent", "type": "yes_no", "label": {"ru": "Согласны?", "en": "Do you agree?"}},
        {"code": "age", "type": "integer", "label": {"ru": "Возраст", "en": "Age"},
         "relevant": "${consent} = 'yes'"},
        {"code": "services", "type": "select_multiple", "choices": "services",
         "label": {"ru": "Какие услуги?", "en": "Which services?"}},
        {"code": "n_services", "type": "calculate", "calculation": "count-selected(${services})",
         "label": {"ru": "Число услуг", "en": "Number of services"}},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('review') / 'db.sqlite'}"
    build_demo(url, seed=21, size="small", plant_falsifiers=True)
    with Store.open(url) as opened:
        yield opened


@pytest.fixture(scope="module")
def conducted(store):
    """An interview conducted in the app by anna: paradata with times, one changed answer, a hostile free text."""
    waiting = interviews_to_review(store, "recipient_survey")
    template = store.load_interview(waiting["interview_id"].iloc[0])
    answers = {**template.answers, "q1": "no", "q2": None, "q16": HOSTILE}
    meta = store.start_interview(
        "recipient_survey",
        institution_id=template.meta.institution_id,
        interviewer_id="anna",
        mode="face_to_face",
        period=template.meta.period,
        by="anna",
    )
    start = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)

    def event(seconds, name, page, **more):
        return {"event": name, "page": page, "at": start + dt.timedelta(seconds=seconds), **more}

    events = [
        {**event(0, "page_enter", "intro"), "elapsed_ms": 0},
        {**event(40, "answer_set", "intro", question="consent", new_value="yes"), "elapsed_ms": 40_000},
        {**event(45, "page_leave", "intro"), "elapsed_ms": 5_000},
        {**event(45, "page_enter", "information"), "elapsed_ms": 0},
        {**event(60, "answer_set", "information", question="q1", new_value="yes"), "elapsed_ms": 15_000},
        {**event(90, "answer_changed", "information", question="q1", old_value="yes", new_value="no"),
         "elapsed_ms": 30_000},
        {**event(100, "page_leave", "information"), "elapsed_ms": 10_000},
    ]  # fmt: skip
    store.save_draft(meta.id, answers, "information", events, by="anna")
    store.submit(meta.id, answers, by="anna")
    return meta.id


def signed_in(store, language="en", login="olga"):
    app = SupervisorApp(store, language=language)
    login_box, code_box = app.body.children[1], app.body.children[2]
    login_box.value, code_box.value = login, DEMO_ACCESS_CODE
    app.body.children[3].click()
    return app


def found(widget, cls):
    out, stack = [], [widget]
    while stack:
        w = stack.pop()
        if cls in getattr(w, "_dom_classes", ()):
            out.append(w)
        stack.extend(reversed(getattr(w, "children", ())))
    return out


def test_the_review_lists_every_question_in_order_with_labels_and_skips(store, conducted):
    olga = store.person("olga")
    review = interview_review(store, conducted, "ru", actor=olga)
    form = store.form("recipient_survey")
    assert [r.code for r in review.answers] == [c for p in form.pages for c in p.variables]
    rows = {r.code: r for r in review.answers}
    assert rows["q1"].answer == "Нет" and rows["q1"].state == "answered"  # a label, not the code "no"
    assert rows["q2"].state == "skipped" and rows["q2"].answer == ""  # q2 is asked only after "yes"
    assert rows["q1"].question.startswith("При посещении организации")
    assert rows["q16"].answer == HOSTILE  # the text as typed; the app escapes it
    assert rows["sex"].answer in {"Мужской", "Женский"}
    english = {r.code: r for r in interview_review(store, conducted, "en", actor=olga).answers}
    assert english["q1"].answer == "No" and english["q1"].question.startswith("When visiting")


def test_the_timeline_gives_time_per_page_and_the_changed_answers(store, conducted):
    review = interview_review(store, conducted, "en", actor=store.person("olga"))
    pages = {p.page: p for p in review.pages}
    intro, information = pages["Introduction"], pages[[p for p in pages if p.startswith("Information")][0]]
    assert (intro.seconds, intro.visits, intro.changes) == (45.0, 1, 0)
    assert (information.seconds, information.visits, information.changes) == (55.0, 1, 1)
    assert [(c.question.split()[0], c.old, c.new) for c in review.changes] == [("When", "Yes", "No")]
    assert review.minutes == pytest.approx(100 / 60, abs=0.05)


def test_calculated_values_are_shown_as_calculated(store):
    store.publish(questionnaire_from_data(CALC).unwrap(), by="test")
    meta = store.start_interview(
        "calc_check", institution_id=store.institutions()[0].id, interviewer_id="anna", mode="face_to_face"
    )
    store.submit(meta.id, {"consent": "no", "services": {"meals", "cleaning"}}, by="anna")
    review = interview_review(store, meta.id, "en", actor=store.person("olga"))
    rows = {r.code: r for r in review.answers}
    assert (rows["n_services"].state, rows["n_services"].answer) == ("calculated", "2")
    assert rows["services"].answer == "Meals, Cleaning"
    assert rows["age"].state == "skipped"
    assert review.pages == [] and review.minutes is None  # no paradata: imported or made outside the app


def test_the_flags_of_the_interview_and_its_interviewer_are_listed(store):
    waiting = interviews_to_review(store, "recipient_survey")
    fast = waiting[waiting["too_short"].astype(bool) & (waiting["interviewer_id"] == "vera")]
    review = interview_review(store, fast["interview_id"].iloc[0], "ru", actor=store.person("olga"))
    levels = {f.level for f in review.flags}
    assert levels == {"interview", "interviewer"}
    assert {f.rule for f in review.flags} == {"слишком короткие"}
    assert all("мин" in f.detail for f in review.flags if f.level == "interview")


def test_the_app_shows_the_interview_escaped_next_to_the_decisions(store, conducted):
    app = signed_in(store, "ru")
    found(found(app.interviews_box, f"sk-interview-{conducted}")[0], "sk-read")[0].click()
    panel = found(app.interviews_box, "sk-review")[0]
    html = found(panel, "sk-review-content")[0].value
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "пропущен: вопрос не задавался" in html
    assert "Вступление" in html and "Нет" in html
    assert "Изменённые ответы" in html and "<s>Да</s> → <b>Нет</b>" in html
    assert "0:45" in html and "0:55" in html
    actions = found(panel, "sk-review-actions")[0].children
    assert {"sk-approve", "sk-reject", "sk-backcheck"} <= {c for b in actions for c in b._dom_classes}
    # reject needs a reason; with it the interview goes back to the interviewer
    found(panel, "sk-reject")[0].click()
    assert store.interview(conducted).status == "submitted" and "причину" in app.notice.value
    found(panel, "sk-review-note")[0].value = "q1 и q2 не сходятся с заметками"
    found(panel, "sk-reject")[0].click()
    assert store.interview(conducted).status == "rejected"
    assert store.review_notes(conducted)[-1].note.startswith("q1 и q2")


def test_send_to_backcheck_from_the_review(store):
    app = signed_in(store, "en")
    checked = set(store.casework.backchecks()["interview_id"].astype(str))
    waiting = interviews_to_review(store, "recipient_survey")["interview_id"]
    first = next(i for i in waiting if str(i) not in checked)
    before = len(store.casework.backchecks())
    app.show_review(first)
    found(app.interviews_box, "sk-backcheck")[0].click()
    checks = store.casework.backchecks()
    assert len(checks) == before + 1 and "queued" in app.notice.value
    assert list(checks[checks["interview_id"].astype(str) == str(first)]["reason"]) == ["supervisor"]
    app.show_review(first)  # a second time: said so, nothing added
    found(app.interviews_box, "sk-backcheck")[0].click()
    assert len(store.casework.backchecks()) == before + 1 and "already" in app.notice.value
    app.show_review(first)
    found(app.interviews_box, "sk-review-back")[0].click()
    assert found(app.interviews_box, "sk-read") and not found(app.interviews_box, "sk-review")


def test_the_flags_chart_keeps_its_legend_whole_and_the_names_apart(store):
    """Issue 16 item 8: plotly's legend, drawn in a hidden tab, was cut to single letters and the entries
    overlapped: the legend is text under the chart (the same names and colours), the axes take the room their
    labels need, many names tilt."""
    olga = store.person("olga")
    table = qc.flags_by_interviewer(store, "recipient_survey", actor=olga)
    names = {p.id: p.display_name for p in store.people()}
    figure = qc.flags_chart(table, "ru", names)
    legend = qc.flags_legend(table, "ru")
    assert figure.layout.showlegend is False
    assert [(bar.name, bar.marker.color) for bar in figure.data] == legend
    assert "слишком короткие" in dict(legend)
    assert figure.layout.xaxis.automargin and figure.layout.yaxis.automargin
    many = pd.DataFrame(
        {"interviewer_id": [f"p{i}" for i in range(12)], "too_short": 1, "straight_lining": 2, "open": 3,
         "total": 3}
    )  # fmt: skip
    crowded = qc.flags_chart(many, "en", {f"p{i}": f"Interviewer Number {i}" for i in range(12)})
    assert crowded.layout.xaxis.tickangle == -30
    app = signed_in(store, "ru")
    html = app.flags_box.children[3].value
    assert "sk-flags-legend" in html and all(name in html for name, _ in legend)


def test_the_decision_stands_under_the_heading_above_the_interview(store):
    """The decision (comment, approve / return / back-check) sat below the whole interview: it now stands
    under the interview's heading, and the interview scrolls in a pane of its own, so the buttons stay in
    reach (tests/apps/test_supervisor_review_browser.py checks it on the page)."""
    app = signed_in(store, "ru")
    app.show_review(interviews_to_review(store, "recipient_survey")["interview_id"].iloc[-1])  # submitted
    panel = found(app.interviews_box, "sk-review")[0]
    order = [next(c for c in w._dom_classes if c.startswith("sk-review-")) for w in panel.children]
    assert order == ["sk-review-heading", "sk-review-decision", "sk-review-content"]
    decision = panel.children[1]
    assert (
        found(decision, "sk-review-note") and found(decision, "sk-approve") and found(decision, "sk-reject")
    )
    assert len(found(panel, "sk-approve")) == 1  # one set of buttons, one home for what they do
    summary = found(panel, "sk-review-summary")[0].value
    assert "sk-review-answers" not in summary and "sk-review-answers" in panel.children[2].value
