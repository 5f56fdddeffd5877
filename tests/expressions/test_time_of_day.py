"""A time of day (a ``time`` question): stored as a fraction of a day, shown as HH:MM:SS, compared by the clock
with another time, with a text such as '12:30' and with the time of day of a date and time (``now()``)."""

from __future__ import annotations

from datetime import datetime, time

import numpy as np

from surveykit.expressions import Kind

from .helpers import NOW, ev

T = {"t": Kind.TIME}
TIMES = {"t": ["09:30", time(14, 5, 30), "23:59:59.500+03:00", None, "25:00"]}


def test_a_time_reads_from_text_and_time_objects_and_shows_as_hh_mm_ss():
    value = ev("${t}", TIMES, T)
    assert value.kind is Kind.TIME
    assert value.to_str().tolist() == ["09:30:00", "14:05:30", "23:59:59.500", "", ""]
    assert [value.to_python(i) for i in range(5)] == [
        time(9, 30),
        time(14, 5, 30),
        time(23, 59, 59, 500000),
        None,
        None,
    ]
    np.testing.assert_allclose(value.to_num()[:2], [9.5 / 24, (14 * 3600 + 5 * 60 + 30) / 86400])


def test_comparisons_with_a_text_go_by_the_clock():
    assert ev("${t} < '12:00'", TIMES, T).to_bool().tolist() == [True, False, False, False, False]
    assert ev("'14:05:30' = ${t}", TIMES, T).to_bool().tolist() == [False, True, False, False, False]
    assert ev("${t} >= '09:30' and ${t} <= '22:00'", TIMES, T).to_bool().tolist() == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert ev("${t} != '09:30'", TIMES, T).to_bool().tolist()[:2] == [False, True]


def test_a_time_compares_with_the_time_of_day_of_now_and_of_a_datetime():
    assert NOW.time() == time(7, 8, 9)
    assert ev("${t} > now()", TIMES, T).to_bool().tolist()[:3] == [True, True, True]
    stamps = {"t": ["06:00", "08:00"], "d": [datetime(2020, 1, 1, 7, 0), datetime(2030, 1, 1, 7, 0)]}
    kinds = {"t": Kind.TIME, "d": Kind.DATETIME}
    assert ev("${t} < ${d}", stamps, kinds).to_bool().tolist() == [True, False]


def test_two_times_compare_and_subtract_as_fractions_of_a_day():
    values = {"a": ["08:00", "20:00"], "b": ["12:00", "12:00"]}
    kinds = {"a": Kind.TIME, "b": Kind.TIME}
    assert ev("${a} < ${b}", values, kinds).to_bool().tolist() == [True, False]
    np.testing.assert_allclose(ev("(${b} - ${a}) * 24", values, kinds).to_num(), [4.0, -8.0])


def test_an_unanswered_time_is_empty():
    assert ev("${t} = ''", TIMES, T).to_bool().tolist() == [False, False, False, True, True]
