"""Is a certificate kept in the response store the one the issuer signed? The check behind the interview gate.

The store's ``certificates`` table keeps, for each certificate, the signed record exactly as issued and, beside
it, the columns the gate reads quickly (person, roles, valid from, valid until). Someone who can edit the
database can change either. So a stored certificate counts only when

* its record's signature verifies with a trusted issuer key (:func:`surveykit.certificates.signing.check_proof`:
  any change to the record breaks it), and
* the columns say what the signed record says: the serial, the person (``credentialSubject.id`` is
  ``urn:surveykit:person:<id>``), the set of roles and both dates.

Everything else — a changed byte in the record, a record signed by another key, a prolonged ``valid_until``,
an added role, a certificate moved to another person — makes it "not authentic": it no longer counts, and the
reason says which. Suspension and revocation are the store's status column (the registry's word, changed
through :class:`~surveykit.certificates.registry_store.StoreRegistry` and audited); they can only close the
gate, never open it.

Checking a signature costs about half a millisecond, and the gate runs on every submission, so
:func:`checked_problem` remembers the answer per process, keyed by a digest of everything the answer depends
on (the trusted keys, the serial, the columns and the whole record): any change to the row is a new key and
is checked afresh. The status is not part of the answer (it is read from the row every time), so a
certificate revoked after it was remembered is refused at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from .records import parse_iso
from .serials import normalize_serial
from .signing import PublicKey, check_proof, load_public_key, public_key_path

__all__ = ["REASONS", "checked_problem", "gate_keys", "reason_text", "stored_problem"]

PERSON_PREFIX = "urn:surveykit:person:"

#: why a stored certificate does not count, in the languages of the apps
REASONS: dict[str, dict[str, str]] = {
    "no_key": {
        "en": "no trusted issuer key is configured ({detail})",
        "ru": "не настроен ключ выдающей организации ({detail})",
    },
    "no_record": {"en": "the signed record is missing", "ru": "нет подписанной записи"},
    "no_proof": {"en": "the record carries no signature", "ru": "в записи нет подписи"},
    "proof_unsupported": {
        "en": "the record is signed with an unsupported method",
        "ru": "запись подписана неподдерживаемым способом",
    },
    "signature_unreadable": {"en": "the signature cannot be read", "ru": "подпись не читается"},
    "record_unreadable": {"en": "the record cannot be read", "ru": "запись не читается"},
    "untrusted_key": {
        "en": "signed with a key that is not the issuer's",
        "ru": "подписано ключом, который не принадлежит выдающей организации",
    },
    "signature_mismatch": {
        "en": "the record was changed after it was signed",
        "ru": "запись изменена после подписания",
    },
    "column_mismatch": {
        "en": "the stored {what} differs from the signed record",
        "ru": "сохранённое поле «{what}» не совпадает с подписанной записью",
    },
}


_lock = threading.Lock()
_keys: tuple[Any, list[PublicKey] | str] | None = None  # (the key files' stamp, the answer)
_answers: OrderedDict[bytes, tuple[str, dict[str, str]] | None] = OrderedDict()
_ANSWERS_KEPT = 4096


def _stamp(path: Path) -> tuple[str, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return str(path), info.st_mtime_ns, info.st_size


def gate_keys() -> list[PublicKey] | str:
    """The trusted issuer keys of this installation (the ``signing_key`` setting's public key), or the
    reason there are none. Read again whenever the key files change (their path, size or time)."""
    global _keys
    from surveykit.config import settings
    from surveykit.errors import CertificateError

    private = Path(settings().signing_key)
    stamp = (str(private), _stamp(public_key_path(private)), _stamp(private))
    with _lock:
        if _keys is not None and _keys[0] == stamp:
            return _keys[1]
    try:
        answer: list[PublicKey] | str = [load_public_key()]
    except CertificateError as err:
        answer = str(err.location) if err.location is not None else str(err)
    with _lock:
        _keys = (stamp, answer)
    return answer


def _same_moment(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a = a if a.tzinfo is not None else a.replace(tzinfo=dt.UTC)
    b = b if b.tzinfo is not None else b.replace(tzinfo=dt.UTC)
    return abs((a - b).total_seconds()) < 1  # the record carries whole seconds


def stored_problem(
    record: Any,
    *,
    serial: str,
    person_id: str | None,
    roles: Collection[str],
    issued_at: dt.datetime,
    valid_until: dt.datetime | None,
    keys: list[PublicKey],
) -> tuple[str, dict[str, str]] | None:
    """None when the stored certificate is what the issuer signed; else ``(reason key, params)`` (see
    :data:`REASONS`). Never raises: whatever is stored, the answer is a reason."""
    if not isinstance(record, Mapping) or not record:
        return "no_record", {}
    reason, _key = check_proof(record, keys)
    if reason is not None:
        return reason, {}
    subject = record.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    signed_serial = normalize_serial(str(record.get("id", "")).rsplit(":", 1)[-1])
    signed_person = str(subject.get("id", ""))
    signed_roles = {
        str(r.get("id")) for r in subject.get("roles") or [] if isinstance(r, Mapping) and r.get("id")
    }
    signed_from = parse_iso(record.get("validFrom"))
    signed_until = parse_iso(record.get("validUntil")) if "validUntil" in record else None
    checks = (
        ("serial", signed_serial == serial),
        ("person", person_id is not None and signed_person == f"{PERSON_PREFIX}{person_id}"),
        ("roles", signed_roles == set(roles)),
        ("valid from", signed_from is not None and _same_moment(signed_from, issued_at)),
        ("valid until", _same_moment(signed_until, valid_until)),
    )
    for what, same in checks:
        if not same:
            return "column_mismatch", {"what": what}
    return None


def checked_problem(
    record: Any,
    *,
    serial: str,
    person_id: str | None,
    roles: Collection[str],
    issued_at: dt.datetime,
    valid_until: dt.datetime | None,
    keys: list[PublicKey],
) -> tuple[str, dict[str, str]] | None:
    """:func:`stored_problem`, remembered per process for the very same keys, columns and record."""
    try:
        content = json.dumps(
            [
                [k.raw.hex() for k in keys],
                serial,
                person_id,
                sorted(roles),
                issued_at.isoformat(),
                None if valid_until is None else valid_until.isoformat(),
                record,
            ],
            ensure_ascii=False,  # keys in the stored order: the same row gives the same text (another
            default=repr,  # order only costs one more check)
        )
    except (TypeError, ValueError):  # a record that cannot be written as JSON: no memory, just the check
        content = None
    if content is None:
        return stored_problem(
            record,
            serial=serial,
            person_id=person_id,
            roles=roles,
            issued_at=issued_at,
            valid_until=valid_until,
            keys=keys,
        )
    digest = hashlib.sha256(content.encode()).digest()
    with _lock:
        if digest in _answers:
            _answers.move_to_end(digest)
            return _answers[digest]
    answer = stored_problem(
        record,
        serial=serial,
        person_id=person_id,
        roles=roles,
        issued_at=issued_at,
        valid_until=valid_until,
        keys=keys,
    )
    with _lock:
        _answers[digest] = answer
        while len(_answers) > _ANSWERS_KEPT:
            _answers.popitem(last=False)
    return answer


#: the stored fields compared with the signed record, in the languages of the apps
FIELDS: dict[str, dict[str, str]] = {
    "serial": {"en": "serial", "ru": "номер"},
    "person": {"en": "holder", "ru": "владелец"},
    "roles": {"en": "roles", "ru": "роли"},
    "valid from": {"en": "start date", "ru": "дата начала"},
    "valid until": {"en": "end date", "ru": "дата окончания"},
}


def reason_text(key: str, params: Mapping[str, str], language: str) -> str:
    """The reason in ``language`` (en or ru; English otherwise)."""
    texts = REASONS.get(key) or REASONS["record_unreadable"]
    local = dict(params)
    if "what" in local and local["what"] in FIELDS:
        names = FIELDS[local["what"]]
        local["what"] = names.get(language) or names["en"]
    return (texts.get(language) or texts["en"]).format_map({"detail": "", **local})
