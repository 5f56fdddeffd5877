"""dependency_order: calculations in an order where each comes after what it uses; cycles are errors."""

from __future__ import annotations

from surveykit.errors import ErrorCode, Location
from surveykit.expressions import dependency_order, parse

from .helpers import raises


def test_dependencies_come_first_and_the_given_order_is_kept_otherwise():
    deps = {"bmi": {"weight", "height"}, "height": {"height_cm"}, "weight": set(), "label": {"bmi"}}
    order = dependency_order(deps)
    assert order == ["weight", "height", "bmi", "label"] or order == ["height", "weight", "bmi", "label"]
    assert order.index("bmi") > order.index("weight")
    assert order.index("label") > order.index("bmi")
    assert dependency_order({"a": [], "b": [], "c": []}) == ["a", "b", "c"]


def test_references_from_parsed_expressions():
    calcs = {"total": parse("${a} + ${b}"), "a": parse("${x} * 2"), "b": parse("${a} + 1")}
    order = dependency_order({code: expr.references for code, expr in calcs.items()})
    assert order == ["a", "b", "total"]


def test_a_cycle_is_named():
    err = raises(ErrorCode.EXPR_CYCLE, dependency_order, {"a": ["b"], "b": ["c"], "c": ["a"], "d": []})
    assert err.params["cycle"] == "a -> b -> c -> a"


def test_self_reference_is_a_cycle_and_location_is_kept():
    where = Location(file="form.yaml", path="q1.calculation")
    err = raises(ErrorCode.EXPR_CYCLE, dependency_order, {"q1": ["q1"]}, location=where)
    assert err.params["cycle"] == "q1 -> q1"
    assert err.location == where


def test_long_chains_need_no_recursion():
    deps = {f"q{i}": [f"q{i - 1}"] if i else [] for i in range(20_000)}
    order = dependency_order(dict(reversed(list(deps.items()))))
    assert order[0] == "q0" and order[-1] == "q19999"
