"""Helpers of the quality-control tests: a small questionnaire, its answers, certificates."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from surveykit.quality import FLAG_COLUMNS
from surveykit.store import Store
from surveykit.store.testing import add_signed_certificate

SMALL = {
    "schema_version": 1,
    "id": "small",
    "version": "1",
    "title": {"en": "Small"},
    "languages": ["en", "ru"],
    "default_language": "en",
    "items": [
        {"code": "consent", "type": "yes_no", "required": True},
        {"code": "age", "type": "integer", "min": 18, "max": 110},
        {"code": "satisfied", "type": "yes_no"},
    ],
}

NOW = dt.datetime.now(dt.UTC)


def small_answers(k: int) -> dict:
    return {"consent": "yes", "age": 30 + k % 50, "satisfied": "yes" if k % 3 else "no"}


def certify(store: Store, person_id: str, *, issued_days_ago: int = 30):
    return add_signed_certificate(
        store,
        person_id,
        ["interviewer"],
        issued_at=NOW - dt.timedelta(days=issued_days_ago),
        valid_until=NOW + dt.timedelta(days=365),
    )


def flags(*rows: dict) -> pd.DataFrame:
    """A flags frame as ``surveykit.quality.run_checks`` returns it (one row per flag)."""
    columns = list(FLAG_COLUMNS)
    return pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)
