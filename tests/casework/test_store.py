"""The storage component ``store.casework`` on both backends: cases unique by key, back-checks never
duplicated, reversible exclusions, every change in the audit log."""

from __future__ import annotations

import pytest

from surveykit.errors import ErrorCode, NotFoundError, StoreError


def _case(key, interview_id=None, level="interview", interviewer="anna"):
    return {"key": key, "rule": "too_short", "level": level, "questionnaire_id": "small",
            "interview_id": interview_id, "interviewer_id": interviewer, "institution_id": "csp1",
            "value": 3.5, "threshold": 7.0, "detail": "3.5 min"}  # fmt: skip


def test_cases_are_unique_by_key_and_audited(world):
    cw = world.store.casework
    first = world.interviews["anna"][0]
    opened = cw.open_cases(
        [_case("small/too_short/interview/a", first), _case("small/x/interviewer/anna", level="interviewer")],
        by="sofia",
    )
    assert [c.status for c in opened] == ["open", "open"]
    assert opened[0].interview_id == first and opened[0].subject == first and opened[1].subject == "anna"
    again = cw.open_cases(
        [
            _case("small/too_short/interview/a", first),
            _case("small/new/interviewer/boris", level="interviewer"),
        ],
        by="sofia",
    )
    assert [c.key for c in again] == ["small/new/interviewer/boris"]
    assert len(cw.cases()) == 3
    audit = world.store.audit_frame(entity="qc_case", action="open")
    assert len(audit) == 3 and set(audit["actor"]) == {"sofia"}


def test_case_status_changes_and_closed_cases_are_refused(world):
    cw = world.store.casework
    (case,) = cw.open_cases([_case("k1", world.interviews["anna"][0])], by=None)
    moved = cw.set_case(case.id, "backcheck", by="sofia", note="phone the respondent")
    assert moved.status == "backcheck" and moved.note == "phone the respondent"
    closed = cw.set_case(case.id, "closed", by="sofia", resolution="approved")
    assert closed.closed_by == "sofia" and closed.closed_at is not None
    with pytest.raises(StoreError) as err:
        cw.set_case(case.id, "closed", by="sofia", resolution="rejected")
    assert err.value.code is ErrorCode.QC_CASE_CLOSED and "#" in str(err.value)
    with pytest.raises(NotFoundError):
        cw.case(999)
    assert list(world.store.audit_frame(entity="qc_case", action="decide")["entity_id"]) == [str(case.id)] * 2


def test_an_interview_is_never_queued_twice(world):
    cw = world.store.casework
    a0, a1 = world.interviews["anna"][:2]
    assert (
        len(
            cw.queue_backchecks(
                [(a0, "random", None), (a0, "flagged", None), (a1, "flagged", None)], by="sofia"
            )
        )
        == 2
    )
    assert cw.queue_backchecks([(a0, "falsification", None)], by="sofia") == []
    queued = cw.backchecks(status="queued")
    assert sorted(queued["interview_id"]) == sorted([a0, a1])
    assert set(queued["interviewer_id"]) == {"anna"} and set(queued["questionnaire_id"]) == {"small"}
    with pytest.raises(StoreError) as err:
        cw.queue_backchecks([(a1, "whim", None)], by="sofia")
    assert err.value.code is ErrorCode.FIELD_INVALID
    with pytest.raises(NotFoundError):
        cw.queue_backchecks([("00000000-0000-4000-8000-000000000000", "random", None)], by="sofia")
    assert len(world.store.audit_frame(entity="backcheck", action="queue")) == 2


def test_recording_a_falsification_excludes_and_requeues_in_one_transaction(world):
    cw = world.store.casework
    b0 = world.interviews["boris"][0]
    (check,) = cw.queue_backchecks([(b0, "random", None)], by="sofia")
    done = cw.record_backcheck(check, "full_falsification", form={"happened": "no"}, method="telephone",
                               notes="nobody was interviewed", checker_id="sofia", by="sofia",
                               exclude_reason="full falsification", requeue_interviewer=True)  # fmt: skip
    assert done.status == "done" and done.outcome == "full_falsification" and done.form == {"happened": "no"}
    assert cw.excluded_ids("small") == {b0}
    requeued = cw.backchecks(status="queued")
    assert set(requeued["interviewer_id"]) == {"boris"} and len(requeued) == 9
    assert set(requeued["reason"]) == {"falsification"}
    with pytest.raises(StoreError) as err:
        cw.record_backcheck(
            check, "confirmed_ok", form=None, method=None, notes=None, checker_id=None, by="sofia"
        )
    assert err.value.code is ErrorCode.QC_BACKCHECK_DONE
    with pytest.raises(StoreError) as err:
        cw.record_backcheck(check, "fake", form=None, method=None, notes=None, checker_id=None, by=None)
    assert err.value.code is ErrorCode.QC_OUTCOME_UNKNOWN


def test_a_case_sent_to_backcheck_closes_with_the_worst_outcome(world):
    cw = world.store.casework
    a = world.interviews["anna"]
    (case,) = cw.open_cases([_case("k-anna", level="interviewer")], by=None)
    cw.set_case(case.id, "backcheck", by="sofia")
    first, second = cw.queue_backchecks(
        [(a[0], "supervisor", case.id), (a[1], "supervisor", case.id)], by="sofia"
    )
    cw.record_backcheck(
        first, "protocol_breach", form=None, method=None, notes=None, checker_id=None, by="sofia"
    )
    assert cw.case(case.id).status == "backcheck"
    cw.record_backcheck(
        second, "confirmed_ok", form=None, method=None, notes=None, checker_id=None, by="sofia"
    )
    closed = cw.case(case.id)
    assert closed.status == "closed" and closed.resolution == "protocol_breach"


def test_exclusions_are_reversible_with_who_when_why(world):
    cw = world.store.casework
    a0 = world.interviews["anna"][0]
    excluded = cw.exclude(a0, "respondent says no interview took place", by="sofia")
    assert excluded.active and excluded.excluded_by == "sofia"
    with pytest.raises(StoreError) as err:
        cw.exclude(a0, "again", by="sofia")
    assert err.value.code is ErrorCode.QC_ALREADY_EXCLUDED
    with pytest.raises(StoreError) as err:
        cw.lift(a0, "  ", by="sofia")
    assert err.value.code is ErrorCode.QC_REASON_REQUIRED
    lifted = cw.lift(a0, "the respondent remembered after all", by="operator")
    assert (
        not lifted.active and lifted.lifted_by == "operator" and lifted.lift_reason.startswith("the respondent")
    )
    with pytest.raises(StoreError) as err:
        cw.lift(a0, "twice", by="sofia")
    assert err.value.code is ErrorCode.QC_NOT_EXCLUDED
    assert cw.excluded_ids() == set()
    cw.exclude(a0, "second thoughts", by="sofia")
    history = cw.exclusions(active=None)
    assert len(history) == 2 and history["lifted_at"].notna().sum() == 1
    assert list(world.store.audit_frame(entity="exclusion")["action"]) == ["exclude", "lift", "exclude"]


def test_interviews_of_an_interviewer(world):
    assert world.store.casework.interviews_of("anna", questionnaire_id="small") == world.interviews["anna"]


@pytest.mark.parametrize("actor", [None, "", "nobody", "ghost"])
def test_decisions_need_a_person_of_the_store_and_change_nothing_otherwise(world, actor):
    """Deciding a case, recording a back-check (and naming its checker), excluding and restoring an interview
    are refused (SK540) unless a person of the store (or the command line's operator) decides; nothing is
    written or audited by a refused decision."""
    store = world.store
    cw = store.casework
    if actor == "ghost":
        store.add_person("ghost", "Ghost", ("supervisor",), by="operator")
        store.deactivate_person("ghost", by="operator")
    a0 = world.interviews["anna"][0]
    (case,) = cw.open_cases([_case("k-actors", a0)], by="sofia")
    (check,) = cw.queue_backchecks([(a0, "random", None)], by="sofia")
    audited = len(store.audit_frame())
    attempts = [
        lambda: cw.set_case(case.id, "backcheck", by=actor),
        lambda: cw.record_backcheck(check, "confirmed_ok", form=None, method=None, notes=None,
                                    checker_id=None, by=actor),
        lambda: cw.record_backcheck(check, "confirmed_ok", form=None, method=None, notes=None,
                                    checker_id=actor or "nobody", by="sofia"),
        lambda: cw.exclude(a0, "respondent says no interview took place", by=actor),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(StoreError) as err:
            attempt()
        assert err.value.code is ErrorCode.ACTOR_UNKNOWN
    assert cw.case(case.id).status == "open" and cw.backcheck(check).outcome is None
    assert cw.excluded_ids() == set() and len(store.audit_frame()) == audited
    cw.exclude(a0, "respondent says no interview took place", by="operator")
    with pytest.raises(StoreError) as err:
        cw.lift(a0, "remembered", by=actor)
    assert err.value.code is ErrorCode.ACTOR_UNKNOWN and cw.excluded_ids() == {a0}
