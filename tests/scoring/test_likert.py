"""Likert statistics: item means without missing codes, top boxes, reverse coding, scale scores, alpha."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from surveykit.questionnaire.model import Questionnaire
from surveykit.scoring import (
    cronbach_alpha,
    item_rest_statistics,
    item_statistics,
    reliability,
    scale_scores,
    scales_report,
)

CATS = ["1", "2", "3", "4", "5", "dk", "refused"]
MATRIX = [[1, 2, 2], [2, 2, 3], [3, 3, 3], [4, 4, 5], [5, 4, 5]]


def likert_frame(rows, extra_rows=()):
    data = {
        f"i{j + 1}": [str(r[j]) if r[j] is not None else None for r in [*rows, *extra_rows]] for j in range(3)
    }
    return pd.DataFrame({k: pd.Categorical(v, categories=CATS) for k, v in data.items()})


def test_cronbach_alpha_by_hand():
    """Items (columns) of MATRIX: variances (ddof 1) 2.5, 1.0, 1.8 (sum 5.3); row sums 5, 7, 9, 13, 14 with
    variance 59.2 / 4 = 14.8. alpha = 3/2 * (1 - 5.3 / 14.8) = 1.5 * 0.641892 = 0.962838."""
    assert cronbach_alpha(np.array(MATRIX)) == pytest.approx(0.962838, abs=1e-6)
    # listwise: a row with a don't-know and an unanswered row change nothing
    frame = likert_frame(MATRIX, extra_rows=[("dk", 3, 4), (None, 1, 1)])
    result = reliability(frame, ["i1", "i2", "i3"], name="demo")
    assert result.alpha == pytest.approx(0.962838, abs=1e-6)
    assert (result.k, result.n_complete) == (3, 5)


def test_item_rest_and_alpha_if_deleted_by_hand():
    """Item 1 against the rest (i2 + i3 = 4, 5, 6, 9, 9): deviations (-2..2) and (-2.6, -1.6, -0.6, 2.4, 2.4);
    cross sum 14.0, sums of squares 10 and 21.2 -> r = 14 / sqrt(212) = 0.961524.
    Without item 1: variances 1.0 + 1.8 = 2.8, total variance 21.2 / 4 = 5.3 -> alpha = 2 * (1 - 2.8/5.3) = 0.943396."""
    stats = item_rest_statistics(pd.DataFrame(MATRIX, columns=["i1", "i2", "i3"], dtype=float)).set_index(
        "item"
    )
    assert stats.loc["i1", "item_rest_r"] == pytest.approx(0.961524, abs=1e-6)
    assert stats.loc["i1", "alpha_if_deleted"] == pytest.approx(0.943396, abs=1e-6)
    assert stats.loc["i3", "mean"] == pytest.approx(3.6)


def test_item_statistics_exclude_missing_codes_and_count_top_boxes():
    """i1 = 1, 2, 3, 4, 5, dk, refused: n = 5, mean 3, top box (5) 1/5 = 20 %, top two (4, 5) 40 %."""
    frame = likert_frame(MATRIX, extra_rows=[("dk", 3, 4), ("refused", 5, 5)])
    stats = item_statistics(frame, ["i1", "i2", "i3"]).set_index("item")
    assert (stats.loc["i1", "n"], stats.loc["i1", "n_missing"], stats.loc["i1", "mean"]) == (5, 2, 3.0)
    assert stats.loc["i1", "top_box"] == pytest.approx(20.0)
    assert stats.loc["i1", "top2_box"] == pytest.approx(40.0)
    # by group
    frame["unit"] = ["a", "a", "a", "b", "b", "b", "b"]
    grouped = item_statistics(frame, ["i1"], by="unit").set_index("unit")
    assert grouped.loc["a", "mean"] == 2.0 and grouped.loc["b", "mean"] == 4.5


def test_reverse_coding_and_scale_scores():
    """Reversing i3 on a 1..5 scale maps x -> 6 - x. Row 1: (1 + 2 + (6-2)) / 3 = 7/3; rescaled
    (7/3 - 1) / 4 * 100 = 33.33. With a dk in i1 and min_valid 3 the row has no score."""
    frame = likert_frame(MATRIX, extra_rows=[("dk", 3, 4)])
    scores = scale_scores(frame, ["i1", "i2", "i3"], reverse=["i3"], min_valid=3)
    assert scores.iloc[0] == pytest.approx(7 / 3)
    assert np.isnan(scores.iloc[5])
    rescaled = scale_scores(frame, ["i1", "i2", "i3"], reverse=["i3"], min_valid=2, rescale=True)
    assert rescaled.iloc[0] == pytest.approx(100 / 3)
    assert rescaled.iloc[5] == pytest.approx(((3 + 2) / 2 - 1) / 4 * 100)  # i2=3, i3=4 reversed to 2


def test_values_and_missing_from_the_questionnaire():
    """Choice values come from the questionnaire (agree = 2, disagree = 1; 'na' is flagged missing)."""
    questionnaire = Questionnaire.model_validate(
        {
            "id": "staff_survey",
            "version": "1",
            "title": {"en": "Staff"},
            "languages": ["en"],
            "default_language": "en",
            "choice_lists": {
                "agree2": [
                    {"name": "disagree", "value": 1},
                    {"name": "agree", "value": 2},
                    {"name": "na", "value": 9, "missing": True},
                ]
            },
            "items": [{"code": c, "type": "likert", "choices": "agree2", "label": c} for c in ("a", "b")],
            "scales": {"mood": {"items": ["a", "b"], "reverse": ["b"], "min_valid": 1}},
        }
    )
    cats = ["disagree", "agree", "na"]
    frame = pd.DataFrame(
        {
            "a": pd.Categorical(["agree", "agree", "disagree", "na"], categories=cats),
            "b": pd.Categorical(["disagree", "agree", "agree", "na"], categories=cats),
        }
    )
    stats = item_statistics(frame, ["a", "b"], questionnaire=questionnaire).set_index("item")
    assert stats.loc["a", "mean"] == pytest.approx(5 / 3) and stats.loc["a", "n"] == 3
    report = scales_report(questionnaire, frame).iloc[0]
    # scores (b reversed: 3 - b): row1 (2 + 2)/2 = 2, row2 (2 + 1)/2 = 1.5, row3 (1 + 1)/2 = 1; row4 none
    assert report["n_scored"] == 3 and report["mean_score"] == pytest.approx(1.5)
    assert report["mean_0_100"] == pytest.approx(50.0)
