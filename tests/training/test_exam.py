"""Exams: stratified reproducible draws, the attempt's clock, serialisation, re-sit rules."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from surveykit.errors import ErrorCode, TrainingError
from surveykit.training import (
    AttemptState,
    Course,
    ExamAttempt,
    check_can_start,
    draw_exam,
    next_attempt_at,
    start_attempt,
)

T0 = datetime(2025, 9, 1, 10, 0, tzinfo=timezone.utc)  # noqa: UP017 - explicit for readers


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


# -- the draw ----------------------------------------------------------------------------------------------


def test_draw_is_stratified_by_the_blueprint(course: Course) -> None:
    items = draw_exam(course, 7)
    counts = Counter(course.item(i).module for i in items)
    plan = course.rules.exam.plan_for(None)
    assert dict(counts) == plan.counts()
    assert len(items) == len(set(items)) == course.rules.exam.items_per_exam


def test_draw_is_reproducible_from_the_seed(course: Course) -> None:
    assert draw_exam(course, "abc") == draw_exam(course, "abc")
    draws = {draw_exam(course, seed) for seed in range(10)}
    assert len(draws) > 1


def test_draw_keeps_module_order(course: Course) -> None:
    modules = [course.item(i).module for i in draw_exam(course, 3)]
    assert modules == sorted(modules, key=course.module_ids.index)


def test_draw_excludes_seen_items(course: Course) -> None:
    first = draw_exam(course, 1)
    second = draw_exam(course, 1, exclude=first)  # same seed, different exam
    assert not set(first) & set(second)


def test_bank_too_small_names_every_short_module(course: Course) -> None:
    blueprint = {"M0": 50, "M9": 9, "M1": 1}
    with pytest.raises(TrainingError) as info:
        draw_exam(course, 1, blueprint=blueprint)
    problems = info.value.report.errors
    assert [p.code for p in problems] == [ErrorCode.BANK_TOO_SMALL] * 2
    assert [p.params["module"] for p in problems] == ["M0", "M9"]
    assert problems[1].params["available"] == len(course.items_of("M9"))


def test_bank_too_small_after_excluding_seen_items(course: Course) -> None:
    seen = [i.id for i in course.items_of("M9")][:-1]
    with pytest.raises(TrainingError) as info:
        draw_exam(course, 1, exclude=seen, blueprint={"M9": 2})
    assert info.value.code is ErrorCode.BANK_TOO_SMALL
    assert info.value.params["available"] == "1 unseen"


# -- the attempt and its clock -----------------------------------------------------------------------------


@pytest.fixture
def attempt(course: Course) -> ExamAttempt:
    return start_attempt(course, "p-001", [], T0, seed="s1", attempt_id="a1")


def test_new_attempt(course: Course, attempt: ExamAttempt) -> None:
    limit = course.rules.exam.time_limit_minutes
    assert attempt.deadline == T0 + minutes(limit)
    assert attempt.state is AttemptState.OPEN
    assert attempt.number == 1
    assert attempt.item_ids == draw_exam(course, "s1")
    assert attempt.remaining(T0 + minutes(10)) == minutes(limit - 10)


def test_answers_are_saved_as_the_trainee_goes_and_the_latest_counts(
    course: Course, attempt: ExamAttempt
) -> None:
    first = attempt.item_ids[0]
    attempt.answer(first, "a", T0 + minutes(1))
    attempt.answer(first, "b", T0 + minutes(2))
    assert attempt.answers[first].value == "b"
    assert attempt.answers[first].answered_at == T0 + minutes(2)


def test_time_up_closes_the_attempt_and_earlier_answers_count(course: Course, attempt: ExamAttempt) -> None:
    limit = course.rules.exam.time_limit_minutes
    item = course.item(attempt.item_ids[0])
    key = item.answer if item.answer_kind != "multi" else list(item.answer)
    attempt.answer(item.id, key, T0 + minutes(limit - 1))
    with pytest.raises(TrainingError) as info:
        attempt.answer(attempt.item_ids[1], "a", T0 + minutes(limit))  # at the deadline: too late
    assert info.value.code is ErrorCode.EXAM_CLOSED
    assert attempt.state is AttemptState.EXPIRED
    assert attempt.closed_at == attempt.deadline
    assert attempt.item_ids[1] not in attempt.answers
    result = attempt.grade(course)
    assert result.earned == item.points
    assert result.possible == sum(course.item(i).points for i in attempt.item_ids)


def test_submit_before_and_after_the_deadline(course: Course) -> None:
    on_time = start_attempt(course, "p", [], T0, seed=1)
    on_time.submit(T0 + minutes(5))
    assert (on_time.state, on_time.closed_at) == (AttemptState.SUBMITTED, T0 + minutes(5))
    late = start_attempt(course, "p", [], T0, seed=1)
    late.submit(T0 + timedelta(hours=3))
    assert (late.state, late.closed_at) == (AttemptState.EXPIRED, late.deadline)


def test_submit_twice_or_answer_after_submit(attempt: ExamAttempt) -> None:
    attempt.submit(T0 + minutes(5))
    for action in (
        lambda: attempt.submit(T0 + minutes(6)),
        lambda: attempt.answer(attempt.item_ids[0], "a", T0),
    ):
        with pytest.raises(TrainingError) as info:
            action()
        assert info.value.code is ErrorCode.EXAM_CLOSED
        assert "already submitted" in str(info.value)


def test_an_open_attempt_cannot_be_graded(course: Course, attempt: ExamAttempt) -> None:
    with pytest.raises(TrainingError) as info:
        attempt.grade(course)
    assert info.value.code is ErrorCode.EXAM_CLOSED


def test_answers_outside_the_attempt_or_of_the_wrong_shape(course: Course, attempt: ExamAttempt) -> None:
    not_drawn = next(i.id for i in course.items if i.id not in attempt.item_ids)
    for item_id, value in ((not_drawn, "a"), (attempt.item_ids[0], {"a": 1}), (attempt.item_ids[0], True)):
        with pytest.raises(TrainingError) as info:
            attempt.answer(item_id, value, T0 + minutes(1))
        assert info.value.code is ErrorCode.ITEM_INVALID


def test_times_must_be_timezone_aware(attempt: ExamAttempt) -> None:
    with pytest.raises(TrainingError) as info:
        attempt.answer(attempt.item_ids[0], "a", datetime(2025, 9, 1, 10, 5))
    assert info.value.code is ErrorCode.FIELD_INVALID


def _some_answer(course: Course, item_id: str, variant: int):
    """A well-formed answer of the item's kind (right or wrong does not matter here)."""
    item = course.item(item_id)
    if item.answer_kind == "numeric":
        return [89.44, "89,44", 12][variant % 3]
    if item.answer_kind == "multi":
        return list(item.option_ids[:2])
    return item.option_ids[variant % len(item.option_ids)]


def test_round_trip_through_json_restores_the_attempt_exactly(course: Course) -> None:
    def kinds_of(seed: str) -> set[str]:
        return {course.item(i).answer_kind for i in draw_exam(course, seed)[:-1]}

    # a seed whose exam holds every kind of answer (the first that does, so the test is reproducible)
    seed = next(f"s{n}" for n in range(1, 200) if len(kinds_of(f"s{n}")) == 3)
    attempt = start_attempt(course, "p-001", [], T0, seed=seed, attempt_id="a1")
    ids = attempt.item_ids
    for n, item_id in enumerate(ids[:-1]):
        attempt.answer(item_id, _some_answer(course, item_id, n), T0 + minutes(1 + n))
    kinds = {course.item(i).answer_kind for i in ids[:-1]}
    assert kinds == {"single", "multi", "numeric"}  # every kind of value goes through JSON
    stored = json.dumps(attempt.to_dict())
    restored = ExamAttempt.from_dict(json.loads(stored))
    assert restored == attempt
    assert restored.to_dict() == attempt.to_dict()
    assert restored.role == attempt.role == course.rules.exam.default_role
    # the sitting goes on after a reload, with the same deadline
    for copy in (attempt, restored):
        copy.answer(ids[-1], _some_answer(course, ids[-1], 0), T0 + minutes(len(ids) + 1))
        copy.submit(T0 + minutes(len(ids) + 2))
    assert restored.deadline == attempt.deadline
    assert restored.grade(course) == attempt.grade(course)


def test_damaged_stored_attempt(attempt: ExamAttempt) -> None:
    data = attempt.to_dict()
    data["deadline"] = "soon"
    with pytest.raises(TrainingError) as info:
        ExamAttempt.from_dict(data)
    assert info.value.code is ErrorCode.FIELD_INVALID
    assert "deadline" in str(info.value)


# -- re-sits -----------------------------------------------------------------------------------------------


def test_resit_gets_different_items(course: Course, attempt: ExamAttempt) -> None:
    attempt.submit(T0 + minutes(30))
    resit = start_attempt(course, "p-001", [attempt], T0 + timedelta(hours=49), seed="s1")
    assert resit.number == 2
    assert not set(resit.item_ids) & set(attempt.item_ids)


def test_resit_waits_48_hours_from_the_close_of_the_last_attempt(
    course: Course, attempt: ExamAttempt
) -> None:
    closed = T0 + minutes(30)
    attempt.submit(closed)
    allowed_from = closed + timedelta(hours=course.rules.exam.resit_wait_hours)
    assert next_attempt_at([attempt], course.rules) == allowed_from
    with pytest.raises(TrainingError) as info:
        start_attempt(course, "p-001", [attempt], allowed_from - minutes(1))
    assert info.value.code is ErrorCode.EXAM_RESIT_WAIT
    assert info.value.params["when"] == allowed_from.isoformat(timespec="minutes")
    assert "48 hours" in info.value.hint
    assert start_attempt(course, "p-001", [attempt], allowed_from).number == 2


def test_expired_attempt_counts_from_its_deadline(course: Course, attempt: ExamAttempt) -> None:
    later = attempt.deadline + timedelta(hours=47)
    with pytest.raises(TrainingError) as info:
        check_can_start([attempt], course.rules, later)  # closes the attempt on the way
    assert info.value.code is ErrorCode.EXAM_RESIT_WAIT
    assert attempt.state is AttemptState.EXPIRED


def test_no_attempts_left(course: Course, attempt: ExamAttempt) -> None:
    attempt.submit(T0 + minutes(30))
    second = start_attempt(course, "p-001", [attempt], T0 + timedelta(days=3))
    second.submit(T0 + timedelta(days=3, minutes=30))
    assert next_attempt_at([attempt, second], course.rules) is None
    with pytest.raises(TrainingError) as info:
        start_attempt(course, "p-001", [attempt, second], T0 + timedelta(days=30))
    assert info.value.code is ErrorCode.EXAM_NO_ATTEMPTS_LEFT
    assert (info.value.params["used"], info.value.params["allowed"]) == (2, 2)


def test_a_new_attempt_needs_the_previous_one_closed(course: Course, attempt: ExamAttempt) -> None:
    with pytest.raises(TrainingError) as info:
        start_attempt(course, "p-001", [attempt], T0 + minutes(5))
    assert info.value.code is ErrorCode.EXAM_CLOSED
    assert "still open" in str(info.value)


def test_attempts_of_another_person_are_refused(course: Course, attempt: ExamAttempt) -> None:
    attempt.submit(T0 + minutes(1))
    with pytest.raises(TrainingError) as info:
        start_attempt(course, "p-002", [attempt], T0 + timedelta(days=5))
    assert info.value.code is ErrorCode.FIELD_INVALID


def test_max_attempts_and_wait_come_from_the_rules(course: Course, attempt: ExamAttempt) -> None:
    attempt.submit(T0 + minutes(30))
    rules = course.rules.model_copy(
        update={"exam": course.rules.exam.model_copy(update={"max_attempts": 1, "resit_wait_hours": 0})}
    )
    with pytest.raises(TrainingError) as info:
        check_can_start([attempt], rules, T0 + timedelta(days=5))
    assert info.value.code is ErrorCode.EXAM_NO_ATTEMPTS_LEFT
