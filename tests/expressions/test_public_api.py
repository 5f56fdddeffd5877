"""The public surface of surveykit.expressions, and documentation that keeps up with it."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import surveykit.expressions as expressions
from surveykit.expressions import FUNCTIONS, LIMITS, Context, Expression, Kind, Value, parse

DOCS = Path(__file__).resolve().parents[2] / "docs" / "expressions.md"


def test_all_is_the_public_surface():
    assert set(expressions.__all__) == {
        "FUNCTIONS",
        "LIMITS",
        "Context",
        "Expression",
        "FunctionSpec",
        "Kind",
        "Limits",
        "NodeSet",
        "Value",
        "dependency_order",
        "parse",
    }
    for name in expressions.__all__:
        assert hasattr(expressions, name)


def test_signatures_other_modules_rely_on():
    assert (
        str(inspect.signature(parse))
        == "(text: 'str', *, location: 'Location | None' = None) -> 'Expression'"
    )
    params = inspect.signature(Context).parameters
    assert list(params) == ["n", "values", "kinds", "current", "current_kind", "bare", "nodesets", "now"]
    assert all(params[p].kind is inspect.Parameter.KEYWORD_ONLY for p in list(params)[3:])
    for method in ("to_bool", "to_num", "to_str", "empty", "to_python"):
        assert callable(getattr(Value, method))
    for attribute in (
        "text",
        "references",
        "uses_current",
        "bare_names",
        "functions",
        "node_count",
        "is_constant",
    ):
        assert hasattr(parse("1"), attribute)
    assert callable(Expression.evaluate)
    assert {k.name for k in Kind} == {
        "STRING",
        "MULTI",
        "INTEGER",
        "DECIMAL",
        "DATE",
        "DATETIME",
        "TIME",
        "BOOLEAN",
    }


def test_function_table_is_read_only_and_complete():
    with pytest.raises(TypeError):
        FUNCTIONS["evil"] = FUNCTIONS["abs"]  # type: ignore[index]
    for name, spec in FUNCTIONS.items():
        assert spec.name == name
        assert spec.min_args >= 0 and (spec.max_args is None or spec.max_args >= spec.min_args)
        assert spec.summary, name


def test_limits_are_a_frozen_dataclass():
    with pytest.raises(AttributeError):
        LIMITS.max_depth = 1_000  # type: ignore[misc]
    assert (LIMITS.max_length, LIMITS.max_depth, LIMITS.max_nodes) == (10_000, 64, 2_000)


def test_docs_describe_every_function_and_the_limits():
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z][a-z0-9-]*)\(", text))
    assert set(FUNCTIONS) - documented == set()
    assert f"{LIMITS.max_length:,} characters" in text
    assert f"{LIMITS.max_depth} levels" in text
    assert f"{LIMITS.max_nodes:,} parts" in text
    for code in ("SK301", "SK305", "SK311"):
        assert code in text


def test_docs_examples_of_results_hold():
    """Rows like "| `round(2.5)` → 3 |" in the docs are checked here."""
    text = DOCS.read_text(encoding="utf-8")
    examples = re.findall(r"`([^`]+)` → (-?[0-9.]+|`'[^`]*'`)", text)
    assert len(examples) >= 15
    for expression, expected in examples:
        if "${" in expression:
            continue
        value = parse(expression).evaluate(Context(1, {}, {}))
        if expected.startswith("`"):
            assert value.to_str()[0] == expected.strip("`")[1:-1], expression
        else:
            assert value.to_num()[0] == pytest.approx(float(expected)), expression
