"""The synthetic fieldwork generator (``surveykit.synthetic.fieldwork``): honest fieldwork looks like real
fieldwork, each planted kind does what it says, and the ground truth matches the frame."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from surveykit.questionnaire.validate import validate_frame
from surveykit.synthetic import FALSIFIER_KINDS, fieldwork, sequential_times


@pytest.fixture(scope="module")
def work(recipient):
    return fieldwork(
        recipient,
        6000,
        np.random.default_rng(5),
        interviewers=60,
        institutions=40,
        falsifiers={kind: 1 for kind in FALSIFIER_KINDS},
        institution_falsifiers={"all_yes": 1},
    )


def rows_of(work, kind: str) -> pd.DataFrame:
    who = work.interviewers.loc[work.interviewers["kind"] == kind, "interviewer_id"]
    return work.frame[work.frame["interviewer_id"].isin(who)]


def honest(work) -> pd.DataFrame:
    tainted = set(work.interviews.loc[work.interviews["planted"] != "", "interviewer_id"])
    tainted |= set(work.interviewers.loc[work.interviewers["kind"] != "honest", "interviewer_id"])
    return work.frame[~work.frame["interviewer_id"].isin(tainted)]


def test_the_frame_and_the_truth_line_up(work):
    assert len(work.frame) == 6000 and work.frame["interview_id"].is_unique
    assert list(work.interviews["interview_id"]) == list(work.frame["interview_id"])
    assert (work.interviewers["kind"] != "honest").sum() == len(FALSIFIER_KINDS)
    assert list(work.institutions["kind"]).count("all_yes") == 1
    assert str(work.frame["started_at"].dtype) == "datetime64[us, UTC]"
    assert work.frame["interviewer_id"].dtype == object  # as the store's frames


def test_honest_answers_obey_the_questionnaire(work, recipient):
    answers = honest(work)[list(recipient.variables)]
    assert validate_frame(recipient, answers.reset_index(drop=True)).report.ok


def test_honest_timing_never_overlaps_nor_exceeds_three_an_hour(work):
    frame = honest(work).sort_values(["interviewer_id", "started_at"])
    previous_end = frame.groupby("interviewer_id")["submitted_at"].shift()
    assert not (frame["started_at"] < previous_end).any()
    gaps = frame.groupby("interviewer_id")["submitted_at"].diff().dropna()
    assert gaps.min() > pd.Timedelta(minutes=20)  # at least 8 minutes of interview and 12 in between
    local = frame["started_at"].dt.tz_convert("Europe/Moscow")
    assert local.dt.hour.min() >= 9


def test_each_kind_does_what_it_says(work):
    fast = rows_of(work, "too_fast")
    assert ((fast["submitted_at"] - fast["started_at"]) < pd.Timedelta(minutes=5)).all()
    avoider = rows_of(work, "filter_avoider")
    assert (avoider[["q1", "q3", "q7", "q11"]].astype(object) == "no").to_numpy().mean() > 0.85
    liner = rows_of(work, "straight_liner")[["q2", "q5", "q6", "q9", "q10", "q13", "q14", "q15"]].astype(
        object
    )
    assert ((liner == "yes") | liner.isna()).all(axis=1).mean() > 0.85
    dk = rows_of(work, "dont_knower")[["q5", "q6", "q9", "q10", "q13", "q14", "q15"]].astype(object)
    assert 0.25 < (dk == "dk").to_numpy().mean() < 0.45
    copier = rows_of(work, "duplicator")
    answers = [c for c in copier.columns if c.startswith("q") or c in ("sex", "age_group")]
    assert copier[answers].astype(str).duplicated(keep=False).mean() > 0.4
    texts = rows_of(work, "curbstoner")["q16"].dropna()
    assert texts.value_counts().iloc[0] >= 3 and texts.nunique() <= len(texts) / 2
    late = rows_of(work, "outside_hours")["started_at"].dt.tz_convert("Europe/Moscow")
    assert (late.dt.hour >= 21).mean() > 0.2
    lapped = rows_of(work, "overlap").sort_values("started_at")
    assert (lapped["started_at"] < lapped["submitted_at"].shift()).any()
    place = work.institutions.loc[work.institutions["kind"] == "all_yes", "institution_id"].iloc[0]
    all_yes = work.frame[work.frame["institution_id"] == place]
    assert all_yes["interviewer_id"].nunique() == 1


def test_the_planted_interviews_are_marked(work):
    marked = work.interviews.set_index("interview_id")["planted"]
    fast_rows = rows_of(work, "too_fast")["interview_id"]
    assert (marked[fast_rows] == "too_fast").all()
    copier = rows_of(work, "duplicator")["interview_id"]
    assert 0.5 < (marked[copier] == "duplicator").mean() < 0.9  # the sources are genuine
    assert set(marked.unique()) == {"", "all_yes", *FALSIFIER_KINDS}


def test_the_same_seed_gives_the_same_fieldwork(recipient):
    one = fieldwork(
        recipient, 300, np.random.default_rng(9), interviewers=6, institutions=4, falsifiers={"overlap": 1}
    )
    two = fieldwork(
        recipient, 300, np.random.default_rng(9), interviewers=6, institutions=4, falsifiers={"overlap": 1}
    )
    pd.testing.assert_frame_equal(one.frame, two.frame)


def test_impossible_requests_are_refused(recipient):
    rng = np.random.default_rng(1)
    with pytest.raises(ValueError, match="unknown falsifier kind"):
        fieldwork(recipient, 10, rng, falsifiers={"forger": 1})
    with pytest.raises(ValueError, match="only 3 interviewers are free"):
        fieldwork(recipient, 10, rng, interviewers=3, institutions=2, falsifiers={"too_fast": 4})


def test_sequential_times_keep_the_day_and_the_duration():
    rng = np.random.default_rng(2)
    start = pd.Series([dt.datetime(2026, 3, 2, 9) + dt.timedelta(days=int(d), minutes=int(m))
                       for d, m in zip(rng.integers(0, 3, 40), rng.integers(0, 480, 40), strict=True)])  # fmt: skip
    end = start + pd.to_timedelta(rng.integers(600, 1800, 40), unit="s")
    who = pd.Series(rng.choice(["a", "b"], 40))
    new_start, new_end = sequential_times(start, end, who, rng)
    assert (new_start.dt.normalize() == start.dt.normalize()).all()
    assert ((new_end - new_start) == (end - start)).all()
    frame = pd.DataFrame({"who": who, "start": new_start, "end": new_end}).sort_values(["who", "start"])
    assert not (frame["start"] < frame.groupby("who")["end"].shift()).any()
    assert (new_start.dt.hour >= 9).all()
