"""Planted falsifiers: on seeded synthetic fieldwork (24,000 interviews, 300 interviewers, 200 institutions,
two falsifiers of every kind and two all-"yes" institutions) each check finds what it is meant to find, and
rarely anything else. Detection and false-alarm rates are printed (``pytest -s``) and bounded."""

from __future__ import annotations

import pandas as pd
import pytest

from surveykit.quality.evaluation import TARGETS, detection_rates


@pytest.fixture(scope="module")
def rates(planted) -> pd.DataFrame:
    table = detection_rates(planted.result, planted.truth)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print("\ndetection and false-alarm rates on the planted fieldwork:\n" + table.to_string(index=False))
    return table.set_index("rule")


def test_every_rule_is_evaluated(rates):
    assert list(rates.index) == list(TARGETS)
    assert (rates["planted"] > 0).all() and (rates["honest"] > 100).all()


@pytest.mark.parametrize("rule", [r for r in TARGETS if r != "near_duplicate"])
def test_planted_falsifiers_are_found_and_honest_interviewers_mostly_not(rates, rule):
    row = rates.loc[rule]
    assert row["detection"] >= 0.8, row.to_dict()
    assert row["false_alarm_rate"] <= 0.1, row.to_dict()
    if row["unit"] == "interview":  # a review queue of individual interviews must stay short
        assert row["false_alarm_rate"] <= 0.01, row.to_dict()
        assert row["interviewer_detection"] >= 0.8 and row["interviewer_false_alarm_rate"] <= 0.05


def test_near_duplicates_find_the_copiers_and_the_copies_of_uncommon_answers(rates, planted):
    """A copy of an all-"yes" interview cannot be told from honest all-"yes" interviews, so only a part of
    the copies is flagged; every copier is found through their share of flagged interviews."""
    row = rates.loc["near_duplicate"]
    assert row["interviewer_detection"] == 1.0 and row["interviewer_false_alarm_rate"] <= 0.02, row.to_dict()
    assert row["detection"] >= 0.2 and row["false_alarm_rate"] <= 0.01, row.to_dict()
    interviews = planted.result.interviews.merge(planted.truth.interviews, on="interview_id")
    copies = interviews[interviews["planted"] == "duplicator"]
    all_yes = copies["straight_lined"] & (copies["straight_answer"] == "yes")
    assert copies.loc[~all_yes, "near_duplicate"].mean() > copies.loc[all_yes, "near_duplicate"].mean()


def test_the_flags_name_the_planted_interviewers(planted):
    flags = planted.result.flags
    kinds = planted.truth.interviewers.set_index("interviewer_id")["kind"]
    for rule, kind in [("filter_avoidance", "filter_avoider"), ("dont_know", "dont_knower"),
                       ("identical_open_answers", "curbstoner"), ("throughput", "high_throughput")]:  # fmt: skip
        named = set(flags.loc[flags["rule"] == rule, "interviewer_id"].dropna())
        assert set(kinds[kinds == kind].index) <= named, rule
    anomalies = set(flags.loc[flags["rule"] == "institution_anomaly", "institution_id"])
    places = planted.truth.institutions
    assert anomalies == set(places.loc[places["kind"] == "all_yes", "institution_id"])
