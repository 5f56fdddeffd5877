"""Practice personas as data: simulated respondents for practice interviews (``questionnaires/training/personas``).

A persona is a script for one questionnaire: who the respondent is, how the contact goes, and for every
question they are asked what they answer (the value to record) and what they say, in Russian and English::

    schema_version: 1
    id: hesitant
    questionnaire: recipient_survey
    mode: face_to_face                        # face_to_face | telephone | self_completed
    name: {ru: "Анна Петровна, 78 лет", en: "Anna Petrovna, 78"}     # shown to the trainee
    brief: {ru: "...", en: "..."}             # what the trainee knows before the contact (the sample list)
    description: {ru: "...", en: "..."}       # trainer's card: who she is
    behaviours:                               # trainer's card: what the trainee practises with her
      - {ru: "...", en: "..."}
    proxy: false                              # a relative answers for the recipient: the proxy mark is due
    contact:                                  # the doorstep (or the telephone, or the hand-over)
      steps:
        - say: {ru: "(Открывает дверь.) Здравствуйте…", en: "..."}
          needs: [introduce]                  # contact moves that move her on (surveykit.training.practice.MOVES)
          then: agree                         # next | agree (the interview starts) | stop (only closing is left)
      outcome: complete                       # complete | break_off | refusal | appointment | unable
      events:                                 # during the interview: what happens when a question is asked
        q10: {kind: distress, say: {...}, needs: [pause_support]}
    answers:
      q1:
        value: "yes"                          # what must be recorded (a choice name, or the text of an open answer)
        say: {ru: "Да, смотрела.", en: "Yes, I did."}
        hesitation: {ru: "Стенд?.. Ну...", en: "The stand?.. Well..."}   # optional: said first; needs a neutral probe

The behaviour cards (``description``, ``behaviours``) are for trainers only: the practice app shows the
trainee the ``name`` and the ``brief``. Questions the script's own answers route past (a follow-up whose
filter is "no") have no entry: the persona is never asked them; after a break-off (``events`` of kind
``break_off``) the questions from the event on have none either, and a contact that ends without an
interview (refusal, appointment, unable) or a self-completed form has no answers at all.
:func:`load_personas` checks every file against the questionnaire: known question codes, existing choice
names, an answer for every question the route reaches and none for a question it skips, known contact
moves, and answers only where the contact leads to an interview. All problems of all files are reported
at once, each with its file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from surveykit.errors import ErrorCode, Location, Report, TrainingError, did_you_mean
from surveykit.fileio import read_yaml_file
from surveykit.filekinds import take_kind
from surveykit.i18n import pick
from surveykit.training.course import REQUIRED_LANGUAGES

__all__ = [
    "MODES",
    "OUTCOMES",
    "Contact",
    "ContactStep",
    "Persona",
    "QuestionEvent",
    "ScriptedAnswer",
    "load_personas",
    "persona_dir",
]

#: interview modes a persona can be met in (the questionnaire's settings.modes)
MODES = ("face_to_face", "telephone", "self_completed")
#: how a practice contact ends: the interview app's own outcomes, so that practice records what the field
#: records — the interview's ``complete`` and ``break_off`` (surveykit.fieldwork.outcome) and the contact
#: screen's ``refusal``, ``appointment``, ``unable`` (surveykit.fieldwork.dispositions.OUTCOMES, whose AAPOR
#: codes they take: 1.1 complete, 2.12 break-off, 2.11 refusal, 2.32 unable; an appointment is a call-back, not
#: a final disposition). tests/training_apps/test_personas_contact.py holds the two lists together.
OUTCOMES = ("complete", "break_off", "refusal", "appointment", "unable")
#: outcomes after which nothing of the questionnaire is recorded
NO_INTERVIEW = ("refusal", "appointment", "unable")

SCHEMA_VERSION = 1


def _both_languages(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in REQUIRED_LANGUAGES if not str(value.get(lang) or "").strip()]
    if missing:
        raise ValueError(f"no {' and '.join(repr(m) for m in missing)} text (every text needs ru and en)")
    return value


Text = Annotated[dict[str, str], AfterValidator(_both_languages)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScriptedAnswer(_Frozen):
    """What the persona answers to one question: the value to record, the words, an optional hesitation."""

    value: str
    say: Text
    hesitation: Text | None = None

    def said(self, language: str) -> str:
        return pick(self.say, language, "en")


MoveId = Annotated[str, Field(pattern=r"^[a-z_]+$")]


class ContactStep(_Frozen):
    """One moment of the contact: what the persona says or does, the moves that move her on, and then what."""

    say: Text
    needs: tuple[MoveId, ...] = ()
    then: Literal["next", "agree", "stop"] = "next"
    #: the persona's words for a particular move at this step (else a general reply)
    replies: dict[MoveId, Text] = {}


class QuestionEvent(_Frozen):
    """What happens when a question is asked: a break-off, distress, a disclosure, a plea for help. The
    persona answers the question once the ``needs`` moves are made (a break-off never goes on)."""

    kind: Literal["break_off", "distress", "disclosure", "help"]
    say: Text
    needs: tuple[MoveId, ...] = ()
    #: what she says once the needed moves are made (before her answer)
    after: Text | None = None


def _default_steps() -> tuple[ContactStep, ...]:
    return (
        ContactStep(
            say={
                "ru": "(Открывает дверь.) Здравствуйте. Вы ко мне?",
                "en": "(Opens the door.) Hello. Are you here to see me?",
            },
            needs=("introduce",),
            then="agree",
        ),
    )


class Contact(_Frozen):
    """The contact before (and around) the interview; the default: one introduction, then she agrees."""

    steps: tuple[ContactStep, ...] = Field(default_factory=_default_steps, min_length=1)
    outcome: Literal["complete", "break_off", "refusal", "appointment", "unable"] = "complete"
    events: dict[str, QuestionEvent] = {}

    @model_validator(mode="after")
    def _consistent(self) -> Contact:
        ends = [s.then for s in self.steps]
        if any(e != "next" for e in ends[:-1]) or ends[-1] == "next":
            raise ValueError(
                "only the last step ends the contact ('then: agree' or 'then: stop'); the others say 'then: next'"
            )
        agrees = ends[-1] == "agree"
        if self.outcome in NO_INTERVIEW and agrees:
            raise ValueError(
                f"outcome '{self.outcome}' means no interview: the last step must say 'then: stop'"
            )
        if self.outcome in ("complete", "break_off") and not agrees:
            raise ValueError(
                f"outcome '{self.outcome}' needs an interview: the last step must say 'then: agree'"
            )
        silent = [code for code, e in self.events.items() if e.kind != "break_off" and not e.needs]
        if silent:
            raise ValueError(f"event(s) at {', '.join(silent)} need the moves that let the respondent go on")
        breaks = [code for code, e in self.events.items() if e.kind == "break_off"]
        if (self.outcome == "break_off") != bool(breaks) or len(breaks) > 1:
            raise ValueError(
                "a break-off persona has exactly one event of kind 'break_off', and only it has one"
            )
        return self

    @property
    def break_off_at(self) -> str | None:
        """The question at which the respondent stops (None: no break-off)."""
        return next((code for code, e in self.events.items() if e.kind == "break_off"), None)

    @property
    def interview(self) -> bool:
        """Whether the contact leads to questions being asked and recorded."""
        return self.outcome not in NO_INTERVIEW


class Persona(_Frozen):
    """A simulated respondent: a script of answers and utterances for one questionnaire."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    questionnaire: str
    name: Text
    #: what the trainee knows before the contact (from the sample list); shown in the practice app
    brief: Text | None = None
    #: trainer's card: who the respondent is (never shown to the trainee)
    description: Text
    #: trainer's card: what the trainee practises (never shown to the trainee)
    behaviours: tuple[Text, ...] = ()
    proxy: bool = False
    mode: Literal["face_to_face", "telephone", "self_completed"] = "face_to_face"
    contact: Contact = Contact()
    answers: dict[str, ScriptedAnswer] = {}

    @model_validator(mode="after")
    def _answers_match_the_contact(self) -> Persona:
        recorded = self.contact.interview and self.mode != "self_completed"
        if recorded and not self.answers:
            raise ValueError("the contact leads to an interview: script the answers")
        if not recorded and self.answers:
            raise ValueError(
                "nothing is recorded in this contact (no interview, or a self-completed form): remove 'answers'"
            )
        return self

    def title(self, language: str) -> str:
        return pick(self.name, language, "en")

    def brief_in(self, language: str) -> str:
        """What the trainee is told before the contact (the name alone when there is no brief)."""
        return pick(self.brief, language, "en") if self.brief else ""

    @property
    def records_answers(self) -> bool:
        """Whether the trainee records the questionnaire in this contact."""
        return self.contact.interview and self.mode != "self_completed"

    def answer_values(self) -> dict[str, Any]:
        """The recording the script expects, as session answers (``frozenset`` for multiple choice)."""
        return {code: a.value for code, a in self.answers.items()}


def persona_dir() -> Path:
    """Where the shipped personas live: ``<questionnaires>/training/personas``."""
    from surveykit.config import settings

    return Path(settings().questionnaires_dir) / "training" / "personas"


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read(path: Path, report: Report) -> Any:
    """The file read safely (:func:`surveykit.fileio.read_yaml_file`); ``None`` when it cannot be used."""
    document = read_yaml_file(path, file=_display(path))
    report.extend(document.report)
    return None if document.report.errors else document.data


def _check_script(persona: Persona, questionnaire: Any, where: Location, report: Report) -> None:
    """The script against the questionnaire: codes, choice names, the route its own answers take, the
    mode, the contact's moves and events."""
    from surveykit.questionnaire.compiled import compile_form
    from surveykit.questionnaire.validate import evaluate
    from surveykit.training.practice import MOVES

    form = compile_form(questionnaire)
    inputs = [c for c, v in form.variables.items() if v.repeat is None and v.calculation is None]
    modes = [m.value for m in questionnaire.settings.modes]
    if modes and persona.mode not in modes:
        report.add(
            ErrorCode.FIELD_INVALID,
            where.with_(path="mode"),
            field="mode",
            detail=f"{questionnaire.id} is not asked in mode '{persona.mode}'",
            fix=f"Use one of: {', '.join(modes)}.",
        )
    known = {m.id for m in MOVES}
    used = [
        (f"contact.steps.{k}", m)
        for k, step in enumerate(persona.contact.steps)
        for m in (*step.needs, *step.replies)
    ]
    used += [(f"contact.events.{code}", m) for code, e in persona.contact.events.items() for m in e.needs]
    for path, move in used:
        if move not in known:
            report.add(
                ErrorCode.FIELD_INVALID,
                where.with_(path=path),
                field=path,
                detail=f"'{move}' is not a contact move{did_you_mean(move, sorted(known))}",
                fix="Use the moves of surveykit.training.practice.MOVES (docs/training.md, 'Personas').",
            )
    for code in persona.contact.events:
        if code not in inputs:
            report.add(
                ErrorCode.FIELD_INVALID,
                where.with_(path=f"contact.events.{code}"),
                field=f"contact.events.{code}",
                detail=f"'{code}' is not a question of {questionnaire.id}{did_you_mean(code, inputs)}",
                fix="Attach events to question codes of the questionnaire.",
            )
    if not persona.records_answers:
        return  # nothing is recorded: no route to check
    stopped = persona.contact.break_off_at
    after_break = set(inputs[inputs.index(stopped) :]) if stopped in inputs else set()
    for code, answer in persona.answers.items():
        if code not in form.variables:
            report.add(
                ErrorCode.FIELD_INVALID,
                where.with_(path=f"answers.{code}"),
                field=f"answers.{code}",
                detail=f"'{code}' is not a question of {questionnaire.id}{did_you_mean(code, inputs)}",
                fix="Use the question codes of the questionnaire.",
            )
            continue
        names = form.variables[code].choice_names
        if names and answer.value not in names:
            report.add(
                ErrorCode.FIELD_INVALID,
                where.with_(path=f"answers.{code}.value"),
                field=f"answers.{code}.value",
                detail=f"'{answer.value}' is not a choice of {code}{did_you_mean(answer.value, names)}",
                fix=f"Use one of: {', '.join(names)}.",
            )
    state = evaluate(form, persona.answer_values(), report_not_relevant=False)
    for code in inputs:
        relevant = state.item_relevant(code)
        if code in after_break:
            if code in persona.answers:
                report.add(
                    ErrorCode.FIELD_INVALID,
                    where.with_(path=f"answers.{code}"),
                    field=f"answers.{code}",
                    detail=f"the respondent breaks off at {stopped}, yet the script answers {code}",
                    fix="Remove the answers from the break-off question on.",
                )
            continue
        if relevant and code not in persona.answers:
            report.add(ErrorCode.FIELD_MISSING, where.with_(path=f"answers.{code}"), field=f"answers.{code}")
        elif not relevant and code in persona.answers:
            report.add(
                ErrorCode.FIELD_INVALID,
                where.with_(path=f"answers.{code}"),
                field=f"answers.{code}",
                detail=f"the script's own answers skip {code}, yet it scripts an answer",
                fix="Remove the answer, or change the filter answer that skips it.",
            )


def load_personas(
    folder: Path | str | None = None, questionnaires: Mapping[str, Any] | None = None
) -> dict[str, Persona]:
    """Every ``*.yaml`` persona in ``folder`` (default: the shipped ones), by id, checked against its
    questionnaire (``questionnaires`` maps ids to loaded questionnaires; missing ones are read from
    ``<questionnaires_dir>/<id>.yaml``). Raises one :class:`TrainingError` listing every problem."""
    from surveykit.config import settings
    from surveykit.questionnaire.io import load_questionnaire

    root = Path(folder) if folder is not None else persona_dir()
    report = Report(subject=f"personas {_display(root)}")
    known = dict(questionnaires or {})
    found: dict[str, Persona] = {}
    files = sorted(root.glob("*.yaml")) if root.is_dir() else []
    if not files:
        report.add(
            ErrorCode.FILE_NOT_FOUND, Location(file=_display(root)), path=str(root), cwd=str(Path.cwd())
        )
    for path in files:
        where = Location(file=_display(path))
        data = _read(path, report)
        if data is None:
            continue
        if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
            version = data.get("schema_version") if isinstance(data, dict) else None
            if isinstance(version, int) and version > SCHEMA_VERSION:
                report.add(ErrorCode.SCHEMA_VERSION_TOO_NEW, where, found=version, supported=SCHEMA_VERSION)
            else:
                report.add(ErrorCode.FIELD_MISSING, where, field="schema_version")
            continue
        data = {k: v for k, v in data.items() if k != "schema_version"}
        if not take_kind(data, "persona", where.with_(path="kind"), report):  # surveykit.filekinds
            continue
        try:
            persona = Persona.model_validate(data)
        except PydanticValidationError as err:
            for error in err.errors():
                loc = ".".join(str(p) for p in error["loc"])
                report.add(
                    ErrorCode.FIELD_INVALID,
                    where.with_(path=loc or None),
                    field=loc or "(top)",
                    detail=error["msg"],
                    fix="Correct the persona file (see docs/training-apps.md, 'Practice personas').",
                )
            continue
        if persona.id in found:
            report.add(
                ErrorCode.FIELD_INVALID,
                where.with_(path="id"),
                field="id",
                detail=f"persona id '{persona.id}' is used twice",
                fix="Give every persona its own id.",
            )
            continue
        if persona.questionnaire not in known:
            qpath = Path(settings().questionnaires_dir) / f"{persona.questionnaire}.yaml"
            if not qpath.is_file():
                report.add(
                    ErrorCode.FIELD_INVALID,
                    where.with_(path="questionnaire"),
                    field="questionnaire",
                    detail=f"no questionnaire file {qpath}",
                    fix="Name a questionnaire shipped in questionnaires/.",
                )
                continue
            known[persona.questionnaire] = load_questionnaire(qpath)
        _check_script(persona, known[persona.questionnaire], where, report)
        found[persona.id] = persona
    report.raise_if_errors(TrainingError)
    return found
