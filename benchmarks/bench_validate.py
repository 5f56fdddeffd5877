"""Validating 100,000 interviews of a 30-question form (issue: response validation is vectorised).

Ours: :func:`surveykit.questionnaire.validate.validate_frame` on the whole frame (types, relevance, required,
constraints, choice lists, calculations). Baselines in the same run: the bare pandas work of reading the
same columns (``to_numeric`` / ``isin`` per column: the floor any validator pays), and one-interview-at-a-time
validation with :func:`validate_answers` on a sample, extrapolated (what a per-row loop would cost).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.harness import Measurement, best_of, timed
from surveykit.questionnaire.io import questionnaire_from_data
from surveykit.questionnaire.validate import validate_answers, validate_frame

N_QUESTIONS = 30


def form_30():
    """A 30-question form: yes/no filters with follow-ups, Likert items, numbers with ranges, a constraint."""
    items = []
    for i in range(1, 11):
        items.append({"code": f"f{i}", "type": "yes_no", "required": True, "label": f"Filter {i}"})
        items.append(
            {"code": f"s{i}", "type": "yes_no", "relevant": f"${{f{i}}} = 'yes'", "label": f"Follow-up {i}"}
        )
    for i in range(1, 6):
        items.append({"code": f"l{i}", "type": "likert", "choices": "agree", "label": f"Likert {i}"})
    for i in range(1, 5):
        items.append({"code": f"n{i}", "type": "integer", "min": 0, "max": 120, "label": f"Number {i}"})
    items.append(
        {
            "code": "total",
            "type": "integer",
            "constraint": ". >= ${n1}",
            "label": "Total",
            "required": "${n1} > 0",
        }
    )
    data = {
        "schema_version": 1,
        "id": "bench30",
        "version": "1",
        "title": "Benchmark",
        "languages": ["en"],
        "default_language": "en",
        "choice_lists": {
            "agree": [{"name": str(v), "value": v, "label": f"point {v}"} for v in range(1, 6)]
            + [{"name": "dk", "value": 98, "missing": True, "label": "don't know"}]
        },
        "items": items,
    }
    return questionnaire_from_data(data).unwrap()


def frame(n: int, rng: np.random.Generator) -> pd.DataFrame:
    columns: dict[str, object] = {}
    for i in range(1, 11):
        filters = rng.choice(["yes", "no"], n)
        columns[f"f{i}"] = filters
        columns[f"s{i}"] = np.where(filters == "yes", rng.choice(["yes", "no"], n), None)
    for i in range(1, 6):
        columns[f"l{i}"] = rng.choice(["1", "2", "3", "4", "5", "dk"], n)
    for i in range(1, 5):
        columns[f"n{i}"] = rng.integers(0, 130, n)  # about 8 % out of range: problems to report
    columns["total"] = columns["n1"] + rng.integers(-5, 50, n)
    return pd.DataFrame(columns)


def bare_pandas(data: pd.DataFrame) -> None:
    for column in data.columns:
        if column.startswith(("n", "total")):
            pd.to_numeric(data[column], errors="coerce")
        else:
            data[column].isin(["yes", "no", "1", "2", "3", "4", "5", "dk"])


def run(quick: bool = False) -> list[Measurement]:
    n = 10_000 if quick else 100_000
    rng = np.random.default_rng(1)
    q = form_30()
    data = frame(n, rng)
    assert len(data.columns) == N_QUESTIONS
    validate_frame(q, data.head(100))  # warm up: compile the form, parse the expressions
    ours, result = timed(lambda: validate_frame(q, data))
    floor = best_of(lambda: bare_pandas(data), repeat=3)
    sample = data.head(300).to_dict("records")
    per_row, _ = timed(lambda: [validate_answers(q, row) for row in sample])
    loop = per_row / len(sample) * n
    problems = len(result.report.errors)
    return [
        Measurement(
            f"validate_frame {n:,} interviews x {N_QUESTIONS} questions ({problems:,} problems reported)",
            ours,
            "bare pandas to_numeric/isin of the same columns",
            floor,
            extra={"interviews_per_s": n / ours},
        ),
        Measurement(
            f"validate_frame {n:,} x {N_QUESTIONS}",
            ours,
            f"validate_answers one interview at a time (300 timed, extrapolated to {n:,})",
            loop,
        ),
    ]
