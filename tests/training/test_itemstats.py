"""Item statistics on small matrices computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from surveykit.errors import ErrorCode, TrainingError
from surveykit.training import Course, grade_attempt, item_statistics, response_matrix
from surveykit.training.course import ItemReviewRules

RULES = ItemReviewRules(
    min_difficulty=0.2, max_difficulty=0.95, min_discrimination=0.0, min_responses=5, group_fraction=0.27
)

#: trainees A..E x items i1..i3 (1 = right)
SMALL = pd.DataFrame(
    {"i1": [1, 1, 1, 0, 1], "i2": [1, 1, 0, 1, 0], "i3": [1, 0, 0, 0, 1]}, index=list("ABCDE"), dtype=float
)


def test_difficulty_and_item_rest_correlation_by_hand() -> None:
    """Rest scores (sum of the other two items):
    i1: rest A2 B1 C0 D1 E1, x 1 1 1 0 1 -> covariance 0 -> r = 0.
    i2: rest A2 B1 C1 D0 E2, x 1 1 0 1 0 -> cov -0.6, Sxx 1.2, Srr 2.8 -> r = -0.6 / sqrt(3.36) = -0.3273.
    i3: rest A2 B2 C1 D1 E1, x 1 0 0 0 1 -> cov 0.2, Sxx 1.2, Srr 1.2 -> r = 0.2 / 1.2 = 0.1667.
    """
    stats = item_statistics(SMALL, RULES)
    assert list(stats.columns) == ["n", "difficulty", "item_rest_r", "upper_lower_d", "review", "reasons"]
    assert stats["n"].tolist() == [5, 5, 5]
    assert stats["difficulty"].tolist() == pytest.approx([0.8, 0.6, 0.4])
    assert stats["item_rest_r"].tolist() == pytest.approx([0.0, -0.6 / math.sqrt(3.36), 0.2 / 1.2], abs=1e-12)
    assert stats.loc["i2", "reasons"] == "low_discrimination" and stats.loc["i2", "review"]
    assert not stats.loc["i1", "review"] and not stats.loc["i3", "review"]


def test_item_rest_matches_a_direct_correlation_on_a_complete_matrix() -> None:
    rng = np.random.default_rng(5)
    matrix = pd.DataFrame(rng.integers(0, 2, size=(40, 6)).astype(float), columns=[f"i{k}" for k in range(6)])
    stats = item_statistics(matrix, RULES)
    for column in matrix:
        rest = matrix.drop(columns=column).sum(axis=1)
        assert stats.loc[column, "item_rest_r"] == pytest.approx(np.corrcoef(matrix[column], rest)[0, 1])


GUTTMAN = pd.DataFrame(
    {"i1": [1, 1, 1, 1, 0], "i2": [1, 1, 1, 0, 0], "i3": [1, 1, 0, 0, 0], "i4": [1, 0, 0, 0, 0]},
    index=list("ABCDE"),
    dtype=float,
)


def test_upper_lower_index_by_hand() -> None:
    """Totals A4 B3 C2 D1 E0. With 40 % groups (2 of 5): upper A,B; lower D,E.
    D = p_upper - p_lower: i1 1 - 0.5 = 0.5; i2 1 - 0 = 1; i3 1 - 0 = 1; i4 0.5 - 0 = 0.5.
    With Kelley's 27 % (1 of 5): upper A, lower E, so every item has D = 1.
    """
    forty = RULES.model_copy(update={"group_fraction": 0.4})
    assert item_statistics(GUTTMAN, forty)["upper_lower_d"].tolist() == pytest.approx([0.5, 1, 1, 0.5])
    assert item_statistics(GUTTMAN, RULES)["upper_lower_d"].tolist() == pytest.approx([1, 1, 1, 1])


def test_item_rest_on_the_guttman_matrix_by_hand() -> None:
    """i1: x 1 1 1 1 0, rest 3 2 1 0 0: cov 1.2, Sxx 0.8, Srr 6.8 -> r = 1.2 / sqrt(5.44) = 0.5145."""
    assert item_statistics(GUTTMAN, RULES).loc["i1", "item_rest_r"] == pytest.approx(1.2 / math.sqrt(5.44))


SPARSE = pd.DataFrame(
    {"i1": [1, 1, 0, np.nan], "i2": [1, np.nan, 1, 0], "i3": [np.nan, 0, 1, 0]}, index=list("ABCD")
)


def test_sparse_matrix_uses_the_share_of_the_rest_answered() -> None:
    """i1 answered by A, B, C. Rest shares: A 1/1 (i2), B 0/1 (i3), C 2/2 (i2, i3).
    x 1 1 0, rest 1 0 1: cov -1/3, Sxx 6/9, Srr 6/9 -> r = -0.5.
    """
    stats = item_statistics(SPARSE, RULES)
    assert stats["n"].tolist() == [3, 3, 3]
    assert stats["difficulty"].tolist() == pytest.approx([2 / 3, 2 / 3, 1 / 3])
    assert stats.loc["i1", "item_rest_r"] == pytest.approx(-0.5)
    assert not stats["review"].any()  # 3 answers are below min_responses: no flags


def test_partial_credit_and_maximum_points() -> None:
    matrix = pd.DataFrame({"num": [2, 1, 0], "one": [1, 1, 0]}, dtype=float)
    stats = item_statistics(matrix, RULES, max_points={"num": 2, "one": 1})
    assert stats["difficulty"].tolist() == pytest.approx([0.5, 2 / 3])
    with pytest.raises(TrainingError) as info:
        item_statistics(matrix, RULES, max_points={"num": 2})
    assert info.value.code is ErrorCode.FIELD_INVALID
    assert "one" in str(info.value)


def test_too_easy_and_too_hard_flags() -> None:
    rows = 12
    matrix = pd.DataFrame(
        {
            "easy": [1.0] * rows,
            "hard": [0.0] * (rows - 1) + [1.0],
            "fine": [1.0, 0.0] * (rows // 2),
        }
    )
    stats = item_statistics(matrix, RULES)
    assert stats.loc["easy", "reasons"] == "too_easy"
    assert math.isnan(stats.loc["easy", "item_rest_r"])  # no variance: no correlation
    assert stats.loc["hard", "reasons"].startswith("too_hard")
    assert stats.loc["fine", "difficulty"] == 0.5


def test_response_matrix_from_graded_attempts(course: Course) -> None:
    a, b = course.item("m0-01"), course.item("m0-02")
    c = course.item("m7-02")
    results = [
        grade_attempt([a, b], {"m0-01": a.answer, "m0-02": "a"}, attempt_id="t1"),
        grade_attempt([a, c], {"m0-01": "a", "m7-02": 89.44}, attempt_id="t2"),
    ]
    points, maxima = response_matrix(results)
    assert list(points.index) == ["t1", "t2"]
    assert list(points.columns) == ["m0-01", "m0-02", "m7-02"]
    assert points.loc["t1", "m0-01"] == 1 and points.loc["t2", "m7-02"] == 1
    assert math.isnan(points.loc["t2", "m0-02"]) and math.isnan(points.loc["t1", "m7-02"])
    stats = item_statistics(points, course.rules, maxima)
    assert stats.loc["m0-01", "n"] == 2 and stats.loc["m0-01", "difficulty"] == 0.5
