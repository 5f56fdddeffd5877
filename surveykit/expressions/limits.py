"""Limits that bound the cost of any expression, however hostile the text.

An expression is checked against :data:`LIMITS` before it is parsed (length, nesting) and while it is
built (number of parts). The language has no loops, so evaluation then costs at most ``max_nodes`` numpy
operations over the rows, plus the time regular expressions may take, which ``regex_timeout`` bounds per evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveykit.errors import Translated

__all__ = ["LIMITS", "Limits"]


@dataclass(frozen=True)
class Limits:
    #: characters in one expression
    max_length: int = 10_000
    #: nesting levels: parentheses (including function calls) plus runs of unary minus
    max_depth: int = 64
    #: parts of the expression tree: values, references, operators and function calls
    max_nodes: int = 2_000
    #: seconds that the regex() calls of one evaluation may spend together, over all rows; ``None``: the
    #: setting ``regex_timeout_ms`` (surveykit.config)
    regex_timeout: float | None = None

    @property
    def regex_seconds(self) -> float:
        if self.regex_timeout is not None:
            return self.regex_timeout
        from surveykit.config import settings

        return settings().regex_timeout_ms / 1000

    def describe(self) -> Translated:
        """The limits in words (English and Russian), for the EXPR_TOO_COMPLEX message."""

        def ru(n: int) -> str:
            return f"{n:,}".replace(",", "\u00a0")

        return Translated(
            en=f"at most {self.max_length:,} characters, {self.max_depth} levels of nesting "
            f"and {self.max_nodes:,} parts",
            ru=f"не больше {ru(self.max_length)} символов, {self.max_depth} уровней вложенности "
            f"и {ru(self.max_nodes)} частей",
        )


#: the limits used by :func:`surveykit.expressions.parse` and the evaluator
LIMITS = Limits()
