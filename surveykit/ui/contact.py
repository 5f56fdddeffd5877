"""The first screen of a contact in the interview app: who to interview, the consent script, and the outcome
of a contact that does not become an interview (refusal, not reached, appointment, unable, not eligible).

A view only: the consent question and its rule come from the questionnaire's first page (a choice question
with a constraint is the *gate*: only an answer that satisfies it lets the interview begin); the codes offered
for each outcome come from :data:`surveykit.fieldwork.dispositions.OUTCOMES`; what is recorded, and whether it
may be, is decided by :class:`surveykit.fieldwork.desk.FieldworkDesk` and the store.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from surveykit.fieldwork import dispositions as D
from surveykit.i18n import t

if TYPE_CHECKING:  # the session (the expression engine, numpy) is loaded when an interview opens, not by the
    # home page, which only formats times with when_text (issue 17, lean kernels)
    from surveykit.interview.session import Field, InterviewSession

__all__ = ["ContactScreen", "gate_of", "parse_time", "when_text"]

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")
#: outcomes offered when the interview did not take place, in this order
OTHER_OUTCOMES = ("non_contact", "appointment", "unable", "not_eligible")

CONTACT_STYLE = """<style>
.sk-contact .sk-card { background: #fff; }
.sk-contact .sk-refused { border: 1px solid #feb2b2; background: #fff5f5; border-radius: 8px; padding: 8px 12px; }
.sk-contact .sk-history { color: #4a5568; font-size: 15px; }
.sk-contact .sk-section { font-size: 19px; font-weight: 600; margin: 4px 0 6px 0; }
.sk-contact .widget-toggle-buttons .widget-toggle-button { min-width: 150px; }
</style>"""


def _esc(text: Any) -> str:
    return html.escape(str(text or "")).replace("\n", "<br>")


def when_text(value: Any) -> str:
    """A time as the interviewer reads it: local time of the device, ``12.05.2026 14:30``."""
    if value is None:
        return ""
    if type(value) is not dt.datetime:  # a pandas Timestamp (a datetime subclass) or a numpy time
        import pandas as pd

        if pd.isna(value):
            return ""
        value = pd.Timestamp(value).to_pydatetime()
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone().strftime("%d.%m.%Y %H:%M")


def parse_time(date: dt.date | None, text: str) -> dt.datetime | None:
    """A local date and ``HH:MM`` as an aware time (None when either is missing or the time is malformed)."""
    found = _TIME.match(text or "")
    if date is None or not found:
        return None
    local = dt.datetime(date.year, date.month, date.day, int(found.group(1)), int(found.group(2)))
    return local.astimezone()  # the device's time zone


def gate_of(session: InterviewSession) -> Field | None:
    """The consent question of the first page: a choice question with a constraint (None: there is none)."""
    from surveykit.interview.session import Field

    for block in session.view().blocks:
        if isinstance(block, Field) and block.choices and session.form.variables[block.variable].constraint:
            return block
    return None


class ContactScreen(W.VBox):
    """The contact's first screen. ``on_begin(gate_answers)`` starts the interview; ``on_record(code, when,
    note)`` records an outcome (``when``: an appointment's time); ``on_back()`` goes home."""

    def __init__(
        self,
        session: InterviewSession,
        *,
        language: str,
        mode: str,
        respondent: str,
        allow_proxy: bool,
        history: Sequence[Any] = (),
        practice: bool = False,
        guard: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None,
        on_begin: Callable[[dict[str, Any]], None],
        on_record: Callable[[str, dt.datetime | None, str | None], None],
        on_back: Callable[[], None],
    ) -> None:
        super().__init__()
        self.add_class("sk-contact")
        self.session = session
        self.language = language
        self.mode = mode
        self.practice = practice
        self.guard = guard or (lambda fn: fn)
        self.on_begin = on_begin
        self.on_record = on_record
        self.on_back = on_back
        self.gate = gate_of(session)
        self.problem = W.HTML()
        children: list[W.Widget] = [W.HTML(CONTACT_STYLE)]
        children.append(self._card(t("contact.who_title", language), [W.HTML(self._who(respondent, allow_proxy, history))],
                                   "sk-contact-who"))  # fmt: skip
        children.append(self._card(t("contact.script_title", language), self._script(), "sk-contact-script"))
        if practice:
            children.append(
                W.HTML(f'<div class="sk-banner sk-banner-info">{_esc(t("contact.practice", language))}</div>')
            )
        else:
            children.append(self._card(t("contact.other_title", language), self._other(), "sk-contact-other"))
        back = W.Button(description=t("contact.back", language), icon="arrow-left")
        back.add_class("sk-contact-back")
        back.on_click(self.guard(lambda _: self.on_back()))
        children.append(back)
        self.children = children

    # --- pieces --------------------------------------------------------------------------------------------------
    @staticmethod
    def _card(title: str, body: list[W.Widget], css: str) -> W.Widget:
        card = W.VBox([W.HTML(f'<div class="sk-section">{_esc(title)}</div>'), *body])
        card.add_class("sk-card")
        card.add_class(css)
        return card

    def _who(self, respondent: str, allow_proxy: bool, history: Sequence[Any]) -> str:
        lang = self.language
        key = {"recipient": "contact.who.recipient", "staff": "contact.who.staff"}.get(
            respondent, "contact.who.other"
        )
        parts = [f"<p>{_esc(t(key, lang))}</p>"]
        if respondent == "recipient" and allow_proxy:
            parts.append(f"<p>{_esc(t('contact.who.proxy', lang))}</p>")
        if self.mode == "telephone":
            parts.append(f"<p>{_esc(t('contact.who.telephone', lang))}</p>")
        if history:
            lines = []
            for attempt in history:
                line = t("contact.history_line", lang, when=when_text(attempt.attempted_at),
                         outcome=D.label(attempt.disposition, lang))  # fmt: skip
                if attempt.appointment_at is not None:
                    line += "; " + t(
                        "contact.history_appointment", lang, when=when_text(attempt.appointment_at)
                    )
                lines.append(f"<li>{_esc(line)}</li>")
            parts.append(
                f'<div class="sk-history">{_esc(t("contact.history", lang))}<ul>{"".join(lines)}</ul></div>'
            )
        return "".join(parts)

    def _script(self) -> list[W.Widget]:
        lang = self.language
        instruction_prefix = html.escape(t("form.instruction_prefix", lang))
        items: list[W.Widget] = []
        for block in self.session.view().blocks:
            if isinstance(block, tuple):
                label, instruction = block
                text = f'<div class="sk-note"><div class="sk-read">{_esc(label)}</div>'
                if instruction:
                    text += f'<div class="sk-instruction" data-prefix="{instruction_prefix} ">{_esc(instruction)}</div>'
                items.append(W.HTML(text + "</div>"))
        self.begin = W.Button(description=t("contact.begin", lang), button_style="success", icon="play")
        self.begin.add_class("sk-contact-begin")
        self.begin.on_click(self.guard(lambda _: self._begin()))
        self.refused = W.VBox()
        self.refused.add_class("sk-refused")
        self.refused.layout.display = "none"
        if self.gate is None:
            items.append(W.HTML(f"<p>{_esc(t('contact.no_gate', lang))}</p>"))
            items.append(self.begin)
            return items
        gate = self.gate
        header = f'<div class="sk-read">{_esc(gate.label)}</div>'
        if gate.instruction:
            header += f'<div class="sk-instruction" data-prefix="{instruction_prefix} ">{_esc(gate.instruction)}</div>'
        self.answer = W.ToggleButtons(options=[(label, name) for name, label in gate.choices], index=None,
                                      style={"button_width": "auto"})  # fmt: skip
        self.answer.add_class("sk-contact-consent")
        self.answer.observe(self.guard(self._consent), names="value")
        self.begin.disabled = True
        if not self.practice:
            table = D.table_of(self.mode) or "in_person"
            self.refusal_code = W.Dropdown(options=[(D.label(c, self.language), c) for c in D.OUTCOMES["refusal"][table]],
                                           description=t("contact.code", lang), style={"description_width": "initial"},
                                           layout=W.Layout(width="95%"))  # fmt: skip
            self.refusal_note = W.Text(placeholder=t("contact.note", lang), layout=W.Layout(width="95%"))
            record = W.Button(
                description=t("contact.record_refusal", lang), button_style="danger", icon="times"
            )
            record.add_class("sk-contact-record-refusal")
            record.on_click(
                self.guard(lambda _: self.on_record(self.refusal_code.value, None, self.refusal_note.value))
            )
            self.refused.children = [W.HTML(f"<b>{_esc(t('contact.refused_title', lang))}</b>"), self.refusal_code,
                                     self.refusal_note, record]  # fmt: skip
        question = W.VBox([W.HTML(header), self.answer])
        question.add_class("sk-question")
        items.extend([question, self.refused, self.begin])
        return items

    def _consent(self, change: dict[str, Any]) -> None:
        from surveykit.interview.session import Field

        value = change["new"]
        self.session.set_answer(self.gate.variable, value)
        field = next((b for b in self.session.view().blocks if isinstance(b, Field) and b.variable == self.gate.variable),
                     None)  # fmt: skip
        allowed = value is not None and field is not None and not field.errors
        self.begin.disabled = not allowed
        refused = value is not None and not allowed
        self.begin.layout.display = "none" if refused else None
        self.refused.layout.display = None if refused and not self.practice else "none"

    def _begin(self) -> None:
        answers = {self.gate.variable: self.answer.value} if self.gate is not None else {}
        self.on_begin(answers)

    def _other(self) -> list[W.Widget]:
        lang = self.language
        self.kind = W.ToggleButtons(options=[(t(f"outcome.{o}", lang), o) for o in OTHER_OUTCOMES], index=None,
                                    style={"button_width": "auto"})  # fmt: skip
        self.kind.add_class("sk-contact-outcome")
        self.code = W.Dropdown(description=t("contact.code", lang), style={"description_width": "initial"},
                               layout=W.Layout(width="95%"))  # fmt: skip
        self.code.add_class("sk-contact-code")
        self.date = W.DatePicker(description=t("contact.date", lang), style={"description_width": "initial"})
        self.date.add_class("sk-contact-date")
        self.time = W.Text(
            description=t("contact.time", lang), placeholder="14:30", style={"description_width": "initial"}
        )
        self.time.add_class("sk-contact-time")
        self.note = W.Text(placeholder=t("contact.note", lang), layout=W.Layout(width="95%"))
        self.record = W.Button(description=t("contact.record", lang), button_style="primary", icon="check")
        self.record.add_class("sk-contact-record")
        self.record.on_click(self.guard(lambda _: self._record()))
        self.details = W.VBox(
            [self.code, W.HBox([self.date, self.time]), self.note, self.problem, self.record]
        )
        self.details.layout.display = "none"
        self.kind.observe(self.guard(self._kind), names="value")
        return [W.HTML(f"<div>{_esc(t('contact.outcome', lang))}</div>"), self.kind, self.details]

    def _kind(self, change: dict[str, Any]) -> None:
        outcome = change["new"]
        if outcome is None:
            self.details.layout.display = "none"
            return
        codes = D.codes_for(outcome, self.mode)
        self.code.options = [(D.label(c, self.language), c) for c in codes]
        self.code.value = codes[0]
        self.code.layout.display = None if len(codes) > 1 else "none"
        appointment = outcome == "appointment"
        self.date.layout.display = self.time.layout.display = None if appointment else "none"
        self.problem.value = ""
        self.details.layout.display = None

    def _record(self) -> None:
        lang = self.language
        when = None
        if self.kind.value == "appointment":
            if self.date.value is None:
                self.problem.value = f'<div class="sk-error">{_esc(t("contact.date_missing", lang))}</div>'
                return
            when = parse_time(self.date.value, self.time.value)
            if when is None:
                self.problem.value = f'<div class="sk-error">{_esc(t("contact.time_invalid", lang))}</div>'
                return
        self.problem.value = ""
        self.on_record(self.code.value, when, self.note.value)
