"""Issuing one certificate: the signed record (Open Badges 3.0 / W3C VC 2.0 shape) and the QR payload.

The record::

    {
      "@context": ["https://www.w3.org/ns/credentials/v2",
                   "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
      "id": "urn:surveykit:certificate:SK-2026-7F3K-9QXM",
      "type": ["VerifiableCredential", "OpenBadgeCredential"],
      "name": "Сертификат",
      "issuer": {"id": "<issuer_url>", "type": ["Profile"], "name": "<issuer_name_ru>",
                 "translations": {"en": {"name": "<issuer_name_en>"}}},   # names in other languages
      "validFrom": "2026-05-01T09:30:00Z",
      "validUntil": "2028-05-01T09:30:00Z",                  # absent when the document does not expire
      "credentialSubject": {
        "type": ["AchievementSubject"],
        "name": "Иванова Мария Петровна",                     # surveykit extension (OB3 has no plain name)
        "achievement": {"id": "urn:surveykit:achievement:<template id>", "type": ["Achievement"],
                        "achievementType": "Certificate", "name": ..., "description": ...,
                        "criteria": {"narrative": ...}, "inLanguage": "ru",
                        "translations": {"en": {"name": ..., "description": ..., "criteria": ...}}},
        "roles": [{"id": "interviewer", "name": {"ru": "интервьюер", "en": "interviewer"}}],
        "hours": 16, "scores": {...}, "fields": {...}, "id": "urn:surveykit:person:<id>"   # when given
      },
      "credentialStatus": {"id": "<verify_url>?serial=SK-2026-7F3K-9QXM",
                           "type": "SurveykitCertificateStatus"},
      "surveykit": {"schemaVersion": 1, "template": "<template id>"},
      "proof": {"type": "DataIntegrityProof", "cryptosuite": "surveykit-eddsa-sortedjson-2026", ...}
    }

The QR payload (version 1) is 88 bytes, base64url without padding (118 characters)::

    offset size  field
    0      1     format version (1)
    1      2     year of the serial (big-endian)
    3      5     the 8 serial symbols after the year, 5 bits each (Crockford base 32)
    8      2     validFrom, days since 1970-01-01 (UTC)
    10     2     validUntil, days since 1970-01-01; 0xFFFF: does not expire
    12     8     name hash: SHA-256("surveykit-name-v1" NUL serial NUL normalised name), first 8 bytes
    20     4     key id: first 4 bytes of SHA-256 of the raw Ed25519 public key
    24     64    Ed25519 signature over "surveykit-qr-v1" NUL + bytes 0..23

The normalised name is NFC, case-folded, 'ё' read as 'е', whitespace collapsed: a verifier can check a
name read off an ID card against the QR without the QR carrying the name itself.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from surveykit.errors import CertificateError, ErrorCode, Location, did_you_mean

from .model import Certificate, Holder, Issuer, Role
from .serials import ALPHABET, new_serial, normalize_serial, serial_symbols, serial_year
from .signing import IssuerKey, PublicKey, attach_proof, b64url, b64url_decode
from .templates import (
    BUILTIN_PLACEHOLDERS,
    CertificateTemplate,
    fill,
    format_date,
    format_hours,
    languages_of,
    pick_text,
)

__all__ = ["QrClaims", "issue_certificate", "name_hash", "parse_qr_payload", "qr_url", "utc"]

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
RECORD_SCHEMA_VERSION = 1
QR_VERSION = 1
QR_DOMAIN = b"surveykit-qr-v1\x00"
NAME_DOMAIN = b"surveykit-name-v1\x00"
NO_EXPIRY = 0xFFFF
_QR_HEAD = struct.Struct(">BH5sHH8s4s")  # 24 bytes, signed
QR_BYTES = _QR_HEAD.size + 64
_EPOCH = date(1970, 1, 1)
_TEXT_FIELDS = ("title", "subtitle", "preamble", "body")


def utc(value: datetime | date | None = None) -> datetime:
    """An aware UTC datetime to the second: now, or ``value`` (naive values are taken to be UTC)."""
    if value is None:
        value = datetime.now(UTC)
    elif not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def iso(value: datetime) -> str:
    return utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return utc(parsed)


def add_years(value: datetime, years: int) -> datetime:
    """The same day ``years`` later; 29 February becomes 28 February."""
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def normalize_name(name: str) -> str:
    text = unicodedata.normalize("NFC", name).casefold().replace("ё", "е")
    return " ".join(text.split())


def name_hash(serial: str, name: str) -> bytes:
    """8 bytes binding a holder's name to one serial (see the module docstring)."""
    data = NAME_DOMAIN + serial.encode("ascii") + b"\x00" + normalize_name(name).encode("utf-8")
    return hashlib.sha256(data).digest()[:8]


def _days(value: datetime | None) -> int:
    return NO_EXPIRY if value is None else (value.date() - _EPOCH).days


def _pack_symbols(symbols: str) -> bytes:
    number = 0
    for symbol in symbols:
        number = number * 32 + ALPHABET.index(symbol)
    return number.to_bytes(5, "big")


def _unpack_symbols(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    return "".join(ALPHABET[(number >> (5 * (7 - i))) & 31] for i in range(8))


def make_qr_payload(
    serial: str, holder_name: str, valid_from: datetime, valid_until: datetime | None, key: IssuerKey
) -> str:
    head = _QR_HEAD.pack(
        QR_VERSION,
        serial_year(serial),
        _pack_symbols(serial_symbols(serial)),
        _days(valid_from),
        _days(valid_until),
        name_hash(serial, holder_name),
        key.public.short_id,
    )
    return b64url(head + key.sign(QR_DOMAIN + head))


def qr_url(payload: str, base: str | None = None) -> str:
    """The verification URL the QR code encodes: ``<verify_url>?c=<payload>``."""
    if base is None:
        from surveykit.config import settings

        base = settings().verify_url
    return f"{base}{'&' if '?' in base else '?'}c={payload}"


def status_url(serial: str, base: str | None = None) -> str:
    """Where the verification service answers for one serial (the record's ``credentialStatus.id``)."""
    if base is None:
        from surveykit.config import settings

        base = settings().verify_url
    return f"{base}{'&' if '?' in base else '?'}serial={quote(serial)}"


def extract_payload(text: str) -> str:
    """The payload from a verification URL (its ``c`` parameter), or ``text`` itself."""
    text = text.strip()
    if "://" in text or "?" in text or "c=" in text:
        query = urlsplit(text).query if "://" in text or "?" in text else text
        values = parse_qs(query, keep_blank_values=True).get("c")
        return values[0] if values else ""
    return text


@dataclass(frozen=True)
class QrClaims:
    """What a QR payload says, after its signature was checked."""

    serial: str
    valid_from: date
    valid_until: date | None
    name_hash: bytes
    key: PublicKey

    def name_matches(self, name: str) -> bool:
        return name_hash(self.serial, name) == self.name_hash


def parse_qr_payload(payload: str, keys: list[PublicKey]) -> tuple[QrClaims | None, str | None]:
    """``(claims, None)`` when the payload is authentic, else ``(None, reason key)``. Never raises."""
    try:
        data = b64url_decode(payload)
    except ValueError:
        return None, "payload_unreadable"
    if len(data) != QR_BYTES or data[0] != QR_VERSION:
        return None, "payload_unreadable"
    head, signature = data[: _QR_HEAD.size], data[_QR_HEAD.size :]
    _, year, symbols, days_from, days_until, hashed, key_id = _QR_HEAD.unpack(head)
    candidates = [k for k in keys if k.short_id == key_id]
    if not candidates:
        return None, "untrusted_key"
    key = next((k for k in candidates if k.verify(signature, QR_DOMAIN + head)), None)
    if key is None:
        return None, "signature_mismatch"
    serial = normalize_serial(f"SK{year:04d}{_unpack_symbols(symbols)}")
    if serial is None or days_until < days_from:  # signed by us but malformed: a bug, not a forgery we accept
        return None, "payload_unreadable"
    return (
        QrClaims(
            serial=serial,
            valid_from=_EPOCH + timedelta(days=days_from),
            valid_until=None if days_until == NO_EXPIRY else _EPOCH + timedelta(days=days_until),
            name_hash=hashed,
            key=key,
        ),
        None,
    )


# --- issuing -----------------------------------------------------------------------------------------


def _problem(code: ErrorCode, row: int | None, column: str, template: CertificateTemplate, **params: Any):
    return CertificateError(code, Location(row=row, field=column, path=f"template '{template.id}'"), **params)


def _holder_roles(holder: Holder, template: CertificateTemplate, row: int | None) -> tuple[Role, ...]:
    roles: list[Role] = []
    for code in holder.roles:
        role = template.roles.get(code)
        if role is None:
            known = ", ".join(template.roles) or "none"
            raise _problem(
                ErrorCode.FIELD_INVALID,
                row,
                "roles",
                template,
                field="roles",
                detail=f"unknown role '{code}'{did_you_mean(code, template.roles)}",
                fix=f"Use the role codes of template '{template.id}': {known}.",
            )
        if role not in roles:
            roles.append(role)
    if template.show_roles and template.roles and not roles:
        raise _problem(
            ErrorCode.FIELD_MISSING,
            row,
            "roles",
            template,
            field="roles",
        )
    return tuple(roles)


def _compose_texts(
    template: CertificateTemplate,
    issuer: Issuer,
    holder: Holder,
    roles: tuple[Role, ...],
    values: Mapping[str, Any],
    fields: Mapping[str, Any],
    languages: tuple[str, ...],
    row: int | None,
) -> dict[str, dict[str, str]]:
    """The template texts with every placeholder filled in, per language (a missing one is reported)."""
    texts: dict[str, dict[str, str]] = {}
    merged_fields = {**fields, **holder.fields}
    for language in languages:
        filled: dict[str, Any] = {
            "name": holder.name,
            "date": format_date(values["valid_from"], language),
            "valid_from": format_date(values["valid_from"], language),
            "valid_until": format_date(values["valid_until"], language) if values["valid_until"] else "—",
            "roles": ", ".join(r.name(language) for r in roles),
            "issuer": issuer.name_in(language),
            "serial": values["serial"],
            "year": str(values["valid_from"].year),
        }
        if values["hours"] is not None:
            filled["hours"] = format_hours(values["hours"], language)
        for key, value in merged_fields.items():
            if key not in BUILTIN_PLACEHOLDERS:
                filled[key] = pick_text(value, language) if isinstance(value, Mapping) else str(value)
        texts[language] = {}
        for key in _TEXT_FIELDS:
            try:
                texts[language][key] = fill(pick_text(getattr(template, key), language), filled)
            except KeyError as err:
                missing = err.args[0]
                raise _problem(ErrorCode.FIELD_MISSING, row, missing, template, field=missing) from None
    return texts


def _achievement(template: CertificateTemplate, languages: tuple[str, ...]) -> dict[str, Any]:
    primary, others = languages[0], [lang for lang in ("ru", "en") if lang != languages[0]]
    texts = {
        lang: {
            "name": pick_text(template.achievement_name, lang),
            "description": pick_text(template.achievement_description, lang),
            "criteria": pick_text(template.criteria, lang),
        }
        for lang in (primary, *others)
    }
    return {
        "id": f"urn:surveykit:achievement:{template.id}",
        "type": ["Achievement"],
        "achievementType": template.achievement_type,
        "name": texts[primary]["name"],
        "description": texts[primary]["description"],
        "criteria": {"narrative": texts[primary]["criteria"]},
        "inLanguage": primary,
        "translations": {lang: texts[lang] for lang in others},
    }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def issue_certificate(
    holder: Holder | Mapping[str, Any],
    template: CertificateTemplate,
    key: IssuerKey,
    *,
    language: str | None = None,
    now: datetime | date | None = None,
    serial: str | None = None,
    issuer: Issuer | None = None,
    verify_url: str | None = None,
    fields: Mapping[str, Any] | None = None,
    row: int | None = None,
) -> Certificate:
    """Sign one certificate for ``holder``. Raises :class:`CertificateError` naming the field at fault.

    ``now`` is the moment of issue (default: now, UTC), ``serial`` a pre-allocated serial (default: a new
    random one), ``fields`` values for template placeholders shared by a whole batch (a holder's own win).
    """
    holder = Holder.from_mapping(holder, row=row)
    if not holder.name:
        raise _problem(ErrorCode.FIELD_MISSING, row, "name", template, field="name")
    if re.search(r"[\x00-\x1f\x7f]", holder.name):
        raise _problem(
            ErrorCode.FIELD_INVALID,
            row,
            "name",
            template,
            field="name",
            detail="the name contains control characters",
            fix="Remove line breaks and tabs from the name.",
        )
    language = language or template.language
    languages = languages_of(language)
    issuer = issuer or Issuer.from_settings()
    if verify_url is None:
        from surveykit.config import settings

        verify_url = settings().verify_url
    valid_from = utc(now)
    valid_until = add_years(valid_from, template.valid_years) if template.valid_years else None
    serial = serial or new_serial(valid_from.year)
    if normalize_serial(serial) != serial:
        raise _problem(
            ErrorCode.FIELD_INVALID,
            row,
            "serial",
            template,
            field="serial",
            detail=f"'{serial}' is not a valid serial",
            fix="Leave the serial out to have one allocated.",
        )
    roles = _holder_roles(holder, template, row)
    hours = holder.hours if holder.hours is not None else template.hours
    values = {
        "valid_from": valid_from,
        "valid_until": valid_until,
        "hours": hours,
        "serial": serial,
    }
    texts = _compose_texts(template, issuer, holder, roles, values, fields or {}, languages, row)

    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "name": holder.name,
        "achievement": _achievement(template, languages),
    }
    if holder.person_id:
        subject["id"] = f"urn:surveykit:person:{holder.person_id}"
    if roles:
        subject["roles"] = [role.to_record() for role in roles]
    if hours is not None:
        subject["hours"] = _number(hours)
    if holder.scores:
        subject["scores"] = {str(k): _number(v) for k, v in holder.scores.items()}
    printed_fields = {
        k: (dict(v) if isinstance(v, Mapping) else str(v))
        for k, v in {**(fields or {}), **holder.fields}.items()
        if k in template.placeholders() and k not in BUILTIN_PLACEHOLDERS
    }
    if printed_fields:
        subject["fields"] = printed_fields
    record: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": f"urn:surveykit:certificate:{serial}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": texts[languages[0]]["title"],
        "issuer": issuer.to_record(languages[0]),
        "validFrom": iso(valid_from),
        "credentialSubject": subject,
        "credentialStatus": {"id": status_url(serial, verify_url), "type": "SurveykitCertificateStatus"},
        "surveykit": {"schemaVersion": RECORD_SCHEMA_VERSION, "template": template.id},
    }
    if valid_until is not None:
        record["validUntil"] = iso(valid_until)
    signed = attach_proof(record, key, created=iso(valid_from))
    payload = make_qr_payload(serial, holder.name, valid_from, valid_until, key)
    return Certificate(
        serial=serial,
        holder=holder,
        template_id=template.id,
        issuer=issuer,
        roles=roles,
        valid_from=valid_from,
        valid_until=valid_until,
        record=signed,
        qr_payload=payload,
        qr_url=qr_url(payload, verify_url),
        texts=texts,
    )
