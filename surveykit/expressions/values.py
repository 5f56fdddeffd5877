"""Kinds of values, the column representation of a value, and the XPath 1.0 conversions between them.

A :class:`Value` is the result of evaluating an expression (or a part of it) over ``n`` rows. Internally
it is stored *factorised*: an array ``cats`` of distinct-ish values and, optionally, an array ``codes`` of
length ``n`` that picks one of them per row. Three shapes occur:

* ``codes is None`` and ``len(cats) == n``: one value per row (dense);
* ``codes is None`` and ``len(cats) == 1``: the same value in every row (a constant, broadcast);
* ``codes`` given: row ``i`` holds ``cats[codes[i]]`` (a coded column, e.g. a single-choice question
  with a handful of distinct answers over 100,000 interviews).

Element-wise operations work on ``cats`` and keep ``codes``, so a comparison of a coded column with a
literal costs a few comparisons plus one gather, however many rows there are.

Storage by kind (``cats`` dtype): STRING and MULTI hold Python ``str`` in an object array (``''`` means
empty); INTEGER and DECIMAL hold float64 (NaN means empty); DATE and DATETIME hold float64 days since
1970-01-01 (fractional for DATETIME; NaN means empty); TIME holds the time of day as a fraction of a day
(0.5 is noon; NaN means empty); BOOLEAN holds bool, or float64 1/0/NaN when some rows are empty.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np

__all__ = ["Kind", "Value"]


class Kind(enum.StrEnum):
    """What a value is. Question types map onto these (select_one -> STRING, select_multiple -> MULTI)."""

    STRING = "string"
    MULTI = "multi"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    BOOLEAN = "boolean"


TEXT_KINDS = frozenset({Kind.STRING, Kind.MULTI})
NUMERIC_KINDS = frozenset({Kind.INTEGER, Kind.DECIMAL})
#: kinds compared as numbers by = and != (dates as days)
NUMBER_LIKE = frozenset({Kind.INTEGER, Kind.DECIMAL, Kind.DATE, Kind.DATETIME, Kind.TIME})
DATE_KINDS = frozenset({Kind.DATE, Kind.DATETIME})
#: kinds whose arithmetic (+ - * mod) stays integral
INTEGRAL_KINDS = frozenset({Kind.INTEGER, Kind.DATE, Kind.BOOLEAN})
#: kinds stored as float64 cats
FLOAT_KINDS = NUMBER_LIKE

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
EPOCH = datetime(1970, 1, 1)
_MIN_DAY = date.min.toordinal() - EPOCH_ORDINAL
_MAX_DAY = date.max.toordinal() - EPOCH_ORDINAL
_MS_PER_DAY = 86_400_000

# XPath 1.0 Number: optional minus, digits with an optional fraction, surrounding XML whitespace.
_NUMBER_RE = re.compile(r"[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*\Z")
# ISO 8601 date or date-time as ODK writes them; a time-zone offset is accepted and ignored (wall time).
_DATE_RE = re.compile(
    r"[ \t\r\n]*([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
    r"[ \t\r\n]*\Z"
)
_XML_SPACE_RE = re.compile(r"[ \t\r\n]+")
# A time of day as ODK writes it (10:30, 10:30:15, 10:30:15.250+03:00); the offset is ignored (wall time).
_TIME_RE = re.compile(
    r"[ \t\r\n]*([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
    r"[ \t\r\n]*\Z"
)


# --- scalar conversions ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def string_to_days(text: str) -> float:
    """Days since 1970-01-01 of an ISO date or date-time string (fractional for a time); NaN otherwise."""
    m = _DATE_RE.match(text)
    if m is None:
        return math.nan
    year, month, day, hour, minute, second, fraction = m.groups()
    try:
        ordinal = date(int(year), int(month), int(day)).toordinal()
    except ValueError:
        return math.nan
    days = float(ordinal - EPOCH_ORDINAL)
    if hour is not None:
        h, mi, s = int(hour), int(minute), int(second or 0)
        if h > 23 or mi > 59 or s > 59:
            return math.nan
        seconds = h * 3600 + mi * 60 + s + (float("0." + fraction) if fraction else 0.0)
        days += seconds / 86_400
    return days


@functools.lru_cache(maxsize=8192)
def string_to_time(text: str) -> float:
    """The time of day of ``HH:MM[:SS[.fff]]`` as a fraction of a day; NaN otherwise. A date-time gives its
    time of day, so a time question compares with ``now()`` and with date-time answers by the clock."""
    m = _TIME_RE.match(text)
    if m is None:
        days = string_to_days(text) if len(text) >= 16 else math.nan
        return days - math.floor(days) if days == days else math.nan
    hour, minute, second, fraction = m.groups()
    h, mi, s = int(hour), int(minute), int(second or 0)
    if h > 23 or mi > 59 or s > 59:
        return math.nan
    return (h * 3600 + mi * 60 + s + (float("0." + fraction) if fraction else 0.0)) / 86_400


def time_to_fraction(value: time) -> float:
    """A :class:`datetime.time` as a fraction of a day (its time-zone offset dropped: wall time)."""
    return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86_400


@functools.lru_cache(maxsize=8192)
def format_time(fraction: float) -> str:
    """``HH:MM:SS`` (with milliseconds when there are any) of a fraction of a day; NaN gives ``''``."""
    t = fraction_to_time(fraction)
    if t is None:
        return ""
    text = t.strftime("%H:%M:%S")
    return text + f".{t.microsecond // 1000:03d}" if t.microsecond else text


def fraction_to_time(fraction: float) -> time | None:
    if fraction != fraction or math.isinf(fraction):
        return None
    ms = round((fraction - math.floor(fraction)) * _MS_PER_DAY) % _MS_PER_DAY
    return time(ms // 3_600_000, ms // 60_000 % 60, ms // 1000 % 60, ms % 1000 * 1000)


@functools.lru_cache(maxsize=8192)
def string_to_number(text: str) -> float:
    """XPath ``number()`` of a string, extended as in ODK: ISO dates and date-times give days since 1970."""
    m = _NUMBER_RE.match(text)
    if m is not None:
        return float(m.group(1))
    if len(text) < 10:
        return math.nan
    return string_to_days(text)


@functools.lru_cache(maxsize=8192)
def format_number(x: float) -> str:
    """XPath ``string()`` of a number: ``3`` not ``3.0``, no exponent; NaN (empty) gives ``''``."""
    if x != x:
        return ""
    if x == math.inf:
        return "Infinity"
    if x == -math.inf:
        return "-Infinity"
    if x.is_integer():
        return str(int(x))
    text = repr(x)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


def days_to_date(days: float) -> date | None:
    if days != days or not _MIN_DAY <= days <= _MAX_DAY:
        return None
    return date.fromordinal(int(math.floor(days)) + EPOCH_ORDINAL)


def days_to_datetime(days: float) -> datetime | None:
    if days != days or not _MIN_DAY <= days < _MAX_DAY + 1:
        return None
    ms = round(days * _MS_PER_DAY)
    try:
        return EPOCH + timedelta(milliseconds=ms)
    except OverflowError:
        return None


def date_to_days(value: date) -> float:
    """Days since 1970 of a date, or fractional days of a datetime (time-zone offset dropped: wall time)."""
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - EPOCH
        return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86_400
    return float(value.toordinal() - EPOCH_ORDINAL)


@functools.lru_cache(maxsize=8192)
def format_date(days: float) -> str:
    d = days_to_date(days)
    return "" if d is None else d.isoformat()


@functools.lru_cache(maxsize=8192)
def format_datetime(days: float) -> str:
    dt = days_to_datetime(days)
    if dt is None:
        return ""
    text = dt.strftime("%Y-%m-%dT%H:%M:%S") if dt.year >= 1000 else dt.isoformat(timespec="seconds")
    if dt.microsecond:
        text += f".{dt.microsecond // 1000:03d}"
    return text


def normalize_space(text: str) -> str:
    """XPath ``normalize-space()``: trim XML whitespace and collapse inner runs to one space."""
    return " ".join(part for part in _XML_SPACE_RE.split(text) if part)


# --- cat-level conversions (arrays aligned with Value.cats) ---------------------------------------


def _obj(items: Sequence[str] | list[str]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _map_str(fn: Callable[[float], str], cats: np.ndarray) -> np.ndarray:
    return _obj([fn(x) for x in cats.tolist()])


def num_of(kind: Kind, cats: np.ndarray) -> np.ndarray:
    if kind in FLOAT_KINDS:
        return cats
    if kind is Kind.BOOLEAN:
        return cats.astype(np.float64)
    return np.fromiter((string_to_number(s) for s in cats), np.float64, len(cats))


def str_of(kind: Kind, cats: np.ndarray) -> np.ndarray:
    if kind in TEXT_KINDS:
        return cats
    if kind in NUMERIC_KINDS:
        return _map_str(format_number, cats)
    if kind is Kind.DATE:
        return _map_str(format_date, cats)
    if kind is Kind.DATETIME:
        return _map_str(format_datetime, cats)
    if kind is Kind.TIME:
        return _map_str(format_time, cats)
    # BOOLEAN
    if cats.dtype == np.bool_:
        return _obj(["true" if b else "false" for b in cats.tolist()])
    return _obj(["" if x != x else ("true" if x else "false") for x in cats.tolist()])


def empty_of(kind: Kind, cats: np.ndarray) -> np.ndarray:
    if kind in TEXT_KINDS:
        return np.asarray(cats == "", dtype=bool)
    if cats.dtype == np.bool_:
        return np.zeros(len(cats), dtype=bool)
    return np.isnan(cats)


def bool_of(kind: Kind, cats: np.ndarray, node: bool) -> np.ndarray:
    """XPath ``boolean()``. A number is true when non-zero; a string, a date and any answer to a question
    (a node) when non-empty. A BOOLEAN value is itself (an unanswered one is false)."""
    if kind is Kind.BOOLEAN:
        return cats if cats.dtype == np.bool_ else cats == 1.0
    if kind in NUMERIC_KINDS and not node:
        return (cats != 0) & ~np.isnan(cats)
    return ~empty_of(kind, cats)


def empty_cats(kind: Kind) -> np.ndarray:
    """A one-element cats array holding the empty value of ``kind``."""
    if kind in TEXT_KINDS:
        return _obj([""])
    return np.array([np.nan])


# --- the Value -------------------------------------------------------------------------------------


class Value:
    """The value of an expression in each of ``n`` rows, with its :class:`Kind`.

    ``node`` is true for values that come straight from answers (``${code}``, ``.``, choice columns):
    XPath compares an unanswered question as the empty string, so ``${age} = ''`` is true when ``age`` is
    unanswered although ``age`` is a number.
    """

    __slots__ = ("_memo", "cats", "codes", "kind", "n", "node")

    def __init__(
        self, kind: Kind, cats: np.ndarray, codes: np.ndarray | None = None, *, n: int, node: bool = False
    ) -> None:
        self.kind = kind
        self.cats = cats
        self.codes = codes
        self.n = n
        self.node = node
        self._memo: dict[str, np.ndarray] = {}

    # -- constructors
    @classmethod
    def constant(cls, kind: Kind, value: object, n: int) -> Value:
        """The same value in all ``n`` rows (``value`` in the storage of ``kind``: str, float or bool)."""
        if kind in TEXT_KINDS:
            cats = _obj([value])
        elif kind is Kind.BOOLEAN:
            cats = np.array([bool(value)])
        else:
            cats = np.array([value], dtype=np.float64)
        return cls(kind, cats, n=n)

    @classmethod
    def from_array(cls, kind: Kind, array: np.ndarray, *, node: bool = False) -> Value:
        """A dense value from an array already in the storage of ``kind``."""
        return cls(kind, array, n=len(array), node=node)

    # -- cat-level conversions (memoised)
    def num_cats(self) -> np.ndarray:
        out = self._memo.get("num")
        if out is None:
            out = self._memo["num"] = num_of(self.kind, self.cats)
        return out

    def str_cats(self) -> np.ndarray:
        out = self._memo.get("str")
        if out is None:
            out = self._memo["str"] = str_of(self.kind, self.cats)
        return out

    def empty_cats(self) -> np.ndarray:
        out = self._memo.get("empty")
        if out is None:
            out = self._memo["empty"] = empty_of(self.kind, self.cats)
        return out

    def bool_cats(self) -> np.ndarray:
        out = self._memo.get("bool")
        if out is None:
            out = self._memo["bool"] = bool_of(self.kind, self.cats, self.node)
        return out

    @property
    def is_constant(self) -> bool:
        return self.codes is None and len(self.cats) == 1

    @property
    def is_empty_literal(self) -> bool:
        """The constant ``''``: in if() and coalesce() it takes the kind of the other branch."""
        return (
            self.kind is Kind.STRING
            and not self.node
            and self.codes is None
            and len(self.cats) == 1
            and self.cats[0] == ""
        )

    def expand(self, cats_array: np.ndarray) -> np.ndarray:
        """A cat-level array spread to one entry per row (may share memory with ``cats_array``)."""
        if self.codes is not None:
            return cats_array[self.codes]
        if len(cats_array) == self.n:
            return cats_array
        return np.repeat(cats_array, self.n)

    def take(self, index: np.ndarray) -> Value:
        """Rows ``index`` of this value as a new value of ``len(index)`` rows; ``-1`` gives an empty row."""
        m = len(index)
        cats = np.concatenate([self.cats, empty_cats(self.kind).astype(self.cats.dtype, copy=False)])
        if self.codes is not None:
            base = self.codes
        elif len(self.cats) == self.n:
            base = np.arange(self.n)
        else:
            base = np.zeros(self.n, dtype=np.intp)
        safe = np.where(index < 0, 0, index)
        codes = np.where(index < 0, len(self.cats), base[safe] if self.n else len(self.cats))
        return Value(self.kind, cats, codes.astype(np.intp, copy=False), n=m, node=self.node)

    # -- the public view: one entry per row
    def to_num(self) -> np.ndarray:
        """XPath ``number()`` per row (float64; NaN for empty or not a number; dates as days since 1970)."""
        return np.array(self.expand(self.num_cats()), dtype=np.float64)

    def to_str(self) -> np.ndarray:
        """XPath ``string()`` per row (object array of str; ``''`` for empty)."""
        return np.array(self.expand(self.str_cats()), dtype=object)

    def to_bool(self) -> np.ndarray:
        """XPath ``boolean()`` per row."""
        return np.array(self.expand(self.bool_cats()), dtype=bool)

    def empty(self) -> np.ndarray:
        """True where the row is empty (unanswered, or a result such as NaN or ``''``)."""
        return np.array(self.expand(self.empty_cats()), dtype=bool)

    def to_python(self, i: int) -> object:
        """Row ``i`` as a plain Python value: str, int, float, date, datetime, time or bool; None when empty."""
        if not -self.n <= i < self.n:
            raise IndexError(f"row {i} is out of range for {self.n} rows")
        i %= self.n
        j = int(self.codes[i]) if self.codes is not None else (i if len(self.cats) == self.n else 0)
        x = self.cats[j]
        kind = self.kind
        if kind in TEXT_KINDS:
            return x or None
        if kind is Kind.BOOLEAN:
            return None if x != x else bool(x)
        x = float(x)
        if x != x:
            return None
        if kind is Kind.INTEGER:
            return int(x) if math.isfinite(x) else x
        if kind is Kind.DECIMAL:
            return x
        if kind is Kind.DATE:
            return days_to_date(x)
        if kind is Kind.TIME:
            return fraction_to_time(x)
        return days_to_datetime(x)

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        shown = [self.to_python(i) for i in range(min(self.n, 5))]
        more = ", ..." if self.n > 5 else ""
        return f"Value({self.kind.name}, n={self.n}, [{', '.join(map(repr, shown))}{more}])"


# --- combining values ------------------------------------------------------------------------------


def align(
    values: Sequence[Value], arrays: Sequence[np.ndarray]
) -> tuple[np.ndarray | None, list[np.ndarray]]:
    """Make cat-level ``arrays`` (``arrays[k]`` aligned with ``values[k].cats``) combinable element-wise.

    Returns ``(codes, arrays)``: when the values are dense or constant, numpy broadcasting combines them
    and ``codes`` is None; when all coded values share the same codes (the same question twice, or a
    question and constants), the result keeps those codes; otherwise everything is spread to rows.
    """
    codes = None
    mixed = False
    for v in values:
        if v.codes is not None:
            if codes is None:
                codes = v.codes
            elif v.codes is not codes:
                mixed = True
                break
    if codes is None:
        return None, list(arrays)
    if not mixed and all(v.codes is not None or len(v.cats) == 1 for v in values):
        return codes, list(arrays)
    return None, [v.expand(a) for v, a in zip(values, arrays)]


def combine(
    kind: Kind,
    values: Sequence[Value],
    arrays: Sequence[np.ndarray],
    fn: Callable[..., np.ndarray],
    *,
    node: bool = False,
) -> Value:
    """Apply the element-wise ``fn`` to cat-level ``arrays`` of ``values``; the result has ``kind``."""
    codes, parts = align(values, arrays)
    return Value(kind, np.asarray(fn(*parts)), codes, n=values[0].n, node=node)


def unify(values: Sequence[Value]) -> Kind:
    """The kind of a value that may come from any of ``values`` (if(), coalesce())."""
    kinds = {v.kind for v in values if not v.is_empty_literal}
    if not kinds:
        return Kind.STRING
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds <= NUMERIC_KINDS:
        return Kind.DECIMAL
    if kinds <= DATE_KINDS:
        return Kind.DATETIME
    return Kind.STRING


def represent(value: Value, kind: Kind) -> np.ndarray:
    """The cats of ``value`` in the storage of ``kind`` (see :func:`unify`)."""
    if value.is_empty_literal:
        return empty_cats(kind)
    if kind in TEXT_KINDS:
        return value.str_cats()
    if kind is Kind.BOOLEAN:
        return value.cats.astype(np.float64) if value.kind is Kind.BOOLEAN else value.bool_cats()
    return value.num_cats()
