"""Every EXPR_* code of the error catalog is produced by some input, with the right column."""

from __future__ import annotations

import dataclasses

import pytest

from surveykit.errors import ErrorCode, ExpressionError, Location
from surveykit.expressions import Kind, dependency_order, limits, parse

from .helpers import ev

S = Kind.STRING


def _too_complex():
    parse("1 + (" * 70 + "1" + ")" * 70)


def _regex_timeout(monkeypatch):
    monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(limits.LIMITS, regex_timeout=0.05))
    ev("1 and regex(${t}, '(a|aa)+b')", {"t": ["a" * 60]}, {"t": S})


# code -> (producer, expected column); producers get pytest's monkeypatch
PRODUCERS = {
    ErrorCode.EXPR_SYNTAX: (lambda mp: parse("${a} = = 1"), 8),
    ErrorCode.EXPR_UNKNOWN_REFERENCE: (lambda mp: ev("${a} + ${b}", {"a": [1]}), 8),
    ErrorCode.EXPR_UNKNOWN_FUNCTION: (lambda mp: parse("1 + avg(${a})"), 5),
    ErrorCode.EXPR_ARITY: (lambda mp: parse("if(1, 2)"), 1),
    ErrorCode.EXPR_TOO_COMPLEX: (lambda mp: _too_complex(), 5 * 64 + 5),
    ErrorCode.EXPR_CYCLE: (lambda mp: dependency_order({"a": ["a"]}, location=Location(column=3)), 3),
    ErrorCode.EXPR_RUNTIME: (lambda mp: ev("${a}", {"a": [1, 2]}, n=3), 1),
    ErrorCode.EXPR_CURRENT_NOT_ALLOWED: (lambda mp: ev("${a} = .", {"a": [1]}), 8),
    ErrorCode.EXPR_REGEX_INVALID: (lambda mp: parse("regex(${a}, '*')"), 13),
    ErrorCode.EXPR_REGEX_TIMEOUT: (_regex_timeout, 7),
    ErrorCode.EXPR_BARE_NAME: (lambda mp: ev("${a} = region", {"a": [1]}), 8),
}


def test_every_expression_code_has_a_producer():
    assert set(PRODUCERS) == {code for code in ErrorCode if code.name.startswith("EXPR_")}


@pytest.mark.parametrize("code", list(PRODUCERS), ids=lambda c: c.name)
def test_code_is_raised_with_its_column(code, monkeypatch):
    producer, column = PRODUCERS[code]
    with pytest.raises(ExpressionError) as info:
        producer(monkeypatch)
    assert info.value.code is code
    assert info.value.location.column == column
    message, hint = info.value.code.format(**info.value.params)
    assert "{" not in message.replace("${", "") and "{" not in hint.replace("${", ""), (message, hint)
    assert code.code in str(info.value)


@pytest.mark.parametrize("code", list(PRODUCERS), ids=lambda c: c.name)
def test_code_has_a_russian_translation(code, monkeypatch):
    from surveykit.i18n import error_templates

    message_t, hint_t = error_templates(code.code, "ru")
    assert message_t and hint_t
    producer, _ = PRODUCERS[code]
    with pytest.raises(ExpressionError) as info:
        producer(monkeypatch)
    message, hint = info.value.problem.localized("ru")
    assert (message, hint) != info.value.code.format(**info.value.params)
    assert "{" not in message.replace("${", "") and "{" not in hint.replace("${", ""), (message, hint)
    assert any("а" <= ch <= "я" for ch in message + hint)
