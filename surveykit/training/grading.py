"""Grading: pure functions from answers to points.

Rules (the configurable ones are read from ``rules.yaml``, section ``knowledge``):

* **single** (and scenario with ``select: single``): full points when the chosen option id is the key,
  else 0.
* **multi** (and scenario with ``select: multi``), ``multi_select: partial``::

      points * max(0, (right_selected - wrong_selected) / n_right)

  where ``n_right`` is the number of options in the key. Every correct tick earns ``1/n_right`` of the
  points, every wrong tick takes one share back, and the item never goes below 0 (so ticking every box
  earns nothing). ``multi_select: all_or_nothing``: full points only for exactly the key, else 0.
* **numeric**: full points when ``|answer - key| <= tolerance`` (plus 1e-9 for binary floating point,
  so a tolerance of 0.01 accepts 89.43 and 89.45 for 89.44), else 0. A decimal comma is accepted
  (``"89,44"``); text that is not a number earns 0.
* No answer (``None``, ``""``, ``[]``) earns 0.
* A **critical error** is choosing an option the bank marks ``harmful`` (only critical items have them):
  a breach of confidentiality, pressure on a respondent, falsification, a wrong skip... Leaving out a
  correct option of a critical item, or leaving it blank, only costs points: what fails the test is doing
  harm, not omitting something acceptable.
* The attempt's **score** is ``sum(points earned) / sum(points possible)`` over all items of the attempt
  (the LSMS cumulative score), never the mean of per-module or per-test percentages.
* The knowledge test is passed when ``score >= pass_score`` (with 1e-9 slack) and, if
  ``critical_hard_fail`` is on, no critical error was made.

An answer naming an option the item does not have is a programming error of the caller (the apps only
offer existing options) and raises ``ITEM_INVALID``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from surveykit.errors import ErrorCode, Location, TrainingError, did_you_mean
from surveykit.training.course import KnowledgeRules, LocalText, QuizItem, Rules

__all__ = [
    "AttemptResult",
    "ItemResult",
    "ModuleScore",
    "best_result",
    "grade_attempt",
    "grade_item",
    "harmful_chosen",
    "is_blank",
    "knowledge_shortfalls",
    "passes_knowledge",
]

MultiSelect = Literal["partial", "all_or_nothing"]

#: slack for comparing sums of float points with thresholds (e.g. 3 x 1/3 against 1)
EPSILON = 1e-9


def is_blank(answer: Any) -> bool:
    """``None``, an empty or blank string, or an empty collection: no answer was given."""
    if answer is None:
        return True
    if isinstance(answer, str):
        return not answer.strip()
    if isinstance(answer, list | tuple | set | frozenset):
        return len(answer) == 0
    return False


def _number(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float):
        return float(answer) if math.isfinite(answer) else None
    if isinstance(answer, str):
        text = answer.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            return None
        return value if math.isfinite(value) else None
    return None


def _invalid(item: QuizItem, detail: str, fix: str) -> TrainingError:
    return TrainingError(ErrorCode.ITEM_INVALID, Location(path=item.id), item=item.id, detail=detail, fix=fix)


def _selection(item: QuizItem, answer: Any) -> frozenset[str]:
    if isinstance(answer, str):
        chosen = [answer]
    elif isinstance(answer, list | tuple | set | frozenset) and all(isinstance(a, str) for a in answer):
        chosen = list(answer)
    else:
        raise _invalid(
            item, f"the answer {answer!r} is not a list of option ids", "Pass option ids as strings."
        )
    ids = item.option_ids
    for option_id in chosen:
        if option_id not in ids:
            raise _invalid(
                item,
                f"the answer names option '{option_id}', which the item does not have{did_you_mean(option_id, ids)}",
                f"Use one of: {', '.join(ids)}.",
            )
    return frozenset(chosen)


def grade_item(item: QuizItem, answer: Any, *, multi_select: MultiSelect = "partial") -> tuple[float, float]:
    """``(points, max_points)`` for one answer; the rules are stated in the module docstring.

    ``multi_select`` comes from ``rules.knowledge.multi_select``; :func:`grade_attempt` passes it on.
    """
    max_points = float(item.points)
    if is_blank(answer):
        return 0.0, max_points
    kind = item.answer_kind
    if kind == "numeric":
        value = _number(answer)
        if value is None:
            return 0.0, max_points
        key = float(item.answer)  # type: ignore[arg-type]  # checked by the model: numeric key
        tolerance = float(item.tolerance or 0.0)
        return (max_points if abs(value - key) <= tolerance + EPSILON else 0.0), max_points
    if kind == "single":
        if not isinstance(answer, str):
            raise _invalid(item, f"the answer {answer!r} is not one option id", "Pass the chosen option id.")
        _selection(item, answer)
        return (max_points if answer == item.answer else 0.0), max_points
    chosen = _selection(item, answer)
    key = item.key_set
    if multi_select == "all_or_nothing":
        return (max_points if chosen == key else 0.0), max_points
    right = len(chosen & key)
    wrong = len(chosen - key)
    return max(0.0, (right - wrong) / len(key)) * max_points, max_points


def harmful_chosen(item: QuizItem, answer: Any) -> tuple[str, ...]:
    """The harmful options among those chosen (a critical error when not empty), in option order."""
    if not item.harmful_ids or is_blank(answer) or item.answer_kind == "numeric":
        return ()
    chosen = _selection(item, answer)
    return tuple(o.id for o in item.options if o.harmful and o.id in chosen)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ItemResult(_Frozen):
    item_id: str
    module: str
    critical: bool
    answered: bool
    points: float
    max_points: float
    #: harmful options chosen: a critical error
    harmful: tuple[str, ...] = ()

    @property
    def full(self) -> bool:
        return self.points >= self.max_points - EPSILON


class ModuleScore(_Frozen):
    earned: float
    possible: float

    @property
    def score(self) -> float:
        return self.earned / self.possible if self.possible else 0.0


class AttemptResult(_Frozen):
    """The graded attempt: points, the cumulative score, critical errors, a per-module breakdown."""

    attempt_id: str | None = None
    #: the role whose exam blueprint was drawn (None: the common plan)
    role: str | None = None
    items: tuple[ItemResult, ...]
    earned: float
    possible: float
    #: critical items where a harmful option was chosen
    critical_errors: tuple[str, ...]
    by_module: dict[str, ModuleScore]

    @property
    def critical_missed(self) -> tuple[str, ...]:
        """The critical errors (the name of earlier versions, when a critical item without full points
        failed the test)."""
        return self.critical_errors

    @property
    def score(self) -> float:
        """Cumulative score = Σ points earned / Σ points possible (LSMS), 0..1."""
        return self.earned / self.possible if self.possible else 0.0


def grade_attempt(
    items: Sequence[QuizItem],
    answers: Mapping[str, Any],
    *,
    multi_select: MultiSelect = "partial",
    attempt_id: str | None = None,
    role: str | None = None,
) -> AttemptResult:
    """Grade every item of an attempt; an item without an answer earns 0.

    Raises ``ITEM_INVALID`` for an answer to an item that is not part of ``items``.
    """
    ids = [i.id for i in items]
    for item_id in answers:
        if item_id not in ids:
            raise TrainingError(
                ErrorCode.ITEM_INVALID,
                Location(path=str(item_id)),
                item=item_id,
                detail=f"answered, but not part of this attempt{did_you_mean(str(item_id), ids)}",
                fix="Grade an answer only together with the item it answers.",
            )
    results: list[ItemResult] = []
    by_module: dict[str, list[float]] = {}
    for item in items:
        answer = answers.get(item.id)
        points, max_points = grade_item(item, answer, multi_select=multi_select)
        results.append(
            ItemResult(
                item_id=item.id,
                module=item.module,
                critical=item.critical,
                answered=not is_blank(answer),
                points=points,
                max_points=max_points,
                harmful=harmful_chosen(item, answer) if item.critical else (),
            )
        )
        sums = by_module.setdefault(item.module, [0.0, 0.0])
        sums[0] += points
        sums[1] += max_points
    return AttemptResult(
        attempt_id=attempt_id,
        role=role,
        items=tuple(results),
        earned=sum(r.points for r in results),
        possible=sum(r.max_points for r in results),
        critical_errors=tuple(r.item_id for r in results if r.harmful),
        by_module={m: ModuleScore(earned=e, possible=p) for m, (e, p) in by_module.items()},
    )


def knowledge_shortfalls(result: AttemptResult, rules: Rules | KnowledgeRules) -> list[LocalText]:
    """Why ``result`` does not pass the knowledge test, in Russian and English; empty when it passes.
    Critical items are counted, not named by id: the exam result lists them by their text
    (:meth:`~surveykit.training.course.QuizItem.title`)."""
    knowledge = rules.knowledge if isinstance(rules, Rules) else rules
    reasons: list[LocalText] = []
    if result.score + EPSILON < knowledge.pass_score:
        reasons.append(
            {
                "ru": f"тест знаний: {_pct(result.score)} (нужно не менее {_pct(knowledge.pass_score)})",
                "en": f"knowledge test: {_pct(result.score)} (at least {_pct(knowledge.pass_score)} needed)",
            }
        )
    if knowledge.critical_hard_fail and result.critical_errors:
        count = len(result.critical_errors)
        reasons.append(
            {
                "ru": f"тест знаний: в критических вопросах выбран недопустимый ответ (вопросов: {count})",
                "en": f"knowledge test: a harmful answer was chosen in critical questions ({count})",
            }
        )
    return reasons


def passes_knowledge(result: AttemptResult, rules: Rules | KnowledgeRules) -> bool:
    """``score >= pass_score`` and, when ``critical_hard_fail`` is on, no critical error."""
    return not knowledge_shortfalls(result, rules)


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %"


def best_result(results: Iterable[AttemptResult], rules: Rules | KnowledgeRules) -> AttemptResult | None:
    """The best attempt: a passing one before a failing one, then the higher score."""
    pool = list(results)
    if not pool:
        return None
    return max(pool, key=lambda r: (passes_knowledge(r, rules), r.score))
