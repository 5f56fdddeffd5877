"""Training and certification records: attendance, exam attempts, mock interviews, calibration, cohorts,
certificates. Storage only (plain create/read helpers); the rules live in :mod:`surveykit.training` and
:mod:`surveykit.certificates`. :func:`certification_problem` is the certification gate the store applies to
real interviews.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection

from surveykit.errors import ErrorCode, Location, NotFoundError, StoreError, Translated
from surveykit.store import audit
from surveykit.store.actors import require_actor
from surveykit.store.engine import Database
from surveykit.store.records import CertificateRecord
from surveykit.store.schema import (
    CERTIFICATE_STATUSES,
    attendance,
    calibration_results,
    certificates,
    cohort_members,
    cohorts,
    exam_attempts,
    mock_interviews,
    people,
    utcnow,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CertificationStatus",
    "Training",
    "authentic",
    "certification_problem",
    "certification_status",
    "status_of",
]


_CERTIFICATES_OF = (
    select(certificates)
    .where(certificates.c.person_id == bindparam("person"))
    .order_by(certificates.c.issued_at.desc())
)


#: why a person may not do real interviews, in the languages of the apps ({serial}, {date}, {why})
_REASONS = {
    "none": {"en": "no certificate", "ru": "нет сертификата"},
    "suspended": {
        "en": "certificate {serial} is suspended{why}",
        "ru": "сертификат {serial} приостановлен{why}",
    },
    "revoked": {"en": "certificate {serial} is revoked{why}", "ru": "сертификат {serial} отозван{why}"},
    "not_yet": {
        "en": "certificate {serial} is valid only from {date}",
        "ru": "сертификат {serial} действует только с {date}",
    },
    "expired": {
        "en": "certificate {serial} expired on {date}",
        "ru": "срок сертификата {serial} истёк {date}",
    },
    "role": {
        "en": "certificate {serial} does not cover this work (it needs the role {why})",
        "ru": "сертификат {serial} не даёт права на эту работу (нужна роль {why})",
    },
    "forged": {
        "en": "certificate {serial} is not authentic and does not count: {why}",
        "ru": "сертификат {serial} не подлинный и не учитывается: {why}",
    },
}


@dataclass(frozen=True)
class CertificationStatus:
    """Whether a person may do real interviews at a moment: the certification gate's answer.

    ``valid`` with the certificate that makes it so (``serial``, ``valid_until``; None: it never expires),
    or the ``kind`` of problem (none, suspended, revoked, not_yet, expired) of the most recent certificate."""

    person_id: str
    valid: bool
    serial: str | None = None
    valid_until: dt.datetime | None = None
    kind: str | None = None
    detail: str | None = None  # the reason given for a suspension or a revocation
    date: dt.datetime | None = None  # when the certificate starts or expired

    def reason(self, language: str = "en") -> str:
        """Why the person may not do real interviews ("" when they may), in ``language`` (en or ru)."""
        if self.valid or self.kind is None:
            return ""
        template = _REASONS[self.kind].get(language) or _REASONS[self.kind]["en"]
        if self.kind == "forged":
            from surveykit.certificates.stored import reason_text

            key, _, params = (self.detail or "record_unreadable").partition("|")
            what = dict([params.split("=", 1)]) if "=" in params else {}
            why = reason_text(key, what, language)
        else:
            why = self.detail or "" if self.kind == "role" else f": {self.detail}" if self.detail else ""
        date = f"{self.date:%Y-%m-%d}" if self.date is not None else ""
        return template.format(serial=self.serial or "", date=date, why=why)


def certification_status(
    conn: Connection, person_id: str, when: dt.datetime, roles: Collection[str] | None = None
) -> CertificationStatus:
    """The certification gate for ``person_id`` at ``when`` (a naive time is taken as UTC). With ``roles``,
    only a certificate granting one of them counts (the gate of ``rules.yaml`` for the interview mode)."""
    stored = [CertificateRecord.from_row(r) for r in conn.execute(_CERTIFICATES_OF, {"person": person_id})]
    return status_of(stored, person_id, when, roles)


def status_of(
    stored: Sequence[CertificateRecord],
    person_id: str,
    when: dt.datetime,
    roles: Collection[str] | None = None,
) -> CertificationStatus:
    """The certification gate's rule, applied to the person's stored certificates (newest first), as
    :func:`certification_status` reads them."""
    when = when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    records, forged = authentic(stored)  # only what the issuer signed counts (an edited row does not)
    if forged and not any(c.valid_at(when) for c in records):
        serial, why = next(iter(forged.items()))
        if not records or stored[0].serial == serial:  # the newest certificate is the forged one
            return CertificationStatus(person_id, False, serial, kind="forged", detail=why)
    valid = [c for c in records if c.valid_at(when)]
    if valid and roles:
        covering = [c for c in valid if set(c.roles) & set(roles)]
        if not covering:
            best = max(valid, key=lambda c: c.valid_until or dt.datetime.max.replace(tzinfo=dt.UTC))
            return CertificationStatus(
                person_id, False, best.serial, best.valid_until, "role", detail=" / ".join(sorted(roles))
            )
        valid = covering
    if valid:
        best = max(valid, key=lambda c: c.valid_until or dt.datetime.max.replace(tzinfo=dt.UTC))
        return CertificationStatus(person_id, True, best.serial, best.valid_until)
    if not records:
        return CertificationStatus(person_id, False, kind="none")
    latest = records[0]
    if latest.status != "valid":
        return CertificationStatus(
            person_id, False, latest.serial, latest.valid_until, latest.status, latest.status_reason
        )
    if latest.issued_at > when:
        return CertificationStatus(
            person_id, False, latest.serial, latest.valid_until, "not_yet", date=latest.issued_at
        )
    return CertificationStatus(
        person_id, False, latest.serial, latest.valid_until, "expired", date=latest.valid_until
    )


def authentic(
    records: Sequence[CertificateRecord],
) -> tuple[list[CertificateRecord], dict[str, str]]:
    """The stored certificates that are what the issuer signed (signature and columns agree, see
    :mod:`surveykit.certificates.stored`), and for each other one why not (serial -> ``reason|what=...``).
    The one home of this rule: the interview gate, ``certification_status`` and the bulk import use it."""
    if not records:
        return [], {}
    from surveykit.certificates.stored import checked_problem, gate_keys

    keys = gate_keys()
    if isinstance(keys, str):
        return [], {c.serial: f"no_key|detail={keys}" for c in records}
    good: list[CertificateRecord] = []
    bad: dict[str, str] = {}
    for c in records:
        problem = checked_problem(  # the signature is checked once per process for the same row content
            c.record,
            serial=c.serial,
            person_id=c.person_id,
            roles=c.roles,
            issued_at=c.issued_at,
            valid_until=c.valid_until,
            keys=keys,
        )
        if problem is None:
            good.append(c)
        else:
            key, params = problem
            bad[c.serial] = key + "".join(f"|{k}={v}" for k, v in params.items())
    return good, bad


def certification_problem(
    conn: Connection, person_id: str, when: dt.datetime, roles: Collection[str] | None = None
) -> str | None:
    """Why ``person_id`` may not do real interviews at ``when``, in English (None: they hold a valid certificate)."""
    status = certification_status(conn, person_id, when, roles)
    return None if status.valid else status.reason("en")


class Training:
    """Create and read training records. Every write is audited."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- generic helpers ----------------------------------------------------------------------------------
    def _insert(self, table: Table, values: Mapping[str, Any], *, by: str | None, entity: str) -> Any:
        def work(conn: Connection) -> Any:
            pk = list(table.primary_key.columns)[0]
            key = conn.execute(insert(table).values(**values).returning(pk)).scalar_one()
            audit.record(
                conn, actor=by, action="create", entity=entity, entity_id=key, details=_jsonable(values)
            )
            return key

        return self.db.write(work)

    def _frame(self, table: Table, **where: Any) -> pd.DataFrame:
        import pandas as pd

        query = select(table)
        for column, value in where.items():
            if value is not None:
                query = query.where(table.c[column] == value)
        with self.db.read() as conn:
            result = conn.execute(query.order_by(*table.primary_key.columns))
            return pd.DataFrame(result.all(), columns=list(result.keys()))

    # --- attendance ---------------------------------------------------------------------------------------
    def record_attendance(
        self, person_id: str, module_id: str, hours: float, date: dt.date, *, recorded_by: str | None = None
    ) -> int:
        values = dict(
            person_id=person_id,
            module_id=module_id,
            hours=float(hours),
            date=date,
            recorded_by=recorded_by,
            recorded_at=utcnow(),
        )
        return self._insert(attendance, values, by=recorded_by, entity="attendance")

    def attendance(self, person_id: str | None = None) -> pd.DataFrame:
        return self._frame(attendance, person_id=person_id)

    # --- exam attempts ---------------------------------------------------------------------------------------
    def save_exam_attempt(
        self,
        attempt_id: str,
        person_id: str,
        attempt: int,
        state: Mapping[str, Any],
        *,
        started_at: dt.datetime,
        deadline: dt.datetime | None = None,
        submitted_at: dt.datetime | None = None,
        score: float | None = None,
        passed: bool | None = None,
        by: str | None = None,
    ) -> str:
        """Create an exam attempt or save its new state (answers so far, submission, score)."""
        values = dict(
            person_id=person_id,
            attempt=int(attempt),
            state=dict(state),
            started_at=started_at,
            deadline=deadline,
            submitted_at=submitted_at,
            score=score,
            passed=passed,
        )

        def work(conn: Connection) -> str:
            exists = conn.execute(select(exam_attempts.c.id).where(exam_attempts.c.id == attempt_id)).first()
            if exists is None:
                conn.execute(insert(exam_attempts).values(id=attempt_id, **values))
            else:
                conn.execute(update(exam_attempts).where(exam_attempts.c.id == attempt_id).values(**values))
            details = {k: v for k, v in _jsonable(values).items() if k != "state"}
            audit.record(
                conn,
                actor=by or person_id,
                action="create" if exists is None else "update",
                entity="exam_attempt",
                entity_id=attempt_id,
                details=details,
            )
            return attempt_id

        return self.db.write(work, retry_integrity=True)

    def exam_attempts(self, person_id: str | None = None) -> pd.DataFrame:
        return self._frame(exam_attempts, person_id=person_id)

    # --- mock interviews, calibration ---------------------------------------------------------------------------
    def record_mock_interview(
        self,
        person_id: str,
        item_scores: Mapping[str, int],
        total: float,
        passed: bool,
        *,
        trainer_id: str | None = None,
        at: dt.datetime | None = None,
    ) -> int:
        values = dict(
            person_id=person_id,
            trainer_id=trainer_id,
            item_scores=dict(item_scores),
            total=float(total),
            passed=bool(passed),
            at=at or utcnow(),
        )
        return self._insert(mock_interviews, values, by=trainer_id, entity="mock_interview")

    def mock_interviews(self, person_id: str | None = None) -> pd.DataFrame:
        return self._frame(mock_interviews, person_id=person_id)

    def record_calibration(
        self,
        person_id: str,
        case_id: str,
        agreement: float,
        passed: bool,
        *,
        kappa: float | None = None,
        at: dt.datetime | None = None,
        by: str | None = None,
    ) -> int:
        values = dict(
            person_id=person_id,
            case_id=case_id,
            agreement=float(agreement),
            kappa=kappa,
            passed=bool(passed),
            at=at or utcnow(),
        )
        return self._insert(calibration_results, values, by=by, entity="calibration_result")

    def calibration_results(self, person_id: str | None = None) -> pd.DataFrame:
        return self._frame(calibration_results, person_id=person_id)

    # --- cohorts -----------------------------------------------------------------------------------------------------
    def create_cohort(
        self,
        cohort_id: str,
        name: str,
        *,
        starts_on: dt.date | None = None,
        ends_on: dt.date | None = None,
        trainer_id: str | None = None,
        members: Sequence[str] = (),
        by: str | None = None,
    ) -> str:
        values = dict(
            id=cohort_id,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            trainer_id=trainer_id,
            created_at=utcnow(),
        )
        self._insert(cohorts, values, by=by, entity="cohort")
        if members:
            self.add_cohort_members(cohort_id, members, by=by)
        return cohort_id

    def add_cohort_members(self, cohort_id: str, person_ids: Sequence[str], *, by: str | None = None) -> None:
        def work(conn: Connection) -> None:
            present = set(
                conn.execute(
                    select(cohort_members.c.person_id).where(cohort_members.c.cohort_id == cohort_id)
                ).scalars()
            )
            new = [p for p in dict.fromkeys(person_ids) if p not in present]
            if new:
                now = utcnow()
                conn.execute(
                    insert(cohort_members),
                    [{"cohort_id": cohort_id, "person_id": p, "joined_at": now} for p in new],
                )
                audit.record(
                    conn,
                    actor=by,
                    action="add_members",
                    entity="cohort",
                    entity_id=cohort_id,
                    details={"people": new},
                )

        self.db.write(work)

    def cohorts(self) -> pd.DataFrame:
        return self._frame(cohorts)

    def cohort_members(self, cohort_id: str) -> list[str]:
        with self.db.read() as conn:
            return list(
                conn.execute(
                    select(cohort_members.c.person_id)
                    .where(cohort_members.c.cohort_id == cohort_id)
                    .order_by(cohort_members.c.person_id)
                ).scalars()
            )

    # --- certificates -----------------------------------------------------------------------------------------------
    def add_certificate(
        self,
        serial: str,
        person_id: str | None,
        roles: Sequence[str],
        *,
        issued_at: dt.datetime,
        valid_until: dt.datetime | None,
        record: Mapping[str, Any] | None = None,
        by: str | None = None,
        replace: bool = False,
    ) -> CertificateRecord:
        """Store an issued certificate (status valid).

        ``replace``: one valid certificate per person and role — the person's valid certificates sharing a
        role with this one are revoked in the same transaction, with the reason
        :func:`surveykit.certificates.verify.replacement_reason` (verification then says "replaced by ...")."""

        def work(conn: Connection) -> CertificateRecord:
            known = (
                person_id is None or conn.execute(select(people.c.id).where(people.c.id == person_id)).first()
            )
            if not known:
                raise NotFoundError(ErrorCode.NOT_FOUND, entity="person", key=person_id, suggestion="")
            if replace and person_id is not None:
                _replace_certificates(conn, person_id, set(roles), serial, by)
            conn.execute(
                insert(certificates).values(
                    serial=serial,
                    person_id=person_id,
                    roles=list(roles),
                    issued_at=issued_at,
                    valid_until=valid_until,
                    record=dict(record or {}),
                    status="valid",
                )
            )
            audit.record(
                conn,
                actor=by,
                action="issue",
                entity="certificate",
                entity_id=serial,
                details={"person_id": person_id, "roles": list(roles), "valid_until": _iso(valid_until)},
            )
            return CertificateRecord.from_row(
                conn.execute(select(certificates).where(certificates.c.serial == serial)).one()
            )

        return self.db.write(work)

    def set_certificate_status(
        self, serial: str, status: str, *, reason: str | None = None, by: str | None = None
    ) -> CertificateRecord:
        """Suspend, revoke or reinstate a certificate (with the reason; audited)."""
        if status not in CERTIFICATE_STATUSES:
            raise StoreError(
                ErrorCode.FIELD_INVALID,
                Location(field="status"),
                field="status",
                detail=f"'{status}' is not a certificate status",
                fix=f"Use one of: {', '.join(CERTIFICATE_STATUSES)}.",
            )

        def work(conn: Connection) -> CertificateRecord:
            row = conn.execute(select(certificates).where(certificates.c.serial == serial)).first()
            if row is None:
                raise NotFoundError(ErrorCode.CERT_UNKNOWN, serial=serial)
            require_actor(
                conn,
                by,
                Translated(
                    en=f"setting a certificate to '{status}'", ru=f"перевод сертификата в статус «{status}»"
                ),
            )  # SK540: a person of the store or the operator
            now = utcnow()
            conn.execute(
                update(certificates)
                .where(certificates.c.serial == serial)
                .values(status=status, status_reason=reason, status_changed_at=now, status_changed_by=by)
            )
            audit.record(
                conn,
                actor=by,
                action="set_status",
                entity="certificate",
                entity_id=serial,
                details={"from": row.status, "to": status, "reason": reason},
                at=now,
            )
            return CertificateRecord.from_row(
                conn.execute(select(certificates).where(certificates.c.serial == serial)).one()
            )

        return self.db.write(work)

    def certificate(self, serial: str) -> CertificateRecord:
        with self.db.read() as conn:
            row = conn.execute(select(certificates).where(certificates.c.serial == serial)).first()
        if row is None:
            raise NotFoundError(ErrorCode.CERT_UNKNOWN, serial=serial)
        return CertificateRecord.from_row(row)

    def certificates(self, person_id: str | None = None) -> list[CertificateRecord]:
        query = select(certificates).order_by(certificates.c.issued_at)
        if person_id is not None:
            query = query.where(certificates.c.person_id == person_id)
        with self.db.read() as conn:
            return [CertificateRecord.from_row(r) for r in conn.execute(query)]

    def certification_status(
        self, person_id: str, when: dt.datetime | None = None, roles: Collection[str] | None = None
    ) -> CertificationStatus:
        """Whether the person may do real interviews now (or at ``when``), and why not."""
        with self.db.read() as conn:
            return certification_status(conn, person_id, when or utcnow(), roles)

    def certification_problem(
        self, person_id: str, when: dt.datetime | None = None, roles: Collection[str] | None = None
    ) -> str | None:
        """Why the person may not do real interviews now (None when certified)."""
        with self.db.read() as conn:
            return certification_problem(conn, person_id, when or utcnow(), roles)


def _replace_certificates(
    conn: Connection, person_id: str, roles: set[str], serial: str, by: str | None
) -> None:
    """Revoke the person's valid certificates that share a role with the new one ``serial`` (audited)."""
    from surveykit.certificates.verify import replacement_reason

    held = conn.execute(
        select(certificates.c.serial, certificates.c.roles).where(
            certificates.c.person_id == person_id, certificates.c.status == "valid"
        )
    ).all()
    reason = replacement_reason(serial)
    now = utcnow()
    for old, old_roles in held:
        if old == serial or not roles & set(old_roles or ()):
            continue
        conn.execute(
            update(certificates)
            .where(certificates.c.serial == old)
            .values(status="revoked", status_reason=reason, status_changed_at=now, status_changed_by=by)
        )
        audit.record(
            conn,
            actor=by,
            action="set_status",
            entity="certificate",
            entity_id=old,
            details={"from": "valid", "to": "revoked", "reason": reason},
            at=now,
        )


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _iso(v) for k, v in values.items()}
