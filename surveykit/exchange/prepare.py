"""Canonical frames to the columns a file receives: the one place that encodes answers for export.

Every conversion is vectorised over the column: a single choice becomes its numeric code through the
categorical codes array (one lookup table per variable, never a per-row mapping), a multiple choice becomes
its 0/1 dummies through the distinct answer combinations, dates become what each writer understands.
The *targets*:

``sav``     numbers as float64, user-missing codes kept as their codes, dates as datetime64[ms] with a DATE
            format (pyreadstat 1.3.7 writes datetime64[s] as 1970-01-01), texts with "" for no answer
``dta``     as ``sav``, but user-missing codes as the letters of Stata's extended missing values (``.a``),
            dates as ``datetime.date`` objects (pyreadstat refuses datetime64 with ``%td``)
``codes``   numeric codes as nullable integers, for CSV, Excel and Parquet
``labels``  single choices as their labels in the export language (pandas categorical)
``names``   single choices as their choice names (the canonical categorical)

Inputs are checked first (:func:`check_table`); problems name the variable, the value and the rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from surveykit.errors import ErrorCode, Location, Report, Severity, Translated
from surveykit.exchange.metadata import ExportTable, ExportVariable, FormatView, Role, Storage

__all__ = ["TARGETS", "Target", "check_table", "multi_matrix", "prepare_table", "repeat_keys"]

Target = Literal["sav", "dta", "codes", "labels", "names"]
TARGETS = ("sav", "dta", "codes", "labels", "names")
#: SPSS holds at most this many bytes in one string variable
SPSS_MAX_STRING = 32767
_ROWS_SHOWN = 10


def _tr(en: str, ru: str) -> Translated:
    return Translated(en=en, ru=ru)


def _rows(mask: np.ndarray) -> str:
    rows = np.flatnonzero(mask)[:_ROWS_SHOWN] + 1
    more = int(mask.sum()) - len(rows)
    return ", ".join(map(str, rows)) + (f" and {more} more" if more > 0 else "")


def _problem(
    report: Report, table: ExportTable, var: ExportVariable, detail: Translated, fix: Translated, **kw
) -> None:
    severity = kw.get("severity", Severity.ERROR)
    report.add(
        ErrorCode.EXPORT_VALUE_INVALID,
        Location(sheet=table.name, field=var.name, path=var.source),
        severity,
        detail=detail,
        fix=fix,
    )


# --- lookups ---------------------------------------------------------------------------------------------------
def _categorical(column: pd.Series, var: ExportVariable) -> tuple[np.ndarray, list[str]]:
    """Codes (-1: no answer) and categories of a single-choice column (categorical or text)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), [str(c) for c in column.cat.categories]
    values = column.to_numpy(dtype=object, na_value=None)
    values = np.where(pd.isna(values) | (values == ""), None, values)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes), [str(u) for u in uniques]


def _code_table(var: ExportVariable, categories: list[str]) -> np.ndarray:
    """Numeric code of each category (NaN where the category is not a choice), then NaN for "no answer"."""
    return np.array([var.codes.get(c, np.nan) for c in categories] + [np.nan], dtype=float)


def multi_matrix(column: pd.Series, choices: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """For each distinct answer: which choices it holds (bool matrix), the row -> distinct index (-1: none),
    and the names in the answers that are not choices."""
    values = column.to_numpy(dtype=object, na_value=None)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    position = {c: i for i, c in enumerate(choices)}
    matrix = np.zeros((len(uniques) + 1, len(choices)), dtype=bool)
    unknown: list[str] = []
    empty = np.zeros(len(uniques) + 1, dtype=bool)
    for i, text in enumerate(uniques):
        names = str(text).split()
        if not names:
            empty[i] = True
        for name in names:
            j = position.get(name)
            if j is None:
                unknown.append(name)
            else:
                matrix[i, j] = True
    empty[-1] = True
    codes = np.where(codes < 0, len(uniques), codes)
    return matrix, np.where(empty[codes], -1, codes), unknown


def _text_column(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype=object, na_value=None)


def _byte_lengths(column: pd.Series) -> np.ndarray:
    """UTF-8 length of each text (0 when empty); characters counted first, bytes only where it could matter."""
    values = column.to_numpy(dtype=object, na_value=None)
    chars = np.fromiter(
        (len(v) if isinstance(v, str) else 0 for v in values), dtype=np.int64, count=len(values)
    )
    out = chars.copy()
    for i in np.flatnonzero(chars * 4 > SPSS_MAX_STRING):  # UTF-8 has at most 4 bytes a character
        out[i] = len(values[i].encode("utf-8"))
    return out


# --- checks ------------------------------------------------------------------------------------------------------
def check_table(table: ExportTable, frame: pd.DataFrame, report: Report, *, target: Target = "sav") -> None:
    """Every problem that would stop or spoil the write, named by variable, value and rows."""
    checked: set[str] = set()
    for var in table.variables:
        if var.role is Role.KEY and var.source != "interview_id":
            continue  # repeat keys are made by repeat_keys()
        if var.source not in frame.columns:
            if var.source not in checked:
                _problem(
                    report,
                    table,
                    var,
                    _tr(
                        f"the data has no column '{var.source}'; '{var.name}' is written empty",
                        f"в данных нет столбца «{var.source}»; «{var.name}» записан пустым",
                    ),
                    _tr(
                        "Export the interviews with every variable of the questionnaire version.",
                        "Выгружайте интервью со всеми переменными версии анкеты.",
                    ),
                    severity=Severity.WARNING,
                )
            checked.add(var.source)
            continue
        if var.source in checked and var.role is not Role.DUMMY:
            continue
        column = frame[var.source]
        if var.is_choice:
            codes, categories = _categorical(column, var)
            table_ = _code_table(var, categories)
            used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0 if len(categories) else []
            bad = [c for c, u, v in zip(categories, used, table_[:-1], strict=False) if u and np.isnan(v)]
            for value in bad:
                mask = codes == categories.index(value)
                _problem(
                    report,
                    table,
                    var,
                    _tr(
                        f"'{value}' in '{var.source}' (rows {_rows(mask)}) is not a choice of the question, "
                        "so it has no numeric code",
                        f"«{value}» в «{var.source}» (строки {_rows(mask)}) — не вариант ответа вопроса, "
                        "у него нет числового кода",
                    ),
                    _tr(
                        f"Use one of: {', '.join(var.codes)}; or export with the questionnaire version it "
                        "belongs to.",
                        f"Используйте один из вариантов: {', '.join(var.codes)}; или выгружайте с той версией "
                        "анкеты, к которой относится значение.",
                    ),
                )
        elif var.role is Role.DUMMY:
            if var.source in checked:
                continue
            checked.add(var.source)
            choices = [v.choice for v in table.variables if v.source == var.source and v.role is Role.DUMMY]
            _, _, unknown = multi_matrix(column, [c for c in choices if c is not None])
            for name in sorted(set(unknown)):
                pattern = rf"(?:^|\s){re.escape(name)}(?:\s|$)"
                mask = column.astype(object).fillna("").astype(str).str.contains(pattern).to_numpy(dtype=bool)
                _problem(
                    report,
                    table,
                    var,
                    _tr(
                        f"'{name}' in '{var.source}' (rows {_rows(mask)}) is not a choice of the question",
                        f"«{name}» в «{var.source}» (строки {_rows(mask)}) — не вариант ответа вопроса",
                    ),
                    _tr(
                        f"Use the choice names: {', '.join(str(c) for c in choices)}.",
                        f"Используйте имена вариантов: {', '.join(str(c) for c in choices)}.",
                    ),
                )
        elif var.storage is Storage.NUMERIC and var.role in (Role.ANSWER, Role.WEIGHT):
            numbers = pd.to_numeric(column, errors="coerce")
            bad = (numbers.isna() & column.notna()).to_numpy(dtype=bool)
            if bad.any():
                _problem(
                    report,
                    table,
                    var,
                    _tr(
                        f"'{var.source}' holds values that are not numbers (rows {_rows(bad)})",
                        f"в «{var.source}» есть нечисловые значения (строки {_rows(bad)})",
                    ),
                    _tr(
                        "Correct the data: this variable is numeric in the questionnaire.",
                        "Исправьте данные: в анкете это числовая переменная.",
                    ),
                )
            if var.role is Role.WEIGHT and (numbers < 0).any():
                _problem(
                    report,
                    table,
                    var,
                    _tr(
                        f"negative weights (rows {_rows((numbers < 0).to_numpy(dtype=bool))})",
                        f"отрицательные веса (строки {_rows((numbers < 0).to_numpy(dtype=bool))})",
                    ),
                    _tr("Weights must be zero or positive.", "Веса должны быть неотрицательными."),
                )
        elif var.storage is Storage.STRING and target == "sav" and var.role is Role.ANSWER:
            long = _byte_lengths(column) > SPSS_MAX_STRING
            if long.any():
                _problem(
                    report,
                    table,
                    var,
                    _tr(
                        f"texts longer than {SPSS_MAX_STRING} bytes in '{var.source}' (rows {_rows(long)})",
                        f"тексты длиннее {SPSS_MAX_STRING} байт в «{var.source}» (строки {_rows(long)})",
                    ),
                    _tr(
                        "SPSS cannot hold them: export to Stata (.dta), Parquet or CSV instead.",
                        "SPSS их не вмещает: выгрузите в Stata (.dta), Parquet или CSV.",
                    ),
                )
        checked.add(var.source)


# --- repeat keys -------------------------------------------------------------------------------------------------
_SEGMENT = re.compile(r"\[(\d+)\]")


def repeat_keys(
    table: ExportTable, frame: pd.DataFrame, parents: Mapping[str | None, pd.DataFrame]
) -> dict[str, np.ndarray]:
    """The key columns of a repeat table (``interview_id``, then one instance number per enclosing repeat,
    outer first) from a store frame (``interview_id``, ``_index``, ``_path``) or a validation frame
    (``_parent``: the 0-based row of the parent frame, ``_index``). ``parents`` holds the already keyed
    frames of the enclosing levels (``None``: the interviews)."""
    keys: dict[str, np.ndarray] = {}
    key_vars = [v for v in table.variables if v.role is Role.KEY]
    own = key_vars[-1]
    n = len(frame)
    index = (
        frame["_index"].to_numpy(dtype=np.int64)
        if "_index" in frame.columns
        else (pd.Series(frame["_parent"]).groupby(frame["_parent"]).cumcount().to_numpy() + 1)
    )
    if "interview_id" in frame.columns:
        keys["interview_id"] = _text_column(frame["interview_id"])
        outer = key_vars[1:-1]
        if outer:
            paths = frame["_path"].astype(str) if "_path" in frame.columns else pd.Series([""] * n)
            numbers = paths.str.findall(_SEGMENT.pattern)
            for depth, var in enumerate(outer):
                keys[var.name] = np.array([int(p[depth]) for p in numbers], dtype=np.int64)
    else:
        parent_frame = parents[table.parent]
        rows = frame["_parent"].to_numpy(dtype=np.int64)
        for var in key_vars[:-1]:
            keys[var.name] = np.asarray(parent_frame[var.name].to_numpy())[rows]
    keys[own.name] = np.asarray(index, dtype=np.int64)
    return keys


# --- preparing ---------------------------------------------------------------------------------------------------
def prepare_table(
    table: ExportTable,
    frame: pd.DataFrame,
    target: Target,
    *,
    view: FormatView | None = None,
    keys: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The frame written for ``table`` (check it with :func:`check_table` first). ``view``: the dta view
    (its extended-missing letters) when ``target`` is ``dta``; ``keys``: from :func:`repeat_keys`."""
    n = len(frame)
    columns: dict[str, object] = {}
    multi_cache: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
    stat = target in ("sav", "dta")
    for var in table.variables:
        if keys is not None and var.name in keys:
            values = keys[var.name]
            columns[var.name] = values.astype(float) if stat and values.dtype.kind in "iu" else values
            continue
        if var.source not in frame.columns:
            columns[var.name] = _empty(var, n, target)
            continue
        column = frame[var.source]
        if var.is_choice:
            columns[var.name] = _choice(var, column, target, view)
        elif var.role is Role.DUMMY:
            if var.source not in multi_cache:
                choices = [
                    v.choice for v in table.variables if v.source == var.source and v.role is Role.DUMMY
                ]
                multi_cache[var.source] = multi_matrix(column, choices)
            matrix, rows, _ = multi_cache[var.source]
            j = [v.choice for v in table.variables if v.source == var.source].index(var.choice)
            dummy = np.where(rows < 0, np.nan, matrix[np.maximum(rows, 0), j].astype(float))
            columns[var.name] = dummy if stat else pd.array(dummy, dtype="Float64").astype("Int8")
        elif var.storage is Storage.NUMERIC:
            if column.dtype == bool or str(column.dtype) == "boolean":
                numbers = column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            else:
                numbers = pd.to_numeric(column, errors="coerce")
                numbers = np.asarray(numbers.to_numpy(dtype=float, na_value=np.nan), dtype=float)
            if stat or var.role is Role.WEIGHT or var.spss_format in (None, "F10.2", "F10.4"):
                columns[var.name] = numbers
            else:
                columns[var.name] = pd.array(numbers, dtype="Float64").astype("Int64")
        elif var.storage is Storage.DATE:
            columns[var.name] = _date(column, target)
        elif var.storage is Storage.DATETIME:
            columns[var.name] = _datetime(column, target)
        elif var.storage is Storage.TIME:
            columns[var.name] = _time(column, target)
        else:
            texts = _text_column(column)
            if stat:
                texts = np.where(pd.isna(texts), "", texts).astype(object)
            # object, never pandas' arrow-backed "str": pyreadstat iterates arrow strings about twice as slowly
            columns[var.name] = pd.Series(texts, dtype=object, index=pd.RangeIndex(n), copy=False)
    return pd.DataFrame(columns, index=pd.RangeIndex(n), copy=False)


def _empty(var: ExportVariable, n: int, target: Target) -> object:
    if var.storage is Storage.STRING:
        return np.full(n, "" if target in ("sav", "dta") else None, dtype=object)
    if var.storage in (Storage.DATE, Storage.DATETIME):
        return (
            np.full(n, np.datetime64("NaT"), dtype="datetime64[ms]") if target != "dta" else np.full(n, None)
        )
    if var.storage is Storage.TIME:
        return np.full(n, np.nan) if target in ("sav", "dta") else pd.Series([None] * n, dtype=object)
    return np.full(n, np.nan)


def _choice(var: ExportVariable, column: pd.Series, target: Target, view: FormatView | None) -> object:
    codes, categories = _categorical(column, var)
    if target == "names":
        return pd.Categorical.from_codes(
            np.where(np.isin(codes, np.arange(len(categories))), codes, -1), categories=categories
        )
    lookup = _code_table(var, categories)
    if target in ("sav", "codes"):
        values = lookup[np.where(codes < 0, len(categories), codes)]
        return values if target == "sav" else pd.array(values, dtype="Float64").astype("Int64")
    if target == "dta":
        letters = view.stata_letters.get(var.name, {}) if view is not None else {}
        table = np.empty(len(lookup), dtype=object)
        for i, code in enumerate(lookup):
            table[i] = letters.get(int(code), float(code)) if not np.isnan(code) else np.nan
        if not letters:
            return lookup[np.where(codes < 0, len(categories), codes)]
        return table[np.where(codes < 0, len(categories), codes)]
    # labels: a categorical over the labels of the codes, in the choice order
    order = list(var.value_labels)
    labels = [var.value_labels[c] for c in order]
    position = {c: i for i, c in enumerate(order)}
    to_label = np.array([position.get(int(c), -1) if not np.isnan(c) else -1 for c in lookup], dtype=np.int64)
    label_codes = to_label[np.where(codes < 0, len(categories), codes)]
    if len(set(labels)) == len(labels):
        return pd.Categorical.from_codes(label_codes, categories=labels)
    names = np.array([*labels, None], dtype=object)
    return names[np.where(label_codes < 0, len(labels), label_codes)]


def _date(column: pd.Series, target: Target) -> object:
    stamps = pd.to_datetime(column, errors="coerce")
    if target == "dta":
        days = stamps.to_numpy(dtype="datetime64[D]")
        out = days.astype(object)  # datetime.date, None for NaT
        out[np.isnat(days)] = None
        return out
    return stamps.to_numpy(dtype="datetime64[ms]")


def _time(column: pd.Series, target: Target) -> object:
    """Times of day as ``datetime.time`` (None when empty): pyreadstat writes SPSS TIME8 and Stata
    %tcHH:MM:SS from them; the text formats write HH:MM:SS. For SPSS and Stata an empty time is NaN, and a
    column without any time is all NaN (numeric): pyreadstat would write a column of None as text."""
    import datetime as dt

    def one(value: object) -> dt.time | None:
        if isinstance(value, dt.time):
            return value
        if isinstance(value, str) and value:
            try:
                return dt.time.fromisoformat(value)
            except ValueError:
                return None
        return None

    times = [one(v) for v in column.tolist()]
    if target in ("sav", "dta"):
        if all(t is None for t in times):
            return np.full(len(times), np.nan)
        return pd.Series([np.nan if t is None else t for t in times], dtype=object)
    return pd.Series(times, dtype=object, index=pd.RangeIndex(len(column)))


def _datetime(column: pd.Series, target: Target) -> object:
    stamps = pd.to_datetime(column, errors="coerce", utc=True)
    naive = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return naive.to_numpy(dtype="datetime64[ms]")
