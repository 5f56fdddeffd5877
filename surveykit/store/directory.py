"""Institutions, people (roles, login, hashed access code) and fieldwork assignments with their progress.

Access codes are stored as ``scrypt$n$r$p$salt$hash`` with a random salt per person and checked with a
constant-time comparison; the plain code is returned once, when it is set, and never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence

import pandas as pd
from sqlalchemy import and_, case, func, insert, select, update
from sqlalchemy.engine import Connection

from surveykit.errors import (
    AccessDenied,
    ConflictError,
    ErrorCode,
    Location,
    NotFoundError,
    StoreError,
    did_you_mean,
)
from surveykit.store import audit
from surveykit.store.engine import Database
from surveykit.store.records import Assignment, Institution, Person
from surveykit.store.schema import ROLES, assignments, institutions, interviews, people, utcnow

__all__ = ["Directory", "hash_access_code", "new_access_code", "verify_access_code"]

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
#: a hash of a random code, compared against when the login is unknown (the same work, the same time)
_DUMMY_HASH: str | None = None


def _normalize_code(code: str) -> str:
    """Codes are typed by people: case, spaces and dashes do not matter."""
    return "".join(str(code).split()).replace("-", "").upper()


def hash_access_code(code: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        _normalize_code(code).encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_access_code(code: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            _normalize_code(code).encode(),
            salt=bytes.fromhex(salt_hex),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest, bytes.fromhex(hash_hex))


def new_access_code(length: int = 8) -> str:
    """A random access code such as ``7F3K-9QXM`` (Crockford base 32, 40 bits for 8 symbols)."""
    symbols = "".join(secrets.choice(_ALPHABET) for _ in range(length))
    return "-".join(symbols[i : i + 4] for i in range(0, length, 4))


def _not_found(entity: str, key: str, known: Iterable[str]) -> NotFoundError:
    return NotFoundError(
        ErrorCode.NOT_FOUND, entity=entity, key=key, suggestion=did_you_mean(key, list(known))
    )


def _invalid(field: str, detail: str, fix: str) -> StoreError:
    return StoreError(ErrorCode.FIELD_INVALID, Location(field=field), field=field, detail=detail, fix=fix)


class Directory:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- institutions ---------------------------------------------------------------------------------------
    def add_institution(self, institution: Institution, *, by: str | None = None) -> Institution:
        """Add an institution, or update its details when the id exists (audited either way)."""

        def work(conn: Connection) -> Institution:
            values = {k: getattr(institution, k) for k in Institution.__dataclass_fields__}
            existing = conn.execute(
                select(institutions.c.id).where(institutions.c.id == institution.id)
            ).first()
            if existing is None:
                conn.execute(insert(institutions).values(**values, created_at=utcnow()))
            else:
                conn.execute(update(institutions).where(institutions.c.id == institution.id).values(**values))
            action = "create" if existing is None else "update"
            audit.record(
                conn, actor=by, action=action, entity="institution", entity_id=institution.id, details=values
            )
            return institution

        return self.db.write(work, retry_integrity=True)

    def institution(self, institution_id: str) -> Institution:
        with self.db.read() as conn:
            row = conn.execute(select(institutions).where(institutions.c.id == institution_id)).first()
            if row is None:
                known = conn.execute(select(institutions.c.id)).scalars().all()
                raise _not_found("institution", institution_id, known)
        return Institution.from_row(row)

    def institutions(self) -> list[Institution]:
        with self.db.read() as conn:
            return [
                Institution.from_row(r)
                for r in conn.execute(select(institutions).order_by(institutions.c.id))
            ]

    # --- people ----------------------------------------------------------------------------------------------
    def add_person(
        self,
        person_id: str,
        display_name: str,
        roles: Sequence[str],
        *,
        login: str | None = None,
        access_code: str | None = None,
        by: str | None = None,
    ) -> Person:
        """Add a person. ``login`` defaults to a new short code; ``access_code`` is stored hashed only."""
        roles = tuple(dict.fromkeys(roles))
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise _invalid("roles", f"unknown role(s) {', '.join(unknown)}", f"Use: {', '.join(ROLES)}.")
        code_hash = hash_access_code(access_code) if access_code else None

        def work(conn: Connection) -> Person:
            if conn.execute(select(people.c.id).where(people.c.id == person_id)).first() is not None:
                raise ConflictError(
                    ErrorCode.FIELD_INVALID,
                    Location(field="id"),
                    field="id",
                    detail=f"a person with id '{person_id}' already exists",
                    fix="Choose another id, or change the existing person.",
                )
            chosen = login or self._free_login(conn)
            conn.execute(
                insert(people).values(
                    id=person_id,
                    display_name=display_name,
                    roles=list(roles),
                    login=chosen,
                    access_code_hash=code_hash,
                    active=True,
                    created_at=utcnow(),
                )
            )
            audit.record(
                conn,
                actor=by,
                action="create",
                entity="person",
                entity_id=person_id,
                details={
                    "display_name": display_name,
                    "roles": list(roles),
                    "login": chosen,
                    "access_code": bool(code_hash),
                },
            )
            return Person(person_id, display_name, roles, chosen, True, code_hash is not None)

        return self.db.write(work, retry_integrity=True)

    @staticmethod
    def _free_login(conn: Connection) -> str:
        while True:
            login = "".join(secrets.choice(_ALPHABET) for _ in range(6))
            if conn.execute(select(people.c.id).where(people.c.login == login)).first() is None:
                return login

    def person(self, person_id: str) -> Person:
        with self.db.read() as conn:
            return self._person(conn, person_id)

    @staticmethod
    def _person(conn: Connection, person_id: str) -> Person:
        row = conn.execute(select(people).where(people.c.id == person_id)).first()
        if row is None:
            known = conn.execute(select(people.c.id)).scalars().all()
            raise _not_found("person", person_id, known)
        return Person.from_row(row)

    def people(self, role: str | None = None) -> list[Person]:
        with self.db.read() as conn:
            found = [Person.from_row(r) for r in conn.execute(select(people).order_by(people.c.id))]
        return [p for p in found if role is None or role in p.roles]

    def set_roles(self, person_id: str, roles: Sequence[str], *, by: str | None = None) -> Person:
        roles = tuple(dict.fromkeys(roles))
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise _invalid("roles", f"unknown role(s) {', '.join(unknown)}", f"Use: {', '.join(ROLES)}.")

        def work(conn: Connection) -> Person:
            before = self._person(conn, person_id)
            conn.execute(update(people).where(people.c.id == person_id).values(roles=list(roles)))
            audit.record(
                conn,
                actor=by,
                action="set_roles",
                entity="person",
                entity_id=person_id,
                details={"from": list(before.roles), "to": list(roles)},
            )
            return self._person(conn, person_id)

        return self.db.write(work)

    def set_access_code(self, person_id: str, code: str | None = None, *, by: str | None = None) -> str:
        """Set (or reset) a person's access code; returns the plain code, which is not kept anywhere."""
        code = code or new_access_code()
        code_hash = hash_access_code(code)

        def work(conn: Connection) -> None:
            self._person(conn, person_id)
            conn.execute(update(people).where(people.c.id == person_id).values(access_code_hash=code_hash))
            audit.record(conn, actor=by, action="set_access_code", entity="person", entity_id=person_id)

        self.db.write(work)
        return code

    def check_access_code(self, login: str, code: str) -> Person:
        """The person whose login (or id) and access code match; SK506 otherwise (no hint which was wrong)."""
        global _DUMMY_HASH
        with self.db.read() as conn:
            row = conn.execute(
                select(people).where(
                    (people.c.login == login.strip().upper()) | (people.c.id == login.strip())
                )
            ).first()
        stored = row.access_code_hash if row is not None else None
        if stored is None:
            _DUMMY_HASH = _DUMMY_HASH or hash_access_code(new_access_code())
            verify_access_code(code, _DUMMY_HASH)  # same work whether or not the login exists
            raise AccessDenied(ErrorCode.ACCESS_CODE_WRONG)
        if not verify_access_code(code, stored) or not row.active:
            raise AccessDenied(ErrorCode.ACCESS_CODE_WRONG)
        return Person.from_row(row)

    # --- assignments ------------------------------------------------------------------------------------------
    def assign(
        self,
        interviewer_id: str,
        institution_id: str,
        questionnaire_id: str,
        period: str,
        target: int,
        *,
        by: str | None = None,
    ) -> Assignment:
        """Give an interviewer a target number of interviews at an institution in a period (or change it)."""
        if int(target) < 0:
            raise _invalid(
                "target", f"{target} is negative", "Give the number of interviews to do (0 or more)."
            )

        def work(conn: Connection) -> Assignment:
            self._person(conn, interviewer_id)
            if (
                conn.execute(select(institutions.c.id).where(institutions.c.id == institution_id)).first()
                is None
            ):
                raise _not_found(
                    "institution", institution_id, conn.execute(select(institutions.c.id)).scalars()
                )
            match = and_(
                assignments.c.interviewer_id == interviewer_id,
                assignments.c.institution_id == institution_id,
                assignments.c.questionnaire_id == questionnaire_id,
                assignments.c.period == period,
            )
            existing = conn.execute(select(assignments.c.id).where(match)).scalar_one_or_none()
            if existing is None:
                new_id = conn.execute(
                    insert(assignments)
                    .values(
                        interviewer_id=interviewer_id,
                        institution_id=institution_id,
                        questionnaire_id=questionnaire_id,
                        period=period,
                        target=int(target),
                        created_at=utcnow(),
                    )
                    .returning(assignments.c.id)
                ).scalar_one()
            else:
                new_id = existing
                conn.execute(
                    update(assignments).where(assignments.c.id == existing).values(target=int(target))
                )
            audit.record(
                conn,
                actor=by,
                action="assign" if existing is None else "change_target",
                entity="assignment",
                entity_id=new_id,
                details={
                    "interviewer_id": interviewer_id,
                    "institution_id": institution_id,
                    "questionnaire_id": questionnaire_id,
                    "period": period,
                    "target": int(target),
                },
            )
            return Assignment(new_id, interviewer_id, institution_id, questionnaire_id, period, int(target))

        return self.db.write(work, retry_integrity=True)

    def assignments(
        self,
        *,
        interviewer_id: str | None = None,
        period: str | None = None,
        questionnaire_id: str | None = None,
    ) -> list[Assignment]:
        query = select(assignments).order_by(assignments.c.id)
        if interviewer_id is not None:
            query = query.where(assignments.c.interviewer_id == interviewer_id)
        if period is not None:
            query = query.where(assignments.c.period == period)
        if questionnaire_id is not None:
            query = query.where(assignments.c.questionnaire_id == questionnaire_id)
        with self.db.read() as conn:
            return [Assignment.from_row(r) for r in conn.execute(query)]

    def progress(
        self,
        *,
        period: str | None = None,
        questionnaire_id: str | None = None,
        interviewer_id: str | None = None,
    ) -> pd.DataFrame:
        """One row per assignment: target, ``done`` (submitted + approved, practice never counts), each status,
        ``remaining`` and ``share`` done of target."""
        i = interviews
        counted = and_(i.c.assignment_id == assignments.c.id, i.c.practice.is_(False))

        def count(*statuses: str):
            return func.coalesce(func.sum(case((i.c.status.in_(statuses), 1), else_=0)), 0)

        query = (
            select(
                assignments.c.id.label("assignment_id"),
                assignments.c.interviewer_id,
                assignments.c.institution_id,
                assignments.c.questionnaire_id,
                assignments.c.period,
                assignments.c.target,
                count("submitted", "approved").label("done"),
                count("submitted").label("submitted"),
                count("approved").label("approved"),
                count("rejected").label("rejected"),
                count("draft").label("drafts"),
            )
            .select_from(assignments.outerjoin(i, counted))
            .group_by(*assignments.c)
            .order_by(assignments.c.id)
        )
        if period is not None:
            query = query.where(assignments.c.period == period)
        if questionnaire_id is not None:
            query = query.where(assignments.c.questionnaire_id == questionnaire_id)
        if interviewer_id is not None:
            query = query.where(assignments.c.interviewer_id == interviewer_id)
        with self.db.read() as conn:
            result = conn.execute(query)
            frame = pd.DataFrame(result.all(), columns=list(result.keys()))
        for column in ("target", "done", "submitted", "approved", "rejected", "drafts"):
            frame[column] = frame[column].astype("int64")
        frame["remaining"] = (frame["target"] - frame["done"]).clip(lower=0)
        frame["share"] = (frame["done"] / frame["target"].where(frame["target"] > 0)).astype("Float64")
        return frame
