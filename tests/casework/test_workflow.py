"""The workflow rules of surveykit.casework: cases from flags, decisions, back-check selection (D.3), the form,
the settings, permissions."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from surveykit import casework as cw
from surveykit.access import OPERATOR
from surveykit.errors import AccessDenied, ConfigError, ErrorCode, StoreError

from .helpers import flags

CONFIG = cw.load_workflow()


def test_the_shipped_settings_follow_methodology_d3():
    assert CONFIG.random_share == 0.10 and CONFIG.first_interviews == 2 and CONFIG.flagged_interviews
    assert set(CONFIG.falsification_outcomes) == {"partial_falsification", "full_falsification"}
    assert [i.code for i in CONFIG.form if i.required] == ["happened", "eligible", "staff_present"]
    assert all(i.text("ru") != i.code for i in CONFIG.form)


# --- back-check selection -------------------------------------------------------------------------------------
def _interviews(counts: dict[str, int]) -> pd.DataFrame:
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    rows = [
        {"interview_id": f"{who}-{k:03d}", "interviewer_id": who, "started_at": start + dt.timedelta(hours=k)}
        for who, n in counts.items()
        for k in range(n)
    ]
    return pd.DataFrame(rows)


NO_CASES = pd.DataFrame(columns=["id", "level", "interview_id"])
NOTHING = pd.DataFrame(columns=["interview_id", "reason", "status"])


def test_random_share_per_interviewer_is_seeded_and_rounded_up():
    interviews = _interviews({"anna": 57, "boris": 10, "vera": 3})
    plan = cw.plan_backchecks(interviews, NO_CASES, {}, NOTHING, CONFIG, questionnaire_id="q")
    per = plan.assign(who=plan["interview_id"].str.split("-").str[0]).groupby("who").size()
    assert per.to_dict() == {"anna": math.ceil(5.7), "boris": 1, "vera": 1}
    assert set(plan["reason"]) == {"random"}
    again = cw.plan_backchecks(interviews, NO_CASES, {}, NOTHING, CONFIG, questionnaire_id="q")
    assert list(again["interview_id"]) == list(plan["interview_id"])  # the same seed, the same sample
    other = cw.plan_backchecks(
        interviews, NO_CASES, {}, NOTHING, cw.WorkflowConfig(seed=7, form=CONFIG.form), questionnaire_id="q"
    )
    assert list(other["interview_id"]) != list(plan["interview_id"])


def test_the_random_share_is_topped_up_not_redrawn():
    interviews = _interviews({"anna": 20})
    done = pd.DataFrame({"interview_id": ["anna-000"], "reason": ["random"], "status": ["done"]})
    plan = cw.plan_backchecks(interviews, NO_CASES, {}, done, CONFIG, questionnaire_id="q")
    assert len(plan) == 1 and "anna-000" not in set(plan["interview_id"])  # 2 of 20, one already done
    both = pd.concat([done, plan.assign(status="queued")[["interview_id", "reason", "status"]]])
    assert cw.plan_backchecks(interviews, NO_CASES, {}, both, CONFIG, questionnaire_id="q").empty


def test_every_flagged_interview_and_the_first_two_of_new_interviewers():
    interviews = _interviews({"anna": 30, "boris": 30})
    cases = pd.DataFrame(
        {"id": [4, 5, 6], "level": ["interview", "interview", "interviewer"],
         "interview_id": ["anna-007", "boris-020", None]}
    )  # fmt: skip
    certified = {"boris": dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)}  # after boris's first ten interviews
    config = cw.WorkflowConfig(random_share=0.0, form=CONFIG.form)
    plan = cw.plan_backchecks(interviews, cases, certified, NOTHING, config, questionnaire_id="q")
    assert plan[["interview_id", "reason"]].values.tolist() == [
        ["anna-007", "flagged"],
        ["boris-020", "flagged"],
        ["boris-010", "new_interviewer"],
        ["boris-011", "new_interviewer"],
    ]
    assert plan["case_id"].tolist()[:2] == [4, 5] and plan["case_id"].isna().tolist()[2:] == [True, True]


# --- cases and decisions on a store ----------------------------------------------------------------------------------
def _flags(world):
    a = world.interviews["anna"]
    return flags(
        {"rule": "too_short", "level": "interview", "interview_id": a[0], "interviewer_id": "anna",
         "institution_id": "csp2", "value": 2.0, "threshold": 6.0, "detail": "2 min, median 12 min"},
        {"rule": "too_short", "level": "interview", "interview_id": a[1], "interviewer_id": "anna",
         "institution_id": "csp1", "value": 3.0, "threshold": 6.0, "detail": "3 min"},
        {"rule": "straight_lining", "level": "interviewer", "interviewer_id": "boris", "value": 0.9},
    )  # fmt: skip


def test_run_qc_opens_cases_and_queues_back_checks_once(world):
    store = world.store
    first = cw.run_qc(store, "small", actor=OPERATOR, flags=_flags(world))
    assert (first.interviews, first.flags, first.cases_opened) == (20, 3, 3)
    # flagged: anna's first two; the first two of each newly certified interviewer (anna's are queued already,
    # never twice); 10 % random per interviewer
    assert first.queued == {"flagged": 2, "new_interviewer": 2, "random": 2}
    second = cw.run_qc(store, "small", actor=OPERATOR, flags=_flags(world))
    assert second.cases_opened == 0 and second.cases_known == 3 and sum(second.queued.values()) == 0
    assert len(store.casework.cases()) == 3 and len(store.casework.backchecks()) == 6
    flagged = store.casework.backchecks()[lambda f: f["reason"] == "flagged"]
    assert flagged["case_id"].notna().all()
    assert len(store.audit_frame(entity="qc_case", action="open")) == 3
    assert (store.audit_frame(entity="backcheck")["actor"] == "operator").all()
    table = cw.flags_by_interviewer(store, "small", actor=OPERATOR)
    assert table.set_index("interviewer_id")["total"].to_dict() == {"anna": 2, "boris": 1}
    figure = cw.flags_chart(table, "ru", {"anna": "Анна"})
    assert {bar.name for bar in figure.data} == {"слишком короткие", "одинаковые ответы"}
    assert list(figure.data[0].x) == ["Анна", "boris"]


def test_reject_returns_the_interview_to_its_interviewer_with_the_comment(world):
    store = world.store
    cw.run_qc(store, "small", actor=OPERATOR, flags=_flags(world))
    case = store.casework.cases(interview_id=world.interviews["anna"][0]).iloc[0]
    sofia = store.person("sofia")
    with pytest.raises(StoreError) as err:
        cw.decide(store, int(case.id), "reject", actor=sofia)
    assert err.value.code is ErrorCode.QC_REASON_REQUIRED
    decided = cw.decide(store, int(case.id), "reject", actor=sofia, comment="Q2 contradicts the cover sheet")
    assert decided.status == "closed" and decided.resolution == "rejected"
    interview = store.interview(case.interview_id)
    assert interview.status == "rejected"
    assert interview.id in [m.id for m in store.drafts("anna")]  # back on the interviewer's list
    assert store.review_notes(interview.id)[-1].note == "Q2 contradicts the cover sheet"
    with pytest.raises(StoreError) as err:
        cw.decide(store, int(case.id), "approve", actor=sofia)
    assert err.value.code is ErrorCode.QC_CASE_CLOSED


def test_approve_and_backcheck_decisions(world):
    store = world.store
    cw.run_qc(
        store,
        "small",
        actor=OPERATOR,
        flags=_flags(world),
        config=cw.WorkflowConfig(
            random_share=0, first_interviews=0, flagged_interviews=False, form=CONFIG.form
        ),
    )
    cases = store.casework.cases().set_index("rule")
    second = store.casework.cases(interview_id=world.interviews["anna"][1]).iloc[0]
    approved = cw.decide(store, int(second.id), "approve", actor=OPERATOR)
    assert approved.resolution == "approved" and store.interview(second.interview_id).status == "approved"
    boris = int(cases.loc["straight_lining", "id"])
    with pytest.raises(StoreError) as err:
        cw.decide(store, boris, "reject", actor=OPERATOR, comment="no")
    assert err.value.code is ErrorCode.QC_NOT_AN_INTERVIEW and "boris" in str(err.value)
    with pytest.raises(StoreError) as err:
        cw.decide(store, boris, "backchek", actor=OPERATOR)
    assert err.value.code is ErrorCode.QC_DECISION_UNKNOWN and "backcheck" in str(err.value)
    sent = cw.decide(store, boris, "backcheck", actor=OPERATOR, comment="all of them")
    assert sent.status == "backcheck"
    queued = store.casework.backchecks(case_id=boris)
    assert len(queued) == 10 and set(queued["reason"]) == {"supervisor"}


def test_only_quality_control_roles_may_decide_or_read(world):
    store = world.store
    for person in ("anna", "tanya"):
        actor = store.person(person)
        with pytest.raises(AccessDenied) as err:
            cw.run_qc(store, "small", actor=actor, flags=_flags(world))
        assert err.value.code is ErrorCode.PERMISSION_DENIED
        with pytest.raises(AccessDenied):
            cw.backcheck_progress(store, actor=actor)
        with pytest.raises(AccessDenied):
            cw.exclude(store, world.interviews["anna"][0], "x", actor=actor)
    assert store.casework.cases().empty and store.casework.exclusions().empty


def test_counted_interviews_leave_out_the_excluded(world):
    store = world.store
    a0 = world.interviews["anna"][0]
    cw.exclude(store, a0, "duplicate of another interview", actor=store.person("sofia"))
    counted = cw.counted_interviews(store, "small")
    assert len(counted) == 19 and a0 not in set(counted["interview_id"])
    assert len(store.interviews_frame("small")) == 20
    cw.restore(store, a0, "not a duplicate", actor=store.person("sofia"))
    assert len(cw.counted_interviews(store, "small")) == 20


# --- the form and the settings ------------------------------------------------------------------------------------
def test_the_back_check_form_is_validated():
    good = {
        "happened": "yes",
        "date": "2026-03-02",
        "eligible": "yes",
        "staff_present": "no",
        "comment": " ok ",
    }
    assert cw.validate_form(good, CONFIG) == {**good, "comment": "ok"}
    for answers, question in (
        ({"happened": "yes", "eligible": "yes"}, "staff_present"),
        ({**good, "happened": "perhaps"}, "happened"),
        ({**good, "date": "2.3.2026"}, "date"),
        ({**good, "date": "2999-01-01"}, "date"),
        ({**good, "weather": "sunny"}, "weather"),
    ):
        with pytest.raises(StoreError) as err:
            cw.validate_form(answers, CONFIG)
        assert err.value.code is ErrorCode.QC_FORM_INVALID and err.value.location.field == question


def test_invalid_settings_name_the_file_and_key(tmp_path):
    path = tmp_path / "workflow.yaml"
    path.write_text("schema_version: 1\nbackcheck: {random_share: 1.5}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        cw.load_workflow(path)
    assert err.value.code is ErrorCode.QC_CONFIG_INVALID
    assert str(path) in str(err.value) and "backcheck.random_share" in str(err.value)
    path.write_text("schema_version: 1\nfalsification: {outcomes: [full_falsificaton]}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        cw.load_workflow(path)
    assert "full_falsification" in str(err.value)


def test_the_checkers_opening_words_state_confidentiality_in_both_languages(tmp_path):
    """One doctrine with the consent scripts and the course: confidential, not anonymous; the interviewer is
    checked, not the respondent; voluntary."""
    ru, en = CONFIG.script_text("ru"), CONFIG.script_text("en")
    assert "конфиденциальн" in ru and "аноним" not in ru and "интервьюера, а не Вас" in ru
    assert "confidential" in en and "anonymous" not in en and "up to you" in en
    assert CONFIG.script_text("bg") == en  # a language without its own text falls back to English
    path = tmp_path / "workflow.yaml"
    path.write_text("schema_version: 1\nscript: {ru: '', en: Hello}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        cw.load_workflow(path)
    assert "script" in str(err.value) and str(path) in str(err.value)
    path.write_text("schema_version: 1\n", encoding="utf-8")
    assert cw.load_workflow(path).script_text("ru") == ""


def test_the_interviewer_sees_the_supervisors_comment_on_a_returned_interview(world):
    import ipywidgets as W

    from surveykit.ui.interview_app import InterviewApp

    store = world.store
    cw.run_qc(store, "small", actor=OPERATOR, flags=_flags(world))
    case = store.casework.cases(interview_id=world.interviews["anna"][0]).iloc[0]
    cw.decide(store, int(case.id), "reject", actor=store.person("sofia"), comment="Q2 <b>contradicts</b> Q1")
    store.set_access_code("anna", "1357-2468")
    app = InterviewApp(store, language="en")
    app.sign_in("anna", "1357-2468")
    app.show_home()

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    labels = [w.value for w in walk(app) if isinstance(w, W.HTML) and 'class="sk-returned"' in w.value]
    assert len(labels) == 1
    assert "Returned for correction: Q2 &lt;b&gt;contradicts&lt;/b&gt; Q1" in labels[0]  # as text, not markup
