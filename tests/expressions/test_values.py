"""Value: the per-row views (number, text, boolean, empty, Python) and XPath number formatting."""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pytest

from surveykit.expressions import Kind, Value
from surveykit.expressions.values import format_number, string_to_number

from .helpers import ev


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (3.0, "3"),
        (-0.0, "0"),
        (2.5, "2.5"),
        (-12.125, "-12.125"),
        (1e-7, "0.0000001"),
        (1e21, "1000000000000000000000"),
        (0.1 + 0.2, "0.30000000000000004"),
        (math.nan, ""),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
    ],
)
def test_numbers_are_written_like_xpath(x, text):
    assert format_number(x) == text


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12.0),
        (" -3.5\n", -3.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("2024-01-02", 19724.0),
        ("1970-01-01T06:00:00", 0.25),
    ],
)
def test_text_to_number(text, number):
    assert string_to_number(text) == number


@pytest.mark.parametrize("text", ["", "abc", "+1", "1e3", "1,5", "0x10", "--1", "Infinity", "2024-02-30"])
def test_text_that_is_not_a_number_is_nan(text):
    assert math.isnan(string_to_number(text))


class TestViews:
    def test_integer_column(self):
        value = ev("${a}", {"a": [1, None, 3]}, {"a": Kind.INTEGER})
        assert value.kind is Kind.INTEGER
        np.testing.assert_array_equal(value.to_num(), [1.0, np.nan, 3.0])
        assert value.to_num().dtype == np.float64
        assert value.to_str().tolist() == ["1", "", "3"]
        assert value.to_str().dtype == object
        assert value.to_bool().tolist() == [True, False, True]  # an answer is true when answered
        assert value.empty().tolist() == [False, True, False]
        assert [value.to_python(i) for i in range(3)] == [1, None, 3]

    def test_computed_zero_is_false(self):
        assert ev("${a} * 0", {"a": [1, None]}, {"a": Kind.INTEGER}).to_bool().tolist() == [False, False]

    def test_text_column(self):
        value = ev("${a}", {"a": ["x", "", "12"]}, {"a": Kind.STRING})
        np.testing.assert_array_equal(value.to_num(), [np.nan, np.nan, 12.0])
        assert value.to_bool().tolist() == [True, False, True]
        assert value.to_python(1) is None

    def test_dates(self):
        value = ev("${d}", {"d": ["2024-01-02", None]}, {"d": Kind.DATE})
        np.testing.assert_array_equal(value.to_num(), [19724.0, np.nan])
        assert value.to_str().tolist() == ["2024-01-02", ""]
        assert value.to_python(0) == date(2024, 1, 2)
        stamp = ev("${d}", {"d": [datetime(2024, 1, 2, 3, 4, 5, 6000)]}, {"d": Kind.DATETIME})
        assert stamp.to_str().tolist() == ["2024-01-02T03:04:05.006"]
        assert stamp.to_python(0) == datetime(2024, 1, 2, 3, 4, 5, 6000)

    def test_booleans(self):
        value = ev("${b}", {"b": [True, False, None]}, {"b": Kind.BOOLEAN})
        assert value.to_str().tolist() == ["true", "false", ""]
        np.testing.assert_array_equal(value.to_num(), [1.0, 0.0, np.nan])
        assert value.to_bool().tolist() == [True, False, False]
        assert [value.to_python(i) for i in range(3)] == [True, False, None]

    def test_constants_have_n_rows(self):
        value = ev("'x'", n=4)
        assert len(value) == 4
        assert value.to_str().tolist() == ["x"] * 4
        assert ev("1 + 1", n=3).to_num().tolist() == [2.0] * 3

    def test_returned_arrays_are_copies(self):
        value = ev("${a}", {"a": [1.0, 2.0]}, {"a": Kind.DECIMAL})
        value.to_num()[0] = 99
        assert value.to_python(0) == 1.0

    def test_to_python_checks_the_row(self):
        value = ev("${a}", {"a": [1, 2]}, {"a": Kind.INTEGER})
        assert value.to_python(-1) == 2
        with pytest.raises(IndexError):
            value.to_python(2)

    def test_infinite_integer_stays_a_float(self):
        assert ev("int(1 div 0)").to_python(0) == math.inf

    def test_repr_shows_kind_and_first_rows(self):
        assert repr(ev("${a}", {"a": list(range(7))}, {"a": Kind.INTEGER})) == (
            "Value(INTEGER, n=7, [0, 1, 2, 3, 4, ...])"
        )


def test_constant_constructor():
    assert Value.constant(Kind.STRING, "a", 2).to_str().tolist() == ["a", "a"]
    assert Value.constant(Kind.BOOLEAN, True, 1).to_python(0) is True
    assert Value.constant(Kind.DATE, 0.0, 1).to_python(0) == date(1970, 1, 1)
