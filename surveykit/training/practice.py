"""Practice interviews: a simulated respondent that follows a persona's script, and the scoring of the
recorded interview against that script. Pure: no widgets, no database (the practice app and the training
service call these functions; personas are data, see :mod:`surveykit.training.personas`).

*The respondent.* :class:`SimulatedRespondent` answers the question it is asked with the persona's words.
When the script gives a ``hesitation`` the first reply is that hesitation (``needs_probe``): the trainee
must use a neutral probe (repeat the question, an expectant pause, "Anything else?", "What do you mean?",
methodology C.2 M5) before the persona gives the answer. A leading probe ("So you were satisfied, right?")
is logged and answered evasively; the answer still comes only after a neutral probe. A "don't know"
answer stays "don't know" after probing (record it as ``dk``, never as "no").

*The scoring* (:func:`score_recording`), one point per line, every line with feedback in ru and en:

* every question the script's route reaches: 1 point when the recording equals the script (an open
  answer counts when it is the respondent's words as said in the interview's language: case, spacing and
  punctuation aside, at least :data:`VERBATIM_SIMILARITY` alike). Zero, with the reason: another answer; "don't know" recorded as
  "no"; not recorded; or skipped because a filter was recorded wrongly (the filter loses its point too);
* every question the script's route skips (the follow-up of a filter answered "no"): 1 point when nothing
  is recorded for it, 0 when an answer is recorded although the filter skips it;
* the proxy flag of the cover sheet (paradata): 1 point when it matches the script (a relative or legal
  representative answers for the recipient: flag on);
* with a probe log: 1 point per hesitation handled with neutral probes only (0 for a leading probe, or
  for a hesitation that was never probed).

The score is points earned / points possible; full marks mean a recording exactly as the script.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from surveykit.i18n import pick
from surveykit.questionnaire.compiled import Form, Variable, compile_form
from surveykit.questionnaire.model import Questionnaire, QuestionType
from surveykit.questionnaire.validate import evaluate
from surveykit.training.course import LocalText
from surveykit.training.personas import Persona

__all__ = [
    "PROBES",
    "VERBATIM_SIMILARITY",
    "LineScore",
    "PracticeReport",
    "Probe",
    "Reply",
    "SimulatedRespondent",
    "score_recording",
]

#: an open answer counts as verbatim at this similarity (difflib ratio of the normalised texts)
VERBATIM_SIMILARITY = 0.85
#: the "don't know" choice name of the survey's yes/no/dk items
DK = "dk"


@dataclass(frozen=True)
class Probe:
    """A probe the trainee can use: its words and whether it is neutral (methodology C.2 M5, C.4 #5)."""

    id: str
    text: LocalText
    neutral: bool


#: the probes offered in the practice app; only neutral ones get the answer
PROBES: tuple[Probe, ...] = (
    Probe("repeat", {"ru": "Повторить вопрос дословно", "en": "Repeat the question word for word"}, True),
    Probe("pause", {"ru": "Выжидательная пауза", "en": "An expectant pause"}, True),
    Probe("what_mean", {"ru": "«Что Вы имеете в виду?»", "en": "'What do you mean?'"}, True),
    Probe(
        "suggest",
        {"ru": "«То есть Вы довольны, верно?»", "en": "'So you were satisfied, right?'"},
        False,
    ),
)
_PROBES = {p.id: p for p in PROBES}

# --- the respondent ----------------------------------------------------------------------------------------

ReplyKind = Literal["answer", "dk", "hesitation", "led", "not_scripted"]

_SAYS: dict[str, LocalText] = {
    "not_scripted": {
        "ru": "(Этот вопрос не задаётся: по ответам респондента его пропускают правила перехода.)",
        "en": "(This question is not asked: the routing skips it after the respondent's answers.)",
    },
    "led": {
        "ru": "Ну… раз Вы так говорите… Даже не знаю. Спросите, пожалуйста, ещё раз.",
        "en": "Well… if you say so… I'm not sure. Could you ask me again, please?",
    },
}


@dataclass(frozen=True)
class Reply:
    """What the persona says now. ``value`` is what to record once the reply is final (else ``None``)."""

    question: str
    kind: ReplyKind
    text: str
    value: str | None = None

    @property
    def needs_probe(self) -> bool:
        return self.kind in ("hesitation", "led")


@dataclass
class SimulatedRespondent:
    """A persona answering questions one by one (see the module docstring)."""

    persona: Persona
    language: str = "ru"
    #: probe ids used per question, in order (the scoring's probe log)
    probes: dict[str, list[str]] = field(default_factory=dict)
    _resolved: set[str] = field(default_factory=set)

    def ask(self, question: str) -> Reply:
        """The reply to ``question`` as read out (a hesitation first when the script has one)."""
        answer = self.persona.answers.get(question)
        if answer is None:
            return Reply(question, "not_scripted", pick(_SAYS["not_scripted"], self.language, "en"))
        if answer.hesitation is not None and question not in self._resolved:
            return Reply(question, "hesitation", pick(answer.hesitation, self.language, "en"))
        return self._final(question)

    def probe(self, question: str, probe: str) -> Reply:
        """The reply after a probe (``probe`` is an id of :data:`PROBES`); logged for the scoring."""
        if probe not in _PROBES:
            raise KeyError(f"unknown probe '{probe}'; use one of {', '.join(_PROBES)}")
        self.probes.setdefault(question, []).append(probe)
        answer = self.persona.answers.get(question)
        if answer is None:
            return self.ask(question)
        if not _PROBES[probe].neutral:
            return Reply(question, "led", pick(_SAYS["led"], self.language, "en"))
        self._resolved.add(question)
        return self._final(question)

    def _final(self, question: str) -> Reply:
        answer = self.persona.answers[question]
        kind: ReplyKind = "dk" if answer.value == DK else "answer"
        return Reply(question, kind, answer.said(self.language), answer.value)


# --- scoring ------------------------------------------------------------------------------------------------

Status = Literal[
    "correct",
    "wrong_answer",
    "dk_as_no",
    "missing",
    "wrongly_skipped",
    "skipped_correctly",
    "not_skipped",
    "proxy_ok",
    "proxy_missing",
    "proxy_wrong",
    "probe_neutral",
    "probe_leading",
    "probe_missing",
]

#: feedback per status, in both languages: the one home of these texts
_FEEDBACK: dict[str, LocalText] = {
    "correct": {"ru": "Записано верно: «{expected}».", "en": "Recorded correctly: '{expected}'."},
    "wrong_answer": {
        "ru": "Респондент ответил «{expected}», а записано «{recorded}».",
        "en": "The respondent answered '{expected}', but '{recorded}' was recorded.",
    },
    "dk_as_no": {
        "ru": "«Затрудняюсь ответить» записано как «Нет». Так искажается показатель: отмечайте "
        "«Затрудняюсь ответить» — это не «да» и не «нет».",
        "en": "'Don't know' was recorded as 'No'. That distorts the indicator: code 'Don't know' — it is "
        "neither a 'yes' nor a 'no'.",
    },
    "missing": {
        "ru": "Ответ не записан (респондент ответил «{expected}»).",
        "en": "No answer recorded (the respondent answered '{expected}').",
    },
    "wrongly_skipped": {
        "ru": "Вопрос пропущен из-за неверно записанного фильтра {filters}; респондент должен был ответить «{expected}».",
        "en": "The question was skipped because filter {filters} was recorded wrongly; the respondent would have "
        "answered '{expected}'.",
    },
    "skipped_correctly": {
        "ru": "Верно пропущен: при ответе «{filter_answer}» на {filters} этот вопрос не задаётся.",
        "en": "Correctly skipped: after '{filter_answer}' at {filters} this question is not asked.",
    },
    "not_skipped": {
        "ru": "Записан ответ «{recorded}», хотя при ответе «{filter_answer}» на {filters} вопрос пропускается.",
        "en": "'{recorded}' was recorded although the question is skipped after '{filter_answer}' at {filters}.",
    },
    "proxy_ok": {
        "ru": "Отметка «отвечает представитель» на титульном листе верна ({expected}).",
        "en": "The cover-sheet proxy flag is right ({expected}).",
    },
    "proxy_missing": {
        "ru": "На вопросы отвечал родственник (представитель), а отметка «отвечает представитель» на "
        "титульном листе не поставлена.",
        "en": "A relative (representative) answered for the recipient, but the cover-sheet proxy flag was "
        "not set.",
    },
    "proxy_wrong": {
        "ru": "Отметка «отвечает представитель» поставлена, хотя отвечал сам получатель услуг.",
        "en": "The proxy flag was set although the service recipient answered in person.",
    },
    "probe_neutral": {
        "ru": "Колебание снято нейтральным уточнением.",
        "en": "The hesitation was handled with a neutral probe.",
    },
    "probe_leading": {
        "ru": "Наводящее уточнение («{probe}»): так подсказывают ответ. Используйте только нейтральные.",
        "en": "A leading probe ({probe}) suggests the answer. Use neutral probes only.",
    },
    "probe_missing": {
        "ru": "Респондент колебался, а уточнения не было.",
        "en": "The respondent hesitated and no probe was used.",
    },
}
_YES_NO = {"ru": ("да", "нет"), "en": ("yes", "no")}


class LineScore(BaseModel):
    """One line of the report: a question, a skip, the proxy flag or a probe; points and feedback."""

    model_config = ConfigDict(frozen=True)

    code: str
    kind: Literal["question", "skip", "proxy", "probe"]
    status: Status
    points: float
    max_points: float
    expected: Any = None
    recorded: Any = None
    label: LocalText
    feedback: LocalText

    @property
    def ok(self) -> bool:
        return self.points >= self.max_points

    def feedback_in(self, language: str) -> str:
        return pick(self.feedback, language, "en")

    def label_in(self, language: str) -> str:
        return pick(self.label, language, "en")


class PracticeReport(BaseModel):
    """The scored practice interview: lines, points, and the share of points (0..1)."""

    model_config = ConfigDict(frozen=True)

    persona_id: str
    lines: tuple[LineScore, ...]

    @property
    def earned(self) -> float:
        return sum(line.points for line in self.lines)

    @property
    def possible(self) -> float:
        return sum(line.max_points for line in self.lines)

    @property
    def score(self) -> float:
        return self.earned / self.possible if self.possible else 0.0

    @property
    def full_marks(self) -> bool:
        return all(line.ok for line in self.lines)

    def line(self, code: str, kind: str | None = None) -> LineScore:
        for line in self.lines:
            if line.code == code and (kind is None or line.kind == kind):
                return line
        raise KeyError(code)

    def mistakes(self) -> list[LineScore]:
        return [line for line in self.lines if not line.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "persona": self.persona_id,
            "earned": self.earned,
            "possible": self.possible,
            "score": self.score,
            "lines": [line.model_dump(mode="json") for line in self.lines],
        }


def _norm_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def _as_set(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(value.split())
    return frozenset(str(v) for v in value or ())


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | frozenset | set | list | tuple) and len(value) == 0)


def _same(var: Variable, expected: Any, recorded: Any, spoken: Sequence[str] = ()) -> bool:
    """Whether a recording matches the script; an open answer may match the words in any language."""
    if _blank(recorded):
        return False
    if var.choices and var.type is QuestionType.SELECT_MULTIPLE:
        return _as_set(expected) == _as_set(recorded)
    if var.choices:
        return str(recorded) == str(expected)
    rec = _norm_text(str(recorded))
    for candidate in (str(expected), *spoken):
        exp = _norm_text(candidate)
        if exp == rec or difflib.SequenceMatcher(None, exp, rec).ratio() >= VERBATIM_SIMILARITY:
            return True
    return False


def _shown(var: Variable, value: Any, language: str) -> str:
    """A recorded value as the trainee saw it: the choice label, or the text."""
    if _blank(value):
        return "—"
    labels = {c.name: pick(c.label, language, "en") or c.name for c in var.choices}
    if isinstance(value, frozenset | set | list | tuple):
        return ", ".join(labels.get(str(v), str(v)) for v in sorted(value))
    return labels.get(str(value), str(value))


def _label(var: Variable) -> LocalText:
    code = var.code
    if re.fullmatch(r"q\d+", code):
        return {"ru": code.upper(), "en": code.upper()}
    out = {}
    for language in ("ru", "en"):
        text = pick(var.question.label, language, "en")
        out[language] = text if len(text) <= 60 else text[:57].rstrip() + "…"
    return out


def _filters(form: Form, var: Variable) -> list[str]:
    """The questions the variable's own relevance refers to (its filters), in form order."""
    if var.question.relevant is None or not var.relevant:
        return []
    refs = var.relevant[-1].references
    return [code for code in form.variables if code in refs]


def _feedback(status: str, **params: LocalText | str) -> LocalText:
    from surveykit.errors import _safe_format

    out: dict[str, str] = {}
    for language in ("ru", "en"):
        values = {k: (pick(v, language, "en") if isinstance(v, dict) else v) for k, v in params.items()}
        out[language] = _safe_format(_FEEDBACK[status][language], values)
    return out


def score_recording(
    persona: Persona,
    questionnaire: Questionnaire | Form,
    answers: Mapping[str, Any],
    *,
    proxy_flag: bool,
    probes: Mapping[str, Sequence[str]] | None = None,
) -> PracticeReport:
    """Score a recorded practice interview against ``persona``'s script (rules: the module docstring).

    ``answers`` are the recorded answers (session or store values), ``proxy_flag`` the cover sheet's proxy
    flag, ``probes`` the respondent's probe log (:attr:`SimulatedRespondent.probes`; ``None``: no probe lines).
    """
    form = questionnaire if isinstance(questionnaire, Form) else compile_form(questionnaire)
    script = persona.answer_values()
    expected_state = evaluate(form, script, report_not_relevant=False)
    recorded_state = evaluate(form, dict(answers), report_not_relevant=False)
    lines: list[LineScore] = []
    for code, var in form.variables.items():
        if var.repeat is not None or var.calculation is not None:
            continue
        expected, recorded = script.get(code), answers.get(code)
        label = _label(var)
        filters = _filters(form, var)
        names = ", ".join(f.upper() if re.fullmatch(r"q\d+", f) else f for f in filters) or "—"

        def shown(value: Any, var: Variable = var) -> LocalText:
            return {lang: _shown(var, value, lang) for lang in ("ru", "en")}

        filter_answer = {
            lang: ", ".join(_shown(form.variables[f], script.get(f), lang) for f in filters) or "—"
            for lang in ("ru", "en")
        }
        if expected_state.item_relevant(code):
            spoken = tuple(persona.answers[code].say.values()) if code in persona.answers else ()
            if _same(var, expected, recorded, spoken):
                status: Status = "correct"
            elif _blank(recorded) and not recorded_state.item_relevant(code):
                status = "wrongly_skipped"
            elif _blank(recorded):
                status = "missing"
            elif expected == DK and str(recorded) == "no":
                status = "dk_as_no"
            else:
                status = "wrong_answer"
            points = 1.0 if status == "correct" else 0.0
            feedback = _feedback(status, expected=shown(expected), recorded=shown(recorded), filters=names)
            lines.append(
                LineScore(
                    code=code, kind="question", status=status, points=points, max_points=1.0,
                    expected=expected, recorded=_plain(recorded), label=label, feedback=feedback,
                )
            )  # fmt: skip
        elif filters:  # a follow-up the script's route skips
            status = "skipped_correctly" if _blank(recorded) else "not_skipped"
            feedback = _feedback(status, recorded=shown(recorded), filters=names, filter_answer=filter_answer)
            lines.append(
                LineScore(
                    code=code, kind="skip", status=status, points=1.0 if _blank(recorded) else 0.0,
                    max_points=1.0, expected=None, recorded=_plain(recorded), label=label, feedback=feedback,
                )
            )  # fmt: skip
    yes_no = {lang: _YES_NO[lang][0 if persona.proxy else 1] for lang in ("ru", "en")}
    if bool(proxy_flag) == persona.proxy:
        status = "proxy_ok"
    else:
        status = "proxy_missing" if persona.proxy else "proxy_wrong"
    lines.append(
        LineScore(
            code="proxy", kind="proxy", status=status, points=1.0 if status == "proxy_ok" else 0.0,
            max_points=1.0, expected=persona.proxy, recorded=bool(proxy_flag),
            label={"ru": "Отметка «представитель»", "en": "Proxy flag"}, feedback=_feedback(status, expected=yes_no),
        )
    )  # fmt: skip
    if probes is not None:
        for code, answer in persona.answers.items():
            if answer.hesitation is None:
                continue
            used = list(probes.get(code, ()))
            leading = [p for p in used if p in _PROBES and not _PROBES[p].neutral]
            if leading:
                status = "probe_leading"
            elif used:
                status = "probe_neutral"
            else:
                status = "probe_missing"
            probe_text = _PROBES[leading[0]].text if leading else ""
            var = form.variables.get(code)
            lines.append(
                LineScore(
                    code=code, kind="probe", status=status, points=1.0 if status == "probe_neutral" else 0.0,
                    max_points=1.0, expected="neutral", recorded=used,
                    label=_label(var) if var is not None else {"ru": code, "en": code},
                    feedback=_feedback(status, probe=probe_text),
                )
            )  # fmt: skip
    return PracticeReport(persona_id=persona.id, lines=tuple(lines))


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value
