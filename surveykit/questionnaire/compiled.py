"""A questionnaire compiled for use: variables, parsed expressions, evaluation order, pages.

:func:`compile_form` turns a checked :class:`~surveykit.questionnaire.model.Questionnaire` into a
:class:`Form` once (cached per questionnaire object). Validation, the interview session, the response
frames and the exports all work from the same :class:`Form`, so a rule such as "a question inside a
non-relevant group is not asked" has exactly one home.
"""

from __future__ import annotations

import functools
import graphlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from surveykit.errors import ErrorCode, ExpressionError, Location
from surveykit.expressions import Expression, Kind, parse
from surveykit.questionnaire.model import (
    Choice,
    Group,
    MatrixRow,
    Question,
    Questionnaire,
    QuestionType,
)

__all__ = ["Form", "Page", "Variable", "compile_form", "kind_of", "parse_attr"]

_CALC_KINDS = {
    "text": Kind.STRING,
    "integer": Kind.INTEGER,
    "decimal": Kind.DECIMAL,
    "date": Kind.DATE,
    "time": Kind.TIME,
    "datetime": Kind.DATETIME,
}


def kind_of(question: Question) -> Kind:
    """The kind of value a question records (what expressions see)."""
    match question.type:
        case QuestionType.SELECT_MULTIPLE:
            return Kind.MULTI
        case QuestionType.INTEGER:
            return Kind.INTEGER
        case QuestionType.DECIMAL:
            return Kind.DECIMAL
        case QuestionType.DATE:
            return Kind.DATE
        case QuestionType.TIME:
            return Kind.TIME
        case QuestionType.DATETIME:
            return Kind.DATETIME
        case QuestionType.CALCULATE:
            return _CALC_KINDS[question.value_type]
        case _:
            return Kind.STRING


def parse_attr(text: str | None, code: str, attr: str) -> Expression | None:
    """Parse one expression attribute; errors are located at ``<code>.<attr>``."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return parse(text, location=Location(path=f"{code}.{attr}", field=attr))


def _required(value: bool | str, code: str) -> bool | Expression:
    if isinstance(value, bool):
        return value
    lowered = value.strip().lower()
    if lowered in {"yes", "true", "true()", "1"}:
        return True
    if lowered in {"", "no", "false", "false()", "0"}:
        return False
    expr = parse_attr(value, code, "required")
    return expr if expr is not None else False


@dataclass(frozen=True, eq=False)
class Variable:
    """One recorded value: a question, or one row of a matrix."""

    code: str
    question: Question
    kind: Kind
    row: MatrixRow | None
    choices: tuple[Choice, ...]
    groups: tuple[Group, ...]
    repeat: str | None  # code of the innermost enclosing repeat group (None: the main table)
    relevant: tuple[Expression, ...]  # enclosing groups' conditions (outer first), then the question's own
    required: bool | Expression
    constraint: Expression | None
    calculation: Expression | None
    choice_filter: Expression | None

    @property
    def type(self) -> QuestionType:
        return self.question.type

    @functools.cached_property
    def choice_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.choices)

    @functools.cached_property
    def choice_values(self) -> dict[str, int]:
        """Numeric code of each choice: its ``value``, or its 1-based position in the list."""
        values: dict[str, int] = {}
        # a name that occurs twice (allow_choice_duplicates) keeps the code of its first occurrence
        for i, c in enumerate(self.choices, start=1):
            values.setdefault(c.name, c.value if c.value is not None else i)
        return values

    @functools.cached_property
    def missing_names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.choices if c.missing)

    def dependencies(self) -> set[str]:
        """Variables whose values must be final before this one's relevance and value are known."""
        deps: set[str] = set()
        for expr in (*self.relevant, self.calculation):
            if expr is not None:
                deps |= expr.references
        return deps


@dataclass(frozen=True)
class Page:
    """What the interview app shows at once: a top-level group, or a run of ungrouped questions."""

    code: str
    group: Group | None
    variables: tuple[str, ...]
    questions: tuple[Question, ...]


@dataclass(frozen=True, eq=False)
class Form:
    questionnaire: Questionnaire
    variables: dict[str, Variable]
    order: tuple[str, ...]  # evaluation order: every variable after what its relevance/value depend on
    pages: tuple[Page, ...]
    repeats: dict[str, Group] = field(default_factory=dict)
    repeat_parent: dict[str, str | None] = field(default_factory=dict)
    repeat_count: dict[str, Expression | None] = field(default_factory=dict)

    def variables_of(self, repeat: str | None) -> list[Variable]:
        return [v for v in self.variables.values() if v.repeat == repeat]

    def kinds(self) -> dict[str, Kind]:
        return {code: v.kind for code, v in self.variables.items()}

    def variable_of_question(self, code: str) -> list[Variable]:
        return [v for v in self.variables.values() if v.question.code == code]

    def repeat_chain(self, repeat: str | None) -> list[str]:
        """The repeat and its enclosing repeats, innermost first."""
        chain: list[str] = []
        while repeat is not None:
            chain.append(repeat)
            repeat = self.repeat_parent[repeat]
        return chain


def _group_relevance(parents: Iterable[Group]) -> tuple[Expression, ...]:
    return tuple(e for g in parents if (e := parse_attr(g.relevant, g.code, "relevant")) is not None)


def compile_form(questionnaire: Questionnaire) -> Form:
    """Compile (cached on the questionnaire object). Raises ExpressionError on an unparsable expression;
    a questionnaire that passed :func:`~surveykit.questionnaire.checks.check_questionnaire` compiles."""
    cached = questionnaire.__dict__.get("_compiled_form")
    if cached is not None:
        return cached
    form = _compile(questionnaire)
    questionnaire.__dict__["_compiled_form"] = form
    return form


def _compile(q: Questionnaire) -> Form:
    variables: dict[str, Variable] = {}
    repeats: dict[str, Group] = {}
    repeat_parent: dict[str, str | None] = {}
    repeat_count: dict[str, Expression | None] = {}
    lists = q.all_choice_lists()
    for item, parents in q.walk():
        enclosing_repeats = [g.code for g in parents if g.is_repeat]
        if isinstance(item, Group):
            if item.is_repeat:
                repeats[item.code] = item
                repeat_parent[item.code] = enclosing_repeats[-1] if enclosing_repeats else None
                repeat_count[item.code] = parse_attr(item.repeat_count, item.code, "repeat_count")
            continue
        if not item.type.records_value:
            continue
        list_name = item.choice_list_name
        choices = tuple(lists.get(list_name, ())) if list_name else ()
        relevant = _group_relevance(parents)
        own = parse_attr(item.relevant, item.code, "relevant")
        if own is not None:
            relevant = (*relevant, own)
        common = {
            "question": item,
            "kind": kind_of(item),
            "choices": choices,
            "groups": parents,
            "repeat": enclosing_repeats[-1] if enclosing_repeats else None,
            "relevant": relevant,
            "required": _required(item.required, item.code),
            "constraint": parse_attr(item.constraint, item.code, "constraint"),
            "calculation": parse_attr(item.calculation, item.code, "calculation"),
            "choice_filter": parse_attr(item.choice_filter, item.code, "choice_filter"),
        }
        if item.type is QuestionType.MATRIX:
            for row in item.rows:
                code = f"{item.code}_{row.code}"
                variables[code] = Variable(code=code, row=row, **common)
        else:
            variables[item.code] = Variable(code=item.code, row=None, **common)
    order = _evaluation_order(variables)
    return Form(
        questionnaire=q,
        variables=variables,
        order=order,
        pages=_pages(q, variables),
        repeats=repeats,
        repeat_parent=repeat_parent,
        repeat_count=repeat_count,
    )


def _evaluation_order(variables: dict[str, Variable]) -> tuple[str, ...]:
    """Topological order, stable with respect to document order. A cycle raises EXPR_CYCLE."""
    position = {code: i for i, code in enumerate(variables)}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for code, var in variables.items():
        sorter.add(code, *(d for d in var.dependencies() if d in variables))
    try:
        sorter.prepare()
    except graphlib.CycleError as err:
        cycle = err.args[1]
        raise ExpressionError(
            ErrorCode.EXPR_CYCLE, Location(path=f"{cycle[0]}.relevant"), cycle=" -> ".join(cycle)
        ) from err
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        order.extend(ready)
        sorter.done(*ready)
    return tuple(order)


def _pages(q: Questionnaire, variables: dict[str, Variable]) -> tuple[Page, ...]:
    def codes_in(items: Iterable[Question | Group]) -> tuple[list[str], list[Question]]:
        codes: list[str] = []
        questions: list[Question] = []
        stack = list(items)[::-1]
        while stack:
            item = stack.pop()
            if isinstance(item, Group):
                stack.extend(item.items[::-1])
            else:
                questions.append(item)
                codes.extend(c for c in item.variables() if c in variables)
        return codes, questions

    if q.settings.style == "single_page":
        codes, questions = codes_in(q.items)
        return (Page(code="all", group=None, variables=tuple(codes), questions=tuple(questions)),)
    pages: list[Page] = []
    loose: list[Question] = []

    def flush() -> None:
        if loose:
            codes, questions = codes_in(loose)
            pages.append(
                Page(
                    code=f"page{len(pages) + 1}",
                    group=None,
                    variables=tuple(codes),
                    questions=tuple(questions),
                )
            )
            loose.clear()

    for item in q.items:
        if isinstance(item, Group):
            flush()
            codes, questions = codes_in(item.items)
            pages.append(Page(code=item.code, group=item, variables=tuple(codes), questions=tuple(questions)))
        else:
            loose.append(item)
    flush()
    return tuple(pages)
