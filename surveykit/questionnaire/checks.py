"""Checks of a questionnaire beyond its syntax, all reported at once.

Structure: codes valid for SPSS/Stata and unique, choice lists defined, used, with unique names and
values, options that fit the question type, non-empty groups and matrices. Languages: every text in
every declared language (a missing translation is a warning and falls back to the default language).
Expressions: each parses, refers only to existing questions ("did you mean"), uses ``.`` only in a
constraint or choice filter, and references do not form a cycle. Logic: a relevance condition that is
false for every combination of the values its referenced questions can take ("never shown"), and a
constraint that no value of the question can satisfy ("never passes") are reported as warnings.

``locate(code, attribute)`` maps a problem to a file position; the YAML loader and the XLSForm importer
pass their own, so a problem names ``file.yaml:42`` or ``form.xlsx, sheet 'survey', row 17``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from collections.abc import Callable, Iterable

import numpy as np

from surveykit.errors import ErrorCode, ExpressionError, Location, Report, Severity, Translated, did_you_mean
from surveykit.expressions import FUNCTIONS, Context, Expression, Kind, parse
from surveykit.questionnaire.compiled import kind_of
from surveykit.questionnaire.model import Group, Question, Questionnaire, QuestionType
from surveykit.questionnaire.names import code_problem, suggest_name

__all__ = ["Locator", "check_questionnaire"]

Locator = Callable[[str | None, str | None], Location]

_EXPR_ATTRS_QUESTION = ("relevant", "constraint", "calculation", "choice_filter", "required")
_SAMPLE_LIMIT = 4096  # rows of synthetic answers tried by the "never shown" / "never passes" checks


def _default_locator(code: str | None, attribute: str | None) -> Location:
    code = code.split("#")[0] if code else code  # "q#2": the second item with code q
    path = code if attribute is None else f"{code}.{attribute}" if code else attribute
    return Location(path=path, field=attribute)


def check_questionnaire(q: Questionnaire, locate: Locator | None = None) -> Report:
    """Every structural, language and logic problem of ``q``; errors make it unusable, warnings do not."""
    checker = _Checker(q, locate or _default_locator)
    checker.run()
    return checker.report


class _Checker:
    def __init__(self, q: Questionnaire, locate: Locator) -> None:
        self.q = q
        self.locate = locate
        self.report = Report()
        self.variables: dict[str, Question] = {}
        self.parsed: dict[tuple[str, str], Expression] = {}
        self.repeat_of: dict[str, str | None] = {}

    def add(
        self,
        code: ErrorCode,
        where: str | None,
        attr: str | None = None,
        severity=Severity.ERROR,
        /,
        **params,
    ):
        location = self.locate(where, attr)
        if where and not location.path:
            location = location.with_(path=where if attr is None else f"{where}.{attr}")
        self.report.add(code, location, severity, **params)

    # ---------------------------------------------------------------------------------------------
    def run(self) -> None:
        self.check_header()
        self.check_codes()
        self.check_choice_lists()
        self.check_items()
        self.check_languages()
        self.check_expressions()
        self.check_personal_data()
        self.check_duration()
        if not self.report.errors:
            self.check_logic()

    def check_personal_data(self) -> None:
        """Rating questionnaires are anonymous (SK517): see :func:`personal_data_questions`."""
        for question, reason in personal_data_questions(self.q):
            self.add(
                ErrorCode.PERSONAL_DATA_IN_RATING,
                question.code,
                "personal_data",
                code=question.code,
                reason=reason,
            )

    def check_duration(self) -> None:
        """Every "about N minutes" agrees with settings.expected_minutes (SK851, a warning)."""
        from surveykit.questionnaire.duration import duration_mismatches

        for code, attribute, language, said in duration_mismatches(self.q):
            self.add(
                ErrorCode.DURATION_MISMATCH,
                code,
                attribute,
                Severity.WARNING,
                language=language,
                said=said,
                expected=self.q.settings.expected_minutes,
            )

    def check_header(self) -> None:
        q = self.q
        if q.default_language not in q.languages:
            self.add(
                ErrorCode.LANGUAGE_DEFAULT_UNDECLARED,
                None,
                "default_language",
                language=q.default_language,
                declared=", ".join(q.languages),
            )
        for name, scale in q.scales.items():
            for item in [*scale.items, *scale.reverse]:
                if not q.has(item):
                    self.add(
                        ErrorCode.SCALE_ITEM_UNKNOWN,
                        None,
                        f"scales.{name}",
                        scale=name,
                        item=item,
                        suggestion=did_you_mean(item, [x.code for x in q.questions()]),
                    )

    def check_codes(self) -> None:
        seen: dict[str, str] = {}
        occurrence: dict[str, int] = {}
        for item, parents in self.q.walk():
            occurrence[item.code] = occurrence.get(item.code, 0) + 1
            where = item.code if occurrence[item.code] == 1 else f"{item.code}#{occurrence[item.code]}"
            enclosing = [g.code for g in parents if g.is_repeat]
            codes = [item.code]
            if isinstance(item, Question):
                codes = item.variables() or [item.code]
                for code in codes:
                    self.variables[code] = item
                    self.repeat_of[code] = enclosing[-1] if enclosing else None
            for code in codes:
                problem = code_problem(code)
                if problem:
                    suggestion = suggest_name(code)
                    self.add(
                        ErrorCode.CODE_INVALID,
                        where,
                        "code",
                        code=code,
                        reason=problem,
                        suggestion=f", for example '{suggestion}'" if suggestion != code else "",
                    )
                key = code.lower()  # SPSS and Stata names clash regardless of case in practice
                if key in seen:
                    self.add(ErrorCode.CODE_DUPLICATE, where, "code", code=code, other=seen[key])
                else:
                    seen[key] = str(self.locate(where, "code"))

    def check_choice_lists(self) -> None:
        used = {q.choice_list_name for q in self.q.questions() if q.choice_list_name}
        for name, choices in self.q.choice_lists.items():
            where = f"choice_lists.{name}"
            names: set[str] = set()
            values: dict[int, str] = {}
            for position, choice in enumerate(choices, start=1):
                if choice.name in names:
                    if self.q.settings.allow_choice_duplicates:
                        continue  # XLSForm's setting: one answer shown under several filters, one code
                    self.add(ErrorCode.CHOICE_DUPLICATE, None, where, name=choice.name, list_name=name)
                names.add(choice.name)
                value = choice.value if choice.value is not None else position
                if value in values:
                    self.add(
                        ErrorCode.CHOICE_VALUE_DUPLICATE,
                        None,
                        where,
                        value=value,
                        first=values[value],
                        second=choice.name,
                        list_name=name,
                    )
                values.setdefault(value, choice.name)
            if name not in used:
                self.add(ErrorCode.CHOICE_LIST_UNUSED, None, where, Severity.WARNING, list_name=name)

    def check_items(self) -> None:
        lists = self.q.all_choice_lists()
        for item, _parents in self.q.walk():
            if isinstance(item, Group):
                if not item.items:
                    self.add(ErrorCode.GROUP_EMPTY, item.code, None, code=item.code)
                continue
            t = item.type
            if t.has_choices and item.choice_list_name is None:
                self.add(ErrorCode.CHOICE_LIST_MISSING, item.code, "choices", type=t.value)
            elif item.choice_list_name and item.choice_list_name not in lists:
                self.add(
                    ErrorCode.CHOICE_LIST_UNKNOWN,
                    item.code,
                    "choices",
                    list_name=item.choice_list_name,
                    suggestion=did_you_mean(item.choice_list_name, lists),
                )
            elif t is QuestionType.LIKERT:
                substantive = [c for c in lists[item.choice_list_name] if not c.missing]
                if len(substantive) < 2:
                    self.add(
                        ErrorCode.LIKERT_SCALE_INVALID, item.code, "choices", list_name=item.choice_list_name
                    )
            if item.choices and not t.has_choices:
                self._option(item, "choices", "only choice questions have a choice list")
            if item.choice_filter and t not in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE):
                self._option(item, "choice_filter", "choice filters apply to select_one and select_multiple")
            if t is QuestionType.MATRIX and not item.rows:
                self.add(ErrorCode.MATRIX_ROWS_MISSING, item.code, "rows", code=item.code)
            if item.rows and t is not QuestionType.MATRIX:
                self._option(item, "rows", "only a matrix has rows")
            if (item.min is not None or item.max is not None) and t not in (
                QuestionType.INTEGER,
                QuestionType.DECIMAL,
            ):
                self._option(
                    item, "min/max", "min and max apply to integer and decimal questions; use a constraint"
                )
            if item.min is not None and item.max is not None and item.min > item.max:
                self.add(ErrorCode.RANGE_INVALID, item.code, "min", min=item.min, max=item.max)
            if t is QuestionType.CALCULATE and not item.calculation:
                self.add(ErrorCode.FIELD_MISSING, item.code, "calculation", field="calculation")
            if item.calculation and t is not QuestionType.CALCULATE:
                self._option(item, "calculation", "only a calculate question has a calculation")
            if t is QuestionType.NOTE and (item.constraint or item.required not in (False, "", "no")):
                self._option(item, "required/constraint", "a note records nothing")
            if item.value_type != "text" and t is not QuestionType.CALCULATE:
                self._option(
                    item, "value_type", "value_type is for calculate questions; the type sets the value"
                )
            if item.default is not None:
                self._check_default(item)

    def _option(self, item: Question, option: str, why: str) -> None:
        self.add(
            ErrorCode.OPTION_INVALID,
            item.code,
            option.split("/")[0],
            option=option,
            type=item.type.value,
            fix=f"Remove it: {why}.",
        )

    def _check_default(self, item: Question) -> None:
        value = item.default
        problem = None
        if item.type.has_choices and item.choice_list_name in self.q.all_choice_lists():
            names = [c.name for c in self.q.choice_list(item.choice_list_name)]
            parts = value.split() if item.type is QuestionType.SELECT_MULTIPLE else [value]
            if any(p not in names for p in parts):
                problem = f"'{value}' is not a choice of list '{item.choice_list_name}'"
        elif item.type is QuestionType.INTEGER:
            problem = None if _is_int(value) else f"'{value}' is not a whole number"
        elif item.type is QuestionType.DECIMAL:
            problem = None if _is_float(value) else f"'{value}' is not a number"
        elif item.type is QuestionType.DATE:
            problem = None if _is_date(value) else f"'{value}' is not a date YYYY-MM-DD"
        elif item.type in (QuestionType.TIME, QuestionType.DATETIME, QuestionType.GEOPOINT):
            from surveykit.questionnaire.frame import parse_typed

            if parse_typed(item.type, value) is None:
                problem = f"'{value}' is not a {item.type.value} ({_TYPED_FORMS[item.type]})"
        elif item.type.is_media:
            problem = "a file question cannot have a default"
        if problem:
            self.add(
                ErrorCode.FIELD_INVALID,
                item.code,
                "default",
                field="default",
                detail=problem,
                fix="Correct the default.",
            )

    def check_languages(self) -> None:
        q = self.q
        declared = set(q.languages)
        default = q.default_language

        def texts(
            where: str | None, attr: str, value: dict[str, str], what: str, required: bool = True
        ) -> None:
            if not value and not required:
                return
            for language in value:
                if language not in declared:
                    self.add(
                        ErrorCode.LANGUAGE_UNDECLARED,
                        where,
                        attr,
                        Severity.WARNING,
                        language=language,
                        declared=", ".join(q.languages),
                    )
            for language in q.languages:
                if not value.get(language):
                    self.add(
                        ErrorCode.TRANSLATION_MISSING,
                        where,
                        attr,
                        Severity.WARNING,
                        language=language,
                        what=what,
                        fallback=default if value.get(default) else next(iter(value), "(none)"),
                    )

        texts(None, "title", q.title, _what("the title", "названия анкеты"))
        texts(None, "description", q.description, _what("the description", "описания анкеты"), required=False)
        for item, _ in q.walk():
            label_required = not (isinstance(item, Question) and item.type is QuestionType.CALCULATE)
            texts(
                item.code,
                "label",
                item.label,
                _what(f"the label of '{item.code}'", f"текста «{item.code}»"),
                required=label_required,
            )
            texts(
                item.code,
                "instruction",
                item.instruction,
                _what(f"the instruction of '{item.code}'", f"инструкции к «{item.code}»"),
                required=False,
            )
            if isinstance(item, Question):
                texts(
                    item.code,
                    "hint",
                    item.hint,
                    _what(f"the hint of '{item.code}'", f"подсказки к «{item.code}»"),
                    required=False,
                )
                texts(
                    item.code,
                    "constraint_message",
                    item.constraint_message,
                    _what(f"the constraint message of '{item.code}'", f"сообщения проверки «{item.code}»"),
                    required=False,
                )
                texts(
                    item.code,
                    "required_message",
                    item.required_message,
                    _what(
                        f"the required message of '{item.code}'",
                        f"сообщения об обязательном ответе «{item.code}»",
                    ),
                    required=False,
                )
                for row in item.rows:
                    texts(
                        item.code,
                        "rows",
                        row.label,
                        _what(
                            f"row '{row.code}' of '{item.code}'", f"строки «{row.code}» таблицы «{item.code}»"
                        ),
                    )
        lists_used = {qq.choice_list_name for qq in q.questions() if qq.choice_list_name}
        for name, choices in q.all_choice_lists().items():
            if name not in lists_used:
                continue
            for choice in choices:
                texts(
                    None,
                    f"choice_lists.{name}",
                    choice.label,
                    _what(
                        f"choice '{choice.name}' of list '{name}'",
                        f"варианта «{choice.name}» списка «{name}»",
                    ),
                )

    # --- expressions ---------------------------------------------------------------------------------
    def _parse(self, code: str, attr: str, text: str) -> Expression | None:
        try:
            expr = parse(text, location=Location(path=f"{code}.{attr}", field=attr))
        except ExpressionError as err:
            where = self.locate(code, attr)
            column = err.location.column
            self.report.add(err.code, where.with_(path=f"{code}.{attr}", column=column), **err.params)
            return None
        self.parsed[(code, attr)] = expr
        return expr

    def check_expressions(self) -> None:
        q = self.q
        known = set(self.variables)
        if q.settings.instance_name:
            expr = self._parse("settings", "instance_name", q.settings.instance_name)
            if expr is not None:
                self._check_refs(expr, "settings", "instance_name", known, allow_current=False)
        for item, _parents in q.walk():
            attrs = ("relevant", "repeat_count") if isinstance(item, Group) else _EXPR_ATTRS_QUESTION
            for attr in attrs:
                text = getattr(item, attr, None)
                if attr == "required" and (not isinstance(text, str) or text.strip().lower() in _BOOL_WORDS):
                    continue
                if text is None or not str(text).strip():
                    continue
                expr = self._parse(item.code, attr, text)
                if expr is None:
                    continue
                allow_current = attr in ("constraint", "choice_filter")
                self._check_refs(expr, item.code, attr, known, allow_current)
                if expr.bare_names and attr != "choice_filter":
                    for name in sorted(expr.bare_names):
                        self.add(ErrorCode.EXPR_BARE_NAME, item.code, attr, name=name)
                if attr == "choice_filter" and isinstance(item, Question) and item.choice_list_name:
                    self._check_bare(expr, item)
        self._check_cycles()

    def _check_refs(
        self, expr: Expression, code: str, attr: str, known: set[str], allow_current: bool
    ) -> None:
        for name in sorted(expr.references - known):
            self.add(
                ErrorCode.EXPR_UNKNOWN_REFERENCE,
                code,
                attr,
                name=name,
                suggestion=did_you_mean(name, known),
            )
        if expr.uses_current and not allow_current:
            self.add(ErrorCode.EXPR_CURRENT_NOT_ALLOWED, code, attr, code=code)

    def _check_bare(self, expr: Expression, item: Question) -> None:
        choices = self.q.all_choice_lists().get(item.choice_list_name, [])
        columns = {"name", "label"} | {k for c in choices for k in c.attributes}
        for name in sorted(expr.bare_names - columns):
            self.add(
                ErrorCode.FIELD_INVALID,
                item.code,
                "choice_filter",
                field="choice_filter",
                detail=f"the choice list '{item.choice_list_name}' has no column '{name}'"
                + did_you_mean(name, columns),
                fix="Add the column to the choices (attributes) or correct the filter.",
            )

    def _check_cycles(self) -> None:
        graph: dict[str, set[str]] = {}
        group_conditions: dict[str, set[str]] = {}
        for item, _ in self.q.walk():
            if isinstance(item, Group) and (expr := self.parsed.get((item.code, "relevant"))):
                group_conditions[item.code] = set(expr.references)
        for item, parents in self.q.walk():
            if not isinstance(item, Question):
                continue
            deps: set[str] = set()
            for attr in ("relevant", "calculation"):
                if expr := self.parsed.get((item.code, attr)):
                    deps |= expr.references
            for g in parents:
                deps |= group_conditions.get(g.code, set())
            for var in item.variables():
                graph[var] = deps
        cycle = _find_cycle(graph)
        if cycle:
            question = self.variables[cycle[0]].code
            self.add(ErrorCode.EXPR_CYCLE, question, "relevant", cycle=" -> ".join(cycle))

    # --- logic: never shown, never passes ---------------------------------------------------------------
    def check_logic(self) -> None:
        now = dt.datetime(2026, 1, 15, 12, 0, 0)
        for (code, attr), expr in self.parsed.items():
            if attr not in ("relevant", "constraint") or code == "settings":
                continue
            item = self.q.item(code)
            if attr == "constraint" and isinstance(item, Question):
                ok = self._sometimes_true(expr, current=item, now=now)
                if ok is False:
                    self.add(
                        ErrorCode.CONSTRAINT_NEVER_PASSES,
                        code,
                        attr,
                        Severity.WARNING,
                        code=code,
                        expression=expr.text,
                    )
            elif attr == "relevant":
                ok = self._sometimes_true(expr, current=None, now=now)
                if ok is False:
                    self.add(
                        ErrorCode.QUESTION_NEVER_SHOWN,
                        code,
                        attr,
                        Severity.WARNING,
                        code=code,
                        expression=expr.text,
                    )

    def _candidates(self, question: Question, literals: tuple[str, ...] = ()) -> list[object]:
        lists = self.q.all_choice_lists()
        t = question.type
        if t.has_choices:
            names = [c.name for c in lists.get(question.choice_list_name or "", [])]
            if t is QuestionType.SELECT_MULTIPLE:
                combos = [
                    " ".join(c)
                    for r in range(0, min(3, len(names)) + 1)
                    for c in itertools.combinations(names, r)
                ]
                return combos[:64]
            return ["", *names]
        kind = kind_of(question)
        if kind in (Kind.INTEGER, Kind.DECIMAL):
            points = {
                -1000.0,
                -1.0,
                0.0,
                0.5,
                1.0,
                2.0,
                5.0,
                10.0,
                17.0,
                18.0,
                50.0,
                99.0,
                100.0,
                120.0,
                1000.0,
                1e6,
            }
            for bound in (question.min, question.max):
                if bound is not None:
                    points |= {bound - 1, bound, bound + 1}
            values = sorted(points)
            if kind is Kind.INTEGER:
                values = sorted({int(v) for v in values})
            return [np.nan, *values]
        if kind is Kind.DATE:
            return [None, "1930-01-01", "1990-06-15", "2025-12-31", "2026-01-15", "2026-06-01", "2040-01-01"]
        if kind is Kind.DATETIME:
            return [None, "1990-06-15T08:00:00", "2026-01-15T12:30:00", "2040-01-01T18:45:00"]
        if kind is Kind.TIME:
            return [None, "00:00:00", "06:59:00", "07:00:00", "09:30:00", "12:00:00", "17:45:00", "23:59:59"]
        if t is QuestionType.GEOPOINT:
            return [None, "55.7558 37.6173", "-33.8688 151.2093 58 5", "0 0"]
        samples = [
            "",
            "a",
            "abc",
            "Text",
            "12345",
            "test@example.org",
            "+7 900 123-45-67",
            "https://example.org/page",
        ]
        samples.append("x" * 300)
        for literal in literals:  # texts the expression itself compares with, and around them
            samples.extend([literal, literal + "x", "x" + literal, literal + "/page"])
        return list(dict.fromkeys(samples))

    def _sometimes_true(self, expr: Expression, current: Question | None, now: dt.datetime) -> bool | None:
        """Whether ``expr`` is true for some combination of candidate values (``None``: could not tell)."""
        refs = sorted(r for r in expr.references if r in self.variables)
        if len(refs) != len(expr.references) or expr.bare_names:
            return None
        if any(self.repeat_of.get(r) is not None for r in refs):
            return None  # node-set semantics: not sampled
        literals = tuple(dict.fromkeys(m.group(2) for m in _LITERAL.finditer(expr.text)))[:8]
        pools = [self._candidates(self.variables[r], literals) for r in refs]
        current_pool = self._candidates(current, literals) if current is not None else [None]
        total = 1
        for pool in [*pools, current_pool]:
            total *= max(1, len(pool))
        if total <= _SAMPLE_LIMIT:
            rows = list(itertools.product(*pools, current_pool))
        else:
            rng = random.Random(0)
            rows = [tuple(rng.choice(pool) for pool in [*pools, current_pool]) for _ in range(_SAMPLE_LIMIT)]
        if not rows:
            return None
        columns = list(zip(*rows, strict=True))
        values = {r: list(columns[i]) for i, r in enumerate(refs)}
        kinds = {r: kind_of(self.variables[r]) for r in refs}
        try:
            ctx = Context(
                len(rows),
                values,
                kinds,
                current=list(columns[-1]) if current is not None else None,
                current_kind=kind_of(current) if current is not None else None,
                now=now,
            )
            result = expr.evaluate(ctx).to_bool()
        except ExpressionError:
            return None
        return bool(result.any())


#: words in a question's code that name a respondent's identity or contacts (the code split at "_" and digits)
PERSONAL_WORDS = frozenset(
    {
        "name",
        "names",
        "fio",
        "surname",
        "firstname",
        "lastname",
        "patronymic",
        "phone",
        "telephone",
        "mobile",
        "email",
        "mail",
        "address",
        "passport",
        "snils",
        "contact",
        "contacts",
        "birthdate",
        "birthday",
    }
)
_RECORDED_AS_TEXT = (QuestionType.TEXT, QuestionType.INTEGER, QuestionType.DECIMAL, QuestionType.DATE)
#: answers that identify a respondent whatever the question is called: where they are, their face or voice
_IDENTIFYING = (
    QuestionType.GEOPOINT,
    QuestionType.IMAGE,
    QuestionType.AUDIO,
    QuestionType.VIDEO,
)
_TYPED_FORMS = {
    QuestionType.TIME: "HH:MM or HH:MM:SS",
    QuestionType.DATETIME: "YYYY-MM-DDTHH:MM",
    QuestionType.GEOPOINT: "latitude longitude, e.g. 55.75 37.62",
}


def is_rating_questionnaire(q: Questionnaire) -> bool:
    """``metadata: {rating: true}``, or a question linked to an indicator (``scoring.indicators``) unless
    ``metadata: {rating: false}``."""
    flag = (q.metadata or {}).get("rating")
    if flag is not None:
        return bool(flag)
    return any(item.scoring is not None and item.scoring.indicators for item in q.questions())


def personal_data_questions(q: Questionnaire) -> list[tuple[Question, str]]:
    """The questions of a rating questionnaire that ask for the respondent's personal data, with the reason:
    every question marked ``personal_data: true``; and, when the questionnaire has respondents (a mode other
    than observation), every text, number or date question not marked ``personal_data: false`` whose code
    contains a word of :data:`PERSONAL_WORDS` (``respondent_name``, ``fio``, ``phone2``, ``email``), and every
    geopoint, image, audio and video question not so marked (a place, a face, a voice identify a person)."""
    if not is_rating_questionnaire(q):
        return []
    respondents = any(getattr(m, "value", m) != "observation" for m in q.settings.modes)
    found: list[tuple[Question, str]] = []
    for item in q.questions():
        if item.personal_data:
            found.append((item, "it is marked personal_data: true"))
        elif item.personal_data is None and respondents and item.type in _IDENTIFYING:
            found.append((item, f"a {item.type.value} answer can identify the respondent"))
        elif item.personal_data is None and respondents and item.type in _RECORDED_AS_TEXT:
            words = set(re.split(r"[_\d]+", item.code.lower())) & PERSONAL_WORDS
            if words:
                found.append((item, f"its code names {', '.join(sorted(words))}"))
    return found


def _what(en: str, ru: str) -> Translated:
    return Translated(en=en, ru=ru)


_LITERAL = re.compile(r"(['\"])(.*?)\1")
_BOOL_WORDS = {"yes", "no", "true", "false", "true()", "false()", "1", "0", ""}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A dependency cycle as ``[a, b, ..., a]``, or None (iterative DFS: no recursion limits)."""
    WHITE, GREY, BLACK = 0, 1, 2
    color = dict.fromkeys(graph, WHITE)
    for start in graph:
        if color[start] != WHITE:
            continue
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(sorted(graph[start])))]
        path = [start]
        color[start] = GREY
        while stack:
            node, children = stack[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if color[child] == GREY:
                    return [*path[path.index(child) :], child]
                if color[child] == WHITE:
                    color[child] = GREY
                    path.append(child)
                    stack.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
            if not advanced:
                color[node] = BLACK
                path.pop()
                stack.pop()
    return None


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


# names of functions, so that messages can list them (re-exported for the docs generator)
SUPPORTED_FUNCTIONS = tuple(sorted(FUNCTIONS))
