"""Quality control of fieldwork: signals that send an interview or an interviewer to a human reviewer.

Following the methodology's part D.2 (AAPOR/ASA on falsification; thresholds are [P] defaults, arguments
here, never verdicts): a flag means "look at this", never "exclude this".

* **Too short**: an interview that took less than ``short_share`` (0.5) of the median duration of the same
  questionnaire and mode ("less than half the median completion time"); an interviewer is flagged when
  their share of such interviews is above the other interviewers' (+ ``z`` SE).
* **Filter avoidance** (AAPOR/ASA form 3: miscoding an answer to avoid follow-up questions): per interviewer,
  the share of answers to *filter questions* that skip their follow-ups, against the pooled share of all
  other interviewers; flagged above the pooled share plus ``z`` (2) standard errors. Filter questions are
  found from the questionnaire itself: those a relevance condition of another question depends on.
* **Straight-lining**: the share of an interviewer's interviews in which every answered yes/no opinion item
  (those feeding an indicator, when the questionnaire says so) has the same answer, against the pooled
  share (+ ``z`` SE).
* **Don't know**: per interviewer, the share of coded-missing answers against the pooled share (+ ``z`` SE).

Everything is vectorised over the interview frame; durations come from ``started_at``/``submitted_at``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from surveykit.questionnaire.compiled import Form

__all__ = ["QualityReport", "filter_questions", "quality_report"]


def filter_questions(form: Form) -> dict[str, set[str]]:
    """Filter questions and their follow-ups: ``{code: follow-up codes}``. A filter is a choice question that
    another question's own relevance depends on; questions with a constraint (consent: only one answer
    lets the interview go on) are gates, not filters, and are left out."""
    follow_ups: dict[str, set[str]] = {}
    for code, var in form.variables.items():
        if var.question.relevant is None:
            continue
        own = var.relevant[-1]
        for ref in own.references:
            ref_var = form.variables.get(ref)
            if (
                ref_var is not None
                and ref_var.choices
                and ref_var.repeat is None
                and ref_var.constraint is None
            ):
                follow_ups.setdefault(ref, set()).add(code)
    return follow_ups


def _substantive_yes_no(form: Form, columns) -> list[str]:
    """The yes/no opinion items: those feeding an indicator when the questionnaire says so, otherwise every
    yes/no question that is neither a filter nor a gate."""
    candidates = [
        v for v in form.variables_of(None) if v.code in columns and {"yes", "no"} <= set(v.choice_names)
    ]
    filters = filter_questions(form)
    pool = [v for v in candidates if v.code not in filters and v.constraint is None]
    scored = [v.code for v in pool if v.question.scoring is not None and v.question.scoring.indicators]
    return scored or [v.code for v in pool]


@dataclass
class QualityReport:
    interviews: pd.DataFrame  # interview_id, interviewer_id, minutes, median_minutes, too_short
    interviewers: pd.DataFrame  # per interviewer: counts, rates, pooled rates, flags

    def flagged_interviews(self) -> pd.DataFrame:
        return self.interviews[self.interviews["too_short"]]

    def flagged_interviewers(self) -> pd.DataFrame:
        flags = [c for c in self.interviewers.columns if c.startswith("flag_")]
        return self.interviewers[self.interviewers[flags].any(axis=1)]


def _pooled_flags(counts: pd.Series, totals: pd.Series, z: float) -> tuple[pd.Series, pd.Series]:
    """Each group's rate and whether it exceeds the rate of all *other* groups by more than z SE."""
    rate = counts / totals.where(totals > 0)
    others = (counts.sum() - counts) / (totals.sum() - totals).where(lambda t: t > 0)
    se = np.sqrt(others * (1 - others) / totals.where(totals > 0))
    return rate, (rate > others + z * se) & totals.gt(0)


def quality_report(
    form: Form,
    frame: pd.DataFrame,
    *,
    short_share: float = 0.5,
    z: float = 2.0,
) -> QualityReport:
    """Signals for review from a canonical interview frame (meta columns + answers) of one questionnaire."""
    data = frame.reset_index(drop=True)
    minutes = (
        pd.to_datetime(data["submitted_at"], utc=True) - pd.to_datetime(data["started_at"], utc=True)
    ).dt.total_seconds() / 60
    median = minutes.groupby(data["mode"].astype(str)).transform("median")
    interviews = pd.DataFrame(
        {
            "interview_id": data["interview_id"],
            "interviewer_id": data["interviewer_id"],
            "institution_id": data["institution_id"],
            "mode": data["mode"],
            "minutes": minutes.round(1),
            "median_minutes": median.round(1),
            "too_short": (minutes < short_share * median).fillna(False),
        }
    )
    who = data["interviewer_id"].astype(str)
    per = pd.DataFrame(index=pd.Index(sorted(who.unique()), name="interviewer_id"))
    per["interviews"] = who.value_counts()
    per["too_short"] = interviews.groupby(who)["too_short"].sum()

    # filter avoidance: an answer to a filter question that closes its follow-ups
    closes = np.zeros(len(data))
    answered = np.zeros(len(data))
    for code, follow in filter_questions(form).items():
        if code not in data.columns:
            continue
        asked = data[code].notna().to_numpy()
        opened = np.zeros(len(data), dtype=bool)
        for f in follow:
            if f in data.columns:
                opened |= data[f].notna().to_numpy()
        answered += asked
        closes += asked & ~opened
    per["filter_answers"] = pd.Series(answered).groupby(who).sum()
    per["filter_closed"] = pd.Series(closes).groupby(who).sum()
    per["filter_closed_rate"], per["flag_filter_avoidance"] = _pooled_flags(
        per["filter_closed"], per["filter_answers"], z
    )

    # straight-lining over the yes/no items; coded-missing answers (don't know)
    yes_no = _substantive_yes_no(form, data.columns)
    if yes_no:
        block = data[yes_no].astype(object)
        n_yes = (block == "yes").sum(axis=1)
        n_no = (block == "no").sum(axis=1)
        straight = ((n_yes == 0) | (n_no == 0)) & ((n_yes + n_no) >= 3)
    else:
        straight = pd.Series(False, index=data.index)
    per["straight_lined"] = straight.groupby(who).sum()
    per["straight_rate"], per["flag_straight_lining"] = _pooled_flags(
        per["straight_lined"], per["interviews"], z
    )
    missing_codes = {code: var.missing_names for code, var in form.variables.items() if var.missing_names}
    dk = np.zeros(len(data))
    total = np.zeros(len(data))
    for code, names in missing_codes.items():
        if code in data.columns:
            values = data[code].astype(object)
            total += values.notna().to_numpy()
            dk += values.isin(names).to_numpy()
    per["dont_know"] = pd.Series(dk).groupby(who).sum()
    per["dont_know_rate"], per["flag_dont_know"] = _pooled_flags(
        per["dont_know"], pd.Series(total).groupby(who).sum(), z
    )
    per["too_short_rate"], per["flag_too_short"] = _pooled_flags(per["too_short"], per["interviews"], z)
    return QualityReport(interviews=interviews, interviewers=per.reset_index())
