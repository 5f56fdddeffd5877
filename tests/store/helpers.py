"""Helpers of the store tests: small questionnaires and answers, certificates, and database checksums."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass

import sqlalchemy as sa

from surveykit.questionnaire.model import Questionnaire
from surveykit.store import Store
from surveykit.store.schema import metadata
from surveykit.store.testing import add_signed_certificate

#: a small form (every kind of value, no repeat) for tests that need many interviews
SMALL = {
    "schema_version": 1,
    "id": "small",
    "version": "1",
    "title": {"en": "Small"},
    "languages": ["en", "ru"],
    "default_language": "en",
    "choice_lists": {"services": [{"name": "meals"}, {"name": "cleaning"}, {"name": "medical"}]},
    "items": [
        {"code": "consent", "type": "yes_no", "required": True},
        {"code": "age", "type": "integer", "min": 18, "max": 110, "relevant": "${consent} = 'yes'"},
        {"code": "services", "type": "select_multiple", "choices": "services"},
        {"code": "visited", "type": "date"},
        {"code": "comment", "type": "text"},
        {"code": "satisfied", "type": "yes_no"},
    ],
}

_counter = itertools.count()

NOW = dt.datetime.now(dt.UTC)


def certify(
    store: Store, person_id: str, *, serial: str | None = None, days: int = 365, status: str = "valid"
):
    """A signed certificate (the session's issuer key) valid from 30 days ago for ``days`` days."""
    record = add_signed_certificate(
        store,
        person_id,
        ["interviewer"],
        issued_at=NOW - dt.timedelta(days=30),
        valid_until=NOW + dt.timedelta(days=days),
    )
    if status != "valid":
        record = store.training.set_certificate_status(record.serial, status, reason="test", by="operator")
    return record


def populate(store: Store, example: Questionnaire, small: Questionnaire) -> World:
    """Publish the questionnaires and add the institutions and people of :class:`World`."""
    store.publish(example)
    store.publish(small)
    store.add_institution("csp1", "Comprehensive social services centre 1", type="csp", region="north")
    store.add_institution("csp2", "Comprehensive social services centre 2", type="csp", region="south")
    store.add_person("anna", "Anna Ivanova", ["interviewer"], login="ANNA01", access_code="7F3K-9QXM")
    store.add_person("boris", "Boris Petrov", ["interviewer", "trainee"])
    store.add_person("sofia", "Sofia Smirnova", ["supervisor"])
    certify(store, "anna")
    return World(store, example, small)


@dataclass
class World:
    """A store with the example and the small questionnaire published, two institutions, a certified
    interviewer (anna), an interviewer without a certificate (boris) and a supervisor (sofia)."""

    store: Store
    example: Questionnaire
    small: Questionnaire

    def start(self, questionnaire: str = "example_all_types", **kwargs):
        options = {"institution_id": "csp1", "interviewer_id": "anna", "mode": "face_to_face"}
        options.update(kwargs)
        return self.store.start_interview(questionnaire, **options)


def example_answers(**changes) -> dict:
    """A complete, valid interview of the example questionnaire (every type, a repeat with two instances)."""
    answers = {
        "consent": "yes",
        "interview_date": dt.date(2026, 3, 1),
        "visit_start": "09:30",
        "next_visit": dt.datetime(2099, 3, 8, 10, 0),
        "location": "55.7558, 37.6173",
        "age": 70,
        "region": "north",
        "municipality": "n_city",
        "height_m": 1.72,
        "phone": "+7 912 345-67-89",
        "services": frozenset({"meals", "cleaning"}),
        "uses_meals": "yes",
        "visits_per_week": 3,
        "satisfaction": "4",
        "waiting": "dk",
        "grid_late": "never",
        "grid_rushed": "sometimes",
        "grid_explains": "often",
        "n_relatives": 2,
        "relatives": [{"rel_relation": "child", "rel_age": 40}, {"rel_relation": "spouse", "rel_age": None}],
        "suggestions": "Больше прогулок",
    }
    answers.update(changes)
    return answers


def small_answers(k: int = 0, **changes) -> dict:
    answers = {
        "consent": "yes",
        "age": 30 + k % 50,
        "services": frozenset({"meals"} if k % 2 else {"meals", "medical"}),
        "visited": dt.date(2026, 1, 1 + k % 28),
        "comment": f"comment {k}",
        "satisfied": "yes" if k % 3 else "no",
    }
    answers.update(changes)
    return answers


def table_counts(store: Store) -> dict[str, int]:
    with store.db.read() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


def checksum(store: Store) -> str:
    """A digest of every row of every table (ordered), to prove a database did not change."""
    digest = hashlib.sha256()
    with store.db.read() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            for row in sorted(repr(tuple(row)) for row in rows):
                digest.update(row.encode())
    return digest.hexdigest()
