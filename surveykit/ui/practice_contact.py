"""The contact panel of the practice app: the doorstep (or the telephone, or the hand-over of a form).

The trainee sees what the simulated respondent says or does and answers with contact moves
(:data:`surveykit.training.practice.MOVES`, harmful ones mixed in as in real life); when the persona agrees,
the app opens the questionnaire. At any moment the trainee can record the outcome of the contact and end
it. The panel only lays out widgets and passes clicks to :class:`~surveykit.training.practice.SimulatedRespondent`;
what is right is decided by the persona's script and scored by :func:`~surveykit.training.practice.score_recording`.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from surveykit.i18n import pick, t
from surveykit.training.personas import OUTCOMES
from surveykit.training.practice import SimulatedRespondent, moves_for, outcome_label

__all__ = ["CONTACT_STYLE", "ContactPanel"]

CONTACT_STYLE = """
<style>
.sk-contact { border: 2px solid #cbd5e0; border-radius: 12px; padding: 10px 14px; margin: 8px 0; }
.sk-contact-log div { margin: 4px 0; font-size: 18px; line-height: 1.45; }
.sk-contact-log .sk-you { color: #2a4365; }
.sk-contact .sk-move { margin: 3px; }
.sk-contact .sk-move button, .sk-contact .jupyter-button.sk-move { height: auto; min-height: 40px; white-space: normal;
                                                                   text-align: left; line-height: 1.3; padding: 6px 10px; }
</style>
"""


def _esc(text: Any) -> str:
    return html.escape(str(text or "")).replace("\n", "<br>")


class ContactPanel(W.VBox):
    """The contact with the simulated respondent (see the module docstring).

    ``on_agreed()`` is called once when the persona agrees to the interview; ``on_end(outcome)`` when the
    trainee ends the contact with a recorded outcome (``None``: none chosen)."""

    def __init__(
        self,
        respondent: SimulatedRespondent,
        language: str,
        *,
        guard: Callable[[Callable[..., Any]], Callable[..., Any]],
        on_agreed: Callable[[], None],
        on_end: Callable[[str | None], None],
    ) -> None:
        super().__init__()
        self.add_class("sk-contact")
        self.respondent = respondent
        self.language = language
        self._on_agreed = on_agreed
        self._on_end = on_end
        self._agreed_told = False
        self.lines: list[str] = []
        self.transcript = W.HTML()
        self.transcript.add_class("sk-contact-log")
        lang = language
        buttons = []
        for move in moves_for(respondent.persona.mode):
            button = W.Button(description=pick(move.text, lang, "en"), layout=W.Layout(width="auto"))
            button.add_class("sk-move")
            button.add_class(f"sk-move-{move.id}")
            button.on_click(guard(lambda _, m=move.id: self.move(m)))
            buttons.append(button)
        self.moves_box = W.Box(buttons, layout=W.Layout(display="flex", flex_flow="row wrap"))
        options = [(t("course.outcome_choose", lang), None)] + [
            (outcome_label(key, lang), key) for key in OUTCOMES
        ]
        self.outcome = W.Dropdown(
            options=options,
            value=None,
            description=t("course.outcome", lang),
            layout=W.Layout(width="560px"),
        )
        self.outcome.add_class("sk-contact-outcome")
        self.outcome.style.description_width = "initial"
        end = W.Button(description=t("course.end_contact", lang), button_style="warning")
        end.add_class("sk-end-contact")
        end.on_click(guard(lambda _: self._on_end(self.outcome.value)))
        self.status = W.HTML()
        self.children = [
            W.HTML(f"<b>{_esc(t('course.contact_title', lang))}</b>"),
            self.transcript,
            W.HTML(f'<div class="sk-hint">{_esc(t("course.contact_hint", lang))}</div>'),
            self.moves_box,
            self.status,
            W.HBox([self.outcome, end]),
        ]
        self._said(respondent.opening().text)

    def _render(self) -> None:
        self.transcript.value = "".join(self.lines)

    def _said(self, text: str) -> None:
        who = _esc(t("practice.respondent", self.language))
        self.lines.append(f'<div class="sk-says">{who} {_esc(text)}</div>')
        self._render()

    def move(self, move_id: str, question: str | None = None) -> None:
        """The trainee makes a move; the persona's reaction is shown; the interview opens on agreement."""
        move = next(m for m in moves_for(self.respondent.persona.mode) if m.id == move_id)
        you = _esc(t("course.you", self.language))
        self.lines.append(
            f'<div class="sk-you"><b>{you}</b> {_esc(pick(move.text, self.language, "en"))}</div>'
        )
        reply = self.respondent.move(move_id, question)
        self._said(reply.text)
        if self.respondent.agreed and not self._agreed_told:
            self._agreed_told = True
            key = (
                "course.contact_agreed" if self.respondent.persona.records_answers else "course.contact_done"
            )
            self.status.value = f'<div class="sk-banner sk-banner-info">{_esc(t(key, self.language))}</div>'
            self._on_agreed()
        elif self.respondent.closed:
            self.status.value = f'<div class="sk-banner sk-banner-info">{_esc(t("course.contact_closed", self.language))}</div>'
