"""Institutions, people (roles, login, hashed access code, lock-out) and fieldwork assignments with their progress.

Access codes are hashed with argon2id (argon2-cffi) with a random salt per person; the plain code is returned
once, when it is set, and never stored. Hashes of older versions (``scrypt$n$r$p$salt$hash``) are still
verified and replaced by an argon2id hash at the person's next successful sign-in.

Sign-in (:meth:`Directory.authenticate`) counts failed attempts per account: after ``lockout_threshold``
failures in a row the account is locked for ``lockout_minutes`` (settings); a successful sign-in or an
administrator's :meth:`Directory.unlock` resets the count. Every attempt is audited, never with the code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace as dataclasses_replace
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
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
from surveykit.store.schema import ROLES, assignments, institutions, interviews, people, sessions, utcnow

if TYPE_CHECKING:  # progress as a table is for dashboards; the interview app reads progress_rows without pandas
    import pandas as pd

__all__ = [
    "PROGRESS_COLUMNS",
    "Directory",
    "hash_access_code",
    "needs_rehash",
    "new_access_code",
    "verify_access_code",
]

_PROGRESS_COUNTS = ("target", "done", "submitted", "approved", "rejected", "drafts")
#: the columns of :meth:`Directory.progress` (the keys of :meth:`Directory.progress_rows`)
PROGRESS_COLUMNS = ["assignment_id", "interviewer_id", "institution_id", "questionnaire_id", "period",
                    *_PROGRESS_COUNTS, "remaining", "share"]  # fmt: skip

#: argon2id with the OWASP Password Storage Cheat Sheet parameters: 19 MiB of memory (memory_cost 19456 KiB),
#: 2 passes (time_cost), 1 lane (parallelism), a 16-byte random salt and a 32-byte hash. About 30 ms per
#: hash on the project's 2-core machines: cheap for one sign-in, expensive for guessing a stolen database.
#: Access codes are short (8 base-32 symbols, 40 bits), so the lock-out, not the hash, stops online guessing.
ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM = 2, 19456, 1
_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)
#: parameters of the legacy scrypt hashes (verified, never written any more)
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
#: a hash of a random code, verified against when the login is unknown (the same work, the same time)
_DUMMY_HASH: str | None = None


def _normalize_code(code: str) -> str:
    """Codes are typed by people: case, spaces and dashes do not matter."""
    return "".join(str(code).split()).replace("-", "").upper()


def hash_access_code(code: str) -> str:
    """The argon2id hash of an access code (``$argon2id$v=19$m=19456,t=2,p=1$salt$hash``)."""
    return _HASHER.hash(_normalize_code(code))


def _scrypt_hash(code: str, *, salt: bytes | None = None) -> str:
    """A legacy ``scrypt$...`` hash as written before argon2 (kept to test the transparent upgrade)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        _normalize_code(code).encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def _verify_scrypt(code: str, stored: str) -> bool:
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


def verify_access_code(code: str, stored: str) -> bool:
    """Whether ``code`` matches ``stored`` (argon2id, or a legacy scrypt hash); constant-time comparison."""
    if stored.startswith("scrypt$"):
        return _verify_scrypt(code, stored)
    try:
        return _HASHER.verify(stored, _normalize_code(code))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """A legacy scheme or other argon2 parameters than today's: rehash at the next successful sign-in."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def _dummy_hash() -> str:
    global _DUMMY_HASH
    _DUMMY_HASH = _DUMMY_HASH or hash_access_code(new_access_code())
    return _DUMMY_HASH


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
    """Institutions, people and assignments. ``lockout_threshold`` failed sign-ins in a row lock an account
    for ``lockout_duration`` (default: the settings ``lockout_threshold`` and ``lockout_minutes``)."""

    def __init__(
        self,
        db: Database,
        *,
        lockout_threshold: int | None = None,
        lockout_duration: dt.timedelta | None = None,
    ) -> None:
        from surveykit.config import settings

        self.db = db
        self.lockout_threshold = lockout_threshold or settings().lockout_threshold
        self.lockout_duration = lockout_duration or dt.timedelta(minutes=settings().lockout_minutes)

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
            if "administrator" in before.roles and "administrator" not in roles and before.active:
                self._keep_an_administrator(conn, person_id, before)
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
            # a new code also lifts a lock-out: the guesses were against the old one
            conn.execute(
                update(people)
                .where(people.c.id == person_id)
                .values(access_code_hash=code_hash, failed_sign_ins=0, locked_until=None)
            )
            audit.record(conn, actor=by, action="set_access_code", entity="person", entity_id=person_id)

        self.db.write(work)
        return code

    def check_access_code(self, login: str, code: str) -> Person:
        """The person whose login (or id) and access code match; SK506 otherwise (no hint which was wrong).
        The same rules as :meth:`authenticate` (lock-out, deactivated accounts), without a role check."""
        return self.authenticate(login, code)

    def authenticate(
        self,
        login: str,
        code: str,
        *,
        roles: Sequence[str] = (),
        app: str = "",
        now: dt.datetime | None = None,
        on_success: Callable[[Connection, Person, dt.datetime], Mapping[str, Any]] | None = None,
    ) -> Person:
        """Sign a person in: login (or id) and access code, then the account's state, then ``roles``.

        * wrong code or unknown login: SK506 (the same answer and about the same time either way); the
          account's failure count goes up, and at ``lockout_threshold`` it is locked: SK520 says until when;
        * a locked account is refused with SK520 whatever the code (guessing on is useless);
        * a deactivated account with the right code: SK521; a role the app needs is missing: SK512;
        * success resets the failure count and replaces a legacy or outdated hash by argon2id.

        Every attempt is audited (``sign_in``, ``sign_in_failed``, ``sign_in_refused``), never with the code.
        ``on_success(conn, person, now)`` runs in the transaction of the successful sign-in (the session is
        recorded there) and returns details for its audit entry.
        """
        now = now or utcnow()
        key = str(login).strip()
        with self.db.read() as conn:
            row = conn.execute(
                select(people).where((func.upper(people.c.login) == key.upper()) | (people.c.id == key))
            ).first()
        stored = row.access_code_hash if row is not None else None
        matches = verify_access_code(code, stored or _dummy_hash())  # same work whether the login exists
        if row is None or stored is None:
            self._failed(row, key, app, now)
            raise AccessDenied(ErrorCode.ACCESS_CODE_WRONG, Location(path="sign-in"))
        if row.locked_until is not None and row.locked_until > now:
            self._refused(row.id, "locked", app)
            raise self._locked(row.login, row.failed_sign_ins, row.locked_until)
        if not matches:
            failures, locked_until = self._failed(row, key, app, now)
            if locked_until is not None:
                raise self._locked(row.login, failures, locked_until)
            raise AccessDenied(ErrorCode.ACCESS_CODE_WRONG, Location(path="sign-in"))
        person = Person.from_row(row)
        if not row.active:
            self._refused(row.id, "deactivated", app)
            raise AccessDenied(ErrorCode.ACCOUNT_INACTIVE, Location(path="sign-in"), login=row.login)
        if roles and not set(roles) & set(person.roles):
            from surveykit.access import role_names  # the rules' module, below the store: no cycle

            self._refused(row.id, "role", app, needed=list(roles))
            raise AccessDenied(
                ErrorCode.ROLE_REQUIRED,
                Location(path="sign-in"),
                person=person.display_name,
                roles=role_names(person.roles),
                needed=role_names(roles),
            )
        rehashed = hash_access_code(code) if needs_rehash(stored) else None

        def work(conn: Connection) -> None:
            values: dict[str, Any] = {}
            if row.failed_sign_ins or row.locked_until is not None:
                values.update(failed_sign_ins=0, locked_until=None)
            if rehashed is not None:
                values["access_code_hash"] = rehashed
            if values:
                conn.execute(update(people).where(people.c.id == row.id).values(**values))
            details: dict[str, Any] = {"app": app, "rehashed": rehashed is not None}
            if on_success is not None:
                details.update(on_success(conn, person, now))
            audit.record(
                conn,
                actor=row.id,
                action="sign_in",
                entity="person",
                entity_id=row.id,
                details=details,
                at=now,
            )

        self.db.write(work)
        return dataclasses_replace(person, failed_sign_ins=0, locked_until=None)

    @staticmethod
    def _locked(login: str, failures: int, until: dt.datetime) -> AccessDenied:
        return AccessDenied(
            ErrorCode.ACCOUNT_LOCKED,
            Location(path="sign-in"),
            login=login,
            failures=failures,
            until=until.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )

    def _failed(self, row: Any, key: str, app: str, now: dt.datetime) -> tuple[int, dt.datetime | None]:
        """Count a failed attempt (and lock at the threshold); audited without the code."""
        threshold, duration = self.lockout_threshold, self.lockout_duration

        def work(conn: Connection) -> tuple[int, dt.datetime | None]:
            if row is None:
                audit.record(
                    conn,
                    actor=None,
                    action="sign_in_failed",
                    entity="person",
                    entity_id=key[:64] or "-",
                    details={"reason": "unknown_login", "app": app},
                    at=now,
                )
                return 0, None
            current = conn.execute(
                select(people.c.failed_sign_ins, people.c.locked_until).where(people.c.id == row.id)
            ).one()
            lock_over = current.locked_until is not None and current.locked_until <= now
            failures = (0 if lock_over else current.failed_sign_ins) + 1
            locked_until = now + duration if failures >= threshold else None
            conn.execute(
                update(people)
                .where(people.c.id == row.id)
                .values(failed_sign_ins=failures, locked_until=locked_until)
            )
            reason = "no_access_code" if row.access_code_hash is None else "wrong_code"
            details = {"reason": reason, "app": app, "failures": failures}
            if locked_until is not None:
                details["locked_until"] = locked_until.isoformat()
            audit.record(
                conn,
                actor=None,
                action="sign_in_failed",
                entity="person",
                entity_id=row.id,
                details=details,
                at=now,
            )
            return failures, locked_until

        return self.db.write(work)

    def _refused(self, person_id: str, reason: str, app: str, **extra: Any) -> None:
        def work(conn: Connection) -> None:
            audit.record(
                conn,
                actor=None,
                action="sign_in_refused",
                entity="person",
                entity_id=person_id,
                details={"reason": reason, "app": app, **extra},
            )

        self.db.write(work)

    # --- administration: deactivate, reactivate, unlock -------------------------------------------------------
    def set_active(self, person_id: str, active: bool, *, by: str | None = None) -> Person:
        """Deactivate (every open session of the person ends at once) or reactivate an account."""

        def work(conn: Connection) -> Person:
            before = self._person(conn, person_id)
            if not active and "administrator" in before.roles and before.active:
                self._keep_an_administrator(conn, person_id, before)
            now = utcnow()
            conn.execute(update(people).where(people.c.id == person_id).values(active=bool(active)))
            ended = 0
            if not active:
                ended = conn.execute(
                    update(sessions)
                    .where(sessions.c.person_id == person_id, sessions.c.ended_at.is_(None))
                    .values(ended_at=now, end_reason="deactivated")
                ).rowcount
            audit.record(
                conn,
                actor=by,
                action="activate" if active else "deactivate",
                entity="person",
                entity_id=person_id,
                details={"was_active": before.active, "sessions_ended": ended},
                at=now,
            )
            return self._person(conn, person_id)

        return self.db.write(work)

    def unlock(self, person_id: str, *, by: str | None = None) -> Person:
        """Lift a lock-out now and reset the failure count."""

        def work(conn: Connection) -> Person:
            before = self._person(conn, person_id)
            conn.execute(
                update(people).where(people.c.id == person_id).values(failed_sign_ins=0, locked_until=None)
            )
            audit.record(
                conn,
                actor=by,
                action="unlock",
                entity="person",
                entity_id=person_id,
                details={
                    "failed_sign_ins": before.failed_sign_ins,
                    "locked_until": before.locked_until.isoformat() if before.locked_until else None,
                },
            )
            return self._person(conn, person_id)

        return self.db.write(work)

    @staticmethod
    def _keep_an_administrator(conn: Connection, person_id: str, person: Person) -> None:
        """Refuse (SK523) a change that would leave no active administrator."""
        others = [
            r
            for r in conn.execute(select(people.c.id, people.c.roles).where(people.c.active.is_(True)))
            if r.id != person_id and "administrator" in (r.roles or ())
        ]
        if not others:
            raise StoreError(
                ErrorCode.LAST_ADMINISTRATOR, Location(path=f"person {person_id}"), person=person.display_name
            )

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
            return self.assign_in(
                conn, interviewer_id, institution_id, questionnaire_id, period, target, by=by
            )

        return self.db.write(work, retry_integrity=True)

    def assign_in(
        self,
        conn: Connection,
        interviewer_id: str,
        institution_id: str,
        questionnaire_id: str,
        period: str,
        target: int,
        *,
        by: str | None = None,
    ) -> Assignment:
        """:meth:`assign` inside the caller's transaction (many assignments at once, all or nothing)."""
        if int(target) < 0:
            raise _invalid(
                "target", f"{target} is negative", "Give the number of interviews to do (0 or more)."
            )
        self._person(conn, interviewer_id)
        if conn.execute(select(institutions.c.id).where(institutions.c.id == institution_id)).first() is None:
            raise _not_found("institution", institution_id, conn.execute(select(institutions.c.id)).scalars())
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
            conn.execute(update(assignments).where(assignments.c.id == existing).values(target=int(target)))
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

    def progress_rows(
        self,
        *,
        period: str | None = None,
        questionnaire_id: str | None = None,
        interviewer_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """One dict per assignment (:data:`PROGRESS_COLUMNS`): target, ``done`` (submitted + approved, practice
        never counts), each status, ``remaining`` and ``share`` done of target (None without a target)."""
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
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            for column in _PROGRESS_COUNTS:
                row[column] = int(row[column])
            row["remaining"] = max(0, row["target"] - row["done"])
            row["share"] = row["done"] / row["target"] if row["target"] > 0 else None
        return rows

    def progress(
        self,
        *,
        period: str | None = None,
        questionnaire_id: str | None = None,
        interviewer_id: str | None = None,
    ) -> pd.DataFrame:
        """:meth:`progress_rows` as a table, one row per assignment."""
        import pandas as pd

        rows = self.progress_rows(period=period, questionnaire_id=questionnaire_id, interviewer_id=interviewer_id)
        frame = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
        for column in _PROGRESS_COUNTS:
            frame[column] = frame[column].astype("int64")
        frame["remaining"] = frame["remaining"].astype("int64")
        frame["share"] = frame["share"].astype("Float64")
        return frame
