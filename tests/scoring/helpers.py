"""Builders of small canonical frames from answer *counts*, so hand computations stay readable.

``column(n, yes=114, no=6)`` is 114 "yes", 6 "no" and n - 120 unanswered (NaN) rows, filled from the top:
filling every column from the top keeps the survey's skip routing (a follow-up is answered only in the rows
where its filter is "yes", because the filter's "yes" rows come first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from surveykit.scoring.demo import AUDIT_REMOTE, AUDIT_SITE, AUDIT_STAND, PREMISES_ITEMS

YES_NO = ["yes", "no"]
YES_NO_DK = ["yes", "no", "dk"]
FILTER_QUESTIONS = {"q1", "q3", "q7", "q11"}
SURVEY_QUESTIONS = [f"q{i}" for i in range(1, 16)]
AUDIT_STATUS = ["present", "outdated", "absent", "not_applicable"]
REMOTE_STATUS = ["functioning", "not_functioning", "absent"]


def column(n: int, **counts: int) -> list[str | None]:
    values: list[str | None] = []
    for name, count in counts.items():
        values += [name] * count
    assert len(values) <= n, f"{len(values)} answers for {n} rows"
    return values + [None] * (n - len(values))


def survey(institution: str, period: str, n: int, answers: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """n interviews; every question q1..q15 present (unlisted ones unanswered)."""
    data: dict[str, object] = {
        "institution_id": [institution] * n,
        "period": [period] * n,
        "interview_id": [f"{institution}-{period}-{i}" for i in range(n)],
        "interviewer_id": ["int-1"] * n,
        "submitted_at": pd.Timestamp("2025-05-01"),
    }
    for q in SURVEY_QUESTIONS:
        cats = YES_NO if q in FILTER_QUESTIONS else YES_NO_DK
        data[q] = pd.Categorical(column(n, **dict(answers.get(q, {}))), categories=cats)
    return pd.DataFrame(data)


def concat(*frames: pd.DataFrame) -> pd.DataFrame:
    """Concatenate frames keeping categorical columns categorical (same categories)."""
    out = pd.concat(frames, ignore_index=True)
    for name in frames[0].columns:
        if isinstance(frames[0][name].dtype, pd.CategoricalDtype):
            out[name] = pd.Categorical(out[name].astype(object), categories=frames[0][name].cat.categories)
    return out


def audit(
    institution: str,
    period: str,
    *,
    site_present: int | Sequence[str] = 16,
    stand_present: int | Sequence[str] = 16,
    remote_functioning: int = 6,
    site_items: Sequence[str] = AUDIT_SITE,
    stand_items: Sequence[str] = AUDIT_STAND,
    status: Mapping[str, str] | None = None,
    submitted_at: str = "2025-04-01",
) -> pd.DataFrame:
    """One audit row: the first ``*_present`` items present (or the named ones), the rest absent."""
    row: dict[str, object] = {
        "institution_id": institution,
        "period": period,
        "interview_id": f"audit-{institution}-{period}-{submitted_at}",
        "interviewer_id": "obs-1",
        "submitted_at": pd.Timestamp(submitted_at),
    }
    for items, present in ((site_items, site_present), (stand_items, stand_present)):
        chosen = set(items[:present]) if isinstance(present, int) else set(present)
        for code in items:
            row[code] = "present" if code in chosen else "absent"
    for j, code in enumerate(AUDIT_REMOTE):
        row[code] = "functioning" if j < remote_functioning else "absent"
    row.update(status or {})
    frame = pd.DataFrame([row])
    for code in [*site_items, *stand_items]:
        frame[code] = pd.Categorical(frame[code], categories=AUDIT_STATUS)
    for code in AUDIT_REMOTE:
        frame[code] = pd.Categorical(frame[code], categories=REMOTE_STATUS)
    return frame


def premises(institution: str, period: str, present: Sequence[str] = PREMISES_ITEMS) -> pd.DataFrame:
    row: dict[str, object] = {
        "institution_id": institution,
        "period": period,
        "interview_id": f"prem-{institution}-{period}",
        "interviewer_id": "obs-1",
        "submitted_at": pd.Timestamp("2025-04-02"),
    }
    for code in PREMISES_ITEMS:
        row[code] = "yes" if code in present else "no"
    frame = pd.DataFrame([row])
    for code in PREMISES_ITEMS:
        frame[code] = pd.Categorical(frame[code], categories=YES_NO)
    return frame


def all_yes(n: int) -> dict[str, dict[str, int]]:
    """Every filter "yes" and every satisfaction item "yes": all shares 100."""
    return {q: {"yes": n} for q in SURVEY_QUESTIONS}


def as_float(value: object) -> float:
    return float(np.asarray(value, dtype=float))
