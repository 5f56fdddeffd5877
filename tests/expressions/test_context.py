"""Context: every accepted column type, the meaning of empty, caching, and reference errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from surveykit.errors import ErrorCode, did_you_mean
from surveykit.expressions import Context, Kind, parse

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


def column(values, kind):
    """``${c}`` over one column, as plain Python values per row."""
    return rows("${c}", {"c": values}, {"c": kind})


class TestEmptyValues:
    @pytest.mark.parametrize(
        "values",
        [
            [None, np.nan, pd.NA, pd.NaT, ""],
            pd.Series([None, np.nan, pd.NA, pd.NaT, ""], dtype=object),
            pd.Series([None, None, None, None, ""], dtype="string"),
            pd.Series([None, None, None, None, ""], dtype="str"),
        ],
    )
    def test_all_spellings_of_empty_are_empty(self, values):
        for kind in Kind:
            value = ev("${c}", {"c": values}, {"c": kind})
            assert value.empty().tolist() == [True] * 5, kind
            assert value.to_str().tolist() == [""] * 5, kind


class TestNumbers:
    def test_numpy_and_nullable_pandas_columns(self):
        assert column(np.array([1, 2, 3]), INT) == [1, 2, 3]
        assert column(pd.Series([1, None, 3], dtype="Int64"), INT) == [1, None, 3]
        assert column(pd.Series([1.5, None], dtype="Float64"), D) == [1.5, None]
        assert column(np.array([True, False]), INT) == [1, 0]

    def test_objects_and_text(self):
        assert column([1, "2", " 3.5 ", "x", None, True], D) == [1, 2, 3.5, None, None, 1]

    def test_integer_results_are_python_ints(self):
        assert all(type(v) is int for v in column(np.array([1.0, 2.0]), INT))


class TestText:
    def test_numbers_and_booleans_become_xpath_text(self):
        assert column([1, 2.0, 2.5, True, date(2024, 1, 2)], S) == ["1", "2", "2.5", "true", "2024-01-02"]

    def test_categorical_with_missing(self):
        values = pd.Series(["yes", None, "no", "yes"], dtype="category")
        assert column(values, S) == ["yes", None, "no", "yes"]
        assert rows("${c} = 'yes'", {"c": values}, {"c": S}) == [True, False, False, True]

    def test_numpy_unicode_array(self):
        assert column(np.array(["a", "", "c"]), S) == ["a", None, "c"]

    def test_many_rows_are_factorised_and_give_the_same_answers(self):
        values = ["yes", "no", None, "dk"] * 50
        value = ev("${c}", {"c": values}, {"c": S})
        assert value.codes is not None and len(value.cats) == 4
        assert [value.to_python(i) for i in range(200)] == [v or None for v in values]
        assert rows("${c} != 'no'", {"c": values}, {"c": S}) == [v != "no" for v in values]

    def test_many_distinct_rows_are_kept_dense(self):
        values = [f"answer {i}" for i in range(100)]
        assert ev("${c}", {"c": values}, {"c": S}).codes is None

    def test_numeric_codes_of_a_single_choice_many_rows(self):
        values = np.array([1, 2, 3, 1] * 20)
        assert rows("${c} = '2'", {"c": values}, {"c": S}) == (values == 2).tolist()


class TestMulti:
    def test_strings_sets_lists_tuples_and_arrays(self):
        values = ["b  a", {"b", "a"}, frozenset({"c"}), ["z", "y"], ("x",), np.array(["p", "q"]), None]
        assert column(values, M) == ["b a", "a b", "c", "z y", "x", "p q", None]

    def test_unhashable_answers_over_many_rows(self):
        values = [["a", "b"], ["c"], []] * 30
        assert rows("count-selected(${c})", {"c": values}, {"c": M}) == [2, 1, 0] * 30

    def test_categorical_multi(self):
        values = pd.Series(["a b", "b", None], dtype="category")
        assert rows("selected(${c}, 'b')", {"c": values}, {"c": M}) == [True, True, False]


class TestDates:
    def test_date_inputs(self):
        values = [
            date(2024, 1, 2),
            datetime(2024, 1, 2, 23, 0),
            "2024-01-02",
            np.datetime64("2024-01-02"),
            pd.Timestamp("2024-01-02 12:00"),
            "2024-13-01",
            "not a date",
            None,
        ]
        assert column(values, DT) == [date(2024, 1, 2)] * 5 + [None, None, None]

    def test_datetime64_series_with_missing(self):
        values = pd.Series([pd.Timestamp("2024-01-02 06:00"), pd.NaT])
        assert column(values, DTT) == [datetime(2024, 1, 2, 6, 0), None]
        assert column(values, DT) == [date(2024, 1, 2), None]

    def test_datetime_strings_and_time_zones_keep_the_wall_clock(self):
        values = [
            "2024-01-02T06:30:00",
            "2024-01-02T06:30:00.500+03:00",
            "2024-01-02 06:30Z",
            datetime(2024, 1, 2, 6, 30, tzinfo=UTC),
            "2024-01-02T25:00",
        ]
        assert column(values, DTT) == [
            datetime(2024, 1, 2, 6, 30),
            datetime(2024, 1, 2, 6, 30, 0, 500000),
            datetime(2024, 1, 2, 6, 30),
            datetime(2024, 1, 2, 6, 30),
            None,
        ]

    def test_time_zone_aware_series(self):
        values = pd.Series(pd.to_datetime(["2024-01-02 06:30"]).tz_localize("Europe/Kyiv"))
        assert column(values, DTT) == [datetime(2024, 1, 2, 6, 30)]


class TestBooleans:
    def test_boolean_inputs(self):
        assert column([True, False, None, "true", "0", "yes", "maybe", 1, 0.0], B) == [
            True,
            False,
            None,
            True,
            False,
            True,
            None,
            True,
            False,
        ]
        assert column(pd.Series([True, None], dtype="boolean"), B) == [True, None]
        assert column(np.array([1.0, np.nan, 0.0]), B) == [True, None, False]
        assert column(np.array([True, False]), B) == [True, False]
        assert column(pd.Series([True, None, False], dtype="category"), B) == [True, None, False]

    def test_categorical_numbers_and_dates(self):
        assert column(pd.Series([3, None, 5], dtype="category"), INT) == [3, None, 5]
        assert column(pd.Series(["2024-01-02", None], dtype="category"), DT) == [date(2024, 1, 2), None]


class TestShapes:
    def test_length_one_columns_and_scalars_are_broadcast(self):
        assert rows("${a} + ${b}", {"a": [1], "b": 2}, {"a": INT, "b": INT}, n=3) == [3, 3, 3]
        assert rows("${a} = 'x'", {"a": "x"}, {"a": S}, n=2) == [True, True]

    def test_kinds_are_inferred_from_the_dtype_when_not_given(self):
        assert ev("${a}", {"a": np.array([1, 2])}).kind is Kind.INTEGER
        assert ev("${a}", {"a": np.array([1.5])}).kind is Kind.DECIMAL
        assert ev("${a}", {"a": np.array([True])}).kind is Kind.BOOLEAN
        assert ev("${a}", {"a": np.array(["2024-01-01"], dtype="datetime64[D]")}).kind is Kind.DATETIME
        assert ev("${a}", {"a": ["x"]}).kind is Kind.STRING

    def test_zero_rows(self):
        value = ev("${a} + 1 = 2 and selected(${m}, 'x')", {"a": [], "m": []}, {"a": INT, "m": M}, n=0)
        assert value.to_bool().tolist() == []
        assert len(value) == 0

    def test_wrong_length_is_a_runtime_error_at_the_reference(self):
        err = raises(ErrorCode.EXPR_RUNTIME, ev, "1 + ${a}", {"a": [1, 2]}, {"a": INT}, n=3)
        assert "2 values" in err.params["detail"] and "3 rows" in err.params["detail"]
        assert err.location.column == 5

    def test_two_dimensional_column_is_a_runtime_error(self):
        raises(ErrorCode.EXPR_RUNTIME, ev, "${a}", {"a": np.zeros((2, 2))}, {"a": INT}, n=2)

    @pytest.mark.parametrize(
        "nodesets",
        [
            {"k": (np.array([0, 5]), [1, 2])},
            {"k": (np.array([0, -1]), [1, 2])},
            {"k": (np.array([0, 1]), [1, 2, 3])},
            {"k": (np.array([0.5, 1.0]), [1, 2])},
        ],
    )
    def test_bad_node_sets_are_runtime_errors(self, nodesets):
        raises(ErrorCode.EXPR_RUNTIME, ev, "sum(${k})", {}, {"k": INT}, n=2, nodesets=nodesets)

    def test_negative_row_count_is_refused(self):
        with pytest.raises(ValueError):
            Context(-1, {}, {})


class TestReferences:
    def test_unknown_reference_suggests_a_known_code(self):
        err = raises(ErrorCode.EXPR_UNKNOWN_REFERENCE, ev, "${age} > 1 and ${agee} < 3", {"age": [1]})
        assert err.params["name"] == "agee"
        assert err.params["suggestion"] == did_you_mean("agee", ["age"])
        assert "'age'" in err.params["suggestion"]
        assert err.location.column == 16

    def test_current_value_needs_a_current_column(self):
        err = raises(ErrorCode.EXPR_CURRENT_NOT_ALLOWED, ev, "1 < .", {})
        assert err.location.column == 5

    def test_current_value(self):
        assert rows(". > 3 and . < 10", {}, {}, n=3, current=[1, 5, None], current_kind=INT) == [
            False,
            True,
            False,
        ]

    def test_conversions_are_cached_per_context(self):
        ctx = context({"a": ["x", "y"]}, {"a": S})
        assert ctx.value("a") is ctx.value("a")
        assert ctx.lookup("a") is ctx.value("a")

    def test_the_clock_is_read_once_per_context(self):
        ctx = Context(1, {}, {})
        first = parse("now()").evaluate(ctx).to_python(0)
        assert parse("now()").evaluate(ctx).to_python(0) == first
        assert abs((ctx.now - first).total_seconds()) <= 0.001  # date-times are kept to the millisecond
        assert Context(1, {}, {}, now=NOW).now is NOW

    def test_location_is_given_to_evaluation_errors(self):
        from surveykit.errors import Location

        with pytest.raises(Exception) as info:
            parse("${nope}").evaluate(context({}), location=Location(path="q1.relevant"))
        assert info.value.location == Location(path="q1.relevant", column=1)
