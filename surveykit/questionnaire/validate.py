"""Response validation: relevance, calculations and every check, for one interview or a whole table.

The same :class:`Evaluation` runs for one interview in the app (``n = 1``) and for 100,000 interviews in an
import: variables are evaluated in the form's dependency order, each at its level (the main table or a
repeat group), vectorised over all rows.

Semantics follow XLSForm: a question inside a non-relevant group, or with a false relevance condition, is
not asked and its value is dropped (an answer given to it anyway is reported); a calculation is computed
only where its question is relevant; ``required`` applies only to relevant questions; a constraint is
checked only when the question has a value. Problems are returned as a :class:`~surveykit.errors.Report`,
never raised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from surveykit.errors import ErrorCode, ExpressionError, Location, Report, Severity, Translated, did_you_mean
from surveykit.expressions import Context, Expression, Kind
from surveykit.i18n import pick, t
from surveykit.questionnaire.answer_input import check_answers
from surveykit.questionnaire.compiled import Form, Variable, compile_form, parse_attr
from surveykit.questionnaire.frame import (
    coerce,
    empty_mask,
    python_value,
    to_canonical,
    values_to_columns,
)
from surveykit.questionnaire.model import Questionnaire, QuestionType
from surveykit.questionnaire.names import META_COLUMNS  # columns of an interview table that are not questions

if TYPE_CHECKING:  # pandas loads with the first frame (canonical data, validate_frame): not for one interview
    import pandas as pd

__all__ = [
    "META_COLUMNS",
    "Evaluation",
    "ValidationResult",
    "evaluate",
    "validate_answers",
    "validate_frame",
]


_TYPE_WORDS = {
    Kind.INTEGER: (
        Translated(en="whole number", ru="целое число"),
        Translated(en="Enter digits only, e.g. 42.", ru="Введите только цифры, например 42."),
    ),
    Kind.DECIMAL: (
        Translated(en="number", ru="число"),
        Translated(en="Enter a number, e.g. 3.5.", ru="Введите число, например 3,5."),
    ),
    Kind.DATE: (
        Translated(en="date", ru="дата"),
        Translated(
            en="Enter a date as YYYY-MM-DD, e.g. 2026-03-01.",
            ru="Введите дату как ГГГГ-ММ-ДД или ДД.ММ.ГГГГ.",
        ),
    ),
    Kind.MULTI: (
        Translated(en="set of choices", ru="набор вариантов"),
        Translated(
            en="Separate choice names with spaces, e.g. 'a c'.",
            ru="Перечислите имена вариантов через пробел.",
        ),
    ),
    Kind.STRING: (Translated(en="text", ru="текст"), Translated(en="Enter text.", ru="Введите текст.")),
    Kind.TIME: (
        Translated(en="time of day", ru="время"),
        Translated(en="Enter a time as HH:MM, e.g. 14:30.", ru="Введите время как ЧЧ:ММ, например 14:30."),
    ),
    Kind.DATETIME: (
        Translated(en="date and time", ru="дата и время"),
        Translated(
            en="Enter a date and time as YYYY-MM-DD HH:MM, e.g. 2026-03-01 14:30.",
            ru="Введите дату и время как ГГГГ-ММ-ДД ЧЧ:ММ или ДД.ММ.ГГГГ ЧЧ:ММ.",
        ),
    ),
}
#: question types whose answers are text of a form of their own (see ``frame.parse_typed``)
_TYPE_WORDS_BY_QUESTION = {
    QuestionType.GEOPOINT: (
        Translated(en="geopoint", ru="координаты"),
        Translated(
            en="Enter latitude and longitude in degrees, e.g. 55.7558 37.6173.",
            ru="Введите широту и долготу в градусах, например 55.7558 37.6173.",
        ),
    ),
    **dict.fromkeys(
        (QuestionType.IMAGE, QuestionType.AUDIO, QuestionType.VIDEO, QuestionType.FILE),
        (
            Translated(en="stored file name", ru="имя сохранённого файла"),
            Translated(
                en="Upload the file in the interview app; an import gives the file's name without a folder.",
                ru="Загрузите файл в приложении интервью; при импорте укажите имя файла без папки.",
            ),
        ),
    ),
}


@dataclass
class _Level:
    """The rows of the main table (``repeat=None``) or of one repeat group."""

    repeat: str | None
    n: int
    parent: np.ndarray | None  # row in the parent level of each row (None for the main table)
    to_main: np.ndarray  # row in the main table of each row
    labels: list[str]  # how a row is named in messages
    values: dict[str, np.ndarray] = field(default_factory=dict)
    relevant: dict[str, np.ndarray] = field(default_factory=dict)


class Evaluation:
    """One pass over a form: coerced inputs, relevance, calculated values and problems, level by level."""

    def __init__(
        self,
        form: Form,
        main: Mapping[str, Any],
        n: int,
        repeats: Mapping[str, tuple[Mapping[str, Any], np.ndarray]] | None = None,
        *,
        labels: Sequence[str] | None = None,
        language: str | None = None,
        now: dt.datetime | None = None,
        report_not_relevant: bool = True,
    ) -> None:
        self.form = form
        self.language = language or form.questionnaire.default_language
        self.now = now or dt.datetime.now()
        self.report = Report()
        self.report_not_relevant = report_not_relevant
        self.levels: dict[str | None, _Level] = {}
        self._inputs: dict[str | None, Mapping[str, Any]] = {None: main}
        main_labels = list(labels) if labels is not None else [f"row {i + 1}" for i in range(n)]
        self.levels[None] = _Level(None, n, None, np.arange(n), main_labels)
        for code in form.repeats:  # document order: a parent repeat comes before its children
            columns, parent_rows = (repeats or {}).get(code, ({}, np.zeros(0, dtype=np.int64)))
            parent_level = self.levels[form.repeat_parent[code]]
            parent_rows = np.asarray(parent_rows, dtype=np.int64)
            counters: dict[int, int] = {}
            level_labels = []
            for p in parent_rows:
                counters[int(p)] = counters.get(int(p), 0) + 1
                level_labels.append(f"{parent_level.labels[p]}, {code}[{counters[int(p)]}]")
            self.levels[code] = _Level(
                code, len(parent_rows), parent_rows, parent_level.to_main[parent_rows], level_labels
            )
            self._inputs[code] = columns
        self._expr_cache: dict[tuple[int, str | None], np.ndarray] = {}
        self._run()

    # --- contexts -------------------------------------------------------------------------------------
    def _broadcast(self, code: str, level: _Level) -> np.ndarray:
        """Values of ``code`` (at ``level`` or one of its ancestors) aligned to the rows of ``level``."""
        owner = self.form.variables[code].repeat
        values = self.levels[owner].values[code]
        if owner == level.repeat:
            return values
        index = np.arange(level.n)
        current = level
        while current.repeat != owner:
            index = current.parent[index]
            current = self.levels[self.form.repeat_parent[current.repeat]]
        return values[index]

    def _context(
        self,
        expr: Expression,
        level: _Level,
        current: np.ndarray | None = None,
        current_kind=None,
        bare: Mapping[str, Any] | None = None,
    ) -> Context:
        values: dict[str, Any] = {}
        kinds: dict[str, Kind] = {}
        nodesets: dict[str, tuple[np.ndarray, Any]] = {}
        chain = set(self.form.repeat_chain(level.repeat)) | {None}
        for ref in expr.references:
            var = self.form.variables.get(ref)
            if var is None:
                continue  # reported at load time; the evaluator raises EXPR_UNKNOWN_REFERENCE if it matters
            kinds[ref] = var.kind
            if var.repeat in chain:
                values[ref] = self._broadcast(ref, level)
            else:
                nodesets[ref] = self._nodeset(ref, level)
        return Context(
            level.n,
            values,
            kinds,
            current=current,
            current_kind=current_kind,
            bare=bare,
            nodesets=nodesets,
            now=self.now,
        )

    def _nodeset(self, code: str, level: _Level) -> tuple[np.ndarray, np.ndarray]:
        """Values of a variable inside a repeat below ``level``, with the ``level`` row each belongs to."""
        owner = self.levels[self.form.variables[code].repeat]
        index = np.arange(owner.n)
        current = owner
        while current.repeat != level.repeat and current.parent is not None:
            index = current.parent[index]
            current = self.levels[self.form.repeat_parent[current.repeat]]
        return index, owner.values[code]

    def condition(self, expr: Expression, level: _Level) -> np.ndarray:
        """A boolean expression evaluated over the rows of ``level`` (cached for this pass)."""
        key = (id(expr), level.repeat)
        cached = self._expr_cache.get(key)
        if cached is None:
            cached = self._safe(expr, level, lambda: expr.evaluate(self._context(expr, level)).to_bool())
            self._expr_cache[key] = cached
        return cached

    def _safe(self, expr: Expression, level: _Level, fn, default=None):
        try:
            return fn()
        except ExpressionError as err:
            self.report.add(err.code, err.location.with_(path=err.location.path), **err.params)
            return np.zeros(level.n, dtype=bool) if default is None else default

    # --- the pass ---------------------------------------------------------------------------------------
    def _run(self) -> None:
        form = self.form
        for code in form.order:
            var = form.variables[code]
            level = self.levels[var.repeat]
            relevant = np.ones(level.n, dtype=bool)
            for expr in var.relevant:
                relevant &= self.condition(expr, level)
            level.relevant[code] = relevant
            if var.calculation is not None:
                level.values[code] = self._calculate(var, level, relevant)
            else:
                level.values[code] = self._input(var, level, relevant)
        for code in form.order:
            var = form.variables[code]
            self._check(var, self.levels[var.repeat])

    def _input(self, var: Variable, level: _Level, relevant: np.ndarray) -> np.ndarray:
        column = self._inputs[level.repeat].get(var.code)
        if column is None:
            return coerce(var, [None] * level.n, level.n).values
        result = coerce(var, column, level.n)
        values = result.values
        for i in np.flatnonzero(result.bad_type):
            word, fix = _TYPE_WORDS_BY_QUESTION.get(var.type) or _TYPE_WORDS[var.kind]
            self._problem(ErrorCode.ANSWER_WRONG_TYPE, var, level, i, value=result.raw[i], type=word, fix=fix)
        for i in np.flatnonzero(result.not_in_list):
            self._problem(
                ErrorCode.ANSWER_NOT_IN_LIST,
                var,
                level,
                i,
                value=result.raw[i],
                choices=", ".join(var.choice_names),
            )
        answered = ~empty_mask(values)
        dropped = answered & ~relevant
        if dropped.any():
            if self.report_not_relevant:
                condition = " and ".join(e.text for e in var.relevant)
                for i in np.flatnonzero(dropped):
                    self._problem(ErrorCode.ANSWER_NOT_RELEVANT, var, level, i, expression=condition)
            values = values.copy()
            values[dropped] = (
                np.nan
                if values.dtype.kind == "f"
                else (np.datetime64("NaT") if values.dtype.kind == "M" else None)
            )
        return values

    def _calculate(self, var: Variable, level: _Level, relevant: np.ndarray) -> np.ndarray:
        expr = var.calculation
        empty = coerce(var, [None] * level.n, level.n).values
        result = self._safe(expr, level, lambda: expr.evaluate(self._context(expr, level)), default=False)
        if result is False:
            return empty
        if var.kind in (Kind.INTEGER, Kind.DECIMAL):
            values = result.to_num().astype(float)
            values[~np.isfinite(values)] = np.nan
            if var.kind is Kind.INTEGER:
                values = np.trunc(values)
        elif var.kind in (Kind.DATE, Kind.TIME, Kind.DATETIME):
            values = coerce(var, result.to_str(), level.n).values
        else:
            texts = result.to_str()
            values = np.where(texts == "", None, texts).astype(object)
        if (~relevant).any():
            values = values.copy()
            values[~relevant] = empty[~relevant]
        given = self._inputs[level.repeat].get(var.code)
        if given is not None:
            self._compare_given(var, level, coerce(var, given, level.n), values)
        return values

    def _compare_given(self, var: Variable, level: _Level, given, computed: np.ndarray) -> None:
        """A calculated value supplied in the input must equal the calculation (it is replaced either way)."""
        supplied = ~empty_mask(given.values) | given.bad_type
        for i in np.flatnonzero(supplied):
            expected = python_value(var, computed, i)
            value = python_value(var, given.values, i) if not given.bad_type[i] else given.raw[i]
            if value != expected:
                self.report.add(
                    ErrorCode.ANSWER_CALCULATION_DIFFERS,
                    Location(row=int(level.to_main[i]) + 1, field=var.code, path=level.labels[i]),
                    Severity.WARNING,
                    value=value,
                    expression=var.calculation.text,
                    expected=expected,
                )

    def _check(self, var: Variable, level: _Level) -> None:
        q = var.question
        values = level.values[var.code]
        relevant = level.relevant[var.code]
        empty = empty_mask(values)
        if var.required is not False and var.calculation is None:
            required = (
                relevant.copy() if var.required is True else relevant & self.condition(var.required, level)
            )
            missing = required & empty
            message = pick(q.required_message, self.language, self.form.questionnaire.default_language)
            message = message or t("validation.required", self.language)
            for i in np.flatnonzero(missing):
                self._problem(ErrorCode.ANSWER_REQUIRED, var, level, i, message=message)
        answered = relevant & ~empty
        if not answered.any():
            return
        if var.constraint is not None and var.calculation is None:
            expr = var.constraint
            failed = self.constraint_failures(var.code)
            if failed.any():
                message = pick(q.constraint_message, self.language, self.form.questionnaire.default_language)
                message = message or t("validation.constraint", self.language, expression=expr.text)
                for i in np.flatnonzero(failed):
                    self._problem(
                        ErrorCode.ANSWER_CONSTRAINT, var, level, i, message=message, expression=expr.text
                    )
        if var.kind in (Kind.INTEGER, Kind.DECIMAL) and (q.min is not None or q.max is not None):
            low = -np.inf if q.min is None else q.min
            high = np.inf if q.max is None else q.max
            outside = answered & ((values < low) | (values > high))
            for i in np.flatnonzero(outside):
                self._problem(
                    ErrorCode.ANSWER_OUT_OF_RANGE,
                    var,
                    level,
                    i,
                    value=_num_text(values[i]),
                    min=_num_text(q.min),
                    max=_num_text(q.max),
                )
        if var.choice_filter is not None:
            self._check_filter(var, level, values, answered)

    def constraint_failures(self, code: str) -> np.ndarray:
        """Rows (of the variable's level) where it is relevant, answered, and its constraint is false."""
        var = self.form.variables[code]
        level = self.levels[var.repeat]
        values = level.values[code]
        answered = level.relevant[code] & ~empty_mask(values)
        if var.constraint is None or var.calculation is not None or not answered.any():
            return np.zeros(level.n, dtype=bool)
        expr = var.constraint
        ok = self._safe(
            expr,
            level,
            lambda: expr.evaluate(
                self._context(expr, level, current=values, current_kind=var.kind)
            ).to_bool(),
        )
        return answered & ~ok

    def _check_filter(self, var: Variable, level: _Level, values: np.ndarray, answered: np.ndarray) -> None:
        rows = np.flatnonzero(answered)
        pairs_row: list[int] = []
        pairs_name: list[str] = []
        for i in rows:
            names = str(values[i]).split() if var.kind is Kind.MULTI else [str(values[i])]
            pairs_row.extend([i] * len(names))
            pairs_name.extend(names)
        if not pairs_row:
            return
        allowed = self.choice_filter_mask(var, level, np.asarray(pairs_row), pairs_name)
        for i, name, ok in zip(pairs_row, pairs_name, allowed, strict=True):
            if not ok:
                self._problem(
                    ErrorCode.ANSWER_FILTERED_CHOICE,
                    var,
                    level,
                    i,
                    value=name,
                    expression=var.choice_filter.text,
                )

    def choice_filter_mask(
        self, var: Variable, level: _Level, rows: np.ndarray, names: Sequence[str]
    ) -> np.ndarray:
        """For each (row, choice name) pair: whether the choice filter offers that choice in that row."""
        expr = var.choice_filter
        by_name = {c.name: c for c in var.choices}
        columns = {k for c in var.choices for k in c.attributes}
        bare: dict[str, Any] = {"name": np.asarray(names, dtype=object)}
        bare["label"] = np.asarray(
            [pick(by_name[n].label, self.language) if n in by_name else "" for n in names], dtype=object
        )
        for col in columns:
            bare[col] = np.asarray(
                [by_name[n].attributes.get(col, "") if n in by_name else "" for n in names], dtype=object
            )
        sub = _Level(level.repeat, len(rows), None, level.to_main[rows], [level.labels[r] for r in rows])
        for ref in expr.references:
            if ref in self.form.variables:
                sub.values[ref] = (
                    self._broadcast(ref, level)[rows]
                    if self.form.variables[ref].repeat in (set(self.form.repeat_chain(level.repeat)) | {None})
                    else None
                )
        values = {r: v for r, v in sub.values.items() if v is not None}
        kinds = {r: self.form.variables[r].kind for r in values}
        ctx = Context(len(rows), values, kinds, bare=bare, now=self.now)
        return self._safe(expr, sub, lambda: expr.evaluate(ctx).to_bool())

    def _problem(self, code: ErrorCode, var: Variable, level: _Level, i: int, **params: Any) -> None:
        location = Location(row=int(level.to_main[i]) + 1, field=var.code, path=level.labels[i])
        self.report.add(code, location, Severity.ERROR, **params)

    # --- results ------------------------------------------------------------------------------------------
    def item_relevant(self, code: str, row: int = 0) -> bool:
        """Whether a question, note or group applies in ``row`` of the main table: its enclosing groups'
        conditions and its own (a variable's relevance is known directly; notes and groups are evaluated)."""
        variable = self.form.variables.get(code)
        if variable is not None:
            return bool(self.levels[variable.repeat].relevant[code][row])
        q = self.form.questionnaire
        main = self.levels[None]
        for element in (*q.parents(code), q.item(code)):
            expr = parse_attr(element.relevant, element.code, "relevant")
            if expr is not None and not self.condition(expr, main)[row]:
                return False
        return True

    def python_answers(self, row: int = 0) -> dict[str, Any]:
        """Row ``row`` of the main table as Python values, with repeat instances as lists of dicts."""
        main = self.levels[None]
        answers = {
            code: python_value(var, main.values[code], row)
            for code, var in self.form.variables.items()
            if var.repeat is None
        }
        for code in self.form.repeats:
            if self.form.repeat_parent[code] is None:
                answers[code] = self._instances(code, row)
        return answers

    def _instances(self, repeat: str, parent_row: int) -> list[dict[str, Any]]:
        level = self.levels[repeat]
        rows = np.flatnonzero(level.parent == parent_row)
        out = []
        for r in rows:
            item = {v.code: python_value(v, level.values[v.code], r) for v in self.form.variables_of(repeat)}
            for child, parent in self.form.repeat_parent.items():
                if parent == repeat:
                    item[child] = self._instances(child, r)
            out.append(item)
        return out

    def canonical(self, repeat: str | None = None) -> pd.DataFrame:
        import pandas as pd

        level = self.levels[repeat]
        data = {v.code: to_canonical(v, level.values[v.code]) for v in self.form.variables_of(repeat)}
        frame = pd.DataFrame(data, index=pd.RangeIndex(level.n))
        if repeat is not None:
            frame.insert(0, "_parent", level.parent)
            frame.insert(1, "_index", _instance_numbers(level.parent))
        return frame


def _instance_numbers(parent: np.ndarray) -> np.ndarray:
    import pandas as pd

    return pd.Series(parent).groupby(parent).cumcount().to_numpy() + 1


def _num_text(value: float | None) -> str:
    if value is None:
        return "…"
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass
class ValidationResult:
    """What validation found, and the cleaned data: typed values, calculated values filled in, and the
    values of non-relevant questions dropped."""

    report: Report
    evaluation: Evaluation

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def data(self) -> pd.DataFrame:
        return self.evaluation.canonical(None)

    @property
    def repeats(self) -> dict[str, pd.DataFrame]:
        return {code: self.evaluation.canonical(code) for code in self.evaluation.form.repeats}

    def relevant(self, code: str, row: int = 0) -> bool:
        """Whether a question, matrix row, note or group applies (row of the main table)."""
        return self.evaluation.item_relevant(code, row)

    def answers(self, row: int = 0) -> dict[str, Any]:
        return self.evaluation.python_answers(row)

    def rows_with_errors(self) -> np.ndarray:
        rows = sorted({p.location.row - 1 for p in self.report.errors if p.location.row is not None})
        return np.asarray(rows, dtype=np.int64)


def _form(questionnaire: Questionnaire | Form) -> Form:
    return questionnaire if isinstance(questionnaire, Form) else compile_form(questionnaire)


def evaluate(
    questionnaire: Questionnaire | Form,
    answers: Mapping[str, Any],
    *,
    language: str | None = None,
    now: dt.datetime | None = None,
    report_not_relevant: bool = True,
) -> Evaluation:
    """Evaluate one interview given as ``{code: value, repeat_code: [{...}, ...]}``."""
    form = _form(questionnaire)
    main_columns = {
        code: [answers.get(code)] for code in form.variables if form.variables[code].repeat is None
    }
    repeats: dict[str, tuple[dict[str, list[Any]], np.ndarray]] = {}

    def collect(repeat: str, instances_by_parent: list[tuple[int, Any]]) -> None:
        rows: list[Mapping[str, Any]] = []
        parents: list[int] = []
        for parent_row, instances in instances_by_parent:
            for instance in instances or []:
                rows.append(instance if isinstance(instance, Mapping) else {})
                parents.append(parent_row)
        columns, _ = values_to_columns(form, rows, repeat)
        repeats[repeat] = (columns, np.asarray(parents, dtype=np.int64))
        for child, parent in form.repeat_parent.items():
            if parent == repeat:
                collect(child, [(i, r.get(child)) for i, r in enumerate(rows)])

    for code, parent in form.repeat_parent.items():
        if parent is None:
            collect(code, [(0, answers.get(code))])
    return Evaluation(
        form,
        main_columns,
        1,
        repeats,
        labels=["interview"],
        language=language,
        now=now,
        report_not_relevant=report_not_relevant,
    )


def validate_answers(
    questionnaire: Questionnaire | Form,
    answers: Mapping[str, Any],
    *,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> ValidationResult:
    """Validate one interview. Unknown codes are reported (SK406) and ignored; values that are no answer
    (bytes, mappings, NaN, broken text ...; SK410-SK414, :mod:`~surveykit.questionnaire.answer_input`) are
    reported and left out of the evaluation."""
    form = _form(questionnaire)
    report = Report(subject=form.questionnaire.key)
    answers = check_answers(form, answers, report)
    evaluation = evaluate(form, answers, language=language, now=now)
    known = set(form.variables) | set(form.repeats) | set(META_COLUMNS)
    for code in answers:
        if code not in known:
            report.add(
                ErrorCode.ANSWER_UNKNOWN_QUESTION,
                Location(field=code),
                code=code,
                suggestion=did_you_mean(code, form.variables),
            )
    report.extend(evaluation.report)
    return ValidationResult(report, evaluation)


def validate_frame(
    questionnaire: Questionnaire | Form,
    frame: pd.DataFrame,
    *,
    repeats: Mapping[str, pd.DataFrame] | None = None,
    labels: Sequence[str] | None = None,
    language: str | None = None,
    now: dt.datetime | None = None,
    extra_columns: Sequence[str] = (),
) -> ValidationResult:
    """Validate many interviews at once (vectorised). ``frame`` has one column per variable (plus meta
    columns); repeat groups come as frames with a ``_parent`` column (0-based row of the parent frame).
    Problems are located by ``row`` (1-based row of ``frame``) and ``field`` (the column)."""
    form = _form(questionnaire)
    report = Report(subject=form.questionnaire.key)
    known = set(form.variables) | set(META_COLUMNS) | set(extra_columns)
    for column in frame.columns:
        if str(column) not in known:
            report.add(
                ErrorCode.ANSWER_UNKNOWN_QUESTION,
                Location(field=str(column)),
                code=str(column),
                suggestion=did_you_mean(str(column), form.variables),
            )
    main = {
        code: frame[code]
        for code in form.variables
        if code in frame.columns and form.variables[code].repeat is None
    }
    repeat_inputs: dict[str, tuple[dict[str, Any], np.ndarray]] = {}
    for code, table in (repeats or {}).items():
        if code not in form.repeats:
            report.add(
                ErrorCode.ANSWER_UNKNOWN_QUESTION,
                Location(sheet=code),
                code=code,
                suggestion=did_you_mean(code, form.repeats),
            )
            continue
        if "_parent" not in table.columns:
            report.add(
                ErrorCode.IMPORT_COLUMN_MISSING,
                Location(sheet=code),
                column="_parent",
                reason="linking instances to their interview",
            )
            continue
        columns = {c: table[c] for c in table.columns if c in form.variables}
        repeat_inputs[code] = (columns, table["_parent"].to_numpy(dtype=np.int64))
    evaluation = Evaluation(form, main, len(frame), repeat_inputs, labels=labels, language=language, now=now)
    report.extend(evaluation.report)
    return ValidationResult(report, evaluation)
