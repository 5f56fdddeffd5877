"""The questionnaire model: typed, immutable, serialisable to YAML/JSON and XLSForm.

A :class:`Questionnaire` holds choice lists and a tree of items: :class:`Group` (a section, shown as one
page at the top level; ``type: repeat`` for rosters) and :class:`Question`. Every human-readable text is a
mapping ``language code -> text``; in files a plain string means the default language.

Question types (:class:`QuestionType`) and the value each one records:

=================  =========================================================================
select_one         one choice *name* from a choice list
select_multiple    a set of choice names
yes_no             ``yes``/``no`` (list ``yes_no``; ``yes_no_dk`` adds "don't know")
likert             one point of a labelled scale; choices flagged ``missing`` (don't know,
                   refused) are coded missing values and never scores
matrix             rows sharing one scale; each row is its own variable ``<code>_<row>``
integer, decimal   numbers, optional ``min``/``max``
text               short text; ``appearance: multiline`` for long text
date               a calendar date (``2026-03-01``)
time               a time of day (``14:30:00``)
datetime           a date and time of day, wall-clock time without a time zone (``2026-03-01T14:30:00``)
geopoint           a place: ``latitude longitude [altitude [accuracy]]`` (ODK's form), typed in or taken
                   from the browser's location with the interviewer's consent
image, audio,      a file kept with the interview (a photo of premises, a recording, a document); the
video, file        answer is the stored file's name ``<sha256>.<ext>``
note               display only, records nothing
calculate          a hidden value computed by ``calculation``
=================  =========================================================================

Expressions (``relevant``, ``constraint``, ``required``, ``calculation``, ``choice_filter``,
``repeat_count``) follow XLSForm; see ``docs/expressions.md``. Scoring and training metadata
(:class:`ScoringMeta`, :class:`Scale`) is filled by methodology profiles and quiz items.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
)

from surveykit.questionnaire.types import MEDIA_ACCEPT, Mode, QuestionType

__all__ = [
    "BUILTIN_CHOICE_LISTS",
    "SCHEMA_VERSION",
    "Choice",
    "FormSettings",
    "Group",
    "Item",
    "MEDIA_ACCEPT",
    "MatrixRow",
    "Mode",
    "Question",
    "QuestionType",
    "Questionnaire",
    "Scale",
    "ScoringMeta",
    "Text",
]

#: the version of the file format this surveykit writes; files with a newer one are refused
SCHEMA_VERSION = 1
#: the oldest file format this surveykit still reads
MIN_SCHEMA_VERSION = 1


def _coerce_text(value: Any, info: ValidationInfo) -> Any:
    """A plain string in a file means "this text in the default language"."""
    if value is None:
        return {}
    if isinstance(value, str):
        language = (info.context or {}).get("default_language") or "en"
        return {language: value}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        language = (info.context or {}).get("default_language") or "en"
        return {language: str(value)}
    return value


#: a human-readable text in several languages: ``{"ru": "...", "en": "..."}``
Text = Annotated[dict[str, str], BeforeValidator(_coerce_text)]


class _Model(BaseModel):
    # allow_inf_nan: "nan" or "inf" as a bound or points would silently disable a check
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_enum_values=False, allow_inf_nan=False
    )


class Choice(_Model):
    name: str = Field(description="The code stored for this choice (XLSForm 'name').")
    label: Text = Field(default_factory=dict)
    value: int | None = Field(
        default=None,
        description="Numeric code in SPSS/Stata exports and scoring (Likert points). Default: position 1, 2, ...",
    )
    missing: bool = Field(
        default=False, description="A coded missing value: don't know, refused, not applicable."
    )
    attributes: dict[str, str] = Field(
        default_factory=dict, description="Extra columns a choice_filter can refer to by bare name."
    )

    @field_validator("name", mode="before")
    @classmethod
    def _name_to_text(cls, value: Any) -> Any:
        # YAML reads `yes`/`no`/`1` unquoted as bool/int; choice names are always text
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, (int, float)):
            return str(value)
        return value


class MatrixRow(_Model):
    code: str
    label: Text = Field(default_factory=dict)


class ScoringMeta(_Model):
    """What methodology profiles and quiz items need to know about a question."""

    indicators: list[str] = Field(
        default_factory=list, description="Indicator ids this question feeds, e.g. ['1.3']."
    )
    correct: Any = Field(default=None, description="The correct answer of a quiz item.")
    points: float | None = Field(default=None, description="Points of a quiz item.")
    critical: bool = Field(default=False, description="A quiz item whose miss fails the test.")


class Scale(_Model):
    """A multi-item scale (e.g. staff satisfaction) for reliability and scale scores: the one place that
    says which questions form the scale and which of them are reverse-coded."""

    label: Text = Field(default_factory=dict)
    items: list[str]
    reverse: list[str] = Field(default_factory=list, description="Items to reverse before scoring.")
    min_valid: int | None = Field(default=None, description="Fewest answered items for a scale score.")


class Question(_Model):
    code: str
    type: QuestionType
    label: Text = Field(default_factory=dict, description="The text read aloud / shown to the respondent.")
    hint: Text = Field(default_factory=dict, description="Shown to the respondent under the label.")
    instruction: Text = Field(
        default_factory=dict,
        description="For the interviewer only; never read aloud (XLSForm guidance_hint).",
    )
    required: bool | str = False
    required_message: Text = Field(default_factory=dict)
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Text = Field(default_factory=dict)
    default: str | None = None
    calculation: str | None = None
    value_type: Literal["text", "integer", "decimal", "date", "time", "datetime"] = Field(
        default="text", description="Type of a calculate question's value."
    )
    choices: str | None = Field(default=None, description="Name of the choice list (choice types).")
    choice_filter: str | None = None
    appearance: str | None = None
    min: float | None = None
    max: float | None = None
    rows: list[MatrixRow] = Field(default_factory=list)
    scoring: ScoringMeta | None = None
    personal_data: bool | None = Field(
        default=None,
        description="true: the answer is the respondent's personal data (name, contacts), refused in rating "
        "questionnaires; false: it is not, whatever the code suggests (docs/questionnaire-format.md).",
    )

    @field_validator("default", mode="before")
    @classmethod
    def _default_to_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, (int, float)):
            return str(value)
        return value

    @property
    def choice_list_name(self) -> str | None:
        if self.choices:
            return self.choices
        if self.type is QuestionType.YES_NO:
            return "yes_no"
        return None

    @property
    def multiline(self) -> bool:
        return "multiline" in (self.appearance or "").split()

    def variables(self) -> list[str]:
        """Codes of the variables this question records (a matrix records one per row)."""
        if self.type is QuestionType.NOTE:
            return []
        if self.type is QuestionType.MATRIX:
            return [f"{self.code}_{row.code}" for row in self.rows]
        return [self.code]


class Group(_Model):
    code: str
    type: Literal["group", "repeat"]
    label: Text = Field(default_factory=dict)
    instruction: Text = Field(default_factory=dict)
    relevant: str | None = None
    repeat_count: str | None = Field(
        default=None, description="Expression for the number of repeats (rosters)."
    )
    appearance: str | None = None
    items: list[Item] = Field(default_factory=list)

    @property
    def is_repeat(self) -> bool:
        return self.type == "repeat"


def _item_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return "group" if kind in ("group", "repeat") else "question"


Item = Annotated[
    Annotated[Group, Tag("group")] | Annotated[Question, Tag("question")],
    Discriminator(_item_tag),
]


class FormSettings(_Model):
    modes: list[Mode] = Field(
        default_factory=lambda: [Mode.FACE_TO_FACE, Mode.TELEPHONE, Mode.SELF_COMPLETED]
    )
    allow_proxy: bool = Field(default=True, description="Relatives or legal representatives may answer.")
    instance_name: str | None = Field(default=None, description="Expression naming an interview in lists.")
    respondent: Literal["recipient", "staff", "institution", "client", "trainee"] = "recipient"
    kind: Literal["survey", "checklist", "assessment", "quiz"] = "survey"
    style: Literal["pages", "single_page"] = Field(
        default="pages", description="'pages': each top-level group is a page; 'single_page': all on one."
    )
    expected_minutes: int | None = Field(
        default=None,
        ge=1,
        le=600,
        description="How long an interview usually takes, in minutes: the one number the consent script "
        "('about N minutes') and the course quote (checked by SK851).",
    )
    allow_choice_duplicates: bool = Field(
        default=False,
        description="A choice name may occur more than once in a list (XLSForm's setting of that name): "
        "the occurrences are one answer, told apart only by a choice_filter.",
    )


#: settings added after questionnaires were first published, with their defaults (see content_hash)
_LATER_SETTINGS: dict[str, Any] = {"expected_minutes": None, "allow_choice_duplicates": False}


class Questionnaire(_Model):
    schema_version: int = SCHEMA_VERSION
    id: str
    version: str
    title: Text
    description: Text = Field(default_factory=dict)
    languages: list[str]
    default_language: str
    settings: FormSettings = Field(default_factory=FormSettings)
    choice_lists: dict[str, list[Choice]] = Field(default_factory=dict)
    items: list[Item]
    scales: dict[str, Scale] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="Free-form: sources, legal references."
    )

    @field_validator("version", mode="before")
    @classmethod
    def _version_to_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    # --- navigation -------------------------------------------------------------------------------
    def walk(self) -> Iterator[tuple[Question | Group, tuple[Group, ...]]]:
        """Every item in document order with its chain of enclosing groups."""
        stack: list[tuple[list[Any], int, tuple[Group, ...]]] = [(self.items, 0, ())]
        while stack:
            items, index, parents = stack.pop()
            if index >= len(items):
                continue
            item = items[index]
            stack.append((items, index + 1, parents))
            yield item, parents
            if isinstance(item, Group):
                stack.append((item.items, 0, (*parents, item)))

    @functools.cached_property
    def _index(self) -> dict[str, tuple[Question | Group, tuple[Group, ...]]]:
        index: dict[str, tuple[Question | Group, tuple[Group, ...]]] = {}
        for item, parents in self.walk():
            index.setdefault(item.code, (item, parents))
        return index

    def questions(self) -> list[Question]:
        return [item for item, _ in self.walk() if isinstance(item, Question)]

    def groups(self) -> list[Group]:
        return [item for item, _ in self.walk() if isinstance(item, Group)]

    def item(self, code: str) -> Question | Group:
        return self._index[code][0]

    def question(self, code: str) -> Question:
        item = self._index[code][0]
        if not isinstance(item, Question):
            raise KeyError(code)
        return item

    def parents(self, code: str) -> tuple[Group, ...]:
        return self._index[code][1]

    def has(self, code: str) -> bool:
        return code in self._index

    def choice_list(self, name: str) -> list[Choice]:
        if name in self.choice_lists:
            return self.choice_lists[name]
        return BUILTIN_CHOICE_LISTS[name]

    def all_choice_lists(self) -> dict[str, list[Choice]]:
        return {**BUILTIN_CHOICE_LISTS, **self.choice_lists}

    def text(self, texts: dict[str, str], language: str | None = None) -> str:
        from surveykit.i18n import pick

        return pick(texts, language or self.default_language, self.default_language)

    # --- identity -----------------------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        """Plain data (JSON types), defaults omitted: what the YAML and JSON writers store."""
        return {"schema_version": SCHEMA_VERSION, **self.model_dump(mode="json", exclude_defaults=True)}

    @functools.cached_property
    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON of the full model: equal hashes mean identical questionnaires."""
        data = self.model_dump(mode="json")
        for name, default in _LATER_SETTINGS.items():
            # settings added after the 2026.1 files were published: at their default, they leave the hash as it was
            if data["settings"].get(name) == default:
                data["settings"].pop(name, None)
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"


def _builtin(name: str, rows: list[tuple[str, int, bool, str, str]]) -> list[Choice]:
    return [Choice(name=n, value=v, missing=m, label={"en": en, "ru": ru}) for n, v, m, en, ru in rows]


#: lists every questionnaire may use without defining them (a questionnaire's own list of the same name wins)
BUILTIN_CHOICE_LISTS: dict[str, list[Choice]] = {
    "yes_no": _builtin("yes_no", [("yes", 1, False, "Yes", "Да"), ("no", 0, False, "No", "Нет")]),
    "yes_no_dk": _builtin(
        "yes_no_dk",
        [
            ("yes", 1, False, "Yes", "Да"),
            ("no", 0, False, "No", "Нет"),
            ("dk", 98, True, "Don't know / no answer", "Затрудняюсь ответить"),
        ],
    ),
}

Group.model_rebuild()
