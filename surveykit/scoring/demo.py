"""Synthetic canonical frames for demos, tests and benchmarks (no real data, reproducible by seed).

The frames have the canonical shape of the questionnaires ``recipient_survey``, ``website_audit`` and
``premises_checklist``: one row per interview (or per audit), ``institution_id``, ``period``,
``interview_id``, ``interviewer_id``, ``submitted_at`` and one categorical column per question, with the
skip routing of the recipient survey (q2 only if q1 = yes, q4 if q3, q8 if q7, q12 if q11). Generation is
vectorised (categoricals built from integer codes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "AUDIT_REMOTE",
    "AUDIT_SITE",
    "AUDIT_STAND",
    "FILTERS",
    "PREMISES_ITEMS",
    "SATISFACTION",
    "synthetic_sources",
]

#: filter question -> the follow-up it routes to (recipient survey, A.4)
FILTERS = {"q1": "q2", "q3": "q4", "q7": "q8", "q11": "q12"}
#: satisfaction items (yes / no / dk)
SATISFACTION = ["q2", "q4", "q5", "q6", "q8", "q9", "q10", "q12", "q13", "q14", "q15"]
AUDIT_SITE = [f"site_info_{i:02d}" for i in range(1, 17)]
AUDIT_STAND = [f"stand_info_{i:02d}" for i in range(1, 17)]
AUDIT_REMOTE = [
    "remote_phone",
    "remote_email",
    "remote_eservice",
    "remote_faq",
    "remote_opinion",
    "remote_other",
]
PREMISES_ITEMS = [
    "comfort_waiting_area",
    "comfort_navigation",
    "comfort_water",
    "comfort_sanitary",
    "comfort_clean",
    "comfort_transport",
    "comfort_booking",
    "acc_entrance",
    "acc_parking",
    "acc_lifts_handrails",
    "acc_wheelchairs",
    "acc_sanitary",
    "svc_sound_visual",
    "svc_braille",
    "svc_sign_language",
    "svc_low_vision_site",
    "svc_escort",
    "svc_remote_home",
]
YES_NO = ["yes", "no"]
YES_NO_DK = ["yes", "no", "dk"]
AUDIT_STATUS = ["present", "outdated", "absent", "not_applicable"]
REMOTE_STATUS = ["functioning", "not_functioning", "absent"]


def _cat(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(categories))


def synthetic_sources(
    n_institutions: int = 100,
    n_interviews: int = 50_000,
    *,
    periods: Sequence[str] = ("2025",),
    seed: int = 0,
    dk_rate: float = 0.05,
) -> dict[str, pd.DataFrame]:
    """Frames for ``recipient_survey``, ``website_audit`` and ``premises_checklist``.

    Each institution has a quality level (share of "yes" around 0.6-0.98); each respondent a personal
    leaning, so a respondent's answers are correlated (as real answers are).
    """
    rng = np.random.default_rng(seed)
    ids = np.array([f"inst_{i:04d}" for i in range(n_institutions)], dtype=object)
    quality = rng.beta(8, 1.5, n_institutions) * 0.4 + 0.6
    inst = rng.integers(0, n_institutions, n_interviews)
    per = rng.integers(0, len(periods), n_interviews)
    leaning = rng.normal(0.0, 0.08, n_interviews)
    p_yes = np.clip(quality[inst] + leaning, 0.02, 0.995)
    columns: dict[str, object] = {
        "institution_id": pd.Categorical.from_codes(inst, categories=list(ids)),
        "period": pd.Categorical.from_codes(per, categories=list(periods)),
        "interview_id": np.arange(n_interviews),
        "interviewer_id": rng.integers(0, max(1, n_institutions // 2), n_interviews),
        "submitted_at": pd.Timestamp("2025-03-01")
        + pd.to_timedelta(rng.integers(0, 90 * 24 * 3600, n_interviews), unit="s"),
    }
    filter_p = {"q1": 0.6, "q3": 0.4, "q7": 0.25, "q11": 0.3}
    asked = {}
    for q, p in filter_p.items():
        yes = rng.random(n_interviews) < p
        columns[q] = _cat(np.where(yes, 0, 1), YES_NO)
        asked[FILTERS[q]] = yes
    for q in SATISFACTION:
        u = rng.random(n_interviews)
        codes = np.where(u < dk_rate, 2, np.where(rng.random(n_interviews) < p_yes, 0, 1))
        if q in asked:
            codes = np.where(asked[q], codes, -1)
        columns[q] = _cat(codes, YES_NO_DK)
    columns["sex"] = _cat(rng.integers(0, 2, n_interviews), ["female", "male"])
    columns["age_group"] = _cat(rng.integers(0, 4, n_interviews), ["18_39", "40_59", "60_74", "75_plus"])
    columns["service_form"] = _cat(
        rng.integers(0, 3, n_interviews), ["home", "semi_stationary", "stationary"]
    )
    columns["proxy_respondent"] = _cat(np.where(rng.random(n_interviews) < 0.1, 0, 1), YES_NO)
    columns["q16"] = pd.Series([None] * n_interviews, dtype=object)
    survey = pd.DataFrame(columns)

    pairs = [(i, p) for p in range(len(periods)) for i in range(n_institutions)]
    k = len(pairs)
    pi = np.array([i for i, _ in pairs])
    pp = np.array([p for _, p in pairs])
    q = quality[pi][:, None]

    def statuses(n_items: int, n_levels: int, p_top: np.ndarray) -> np.ndarray:
        u = rng.random((k, n_items))
        second = rng.integers(1, n_levels, (k, n_items))
        return np.where(u < p_top, 0, second)

    audit: dict[str, object] = {
        "institution_id": ids[pi],
        "period": np.array(periods, dtype=object)[pp],
        "interview_id": np.arange(k),
        "interviewer_id": 0,
        "submitted_at": pd.Timestamp("2025-04-01"),
    }
    site = statuses(len(AUDIT_SITE) + len(AUDIT_STAND), len(AUDIT_STATUS), q)
    for j, code in enumerate(AUDIT_SITE + AUDIT_STAND):
        audit[code] = _cat(site[:, j], AUDIT_STATUS)
    remote = statuses(len(AUDIT_REMOTE), len(REMOTE_STATUS), q * 0.8)
    for j, code in enumerate(AUDIT_REMOTE):
        audit[code] = _cat(remote[:, j], REMOTE_STATUS)
    premises: dict[str, object] = {
        "institution_id": ids[pi],
        "period": np.array(periods, dtype=object)[pp],
        "interview_id": np.arange(k),
        "interviewer_id": 0,
        "submitted_at": pd.Timestamp("2025-04-02"),
    }
    prem = statuses(len(PREMISES_ITEMS), 2, q * 0.7)
    for j, code in enumerate(PREMISES_ITEMS):
        premises[code] = _cat(prem[:, j], YES_NO)
    return {
        "recipient_survey": survey,
        "website_audit": pd.DataFrame(audit),
        "premises_checklist": pd.DataFrame(premises),
    }
