"""``quality_report``: the four signals of the first supervisor view, now computed by :func:`run_checks`.

Kept for :mod:`surveykit.supervision` and the supervisor app, whose words cover exactly these flags
(too short, filter avoidance, straight-lining, don't know). New code uses :func:`run_checks`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from surveykit.quality.checks import run_checks
from surveykit.quality.rules import QualityRules, load_rules
from surveykit.questionnaire.compiled import Form

__all__ = ["QualityReport", "quality_report"]

_RULES = ("too_short", "filter_avoidance", "straight_lining", "dont_know")
_INTERVIEW_COLUMNS = ["interview_id", "interviewer_id", "institution_id", "mode", "minutes", "median_minutes",
                      "too_short"]  # fmt: skip
_INTERVIEWER_COLUMNS = [
    "interviewer_id", "interviews", "too_short", "too_short_rate", "flag_too_short", "filter_answers",
    "filter_closed", "filter_closed_rate", "flag_filter_avoidance", "straight_lined", "straight_rate",
    "flag_straight_lining", "dont_know", "dont_know_rate", "flag_dont_know",
]  # fmt: skip


@dataclass
class QualityReport:
    interviews: (
        pd.DataFrame
    )  # interview_id, interviewer_id, institution_id, mode, minutes, median_minutes, too_short
    interviewers: pd.DataFrame  # per interviewer: counts, rates, flags (flag_* columns)

    def flagged_interviews(self) -> pd.DataFrame:
        return self.interviews[self.interviews["too_short"]]

    def flagged_interviewers(self) -> pd.DataFrame:
        flags = [c for c in self.interviewers.columns if c.startswith("flag_")]
        return self.interviewers[self.interviewers[flags].any(axis=1)]


def quality_report(
    form: Form,
    frame: pd.DataFrame,
    *,
    short_share: float | None = None,
    z: float | None = None,
    rules: QualityRules | None = None,
) -> QualityReport:
    """Too-short interviews, and per interviewer the too-short, filter-avoidance, straight-lining and
    don't-know rates with their flags. ``short_share`` and ``z`` override the rules file."""
    rules = (rules or load_rules()).only(*_RULES)
    changes: dict = {}
    if short_share is not None:
        changes["too_short"] = {"share_of_median": short_share}
    if z is not None:
        changes["peers"] = {"z": z}
    if changes:
        rules = rules.with_changes(changes)
    result = run_checks(form, frame, rules)
    interviews = result.interviews.reindex(columns=_INTERVIEW_COLUMNS)
    interviews["too_short"] = interviews["too_short"].fillna(False).astype(bool)
    return QualityReport(
        interviews=interviews, interviewers=result.interviewers.reindex(columns=_INTERVIEWER_COLUMNS)
    )
