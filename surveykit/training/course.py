"""The interviewer course as data: the models and the checks that tie them together.

The course lives in ``questionnaires/training/`` (see ``docs/training.md``)::

    course.yaml              modules M0..M9: hours, objectives, sources, lessons (markdown ru/en), lesson quizzes
    items/m0.yaml ...        the item bank, one file per module
    rules.yaml               certification rules (pass marks, exam blueprint, re-sits, roles ...)
    mock_checklist.yaml      the 12-item mock-interview checklist, scored 0/1/2
    audit_items.yaml         website / premises audit items (ids shared with the audit questionnaires)
    calibration/*.yaml       calibration cases with an expert key

:func:`load_course` reads all of it (the reading lives in :mod:`surveykit.training.loader`), validates
every file, cross-checks the pieces and either returns a frozen :class:`Course` or raises one
:class:`~surveykit.errors.TrainingError` whose report lists *every* problem at once, each located as
``file:line`` with the path inside the file.

Checks live in one place each: a model's own invariants in its validator (they hold however the model is
built), the rules that tie pieces together in :func:`course_problems` (run by the loader with file
locations, and by :func:`check_course` on any assembled course).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from surveykit.errors import ErrorCode, Location, Report, TrainingError, did_you_mean
from surveykit.i18n import UI_LANGUAGES, pick

__all__ = [
    "AuditGroup",
    "AuditItem",
    "AuditItems",
    "CalibrationCase",
    "CalibrationRules",
    "ChecklistItem",
    "Computation",
    "Course",
    "Blueprint",
    "ExamRules",
    "ItemLintRules",
    "KnowledgeRules",
    "Lesson",
    "LocalText",
    "MockChecklist",
    "MockRules",
    "Module",
    "ModuleDraw",
    "Option",
    "QuizItem",
    "Requirement",
    "RoleRule",
    "Rules",
    "check_course",
    "load_course",
]

#: the file format version this code reads and writes
SCHEMA_VERSION = 1

#: every user-facing text of the course must exist in these languages
REQUIRED_LANGUAGES: tuple[str, ...] = UI_LANGUAGES


# --------------------------------------------------------------------------------------------------------
# small building blocks
# --------------------------------------------------------------------------------------------------------


def _both_languages(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in REQUIRED_LANGUAGES if not str(value.get(lang) or "").strip()]
    if missing:
        raise PydanticCustomError(
            "translation_missing",
            "no {missing} text (every text needs {required})",
            {"missing": " and ".join(repr(m) for m in missing), "required": " and ".join(REQUIRED_LANGUAGES)},
        )
    return value


#: a text in every required language: ``{ru: ..., en: ...}``
LocalText = Annotated[dict[str, str], AfterValidator(_both_languages)]

_ID = r"^[a-z0-9][a-z0-9_\-]*$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Issue(NamedTuple):
    """A problem a model finds in itself: ``field`` is the path inside the model, ``fix`` says what to do."""

    field: tuple[str | int, ...]
    detail: str
    fix: str


def _raise_issues(kind: str, issues: Sequence[Issue]) -> None:
    """Raise every issue of a model at once; the loader turns each into its own located problem."""
    if issues:
        raise PydanticCustomError(
            kind, "{summary}", {"summary": "; ".join(i.detail for i in issues), "issues": tuple(issues)}
        )


# --------------------------------------------------------------------------------------------------------
# lessons and modules
# --------------------------------------------------------------------------------------------------------


class Lesson(_Frozen):
    """A lesson: markdown text in every language (from ``lessons/<language>/<id>.md``, placeholders rendered
    by the loader) and the ids of the quiz items embedded after it."""

    id: str = Field(pattern=_ID)
    title: LocalText
    text: LocalText
    quiz: tuple[str, ...] = ()

    def text_in(self, language: str) -> str:
        return pick(self.text, language, "en")

    def parts(self, language: str) -> list[Any]:
        """The text in ``language`` as text, worked examples and exercises
        (:func:`surveykit.training.lessons.lesson_parts`)."""
        from surveykit.training.lessons import lesson_parts

        return lesson_parts(self.text_in(language))

    def words(self, language: str) -> int:
        """Words a trainee reads in ``language`` (text and exercises; directives and numbers not counted)."""
        from surveykit.training.lessons import word_count

        return word_count(self.text_in(language))


class Module(_Frozen):
    """A module of the curriculum (methodology C.2): hours, learning objectives, sources, lessons."""

    id: str = Field(pattern=r"^M\d+$")
    title: LocalText
    hours: float = Field(gt=0)
    objectives: tuple[LocalText, ...] = Field(min_length=1)
    sources: tuple[str | LocalText, ...] = Field(
        default=(), description="References shown under the lessons: a text in every language, or one text."
    )
    lessons: tuple[Lesson, ...] = Field(min_length=1)

    @property
    def item_prefix(self) -> str:
        """Item ids of this module start with this prefix (``M4`` -> ``m4-``)."""
        return f"{self.id.lower()}-"


# --------------------------------------------------------------------------------------------------------
# quiz items
# --------------------------------------------------------------------------------------------------------


class Option(_Frozen):
    """A choice of a single / multi / scenario item, with optional feedback shown when it is chosen.

    ``harmful``: choosing this option is a *critical error* (it would harm a respondent or the data: a
    breach of confidentiality, pressure, falsification, a wrong skip...). Only critical items carry harmful
    options, and a harmful option is never part of the key.
    """

    id: str = Field(pattern=_ID)
    text: LocalText
    feedback: LocalText | None = None
    harmful: bool = False


class Computation(_Frozen):
    """The inputs of a numeric item's key, named after the formula in methodology A.2 / A.3 / D.2.

    Nothing evaluates it at run time: the test suite recomputes the key of every numeric item from these
    inputs with its own formulas and checks that each input appears in the stem, so a mistyped key fails.
    """

    formula: str = Field(pattern=r"^[a-z0-9_]+$")
    inputs: dict[str, float]


def _answer_key(value: Any) -> float | str | tuple[str, ...]:
    """An answer key is an option id, a list of option ids, or a number (never a boolean)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PydanticCustomError(
        "answer_key",
        "the key must be an option id, a list of option ids or a number, not {value}",
        {"value": repr(value)},
    )


#: ``b``, ``[a, c]`` or ``89.44``
AnswerKey = Annotated[float | str | tuple[str, ...], PlainValidator(_answer_key)]

ItemType = Literal["single", "multi", "numeric", "scenario"]
AnswerKind = Literal["single", "multi", "numeric"]


class QuizItem(_Frozen):
    """One item of the bank.

    ``type`` is ``single`` (one option id), ``multi`` (a list of option ids), ``numeric`` (a number with a
    ``tolerance``) or ``scenario`` (a situation text in ``scenario`` plus a ``single`` or ``multi`` question,
    chosen by ``select``). ``critical`` items (consent, confidentiality, falsification, skip rules ...) mark
    their harmful options (:attr:`Option.harmful`): choosing one is a critical error, which fails the
    knowledge test whatever the score (rules.yaml ``knowledge.critical_hard_fail``); leaving out a correct
    option of a critical item only costs points. ``tags`` name what the item tests (e.g. ``consent_privacy``,
    ``arithmetic``, ``interview``); exam blueprints leave out or require items by tag.
    """

    id: str = Field(pattern=r"^m\d+-\d{2,3}$")
    module: str = Field(pattern=r"^M\d+$")
    type: ItemType
    select: Literal["single", "multi"] | None = None
    critical: bool = False
    points: float = Field(default=1.0, gt=0)
    scenario: LocalText | None = None
    stem: LocalText
    options: tuple[Option, ...] = ()
    answer: AnswerKey
    tolerance: float | None = Field(default=None, ge=0)
    unit: LocalText | None = None
    explanation: LocalText
    source: str | None = None
    computation: Computation | None = None
    tags: tuple[Annotated[str, Field(pattern=_ID)], ...] = ()

    @property
    def harmful_ids(self) -> frozenset[str]:
        """The options whose choice is a critical error."""
        return frozenset(o.id for o in self.options if o.harmful)

    @property
    def answer_kind(self) -> AnswerKind:
        """How the answer is given and graded: a scenario is graded as its ``select``."""
        if self.type == "scenario":
            return self.select or "single"
        return self.type

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    @property
    def key_set(self) -> frozenset[str]:
        """The correct option ids (single, multi and scenario items)."""
        if isinstance(self.answer, str):
            return frozenset([self.answer])
        if isinstance(self.answer, tuple):
            return frozenset(self.answer)
        return frozenset()

    def title(self, language: str, limit: int | None = None) -> str:
        """The item as people name it in lists (results, reasons, tables), never its id: the stem, and for
        a scenario item the situation before it (a bare "What do you do?" says nothing). ``limit`` cuts the
        text at a word boundary with "…" (the full text stays in the exam)."""
        stem = pick(self.stem, language, "en")
        text = f"{pick(self.scenario, language, 'en')} {stem}" if self.scenario else stem
        text = " ".join(text.split())
        if limit is None or len(text) <= limit:
            return text
        cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:—-")
        return f"{cut}…"

    def option(self, option_id: str) -> Option:
        for o in self.options:
            if o.id == option_id:
                return o
        raise TrainingError(
            ErrorCode.ITEM_INVALID,
            Location(path=self.id),
            item=self.id,
            detail=f"no option '{option_id}'{did_you_mean(option_id, self.option_ids)}",
            fix=f"Use one of: {', '.join(self.option_ids)}.",
        )

    @model_validator(mode="after")
    def _check(self) -> QuizItem:
        _raise_issues("item_invalid", item_issues(self))
        return self


def item_issues(item: QuizItem) -> list[Issue]:
    """Everything wrong inside one item (cross-item rules are in :func:`check_course`)."""
    issues: list[Issue] = []
    prefix = f"{item.module.lower()}-"
    if not item.id.startswith(prefix):
        issues.append(
            Issue(("id",), f"id '{item.id}' does not belong to module {item.module}", f"Name it {prefix}NN.")
        )
    kind = item.answer_kind
    if item.type == "scenario":
        if item.scenario is None:
            issues.append(
                Issue(("scenario",), "a scenario item needs a 'scenario' text", "Add 'scenario: {ru, en}'.")
            )
        if item.select is None:
            issues.append(
                Issue(("select",), "a scenario item needs 'select'", "Add 'select: single' or 'multi'.")
            )
    else:
        if item.scenario is not None:
            issues.append(
                Issue(
                    ("scenario",),
                    f"a {item.type} item has no 'scenario' text",
                    "Use type 'scenario', or remove it.",
                )
            )
        if item.select is not None:
            issues.append(Issue(("select",), "'select' is only used by scenario items", "Remove 'select'."))
    if kind == "numeric":
        if item.critical:
            issues.append(
                Issue(
                    ("critical",),
                    "a numeric item cannot be critical: it has no harmful option to choose",
                    "Remove 'critical: true', or make it a choice item with the harmful options marked.",
                )
            )
        if item.options:
            issues.append(Issue(("options",), "a numeric item has no options", "Remove 'options'."))
        if not isinstance(item.answer, float):
            issues.append(
                Issue(("answer",), f"the key {item.answer!r} is not a number", "Write the key as a number.")
            )
        if item.tolerance is None:
            issues.append(
                Issue(
                    ("tolerance",),
                    "a numeric item needs a tolerance",
                    "Add 'tolerance:' (e.g. 0.01 for a result rounded to two decimals; 0 for whole numbers).",
                )
            )
        return issues
    if item.critical and kind != "numeric" and not item.harmful_ids:
        issues.append(
            Issue(
                ("critical",),
                "a critical item needs at least one option marked 'harmful: true' (a critical error is "
                "choosing a harmful option)",
                "Mark the options that would harm a respondent or the data, or remove 'critical: true'.",
            )
        )
    if item.harmful_ids and not item.critical:
        first = next(k for k, o in enumerate(item.options) if o.harmful)
        issues.append(
            Issue(
                ("options", first, "harmful"),
                "only critical items mark harmful options",
                "Add 'critical: true' to the item, or remove 'harmful: true'.",
            )
        )
    if item.tolerance is not None:
        issues.append(Issue(("tolerance",), f"a {kind}-choice item has no tolerance", "Remove 'tolerance'."))
    if item.computation is not None:
        issues.append(
            Issue(("computation",), "only numeric items have a computation", "Remove 'computation'.")
        )
    if len(item.options) < 2:
        issues.append(Issue(("options",), "a choice item needs at least two options", "Add options."))
    ids = [o.id for o in item.options]
    for option_id, count in Counter(ids).items():
        if count > 1:
            issues.append(
                Issue(
                    ("options", ids.index(option_id), "id"),
                    f"option id '{option_id}' is used twice",
                    "Rename it.",
                )
            )
    if kind == "single":
        if not isinstance(item.answer, str):
            issues.append(
                Issue(
                    ("answer",),
                    f"the key {item.answer!r} is not one option id",
                    "Write 'answer: <option id>'.",
                )
            )
            return issues
        keys: tuple[str, ...] = (item.answer,)
    else:
        if not isinstance(item.answer, tuple) or not item.answer:
            issues.append(
                Issue(
                    ("answer",),
                    f"the key {item.answer!r} is not a list of option ids",
                    "Write 'answer: [a, c]'.",
                )
            )
            return issues
        keys = item.answer
        if len(set(keys)) != len(keys):
            issues.append(
                Issue(("answer",), "the key lists an option twice", "List each correct option once.")
            )
    for key in keys:
        if key not in ids:
            issues.append(
                Issue(
                    ("answer",),
                    f"the key refers to option '{key}', which does not exist{did_you_mean(key, ids)}",
                    f"Use one of the option ids: {', '.join(ids)}.",
                )
            )
        elif key in item.harmful_ids:
            issues.append(
                Issue(
                    ("answer",),
                    f"option '{key}' is both in the key and marked harmful",
                    "A correct answer cannot be a critical error: fix the key or the mark.",
                )
            )
    return issues


# --------------------------------------------------------------------------------------------------------
# rules (rules.yaml): every threshold is configuration, the code only applies it
# --------------------------------------------------------------------------------------------------------

Requirement = Literal["attendance", "knowledge", "mock_interview", "calibration"]


class RoleRule(_Frozen):
    """A certifiable role: its name, the requirements it needs, and the modules its attendance counts."""

    name: LocalText
    requires: tuple[Requirement, ...] = Field(min_length=1)
    attendance_modules: Literal["all"] | tuple[str, ...] = "all"


class AttendanceRules(_Frozen):
    min_share: float = Field(gt=0, le=1)


class KnowledgeRules(_Frozen):
    pass_score: float = Field(gt=0, le=1)
    critical_hard_fail: bool
    multi_select: Literal["partial", "all_or_nothing"]


class ModuleDraw(_Frozen):
    """How many items one module gives an exam, and exactly how many of them are critical.

    ``critical: None`` (the short form ``M0: 2`` in rules.yaml) draws without regard to criticality.
    """

    items: int = Field(ge=0)
    critical: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _critical_within_items(self) -> ModuleDraw:
        if self.critical is not None and self.critical > self.items:
            raise ValueError(f"critical ({self.critical}) is more than items ({self.items})")
        return self


def _module_draw(value: Any) -> Any:
    """``M0: 2`` is short for ``M0: {items: 2}``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {"items": value}
    return value


class Blueprint(_Frozen):
    """The exam of one role: items per module (stratified by criticality), tags left out or required.

    ``certifies``: the roles whose knowledge requirement a passed exam with this blueprint meets (default:
    the role the blueprint is named after). ``exclude_tags``: items carrying any of these tags are never
    drawn. ``require_tags``: every exam holds at least this many items with the tag (e.g. one consent or
    privacy item). ``time_limit_minutes``: overrides ``exam.time_limit_minutes``.
    """

    name: LocalText | None = None
    certifies: tuple[str, ...] = ()
    modules: dict[str, Annotated[ModuleDraw, BeforeValidator(_module_draw)]]
    exclude_tags: tuple[str, ...] = ()
    require_tags: dict[str, Annotated[int, Field(ge=1)]] = {}
    time_limit_minutes: int | None = Field(default=None, gt=0)

    @property
    def items_per_exam(self) -> int:
        return sum(d.items for d in self.modules.values())

    def counts(self) -> dict[str, int]:
        """Module -> number of items (modules that give none left out)."""
        return {m: d.items for m, d in self.modules.items() if d.items}

    def eligible(self, item: QuizItem) -> bool:
        """Whether the item may be drawn for this blueprint (its module is drawn, no excluded tag)."""
        draw = self.modules.get(item.module)
        return bool(draw and draw.items) and not set(item.tags) & set(self.exclude_tags)


#: the key of the one plan made from the short form ``exam.blueprint`` (every role sits the same exam)
COMMON_BLUEPRINT = "*"


class ExamRules(_Frozen):
    """The exam: one plan per role (``blueprints``), or one plan for all (the short form ``blueprint``)."""

    blueprint: dict[str, Annotated[int, Field(ge=0)]] = {}
    blueprints: dict[str, Blueprint] = {}
    default_role: str | None = None
    time_limit_minutes: int = Field(gt=0)
    resit_wait_hours: float = Field(ge=0)
    max_attempts: int = Field(ge=1)
    resit_new_items: bool

    @model_validator(mode="after")
    def _one_form(self) -> ExamRules:
        if bool(self.blueprint) == bool(self.blueprints):
            raise ValueError(
                "give either 'blueprints' (one exam plan per role) or 'blueprint' (one plan for all roles)"
            )
        if self.blueprints:
            if self.default_role is None:
                raise ValueError("'default_role' is required with 'blueprints': the plan used when none is chosen")
            if self.default_role not in self.blueprints:
                raise ValueError(
                    f"default_role '{self.default_role}' has no blueprint{did_you_mean(self.default_role, self.blueprints)}"
                )
        return self

    @property
    def plans(self) -> dict[str, Blueprint]:
        """Role -> blueprint; the short form gives one plan under :data:`COMMON_BLUEPRINT`."""
        if self.blueprints:
            return dict(self.blueprints)
        return {COMMON_BLUEPRINT: Blueprint(modules={m: ModuleDraw(items=n) for m, n in self.blueprint.items()})}

    def role_of(self, role: str | None) -> str | None:
        """The plan a trainee sits: ``role``, the default role, or ``None`` for the one common plan.

        Raises ``EXAM_ROLE_UNKNOWN`` for a role without a blueprint."""
        if not self.blueprints:
            return None
        if role is None:
            return self.default_role
        if role not in self.blueprints:
            raise TrainingError(
                ErrorCode.EXAM_ROLE_UNKNOWN,
                Location(path=f"rules.exam.blueprints.{role}"),
                role=role,
                known=", ".join(self.blueprints),
                suggestion=did_you_mean(role, self.blueprints),
            )
        return role

    def plan_for(self, role: str | None) -> Blueprint:
        """The blueprint of ``role`` (see :meth:`role_of`)."""
        chosen = self.role_of(role)
        return self.plans[COMMON_BLUEPRINT if chosen is None else chosen]

    def certified_by(self, role: str | None) -> tuple[str, ...] | None:
        """The roles a passed exam of ``role`` counts for; ``None``: every role (the common plan, or an
        attempt stored before blueprints per role existed)."""
        if role is None or not self.blueprints:
            return None
        plan = self.blueprints.get(role)
        if plan is None:
            return (role,)
        return plan.certifies or (role,)

    def time_limit_for(self, role: str | None) -> int:
        return self.plan_for(role).time_limit_minutes or self.time_limit_minutes

    @property
    def items_per_exam(self) -> int:
        """Items of the default plan."""
        return self.plan_for(None).items_per_exam


class ItemLintRules(_Frozen):
    """Thresholds of the item-bank linter (:mod:`surveykit.training.lint`); [P] defaults, see rules.yaml."""

    max_position_share_gap: float = Field(default=0.08, ge=0, le=1)
    longest_option_margin: float = Field(default=0.05, ge=0, le=1)
    max_key_length_ratio: float = Field(default=1.6, gt=1)
    paraphrase_similarity: float = Field(default=0.8, gt=0, le=1)
    min_quote_words: int = Field(default=5, ge=1)
    latin_allowed: tuple[str, ...] = ()


class MockRules(_Frozen):
    mode: Literal["standard", "strict"]
    min_total: int = Field(ge=0)
    critical_min_score: int = Field(ge=0)


class CalibrationRules(_Frozen):
    min_agreement: float = Field(gt=0, le=1)
    min_kappa: float = Field(gt=-1, le=1)
    combine: Literal["either", "both"]
    required_kinds: tuple[Literal["website", "premises"], ...] = Field(min_length=1)


class CertificateRules(_Frozen):
    validity_years: int = Field(gt=0)


class ProbationRules(_Frozen):
    reviewed_interviews: int = Field(ge=0)
    backcheck_first: int = Field(ge=0)


class ItemReviewRules(_Frozen):
    min_difficulty: float = Field(ge=0, le=1)
    max_difficulty: float = Field(ge=0, le=1)
    min_discrimination: float = Field(ge=-1, le=1)
    min_responses: int = Field(ge=1)
    group_fraction: float = Field(gt=0, le=0.5)
    #: a harmful option chosen by more than this share of trainees: the topic is not taught, or the option
    #: reads as acceptable ([P])
    max_harmful_share: float = Field(default=0.15, ge=0, le=1)
    #: a wrong option chosen by fewer than this share does not work as a distractor ([P]; Haladyna & Downing:
    #: a functioning distractor draws at least 5 % of examinees)
    min_option_share: float = Field(default=0.05, ge=0, le=1)


class Rules(_Frozen):
    """The certification rules of ``rules.yaml`` (methodology C.3; all values are [P] defaults there)."""

    roles: dict[str, RoleRule] = Field(min_length=1)
    attendance: AttendanceRules
    knowledge: KnowledgeRules
    exam: ExamRules
    mock_interview: MockRules
    calibration: CalibrationRules
    certificate: CertificateRules
    gate: dict[Literal["face_to_face", "telephone", "self_completed", "observation"], tuple[str, ...]] = (
        Field(
            default_factory=dict,
            description="Interview mode -> the certified roles that may record real data in it "
            "(a mode not listed: any valid certificate).",
        )
    )
    probation: ProbationRules
    item_review: ItemReviewRules
    item_lint: ItemLintRules = ItemLintRules()

    @model_validator(mode="after")
    def _gate_roles_exist(self) -> Rules:
        unknown = sorted({r for roles in self.gate.values() for r in roles} - set(self.roles))
        if unknown:
            raise ValueError(f"gate names roles that are not defined under 'roles': {', '.join(unknown)}")
        named = set(self.exam.blueprints) | {r for b in self.exam.blueprints.values() for r in b.certifies}
        unknown = sorted(named - set(self.roles))
        if unknown:
            raise ValueError(
                f"exam blueprints name roles that are not defined under 'roles': {', '.join(unknown)}"
            )
        if self.exam.blueprints:
            covered = {r for name in self.exam.blueprints for r in self.exam.certified_by(name) or ()}
            missing = sorted(
                name for name, role in self.roles.items() if "knowledge" in role.requires and name not in covered
            )
            if missing:
                raise ValueError(
                    f"no exam blueprint certifies the knowledge of {', '.join(missing)}; add a blueprint or "
                    "list the role under 'certifies' of one"
                )
        return self


# --------------------------------------------------------------------------------------------------------
# mock-interview checklist, audit items, calibration cases
# --------------------------------------------------------------------------------------------------------


class ChecklistItem(_Frozen):
    id: str = Field(pattern=_ID)
    text: LocalText
    critical: bool = False
    look_for: LocalText | None = None


class MockChecklist(_Frozen):
    """The mock-interview checklist (methodology C.3): every item scored on ``scale`` (0/1/2)."""

    scale: tuple[int, ...] = Field(min_length=2)
    items: tuple[ChecklistItem, ...] = Field(min_length=1)

    @property
    def max_score(self) -> int:
        return max(self.scale)

    @property
    def max_total(self) -> int:
        return self.max_score * len(self.items)

    @property
    def critical_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items if i.critical)


class AuditGroup(_Frozen):
    """A group of audit items: the statuses it allows, and ``aliases`` mapping other names of a status
    (the choice names of the audit questionnaires, e.g. ``yes`` -> ``present``) to those statuses."""

    indicator: str
    title: LocalText
    statuses: tuple[str, ...] = Field(min_length=2)
    aliases: dict[str, str] = {}


class AuditItem(_Frozen):
    id: str = Field(pattern=_ID)
    group: str
    text: LocalText


class AuditItems(_Frozen):
    """Website / stand / premises audit items (methodology A.2, A.5) and the statuses each group allows."""

    groups: dict[str, AuditGroup] = Field(min_length=1)
    items: tuple[AuditItem, ...] = Field(min_length=1)

    def item(self, item_id: str) -> AuditItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    def statuses_of(self, item_id: str) -> tuple[str, ...]:
        item = self.item(item_id)
        group = self.groups.get(item.group) if item else None
        return group.statuses if group else ()

    def normalise(self, item_id: str, status: str) -> str:
        """The status an alias stands for (``yes`` -> ``present``); other values unchanged."""
        item = self.item(item_id)
        group = self.groups.get(item.group) if item else None
        return group.aliases.get(status, status) if group else status


class LogEntry(_Frozen):
    """One test of a remote channel: when, what was done, what happened."""

    item: str
    when: str
    action: LocalText
    result: LocalText


class CalibrationCase(_Frozen):
    """A practice audit with an expert key: ``key`` maps audit item ids to the expert's status."""

    id: str = Field(pattern=_ID)
    kind: Literal["website", "premises"]
    title: LocalText
    description: LocalText
    test_log: tuple[LogEntry, ...] = ()
    key: dict[str, str] = Field(min_length=1)
    notes: dict[str, LocalText] = {}


# --------------------------------------------------------------------------------------------------------
# the course
# --------------------------------------------------------------------------------------------------------


class CourseInfo(_Frozen):
    """The head of ``course.yaml``."""

    id: str = Field(pattern=_ID)
    title: LocalText
    methodology: str
    modules: tuple[Module, ...] = Field(min_length=1)


class Course(_Frozen):
    """The whole course: modules with lessons, the item bank, the rules, the checklist, calibration cases."""

    id: str
    title: LocalText
    methodology: str
    modules: tuple[Module, ...]
    items: tuple[QuizItem, ...]
    rules: Rules
    checklist: MockChecklist
    audit_items: AuditItems
    calibration_cases: tuple[CalibrationCase, ...]

    @property
    def total_hours(self) -> float:
        return sum(m.hours for m in self.modules)

    @property
    def module_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.modules)

    def module(self, module_id: str) -> Module:
        for m in self.modules:
            if m.id == module_id:
                return m
        raise TrainingError(
            ErrorCode.COURSE_INVALID,
            detail=f"no module '{module_id}'{did_you_mean(module_id, self.module_ids)}; modules: "
            + ", ".join(self.module_ids),
        )

    def item(self, item_id: str) -> QuizItem:
        found = self.items_by_id.get(item_id)
        if found is None:
            raise TrainingError(
                ErrorCode.ITEM_INVALID,
                item=item_id,
                detail=f"not in the item bank{did_you_mean(item_id, self.items_by_id)}",
                fix="Check the item id.",
            )
        return found

    def items_of(self, module_id: str) -> tuple[QuizItem, ...]:
        return tuple(i for i in self.items if i.module == module_id)

    def case(self, case_id: str) -> CalibrationCase:
        for c in self.calibration_cases:
            if c.id == case_id:
                return c
        raise TrainingError(
            ErrorCode.COURSE_INVALID,
            detail=f"no calibration case '{case_id}'{did_you_mean(case_id, [c.id for c in self.calibration_cases])}",
        )

    @cached_property
    def items_by_id(self) -> dict[str, QuizItem]:
        return {i.id: i for i in self.items}


# --------------------------------------------------------------------------------------------------------
# cross checks
# --------------------------------------------------------------------------------------------------------

Ref = tuple[str | int, ...]
Locate = Callable[[Ref], Location]


def default_locate(ref: Ref) -> Location:
    return Location(path=".".join(str(p) for p in ref))


def check_course(course: Course, locate: Locate | None = None) -> Report:
    """Every rule that ties the pieces of a course together, returned as a report (nothing raises).

    ``locate`` maps a path inside the course (``("items", 17, "answer")``) to a :class:`Location`; the
    loader passes one that knows files and lines.
    """
    return course_problems(
        course.modules,
        course.items,
        course.rules,
        course.checklist,
        course.audit_items,
        course.calibration_cases,
        locate or default_locate,
    )


def course_problems(
    modules: Sequence[Module] | None,
    items: Sequence[QuizItem],
    rules: Rules | None,
    checklist: MockChecklist | None,
    audit: AuditItems | None,
    cases: Sequence[CalibrationCase],
    locate: Locate,
    invalid_items: Sequence[tuple[str, str]] = (),
    cases_complete: bool = True,
) -> Report:
    """``modules`` is ``None`` when course.yaml itself could not be read: checks that need the modules are
    skipped rather than reported for every item. ``invalid_items``: ``(id, module)`` of items that failed
    their own checks; they still count as existing, so one broken item is reported once and not again as a
    missing quiz item or a short bank. ``cases_complete`` is False when a calibration file failed its own
    checks; the "a required kind of case is missing" check is then skipped."""
    report = Report(subject="course")
    modules_known = modules is not None
    modules = modules or ()

    def course_problem(ref: Ref, detail: str) -> None:
        report.add(ErrorCode.COURSE_INVALID, locate(ref), detail=detail)

    # modules and lessons
    module_ids = [m.id for m in modules]
    seen_modules: dict[str, int] = {}
    seen_lessons: dict[str, Ref] = {}
    for pos, module in enumerate(modules):
        if module.id in seen_modules:
            first = locate(("modules", seen_modules[module.id]))
            course_problem(("modules", pos, "id"), f"module id '{module.id}' is used twice (also at {first})")
        seen_modules.setdefault(module.id, pos)
        for j, lesson in enumerate(module.lessons):
            ref = ("modules", pos, "lessons", j, "id")
            if lesson.id in seen_lessons:
                course_problem(
                    ref, f"lesson id '{lesson.id}' is used twice (also at {locate(seen_lessons[lesson.id])})"
                )
            seen_lessons.setdefault(lesson.id, ref)

    # the item bank
    seen_items: dict[str, int] = {}
    per_module: Counter[str] = Counter()
    for pos, item in enumerate(items):
        if item.id in seen_items:
            report.add(
                ErrorCode.ITEM_INVALID,
                locate(("items", pos, "id")),
                item=item.id,
                detail=f"the id is used twice (also at {locate(('items', seen_items[item.id]))})",
                fix="Give every item a unique id; never reuse the id of a removed item.",
            )
        seen_items.setdefault(item.id, pos)
        if modules_known and item.module not in seen_modules:
            report.add(
                ErrorCode.ITEM_INVALID,
                locate(("items", pos, "module")),
                item=item.id,
                detail=f"module '{item.module}' is not in course.yaml{did_you_mean(item.module, module_ids)}",
                fix="Put the item into the file of an existing module.",
            )
        per_module[item.module] += 1
    known_items = set(seen_items) | {item_id for item_id, _ in invalid_items}
    for _, module_id in invalid_items:
        per_module[module_id] += 1
    for pos, module in enumerate(modules):
        if per_module[module.id] == 0:
            course_problem(
                ("modules", pos, "id"),
                f"module {module.id} has no items in the bank; add items/{module.id.lower()}.yaml with at least one item",
            )
        for j, lesson in enumerate(module.lessons):
            for k, item_id in enumerate(lesson.quiz):
                if item_id not in known_items:
                    course_problem(
                        ("modules", pos, "lessons", j, "quiz", k),
                        f"lesson '{lesson.id}' embeds quiz item '{item_id}', which is not in the bank"
                        f"{did_you_mean(item_id, known_items)}",
                    )

    # rules against modules, bank and checklist
    if rules is not None:
        for name, role in rules.roles.items():
            if role.attendance_modules != "all" and modules_known:
                for k, module_id in enumerate(role.attendance_modules):
                    if module_id not in seen_modules:
                        course_problem(
                            ("rules", "roles", name, "attendance_modules", k),
                            f"role '{name}' counts attendance of module '{module_id}', which does not exist"
                            f"{did_you_mean(module_id, module_ids)}",
                        )
        _blueprint_problems(rules, modules, items, invalid_items, locate, report, modules_known)
        if checklist is not None:
            if rules.mock_interview.min_total > checklist.max_total:
                course_problem(
                    ("rules", "mock_interview", "min_total"),
                    f"the mock-interview pass mark {rules.mock_interview.min_total} is above the maximum "
                    f"{checklist.max_total} of the checklist",
                )
            if rules.mock_interview.critical_min_score not in checklist.scale:
                course_problem(
                    ("rules", "mock_interview", "critical_min_score"),
                    f"critical_min_score {rules.mock_interview.critical_min_score} is not on the checklist scale "
                    f"{list(checklist.scale)}",
                )
        if rules.item_review.min_difficulty >= rules.item_review.max_difficulty:
            course_problem(("rules", "item_review"), "min_difficulty must be below max_difficulty")

    # checklist
    if checklist is not None:
        ids = [i.id for i in checklist.items]
        for k, item_id in enumerate(ids):
            if ids.index(item_id) != k:
                course_problem(
                    ("checklist", "items", k, "id"), f"checklist item id '{item_id}' is used twice"
                )
        if sorted(set(checklist.scale)) != list(checklist.scale) or min(checklist.scale) != 0:
            course_problem(
                ("checklist", "scale"), "the scale must rise from 0 without repeats, e.g. [0, 1, 2]"
            )

    # audit items and calibration cases
    if audit is not None:
        audit_ids = [i.id for i in audit.items]
        for name, group in audit.groups.items():
            for alias, target in group.aliases.items():
                if target not in group.statuses:
                    course_problem(
                        ("audit", "groups", name, "aliases", alias),
                        f"alias '{alias}' of group '{name}' points to '{target}', which is not one of its statuses "
                        f"{', '.join(group.statuses)}",
                    )
        for k, audit_item in enumerate(audit.items):
            if audit_ids.index(audit_item.id) != k:
                course_problem(("audit", "items", k, "id"), f"audit item id '{audit_item.id}' is used twice")
            if audit_item.group not in audit.groups:
                course_problem(
                    ("audit", "items", k, "group"),
                    f"audit item '{audit_item.id}' is in group '{audit_item.group}', which is not defined"
                    f"{did_you_mean(audit_item.group, audit.groups)}",
                )
        case_ids: dict[str, int] = {}
        for pos, case in enumerate(cases):
            if case.id in case_ids:
                course_problem(("cases", pos, "id"), f"calibration case id '{case.id}' is used twice")
            case_ids.setdefault(case.id, pos)
            for item_id, status in case.key.items():
                allowed = audit.statuses_of(item_id)
                if not allowed:
                    course_problem(
                        ("cases", pos, "key", item_id),
                        f"case '{case.id}': '{item_id}' is not an audit item{did_you_mean(item_id, audit_ids)}",
                    )
                elif status not in allowed:
                    course_problem(
                        ("cases", pos, "key", item_id),
                        f"case '{case.id}': status '{status}' is not allowed for '{item_id}'"
                        f"{did_you_mean(status, allowed)}; use one of {', '.join(allowed)}",
                    )
            for k, entry in enumerate(case.test_log):
                if entry.item not in case.key:
                    course_problem(
                        ("cases", pos, "test_log", k, "item"),
                        f"case '{case.id}': the test log names '{entry.item}', which is not in the case's key",
                    )
            for item_id in case.notes:
                if item_id not in case.key:
                    course_problem(
                        ("cases", pos, "notes", item_id),
                        f"case '{case.id}': a note for '{item_id}', which is not in the case's key",
                    )
        if rules is not None and cases_complete:
            kinds = {c.kind for c in cases}
            for kind in rules.calibration.required_kinds:
                if kind not in kinds:
                    course_problem(
                        ("rules", "calibration", "required_kinds"),
                        f"calibration needs a '{kind}' case but calibration/ has none; add one",
                    )
    return report


def _blueprint_problems(
    rules: Rules,
    modules: Sequence[Module],
    items: Sequence[QuizItem],
    invalid_items: Sequence[tuple[str, str]],
    locate: Locate,
    report: Report,
    modules_known: bool,
) -> None:
    """Every exam plan against the modules and the bank: known modules, and enough unseen items in every
    stratum (critical / not critical) and for every required tag for ``max_attempts`` attempts."""
    exam = rules.exam
    module_ids = [m.id for m in modules]
    draws = exam.max_attempts if exam.resit_new_items else 1
    broken = {module_id for _, module_id in invalid_items}  # counted unknown: reported already

    def problem(ref: Ref, detail: str) -> None:
        report.add(ErrorCode.COURSE_INVALID, locate(ref), detail=detail)

    for role, plan in exam.plans.items():
        legacy = role == COMMON_BLUEPRINT
        base: Ref = ("rules", "exam", "blueprint") if legacy else ("rules", "exam", "blueprints", role, "modules")
        label = "the exam blueprint" if legacy else f"the exam blueprint of '{role}'"
        for module_id in plan.modules if modules_known else ():
            if module_id not in module_ids:
                problem(
                    (*base, module_id),
                    f"{label} names module '{module_id}', which does not exist{did_you_mean(module_id, module_ids)}",
                )
        if legacy:
            for module in modules:
                if module.id not in plan.modules:
                    problem(
                        base,
                        f"the exam blueprint has no entry for module {module.id}; write '{module.id}: 0' to leave it out",
                    )
        for module in modules:
            draw = plan.modules.get(module.id)
            if draw is None or not draw.items or module.id in broken:
                continue
            if not any(i.module == module.id for i in items):
                continue  # "module has no items" is reported on its own
            pool = [i for i in items if i.module == module.id and plan.eligible(i)]
            if draw.critical is None:
                strata = [("", pool, draw.items)]
            else:
                strata = [
                    ("critical ", [i for i in pool if i.critical], draw.critical),
                    ("non-critical ", [i for i in pool if not i.critical], draw.items - draw.critical),
                ]
            for kind, stratum, n in strata:
                if n and len(stratum) < n * draws:
                    excluded = f", tags {', '.join(plan.exclude_tags)} left out" if plan.exclude_tags else ""
                    report.add(
                        ErrorCode.BANK_TOO_SMALL,
                        locate((*base, module.id)),
                        module=module.id if legacy else f"{module.id} ({role})",
                        available=f"{len(stratum)} {kind}".strip(),
                        needed=f"{n * draws} ({n} {kind}per attempt x {draws} attempts with different items{excluded})",
                    )
        for tag, minimum in plan.require_tags.items():
            tagged = [i.id for i in items if plan.eligible(i) and tag in i.tags]
            if len(tagged) < minimum * draws:
                problem(
                    ("rules", "exam", "blueprints", role, "require_tags", tag),
                    f"{label} requires {minimum} item(s) tagged '{tag}' in every exam, but the bank has "
                    f"{len(tagged)} such item(s) it may draw; {minimum * draws} are needed for {draws} attempts",
                )


def load_course(root: Path | None = None) -> Course:
    """Load and check the course in ``root`` (default: ``questionnaires/training`` from the settings).

    Raises :class:`~surveykit.errors.TrainingError` whose ``report`` lists every problem found, each with
    its file and line. The reading itself (YAML with line numbers, located problems) is in
    :mod:`surveykit.training.loader`.
    """
    from surveykit.training.loader import load

    return load(root)


def text_in(texts: Mapping[str, str] | None, language: str) -> str:
    """A course text in ``language``, falling back to English (re-exported for the apps)."""
    return pick(texts, language, "en")
