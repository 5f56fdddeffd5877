"""Importing existing data: SPSS, Stata, CSV or Excel files, and KoboToolbox/ODK exports, mapped onto a
questionnaire, validated by the engine, and written to the store all or nothing.

Mapping rules (one home; ``docs/exchange.md`` explains them for users):

1. ``--map old=new`` renames file columns first.
2. A column is a meta field of the store's import format (``interview_id``, ``institution_id``, ``mode``,
   ``started_at`` ...), a variable of the questionnaire (by its code, regardless of case; a form read from
   XLSForm also accepts the original XLSForm names kept in ``metadata["xlsform_names"]``), a 0/1 dummy of a
   multiple choice in surveykit's export naming (``services_meals``), or a key of a repeat table
   (``interview_id``, ``<repeat>_index``). With ``kobo=True`` also: group paths (``group/q1``, ODK ``group-q1``),
   Kobo dummies ``group/q/choice``, Kobo/ODK meta columns (``_uuid`` -> interview_id, ``_submission_time``
   -> submitted_at, ``start`` -> started_at), and their bookkeeping columns, which are skipped.
   Anything else is reported (SK701, with "did you mean").
3. A single-choice value is read as, in order: a choice name; a choice label in any language of the
   questionnaire (case-insensitive); a numeric code of the choice list (``value``, else the position); for
   SPSS/Stata, a code whose value label in the file equals a choice label; a Stata extended missing value
   (``.a``) as surveykit writes them. A value that matches none is kept as it is and validation reports it.
   A multiple choice is space- (or comma-, semicolon-) separated choice names or codes, or its dummies.
4. The mapped data is validated with :func:`~surveykit.questionnaire.validate.validate_frame`; every problem
   is reported with the file's own row number (the header is row 1 in CSV and Excel; the case number in
   SPSS and Stata), the sheet and the file's column name.
5. Only a file without errors is written, through :meth:`Store.import_responses` in one transaction; the
   store adds its own checks (institutions, interviewers, certificates) and reports them in the same terms.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from surveykit.errors import (
    DataImportError,
    ErrorCode,
    Location,
    Problem,
    Report,
    Severity,
    Translated,
    did_you_mean,
)
from surveykit.exchange import kobo as kb
from surveykit.exchange.metadata import EXPORT_META, ExportMetadata, Role, build_metadata
from surveykit.exchange.readers import DeclaredMissing, SourceTable, read_source
from surveykit.expressions import Kind
from surveykit.questionnaire.compiled import Form, Variable, compile_form
from surveykit.questionnaire.model import Questionnaire, QuestionType
from surveykit.questionnaire.names import name_problem, suggest_name
from surveykit.questionnaire.validate import ValidationResult, validate_frame
from surveykit.store.importer import IMPORT_META

if TYPE_CHECKING:
    from surveykit.store import Store

__all__ = ["ImportOutcome", "import_file", "parse_column_map", "read_import"]

#: meta fields the store's import accepts
STORE_META = IMPORT_META
#: ``Questionnaire.metadata`` key of the original names of renamed variables (``{code: name in the file}``),
#: written by :func:`surveykit.exchange.infer.infer_questionnaire`; the import accepts the original names
SOURCE_NAMES = "source_names"
#: sheets of a surveykit Excel export that hold the codebook, not data
CODEBOOK_SHEETS = frozenset({"codebook", "values", "mr_sets", "renamed"})
_TRUE = frozenset({"1", "1.0", "true", "yes", "y", "да", "x"})
_FALSE = frozenset({"0", "0.0", "false", "no", "n", "нет"})
_INTEGER = re.compile(r"^[-+]?\d+(?:\.0+)?$")
_TOKENS = re.compile(r"[\s,;]+")
_INSTANCE = re.compile(r"([^\s,\[\]]+)\[(\d+)\]")


def _tr(en: str, ru: str) -> Translated:
    return Translated(en=en, ru=ru)


_LABEL_MATCH = Translated(en="its header is the question's text", ru="заголовок — текст вопроса")


@dataclass
class _Column:
    kind: Literal["meta", "variable", "dummy", "key", "link", "ignore"]
    target: str
    choice: str | None = None


@dataclass
class _Level:
    """One table of the import mapped onto one level of the form (the interviews or a repeat group)."""

    repeat: str | None
    source: SourceTable
    columns: dict[str, _Column] = field(default_factory=dict)
    values: dict[str, np.ndarray] = field(default_factory=dict)  # variable code or meta field -> values
    column_of: dict[str, str] = field(default_factory=dict)  # variable code / meta field -> file column
    label_headers: int = 0  # columns matched by their question text (Kobo "Labels" export)
    parent: np.ndarray | None = None  # row of the parent level
    order: np.ndarray | None = None  # the level's rows in validation order (by parent, then instance)

    @property
    def n(self) -> int:
        return len(self.source.frame)


@dataclass
class ImportOutcome:
    """What an import found and did: the report (every problem by file, sheet, row and column), the mapped
    and validated data, and what the store wrote (nothing on a dry run or when there are errors)."""

    questionnaire: str
    file: str
    report: Report
    rows: int
    validation: ValidationResult | None = None
    dry_run: bool = False
    imported: int = 0
    duplicates: int = 0
    interview_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def data(self) -> pd.DataFrame | None:
        """The cleaned canonical frame (validation's view of the file)."""
        return None if self.validation is None else self.validation.data

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire": self.questionnaire,
            "file": self.file,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "problems": self.report.to_dicts(),
        }


def parse_column_map(items: Sequence[str] | Mapping[str, str] | None) -> dict[str, str]:
    """``["old=new", ...]`` (the CLI's --map) or a mapping -> ``{old: new}``; a malformed item raises SK904."""
    if items is None:
        return {}
    if isinstance(items, Mapping):
        return {str(k): str(v) for k, v in items.items()}
    out: dict[str, str] = {}
    for item in items:
        old, sep, new = str(item).partition("=")
        if not sep or not old.strip() or not new.strip():
            raise DataImportError(
                ErrorCode.OPTION_CONFLICT,
                Location(field="--map"),
                detail=f"--map {item!r} is not OLD=NEW",
                fix="Write for example --map Q1_age=age",
            )
        out[old.strip()] = new.strip()
    return out


# --- the mapper -------------------------------------------------------------------------------------------------
class _Mapper:
    def __init__(self, form: Form, *, kobo: bool, column_map: Mapping[str, str], report: Report) -> None:
        self.form = form
        self.kobo = kobo
        self.column_map = dict(column_map)
        self.report = report
        self.metadata: ExportMetadata = build_metadata(form, meta_columns=EXPORT_META)
        names = dict(form.questionnaire.metadata.get("xlsform_names") or {})
        names.update(_mapping(form.questionnaire.metadata.get(SOURCE_NAMES)))
        self.old_names = {str(old): str(new) for new, old in names.items()}
        self.lower = {code.lower(): code for code in form.variables}
        self.matched: list[tuple[str, str, Translated]] = []  # (column, code, why) found by a looser rule
        self._label_index: dict[str | None, dict[str, tuple[str, str | None] | None]] = {}
        self._labels: dict[str, dict[str, str]] = {}
        self._letters: dict[str | None, dict[str, dict[str, int]]] = {}

    # which column is what
    def variable(self, repeat: str | None, name: str) -> str | None:
        code = (
            name if name in self.form.variables else self.old_names.get(name) or self.lower.get(name.lower())
        )
        if code is not None and code in self.form.variables and self.form.variables[code].repeat == repeat:
            return code
        return None

    def resolve(self, repeat: str | None, column: str) -> _Column | None:
        name = self.column_map.get(column, column).strip()
        table = self.metadata.tables.get(repeat)
        if table is not None:
            for var in table.variables:
                if var.name.lower() != name.lower():
                    continue
                if var.role is Role.KEY:
                    return _Column("meta", var.source) if repeat is None else _Column("key", var.name)
                if var.role is Role.DUMMY:
                    return _Column("dummy", var.source, var.choice)
        if repeat is None and name in STORE_META:
            return _Column("meta", name)
        if repeat is None and name == "weight":
            return _Column("ignore", "weight")
        code = self.variable(repeat, name)
        if code is not None:
            return _Column("variable", code)
        found = self.loosely(repeat, name)
        if found is not None:
            return found
        if not self.kobo:
            return None
        if name in kb.META:
            return _Column("meta", kb.META[name]) if repeat is None else _Column("link", name)
        if name in kb.LINK_COLUMNS:
            return _Column("link", name)
        if name in kb.IGNORED:
            return _Column("ignore", name)
        for sep in kb.SEPARATORS:
            if sep not in name:
                continue
            parts = [p for p in name.split(sep) if p]
            code = self.variable(repeat, parts[-1]) if parts else None
            if code is not None:
                return _Column("variable", code)
            if len(parts) >= 2:
                question = self.variable(repeat, parts[-2])
                if question is not None and self.form.variables[question].kind is Kind.MULTI:
                    choice = parts[-1]
                    if choice in self.form.variables[question].choice_names:
                        return _Column("dummy", question, choice)
        return None

    def loosely(self, repeat: str | None, name: str) -> _Column | None:
        """A column that is not a variable name: a name SPSS/Stata or surveykit cannot use as it is (``str``,
        a name of 64 characters, ``Q 1``) cleaned the way questionnaire codes are; or a question text as
        header (KoboToolbox's default "Labels" export). Each match is reported (SK715, SK714)."""
        if name_problem(name) is not None:
            code = self.variable(repeat, suggest_name(name))
            if code is not None:
                self.matched.append(
                    (name, code, _tr("cleaned as a variable name", "очищено как имя переменной"))
                )
                return _Column("variable", code)
        target = self.by_label(repeat, name)
        if target is not None:
            code, choice = target
            self.matched.append((name, code, _LABEL_MATCH))
            return _Column("dummy", code, choice) if choice is not None else _Column("variable", code)
        return None

    def by_label(self, repeat: str | None, header: str) -> tuple[str, str | None] | None:
        """``(code, None)`` for a header that is a question's text, ``(code, choice)`` for "question text/choice
        text" (a Kobo dummy); a group path ("group text/question text") is matched by its last parts. Texts
        two questions share match nothing."""
        index = self._label_index.get(repeat)
        if index is None:
            index = {}

            def put(key: str, target: tuple[str, str | None]) -> None:
                key = _norm(key)
                if key:
                    index[key] = None if key in index and index[key] != target else target

            for var in self.form.variables_of(repeat):
                texts = list(var.question.label.values())
                if var.row is not None:
                    texts = [f"{q} — {r}" for q in texts for r in var.row.label.values()] + list(
                        var.row.label.values()
                    )
                for text in texts:
                    put(text, (var.code, None))
                    if var.kind is Kind.MULTI:
                        for choice in var.choices:
                            for label in choice.label.values():
                                put(f"{text}/{label}", (var.code, choice.name))
            self._label_index[repeat] = index
        parts = [p for p in header.split("/") if p.strip()]
        for start in range(len(parts)):
            target = index.get(_norm("/".join(parts[start:])))
            if target is not None:
                return target
        return None

    def candidates(self, repeat: str | None) -> list[str]:
        table = self.metadata.tables.get(repeat)
        names = [v.name for v in table.variables] if table is not None else []
        return [
            *names,
            *(STORE_META if repeat is None else ()),
            *(v.code for v in self.form.variables_of(repeat)),
        ]

    # values
    def stata_letters(self, var: Variable) -> dict[str, int]:
        """Extended missing letter -> missing code, as :meth:`ExportMetadata.view` assigns them."""
        if var.repeat not in self._letters:
            letters = self.metadata.view("dta", var.repeat).stata_letters
            self._letters[var.repeat] = {
                code: {letter: c for c, letter in mapping.items()} for code, mapping in letters.items()
            }
        return self._letters[var.repeat].get(var.code, {})

    def label_index(self, var: Variable) -> dict[str, str]:
        """Choice labels in every language (case-folded) -> choice name; labels two choices share are left out."""
        cached = self._labels.get(var.code)
        if cached is not None:
            return cached
        index: dict[str, str] = {}
        clashes: set[str] = set()
        for choice in var.choices:
            for text in choice.label.values():
                key = str(text).strip().casefold()
                if key in index and index[key] != choice.name:
                    clashes.add(key)
                index[key] = choice.name
        for key in clashes:
            index.pop(key, None)
        self._labels[var.code] = index
        return index

    def choice_name(self, var: Variable, value: Any, value_labels: Mapping[Any, str] | None) -> Any:
        """A file value -> choice name (rule 3); a value that matches nothing is returned unchanged."""
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        by_code = {code: name for name, code in var.choice_values.items()}
        if isinstance(value, (bool, np.bool_)):
            return "yes" if value else "no"
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if text in var.choice_names:
                return text
            name = self.label_index(var).get(text.casefold())
            if name is not None:
                return name
            if _INTEGER.match(text) and int(float(text)) in by_code:
                return by_code[int(float(text))]
            if value_labels and text in value_labels:  # e.g. a Stata ".a" labelled "Don't know"
                name = self.label_index(var).get(str(value_labels[text]).strip().casefold())
                if name is not None:
                    return name
            code = self.stata_letters(var).get(text)  # ".a", ".b" as surveykit writes missing codes
            return by_code.get(code, text) if code is not None else text
        if isinstance(value, (int, float, np.integer, np.floating)):
            number = float(value)
            if number.is_integer():
                code = int(number)
                if code in by_code:
                    return by_code[code]
                if value_labels:
                    label = value_labels.get(code, value_labels.get(number))
                    if label is not None:
                        name = self.label_index(var).get(str(label).strip().casefold())
                        if name is not None:
                            return name
                return str(code)
            return str(value)
        return value

    def map_choices(
        self, var: Variable, raw: np.ndarray, value_labels: Mapping[Any, str] | None
    ) -> np.ndarray:
        """Vectorised over distinct values."""
        keys = np.array([_hashable(v) for v in raw], dtype=object)
        codes, uniques = pd.factorize(keys, use_na_sentinel=True)
        if var.kind is Kind.MULTI:
            mapped = [self._multi(var, u, value_labels) for u in uniques]
        else:
            mapped = [self.choice_name(var, u, value_labels) for u in uniques]
        table = np.array([*mapped, None], dtype=object)
        return table[np.where(codes < 0, len(uniques), codes)]

    def _multi(self, var: Variable, value: Any, value_labels: Mapping[Any, str] | None) -> Any:
        if value is None:
            return None
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            tokens: list[Any] = [value]
        else:
            tokens = [t for t in _TOKENS.split(str(value).strip()) if t]
        names = [str(self.choice_name(var, t, value_labels)) for t in tokens]
        return " ".join(names) if names else None


def _norm(text: str) -> str:
    """A header or label compared loosely: case, spaces and surrounding punctuation ignored."""
    return " ".join(str(text).casefold().split()).strip(" :.?*")


def _mapping(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def _hashable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (list, dict, set)):
        return str(value)
    return value


def _flag(value: Any) -> float | None:
    """A 0/1 dummy cell: 1.0, 0.0, NaN when empty, None when unreadable."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, (bool, np.bool_)):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value) if float(value) in (0.0, 1.0) else None
    text = str(value).strip().casefold()
    if text == "":
        return np.nan
    if text in _TRUE:
        return 1.0
    if text in _FALSE:
        return 0.0
    return None


# --- reading and mapping -----------------------------------------------------------------------------------------
def _choose_tables(
    tables: list[SourceTable], form: Form, mapper: _Mapper, sheet: str | None, report: Report
) -> tuple[SourceTable, dict[str, SourceTable]]:
    """The interviews table and the repeat tables of a workbook (by sheet name)."""
    by_name = {t.sheet: t for t in tables if t.sheet is not None}
    if sheet is not None:
        if sheet not in by_name:
            raise DataImportError(
                ErrorCode.XLSFORM_SHEET_MISSING,
                Location(file=tables[0].file if tables else None),
                sheet=sheet,
            )
        main = by_name[sheet]
    else:
        main = next((t for t in tables if (t.sheet or "").lower() in ("interviews", "data")), tables[0])
    repeat_names: dict[str, str] = {}
    for code in form.repeats:
        repeat_names[code.lower()] = code
        repeat_names[code[:31].lower()] = code
    for old, new in mapper.old_names.items():
        if new in form.repeats:
            repeat_names[old.lower()] = new
            repeat_names[old[:31].lower()] = new
    repeats: dict[str, SourceTable] = {}
    for table in tables:
        if table is main or table.sheet is None:
            continue
        code = repeat_names.get(table.sheet.lower())
        if code is not None:
            repeats[code] = table
        elif table.sheet.lower() not in CODEBOOK_SHEETS:
            report.add(
                ErrorCode.ANSWER_UNKNOWN_QUESTION,
                table.location(),
                Severity.WARNING,
                code=table.sheet,
                suggestion=did_you_mean(table.sheet, form.repeats),
            )
    return main, repeats


def _map_level(
    level: _Level,
    mapper: _Mapper,
    report: Report,
    *,
    drop: frozenset[str] = frozenset(),
    ignore_unknown: bool = False,
) -> None:
    """Columns -> meta fields and variables; values -> choice names; dummies -> multiple choices.

    ``drop``: file columns left out (reported, SK711); ``ignore_unknown``: columns matching nothing are left
    out with a note (SK711) instead of an error (SK701)."""
    frame = level.source.frame
    dummies: dict[str, list[tuple[str, str]]] = {}
    meta_priority: dict[str, int] = {}
    for column in frame.columns:
        if str(column) in drop:
            report.add(
                ErrorCode.IMPORT_COLUMN_LEFT_OUT,
                level.source.location(column=str(column)),
                Severity.INFO,
                column=str(column),
                reason=_tr("named by --drop", "указан в --drop"),
                fix=_tr("Remove it from --drop to import it.", "Уберите его из --drop, чтобы импортировать."),
            )
            continue
        mapper.matched.clear()
        resolved = mapper.resolve(level.repeat, str(column))
        if resolved is None:
            suggestion = did_you_mean(str(column), mapper.candidates(level.repeat))
            if ignore_unknown:
                report.add(
                    ErrorCode.IMPORT_COLUMN_LEFT_OUT,
                    level.source.location(column=str(column)),
                    Severity.INFO,
                    column=str(column),
                    reason=_tr(
                        f"it matches no question{suggestion} (--ignore-unknown)",
                        f"он не соответствует ни одному вопросу{suggestion} (--ignore-unknown)",
                    ),
                    fix=_tr(
                        "Map it with --map COLUMN=CODE to import it.",
                        "Сопоставьте его параметром --map СТОЛБЕЦ=КОД, чтобы импортировать.",
                    ),
                )
            else:
                report.add(
                    ErrorCode.IMPORT_COLUMN_UNKNOWN,
                    level.source.location(column=str(column)),
                    column=str(column),
                    suggestion=suggestion,
                )
            continue
        for name, code, why in mapper.matched:
            if why is _LABEL_MATCH:
                level.label_headers += 1
            else:
                report.add(
                    ErrorCode.IMPORT_COLUMN_MATCHED,
                    level.source.location(column=name),
                    Severity.INFO,
                    column=name,
                    code=code,
                    reason=why,
                )
        level.columns[str(column)] = resolved
        raw = frame[column].to_numpy(dtype=object)
        if resolved.kind == "ignore" and resolved.target == "weight":
            report.add(
                ErrorCode.IMPORT_VALUE_INVALID,
                level.source.location(column=str(column)),
                Severity.WARNING,
                detail=_tr("weights are not stored with interviews", "веса не хранятся вместе с интервью"),
                fix=_tr("Keep the weights in a separate file.", "Храните веса в отдельном файле."),
            )
        elif resolved.kind == "meta":
            rank = list(kb.META).index(str(column)) if str(column) in kb.META else -1
            if resolved.target in meta_priority and meta_priority[resolved.target] <= rank:
                continue  # e.g. `end` when `_submission_time` filled submitted_at already
            meta_priority[resolved.target] = rank
            values = np.array([_meta_value(resolved.target, v) for v in raw], dtype=object)
            level.values[resolved.target] = values
            level.column_of[resolved.target] = str(column)
        elif resolved.kind == "variable":
            var = mapper.form.variables[resolved.target]
            if resolved.target in level.values:
                continue  # the same variable twice (e.g. `q1` and `group/q1`): the first wins
            labels = level.source.value_labels.get(str(column))
            if var.choices and var.kind in (Kind.STRING, Kind.MULTI):
                values = mapper.map_choices(var, raw, labels)
            else:
                values = np.array([_answer_value(var, v) for v in raw], dtype=object)
            declared = level.source.missing.get(str(column))
            if declared:
                values = _declared_missing(level, str(column), var, raw, values, declared, labels, report)
            level.values[resolved.target] = values
            level.column_of[resolved.target] = str(column)
        elif resolved.kind == "dummy":
            dummies.setdefault(resolved.target, []).append((str(column), str(resolved.choice)))
        elif resolved.kind in ("key", "link"):
            level.values[f"@{resolved.target}"] = np.array([_plain(v) for v in raw], dtype=object)
    for code, columns in dummies.items():
        if code in level.values:
            continue  # the whole-answer column wins over its dummies
        level.values[code] = _from_dummies(level, mapper.form.variables[code], columns, report)
        level.column_of[code] = _common_prefix([c for c, _ in columns])


def _answer_value(var: Variable, value: Any) -> Any:
    """A cell of a question without choices, as validation reads it: a time of day or a date-time in a text
    question becomes its ISO text (``10:30:00``, ``2026-02-01T10:30:00``)."""
    value = _plain(value)
    if var.kind is Kind.STRING and isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if var.kind is Kind.DATE and isinstance(value, dt.datetime):
        return value.date()
    return value


def _declared_missing(
    level: _Level,
    column: str,
    var: Variable,
    raw: np.ndarray,
    values: np.ndarray,
    declared: DeclaredMissing,
    labels: Mapping[Any, str] | None,
    report: Report,
) -> np.ndarray:
    """Values the file declares missing (SPSS user-missing, Stata ``.a``-``.z``) that are not a choice of the
    question are no answer, never "not one of the choices" or "not a number"; each distinct value is
    reported once with its count (SK712): a warning for a question with choices (the code is lost unless
    the list gets a missing choice for it), a note for numbers, texts and dates, which have no coded
    missing values."""
    names = set(var.choice_names)
    counts: dict[Any, int] = {}
    out = values.copy()
    for i, value in enumerate(raw):
        if not declared.covers(value):
            continue
        mapped = values[i]
        if names and mapped is not None and all(t in names for t in str(mapped).split()):
            continue  # the missing code is a choice of the question (e.g. dk = 98 flagged missing)
        out[i] = None
        key = _hashable(value)
        counts[key] = counts.get(key, 0) + 1
    for value, count in counts.items():
        label = labels.get(value) if labels else None
        shown = (
            f".{value}"
            if isinstance(value, str) and len(value) == 1 and level.source.format == "dta"
            else _number_text(value)
        )
        shown = f"{shown} ({label!r})" if label else shown
        if names:
            list_name = var.question.choice_list_name or ""
            if isinstance(value, str):
                keep = _tr(
                    f"a choice with missing: true labelled {label!r}"
                    if label
                    else "a choice with missing: true, and label the value in the file with the choice's text",
                    f"вариант с missing: true и меткой {label!r}"
                    if label
                    else "вариант с missing: true, а в файле дайте значению метку с текстом варианта",
                )
            else:
                keep = _tr(
                    f"a choice with value {_number_text(value)} and missing: true",
                    f"вариант со значением {_number_text(value)} и missing: true",
                )
            report.add(
                ErrorCode.IMPORT_DECLARED_MISSING,
                level.source.location(column=column),
                Severity.WARNING,
                count=count,
                value=shown,
                column=column,
                reading=_tr(
                    f"they match no choice of '{var.code}' and are read as no answer",
                    f"они не совпадают ни с одним вариантом «{var.code}» и читаются как отсутствие ответа",
                ),
                fix=_tr(
                    f"To keep them, add to the list '{list_name}' {keep['en']}.",
                    f"Чтобы сохранить их, добавьте в список «{list_name}» {keep['ru']}.",
                ),
            )
        else:
            report.add(
                ErrorCode.IMPORT_DECLARED_MISSING,
                level.source.location(column=column),
                Severity.INFO,
                count=count,
                value=shown,
                column=column,
                reading=_tr("they are read as no answer", "они читаются как отсутствие ответа"),
                fix=_tr(
                    f"Questions of type {var.type.value} have no coded missing values; to keep the codes, make "
                    "it a question with a choice list.",
                    f"У вопросов типа {var.type.value} нет кодов пропуска; чтобы сохранить коды, сделайте его "
                    "вопросом со списком вариантов.",
                ),
            )
    return out


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _from_dummies(level: _Level, var: Variable, columns: list[tuple[str, str]], report: Report) -> np.ndarray:
    frame = level.source.frame
    order = {name: i for i, name in enumerate(var.choice_names)}
    columns = sorted(columns, key=lambda c: order.get(c[1], len(order)))
    flags = np.full((level.n, len(columns)), np.nan)
    for j, (column, _choice) in enumerate(columns):
        declared = level.source.missing.get(column)
        for i, value in enumerate(frame[column].to_numpy(dtype=object)):
            flag = _flag(value)
            if flag is None and declared and declared.covers(value):
                flag = np.nan  # a declared missing value in a dummy: not answered
            if flag is None:
                report.add(
                    ErrorCode.IMPORT_VALUE_INVALID,
                    level.source.location(int(level.source.rows[i]), column),
                    detail=_tr(
                        f"{value!r} is neither 1 (selected) nor 0", f"{value!r} — не 1 (отмечено) и не 0"
                    ),
                    fix=_tr(
                        "Write 1 or 0, or leave the cell empty.",
                        "Запишите 1 или 0 либо оставьте ячейку пустой.",
                    ),
                )
                flags[i, j] = np.nan
            else:
                flags[i, j] = flag
    out = np.full(level.n, None, dtype=object)
    choices = [c for _, c in columns]
    for i in range(level.n):
        chosen = [choices[j] for j in range(len(columns)) if flags[i, j] == 1.0]
        out[i] = " ".join(chosen) if chosen else None
    nothing = int((flags == 0.0).all(axis=1).sum()) if len(columns) else 0
    if nothing:
        report.add(
            ErrorCode.IMPORT_VALUE_INVALID,
            level.source.location(column=_common_prefix([c for c, _ in columns])),
            Severity.INFO,
            detail=_tr(
                f"{nothing} row(s) have every 0/1 column of '{var.code}' at 0: a multiple choice with nothing "
                "chosen is no answer here, and exports write its 0/1 columns empty",
                f"в строках ({nothing}) все столбцы 0/1 вопроса «{var.code}» равны 0: вопрос с несколькими "
                "ответами без выбранного варианта здесь — отсутствие ответа, и выгрузки запишут его столбцы 0/1 "
                "пустыми",
            ),
            fix=_tr(
                "If 'none of these' is an answer, add it as a choice (e.g. none) and set it in those rows.",
                "Если «ничего из перечисленного» — это ответ, добавьте такой вариант (например, none) и "
                "отметьте его в этих строках.",
            ),
        )
    return out


def _common_prefix(columns: list[str]) -> str:
    if len(columns) == 1:
        return columns[0]
    prefix = columns[0]
    for column in columns[1:]:
        while not column.startswith(prefix):
            prefix = prefix[:-1]
    return (prefix.rstrip("/-_") or columns[0]) + "…"


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    return value


def _meta_value(field_name: str, value: Any) -> Any:
    value = _plain(value)
    if value is None:
        return None
    if field_name == "interview_id":
        return kb.instance_id(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if isinstance(value, str) else str(value)


# --- linking repeat rows to their parents ------------------------------------------------------------------------
def _link(level: _Level, parent: _Level, mapper: _Mapper, report: Report) -> bool:
    """Fill ``level.parent`` and ``level.order``; False (with SK702) when the table cannot be linked."""
    values = level.values
    table = mapper.metadata.tables[level.repeat]
    keys = [v.name for v in table.variables if v.role is Role.KEY]
    own_key, outer_keys = keys[-1], keys[:-1]
    parent_row: np.ndarray | None = None
    described = ""
    if "@_parent_index" in values and "@_index" in parent.values:
        lookup = {_key(v): i for i, v in enumerate(parent.values["@_index"])}
        parent_row = np.array([lookup.get(_key(v), -1) for v in values["@_parent_index"]], dtype=np.int64)
        described = "_parent_index"
    elif "@PARENT_KEY" in values:
        own = parent.values.get("@KEY", parent.values.get("interview_id"))
        if own is not None:
            lookup = {kb.instance_id(v): i for i, v in enumerate(own) if v is not None}
            parent_row = np.array(
                [lookup.get(kb.instance_id(v), -1) if v is not None else -1 for v in values["@PARENT_KEY"]],
                dtype=np.int64,
            )
            described = "PARENT_KEY"
    elif outer_keys and all(f"@{k}" in values for k in outer_keys):
        if parent.repeat is None:
            parent_keys = [(_key(v),) for v in parent.values.get("interview_id", [None] * parent.n)]
        else:
            parent_keys = _key_tuples(parent, outer_keys)
        lookup = {k: i for i, k in enumerate(parent_keys)}
        mine = zip(*(values[f"@{k}"] for k in outer_keys), strict=True)
        parent_row = np.array([lookup.get(tuple(_key(v) for v in row), -1) for row in mine], dtype=np.int64)
        described = ", ".join(outer_keys)
    elif "@_submission__uuid" in values and parent.repeat is None and "interview_id" in parent.values:
        lookup = {_key(v): i for i, v in enumerate(parent.values["interview_id"])}
        parent_row = np.array([lookup.get(_key(v), -1) for v in values["@_submission__uuid"]], dtype=np.int64)
        described = "_submission__uuid"
    if parent_row is None:
        report.add(
            ErrorCode.IMPORT_COLUMN_MISSING,
            level.source.location(column=outer_keys[0] if outer_keys else "interview_id"),
            column=outer_keys[0] if outer_keys else "interview_id",
            reason=_tr(
                f"linking the rows of '{level.repeat}' to their interview",
                f"связи строк «{level.repeat}» с их интервью",
            ),
        )
        return False
    for i in np.flatnonzero(parent_row < 0):
        report.add(
            ErrorCode.IMPORT_VALUE_INVALID,
            level.source.location(int(level.source.rows[i]), described.split(",")[0]),
            detail=_tr(
                f"this row of '{level.repeat}' refers to a parent row that is not in the file ({described})",
                f"эта строка «{level.repeat}» ссылается на отсутствующую в файле строку ({described})",
            ),
            fix=_tr("Correct the key, or remove the row.", "Исправьте ключ или удалите строку."),
        )
    instance = values.get(f"@{own_key}")
    if instance is None:
        instance = values.get("@_index")
    number = (
        pd.to_numeric(pd.Series(instance, dtype=object), errors="coerce").to_numpy(dtype=float)
        if instance is not None
        else np.arange(level.n, dtype=float)
    )
    number = np.where(np.isnan(number), np.arange(level.n), number)
    linked = np.flatnonzero(parent_row >= 0)
    order = linked[np.lexsort((np.arange(len(linked)), number[linked], parent_row[linked]))]
    level.parent = parent_row
    level.order = order
    return True


def _key(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None if value is None else str(value).strip()


def _key_tuples(level: _Level, keys: Sequence[str]) -> list[tuple[Any, ...]]:
    return [tuple(_key(v) for v in row) for row in zip(*(level.values[f"@{k}"] for k in keys), strict=True)]


# --- validation and locating problems ---------------------------------------------------------------------------
class _Locator:
    """Turns validation locations (main row, instance path) into the file's sheet, row and column."""

    def __init__(self, levels: Mapping[str | None, _Level], form: Form) -> None:
        self.levels = levels
        self.form = form
        self.instances: dict[tuple[int, tuple[int, ...]], tuple[str, int]] = {}
        self.validation_rows: dict[str | None, np.ndarray] = {}
        numbering: dict[str | None, list[tuple[int, tuple[int, ...]]]] = {None: []}
        main = levels[None]
        numbering[None] = [(i, ()) for i in range(main.n)]
        for code in form.repeats:
            level = levels.get(code)
            parent_code = form.repeat_parent[code]
            if level is None or level.order is None or parent_code not in numbering:
                continue
            parent_numbers = numbering[parent_code]
            parent_order = self.validation_order(parent_code)
            position = {int(r): k for k, r in enumerate(parent_order)}
            counters: dict[int, int] = {}
            mine: list[tuple[int, tuple[int, ...]]] = []
            for row in level.order:
                p = position.get(int(level.parent[row]), -1)
                if p < 0:
                    continue
                counters[p] = counters.get(p, 0) + 1
                main_row, chain = parent_numbers[p]
                key = (main_row, (*chain, counters[p]))
                self.instances[key] = (code, int(row))
                mine.append(key)
            numbering[code] = mine

    def validation_order(self, repeat: str | None) -> np.ndarray:
        level = self.levels[repeat]
        if repeat is None:
            return np.arange(level.n)
        order = level.order if level.order is not None else np.arange(0)
        parent_order = self.validation_order(self.form.repeat_parent[repeat])
        position = {int(r): k for k, r in enumerate(parent_order)}
        return np.array([r for r in order if int(level.parent[r]) in position], dtype=np.int64)

    def locate(self, problem: Problem) -> Location:
        loc = problem.location
        code = loc.field
        var = self.form.variables.get(code or "")
        main = self.levels[None]
        if loc.row is None:
            return main.source.location(column=main.column_of.get(code or "", code))
        main_row = loc.row - 1
        if var is not None and var.repeat is not None:
            chain = tuple(int(n) for _, n in _INSTANCE.findall(loc.path or ""))
            found = self.instances.get((main_row, chain))
            if found is not None:
                repeat, row = found
                level = self.levels[repeat]
                return level.source.location(int(level.source.rows[row]), level.column_of.get(code, code))
        file_row = int(main.source.rows[main_row]) if 0 <= main_row < main.n else None
        return main.source.location(file_row, main.column_of.get(code or "", code))


def _validate(
    form: Form, levels: dict[str | None, _Level], report: Report, language: str | None
) -> ValidationResult:
    main = levels[None]
    locator = _Locator(levels, form)
    main_frame = pd.DataFrame(
        {code: values for code, values in main.values.items() if code in form.variables},
        index=pd.RangeIndex(main.n),
    )
    repeats: dict[str, pd.DataFrame] = {}
    for code in form.repeats:
        level = levels.get(code)
        if level is None or level.order is None:
            continue
        rows = locator.validation_order(code)
        parent_order = locator.validation_order(form.repeat_parent[code])
        position = {int(r): k for k, r in enumerate(parent_order)}
        data: dict[str, Any] = {
            "_parent": np.array([position[int(level.parent[r])] for r in rows], dtype=np.int64)
        }
        for var in form.variables_of(code):
            if var.code in level.values:
                data[var.code] = level.values[var.code][rows]
        repeats[code] = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    result = validate_frame(form, main_frame, repeats=repeats, labels=[""] * main.n, language=language)
    for problem in result.report.problems:
        report.problems.append(
            Problem(problem.code, locator.locate(problem), problem.severity, problem.params)
        )
    return result


def _duplicates(main: _Level, report: Report) -> None:
    ids = main.values.get("interview_id")
    if ids is None:
        return
    seen: dict[str, list[int]] = {}
    for i, value in enumerate(ids):
        if value:
            seen.setdefault(str(value), []).append(i)
    for value, rows in seen.items():
        if len(rows) > 1:
            file_rows = [int(main.source.rows[i]) for i in rows]
            report.add(
                ErrorCode.IMPORT_DUPLICATE_KEY,
                main.source.location(file_rows[0], main.column_of.get("interview_id", "interview_id")),
                key="interview_id",
                value=value,
                rows=", ".join(map(str, file_rows)),
            )


# --- the public functions ------------------------------------------------------------------------------------------
def _form_of(questionnaire: Questionnaire | Form) -> Form:
    return questionnaire if isinstance(questionnaire, Form) else compile_form(questionnaire)


def read_import(
    path: str | Path,
    questionnaire: Questionnaire | Form,
    *,
    kobo: bool = False,
    column_map: Mapping[str, str] | Sequence[str] | None = None,
    repeats: Mapping[str, str | Path] | None = None,
    sheet: str | None = None,
    format: str | None = None,
    language: str | None = None,
    drop: Sequence[str] = (),
    ignore_unknown: bool = False,
    encoding: str | None = None,
) -> ImportOutcome:
    """Read, map and validate a file without touching any database: the report of every problem and the
    validated data (``outcome.data``, ``outcome.validation.repeats``). ``repeats``: files holding repeat
    groups (``{"relatives": "out_relatives.sav"}``); a workbook's repeat sheets are found by name;
    ``sheet``: the sheet of the interviews (default: "interviews", "data" or the first). ``drop``: columns
    to leave out; ``ignore_unknown``: leave out columns that match no question (both reported as notes,
    SK711). ``encoding``: of a CSV file (default: detected and reported)."""
    options = _Options(frozenset(drop), ignore_unknown, encoding)
    return _read(path, _form_of(questionnaire), kobo, column_map, repeats, sheet, format, language, options)[
        0
    ]


@dataclass(frozen=True)
class _Options:
    drop: frozenset[str] = frozenset()
    ignore_unknown: bool = False
    encoding: str | None = None


def _read(
    path: str | Path,
    form: Form,
    kobo: bool,
    column_map: Mapping[str, str] | Sequence[str] | None,
    repeats: Mapping[str, str | Path] | None,
    sheet: str | None,
    format: str | None,
    language: str | None,
    options: _Options = _Options(),
) -> tuple[ImportOutcome, dict[str | None, _Level]]:
    path = Path(path)
    report = Report(subject=str(path))
    mapper = _Mapper(form, kobo=kobo, column_map=parse_column_map(column_map), report=report)
    language = language if language in form.questionnaire.languages else None
    tables = read_source(path, format=format, encoding=options.encoding)
    main_table, repeat_tables = _choose_tables(tables, form, mapper, sheet, report)
    for code, repeat_path in (repeats or {}).items():
        if code not in form.repeats:
            report.add(
                ErrorCode.ANSWER_UNKNOWN_QUESTION,
                Location(file=str(repeat_path)),
                code=code,
                suggestion=did_you_mean(code, form.repeats),
            )
            continue
        repeat_tables[code] = read_source(repeat_path, encoding=options.encoding)[0]
    used = [main_table, *repeat_tables.values()]
    for table in used:
        report.extend(table.problems)
    _check_drop(options.drop, used, report)
    levels: dict[str | None, _Level] = {None: _Level(None, main_table)}
    _map_level(levels[None], mapper, report, drop=options.drop, ignore_unknown=options.ignore_unknown)
    for code in form.repeats:  # parents first
        table = repeat_tables.get(code)
        parent_code = form.repeat_parent[code]
        if table is None or parent_code not in levels:
            continue
        level = _Level(code, table)
        _map_level(level, mapper, report, drop=options.drop, ignore_unknown=options.ignore_unknown)
        if _link(level, levels[parent_code], mapper, report):
            levels[code] = level
    _label_headers([levels[None], *(lv for c, lv in levels.items() if c is not None)], report, kobo)
    _duplicates(levels[None], report)
    validation = _validate(form, levels, report, language)
    report.problems.sort(
        key=lambda p: (p.severity is not Severity.ERROR and p.location.row is None, _order(p))
    )
    outcome = ImportOutcome(form.questionnaire.key, str(path), report, levels[None].n, validation)
    return outcome, levels


def _check_drop(drop: frozenset[str], tables: Sequence[SourceTable], report: Report) -> None:
    """A --drop name that is no column of the file is an error (a typo would otherwise drop nothing)."""
    columns = {str(c) for t in tables for c in t.frame.columns}
    for name in sorted(drop - columns):
        report.add(
            ErrorCode.OPTION_CONFLICT,
            Location(file=tables[0].file if tables else None, field="--drop"),
            detail=_tr(
                f"--drop names '{name}', which is not a column of the file{did_you_mean(name, columns)}",
                f"--drop называет «{name}», но такого столбца в файле нет{did_you_mean(name, columns)}",
            ),
            fix=_tr(
                "Write the column as the file's header has it.",
                "Запишите столбец так, как в заголовке файла.",
            ),
        )


#: a header that reads as a question text rather than a variable name (spaces, a question mark, non-Latin)
_TEXT_HEADER = re.compile(r"\s|\?|[^\x00-\x7f]")


def _label_headers(levels: Sequence[_Level], report: Report, kobo: bool) -> None:
    """KoboToolbox's default export has question texts as headers ("Labels"): columns matched by their text
    are noted once per table; a Kobo export (``kobo``, or one where some headers matched by text) whose
    unmatched columns mostly look like texts is refused with the export setting to choose (SK714)."""
    for level in levels:
        unknown = [
            p.location.field or ""
            for p in report.problems
            if p.code is ErrorCode.IMPORT_COLUMN_UNKNOWN
            and p.location.file == level.source.file
            and p.location.sheet == level.source.sheet
        ]
        texts = [c for c in unknown if _TEXT_HEADER.search(c)]
        if level.label_headers:
            report.add(
                ErrorCode.IMPORT_LABEL_HEADERS,
                level.source.location(),
                Severity.INFO,
                detail=_tr(
                    f"{level.label_headers} column(s) have the question's text as header (a KoboToolbox export "
                    "with 'Labels') and were matched by it",
                    f"у {level.label_headers} столбцов заголовок — текст вопроса (выгрузка KoboToolbox с "
                    "«Labels»); они сопоставлены по нему",
                ),
            )
        if (kobo or level.label_headers) and len(texts) >= 3 and len(texts) * 2 >= len(unknown):
            report.add(
                ErrorCode.IMPORT_LABEL_HEADERS,
                level.source.location(),
                detail=_tr(
                    f"{len(texts)} column(s) have texts as headers ('{texts[0]}' ...) that match no question: the "
                    "file looks like a KoboToolbox export with question labels as headers (the default "
                    "'Labels' format), in texts that differ from the questionnaire",
                    f"у {len(texts)} столбцов заголовки — тексты («{texts[0]}» ...), не совпадающие ни с одним "
                    "вопросом: файл похож на выгрузку KoboToolbox с метками вопросов в заголовках (формат "
                    "«Labels» по умолчанию), тексты которых отличаются от анкеты",
                ),
            )


def _order(problem: Problem) -> tuple[int, str, int]:
    loc = problem.location
    return (0 if loc.row is None else 1, loc.sheet or "", loc.row or 0)


def import_file(
    store: Store,
    path: str | Path,
    questionnaire: str,
    *,
    kobo: bool = False,
    column_map: Mapping[str, str] | Sequence[str] | None = None,
    repeats: Mapping[str, str | Path] | None = None,
    sheet: str | None = None,
    format: str | None = None,
    defaults: Mapping[str, Any] | None = None,
    dry_run: bool = False,
    by: str | None = None,
    language: str | None = None,
    drop: Sequence[str] = (),
    ignore_unknown: bool = False,
    encoding: str | None = None,
) -> ImportOutcome:
    """Import a data file into the store, all or nothing.

    ``questionnaire``: ``"id"`` or ``"id@version"`` (published). ``defaults``: meta values for rows or files
    that lack them (``institution_id``, ``interviewer_id``, ``mode``, ``period`` ...). ``dry_run``: return the
    report of the file's problems and write nothing (the store's own checks of institutions, interviewers and
    certificates run only on a real import). A file with errors raises DataImportError with the full report;
    nothing is written. ``language``: of the questionnaire's own messages in the report (required, constraint
    messages; default: its default language). ``drop``, ``ignore_unknown``, ``encoding``: as
    :func:`read_import`.
    """
    questionnaire_id, _, version = questionnaire.partition("@")
    form = store.form(questionnaire_id, version or None)
    options = _Options(frozenset(drop), ignore_unknown, encoding)
    outcome, levels = _read(path, form, kobo, column_map, repeats, sheet, format, language, options)
    outcome.dry_run = dry_run
    if dry_run:
        return outcome
    if outcome.report.errors:
        outcome.report.subject = f"{path}: nothing imported"
        outcome.report.raise_if_errors(DataImportError)
    records = _records(form, levels)
    with tempfile.TemporaryDirectory(prefix="surveykit-import-") as folder:
        staged = Path(folder) / "interviews.json"
        staged.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        try:
            result = store.import_responses(
                staged, form.questionnaire.key, format="json", defaults=defaults, by=by
            )
        except DataImportError as err:
            report = Report(subject=f"{path}: nothing imported")
            report.extend(outcome.report.warnings)
            problems = err.report.problems if err.report is not None else [err.problem]
            for problem in problems:
                report.problems.append(
                    Problem(
                        problem.code,
                        _store_location(problem.location, levels, form),
                        problem.severity,
                        problem.params,
                    )
                )
            first = report.errors[0] if report.errors else err.problem
            raise DataImportError(first.code, first.location, report=report, **first.params) from err
    for problem in result.report.problems:
        if problem.severity is not Severity.ERROR:
            outcome.report.problems.append(
                Problem(
                    problem.code,
                    _store_location(problem.location, levels, form),
                    problem.severity,
                    problem.params,
                )
            )
    outcome.imported = result.imported
    outcome.duplicates = result.duplicates
    outcome.interview_ids = list(result.interview_ids)
    return outcome


def _json(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, dt.time):  # a TIME8 / %tcHH:MM:SS variable: a time question's HH:MM:SS
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _records(form: Form, levels: Mapping[str | None, _Level]) -> list[dict[str, Any]]:
    """The mapped file in the store's JSON import format (calculations left to the store to compute)."""
    main = levels[None]
    answer_codes = {
        code for code, var in form.variables.items() if var.question.type is not QuestionType.CALCULATE
    }

    def row_record(level: _Level, row: int) -> dict[str, Any]:
        record = {}
        for code, values in level.values.items():
            if code.startswith("@"):
                continue
            if code in STORE_META or code in answer_codes:
                value = _json(values[row])
                if value is not None and value != "":
                    record[code] = value
        return record

    children: dict[tuple[str, int], list[int]] = {}
    for code in form.repeats:
        level = levels.get(code)
        if level is None or level.order is None:
            continue
        for row in level.order:
            children.setdefault((code, int(level.parent[row])), []).append(int(row))

    def with_children(level: _Level, row: int) -> dict[str, Any]:
        record = row_record(level, row)
        for code, parent in form.repeat_parent.items():
            if parent == level.repeat and code in levels:
                instances = children.get((code, row), [])
                if instances:
                    record[code] = [with_children(levels[code], r) for r in instances]
        return record

    return [with_children(main, i) for i in range(main.n)]


def _store_location(loc: Location, levels: Mapping[str | None, _Level], form: Form) -> Location:
    """A location in the staged JSON (object position, ``relatives[2]/rel_age``) -> the original file."""
    main = levels[None]
    row = (loc.row or 0) - 1
    column = loc.field or ""
    if "[" in column and 0 <= row < main.n:
        chain = tuple(int(n) for _, n in _INSTANCE.findall(column))
        code = column.rsplit("/", 1)[-1]
        locator = _Locator(levels, form)
        found = locator.instances.get((row, chain))
        if found is not None:
            repeat, r = found
            level = levels[repeat]
            return level.source.location(int(level.source.rows[r]), level.column_of.get(code, code))
    file_row = int(main.source.rows[row]) if 0 <= row < main.n else None
    return main.source.location(file_row, main.column_of.get(column, column) if column else None)
