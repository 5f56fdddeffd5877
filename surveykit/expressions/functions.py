"""The function library: one table, :data:`FUNCTIONS`, used both for arity checks when an expression is
parsed and for evaluation. Every function works on whole columns (numpy arrays); string functions run a
Python function per *distinct* value where the column is factorised.

Semantics follow the ODK XForms function list (getodk/xforms-spec, "XPath Functions"); where we choose
something ODK leaves open, the docstring and ``docs/expressions.md`` say so.
"""

from __future__ import annotations

import concurrent.futures
import functools
import math
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import regex

from surveykit.errors import ErrorCode, ExpressionError, Translated
from surveykit.expressions.context import Context, NodeSet
from surveykit.expressions.limits import Limits
from surveykit.expressions.values import (
    INTEGRAL_KINDS,
    Kind,
    Value,
    combine,
    date_to_days,
    days_to_datetime,
    normalize_space,
    represent,
    unify,
)

__all__ = ["FUNCTIONS", "Call", "FunctionSpec", "compile_pattern"]

Arg = Value | NodeSet


class Call:
    """What a function implementation may use besides its arguments; one per evaluation."""

    __slots__ = ("ctx", "limits", "n", "regex_deadline")

    def __init__(self, ctx: Context, n: int, limits: Limits) -> None:
        self.ctx = ctx
        self.n = n
        self.limits = limits
        #: when the regex() calls of this evaluation must stop (set by the first call)
        self.regex_deadline: float | None = None


@dataclass(frozen=True)
class FunctionSpec:
    """One function: how many arguments it takes and how it is computed."""

    name: str
    min_args: int
    #: None: any number of arguments from ``min_args`` on
    max_args: int | None
    impl: Callable[[Call, list[Arg]], Value]
    #: arguments may be repeat node-sets, which the function aggregates per row
    nodesets: bool = False
    #: the result depends on the clock (today(), now()), so the expression is not constant
    volatile: bool = False
    summary: str = ""

    def accepts(self, count: int) -> bool:
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    def arity_text(self) -> str:
        """How many arguments, written without words so that every language can show it: 2, 1–2, ≥1."""
        if self.max_args is None:
            return f"≥{self.min_args}"
        if self.min_args == self.max_args:
            return str(self.min_args)
        return f"{self.min_args}–{self.max_args}"


_TABLE: dict[str, FunctionSpec] = {}


def _register(
    name: str, min_args: int, max_args: int | None, *, nodesets: bool = False, volatile: bool = False
) -> Callable[[Callable[[Call, list[Arg]], Value]], Callable[[Call, list[Arg]], Value]]:
    def decorate(impl: Callable[[Call, list[Arg]], Value]) -> Callable[[Call, list[Arg]], Value]:
        summary = (impl.__doc__ or "").strip().splitlines()[0] if impl.__doc__ else ""
        _TABLE[name] = FunctionSpec(name, min_args, max_args, impl, nodesets, volatile, summary)
        return impl

    return decorate


# --- helpers ---------------------------------------------------------------------------------------


def _vectorize(fn: Callable[..., object], nargs: int) -> Callable[..., np.ndarray]:
    return np.frompyfunc(fn, nargs, 1)


def _str_map(
    kind: Kind, fn: Callable[..., object], out: type | None, doc: str
) -> Callable[[Call, list[Arg]], Value]:
    """A function applied to the string-values of its arguments (per distinct value where possible)."""

    def impl(call: Call, args: list[Arg]) -> Value:
        values = [_v(a) for a in args]
        vec = _vectorize(fn, len(values))

        def run(*parts: np.ndarray) -> np.ndarray:
            result = vec(*parts)
            return result.astype(out) if out is not None else result

        return combine(kind, values, [v.str_cats() for v in values], run)

    impl.__doc__ = doc
    return impl


def _v(arg: Arg) -> Value:
    return arg.first() if isinstance(arg, NodeSet) else arg


def _with_codes(kind: Kind, value: Value, cats: np.ndarray, *, node: bool = False) -> Value:
    return Value(kind, np.asarray(cats), value.codes, n=value.n, node=node)


def _num_kind(*values: Value) -> Kind:
    return Kind.INTEGER if all(v.kind is Kind.INTEGER for v in values) else Kind.DECIMAL


def _constant(call: Call, kind: Kind, value: object) -> Value:
    return Value.constant(kind, value, call.n)


# --- select functions ------------------------------------------------------------------------------


def _selected(items: str, name: str) -> bool:
    name = name.strip()
    return bool(name) and name in items.split()


def _selected_at(items: str, index: float) -> str:
    if not math.isfinite(index):
        return ""
    i = int(index)
    parts = items.split()
    return parts[i] if 0 <= i < len(parts) else ""


_register("selected", 2, 2)(
    _str_map(Kind.BOOLEAN, _selected, bool, "True when the choice is among the selected ones.")
)


@_register("count-selected", 1, 1)
def _count_selected(call: Call, args: list[Arg]) -> Value:
    """Number of choices selected in a select_multiple answer."""
    x = _v(args[0])
    return _with_codes(
        Kind.INTEGER, x, np.fromiter((len(s.split()) for s in x.str_cats()), float, len(x.cats))
    )


@_register("selected-at", 2, 2)
def _selected_at_impl(call: Call, args: list[Arg]) -> Value:
    """The choice at a 0-based position of a select_multiple answer ('' when out of range)."""
    items, index = _v(args[0]), _v(args[1])
    return combine(
        Kind.STRING, [items, index], [items.str_cats(), index.num_cats()], _vectorize(_selected_at, 2)
    )


# --- logic -----------------------------------------------------------------------------------------


@_register("if", 3, 3)
def _if(call: Call, args: list[Arg]) -> Value:
    """if(condition, then, else)."""
    cond, a, b = (_v(x) for x in args)
    kind = unify([a, b])
    branches = [v for v in (a, b) if not v.is_empty_literal]
    node = bool(branches) and all(v.node for v in branches)
    return combine(
        kind,
        [cond, a, b],
        [cond.bool_cats(), represent(a, kind), represent(b, kind)],
        np.where,
        node=node,
    )


@_register("coalesce", 2, None)
def _coalesce(call: Call, args: list[Arg]) -> Value:
    """The first of its arguments that is not empty."""
    values = [_v(x) for x in args]
    kind = unify(values)
    branches = [v for v in values if not v.is_empty_literal]
    node = bool(branches) and all(v.node for v in branches)
    k = len(values)

    def pick(*parts: np.ndarray) -> np.ndarray:
        out = parts[k - 1]
        for i in range(k - 2, -1, -1):
            out = np.where(parts[k + i], out, parts[i])
        return out

    return combine(
        kind,
        values * 2,
        [represent(v, kind) for v in values] + [v.empty_cats() for v in values],
        pick,
        node=node,
    )


@_register("true", 0, 0)
def _true(call: Call, args: list[Arg]) -> Value:
    """Always true."""
    return _constant(call, Kind.BOOLEAN, True)


@_register("false", 0, 0)
def _false(call: Call, args: list[Arg]) -> Value:
    """Always false."""
    return _constant(call, Kind.BOOLEAN, False)


@_register("not", 1, 1)
def _not(call: Call, args: list[Arg]) -> Value:
    """Negation."""
    x = _v(args[0])
    return _with_codes(Kind.BOOLEAN, x, ~x.bool_cats())


@_register("boolean", 1, 1)
def _boolean(call: Call, args: list[Arg]) -> Value:
    """XPath boolean(): a number is true when non-zero, text and answers when not empty."""
    x = _v(args[0])
    return _with_codes(Kind.BOOLEAN, x, x.bool_cats())


_register("boolean-from-string", 1, 1)(
    _str_map(
        Kind.BOOLEAN, lambda s: s.strip().lower() in ("true", "1"), bool, "True for the text 'true' or '1'."
    )
)


# --- strings ---------------------------------------------------------------------------------------


@_register("string", 1, 1)
def _string(call: Call, args: list[Arg]) -> Value:
    """The text of a value (numbers without a trailing .0, dates as YYYY-MM-DD)."""
    x = _v(args[0])
    return _with_codes(Kind.STRING, x, x.str_cats())


@_register("string-length", 1, 1)
def _string_length(call: Call, args: list[Arg]) -> Value:
    """Number of characters."""
    x = _v(args[0])
    return _with_codes(Kind.INTEGER, x, np.fromiter((len(s) for s in x.str_cats()), float, len(x.cats)))


def _rows_of_texts(call: Call, args: Sequence[Arg]) -> list[list[str]]:
    """Per row, the non-empty string-values of ``args`` in order (node-sets: every instance)."""
    rows: list[list[str]] = [[] for _ in range(call.n)]
    for arg in args:
        if isinstance(arg, NodeSet):
            v, row_index = arg.value, arg.row_index
        else:
            v, row_index = arg, np.arange(call.n)
        texts = v.expand(v.str_cats())
        keep = ~v.expand(v.empty_cats())
        for r, text in zip(row_index[keep].tolist(), texts[keep].tolist()):
            rows[r].append(text)
    return rows


def _objects(items: list[str]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


@_register("concat", 1, None, nodesets=True)
def _concat(call: Call, args: list[Arg]) -> Value:
    """All arguments joined into one text (every instance of a repeated question)."""
    if any(isinstance(a, NodeSet) for a in args):
        return Value(Kind.STRING, _objects(["".join(p) for p in _rows_of_texts(call, args)]), n=call.n)
    values = [_v(a) for a in args]
    result = Value(Kind.STRING, values[0].str_cats(), values[0].codes, n=call.n)
    for v in values[1:]:
        result = combine(Kind.STRING, [result, v], [result.cats, v.str_cats()], np.add)
    return result


@_register("join", 2, None, nodesets=True)
def _join(call: Call, args: list[Arg]) -> Value:
    """The non-empty values (every instance of a repeated question) joined with a separator."""
    sep = _v(args[0])
    seps = sep.expand(sep.str_cats()).tolist()
    rows = _rows_of_texts(call, args[1:])
    return Value(Kind.STRING, _objects([s.join(p) for s, p in zip(seps, rows)]), n=call.n)


_register("contains", 2, 2)(
    _str_map(Kind.BOOLEAN, lambda s, t: t in s, bool, "True when the text contains t.")
)
_register("starts-with", 2, 2)(
    _str_map(Kind.BOOLEAN, lambda s, t: s.startswith(t), bool, "True when the text starts with t.")
)
_register("ends-with", 2, 2)(
    _str_map(Kind.BOOLEAN, lambda s, t: s.endswith(t), bool, "True when the text ends with t.")
)
_register("normalize-space", 1, 1)(
    _str_map(Kind.STRING, normalize_space, None, "Trims spaces and collapses inner runs to one space.")
)


def _before(s: str, t: str) -> str:
    i = s.find(t)
    return "" if i < 0 else s[:i]


def _after(s: str, t: str) -> str:
    i = s.find(t)
    return "" if i < 0 else s[i + len(t) :]


def _translate(s: str, source: str, target: str) -> str:
    table: dict[int, int | None] = {}
    for i, ch in enumerate(source):
        table.setdefault(ord(ch), ord(target[i]) if i < len(target) else None)
    return s.translate(table)


_register("substring-before", 2, 2)(_str_map(Kind.STRING, _before, None, "The text before the first t."))
_register("substring-after", 2, 2)(_str_map(Kind.STRING, _after, None, "The text after the first t."))
_register("translate", 3, 3)(
    _str_map(Kind.STRING, _translate, None, "Replaces characters: translate(text, 'abc', 'ABC').")
)


def _substr(s: str, start: float, end: float = math.inf) -> str:
    if start != start or end != end:
        return ""
    length = len(s)
    a = int(min(max(start, 0.0), length))
    b = int(min(max(end, 0.0), length))
    return s[a:b] if a < b else ""


@_register("substr", 2, 3)
def _substr_impl(call: Call, args: list[Arg]) -> Value:
    """Part of a text: substr(text, start, end) with a 0-based start and an exclusive end."""
    values = [_v(a) for a in args]
    arrays = [values[0].str_cats()] + [v.num_cats() for v in values[1:]]
    return combine(Kind.STRING, values, arrays, _vectorize(_substr, len(values)))


# --- regular expressions ---------------------------------------------------------------------------


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


#: patterns may expand to at most this many repeated parts: ``(?:(?:a{100}){100}){100}`` would make the
#: regex engine build a million nodes (seconds and gigabytes) before any timeout can apply
MAX_PATTERN_SIZE = 100_000
_COUNTED_REPEAT_RE = re.compile(r"\{([0-9]*)(?:,([0-9]*))?\}")


def _bounded_int(digits: str | None, limit: int) -> int:
    return int(digits) if digits and len(digits) <= 9 else (limit + 1 if digits else 0)


def pattern_size(pattern: str, limit: int = MAX_PATTERN_SIZE) -> int:
    """How many parts ``pattern`` expands to once counted repeats ``{m,n}`` are unrolled, roughly (an
    upper bound: alternatives are added up). Stops counting once above ``limit``."""
    frames = [0]  # parts in each open group
    last = 0  # parts of the item a following quantifier applies to
    i, end = 0, len(pattern)
    while i < end:
        c = pattern[i]
        if c == "(":
            frames.append(0)
            last = 0
            i += 1
            continue
        if c == ")" and len(frames) > 1:
            last = frames.pop()
            frames[-1] += last
            i += 1
            continue
        if c == "{":
            m = _COUNTED_REPEAT_RE.match(pattern, i)
            if m is not None and (m.group(1) or m.group(2)):
                count = max(_bounded_int(m.group(1), limit), _bounded_int(m.group(2), limit))
                if count > 1:
                    frames[-1] += last * (count - 1)
                    last *= count
                i = m.end()
                if sum(frames) > limit:
                    return sum(frames)
                continue
        if c == "\\":
            i += 1
        elif c == "[":
            i += 1
            if i < end and pattern[i] == "^":
                i += 1
            if i < end and pattern[i] == "]":
                i += 1
            while i < end and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        frames[-1] += 1
        last = 1
        i += 1
        if frames[-1] > limit:
            return sum(frames)
    return sum(frames)


#: a pattern that calls itself: (?R), (?0), (?1), (?+1), (?-1), (?&name), (?P>name), once escapes and
#: character classes are taken out. Form regular expressions (XPath, ODK) have no recursion, and the regex
#: engine can exhaust memory on it before its timeout applies.
_RECURSION_RE = re.compile(r"\(\?(?:R|[+-]?[0-9]+|&\w+|P>\w+)\)")
_ESCAPE_OR_CLASS_RE = re.compile(r"\\.|\[\^?\]?(?:[^\]\\]|\\.)*\]", re.DOTALL)

#: The regex library's own timeout counts the CPU time of the match, not the time that passes: on a busy
#: machine a match given one second may take five (the "overshoot"). The budget (``regex_timeout_ms``)
#: bounds the matching work, as the library counts it, so that a legitimate pattern is never cut short
#: because the machine is busy; and the evaluation waits at most ``_WALL_FACTOR`` times the budget in
#: wall-clock time however busy the machine is: the matching of one regex() call runs in a worker thread
#: (the library releases the GIL while it matches), and a match still running at the ceiling gets a stop
#: signal while its own timeout caps the CPU it may still use. A few workers, so that one overrunning
#: match does not queue the next call behind it.
_WALL_FACTOR = 3
_WORKERS = 4
_pool: concurrent.futures.ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _regex_pool() -> concurrent.futures.ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = concurrent.futures.ThreadPoolExecutor(_WORKERS, thread_name_prefix="surveykit-regex")
        return _pool


def _recursive(pattern: str) -> bool:
    return _RECURSION_RE.search(_ESCAPE_OR_CLASS_RE.sub("", pattern)) is not None


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> regex.Pattern:
    """The compiled pattern (cached); raises EXPR_REGEX_INVALID for a pattern that is not valid, calls itself
    recursively, or would expand to more than :data:`MAX_PATTERN_SIZE` parts."""
    if _recursive(pattern):
        raise ExpressionError(
            ErrorCode.EXPR_REGEX_INVALID,
            pattern=_shorten(pattern),
            detail=Translated(
                en="it calls itself recursively ((?R), (?1), (?&name)), which form patterns do not support",
                ru="он рекурсивно вызывает сам себя ((?R), (?1), (?&name)), а в шаблонах форм так нельзя",
            ),
        )
    if pattern_size(pattern) > MAX_PATTERN_SIZE:
        raise ExpressionError(
            ErrorCode.EXPR_REGEX_INVALID,
            pattern=_shorten(pattern),
            detail=Translated(
                en=f"its repetitions would expand to more than {MAX_PATTERN_SIZE:,} parts",
                ru=f"повторения развернулись бы больше чем в {MAX_PATTERN_SIZE:,} частей".replace(
                    ",", "\u00a0"
                ),
            ),
        )
    try:
        return regex.compile(pattern)
    except (regex.error, ValueError, TypeError, OverflowError, RecursionError, MemoryError) as err:
        detail = str(err) if not isinstance(err, MemoryError) else _OUT_OF_MEMORY
        raise ExpressionError(
            ErrorCode.EXPR_REGEX_INVALID, pattern=_shorten(pattern), detail=detail
        ) from None


_OUT_OF_MEMORY = Translated(
    en="matching it needs more memory than there is", ru="для сравнения с ним не хватает памяти"
)


@_register("regex", 2, 2)
def _regex(call: Call, args: list[Arg]) -> Value:
    """True when the whole text matches the pattern."""
    text, pattern = _v(args[0]), _v(args[1])
    if call.regex_deadline is None:  # one time budget for all regex() calls of the evaluation
        call.regex_deadline = time.monotonic() + call.limits.regex_seconds
    deadline = call.regex_deadline
    ceiling = deadline + (_WALL_FACTOR - 1) * call.limits.regex_seconds
    stop = threading.Event()
    last: list[str] = [""]  # the pattern being matched, for the message

    def test(s: str, p: str) -> bool:
        last[0] = p
        compiled = compile_pattern(p)  # checked (size, recursion) before any matching
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0 or stop.is_set():
                raise TimeoutError
            return compiled.fullmatch(s, timeout=remaining, concurrent=True) is not None
        except TimeoutError:
            raise ExpressionError(ErrorCode.EXPR_REGEX_TIMEOUT, pattern=_shorten(p)) from None
        except MemoryError:
            raise ExpressionError(
                ErrorCode.EXPR_REGEX_INVALID, pattern=_shorten(p), detail=_OUT_OF_MEMORY
            ) from None

    vec = _vectorize(test, 2)

    def run(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if len(a) == 0:
            return np.zeros(0, dtype=bool)
        future = _regex_pool().submit(lambda: vec(a, b).astype(bool))
        try:
            return future.result(timeout=max(ceiling - time.monotonic(), 0.0))
        except concurrent.futures.TimeoutError:
            stop.set()
            raise ExpressionError(ErrorCode.EXPR_REGEX_TIMEOUT, pattern=_shorten(last[0])) from None

    return combine(Kind.BOOLEAN, [text, pattern], [text.str_cats(), pattern.str_cats()], run)


# --- numbers ---------------------------------------------------------------------------------------


@_register("number", 1, 1)
def _number(call: Call, args: list[Arg]) -> Value:
    """A number from text (NaN, i.e. empty, when it is not one); dates give days since 1970-01-01."""
    x = _v(args[0])
    return _with_codes(Kind.DECIMAL, x, x.num_cats())


def _num_unary(kind_of: Callable[[Value], Kind], fn: Callable[[np.ndarray], np.ndarray], doc: str):
    def impl(call: Call, args: list[Arg]) -> Value:
        x = _v(args[0])
        return _with_codes(kind_of(x), x, fn(x.num_cats()))

    impl.__doc__ = doc
    return impl


def _integer(x: Value) -> Kind:
    return Kind.INTEGER


def _decimal(x: Value) -> Kind:
    return Kind.DECIMAL


_register("int", 1, 1)(_num_unary(_integer, np.trunc, "Drops the fractional part (toward zero)."))
_register("abs", 1, 1)(_num_unary(_num_kind, np.abs, "Absolute value."))
_register("floor", 1, 1)(_num_unary(_integer, np.floor, "Largest whole number not above x."))
_register("ceiling", 1, 1)(_num_unary(_integer, np.ceil, "Smallest whole number not below x."))
_register("sqrt", 1, 1)(_num_unary(_decimal, np.sqrt, "Square root."))
_register("exp", 1, 1)(_num_unary(_decimal, np.exp, "e to the power x."))
_register("exp10", 1, 1)(_num_unary(_decimal, lambda x: np.power(10.0, x), "10 to the power x."))
_register("log", 1, 1)(_num_unary(_decimal, np.log, "Natural logarithm."))
_register("log10", 1, 1)(_num_unary(_decimal, np.log10, "Base-10 logarithm."))
_register("sin", 1, 1)(_num_unary(_decimal, np.sin, "Sine (radians)."))
_register("cos", 1, 1)(_num_unary(_decimal, np.cos, "Cosine (radians)."))
_register("tan", 1, 1)(_num_unary(_decimal, np.tan, "Tangent (radians)."))
_register("asin", 1, 1)(_num_unary(_decimal, np.arcsin, "Arc sine."))
_register("acos", 1, 1)(_num_unary(_decimal, np.arccos, "Arc cosine."))
_register("atan", 1, 1)(_num_unary(_decimal, np.arctan, "Arc tangent."))


@_register("decimal-date-time", 1, 1)
def _decimal_date_time(call: Call, args: list[Arg]) -> Value:
    """Days since 1970-01-01 of a date or date-time, with the time as a fraction."""
    x = _v(args[0])
    return _with_codes(Kind.DECIMAL, x, x.num_cats())


@_register("pi", 0, 0)
def _pi(call: Call, args: list[Arg]) -> Value:
    """The number π."""
    return _constant(call, Kind.DECIMAL, math.pi)


def _num_binary(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], doc: str):
    def impl(call: Call, args: list[Arg]) -> Value:
        a, b = _v(args[0]), _v(args[1])
        return combine(Kind.DECIMAL, [a, b], [a.num_cats(), b.num_cats()], fn)

    impl.__doc__ = doc
    return impl


_register("pow", 2, 2)(_num_binary(np.power, "x to the power y."))
_register("atan2", 2, 2)(_num_binary(np.arctan2, "Arc tangent of y/x."))


def _round_half_away(x: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Round half away from zero (2.5 -> 3, -2.5 -> -3) to ``digits`` decimals (negative: tens, ...).

    The scaled value is first rounded to 9 decimals so that 0.285 (stored as 0.28499999...) rounds to
    0.29 as written, not to 0.28.
    """
    d = np.trunc(digits)
    scale = np.power(10.0, d)
    scaled = np.abs(x) * scale
    rounded = np.sign(x) * np.floor(np.round(scaled, 9) + 0.5) / scale
    exact = ~(scaled < 2.0**52)  # already a whole number at this scale (or inf/NaN)
    out = np.where(exact & np.isfinite(x) & np.isfinite(d), x, rounded)
    out = np.where((scale == 0) & np.isfinite(x), 0.0, out)  # round(1234, -400): nothing is left
    return np.where(np.isnan(d), np.nan, out)


@_register("round", 1, 2)
def _round(call: Call, args: list[Arg]) -> Value:
    """Round half away from zero; round(x, digits) keeps that many decimals."""
    x = _v(args[0])
    if len(args) == 1:
        return _with_codes(Kind.INTEGER, x, _round_half_away(x.num_cats(), np.zeros(1)))
    d = _v(args[1])
    return combine(Kind.DECIMAL, [x, d], [x.num_cats(), d.num_cats()], _round_half_away)


# --- aggregates over repeats (node-sets) ------------------------------------------------------------


@_register("sum", 1, 1, nodesets=True)
def _sum(call: Call, args: list[Arg]) -> Value:
    """Sum of a repeated question per interview; empty values are skipped, no instance gives 0."""
    arg = args[0]
    v = arg.value if isinstance(arg, NodeSet) else arg
    kind = Kind.INTEGER if v.kind in INTEGRAL_KINDS else Kind.DECIMAL
    weights = np.where(v.empty_cats(), 0.0, v.num_cats())
    if isinstance(arg, NodeSet):
        out = np.bincount(arg.row_index, weights=v.expand(weights), minlength=call.n)
        return Value(kind, out.astype(np.float64), n=call.n)
    return _with_codes(kind, v, weights)


@_register("count", 1, 1, nodesets=True)
def _count(call: Call, args: list[Arg]) -> Value:
    """Number of repeat instances; for a question outside a repeat: 1 if answered, else 0."""
    arg = args[0]
    if isinstance(arg, NodeSet):
        return Value(Kind.INTEGER, np.bincount(arg.row_index, minlength=call.n).astype(np.float64), n=call.n)
    return _with_codes(Kind.INTEGER, arg, (~arg.empty_cats()).astype(np.float64))


@_register("count-non-empty", 1, 1, nodesets=True)
def _count_non_empty(call: Call, args: list[Arg]) -> Value:
    """Number of repeat instances where the question is answered."""
    arg = args[0]
    if isinstance(arg, NodeSet):
        v = arg.value
        weights = (~v.expand(v.empty_cats())).astype(np.float64)
        out = np.bincount(arg.row_index, weights=weights, minlength=call.n)
        return Value(Kind.INTEGER, out.astype(np.float64), n=call.n)
    return _with_codes(Kind.INTEGER, arg, (~arg.empty_cats()).astype(np.float64))


def _extreme(ufunc: np.ufunc, doc: str):
    def impl(call: Call, args: list[Arg]) -> Value:
        parts: list[Value] = []
        for arg in args:
            if isinstance(arg, NodeSet):
                v = arg.value
                out = np.full(call.n, np.nan)
                ufunc.at(out, arg.row_index, v.expand(v.num_cats()))
                parts.append(Value(_num_kind(v), out, n=call.n))
            else:
                parts.append(arg)
        kind = _num_kind(*parts)
        result = Value(kind, parts[0].num_cats(), parts[0].codes, n=call.n)
        for p in parts[1:]:
            result = combine(kind, [result, p], [result.cats, p.num_cats()], ufunc)
        return result

    impl.__doc__ = doc
    return impl


_register("min", 1, None, nodesets=True)(_extreme(np.fmin, "Smallest of the values; empty ones are skipped."))
_register("max", 1, None, nodesets=True)(_extreme(np.fmax, "Largest of the values; empty ones are skipped."))


# --- dates -----------------------------------------------------------------------------------------


@_register("today", 0, 0, volatile=True)
def _today(call: Call, args: list[Arg]) -> Value:
    """Today's date."""
    return _constant(call, Kind.DATE, date_to_days(call.ctx.now.date()))


@_register("now", 0, 0, volatile=True)
def _now(call: Call, args: list[Arg]) -> Value:
    """The current date and time."""
    return _constant(call, Kind.DATETIME, date_to_days(call.ctx.now))


@_register("date", 1, 1)
def _date(call: Call, args: list[Arg]) -> Value:
    """A date from 'YYYY-MM-DD' text or from a number of days since 1970-01-01."""
    x = _v(args[0])
    return _with_codes(Kind.DATE, x, np.floor(x.num_cats()))


_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ru": ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
}
_WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ru": ("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
}
_SPEC_RE = re.compile(r"%(.)", re.DOTALL)


def _format_one(days: float, fmt: str, language: str = "en") -> str:
    dt = days_to_datetime(days)
    if dt is None:
        return ""
    lang = "ru" if language.strip().lower()[:2] == "ru" else "en"

    def field(m: re.Match[str]) -> str:
        c = m.group(1)
        if c == "Y":
            return f"{dt.year:04d}"
        if c == "y":
            return f"{dt.year % 100:02d}"
        if c == "m":
            return f"{dt.month:02d}"
        if c == "n":
            return str(dt.month)
        if c == "b":
            return _MONTHS[lang][dt.month - 1]
        if c == "d":
            return f"{dt.day:02d}"
        if c == "e":
            return str(dt.day)
        if c == "a":
            return _WEEKDAYS[lang][dt.weekday()]
        if c == "H":
            return f"{dt.hour:02d}"
        if c == "h":
            return str(dt.hour)
        if c == "M":
            return f"{dt.minute:02d}"
        if c == "S":
            return f"{dt.second:02d}"
        if c == "3":
            return f"{dt.microsecond // 1000:03d}"
        if c == "%":
            return "%"
        return m.group(0)

    return _SPEC_RE.sub(field, fmt)


def _formatter(whole_days: bool, doc: str):
    def impl(call: Call, args: list[Arg]) -> Value:
        values = [_v(a) for a in args]
        x = values[0]
        days = np.floor(x.num_cats()) if whole_days else x.num_cats()
        rest = values[1:]
        if x.codes is None and len(x.cats) > 64 and all(v.is_constant for v in rest):
            uniques, inverse = np.unique(days, return_inverse=True)
            extra = [v.str_cats()[0] for v in rest]
            texts = _objects([_format_one(d, *extra) for d in uniques.tolist()])
            return Value(Kind.STRING, texts, np.asarray(inverse, dtype=np.intp).ravel(), n=call.n)
        arrays = [days] + [v.str_cats() for v in rest]
        return combine(Kind.STRING, values, arrays, _vectorize(_format_one, len(values)))

    impl.__doc__ = doc
    return impl


_register("format-date", 2, 3)(_formatter(True, "A date as text, e.g. format-date(${d}, '%e %b %Y')."))
_register("format-date-time", 2, 3)(
    _formatter(False, "A date-time as text, e.g. format-date-time(now(), '%Y-%m-%d %H:%M')."),
)


#: every function of the language, by name (read-only)
FUNCTIONS: Mapping[str, FunctionSpec] = MappingProxyType(_TABLE)


def arguments_for(spec: FunctionSpec, args: list[Arg]) -> list[Arg]:
    """Node-sets become their first instance unless the function aggregates them."""
    if spec.nodesets:
        return args
    return [a.first() if isinstance(a, NodeSet) else a for a in args]
