"""Operators: precedence, XPath 1.0 comparison rules (with unanswered questions), arithmetic, dates."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from surveykit.expressions import Kind

from .helpers import ev, rows

INT, D, S, M, DT, DTT, B = (
    Kind.INTEGER,
    Kind.DECIMAL,
    Kind.STRING,
    Kind.MULTI,
    Kind.DATE,
    Kind.DATETIME,
    Kind.BOOLEAN,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 - 2 - 1", 4),
        ("8 div 4 div 2", 1),
        ("-2 * 3", -6),
        ("- - 2", 2),
        ("2 - -2", 4),
        ("10 mod 4 * 2", 4),
        ("1 + 2 = 3", True),
        ("1 < 2 = 2 < 3", True),
        ("true() or false() and false()", True),
        ("(true() or false()) and false()", False),
        ("1 = 1 and 2 = 3 or 4 = 4", True),
        ("1 < 2 < 3", True),  # (1 < 2) is true, number(true()) = 1 < 3
        ("3 > 2 > 1", False),  # (3 > 2) is true, 1 > 1 is false
        (".5 + 5.", 5.5),
    ],
)
def test_precedence_and_associativity_follow_xpath(text, expected):
    assert rows(text) == [expected]


class TestEqualityWithUnansweredQuestions:
    def test_number_reference_equals_empty_string_only_when_unanswered(self):
        assert rows("${age} = ''", {"age": [None, 0, 18]}, {"age": INT}) == [True, False, False]
        assert rows("${age} != ''", {"age": [None, 0, 18]}, {"age": INT}) == [False, True, True]

    def test_text_reference_not_equal_is_true_when_unanswered(self):
        assert rows("${q} != 'yes'", {"q": [None, "yes", "no"]}, {"q": S}) == [True, False, True]
        assert rows("${q} = 'yes'", {"q": [None, "yes", "no"]}, {"q": S}) == [False, True, False]

    def test_comparison_with_a_number_is_false_when_unanswered(self):
        values = {"age": [None, 17, 18, 40]}
        assert rows("${age} > 18", values, {"age": INT}) == [False, False, False, True]
        assert rows("${age} <= 18", values, {"age": INT}) == [False, True, True, False]
        assert rows("${age} = 18", values, {"age": INT}) == [False, False, True, False]
        assert rows("${age} != 18", values, {"age": INT}) == [True, True, False, True]

    def test_two_unanswered_questions_are_equal(self):
        values = {"a": [None, None, 1, 2], "b": [None, 1, 1, None]}
        assert rows("${a} = ${b}", values, {"a": INT, "b": INT}) == [True, False, True, False]
        assert rows("${a} != ${b}", values, {"a": INT, "b": INT}) == [False, True, False, True]

    def test_number_question_against_text_question(self):
        values = {"n": [None, 1, 1, None], "t": ["", "1", "01", "x"]}
        assert rows("${n} = ${t}", values, {"n": INT, "t": S}) == [True, True, True, False]

    def test_computed_number_is_never_equal_to_empty_string(self):
        assert rows("${age} + 0 = ''", {"age": [None, 5]}, {"age": INT}) == [False, False]
        assert rows("number(${age}) != ''", {"age": [None, 5]}, {"age": INT}) == [True, True]


class TestEqualityKinds:
    def test_number_wins_over_text(self):
        assert rows("${code} = 1", {"code": ["1", "01", "1.0", "a"]}, {"code": S}) == [
            True,
            True,
            True,
            False,
        ]
        assert rows("'1.0' = 1") == [True]

    def test_text_against_text_compares_strings(self):
        assert rows("${code} = '1'", {"code": ["1", "01"]}, {"code": S}) == [True, False]
        assert rows("'abc' != 'abd'") == [True]

    def test_decimal_reference_compares_by_value(self):
        assert rows("${x} = '2.50'", {"x": [2.5, 2.51]}, {"x": D}) == [True, False]

    def test_boolean_side_compares_booleans(self):
        assert rows("${q} = true()", {"q": ["", "no", "yes"]}, {"q": S}) == [False, True, True]
        assert rows("1 = true()") == [True]
        assert rows("0 = true()") == [False]
        assert rows("'' = false()") == [True]
        assert rows("${flag} = false()", {"flag": [True, False, None]}, {"flag": B}) == [False, True, True]
        assert rows("${flag} != true()", {"flag": [True, False, None]}, {"flag": B}) == [False, True, True]

    def test_multi_compares_its_space_separated_names(self):
        values = {"m": [{"b", "a"}, ["a", "b"], "  a   b ", None, "b a"]}
        assert rows("${m} = 'a b'", values, {"m": M}) == [True, True, True, False, False]
        assert rows("${m} = ''", values, {"m": M}) == [False, False, False, True, False]

    def test_dates_compare_with_iso_strings_and_today(self):
        values = {"d": [date(2024, 1, 5), "2024-05-06", None, np.datetime64("2030-01-01")]}
        assert rows("${d} = '2024-01-05'", values, {"d": DT}) == [True, False, False, False]
        assert rows("${d} = today()", values, {"d": DT}) == [False, True, False, False]
        assert rows("${d} < today()", values, {"d": DT}) == [True, False, False, False]
        assert rows("${d} >= '2024-05-06'", values, {"d": DT}) == [False, True, False, True]
        assert rows("${d} = ''", values, {"d": DT}) == [False, False, True, False]

    def test_relational_operators_convert_text_to_numbers(self):
        assert rows("'10' > '9'") == [True]
        assert rows("'b' > 'a'") == [False]  # neither is a number: NaN comparisons are false
        assert rows("'b' < 'a'") == [False]
        assert rows("'2024-01-02' > '2024-01-01'") == [True]  # ISO dates are days (ODK)

    def test_relational_operators_on_booleans_use_one_and_zero(self):
        assert rows("true() > false()") == [True]
        assert rows("true() >= 1") == [True]


class TestArithmetic:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("7 + 3", 10),
            ("7 - 10", -3),
            ("6 * 7", 42),
            ("7 div 2", 3.5),
            ("7 mod 3", 1),
            ("-7 mod 3", -1),
            ("7 mod -3", 1),
            ("5.5 mod 2", 1.5),
            ("1 div 0", math.inf),
            ("-1 div 0", -math.inf),
            ("0.1 + 0.2", 0.30000000000000004),
        ],
    )
    def test_operator(self, text, expected):
        assert rows(text) == [expected]

    @pytest.mark.parametrize("text", ["0 div 0", "5 mod 0", "'abc' + 1", "'' * 2"])
    def test_undefined_results_are_empty(self, text):
        assert rows(text) == [None]
        assert ev(text).to_str().tolist() == [""]

    def test_infinity_is_written_like_xpath(self):
        assert ev("concat(1 div 0, ' ', -1 div 0)").to_str().tolist() == ["Infinity -Infinity"]

    def test_empty_operands_give_empty_results(self):
        values = {"a": [None, 2, 3], "b": [1, None, 4]}
        kinds = {"a": INT, "b": INT}
        for op in ("+", "-", "*", "div", "mod"):
            assert ev(f"${{a}} {op} ${{b}}", values, kinds).empty().tolist() == [True, True, False]

    def test_result_kinds(self):
        values = {"i": [2], "x": [2.5]}
        kinds = {"i": INT, "x": D}
        assert ev("${i} + 1", values, kinds).kind is Kind.INTEGER
        assert ev("${i} * ${i} - 1 mod 2", values, kinds).kind is Kind.INTEGER
        assert ev("${i} div 1", values, kinds).kind is Kind.DECIMAL
        assert ev("${i} + ${x}", values, kinds).kind is Kind.DECIMAL
        assert ev("-${i}", values, kinds).kind is Kind.INTEGER
        assert ev("-${x}", values, kinds).kind is Kind.DECIMAL
        assert rows("${i} * 3", values, kinds) == [6]
        assert isinstance(rows("${i} * 3", values, kinds)[0], int)

    def test_unary_minus_of_empty_is_empty(self):
        assert rows("-${a}", {"a": [None, 4]}, {"a": INT}) == [None, -4]

    def test_text_that_is_a_number_takes_part_in_arithmetic(self):
        assert rows("${t} * 2", {"t": [" 21 ", "x", "-1.5", "+3", "1e3"]}, {"t": S}) == [
            42,
            None,
            -3,
            None,
            None,
        ]


class TestDateArithmetic:
    def test_date_plus_number_is_days(self):
        result = ev("${d} + 1", {"d": ["2024-02-28", None]}, {"d": DT})
        assert result.to_python(0) == 19782
        assert result.to_python(1) is None

    def test_date_of_date_plus_days(self):
        assert rows("date(${d} + 2)", {"d": ["2024-02-28"]}, {"d": DT}) == [date(2024, 3, 1)]

    def test_date_minus_date_is_days(self):
        values = {"a": ["2024-03-01", "2023-01-01"], "b": ["2024-02-01", None]}
        assert rows("${a} - ${b}", values, {"a": DT, "b": DT}) == [29, None]

    def test_age_in_whole_years(self):
        assert rows("int((today() - ${dob}) div 365.25)", {"dob": ["1990-05-07"]}, {"dob": DT}) == [33]

    def test_datetime_difference_is_fractional(self):
        values = {"start": ["2024-05-06T06:08:09"], "end": [pd.Timestamp("2024-05-06 18:08:09")]}
        assert rows("${end} - ${start}", values, {"start": DTT, "end": DTT}) == [0.5]
        assert rows("now() - ${start}", values, {"start": DTT}) == [pytest.approx(1 / 24)]


class TestLogic:
    def test_and_or_over_rows(self):
        values = {"a": [True, True, False, False], "b": [True, False, True, False]}
        kinds = {"a": B, "b": B}
        assert rows("${a} and ${b}", values, kinds) == [True, False, False, False]
        assert rows("${a} or ${b}", values, kinds) == [True, True, True, False]

    def test_answers_are_true_when_answered(self):
        values = {"q": ["x", "", None], "n": [0, 0, None]}
        assert rows("${q} and ${n}", values, {"q": S, "n": INT}) == [True, False, False]
        assert rows("${q} or ${n}", values, {"q": S, "n": INT}) == [True, True, False]

    def test_numbers_are_true_when_not_zero(self):
        assert rows("0 or 0.0") == [False]
        assert rows("2 and -1") == [True]
        assert rows("(0 div 0) or false()") == [False]


def test_operators_agree_on_coded_and_dense_columns():
    """Columns of 200 rows are factorised; comparing two different coded columns and a dense one must
    give the same rows as a plain Python computation."""
    rng = np.random.default_rng(7)
    a = rng.choice(["x", "y", "", "1"], 200).tolist()
    b = rng.choice(["x", "1", "z", ""], 200).tolist()
    n = rng.integers(0, 3, 200).astype(float)
    n[rng.random(200) < 0.2] = np.nan
    values = {"a": a, "b": pd.Series(b, dtype="category"), "n": n}
    kinds = {"a": S, "b": S, "n": D}
    assert rows("${a} = ${b}", values, kinds) == [x == y for x, y in zip(a, b)]
    expected = []
    for x, y in zip(a, n):
        if math.isnan(y):
            expected.append(x == "")
        else:
            expected.append(x == "1" and y == 1)
    assert rows("${a} = ${n}", values, kinds) == expected
    assert rows("${a} != 'x' and ${b} = 'x'", values, kinds) == [x != "x" and y == "x" for x, y in zip(a, b)]
