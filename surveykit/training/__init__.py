"""Interviewer training: the course as data, grading, exams, mock interviews, calibration, eligibility.

Pure rules, no widgets, no database: the apps and the store call these functions. The course and every
threshold live in ``questionnaires/training/`` (see ``docs/training.md``).
"""

from typing import TYPE_CHECKING

from surveykit.lazy import lazy_exports
from surveykit.training.calibration import (
    CalibrationResult,
    calibration_shortfalls,
    cohens_kappa,
    score_calibration,
)
from surveykit.training.course import (
    CalibrationCase,
    Course,
    Lesson,
    MockChecklist,
    Module,
    Option,
    QuizItem,
    Rules,
    check_course,
    load_course,
)
from surveykit.training.eligibility import Eligibility, PersonRecord, check_eligibility
from surveykit.training.exam import (
    AttemptState,
    ExamAttempt,
    check_can_start,
    draw_exam,
    next_attempt_at,
    start_attempt,
)
from surveykit.training.grading import (
    AttemptResult,
    grade_attempt,
    grade_item,
    knowledge_shortfalls,
    passes_knowledge,
)
from surveykit.training.mock import MockResult, mock_shortfalls, score_mock

if TYPE_CHECKING:
    from surveykit.training.itemstats import item_statistics, response_matrix

__all__ = [
    "AttemptResult",
    "AttemptState",
    "CalibrationCase",
    "CalibrationResult",
    "Course",
    "Eligibility",
    "ExamAttempt",
    "Lesson",
    "MockChecklist",
    "MockResult",
    "Module",
    "Option",
    "PersonRecord",
    "QuizItem",
    "Rules",
    "calibration_shortfalls",
    "check_can_start",
    "check_course",
    "check_eligibility",
    "cohens_kappa",
    "draw_exam",
    "grade_attempt",
    "grade_item",
    "item_statistics",
    "knowledge_shortfalls",
    "load_course",
    "mock_shortfalls",
    "next_attempt_at",
    "passes_knowledge",
    "response_matrix",
    "score_calibration",
    "score_mock",
    "start_attempt",
]

# the item statistics (numpy, pandas) load on first use: the store reads the training rules when it opens, in
# every app kernel, and needs none of them
__getattr__, __dir__ = lazy_exports(
    __name__, {"item_statistics": ".itemstats", "response_matrix": ".itemstats"}, __all__
)
