"""Mock certification interview: scoring the 12-item checklist (methodology C.3 item 3).

Each checklist item is scored on the checklist's scale (0 wrong, 1 minor slip, 2 correct). The pass rule
comes from ``rules.yaml`` (``mock_interview``):

* ``mode: standard`` — every critical item scores at least ``critical_min_score`` (2) **and** the total is
  at least ``min_total`` (20 of 24);
* ``mode: strict`` — every item scores the top of the scale (Kennesaw's "without errors").
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from surveykit.errors import ErrorCode, Location, Report, TrainingError, did_you_mean
from surveykit.training.course import LocalText, MockChecklist, MockRules, Rules

__all__ = ["MockResult", "mock_shortfalls", "score_mock"]


class MockResult(BaseModel):
    """The scored mock interview."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scores: dict[str, int]
    total: int
    max_total: int
    critical_failures: tuple[str, ...]
    mode: str
    passed: bool


def _check_scores(scores: Mapping[str, int], checklist: MockChecklist) -> None:
    report = Report(subject="mock interview scores")
    ids = [i.id for i in checklist.items]
    for item_id, score in scores.items():
        where = Location(path=str(item_id))
        if item_id not in ids:
            report.add(
                ErrorCode.ITEM_INVALID,
                where,
                item=item_id,
                detail=f"not a checklist item{did_you_mean(str(item_id), ids)}",
                fix=f"Use the checklist ids: {', '.join(ids)}.",
            )
        elif isinstance(score, bool) or not isinstance(score, int) or score not in checklist.scale:
            report.add(
                ErrorCode.ITEM_INVALID,
                where,
                item=item_id,
                detail=f"score {score!r} is not on the scale {list(checklist.scale)}",
                fix="Score 2 (correct), 1 (minor slip) or 0 (wrong).",
            )
    missing = [i for i in ids if i not in scores]
    if missing:
        report.add(
            ErrorCode.ITEM_INVALID,
            Location(path="mock interview"),
            item=", ".join(missing),
            detail="not scored",
            fix="Score every checklist item; a mock interview is judged on all of them.",
        )
    report.raise_if_errors(TrainingError)


def _verdict(
    scores: Mapping[str, int], checklist: MockChecklist, rules: MockRules
) -> tuple[tuple[str, ...], list[LocalText]]:
    """The one home of the pass rule: the failing items and the reasons (empty when passed)."""
    total = sum(scores.values())
    if rules.mode == "strict":
        failures = tuple(i.id for i in checklist.items if scores[i.id] < checklist.max_score)
    else:
        failures = tuple(
            i.id for i in checklist.items if i.critical and scores[i.id] < rules.critical_min_score
        )
    reasons: list[LocalText] = []
    if failures:
        names = {i.id: i.text for i in checklist.items}
        listed_ru = "; ".join(f"{names[i]['ru']} ({scores[i]})" for i in failures)
        listed_en = "; ".join(f"{names[i]['en']} ({scores[i]})" for i in failures)
        if rules.mode == "strict":
            reasons.append(
                {
                    "ru": f"пробное интервью (строгий режим): не все пункты на {checklist.max_score} — {listed_ru}",
                    "en": f"mock interview (strict mode): not every item at {checklist.max_score} — {listed_en}",
                }
            )
        else:
            reasons.append(
                {
                    "ru": f"пробное интервью: критические пункты ниже {rules.critical_min_score} — {listed_ru}",
                    "en": f"mock interview: critical items below {rules.critical_min_score} — {listed_en}",
                }
            )
    if rules.mode == "standard" and total < rules.min_total:
        reasons.append(
            {
                "ru": f"пробное интервью: {total} из {checklist.max_total} (нужно не менее {rules.min_total})",
                "en": f"mock interview: {total} of {checklist.max_total} (at least {rules.min_total} needed)",
            }
        )
    return failures, reasons


def score_mock(scores: Mapping[str, int], checklist: MockChecklist, rules: Rules | MockRules) -> MockResult:
    """Score a mock interview: every checklist item must be scored; raises ``ITEM_INVALID`` otherwise."""
    mock_rules = rules.mock_interview if isinstance(rules, Rules) else rules
    _check_scores(scores, checklist)
    ordered = {i.id: int(scores[i.id]) for i in checklist.items}
    failures, reasons = _verdict(ordered, checklist, mock_rules)
    return MockResult(
        scores=ordered,
        total=sum(ordered.values()),
        max_total=checklist.max_total,
        critical_failures=failures,
        mode=mock_rules.mode,
        passed=not reasons,
    )


def mock_shortfalls(
    result: MockResult, checklist: MockChecklist, rules: Rules | MockRules
) -> list[LocalText]:
    """Why the mock interview does not pass under the *current* rules, in Russian and English."""
    mock_rules = rules.mock_interview if isinstance(rules, Rules) else rules
    _check_scores(result.scores, checklist)
    return _verdict(result.scores, checklist, mock_rules)[1]
