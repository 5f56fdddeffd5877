"""Submission: validated, idempotent by UUID and content, gated by certification; supervisor review."""

from __future__ import annotations

import datetime as dt

import pytest

from surveykit.errors import AccessDenied, ConflictError, ErrorCode, StoreError, ValidationError
from surveykit.store import STATUS_FLOW, Store
from surveykit.store.testing import add_signed_certificate

from .helpers import NOW, certify, checksum, example_answers, small_answers, table_counts


def test_submit_stores_the_cleaned_answers(world):
    store = world.store
    meta = world.start()
    result = store.submit(meta.id, example_answers())
    assert (result.outcome, result.status, len(result.content_hash)) == ("stored", "submitted", 64)
    stored = store.interview(meta.id)
    assert (stored.status, stored.content_hash) == ("submitted", result.content_hash)
    assert stored.submitted_at >= stored.started_at
    answers = store.load_interview(meta.id).answers
    assert answers["n_services"] == 2 and answers["main_service"] in {"meals", "cleaning"}  # calculated
    assert answers["relatives_total_age"] == 40 and answers["age_group"] == "60-74"


def test_submitting_the_saved_draft(world):
    store = world.store
    meta = world.start()
    store.save_draft(meta.id, example_answers(), page="closing")
    assert store.submit(meta.id).outcome == "stored"
    assert store.load_interview(meta.id).answers["age"] == 70


def test_the_same_submission_twice_is_stored_once(world):
    store = world.store
    meta = world.start()
    first = store.submit(meta.id, example_answers())
    counts = table_counts(store)
    second = store.submit(meta.id, example_answers())
    assert (second.outcome, second.duplicate, second.content_hash) == ("duplicate", True, first.content_hash)
    assert table_counts(store) == counts


def test_a_resubmission_with_other_answers_is_refused_and_nothing_changes(world):
    store = world.store
    meta = world.start()
    store.submit(meta.id, example_answers())
    before = checksum(store)
    with pytest.raises(ConflictError) as info:
        store.submit(meta.id, example_answers(age=71))
    assert info.value.code is ErrorCode.SUBMISSION_CONFLICT
    assert meta.id in str(info.value)
    assert checksum(store) == before


def test_validation_errors_refuse_the_submission_and_nothing_is_stored(world):
    store = world.store
    meta = world.start()
    store.save_draft(meta.id, {"consent": "yes"}, page="respondent")
    before = checksum(store)
    bad = example_answers(age=12, region=None, relatives=[{"rel_relation": "child", "rel_age": 90}])
    with pytest.raises(ValidationError) as info:
        store.submit(meta.id, bad)
    codes = {p.code for p in info.value.report.errors}
    assert {ErrorCode.ANSWER_OUT_OF_RANGE, ErrorCode.ANSWER_REQUIRED, ErrorCode.ANSWER_CONSTRAINT} <= codes
    assert checksum(store) == before
    assert store.interview(meta.id).status == "draft"


def test_status_transitions_with_notes_and_audit(world):
    store = world.store
    meta = world.start()
    store.submit(meta.id, example_answers())
    rejected = store.set_status(meta.id, "rejected", by="sofia", note="Age looks wrong, call back")
    assert rejected.status == "rejected"
    assert [d.id for d in store.drafts("anna")] == [meta.id]  # offered to the interviewer for correction
    store.save_draft(meta.id, example_answers(age=72), page="respondent")
    resubmitted = store.submit(meta.id)  # rejected -> submitted, with corrected answers
    assert resubmitted.outcome == "stored"
    approved = store.set_status(meta.id, "approved", by="sofia", note="Checked by phone")
    assert approved.status == "approved"
    notes = store.review_notes(meta.id)
    assert [(n.from_status, n.to_status, n.author_id) for n in notes] == [
        ("submitted", "rejected", "sofia"),
        ("submitted", "approved", "sofia"),
    ]
    audit = store.audit_frame(entity="interview", entity_id=meta.id)
    assert list(audit["action"]) == ["start", "submit", "status", "save_draft", "submit", "status"]
    assert list(audit["actor"]) == ["anna", "anna", "sofia", "anna", "anna", "sofia"]
    assert audit["details"].iloc[2] == {
        "from": "submitted",
        "to": "rejected",
        "note": "Age looks wrong, call back",
    }
    assert audit["at"].is_monotonic_increasing


@pytest.mark.parametrize(
    ("current", "target"),
    [("draft", "approved"), ("submitted", "draft"), ("approved", "rejected"), ("rejected", "approved")],
)
def test_an_invalid_transition_lists_the_allowed_ones(world, current, target):
    store = world.store
    meta = world.start()
    if current != "draft":
        store.submit(meta.id, example_answers())
    if current in ("approved", "rejected"):
        store.set_status(meta.id, current, by="sofia", note="")
    before = checksum(store)
    with pytest.raises(StoreError) as info:
        store.set_status(meta.id, target, by="sofia", note="")
    assert info.value.code is ErrorCode.STATUS_TRANSITION
    allowed = ", ".join(STATUS_FLOW[current]) or "none (final)"
    assert info.value.params == {"current": current, "target": target, "allowed": allowed}
    assert checksum(store) == before


def test_a_supervisor_can_resubmit_a_rejected_interview(world):
    store = world.store
    meta = world.start()
    store.submit(meta.id, example_answers())
    store.set_status(meta.id, "rejected", by="sofia", note="recheck")
    assert (
        store.set_status(meta.id, "submitted", by="sofia", note="checked, it was right").status == "submitted"
    )


# --- the certification gate ------------------------------------------------------------------------------------
def test_an_interviewer_without_a_certificate_cannot_start_or_submit(world):
    with pytest.raises(AccessDenied) as info:
        world.start(interviewer_id="boris")
    assert info.value.code is ErrorCode.NOT_CERTIFIED
    assert "Boris Petrov (boris)" in str(info.value) and "no certificate" in str(info.value)


@pytest.mark.parametrize("problem", ["revoked", "suspended", "not authentic"])
def test_a_certificate_lost_before_submitting_blocks_the_submission(world, problem):
    """Revoked, suspended, or edited in the database (the stored end date no longer matches the signed
    record: the certificate stops counting, surveykit.certificates.stored)."""
    store = world.store
    meta = world.start()
    store.save_draft(meta.id, example_answers())
    for certificate in store.training.certificates("anna"):
        if problem == "not authentic":
            with store.db.transaction() as conn:
                conn.exec_driver_sql(
                    "UPDATE certificates SET valid_until = issued_at WHERE serial = ?"
                    if store.db.is_sqlite
                    else "UPDATE certificates SET valid_until = issued_at WHERE serial = %s",
                    (certificate.serial,),
                )
        else:
            store.training.set_certificate_status(
                certificate.serial, problem, reason="back-check", by="sofia"
            )
    before = checksum(store)
    with pytest.raises(AccessDenied) as info:
        store.submit(meta.id)
    assert info.value.code is ErrorCode.NOT_CERTIFIED
    assert problem in str(info.value)
    assert checksum(store) == before


def test_practice_interviews_need_no_certificate(world):
    store = world.store
    meta = world.start(interviewer_id="boris", practice=True)
    assert store.submit(meta.id, example_answers()).outcome == "stored"
    assert store.audit_frame(action="submit")["details"].iloc[0]["certification"] == "practice"


def test_the_gate_can_be_bypassed_explicitly_and_the_audit_says_so(world, store_url):
    with Store.open(store_url, enforce_certification=False) as demo:
        meta = demo.start_interview(
            "example_all_types", institution_id="csp1", interviewer_id="boris", mode="telephone"
        )
        assert demo.submit(meta.id, example_answers()).outcome == "stored"
    details = world.store.audit_frame(action="submit")["details"].iloc[0]
    assert details["certification"] == "not enforced"


def test_a_certificate_valid_later_does_not_count_yet(world):
    store = world.store
    now = dt.datetime.now(dt.UTC)
    add_signed_certificate(store, "boris", issued_at=now + dt.timedelta(days=3), valid_until=None)
    with pytest.raises(AccessDenied) as info:
        world.start(interviewer_id="boris")
    assert "valid only from" in str(info.value)
    certify(store, "boris")
    assert world.start(interviewer_id="boris").status == "draft"


def test_certification_status_says_why_in_english_and_russian(world):
    store = world.store
    status = store.certification_status("anna")
    assert status.valid and status.valid_until > dt.datetime.now(dt.UTC) and status.reason() == ""
    boris = store.certification_status("boris")
    assert (boris.valid, boris.kind, boris.reason("en"), boris.reason("ru")) == (
        False,
        "none",
        "no certificate",
        "нет сертификата",
    )
    serial = certify(store, "boris").serial
    store.training.set_certificate_status(serial, "suspended", reason="back-check", by="sofia")
    boris = store.certification_status("boris")
    assert boris.reason("en") == f"certificate {serial} is suspended: back-check"
    assert boris.reason("ru") == f"сертификат {serial} приостановлен: back-check"
    later = store.certification_status("anna", now=dt.datetime.now(dt.UTC) + dt.timedelta(days=400))
    assert later.kind == "expired" and "expired on" in later.reason()


def test_the_gate_asks_for_the_role_each_mode_needs(world):
    """rules.yaml's gate: interviews need the interviewer role; a questionnaire-taker may only hand out
    self-completed questionnaires."""
    store = world.store
    assert store.gate["face_to_face"] == ("interviewer",)
    add_signed_certificate(
        store, "boris", ["questionnaire_taker"], issued_at=NOW - dt.timedelta(days=3),
        valid_until=NOW + dt.timedelta(days=300),
    )  # fmt: skip
    with pytest.raises(AccessDenied) as refused:
        world.start(interviewer_id="boris", mode="face_to_face")
    assert refused.value.code is ErrorCode.NOT_CERTIFIED and "interviewer" in refused.value.params["reason"]
    status = store.certification_status("boris", mode="telephone")
    assert not status.valid and status.kind == "role"
    assert "не даёт права" in status.reason("ru")
    meta = world.start("small", interviewer_id="boris", mode="self_completed")
    assert store.submit(meta.id, small_answers()).outcome == "stored"
    assert store.certification_status("boris", mode="self_completed").valid
