"""Helpers: the numbers that must never be shown (computed from the raw, unsuppressed rating)."""

from __future__ import annotations

import pandas as pd

from surveykit.scoring import load_profile, rate


def raw_rating(frames):
    institutions = frames["institutions"][["institution_id", "name", "region"]]
    sources = {
        k: v for k, v in frames.items() if k in ("recipient_survey", "website_audit", "premises_checklist")
    }
    return rate(load_profile(), sources, institutions=institutions)


def spellings(value: float) -> set[str]:
    """How a number can appear in a figure or a file: 83.33, 83,33, 83.3, 83,3."""
    out = set()
    for decimals in (1, 2):
        text = f"{value:.{decimals}f}"
        out |= {text, text.replace(".", ",")}
    return out


def secrets(frames, published, institution_id: str, period: str) -> set[str]:
    """Spellings of every withheld number of one institution and period that does not happen to equal a shown
    number (those could appear legitimately)."""
    raw = raw_rating(frames).indicators
    mask = (raw["institution_id"].astype(str) == institution_id) & (raw["period"].astype(str) == period)
    pub = published.indicators
    hidden = pub[
        (pub["institution_id"].astype(str) == institution_id) & (pub["period"].astype(str) == period)
    ]
    hidden_ids = set(hidden.loc[hidden["withheld"].astype(bool), "id"].astype(str))
    values = raw.loc[mask & raw["id"].astype(str).isin(hidden_ids), "value"].dropna().to_numpy(dtype=float)
    shown = pub.loc[~pub["withheld"].astype(bool), "value"].dropna().to_numpy(dtype=float)
    shown_text = set().union(*(spellings(v) for v in shown)) if len(shown) else set()
    out: set[str] = set()
    for value in values:
        if float(value).is_integer():  # 100, 50 ... appear on axes; they are checked through the counts
            continue
        out |= spellings(value) - shown_text
    return out


def table_text(frame: pd.DataFrame) -> str:
    return frame.astype(object).where(frame.notna(), "").to_csv(index=False)


def numbers_in(text: str, candidates: set[str]) -> set[str]:
    """The candidates found in ``text`` as whole numbers (not as part of a longer number)."""
    import re

    found = set()
    for candidate in candidates:
        if re.search(rf"(?<![\d.,]){re.escape(candidate)}(?![\d])", text):
            found.add(candidate)
    return found


__all__ = ["numbers_in", "raw_rating", "secrets", "spellings", "table_text"]
