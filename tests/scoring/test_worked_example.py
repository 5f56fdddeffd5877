"""The worked example of the methodology (PART A.3), reproduced from synthetic interview and checklist rows.

Hand computation (344n, 2018 edition; rounding: 2 decimals at each level, half up):

    1.1  stand 18/20, site 40/45     0.5 * (0.9 + 0.8889) * 100         = 89.44
    1.2  four remote channels work   min(100, 4 * 30 = 120)              = 100
    1.3  stand 114/120, site 54/60   0.5 * (0.95 + 0.90) * 100          = 92.50
    K1   0.3 * 89.44 + 0.3 * 100 + 0.4 * 92.5 = 26.832 + 30 + 37        = 93.83
    2.1  five conditions             min(100, 5 * 20)                    = 100
    2.3  180/200                                                         = 90
    K2   0.5 * 100 + 0.5 * 90                                            = 95.00
    3.1  two items 2 * 20 = 40;  3.2 three items 3 * 20 = 60;  3.3 40/50 = 80
    K3   0.3 * 40 + 0.4 * 60 + 0.3 * 80 = 12 + 24 + 24                   = 60.00
    4.1  190/200 = 95;  4.2 194/200 = 97;  4.3 38/40 = 95
    K4   0.4 * 95 + 0.4 * 97 + 0.2 * 95 = 38 + 38.8 + 19                 = 95.80
    5.1  180/200 = 90;  5.2 186/200 = 93;  5.3 188/200 = 94
    K5   0.3 * 90 + 0.2 * 93 + 0.5 * 94 = 27 + 18.6 + 47                 = 92.60
    S    (93.83 + 95 + 60 + 95.8 + 92.6) / 5 = 437.23 / 5 = 87.446        = 87.45

The example's stand has 20 required items and the site 45; the shipped profile's audit has 16 per channel,
so 1.1 is given A.3's item lists through ``with_overrides`` (everything else is the shipped profile).
"""

from __future__ import annotations

import pytest

from surveykit.scoring.rating import rate

from .helpers import audit, premises, survey

STAND20 = [f"stand_item_{i:02d}" for i in range(1, 21)]
SITE45 = [f"site_item_{i:02d}" for i in range(1, 46)]

A3_ANSWERS = {
    "q1": {"yes": 120, "no": 80},
    "q2": {"yes": 114, "no": 6},
    "q3": {"yes": 60, "no": 140},
    "q4": {"yes": 54, "no": 6},
    "q6": {"yes": 180, "no": 20},
    "q7": {"yes": 50, "no": 150},
    "q8": {"yes": 40, "no": 10},
    "q9": {"yes": 190, "no": 10},
    "q10": {"yes": 194, "no": 6},
    "q11": {"yes": 40, "no": 160},
    "q12": {"yes": 38, "no": 2},
    "q13": {"yes": 180, "no": 20},
    "q14": {"yes": 186, "no": 14},
    "q15": {"yes": 188, "no": 12},
}
A3_PREMISES = [
    # 2.1: five of seven comfort conditions
    "comfort_waiting_area",
    "comfort_navigation",
    "comfort_water",
    "comfort_sanitary",
    "comfort_clean",
    # 3.1: two of five
    "acc_entrance",
    "acc_parking",
    # 3.2: three of six
    "svc_sound_visual",
    "svc_braille",
    "svc_escort",
]
EXPECTED = {
    "1.1": 89.44,
    "1.2": 100.0,
    "1.3": 92.50,
    "K1": 93.83,
    "2.1": 100.0,
    "2.3": 90.0,
    "K2": 95.00,
    "3.1": 40.0,
    "3.2": 60.0,
    "3.3": 80.0,
    "K3": 60.00,
    "4.1": 95.0,
    "4.2": 97.0,
    "4.3": 95.0,
    "K4": 95.80,
    "5.1": 90.0,
    "5.2": 93.0,
    "5.3": 94.0,
    "K5": 92.60,
    "S": 87.45,
}


def a3_profile(profile):
    return profile.with_overrides(
        {
            "1.1": {
                "channels": [
                    {"name": "stand", "items": STAND20, "required": "all"},
                    {"name": "site", "items": SITE45, "required": "all"},
                ]
            }
        }
    )


def a3_sources(institution: str = "centre-1", period: str = "2025"):
    return {
        "recipient_survey": survey(institution, period, 200, A3_ANSWERS),
        "website_audit": audit(
            institution,
            period,
            stand_items=STAND20,
            site_items=SITE45,
            stand_present=18,
            site_present=40,
            remote_functioning=4,
        ),
        "premises_checklist": premises(institution, period, A3_PREMISES),
    }


@pytest.mark.parametrize("mode", ["each_level", "published_only"])
def test_worked_example_a3_reproduced_exactly(nok, mode):
    """S = 87.45 and every criterion and indicator of A.3, in both rounding modes."""
    profile = a3_profile(nok).model_copy(update={"rounding": nok.rounding.model_copy(update={"mode": mode})})
    rating = rate(profile, a3_sources())
    row = rating.row("centre-1", "2025")
    for measure, expected in EXPECTED.items():
        assert row[measure] == pytest.approx(expected, abs=0.005), measure
    assert row["n_respondents"] == 200
    assert row["rank"] == 1
    assert row["status"] == "ranked"


def test_worked_example_counts_behind_each_indicator(nok):
    rating = rate(a3_profile(nok), a3_sources())
    row = rating.row("centre-1")
    # 1.3: stand 114 of 120 plus site 54 of 60
    assert (row["1.3_num"], row["1.3_den"]) == (168, 180)
    assert (row["3.3_num"], row["3.3_den"]) == (40, 50)
    assert (row["4.3_num"], row["4.3_den"]) == (38, 40)
    # checklists count items: 1.1 58 present of 65 required; 3.1 2 of 5 items
    assert (row["1.1_num"], row["1.1_den"]) == (58, 65)
    assert (row["3.1_num"], row["3.1_den"]) == (2, 5)
    channels = rating.indicators.set_index("id")
    assert channels.loc["1.3/stand", "value"] == 95.0
    assert channels.loc["1.3/site", "value"] == 90.0
    assert channels.loc["1.1/stand", "value"] == 90.0
    assert channels.loc["1.1/site", "value"] == pytest.approx(88.89)
    # checklist indicators carry no sampling variance
    assert row["3.1_se"] == 0 and row["3.1_lo"] == row["3.1_hi"] == 40
