"""The exam over a temporary store: the draw, answers stored as given, a reload restores the attempt exactly,
the time limit, pass and fail, the re-sit wait, and a certificate only when every rule is met."""

from __future__ import annotations

import datetime as dt

import pytest

from surveykit.certificates import Status, verify
from surveykit.certificates.registry_store import StoreRegistry
from surveykit.errors import CertificateError, ErrorCode, TrainingError
from surveykit.training import ExamAttempt
from surveykit.training.exam import AttemptState
from surveykit.training.service import TrainingService

from .helpers import add_trainee, full_attendance, harmful_answer, key_answer, passed_mock, wrong_answer


def answer_all(service, attempt, *, wrong: int = 0, critical_wrong: bool = False):
    """Answer every item correctly except the first ``wrong`` non-critical ones (or one critical error: a
    harmful option chosen)."""
    course = service.course
    spoiled = 0
    for item_id in attempt.item_ids:
        item = course.item(item_id)
        if critical_wrong and item.critical and spoiled == 0:
            service.save_answer(attempt.attempt_id, item_id, harmful_answer(item))
            spoiled += 1
            continue
        bad = not critical_wrong and not item.critical and spoiled < wrong
        service.save_answer(attempt.attempt_id, item_id, wrong_answer(item) if bad else key_answer(item))
        spoiled += bad
    return attempt


def test_the_draw_is_stratified_by_the_blueprint_and_seeded(service, ready_trainee, course):
    attempt = service.start_exam(ready_trainee, seed="s1")
    plan = course.rules.exam.plan_for(None)  # the default role's blueprint
    modules = [course.item(i).module for i in attempt.item_ids]
    assert {m: modules.count(m) for m in set(modules)} == plan.counts()
    assert attempt.role == course.rules.exam.default_role
    assert attempt.deadline - attempt.started_at == dt.timedelta(minutes=course.rules.exam.time_limit_minutes)
    from surveykit.training import draw_exam

    assert attempt.item_ids == draw_exam(course, "s1")


def test_answers_are_stored_at_once_and_a_reload_restores_the_attempt_exactly(
    service, store_url, ready_trainee, clock
):
    attempt = service.start_exam(ready_trainee, seed=7)
    first, second = attempt.item_ids[:2]
    service.save_answer(attempt.attempt_id, first, key_answer(service.course.item(first)))
    clock.advance(minutes=3)
    service.save_answer(attempt.attempt_id, second, wrong_answer(service.course.item(second)))
    clock.advance(minutes=1)
    service.save_answer(
        attempt.attempt_id, second, key_answer(service.course.item(second))
    )  # the latest counts
    # "reload": a new service over a newly opened store, as a new Voilà page would have
    from surveykit.store import Store

    with Store.open(store_url) as again:
        reloaded = TrainingService(again, course=service.course, clock=clock, key=service.key)
        status = reloaded.exam_status(ready_trainee)
        restored = status.open_attempt
        assert restored is not None
        assert restored.to_dict() == service.attempt(attempt.attempt_id).to_dict()
        assert restored.deadline == attempt.deadline and restored.item_ids == attempt.item_ids
        assert restored.answers[second].value == key_answer(service.course.item(second))
        assert ExamAttempt.from_dict(restored.to_dict()) == restored


def test_the_time_limit_closes_the_attempt_and_counts_answers_given_before(
    service, ready_trainee, clock, course
):
    attempt = service.start_exam(ready_trainee, seed=3)
    for item_id in attempt.item_ids[:5]:
        service.save_answer(attempt.attempt_id, item_id, key_answer(course.item(item_id)))
    clock.advance(minutes=course.rules.exam.time_limit_minutes, seconds=1)
    with pytest.raises(TrainingError) as err:
        service.save_answer(
            attempt.attempt_id, attempt.item_ids[5], key_answer(course.item(attempt.item_ids[5]))
        )
    assert err.value.code is ErrorCode.EXAM_CLOSED
    stored = service.attempt(attempt.attempt_id)
    assert stored.state is AttemptState.EXPIRED and stored.closed_at == attempt.deadline
    outcome = service.submit_exam(attempt.attempt_id)  # closing again is harmless: the result is shown
    assert outcome.result.earned == 5 and not outcome.passed
    frame = service.store.training.exam_attempts(ready_trainee)
    assert frame["passed"].tolist() == [False] and frame["score"].iloc[0] == pytest.approx(5 / 25)


def test_an_open_attempt_past_its_deadline_is_closed_when_the_trainee_comes_back(
    service, ready_trainee, clock, course
):
    attempt = service.start_exam(ready_trainee, seed=4)
    clock.advance(hours=2)
    status = service.exam_status(ready_trainee)
    assert status.open_attempt is None and status.results[0][0].state is AttemptState.EXPIRED
    assert service.attempt(attempt.attempt_id).state is AttemptState.EXPIRED


def test_pass_fail_and_the_resit_wait_with_different_items(service, ready_trainee, clock, course):
    first = answer_all(service, service.start_exam(ready_trainee, seed=1), critical_wrong=True)
    outcome = service.submit_exam(first.attempt_id)
    assert not outcome.passed and outcome.result.critical_missed
    assert outcome.certificate is None
    wait = course.rules.exam.resit_wait_hours
    assert outcome.next_at == outcome.attempt.closed_at + dt.timedelta(hours=wait)
    with pytest.raises(TrainingError) as err:
        service.start_exam(ready_trainee)
    assert err.value.code is ErrorCode.EXAM_RESIT_WAIT
    assert outcome.next_at.isoformat(timespec="minutes") in str(err.value)
    clock.advance(hours=wait, minutes=1)
    second = service.start_exam(ready_trainee, seed=2)
    assert not set(second.item_ids) & set(first.item_ids)  # re-sits never repeat an item
    answer_all(service, second, wrong=2)
    outcome = service.submit_exam(second.attempt_id)
    assert outcome.passed and outcome.result.score == pytest.approx(23 / 25)
    with pytest.raises(TrainingError) as err:
        service.start_exam(ready_trainee)
    assert err.value.code is ErrorCode.EXAM_CLOSED  # passed: no third sitting


def test_no_attempts_left_after_two_failures(service, ready_trainee, clock, course):
    for seed in (1, 2):
        attempt = service.start_exam(ready_trainee, seed=seed)
        service.submit_exam(attempt.attempt_id)
        clock.advance(hours=course.rules.exam.resit_wait_hours + 1)
    status = service.exam_status(ready_trainee)
    assert status.next_at is None and status.attempts_left == 0 and not status.can_start
    with pytest.raises(TrainingError) as err:
        service.start_exam(ready_trainee)
    assert err.value.code is ErrorCode.EXAM_NO_ATTEMPTS_LEFT


def test_passing_with_every_rule_met_issues_a_verifiable_certificate(service, ready_trainee, key, clock):
    outcome = service.submit_exam(answer_all(service, service.start_exam(ready_trainee, seed=5)).attempt_id)
    assert outcome.passed
    issued = outcome.certificate
    assert issued is not None and set(issued.roles) == {"questionnaire_taker", "interviewer"}
    assert issued.pdf.startswith(b"%PDF") and issued.path.is_file()
    stored = service.store.training.certificate(issued.serial)
    assert stored.person_id == ready_trainee and stored.issued_at == clock()
    registry = StoreRegistry(service.store)
    result = verify(issued.serial, keys=[key.public], registry=registry, now=clock())
    assert result.status is Status.VALID and result.holder == "Иванова Мария Петровна"
    # coming back later shows the same certificate instead of issuing another
    again = service.submit_exam(outcome.attempt.attempt_id)
    assert again.certificate.serial == issued.serial and len(service.store.training.certificates()) == 1


def test_the_pdf_is_drawn_again_from_the_stored_record_when_the_file_is_gone(service, ready_trainee):
    outcome = service.submit_exam(answer_all(service, service.start_exam(ready_trainee, seed=5)).attempt_id)
    issued = outcome.certificate
    issued.path.unlink()
    assert service.certificate_pdf(issued.serial) == issued.pdf


def test_no_certificate_before_every_rule_is_met_and_the_reasons_say_which(service, store, clock):
    add_trainee(store)
    outcome = service.submit_exam(answer_all(service, service.start_exam("t1", seed=9)).attempt_id)
    assert outcome.passed and outcome.certificate is None
    assert not outcome.eligibility.eligible
    assert {r.requirement for r in outcome.eligibility.reasons} >= {"attendance", "mock_interview"}
    assert any("attendance" in text for text in outcome.eligibility.reasons_in("en"))
    assert any("посещение" in text for text in outcome.eligibility.reasons_in("ru"))
    with pytest.raises(CertificateError) as err:
        service.certify("t1")
    assert err.value.code is ErrorCode.CERT_NOT_ELIGIBLE
    assert "attendance" in str(err.value) and "посещение" in err.value.localized("ru")
    full_attendance(service, "t1")
    issued, eligibility = service.certify_if_eligible("t1")
    assert eligibility.roles == ("questionnaire_taker",) and issued.roles == ("questionnaire_taker",)
    passed_mock(service, "t1")  # now the interviewer role too: a certificate covering it
    issued2, eligibility = service.certify_if_eligible("t1")
    assert set(issued2.roles) == {"questionnaire_taker", "interviewer"} and issued2.serial != issued.serial


def test_signing_in_needs_the_access_code_and_the_role(service, store):
    from surveykit.errors import AccessDenied

    add_trainee(store)
    add_trainee(store, "i1", "Интервьюер", roles=("interviewer",))
    assert service.sign_in("t1", "abcd efgh", roles=("trainee",)).id == "t1"
    with pytest.raises(AccessDenied) as err:
        service.sign_in("t1", "wrong", roles=("trainee",))
    assert err.value.code is ErrorCode.ACCESS_CODE_WRONG
    with pytest.raises(AccessDenied) as err:
        service.sign_in("i1", "ABCD-EFGH", roles=("trainee",))
    assert err.value.code is ErrorCode.ROLE_REQUIRED
    assert "trainee" in str(err.value) and "слушатель курса" in err.value.localized("ru")
