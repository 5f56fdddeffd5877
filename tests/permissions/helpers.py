"""Helpers of the permission tests: one person of every role and the records each kind of data needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from surveykit.store import Store
from surveykit.store.guarded import GuardedStore
from surveykit.store.testing import add_signed_certificate

CODE = "2468"
NOW = dt.datetime.now(dt.UTC)

#: one person per role (id = login): the matrix runs every kind of data for each
PEOPLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "adm": ("Администратор Алла", ("administrator",)),
    "soc": ("Социолог Софья", ("sociologist",)),
    "sup": ("Супервайзер Ольга", ("supervisor",)),
    "trn": ("Преподаватель Раиса", ("trainer",)),
    "anna": ("Интервьюер Анна", ("interviewer",)),
    "vera": ("Интервьюер Вера", ("interviewer",)),
    "tr1": ("Слушатель Первый", ("trainee",)),
    "tr2": ("Слушатель Второй", ("trainee",)),
    "cou": ("Член совета Кира", ("council",)),
}
#: the role -> the person who holds only that role
BY_ROLE = {
    "administrator": "adm",
    "sociologist": "soc",
    "supervisor": "sup",
    "trainer": "trn",
    "interviewer": "anna",
    "trainee": "tr1",
    "council": "cou",
}


def certify(store: Store, person_id: str) -> Any:
    return add_signed_certificate(
        store,
        person_id,
        ["interviewer"],
        issued_at=NOW - dt.timedelta(days=30),
        valid_until=NOW + dt.timedelta(days=365),
    )


@dataclass
class World:
    store: Store
    service: Any
    ids: dict[str, str]

    @staticmethod
    def make_records(store: Store, service: Any) -> dict[str, str]:
        """anna's draft, vera's submitted interview, tr1's and tr2's exam attempts, one pending open answer."""
        assignment = store.assignments()[0]
        options = {
            "institution_id": assignment.institution_id,
            "mode": "face_to_face",
            "period": assignment.period,
        }
        own = store.start_interview("recipient_survey", interviewer_id="anna", **options)
        store.save_draft(own.id, {}, page=None)
        other = store.start_interview("recipient_survey", interviewer_id="vera", **options)
        store.save_draft(other.id, {}, page=None)
        exam1 = service.start_exam("tr1")
        exam2 = service.start_exam("tr2")
        return {
            "own_interview": own.id,
            "other_interview": other.id,
            "own_attempt": exam1.attempt_id,
            "other_attempt": exam2.attempt_id,
        }

    def sign_in(self, person_id: str, app: str = "test") -> GuardedStore:
        return GuardedStore(self.store, self.store.start_session(person_id, CODE, app=app))
