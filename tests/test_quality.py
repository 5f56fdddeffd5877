"""The four signals of the supervisor view (``quality_report``): too-short interviews, filter avoidance,
straight-lining, don't know. Every check of ``run_checks`` is tested in ``tests/quality/``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from surveykit.quality import filter_questions, quality_report
from surveykit.questionnaire.compiled import compile_form
from surveykit.questionnaire.io import load_questionnaire
from surveykit.synthetic import synthesize

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def form():
    return compile_form(load_questionnaire(ROOT / "questionnaires" / "recipient_survey.yaml"))


def frame_for(form, interviewer: str, n: int, rng, *, filters_yes: float, minutes: float = 12.0):
    def yes(p):
        return lambda latent, rng: np.column_stack([np.full(len(latent), p), np.full(len(latent), 1 - p)])

    tilts = {"consent": yes(1.0), **{f: yes(filters_yes) for f in ("q1", "q3", "q7", "q11")}}
    data = synthesize(form, n, rng, tilts=tilts).data
    start = dt.datetime(2026, 3, 1, 10, 0)
    meta = pd.DataFrame(
        {
            "interview_id": [f"{interviewer}-{i}" for i in range(n)],
            "interviewer_id": interviewer,
            "institution_id": "inst01",
            "mode": "face_to_face",
            "started_at": [start] * n,
            "submitted_at": [start + dt.timedelta(minutes=minutes + (i % 3)) for i in range(n)],
        }
    )
    return pd.concat([meta, data], axis=1)


def test_filter_questions_are_read_from_the_questionnaire(form):
    filters = filter_questions(form)
    assert set(filters) == {"q1", "q3", "q7", "q11"}  # consent is a gate (its constraint), not a filter
    assert filters["q1"] == {"q2"} and filters["q11"] == {"q12"}


def test_an_interviewer_who_closes_every_filter_is_flagged(form):
    rng = np.random.default_rng(3)
    frame = pd.concat(
        [
            frame_for(form, "anna", 40, rng, filters_yes=0.6),
            frame_for(form, "boris", 40, rng, filters_yes=0.6),
            frame_for(form, "vera", 40, rng, filters_yes=0.0),
        ],
        ignore_index=True,
    )
    report = quality_report(form, frame)
    per = report.interviewers.set_index("interviewer_id")
    assert per.loc["vera", "filter_closed_rate"] == 1.0
    assert per.loc["vera", "flag_filter_avoidance"]
    assert not per.loc["anna", "flag_filter_avoidance"] and not per.loc["boris", "flag_filter_avoidance"]
    # hand computation of the pooled comparison for vera: 160 filter answers, all closing
    others = per.drop("vera")
    pooled = others["filter_closed"].sum() / others["filter_answers"].sum()
    assert per.loc["vera", "filter_answers"] == 160 and pooled < 0.6
    assert list(report.flagged_interviewers()["interviewer_id"]) == ["vera"]


def test_an_interview_under_half_the_median_is_too_short(form):
    rng = np.random.default_rng(4)
    frame = pd.concat(
        [
            frame_for(form, "anna", 10, rng, filters_yes=0.5),
            frame_for(form, "boris", 1, rng, filters_yes=0.5, minutes=3),
        ],
        ignore_index=True,
    )
    report = quality_report(form, frame)
    short = report.flagged_interviews()
    assert list(short["interview_id"]) == ["boris-0"]
    assert short["minutes"].iloc[0] == 3.0 and short["median_minutes"].iloc[0] == 13.0
    per = report.interviewers.set_index("interviewer_id")
    # one short interview does not make an interviewer "often too short": a rate needs the rules' minimum
    # number of interviews (peers.min_interviews, 5) ...
    assert not per.loc["boris", "flag_too_short"] and not per.loc["anna", "flag_too_short"]
    # ... and five of them, against none of the peers, do
    more = pd.concat(
        [frame, *(frame_for(form, f"boris{i}", 1, rng, filters_yes=0.5, minutes=3) for i in range(4))],
        ignore_index=True,
    )
    more["interviewer_id"] = more["interviewer_id"].str.replace(r"boris\d", "boris", regex=True)
    more["interview_id"] = [f"x{i}" for i in range(len(more))]
    per = quality_report(form, more).interviewers.set_index("interviewer_id")
    assert per.loc["boris", "too_short"] == 5 and per.loc["boris", "flag_too_short"]
    assert not per.loc["anna", "flag_too_short"]


def test_straight_lining_and_dont_know_are_compared_with_the_other_interviewers(form):
    rng = np.random.default_rng(5)
    frames = [frame_for(form, name, 30, rng, filters_yes=0.5) for name in ("anna", "boris", "vera", "lev")]
    for item in ("q2", "q4", "q5", "q6", "q8", "q9", "q10", "q12", "q13", "q14", "q15"):
        answered = frames[2][item].notna()
        frames[2].loc[answered, item] = "yes"  # vera: every opinion item "yes" in every interview
    frames[3]["q13"] = pd.Categorical(["dk"] * 30, categories=frames[3]["q13"].cat.categories)
    frames[3]["q14"] = pd.Categorical(["dk"] * 30, categories=frames[3]["q14"].cat.categories)
    report = quality_report(form, pd.concat(frames, ignore_index=True))
    per = report.interviewers.set_index("interviewer_id")
    assert per.loc["vera", "straight_rate"] == 1.0 and per.loc["vera", "flag_straight_lining"]
    assert not per.loc[["anna", "boris", "lev"], "flag_straight_lining"].any()
    assert per.loc["lev", "flag_dont_know"] and not per.loc[["anna", "boris", "vera"], "flag_dont_know"].any()
