"""Dashboard data: 1,000 institutions and 1,000,000 interviews over two periods (quick: 100 and 50,000).

Measured in one run on the same synthetic canonical frames (data generation is not timed):

* ours: what the dashboard's first page needs, from frames: ``dashboard_data()`` (the full ``rate()`` over both
  periods, small-cell suppression of every number, the published regional means), then the sorted
  ``ranking()`` of the latest period and the regional mean of S;
* baseline: the bare ``rate()`` call on the same frames (the rating without anything the dashboard adds);
* second baseline: a plain pandas groupby of the same 10 survey shares (the core counting only);
* an answer distribution through the disclosure control (``surveykit.disclosure``), first call and after a
  filter change, against a bare ``value_counts`` of the same answers.

Target: the dashboard's data in <= 2 s at full size on the 2-core machine.
"""

from __future__ import annotations

import numpy as np

from benchmarks.harness import Measurement, best_of
from surveykit.dashboard import FramesSource, dashboard_data
from surveykit.dashboard.sample import institutions_frame
from surveykit.scoring import load_profile, rate
from surveykit.scoring.demo import synthetic_sources

SHARES = [
    ("q2", "q1"), ("q4", "q3"), ("q6", None), ("q8", "q7"), ("q9", None),
    ("q10", None), ("q12", "q11"), ("q13", None), ("q14", None), ("q15", None),
]  # fmt: skip


def pandas_shares(survey):
    import pandas as pd

    columns = {k: survey[k] for k in ("institution_id", "period")}
    for q, f in SHARES:
        den = survey[q].isin(["yes", "no"])
        if f:
            den &= survey[f] == "yes"
        columns[f"{q}_den"] = den
        columns[f"{q}_num"] = den & (survey[q] == "yes")
    return pd.DataFrame(columns).groupby(["institution_id", "period"], observed=True).sum()


def run(quick: bool) -> list[Measurement]:
    n_institutions, n_interviews = (100, 50_000) if quick else (1_000, 1_000_000)
    sources = synthetic_sources(n_institutions, n_interviews, periods=("2024", "2025"), seed=3)
    ids = [f"inst_{i:04d}" for i in range(n_institutions)]
    frames = {**sources, "institutions": institutions_frame(ids)}
    profile = load_profile()

    def prepare():
        data = dashboard_data(FramesSource(frames), profile, language="ru", k=5)
        ranking = data.ranking()
        return data, ranking, data.regional_mean("S")

    data, ranking, regional = prepare()  # warm-up, and the checks below
    assert len(ranking) == n_institutions and np.isfinite(regional)
    ours = best_of(prepare, repeat=3)
    bare = best_of(lambda: rate(profile, sources), repeat=3)
    groupby = best_of(lambda: pandas_shares(sources["recipient_survey"]), repeat=3)
    view = best_of(lambda: data.institution(ids[0]), repeat=3)
    # an answer distribution through the disclosure control (first call: the cells of the question; then a
    # filter change only re-adds cells), against a bare pandas value_counts of the same answers
    survey = sources["recipient_survey"]

    def first_distribution():
        fresh = dashboard_data(FramesSource(frames), profile, language="ru", k=5)
        started = __import__("time").perf_counter()
        fresh.distribution("recipient_survey", "q15")
        return __import__("time").perf_counter() - started

    first = min(first_distribution() for _ in range(2))
    municipality = data.institutions["municipality"].iloc[0]
    filtered = best_of(
        lambda: data.with_(municipality=municipality).distribution("recipient_survey", "q15"), repeat=5
    )
    latest = survey["period"].astype(str) == "2025"
    counts = best_of(lambda: survey.loc[latest, "q15"].value_counts(), repeat=3)
    size = f"{n_institutions:,} institutions x {n_interviews:,} interviews, 2 periods"
    return [
        Measurement(
            name=f"dashboard data ({size})",
            figure=ours,
            baseline_name="bare rate() on the same frames",
            baseline=bare,
            target=None if quick else "<= 2 s",
            met=None if quick else ours <= 2.0,
            extra={"withheld_totals": int(data.rating.table["S_withheld"].sum())},
        ),
        Measurement(
            name=f"dashboard data ({size})",
            figure=ours,
            baseline_name="pandas groupby of the 10 survey shares",
            baseline=groupby,
        ),
        Measurement(
            name="one institution's view (criteria, indicators, trend, findings, conclusion)",
            figure=view,
            baseline_name="dashboard data",
            baseline=ours,
        ),
        Measurement(
            name="answer distribution, first call (cells of the question, disclosure control)",
            figure=first,
            baseline_name="pandas value_counts of the same answers",
            baseline=counts,
        ),
        Measurement(
            name="answer distribution after a filter change",
            figure=filtered,
            baseline_name="pandas value_counts of the same answers",
            baseline=counts,
        ),
    ]
