"""Property tests: parse never fails other than with ExpressionError; valid expressions evaluate over any
columns to n rows; one row evaluated alone gives the same as that row of a vectorised evaluation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from surveykit.errors import ErrorCode, ExpressionError
from surveykit.expressions import FUNCTIONS, Context, Expression, Kind, parse

from .helpers import NOW

SETTINGS = settings(
    max_examples=150,
    deadline=timedelta(seconds=2),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# --- any text ---------------------------------------------------------------------------------------

TOKENS = [
    "${a}",
    "${",
    "}",
    "(",
    ")",
    ",",
    ".",
    "'",
    '"',
    "'x'",
    "1",
    "2.5",
    ".5",
    "-",
    "+",
    "*",
    "div",
    "mod",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "not(",
    "concat(",
    "regex(",
    "if(",
    "sum(",
    " ",
    "\n",
    "name",
    "\u00a0",
    "\x00",
    "é",
    "$",
    "|",
    "[",
    "/",
    "@",
    "count-selected(",
    "jr:x(",
]


@SETTINGS
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)))
def test_parse_only_ever_raises_expression_error(text):
    try:
        expr = parse(text)
    except ExpressionError as err:
        assert err.location.column is not None
        assert 1 <= err.location.column <= max(len(text) + 1, 1) or err.code is ErrorCode.EXPR_TOO_COMPLEX
    else:
        assert isinstance(expr, Expression)
        assert expr.text == text


# --- valid expressions from the grammar -------------------------------------------------------------

KINDS = {
    "s": Kind.STRING,
    "c": Kind.STRING,
    "m": Kind.MULTI,
    "i": Kind.INTEGER,
    "x": Kind.DECIMAL,
    "d": Kind.DATE,
    "t": Kind.DATETIME,
    "h": Kind.TIME,
    "b": Kind.BOOLEAN,
    "r": Kind.INTEGER,
    "rn": Kind.STRING,
}
ROW_CODES = ["s", "c", "m", "i", "x", "d", "t", "h", "b"]
REPEAT_CODES = ["r", "rn"]
BARE = ["name", "region"]
SAFE_PATTERNS = ["'[a-z]+'", "'.*'", "'[0-9]{1,3}'", "''", "'a|b'"]
OPERATORS = ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"]

number_literals = st.one_of(
    st.integers(0, 10_000).map(str),
    st.decimals(0, 1000, places=3, allow_nan=False).map(lambda d: format(d, "f")),
    st.integers(0, 99).map(lambda i: f".{i}"),
)
string_literals = st.text(
    st.characters(blacklist_characters="'\"", blacklist_categories=("Cs",)), max_size=8
).map(lambda s: f"'{s}'")
leaves = st.one_of(
    number_literals,
    string_literals,
    st.sampled_from(["'yes'", "'a b'", "'2024-01-05'", "'1'", "''", "'%Y-%m-%d %a %b %H:%M'"]),
    st.sampled_from(ROW_CODES + REPEAT_CODES).map(lambda c: "${" + c + "}"),
    st.just("."),
    st.sampled_from(BARE),
)
FUNCTION_NAMES = sorted(FUNCTIONS)


def _extend(children):
    def call(draw_name_and_args):
        name, args = draw_name_and_args
        if name == "regex":
            args = [args[0], "PATTERN"]
        return f"{name}({', '.join(args)})"

    def with_args(name):
        spec = FUNCTIONS[name]
        top = spec.max_args if spec.max_args is not None else spec.min_args + 2
        return st.tuples(st.just(name), st.lists(children, min_size=spec.min_args, max_size=top))

    return st.one_of(
        st.tuples(children, st.sampled_from(OPERATORS), children).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"({c})"),
        st.sampled_from(FUNCTION_NAMES).flatmap(with_args).map(call),
    )


def _fill_patterns(text_and_patterns):
    text, patterns = text_and_patterns
    for p in patterns:
        text = text.replace("PATTERN", p, 1)
    return text.replace("PATTERN", "'.*'")


expressions = st.tuples(
    st.recursive(leaves, _extend, max_leaves=12),
    st.lists(st.sampled_from(SAFE_PATTERNS), max_size=4),
).map(_fill_patterns)

VALUES = {
    Kind.STRING: [None, "", "yes", "no", "1", "2024-01-05", " a  b ", "Ünï", "12.5"],
    Kind.MULTI: [None, "", "a", "a b", frozenset({"b", "c"}), ["c", "a"]],
    Kind.INTEGER: [None, 0, 1, -3, 18, 100],
    Kind.DECIMAL: [None, 0.0, -2.5, 3.25, 1e-3, np.nan, 1e300],
    Kind.DATE: [None, "2024-01-05", date(1999, 12, 31), np.datetime64("2030-06-01")],
    Kind.DATETIME: [None, "2024-01-05T10:20:30", datetime(2020, 2, 29, 23, 59, 59)],
    Kind.TIME: [None, "09:30", "23:59:59.5", time(0, 0), "7:05"],
    Kind.BOOLEAN: [None, True, False],
}


@st.composite
def contexts(draw, max_rows=6):
    n = draw(st.integers(1, max_rows))
    values = {}
    for code in ROW_CODES:
        column = draw(st.lists(st.sampled_from(VALUES[KINDS[code]]), min_size=n, max_size=n))
        values[code] = pd.Series(column, dtype="category") if code == "c" else column
    nodesets = {}
    counts = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    row_index = np.repeat(np.arange(n), counts)
    for code in REPEAT_CODES:
        nodesets[code] = (
            row_index,
            draw(
                st.lists(
                    st.sampled_from(VALUES[KINDS[code]]), min_size=len(row_index), max_size=len(row_index)
                )
            ),
        )
    bare = {
        name: draw(st.lists(st.sampled_from(VALUES[Kind.STRING]), min_size=n, max_size=n)) for name in BARE
    }
    current = draw(st.lists(st.sampled_from(VALUES[Kind.INTEGER]), min_size=n, max_size=n))
    return {"n": n, "values": values, "nodesets": nodesets, "bare": bare, "current": current}


def build(spec, rows=None):
    """A Context over all rows of ``spec``, or over the single row ``rows``."""
    if rows is None:
        return Context(
            spec["n"],
            spec["values"],
            KINDS,
            nodesets=spec["nodesets"],
            bare=spec["bare"],
            current=spec["current"],
            current_kind=Kind.INTEGER,
            now=NOW,
        )
    i = rows
    values = {
        code: (col.iloc[i : i + 1] if isinstance(col, pd.Series) else col[i : i + 1])
        for code, col in spec["values"].items()
    }
    nodesets = {}
    for code, (row_index, column) in spec["nodesets"].items():
        keep = np.flatnonzero(row_index == i)
        nodesets[code] = (np.zeros(len(keep), dtype=np.intp), [column[k] for k in keep])
    bare = {name: col[i : i + 1] for name, col in spec["bare"].items()}
    return Context(
        1,
        values,
        KINDS,
        nodesets=nodesets,
        bare=bare,
        current=spec["current"][i : i + 1],
        current_kind=Kind.INTEGER,
        now=NOW,
    )


def parse_valid(text):
    try:
        return parse(text)
    except ExpressionError as err:
        if err.code is ErrorCode.EXPR_TOO_COMPLEX:
            reject()
        raise


@SETTINGS
@given(expressions, contexts())
def test_valid_expressions_evaluate_to_n_rows(text, spec):
    expr = parse_valid(text)
    value = expr.evaluate(build(spec))
    n = spec["n"]
    assert isinstance(value.kind, Kind)
    assert len(value) == n
    assert value.to_num().shape == (n,) and value.to_num().dtype == np.float64
    assert value.to_str().shape == (n,) and all(isinstance(s, str) for s in value.to_str())
    assert value.to_bool().shape == (n,) and value.to_bool().dtype == bool
    assert value.empty().shape == (n,)
    for i in range(n):
        value.to_python(i)


@SETTINGS
@given(expressions, contexts())
def test_one_row_alone_agrees_with_the_vectorised_row(text, spec):
    expr = parse_valid(text)
    whole = expr.evaluate(build(spec))
    texts, empty = whole.to_str(), whole.empty()
    for i in range(spec["n"]):
        single = expr.evaluate(build(spec, i))
        assert single.kind is whole.kind
        assert single.to_str()[0] == texts[i], (i, single, whole)
        assert single.empty()[0] == empty[i]
        assert single.to_bool()[0] == whole.to_bool()[i]
