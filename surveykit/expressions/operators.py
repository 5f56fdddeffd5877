"""The operators ``or and = != < <= > >= + - * div mod`` and unary minus, with XPath 1.0 conversions.

* ``=`` / ``!=``: if either side is BOOLEAN, compare boolean() of both; else if either side is a number
  (INTEGER, DECIMAL, DATE or DATETIME), compare numbers (NaN = x is false, NaN != x is true) - except
  that an unanswered question is the empty string, so ``${age} = ''`` is true when age is unanswered;
  else compare the string-values.
* ``<`` ``<=`` ``>`` ``>=``: compare numbers; ISO date strings are days since 1970 (as in ODK).
* a time of day (a ``time`` question) compares by the clock with another time, with a text such as
  ``'12:30'`` (``${opened} < '09:00'``) and with the time of day of a date-time (``now()``).
* ``+ - * div mod``: numbers; empty is NaN; ``x div 0`` is ±Infinity; ``mod`` has the sign of the
  dividend (like C fmod).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from surveykit.expressions.values import (
    INTEGRAL_KINDS,
    NUMBER_LIKE,
    TEXT_KINDS,
    Kind,
    Value,
    combine,
    string_to_time,
)

__all__ = ["binary", "negate"]

_ARITHMETIC: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "div": np.true_divide,
    "mod": np.fmod,
}
_RELATIONAL: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


def _clock(v: Value) -> np.ndarray:
    """Cat-level numbers of ``v`` as a time of day: a text is read as ``HH:MM[:SS]``, a date-time gives its
    time of day (what a ``time`` question is compared with)."""
    if v.kind is Kind.TIME:
        return v.num_cats()
    if v.kind in TEXT_KINDS:
        return np.fromiter((string_to_time(s) for s in v.str_cats()), np.float64, len(v.cats))
    if v.kind is Kind.DATETIME:
        days = v.num_cats()
        return days - np.floor(days)
    return v.num_cats()


def _numbers(a: Value, b: Value) -> tuple[np.ndarray, np.ndarray]:
    """Cat-level numbers of both sides of a comparison (by the clock when one side is a time of day)."""
    if (a.kind is Kind.TIME) != (b.kind is Kind.TIME):
        return _clock(a), _clock(b)
    return a.num_cats(), b.num_cats()


def _number_rows(v: Value) -> np.ndarray | bool:
    """Cat-level: where ``v`` acts as a number in = and != (an unanswered question acts as '')."""
    if v.kind not in NUMBER_LIKE:
        return False
    if not v.node:
        return True
    return ~v.empty_cats()


def _equal(a: Value, b: Value, negate_result: bool) -> Value:
    if a.kind is Kind.BOOLEAN or b.kind is Kind.BOOLEAN:
        fn = np.not_equal if negate_result else np.equal
        return combine(Kind.BOOLEAN, [a, b], [a.bool_cats(), b.bool_cats()], fn)
    if a.kind in NUMBER_LIKE or b.kind in NUMBER_LIKE:
        # Rows where neither side is a number compare as strings, and there one side is an unanswered
        # question (''): the strings are equal exactly when both are empty.
        na, nb = _number_rows(a), _number_rows(b)
        values = [a, b, a, b]
        arrays = [*_numbers(a, b), a.empty_cats(), b.empty_cats()]
        if not isinstance(na, bool):
            values.append(a)
            arrays.append(na)
        if not isinstance(nb, bool):
            values.append(b)
            arrays.append(nb)

        def eq(x: np.ndarray, y: np.ndarray, ex: np.ndarray, ey: np.ndarray, *rows: np.ndarray) -> np.ndarray:
            it = iter(rows)
            ra = na if isinstance(na, bool) else next(it)
            rb = nb if isinstance(nb, bool) else next(it)
            if negate_result:
                return np.where(ra | rb, x != y, ~(ex & ey))
            return np.where(ra | rb, x == y, ex & ey)

        return combine(Kind.BOOLEAN, values, arrays, eq)
    fn = np.not_equal if negate_result else np.equal
    return combine(
        Kind.BOOLEAN, [a, b], [a.str_cats(), b.str_cats()], lambda x, y: np.asarray(fn(x, y), dtype=bool)
    )


def binary(op: str, a: Value, b: Value) -> Value:
    """``a op b`` for one of the binary operators of the language."""
    if op == "and":
        return combine(Kind.BOOLEAN, [a, b], [a.bool_cats(), b.bool_cats()], np.logical_and)
    if op == "or":
        return combine(Kind.BOOLEAN, [a, b], [a.bool_cats(), b.bool_cats()], np.logical_or)
    if op == "=":
        return _equal(a, b, negate_result=False)
    if op == "!=":
        return _equal(a, b, negate_result=True)
    fn = _RELATIONAL.get(op)
    if fn is not None:
        return combine(Kind.BOOLEAN, [a, b], list(_numbers(a, b)), fn)
    fn = _ARITHMETIC[op]
    integral = op != "div" and a.kind in INTEGRAL_KINDS and b.kind in INTEGRAL_KINDS
    kind = Kind.INTEGER if integral else Kind.DECIMAL
    return combine(kind, [a, b], [a.num_cats(), b.num_cats()], fn)


def negate(a: Value) -> Value:
    """Unary minus."""
    kind = Kind.INTEGER if a.kind in INTEGRAL_KINDS else Kind.DECIMAL
    return Value(kind, -a.num_cats(), a.codes, n=a.n)
