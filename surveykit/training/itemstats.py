"""Item statistics for the trainer: which bank items work, which need review.

Input: a response matrix, trainees (rows) × items (columns), holding points earned; ``NaN`` where the item
was not in the trainee's exam (draws differ, so the matrix is sparse). Scores are first put on a 0..1
scale per item (``x = points / max_points``). For each item:

* ``n`` — how many trainees answered it;
* ``difficulty`` — the mean of ``x`` (the proportion correct; partial credit counts as a fraction);
* ``item_rest_r`` — the corrected point-biserial: Pearson's r between ``x`` and the trainee's *rest*
  score, ``(total earned - this item's points) / (total possible - this item's max)`` over the items the
  trainee answered. With a complete matrix this is the classical item-rest correlation;
* ``upper_lower_d`` — Kelley's discrimination index: the mean ``x`` in the upper group minus the lower
  group, the groups being the top and bottom ``group_fraction`` (27 %) of the trainees who answered the
  item, ranked by their total score (share of points possible) from the highest down, ties in row order:
  the upper group is the first ``g`` of that ranking, the lower group the last ``g``;
* ``review`` and ``reasons`` — flags from ``rules.yaml`` ``item_review``, raised only with at least
  ``min_responses`` answers: ``too_easy`` (difficulty > max_difficulty), ``too_hard`` (difficulty <
  min_difficulty), ``low_discrimination`` (item_rest_r < min_discrimination; the default 0 flags items
  that strong trainees miss more often than weak ones: a wrong key or an ambiguous stem).

Everything is computed with numpy over the whole matrix at once, except the ranking for the upper and
lower groups, which loops over items (not trainees).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from surveykit.errors import ErrorCode, Location, TrainingError
from surveykit.training.course import ItemReviewRules, Rules
from surveykit.training.grading import AttemptResult

__all__ = ["item_statistics", "response_matrix"]

COLUMNS = ["n", "difficulty", "item_rest_r", "upper_lower_d", "review", "reasons"]


def response_matrix(results: Iterable[AttemptResult]) -> tuple[pd.DataFrame, pd.Series]:
    """Points matrix (one row per attempt, ``NaN`` where an item was not drawn) and each item's maximum."""
    rows: dict[str, dict[str, float]] = {}
    maxima: dict[str, float] = {}
    for index, result in enumerate(results):
        key = result.attempt_id or f"#{index + 1}"
        rows[key] = {r.item_id: r.points for r in result.items}
        for r in result.items:
            maxima[r.item_id] = r.max_points
    matrix = pd.DataFrame.from_dict(rows, orient="index", dtype=float)
    columns = sorted(maxima)
    return matrix.reindex(columns=columns), pd.Series(maxima, dtype=float).reindex(columns)


def item_statistics(
    points: pd.DataFrame,
    rules: Rules | ItemReviewRules,
    max_points: Mapping[str, float] | pd.Series | None = None,
) -> pd.DataFrame:
    """One row per item (the columns of ``points``): n, difficulty, item_rest_r, upper_lower_d, review, reasons.

    ``max_points`` defaults to 1 per item.
    """
    review_rules = rules.item_review if isinstance(rules, Rules) else rules
    items = list(points.columns)
    if max_points is None:
        maxima = np.ones(len(items))
    else:
        series = pd.Series(max_points, dtype=float).reindex(items)
        missing = [str(i) for i, v in series.items() if not np.isfinite(v) or v <= 0]
        if missing:
            raise TrainingError(
                ErrorCode.FIELD_INVALID,
                Location(field="max_points"),
                field="max_points",
                detail=f"no positive maximum for item(s) {', '.join(missing)}",
                fix="Give every column of the matrix its maximum points.",
            )
        maxima = series.to_numpy()
    raw = points.to_numpy(dtype=float)
    answered = ~np.isnan(raw)
    x = raw / maxima  # 0..1 per item, NaN where not answered

    n = answered.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        difficulty = np.where(n > 0, np.nansum(x, axis=0) / np.maximum(n, 1), np.nan)

        earned = np.nansum(raw, axis=1, keepdims=True)
        possible = (answered * maxima).sum(axis=1, keepdims=True)
        rest = np.where(answered, (earned - np.nan_to_num(raw)) / (possible - maxima), np.nan)
        valid = answered & np.isfinite(rest)
        nv = valid.sum(axis=0)
        xv = np.where(valid, x, 0.0)
        rv = np.where(valid, rest, 0.0)
        mean_x = xv.sum(axis=0) / np.maximum(nv, 1)
        mean_r = rv.sum(axis=0) / np.maximum(nv, 1)
        dx = np.where(valid, x - mean_x, 0.0)
        dr = np.where(valid, rest - mean_r, 0.0)
        cov = (dx * dr).sum(axis=0)
        var_x = (dx * dx).sum(axis=0)
        var_r = (dr * dr).sum(axis=0)
        denominator = np.sqrt(var_x * var_r)
        item_rest = np.where((nv >= 2) & (denominator > 1e-12), cov / denominator, np.nan)

        total = (earned / possible).ravel()
    upper_lower = np.full(len(items), np.nan)
    for j in range(len(items)):
        rows = np.flatnonzero(answered[:, j])
        if len(rows) < 2:
            continue
        group = max(1, int(review_rules.group_fraction * len(rows) + 0.5))
        order = rows[np.argsort(-total[rows], kind="stable")]
        upper, lower = order[:group], order[::-1][:group]
        upper_lower[j] = x[upper, j].mean() - x[lower, j].mean()

    reasons: list[str] = []
    for j in range(len(items)):
        flags: list[str] = []
        if n[j] >= review_rules.min_responses:
            if difficulty[j] > review_rules.max_difficulty:
                flags.append("too_easy")
            if difficulty[j] < review_rules.min_difficulty:
                flags.append("too_hard")
            if np.isfinite(item_rest[j]) and item_rest[j] < review_rules.min_discrimination:
                flags.append("low_discrimination")
        reasons.append("; ".join(flags))
    table = pd.DataFrame(
        {
            "n": n.astype(int),
            "difficulty": difficulty,
            "item_rest_r": item_rest,
            "upper_lower_d": upper_lower,
            "review": [bool(r) for r in reasons],
            "reasons": reasons,
        },
        index=pd.Index(items, name="item"),
    )
    return table[COLUMNS]
