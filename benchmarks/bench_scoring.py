"""Rating speed: ``rate()`` on 1,000,000 interviews over 1,000 institutions (quick: 50,000 over 100).

Measured in one run on the same synthetic canonical frames (categorical answer columns, as the canonical
format has them; data generation is not timed):

* ours: the full ``rate()`` with the default profile (344n): every share with its numerator and denominator,
  the three checklists, criteria, S, the linearised standard errors, Wilson intervals, ranks and tie rule,
  flags, warnings, the tidy view and the checklist findings;
* DuckDB SQL: only the 10 survey share channels (numerators and denominators per institution), the core counting;
* pandas groupby: the same 10 shares from boolean columns and one ``groupby().sum()``;
* a per-row Python loop over the same shares, timed on a sample of rows and EXTRAPOLATED to all rows
  (a full loop would take minutes; the sample size is printed).

The baselines compute far less than ``rate()``; the ratio says what the whole rating costs relative to the
bare counting. Target: ``rate()`` <= 1 s at full size on the 2-core machine.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from benchmarks.harness import Measurement, best_of
from surveykit.scoring import load_profile, rate
from surveykit.scoring.demo import synthetic_sources

#: (indicator, question, filter question or None) - the survey shares of the default profile
SHARES = [
    ("1.3/stand", "q2", "q1"),
    ("1.3/site", "q4", "q3"),
    ("2.3", "q6", None),
    ("3.3", "q8", "q7"),
    ("4.1", "q9", None),
    ("4.2", "q10", None),
    ("4.3", "q12", "q11"),
    ("5.1", "q13", None),
    ("5.2", "q14", None),
    ("5.3", "q15", None),
]
KEYS = ["institution_id", "period"]


def duckdb_shares(con) -> pd.DataFrame:
    parts = []
    for name, q, f in SHARES:
        cond = f"{q} IN ('yes', 'no')" + (f" AND {f} = 'yes'" if f else "")
        parts.append(f'SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS "{name}_den"')
        parts.append(f"SUM(CASE WHEN {cond} AND {q} = 'yes' THEN 1 ELSE 0 END) AS \"{name}_num\"")
    sql = f"SELECT institution_id, period, {', '.join(parts)} FROM survey GROUP BY institution_id, period"
    return con.execute(sql).fetchdf()


def pandas_shares(survey: pd.DataFrame) -> pd.DataFrame:
    columns = {k: survey[k] for k in KEYS}
    for name, q, f in SHARES:
        den = survey[q].isin(["yes", "no"])
        if f:
            den &= survey[f] == "yes"
        columns[f"{name}_den"] = den
        columns[f"{name}_num"] = den & (survey[q] == "yes")
    return pd.DataFrame(columns).groupby(KEYS, observed=True).sum()


def loop_shares(survey: pd.DataFrame) -> dict:
    counts: dict = {}
    rows = zip(
        *[
            survey[c].astype(object).tolist()
            for c in [*KEYS, *{c for _, q, f in SHARES for c in (q, f) if c}]
        ],
        strict=True,
    )
    names = [*KEYS, *{c for _, q, f in SHARES for c in (q, f) if c}]
    index = {name: i for i, name in enumerate(names)}
    for row in rows:
        key = (row[0], row[1])
        bucket = counts.setdefault(key, [0] * (2 * len(SHARES)))
        for j, (_, q, f) in enumerate(SHARES):
            answer = row[index[q]]
            if answer in ("yes", "no") and (f is None or row[index[f]] == "yes"):
                bucket[2 * j] += 1
                if answer == "yes":
                    bucket[2 * j + 1] += 1
    return counts


def run(quick: bool) -> list[Measurement]:
    import duckdb

    n_institutions, n_interviews = (100, 50_000) if quick else (1_000, 1_000_000)
    sample = min(n_interviews, 50_000)
    sources = synthetic_sources(n_institutions, n_interviews, seed=1)  # not timed
    survey = sources["recipient_survey"]
    profile = load_profile()

    rating = rate(profile, sources)  # warm-up; also the correctness check below
    ours = best_of(lambda: rate(profile, sources), repeat=3)

    con = duckdb.connect()
    con.register("survey", survey)
    duck_result = duckdb_shares(con)
    duck = best_of(lambda: duckdb_shares(con), repeat=3)
    pandas_time = best_of(lambda: pandas_shares(survey), repeat=3)
    part = survey.iloc[:sample]
    start = time.perf_counter()
    loop_shares(part)
    loop = (time.perf_counter() - start) * n_interviews / sample

    # the three computations agree on the counts (not timed)
    check = duck_result.astype({"institution_id": str, "period": str}).set_index(KEYS).sort_index()
    ours_table = rating.indicators[rating.indicators["id"] == "5.3"].astype(
        {"institution_id": str, "period": str}
    )
    ours_den = ours_table.set_index(KEYS)["den"].sort_index()
    assert np.array_equal(
        check["5.3_den"].to_numpy(dtype=float), ours_den.loc[check.index].to_numpy(dtype=float)
    )

    label = f"rate() {n_interviews:,} interviews x {n_institutions:,} institutions (full 344n rating)"
    target = None if quick else "<= 1 s"
    met = None if quick else ours <= 1.0
    extra = {
        "ours_s": ours,
        "duckdb_s": duck,
        "pandas_s": pandas_time,
        "loop_s_extrapolated": loop,
        "loop_sample_rows": sample,
        "rows": n_interviews,
        "institutions": n_institutions,
    }
    return [
        Measurement(
            label,
            ours,
            "DuckDB SQL, the 10 survey share channels only",
            duck,
            target=target,
            met=met,
            extra=extra,
        ),
        Measurement(
            label,
            ours,
            "pandas groupby, the 10 survey share channels only",
            pandas_time,
            target=target,
            met=met,
            extra=extra,
        ),
        Measurement(
            label,
            ours,
            f"per-row Python loop, shares only ({sample:,}-row sample, extrapolated)",
            loop,
            target=target,
            met=met,
            extra=extra,
        ),
    ]


if __name__ == "__main__":
    import sys

    for m in run(quick="--quick" in sys.argv):
        print(m.line())
