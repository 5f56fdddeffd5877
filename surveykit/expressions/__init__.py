"""The XLSForm-compatible expression language: ``relevant``, ``constraint``, ``required``,
``calculation``, ``choice_filter`` and ``default`` of a questionnaire.

    >>> from surveykit.expressions import parse, Context, Kind
    >>> expr = parse("${age} >= 18 and ${consent} = 'yes'")
    >>> ctx = Context(3, {"age": [17, 30, None], "consent": ["yes", "yes", "yes"]},
    ...               {"age": Kind.INTEGER, "consent": Kind.STRING})
    >>> expr.evaluate(ctx).to_bool().tolist()
    [False, True, False]

The language is the XPath 1.0 subset used by ODK/KoboToolbox forms (see ``docs/expressions.md``):
``parse`` turns text into an immutable, cached :class:`Expression`; ``Expression.evaluate`` computes it
over a :class:`Context` of ``n`` rows at once with numpy and returns a :class:`Value`. Every problem is
an :class:`~surveykit.errors.ExpressionError` with an SK3xx code.
"""

from surveykit.expressions.context import Context, NodeSet
from surveykit.expressions.expression import Expression
from surveykit.expressions.functions import FUNCTIONS, FunctionSpec
from surveykit.expressions.graph import dependency_order
from surveykit.expressions.limits import LIMITS, Limits
from surveykit.expressions.parser import parse
from surveykit.expressions.values import Kind, Value

__all__ = [
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
]
