"""What the checks read from the questionnaire, and the answers as small integer codes.

The roles of the questions are found from the questionnaire itself, never listed in code:

* **gates**: choice questions with a constraint (consent: only one answer lets the interview go on);
* **filters**: choice questions that another question's own relevance depends on (q1 "did you use the
  stand?" opens q2 "were you satisfied with it?");
* **substantive items**: choice questions that feed an indicator (``scoring: {indicators: [...]}``), or,
  when the questionnaire names none, every single-choice question that is neither a gate nor a filter;
* **open questions**: multi-line text questions;
* **comparable items** (near-duplicates): every choice or whole-number question outside repeats that is not
  a gate or a calculation.

:func:`relevance` gives the relevance of questions for every interview with the questionnaire's own engine,
evaluated once per distinct combination of the answers relevance depends on (a handful for the НОК anketa),
so a million interviews cost no more than a few.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from surveykit.expressions import Kind
from surveykit.questionnaire.compiled import Form, Variable
from surveykit.questionnaire.model import QuestionType

__all__ = ["FormItems", "choice_codes", "filter_questions", "form_items", "group_key", "relevance"]


def filter_questions(form: Form) -> dict[str, set[str]]:
    """Filter questions and their follow-ups: ``{code: follow-up codes}``. A filter is a choice question that
    another question's own relevance depends on; questions with a constraint (consent: only one answer
    lets the interview go on) are gates, not filters, and are left out."""
    follow_ups: dict[str, set[str]] = {}
    for code, var in form.variables.items():
        if var.question.relevant is None:
            continue
        own = var.relevant[-1]
        for ref in own.references:
            ref_var = form.variables.get(ref)
            if (
                ref_var is not None
                and ref_var.choices
                and ref_var.repeat is None
                and ref_var.constraint is None
            ):
                follow_ups.setdefault(ref, set()).add(code)
    return follow_ups


@dataclass(frozen=True)
class FormItems:
    """The roles of a questionnaire's questions for quality control (codes in questionnaire order)."""

    gates: tuple[str, ...]
    filters: dict[str, tuple[str, ...]]
    substantive: tuple[str, ...]
    scored: tuple[str, ...]  # substantive items that feed an indicator (may be empty)
    open: tuple[str, ...]
    comparable: tuple[str, ...]
    required: tuple[str, ...]  # answerable questions that must be answered when relevant
    missing_names: dict[str, frozenset[str]] = field(default_factory=dict)  # coded-missing choices


def _main_questions(form: Form) -> list[Variable]:
    return [
        v
        for v in form.variables_of(None)
        if v.calculation is None and v.question.type not in (QuestionType.NOTE,)
    ]


def form_items(form: Form, columns: Iterable[str] | None = None) -> FormItems:
    """The roles of the questions of ``form`` that are present in ``columns`` (default: all)."""
    present = set(columns) if columns is not None else set(form.variables)
    questions = [v for v in _main_questions(form) if v.code in present]
    filters = {
        code: tuple(sorted(f for f in follow if f in present))
        for code, follow in filter_questions(form).items()
        if code in present
    }
    gates = tuple(v.code for v in questions if v.choices and v.constraint is not None)
    single = [v for v in questions if v.choices and v.kind is not Kind.MULTI and v.code not in gates]
    scored = tuple(
        v.code
        for v in single
        if v.question.scoring is not None and v.question.scoring.indicators and v.code not in filters
    )
    substantive = scored or tuple(v.code for v in single if v.code not in filters)
    open_ = tuple(v.code for v in questions if v.question.type is QuestionType.TEXT and v.question.multiline)
    comparable = tuple(
        v.code for v in questions if v.code not in gates and (v.choices or v.kind is Kind.INTEGER)
    )
    required = tuple(v.code for v in questions if v.required is True and v.code not in gates)
    missing = {v.code: v.missing_names for v in questions if v.missing_names}
    return FormItems(
        gates=gates,
        filters=filters,
        substantive=substantive,
        scored=tuple(
            v.code for v in single if v.question.scoring is not None and v.question.scoring.indicators
        ),
        open=open_,
        comparable=comparable,
        required=required,
        missing_names=missing,
    )


def choice_codes(var: Variable | None, column: pd.Series) -> np.ndarray:
    """Answers as ``int32`` codes: ``-1`` unanswered, else the position of the choice in the list (single
    choice), or a code per distinct value (multiple choice, whole numbers, anything else)."""
    if var is not None and var.choices and var.kind is not Kind.MULTI:
        if isinstance(column.dtype, pd.CategoricalDtype) and list(column.cat.categories) == list(
            var.choice_names
        ):
            return column.cat.codes.to_numpy(dtype=np.int32)
        # anything that is not one of the choices (an import's stray code) reads as unanswered
        return pd.Index(var.choice_names).get_indexer(column.astype(object)).astype(np.int32)
    codes, _ = pd.factorize(column, use_na_sentinel=True)
    return codes.astype(np.int32)


def group_key(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One ``int64`` group number per row for the combination of integer code columns (``-1`` allowed),
    and the first row of each group. Mixed radix when it fits in 62 bits, else ``np.unique`` on rows."""
    n = len(columns[0]) if columns else 0
    if not columns:
        return np.zeros(n, dtype=np.int64), np.zeros(min(n, 1), dtype=np.int64)
    sizes = [int(c.max(initial=-1)) + 2 for c in columns]
    if float(np.prod([float(s) for s in sizes])) < 2.0**62:
        key = np.zeros(n, dtype=np.int64)
        for column, size in zip(columns, sizes, strict=True):
            key = key * size + (column.astype(np.int64) + 1)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    else:
        matrix = np.column_stack(columns)
        _, first, inverse = np.unique(matrix, axis=0, return_index=True, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), first.astype(np.int64)


def _dependency_closure(form: Form, codes: Iterable[str]) -> list[str]:
    """Variables whose values decide the relevance of ``codes`` (through calculations and their relevance)."""
    seen: set[str] = set()
    stack = [ref for code in codes for expr in form.variables[code].relevant for ref in expr.references]
    while stack:
        ref = stack.pop()
        if ref in seen or ref not in form.variables:
            continue
        seen.add(ref)
        stack.extend(form.variables[ref].dependencies())
    return [code for code in form.order if code in seen]


def relevance(form: Form, data: pd.DataFrame, codes: Sequence[str]) -> dict[str, np.ndarray]:
    """Whether each of ``codes`` (main-level questions) applies to each interview of ``data``, by the
    questionnaire's own relevance rules (group conditions included)."""
    from surveykit.questionnaire.validate import Evaluation

    codes = [c for c in codes if form.variables[c].repeat is None]
    inputs = [
        c for c in _dependency_closure(form, codes) if c in data.columns and form.variables[c].repeat is None
    ]
    n = len(data)
    if not inputs:
        group = np.zeros(n, dtype=np.int64)
        first = np.zeros(min(n, 1), dtype=np.int64)
    else:
        group, first = group_key([choice_codes(form.variables[c], data[c]) for c in inputs])
    if n == 0:
        return {c: np.zeros(0, dtype=bool) for c in codes}
    distinct = data.iloc[first]
    evaluation = Evaluation(
        form,
        {c: distinct[c].reset_index(drop=True) for c in inputs},
        len(first),
        report_not_relevant=False,
    )
    level = evaluation.levels[None]
    return {c: np.asarray(level.relevant[c], dtype=bool)[group] for c in codes}
