"""Small helpers shared by the expression tests: evaluate a text over inline columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from surveykit.errors import ErrorCode, ExpressionError
from surveykit.expressions import Context, Kind, Value, parse

#: the clock of every test context
NOW = datetime(2024, 5, 6, 7, 8, 9)


def context(
    values: dict[str, Any] | None = None,
    kinds: dict[str, Kind] | None = None,
    *,
    n: int | None = None,
    **kwargs: Any,
) -> Context:
    values = values or {}
    if n is None:
        n = len(next(iter(values.values()))) if values else 1
    kwargs.setdefault("now", NOW)
    return Context(n, values, kinds or {}, **kwargs)


def ev(
    text: str,
    values: dict[str, Any] | None = None,
    kinds: dict[str, Kind] | None = None,
    *,
    n: int | None = None,
    **kwargs: Any,
) -> Value:
    """Evaluate ``text`` over the columns ``values`` (row count from the first column, else 1)."""
    return parse(text).evaluate(context(values, kinds, n=n, **kwargs))


def rows(
    text: str, values: dict[str, Any] | None = None, kinds: dict[str, Kind] | None = None, **kwargs: Any
) -> list[object]:
    """The result of :func:`ev` as a list of plain Python values (None for empty)."""
    value = ev(text, values, kinds, **kwargs)
    return [value.to_python(i) for i in range(value.n)]


def raises(code: ErrorCode, fn, *args: Any, **kwargs: Any) -> ExpressionError:
    """Call ``fn`` and return the ExpressionError it must raise with ``code``."""
    with pytest.raises(ExpressionError) as info:
        fn(*args, **kwargs)
    assert info.value.code is code, info.value
    return info.value
