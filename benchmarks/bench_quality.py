"""The quality checks over 1,000,000 interviews (issue 8: every check of methodology D.2 in <= 10 s).

Data: :func:`surveykit.synthetic.fieldwork` for the НОК recipient questionnaire, 1,000 institutions and 1,300
interviewers, with three planted falsifiers of every kind and three all-"yes" institutions (generating it
takes a minute and is not timed). Ours: :func:`surveykit.quality.run_checks` with the shipped rules (the best
of two runs). Baselines in the same run: the pandas floor of any per-interviewer check (the median duration
per mode, then each interviewer's mean duration and share of every answer, by ``groupby``), and for the
near-duplicate check alone, ``DataFrame.duplicated`` (exact duplicates by hashing, no calibration). The
detection and false-alarm rates of every rule on the planted falsifiers are printed and kept in ``extra``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from benchmarks.harness import Measurement, best_of, timed
from surveykit.config import settings
from surveykit.quality import load_rules, run_checks
from surveykit.quality.evaluation import detection_rates
from surveykit.questionnaire.compiled import compile_form
from surveykit.questionnaire.io import load_questionnaire
from surveykit.synthetic import FALSIFIER_KINDS, fieldwork


def pandas_floor(frame: pd.DataFrame, items: list[str]) -> None:
    """Durations against the mode's median and every answer share per interviewer: plain groupby work."""
    minutes = (frame["submitted_at"] - frame["started_at"]).dt.total_seconds() / 60
    median = minutes.groupby(frame["mode"]).transform("median")
    (minutes < 0.5 * median).groupby(frame["interviewer_id"]).mean()
    for item in items:
        frame.groupby("interviewer_id", observed=True)[item].value_counts(normalize=True)


def run(quick: bool = False) -> list[Measurement]:
    n, interviewers, institutions = (50_000, 65, 50) if quick else (1_000_000, 1_300, 1_000)
    form = compile_form(load_questionnaire(settings().questionnaires_dir / "recipient_survey.yaml"))
    started = time.perf_counter()
    work = fieldwork(
        form,
        n,
        np.random.default_rng(8),
        interviewers=interviewers,
        institutions=institutions,
        falsifiers={kind: 3 for kind in FALSIFIER_KINDS},
        institution_falsifiers={"all_yes": 3},
    )
    generated = time.perf_counter() - started
    frame = work.frame
    rules = load_rules()
    run_checks(form, frame.head(2_000), rules)  # warm up: imports, the rules file, the form's item roles
    runs = [timed(lambda: run_checks(form, frame, rules)) for _ in range(2)]
    ours = min(seconds for seconds, _ in runs)
    result = runs[-1][1]
    items = [c for c in frame.columns if c.startswith("q") and c != "q16"]
    floor = best_of(lambda: pandas_floor(frame, items), repeat=2)
    only_duplicates = rules.only("near_duplicate")
    near, _ = timed(lambda: run_checks(form, frame, only_duplicates))
    comparable = [c for c in frame.columns if c not in ("q16", "consent") and c in form.variables]
    exact = best_of(lambda: frame[["institution_id", *comparable]].duplicated(keep=False), repeat=2)

    rates = detection_rates(result, work)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"  detection and false-alarm rates ({n:,} interviews, planted falsifiers):")
        print("    " + rates.to_string(index=False).replace("\n", "\n    "))
    counts = result.counts()
    extra = {
        "interviews": n,
        "interviewers": interviewers,
        "institutions": institutions,
        "flags": len(result.flags),
        "flags_by_rule": {f"{r.rule}/{r.level}": int(r.flags) for r in counts.itertuples() if r.flags},
        "runs_s": [seconds for seconds, _ in runs],
        "generate_s": generated,
        "rates": rates.to_dict("records"),
    }
    target = None if quick else "<= 10 s"
    met = None if quick else ours <= 10.0
    return [
        Measurement(
            f"run_checks, every D.2 check, {n:,} interviews ({len(result.flags):,} flags)",
            ours,
            "pandas groupby floor: too-short share and answer shares per interviewer",
            floor,
            target=target,
            met=met,
            extra=extra,
        ),
        Measurement(
            f"near-duplicates alone (calibrated maximum percent match), {n:,} interviews",
            near,
            "DataFrame.duplicated on the same columns (exact duplicates only, no calibration)",
            exact,
        ),
    ]
