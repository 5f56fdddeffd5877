"""Every function of the library, with the empty-value rules, over several rows at once."""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from surveykit.errors import ErrorCode
from surveykit.expressions import FUNCTIONS, Kind, parse

from .helpers import NOW, context, ev, raises, rows

S, M, INT, D, DT, DTT, B = (
    Kind.STRING,
    Kind.MULTI,
    Kind.INTEGER,
    Kind.DECIMAL,
    Kind.DATE,
    Kind.DATETIME,
    Kind.BOOLEAN,
)

# One row per case: (expression, columns, kinds, expected rows). Columns have three rows unless noted.
TEXT = {"t": ["Hello world", "", None]}
MULTI = {"m": ["a b c", {"c", "a"}, None]}
NUM = {"x": [2.4, -2.5, None]}
CASES = [
    # select functions
    ("selected(${m}, 'a')", MULTI, {"m": M}, [True, True, False]),
    ("selected(${m}, 'b')", MULTI, {"m": M}, [True, False, False]),
    ("selected(${m}, ' c ')", MULTI, {"m": M}, [True, True, False]),
    ("selected(${m}, '')", MULTI, {"m": M}, [False, False, False]),
    ("selected(${m}, 'a b')", MULTI, {"m": M}, [False, False, False]),
    ("count-selected(${m})", MULTI, {"m": M}, [3, 2, 0]),
    ("selected-at(${m}, 0)", MULTI, {"m": M}, ["a", "a", None]),
    ("selected-at(${m}, 2)", MULTI, {"m": M}, ["c", None, None]),
    ("selected-at(${m}, -1)", MULTI, {"m": M}, [None, None, None]),
    ("selected-at(${m}, 1.9)", MULTI, {"m": M}, ["b", "c", None]),
    # logic
    ("if(${x} > 0, 'pos', 'neg')", NUM, {"x": D}, ["pos", "neg", "neg"]),
    ("if(${x} > 0, ${x}, '')", NUM, {"x": D}, [2.4, None, None]),
    ("coalesce(${x}, 0)", NUM, {"x": D}, [2.4, -2.5, 0]),
    ("coalesce(${t}, ${x}, 'none')", {**TEXT, **NUM}, {"t": S, "x": D}, ["Hello world", "-2.5", "none"]),
    ("coalesce(${t}, '')", TEXT, {"t": S}, ["Hello world", None, None]),
    ("not(${t})", TEXT, {"t": S}, [False, True, True]),
    ("true()", {}, {}, [True]),
    ("false()", {}, {}, [False]),
    ("boolean(${x})", NUM, {"x": D}, [True, True, False]),
    ("boolean(${x} * 0)", NUM, {"x": D}, [False, False, False]),
    ("boolean('false')", {}, {}, [True]),
    (
        "boolean-from-string(${s})",
        {"s": ["true", "1", "TRUE", "false", "yes", ""]},
        {"s": S},
        [True, True, True, False, False, False],
    ),
    # strings
    ("string(${x})", NUM, {"x": D}, ["2.4", "-2.5", None]),
    ("string(3 div 1)", {}, {}, ["3"]),
    ("string(1 = 1)", {}, {}, ["true"]),
    ("string(${d})", {"d": [date(2024, 1, 2)]}, {"d": DT}, ["2024-01-02"]),
    ("string-length(${t})", TEXT, {"t": S}, [11, 0, 0]),
    ("string-length('Привет')", {}, {}, [6]),
    ("concat(${t}, '!', ${x})", {**TEXT, **NUM}, {"t": S, "x": D}, ["Hello world!2.4", "!-2.5", "!"]),
    ("concat('a')", {}, {}, ["a"]),
    ("contains(${t}, 'o w')", TEXT, {"t": S}, [True, False, False]),
    ("contains(${t}, '')", TEXT, {"t": S}, [True, True, True]),
    ("starts-with(${t}, 'Hell')", TEXT, {"t": S}, [True, False, False]),
    ("ends-with(${t}, 'world')", TEXT, {"t": S}, [True, False, False]),
    ("substr(${t}, 6)", TEXT, {"t": S}, ["world", None, None]),
    ("substr(${t}, 0, 5)", TEXT, {"t": S}, ["Hello", None, None]),
    ("substr(${t}, 3, 2)", TEXT, {"t": S}, [None, None, None]),
    ("substr(${t}, -3, 2)", TEXT, {"t": S}, ["He", None, None]),
    ("substr(${t}, 8, 100)", TEXT, {"t": S}, ["rld", None, None]),
    ("substr('abc', 0 div 0)", {}, {}, [None]),
    ("substring-before(${t}, ' ')", TEXT, {"t": S}, ["Hello", None, None]),
    ("substring-before(${t}, 'x')", TEXT, {"t": S}, [None, None, None]),
    ("substring-after(${t}, 'o')", TEXT, {"t": S}, [" world", None, None]),
    ("substring-after('abc', '')", {}, {}, ["abc"]),
    ("normalize-space(${s})", {"s": ["  a \t b\n", "", "c"]}, {"s": S}, ["a b", None, "c"]),
    ("translate(${t}, 'lo', 'L')", TEXT, {"t": S}, ["HeLL wrLd", None, None]),
    (
        "join(', ', ${a}, ${b})",
        {"a": ["x", "", "y"], "b": ["z", "w", ""]},
        {"a": S, "b": S},
        ["x, z", "w", "y"],
    ),
    # regular expressions
    ("regex(${t}, '[A-Z][a-z]+ [a-z]+')", TEXT, {"t": S}, [True, False, False]),
    ("regex(${t}, 'world')", TEXT, {"t": S}, [False, False, False]),  # the whole text must match
    ("regex(${t}, '.*world')", TEXT, {"t": S}, [True, False, False]),
    ("regex(${t}, '[0-9]*')", TEXT, {"t": S}, [False, True, True]),  # empty text is tested as ''
    (
        "regex(${t}, ${p})",
        {"t": ["abc", "123", ""], "p": ["[a-c]+", "[a-c]+", "x?"]},
        {"t": S, "p": S},
        [True, False, True],
    ),
    # numbers
    ("number(${t})", {"t": ["12", " 3.5 ", "x", None, "2024-01-02"]}, {"t": S}, [12, 3.5, None, None, 19724]),
    ("int(${x})", NUM, {"x": D}, [2, -2, None]),
    ("round(${x})", NUM, {"x": D}, [2, -3, None]),
    ("round(2.5)", {}, {}, [3]),
    ("round(-0.5)", {}, {}, [-1]),
    ("round(1.005, 2)", {}, {}, [1.01]),
    ("round(1234.5678, -2)", {}, {}, [1200]),
    ("round(1234.5678, -400)", {}, {}, [0]),
    ("round(1234.5678, 400)", {}, {}, [1234.5678]),
    ("round(${x}, 0 div 0)", NUM, {"x": D}, [None, None, None]),
    ("abs(${x})", NUM, {"x": D}, [2.4, 2.5, None]),
    ("floor(${x})", NUM, {"x": D}, [2, -3, None]),
    ("ceiling(${x})", NUM, {"x": D}, [3, -2, None]),
    ("pow(2, 10)", {}, {}, [1024]),
    ("pow(${x}, 2)", NUM, {"x": D}, [pytest.approx(5.76), 6.25, None]),
    ("sqrt(16)", {}, {}, [4]),
    ("sqrt(-1)", {}, {}, [None]),
    ("exp(0)", {}, {}, [1]),
    ("exp10(2)", {}, {}, [100]),
    ("log(exp(2))", {}, {}, [pytest.approx(2)]),
    ("log10(1000)", {}, {}, [pytest.approx(3)]),
    ("sin(0)", {}, {}, [0]),
    ("cos(0)", {}, {}, [1]),
    ("tan(0)", {}, {}, [0]),
    ("asin(1)", {}, {}, [pytest.approx(math.pi / 2)]),
    ("acos(1)", {}, {}, [0]),
    ("atan(0)", {}, {}, [0]),
    ("atan2(1, 1)", {}, {}, [pytest.approx(math.pi / 4)]),
    ("pi()", {}, {}, [pytest.approx(math.pi)]),
    ("sum(${x})", NUM, {"x": D}, [2.4, -2.5, 0]),
    ("min(${a}, ${b}, 5)", {"a": [1, None, None], "b": [7, 9, None]}, {"a": INT, "b": INT}, [1, 5, 5]),
    ("max(${a}, ${b})", {"a": [1, None, None], "b": [7, 9, None]}, {"a": INT, "b": INT}, [7, 9, None]),
    ("min(${a})", {"a": [3, None]}, {"a": INT}, [3, None]),
    ("count(${t})", TEXT, {"t": S}, [1, 0, 0]),
    ("count-non-empty(${t})", TEXT, {"t": S}, [1, 0, 0]),
    # dates
    ("today()", {}, {}, [date(2024, 5, 6)]),
    ("now()", {}, {}, [NOW]),
    ("date('2024-02-29')", {}, {}, [date(2024, 2, 29)]),
    ("date('2023-02-29')", {}, {}, [None]),
    ("date(19724)", {}, {}, [date(2024, 1, 2)]),
    ("date(${t})", {"t": ["2024-01-02T23:59:00", "", "soon"]}, {"t": S}, [date(2024, 1, 2), None, None]),
    ("decimal-date-time('1970-01-02T12:00:00')", {}, {}, [1.5]),
    ("format-date(${d}, '%Y-%m-%d')", {"d": [date(2024, 3, 9), None]}, {"d": DT}, ["2024-03-09", None]),
    ("format-date(${d}, '%e.%n.%y %b %a')", {"d": ["2024-03-09"]}, {"d": DT}, ["9.3.24 Mar Sat"]),
    ("format-date(${d}, '%d %b', 'ru')", {"d": ["2024-03-09"]}, {"d": DT}, ["09 мар"]),
    ("format-date(${d}, '%H:%M 100%% %q')", {"d": ["2024-03-09T10:11:12"]}, {"d": DTT}, ["00:00 100% %q"]),
    (
        "format-date-time(${d}, '%Y-%m-%d %H:%M:%S.%3 %h')",
        {"d": [datetime(2024, 3, 9, 7, 5, 3, 250000)]},
        {"d": DTT},
        ["2024-03-09 07:05:03.250 7"],
    ),
    ("format-date-time(now(), '%a %e %b %Y, %H:%M')", {}, {}, ["Mon 6 May 2024, 07:08"]),
]


@pytest.mark.parametrize(("text", "values", "kinds", "expected"), CASES, ids=[c[0] for c in CASES])
def test_function(text, values, kinds, expected):
    assert rows(text, values, kinds) == expected


def test_every_function_has_a_case():
    called = set()
    for case in CASES:
        called |= parse(case[0]).functions
    called |= {"sum", "count", "count-non-empty", "join", "min", "max", "concat"}  # see TestNodeSets
    assert set(FUNCTIONS) - called == set()


def test_result_kinds():
    assert ev("count-selected('a b')").kind is Kind.INTEGER
    assert ev("string-length('a')").kind is Kind.INTEGER
    assert ev("number('1')").kind is Kind.DECIMAL
    assert ev("int(2.5)").kind is Kind.INTEGER
    assert ev("round(2.5, 1)").kind is Kind.DECIMAL
    assert ev("today()").kind is Kind.DATE
    assert ev("now()").kind is Kind.DATETIME
    assert ev("date('2024-01-01')").kind is Kind.DATE
    assert ev("if(true(), 1, 2.5)").kind is Kind.DECIMAL
    assert ev("if(true(), today(), now())").kind is Kind.DATETIME
    assert ev("if(true(), 1, 'a')").kind is Kind.STRING
    assert ev("coalesce('', 3)").kind is Kind.INTEGER
    assert ev("selected('a', 'a')").kind is Kind.BOOLEAN


def test_if_keeps_the_kind_of_a_calculation():
    value = ev("if(${n} > 1, ${n} * 2, '')", {"n": [1, 3]}, {"n": INT})
    assert value.kind is Kind.INTEGER
    assert [value.to_python(0), value.to_python(1)] == [None, 6]


def test_coalesce_of_unanswered_questions_still_equals_empty_string():
    assert rows("coalesce(${a}, ${b}) = ''", {"a": [None, 1], "b": [None, None]}, {"a": INT, "b": INT}) == [
        True,
        False,
    ]


def test_format_date_over_many_rows_formats_each_distinct_date_once():
    days = pd.Series(pd.date_range("2024-01-01", periods=300, freq="D"))
    days[5] = pd.NaT
    value = ev("format-date(${d}, '%d.%m.%Y')", {"d": days}, {"d": DT})
    texts = value.to_str()
    assert texts[0] == "01.01.2024"
    assert texts[5] == ""
    assert texts[299] == (date(2024, 1, 1) + pd.Timedelta(days=299)).strftime("%d.%m.%Y")


def test_concat_of_many_arguments():
    text = "concat(" + ", ".join(f"'{i}'" for i in range(100)) + ")"
    assert rows(text) == ["".join(str(i) for i in range(100))]


class TestRegexAtRunTime:
    def test_invalid_pattern_from_data_is_reported_at_the_call(self):
        err = raises(
            ErrorCode.EXPR_REGEX_INVALID,
            ev,
            "1 and regex(${t}, ${p})",
            {"t": ["a"], "p": ["(a"]},
            {"t": S, "p": S},
        )
        assert err.location.column == 7
        assert err.params["pattern"] == "(a"

    def test_compiled_patterns_are_reused(self):
        from surveykit.expressions.functions import compile_pattern

        assert compile_pattern("[a-z]+") is compile_pattern("[a-z]+")


class TestNodeSets:
    """Questions inside a repeat group, seen from the household level: 4 households, the last one with
    no members."""

    ROWS = np.array([0, 0, 1, 2, 2, 2])
    NODESETS = {
        "age": (ROWS, [30, None, 41, 7, 9, 35]),
        "name": (ROWS, ["Ann", "Bob", "", "Cy", "Di", "Ed"]),
        "sex": (ROWS, pd.Series(["f", "m", None, "m", "f", "f"], dtype="category")),
    }
    KINDS = {"age": INT, "name": S, "sex": S}

    def rows(self, text):
        ctx = context({}, self.KINDS, n=4, nodesets=self.NODESETS)
        value = parse(text).evaluate(ctx)
        return [value.to_python(i) for i in range(4)]

    def test_sum_skips_empty_values_and_gives_zero_without_instances(self):
        assert self.rows("sum(${age})") == [30, 41, 51, 0]

    def test_count_counts_instances(self):
        assert self.rows("count(${age})") == [2, 1, 3, 0]

    def test_count_non_empty(self):
        assert self.rows("count-non-empty(${age})") == [1, 1, 3, 0]
        assert self.rows("count-non-empty(${name})") == [2, 0, 3, 0]

    def test_min_and_max(self):
        assert self.rows("min(${age})") == [30, 41, 7, None]
        assert self.rows("max(${age})") == [30, 41, 35, None]
        assert self.rows("max(${age}, 40)") == [40, 41, 40, 40]
        assert self.rows("max(${name})") == [None, None, None, None]  # text that is not a number is skipped

    def test_join_and_concat(self):
        assert self.rows("join(', ', ${name})") == ["Ann, Bob", None, "Cy, Di, Ed", None]
        assert self.rows("concat(${name}, '/', ${sex})") == ["AnnBob/fm", "/", "CyDiEd/mff", "/"]

    def test_a_node_set_in_a_scalar_position_gives_the_first_instance(self):
        assert self.rows("${age} + 1") == [31, 42, 8, None]
        assert self.rows("${name} = ''") == [False, True, False, True]
        assert self.rows("selected(${sex}, 'm')") == [False, False, True, False]
        assert self.rows("string-length(${name})") == [3, 0, 2, 0]

    def test_aggregates_combine_with_row_values(self):
        ctx = context({"hh_size": [2, 1, 5, 0]}, {**self.KINDS, "hh_size": INT}, n=4, nodesets=self.NODESETS)
        value = parse("count(${age}) = ${hh_size}").evaluate(ctx)
        assert value.to_bool().tolist() == [True, True, False, True]

    def test_context_value_of_a_node_set_is_its_first_instance(self):
        ctx = context({}, self.KINDS, n=4, nodesets=self.NODESETS)
        assert [ctx.value("age").to_python(i) for i in range(4)] == [30, 41, 7, None]


class TestChoiceFilter:
    """A choice filter runs over the rows of a choice list (n = number of choices); the interview's
    answers are columns of length 1."""

    BARE = {
        "name": ["kyiv", "lviv", "odesa", "minsk"],
        "country": ["ua", "ua", "ua", "by"],
        "population": [2.9, 0.7, 1.0, 2.0],
    }

    def test_bare_names_are_choice_columns(self):
        value = ev("country = ${country}", {"country": ["ua"]}, {"country": S}, n=4, bare=self.BARE)
        assert value.to_bool().tolist() == [True, True, True, False]

    def test_functions_of_bare_names(self):
        value = ev("starts-with(name, 'l') or population > 1.5", {}, {}, n=4, bare=self.BARE)
        assert value.to_bool().tolist() == [True, True, False, True]

    def test_current_value_in_a_choice_filter(self):
        value = ev("name != .", {}, {}, n=4, bare=self.BARE, current=["lviv"], current_kind=S)
        assert value.to_bool().tolist() == [True, False, True, True]

    def test_bare_name_outside_a_choice_filter_is_an_error(self):
        err = raises(ErrorCode.EXPR_BARE_NAME, ev, "1 = 1 and name = 'x'", {}, {})
        assert err.params["name"] == "name"
        assert err.location.column == 11

    def test_unknown_choice_column_is_an_error(self):
        raises(ErrorCode.EXPR_BARE_NAME, ev, "region = 'x'", {}, {}, n=4, bare=self.BARE)
