"""Eligibility: roles from attendance, knowledge, mock interview and calibration, per rules.yaml."""

from __future__ import annotations

import pytest

from surveykit.errors import ErrorCode, TrainingError
from surveykit.training import (
    Course,
    PersonRecord,
    check_eligibility,
    draw_exam,
    grade_attempt,
    score_calibration,
    score_mock,
)
from surveykit.training.eligibility import attendance_share

ALL_ROLES = ("questionnaire_taker", "interviewer", "checklist_observer")


def full_attendance(course: Course) -> dict[str, float]:
    return {m.id: m.hours for m in course.modules}


def knowledge(course: Course, *, wrong: int = 0, miss_critical: bool = False, seed: str = "k"):
    """A graded exam with ``wrong`` non-critical items left blank (and optionally a critical error: a
    harmful option chosen). Graded without a role: it counts for every role, as a common-plan exam does."""
    items = [course.item(i) for i in draw_exam(course, seed)]
    answers = {}
    to_spoil = wrong
    spoilt_critical = False
    for item in items:
        key = item.answer if item.answer_kind != "multi" else list(item.answer)
        spoil = (to_spoil > 0 and not item.critical) or (
            miss_critical and item.critical and not spoilt_critical
        )
        if spoil and item.critical:
            spoilt_critical = True
        elif spoil:
            to_spoil -= 1
        if spoil and item.critical:  # a critical error: the harmful option is chosen
            harmful = sorted(item.harmful_ids)[0]
            answers[item.id] = [harmful] if item.answer_kind == "multi" else harmful
        else:
            answers[item.id] = None if spoil else key
    assert spoilt_critical == miss_critical, "the draw needs a critical item for this test"
    return grade_attempt(items, answers, attempt_id=seed)


def mock(course: Course, **changes: int):
    return score_mock({i.id: 2 for i in course.checklist.items} | changes, course.checklist, course.rules)


def calibrations(course: Course, kinds=("website", "premises"), errors: int = 0):
    results = []
    for case in course.calibration_cases:
        if case.kind in kinds:
            answers = dict(case.key)
            for item_id in list(answers)[:errors]:
                answers[item_id] = None
            results.append(score_calibration(case, answers, course.rules))
    return tuple(results)


def person(course: Course, **overrides) -> PersonRecord:
    values = {
        "person_id": "p-1",
        "attendance_hours": full_attendance(course),
        "knowledge_results": (knowledge(course),),
        "mock_result": mock(course),
        "calibration_results": calibrations(course),
    }
    return PersonRecord(**(values | overrides))


def test_everything_passed_gives_every_role(course: Course) -> None:
    result = check_eligibility(person(course), course)
    assert result.eligible
    assert result.roles == ALL_ROLES
    assert result.reasons == ()
    assert result.attendance == {role: 1.0 for role in ALL_ROLES}


def test_attendance_below_90_percent_blocks_every_role(course: Course) -> None:
    hours = full_attendance(course) | {"M9": 2.0}  # 16 of 18 h = 88.9 %
    result = check_eligibility(person(course, attendance_hours=hours), course)
    assert not result.eligible and result.roles == ()
    [reason] = result.reasons
    assert reason.requirement == "attendance" and reason.roles == ALL_ROLES
    assert "88.9 %" in reason.text_in("en") and "88.9 %" in reason.text_in("ru")
    assert "Interviewer" in reason.text_in("en") and "Интервьюер" in reason.text_in("ru")


def test_exactly_90_percent_attendance_is_enough(course: Course) -> None:
    hours = full_attendance(course) | {"M9": 4 - 1.8}  # 16.2 of 18 h
    assert attendance_share(hours, course) == pytest.approx(0.9)
    assert check_eligibility(person(course, attendance_hours=hours), course).roles == ALL_ROLES


def test_extra_hours_in_one_module_do_not_make_up_for_another(course: Course) -> None:
    hours = full_attendance(course) | {"M0": 0.0, "M1": 0.0, "M9": 10.0}  # M9 counts 4 h at most
    assert attendance_share(hours, course) == pytest.approx(15 / 18)
    assert not check_eligibility(person(course, attendance_hours=hours), course).eligible


def test_attendance_of_an_unknown_module(course: Course) -> None:
    with pytest.raises(TrainingError) as info:
        check_eligibility(person(course, attendance_hours={"M10": 1.0}), course)
    assert info.value.code is ErrorCode.FIELD_INVALID
    assert "M10" in str(info.value)


def test_missed_critical_item_blocks_every_role(course: Course) -> None:
    result = check_eligibility(
        person(course, knowledge_results=(knowledge(course, miss_critical=True),)), course
    )
    assert result.roles == ()
    assert [r.requirement for r in result.reasons] == ["knowledge"]
    assert "critical" in result.reasons_in("en")[0]


def test_low_score_then_passing_resit(course: Course) -> None:
    failed = knowledge(course, wrong=8, seed="first")  # 17 of 25 = 68 %
    assert failed.score < 0.8
    record = person(course, knowledge_results=(failed,))
    assert check_eligibility(record, course).roles == ()
    passed = knowledge(course, wrong=2, seed="resit")
    result = check_eligibility(person(course, knowledge_results=(failed, passed)), course)
    assert result.roles == ALL_ROLES
    assert result.best_knowledge == passed


def test_no_mock_interview_leaves_the_roles_that_do_not_need_it(course: Course) -> None:
    result = check_eligibility(person(course, mock_result=None), course)
    assert result.roles == ("questionnaire_taker", "checklist_observer")
    [reason] = result.reasons
    assert (reason.requirement, reason.roles) == ("mock_interview", ("interviewer",))


def test_mock_with_a_critical_item_at_one(course: Course) -> None:
    result = check_eligibility(person(course, mock_result=mock(course, privacy=1)), course)
    assert "interviewer" not in result.roles
    assert result.checks["interviewer"]["mock_interview"] is False
    assert "Privacy secured" in result.reasons_in("en")[0]


def test_calibration_needs_both_a_website_and_a_premises_case(course: Course) -> None:
    result = check_eligibility(
        person(course, calibration_results=calibrations(course, kinds=("website",))), course
    )
    assert result.roles == ("questionnaire_taker", "interviewer")
    [reason] = result.reasons
    assert reason.roles == ("checklist_observer",)
    assert "premises" in reason.text_in("en") and "помещения" in reason.text_in("ru")


def test_failed_calibration_is_explained(course: Course) -> None:
    result = check_eligibility(person(course, calibration_results=calibrations(course, errors=5)), course)
    assert "checklist_observer" not in result.roles
    texts = result.reasons_in("en")
    assert len(texts) == 2 and all("agreement" in t for t in texts)


def test_role_requirements_come_from_the_rules(course: Course) -> None:
    roles = dict(course.rules.roles)
    roles["interviewer"] = roles["interviewer"].model_copy(update={"requires": ("attendance", "knowledge")})
    lenient = course.model_copy(update={"rules": course.rules.model_copy(update={"roles": roles})})
    assert "interviewer" in check_eligibility(person(course, mock_result=None), lenient).roles


def test_attendance_can_count_only_a_roles_modules(course: Course) -> None:
    roles = dict(course.rules.roles)
    roles["checklist_observer"] = roles["checklist_observer"].model_copy(
        update={"attendance_modules": ("M0", "M1", "M7", "M8")}
    )
    custom = course.model_copy(update={"rules": course.rules.model_copy(update={"roles": roles})})
    hours = {"M0": 1.5, "M1": 1.5, "M7": 2, "M8": 1}
    result = check_eligibility(person(course, attendance_hours=hours), custom)
    assert result.roles == ("checklist_observer",)
    assert result.attendance["checklist_observer"] == 1.0
