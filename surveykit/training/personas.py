"""Practice personas as data: simulated respondents for practice interviews (``questionnaires/training/personas``).

A persona is a script for one questionnaire: who the respondent is, how they behave, and for every question
they are asked what they answer (the value to record) and what they say, in Russian and English::

    schema_version: 1
    id: hesitant
    questionnaire: recipient_survey
    name: {ru: "Анна Петровна, 78 лет", en: "Anna Petrovna, 78"}
    description: {ru: "...", en: "..."}       # who she is
    behaviours:                               # what the trainee practises with her
      - {ru: "...", en: "..."}
    proxy: false                              # a relative answers for the recipient: tick "proxy" on the cover sheet
    answers:
      q1:
        value: "yes"                          # what must be recorded (a choice name, or the text of an open answer)
        say: {ru: "Да, смотрела.", en: "Yes, I did."}
        hesitation: {ru: "Стенд?.. Ну...", en: "The stand?.. Well..."}   # optional: said first; needs a neutral probe

Questions the script's own answers route past (a follow-up whose filter is "no") have no entry: the
persona is never asked them. :func:`load_personas` checks every file against the questionnaire: known
question codes, existing choice names, an answer for every question the route reaches and none for a
question it skips. All problems of all files are reported at once, each with its file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from surveykit.errors import ErrorCode, Location, Report, TrainingError, did_you_mean
from surveykit.fileio import read_yaml_file
from surveykit.filekinds import take_kind
from surveykit.i18n import pick
from surveykit.training.course import REQUIRED_LANGUAGES

__all__ = ["Persona", "ScriptedAnswer", "load_personas", "persona_dir"]

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


class Persona(_Frozen):
    """A simulated respondent: a script of answers and utterances for one questionnaire."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    questionnaire: str
    name: Text
    description: Text
    behaviours: tuple[Text, ...] = ()
    proxy: bool = False
    mode: str = "face_to_face"
    answers: dict[str, ScriptedAnswer] = Field(min_length=1)

    def title(self, language: str) -> str:
        return pick(self.name, language, "en")

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
    """The script against the questionnaire: codes, choice names, and the route its own answers take."""
    from surveykit.questionnaire.compiled import compile_form
    from surveykit.questionnaire.validate import evaluate

    form = compile_form(questionnaire)
    inputs = [c for c, v in form.variables.items() if v.repeat is None and v.calculation is None]
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
