"""The public surface of surveykit.training is small and explicit."""

from __future__ import annotations

import surveykit.training as training

EXPECTED = {
    # course data
    "load_course", "check_course", "Course", "Module", "Lesson", "QuizItem", "Option", "Rules",
    "MockChecklist", "CalibrationCase",
    # grading
    "grade_item", "grade_attempt", "AttemptResult", "passes_knowledge", "knowledge_shortfalls",
    # exams
    "draw_exam", "start_attempt", "check_can_start", "next_attempt_at", "ExamAttempt", "AttemptState",
    # mock interview, calibration, eligibility, item statistics
    "score_mock", "MockResult", "mock_shortfalls",
    "score_calibration", "cohens_kappa", "CalibrationResult", "calibration_shortfalls",
    "check_eligibility", "PersonRecord", "Eligibility",
    "item_statistics", "response_matrix",
}  # fmt: skip


def test_all_is_the_documented_surface() -> None:
    assert set(training.__all__) == EXPECTED
    assert len(training.__all__) == len(set(training.__all__))


def test_every_name_in_all_exists() -> None:
    for name in training.__all__:
        assert getattr(training, name) is not None, name


def test_training_error_codes_are_translated_to_russian_with_the_same_fields() -> None:
    import string

    from surveykit.errors import ErrorCode
    from surveykit.i18n import error_templates

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    codes = [
        ErrorCode.COURSE_INVALID,
        ErrorCode.ITEM_INVALID,
        ErrorCode.EXAM_CLOSED,
        ErrorCode.EXAM_RESIT_WAIT,
        ErrorCode.EXAM_NO_ATTEMPTS_LEFT,
        ErrorCode.BANK_TOO_SMALL,
    ]
    for code in codes:
        message, hint = error_templates(code.code, "ru")
        assert message and hint, code
        assert fields(message) == fields(code.template), code
        assert fields(hint) == fields(code.hint_template), code
