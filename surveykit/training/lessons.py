"""Lesson texts: one markdown file per lesson and language, quotes generated from the instruments.

The lessons of ``course.yaml`` keep their id, title and quiz there; the text of lesson ``m4-l1`` in Russian
is ``lessons/ru/m4-l1.md`` next to ``course.yaml`` (an inline ``text: {ru, en}`` still works for short
courses). :mod:`surveykit.training.loader` reads the files and renders the placeholders below, so the
course never retypes what the questionnaires, the rules or the settings already say:

==========================================================  ===============================================
``{{question recipient_survey q7}}``                        the wording of q7 in the lesson's language
``{{instruction recipient_survey proxy_respondent}}``       the interviewer instruction of an item
``{{choice recipient_survey q2 dk}}``                       the label of a choice (``Затрудняюсь ответить``)
``{{indicators recipient_survey q5}}``                      the indicators the question feeds (``2.2``)
``{{duration recipient_survey}}``                           ``settings.expected_minutes`` with its unit: "15 минут"
                                                            (genitive, for "около …"; ``minutes:nom`` or
                                                            ``minutes:acc`` for other phrases)
``{{route_table recipient_survey}}``                        a table of the numbered questions: wording, who
                                                            is asked (from ``relevant``), indicators
``{{value training/rules.yaml knowledge.pass_score percent}}``  a value of a YAML file under questionnaires/:
                                                            plain, ``percent``, or with a unit (``hours``,
                                                            ``years:gen`` …) that agrees with the number
``{{setting min_cell_size}}``                               a surveykit setting (a number)
``{{audit_list comfort}}``                                  the items of a group of training/audit_items.yaml
``{{status outdated}}``                                     an audit status as the practice app names it
==========================================================  ===============================================

Two block directives stay in the text for the lesson view (:mod:`surveykit.ui.lesson`) and are checked
here: a worked example on a line of its own, ``{{example routing filter=q7}}`` (names and options in
:data:`EXAMPLES`), and an exercise whose answer the trainee opens after trying::

    ::: exercise
    What do you do? ...
    ::: answer
    The model answer ...
    :::

:func:`lesson_parts` splits a rendered text into these parts; :func:`quote_problems` finds quotes typed
literally (in «…», “…”, "…" or a ``>`` block) that resemble a questionnaire text without being exactly
it — a paraphrase in a course that teaches verbatim reading.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = [
    "EXAMPLES",
    "ExamplePart",
    "ExercisePart",
    "LessonSources",
    "RenderProblem",
    "TextPart",
    "lesson_file",
    "lesson_parts",
    "plain_text",
    "quote_problems",
    "render_lesson_text",
    "word_count",
]

#: the folder next to course.yaml holding ``<language>/<lesson id>.md``
LESSONS_FOLDER = "lessons"

#: worked examples the lesson view can show, with the options each accepts and their allowed values
#: (``None``: any value). The widgets are built by surveykit.ui.lesson (a test keeps both lists equal).
EXAMPLES: dict[str, dict[str, tuple[str, ...] | None]] = {
    "routing": {"filter": ("q1", "q3", "q7", "q11")},
    "intro": {},
    "paradata": {},
    "indicator": {},
    "criteria": {},
    "probing": {"persona": None, "question": None},
    "suspension": {},
    "checklist": {},
    "calibration": {"kind": ("website", "premises")},
}


def lesson_file(root: Path, language: str, lesson_id: str) -> Path:
    """Where the text of a lesson in a language lives: ``<root>/lessons/<language>/<lesson id>.md``."""
    return Path(root) / LESSONS_FOLDER / language / f"{lesson_id}.md"


# --------------------------------------------------------------------------------------------------------
# the parts of a lesson: text, worked examples, exercises
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextPart:
    markdown: str


@dataclass(frozen=True)
class ExamplePart:
    name: str
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExercisePart:
    task: str
    answer: str


Part = TextPart | ExamplePart | ExercisePart

_EXAMPLE_LINE = re.compile(r"^\s*\{\{\s*example\s+([a-z_]+)((?:\s+[a-z_]+=[^\s}]+)*)\s*\}\}\s*$")
_FENCE = re.compile(r"^\s*:::\s*(exercise|answer)?\s*$")
_PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")


@dataclass(frozen=True)
class RenderProblem:
    """A problem in a lesson text: the 1-based line inside the text, what is wrong and how to fix it."""

    line: int
    detail: str
    fix: str


def _blocks(text: str) -> Iterator[tuple[str, int, Any]]:
    """``("text", line, [lines])``, ``("example", line, (name, options))``, ``("exercise", line, (task,
    answer))`` and ``("problem", line, (detail, fix))`` in order."""
    lines = text.splitlines()
    buffer: list[str] = []
    start = 1
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        example = _EXAMPLE_LINE.match(line)
        fence = _FENCE.match(line)
        if example:
            if buffer:
                yield "text", start, buffer
                buffer = []
            options = dict(part.split("=", 1) for part in example.group(2).split())
            yield "example", number, (example.group(1), options)
            start = number + 1
        elif fence and fence.group(1) == "exercise":
            if buffer:
                yield "text", start, buffer
                buffer = []
            task: list[str] = []
            answer: list[str] | None = None
            closed = False
            index += 1
            while index < len(lines):
                inner = _FENCE.match(lines[index])
                if inner and inner.group(1) == "answer" and answer is None:
                    answer = []
                elif inner and inner.group(1) is None:
                    closed = True
                    break
                elif inner:
                    yield (
                        "problem",
                        index + 1,
                        (
                            f"'::: {inner.group(1)}' inside an exercise",
                            "Close the exercise with ':::' before starting another one.",
                        ),
                    )
                elif answer is None:
                    task.append(lines[index])
                else:
                    answer.append(lines[index])
                index += 1
            if not closed:
                yield "problem", number, ("the exercise is not closed", "End it with a line ':::'.")
            elif answer is None or not "\n".join(answer).strip():
                yield (
                    "problem",
                    number,
                    ("the exercise has no answer", "Add '::: answer' and the model answer before ':::'."),
                )
            elif not "\n".join(task).strip():
                yield "problem", number, ("the exercise has no task", "Write the task after '::: exercise'.")
            else:
                yield "exercise", number, ("\n".join(task).strip("\n"), "\n".join(answer).strip("\n"))
            start = index + 2
        elif fence:
            yield (
                "problem",
                number,
                (
                    f"'{line.strip()}' outside an exercise",
                    "Start an exercise with '::: exercise', then '::: answer', and end it with ':::'.",
                ),
            )
            start = number + 1
        else:
            if not buffer:
                start = number
            buffer.append(line)
        index += 1
    if buffer:
        yield "text", start, buffer


def lesson_parts(text: str) -> list[Part]:
    """A rendered lesson text as text, worked examples and exercises, in order (empty text parts dropped)."""
    parts: list[Part] = []
    for kind, _, value in _blocks(text):
        if kind == "text":
            markdown = "\n".join(value).strip("\n")
            if markdown.strip():
                parts.append(TextPart(markdown))
        elif kind == "example":
            parts.append(ExamplePart(value[0], value[1]))
        elif kind == "exercise":
            parts.append(ExercisePart(*value))
    return parts


def plain_text(text: str) -> str:
    """What a trainee reads: the text and the exercises, without directives and markdown marks."""
    chunks = []
    for part in lesson_parts(text):
        if isinstance(part, TextPart):
            chunks.append(part.markdown)
        elif isinstance(part, ExercisePart):
            chunks += [part.task, part.answer]
    joined = "\n".join(chunks)
    joined = re.sub(r"^\s*\|?\s*:?-{3,}.*$", " ", joined, flags=re.MULTILINE)  # table rules
    return re.sub(r"[#*>|`_]+", " ", joined)


def word_count(text: str) -> int:
    """Words of :func:`plain_text`: runs of letters (with inner hyphens/apostrophes), numbers excluded."""
    return len(re.findall(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", plain_text(text)))


# --------------------------------------------------------------------------------------------------------
# placeholders: quotes of the instruments, rules and settings
# --------------------------------------------------------------------------------------------------------


class _Unresolved(Exception):
    def __init__(self, detail: str, fix: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fix = fix


_WORDS = {
    "ru": {
        "number": "№",
        "question": "Вопрос (дословно)",
        "asked": "Кому задаётся",
        "indicators": "Показатель",
        "everyone": "всем",
        "if": "если на вопрос {n} ответили «{label}»",
        "none": "— (только в отчёт)",
        "percent": "{value} %",
    },
    "en": {
        "number": "No.",
        "question": "Question (verbatim)",
        "asked": "Asked",
        "indicators": "Indicator",
        "everyone": "everyone",
        "if": "if question {n} was answered “{label}”",
        "none": "— (report only)",
        "percent": "{value}%",
    },
}

_SIMPLE_CONDITION = re.compile(r"^\$\{(\w+)\}\s*=\s*'([^']*)'$")
_NUMBERED = re.compile(r"^q(\d+)$")


def _number(value: float, language: str) -> str:
    from surveykit.i18n import number_text

    return number_text(value, language)


def _words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["en"])


#: units a quoted number can carry, so that the noun agrees with it: Russian forms for one / few / many
#: (1 минута, 2 минуты, 5 минут) in the nominative, genitive ("около 21 минуты") and accusative case.
_UNITS: dict[str, dict[str, tuple[str, ...]]] = {
    "minutes": {
        "en": ("minute", "minutes"),
        "nom": ("минута", "минуты", "минут"),
        "gen": ("минуты", "минут", "минут"),
        "acc": ("минуту", "минуты", "минут"),
    },
    "hours": {
        "en": ("hour", "hours"),
        "nom": ("час", "часа", "часов"),
        "gen": ("часа", "часов", "часов"),
        "acc": ("час", "часа", "часов"),
    },
    "years": {
        "en": ("year", "years"),
        "nom": ("год", "года", "лет"),
        "gen": ("года", "лет", "лет"),
        "acc": ("год", "года", "лет"),
    },
}


def _russian_plural(value: float) -> int:
    """0 for one (1, 21, 101), 1 for few (2–4, 22–24), 2 for many (0, 5–20, 25 …) of a whole number."""
    n = abs(int(value))
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def _formatted(value: float, language: str, form: str | None) -> str:
    """A quoted number: plain, as a percent (``percent``: 0.8 -> "80 %"), or with a unit that agrees with it
    (``minutes``, ``hours``, ``years``; in Russian with a case: ``minutes:gen`` -> "около 21 минуты")."""
    if form is None:
        return _number(value, language)
    if form == "percent":
        return _words(language)["percent"].format(value=_number(value * 100, language))
    unit, _, case = form.partition(":")
    if unit not in _UNITS or case not in ("", "nom", "gen", "acc"):
        raise _Unresolved(
            f"unknown form '{form}'",
            "Write 'percent', or a unit (minutes, hours, years) with an optional Russian case: minutes:gen.",
        )
    forms = _UNITS[unit]
    if language == "ru" and value != int(value):
        noun = forms["gen"][0]  # a fraction takes the genitive singular in every case: 1,5 минуты, 2,5 года
    elif language == "ru":
        noun = forms[case or "nom"][_russian_plural(value)]
    else:
        noun = forms["en"][0 if value == 1 else 1]
    return f"{_number(value, language)} {noun}"


class LessonSources:
    """What placeholders quote: the questionnaires (and other YAML files) under ``questionnaires_dir`` and
    the surveykit settings. Questionnaires are read once each, on first use."""

    def __init__(self, questionnaires_dir: Path) -> None:
        self.dir = Path(questionnaires_dir)
        self._questionnaires: dict[str, Any] = {}
        self._yaml: dict[str, Any] = {}

    # --- the files ---------------------------------------------------------------------------------------
    def questionnaire(self, qid: str) -> Any:
        if qid not in self._questionnaires:
            from surveykit.errors import SurveykitError
            from surveykit.questionnaire.io import load_questionnaire

            path = self.dir / f"{qid}.yaml"
            if not re.fullmatch(r"[A-Za-z0-9_\-]+", qid) or not path.is_file():
                known = sorted(p.stem for p in self.dir.glob("*.yaml")) if self.dir.is_dir() else []
                from surveykit.errors import did_you_mean

                raise _Unresolved(
                    f"no questionnaire '{qid}' in {self.dir}{did_you_mean(qid, known)}",
                    f"Name a questionnaire file of that folder without '.yaml': {', '.join(known) or '(none)'}.",
                )
            try:
                self._questionnaires[qid] = load_questionnaire(path)
            except SurveykitError as err:
                raise _Unresolved(
                    f"questionnaire '{qid}' cannot be read: {err}", f"Correct {path.name} first."
                ) from err
        return self._questionnaires[qid]

    def yaml_value(self, relative: str, key: str) -> Any:
        import yaml

        parts = PurePosixPath(relative).parts
        if PurePosixPath(relative).is_absolute() or ".." in parts or not relative.endswith(".yaml"):
            raise _Unresolved(
                f"'{relative}' is not a YAML file inside the questionnaires folder",
                "Give a relative path such as training/rules.yaml.",
            )
        if relative not in self._yaml:
            path = self.dir.joinpath(*parts)
            if not path.is_file():
                raise _Unresolved(f"no file {relative} in {self.dir}", "Check the path.")
            try:
                self._yaml[relative] = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as err:
                raise _Unresolved(f"{relative} cannot be read: {err}", f"Correct {relative} first.") from err
        value: Any = self._yaml[relative]
        walked: list[str] = []
        for step in key.split("."):
            walked.append(step)
            if isinstance(value, Mapping) and step in value:
                value = value[step]
            elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
                value = value[int(step)]
            else:
                from surveykit.errors import did_you_mean

                options = list(value) if isinstance(value, Mapping) else []
                raise _Unresolved(
                    f"{relative} has no '{'.'.join(walked)}'{did_you_mean(step, options)}",
                    "Name a key of that file with dots, e.g. knowledge.pass_score.",
                )
        return value

    # --- one placeholder --------------------------------------------------------------------------------
    def resolve(self, directive: str, language: str) -> str:
        words = directive.split()
        if not words:
            raise _Unresolved("an empty placeholder {{ }}", "Write e.g. {{question recipient_survey q7}}.")
        kind, args = words[0], words[1:]
        handlers = {
            "question": (self._label, 2),
            "instruction": (self._instruction, 2),
            "choice": (self._choice, 3),
            "indicators": (self._indicators, 2),
            "duration": (self._duration, (1, 2)),
            "route_table": (self._route_table, 1),
            "value": (self._value, (2, 3)),
            "setting": (self._setting, 1),
            "audit_list": (self._audit_list, 1),
            "status": (self._status, 1),
        }
        if kind == "example":
            raise _Unresolved(
                "a worked example must stand on a line of its own",
                "Put {{example ...}} alone on its line, between paragraphs.",
            )
        if kind not in handlers:
            from surveykit.errors import did_you_mean

            raise _Unresolved(
                f"unknown placeholder '{kind}'{did_you_mean(kind, [*handlers, 'example'])}",
                f"Use one of: {', '.join([*handlers, 'example'])} (docs/training.md, 'Lesson texts').",
            )
        handler, count = handlers[kind]
        counts = count if isinstance(count, tuple) else (count,)
        if len(args) not in counts:
            raise _Unresolved(
                f"'{kind}' takes {' or '.join(map(str, counts))} argument(s), got {len(args)}: {{{{{directive}}}}}",
                "See docs/training.md, 'Lesson texts', for the form of each placeholder.",
            )
        return handler(language, *args)

    def _item(self, qid: str, code: str) -> Any:
        q = self.questionnaire(qid)
        if not q.has(code):
            from surveykit.errors import did_you_mean

            codes = [item.code for item, _ in q.walk()]
            raise _Unresolved(
                f"questionnaire '{qid}' has no item '{code}'{did_you_mean(code, codes)}",
                "Name an item code of the questionnaire (q1 … q16, consent, proxy_respondent …).",
            )
        return q.item(code)

    def _text(self, qid: str, texts: Mapping[str, str], language: str, what: str) -> str:
        value = (texts or {}).get(language)
        if not value or not value.strip():
            raise _Unresolved(
                f"{what} of questionnaire '{qid}' has no text in '{language}'",
                f"Add the '{language}' text to the questionnaire, or quote another item.",
            )
        return " ".join(value.split())

    def _label(self, language: str, qid: str, code: str) -> str:
        return self._text(qid, self._item(qid, code).label, language, f"item '{code}'")

    def _instruction(self, language: str, qid: str, code: str) -> str:
        return self._text(qid, self._item(qid, code).instruction, language, f"the instruction of '{code}'")

    def _choice(self, language: str, qid: str, code: str, name: str) -> str:
        item = self._item(qid, code)
        list_name = getattr(item, "choice_list_name", None)
        choices = self.questionnaire(qid).choice_list(list_name) if list_name else []
        for choice in choices:
            if choice.name == name:
                return self._text(qid, choice.label, language, f"choice '{name}' of '{code}'")
        raise _Unresolved(
            f"'{code}' of questionnaire '{qid}' has no choice '{name}'",
            f"Use one of: {', '.join(c.name for c in choices) or '(the item has no choices)'}.",
        )

    def _indicators(self, language: str, qid: str, code: str) -> str:
        scoring = getattr(self._item(qid, code), "scoring", None)
        if scoring is None or not scoring.indicators:
            raise _Unresolved(
                f"'{code}' of questionnaire '{qid}' feeds no indicator", "Quote a scored question."
            )
        return ", ".join(scoring.indicators)

    def _duration(self, language: str, qid: str, form: str | None = None) -> str:
        minutes = self.questionnaire(qid).settings.expected_minutes
        if minutes is None:
            raise _Unresolved(
                f"questionnaire '{qid}' does not say how long it takes",
                "Add 'expected_minutes: N' under its 'settings:'.",
            )
        return _formatted(minutes, language, form or "minutes:gen")

    def _value(self, language: str, relative: str, key: str, form: str | None = None) -> str:
        value = self.yaml_value(relative, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Unresolved(
                f"{relative} {key} is {value!r}, not a number",
                "Quote a number (a threshold, a count, a share).",
            )
        return _formatted(value, language, form)

    def _setting(self, language: str, name: str) -> str:
        from surveykit.config import Settings, settings

        names = [f for f in Settings.__dataclass_fields__]
        value = getattr(settings(), name, None) if name in names else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            from surveykit.errors import did_you_mean

            raise _Unresolved(
                f"'{name}' is not a numeric surveykit setting{did_you_mean(name, names)}",
                "Name a numeric setting, e.g. min_cell_size.",
            )
        return _number(value, language)

    def _audit_list(self, language: str, group: str) -> str:
        """The items of a group of ``training/audit_items.yaml`` as a numbered markdown list."""
        groups = self.yaml_value("training/audit_items.yaml", "groups")
        if not isinstance(groups, Mapping) or group not in groups:
            from surveykit.errors import did_you_mean

            names = list(groups) if isinstance(groups, Mapping) else []
            raise _Unresolved(
                f"training/audit_items.yaml has no group '{group}'{did_you_mean(group, names)}",
                f"Use one of: {', '.join(names)}.",
            )
        items = self.yaml_value("training/audit_items.yaml", "items") or []
        texts = [
            " ".join(str((item.get("text") or {}).get(language) or "").split())
            for item in items
            if isinstance(item, Mapping) and item.get("group") == group
        ]
        if not texts or not all(texts):
            raise _Unresolved(
                f"group '{group}' of training/audit_items.yaml has items without a '{language}' text",
                "Add the text to every item of the group.",
            )
        return "\n".join(f"{n}. {text}" for n, text in enumerate(texts, start=1))

    def _status(self, language: str, name: str) -> str:
        """The label of an audit status (present, absent, outdated …) as the practice app shows it."""
        from surveykit.i18n import t

        groups = self.yaml_value("training/audit_items.yaml", "groups")
        statuses = {
            s for g in (groups or {}).values() if isinstance(g, Mapping) for s in g.get("statuses") or []
        }
        if name not in statuses:
            raise _Unresolved(
                f"'{name}' is not an audit status", f"Use one of: {', '.join(sorted(statuses))}."
            )
        return t(f"calibration.status.{name}", language)

    def _route_table(self, language: str, qid: str) -> str:
        q = self.questionnaire(qid)
        words = _words(language)
        rows = [
            f"| {words['number']} | {words['question']} | {words['asked']} | {words['indicators']} |",
            "|---|---|---|---|",
        ]
        for question in q.questions():
            match = _NUMBERED.match(question.code)
            if not match:
                continue
            label = self._label(language, qid, question.code).replace("|", "\\|")
            asked = self._condition(q, qid, question, language)
            indicators = ", ".join(question.scoring.indicators) if question.scoring else ""
            rows.append(f"| {match.group(1)} | {label} | {asked} | {indicators or words['none']} |")
        if len(rows) == 2:
            raise _Unresolved(
                f"questionnaire '{qid}' has no numbered questions (q1, q2, …)", "Quote another questionnaire."
            )
        return "\n".join(rows)

    def _condition(self, q: Any, qid: str, question: Any, language: str) -> str:
        words = _words(language)
        condition = (question.relevant or "").strip()
        if not condition:
            return words["everyone"]
        match = _SIMPLE_CONDITION.match(condition)
        if not match or not q.has(match.group(1)):
            raise _Unresolved(
                f"the condition of '{question.code}' ({condition}) cannot be described in words",
                "The route table describes conditions of the form ${q1} = 'yes'; quote the questions one by one.",
            )
        source = q.item(match.group(1))
        numbered = _NUMBERED.match(source.code)
        number = numbered.group(1) if numbered else f"«{self._label(language, qid, source.code)}»"
        label = self._choice(language, qid, source.code, match.group(2))
        return words["if"].format(n=number, label=label)


def render_lesson_text(text: str, language: str, sources: LessonSources) -> tuple[str, list[RenderProblem]]:
    """Replace every placeholder with what it quotes; check the block directives. Returns the rendered text
    and the problems found (each with its line inside ``text``); an unresolved placeholder stays as it was."""
    problems: list[RenderProblem] = []
    for kind, line, value in _blocks(text):
        if kind == "problem":
            problems.append(RenderProblem(line, *value))
        elif kind == "example":
            name, options = value
            if name not in EXAMPLES:
                from surveykit.errors import did_you_mean

                problems.append(
                    RenderProblem(
                        line,
                        f"no worked example '{name}'{did_you_mean(name, EXAMPLES)}",
                        f"Use one of: {', '.join(EXAMPLES)}.",
                    )
                )
                continue
            for option, option_value in options.items():
                allowed = EXAMPLES[name]
                if option not in allowed:
                    problems.append(
                        RenderProblem(
                            line,
                            f"the example '{name}' has no option '{option}'",
                            f"Options of '{name}': {', '.join(allowed) or '(none)'}.",
                        )
                    )
                elif allowed[option] is not None and option_value not in allowed[option]:
                    problems.append(
                        RenderProblem(
                            line,
                            f"'{option}={option_value}' is not possible for the example '{name}'",
                            f"Use one of: {', '.join(allowed[option])}.",
                        )
                    )

    def replace(match: re.Match[str]) -> str:
        directive = match.group(1)
        if directive.split()[:1] == ["example"] and _EXAMPLE_LINE.match(
            text.splitlines()[text.count("\n", 0, match.start())]
        ):
            return match.group(0)  # a worked example on its own line: kept for the lesson view
        try:
            return sources.resolve(directive, language)
        except _Unresolved as err:
            problems.append(RenderProblem(text.count("\n", 0, match.start()) + 1, err.detail, err.fix))
            return match.group(0)

    rendered = _PLACEHOLDER.sub(replace, text)
    problems.sort(key=lambda p: p.line)
    return rendered, problems


# --------------------------------------------------------------------------------------------------------
# quotes typed literally
# --------------------------------------------------------------------------------------------------------

_QUOTES = (
    re.compile(r"«([^«»\n]{8,})»"),
    re.compile(r"“([^“”\n]{8,})”"),
    re.compile(r"„([^„“\n]{8,})“"),
    re.compile(r"\"([^\"\n]{8,})\""),
)
_WORD = re.compile(r"[^\W\d_]{4,}")


def _normalise(text: str) -> str:
    text = text.lower().replace("ё", "е").replace("…", "...")
    text = re.sub(r"[«»“”„\"']", "", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .,:;!?-—–")


def _stems(text: str) -> set[str]:
    """Stems of the content words (four letters or more, cut to five: Russian endings vary)."""
    return {w[:5] for w in _WORD.findall(text.lower().replace("ё", "е"))}


@dataclass(frozen=True)
class _Known:
    """One text of a questionnaire, and one of its sentences (quotes are compared sentence by sentence)."""

    questionnaire: str
    code: str
    what: str  # label, hint, choice …
    text: str
    normal: str  # the whole text, normalised
    sentence: str  # one sentence of it, normalised
    stems: frozenset[str]  # of the sentence


def _known_texts(questionnaires_dir: Path, language: str) -> list[_Known]:
    """What a course may quote from the questionnaires under ``questionnaires_dir``: the wording read to or
    by the respondent (labels of questions and notes, hints, choice labels) in ``language``."""
    from surveykit.errors import SurveykitError
    from surveykit.questionnaire.io import load_questionnaire

    known: list[_Known] = []
    for path in sorted(Path(questionnaires_dir).glob("*.yaml")):
        try:
            q = load_questionnaire(path)
        except SurveykitError:
            continue
        entries: list[tuple[str, str, str]] = []
        for item, _ in q.walk():
            for what in ("label", "hint"):
                value = (getattr(item, what, None) or {}).get(language)
                if value:
                    entries.append((item.code, what, value))
        for name, choices in q.choice_lists.items():
            for choice in choices:
                if choice.label.get(language):
                    entries.append((name, f"choice {choice.name}", choice.label[language]))
        for code, what, value in entries:
            text = " ".join(value.split())
            for sentence in re.split(r"(?<=[.!?;])\s+", text):
                known.append(
                    _Known(
                        q.id,
                        code,
                        what,
                        text,
                        _normalise(text),
                        _normalise(sentence),
                        frozenset(_stems(sentence)),
                    )
                )
    return known


def _quoted(text: str) -> Iterator[tuple[int, str]]:
    """``(line, quoted text)`` of every quote in a lesson text, and of every ``>`` block."""
    for pattern in _QUOTES:
        for match in pattern.finditer(text):
            yield text.count("\n", 0, match.start()) + 1, match.group(1)
    block: list[str] = []
    start = 0
    for number, line in enumerate([*text.splitlines(), ""], start=1):
        if line.lstrip().startswith(">"):
            if not block:
                start = number
            block.append(line.lstrip()[1:].strip())
        elif block:
            yield start, " ".join(block)
            block = []


def _coverage(quote: str, known: str) -> float:
    """The share of the quote's characters found, in order, in the known text."""
    blocks = difflib.SequenceMatcher(None, quote, known, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks if b.size >= 3) / max(1, len(quote))


def paraphrased_quotes(
    text: str, known: list[_Known], *, min_words: int = 4, overlap: float = 0.75, coverage: float = 0.7
) -> list[tuple[int, str, _Known]]:
    """Quotes in ``text`` that resemble a questionnaire text without being exactly a part of it:
    ``(line, quote, the text it resembles)``. A quote resembles a text when at least ``overlap`` of its
    content words are in it and at least ``coverage`` of its characters appear in it in order (a retold
    question, a question with a clause dropped, a fragment put into another grammatical form). Quotes holding
    a placeholder are generated from the instrument and skipped; so are quotes of fewer than ``min_words``
    content words (a reply, a probe)."""
    found = []
    seen: set[tuple[int, str]] = set()
    for line, quote in _quoted(text):
        if "{{" in quote or (line, quote) in seen:
            continue
        seen.add((line, quote))
        stems = _stems(quote)
        if len(stems) < min_words:
            continue
        normal = _normalise(quote)
        if any(normal in k.normal for k in known):
            continue
        candidates = [k for k in known if len(stems & k.stems) / len(stems) >= overlap]
        scored = [(_coverage(normal, k.sentence), k) for k in candidates]
        best = max(scored, key=lambda pair: pair[0], default=None)
        if best is not None and best[0] >= coverage:
            found.append((line, quote, best[1]))
    return found


#: a quotation named by its question number: «вопрос 13 («Готовы ли Вы…»)», «на вопрос 7: «…»», "Q13 ("…")",
#: "question 5 ('…')"
_NUMBERED_QUOTE = re.compile(
    r"(?:\b[Вв]опрос\w*|\b[Qq]uestion|\bQ)\s*(\d{1,2})[*_]*\s*[(:—–,-]?\s*\(?\s*"
    r"(?:«([^«»\n]{4,})»|“([^“”\n]{4,})”|„([^„“\n]{4,})“|\"([^\"\n]{4,})\")"
)


def _in_order(quote: str, known: str) -> bool:
    """Whether the parts of a quote cut with '...' appear word for word, in order, in the known text."""
    pos = 0
    for part in (p.strip(" .,:;!?-—–") for p in quote.split("...")):
        if not part:
            continue
        found = known.find(part, pos)
        if found < 0:
            return False
        pos = found + len(part)
    return True


def misquoted_questions(text: str, known: list[_Known]) -> list[tuple[int, str, _Known]]:
    """Quotes that a lesson names by their question number ("вопрос 13 («…»)", "Q13 ("…")") and that are
    not that question's words — cut with '…' where needed, but in order and word for word. However short: a
    quote the lesson attaches to a question must be that question. ``(line, quote, the question)``."""
    found = []
    labels: dict[str, list[_Known]] = {}
    for k in known:
        if k.what == "label":
            labels.setdefault(k.code.casefold(), []).append(k)
    for match in _NUMBERED_QUOTE.finditer(text):
        quote = next(g for g in match.groups()[1:] if g is not None)
        bracketed = "(" in match.group(0)
        if "{{" in quote or not (bracketed or quote.rstrip().endswith(("?", "…", "..."))):
            continue  # «вопрос 8 «на всякий случай»»: words about the question, not its text
        questions = labels.get(f"q{match.group(1)}", [])
        if not questions:
            continue
        normal = _normalise(quote)
        if any(_in_order(normal, q.normal) for q in questions):
            continue
        best = max(questions, key=lambda q: _coverage(normal, q.normal))
        found.append((text.count("\n", 0, match.start()) + 1, quote, best))
    return found


def quote_problems(root: Path | None = None, questionnaires_dir: Path | None = None) -> Any:
    """A report (warnings SK852) of every literal quote in the lesson files of the course in ``root`` that
    paraphrases a questionnaire text (see :func:`paraphrased_quotes`), located at the file and line."""
    from surveykit.errors import ErrorCode, Location, Report, Severity

    if root is None:
        from surveykit.config import settings

        root = settings().questionnaires_dir / "training"
    root = Path(root)
    questionnaires_dir = Path(questionnaires_dir or root.parent)
    report = Report(subject=f"lesson quotes in {root}")
    folder = root / LESSONS_FOLDER
    cache: dict[str, list[_Known]] = {}
    for path in sorted(folder.glob("*/*.md")) if folder.is_dir() else []:
        language = path.parent.name
        if language not in cache:
            cache[language] = _known_texts(questionnaires_dir, language)
        text = path.read_text(encoding="utf-8")
        problems = paraphrased_quotes(text, cache[language])
        named = {(line, quote) for line, quote, _ in problems}
        problems += [m for m in misquoted_questions(text, cache[language]) if (m[0], m[1]) not in named]
        for line, quote, known in problems:
            placeholder = (
                f"{{{{question {known.questionnaire} {known.code}}}}}"
                if known.what == "label"
                else f"{{{{instruction {known.questionnaire} {known.code}}}}}"
                if known.what == "instruction"
                else "the exact words"
            )
            report.add(
                ErrorCode.LESSON_QUOTE_DIFFERS,
                Location(file=_display(path), line=line),
                Severity.WARNING,
                quote=quote,
                source=f"{known.questionnaire} {known.code} ({known.what})",
                text=known.text,
                placeholder=placeholder,
            )
    return report


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
