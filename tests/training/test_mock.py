"""Mock certification interview: the 0/1/2 checklist and its pass rule."""

from __future__ import annotations

import pytest

from surveykit.errors import ErrorCode, TrainingError
from surveykit.training import Course, mock_shortfalls, score_mock


def all_two(course: Course) -> dict[str, int]:
    return {i.id: 2 for i in course.checklist.items}


def test_perfect_interview(course: Course) -> None:
    result = score_mock(all_two(course), course.checklist, course.rules)
    assert (result.total, result.max_total, result.passed) == (24, 24, True)
    assert result.critical_failures == ()


def test_critical_item_at_one_fails_despite_a_high_total(course: Course) -> None:
    scores = all_two(course) | {"consent": 1}
    result = score_mock(scores, course.checklist, course.rules)
    assert result.total == 23
    assert not result.passed
    assert result.critical_failures == ("consent",)
    [reason] = mock_shortfalls(result, course.checklist, course.rules)
    assert "Consent obtained" in reason["en"] and "Получено согласие" in reason["ru"]


def test_total_below_twenty_fails_with_every_critical_item_at_two(course: Course) -> None:
    non_critical = [i.id for i in course.checklist.items if not i.critical]
    assert len(non_critical) == 6
    scores = all_two(course) | {non_critical[0]: 0, non_critical[1]: 0, non_critical[2]: 1}  # 24 - 5 = 19
    result = score_mock(scores, course.checklist, course.rules)
    assert (result.total, result.passed, result.critical_failures) == (19, False, ())
    assert "19 of 24" in mock_shortfalls(result, course.checklist, course.rules)[0]["en"]


def test_exactly_twenty_passes(course: Course) -> None:
    non_critical = [i.id for i in course.checklist.items if not i.critical]
    scores = all_two(course) | {non_critical[0]: 0, non_critical[1]: 0}
    result = score_mock(scores, course.checklist, course.rules)
    assert (result.total, result.passed) == (20, True)
    assert mock_shortfalls(result, course.checklist, course.rules) == []


def test_strict_mode_allows_no_slip(course: Course) -> None:
    strict = course.rules.mock_interview.model_copy(update={"mode": "strict"})
    scores = all_two(course) | {"closing": 1}
    result = score_mock(scores, course.checklist, strict)
    assert (result.total, result.passed, result.critical_failures) == (23, False, ("closing",))
    assert "strict" in mock_shortfalls(result, course.checklist, strict)[0]["en"]
    assert score_mock(all_two(course), course.checklist, strict).passed


def test_shortfalls_follow_the_current_rules(course: Course) -> None:
    non_critical = [i.id for i in course.checklist.items if not i.critical]
    result = score_mock(all_two(course) | {non_critical[0]: 0}, course.checklist, course.rules)  # 22, passed
    stricter = course.rules.mock_interview.model_copy(update={"min_total": 23})
    assert result.passed
    assert mock_shortfalls(result, course.checklist, stricter)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"consent": 3}, "not on the scale"),
        ({"consent": None}, "not on the scale"),
        ({"smiling": 2}, "not a checklist item"),
    ],
)
def test_invalid_scores(course: Course, change: dict, fragment: str) -> None:
    with pytest.raises(TrainingError) as info:
        score_mock(all_two(course) | change, course.checklist, course.rules)
    assert info.value.code is ErrorCode.ITEM_INVALID
    assert fragment in str(info.value)


def test_every_item_must_be_scored(course: Course) -> None:
    scores = all_two(course)
    del scores["paradata"], scores["privacy"]
    with pytest.raises(TrainingError) as info:
        score_mock(scores, course.checklist, course.rules)
    assert "privacy, paradata" in str(info.value)
