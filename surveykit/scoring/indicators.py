"""The indicator types: one pure, vectorised function per type, registered by name.

Every function has the signature ``fn(spec, frame, g, ctx) -> IndicatorResult``:

* ``spec`` is the indicator's model from the profile (:mod:`surveykit.scoring.profile`), which supplies every
  number (weights, caps, points, item lists); the functions hold formulas only;
* ``frame`` is the canonical frame of the indicator's source; ``g`` maps each row to its institution x period
  group ``0..G-1``, and to ``G`` (a spare bin) for rows that do not count (another period, a superseded
  checklist row); counting is ``numpy.bincount`` over ``g`` - no Python loop over interviews;
* ``ctx`` gives the number of groups, the rows each group has in this source, the group periods (for
  observed min/max), the normal quantile for intervals and the empty-channel policy.

A result holds, per group, the value, the numerator and denominator, a status (ok / empty denominator /
no row in the source), the per-channel figures, for checklists the state of every item (for conclusions),
and for survey sources the linearised *influence* of every row on the value (for standard errors, see
:mod:`surveykit.scoring.rating` and docs/methodology.md, "Uncertainty").

Sources of the formulas: 344n = Mintrud order 344n of 31.05.2018, appendix; 391a = Mintrud order 391a of
30.08.2013; tags as in the profiles ([V] verified, [C] corroborated, [R] recalled, [P] proposal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from surveykit.questionnaire.model import Questionnaire
from surveykit.scoring import likert
from surveykit.scoring.profile import (
    INDICATOR_TYPES,
    ChecklistCount,
    ChecklistRatio,
    IndicatorBase,
    MeanScale,
    MinMax,
    OrdinalCompliance,
    OutcomeRatio,
    ShareYes,
)

__all__ = [
    "ABSENT",
    "BLANK",
    "EMPTY",
    "EXCLUDED",
    "NO_ROW",
    "NO_SOURCE",
    "OK",
    "OUTDATED",
    "PRESENT",
    "REGISTRY",
    "ChannelResult",
    "Term",
    "Context",
    "IndicatorResult",
    "compute",
    "match",
    "required_columns",
    "wilson",
]

# status of an indicator in a group
OK, EMPTY, NO_SOURCE = 0, 1, 2
# state of a checklist item in a group
NO_ROW, ABSENT, PRESENT, OUTDATED, EXCLUDED, BLANK = -1, 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Context:
    n_groups: int
    rows: np.ndarray  # (G,) rows of this source per group (after keeping the latest checklist row)
    group_period: np.ndarray  # (G,) period code of each group
    z: float = 1.959963984540054  # normal quantile of the confidence level
    empty_channel: str = "drop"  # "drop" | "zero" (profile policies.empty_channel)
    sampled: bool = True  # a survey source: rows are sampled respondents (influence values are computed)
    questionnaire: Questionnaire | None = None


@dataclass
class Term:
    """Part of the influence of each source row on an indicator, as a lookup table.

    ``u_r = table[index_r] * factor_r`` (``factor`` omitted: 1), where ``index_r = g_r * width + state_r``:
    a share's influence depends only on the respondent's group and state (not in the denominator / answered
    other than yes / yes), so one table of ``(G + 1) * width`` values and one integer index per row hold it.
    ``counts`` (rows per index) gives exact sums of squares without a pass over the rows.
    """

    index: np.ndarray
    width: int
    table: np.ndarray
    factor: np.ndarray | None = None
    counts: np.ndarray | None = None

    def scaled(self, per_group: np.ndarray) -> Term:
        """The term multiplied by a per-group weight (``per_group`` has G + 1 entries, 0 in the spare bin)."""
        table = (self.table.reshape(-1, self.width) * per_group[:, None]).ravel()
        return Term(self.index, self.width, table, self.factor, self.counts)

    def values(self) -> np.ndarray:
        out = np.take(self.table, self.index)
        if self.factor is not None:
            out *= self.factor
        return out

    def sum_of_squares(self, n_groups: int) -> np.ndarray | None:
        """Per group ``sum_r u_r^2`` from the counts (None when the term has a per-row factor)."""
        if self.counts is None or self.factor is not None:
            return None
        return (self.counts * self.table**2).reshape(-1, self.width).sum(axis=1)[:n_groups]


@dataclass
class ChannelResult:
    name: str
    label: dict[str, str]
    num: np.ndarray
    den: np.ndarray
    value: np.ndarray  # 0-100, NaN where the denominator is empty
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None


@dataclass
class IndicatorResult:
    value: np.ndarray  # (G,) NaN where there is no value
    num: np.ndarray  # (G,) numerator (respondents, items present, points, cases)
    den: np.ndarray  # (G,) denominator
    status: np.ndarray  # (G,) int8: OK, EMPTY, NO_SOURCE
    partial: np.ndarray  # (G,) bool: computed from some channels only (the others empty)
    terms: list[Term] = field(
        default_factory=list
    )  # influence of each source row; empty: no sampling variance
    lo: np.ndarray | None = None  # interval computed by the type itself (Wilson); else by the rating
    hi: np.ndarray | None = None
    channels: list[ChannelResult] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # checklist items, columns of ``state``
    item_channel: list[str] = field(default_factory=list)  # channel of each item ("" when none)
    state: np.ndarray | None = None  # (G, items) int8 item states (PRESENT, ABSENT, ...)


Function = Callable[[Any, pd.DataFrame, np.ndarray, Context], IndicatorResult]


# --- shared helpers ------------------------------------------------------------------------------------------------
def _count(g: np.ndarray, weights: np.ndarray | None, n_groups: int) -> np.ndarray:
    """Sum of ``weights`` (or rows) per group; the spare bin ``G`` is dropped."""
    if weights is not None and weights.dtype == bool:
        weights = weights.view(np.uint8)
    return np.bincount(g, weights=weights, minlength=n_groups + 1)[:n_groups].astype(float)


def _pad(values: np.ndarray) -> np.ndarray:
    """Per-group array with a zero for the spare bin, so ``array[g]`` works for every row."""
    return np.append(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0), 0.0)


def category_codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1: no answer) and the category names of a column (categorical or not)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), [str(c) for c in column.cat.categories]
    if pd.api.types.is_float_dtype(column.dtype):  # numbers read from a file: 1.0 -> "1"
        column = column.map(lambda v: v if v != v else (str(int(v)) if float(v).is_integer() else str(v)))
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return codes, [str(c) for c in uniques]


def match(column: pd.Series, names: Iterable[str]) -> np.ndarray:
    """True where the answer is one of ``names`` (choice names). Categorical columns compare codes."""
    names = [str(n) for n in names]
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in column.cat.categories]
        wanted = [i for i, c in enumerate(categories) if c in names]
        codes = column.cat.codes.to_numpy()
        if not wanted:
            return np.zeros(len(column), dtype=bool)
        if len(wanted) == 1:
            return codes == wanted[0]
        return np.isin(codes, wanted)
    if pd.api.types.is_bool_dtype(column.dtype):
        truthy = {"yes", "true", "1"} & set(names)
        falsy = {"no", "false", "0"} & set(names)
        values = column.to_numpy(dtype=object)
        return np.asarray((values == True) & bool(truthy) | (values == False) & bool(falsy), dtype=bool)  # noqa: E712
    if pd.api.types.is_numeric_dtype(column.dtype):
        numbers = pd.to_numeric(pd.Series(names, dtype=object), errors="coerce").dropna().to_numpy()
        return np.isin(column.to_numpy(dtype=float, na_value=np.nan), numbers)
    return column.isin(names).to_numpy(dtype=bool)


def _notna(column: pd.Series) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy() >= 0
    return column.notna().to_numpy(dtype=bool)


def _states(column: pd.Series, yes: Iterable[str], missing: Iterable[str]) -> np.ndarray:
    """Per row: 0 not in the denominator (no answer or a missing code), 1 answered other than yes, 2 yes."""
    yes, missing = {str(v) for v in yes}, {str(v) for v in missing}
    codes, categories = category_codes(column)
    # code -1 (no answer) indexes the last entry, so the int8 codes index the table directly
    table = np.array([2 if c in yes else 0 if c in missing else 1 for c in categories] + [0], dtype=np.int8)
    return table[codes]


def wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``x / n`` (Wilson 1927; Newcombe 1998, method 3), in 0..1.

    ``centre = (p + z^2/2n) / (1 + z^2/n)``, ``half = z * sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)``.
    NaN where ``n = 0``.
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo, hi = centre - half, centre + half
    empty = n <= 0
    lo[empty] = np.nan
    hi[empty] = np.nan
    return np.clip(lo, 0, 1), np.clip(hi, 0, 1)


def _status(ctx: Context, has_value: np.ndarray) -> np.ndarray:
    status = np.full(ctx.n_groups, OK, dtype=np.int8)
    status[~has_value] = EMPTY
    status[ctx.rows == 0] = NO_SOURCE
    return status


def _item_states(
    frame: pd.DataFrame,
    g: np.ndarray,
    items: Sequence[str],
    ctx: Context,
    present: Iterable[str],
    outdated: Iterable[str] = (),
    excluded: Iterable[str] = (),
) -> np.ndarray:
    """(G, items) states; a checklist source keeps one row per group, so a plain scatter is exact.
    Each answer maps to PRESENT, OUTDATED, EXCLUDED or ABSENT through a per-category table; no answer is
    BLANK (counts as absent; conclusions say "not recorded")."""
    present, outdated, excluded = (
        {str(v) for v in present},
        {str(v) for v in outdated},
        {str(v) for v in excluded},
    )
    n_groups = ctx.n_groups
    state = np.full((n_groups + 1, len(items)), NO_ROW, dtype=np.int8)
    for j, code in enumerate(items):
        codes, categories = category_codes(frame[code])
        table = [
            PRESENT if c in present else OUTDATED if c in outdated else EXCLUDED if c in excluded else ABSENT
            for c in categories
        ]
        lookup = np.array([*table, BLANK], dtype=np.int8)  # code -1 -> the last entry
        state[g, j] = lookup[codes]
    return state[:n_groups]


# --- share_yes -----------------------------------------------------------------------------------------------------
def share_yes(spec: ShareYes, frame: pd.DataFrame, g: np.ndarray, ctx: Context) -> IndicatorResult:
    """Share of "yes" among those who answered, in % (344n indicators 1.3, 2.3, 3.3, 4.1-4.3, 5.1-5.3 [C];
    formula (5.1) [V]: "по отношению к числу опрошенных получателей услуг, ответивших на соответствующий
    вопрос анкеты").

    Per channel c: ``p_c = Y_c / N_c``, ``N_c`` = respondents passing the filter who answered the question
    with a substantive code (``missing`` codes such as dk are never in the denominator), ``Y_c`` = those
    answering one of ``yes``. The indicator is ``100 * mean_c p_c`` over the channels (1.3 [C]:
    ``0.5 * (U_stand / N_stand + U_site / N_site) * 100``); a channel with an empty denominator is left out
    (policy ``empty_channel: drop``) or counts 0 (``zero``).

    Influence of respondent r (ratio estimator linearisation): ``sum_c w_c * 100 * (y_rc - p_c a_rc) / N_c``,
    kept as one lookup-table :class:`Term` per channel.
    """
    n_groups = ctx.n_groups
    channels = spec.all_channels
    nums, dens, indexes, counts = [], [], [], []
    for channel in channels:
        state = _states(frame[channel.question], spec.yes, spec.missing)
        if channel.filter is not None:
            state = state * match(frame[channel.filter.question], channel.filter.in_)
        index = g * 3 + state  # group and state in one integer: one bincount counts both N and Y
        count = np.bincount(index, minlength=3 * (n_groups + 1))
        per_group = count.reshape(-1, 3)[:n_groups].astype(float)
        nums.append(per_group[:, 2])
        dens.append(per_group[:, 1] + per_group[:, 2])
        indexes.append(index)
        counts.append(count)
    num, den = np.vstack(nums), np.vstack(dens)  # (channels, G)
    available = den > 0
    n_available = available.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(available, num / np.where(available, den, 1.0), 0.0)
        if ctx.empty_channel == "zero":
            weight = np.where(n_available > 0, 1.0 / len(channels), 0.0) * np.ones_like(share)
        else:
            weight = np.where(available, 1.0 / np.maximum(n_available, 1), 0.0)
    has_value = n_available > 0
    value = np.where(has_value, 100.0 * (weight * share).sum(axis=0), np.nan)

    terms = []
    if ctx.sampled:
        for c in range(len(channels)):
            # u = k (y - p a) with k = w * 100 / N: state 1 (a, not y) -> -k p, state 2 (yes) -> k (1 - p)
            with np.errstate(invalid="ignore", divide="ignore"):
                k = np.where(available[c], weight[c] * 100.0 / den[c], 0.0)
            table = np.zeros((n_groups + 1, 3))
            table[:n_groups, 1] = -k * share[c]
            table[:n_groups, 2] = k * (1.0 - share[c])
            terms.append(Term(indexes[c], 3, table.ravel(), counts=counts[c].astype(float)))

    channel_results = []
    for c, channel in enumerate(channels):
        lo, hi = wilson(num[c], den[c], ctx.z)
        channel_results.append(
            ChannelResult(
                name=channel.name,
                label=dict(channel.label),
                num=num[c],
                den=den[c],
                value=np.where(available[c], share[c] * 100.0, np.nan),
                lo=lo * 100.0,
                hi=hi * 100.0,
            )
        )
    result = IndicatorResult(
        value=value,
        num=num.sum(axis=0),
        den=den.sum(axis=0),
        status=_status(ctx, has_value),
        partial=has_value & (n_available < len(channels)),
        terms=terms,
        channels=channel_results if len(channels) > 1 else [],
    )
    if len(channels) == 1:  # a single share: the Wilson score interval
        result.lo, result.hi = channel_results[0].lo, channel_results[0].hi
    return result


# --- checklist_count -------------------------------------------------------------------------------------------
def checklist_count(
    spec: ChecklistCount, frame: pd.DataFrame, g: np.ndarray, ctx: Context
) -> IndicatorResult:
    """``min(cap, points_per_item * n_present)`` (344n indicators 1.2 [C]: 30 per functioning remote channel,
    cap 100; 2.1 [C]: 20 per comfort condition, cap 100; 3.1 and 3.2 [C]: 20 per accessibility condition,
    cap 100). A checklist is a census of the institution: no sampling variance."""
    state = _item_states(frame, g, spec.items, ctx, spec.present)
    has_row = ctx.rows > 0
    n_present = (state == PRESENT).sum(axis=1).astype(float)
    points = spec.points_per_item * n_present
    if spec.cap is not None:
        points = np.minimum(points, spec.cap)
    return IndicatorResult(
        value=np.where(has_row, points, np.nan),
        num=np.where(has_row, n_present, np.nan),
        den=np.where(has_row, float(len(spec.items)), np.nan),
        status=_status(ctx, has_row),
        partial=np.zeros(ctx.n_groups, dtype=bool),
        items=list(spec.items),
        item_channel=[""] * len(spec.items),
        state=state,
    )


# --- checklist_ratio -------------------------------------------------------------------------------------------
def checklist_ratio(
    spec: ChecklistRatio, frame: pd.DataFrame, g: np.ndarray, ctx: Context
) -> IndicatorResult:
    """Per channel ``I / I_norm``, channels averaged, in % (344n indicator 1.1 [C], both implementations:
    ``0.5 * (I_stand / I_norm_stand + I_site / I_norm_site) * 100``).

    ``I_norm`` = the channel's required items less those marked ``excluded`` (not applicable); ``I`` = required
    items marked ``present``. ``outdated`` is not present (A.5 [C]: information must be current); a blank
    status counts as absent. A channel whose norm is empty is dropped (or counts 0 with ``empty_channel: zero``).
    """
    items = [code for ch in spec.channels for code in ch.items]
    item_channel = [ch.name for ch in spec.channels for _ in ch.items]
    state = _item_states(frame, g, items, ctx, spec.present, spec.outdated, spec.excluded)
    has_row = ctx.rows > 0
    ratios, nums, norms, channel_results = [], [], [], []
    offset = 0
    for channel in spec.channels:
        index = [offset + channel.items.index(code) for code in channel.required_items]
        offset += len(channel.items)
        sub = state[:, index]
        norm = ((sub != EXCLUDED) & (sub != NO_ROW)).sum(axis=1).astype(float)
        present = (sub == PRESENT).sum(axis=1).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(norm > 0, present / np.where(norm > 0, norm, 1.0), np.nan)
        ratios.append(ratio)
        nums.append(present)
        norms.append(norm)
        channel_results.append(
            ChannelResult(
                channel.name,
                dict(channel.label),
                np.where(has_row, present, np.nan),
                np.where(has_row, norm, np.nan),
                ratio * 100.0,
            )
        )
    ratio_m = np.vstack(ratios)
    available = ~np.isnan(ratio_m)
    n_available = available.sum(axis=0)
    total = np.where(available, ratio_m, 0.0).sum(axis=0)
    if ctx.empty_channel == "zero":
        mean = total / len(spec.channels)
    else:
        mean = total / np.maximum(n_available, 1)
    value = np.where(n_available > 0, mean * 100.0, np.nan)
    has_value = has_row & (n_available > 0)
    return IndicatorResult(
        value=np.where(has_value, value, np.nan),
        num=np.where(has_row, np.vstack(nums).sum(axis=0), np.nan),
        den=np.where(has_row, np.vstack(norms).sum(axis=0), np.nan),
        status=_status(ctx, has_value),
        partial=has_value & (n_available < len(spec.channels)),
        channels=channel_results,
        items=items,
        item_channel=item_channel,
        state=state,
    )


# --- ordinal_compliance ---------------------------------------------------------------------------------------------
def ordinal_compliance(
    spec: OrdinalCompliance, frame: pd.DataFrame, g: np.ndarray, ctx: Context
) -> IndicatorResult:
    """Compliance sheet: each item scores its level's points (default meets 2 / partly 1 / does not 0),
    ``100 * sum(points) / (max_points * n_rated)``; ``excluded`` items are not rated, a blank counts 0.
    (Ukraine, Mintrud/Minsotspolityky order 904 of 27.12.2013, indicator sheets "відповідає / частково /
    не відповідає" [R]; PART B.)"""
    top = max(spec.levels.values())
    partly = [name for name, pts in spec.levels.items() if 0 < pts < top]
    meets = [name for name, pts in spec.levels.items() if pts == top]
    state = _item_states(frame, g, spec.items, ctx, meets, partly, spec.excluded)
    n_groups = ctx.n_groups
    num = np.zeros(n_groups)
    den = np.zeros(n_groups)
    excluded = {str(v) for v in spec.excluded}
    for code in spec.items:
        codes, categories = category_codes(frame[code])
        # points per category; an excluded category is not rated; no answer counts 0 and is rated
        points = np.array([spec.levels.get(c, 0.0) for c in categories] + [0.0])
        rated = np.array([c not in excluded for c in categories] + [True])
        num += _count(g, points[codes], n_groups)
        den += _count(g, rated[codes], n_groups) * top
    has_value = (ctx.rows > 0) & (den > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(has_value, num / np.where(den > 0, den, 1.0) * 100.0, np.nan)
    has_row = ctx.rows > 0
    return IndicatorResult(
        value=value,
        num=np.where(has_row, num, np.nan),
        den=np.where(has_row, den, np.nan),
        status=_status(ctx, has_value),
        partial=np.zeros(n_groups, dtype=bool),
        items=list(spec.items),
        item_channel=[""] * len(spec.items),
        state=state,
    )


# --- outcome_ratio ------------------------------------------------------------------------------------------------
def _numbers(column: pd.Series) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def outcome_ratio(spec: OutcomeRatio, frame: pd.DataFrame, g: np.ndarray, ctx: Context) -> IndicatorResult:
    """``100 * sum(numerator) / sum(denominator)`` per institution (PART B, Poland, project 1.18 outcome
    indicators [V]: e.g. 29 of 81 clients employed = 35.80 %). Admin columns (one row per institution, or
    0/1 per case). From a survey source the ratio estimator's influence ``100 (y - p a) / A`` is kept."""
    n_groups = ctx.n_groups
    y = np.nan_to_num(_numbers(frame[spec.numerator]))
    a = np.nan_to_num(_numbers(frame[spec.denominator]))
    num = _count(g, y, n_groups)
    den = _count(g, a, n_groups)
    has_value = (ctx.rows > 0) & (den > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(has_value, num / np.where(den > 0, den, 1.0), np.nan)
    terms = []
    if ctx.sampled:
        with np.errstate(invalid="ignore", divide="ignore"):
            coef = np.where(has_value, 100.0 / den, 0.0)
        terms.append(Term(g, 1, _pad(coef), factor=y - _pad(p)[g] * a))
    has_row = ctx.rows > 0
    return IndicatorResult(
        value=p * 100.0,
        num=np.where(has_row, num, np.nan),
        den=np.where(has_row, den, np.nan),
        status=_status(ctx, has_value),
        partial=np.zeros(n_groups, dtype=bool),
        terms=terms,
    )


# --- mean_scale ---------------------------------------------------------------------------------------------------
def scale_items(
    spec: MeanScale, questionnaire: Questionnaire | None
) -> tuple[list[str], list[str], int | None]:
    """Items, reverse items and min_valid of a mean_scale: its own, or the questionnaire's declared scale."""
    if spec.scale is None:
        return list(spec.items), list(spec.reverse), spec.min_valid
    if questionnaire is None or spec.scale not in questionnaire.scales:
        raise KeyError(spec.scale)
    scale = questionnaire.scales[spec.scale]
    min_valid = spec.min_valid if spec.min_valid is not None else scale.min_valid
    return list(scale.items), list(spec.reverse or scale.reverse), min_valid


def mean_scale(spec: MeanScale, frame: pd.DataFrame, g: np.ndarray, ctx: Context) -> IndicatorResult:
    """Mean Likert scale score on 0-100 (PART B generic type ``mean_scale`` [P]; Bulgarian staff survey).

    Per respondent: the mean of his valid items (missing codes excluded, reverse items mirrored), kept when at
    least ``min_valid`` items are valid, rescaled ``(m - lo) / (hi - lo) * 100``
    (:func:`surveykit.scoring.likert.scale_scores`). Per institution: the mean over scored respondents.
    Influence: ``(score_r - P) / N`` for scored respondents.
    """
    n_groups = ctx.n_groups
    items, reverse, min_valid = scale_items(spec, ctx.questionnaire)
    score = likert.scale_scores(
        frame,
        items,
        reverse=reverse,
        min_valid=min_valid,
        rescale=True,
        questionnaire=ctx.questionnaire,
        values=spec.values,
        missing=spec.missing,
        scale_min=spec.scale_min,
        scale_max=spec.scale_max,
    ).to_numpy(dtype=float)
    scored = ~np.isnan(score)
    total = _count(g, np.where(scored, score, 0.0), n_groups)
    n = _count(g, scored, n_groups)
    has_value = (ctx.rows > 0) & (n > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(has_value, total / np.where(n > 0, n, 1.0), np.nan)
    terms = []
    if ctx.sampled:
        with np.errstate(invalid="ignore", divide="ignore"):
            coef = np.where(has_value, 1.0 / n, 0.0)
        terms.append(
            Term(g, 1, _pad(coef), factor=np.where(scored, np.nan_to_num(score) - _pad(value)[g], 0.0))
        )
    return IndicatorResult(
        value=value,
        num=total,
        den=n,
        status=_status(ctx, has_value),
        partial=np.zeros(n_groups, dtype=bool),
        terms=terms,
    )


# --- minmax ---------------------------------------------------------------------------------------------------------
def _bounds(
    bound: float | str, k: np.ndarray, periods: np.ndarray, reducer: Callable[..., Any]
) -> np.ndarray:
    """A fixed bound, or the observed min/max of k over the institutions of the same period."""
    if not isinstance(bound, str):
        return np.full(len(k), float(bound))
    out = np.full(len(k), np.nan)
    for period in np.unique(periods):  # a loop over periods (a handful), not over interviews
        in_period = periods == period
        values = k[in_period & ~np.isnan(k)]
        if values.size:
            out[in_period] = reducer(values)
    return out


def minmax(spec: MinMax, frame: pd.DataFrame, g: np.ndarray, ctx: Context) -> IndicatorResult:
    """391a normalisation to ``points`` (391a para 33 [V] comm70.ru/guidlines.html):
    ``k10 = (k - k_min) / (k_max - k_min) * 10`` where higher is better, mirrored
    ``(k_max - k) / (k_max - k_min) * 10`` where lower is better; clipped to 0..points. ``k`` is another
    indicator (``of``) or the mean of an admin ``column``; ``k_min``/``k_max`` are numbers (target and worst
    value) or ``observed`` (min and max over the institutions of the period; all equal -> full points).
    The influence is the raw one times the slope (bounds held fixed)."""
    n_groups = ctx.n_groups
    if spec.of is not None:
        raw = compute(spec.of, frame, g, ctx)
    else:
        x = _numbers(frame[spec.column])
        valid = ~np.isnan(x)
        n = _count(g, valid, n_groups)
        total = _count(g, np.where(valid, x, 0.0), n_groups)
        has = (ctx.rows > 0) & (n > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            k = np.where(has, total / np.where(n > 0, n, 1.0), np.nan)
        terms = []
        if ctx.sampled:
            with np.errstate(invalid="ignore", divide="ignore"):
                coef = np.where(has, 1.0 / n, 0.0)
            terms.append(Term(g, 1, _pad(coef), factor=np.where(valid, np.nan_to_num(x) - _pad(k)[g], 0.0)))
        raw = IndicatorResult(k, total, n, _status(ctx, has), np.zeros(n_groups, dtype=bool), terms)
    k = raw.value
    k_min = _bounds(spec.k_min, k, ctx.group_period, np.min)
    k_max = _bounds(spec.k_max, k, ctx.group_period, np.max)
    span = k_max - k_min
    lower = spec.direction == "lower_better"

    def transform(x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            t = ((k_max - x) if lower else (x - k_min)) / span * spec.points
        t = np.where(span > 0, t, spec.points)  # every institution at the same value: all at the target
        return np.where(np.isnan(x), np.nan, np.clip(t, 0.0, spec.points))

    value = transform(k)
    inside = (span > 0) & (value > 0) & (value < spec.points)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(inside, (-1.0 if lower else 1.0) * spec.points / span, 0.0)
    terms = [term.scaled(_pad(slope)) for term in raw.terms]
    lo = hi = None
    if raw.lo is not None and raw.hi is not None:
        a, b = transform(raw.lo), transform(raw.hi)
        lo, hi = np.fmin(a, b), np.fmax(a, b)
    return IndicatorResult(
        value=value,
        num=raw.num,
        den=raw.den,
        status=raw.status,
        partial=raw.partial,
        terms=terms,
        lo=lo,
        hi=hi,
        channels=raw.channels,
        items=raw.items,
        item_channel=raw.item_channel,
        state=raw.state,
    )


#: type name -> function; the profile's INDICATOR_TYPES holds the matching parameter models
REGISTRY: dict[str, Function] = {
    "share_yes": share_yes,
    "checklist_count": checklist_count,
    "checklist_ratio": checklist_ratio,
    "outcome_ratio": outcome_ratio,
    "mean_scale": mean_scale,
    "minmax": minmax,
    "ordinal_compliance": ordinal_compliance,
}
assert set(REGISTRY) == set(INDICATOR_TYPES), "every indicator type needs a model and a function"


def compute(spec: IndicatorBase, frame: pd.DataFrame, g: np.ndarray, ctx: Context) -> IndicatorResult:
    """Run the registered function of ``spec.type``."""
    return REGISTRY[spec.type](spec, frame, g, ctx)  # type: ignore[attr-defined]


def required_columns(spec: IndicatorBase, questionnaire: Questionnaire | None = None) -> list[str]:
    """Every column of the source frame that ``spec`` reads (scale items resolved through the questionnaire)."""
    columns = [code for code, _ in spec.columns()]
    if (
        isinstance(spec, MeanScale)
        and spec.scale is not None
        and questionnaire is not None
        and spec.scale in questionnaire.scales
    ):
        columns += list(questionnaire.scales[spec.scale].items)
    if isinstance(spec, MinMax) and spec.of is not None and questionnaire is not None:
        columns += required_columns(spec.of, questionnaire)
    return list(dict.fromkeys(columns))
