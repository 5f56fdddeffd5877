"""A quiz item as a widget, for every item type (single, multi, numeric, scenario).

Two modes:

* ``practice`` (lesson notebooks): the trainee answers and presses "Check"; the item is graded with
  :func:`surveykit.training.grading.grade_item` and the view shows right / partly right / wrong, the
  feedback of every chosen option, the correct answer and the explanation;
* ``exam`` (the exam app): no feedback; every change is passed to ``on_change(item_id, value)`` at once.

Options are large tappable buttons (a tablet, older volunteers): ``● / ○`` for one choice, ``☑ / ☐`` for
several. CSS classes: ``sk-quiz``, ``sk-item-<id>``, ``sk-option-<option id>``, ``sk-numeric``,
``sk-check`` and ``sk-feedback`` (the browser tests find widgets by them).

:func:`feedback_for` is the pure part (grading and the texts shown), tested without widgets.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import ipywidgets as W

from surveykit.i18n import number_text, pick, t
from surveykit.training.course import QuizItem
from surveykit.training.grading import EPSILON, grade_item, is_blank

__all__ = ["QUIZ_STYLE", "QuizFeedback", "QuizItemView", "feedback_for"]

#: extra CSS of quizzes and exams (with surveykit.ui.common.STYLE)
QUIZ_STYLE = """
<style>
.sk-app .jupyter-button { width: auto; min-width: 120px; }
.sk-app .widget-html-content { font-size: 18px; line-height: 1.5; }
.sk-app .widget-label, .sk-app .widget-readout { font-size: 18px !important; }
.sk-app .sk-form .widget-toggle-buttons .widget-toggle-button { min-width: 110px; min-height: 48px; font-size: 19px; }
.sk-app .sk-form .sk-nav .jupyter-button { min-height: 48px; font-size: 18px; }
.sk-quiz .sk-check { min-height: 46px; font-size: 18px; }
.sk-quiz { border: 1px solid #cbd5e0; border-radius: 10px; padding: 12px 16px; margin: 12px 0; background: #fff; }
.sk-quiz .sk-stem { font-size: 20px; font-weight: 600; line-height: 1.4; color: #1a202c; margin: 4px 0 10px 0; }
.sk-quiz .sk-scenario { font-size: 18px; line-height: 1.5; background: #f7fafc; border-left: 4px solid #718096;
                        padding: 8px 12px; margin: 4px 0 8px 0; }
.sk-quiz .sk-select-hint { color: #4a5568; font-size: 16px; margin-bottom: 6px; }
.sk-app .sk-option, .sk-quiz .sk-option { width: 100% !important; height: auto !important; min-height: 52px;
    white-space: normal !important; text-align: left !important; font-size: 19px !important; line-height: 1.35;
    padding: 10px 16px !important; margin: 4px 0 !important; border-radius: 8px !important;
    border: 2px solid #cbd5e0 !important; background: #ffffff !important; color: #1a202c !important; }
.sk-app .sk-option.sk-option.mod-active, .sk-quiz .sk-option.sk-option.mod-active { background: #ebf4ff !important;
    color: #1a202c !important; border-color: #2b6cb0 !important; font-weight: 600; box-shadow: none !important; }
.sk-quiz .sk-numeric input { font-size: 22px !important; min-height: 48px; width: 200px; }
.sk-feedback-box { border-radius: 8px; padding: 10px 14px; margin-top: 10px; font-size: 18px; line-height: 1.45; }
.sk-feedback-right { background: #f0fff4; border: 1px solid #9ae6b4; color: #22543d; }
.sk-feedback-partial { background: #fffff0; border: 1px solid #f6e05e; color: #744210; }
.sk-feedback-wrong { background: #fff5f5; border: 1px solid #feb2b2; color: #742a2a; }
.sk-feedback-blank { background: #ebf8ff; border: 1px solid #90cdf4; color: #2a4365; }
.sk-critical { display: inline-block; background: #fed7d7; color: #822727; border-radius: 4px; padding: 1px 8px;
               font-size: 14px; font-weight: 700; margin-left: 6px; vertical-align: middle; }
</style>
"""

Verdict = Literal["right", "partial", "wrong", "blank"]


@dataclass(frozen=True)
class QuizFeedback:
    """What the trainee is told after checking an answer (pure data, in one language)."""

    verdict: Verdict
    points: float
    max_points: float
    headline: str
    option_feedback: tuple[str, ...]
    key: str
    explanation: str


def _key_text(item: QuizItem, language: str) -> str:
    if item.answer_kind == "numeric":
        unit = f" {pick(item.unit, language, 'en')}" if item.unit else ""
        value = float(item.answer)  # type: ignore[arg-type]
        number = f"{value:g}".replace(".", "," if language == "ru" else ".")
        return f"{number}{unit}"
    return "; ".join(pick(item.option(o).text, language, "en") for o in item.option_ids if o in item.key_set)


def _points_of(value: float, language: str) -> str:
    """The maximum with its noun after "of" / «из»: "1 point", "2 points"; «1 балла», «2 баллов», «1,5 балла»
    (genitive: singular after 1, 21 ... and after a fraction, plural otherwise)."""
    number = number_text(value, language)
    if language == "ru":
        whole = float(value).is_integer()
        n = int(value)
        singular = not whole or (n % 10 == 1 and n % 100 != 11)
        return f"{number} {'балла' if singular else 'баллов'}"
    return f"{number} {'point' if float(value) == 1 else 'points'}"


def feedback_for(
    item: QuizItem,
    answer: Any,
    language: str,
    *,
    multi_select: Literal["partial", "all_or_nothing"] = "partial",
) -> QuizFeedback:
    """Grade ``answer`` and compose the feedback (``multi_select`` comes from ``rules.knowledge``)."""
    points, max_points = grade_item(item, answer, multi_select=multi_select)
    if is_blank(answer):
        verdict: Verdict = "blank"
    elif points >= max_points - EPSILON:
        verdict = "right"
    elif points > EPSILON:
        verdict = "partial"
    else:
        verdict = "wrong"
    chosen: list[str] = []
    if item.answer_kind != "numeric" and not is_blank(answer):
        chosen = [answer] if isinstance(answer, str) else list(answer)
    notes = []
    for option_id in chosen:
        option = item.option(option_id)
        if option.feedback:
            notes.append(f"{pick(option.text, language, 'en')}: {pick(option.feedback, language, 'en')}")
    headline = t(
        f"quiz.verdict_{verdict}",
        language,
        points=number_text(points, language),
        max=_points_of(max_points, language),
    )
    return QuizFeedback(
        verdict=verdict,
        points=points,
        max_points=max_points,
        headline=headline,
        option_feedback=tuple(notes),
        key=_key_text(item, language),
        explanation=pick(item.explanation, language, "en"),
    )


def _esc(text: str) -> str:
    return html.escape(text or "").replace("\n", "<br>")


class QuizItemView(W.VBox):
    """One item (see the module docstring). ``value`` restores an earlier answer (the exam after a reload)."""

    def __init__(
        self,
        item: QuizItem,
        language: str = "ru",
        *,
        mode: Literal["practice", "exam"] = "practice",
        value: Any = None,
        on_change: Callable[[str, Any], None] | None = None,
        number: int | None = None,
        multi_select: Literal["partial", "all_or_nothing"] = "partial",
        guard: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None,
    ) -> None:
        super().__init__()
        self.item = item
        self.language = language
        self.mode = mode
        self.on_change = on_change
        self.multi_select = multi_select
        self._guard = guard or (lambda fn: fn)
        self._syncing = False
        self.add_class("sk-quiz")
        self.add_class(f"sk-item-{item.id}")
        kind = item.answer_kind
        header = []
        if item.scenario:
            header.append(f'<div class="sk-scenario">{_esc(pick(item.scenario, language, "en"))}</div>')
        prefix = f"{number}. " if number is not None else ""
        critical = (
            f'<span class="sk-critical">{_esc(t("quiz.critical", language))}</span>'
            if item.critical and mode == "practice"
            else ""
        )
        header.append(
            f'<div class="sk-stem">{_esc(prefix + pick(item.stem, language, "en"))}{critical}</div>'
        )
        hint = {"single": "quiz.choose_one", "multi": "quiz.choose_all", "numeric": "quiz.enter_number"}[kind]
        header.append(f'<div class="sk-select-hint">{_esc(t(hint, language))}</div>')
        self.header = W.HTML("".join(header))
        self.feedback = W.HTML()
        self.feedback.add_class("sk-feedback")
        self.buttons: dict[str, W.ToggleButton] = {}
        if kind == "numeric":
            self.number = W.Text(
                value="" if value is None else str(value),
                placeholder=t("quiz.number_placeholder", language),
                continuous_update=False,
            )
            self.number.add_class("sk-numeric")
            self.number.observe(self._changed, names="value")
            unit = W.HTML(_esc(pick(item.unit, language, "en")) if item.unit else "")
            answer_box: W.Widget = W.HBox([self.number, unit])
        else:
            chosen = set([value] if isinstance(value, str) else (value or []))
            for option in item.options:
                button = W.ToggleButton(
                    value=option.id in chosen, layout=W.Layout(width="100%", height="auto")
                )
                button.add_class("sk-option")
                button.add_class(f"sk-option-{option.id}")
                button.observe(lambda change, o=option.id: self._toggled(o, change), names="value")
                self.buttons[option.id] = button
            self._relabel()
            answer_box = W.VBox(list(self.buttons.values()))
        children: list[W.Widget] = [self.header, answer_box]
        if mode == "practice":
            check = W.Button(description=t("quiz.check", language), button_style="primary")
            check.add_class("sk-check")
            check.on_click(self._guard(lambda _: self.check()))
            children += [check, self.feedback]
        self.children = children

    # --- the answer --------------------------------------------------------------------------------------
    @property
    def value(self) -> Any:
        """The answer as grading takes it: an option id, a list of option ids, or the typed number (text)."""
        kind = self.item.answer_kind
        if kind == "numeric":
            return self.number.value.strip() or None
        chosen = [o for o, b in self.buttons.items() if b.value]
        if kind == "single":
            return chosen[0] if chosen else None
        return chosen or None

    def _relabel(self) -> None:
        single = self.item.answer_kind == "single"
        for option in self.item.options:
            button = self.buttons[option.id]
            mark = ("●" if button.value else "○") if single else ("☑" if button.value else "☐")
            button.description = f"{mark}  {pick(option.text, self.language, 'en')}"

    def _toggled(self, option_id: str, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            if self.item.answer_kind == "single" and change["new"]:
                for other, button in self.buttons.items():
                    if other != option_id and button.value:
                        button.value = False
            self._relabel()
        finally:
            self._syncing = False
        self._emit()

    def _changed(self, change: dict[str, Any]) -> None:
        if not self._syncing:
            self._emit()

    def _emit(self) -> None:
        self.feedback.value = ""
        if self.on_change is not None:
            self._guard(self.on_change)(self.item.id, self.value)

    # --- practice: checking --------------------------------------------------------------------------------
    def check(self) -> QuizFeedback:
        """Grade the current answer and show the feedback."""
        fb = feedback_for(self.item, self.value, self.language, multi_select=self.multi_select)
        parts = [f"<div><b>{_esc(fb.headline)}</b></div>"]
        for note in fb.option_feedback:
            parts.append(f"<div>• {_esc(note)}</div>")
        if fb.verdict != "right":
            parts.append(f"<div>{_esc(t('quiz.correct_answer', self.language))} <b>{_esc(fb.key)}</b></div>")
        parts.append(f"<div style='margin-top:6px'>{_esc(fb.explanation)}</div>")
        self.feedback.value = f'<div class="sk-feedback-box sk-feedback-{fb.verdict}">{"".join(parts)}</div>'
        return fb
