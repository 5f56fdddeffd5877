"""Verifying a certificate from its serial, its QR code (payload or URL), or its signed record.

Outcomes (:class:`Status`), the first that applies wins:

============== ================================================================================
``forged``     the signature does not match (a changed byte, a different key), the data cannot be
               read, or the QR code and the registered record disagree
``unknown``    no certificate with this serial (or the serial has a typo: wrong check symbol)
``revoked``    the registry says revoked (with reason, date and who)
``suspended``  the registry says suspended, e.g. on a confirmed falsification flag (methodology C.3.7)
``not_yet_valid`` ``validFrom`` lies after ``now``
``expired``    ``now`` is at or after ``validUntil``
``valid``      none of the above
============== ================================================================================

A name given with the evidence is a separate question with a separate answer (:class:`NameCheck`): it never
makes a certificate ``forged`` (that comes from the signature alone). ``match`` when the name is the
holder's as :func:`~surveykit.certificates.names.names_match` reads names (order, patronymic, case, ё/е and
transliteration forgiven); ``mismatch`` when it is not ("check the spelling"); ``unconfirmed`` when only a QR
code was checked offline and the typed form cannot be compared with the hash it carries.

Revocation and suspension come from a :class:`CertificateRegistry`; without one a QR code or a record is
checked offline (signature and dates) and the result says that revocation was not checked.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol, runtime_checkable

from surveykit.errors import CertificateError, ErrorCode, Location

from .model import Issuer, Role
from .names import names_match, qr_name_candidates
from .records import extract_payload, parse_iso, parse_qr_payload, utc
from .serials import looks_like_serial, normalize_serial
from .signing import KeyLike, PublicKey, check_proof, trusted_keys
from .templates import format_date

__all__ = [
    "CertificateRegistry",
    "InMemoryRegistry",
    "NameCheck",
    "Reason",
    "RegistryState",
    "Status",
    "StatusEntry",
    "Verification",
    "replaced_by",
    "replacement_reason",
    "status_reason_text",
    "status_word",
    "verify",
]


class Status(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    UNKNOWN = "unknown"
    FORGED = "forged"


class NameCheck(enum.StrEnum):
    """Whether the name given with the evidence is the holder's (see the module docstring)."""

    MATCH = "match"
    MISMATCH = "mismatch"
    UNCONFIRMED = "unconfirmed"


class RegistryState(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


@dataclass(frozen=True)
class StatusEntry:
    """The registry's word on a certificate: its state; for a revocation or suspension why, when, who."""

    state: RegistryState = RegistryState.ACTIVE
    reason: str = ""
    when: datetime | None = None
    by: str = ""


@runtime_checkable
class CertificateRegistry(Protocol):
    """Where issued records and their revocation status are kept (the response store implements it)."""

    def get_record(self, serial: str) -> Mapping[str, Any] | None:
        """The signed record of ``serial`` (canonical form ``SK-YYYY-XXXX-XXXX``), or ``None``."""
        ...

    def get_status(self, serial: str) -> StatusEntry | None:
        """The status of ``serial``; ``None`` means no revocation or suspension was ever recorded."""
        ...


class InMemoryRegistry:
    """A registry in a dict: for tests, notebooks and small offline runs."""

    def __init__(self, records: Iterable[Mapping[str, Any]] = ()) -> None:
        self._records: dict[str, Mapping[str, Any]] = {}
        self._status: dict[str, StatusEntry] = {}
        for record in records:
            self.add(record)

    def add(self, record: Mapping[str, Any]) -> str:
        serial = str(record.get("id", "")).rsplit(":", 1)[-1]
        if normalize_serial(serial) != serial:
            raise CertificateError(
                ErrorCode.FIELD_INVALID,
                Location(field="id"),
                field="id",
                detail=f"{record.get('id')!r} does not end in a serial",
                fix="Add records made by issue_certificate() or issue_batch().",
            )
        self._records[serial] = record
        return serial

    def get_record(self, serial: str) -> Mapping[str, Any] | None:
        return self._records.get(serial)

    def get_status(self, serial: str) -> StatusEntry | None:
        return self._status.get(serial)

    def _set(self, serial: str, state: RegistryState, reason: str, by: str, when: datetime | None) -> None:
        canonical = normalize_serial(serial)
        if canonical not in self._records:
            raise CertificateError(ErrorCode.CERT_UNKNOWN, Location(field="serial"), serial=serial)
        self._status[canonical] = StatusEntry(state, reason, utc(when), by)

    def revoke(self, serial: str, *, reason: str, by: str, when: datetime | None = None) -> None:
        self._set(serial, RegistryState.REVOKED, reason, by, when)

    def suspend(self, serial: str, *, reason: str, by: str, when: datetime | None = None) -> None:
        self._set(serial, RegistryState.SUSPENDED, reason, by, when)

    def reinstate(self, serial: str, *, reason: str, by: str, when: datetime | None = None) -> None:
        """Lift a suspension (e.g. the falsification flag was not confirmed)."""
        self._set(serial, RegistryState.ACTIVE, reason, by, when)

    def __len__(self) -> int:
        return len(self._records)


# --- reasons, in both languages; the one home of these texts ---------------------------------------------

_REASONS: dict[str, tuple[str, str]] = {
    "valid": ("The certificate is authentic and valid.", "Сертификат подлинный и действителен."),
    "offline": (
        "Checked offline: revocation and suspension were not checked.",
        "Проверка без реестра: отзыв и приостановление не проверялись.",
    ),
    "expired": ("The certificate expired on {date}.", "Срок действия сертификата истёк {date}."),
    "not_yet_valid": ("The certificate is valid only from {date}.", "Сертификат действует только с {date}."),
    "revoked": ("Revoked on {date} by {by}: {reason}.", "Отозван {date}, {by}: {reason}."),
    "suspended": ("Suspended on {date} by {by}: {reason}.", "Приостановлен {date}, {by}: {reason}."),
    "replaced": (
        "Replaced on {date} by certificate {serial}, issued later to the same person for the same role.",
        "Заменён {date} сертификатом {serial}, выданным позже тому же человеку на ту же роль.",
    ),
    "replaced_note": ("replaced by certificate {serial}", "заменён сертификатом {serial}"),
    "unknown_serial": ("No certificate with serial {serial}.", "Сертификата с номером {serial} нет."),
    "serial_typo": (
        "'{text}' is not a valid serial number: the check character does not match (a typo?).",
        "«{text}» — неверный номер: не сходится контрольный символ (опечатка?).",
    ),
    "not_registered": (
        "The QR code is signed by the issuer, but serial {serial} is not in the register.",
        "QR-код подписан выдавшей организацией, но номера {serial} нет в реестре.",
    ),
    "unreadable": (
        "The text is neither a serial number, a QR code nor a certificate record.",
        "Текст не похож ни на номер, ни на QR-код, ни на запись сертификата.",
    ),
    "payload_unreadable": (
        "The QR code cannot be read: it was changed or damaged.",
        "QR-код не читается: он изменён или повреждён.",
    ),
    "record_unreadable": (
        "The certificate record cannot be read ({detail}).",
        "Запись сертификата не читается ({detail}).",
    ),
    "no_proof": ("The record carries no signature.", "В записи нет подписи."),
    "proof_unsupported": (
        "The record is signed with an unsupported method.",
        "Запись подписана неподдерживаемым способом.",
    ),
    "signature_unreadable": ("The signature cannot be read.", "Подпись не читается."),
    "untrusted_key": (
        "Signed with a key that is not a trusted issuer key.",
        "Подписано ключом, которому нет доверия (не ключ выдавшей организации).",
    ),
    "signature_mismatch": (
        "The signature does not match the content: the certificate was changed.",
        "Подпись не соответствует содержимому: сертификат изменён.",
    ),
    "qr_mismatch": (
        "The QR code does not match the registered certificate ({detail}).",
        "QR-код не соответствует сертификату в реестре ({detail}).",
    ),
    "name_match": (
        "The name given matches the holder of the certificate.",
        "Указанное имя совпадает с именем владельца сертификата.",
    ),
    "name_mismatch": (
        "The name given does not match the certificate — check the spelling.",
        "Указанное имя не совпадает с именем в сертификате — проверьте написание.",
    ),
    "name_unconfirmed": (
        "The name could not be confirmed from the QR code alone: type the full name exactly as printed on "
        "the certificate, or check the serial number against the register.",
        "По одному QR-коду имя подтвердить не удалось: введите полное имя точно как в сертификате или "
        "проверьте номер сертификата по реестру.",
    ),
}


# --- replacement: one valid certificate per person and role -----------------------------------------------

_REPLACED = re.compile(r"replaced by (SK-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


def replacement_reason(serial: str) -> str:
    """The stored reason of a certificate revoked because ``serial`` replaced it (the store writes it, the
    verification page and the trainer's list read it back in the reader's language)."""
    return f"replaced by {serial}"


def replaced_by(reason: str | None) -> str | None:
    """The serial that replaced a certificate revoked with :func:`replacement_reason`, else ``None``."""
    found = _REPLACED.fullmatch(str(reason or "").strip())
    return found.group(1) if found else None


def status_word(status: str, reason: str | None = None) -> str:
    """The status of a stored certificate as a word of ``verify.status.*``: ``replaced`` for a certificate
    revoked because a newer one replaced it."""
    if status == "revoked" and replaced_by(reason):
        return "replaced"
    return status if status in ("valid", "suspended", "revoked", "expired") else "unknown"


def status_reason_text(reason: str | None, language: str) -> str:
    """A stored status reason for people: the replacement in ``language``, any other reason as written."""
    serial = replaced_by(reason)
    if serial:
        return Reason.of("replaced_note", serial=serial).text(language)
    return str(reason or "")


@dataclass(frozen=True)
class Reason:
    key: str
    en: str
    ru: str

    @classmethod
    def of(cls, key: str, **params: Any) -> Reason:
        from surveykit.errors import _safe_format

        en, ru = _REASONS[key]
        return cls(key, _safe_format(en, _params(params, "en")), _safe_format(ru, _params(params, "ru")))

    def text(self, language: str = "en") -> str:
        return self.ru if language == "ru" else self.en


def _params(params: Mapping[str, Any], language: str) -> dict[str, Any]:
    return {k: format_date(v, language) if isinstance(v, date) else v for k, v in params.items()}


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify`. ``status`` says it all; ``reasons`` explain it in ru and en."""

    status: Status
    reasons: tuple[Reason, ...] = ()
    serial: str | None = None
    holder: str | None = None
    roles: tuple[Role, ...] = ()
    valid_from: datetime | date | None = None
    valid_until: datetime | date | None = None
    issuer: str | None = None
    #: the issuer's name in the record's other languages (``issuer`` is the certificate's own language)
    issuer_names: Mapping[str, str] = field(default_factory=dict)
    registry_checked: bool = False
    status_entry: StatusEntry | None = None
    record: Mapping[str, Any] | None = field(default=None, repr=False)
    source: str = ""  # "serial", "qr" or "record"
    #: the answer about the name given with the evidence; ``None`` when no name was given
    name_check: NameCheck | None = None

    @property
    def ok(self) -> bool:
        """Valid, and — when a name was given — confirmed to be the holder's."""
        return self.status is Status.VALID and self.name_check in (None, NameCheck.MATCH)

    def issuer_in(self, language: str) -> str | None:
        """The issuer's name in ``language`` when the record carries it, else the one name it has."""
        return self.issuer_names.get(language) or self.issuer

    @property
    def name_reason(self) -> Reason | None:
        """The reason about the name given (shown apart from the certificate's status), if any."""
        return next((r for r in self.reasons if r.key.startswith("name_")), None)

    def message(self, language: str = "en") -> str:
        return " ".join(reason.text(language) for reason in self.reasons)

    def to_dict(self) -> dict[str, Any]:
        def day(value: datetime | date | None) -> str | None:
            return value.isoformat() if value else None

        entry = self.status_entry
        return {
            "status": self.status.value,
            "ok": self.ok,
            "serial": self.serial,
            "holder": self.holder,
            "roles": [role.to_record() for role in self.roles],
            "valid_from": day(self.valid_from),
            "valid_until": day(self.valid_until),
            "issuer": self.issuer,
            "issuer_names": dict(self.issuer_names),
            "registry_checked": self.registry_checked,
            "reasons": [{"key": r.key, "en": r.en, "ru": r.ru} for r in self.reasons],
            "status_entry": None
            if entry is None
            else {
                "state": entry.state.value,
                "reason": entry.reason,
                "when": day(entry.when),
                "by": entry.by,
            },
            "source": self.source,
            "name_check": self.name_check.value if self.name_check else None,
        }


# --- verification ----------------------------------------------------------------------------------------


def _forged(source: str, key: str, **params: Any) -> Verification:
    return Verification(
        Status.FORGED, (Reason.of(key, **params),), source=source, serial=params.get("serial")
    )


def _record_facts(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """Serial, holder, roles, dates and issuer of a record whose signature already verified."""
    subject = record.get("credentialSubject")
    issuer = record.get("issuer")
    serial = normalize_serial(str(record.get("id", "")).rsplit(":", 1)[-1])
    valid_from = parse_iso(record.get("validFrom"))
    valid_until = parse_iso(record.get("validUntil")) if "validUntil" in record else None
    if (
        not isinstance(subject, Mapping)
        or not isinstance(issuer, Mapping)
        or serial is None
        or valid_from is None
    ):
        return None
    if "validUntil" in record and valid_until is None:
        return None
    roles = []
    for entry in subject.get("roles") or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            names = entry.get("name") if isinstance(entry.get("name"), Mapping) else {}
            roles.append(Role(entry["id"], {str(k): str(v) for k, v in names.items()}))
    return {
        "serial": serial,
        "holder": str(subject.get("name", "")),
        "roles": tuple(roles),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "issuer": str(issuer.get("name", "")),
        "issuer_names": Issuer.from_record(issuer).names,
    }


def _dated(
    facts: Mapping[str, Any],
    now: datetime,
    status_entry: StatusEntry | None,
    registry_checked: bool,
    source: str,
    record: Mapping[str, Any] | None,
) -> Verification:
    """The status of an authentic certificate, from the registry's state and the dates."""
    start = utc(facts["valid_from"])
    end = utc(facts["valid_until"]) if facts["valid_until"] is not None else None
    reasons: list[Reason] = []
    if status_entry is not None and status_entry.state is not RegistryState.ACTIVE:
        status = Status.REVOKED if status_entry.state is RegistryState.REVOKED else Status.SUSPENDED
        when = status_entry.when.date() if status_entry.when else "?"
        newer = replaced_by(status_entry.reason) if status is Status.REVOKED else None
        if newer:
            reasons.append(Reason.of("replaced", date=when, serial=newer))
        else:
            reasons.append(
                Reason.of(
                    status.value, date=when, by=status_entry.by or "?", reason=status_entry.reason or "?"
                )
            )
    elif now < start:
        status = Status.NOT_YET_VALID
        reasons.append(Reason.of("not_yet_valid", date=start.date()))
    elif end is not None and now >= end:
        status = Status.EXPIRED
        reasons.append(Reason.of("expired", date=end.date()))
    else:
        status = Status.VALID
        reasons.append(Reason.of("valid"))
    if not registry_checked:
        reasons.append(Reason.of("offline"))
    return Verification(
        status=status,
        reasons=tuple(reasons),
        registry_checked=registry_checked,
        status_entry=status_entry,
        record=record,
        source=source,
        **facts,
    )


def _check_record(
    record: Any, keys: list[PublicKey], source: str
) -> tuple[dict[str, Any] | None, Verification | None]:
    if not isinstance(record, Mapping):
        return None, _forged(source, "record_unreadable", detail="not a JSON object")
    reason, _key = check_proof(record, keys)
    if reason is not None:
        return None, _forged(source, reason)
    facts = _record_facts(record)
    if facts is None:  # authentic but malformed: only a bug of ours could sign that
        return None, _forged(source, "record_unreadable", detail="required fields missing")
    return facts, None


def _registry_status(registry: CertificateRegistry | None, serial: str) -> StatusEntry | None:
    return registry.get_status(serial) if registry is not None else None


def verify(
    evidence: str | bytes | Mapping[str, Any],
    *,
    keys: KeyLike | Iterable[KeyLike] | None = None,
    registry: CertificateRegistry | None = None,
    now: datetime | date | None = None,
    name: str | None = None,
) -> Verification:
    """Check a certificate. ``evidence`` is one of:

    - a serial number (``SK-2026-7F3K-9QXM``; case, spaces and dashes forgiven): looked up in ``registry``;
    - a QR payload, or the verification URL that carries it in ``?c=``;
    - a signed record: a dict, or its JSON text (``str`` or UTF-8 ``bytes``).

    ``keys`` are the trusted issuer public keys (default: the configured issuer key); ``registry`` supplies
    records and revocation status; ``now`` the moment to judge expiry at (default: now; a naive datetime
    is taken as UTC); ``name``, when given, is compared with the holder's name and answered apart in
    ``name_check`` (see the module docstring); it never changes ``status``.

    Never raises for bad evidence: anything changed or unreadable is ``forged``. Raises
    :class:`CertificateError` only for a caller's mistake: a serial without a registry, or a missing key.
    """
    trusted = trusted_keys(keys)
    moment = utc(now)

    if isinstance(evidence, Mapping):
        return _verify_record(evidence, trusted, registry, moment, name, "record")
    if isinstance(evidence, bytes | bytearray):
        try:
            evidence = bytes(evidence).decode("utf-8")
        except UnicodeDecodeError:
            return _forged("record", "record_unreadable", detail="not UTF-8 text")
    if not isinstance(evidence, str):
        return _forged("record", "unreadable")
    text = evidence.strip()
    if text.startswith("{"):
        try:
            record = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as err:
            return _forged("record", "record_unreadable", detail=str(err)[:80])
        return _verify_record(record, trusted, registry, moment, name, "record")
    if looks_like_serial(text):
        return _verify_serial(text, trusted, registry, moment, name)
    payload = extract_payload(text)
    if not payload:
        return _forged("qr", "unreadable")
    return _verify_qr(payload, trusted, registry, moment, name)


def _reject_constant(value: str) -> Any:
    raise ValueError(f"{value} is not allowed in a certificate record")


def _with_name(result: Verification, check: NameCheck | None) -> Verification:
    """``result`` with the answer about the name added (the status is left as it is)."""
    if check is None or result.status in (Status.FORGED, Status.UNKNOWN):
        return result
    return replace(result, name_check=check, reasons=(*result.reasons, Reason.of(f"name_{check.value}")))


def _check_name(result: Verification, name: str | None) -> Verification:
    if name is None or not name.strip() or result.holder is None:
        return result
    return _with_name(result, NameCheck.MATCH if names_match(name, result.holder) else NameCheck.MISMATCH)


def _verify_record(
    record: Any,
    keys: list[PublicKey],
    registry: CertificateRegistry | None,
    now: datetime,
    name: str | None,
    source: str,
) -> Verification:
    facts, failure = _check_record(record, keys, source)
    if failure is not None:
        return failure
    serial = facts["serial"]
    if registry is not None and registry.get_record(serial) is None:
        return Verification(
            Status.UNKNOWN, (Reason.of("unknown_serial", serial=serial),), serial=serial, source=source
        )
    result = _dated(facts, now, _registry_status(registry, serial), registry is not None, source, record)
    return _check_name(result, name)


def _verify_serial(
    text: str, keys: list[PublicKey], registry: CertificateRegistry | None, now: datetime, name: str | None
) -> Verification:
    serial = normalize_serial(text)
    if serial is None:
        return Verification(Status.UNKNOWN, (Reason.of("serial_typo", text=text),), source="serial")
    if registry is None:
        raise CertificateError(
            ErrorCode.OPTION_CONFLICT,
            Location(field="registry"),
            detail=f"serial {serial} can only be checked against a register of certificates",
            fix="Pass registry=... (the response store), or verify the QR code or the signed record instead.",
        )
    record = registry.get_record(serial)
    if record is None:
        return Verification(
            Status.UNKNOWN, (Reason.of("unknown_serial", serial=serial),), serial=serial, source="serial"
        )
    result = _verify_record(record, keys, registry, now, name, "serial")
    if result.status is not Status.FORGED and result.serial != serial:
        return _forged("serial", "qr_mismatch", detail="serial", serial=serial)
    return result


def _verify_qr(
    payload: str, keys: list[PublicKey], registry: CertificateRegistry | None, now: datetime, name: str | None
) -> Verification:
    claims, reason = parse_qr_payload(payload, keys)
    if claims is None:
        return _forged("qr", reason or "payload_unreadable")
    if registry is None:
        facts = {
            "serial": claims.serial,
            "holder": None,
            "roles": (),
            "valid_from": claims.valid_from,
            "valid_until": claims.valid_until,
            "issuer": None,
        }
        result = _dated(facts, now, None, False, "qr", None)
        if name is None or not name.strip():
            return result
        # offline the QR carries only a hash of the full name as printed: try the typed words in every order
        found = any(claims.name_matches(candidate) for candidate in qr_name_candidates(name))
        return _with_name(result, NameCheck.MATCH if found else NameCheck.UNCONFIRMED)
    record = registry.get_record(claims.serial)
    if record is None:
        return Verification(
            Status.UNKNOWN,
            (Reason.of("not_registered", serial=claims.serial),),
            serial=claims.serial,
            source="qr",
        )
    result = _verify_record(record, keys, registry, now, None, "qr")
    if result.status is Status.FORGED:
        return result
    mismatch = [
        label
        for label, same in (
            ("serial", result.serial == claims.serial),
            ("name", claims.name_matches(result.holder or "")),
            ("validFrom", _day(result.valid_from) == claims.valid_from),
            ("validUntil", _day(result.valid_until) == claims.valid_until),
        )
        if not same
    ]
    if mismatch:
        return _forged("qr", "qr_mismatch", detail=", ".join(mismatch), serial=claims.serial)
    return _check_name(result, name)


def _day(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    return value
