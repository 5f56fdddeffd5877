"""Answers as arrays and as pandas frames: the one place that converts between representations.

Three representations of answers exist, and every conversion between them lives here:

* **Python values** (one interview, the app and the store): ``str`` choice names, ``frozenset`` of names for
  multiple choice, ``int``/``float``, ``str`` text, ``datetime.date``; ``None`` when unanswered.
* **Working arrays** (validation and the interview session): numpy arrays per variable, one per kind:
  object arrays of ``str``/``None`` for text and choices (multiple choice as space-separated names in list
  order, the XLSForm convention), ``float64`` with NaN for numbers, ``datetime64[D]`` with NaT for dates.
* **Canonical frames** (analysis, scoring, export): one row per interview, one column per variable, with
  single choices as ``pandas.Categorical`` over the list's choice names, multiple choice as the
  space-separated string, integers as ``Int64``, decimals as ``Float64``, text as ``object``, dates as
  ``datetime64[s]``. Repeat groups are separate frames with ``_parent`` (0-based row of the parent frame)
  and ``_index`` (1-based instance number).

Parsing input (coercion) reports problems instead of raising: see :func:`coerce`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from surveykit.expressions import Kind
from surveykit.questionnaire.compiled import Form, Variable

__all__ = [
    "CoercionResult",
    "coerce",
    "empty_mask",
    "python_value",
    "to_canonical",
    "to_working",
    "values_to_columns",
]


def _is_choice(var: Variable) -> bool:
    return bool(var.choices) and var.kind in (Kind.STRING, Kind.MULTI)


@dataclass
class CoercionResult:
    """A working array and the rows whose input could not be read (with the offending input value)."""

    values: np.ndarray
    bad_type: np.ndarray  # bool: the input was not of the variable's type
    not_in_list: np.ndarray  # bool: a choice name that is not in the list
    raw: np.ndarray  # the input as given (object), for messages


def empty_mask(values: np.ndarray) -> np.ndarray:
    """True where a working array holds no answer."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind == "M":
        return np.isnat(values)
    mask = pd.isna(values)
    if values.dtype == object:
        mask = mask | (values == "")
    return np.asarray(mask, dtype=bool)


def _as_object(column: Any, n: int) -> np.ndarray:
    if isinstance(column, pd.Series):
        if isinstance(column.dtype, pd.CategoricalDtype):
            values = np.array(column.astype(object), dtype=object)  # a writable copy
            values[np.asarray(column.isna())] = None
            return values
        return column.to_numpy(dtype=object, na_value=None)
    array = np.empty(n, dtype=object)
    array[:] = list(column) if not isinstance(column, np.ndarray) else column
    return array


def coerce(var: Variable, column: Any, n: int) -> CoercionResult:
    """Read an input column (any dtype) into the variable's working array, flagging unreadable values."""
    raw = _as_object(column, n)
    present = ~np.asarray(pd.isna(raw), dtype=bool)
    present &= (
        np.array([not (isinstance(x, str) and x.strip() == "") for x in raw], dtype=bool) if n else present
    )
    bad = np.zeros(n, dtype=bool)
    not_in_list = np.zeros(n, dtype=bool)
    kind = var.kind
    if kind in (Kind.INTEGER, Kind.DECIMAL):
        values = np.full(n, np.nan)
        idx = np.flatnonzero(present)
        if idx.size:
            numbers = _to_numbers(raw[idx])
            bad[idx] = np.isnan(numbers)
            if kind is Kind.INTEGER:
                fractional = ~np.isnan(numbers) & (np.floor(numbers) != numbers)
                bad[idx] |= fractional
                numbers = np.where(fractional, np.nan, numbers)
            values[idx] = numbers
        return CoercionResult(values, bad, not_in_list, raw)
    if kind is Kind.DATE:
        values = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        for i in np.flatnonzero(present):
            parsed = _to_date(raw[i])
            if parsed is None:
                bad[i] = True
            else:
                values[i] = np.datetime64(parsed, "D")
        return CoercionResult(values, bad, not_in_list, raw)
    values = np.full(n, None, dtype=object)
    if kind is Kind.MULTI:
        order = {name: i for i, name in enumerate(var.choice_names)}
        for i in np.flatnonzero(present):
            names = _multi_names(raw[i])
            if names is None:
                bad[i] = True
                continue
            if order and any(name not in order for name in names):
                not_in_list[i] = True
                continue
            if names:
                values[i] = " ".join(sorted(set(names), key=lambda x: order.get(x, len(order))))
        return CoercionResult(values, bad, not_in_list, raw)
    # single choice and text
    idx = np.flatnonzero(present)
    odd = np.fromiter(
        (not isinstance(x, _TEXTUAL) or (isinstance(x, str) and "\0" in x) for x in raw[idx]),
        dtype=bool,
        count=idx.size,
    )
    if odd.any():  # bytes, a dict, a set ...: never stored as its Python repr; NUL: PostgreSQL refuses it
        bad[idx[odd]] = True
        idx = idx[~odd]
    texts = (
        np.array([_to_text(x) for x in raw[idx]], dtype=object) if idx.size else np.array([], dtype=object)
    )
    values[idx] = texts
    if _is_choice(var) and idx.size:
        if idx.size <= _SMALL:  # one interview in the app: plain Python beats building a pandas Series
            allowed = set(var.choice_names)
            ok = np.fromiter((x in allowed for x in texts), dtype=bool, count=idx.size)
        else:
            ok = pd.Series(texts, dtype=object).isin(var.choice_names).to_numpy()
        not_in_list[idx] = ~ok
        values[idx[~ok]] = None
    return CoercionResult(values, bad, not_in_list, raw)


_SMALL = 64  # inputs up to this many values take the plain-Python path (one interview, a short page)
#: what a text or single-choice answer may be given as (anything else is a wrong type, never its repr)
_TEXTUAL = (str, bool, int, float, np.number, decimal.Decimal, dt.date, pd.Timestamp)
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def _number(value: Any) -> float:
    if isinstance(value, (bool, np.bool_, bytes, bytearray)) or value is None:
        return np.nan
    if isinstance(value, str):
        text = value.strip()
        text = text.replace(",", ".") if _DECIMAL_COMMA.match(text) else text
        try:
            number = float(text)
        except ValueError:
            return np.nan
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return np.nan
    return number if np.isfinite(number) else np.nan


def _to_numbers(values: np.ndarray) -> np.ndarray:
    if len(values) <= _SMALL:
        return np.fromiter((_number(v) for v in values), dtype=float, count=len(values))
    out = np.full(len(values), np.nan)
    series = pd.Series(values, dtype=object)
    is_bool = series.map(lambda x: isinstance(x, (bool, np.bool_))).to_numpy(dtype=bool)
    strings = series.map(lambda x: isinstance(x, str)).to_numpy(dtype=bool)
    if strings.any():
        texts = series[strings].map(lambda s: s.replace(",", ".") if _DECIMAL_COMMA.match(s) else s.strip())
        series = series.copy()
        series[strings] = texts
    numeric = pd.to_numeric(series.where(~is_bool, None), errors="coerce")
    out[:] = numeric.to_numpy(dtype=float, na_value=np.nan)
    out[~np.isfinite(out)] = np.nan
    return out


def _to_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
            try:
                return dt.datetime.strptime(text[:19] if "T" in fmt or " " in fmt else text, fmt).date()
            except ValueError:
                continue
    return None


def _multi_names(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, (set, frozenset, list, tuple, np.ndarray)):
        if not all(isinstance(x, (str, int, np.integer)) and not isinstance(x, bool) for x in value):
            return None  # a dict or bytes among the names: a wrong type, never its repr
        names = [str(x) for x in value]
        return None if any(" " in n or not n for n in names) else names
    return None


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()
    return str(value).strip() if isinstance(value, str) else str(value)


# --- to and from canonical frames -------------------------------------------------------------------------
def to_canonical(var: Variable, values: np.ndarray) -> pd.Series:
    """The canonical pandas column for a working array."""
    kind = var.kind
    if kind is Kind.INTEGER:
        series = pd.Series(values, dtype="Float64").round()
        return series.astype("Int64")
    if kind is Kind.DECIMAL:
        return pd.Series(values, dtype="Float64")
    if kind is Kind.DATE:
        return pd.Series(values.astype("datetime64[s]"))
    if kind is Kind.STRING and var.choices:
        return pd.Series(pd.Categorical(values, categories=list(var.choice_names)))
    return pd.Series(values, dtype=object)


def to_working(var: Variable, column: pd.Series | np.ndarray | list) -> np.ndarray:
    """The working array for a canonical (already valid) column."""
    n = len(column)
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        if isinstance(column, pd.Series):
            return column.to_numpy(dtype=float, na_value=np.nan)
        return np.asarray(column, dtype=float)
    if var.kind is Kind.DATE:
        return np.asarray(pd.to_datetime(pd.Series(column)).to_numpy(dtype="datetime64[D]"))
    return _as_object(column if isinstance(column, pd.Series) else pd.Series(list(column), dtype=object), n)


def python_value(var: Variable, values: np.ndarray, i: int) -> Any:
    """Row ``i`` of a working array as a Python value (None when unanswered)."""
    value = values[i]
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        if np.isnan(value):
            return None
        return int(value) if var.kind is Kind.INTEGER else float(value)
    if var.kind is Kind.DATE:
        return None if np.isnat(value) else pd.Timestamp(value).date()
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if var.kind is Kind.MULTI:
        return frozenset(str(value).split())
    return value


def values_to_columns(
    form: Form, rows: Iterable[Mapping[str, Any]], repeat: str | None = None
) -> tuple[dict[str, list[Any]], int]:
    """Transpose answer dicts (one per interview or repeat instance) into input columns for :func:`coerce`."""
    rows = list(rows)
    codes = [v.code for v in form.variables_of(repeat)]
    columns: dict[str, list[Any]] = {code: [r.get(code) for r in rows] for code in codes}
    return columns, len(rows)
