"""Hand-computed cases beyond A.3: empty denominators, missing sources, ties, variants, other profiles.

Every expected number is computed by hand in the test's docstring or comments (344n weights from A.2;
rounding 2 decimals half up at each level unless said otherwise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from surveykit.errors import ErrorCode
from surveykit.scoring import load_profile, rate

from .helpers import all_yes, audit, concat, premises, survey
from .test_worked_example import A3_ANSWERS, A3_PREMISES, a3_profile, a3_sources

FULL_PREMISES = None  # helpers.premises default: every item present


def full_sources(institution: str = "c1", period: str = "2025", n: int = 100, answers=None):
    """All filters and satisfaction items "yes", audit and premises complete: every indicator 100."""
    return {
        "recipient_survey": survey(institution, period, n, answers or all_yes(n)),
        "website_audit": audit(institution, period),
        "premises_checklist": premises(institution, period),
    }


def test_nobody_used_the_website_13_from_the_stand_only(nok):
    """q3 = no for all 100: the site channel of 1.3 is empty and dropped (policies.empty_channel: drop).
    1.3 = q2 share = 90/100 = 90.00 (not 0.5 * 90 = 45).
    K1 = 0.3 * 100 + 0.3 * 100 + 0.4 * 90 = 96.00."""
    answers = all_yes(100) | {"q2": {"yes": 90, "no": 10}, "q3": {"no": 100}, "q4": {}}
    rating = rate(nok, full_sources(answers=answers))
    row = rating.row("c1")
    assert row["1.3"] == 90.0
    assert row["K1"] == 96.0
    tidy = rating.indicators.set_index("id")
    assert tidy.loc["1.3", "status"] == "partial"
    assert tidy.loc["1.3/site", "status"] == "empty_denominator"
    info = rating.warnings[rating.warnings["indicator"] == "1.3"]
    assert list(info["severity"]) == ["info"] and "site" in info["message"].iloc[0]


def test_nobody_with_a_disability_k3_renormalised(nok):
    """q7 = no for all: 3.3 has an empty denominator; K3 is renormalised over 3.1 and 3.2 (A.3 checklists:
    3.1 = 40, 3.2 = 60): K3 = (0.3 * 40 + 0.4 * 60) / 0.7 = 36 / 0.7 = 51.428... = 51.43.
    S = (93.83 + 95 + 51.43 + 95.8 + 92.6) / 5 = 428.66 / 5 = 85.732 = 85.73."""
    answers = dict(A3_ANSWERS) | {"q7": {"no": 200}, "q8": {}}
    sources = a3_sources()
    sources["recipient_survey"] = survey("centre-1", "2025", 200, answers)
    rating = rate(a3_profile(nok), sources)
    row = rating.row("centre-1")
    assert np.isnan(row["3.3"])
    assert row["K3"] == 51.43
    assert row["S"] == 85.73
    assert (
        row["complete"] and row["status"] == "ranked"
    )  # a legitimate renormalisation, not an incomplete rating
    warning = rating.warnings[rating.warnings["indicator"] == "3.3"].iloc[0]
    assert warning["code"] == ErrorCode.INDICATOR_NO_DATA.code
    assert "q8" in warning["message"] and "renormalised" in warning["hint"]
    tidy = rating.indicators.set_index("id")
    # effective weights of 3.1 and 3.2 in S: 0.3/0.7/5 and 0.4/0.7/5
    assert tidy.loc["3.1", "weight_in_total"] == pytest.approx(0.3 / 0.7 / 5, abs=1e-6)
    assert tidy.loc["3.2", "weight_in_total"] == pytest.approx(0.4 / 0.7 / 5, abs=1e-6)


def test_empty_denominator_policies_zero_and_missing(nok):
    """Same data, other policies. on_empty: zero -> 3.3 = 0, K3 = 12 + 24 + 0 = 36.00.
    empty_denominator: missing -> K3 and S are left empty and the institution is not ranked."""
    answers = dict(A3_ANSWERS) | {"q7": {"no": 200}, "q8": {}}
    sources = a3_sources()
    sources["recipient_survey"] = survey("centre-1", "2025", 200, answers)
    zero = rate(a3_profile(nok).with_overrides({"3.3": {"on_empty": "zero"}}), sources).row("centre-1")
    assert zero["3.3"] == 0.0 and zero["K3"] == 36.0
    strict = a3_profile(nok).model_copy(
        update={"policies": nok.policies.model_copy(update={"empty_denominator": "missing"})}
    )
    row = rate(strict, sources).row("centre-1")
    assert np.isnan(row["K3"]) and np.isnan(row["S"])
    assert pd.isna(row["rank"]) and row["status"] == "not rated: total not computable"


def test_institution_without_interviews_is_listed_not_rated(nok):
    """c2 is in the institutions table and has an audit, but no interview: listed, not rated, warned."""
    sources = full_sources("c1")
    sources["website_audit"] = concat(audit("c1", "2025"), audit("c2", "2025"))
    institutions = pd.DataFrame({"institution_id": ["c1", "c2"], "name": ["Centre one", "Centre two"]})
    rating = rate(nok, sources, institutions=institutions)
    row = rating.row("c2")
    assert row["n_respondents"] == 0
    assert np.isnan(row["S"]) and pd.isna(row["rank"])
    assert row["status"] == "not rated: no interviews"
    assert row["1.1"] == 100.0  # checklist indicators are still shown
    assert rating.row("c1")["rank"] == 1 and rating.row("c1")["rank_of"] == 1
    warning = rating.warnings[rating.warnings["institution_id"] == "c2"].iloc[0]
    assert warning["code"] == ErrorCode.INDICATOR_NO_DATA.code and "Centre two" in warning["message"]
    # policy omit: not listed at all
    omit = nok.model_copy(update={"policies": nok.policies.model_copy(update={"no_interviews": "omit"})})
    assert list(rate(omit, sources, institutions=institutions).table["institution_id"]) == ["c1"]


def test_checklist_not_done_marks_incomplete_and_unranked(nok):
    """No premises row for c2: 2.1, 3.1 and 3.2 are missing. With all shares 100 (c2) the criteria are
    computed on what exists: K2 = 2.3 = 100, K3 = 3.3 = 100; S = 100 but incomplete and not ranked
    (policies.missing_source: not_ranked). compute_available ranks it (still incomplete); no_total leaves S empty."""
    sources = {
        "recipient_survey": concat(
            survey("c1", "2025", 50, all_yes(50)), survey("c2", "2025", 50, all_yes(50))
        ),
        "website_audit": concat(audit("c1", "2025"), audit("c2", "2025")),
        "premises_checklist": premises("c1", "2025", present=[]),  # c1: premises done, nothing present
    }
    rating = rate(nok, sources)
    c2 = rating.row("c2")
    assert np.isnan(c2["2.1"]) and c2["K2"] == 100.0 and c2["K3"] == 100.0 and c2["S"] == 100.0
    assert not c2["complete"] and pd.isna(c2["rank"]) and c2["status"] == "not ranked: incomplete"
    c1 = rating.row("c1")
    # c1: 2.1 = 0, K2 = 0.5 * 0 + 0.5 * 100 = 50; K3 = 0.3 * 0 + 0.4 * 0 + 0.3 * 100 = 30; S = (100+50+30+100+100)/5 = 76
    assert (c1["K2"], c1["K3"], c1["S"], c1["rank"]) == (50.0, 30.0, 76.0, 1)
    warning = rating.warnings[(rating.warnings["institution_id"] == "c2")].iloc[0]
    assert warning["indicator"] == "2.1, 3.1, 3.2" and "premises" in warning["message"]
    assert "not ranked" in warning["hint"]
    assert rating.regional["n_organisations"].tolist() == [1]  # regional means over complete totals only

    available = nok.model_copy(
        update={"policies": nok.policies.model_copy(update={"missing_source": "compute_available"})}
    )
    ranked = rate(available, sources)
    assert ranked.row("c2")["rank"] == 1 and not ranked.row("c2")["complete"]
    no_total = nok.model_copy(
        update={"policies": nok.policies.model_copy(update={"missing_source": "no_total"})}
    )
    assert np.isnan(rate(no_total, sources).row("c2")["S"])


def test_a_source_missing_entirely_counts_as_not_done(nok):
    rating = rate(nok, {"recipient_survey": survey("c1", "2025", 40, all_yes(40))})
    row = rating.row("c1")
    assert row["status"] == "not ranked: incomplete"
    # K1 from 1.3 only, K2 from 2.3, K3 from 3.3: all 100
    assert (row["K1"], row["K2"], row["K3"], row["S"]) == (100.0, 100.0, 100.0, 100.0)


def test_dk_heavy_institution(nok):
    """q15: 10 yes, 5 no, 85 dk: dk is never in the denominator, 5.3 = 10/15 = 66.666... = 66.67.
    The cell (15 respondents) is below min_cell_size 20 here: flagged small, an info warning."""
    answers = all_yes(100) | {"q15": {"yes": 10, "no": 5, "dk": 85}}
    rating = rate(nok, full_sources(answers=answers), min_cell_size=20)
    row = rating.row("c1")
    assert row["5.3"] == 66.67 and (row["5.3_num"], row["5.3_den"]) == (10, 15)
    # K5 = 0.3 * 100 + 0.2 * 100 + 0.5 * 66.67 = 30 + 20 + 33.335 = 83.335 -> 83.34 (half up)
    assert row["K5"] == 83.34
    assert rating.indicators.set_index("id").loc["5.3", "small_cell"]
    small = rating.warnings[(rating.warnings["indicator"] == "5.3") & (rating.warnings["code"] == "SK604")]
    assert len(small) == 1 and small.iloc[0]["severity"] == "info"


def test_ties_and_the_tie_rule(nok):
    """Four institutions, all checklists complete, all answers "yes" except:
    A (n=200): q15 180 yes / 20 no -> 5.3 = 90, K5 = 0.3*100 + 0.2*100 + 0.5*90 = 95, S = (4*100 + 95)/5 = 99
    B (n=200): q9 175 yes / 25 no  -> 4.1 = 87.5, K4 = 0.4*87.5 + 0.4*100 + 0.2*100 = 95, K5 = 100, S = 99
    C (n=400): q9 350 / 50         -> 4.1 = 87.5, K4 = 95, K5 = 100, S = 99
    D (n=400): same as C.
    Equal S; tie rule K5 then respondents: C and D share place 1 (equal K5 and n), B is 3rd (K5 = 100 but
    fewer respondents), A 4th (lower K5)."""
    frames = {
        "A": survey("A", "2025", 200, all_yes(200) | {"q15": {"yes": 180, "no": 20}}),
        "B": survey("B", "2025", 200, all_yes(200) | {"q9": {"yes": 175, "no": 25}}),
        "C": survey("C", "2025", 400, all_yes(400) | {"q9": {"yes": 350, "no": 50}}),
        "D": survey("D", "2025", 400, all_yes(400) | {"q9": {"yes": 350, "no": 50}}),
    }
    sources = {
        "recipient_survey": concat(*frames.values()),
        "website_audit": concat(*[audit(k, "2025") for k in frames]),
        "premises_checklist": concat(*[premises(k, "2025") for k in frames]),
    }
    rating = rate(nok, sources)
    table = rating.table.set_index("institution_id")
    assert table["S"].tolist() == [99.0] * 4
    assert table.loc[["A", "B", "C", "D"], "rank"].tolist() == [4, 3, 1, 1]
    assert table.loc["A", "rank_note"] == "tie on S broken by K5"
    assert table.loc["B", "rank_note"] == "tie on S broken by n_respondents"
    assert table.loc["C", "rank_note"].startswith("shared place")
    # equal totals are never statistically distinguishable
    assert not bool(table.loc["C", "distinct_from_next"])


def test_k2_variant_switch(nok):
    """Variant k2_with_waiting_time: K2 = 0.3 * 2.1 + 0.4 * 2.2 + 0.3 * 2.3 with 2.2 = q5 share.
    A.3 data plus q5 = 150 yes / 50 no (75): K2 = 0.3*100 + 0.4*75 + 0.3*90 = 30 + 30 + 27 = 87.00;
    S = (93.83 + 87 + 60 + 95.8 + 92.6) / 5 = 429.23 / 5 = 85.846 = 85.85."""
    variant = load_profile("ru_nok_344n_2018", variant="k2_with_waiting_time")
    assert variant.variant == "k2_with_waiting_time"
    sources = a3_sources()
    sources["recipient_survey"] = survey(
        "centre-1", "2025", 200, dict(A3_ANSWERS) | {"q5": {"yes": 150, "no": 50}}
    )
    row = rate(a3_profile(variant), sources).row("centre-1")
    assert (row["2.2"], row["K2"], row["S"]) == (75.0, 87.0, 85.85)
    # the default profile does not compute 2.2 at all
    assert "2.2" not in rate(a3_profile(nok), sources).table.columns


def test_391a_minmax_normalisation():
    """391a (reconstructed): k10 = (k - k_min) / (k_max - k_min) * 10, mirrored for waiting days; criteria are
    sums of significance/10 * k10. A and B: every share 100 -> 10 points; site 16/16 -> O2 = 10;
    3 working channels -> O3 = 3/4 * 10 = 7.5; all 5 accessibility items -> C2 = 10.
    A: busgov 0.8 -> O1 = 8; 5 waiting days. B: busgov 0.8; 15 days; q15 90 % -> U1 = 9.
    Waiting days with observed bounds (best 5, worst 15): A W1 = (15-5)/(15-5)*10 = 10, B W1 = 0.
    A: O = 0.7*8 + 0.7*10 + 0.8*7.5 + 0.8*10 = 26.6; C = 0.8*10 + 0.6*10 = 14; W = 0.7*10 + 0.8*10 = 15;
       P = 0.8*10 + 0.8*10 = 16; U = 1.0*10 + 0.8*10 = 18; total = 89.6.
    B: W = 0 + 8 = 8; U = 9 + 8 = 17; total = 26.6 + 14 + 8 + 16 + 17 = 81.6."""
    profile = load_profile("ru_nok_391a_2013")
    assert profile.max_total == 93.0
    sources = {
        "recipient_survey": concat(
            survey("A", "2014", 100, all_yes(100)),
            survey("B", "2014", 100, all_yes(100) | {"q15": {"yes": 90, "no": 10}}),
        ),
        "website_audit": concat(
            audit("A", "2014", remote_functioning=3), audit("B", "2014", remote_functioning=3)
        ),
        "premises_checklist": concat(premises("A", "2014"), premises("B", "2014")),
        "admin_indicators": pd.DataFrame(
            {
                "institution_id": ["A", "B"],
                "period": ["2014", "2014"],
                "busgov_rating": [0.8, 0.8],
                "mean_wait_days": [5.0, 15.0],
            }
        ),
    }
    rating = rate(profile, sources)
    a, b = rating.row("A"), rating.row("B")
    assert (a["O1"], a["O2"], a["O3"], a["W1"], b["W1"], b["U1"]) == (8.0, 10.0, 7.5, 10.0, 0.0, 9.0)
    assert (a["O"], a["C"], a["W"], a["P"], a["U"]) == (26.6, 14.0, 15.0, 16.0, 18.0)
    assert a["S"] == 89.6 and b["S"] == 81.6
    assert (a["rank"], b["rank"]) == (1, 2)
    # without the admin table: O1 and W1 are missing; the criteria are renormalised (weighted sums keep their
    # scale: O = (0.7*10 + 0.8*7.5 + 0.8*10) * 3.0 / 2.3) and the rating is ranked but incomplete
    # (compute_available in this profile)
    del sources["admin_indicators"]
    row = rate(profile, sources).row("A")
    assert row["O"] == pytest.approx((7 + 6 + 8) * 3.0 / 2.3, abs=0.005)
    assert row["rank"] == 1 and not row["complete"]


def test_user_defined_ukrainian_profile():
    """ua_904_compliance (a council's profile, no code):
    ACC1 ordinal over 6 site items: 01 present 2, 02 outdated 1, 03 absent 0, 05 present 2,
         08 not_applicable (not rated), 15 present 2 -> 7 of 5*2 = 10 points -> 70.00
    ACC2 remote: phone functioning 2, e-mail not_functioning 1, e-service absent 0 -> 3/6 -> 50.00
    ACC  = 0.6*70 + 0.4*50 = 62.00
    RSP1 q10 45/50 = 90; RSP2 q15 40/50 = 80; RSP = 85.00
    EFF1 outcome ratio 29 of 81 = 35.802... = 35.80
    S    = 0.3*62 + 0.4*85 + 0.3*35.80 = 18.6 + 34 + 10.74 = 63.34 -> band "partly meets" (60..85)."""
    profile = load_profile("ua_904_compliance")
    status = {
        "site_info_01": "present",
        "site_info_02": "outdated",
        "site_info_03": "absent",
        "site_info_05": "present",
        "site_info_08": "not_applicable",
        "site_info_15": "present",
        "remote_phone": "functioning",
        "remote_email": "not_functioning",
        "remote_eservice": "absent",
    }
    sources = {
        "recipient_survey": survey(
            "k1", "2025", 50, {"q10": {"yes": 45, "no": 5}, "q15": {"yes": 40, "no": 10}}
        ),
        "website_audit": audit("k1", "2025", status=status),
        "outcomes": pd.DataFrame(
            {"institution_id": ["k1"], "period": [2025], "clients_total": [81], "clients_goal_achieved": [29]}
        ),
    }
    rating = rate(profile, sources)
    row = rating.row("k1", "2025")
    assert (row["ACC1"], row["ACC2"], row["ACC"]) == (70.0, 50.0, 62.0)
    assert (row["RSP"], row["EFF1"], row["S"]) == (85.0, 35.80, 63.34)
    assert (row["EFF1_num"], row["EFF1_den"]) == (29, 81)
    assert row["band_en"] == "partly meets the standard" and row["band_uk"] == "частково відповідає"
    findings = rating.findings.set_index("item")
    assert findings.loc["site_info_02", "status"] == "outdated"
    assert findings.loc["remote_email", "answer"] == "not_functioning"


def test_outcome_ratio_29_of_81():
    """outcome_ratio = 29 / 81 * 100 = 35.8024... -> 35.80, also from per-client 0/1 rows."""
    from surveykit.scoring.indicators import Context, outcome_ratio
    from surveykit.scoring.profile import OutcomeRatio

    spec = OutcomeRatio(type="outcome_ratio", numerator="employed", denominator="client")
    frame = pd.DataFrame({"employed": [1] * 29 + [0] * 52, "client": [1] * 81})
    ctx = Context(n_groups=1, rows=np.array([81.0]), group_period=np.array([0]), sampled=False)
    result = outcome_ratio(spec, frame, np.zeros(81, dtype=np.int64), ctx)
    assert round(result.value[0], 2) == 35.80 and (result.num[0], result.den[0]) == (29, 81)


def test_bulgarian_profile_with_staff_scales():
    """bg_quality_2022 with a small staff questionnaire declaring the three scales the profile names
    (points 1..5, dk missing): conditions = s1, s2, s3 (s3 reversed, min_valid 2); relations = s4, s5;
    development = s6.
    staff r1: s1=5 s2=4 s3=2 (reversed 4) -> (5+4+4)/3 = 4.333 -> (4.333-1)/4*100 = 83.333
              s4=3 s5=dk -> 3 -> 50;  s6=4 -> 75
    staff r2: s1=3 s2=dk s3=4 (reversed 2) -> 2.5 -> 37.5 (2 valid items >= min_valid 2)
              s4=5 s5=4 -> 4.5 -> 87.5;  s6=2 -> 25
    STF1 = (83.333 + 37.5)/2 = 60.4167 -> 60.42; STF2 = (50 + 87.5)/2 = 68.75; STF3 = (75 + 25)/2 = 50
    STF  = 0.35*60.42 + 0.35*68.75 + 0.3*50 = 21.147 + 24.0625 + 15 = 60.2095 -> 60.21
    RES  = 0.5*90 (q15) + 0.25*80 (q6) + 0.25*100 (q10) = 90.00; MAT1 = 7 of 10 items * 10 = 70.00
    S    = 0.5*90 + 0.2*70 + 0.3*60.21 = 45 + 14 + 18.063 = 77.063 -> 77.06."""
    from surveykit.questionnaire.model import Questionnaire

    staff_q = Questionnaire.model_validate(
        {
            "id": "staff_survey",
            "version": "1",
            "title": {"en": "Staff"},
            "languages": ["en"],
            "default_language": "en",
            "choice_lists": {
                "agree5": [{"name": str(i), "value": i} for i in range(1, 6)]
                + [{"name": "dk", "value": 98, "missing": True}]
            },
            "items": [
                {"code": f"s{i}", "type": "likert", "choices": "agree5", "label": f"item {i}"}
                for i in range(1, 7)
            ],
            "scales": {
                "conditions": {"items": ["s1", "s2", "s3"], "reverse": ["s3"], "min_valid": 2},
                "relations": {"items": ["s4", "s5"], "min_valid": 1},
                "development": {"items": ["s6"], "min_valid": 1},
            },
        }
    )
    profile = load_profile("bg_quality_2022", questionnaires=[staff_q])
    cats = ["1", "2", "3", "4", "5", "dk"]
    answers = [["5", "3"], ["4", "dk"], ["2", "4"], ["3", "5"], ["dk", "4"], ["4", "2"]]
    staff = pd.DataFrame(
        {
            "institution_id": ["b1", "b1"],
            "period": ["2025", "2025"],
            **{
                f"s{i}": pd.Categorical(v, categories=cats) for i, v in zip(range(1, 7), answers, strict=True)
            },
        }
    )
    present = [
        "comfort_waiting_area",
        "comfort_sanitary",
        "comfort_clean",
        "acc_entrance",
        "acc_lifts_handrails",
        "acc_sanitary",
        "acc_parking",
    ]
    sources = {
        "recipient_survey": survey(
            "b1", "2025", 50, {"q15": {"yes": 45, "no": 5}, "q6": {"yes": 40, "no": 10}, "q10": {"yes": 50}}
        ),
        "premises_checklist": premises("b1", "2025", present),
        "staff_survey": staff,
    }
    rating = rate(profile, sources, questionnaires=[staff_q])
    row = rating.row("b1")
    assert (row["STF1"], row["STF2"], row["STF3"], row["STF"]) == (60.42, 68.75, 50.0, 60.21)
    assert (row["RES"], row["MAT1"], row["S"]) == (90.0, 70.0, 77.06)
    assert row["STF1_den"] == 2  # staff with a scale score
    assert row["S_se"] > 0  # staff and recipients: two independent samples, both add variance
    # without the staff survey: incomplete, not ranked
    del sources["staff_survey"]
    assert rate(profile, sources, questionnaires=[staff_q]).row("b1")["status"] == "not ranked: incomplete"
    # without the questionnaire the scale names cannot be resolved: one clear error
    from surveykit.errors import MethodologyError

    with pytest.raises(MethodologyError, match="scale conditions"):
        rate(load_profile("bg_quality_2022"), sources | {"staff_survey": staff})


def test_latest_checklist_row_counts(nok):
    """Two audits of c1 in 2025: the later one (all present) counts; the earlier (nothing present) is ignored."""
    sources = full_sources()
    sources["website_audit"] = concat(
        audit("c1", "2025", submitted_at="2025-06-01"),
        audit("c1", "2025", site_present=0, stand_present=0, remote_functioning=0, submitted_at="2025-02-01"),
    )
    rating = rate(nok, sources)
    assert rating.row("c1")["1.1"] == 100.0 and rating.row("c1")["1.2"] == 100.0
    info = rating.warnings[rating.warnings["code"] == ErrorCode.FIELD_INVALID.code]
    assert len(info) == 1 and "latest" in info.iloc[0]["message"]


def test_sample_rule_warning_with_numbers(nok):
    """[R] 40 % of recipients, at most 600, at least 30 [P]: 500 recipients -> 200 needed; 150 interviewed."""
    assert [nok.sample.required(r) for r in (None, 20, 50, 500, 5000)] == [30, 20, 30, 200, 600]
    sources = full_sources(n=150)
    institutions = pd.DataFrame({"institution_id": ["c1"], "recipients": [500]})
    rating = rate(nok, sources, institutions=institutions)
    row = rating.row("c1")
    assert (row["n_respondents"], row["n_required"], bool(row["sample_ok"])) == (150, 200, False)
    assert row["status"] == "ranked"  # a warning, not an exclusion
    warning = rating.warnings[rating.warnings["code"] == ErrorCode.SAMPLE_TOO_SMALL.code].iloc[0]
    assert "150 respondents, below the minimum of 200" in warning["message"]


def test_change_since_previous_period_and_previous_rating(nok):
    """2024: q15 80 % -> K5 = 30 + 20 + 40 = 90, S = 98; 2025: all 100 -> S = 100, change +2.00."""
    sources = {
        "recipient_survey": concat(
            survey("c1", "2024", 100, all_yes(100) | {"q15": {"yes": 80, "no": 20}}),
            survey("c1", "2025", 100, all_yes(100)),
        ),
        "website_audit": concat(audit("c1", "2024"), audit("c1", "2025")),
        "premises_checklist": concat(premises("c1", "2024"), premises("c1", "2025")),
    }
    rating = rate(nok, sources, periods=["2025"])
    row = rating.row("c1")
    assert list(rating.table["period"]) == ["2025"]
    assert (row["previous_period"], row["change_S"], row["change_K5"]) == ("2024", 2.0, 10.0)
    # the same from a previous Rating object
    earlier = rate(nok, sources, periods=["2024"])
    later = rate(nok, {k: v[v["period"] == "2025"] for k, v in sources.items()}, previous=earlier)
    assert later.row("c1")["change_S"] == 2.0


def test_bands_flags_and_regional_means(nok):
    profile = nok.model_copy(update={"bands": nok.bands.model_copy(update={"enabled": True})})
    rating = rate(a3_profile(profile), a3_sources())
    row = rating.row("centre-1")
    assert (row["band_ru"], row["band_en"]) == ("хорошо", "good")  # 87.45 in 80..89.99
    # thresholds [P]: good practice >= 95, needs improvement < 80
    assert row["good_practice"].split(", ")[:2] == ["K2", "K4"]
    assert row["needs_improvement"] == "K3, 3.1, 3.2"
    regional = rating.regional.iloc[0]
    assert (regional["n_organisations"], regional["S"], regional["K3"]) == (1, 87.45, 60.0)


def test_rounding_half_up():
    from surveykit.scoring import round_half_up

    assert round_half_up(87.445, 2) == 87.45
    assert round_half_up(78.125, 2) == 78.13
    assert round_half_up(2.675, 2) == 2.68  # the binary float is 2.67499999...
    assert round_half_up(-1.005, 2) == -1.01
    assert np.isnan(round_half_up(np.nan, 2))


def test_a3_premises_absent_items_in_findings(nok):
    rating = rate(a3_profile(nok), a3_sources())
    absent = rating.findings[(rating.findings["indicator"] == "3.1")]
    assert set(absent["item"]) == {"acc_lifts_handrails", "acc_wheelchairs", "acc_sanitary"}
    assert set(absent["status"]) == {"absent"}
    assert "сменные кресла-коляски" in set(absent["label_ru"])
    assert set(A3_PREMISES) & set(rating.findings["item"]) == set()


def test_rows_without_keys_and_unknown_periods_are_reported(nok):
    frame = survey("c1", "2025", 40, all_yes(40))
    frame.loc[0, "institution_id"] = None
    rating = rate(nok, {"recipient_survey": frame, "extra": frame}, periods=["2025", "2030"])
    assert rating.row("c1")["n_respondents"] == 39
    general = rating.warnings[rating.warnings["institution_id"].isna()]
    assert set(general["code"]) == {ErrorCode.IMPORT_VALUE_INVALID.code, ErrorCode.INDICATOR_NO_DATA.code}
    text = " ".join(general["message"])
    assert "1 row(s) of recipient_survey" in text and "period 2030" in text and "'extra'" in text
