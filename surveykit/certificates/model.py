"""The objects certificates are made from: a holder, roles, the issuer, and an issued certificate."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from surveykit.errors import CertificateError, ErrorCode, Location

__all__ = ["Certificate", "Holder", "Issuer", "Role", "Texts"]

#: a text in several languages, ``{"ru": ..., "en": ...}``
Texts = Mapping[str, str]

_HOLDER_KEYS = ("name", "roles", "hours", "scores", "person_id")


@dataclass(frozen=True)
class Role:
    """A role a certificate grants: ``Role("interviewer", {"ru": "интервьюер", "en": "interviewer"})``."""

    code: str
    names: Texts = field(default_factory=dict)

    def name(self, language: str) -> str:
        from surveykit.i18n import pick

        return pick(self.names, language, "en") or self.code

    def to_record(self) -> dict[str, Any]:
        return {"id": self.code, "name": dict(self.names)}


@dataclass(frozen=True)
class Issuer:
    """Who issues: named on the certificate and in the signed record (defaults come from the settings).

    ``name`` is the name in any language; ``names`` the name per language (``{"ru": ..., "en": ...}``),
    so that a Russian certificate and verification page name the issuer in Russian."""

    name: str
    url: str
    names: Texts = field(default_factory=dict)

    def name_in(self, language: str) -> str:
        """The issuer's name in ``language`` (else the name it was given)."""
        return str(self.names.get(language) or self.name)

    def to_record(self, language: str) -> dict[str, Any]:
        """The record's ``issuer``: the name in the certificate's ``language``, the others in
        ``translations`` (the shape of the achievement's translations)."""
        record: dict[str, Any] = {"id": self.url, "type": ["Profile"], "name": self.name_in(language)}
        others = {
            lang: {"name": self.name_in(lang)}
            for lang in sorted(self.names)
            if lang != language and self.name_in(lang) != record["name"]
        }
        if others:
            record["translations"] = others
        return record

    @classmethod
    def from_record(cls, issuer: Mapping[str, Any]) -> Issuer:
        """The issuer of a signed record (its ``issuer`` object), names per language included."""
        name = str(issuer.get("name", ""))
        translations = issuer.get("translations")
        names = {
            str(lang): str(entry["name"])
            for lang, entry in (translations.items() if isinstance(translations, Mapping) else ())
            if isinstance(entry, Mapping) and isinstance(entry.get("name"), str)
        }
        return cls(name=name, url=str(issuer.get("id", "")), names=names)

    @classmethod
    def from_settings(cls) -> Issuer:
        """The issuer of the settings: ``issuer_name`` for every language when set, else ``issuer_name_ru``
        and ``issuer_name_en``."""
        from surveykit.config import settings

        s = settings()
        if s.issuer_name.strip():
            return cls(name=s.issuer_name, url=s.issuer_url)
        return cls(
            name=s.issuer_name_en, url=s.issuer_url, names={"ru": s.issuer_name_ru, "en": s.issuer_name_en}
        )


@dataclass(frozen=True)
class Holder:
    """One person to certify.

    ``roles`` are role codes of the template (``"interviewer"``); ``fields`` fill the template's other
    placeholders (``{place}``, ``{region}``); a field may be a plain text or ``{"ru": ..., "en": ...}``.
    ``scores`` (e.g. ``{"knowledge_test": 87.5, "mock_interview": 22}``) and ``person_id`` go into the
    signed record when given.
    """

    name: str
    roles: tuple[str, ...] = ()
    hours: float | None = None
    scores: Mapping[str, float] | None = None
    person_id: str | None = None
    fields: Mapping[str, str | Texts] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", " ".join(str(self.name or "").split()))
        object.__setattr__(self, "roles", tuple(self.roles))
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        if self.scores is not None:
            object.__setattr__(self, "scores", MappingProxyType(dict(self.scores)))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, row: int | None = None) -> Holder:
        """A holder from a row (a database row, a CSV line read with ``csv.DictReader``, a dict).

        ``roles`` may be a list or a text separated by commas or semicolons; ``hours`` a number or a
        numeric text (a decimal comma is accepted). Every other column becomes a template field.
        """
        if isinstance(data, Holder):
            return data
        where = Location(row=row)
        if not isinstance(data, Mapping):
            raise CertificateError(
                ErrorCode.FIELD_INVALID,
                where,
                field="person",
                detail=f"expected a mapping with 'name', 'roles' ..., got {type(data).__name__}",
                fix="Pass each person as a dict (a row) or a Holder.",
            )
        roles = data.get("roles") or ()
        if isinstance(roles, str):
            roles = [r.strip() for r in roles.replace(";", ",").split(",") if r.strip()]
        hours = data.get("hours")
        if hours in ("", None):
            hours = None
        elif not isinstance(hours, int | float) or isinstance(hours, bool):
            try:
                hours = float(str(hours).replace(",", ".").strip())
            except ValueError:
                raise CertificateError(
                    ErrorCode.FIELD_INVALID,
                    where.with_(field="hours"),
                    field="hours",
                    detail=f"{hours!r} is not a number",
                    fix="Write the training hours as a number, e.g. 16 or 17.5.",
                ) from None
        if hours is not None and (not math.isfinite(hours) or hours < 0):
            raise CertificateError(
                ErrorCode.FIELD_INVALID,
                where.with_(field="hours"),
                field="hours",
                detail=f"{hours!r} is not a number of hours",
                fix="Write the training hours as a positive number.",
            )
        scores = data.get("scores")
        if scores is not None and not isinstance(scores, Mapping):
            raise CertificateError(
                ErrorCode.FIELD_INVALID,
                where.with_(field="scores"),
                field="scores",
                detail=f"expected a mapping of score names to numbers, got {type(scores).__name__}",
                fix='Pass scores as {"knowledge_test": 87.5, ...}.',
            )
        person_id = data.get("person_id")
        extra = {k: v for k, v in data.items() if k not in _HOLDER_KEYS and v is not None}
        return cls(
            name=str(data.get("name") or ""),
            roles=tuple(str(r) for r in roles),
            hours=hours,
            scores=scores,
            person_id=None if person_id in (None, "") else str(person_id),
            fields=extra,
        )


@dataclass(frozen=True)
class Certificate:
    """An issued certificate: the signed record and what was derived from it for the printed page."""

    serial: str
    holder: Holder
    template_id: str
    issuer: Issuer
    roles: tuple[Role, ...]
    valid_from: datetime
    valid_until: datetime | None
    record: Mapping[str, Any]
    qr_payload: str
    qr_url: str
    #: the template texts with placeholders filled in, per language (title, subtitle, preamble, body ...)
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The signed record as JSON text (any whitespace is fine: verification re-serialises canonically)."""
        return json.dumps(self.record, ensure_ascii=False, indent=indent)
