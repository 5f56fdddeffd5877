"""Uncertainty: Wilson intervals, the linearised standard error of S, and ranks that can be told apart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from surveykit.scoring import rate, wilson
from surveykit.scoring.demo import synthetic_sources

from .helpers import all_yes, audit, concat, premises, survey


def precise(profile):
    """The profile with 6 decimals and rounding only of published figures: no rounding noise in comparisons."""
    return profile.model_copy(
        update={"rounding": profile.rounding.model_copy(update={"decimals": 6, "mode": "published_only"})}
    )


def test_wilson_known_value():
    """Newcombe (1998), Statistics in Medicine 17:857, example 81/263: Wilson score 0.2553 to 0.3662."""
    lo, hi = wilson(np.array([81.0]), np.array([263.0]), 1.959963984540054)
    assert (round(lo[0], 4), round(hi[0], 4)) == (0.2553, 0.3662)
    # edges: 0 of 10 and 10 of 10 stay inside 0..1; no respondent -> no interval
    lo, hi = wilson(np.array([0.0, 10.0, 0.0]), np.array([10.0, 10.0, 0.0]), 1.96)
    assert lo[0] == 0 and 0.27 < hi[0] < 0.28 and hi[1] == 1 and np.isnan(lo[2])


def test_single_share_interval_and_se(nok):
    """5.3 = 188/200 = 94 %. Wilson 95 %: z^2/n = 3.8415/200 = 0.019207;
    centre = (0.94 + 0.009604) / 1.019207 = 0.931709; half = 1.96 * sqrt(0.94*0.06/200 + 3.8415/160000) / 1.019207
    = 1.96 * 0.017493 / 1.019207 = 0.033640 -> 0.898069 .. 0.965349 -> 89.81 .. 96.53.
    Linearised se = 100 * sqrt(p(1-p)/(n-1)) = 100 * sqrt(0.94 * 0.06 / 199) = 1.6835 -> 1.68."""
    sources = {
        "recipient_survey": survey("c1", "2025", 200, all_yes(200) | {"q15": {"yes": 188, "no": 12}}),
        "website_audit": audit("c1", "2025"),
        "premises_checklist": premises("c1", "2025"),
    }
    row = rate(nok, sources).row("c1")
    assert (row["5.3_lo"], row["5.3_hi"]) == (89.81, 96.53)
    assert row["5.3_se"] == 1.68
    # S depends on 5.3 only (everything else is 100 with no variance): se(S) = 0.5 / 5 * 1.6835 = 0.168 -> 0.17
    assert row["S_se"] == 0.17 and row["K5_se"] == pytest.approx(0.5 * 1.6835, abs=0.006)


def _reference_se(survey_frame: pd.DataFrame) -> float:
    """Linearisation written out per respondent (a direct, slow reference for one institution whose
    checklists are complete): S = 1/5 sum_k K_k, K_k = sum_i w_i P_i; z_r = sum_i (w_i / 5) dP_i/d(row r),
    dP/d(row r) = 100 * sum_c omega_c (y_rc - p_c a_rc) / N_c; Var(S) = n/(n-1) * sum_r z_r^2."""
    weights = {
        "1.3": 0.4,
        "2.3": 0.5,
        "3.3": 0.3,
        "4.1": 0.4,
        "4.2": 0.4,
        "4.3": 0.2,
        "5.1": 0.3,
        "5.2": 0.2,
        "5.3": 0.5,
    }
    channels = {
        "1.3": [("q2", "q1"), ("q4", "q3")],
        "2.3": [("q6", None)],
        "3.3": [("q8", "q7")],
        "4.1": [("q9", None)],
        "4.2": [("q10", None)],
        "4.3": [("q12", "q11")],
        "5.1": [("q13", None)],
        "5.2": [("q14", None)],
        "5.3": [("q15", None)],
    }
    n = len(survey_frame)
    z = np.zeros(n)
    for indicator, chans in channels.items():
        omega = 1.0 / len(chans)
        for question, filt in chans:
            answer = survey_frame[question].astype(object)
            a = answer.isin(["yes", "no"]).to_numpy()
            if filt is not None:
                a = a & (survey_frame[filt].astype(object) == "yes").to_numpy()
            y = a & (answer == "yes").to_numpy()
            p = y.sum() / a.sum()
            z += weights[indicator] / 5 * omega * 100 * (y - p * a) / a.sum()
    return float(np.sqrt(n / (n - 1) * (z**2).sum()))


def test_linearised_se_matches_a_direct_per_respondent_computation(nok):
    sources = synthetic_sources(1, 300, seed=3)
    reference = _reference_se(sources["recipient_survey"])
    rating = rate(precise(nok), sources)
    assert rating.table["S_se"].iloc[0] == pytest.approx(reference, rel=1e-6)


def test_linearised_se_agrees_with_a_bootstrap(nok):
    """Resample the respondents of one institution 400 times; each replicate is rated as its own institution
    in one call. The bootstrap SD of S and the linearised SE agree within 15 %."""
    rng = np.random.default_rng(11)
    base = synthetic_sources(1, 400, seed=5)
    frame = base["recipient_survey"]
    replicates = 400
    picks = rng.integers(0, len(frame), (replicates, len(frame))).ravel()
    boot = frame.iloc[picks].reset_index(drop=True)
    boot["institution_id"] = np.repeat([f"b{r:03d}" for r in range(replicates)], len(frame))
    ids = [f"b{r:03d}" for r in range(replicates)]

    def repeat(checklist: pd.DataFrame) -> pd.DataFrame:
        out = checklist.iloc[np.zeros(replicates, dtype=int)].reset_index(drop=True)
        out["institution_id"] = ids
        return out

    profile = precise(nok)
    linearised = rate(profile, base).table["S_se"].iloc[0]
    boot_rating = rate(
        profile,
        {
            "recipient_survey": boot,
            "website_audit": repeat(base["website_audit"]),
            "premises_checklist": repeat(base["premises_checklist"]),
        },
    )
    bootstrap_sd = boot_rating.table["S"].std(ddof=1)
    assert linearised == pytest.approx(bootstrap_sd, rel=0.15)


def test_correlated_answers_widen_the_interval(nok):
    """The same shares from respondents who answer everything alike (all yes or all no) give a larger SE
    than the same shares spread over different respondents: z_r sums a respondent's influences."""
    n = 200
    alike = all_yes(n) | {q: {"yes": 160, "no": 40} for q in ("q6", "q9", "q10", "q13", "q14", "q15")}
    mixed = survey("m", "2025", n, alike)
    for shift, q in enumerate(("q6", "q9", "q10", "q13", "q14", "q15")):  # rotate the "no" rows apart
        values = np.roll(mixed[q].astype(object).to_numpy(), 33 * shift)
        mixed[q] = pd.Categorical(values, categories=["yes", "no", "dk"])
    sources = {
        "recipient_survey": concat(survey("a", "2025", n, alike), mixed),
        "website_audit": concat(audit("a", "2025"), audit("m", "2025")),
        "premises_checklist": concat(premises("a", "2025"), premises("m", "2025")),
    }
    table = rate(precise(nok), sources).table.set_index("institution_id")
    assert table.loc["a", "S"] == pytest.approx(table.loc["m", "S"])
    assert table.loc["a", "S_se"] > 1.5 * table.loc["m", "S_se"]


def test_adjacent_ranks_distinguishable_flag(nok):
    """A (shares 90 %) vs B (60 %), 200 respondents each: far apart -> distinguishable.
    B vs C (59 %): z = (S_B - S_C) / sqrt(se_B^2 + se_C^2) is small -> not distinguishable."""
    share = {"A": 180, "B": 120, "C": 118}
    frames, audits, prem = [], [], []
    for name, yes in share.items():
        answers = all_yes(200) | {
            q: {"yes": yes, "no": 200 - yes} for q in ("q6", "q9", "q10", "q13", "q14", "q15")
        }
        frames.append(survey(name, "2025", 200, answers))
        audits.append(audit(name, "2025"))
        prem.append(premises(name, "2025"))
    rating = rate(
        nok,
        {
            "recipient_survey": concat(*frames),
            "website_audit": concat(*audits),
            "premises_checklist": concat(*prem),
        },
    )
    table = rating.table.set_index("institution_id")
    assert list(table["rank"]) == [1, 2, 3]
    assert bool(table.loc["A", "distinct_from_next"]) and table.loc["A", "z_next"] > 1.96
    assert not bool(table.loc["B", "distinct_from_next"]) and abs(table.loc["B", "z_next"]) < 1.96
    assert pd.isna(table.loc["C", "distinct_from_next"])  # the last place has no next


def test_confidence_level_is_configurable(nok):
    sources = {"recipient_survey": survey("c1", "2025", 100, all_yes(100) | {"q15": {"yes": 70, "no": 30}})}
    wide = nok.model_copy(update={"uncertainty": nok.uncertainty.model_copy(update={"confidence": 0.99})})
    r95, r99 = rate(nok, sources).row("c1"), rate(wide, sources).row("c1")
    assert r99["5.3_lo"] < r95["5.3_lo"] and r99["S_hi"] - r99["S_lo"] > r95["S_hi"] - r95["S_lo"]
