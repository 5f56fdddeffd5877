"""A parsed expression and its evaluation.

The parser compiles the text into a short postfix program (a tuple of instructions); evaluation runs it on
a stack of column values. There is no recursion, so the depth of an expression never meets Python's
recursion limit, and the cost is one numpy operation per instruction whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from surveykit.errors import ErrorCode, ExpressionError, Location
from surveykit.expressions import limits as _limits
from surveykit.expressions.context import Context, NodeSet
from surveykit.expressions.functions import Call, arguments_for
from surveykit.expressions.operators import binary, negate
from surveykit.expressions.values import Value

__all__ = ["Expression"]

# Instructions are ``(opcode, argument, column)``; ``column`` is the 1-based character offset of the
# token the instruction comes from, for error messages.
CONST = 0  # argument: (Kind, cats array)
REF = 1  # argument: question code
CURRENT = 2  # argument: None
BARE = 3  # argument: name
NEG = 4  # argument: None
BINARY = 5  # argument: operator text
CALL = 6  # argument: (FunctionSpec, number of arguments)

#: errors of numpy or of our own conversions that become EXPR_RUNTIME instead of escaping
_RUNTIME_ERRORS = (ValueError, TypeError, ArithmeticError, IndexError, KeyError, UnicodeError)


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass(frozen=True, eq=False, slots=True)
class Expression:
    """An expression, parsed and checked. Immutable; equal (and hashed) by its text."""

    text: str
    #: question codes used as ``${code}``
    references: frozenset[str]
    #: the expression contains ``.`` (the current value)
    uses_current: bool
    #: bare names (choice-list columns in a choice filter)
    bare_names: frozenset[str]
    #: names of the functions called
    functions: frozenset[str]
    #: parts of the expression tree
    node_count: int
    #: no references, no ``.``, no bare names, no today()/now(): the value is the same everywhere
    is_constant: bool
    program: tuple[tuple[int, Any, int], ...] = field(repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.text == self.text

    def __hash__(self) -> int:
        return hash(("Expression", self.text))

    def __str__(self) -> str:
        return self.text

    def evaluate(self, ctx: Context, *, location: Location | None = None) -> Value:
        """The value of the expression in each of the ``ctx.n`` rows.

        Raises :class:`ExpressionError` (EXPR_UNKNOWN_REFERENCE, EXPR_CURRENT_NOT_ALLOWED, EXPR_BARE_NAME,
        EXPR_REGEX_INVALID, EXPR_REGEX_TIMEOUT, EXPR_RUNTIME) with ``location`` and the column of the part
        that failed.
        """
        n = ctx.n
        call = Call(ctx, n, _limits.LIMITS)
        stack: list[Value | NodeSet] = []
        column = 1
        try:
            with np.errstate(all="ignore"):
                for step in self.program:
                    opcode, arg, column = step
                    if opcode == CONST:
                        stack.append(Value(arg[0], arg[1], n=n))
                    elif opcode == REF:
                        stack.append(ctx.lookup(arg))
                    elif opcode == BINARY:
                        b = stack.pop()
                        a = stack.pop()
                        stack.append(binary(arg, _scalar(a), _scalar(b)))
                    elif opcode == CALL:
                        spec, count = arg
                        if count:
                            args = stack[-count:]
                            del stack[-count:]
                        else:
                            args = []
                        stack.append(spec.impl(call, arguments_for(spec, args)))
                    elif opcode == NEG:
                        stack.append(negate(_scalar(stack.pop())))
                    elif opcode == CURRENT:
                        stack.append(ctx.current())
                    else:  # BARE
                        stack.append(ctx.bare(arg))
                result = _scalar(stack.pop())
        except ExpressionError as err:
            if err.location != Location():
                raise
            where = (location or Location()).with_(column=column)
            raise ExpressionError(err.code, where, **err.params) from err
        except _RUNTIME_ERRORS as err:
            where = (location or Location()).with_(column=column)
            raise ExpressionError(
                ErrorCode.EXPR_RUNTIME, where, expression=_shorten(self.text), detail=str(err)
            ) from err
        return result


def _scalar(item: Value | NodeSet) -> Value:
    return item.first() if isinstance(item, NodeSet) else item
