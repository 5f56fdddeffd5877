"""A :class:`~surveykit.certificates.verify.CertificateRegistry` over the response store.

The store keeps every issued certificate in its ``certificates`` table: the signed record exactly as issued,
the holder, the roles, the dates and the current status (``valid``, ``suspended`` or ``revoked``) with the
reason, the time and who changed it (see :mod:`surveykit.store.training`). This adapter answers the two
questions :func:`~surveykit.certificates.verify.verify` asks and adds the writes the apps and the CLI need::

    registry = StoreRegistry(store)
    registry.register(certificate, person_id="p017", by="trainer-1")   # after issue_certificate()
    verify("SK-2026-7F3K-9QXM", registry=registry).status               # valid
    registry.suspend("SK-2026-7F3K-9QXM", reason="confirmed falsification", by="supervisor-2")

A record changed in the database after it was issued no longer matches its signature: verification says
``forged``. Status words map one to one: the store's ``valid`` is :attr:`RegistryState.ACTIVE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from surveykit.access import OPERATOR
from surveykit.errors import CertificateError, ErrorCode, Location, NotFoundError

from .model import Certificate
from .records import parse_iso
from .serials import normalize_serial
from .verify import RegistryState, StatusEntry, replaced_by

__all__ = ["StoreRegistry"]

#: the store's status words and the registry states they stand for
_STATES = {
    "valid": RegistryState.ACTIVE,
    "suspended": RegistryState.SUSPENDED,
    "revoked": RegistryState.REVOKED,
}


class StoreRegistry:
    """Certificates kept in a :class:`~surveykit.store.Store` (implements ``CertificateRegistry``)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    # --- the CertificateRegistry protocol -------------------------------------------------------------
    def get_record(self, serial: str) -> Mapping[str, Any] | None:
        """The signed record of ``serial`` as stored, or ``None`` when the store has no such certificate."""
        row = self._row(serial)
        return None if row is None else row.record

    def get_status(self, serial: str) -> StatusEntry | None:
        """The store's status of ``serial``; ``None`` when it was never changed since issue."""
        row = self._row(serial)
        if row is None or (row.status == "valid" and row.status_changed_at is None):
            return None
        return StatusEntry(
            state=_STATES.get(row.status, RegistryState.SUSPENDED),
            reason=row.status_reason or "",
            when=row.status_changed_at,
            by=row.status_changed_by or "",
        )

    # --- writes (``when`` is accepted for InMemoryRegistry compatibility; the store records its own time) -
    def register(
        self, certificate: Certificate, *, person_id: str | None = None, by: str | None = None
    ) -> str:
        """Store a certificate made by ``issue_certificate`` or ``issue_batch``; returns its serial.

        ``person_id`` defaults to the holder's ``person_id``; without one (a diploma for someone who is not a
        person of the store) the certificate is kept with its signed record only. One valid certificate per
        person and role: the person's earlier valid certificates sharing a role are revoked as replaced by
        this one (:meth:`replaced` lists them).
        """
        return self.register_record(
            certificate.record,
            person_id=person_id or certificate.holder.person_id,
            roles=[role.code for role in certificate.roles],
            by=by,
        )

    def replaced(self, serial: str) -> list[str]:
        """The serials of the certificates ``serial`` replaced (revoked when it was registered)."""
        row = self._row(serial)
        if row is None or row.person_id is None:
            return []
        return [
            c.serial
            for c in self.store.training.certificates(row.person_id)
            if c.status == "revoked" and replaced_by(c.status_reason) == row.serial
        ]

    def register_record(
        self,
        record: Mapping[str, Any],
        *,
        person_id: str | None,
        roles: list[str] | None = None,
        by: str | None = None,
    ) -> str:
        """Store a signed record (e.g. a line of ``records.jsonl``); the dates are read from the record."""
        serial = normalize_serial(str(record.get("id", "")).rsplit(":", 1)[-1])
        issued = parse_iso(record.get("validFrom"))
        if serial is None or issued is None:
            raise CertificateError(
                ErrorCode.FIELD_INVALID,
                Location(field="record"),
                field="record",
                detail="the record has no serial in 'id' or no 'validFrom'",
                fix="Register records made by issue_certificate() or issue_batch().",
            )
        subject = record.get("credentialSubject") or {}
        if roles is None:
            roles = [str(r.get("id")) for r in subject.get("roles") or [] if isinstance(r, Mapping)]
        self.store.training.add_certificate(
            serial,
            person_id,
            roles,
            issued_at=issued,
            valid_until=parse_iso(record.get("validUntil")),
            record=dict(record),
            by=by,
            replace=True,
        )
        return serial

    def revoke(self, serial: str, *, reason: str, by: str | None, when: datetime | None = None) -> None:
        """Revoke for good (e.g. issued by mistake); verification then says ``revoked`` with the reason."""
        self._set(serial, "revoked", reason, by)

    def suspend(self, serial: str, *, reason: str, by: str | None, when: datetime | None = None) -> None:
        """Suspend (e.g. on a confirmed falsification, methodology C.3 item 7); the interview gate closes."""
        self._set(serial, "suspended", reason, by)

    def reinstate(self, serial: str, *, reason: str, by: str | None, when: datetime | None = None) -> None:
        """Lift a suspension or a revocation made in error (the reason is kept in the audit log)."""
        self._set(serial, "valid", reason, by)

    # --- helpers ----------------------------------------------------------------------------------------
    def _set(self, serial: str, status: str, reason: str, by: str | None) -> None:
        canonical = normalize_serial(serial) or serial
        if not str(reason or "").strip():
            raise CertificateError(
                ErrorCode.FIELD_MISSING, Location(field="reason", path=canonical), field="reason"
            )
        if by and by != OPERATOR.id:
            self.store.person(by)  # who changed it is kept as a person of the store (SK503 with a suggestion)
        row = self._row(canonical)
        newer = replaced_by(row.status_reason) if row is not None and row.status == "revoked" else None
        if (
            status == "valid"
            and newer
            and (self._row(newer) is not None and self._row(newer).status == "valid")
        ):
            raise CertificateError(
                ErrorCode.OPTION_CONFLICT,
                Location(field="serial", path=canonical),
                detail=f"{canonical} was replaced by {newer}, which is valid: one certificate per person and role",
                fix=f"Revoke or suspend {newer} first if {canonical} is to be valid again.",
            )
        try:
            self.store.training.set_certificate_status(canonical, status, reason=reason.strip(), by=by)
        except NotFoundError as err:
            raise CertificateError(ErrorCode.CERT_UNKNOWN, Location(field="serial"), serial=serial) from err

    def _row(self, serial: str) -> Any:
        canonical = normalize_serial(serial) or serial
        try:
            return self.store.training.certificate(canonical)
        except NotFoundError:
            return None
