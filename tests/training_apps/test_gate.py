"""The interview gate, end to end with certificates issued by the training service: without a certificate a
real interview is refused (SK507, saying why) while practice stays open; with one it is stored; after a
suspension for a confirmed falsification it is refused again, and reinstating opens it."""

from __future__ import annotations

import datetime as dt

import pytest

from surveykit.errors import AccessDenied, ErrorCode
from surveykit.questionnaire.io import load_questionnaire
from surveykit.store import Store
from surveykit.training.service import TrainingService

from .helpers import ACCESS, add_trainee, full_attendance, key_answer, passed_mock


@pytest.fixture
def field(store, course, key):
    """A store with the recipient survey published, an institution, and a service on the real clock (the store
    checks certificates against the real time)."""
    from surveykit.config import settings

    store.publish(load_questionnaire(settings().questionnaires_dir / "recipient_survey.yaml"))
    store.add_institution("csp-12", "КЦСОН Центрального района")
    add_trainee(store, "anna", "Анна Иванова", roles=("trainee", "interviewer"))
    add_trainee(store, "sofia", "София Петрова", roles=("supervisor",))
    return TrainingService(store, course=course, key=key)


def certify(service: TrainingService, person_id: str) -> str:
    full_attendance(service, person_id)
    passed_mock(service, person_id)
    attempt = service.start_exam(person_id, seed=11)
    for item_id in attempt.item_ids:
        service.save_answer(attempt.attempt_id, item_id, key_answer(service.course.item(item_id)))
    outcome = service.submit_exam(attempt.attempt_id)
    assert outcome.certificate is not None
    return outcome.certificate.serial


ANSWERS = {
    "consent": "yes",
    "proxy_respondent": "no",
    **{q: "yes" for q in ("q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11", "q12")},
    **{q: "yes" for q in ("q13", "q14", "q15")},
}


def real_interview(store: Store) -> str:
    meta = store.start_interview(
        "recipient_survey", institution_id="csp-12", interviewer_id="anna", mode="face_to_face"
    )
    store.submit(meta.id, ANSWERS, by="anna")
    return meta.id


def test_without_a_certificate_real_interviews_are_refused_and_practice_is_open(field, store):
    with pytest.raises(AccessDenied) as err:
        real_interview(store)
    assert err.value.code is ErrorCode.NOT_CERTIFIED
    assert "no certificate" in str(err.value)
    assert "практи" in err.value.localized("ru").lower() or "учебный" in err.value.localized("ru")
    meta = field.start_practice("anna", proxy=False)
    assert store.submit(meta.id, ANSWERS, by="anna").outcome == "stored"
    assert len(store.interviews_frame("recipient_survey")) == 0


def test_a_certificate_issued_by_the_training_service_opens_the_gate(field, store):
    certify(field, "anna")
    interview_id = real_interview(store)
    frame = store.interviews_frame("recipient_survey")
    assert frame["interview_id"].tolist() == [interview_id]
    assert store.training.certification_problem("anna") is None


def test_suspension_after_a_confirmed_falsification_closes_the_gate(field, store):
    serial = certify(field, "anna")
    real_interview(store)
    meta = store.start_interview(
        "recipient_survey", institution_id="csp-12", interviewer_id="anna", mode="face_to_face"
    )
    suspended = field.suspend_for_falsification(
        "anna", reason="confirmed falsification (back-check 2026-05)", by="sofia"
    )
    assert suspended == [serial]
    with pytest.raises(AccessDenied) as err:  # the draft started before the suspension cannot be submitted
        store.submit(meta.id, ANSWERS, by="anna")
    assert err.value.code is ErrorCode.NOT_CERTIFIED
    assert "suspended" in str(err.value) and "confirmed falsification" in str(err.value)
    with pytest.raises(AccessDenied):
        real_interview(store)
    issued, _ = field.certify_if_eligible("anna")  # no silent re-certification while suspended
    assert issued is None and "suspended" in field.blocked("anna")["en"]
    skipped = field.issue_cohort(["anna"]).skipped
    assert skipped[0][0] == "anna" and "suspended" in skipped[0][2][0]
    attempt = field.attempts("anna")[-1]
    assert "приостановлен" in field.outcome(attempt).blocked["ru"]
    practice = field.start_practice("anna", proxy=False)  # practice stays open
    store.submit(practice.id, ANSWERS, by="anna")
    field.set_certificate_status(serial, "reinstate", reason="suspension lifted after review", by="sofia")
    store.submit(meta.id, ANSWERS, by="anna")
    assert len(store.interviews_frame("recipient_survey")) == 2


def test_a_revoked_or_expired_certificate_closes_the_gate(field, store):
    serial = certify(field, "anna")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 2 + 2)
    assert "expired" in store.training.certification_problem("anna", later)
    field.set_certificate_status(serial, "revoke", reason="issued by mistake", by="sofia")
    with pytest.raises(AccessDenied) as err:
        real_interview(store)
    assert "revoked" in str(err.value)


def test_the_interview_app_tells_why_and_offers_practice(field, store):
    """The interview app's home screen says why only practice is possible (needs Store.certification_status)."""
    from surveykit.ui.interview_app import InterviewApp

    if not hasattr(store, "certification_status"):
        pytest.skip("the interview app calls Store.certification_status, which the store does not offer yet")
    app = InterviewApp(store, language="en")
    app.sign_in("anna", ACCESS)
    app.show_home()
    text = " ".join(
        getattr(w, "value", "") for w in app.body.children if isinstance(getattr(w, "value", None), str)
    )
    assert "practice" in text.lower() and "no certificate" in text
    certify(field, "anna")
    app.show_home()
    text = " ".join(
        getattr(w, "value", "") for w in app.body.children if isinstance(getattr(w, "value", None), str)
    )
    assert "valid until" in text
