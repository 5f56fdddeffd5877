"""The interview in progress, as a plain model: pages, answers, live skip logic, checks, paradata.

:class:`InterviewSession` knows nothing about widgets or databases. The Voilà app renders it and calls
its methods; tests drive it directly. Every rule it applies comes from the compiled form and the
validation engine (:mod:`surveykit.questionnaire.validate`), so what the app shows and what the store
accepts can never disagree.

Behaviour, following XLSForm/ODK:

* a question whose relevance turns false is hidden and its answer is cleared (paradata records it);
* defaults are applied when a page is first entered;
* constraint problems show as soon as an answer is given; "required" problems show once the interviewer
  tries to leave the page (or on the review page), not before;
* a repeat group with ``repeat_count`` has exactly that many instances; without it the interviewer
  adds and removes instances;
* labels may contain ``${code}``: the current answer is shown in its place.

Paradata: every page entry and exit, every answer set, changed or cleared (old and new value), language
switches and resumptions are recorded as :class:`ParadataEvent` with the time and the milliseconds since
the previous event; :meth:`InterviewSession.take_events` hands them to whoever saves the draft.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from surveykit.errors import ErrorCode, Problem
from surveykit.i18n import pick
from surveykit.questionnaire.compiled import Form, Page, Variable, compile_form
from surveykit.questionnaire.model import Choice, Group, Question, Questionnaire, QuestionType
from surveykit.questionnaire.validate import Evaluation, ValidationResult, evaluate, validate_answers

__all__ = ["Field", "InterviewSession", "PageView", "ParadataEvent", "RepeatView"]

_REF = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class ParadataEvent:
    """One step of the interview, in the store's paradata format (:class:`surveykit.store.Event`)."""

    event: str  # page_enter, page_leave, answer_set, answer_changed, answer_cleared, language_switch, resume, submit
    at: dt.datetime
    elapsed_ms: int
    page: str | None = None
    question: str | None = None
    old_value: Any = None
    new_value: Any = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (values as JSON: sets as sorted lists, dates as ISO text); ``at`` stays a datetime."""
        return {
            "event": self.event,
            "at": self.at,
            "elapsed_ms": self.elapsed_ms,
            "page": self.page,
            "question": self.question,
            "old_value": _jsonable(self.old_value),
            "new_value": _jsonable(self.new_value),
            "detail": self.detail,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


@dataclass
class Field:
    """One question (or matrix row) as the app shows it right now."""

    variable: str  # the variable code (a matrix row: <question>_<row>)
    question: Question
    label: str
    hint: str
    instruction: str
    choices: list[tuple[str, str]]  # (name, label) offered now (choice filter applied)
    value: Any
    required: bool
    errors: list[str]
    row_label: str | None = None  # matrix rows

    @property
    def type(self) -> QuestionType:
        return self.question.type


@dataclass
class RepeatView:
    group: Group
    label: str
    instances: list[list[Field]]
    fixed_count: bool  # repeat_count decides the number of instances


@dataclass
class PageView:
    index: int
    code: str
    title: str
    instruction: str
    blocks: list[Field | RepeatView | tuple[str, str]]  # fields, repeats, and notes as (label, instruction)


class InterviewSession:
    """One interview: answers, the current page, and what the interviewer should see."""

    def __init__(
        self,
        questionnaire: Questionnaire | Form,
        *,
        interview_id: str | None = None,
        language: str | None = None,
        answers: Mapping[str, Any] | None = None,
        page: str | int | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.form = questionnaire if isinstance(questionnaire, Form) else compile_form(questionnaire)
        self.questionnaire = self.form.questionnaire
        self.interview_id = interview_id or str(uuid.uuid4())
        q = self.questionnaire
        self.language = language if language in q.languages else q.default_language
        self._clock = clock or dt.datetime.now
        self._monotonic = monotonic
        self._last_event = monotonic()
        self.events: list[ParadataEvent] = []
        self.answers: dict[str, Any] = {}
        for code, value in (answers or {}).items():
            self.answers[code] = [dict(i) for i in value] if isinstance(value, list) else value
        self._defaults_applied: set[int] = set()
        self._attempted: set[int] = set()  # pages the interviewer tried to leave: show "required" problems
        self.page_index = 0
        self._state: Evaluation | None = None
        self._reevaluate()
        if page is not None:
            self.page_index = self._page_number(page)
            self._event("resume", page=self.page.code)
        self._enter_page()

    # --- state -----------------------------------------------------------------------------------------
    @property
    def pages(self) -> tuple[Page, ...]:
        return self.form.pages

    @property
    def page(self) -> Page:
        return self.pages[self.page_index]

    @property
    def state(self) -> Evaluation:
        assert self._state is not None
        return self._state

    def _page_number(self, page: str | int) -> int:
        if isinstance(page, int):
            return max(0, min(page, len(self.pages) - 1))
        for i, p in enumerate(self.pages):
            if p.code == page:
                return i
        return 0

    def _now(self) -> dt.datetime:
        return self._clock()

    def _event(self, event: str, **fields: Any) -> None:
        tick = self._monotonic()
        elapsed = int(round((tick - self._last_event) * 1000))
        self._last_event = tick
        self.events.append(ParadataEvent(event=event, at=self._now(), elapsed_ms=max(0, elapsed), **fields))

    def take_events(self) -> list[ParadataEvent]:
        """Paradata recorded since the last call (for the draft save)."""
        events, self.events = self.events, []
        return events

    def _reevaluate(self) -> None:
        """Evaluate relevance and calculations; clear answers of questions that are no longer relevant."""
        for _ in range(len(self.form.variables) + 1):  # clearing can change relevance further down
            state = evaluate(
                self.form, self.answers, language=self.language, now=self._now(), report_not_relevant=False
            )
            cleared = self._clear_not_relevant(state)
            if not cleared:
                self._state = state
                return
        self._state = state

    def _clear_not_relevant(self, state: Evaluation) -> bool:
        cleared = False
        main = state.levels[None]
        for code, var in self.form.variables.items():
            if (
                var.repeat is None
                and var.calculation is None
                and (
                    code in self.answers
                    and self.answers[code] not in (None, "", frozenset())
                    and not main.relevant[code][0]
                )
            ):
                self._event(
                    "answer_cleared",
                    page=self.page.code,
                    question=code,
                    old_value=self.answers[code],
                    detail="not relevant",
                )
                self.answers[code] = None
                cleared = True
        for repeat in self.form.repeats:
            if self.form.repeat_parent[repeat] is not None:
                continue
            level = state.levels[repeat]
            instances = self.answers.get(repeat) or []
            for row, instance in enumerate(instances):
                for var in self.form.variables_of(repeat):
                    answered = var.calculation is None and instance.get(var.code) not in (
                        None,
                        "",
                        frozenset(),
                    )
                    if answered and row < level.n and not level.relevant[var.code][row]:
                        self._event(
                            "answer_cleared",
                            page=self.page.code,
                            question=f"{repeat}[{row + 1}].{var.code}",
                            old_value=instance[var.code],
                            detail="not relevant",
                        )
                        instance[var.code] = None
                        cleared = True
        return cleared

    # --- answering -----------------------------------------------------------------------------------------
    def value(self, variable: str, instance: tuple[str, int] | None = None) -> Any:
        if instance is None:
            return self.answers.get(variable)
        repeat, row = instance
        instances = self.answers.get(repeat) or []
        return instances[row].get(variable) if row < len(instances) else None

    def set_answer(self, variable: str, value: Any, instance: tuple[str, int] | None = None) -> None:
        """Record an answer (``None`` or ``""`` clears it) and re-evaluate the form."""
        if variable not in self.form.variables:
            raise KeyError(variable)
        var = self.form.variables[variable]
        value = _normalise(var, value)
        old = self.value(variable, instance)
        if old == value:
            return
        if instance is None:
            self.answers[variable] = value
            where = variable
        else:
            repeat, row = instance
            self.answers[repeat][row][variable] = value
            where = f"{repeat}[{row + 1}].{variable}"
        kind = "answer_cleared" if value is None else ("answer_set" if old is None else "answer_changed")
        self._event(kind, page=self.page.code, question=where, old_value=old, new_value=value)
        self._reevaluate()
        self._sync_repeat_counts()

    def add_instance(self, repeat: str) -> int:
        instances = self.answers.setdefault(repeat, [])
        instances.append({})
        self._event(
            "answer_set",
            page=self.page.code,
            question=repeat,
            new_value=len(instances),
            detail="instance added",
        )
        self._reevaluate()
        return len(instances) - 1

    def remove_instance(self, repeat: str, row: int) -> None:
        instances = self.answers.get(repeat) or []
        if 0 <= row < len(instances):
            old = instances.pop(row)
            self._event(
                "answer_cleared",
                page=self.page.code,
                question=f"{repeat}[{row + 1}]",
                old_value=old,
                detail="instance removed",
            )
            self._reevaluate()

    def _sync_repeat_counts(self) -> None:
        """Repeats with repeat_count get exactly that many instances (extra ones are dropped)."""
        changed = False
        for repeat, expr in self.form.repeat_count.items():
            if expr is None or self.form.repeat_parent[repeat] is not None:
                continue
            from surveykit.expressions import Context

            main = self.state.levels[None]
            values = {r: main.values[r] for r in expr.references if r in main.values}
            kinds = {r: self.form.variables[r].kind for r in values}
            number = expr.evaluate(Context(1, values, kinds, now=self._now())).to_num()[0]
            wanted = 0 if number != number else max(0, min(int(number), 200))
            instances = self.answers.setdefault(repeat, [])
            if len(instances) != wanted:
                del instances[wanted:]
                instances.extend({} for _ in range(wanted - len(instances)))
                changed = True
        if changed:
            self._reevaluate()

    def set_language(self, language: str) -> None:
        if language not in self.questionnaire.languages or language == self.language:
            return
        self._event("language_switch", page=self.page.code, old_value=self.language, new_value=language)
        self.language = language
        self._reevaluate()

    # --- navigation -------------------------------------------------------------------------------------------
    def _page_visible(self, index: int) -> bool:
        """A page is shown when at least one of its questions, notes or repeat groups applies."""
        page = self.pages[index]
        main = self.state.levels[None]
        for code in page.variables:
            var = self.form.variables[code]
            if var.repeat is None and var.calculation is None and main.relevant[code][0]:
                return True
        for question in page.questions:
            if question.type is QuestionType.NOTE and self._item_relevant(question):
                return True
        return any(
            self._item_relevant(self.form.repeats[r]) for r in self.form.repeats if self._on_page(r, page)
        )

    def _on_page(self, code: str, page: Page) -> bool:
        return page.group is not None and (
            page.group.code == code
            or any(g.code == page.group.code for g in self.questionnaire.parents(code))
        )

    def _item_relevant(self, item: Question | Group) -> bool:
        return self.state.item_relevant(item.code)

    def _enter_page(self) -> None:
        self._apply_defaults()
        self._event("page_enter", page=self.page.code)

    def _apply_defaults(self) -> None:
        if self.page_index in self._defaults_applied:
            return
        self._defaults_applied.add(self.page_index)
        changed = False
        for code in self.page.variables:
            var = self.form.variables[code]
            unanswered = var.repeat is None and self.answers.get(code) is None
            if unanswered and var.question.default is not None and self.state.levels[None].relevant[code][0]:
                self.answers[code] = _normalise(var, var.question.default)
                self._event(
                    "answer_set",
                    page=self.page.code,
                    question=code,
                    new_value=self.answers[code],
                    detail="default",
                )
                changed = True
        if changed:
            self._reevaluate()
            self._sync_repeat_counts()

    @property
    def is_first(self) -> bool:
        return not any(self._page_visible(i) for i in range(self.page_index))

    @property
    def is_last(self) -> bool:
        return not any(self._page_visible(i) for i in range(self.page_index + 1, len(self.pages)))

    def page_problems(
        self, index: int | None = None, *, include_required: bool | None = None
    ) -> dict[str, list[str]]:
        """Problems of the questions on a page, by variable (repeat rows as ``repeat[n].code``)."""
        index = self.page_index if index is None else index
        if include_required is None:
            include_required = index in self._attempted
        result = self.validate()
        page_vars = set(self.pages[index].variables)
        problems: dict[str, list[str]] = {}
        for problem in result.report.errors:
            code = problem.location.field
            if code not in page_vars:
                continue
            if problem.code is ErrorCode.ANSWER_REQUIRED and not include_required:
                continue
            key = _problem_key(problem, code)
            problems.setdefault(key, []).append(problem.localized(self.language)[0])
        return problems

    def next(self) -> bool:
        """Go to the next page that has something to show. Refused (False) while this page has problems."""
        self._attempted.add(self.page_index)
        if self.page_problems(include_required=True):
            return False
        for index in range(self.page_index + 1, len(self.pages)):
            if self._page_visible(index):
                self._event("page_leave", page=self.page.code)
                self.page_index = index
                self._enter_page()
                return True
        return False

    def back(self) -> bool:
        for index in range(self.page_index - 1, -1, -1):
            if self._page_visible(index):
                self._event("page_leave", page=self.page.code)
                self.page_index = index
                self._enter_page()
                return True
        return False

    def go_to(self, page: str | int) -> None:
        index = self._page_number(page)
        if index != self.page_index:
            self._event("page_leave", page=self.page.code)
            self.page_index = index
            self._enter_page()

    @property
    def progress(self) -> tuple[int, int]:
        """(position among the pages that apply, number of pages that apply)."""
        visible = [i for i in range(len(self.pages)) if self._page_visible(i)]
        position = sum(1 for i in visible if i <= self.page_index)
        return position, max(1, len(visible))

    # --- what to show ---------------------------------------------------------------------------------------
    def text(self, texts: Mapping[str, str]) -> str:
        """A questionnaire text in the current language with ``${code}`` replaced by current answers."""
        raw = pick(texts, self.language, self.questionnaire.default_language)
        return _REF.sub(lambda m: self.display_value(m.group(1)), raw) if "${" in raw else raw

    def display_value(self, variable: str) -> str:
        var = self.form.variables.get(variable)
        if var is None or var.repeat is not None:
            return ""
        main = self.state.levels[None]
        from surveykit.questionnaire.frame import python_value

        value = python_value(var, main.values[variable], 0)
        if value is None:
            return "…"
        labels = {
            c.name: pick(c.label, self.language, self.questionnaire.default_language) for c in var.choices
        }
        if isinstance(value, frozenset):
            return ", ".join(labels[name] for name in var.choice_names if name in value)
        if var.type.is_media:  # the stored name is a checksum: show that a file is there, and its kind
            return f"✓ {str(value).rsplit('.', 1)[-1].upper()}"
        if var.type is QuestionType.DATETIME:
            return str(value).replace("T", " ")[:16]
        if var.type is QuestionType.TIME:
            return str(value)[:5]
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return labels.get(str(value), str(value))

    def offered_choices(self, var: Variable, row: int | None = None) -> list[Choice]:
        """The choices offered now (the choice filter applied)."""
        if var.choice_filter is None:
            return list(var.choices)
        import numpy as np

        level = self.state.levels[var.repeat]
        r = 0 if row is None else row
        names = list(var.choice_names)
        mask = self.state.choice_filter_mask(var, level, np.full(len(names), r), names)
        return [c for c, ok in zip(var.choices, mask, strict=True) if ok]

    def view(self) -> PageView:
        """The current page: its fields with labels, offered choices, values and problems."""
        page = self.page
        problems = self.page_problems()
        blocks: list[Field | RepeatView | tuple[str, str]] = []
        items = (
            page.group.items
            if page.group is not None and not page.group.is_repeat
            else ([page.group] if page.group is not None else list(page.questions))
        )
        main = self.state.levels[None]
        for item in _flatten_groups(items):
            if isinstance(item, Group) and item.is_repeat:
                blocks.append(self._repeat_view(item, problems))
            elif isinstance(item, Question):
                if item.type is QuestionType.NOTE:
                    if self._item_relevant(item):
                        blocks.append((self.text(item.label), self.text(item.instruction)))
                    continue
                for var in self.form.variable_of_question(item.code):
                    if var.calculation is not None or not main.relevant[var.code][0]:
                        continue
                    blocks.append(self._field(var, problems, None))
        title = self.text(page.group.label) if page.group is not None else ""
        instruction = self.text(page.group.instruction) if page.group is not None else ""
        return PageView(self.page_index, page.code, title, instruction, blocks)

    def _field(
        self, var: Variable, problems: Mapping[str, list[str]], row: int | None, repeat: str | None = None
    ) -> Field:
        q = var.question
        level = self.state.levels[var.repeat]
        r = 0 if row is None else row
        required = var.required is True or (
            var.required is not False and bool(self.state.condition(var.required, level)[r])
        )
        key = var.code if repeat is None else f"{repeat}[{r + 1}].{var.code}"
        value = self.value(var.code, None if repeat is None else (repeat, r))
        lang, default = self.language, self.questionnaire.default_language
        return Field(
            variable=var.code,
            question=q,
            label=self.text(q.label),
            hint=self.text(q.hint),
            instruction=self.text(q.instruction),
            choices=[(c.name, pick(c.label, lang, default)) for c in self.offered_choices(var, row)],
            value=value,
            required=required,
            errors=list(problems.get(key, [])),
            row_label=pick(var.row.label, lang, default) if var.row is not None else None,
        )

    def _repeat_view(self, group: Group, problems: Mapping[str, list[str]]) -> RepeatView:
        level = self.state.levels[group.code]
        instances: list[list[Field]] = []
        for row in range(level.n):
            fields = [
                self._field(var, problems, row, repeat=group.code)
                for var in self.form.variables_of(group.code)
                if var.calculation is None and level.relevant[var.code][row]
            ]
            instances.append(fields)
        return RepeatView(
            group=group,
            label=self.text(group.label),
            instances=instances,
            fixed_count=self.form.repeat_count.get(group.code) is not None,
        )

    # --- review and submission ---------------------------------------------------------------------------------
    def validate(self) -> ValidationResult:
        return validate_answers(self.form, self.answers, language=self.language, now=self._now())

    def review(self) -> list[tuple[Page, str, str, list[str]]]:
        """Unanswered and flagged questions across the interview: (page, variable, label, problems)."""
        self._attempted.update(range(len(self.pages)))
        result = self.validate()
        rows: list[tuple[Page, str, str, list[str]]] = []
        by_var: dict[str, list[str]] = {}
        for problem in result.report.errors:
            if problem.location.field:
                by_var.setdefault(_problem_key(problem, problem.location.field), []).append(
                    problem.localized(self.language)[0]
                )
        main = self.state.levels[None]
        for page in self.pages:
            for code in page.variables:
                var = self.form.variables[code]
                if var.repeat is not None or var.calculation is not None or not main.relevant[code][0]:
                    continue
                flagged = by_var.get(code, [])
                if flagged or self.answers.get(code) is None:
                    rows.append((page, code, self.text(var.question.label), flagged))
        for key, messages in by_var.items():
            if "[" in key:
                repeat = key.split("[")[0]
                page = next(
                    (
                        p
                        for p in self.pages
                        if any(self.form.variables[v].repeat == repeat for v in p.variables)
                    ),
                    self.pages[0],
                )
                rows.append((page, key, key, messages))
        return rows

    def summary(self) -> list[tuple[str, str, str]]:
        """Every answer given so far, for the interviewer's final check: (page title, question, answer)."""
        rows: list[tuple[str, str, str]] = []
        main = self.state.levels[None]
        for page in self.pages:
            title = self.text(page.group.label) if page.group is not None else ""
            for code in page.variables:
                var = self.form.variables[code]
                if var.repeat is not None or var.calculation is not None or not main.relevant[code][0]:
                    continue
                if self.answers.get(code) is None:
                    continue
                label = self.text(var.question.label)
                if var.row is not None:
                    label = (
                        f"{label} — {pick(var.row.label, self.language, self.questionnaire.default_language)}"
                    )
                rows.append((title, label, self.display_value(code)))
        return rows

    def submission(self) -> tuple[ValidationResult, list[ParadataEvent]]:
        """Final validation and the last paradata (a ``submit`` event is added when there are no errors)."""
        result = self.validate()
        if result.ok:
            self._event("submit", page=self.page.code)
        return result, self.take_events()


def _problem_key(problem: Problem, code: str) -> str:
    path = problem.location.path or ""
    match = re.search(r"(\w+)\[(\d+)\]$", path)
    return f"{match.group(1)}[{match.group(2)}].{code}" if match else code


def _flatten_groups(items: list[Any]) -> list[Any]:
    """Questions and repeat groups in document order; plain (non-repeat) subgroups are opened inline."""
    out: list[Any] = []
    stack = list(items)[::-1]
    while stack:
        item = stack.pop()
        if isinstance(item, Group) and not item.is_repeat:
            stack.extend(item.items[::-1])
        else:
            out.append(item)
    return out


def _normalise(var: Variable, value: Any) -> Any:
    """The session's Python value for an input from a widget (empty -> None)."""
    from surveykit.expressions import Kind

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if var.kind is Kind.MULTI:
        names = value.split() if isinstance(value, str) else list(value)
        return frozenset(names) or None
    if var.kind is Kind.INTEGER:
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            return str(value)  # kept as typed; validation reports it as not a whole number
        return int(number) if number.is_integer() else number
    if var.kind is Kind.DECIMAL:
        try:
            return float(str(value).replace(",", "."))
        except ValueError:
            return str(value)
    if var.kind is Kind.DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if var.type in _TYPED:  # time, datetime, geopoint, file: their canonical text (as stored)
        from surveykit.questionnaire.frame import parse_typed

        parsed = parse_typed(var.type, value)
        if parsed is not None:
            return parsed
        return str(value).strip()  # kept as typed; validation reports it
    return str(value).strip() if isinstance(value, str) else value


_TYPED = frozenset(
    {
        QuestionType.TIME,
        QuestionType.DATETIME,
        QuestionType.GEOPOINT,
        QuestionType.IMAGE,
        QuestionType.AUDIO,
        QuestionType.VIDEO,
        QuestionType.FILE,
    }
)
