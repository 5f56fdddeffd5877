"""One interview validated value by value: the submit path, without arrays or frames.

:func:`~surveykit.questionnaire.validate.validate_answers` runs the vectorised :class:`Evaluation` with one row,
and every step of it (coercion, masks, checks) pays numpy's and pandas' overhead for a single value: most of
a submission's time. :func:`check_interview` walks the same steps for one interview in plain Python, with the
same rules from the same homes: values are read by the scalar readers of :mod:`surveykit.questionnaire.frame`
(``_number``, ``_to_date``, ``parse_typed`` ...), expressions are evaluated by the one expression engine on a
one-row context, messages come from the same catalog with the same parameters and locations, in the same
order. The vectorised path stays for batches (imports, synthetic data), and
``tests/questionnaire/test_validate_one.py`` checks that both agree (outcome, problems, cleaned values, content
hash) on generated interviews, valid and invalid. It needs numpy (the expression engine's arrays) but never
pandas: the interview app submits without loading it (issue 17, ``tests/apps/test_lean_imports.py``).

Forms with repeat groups are validated by the vectorised path (:func:`check_interview` returns None for them):
their nested instances and node-set functions are what the arrays are for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from surveykit.errors import ErrorCode, ExpressionError, Location, Report, Severity, did_you_mean
from surveykit.expressions import Context, Expression, Kind
from surveykit.i18n import pick, t
from surveykit.questionnaire.answer_input import check_answers
from surveykit.questionnaire.compiled import Form, Variable
from surveykit.questionnaire.frame import (
    _TEXTUAL,
    _day,
    _is_choice,
    _multi_names,
    _number,
    _to_date,
    _to_text,
    _typed_question,
    is_missing,
    parse_typed,
)
from surveykit.questionnaire.names import META_COLUMNS
from surveykit.questionnaire.validate import _TYPE_WORDS, _TYPE_WORDS_BY_QUESTION  # the words of one catalog

__all__ = ["CheckedInterview", "check_interview", "python_answer"]

_LABEL = "interview"  # how the one row is named in messages, as validate_answers names it
_NAT = np.datetime64("NaT", "D")


@dataclass
class CheckedInterview:
    """What :func:`check_interview` found: the problems, and the cleaned working values of every variable
    (numbers as float with NaN, dates as ``datetime64[D]`` with NaT, everything else as text or None:
    the values :mod:`surveykit.questionnaire.frame` calls working values), calculations filled in and answers
    to questions that do not apply dropped."""

    report: Report
    values: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.report.ok


def _empty(var: Variable) -> Any:
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        return np.nan
    if var.kind is Kind.DATE:
        return _NAT
    return None


def _is_empty(var: Variable, value: Any) -> bool:
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        return value != value  # NaN
    if var.kind is Kind.DATE:
        return bool(np.isnat(value))
    return value is None or value == ""


def _present(raw: Any) -> bool:
    """The input holds something (the rule of ``frame.coerce``: not missing, not blank text)."""
    if isinstance(raw, str):
        return raw.strip() != ""
    if isinstance(raw, (list, tuple, set, frozenset, dict, np.ndarray)):
        return True
    return not is_missing(raw)


def _coerce(var: Variable, raw: Any) -> tuple[Any, bool, bool]:
    """One input value as the variable's working value, and whether it was of a wrong type / not in the list
    (``frame.coerce`` for one value)."""
    if not _present(raw):
        return _empty(var), False, False
    kind = var.kind
    if kind in (Kind.INTEGER, Kind.DECIMAL):
        number = _number(raw)
        if number != number:
            return np.nan, True, False
        if kind is Kind.INTEGER and float(np.floor(number)) != number:
            return np.nan, True, False
        return number, False, False
    if kind is Kind.DATE:
        parsed = _to_date(raw)
        return (_NAT, True, False) if parsed is None else (np.datetime64(parsed, "D"), False, False)
    typed = _typed_question(var)
    if typed is not None:
        parsed = parse_typed(typed, raw)
        return (None, True, False) if parsed is None else (parsed, False, False)
    if kind is Kind.MULTI:
        order = {name: i for i, name in enumerate(var.choice_names)}
        names = _multi_names(raw)
        if names is None:
            return None, True, False
        if order and any(name not in order for name in names):
            return None, False, True
        if not names:
            return None, False, False
        return " ".join(sorted(set(names), key=lambda x: order.get(x, len(order)))), False, False
    if not isinstance(raw, _TEXTUAL) or (isinstance(raw, str) and "\0" in raw):
        return None, True, False
    text = _to_text(raw)
    if _is_choice(var) and text not in var.choice_names:
        return None, False, True
    return text, False, False


def _array(var: Variable, value: Any, n: int = 1) -> np.ndarray:
    """A working value as the ``n``-row working array the expression engine reads."""
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        return np.full(n, value, dtype=float)
    if var.kind is Kind.DATE:
        return np.full(n, value, dtype="datetime64[D]")
    return np.full(n, value, dtype=object)


def python_answer(var: Variable, value: Any) -> Any:
    """A working value as a Python value (``frame.python_value`` for one value)."""
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        if value != value:
            return None
        return int(value) if var.kind is Kind.INTEGER else float(value)
    if var.kind is Kind.DATE:
        return None if np.isnat(value) else _day(value)
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if var.kind is Kind.MULTI:
        return frozenset(str(value).split())
    return value


def _num_text(value: float | None) -> str:
    if value is None:
        return "…"
    return str(int(value)) if float(value).is_integer() else str(value)


class _One:
    """The pass of :class:`~surveykit.questionnaire.validate.Evaluation` over one interview of a form
    without repeat groups, value by value (same order of steps, so the same problems in the same order)."""

    def __init__(self, form: Form, inputs: Mapping[str, Any], language: str | None, now: dt.datetime | None):
        self.form = form
        self.language = language or form.questionnaire.default_language
        self.now = now or dt.datetime.now()
        self.report = Report()
        self.inputs = inputs
        self.values: dict[str, Any] = {}
        self.relevant: dict[str, bool] = {}
        self._conditions: dict[int, bool] = {}
        for code in form.order:
            var = form.variables[code]
            relevant = True
            for expr in var.relevant:  # every condition is evaluated, as the vectorised pass does
                relevant = self.condition(expr) and relevant
            self.relevant[code] = relevant
            if var.calculation is not None:
                self.values[code] = self._calculate(var, relevant)
            else:
                self.values[code] = self._input(var, relevant)
        for code in form.order:
            self._check(form.variables[code])

    # --- expressions ------------------------------------------------------------------------------------
    def _context(
        self, expr: Expression, n: int = 1, current: np.ndarray | None = None, current_kind: Any = None,
        bare: Mapping[str, Any] | None = None,
    ) -> Context:  # fmt: skip
        values: dict[str, Any] = {}
        kinds: dict[str, Kind] = {}
        for ref in expr.references:
            var = self.form.variables.get(ref)
            if var is None:
                continue
            kinds[ref] = var.kind
            values[ref] = _array(var, self.values[ref], n)
        return Context(n, values, kinds, current=current, current_kind=current_kind, bare=bare, now=self.now)

    def _safe(self, fn: Any, default: Any) -> Any:
        try:
            return fn()
        except ExpressionError as err:
            self.report.add(err.code, err.location.with_(path=err.location.path), **err.params)
            return default

    def condition(self, expr: Expression) -> bool:
        cached = self._conditions.get(id(expr))
        if cached is None:
            cached = bool(self._safe(lambda: expr.evaluate(self._context(expr)).to_bool()[0], default=False))
            self._conditions[id(expr)] = cached
        return cached

    # --- the pass ---------------------------------------------------------------------------------------
    def _input(self, var: Variable, relevant: bool) -> Any:
        raw = self.inputs.get(var.code)
        value, bad_type, not_in_list = _coerce(var, raw)
        if bad_type:
            word, fix = _TYPE_WORDS_BY_QUESTION.get(var.type) or _TYPE_WORDS[var.kind]
            self._problem(ErrorCode.ANSWER_WRONG_TYPE, var, value=raw, type=word, fix=fix)
        if not_in_list:
            self._problem(ErrorCode.ANSWER_NOT_IN_LIST, var, value=raw, choices=", ".join(var.choice_names))
        if not relevant and not _is_empty(var, value):
            self._problem(
                ErrorCode.ANSWER_NOT_RELEVANT, var, expression=" and ".join(e.text for e in var.relevant)
            )
            value = _empty(var)
        return value

    def _calculate(self, var: Variable, relevant: bool) -> Any:
        expr = var.calculation
        result = self._safe(lambda: expr.evaluate(self._context(expr)), default=False)
        if result is False:
            return _empty(var)
        if var.kind in (Kind.INTEGER, Kind.DECIMAL):
            value = float(result.to_num().astype(float)[0])
            value = value if np.isfinite(value) else np.nan
            if var.kind is Kind.INTEGER:
                value = float(np.trunc(value))
        elif var.kind in (Kind.DATE, Kind.TIME, Kind.DATETIME):
            value = _coerce(var, result.to_str()[0])[0]
        else:
            text = result.to_str()[0]
            value = None if text == "" else text
        if not relevant:
            value = _empty(var)
        given, bad_type, _ = _coerce(var, self.inputs.get(var.code))
        if bad_type or not _is_empty(var, given):  # a supplied calculated value must equal the calculation
            expected = python_answer(var, value)
            supplied = self.inputs.get(var.code) if bad_type else python_answer(var, given)
            if supplied != expected:
                self.report.add(
                    ErrorCode.ANSWER_CALCULATION_DIFFERS,
                    Location(row=1, field=var.code, path=_LABEL),
                    Severity.WARNING,
                    value=supplied,
                    expression=expr.text,
                    expected=expected,
                )
        return value

    def _check(self, var: Variable) -> None:
        q = var.question
        value = self.values[var.code]
        relevant = self.relevant[var.code]
        empty = _is_empty(var, value)
        if var.required is not False and var.calculation is None:
            required = relevant if var.required is True else self.condition(var.required) and relevant
            if required and empty:
                message = pick(q.required_message, self.language, self.form.questionnaire.default_language)
                message = message or t("validation.required", self.language)
                self._problem(ErrorCode.ANSWER_REQUIRED, var, message=message)
        if not relevant or empty:
            return
        if var.constraint is not None and var.calculation is None:
            expr = var.constraint
            ok = self._safe(
                lambda: expr.evaluate(
                    self._context(expr, current=_array(var, value), current_kind=var.kind)
                ).to_bool()[0],
                default=False,
            )
            if not ok:
                message = pick(q.constraint_message, self.language, self.form.questionnaire.default_language)
                message = message or t("validation.constraint", self.language, expression=expr.text)
                self._problem(ErrorCode.ANSWER_CONSTRAINT, var, message=message, expression=expr.text)
        if var.kind in (Kind.INTEGER, Kind.DECIMAL) and (q.min is not None or q.max is not None):
            low = -np.inf if q.min is None else q.min
            high = np.inf if q.max is None else q.max
            if value < low or value > high:
                self._problem(
                    ErrorCode.ANSWER_OUT_OF_RANGE,
                    var,
                    value=_num_text(value),
                    min=_num_text(q.min),
                    max=_num_text(q.max),
                )
        if var.choice_filter is not None:
            self._check_filter(var, value)

    def _check_filter(self, var: Variable, value: Any) -> None:
        names = str(value).split() if var.kind is Kind.MULTI else [str(value)]
        if not names:
            return
        expr = var.choice_filter
        by_name = {c.name: c for c in var.choices}
        bare: dict[str, Any] = {"name": np.asarray(names, dtype=object)}
        bare["label"] = np.asarray(
            [pick(by_name[n].label, self.language) if n in by_name else "" for n in names], dtype=object
        )
        for column in {k for c in var.choices for k in c.attributes}:
            bare[column] = np.asarray(
                [by_name[n].attributes.get(column, "") if n in by_name else "" for n in names], dtype=object
            )
        context = self._context(expr, len(names), bare=bare)
        allowed = self._safe(lambda: expr.evaluate(context).to_bool(), default=np.zeros(len(names), bool))
        for name, ok in zip(names, allowed, strict=True):
            if not ok:
                self._problem(
                    ErrorCode.ANSWER_FILTERED_CHOICE, var, value=name, expression=var.choice_filter.text
                )

    def _problem(self, code: ErrorCode, var: Variable, **params: Any) -> None:
        self.report.add(code, Location(row=1, field=var.code, path=_LABEL), Severity.ERROR, **params)


def check_interview(
    form: Form,
    answers: Mapping[str, Any],
    *,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> CheckedInterview | None:
    """Validate one interview of a form without repeat groups, value by value (None for a form with repeat
    groups: use :func:`~surveykit.questionnaire.validate.validate_answers`). The problems and the cleaned
    values are those ``validate_answers`` finds."""
    if form.repeats:
        return None
    report = Report(subject=form.questionnaire.key)
    answers = check_answers(form, answers, report)
    known = set(form.variables) | set(form.repeats) | set(META_COLUMNS)
    for code in answers:
        if code not in known:
            report.add(
                ErrorCode.ANSWER_UNKNOWN_QUESTION,
                Location(field=code),
                code=code,
                suggestion=did_you_mean(code, form.variables),
            )
    one = _One(form, answers, language, now)
    report.extend(one.report)
    return CheckedInterview(report, one.values)
