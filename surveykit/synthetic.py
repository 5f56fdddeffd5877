"""Synthetic answers for any questionnaire: demo data, practice personas, benchmarks and tests.

:func:`synthesize` draws ``n`` interviews of a form, variable by variable, and then lets the engine apply
the questionnaire's own logic: values of questions that would not be asked are dropped and calculations
are computed (the same evaluation as validation). Realism comes from *tilts*: for chosen questions a
function returns the probabilities of each choice or the values, given a per-interview latent variable
(e.g. an institution's quality), so that answers correlate the way real ones do.

Everything is vectorised with numpy and reproducible from the random generator passed in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from surveykit.expressions import Kind
from surveykit.questionnaire.compiled import Form, Variable, compile_form
from surveykit.questionnaire.frame import empty_mask
from surveykit.questionnaire.model import Questionnaire, QuestionType
from surveykit.questionnaire.validate import Evaluation

__all__ = ["Synthetic", "Tilt", "synthesize"]

#: ``tilt(latent, rng) -> values``: for a choice question an (n, k) array of choice probabilities or an array
#: of choice names; for other questions an array of values. ``latent`` is the per-row latent variable in [0, 1].
Tilt = Callable[[np.ndarray, np.random.Generator], Any]


@dataclass
class Synthetic:
    """Synthetic interviews: the canonical main frame and repeat frames (``_parent``/``_index``)."""

    data: pd.DataFrame
    repeats: dict[str, pd.DataFrame]

    def answers(self, row: int) -> dict[str, Any]:
        """One interview as Python values (what the store and the session use)."""
        from surveykit.questionnaire.frame import python_value, to_working

        form: Form = self.data.attrs["form"]
        answers: dict[str, Any] = {}
        for var in form.variables_of(None):
            answers[var.code] = python_value(var, to_working(var, self.data[var.code].iloc[row : row + 1]), 0)
        for code, frame in self.repeats.items():
            instances = frame[frame["_parent"] == row]
            answers[code] = [
                {
                    v.code: python_value(v, to_working(v, instances[v.code].iloc[i : i + 1]), 0)
                    for v in form.variables_of(code)
                }
                for i in range(len(instances))
            ]
        return answers


def _choice_values(
    var: Variable, n: int, latent: np.ndarray, rng: np.random.Generator, tilt: Tilt | None
) -> np.ndarray:
    names = np.asarray(var.choice_names, dtype=object)
    if tilt is not None:
        drawn = tilt(latent, rng)
        drawn = np.asarray(drawn)
        if drawn.ndim == 2:  # probabilities per row
            cumulative = np.cumsum(drawn / drawn.sum(axis=1, keepdims=True), axis=1)
            index = (rng.random((n, 1)) > cumulative).sum(axis=1)
            return names[np.minimum(index, len(names) - 1)]
        return drawn.astype(object)
    substantive = np.flatnonzero([name not in var.missing_names for name in names])
    weights = np.full(len(names), 0.02)  # coded missing answers (don't know, refused) are rare
    weights[substantive] = 1.0
    weights /= weights.sum()
    return rng.choice(names, size=n, p=weights)


def _values(
    var: Variable, n: int, latent: np.ndarray, rng: np.random.Generator, tilt: Tilt | None, today: dt.date
):
    q = var.question
    if var.kind is Kind.MULTI:
        names = list(var.choice_names)
        picks = rng.random((n, len(names))) < (np.asarray(tilt(latent, rng)) if tilt else 0.35)
        if var.required is not False and names:  # a required multiple choice gets at least one choice
            nothing = ~picks.any(axis=1)
            picks[np.flatnonzero(nothing), rng.integers(0, len(names), int(nothing.sum()))] = True
        return np.array(
            [" ".join(name for name, on in zip(names, row, strict=True) if on) or None for row in picks],
            dtype=object,
        )
    if var.choices:
        return _choice_values(var, n, latent, rng, tilt)
    if tilt is not None:
        return np.asarray(tilt(latent, rng), dtype=object)
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        low = q.min if q.min is not None else 0.0
        high = q.max if q.max is not None else max(low + 10.0, 100.0)
        values = rng.uniform(low, high, n)
        return np.floor(values).astype(float) if var.kind is Kind.INTEGER else np.round(values, 2)
    if var.kind is Kind.DATE:
        offsets = rng.integers(0, 180, n)
        return np.array([today - dt.timedelta(days=int(d)) for d in offsets], dtype=object)
    if var.required is not False:  # required free text gets a placeholder; optional text stays empty
        return np.array([f"{var.code} {i + 1}" for i in range(n)], dtype=object)
    return np.full(n, None, dtype=object)


_REPAIR_ROUNDS = 8


def _satisfy_constraints(
    form: Form,
    main: dict[str, Any],
    n: int,
    repeats: dict[str, tuple[dict[str, Any], np.ndarray]],
    latent: np.ndarray,
    rng: np.random.Generator,
    today: dt.date,
) -> Evaluation:
    """Evaluate; where an answer breaks its question's constraint, draw it again (untilted; a multiple
    choice as one choice), and after a few rounds leave it unanswered."""
    constrained = [v for v in form.variables.values() if v.constraint is not None and v.calculation is None]
    for round_ in range(_REPAIR_ROUNDS + 1):
        evaluation = Evaluation(form, main, n, repeats, report_not_relevant=False)
        failures = {v.code: evaluation.constraint_failures(v.code) for v in constrained}
        failures = {code: mask for code, mask in failures.items() if mask.any()}
        refiltered = _apply_choice_filters(form, evaluation, main, repeats, rng)
        if (not failures and not refiltered) or round_ == _REPAIR_ROUNDS:
            return evaluation
        for code, mask in failures.items():
            var = form.variables[code]
            columns = main if var.repeat is None else repeats[var.repeat][0]
            rows = np.flatnonzero(mask)
            level_latent = latent if var.repeat is None else latent[repeats[var.repeat][1]]
            if round_ == _REPAIR_ROUNDS - 1:
                redrawn = np.full(len(rows), None, dtype=object)
            elif var.kind is Kind.MULTI:
                redrawn = rng.choice(np.asarray(var.choice_names, dtype=object), size=len(rows))
            elif var.choices:  # try the choices in turn, so that each row meets every choice
                names = np.asarray(var.choice_names, dtype=object)
                redrawn = names[(rows + round_ + 1) % len(names)]
            elif var.kind is Kind.DATE:  # after today, then before it: "after" and "before" rules both pass
                sign = 1 if round_ % 2 == 0 else -1
                days = rng.integers(1, 366, len(rows))
                redrawn = np.array([today + dt.timedelta(days=sign * int(d)) for d in days], dtype=object)
            elif var.kind is Kind.STRING:  # text: try forms the constraint itself mentions, in turn
                samples = _text_samples(var.constraint.text)
                redrawn = np.array([samples[(r + round_) % len(samples)] for r in rows], dtype=object)
            else:
                redrawn = _values(var, len(rows), level_latent[rows], rng, None, today)
            column = np.array(columns[code], dtype=object)
            column[rows] = redrawn
            columns[code] = column
    return evaluation


_LITERAL = re.compile(r"(['\"])(.*?)\1")
_TEXTS = ("https://example.org/page", "test@example.org", "+7 900 000-00-01", "12345", "Текст", "A1")


def _text_samples(expression: str) -> list[str]:
    """Texts to try for a constrained text question: the literals of its constraint and around them."""
    literals = [
        m.group(2) for m in _LITERAL.finditer(expression) if m.group(2) and not m.group(2).startswith("^")
    ]
    samples = [form for lit in literals for form in (lit, f"{lit}example.org/1", f"example {lit}")]
    return samples + list(_TEXTS)


def _apply_choice_filters(
    form: Form,
    evaluation: Evaluation,
    main: dict[str, Any],
    repeats: dict[str, tuple[dict[str, Any], np.ndarray]],
    rng: np.random.Generator,
) -> bool:
    """Replace answers the choice filter does not offer with offered ones (or none). True if anything changed."""
    changed = False
    for var in form.variables.values():
        if var.choice_filter is None or var.calculation is not None:
            continue
        level = evaluation.levels[var.repeat]
        values = level.values[var.code]
        rows = np.flatnonzero(level.relevant[var.code] & ~empty_mask(values))
        if not rows.size:
            continue
        names = np.asarray(var.choice_names, dtype=object)
        k = len(names)
        offered = evaluation.choice_filter_mask(
            var, level, np.repeat(rows, k), list(np.tile(names, rows.size))
        )
        offered = np.asarray(offered, dtype=bool).reshape(rows.size, k)
        columns = main if var.repeat is None else repeats[var.repeat][0]
        column = np.array(columns[var.code], dtype=object)
        for i, row in enumerate(rows):
            chosen = str(values[row]).split()
            allowed = names[offered[i]]
            if all(c in allowed for c in chosen):
                continue
            if var.kind is Kind.MULTI:
                kept = [c for c in chosen if c in allowed]
                if not kept and allowed.size:
                    kept = [str(rng.choice(allowed))]
                column[row] = " ".join(kept) or None
            else:
                column[row] = str(rng.choice(allowed)) if allowed.size else None
            changed = True
        columns[var.code] = column
    return changed


def synthesize(
    questionnaire: Questionnaire | Form,
    n: int,
    rng: np.random.Generator,
    *,
    latent: np.ndarray | None = None,
    tilts: Mapping[str, Tilt] | None = None,
    repeat_sizes: Mapping[str, Callable[[np.ndarray, np.random.Generator], np.ndarray]] | None = None,
    today: dt.date | None = None,
) -> Synthetic:
    """``n`` synthetic interviews. Non-relevant answers are dropped and calculations computed by the
    engine, so the result obeys the questionnaire's skip logic. Constraints are the caller's business:
    tilts should produce valid values for constrained questions (the demo checks with validation)."""
    form = questionnaire if isinstance(questionnaire, Form) else compile_form(questionnaire)
    tilts = dict(tilts or {})
    latent = rng.random(n) if latent is None else np.asarray(latent, dtype=float)
    today = today or dt.date.today()
    main: dict[str, Any] = {}
    for var in form.variables_of(None):
        if var.calculation is None and var.question.type is not QuestionType.NOTE:
            main[var.code] = _values(var, n, latent, rng, tilts.get(var.code), today)
    repeats: dict[str, tuple[dict[str, Any], np.ndarray]] = {}
    for code in form.repeats:
        parent = form.repeat_parent[code]
        if parent is not None:
            continue  # nested repeats are left empty in synthetic data
        count_expr = form.repeat_count.get(code)
        if repeat_sizes and code in repeat_sizes:
            sizes = np.asarray(repeat_sizes[code](latent, rng), dtype=int)
        elif count_expr is not None and len(count_expr.references) == 1:
            (ref,) = count_expr.references
            sizes = np.nan_to_num(
                pd.to_numeric(pd.Series(main.get(ref, np.zeros(n))), errors="coerce").to_numpy()
            ).astype(int)
        else:
            sizes = rng.integers(0, 3, n)
        sizes = np.clip(sizes, 0, 20)
        parents = np.repeat(np.arange(n), sizes)
        m = len(parents)
        sub_latent = latent[parents]
        columns = {
            var.code: _values(var, m, sub_latent, rng, tilts.get(var.code), today)
            for var in form.variables_of(code)
            if var.calculation is None
        }
        repeats[code] = (columns, parents)
    evaluation = _satisfy_constraints(form, main, n, repeats, latent, rng, today)
    data = evaluation.canonical(None)
    data.attrs["form"] = form
    return Synthetic(data=data, repeats={code: evaluation.canonical(code) for code in repeats})
