"""Fieldwork records: the institution register, the campaign's sample targets, cases and contact attempts.

Storage and its integrity rules only; the campaign plan, the import files and the rates live in
:mod:`surveykit.fieldwork`. Every change is one transaction with its audit entries (entities
``institution``, ``sample_target``, ``fieldwork_case``, ``contact_attempt``):

* a **case** is one sampled recipient (or telephone number) at an institution in a period; its ``code`` is the
  case id people write on paper, unique within the period;
* a **contact attempt** has an AAPOR disposition code, its time, mode and interviewer; a code that does not
  exist (SK551), does not belong to the mode's AAPOR table (SK552), a time in the future (SK554), an
  appointment not after the attempt (SK557) and a non-interview attempt after the case's interview (SK555)
  are refused;
* the **final disposition** of a case is computed when read (:func:`surveykit.fieldwork.dispositions.final_disposition`),
  never stored, so it cannot drift from the attempts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from itertools import groupby
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection

from surveykit.errors import ErrorCode, Location, NotFoundError, StoreError, did_you_mean
from surveykit.fieldwork import dispositions as D
from surveykit.store import audit
from surveykit.store.engine import Database
from surveykit.store.records import Institution, _from_row
from surveykit.store.schema import (
    contact_attempts,
    fieldwork_cases,
    institutions,
    people,
    sample_targets,
    utcnow,
)

if TYPE_CHECKING:  # the frames are for analysis and exports: reading cases for the interview app needs no pandas
    import pandas as pd

__all__ = ["CASE_COLUMNS", "CONTACT_COLUMNS", "CaseSummary", "ContactAttempt", "FieldCase", "Fieldwork",
           "RegisterChange", "SampleTarget"]  # fmt: skip

#: the columns of :meth:`Fieldwork.cases_frame`
CASE_COLUMNS = ["case_id", "code", "period", "institution_id", "questionnaire_id", "interviewer_id",
                "assignment_id", "interview_id", "attempts", "first_at", "last_at", "mode", "final", "category",
                "open", "appointment_at"]  # fmt: skip
#: the columns of :meth:`Fieldwork.contacts_frame` (one row per attempt; the contact-log export)
CONTACT_COLUMNS = ["attempt_id", "case_id", "code", "period", "institution_id", "questionnaire_id",
                   "interviewer_id", "attempted_at", "mode", "disposition", "category", "appointment_at",
                   "interview_id", "note", "source"]  # fmt: skip
#: a little slack for clocks of tablets and servers that disagree: an attempt "now" is never in the future
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class FieldCase:
    """One sampled recipient (or telephone number) at an institution in a period."""

    id: int
    code: str
    period: str
    institution_id: str
    questionnaire_id: str | None
    interviewer_id: str | None
    assignment_id: int | None
    interview_id: str | None
    source: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> FieldCase:
        return _from_row(cls, row)


@dataclass(frozen=True)
class CaseSummary:
    """One case with its attempts summed up: a row of :meth:`Fieldwork.cases_frame` (:data:`CASE_COLUMNS`)."""

    case_id: int
    code: str
    period: str
    institution_id: str
    questionnaire_id: str | None
    interviewer_id: str | None  # the interviewer of the attempt that decided the final code (else the case's)
    assignment_id: int | None
    interview_id: str | None
    attempts: int
    first_at: dt.datetime | None
    last_at: dt.datetime | None
    mode: str | None  # the mode of the deciding attempt
    final: str | None  # the final disposition (None: no attempt yet)
    category: str | None
    open: bool  # may still be worked
    appointment_at: dt.datetime | None  # the pending appointment of an open case (its last attempt's)


@dataclass(frozen=True)
class ContactAttempt:
    """One attempt to reach a case's respondent, with its AAPOR code."""

    id: int
    case_id: int
    attempted_at: dt.datetime
    mode: str
    interviewer_id: str
    disposition: str
    appointment_at: dt.datetime | None
    interview_id: str | None
    note: str | None
    source: str

    @property
    def category(self) -> str | None:
        return D.category(self.disposition)

    @classmethod
    def from_row(cls, row: Any) -> ContactAttempt:
        return _from_row(cls, row)


@dataclass(frozen=True)
class SampleTarget:
    """An institution's sample target in a period for a questionnaire: the rule's, and a person's override."""

    period: str
    questionnaire_id: str
    institution_id: str
    recipients: int | None
    rule_target: int
    override: int | None
    target: int
    profile_id: str

    @classmethod
    def from_row(cls, row: Any) -> SampleTarget:
        return _from_row(cls, row)


@dataclass(frozen=True)
class RegisterChange:
    """What a register import did: ids created, updated (something changed) and left as they were."""

    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": list(self.created),
            "updated": list(self.updated),
            "unchanged": list(self.unchanged),
        }


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _when(value: dt.datetime) -> str:
    return _aware(value).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def check_attempt(
    disposition: Any,
    mode: str,
    attempted_at: dt.datetime,
    appointment_at: dt.datetime | None,
    now: dt.datetime,
    location: Location | None = None,
) -> str:
    """The normalised code of a valid attempt; StoreError SK551/SK552/SK554/SK557 otherwise (one home of the
    attempt's rules: the app, the import and the store all ask this)."""
    where = location or Location(field="disposition")
    found = D.lookup(disposition)
    if found is None:
        raise StoreError(
            ErrorCode.DISPOSITION_UNKNOWN,
            where,
            code=str(disposition),
            suggestion=did_you_mean(str(disposition), list(D.DISPOSITIONS)),
        )
    if not D.in_table(found.code, mode):
        raise StoreError(
            ErrorCode.DISPOSITION_NOT_IN_MODE,
            where,
            code=found.code,
            label=D.label(found.code),
            mode=mode,
        )
    if _aware(attempted_at) > now + CLOCK_SKEW:
        raise StoreError(
            ErrorCode.CONTACT_IN_FUTURE, where.with_(field="attempted_at"), when=_when(attempted_at)
        )
    if appointment_at is not None and _aware(appointment_at) <= _aware(attempted_at):
        raise StoreError(
            ErrorCode.APPOINTMENT_INVALID,
            where.with_(field="appointment_at"),
            when=_when(appointment_at),
            attempted=_when(attempted_at),
        )
    return found.code


class Fieldwork:
    """The register, sample targets, cases and contact attempts of a store (``store.fieldwork``). With the
    store's ``catalog`` and ``interviews`` it also records the outcome of an interview of a case."""

    def __init__(self, db: Database, catalog: Any = None, interviews: Any = None) -> None:
        self.db = db
        self.catalog = catalog
        self.interviews = interviews

    # --- the outcome of an interview of a case ---------------------------------------------------------------
    def _interview_code(
        self, interview_id: str, answers: Mapping[str, Any] | None, rules: Any
    ) -> tuple[Any, str]:
        from surveykit.fieldwork.outcome import answered_share, interview_disposition

        meta = self.interviews.meta(interview_id)
        if answers is None:
            answers = self.interviews.load(interview_id).answers
        form = self.catalog.form(meta.questionnaire_version_id)
        return meta, interview_disposition(answered_share(form, answers).share, rules)

    @staticmethod
    def _contact_mode(mode: str) -> str:
        return mode if mode in D.CONTACT_MODES else "face_to_face"

    def record_submission(
        self, interview_id: str, *, by: str | None = None, rules: Any = None
    ) -> ContactAttempt | None:
        """A submitted interview of a case: its outcome by the interview-outcome rule (complete 1.1, partial
        1.2; surveykit.fieldwork.outcome), once. None: no case, or already recorded."""
        case = self.case_of_interview(interview_id)
        if case is None:
            return None
        if any(
            a.interview_id == str(interview_id) and a.category in ("I", "P") for a in self.attempts(case.id)
        ):
            return None
        meta, code = self._interview_code(interview_id, None, rules)
        if D.category(code) not in ("I", "P"):  # submitted below the partial threshold: still an interview
            code = "1.2"
        return self.record_attempt(
            case.id, code, mode=self._contact_mode(meta.mode), interviewer_id=meta.interviewer_id,
            interview_id=str(interview_id), source="submit", by=by,
        )  # fmt: skip

    def record_break_off(
        self, interview_id: str, answers: Mapping[str, Any], *, by: str | None = None, rules: Any = None
    ) -> ContactAttempt | None:
        """The respondent stopped during the interview: partial (1.2) or break-off (2.12) by the share answered;
        the draft stays as it is. None: the interview has no case."""
        case = self.case_of_interview(interview_id)
        if case is None:
            return None
        meta, code = self._interview_code(interview_id, answers, rules)
        if code == "1.1":  # everything answered but not submitted: not a completed interview
            code = "1.2"
        return self.record_attempt(
            case.id, code, mode=self._contact_mode(meta.mode), interviewer_id=meta.interviewer_id,
            interview_id=str(interview_id), source="app", by=by,
        )  # fmt: skip

    # --- the register ------------------------------------------------------------------------------------------
    def update_register(self, records: Sequence[Institution], *, by: str | None = None) -> RegisterChange:
        """Create or update institutions, all in one transaction; every creation and every change is audited
        with the fields before and after (an unchanged row writes nothing)."""
        names = [f.name for f in fields(Institution)]

        def work(conn: Connection) -> RegisterChange:
            ids = [r.id for r in records]
            existing = {
                row.id: row
                for row in conn.execute(select(institutions).where(institutions.c.id.in_(ids))).all()
            } if ids else {}  # fmt: skip
            created, updated, unchanged = [], [], []
            now = utcnow()
            for record in records:
                values = {k: getattr(record, k) for k in names}
                before = existing.get(record.id)
                if before is None:
                    conn.execute(insert(institutions).values(**values, created_at=now))
                    audit.record(
                        conn, actor=by, action="create", entity="institution", entity_id=record.id,
                        details={**values, "source": "register"}, at=now,
                    )  # fmt: skip
                    created.append(record.id)
                    continue
                changed = {
                    k: (before._mapping[k], values[k]) for k in names if before._mapping[k] != values[k]
                }
                if not changed:
                    unchanged.append(record.id)
                    continue
                conn.execute(update(institutions).where(institutions.c.id == record.id).values(**values))
                audit.record(
                    conn, actor=by, action="update", entity="institution", entity_id=record.id,
                    details={"source": "register", "changed": {k: {"from": a, "to": b} for k, (a, b) in changed.items()}},
                    at=now,
                )  # fmt: skip
                updated.append(record.id)
            return RegisterChange(tuple(created), tuple(updated), tuple(unchanged))

        return self.db.write(work, retry_integrity=True)

    # --- sample targets ------------------------------------------------------------------------------------------
    def set_targets(self, rows: Sequence[SampleTarget], *, by: str | None = None) -> int:
        """Create or replace targets (unique by period, questionnaire and institution); returns how many
        changed. Audited with the rule's target, the override and the effective target."""

        def work(conn: Connection) -> int:
            now = utcnow()
            changed = 0
            for row in rows:
                if row.target < 0:
                    raise StoreError(
                        ErrorCode.FIELD_INVALID, Location(field="target"), field="target",
                        detail=f"{row.target} is negative", fix="Give the number of interviews (0 or more).",
                    )  # fmt: skip
                match = and_(
                    sample_targets.c.period == row.period,
                    sample_targets.c.questionnaire_id == row.questionnaire_id,
                    sample_targets.c.institution_id == row.institution_id,
                )
                values = {f.name: getattr(row, f.name) for f in fields(SampleTarget)}
                before = conn.execute(select(sample_targets).where(match)).first()
                if before is None:
                    conn.execute(insert(sample_targets).values(**values, updated_at=now, updated_by=by))
                elif any(before._mapping[k] != v for k, v in values.items()):
                    conn.execute(
                        update(sample_targets).where(match).values(**values, updated_at=now, updated_by=by)
                    )
                else:
                    continue
                changed += 1
                audit.record(
                    conn, actor=by, action="set_target", entity="sample_target",
                    entity_id=f"{row.period}/{row.questionnaire_id}/{row.institution_id}",
                    details={"recipients": row.recipients, "rule_target": row.rule_target, "override": row.override,
                             "target": row.target, "profile_id": row.profile_id},
                    at=now,
                )  # fmt: skip
            return changed

        return self.db.write(work, retry_integrity=True)

    def targets(
        self, *, period: str | None = None, questionnaire_id: str | None = None
    ) -> list[SampleTarget]:
        query = select(sample_targets).order_by(sample_targets.c.period, sample_targets.c.institution_id)
        if period is not None:
            query = query.where(sample_targets.c.period == period)
        if questionnaire_id is not None:
            query = query.where(sample_targets.c.questionnaire_id == questionnaire_id)
        with self.db.read() as conn:
            return [SampleTarget.from_row(r) for r in conn.execute(query)]

    def assign_many(self, directory: Any, rows: Sequence[Mapping[str, Any]], *, by: str | None = None) -> int:
        """Create or change many assignments in one transaction (all or nothing): rows with
        ``interviewer_id, institution_id, questionnaire_id, period, target``."""

        def work(conn: Connection) -> int:
            for row in rows:
                directory.assign_in(
                    conn, row["interviewer_id"], row["institution_id"], row["questionnaire_id"], row["period"],
                    int(row["target"]), by=by,
                )  # fmt: skip
            return len(rows)

        return self.db.write(work, retry_integrity=True)

    # --- cases -------------------------------------------------------------------------------------------------
    def new_case(
        self,
        period: str,
        institution_id: str,
        *,
        questionnaire_id: str | None = None,
        interviewer_id: str | None = None,
        assignment_id: int | None = None,
        code: str | None = None,
        source: str = "app",
        by: str | None = None,
    ) -> FieldCase:
        """Open a case (``code`` default: ``<institution>-<n>``, the next free number in the period)."""

        def work(conn: Connection) -> FieldCase:
            return self._new_case(
                conn,
                period,
                institution_id,
                questionnaire_id,
                interviewer_id,
                assignment_id,
                code,
                source,
                by,
            )

        return self.db.write(work, retry_integrity=True)

    def _new_case(
        self,
        conn: Connection,
        period: str,
        institution_id: str,
        questionnaire_id: str | None,
        interviewer_id: str | None,
        assignment_id: int | None,
        code: str | None,
        source: str,
        by: str | None,
    ) -> FieldCase:
        if conn.execute(select(institutions.c.id).where(institutions.c.id == institution_id)).first() is None:
            known = conn.execute(select(institutions.c.id)).scalars().all()
            raise NotFoundError(
                ErrorCode.NOT_FOUND, entity="institution", key=institution_id,
                suggestion=did_you_mean(institution_id, known),
            )  # fmt: skip
        if code is None:
            prefix = f"{institution_id}-"
            used = conn.execute(
                select(fieldwork_cases.c.code).where(
                    fieldwork_cases.c.period == period,
                    fieldwork_cases.c.code.startswith(prefix, autoescape=True),
                )
            ).scalars()
            numbers = [int(c[len(prefix) :]) for c in used if c[len(prefix) :].isdigit()]
            code = f"{prefix}{max(numbers, default=0) + 1:03d}"
        now = utcnow()
        values = {
            "code": code, "period": period, "institution_id": institution_id, "questionnaire_id": questionnaire_id,
            "interviewer_id": interviewer_id, "assignment_id": assignment_id, "interview_id": None,
            "source": source, "created_at": now, "created_by": by,
        }  # fmt: skip
        new_id = conn.execute(
            insert(fieldwork_cases).values(**values).returning(fieldwork_cases.c.id)
        ).scalar_one()
        audit.record(
            conn, actor=by, action="open", entity="fieldwork_case", entity_id=new_id,
            details={k: v for k, v in values.items() if k not in ("created_at", "created_by")}, at=now,
        )  # fmt: skip
        return FieldCase(new_id, code, period, institution_id, questionnaire_id, interviewer_id, assignment_id,
                         None, source, now)  # fmt: skip

    def case(self, case_id: int) -> FieldCase:
        """One case (SK503 when unknown)."""
        with self.db.read() as conn:
            return self._case(conn, case_id)

    @staticmethod
    def _case(conn: Connection, case_id: int) -> FieldCase:
        row = conn.execute(select(fieldwork_cases).where(fieldwork_cases.c.id == int(case_id))).first()
        if row is None:
            raise NotFoundError(ErrorCode.NOT_FOUND, entity="case", key=str(case_id), suggestion="")
        return FieldCase.from_row(row)

    def case_of_interview(self, interview_id: str) -> FieldCase | None:
        """The case an interview was conducted for (None: an interview without a case, e.g. imported)."""
        with self.db.read() as conn:
            row = conn.execute(
                select(fieldwork_cases).where(fieldwork_cases.c.interview_id == str(interview_id))
            ).first()
        return FieldCase.from_row(row) if row is not None else None

    def link_interview(self, case_id: int, interview_id: str, *, by: str | None = None) -> FieldCase:
        """Record which interview was conducted for a case (audited)."""

        def work(conn: Connection) -> FieldCase:
            case = self._case(conn, case_id)
            conn.execute(
                update(fieldwork_cases)
                .where(fieldwork_cases.c.id == case.id)
                .values(interview_id=str(interview_id))
            )
            audit.record(
                conn, actor=by, action="link_interview", entity="fieldwork_case", entity_id=case.id,
                details={"interview_id": str(interview_id)},
            )  # fmt: skip
            return self._case(conn, case.id)

        return self.db.write(work)

    def cases(self, **filters: Any) -> list[FieldCase]:
        """Cases, filtered by ``period``, ``institution_id``, ``interviewer_id``, ``assignment_id``."""
        query = select(fieldwork_cases).order_by(fieldwork_cases.c.id)
        for name, value in filters.items():
            if value is not None:
                query = query.where(fieldwork_cases.c[name] == value)
        with self.db.read() as conn:
            return [FieldCase.from_row(r) for r in conn.execute(query)]

    # --- contact attempts ----------------------------------------------------------------------------------------
    def record_attempt(
        self,
        case_id: int,
        disposition: Any,
        *,
        mode: str,
        interviewer_id: str,
        attempted_at: dt.datetime | None = None,
        appointment_at: dt.datetime | None = None,
        interview_id: str | None = None,
        note: str | None = None,
        source: str = "app",
        by: str | None = None,
        now: dt.datetime | None = None,
    ) -> ContactAttempt:
        """Record one attempt (the rules of :func:`check_attempt`). An interview is final: after a case's
        complete or partial interview only another interview outcome (1.1, 1.2) is recorded, anything else is
        refused with SK555. A refusal does not close a case: a later attempt is recorded, and the final
        disposition rule keeps the refusal against later non-contacts."""
        now = _aware(now or utcnow())
        attempted_at = _aware(attempted_at or now)
        code = check_attempt(disposition, mode, attempted_at, appointment_at, now)

        def work(conn: Connection) -> ContactAttempt:
            case = self._case(conn, case_id)
            final = D.final_disposition(self._codes(conn, case.id))
            if D.category(final) in ("I", "P") and D.category(code) not in ("I", "P"):
                raise StoreError(
                    ErrorCode.CASE_CLOSED, Location(path=f"case {case.code}"), case=case.code,
                    disposition=final, label=D.label(final or ""),
                )  # fmt: skip
            return self._insert_attempt(
                conn, case.id, code, mode, interviewer_id, attempted_at, appointment_at, interview_id, note,
                source, by, now,
            )  # fmt: skip

        return self.db.write(work)

    @staticmethod
    def _codes(conn: Connection, case_id: int) -> list[str]:
        return list(
            conn.execute(
                select(contact_attempts.c.disposition)
                .where(contact_attempts.c.case_id == case_id)
                .order_by(contact_attempts.c.attempted_at, contact_attempts.c.id)
            ).scalars()
        )

    @staticmethod
    def _insert_attempt(
        conn: Connection,
        case_id: int,
        code: str,
        mode: str,
        interviewer_id: str,
        attempted_at: dt.datetime,
        appointment_at: dt.datetime | None,
        interview_id: str | None,
        note: str | None,
        source: str,
        by: str | None,
        now: dt.datetime,
    ) -> ContactAttempt:
        values = {
            "case_id": case_id, "attempted_at": attempted_at, "mode": mode, "interviewer_id": interviewer_id,
            "disposition": code, "appointment_at": appointment_at,
            "interview_id": str(interview_id) if interview_id else None, "note": note or None, "source": source,
        }  # fmt: skip
        new_id = conn.execute(
            insert(contact_attempts)
            .values(**values, recorded_at=now, recorded_by=by)
            .returning(contact_attempts.c.id)
        ).scalar_one()
        audit.record(
            conn, actor=by, action="record", entity="contact_attempt", entity_id=new_id,
            details={k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in values.items() if k != "note"},
            at=now,
        )  # fmt: skip
        return ContactAttempt(new_id, case_id, attempted_at, mode, interviewer_id, code, appointment_at,
                              values["interview_id"], values["note"], source)  # fmt: skip

    def attempts(self, case_id: int) -> list[ContactAttempt]:
        """The attempts of a case in time order."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(contact_attempts)
                .where(contact_attempts.c.case_id == int(case_id))
                .order_by(contact_attempts.c.attempted_at, contact_attempts.c.id)
            )
            return [ContactAttempt.from_row(r) for r in rows]

    def import_log(
        self, rows: Sequence[Mapping[str, Any]], *, period: str, by: str | None = None
    ) -> dict[str, int]:
        """Store a checked contact log in one transaction: a case per new ``code`` (its institution and
        interviewer from its first row), then every attempt. A case code already used in the period for
        another institution is refused (SK556) and nothing is written. Rows carry ``code``,
        ``institution_id``, ``interviewer_id``, ``attempted_at``, ``mode``, ``disposition``, ``note`` and
        ``row`` (the file's row, for messages)."""

        def work(conn: Connection) -> dict[str, int]:
            now = utcnow()
            known = {
                r.code: r
                for r in conn.execute(select(fieldwork_cases).where(fieldwork_cases.c.period == period))
            }
            created = 0
            ids: dict[str, int] = {}
            for row in rows:
                code = str(row["code"])
                case = known.get(code)
                if case is not None and case.institution_id != row["institution_id"]:
                    raise StoreError(
                        ErrorCode.CASE_CONFLICT, Location(row=row.get("row"), field="institution_id"), case=code,
                        period=period, institution=case.institution_id, other=row["institution_id"],
                    )  # fmt: skip
                if code not in ids:
                    if case is None:
                        new = self._new_case(
                            conn, period, row["institution_id"], row.get("questionnaire_id"), row["interviewer_id"],
                            None, code, "import", by,
                        )  # fmt: skip
                        ids[code] = new.id
                        created += 1
                    else:
                        ids[code] = case.id
            for row in rows:
                self._insert_attempt(
                    conn, ids[str(row["code"])], row["disposition"], row["mode"], row["interviewer_id"],
                    _aware(row["attempted_at"]), row.get("appointment_at"), None, row.get("note"), "import", by, now,
                )  # fmt: skip
            return {"cases_created": created, "attempts": len(rows)}

        return self.db.write(work)

    def load_history(
        self,
        cases: Sequence[Mapping[str, Any]],
        attempts: Sequence[Mapping[str, Any]],
        *,
        by: str | None = None,
    ) -> tuple[int, int]:
        """Bulk-load known cases and their attempts in one transaction (the demo, migrations of old data):
        cases carry ``code, period, institution_id, questionnaire_id, interviewer_id, assignment_id,
        interview_id``; attempts ``code, period`` (their case) and the attempt's columns, with codes already
        checked. Audited like single changes. Returns the numbers of cases and attempts."""

        def work(conn: Connection) -> tuple[int, int]:
            now = utcnow()
            ids: dict[tuple[str, str], int] = {}
            entries: list[dict[str, Any]] = []
            for case in cases:
                values = {k: case.get(k) for k in ("code", "period", "institution_id", "questionnaire_id",
                                                    "interviewer_id", "assignment_id", "interview_id")}  # fmt: skip
                new_id = conn.execute(
                    insert(fieldwork_cases)
                    .values(**values, source=case.get("source", "import"), created_at=now, created_by=by)
                    .returning(fieldwork_cases.c.id)
                ).scalar_one()
                ids[(str(values["period"]), str(values["code"]))] = new_id
                entries.append({"actor": by, "action": "open", "entity": "fieldwork_case", "entity_id": new_id,
                                "details": values, "at": now})  # fmt: skip
            rows = []
            for attempt in attempts:
                row = {k: attempt.get(k) for k in ("attempted_at", "mode", "interviewer_id", "disposition",
                                                   "appointment_at", "interview_id", "note")}  # fmt: skip
                row.update(case_id=ids[(str(attempt["period"]), str(attempt["code"]))],
                           source=attempt.get("source", "import"), recorded_at=now, recorded_by=by)  # fmt: skip
                rows.append(row)
            for start in range(0, len(rows), 5000):
                conn.execute(insert(contact_attempts), rows[start : start + 5000])
            entries.append({"actor": by, "action": "load_history", "entity": "contact_attempt", "entity_id": "bulk",
                            "details": {"cases": len(cases), "attempts": len(rows)}, "at": now})  # fmt: skip
            audit.record_many(conn, entries)
            return len(cases), len(rows)

        return self.db.write(work)

    # --- reading for analysis --------------------------------------------------------------------------------------
    def _joined(self, where: Iterable[Any]) -> tuple[list[str], list[Any]]:
        """Every case with each of its attempts (a case without attempts once, its attempt columns None),
        ordered by case and time: the column names and the rows."""
        c, a = fieldwork_cases, contact_attempts
        query = (
            select(
                a.c.id.label("attempt_id"), c.c.id.label("case_id"), c.c.code, c.c.period, c.c.institution_id,
                c.c.questionnaire_id, c.c.interviewer_id.label("case_interviewer_id"), c.c.assignment_id,
                c.c.interview_id.label("case_interview_id"), a.c.interviewer_id, a.c.attempted_at, a.c.mode,
                a.c.disposition, a.c.appointment_at, a.c.interview_id, a.c.note, a.c.source,
            )
            .select_from(c.outerjoin(a, a.c.case_id == c.c.id))
            .order_by(c.c.id, a.c.attempted_at, a.c.id)
        )  # fmt: skip
        for condition in where:
            query = query.where(condition)
        with self.db.read() as conn:
            result = conn.execute(query)
            return list(result.keys()), result.all()

    @staticmethod
    def _conditions(
        period: str | None,
        institution_id: str | None,
        interviewer_id: str | None,
        questionnaire_id: str | None,
    ) -> list[Any]:
        c = fieldwork_cases
        found = []
        if period is not None:
            found.append(c.c.period == period)
        if institution_id is not None:
            found.append(c.c.institution_id == institution_id)
        if questionnaire_id is not None:
            found.append(c.c.questionnaire_id == questionnaire_id)
        if interviewer_id is not None:  # the case's interviewer, or anyone who made an attempt
            found.append(
                (c.c.interviewer_id == interviewer_id)
                | c.c.id.in_(
                    select(contact_attempts.c.case_id).where(
                        contact_attempts.c.interviewer_id == interviewer_id
                    )
                )
            )
        return found

    def contacts_frame(
        self,
        *,
        period: str | None = None,
        institution_id: str | None = None,
        interviewer_id: str | None = None,
        questionnaire_id: str | None = None,
    ) -> pd.DataFrame:
        """Every contact attempt, one row each, with its case (the contact log; :data:`CONTACT_COLUMNS`)."""
        import pandas as pd

        columns, rows = self._joined(self._conditions(period, institution_id, interviewer_id, questionnaire_id))
        frame = pd.DataFrame(rows, columns=columns)
        frame = frame[frame["attempt_id"].notna()].copy()
        frame["attempt_id"] = frame["attempt_id"].astype("int64")
        frame["category"] = [D.category(code) for code in frame["disposition"]]
        return frame.reindex(columns=CONTACT_COLUMNS).reset_index(drop=True)

    def case_summaries(
        self,
        *,
        period: str | None = None,
        institution_id: str | None = None,
        interviewer_id: str | None = None,
        questionnaire_id: str | None = None,
    ) -> list[CaseSummary]:
        """One summary per case, in case order: its attempts, the final disposition and its category, and
        who and how: the interviewer and mode of the attempt that decided the final code. ``open`` cases may
        still be worked; ``appointment_at`` is the pending appointment of an open case (its last attempt's).
        Plain Python (the interview app's home page reads it without pandas); :meth:`cases_frame` is its table."""
        _, rows = self._joined(self._conditions(period, institution_id, interviewer_id, questionnaire_id))
        out = []
        for case_id, group in groupby(rows, key=lambda r: r.case_id):
            lines = list(group)
            first = lines[0]
            tried = [r for r in lines if r.attempt_id is not None]
            final = D.final_disposition([r.disposition for r in tried])
            decided = [r for r in tried if r.disposition == final][-1] if final is not None else None
            last = tried[-1] if tried else None
            is_open = D.is_open(final)
            times = [r.attempted_at for r in tried]
            out.append(CaseSummary(
                case_id=int(case_id), code=first.code, period=first.period, institution_id=first.institution_id,
                questionnaire_id=first.questionnaire_id,
                interviewer_id=decided.interviewer_id if decided is not None else first.case_interviewer_id,
                assignment_id=first.assignment_id, interview_id=first.case_interview_id, attempts=len(tried),
                first_at=min(times) if times else None, last_at=max(times) if times else None,
                mode=decided.mode if decided is not None else None, final=final,
                category=D.category(final) if final else None, open=is_open,
                appointment_at=last.appointment_at if last is not None and is_open else None,
            ))  # fmt: skip
        return out

    def cases_frame(
        self,
        *,
        period: str | None = None,
        institution_id: str | None = None,
        interviewer_id: str | None = None,
        questionnaire_id: str | None = None,
    ) -> pd.DataFrame:
        """:meth:`case_summaries` as a table, one row per case (:data:`CASE_COLUMNS`)."""
        import pandas as pd

        summaries = self.case_summaries(period=period, institution_id=institution_id,
                                        interviewer_id=interviewer_id, questionnaire_id=questionnaire_id)  # fmt: skip
        out = pd.DataFrame([astuple(s) for s in summaries], columns=CASE_COLUMNS)
        out["attempts"] = out["attempts"].astype("int64")
        out["open"] = out["open"].astype(bool)
        return out

    def interviewers_exist(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are people of the store."""
        wanted = sorted(set(ids))
        if not wanted:
            return set()
        with self.db.read() as conn:
            return set(conn.execute(select(people.c.id).where(people.c.id.in_(wanted))).scalars())

    def count_cases(self, period: str | None = None) -> int:
        query = select(func.count()).select_from(fieldwork_cases)
        if period is not None:
            query = query.where(fieldwork_cases.c.period == period)
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())
