"""Practice interviews: a simulated respondent that follows a persona's script, and the scoring of the
recorded interview against that script. Pure: no widgets, no database (the practice app and the training
service call these functions; personas are data, see :mod:`surveykit.training.personas`).

*The respondent.* :class:`SimulatedRespondent` answers the question it is asked with the persona's words.
When the script gives a ``hesitation`` the first reply is that hesitation (``needs_probe``): the trainee
must use a neutral probe (repeat the question, an expectant pause, "Anything else?", "What do you mean?",
methodology C.2 M5) before the persona gives the answer. A leading probe ("So you were satisfied, right?")
is logged and answered evasively; the answer still comes only after a neutral probe. A "don't know"
answer stays "don't know" after probing (record it as ``dk``, never as "no").

*The contact.* Before the first question (and around some questions) the trainee acts through contact
moves (:data:`MOVES`): introduce oneself, explain confidentiality, say who pays, ask a staff member for
privacy, speak up for a hard-of-hearing person, offer another time, support a distressed person, close
politely... and some moves that harm (insisting, "it's compulsory", false promises, invoking the director,
letting someone answer for a recipient who can answer, promising secrecy, suggesting an answer). The
persona's contact script (:class:`~surveykit.training.personas.Contact`) says which moves move her on; the
respondent logs every move, and :meth:`SimulatedRespondent.contact_log` hands the log and the outcome the
trainee recorded to the scoring.

*The scoring* (:func:`score_recording`), one point per line, every line with feedback in ru and en:

* every question the script's route reaches: 1 point when the recording equals the script (an open
  answer counts when it is the respondent's words as said in the interview's language: case, spacing and
  punctuation aside, at least :data:`VERBATIM_SIMILARITY` alike). Zero, with the reason: another answer; "don't know" recorded as
  "no"; not asked or not recorded (an interview ended early); or skipped because a filter was recorded
  otherwise than answered (that filter is named and loses its point too; a filter left blank skips nothing);
* every question the script's route skips (the follow-up of a filter answered "no"): 1 point when nothing
  is recorded for it, 0 when an answer is recorded although the filter skips it;
* the proxy flag of the cover sheet (paradata): 1 point when it matches the script (a relative or legal
  representative answers for the recipient: flag on);
* with a probe log: 1 point per hesitation handled with neutral probes only (0 for a leading probe, or
  for a hesitation that was never probed);
* with a contact log (:class:`ContactLog`): 1 point per move the script needs, made in time (a step of the
  doorstep, or an event such as distress or a disclosure); 1 point for using no harmful move at all; 1
  point for the outcome recorded as it happened (a refusal recorded as a non-contact misreports process
  data); when the contact does not end in a complete interview, 1 point for closing it politely; when no
  interview took place, 1 point for recording nothing; after a break-off, 1 point per question left blank
  (an answer there is invented). The question, skip and proxy lines are only scored when the trainee
  records the questionnaire (not for a refusal, an appointment or a self-completed form);
* with the recorded ``mode``: 1 point when it is the persona's mode (cover sheet paradata).

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
from surveykit.training.personas import OUTCOMES, Persona

__all__ = [
    "MOVES",
    "PROBES",
    "ContactLog",
    "Move",
    "VERBATIM_SIMILARITY",
    "outcome_label",
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


@dataclass(frozen=True)
class Move:
    """Something the trainee does at the door, on the phone or while handing over a form.

    ``harmful``: it pressures, misleads or breaks a rule (choosing it costs the "no harmful move" point);
    ``closes``: it ends the contact; ``modes``: the interview modes it is offered in; ``why``: the reason,
    shown in the feedback."""

    id: str
    text: LocalText
    harmful: bool
    why: LocalText
    modes: tuple[str, ...] = ("face_to_face", "telephone", "self_completed")
    closes: bool = False


_SPOKEN = ("face_to_face", "telephone")
_HANDED = ("self_completed",)

#: the contact moves of the practice app, in the order shown (harmful ones mixed in, as in real life)
MOVES: tuple[Move, ...] = (
    Move(
        "introduce",
        {
            "ru": "Представиться: имя, общественный совет, цель опроса, сколько займёт; показать удостоверение",
            "en": "Introduce yourself: name, the public council, the purpose, how long it takes; show your badge",
        },
        False,
        {
            "ru": "Без представления человек не знает, кто Вы и зачем пришли.",
            "en": "Without an introduction the person does not know who you are or why you came.",
        },
    ),
    Move(
        "insist",
        {
            "ru": "Настоять: «Это ненадолго, давайте прямо сейчас»",
            "en": "Insist: \"It won't take long, let's do it now\"",
        },
        True,
        {"ru": "Давление: участие добровольное.", "en": "Pressure: taking part is voluntary."},
    ),
    Move(
        "confidentiality",
        {
            "ru": "Объяснить конфиденциальность: имени в анкете нет, ответы хранятся отдельно, публикуют только итоги",
            "en": "Explain confidentiality: no name on the form, answers kept apart, only totals published",
        },
        False,
        {
            "ru": "Человек вправе знать, кто увидит его ответы.",
            "en": "People have a right to know who sees their answers.",
        },
    ),
    Move(
        "who_pays",
        {
            "ru": "Честно сказать, кто проводит и кто платит: волонтёр совета без оплаты, центр не платит",
            "en": "Say honestly who runs it and who pays: an unpaid council volunteer; the centre pays nothing",
        },
        False,
        {
            "ru": "О заказчике и цели говорят честно (Кодекс AAPOR).",
            "en": "Be honest about the sponsor and the purpose (AAPOR Code).",
        },
    ),
    Move(
        "compulsory",
        {"ru": "Сказать, что участвовать обязательно", "en": "Say that taking part is compulsory"},
        True,
        {
            "ru": "Неправда и давление: участие добровольное.",
            "en": "Untrue, and pressure: taking part is voluntary.",
        },
    ),
    Move(
        "voluntary",
        {
            "ru": "Сказать, что участие добровольное и на любой вопрос можно не отвечать",
            "en": "Say that taking part is voluntary and any question may be left unanswered",
        },
        False,
        {"ru": "Часть информированного согласия.", "en": "Part of informed consent."},
    ),
    Move(
        "promise",
        {
            "ru": "Пообещать, что после опроса обслуживание улучшится",
            "en": "Promise that the service will improve after the survey",
        },
        True,
        {
            "ru": "Ложное обещание: интервьюер не обещает результатов.",
            "en": "A false promise: an interviewer promises no outcomes.",
        },
    ),
    Move(
        "offer_later",
        {
            "ru": "Предложить другое удобное время (или перезвонить)",
            "en": "Offer another time that suits (or to call back)",
        },
        False,
        {"ru": "Неудобное время — не отказ.", "en": "A bad time is not a refusal."},
    ),
    Move(
        "ask_privacy",
        {
            "ru": "Вежливо попросить сотрудника оставить вас наедине, а если не уходит — перенести",
            "en": "Politely ask the staff member to leave you alone, and if not, reschedule",
        },
        False,
        {
            "ru": "При сотрудниках интервью не проводят.",
            "en": "Interviews are never done with staff present.",
        },
    ),
    Move(
        "proceed_with_staff",
        {"ru": "Начать интервью при сотруднике", "en": "Start the interview with the staff member present"},
        True,
        {
            "ru": "При сотруднике респондент не ответит честно о работе сотрудников.",
            "en": "With staff present the respondent cannot speak honestly about the staff.",
        },
        modes=_SPOKEN,
    ),
    Move(
        "speak_clearly",
        {
            "ru": "Сесть лицом к человеку, говорить медленнее и громче, дать карточку с крупным шрифтом",
            "en": "Face the person, speak slower and louder, give a large-print card",
        },
        False,
        {
            "ru": "Так человек с плохим слухом может отвечать сам.",
            "en": "This lets a hard-of-hearing person answer for himself.",
        },
        modes=_SPOKEN,
    ),
    Move(
        "director",
        {
            "ru": "Сослаться на директора: «Директор просил всех ответить»",
            "en": 'Invoke the director: "The director asked everyone to answer"',
        },
        True,
        {"ru": "Давление и угроза конфиденциальности.", "en": "Pressure, and a threat to confidentiality."},
    ),
    Move(
        "check_person",
        {
            "ru": "Спросить, говорите ли Вы с нужным человеком, и удобно ли ему сейчас",
            "en": "Check that you are talking to the right person, and that now is convenient",
        },
        False,
        {
            "ru": "По телефону сначала убеждаются, что говорят с получателем из списка.",
            "en": "On the phone, first make sure you are talking to the listed recipient.",
        },
        modes=_SPOKEN,
    ),
    Move(
        "accept_proxy",
        {
            "ru": "Согласиться, чтобы на вопросы за получателя ответил тот, кто это предлагает",
            "en": "Agree that the person offering answers for the recipient",
        },
        True,
        {
            "ru": "За получателя отвечают, только если он сам ответить не может.",
            "en": "Someone answers for a recipient only when the recipient cannot.",
        },
        modes=_SPOKEN,
    ),
    Move(
        "pause_support",
        {
            "ru": "Сделать паузу, посочувствовать, предложить прерваться или продолжить позже",
            "en": "Pause, show sympathy, offer to stop or to go on later",
        },
        False,
        {"ru": "Первая обязанность — не навредить.", "en": "The first duty is to do no harm."},
    ),
    Move(
        "safeguarding",
        {
            "ru": "Выслушать, не расспрашивать, не обещать тайны: «Я должен сообщить ответственному, чтобы Вам помогли»",
            "en": 'Listen, don\'t question, promise no secrecy: "I must tell the person responsible so that you get help"',
        },
        False,
        {
            "ru": "Правило защиты: о признании сообщают руководителю опроса в тот же день; в анкету не пишут.",
            "en": "The safeguarding rule: a disclosure goes to the survey supervisor the same day, never onto the form.",
        },
    ),
    Move(
        "promise_secrecy",
        {"ru": "Пообещать никому ничего не рассказывать", "en": "Promise to tell nobody anything"},
        True,
        {
            "ru": "Нельзя обещать тайну, которую нельзя сохранить: человеку нужна помощь.",
            "en": "Never promise a secret you cannot keep: the person needs help.",
        },
    ),
    Move(
        "explain_self_completion",
        {
            "ru": "Объяснить, как отмечать ответы и переходы; предложить конверт или ящик",
            "en": "Explain how to mark answers and follow the skips; offer an envelope or the box",
        },
        False,
        {
            "ru": "Так вручают анкету для самостоятельного заполнения.",
            "en": "This is how a self-completion form is handed over.",
        },
        modes=_HANDED,
    ),
    Move(
        "suggest_answer",
        {"ru": "Подсказать, что отметить", "en": "Suggest what to tick"},
        True,
        {
            "ru": "Анкетёр не помогает выбрать ответ.",
            "en": "A questionnaire-taker never helps choose an answer.",
        },
        modes=_HANDED,
    ),
    Move(
        "neutral_reply",
        {
            "ru": "Ответить: «Важно Ваше мнение; если трудно решить, есть «Затрудняюсь ответить»»",
            "en": "Answer: \"Your opinion is what counts; if it's hard to decide, there is 'Hard to say'\"",
        },
        False,
        {"ru": "Нейтральный ответ без подсказки.", "en": "A neutral answer without a hint."},
        modes=_HANDED,
    ),
    Move(
        "read_answers",
        {
            "ru": "Просмотреть ответы и уточнить непонятные",
            "en": "Look through the answers and query the unclear ones",
        },
        True,
        {
            "ru": "Анкетёр проверяет полноту бланка, а не ответы.",
            "en": "A questionnaire-taker checks the form is complete, not the answers.",
        },
        modes=_HANDED,
    ),
    Move(
        "check_completeness",
        {
            "ru": "Не читая ответов, показать пустую страницу и спросить, заполнит ли человек её",
            "en": "Without reading the answers, point out a blank page and ask whether to fill it in",
        },
        False,
        {"ru": "Проверяется только полнота бланка.", "en": "Only the completeness of the form is checked."},
        modes=_HANDED,
    ),
    Move(
        "close_politely",
        {
            "ru": "Поблагодарить и вежливо закончить контакт",
            "en": "Thank the person and end the contact politely",
        },
        False,
        {
            "ru": "Контакт заканчивают вежливо, без давления.",
            "en": "A contact ends politely, without pressure.",
        },
        closes=True,
    ),
)
_MOVES = {m.id: m for m in MOVES}

def outcome_label(outcome: str | None, language: str) -> str:
    """How a contact ended, in the words of the interview app's own contact screen and interview end
    (``locale/*/fieldwork.yaml``, ``outcome.*``: one home for the words, so practice records what the field
    records); "nothing" when no outcome was recorded."""
    from surveykit.i18n import t

    return t(f"outcome.{outcome}" if outcome in OUTCOMES else "course.outcome_nothing", language)


def outcome_labels(outcome: str | None) -> LocalText:
    """:func:`outcome_label` in both languages (for a score line's feedback)."""
    return {language: outcome_label(outcome, language) for language in ("ru", "en")}


def moves_for(mode: str) -> tuple[Move, ...]:
    """The moves offered in an interview mode."""
    return tuple(m for m in MOVES if mode in m.modes)


# --- the respondent ----------------------------------------------------------------------------------------

ReplyKind = Literal[
    "answer", "dk", "hesitation", "led", "not_scripted", "contact", "event", "break_off", "stopped"
]

_SAYS: dict[str, LocalText] = {
    "not_scripted": {
        "ru": "(Этот вопрос не задаётся: по ответам респондента его пропускают правила перехода.)",
        "en": "(This question is not asked: the routing skips it after the respondent's answers.)",
    },
    "led": {
        "ru": "Ну… раз Вы так говорите… Даже не знаю. Спросите, пожалуйста, ещё раз.",
        "en": "Well… if you say so… I'm not sure. Could you ask me again, please?",
    },
    "not_agreed": {
        "ru": "(Респондент ещё не согласился на интервью.)",
        "en": "(The respondent has not agreed to the interview yet.)",
    },
    "stopped": {
        "ru": "(Респондент больше не отвечает: интервью прервано.)",
        "en": "(The respondent answers no more: the interview was broken off.)",
    },
    "closed": {"ru": "(Контакт окончен.)", "en": "(The contact is over.)"},
    "agree": {"ru": "Ну хорошо, спрашивайте.", "en": "All right then, go ahead."},
    "go_on": {"ru": "Ладно… Давайте продолжим.", "en": "All right… Let's go on."},
    "nod": {"ru": "(Кивает.)", "en": "(Nods.)"},
    "pushed": {"ru": "(Хмурится.) Не надо на меня давить.", "en": "(Frowns.) Don't push me."},
    "goodbye": {"ru": "До свидания.", "en": "Goodbye."},
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


@dataclass(frozen=True)
class ContactLog:
    """What happened in a practice contact, for the scoring: the moves in order (with the question they
    answered an event of, or ``None`` at the door), which needed moves were made, the events reached and
    handled, whether the persona agreed, and the outcome the trainee recorded."""

    moves: tuple[tuple[str, str | None], ...]
    #: (step index, move) -> made in time
    needs: tuple[tuple[int, str, bool], ...]
    #: (question, move) -> made, for every event the trainee reached
    events: tuple[tuple[str, str, bool], ...]
    agreed: bool
    closed: bool
    outcome: str | None

    @property
    def harmful(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for m, _ in self.moves if m in _MOVES and _MOVES[m].harmful))


@dataclass
class SimulatedRespondent:
    """A persona in a practice contact: the doorstep, then the questions one by one (module docstring)."""

    persona: Persona
    language: str = "ru"
    #: probe ids used per question, in order (the scoring's probe log)
    probes: dict[str, list[str]] = field(default_factory=dict)
    _resolved: set[str] = field(default_factory=set)
    #: contact moves in order, with the question of the event they answered (None: at the door)
    moves: list[tuple[str, str | None]] = field(default_factory=list)
    step: int = 0
    agreed: bool = False
    stopped: bool = False
    closed: bool = False
    broken_off: bool = False
    _made: set[tuple[int, str]] = field(default_factory=set)
    _events: dict[str, set[str]] = field(default_factory=dict)
    _handled: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not self.persona.contact.steps[0].needs:
            self._advance()

    def _say(self, text: LocalText | dict[str, str]) -> str:
        return pick(text, self.language, "en")

    # -- the contact ---------------------------------------------------------------------------------
    def opening(self) -> Reply:
        """What the persona says or does now at the door (the current step)."""
        if self.closed:
            return Reply("", "contact", self._say(_SAYS["closed"]))
        return Reply("", "contact", self._say(self.persona.contact.steps[self.step].say))

    def _advance(self) -> str | None:
        """The current step's needs are met: move on; returns what the persona then says."""
        step = self.persona.contact.steps[self.step]
        if step.then == "next":
            self.step += 1
            following = self.persona.contact.steps[self.step]
            if not following.needs:
                return self._advance() or self._say(following.say)
            return self._say(following.say)
        if step.then == "agree":
            self.agreed = True
            return None
        self.stopped = True
        return None

    def move(self, move_id: str, question: str | None = None) -> Reply:
        """The persona's reaction to a contact move (logged for the scoring). ``question``: the question whose
        event the move answers (distress, a disclosure...); ``None`` at the door or for the latest event."""
        if move_id not in _MOVES:
            raise KeyError(f"unknown move '{move_id}'; use one of {', '.join(_MOVES)}")
        move = _MOVES[move_id]
        event_code = (
            question
            if question in self._events
            else next((q for q in reversed(list(self._events)) if q not in self._handled), None)
        )
        self.moves.append((move_id, event_code))
        if self.closed:
            return Reply("", "contact", self._say(_SAYS["closed"]))
        step = self.persona.contact.steps[self.step]
        if move.closes:
            self.closed = True
            return Reply("", "contact", self._say(step.replies.get(move_id) or _SAYS["goodbye"]))
        if move.harmful:
            return Reply("", "contact", self._say(step.replies.get(move_id) or _SAYS["pushed"]))
        if event_code is not None and event_code not in self._handled:
            event = self.persona.contact.events[event_code]
            made = self._events[event_code]
            if move_id in event.needs:
                made.add(move_id)
                if set(event.needs) <= made:
                    self._handled.add(event_code)
                    return Reply(event_code, "contact", self._say(event.after or _SAYS["go_on"]))
            return Reply(event_code, "contact", self._say(_SAYS["nod"]))
        if self.agreed or self.stopped:
            return Reply("", "contact", self._say(step.replies.get(move_id) or _SAYS["nod"]))
        if move_id in step.needs:
            self._made.add((self.step, move_id))
            if all((self.step, m) in self._made for m in step.needs):
                said = self._advance()
                reply = step.replies.get(move_id)
                if said is None:
                    said = (
                        self._say(reply)
                        if reply
                        else self._say(_SAYS["agree"])
                        if self.agreed
                        else self._say(step.say)
                    )
                elif reply:
                    said = f"{self._say(reply)} {said}"
                return Reply("", "contact", said)
        return Reply("", "contact", self._say(step.replies.get(move_id) or _SAYS["nod"]))

    def contact_log(self, outcome: str | None) -> ContactLog:
        """The log the scoring needs; ``outcome``: what the trainee recorded (``None``: nothing)."""
        needs = tuple(
            (
                k,
                m,
                (k, m) in self._made or k < self.step or (k == self.step and (self.agreed or self.stopped)),
            )
            for k, step in enumerate(self.persona.contact.steps)
            for m in step.needs
        )
        events = tuple(
            (code, m, m in self._events[code])
            for code in self._events
            for m in self.persona.contact.events[code].needs
        )
        return ContactLog(
            moves=tuple(self.moves),
            needs=needs,
            events=events,
            agreed=self.agreed,
            closed=self.closed,
            outcome=outcome,
        )

    # -- the questions -------------------------------------------------------------------------------
    def ask(self, question: str) -> Reply:
        """The reply to ``question`` as read out (a hesitation first when the script has one)."""
        if not self.agreed:
            return Reply(question, "stopped", self._say(_SAYS["not_agreed"]))
        if self.broken_off or self.closed:
            return Reply(question, "stopped", self._say(_SAYS["stopped"]))
        event = self.persona.contact.events.get(question)
        if event is not None and question not in self._handled:
            self._events.setdefault(question, set())
            if event.kind == "break_off":
                self.broken_off = True
                return Reply(question, "break_off", self._say(event.say))
            if not set(event.needs) <= self._events[question]:
                return Reply(question, "event", self._say(event.say))
            self._handled.add(question)
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
    "move_done",
    "move_missing",
    "no_harmful_move",
    "harmful_move",
    "outcome_right",
    "outcome_wrong",
    "closed_politely",
    "not_closed",
    "nothing_recorded",
    "recorded_without_interview",
    "blank_after_break_off",
    "invented_after_break_off",
    "mode_right",
    "mode_wrong",
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
        "ru": "Вопрос не задан или ответ не записан (ответ респондента: «{expected}»).",
        "en": "The question was not asked or its answer not recorded (the respondent's answer: '{expected}').",
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
    "move_done": {"ru": "Сделано вовремя: {move}.", "en": "Done in time: {move}."},
    "move_missing": {"ru": "Нужно было: {move}. {why}", "en": "Needed: {move}. {why}"},
    "no_harmful_move": {
        "ru": "Ни давления, ни ложных обещаний, ни нарушений правил.",
        "en": "No pressure, no false promises, no broken rules.",
    },
    "harmful_move": {"ru": "Недопустимо: {moves}", "en": "Not allowed: {moves}"},
    "outcome_right": {
        "ru": "Итог контакта записан верно: «{expected}».",
        "en": "The contact outcome is right: '{expected}'.",
    },
    "outcome_wrong": {
        "ru": "Записан итог «{recorded}», а произошло: «{expected}». Неверный итог контакта искажает данные о "
        "ходе опроса (это одна из форм фальсификации).",
        "en": "'{recorded}' was recorded, but what happened was: '{expected}'. A wrong contact outcome misreports "
        "process data (one of the forms of falsification).",
    },
    "closed_politely": {"ru": "Контакт закончен вежливо.", "en": "The contact was ended politely."},
    "not_closed": {
        "ru": "Контакт не закончен вежливо: поблагодарите и попрощайтесь.",
        "en": "The contact was not ended politely: thank the person and say goodbye.",
    },
    "nothing_recorded": {
        "ru": "Интервью не было, и ответов не записано — верно.",
        "en": "There was no interview and no answer was recorded — right.",
    },
    "recorded_without_interview": {
        "ru": "Интервью не было, а ответы записаны ({codes}): это выдуманные данные.",
        "en": "There was no interview, yet answers were recorded ({codes}): that is invented data.",
    },
    "blank_after_break_off": {
        "ru": "Верно пусто: респондент прервал интервью раньше.",
        "en": "Rightly blank: the respondent had broken off before.",
    },
    "invented_after_break_off": {
        "ru": "Записан ответ «{recorded}», хотя респондент прервал интервью раньше: это выдуманный ответ.",
        "en": "'{recorded}' was recorded although the respondent had broken off before: an invented answer.",
    },
    "mode_right": {
        "ru": "Способ опроса на титульном листе верен: {expected}.",
        "en": "The mode on the cover sheet is right: {expected}.",
    },
    "mode_wrong": {
        "ru": "На титульном листе способ опроса «{recorded}», а было: {expected}.",
        "en": "The cover sheet says '{recorded}', but the mode was: {expected}.",
    },
}
_MODE_LABELS: dict[str, LocalText] = {
    "face_to_face": {"ru": "личное интервью", "en": "face to face"},
    "telephone": {"ru": "телефонный опрос", "en": "telephone"},
    "self_completed": {"ru": "самостоятельное заполнение", "en": "self-completion"},
}
_YES_NO = {"ru": ("да", "нет"), "en": ("yes", "no")}


class LineScore(BaseModel):
    """One line of the report: a question, a skip, the proxy flag or a probe; points and feedback."""

    model_config = ConfigDict(frozen=True)

    code: str
    kind: Literal["question", "skip", "proxy", "probe", "contact", "break_off", "mode"]
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


def _label(var: Variable, width: int = 60) -> LocalText:
    """The question as the trainee read it (its text, shortened), never its code: "Q1" means nothing on a
    score sheet."""
    out = {}
    for language in ("ru", "en"):
        text = pick(var.question.label, language, "en") or var.code
        # shortened at a word's end ("…the organisa…" reads as a typo)
        cut = text[: width - 1].rsplit(" ", 1)[0] if " " in text[: width - 1] else text[: width - 1]
        out[language] = text if len(text) <= width else cut.rstrip(" ,.;:—-") + "…"
    return out


def _distinct_labels(form: Form, width: int = 60) -> dict[str, LocalText]:
    """Every question's shortened text (:func:`_label`), lengthened where two would read the same
    ("Удовлетворены ли Вы доброжелательностью и вежливостью раб…" is question 9 and question 10): a score
    line must say which question it is about."""
    labels = {code: _label(var, width) for code, var in form.variables.items()}
    full = {code: _label(var, 10_000) for code, var in form.variables.items()}
    for language in ("ru", "en"):
        seen: dict[str, list[str]] = {}
        for code, label in labels.items():
            seen.setdefault(label[language], []).append(code)
        for codes in seen.values():
            if len(codes) > 1:
                for code in codes:
                    labels[code] = {**labels[code], language: full[code][language]}
    return labels


def _filter_names(form: Form, filters: Sequence[str]) -> LocalText:
    """The filter questions a line refers to, by their texts in each language (quoted, shortened)."""
    names = [_label(form.variables[f], 50) for f in filters]
    quotes = {"ru": "«{}»", "en": "“{}”"}
    return {lang: ", ".join(quotes[lang].format(n[lang]) for n in names) or "—" for lang in ("ru", "en")}


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
    contact: ContactLog | None = None,
    mode: str | None = None,
) -> PracticeReport:
    """Score a recorded practice interview against ``persona``'s script (rules: the module docstring).

    ``answers`` are the recorded answers (session or store values), ``proxy_flag`` the cover sheet's proxy
    flag, ``probes`` the respondent's probe log (:attr:`SimulatedRespondent.probes`; ``None``: no probe
    lines), ``contact`` the contact log (:meth:`SimulatedRespondent.contact_log`; ``None``: no contact
    lines), ``mode`` the mode on the cover sheet (``None``: no mode line).
    """
    form = questionnaire if isinstance(questionnaire, Form) else compile_form(questionnaire)
    lines: list[LineScore] = []
    if persona.records_answers:
        lines += _question_lines(persona, form, answers, proxy_flag)
    elif persona.mode != "self_completed":
        lines.append(_nothing_recorded(form, answers))
    if probes is not None:
        lines += _probe_lines(persona, form, probes)
    if contact is not None:
        lines += _contact_lines(persona, contact)
    if mode is not None:
        lines.append(_mode_line(persona, mode))
    return PracticeReport(persona_id=persona.id, lines=tuple(lines))


def _question_lines(
    persona: Persona, form: Form, answers: Mapping[str, Any], proxy_flag: bool
) -> list[LineScore]:
    """Every question, skip and the proxy mark against the script (module docstring)."""
    script = persona.answer_values()
    expected_state = evaluate(form, script, report_not_relevant=False)
    recorded_state = evaluate(form, dict(answers), report_not_relevant=False)
    inputs = [c for c, v in form.variables.items() if v.repeat is None and v.calculation is None]
    stopped = persona.contact.break_off_at
    after_break = set(inputs[inputs.index(stopped) :]) if stopped in inputs else set()
    lines: list[LineScore] = []
    labels = _distinct_labels(form)
    for code, var in form.variables.items():
        if var.repeat is not None or var.calculation is not None:
            continue
        if code in after_break:
            recorded = answers.get(code)
            if _blank(recorded) and not expected_state.item_relevant(code):
                continue
            status_b: Status = "blank_after_break_off" if _blank(recorded) else "invented_after_break_off"
            shown_b = {lang: _shown(var, recorded, lang) for lang in ("ru", "en")}
            lines.append(
                LineScore(
                    code=code, kind="break_off", status=status_b, points=1.0 if _blank(recorded) else 0.0,
                    max_points=1.0, expected=None, recorded=_plain(recorded), label=labels[code],
                    feedback=_feedback(status_b, recorded=shown_b),
                )
            )  # fmt: skip
            continue
        expected, recorded = script.get(code), answers.get(code)
        label = labels[code]
        filters = _filters(form, var)
        names = _filter_names(form, filters)
        # the filters recorded otherwise than the respondent answered: only they can have skipped the question
        # wrongly (a question left blank because the interview ended earlier was simply not asked)
        wrong_filters = [
            f
            for f in filters
            if not _blank(answers.get(f)) and not _same(form.variables[f], script.get(f), answers.get(f))
        ]

        def shown(value: Any, var: Variable = var) -> LocalText:
            return {lang: _shown(var, value, lang) for lang in ("ru", "en")}

        # what the respondent said: a choice by its label; a free text in the words of the page's language
        said = (
            {lang: persona.answers[code].said(lang) for lang in ("ru", "en")}
            if not var.choices and code in persona.answers and not _blank(expected)
            else shown(expected)
        )

        filter_answer = {
            lang: ", ".join(_shown(form.variables[f], script.get(f), lang) for f in filters) or "—"
            for lang in ("ru", "en")
        }
        if expected_state.item_relevant(code):
            spoken = tuple(persona.answers[code].say.values()) if code in persona.answers else ()
            if _same(var, expected, recorded, spoken):
                status: Status = "correct"
            elif _blank(recorded) and not recorded_state.item_relevant(code) and wrong_filters:
                status = "wrongly_skipped"
                names = _filter_names(form, wrong_filters)
            elif _blank(recorded):
                status = "missing"
            elif expected == DK and str(recorded) == "no":
                status = "dk_as_no"
            else:
                status = "wrong_answer"
            points = 1.0 if status == "correct" else 0.0
            feedback = _feedback(status, expected=said, recorded=shown(recorded), filters=names)
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
            label={"ru": "Отметка «отвечает за получателя»", "en": "Proxy flag"}, feedback=_feedback(status, expected=yes_no),
        )
    )  # fmt: skip
    return lines


def _probe_lines(persona: Persona, form: Form, probes: Mapping[str, Sequence[str]]) -> list[LineScore]:
    """One line per hesitation of the script: neutral probes only (1), a leading one or none (0)."""
    lines: list[LineScore] = []
    for code, answer in persona.answers.items():
        if answer.hesitation is None:
            continue
        used = list(probes.get(code, ()))
        leading = [p for p in used if p in _PROBES and not _PROBES[p].neutral]
        status: Status = "probe_leading" if leading else "probe_neutral" if used else "probe_missing"
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
    return lines


def _nothing_recorded(form: Form, answers: Mapping[str, Any]) -> LineScore:
    """No interview took place: nothing of the questionnaire may be recorded (a refusal at consent is not
    an answer)."""
    codes = [c for c, v in answers.items() if c in form.variables and c != "consent" and not _blank(v)]
    status: Status = "recorded_without_interview" if codes else "nothing_recorded"
    return LineScore(
        code="no_data", kind="contact", status=status, points=0.0 if codes else 1.0, max_points=1.0,
        expected=None, recorded=codes, label={"ru": "Анкета без интервью", "en": "The form without an interview"},
        feedback=_feedback(status, codes=", ".join(codes)),
    )  # fmt: skip


def _move_text(move_id: str) -> LocalText:
    move = _MOVES.get(move_id)
    return move.text if move else {"ru": move_id, "en": move_id}


def _contact_lines(persona: Persona, log: ContactLog) -> list[LineScore]:
    lines: list[LineScore] = []
    for index, move_id, made in log.needs:
        status: Status = "move_done" if made else "move_missing"
        why = _MOVES[move_id].why if move_id in _MOVES else {"ru": "", "en": ""}
        lines.append(
            LineScore(
                code=f"step{index + 1}.{move_id}", kind="contact", status=status, points=1.0 if made else 0.0,
                max_points=1.0, expected=move_id, recorded=made, label=_move_text(move_id),
                feedback=_feedback(status, move=_move_text(move_id), why=why),
            )
        )  # fmt: skip
    for question, move_id, made in log.events:
        status = "move_done" if made else "move_missing"
        why = _MOVES[move_id].why if move_id in _MOVES else {"ru": "", "en": ""}
        lines.append(
            LineScore(
                code=f"{question}.{move_id}", kind="contact", status=status, points=1.0 if made else 0.0,
                max_points=1.0, expected=move_id, recorded=made, label=_move_text(move_id),
                feedback=_feedback(status, move=_move_text(move_id), why=why),
            )
        )  # fmt: skip
    harmful = log.harmful
    status = "harmful_move" if harmful else "no_harmful_move"
    listed = {
        lang: "; ".join(
            f"{pick(_MOVES[m].text, lang, 'en')} — {pick(_MOVES[m].why, lang, 'en')}" for m in harmful
        )
        for lang in ("ru", "en")
    }
    lines.append(
        LineScore(
            code="harmful", kind="contact", status=status, points=0.0 if harmful else 1.0, max_points=1.0,
            expected=[], recorded=list(harmful), label={"ru": "Без давления и нарушений", "en": "No pressure, no breach"},
            feedback=_feedback(status, moves=listed),
        )
    )  # fmt: skip
    expected = persona.contact.outcome
    right = log.outcome == expected
    status = "outcome_right" if right else "outcome_wrong"
    lines.append(
        LineScore(
            code="outcome", kind="contact", status=status, points=1.0 if right else 0.0, max_points=1.0,
            expected=expected, recorded=log.outcome, label={"ru": "Итог контакта", "en": "Contact outcome"},
            feedback=_feedback(status, expected=outcome_labels(expected), recorded=outcome_labels(log.outcome)),
        )
    )  # fmt: skip
    if expected != "complete":
        status = "closed_politely" if log.closed else "not_closed"
        lines.append(
            LineScore(
                code="closed", kind="contact", status=status, points=1.0 if log.closed else 0.0, max_points=1.0,
                expected=True, recorded=log.closed, label={"ru": "Вежливое завершение", "en": "A polite close"},
                feedback=_feedback(status),
            )
        )  # fmt: skip
    return lines


def _mode_line(persona: Persona, mode: str) -> LineScore:
    right = mode == persona.mode
    status: Status = "mode_right" if right else "mode_wrong"
    return LineScore(
        code="mode", kind="mode", status=status, points=1.0 if right else 0.0, max_points=1.0,
        expected=persona.mode, recorded=mode, label={"ru": "Способ опроса", "en": "Mode"},
        feedback=_feedback(
            status, expected=_MODE_LABELS.get(persona.mode, {"ru": persona.mode, "en": persona.mode}),
            recorded=_MODE_LABELS.get(mode, {"ru": mode, "en": mode}),
        ),
    )  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value
