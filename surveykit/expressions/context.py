"""The data an expression is evaluated on: answers by question code, the current value, choice columns
and repeat node-sets. Input columns are converted once per :class:`Context` to the storage described in
:mod:`surveykit.expressions.values` and cached.

Accepted column types: numpy arrays, pandas Series/Index/arrays (any dtype, including Categorical, Int64,
Float64, boolean, string and datetime64), lists and tuples. A column of length 1, or a plain scalar, is
the same value in every row. Empty (unanswered) is any of None, NaN, pd.NA, NaT and ``''``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import numpy as np

from surveykit.errors import ErrorCode, ExpressionError, did_you_mean
from surveykit.expressions.values import (
    TEXT_KINDS,
    Kind,
    Value,
    date_to_days,
    format_date,
    format_datetime,
    format_number,
    normalize_space,
    string_to_days,
    string_to_number,
    string_to_time,
    time_to_fraction,
)

__all__ = ["Context", "NodeSet", "infer_kind"]

#: columns with at least this many rows are factorised (distinct values + codes) when they hold text
FACTORIZE_MIN_ROWS = 64

_SCALARS = (str, bytes, int, float, bool, date, time, Decimal, np.generic)


def _is_missing(x: object) -> bool:
    if x is None:
        return True
    if isinstance(x, float):
        return x != x
    if isinstance(x, str):
        return x == ""
    if isinstance(x, np.datetime64 | np.timedelta64):
        return bool(np.isnat(x))
    if isinstance(x, np.floating):
        return bool(np.isnan(x))
    return type(x).__name__ in ("NAType", "NaTType")


# --- from any column type to a 1-D numpy array -----------------------------------------------------


class _Coded:
    """A pandas Categorical: ``codes`` (-1 for missing) into ``categories``."""

    __slots__ = ("categories", "codes")

    def __init__(self, codes: np.ndarray, categories: np.ndarray) -> None:
        self.codes = codes
        self.categories = categories

    def __len__(self) -> int:
        return len(self.codes)


def _as_array(column: Any) -> np.ndarray | _Coded:
    if isinstance(column, np.ndarray):
        if column.ndim == 0:
            return column.reshape(1)
        if column.ndim != 1:
            raise ValueError(f"a column must be one-dimensional, not of shape {column.shape}")
        return column
    if column is None or isinstance(column, _SCALARS):
        out = np.empty(1, dtype=object)
        out[0] = column
        return out
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(column, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            cat = column if isinstance(column, pd.Categorical) else pd.Categorical(column)
            categories = np.empty(len(cat.categories), dtype=object)
            categories[:] = list(cat.categories)
            return _Coded(np.asarray(cat.codes, dtype=np.intp), categories)
        if getattr(dtype, "tz", None) is not None:
            return np.asarray(column.to_numpy(dtype=object))
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iuf":
            return np.asarray(column.to_numpy(dtype=np.float64, na_value=np.nan))
        if dtype.kind == "O":  # object and string dtypes
            coded = _pandas_factorize(pd, column)
            if coded is not None:
                return coded
        if isinstance(dtype, pd.api.extensions.ExtensionDtype):
            return np.asarray(column.to_numpy(dtype=object, na_value=None))
        return np.asarray(column.to_numpy())
    if isinstance(column, list | tuple):
        return np.fromiter(column, dtype=object, count=len(column))
    if isinstance(column, set | frozenset | dict):
        raise ValueError(f"a column must be a sequence, not a {type(column).__name__}")
    return np.fromiter(iter(column), dtype=object)


def _pandas_factorize(pd: Any, column: Any) -> _Coded | None:
    """Distinct answers and codes of a long text column (pandas hashes faster than a dict loop)."""
    if len(column) < FACTORIZE_MIN_ROWS:
        return None
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except TypeError:  # unhashable answers, e.g. lists of choices
        return None
    categories = np.empty(len(uniques), dtype=object)
    categories[:] = list(uniques)
    return _Coded(np.asarray(codes, dtype=np.intp), categories)


# --- per-kind converters ---------------------------------------------------------------------------


def _obj_to_num(x: object) -> float:
    if _is_missing(x):
        return math.nan
    if isinstance(x, bool | np.bool_):
        return 1.0 if x else 0.0
    if isinstance(x, int | float | Decimal | np.integer | np.floating):
        return float(x)
    if isinstance(x, str):
        return string_to_number(x)
    if isinstance(x, date):
        return date_to_days(x)
    if isinstance(x, np.datetime64):
        return float(x.astype("datetime64[us]").astype(np.int64)) / 86_400e6
    return math.nan


def _datetime64_to_days(arr: np.ndarray, *, whole_days: bool) -> np.ndarray:
    missing = np.isnat(arr)
    if whole_days:
        out = arr.astype("datetime64[D]").astype(np.int64).astype(np.float64)
    else:
        out = arr.astype("datetime64[us]").astype(np.int64) / 86_400e6
    out[missing] = np.nan
    return out


def _to_float(arr: np.ndarray, *, whole_days: bool = False, dates: bool = False) -> np.ndarray:
    k = arr.dtype.kind
    if k in "iufb":
        out = arr.astype(np.float64)
    elif k == "M":
        out = _datetime64_to_days(arr, whole_days=whole_days)
    elif dates:
        out = np.fromiter(
            (
                string_to_days(x)
                if isinstance(x, str) and len(x) >= 10
                else (math.nan if isinstance(x, str) else _obj_to_num(x))
                for x in arr.tolist()
            ),
            np.float64,
            len(arr),
        )
    else:
        out = np.fromiter((_obj_to_num(x) for x in arr.tolist()), np.float64, len(arr))
    if whole_days:
        out = np.floor(out)
    return out


def _to_time_float(arr: np.ndarray) -> np.ndarray:
    """Times of day (``datetime.time``, ``HH:MM[:SS]`` text) as fractions of a day."""
    if arr.dtype.kind in "iuf":
        return arr.astype(np.float64)

    def one(x: object) -> float:
        if _is_missing(x):
            return math.nan
        if isinstance(x, time):
            return time_to_fraction(x)
        if isinstance(x, datetime):
            return time_to_fraction(x.time())
        if isinstance(x, str):
            return string_to_time(x)
        if isinstance(x, int | float | np.integer | np.floating):
            return float(x)
        return math.nan

    return np.fromiter((one(x) for x in arr.tolist()), np.float64, len(arr))


def _text_of(x: object) -> str:
    """The string-value of one answer of a STRING question."""
    if _is_missing(x):
        return ""
    if isinstance(x, str):
        return x
    if isinstance(x, bool | np.bool_):
        return "true" if x else "false"
    if isinstance(x, int | float | np.integer | np.floating | Decimal):
        return format_number(float(x))
    if isinstance(x, datetime):
        return format_datetime(date_to_days(x))
    if isinstance(x, date):
        return format_date(date_to_days(x))
    if isinstance(x, bytes):
        return x.decode("utf-8", "replace")
    return str(x)


def _multi_of(x: object) -> str:
    """The string-value of one answer of a MULTI question: the choice names separated by one space."""
    if isinstance(x, str):
        return normalize_space(x)
    if isinstance(x, set | frozenset):
        return " ".join(sorted(_text_of(v) for v in x if not _is_missing(v)))
    if isinstance(x, list | tuple | np.ndarray):
        items = x.tolist() if isinstance(x, np.ndarray) else x
        return " ".join(_text_of(v) for v in items if not _is_missing(v))
    return normalize_space(_text_of(x))


def _factorize(arr: np.ndarray, normalize: Callable[[object], str]) -> tuple[np.ndarray | None, np.ndarray]:
    """``(codes, cats)`` of the normalised strings of ``arr``; codes is None when not worth it."""
    n = len(arr)
    if n < FACTORIZE_MIN_ROWS:
        return None, _obj_array([normalize(x) for x in arr.tolist()])
    pd = sys.modules.get("pandas")
    coded = _pandas_factorize(pd, arr) if pd is not None else None
    if coded is not None:
        return _convert_array(coded, Kind.MULTI if normalize is _multi_of else Kind.STRING)
    index: dict[object, int] = {}
    try:
        codes = np.fromiter((index.setdefault(x, len(index)) for x in arr.tolist()), np.intp, n)
        raw = list(index)
    except TypeError:  # unhashable answers (lists): normalise every row first
        normalized = [normalize(x) for x in arr.tolist()]
        index = {}
        codes = np.fromiter((index.setdefault(s, len(index)) for s in normalized), np.intp, n)
        raw = list(index)
    names = [normalize(x) for x in raw]
    merged: dict[str, int] = {}
    remap = np.fromiter((merged.setdefault(s, len(merged)) for s in names), np.intp, len(names))
    cats = _obj_array(list(merged))
    if len(cats) * 2 > n:  # mostly distinct (free text): dense is cheaper
        return None, cats[remap[codes]]
    return remap[codes], cats


def _obj_array(items: list[str]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _bool_of(x: object) -> float:
    if _is_missing(x):
        return math.nan
    if isinstance(x, str):
        s = x.strip().lower()
        if s in ("true", "1", "yes"):
            return 1.0
        if s in ("false", "0", "no"):
            return 0.0
        return math.nan
    if isinstance(x, bool | np.bool_ | int | float | np.integer | np.floating | Decimal):
        return 1.0 if x else 0.0
    return math.nan


def _convert_array(arr: np.ndarray | _Coded, kind: Kind) -> tuple[np.ndarray | None, np.ndarray]:
    """``(codes, cats)`` for a column in the storage of ``kind``."""
    if isinstance(arr, _Coded):
        codes = np.where(arr.codes < 0, len(arr.categories), arr.codes).astype(np.intp, copy=False)
        if kind in TEXT_KINDS:
            normalize = _multi_of if kind is Kind.MULTI else _text_of
            cats = _obj_array([normalize(x) for x in arr.categories.tolist()] + [""])
            if len(cats) * 2 > len(codes):  # mostly distinct (free text): dense is cheaper
                return None, cats[codes]
            return codes, cats
        # numbers, dates and booleans are stored per row: each distinct answer converted once
        _, cats = _convert_array(arr.categories, kind)
        dense = np.concatenate([cats.astype(np.float64), [np.nan]])[codes]
        if kind is Kind.BOOLEAN and not np.isnan(dense).any():
            return None, dense.astype(bool)
        return None, dense
    if kind in TEXT_KINDS:
        normalize = _multi_of if kind is Kind.MULTI else _text_of
        if arr.dtype.kind in "iuf" and len(arr) >= FACTORIZE_MIN_ROWS:
            uniques, inverse = np.unique(arr, return_inverse=True)
            return np.asarray(inverse, dtype=np.intp).ravel(), _obj_array(
                [normalize(x) for x in uniques.tolist()]
            )
        if arr.dtype.kind != "O":
            arr = arr.astype(object)
        return _factorize(arr, normalize)
    if kind is Kind.INTEGER or kind is Kind.DECIMAL:
        return None, _to_float(arr)
    if kind is Kind.DATE:
        return None, _to_float(arr, whole_days=True, dates=True)
    if kind is Kind.DATETIME:
        return None, _to_float(arr, dates=True)
    if kind is Kind.TIME:
        return None, _to_time_float(arr)
    # BOOLEAN
    if arr.dtype.kind == "b":
        return None, arr.astype(bool)
    if arr.dtype.kind in "iuf":
        out = np.where(np.isnan(arr), np.nan, arr != 0) if arr.dtype.kind == "f" else (arr != 0)
    else:
        out = np.fromiter((_bool_of(x) for x in arr.tolist()), np.float64, len(arr))
    out = np.asarray(out, dtype=np.float64)
    if not np.isnan(out).any():
        return None, out.astype(bool)
    return None, out


def infer_kind(column: Any) -> Kind:
    """A kind for a column whose kind was not given: from its dtype, else STRING."""
    dtype = getattr(column, "dtype", None)
    kind = getattr(dtype, "kind", None)
    if kind == "b":
        return Kind.BOOLEAN
    if kind in ("i", "u"):
        return Kind.INTEGER
    if kind == "f":
        return Kind.DECIMAL
    if kind == "M":
        return Kind.DATETIME
    return Kind.STRING


def convert(column: Any, kind: Kind, n: int | None, what: str) -> Value:
    """Convert one input column to a :class:`Value` of ``n`` rows (``n=None``: as many as it has)."""
    arr = _as_array(column)
    length = len(arr)
    if n is not None and length not in (n, 1):
        raise ValueError(f"{what} has {length} values but the expression is evaluated over {n} rows")
    codes, cats = _convert_array(arr, kind)
    if length == 1 and n is not None and n != 1:
        if codes is not None:
            cats = cats[codes]
        return Value(kind, cats, n=n, node=True)
    return Value(kind, cats, codes, n=length, node=True)


class NodeSet:
    """A question inside a repeat, seen from outside it: ``value`` has one row per repeat instance and
    instance ``i`` belongs to output row ``row_index[i]``."""

    __slots__ = ("_first", "n", "row_index", "value")

    def __init__(self, row_index: np.ndarray, value: Value, n: int) -> None:
        self.row_index = row_index
        self.value = value
        self.n = n
        self._first: Value | None = None

    def first(self) -> Value:
        """The value of the first instance per row (XPath string-value of a node-set); empty if none."""
        if self._first is None:
            index = np.full(self.n, -1, dtype=np.intp)
            rows, first_at = np.unique(self.row_index, return_index=True)
            index[rows] = first_at
            self._first = self.value.take(index)
        return self._first


class Context:
    """Everything an expression can refer to, for ``n`` rows (interviews, or choices in a choice filter).

    ``values[code]`` is the column for ``${code}`` and ``kinds[code]`` its kind (inferred from the dtype
    when missing); ``current``/``current_kind`` is ``.``; ``bare`` holds the choice-list columns a choice
    filter names without ``${}``; ``nodesets[code] = (row_index, values)`` is a question inside a repeat
    group; ``now`` fixes today() and now() (default: the clock, read once per context).
    """

    __slots__ = (
        "_bare",
        "_cache",
        "_current",
        "_current_kind",
        "_kinds",
        "_nodesets",
        "_now",
        "_values",
        "n",
    )

    def __init__(
        self,
        n: int,
        values: Mapping[str, Any],
        kinds: Mapping[str, Kind],
        *,
        current: Any = None,
        current_kind: Kind | None = None,
        bare: Mapping[str, Any] | None = None,
        nodesets: Mapping[str, tuple[np.ndarray, Any]] | None = None,
        now: datetime | None = None,
    ) -> None:
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"n must be a non-negative integer, not {n!r}")
        self.n = int(n)
        self._values = values
        self._kinds = kinds
        self._current = current
        self._current_kind = current_kind
        self._bare = bare
        self._nodesets = nodesets or {}
        self._now = now
        self._cache: dict[tuple[str, str], Value | NodeSet] = {}

    @property
    def now(self) -> datetime:
        if self._now is None:
            self._now = datetime.now()
        return self._now

    def _kind_of(self, code: str, column: Any) -> Kind:
        kind = self._kinds.get(code)
        return Kind(kind) if kind is not None else infer_kind(column)

    def lookup(self, code: str) -> Value | NodeSet:
        """``${code}``: a :class:`Value`, or a :class:`NodeSet` for a question inside a repeat."""
        key = ("v", code)
        found = self._cache.get(key)
        if found is not None:
            return found
        if code in self._values:
            column = self._values[code]
            found = convert(column, self._kind_of(code, column), self.n, f"the column for ${{{code}}}")
        elif code in self._nodesets:
            row_index, column = self._nodesets[code]
            rows = np.asarray(row_index)
            if rows.ndim != 1 or (len(rows) and rows.dtype.kind not in "iu"):
                raise ValueError(f"the row index of ${{{code}}} must be a 1-D integer array")
            rows = rows.astype(np.intp, copy=False)
            if len(rows) and (rows.min() < 0 or rows.max() >= self.n):
                raise ValueError(f"the row index of ${{{code}}} points outside 0..{self.n - 1}")
            value = convert(column, self._kind_of(code, column), None, f"the instances of ${{{code}}}")
            if len(value) != len(rows):
                raise ValueError(
                    f"${{{code}}} has {len(value)} instance values but {len(rows)} row index entries"
                )
            found = NodeSet(rows, value, self.n)
        else:
            known = list(self._values) + list(self._nodesets)
            raise ExpressionError(
                ErrorCode.EXPR_UNKNOWN_REFERENCE, name=code, suggestion=did_you_mean(code, known)
            )
        self._cache[key] = found
        return found

    def value(self, code: str) -> Value:
        """``${code}`` as one value per row (the first instance for a question inside a repeat)."""
        with np.errstate(all="ignore"):
            found = self.lookup(code)
            return found.first() if isinstance(found, NodeSet) else found

    def current(self) -> Value:
        """``.``, the value of the question whose constraint (or choice filter) is evaluated."""
        found = self._cache.get(("c", "."))
        if found is None:
            if self._current is None:
                raise ExpressionError(ErrorCode.EXPR_CURRENT_NOT_ALLOWED, code="code")
            kind = Kind(self._current_kind) if self._current_kind is not None else infer_kind(self._current)
            found = self._cache[("c", ".")] = convert(self._current, kind, self.n, "the current value '.'")
        assert isinstance(found, Value)
        return found

    def bare(self, name: str) -> Value:
        """A bare name: a column of the choice list in a choice filter."""
        found = self._cache.get(("b", name))
        if found is None:
            if self._bare is None or name not in self._bare:
                raise ExpressionError(ErrorCode.EXPR_BARE_NAME, name=name)
            column = self._bare[name]
            found = convert(column, infer_kind(column), self.n, f"the choice column '{name}'")
            self._cache[("b", name)] = found
        assert isinstance(found, Value)
        return found
