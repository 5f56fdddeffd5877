"""Fixtures of the quality-check tests.

* ``recipient``: the compiled НОК recipient questionnaire (``questionnaires/recipient_survey.yaml``);
* ``tiny``: a questionnaire written inline (a filter with its follow-up, four yes/no/dk items, an open
  question) for hand-made frames;
* ``planted``: seeded synthetic fieldwork with two falsifiers of every kind and two all-"yes"
  institutions, checked once per session (:func:`surveykit.synthetic.fieldwork`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from surveykit.quality import run_checks
from surveykit.questionnaire.compiled import compile_form
from surveykit.questionnaire.io import load_questionnaire, questionnaire_from_data
from surveykit.synthetic import FALSIFIER_KINDS, fieldwork

ROOT = Path(__file__).resolve().parents[2]

YES_NO = [{"name": "yes", "value": 1, "label": "Yes"}, {"name": "no", "value": 0, "label": "No"}]
TINY = {
    "schema_version": 1,
    "id": "tiny",
    "version": "1",
    "title": "Tiny",
    "languages": ["en"],
    "default_language": "en",
    "choice_lists": {
        "yn": YES_NO,
        "ynd": [*YES_NO, {"name": "dk", "value": 98, "missing": True, "label": "Don't know"}],
    },
    "items": [
        {"code": "used", "type": "yes_no", "choices": "yn", "required": True, "label": "Used it?",
         "scoring": {"indicators": ["1"]}},
        {"code": "liked", "type": "yes_no", "choices": "ynd", "required": True, "label": "Liked it?",
         "relevant": "${used} = 'yes'", "scoring": {"indicators": ["1"]}},
        *[
            {"code": f"a{i}", "type": "yes_no", "choices": "ynd", "required": True, "label": f"Item {i}",
             "scoring": {"indicators": ["2"]}}
            for i in range(1, 5)
        ],
        {"code": "remarks", "type": "text", "appearance": "multiline", "label": "Remarks"},
    ],
}  # fmt: skip


@pytest.fixture(scope="session")
def recipient():
    return compile_form(load_questionnaire(ROOT / "questionnaires" / "recipient_survey.yaml"))


@pytest.fixture(scope="session")
def tiny():
    return compile_form(questionnaire_from_data(TINY).unwrap())


def tiny_frame(rows: list[dict]) -> pd.DataFrame:
    """A canonical-looking frame of the tiny questionnaire: every row gives at least ``interviewer_id``;
    defaults: institution ``c1``, face to face, 07:00-07:20 UTC (10:00 in Moscow) on the row's own day from
    2 March 2026 on, "yes" everywhere; ``minutes`` sets the duration."""
    start = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)  # 10:00 in Moscow
    records = []
    for i, row in enumerate(rows):
        record = {
            "interview_id": f"i{i + 1}",
            "institution_id": "c1",
            "mode": "face_to_face",
            "started_at": start + dt.timedelta(days=i),
            "submitted_at": start + dt.timedelta(days=i, minutes=20),
            "used": "yes",
            "liked": "yes",
            "a1": "yes",
            "a2": "yes",
            "a3": "yes",
            "a4": "yes",
            "remarks": None,
        }
        record.update(row)
        if "minutes" in record:  # a duration instead of an end time
            record["submitted_at"] = record["started_at"] + dt.timedelta(minutes=record.pop("minutes"))
        if record["used"] != "yes" and "liked" not in row:
            record["liked"] = None
        records.append(record)
    columns = ["interview_id", "interviewer_id", "institution_id", "mode", "started_at", "submitted_at",
               "used", "liked", "a1", "a2", "a3", "a4", "remarks"]  # fmt: skip
    frame = pd.DataFrame(records, columns=list(dict.fromkeys(columns + [k for r in records for k in r])))
    for column in ("started_at", "submitted_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


class Planted:
    def __init__(self, truth, result) -> None:
        self.truth = truth
        self.result = result


@pytest.fixture(scope="session")
def planted(recipient) -> Planted:
    truth = fieldwork(
        recipient,
        24_000,
        np.random.default_rng(20260),
        interviewers=300,
        institutions=200,
        falsifiers={kind: 2 for kind in FALSIFIER_KINDS},
        institution_falsifiers={"all_yes": 2},
    )
    return Planted(truth, run_checks(recipient, truth.frame))
