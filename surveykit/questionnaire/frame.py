"""Answers as arrays and as pandas frames: the one place that converts between representations.

Three representations of answers exist, and every conversion between them lives here:

* **Python values** (one interview, the app and the store): ``str`` choice names, ``frozenset`` of names for
  multiple choice, ``int``/``float``, ``str`` text, ``datetime.date``; ``None`` when unanswered. Times of
  day, date-times, geopoints and files are their canonical text (below).
* **Working arrays** (validation and the interview session): numpy arrays per variable, one per kind:
  object arrays of ``str``/``None`` for text and choices (multiple choice as space-separated names in list
  order, the XLSForm convention), ``float64`` with NaN for numbers, ``datetime64[D]`` with NaT for dates.
  A time of day is the text ``HH:MM:SS``, a date-time ``YYYY-MM-DDTHH:MM:SS`` (wall-clock time, no zone),
  a geopoint ``latitude longitude [altitude [accuracy]]`` (ODK's form), a file the name it is stored under
  (see :func:`parse_typed`).
* **Canonical frames** (analysis, scoring, export): one row per interview, one column per variable, with
  single choices as ``pandas.Categorical`` over the list's choice names, multiple choice as the
  space-separated string, integers as ``Int64``, decimals as ``Float64``, text as ``object``, dates as
  ``datetime64[s]``, date-times as ``datetime64[s]``, times of day as ``datetime.time`` objects. Repeat
  groups are separate frames with ``_parent`` (0-based row of the parent frame) and ``_index`` (1-based
  instance number).

Parsing input (coercion) reports problems instead of raising: see :func:`coerce`.

pandas is imported on first use, by the frame conversions and by inputs longer than ``_SMALL`` values: one
interview (the interview app, the submit path) is read with numpy and plain Python only (issue 17). A value can
be a pandas object (``Timestamp``, ``NA``, a ``Series``) only once pandas is loaded, so the scalar readers ask
:func:`_pandas` (pandas if already loaded, else None) instead of importing it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from surveykit.expressions import Kind
from surveykit.questionnaire.compiled import Form, Variable
from surveykit.questionnaire.model import QuestionType

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CoercionResult",
    "coerce",
    "empty_mask",
    "is_missing",
    "parse_typed",
    "python_value",
    "to_canonical",
    "to_working",
    "values_to_columns",
]


def _pandas() -> Any:
    """pandas if it is already imported, else None (then no value can be a pandas object)."""
    return sys.modules.get("pandas")


def is_missing(value: Any) -> bool:
    """Whether one value is no value: ``None``, a NaN (float, complex or ``Decimal``), a NaT, pandas' ``NA``
    (``pandas.isna`` of a scalar, without importing pandas)."""
    if value is None:
        return True
    if isinstance(value, (float, complex, np.floating, np.complexfloating)):
        return bool(value != value)
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    if isinstance(value, decimal.Decimal):
        return value.is_nan()
    pd = _pandas()
    return pd is not None and type(value).__module__.startswith("pandas") and bool(pd.isna(value))


def _missing_mask(raw: np.ndarray) -> np.ndarray:
    """:func:`is_missing` of each value of an object array (``pandas.isna`` for long ones)."""
    if len(raw) <= _SMALL:
        return np.fromiter((is_missing(x) for x in raw), dtype=bool, count=len(raw))
    import pandas as pd

    return np.asarray(pd.isna(raw), dtype=bool)


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
    if values.dtype.kind in "fc":
        return np.isnan(values)
    if values.dtype.kind in "mM":
        return np.isnat(values)
    if values.dtype != object:  # integers, booleans: always a value
        return np.zeros(values.shape, dtype=bool)
    return _missing_mask(values) | np.asarray(values == "", dtype=bool)


def _as_object(column: Any, n: int) -> np.ndarray:
    pd = _pandas()
    if pd is not None and isinstance(column, pd.Series):
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
    present = ~_missing_mask(raw)
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
    idx = np.flatnonzero(present)
    if kind is Kind.DATE:
        values = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        dates = _each(raw[idx], _to_date)
        unread = np.fromiter((d is None for d in dates), dtype=bool, count=idx.size)
        bad[idx[unread]] = True
        values[idx[~unread]] = np.array([d for d in dates if d is not None], dtype="datetime64[D]")
        return CoercionResult(values, bad, not_in_list, raw)
    typed = _typed_question(var)
    values = np.full(n, None, dtype=object)
    if typed is not None:
        parsed = _each(raw[idx], lambda x: parse_typed(typed, x))
        unread = np.fromiter((t is None for t in parsed), dtype=bool, count=idx.size)
        bad[idx[unread]] = True
        values[idx] = parsed
        return CoercionResult(values, bad, not_in_list, raw)
    if kind is Kind.MULTI:
        order = {name: i for i, name in enumerate(var.choice_names)}

        def choices(value: Any) -> tuple[int, str | None]:  # (0 read, 1 unreadable, 2 not in list), names
            names = _multi_names(value)
            if names is None:
                return 1, None
            if order and any(name not in order for name in names):
                return 2, None
            return 0, " ".join(sorted(set(names), key=lambda x: order.get(x, len(order)))) if names else None

        read = _each(raw[idx], choices)
        status = np.fromiter((r[0] for r in read), dtype=np.int8, count=idx.size)
        bad[idx[status == 1]] = True
        not_in_list[idx[status == 2]] = True
        values[idx] = [r[1] for r in read]
        return CoercionResult(values, bad, not_in_list, raw)
    # single choice and text: anything but text-like values (bytes, a dict, a set ...) is never stored as its
    # Python repr; NUL: PostgreSQL refuses it
    texts = _each(
        raw[idx],
        lambda x: None if not isinstance(x, _TEXTUAL) or (isinstance(x, str) and "\0" in x) else _to_text(x),
    )
    odd = np.fromiter((t is None for t in texts), dtype=bool, count=idx.size)
    if odd.any():
        bad[idx[odd]] = True
        texts = [t for t in texts if t is not None]
        idx = idx[~odd]
    texts = np.array(texts + [None], dtype=object)[:-1]
    values[idx] = texts
    if _is_choice(var) and idx.size:
        if idx.size <= _SMALL:  # one interview in the app: plain Python beats building a pandas Series
            allowed = set(var.choice_names)
            ok = np.fromiter((x in allowed for x in texts), dtype=bool, count=idx.size)
        else:
            import pandas as pd

            ok = pd.Series(texts, dtype=object).isin(var.choice_names).to_numpy()
        not_in_list[idx] = ~ok
        values[idx[~ok]] = None
    return CoercionResult(values, bad, not_in_list, raw)


_SMALL = 64  # inputs up to this many values take the plain-Python path (one interview, a short page)


def _each(values: np.ndarray, fn: Any) -> list[Any]:
    """``fn`` of each value. A long column of text (a file read as text: bulk data, where dates, codes and
    choice sets repeat) is read once per distinct text; any other input value by value (values of different
    types can be equal, ``1 == 1.0 == True``, yet read differently)."""
    items = values.tolist()
    if len(items) <= _SMALL or not all(type(x) is str for x in items):
        return [fn(x) for x in items]
    read: dict[str, Any] = {}
    for x in set(items):
        read[x] = fn(x)
    return [read[x] for x in items]


#: what a text or single-choice answer may be given as (anything else is a wrong type, never its repr)
_TEXTUAL = (str, bool, int, float, np.number, decimal.Decimal, dt.date)  # a pandas Timestamp is a date
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
    if len(values) <= _SMALL or all(type(v) is str for v in values.tolist()):  # a few, or text: as _each reads
        return np.array(_each(values, _number), dtype=float)
    import pandas as pd

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
    pd = _pandas()
    if pd is not None and isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else _day(value)
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
            try:
                return dt.datetime.strptime(text[:19] if "T" in fmt or " " in fmt else text, fmt).date()
            except ValueError:
                continue
    return None


# --- times of day, date-times, geopoints, files ----------------------------------------------------------
_TIME_TEXT = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
_DATETIME_TEXT = re.compile(
    r"^(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_NUMBER_TEXT = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$")
#: a stored file's name: what a file answer holds (``<sha256>.<ext>``, or a plain name brought in by an import)
_FILE_NAME = re.compile(r"^[^/\\:\x00-\x1f\x7f]{1,200}$")
_TYPED = {
    QuestionType.TIME,
    QuestionType.DATETIME,
    QuestionType.GEOPOINT,
    QuestionType.IMAGE,
    QuestionType.AUDIO,
    QuestionType.VIDEO,
    QuestionType.FILE,
}


def _typed_question(var: Variable) -> QuestionType | None:
    """The question type whose answers :func:`parse_typed` reads (a calculate of value_type time/datetime)."""
    t = var.question.type
    if t in _TYPED:
        return t
    if t is QuestionType.CALCULATE and var.question.value_type in ("time", "datetime"):
        return QuestionType(var.question.value_type)
    return None


def parse_typed(qtype: QuestionType, value: Any) -> str | None:
    """The canonical text of an answer to a time, datetime, geopoint or file question; None if unreadable.

    * time: ``HH:MM:SS`` from ``14:30``, ``14.30``, ``14:30:15``, ``14:30:15.250+03:00`` (the offset is
      dropped: wall-clock time, as the interview records it) or a ``datetime.time``;
    * datetime: ``YYYY-MM-DDTHH:MM:SS`` from ISO text (``T`` or a space), ``DD.MM.YYYY HH:MM`` or a
      ``datetime``;
    * geopoint: ``lat lon [alt [acc]]`` from numbers separated by spaces, commas or semicolons (a decimal
      comma is understood when the numbers are separated by spaces); latitude -90..90, longitude
      -180..180, accuracy not negative;
    * a file: its stored name (no path, no control characters).
    """
    if qtype is QuestionType.TIME:
        return _time_text(value)
    if qtype is QuestionType.DATETIME:
        return _datetime_text(value)
    if qtype is QuestionType.GEOPOINT:
        return _geopoint_text(value)
    if isinstance(value, str) and _FILE_NAME.match(value.strip()) and value.strip() not in (".", ".."):
        return value.strip()
    return None


def _time_text(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    if isinstance(value, dt.timedelta):  # a pandas Timedelta is one too
        seconds = int(value.total_seconds())
        if 0 <= seconds < 86_400:
            return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60).isoformat()
        return None
    if not isinstance(value, str):
        return None
    m = _TIME_TEXT.match(value.strip())
    if m is None:
        parsed = _datetime_text(value)
        return parsed[11:] if parsed is not None else None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return f"{hour:02d}:{minute:02d}:{second:02d}"


def _datetime_text(value: Any) -> str | None:
    pd = _pandas()
    if pd is not None and isinstance(value, pd.Timestamp):
        value = None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, np.datetime64):
        value = None if np.isnat(value) else value.astype("datetime64[us]").item()
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat()
    if not isinstance(value, str):
        return None
    m = _DATETIME_TEXT.match(value.strip())
    if m is None:
        return None
    day_text, time_text = m.groups()
    day = _to_date(day_text)
    clock = _time_text(time_text)
    if day is None or clock is None:
        return None
    return f"{day.isoformat()}T{clock}"


def _geopoint_text(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        tokens = [str(x) for x in value]
    elif isinstance(value, str):
        text = value.strip()
        spaced = text.split()
        if len(spaced) >= 2 and all(re.fullmatch(r"[-+]?\d+,\d+", t) for t in spaced):
            tokens = [t.replace(",", ".") for t in spaced]  # 55,75 37,62: decimal commas
        else:
            tokens = [t for t in re.split(r"[\s,;]+", text) if t]
    else:
        return None
    if not 2 <= len(tokens) <= 4 or not all(_NUMBER_TEXT.match(t) for t in tokens):
        return None
    numbers = [float(t) for t in tokens]
    if not (-90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180):
        return None
    if len(numbers) == 4 and numbers[3] < 0:
        return None
    return " ".join(_plain_number(x) for x in numbers)


def _plain_number(x: float) -> str:
    return str(int(x)) if x.is_integer() else repr(x)


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
    if isinstance(value, dt.date):  # a pandas Timestamp too
        return value.isoformat()
    return str(value).strip() if isinstance(value, str) else str(value)


# --- to and from canonical frames -------------------------------------------------------------------------
def to_canonical(var: Variable, values: np.ndarray) -> pd.Series:
    """The canonical pandas column for a working array."""
    import pandas as pd

    kind = var.kind
    if kind is Kind.INTEGER:
        series = pd.Series(values, dtype="Float64").round()
        return series.astype("Int64")
    if kind is Kind.DECIMAL:
        return pd.Series(values, dtype="Float64")
    if kind is Kind.DATE:
        return pd.Series(values.astype("datetime64[s]"))
    if kind is Kind.DATETIME:
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")).astype(
            "datetime64[s]"
        )
    if kind is Kind.TIME:
        return pd.Series([None if v is None else dt.time.fromisoformat(v) for v in values], dtype=object)
    if kind is Kind.STRING and var.choices:
        return pd.Series(pd.Categorical(values, categories=list(var.choice_names)))
    return pd.Series(values, dtype=object)


def to_working(var: Variable, column: pd.Series | np.ndarray | list) -> np.ndarray:
    """The working array for a canonical (already valid) column."""
    import pandas as pd

    n = len(column)
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        if isinstance(column, pd.Series):
            return column.to_numpy(dtype=float, na_value=np.nan)
        return np.asarray(column, dtype=float)
    if var.kind is Kind.DATE:
        return np.asarray(pd.to_datetime(pd.Series(column)).to_numpy(dtype="datetime64[D]"))
    typed = _typed_question(var)
    if typed is not None:
        return np.array(
            [None if _missing(v) else parse_typed(typed, v) for v in _as_object(pd.Series(list(column)), n)],
            dtype=object,
        )
    return _as_object(column if isinstance(column, pd.Series) else pd.Series(list(column), dtype=object), n)


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (str, dt.time)) and is_missing(value))


def _day(value: np.datetime64) -> dt.date:
    """A (not NaT) datetime64 as a date."""
    return value.astype("datetime64[D]").item()


def python_value(var: Variable, values: np.ndarray, i: int) -> Any:
    """Row ``i`` of a working array as a Python value (None when unanswered)."""
    value = values[i]
    if var.kind in (Kind.INTEGER, Kind.DECIMAL):
        if np.isnan(value):
            return None
        return int(value) if var.kind is Kind.INTEGER else float(value)
    if var.kind is Kind.DATE:
        return None if np.isnat(value) else _day(value)
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
