"""Statistics for any Likert questionnaire: item means, top-box shares, scale scores, Cronbach's alpha.

Numeric points of an answer come from, in order: the questionnaire (each choice's ``value``, else its 1-based
position, as :attr:`surveykit.questionnaire.compiled.Variable.choice_values` defines; choices flagged
``missing: true`` are coded missing), or an explicit ``values`` mapping, or the choice name read as a number
("1".."5"). Missing codes (don't know, refused) are never points: they are excluded from every mean and
denominator. Reverse-coded items are mirrored as ``lo + hi - x`` over the scale's range, so that a higher
point is always the favourable end. Everything is vectorised over the frame; functions return DataFrames.

Cronbach's alpha is computed by hand on listwise complete cases (the formula in :func:`cronbach_alpha`);
no statistics package is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from surveykit.questionnaire.model import Questionnaire

__all__ = [
    "DEFAULT_MISSING",
    "LikertMatrix",
    "Reliability",
    "cronbach_alpha",
    "item_rest_statistics",
    "item_statistics",
    "likert_matrix",
    "reliability",
    "scale_scores",
    "scales_report",
]

#: choice names treated as coded missing when no questionnaire says otherwise
DEFAULT_MISSING = ("dk", "refused")


@dataclass(frozen=True)
class LikertMatrix:
    """Points of ``items`` (columns) per respondent (rows), NaN where missing, reverse items mirrored."""

    values: pd.DataFrame
    lo: float  # the scale's lowest point
    hi: float  # the scale's highest point


def _choice_points(
    code: str, questionnaire: Questionnaire | None, values: Mapping[str, float] | None, missing: Iterable[str]
) -> tuple[dict[str, float] | None, set[str]]:
    """Points per choice name and the missing names of one item (None: read names as numbers)."""
    missing = set(missing)
    if questionnaire is not None:
        from surveykit.questionnaire.compiled import compile_form

        variable = compile_form(questionnaire).variables.get(code)
        if variable is not None and variable.choices:
            miss = set(variable.missing_names) | missing
            points = {name: float(v) for name, v in variable.choice_values.items() if name not in miss}
            return points, miss
    if values is not None:
        return {str(k): float(v) for k, v in values.items() if str(k) not in missing}, missing
    return None, missing


def _points(
    column: pd.Series, points: dict[str, float] | None, missing: set[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The column as float points (NaN for missing/unknown) and the points its categories can take."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        codes = column.cat.codes.to_numpy()
    elif pd.api.types.is_numeric_dtype(column.dtype) and points is None:
        array = column.to_numpy(dtype=float, na_value=np.nan)
        return array, np.unique(array[~np.isnan(array)])
    else:
        codes, categories = pd.factorize(column, use_na_sentinel=True)
    names = [str(c) for c in categories]
    if points is None:
        lookup = pd.to_numeric(pd.Series(names, dtype=object), errors="coerce").to_numpy(
            dtype=float, copy=True
        )
        if names:
            lookup[np.array([n in missing for n in names])] = np.nan
    else:
        lookup = np.array([points.get(n, np.nan) for n in names], dtype=float)
    table = np.append(lookup, np.nan)  # code -1 (no answer) -> NaN
    domain = (
        np.unique(lookup[~np.isnan(lookup)]) if points is None else np.array(sorted(set(points.values())))
    )
    return table[np.where(codes < 0, len(lookup), codes)], domain


def likert_matrix(
    frame: pd.DataFrame,
    items: Sequence[str],
    *,
    questionnaire: Questionnaire | None = None,
    values: Mapping[str, float] | None = None,
    missing: Iterable[str] = DEFAULT_MISSING,
    reverse: Iterable[str] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
) -> LikertMatrix:
    """Points per respondent and item, missing codes as NaN, ``reverse`` items mirrored (``lo + hi - x``).

    The range (lo, hi) is ``scale_min``/``scale_max`` when given, else the lowest and highest substantive
    point of the items' choice lists (questionnaire, ``values``, or the numeric category names).
    """
    columns: dict[str, np.ndarray] = {}
    domain: list[float] = []
    for code in items:
        points, miss = _choice_points(code, questionnaire, values, missing)
        array, dom = _points(frame[code], points, miss)
        columns[code] = array
        domain.extend(dom.tolist())
    lo = float(scale_min) if scale_min is not None else (min(domain) if domain else np.nan)
    hi = float(scale_max) if scale_max is not None else (max(domain) if domain else np.nan)
    for code in reverse:
        columns[code] = lo + hi - columns[code]
    return LikertMatrix(pd.DataFrame(columns, index=frame.index), lo, hi)


def scale_scores(
    frame: pd.DataFrame,
    items: Sequence[str],
    *,
    reverse: Iterable[str] = (),
    min_valid: int | None = None,
    rescale: bool = False,
    questionnaire: Questionnaire | None = None,
    values: Mapping[str, float] | None = None,
    missing: Iterable[str] = DEFAULT_MISSING,
    scale_min: float | None = None,
    scale_max: float | None = None,
) -> pd.Series:
    """Each respondent's scale score: the mean of his valid items (reverse items mirrored).

    NaN when fewer than ``min_valid`` items are valid (default: all items). ``rescale=True`` maps the score
    to 0-100: ``(mean - lo) / (hi - lo) * 100``.
    """
    matrix = likert_matrix(
        frame,
        items,
        questionnaire=questionnaire,
        values=values,
        missing=missing,
        reverse=reverse,
        scale_min=scale_min,
        scale_max=scale_max,
    )
    data = matrix.values.to_numpy(dtype=float)
    valid = (~np.isnan(data)).sum(axis=1)
    needed = len(items) if min_valid is None else min_valid
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.nansum(data, axis=1) / valid
    score = np.where(valid >= max(needed, 1), score, np.nan)
    if rescale:
        score = (score - matrix.lo) / (matrix.hi - matrix.lo) * 100.0
    return pd.Series(score, index=frame.index, name="score")


def item_statistics(
    frame: pd.DataFrame,
    items: Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    top: int = 1,
    questionnaire: Questionnaire | None = None,
    values: Mapping[str, float] | None = None,
    missing: Iterable[str] = DEFAULT_MISSING,
    reverse: Iterable[str] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
) -> pd.DataFrame:
    """Per item (and per ``by`` group): n valid, n missing, mean, sd, top-box and top-two-box shares (%).

    Top-box = share of valid answers at the highest point (after reverse coding: the favourable end);
    top-two-box = at the two highest points. ``top`` adds ``top_<k>_box`` for another k.
    """
    matrix = likert_matrix(
        frame,
        items,
        questionnaire=questionnaire,
        values=values,
        missing=missing,
        reverse=reverse,
        scale_min=scale_min,
        scale_max=scale_max,
    )
    data = matrix.values
    long = data.melt(var_name="item", value_name="points")  # item by item, each in the frame's row order
    keys: list[str] = []
    if by is not None:
        keys = [by] if isinstance(by, str) else list(by)
        for key in keys:
            long[key] = np.tile(frame[key].to_numpy(), len(items))
    points = long["points"]
    long["valid"] = points.notna()
    long["top1"] = (points >= matrix.hi).where(long["valid"])
    long["top2"] = (points >= matrix.hi - 1).where(long["valid"])
    if top not in (1, 2):
        long[f"top{top}"] = (points >= matrix.hi - (top - 1)).where(long["valid"])
    grouped = long.groupby([*keys, "item"], sort=False, observed=True)
    out = pd.DataFrame(
        {
            "n": grouped["valid"].sum().astype(int),
            "n_missing": grouped["valid"].size() - grouped["valid"].sum().astype(int),
            "mean": grouped["points"].mean(),
            "sd": grouped["points"].std(ddof=1),
            "top_box": grouped["top1"].mean() * 100.0,
            "top2_box": grouped["top2"].mean() * 100.0,
        }
    )
    if top not in (1, 2):
        out[f"top_{top}_box"] = grouped[f"top{top}"].mean() * 100.0
    return out.reset_index()


def cronbach_alpha(data: pd.DataFrame | np.ndarray) -> float:
    """Cronbach's alpha on listwise complete rows: ``k/(k-1) * (1 - sum(var_i) / var_total)``.

    ``var_i`` are the item variances and ``var_total`` the variance of the row sums, all with ``ddof=1``
    (Cronbach 1951). NaN with fewer than two items or two complete rows, or a zero total variance.
    """
    array = np.asarray(data, dtype=float)
    array = array[~np.isnan(array).any(axis=1)]
    n, k = array.shape
    if k < 2 or n < 2:
        return float("nan")
    item_var = array.var(axis=0, ddof=1)
    total_var = array.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - item_var.sum() / total_var))


def item_rest_statistics(data: pd.DataFrame) -> pd.DataFrame:
    """Per item on listwise complete rows: mean, sd, the item-rest correlation (the item against the sum of
    the *other* items) and alpha if the item were deleted."""
    complete = data.dropna()
    array = complete.to_numpy(dtype=float)
    total = array.sum(axis=1)
    rows = []
    for j, item in enumerate(data.columns):
        rest = total - array[:, j]
        if len(array) > 1 and array[:, j].std() > 0 and rest.std() > 0:
            r = float(np.corrcoef(array[:, j], rest)[0, 1])
        else:
            r = float("nan")
        others = np.delete(array, j, axis=1)
        rows.append(
            {
                "item": item,
                "mean": float(array[:, j].mean()) if len(array) else np.nan,
                "sd": float(array[:, j].std(ddof=1)) if len(array) > 1 else np.nan,
                "item_rest_r": r,
                "alpha_if_deleted": cronbach_alpha(others),
            }
        )
    return pd.DataFrame(rows, columns=["item", "mean", "sd", "item_rest_r", "alpha_if_deleted"])


@dataclass(frozen=True)
class Reliability:
    scale: str
    k: int
    n_complete: int
    alpha: float
    items: pd.DataFrame  # item_rest_statistics


def reliability(
    frame: pd.DataFrame,
    items: Sequence[str],
    *,
    name: str = "",
    reverse: Iterable[str] = (),
    questionnaire: Questionnaire | None = None,
    values: Mapping[str, float] | None = None,
    missing: Iterable[str] = DEFAULT_MISSING,
) -> Reliability:
    """Alpha of a scale with item-rest correlations and alpha-if-deleted (reverse items mirrored first)."""
    matrix = likert_matrix(
        frame, items, questionnaire=questionnaire, values=values, missing=missing, reverse=reverse
    )
    data = matrix.values
    return Reliability(
        scale=name,
        k=len(items),
        n_complete=int(data.notna().all(axis=1).sum()),
        alpha=cronbach_alpha(data),
        items=item_rest_statistics(data),
    )


def scales_report(
    questionnaire: Questionnaire, frame: pd.DataFrame, *, by: str | None = None
) -> pd.DataFrame:
    """One row per scale declared in the questionnaire (and per ``by`` group): items, n complete, alpha,
    the mean scale score (in points and on 0-100) and the number of respondents with a score."""
    rows = []
    groups = [(None, frame)] if by is None else list(frame.groupby(by, observed=True, sort=True))
    for key, part in groups:
        for name, scale in questionnaire.scales.items():
            rel = reliability(
                part, scale.items, name=name, reverse=scale.reverse, questionnaire=questionnaire
            )
            scores = scale_scores(
                part,
                scale.items,
                reverse=scale.reverse,
                min_valid=scale.min_valid,
                questionnaire=questionnaire,
            )
            scaled = scale_scores(
                part,
                scale.items,
                reverse=scale.reverse,
                min_valid=scale.min_valid,
                questionnaire=questionnaire,
                rescale=True,
            )
            row = {
                "scale": name,
                "items": len(scale.items),
                "n_scored": int(scores.notna().sum()),
                "n_complete": rel.n_complete,
                "alpha": rel.alpha,
                "mean_score": float(scores.mean()) if scores.notna().any() else np.nan,
                "mean_0_100": float(scaled.mean()) if scaled.notna().any() else np.nan,
            }
            if by is not None:
                row = {by: key, **row}
            rows.append(row)
    return pd.DataFrame(rows)
