"""Certificate and diploma templates: YAML files in ``questionnaires/training/certificates/``.

A template holds the texts of a document in Russian and English, with placeholders, and a few layout
choices. One generator renders all of them (the interviewer certificate, a competition diploma ...)::

    schema_version: 1
    id: interviewer-certificate
    kind: certificate                  # certificate | diploma
    language: ru                       # ru | en | bilingual: the default, a caller may choose another
    title: {ru: Сертификат, en: Certificate}
    subtitle: {ru: ..., en: ...}       # optional
    preamble: {ru: Настоящим удостоверяется, что, en: This is to certify that}   # optional, above the name
    body: {ru: "... в объёме {hours} ...", en: "... ({hours}) ..."}             # below the name
    achievement: {name: {...}, description: {...}, criteria: {...}}           # goes into the signed record
    roles: {interviewer: {ru: интервьюер, en: interviewer}, ...}              # optional
    hours: 16                          # optional default; a holder's own hours win
    valid_years: 2                     # null: the document does not expire
    signatories: [{title: {...}, name: ...}]
    layout: {accent: "#1F3A5F", ornament: "#B08D57", qr: true, seal: true}

Placeholders are ``{name}`` with a plain name; write ``{{`` and ``}}`` for literal braces. Filled in by
surveykit: ``{name}`` (holder), ``{date}`` (date of issue), ``{valid_from}``, ``{valid_until}``,
``{hours}`` ("16 часов" / "16 hours"), ``{roles}``, ``{issuer}``, ``{serial}``, ``{year}``. Any other
placeholder (``{place}``, ``{region}``, ``{nomination}``) comes from the holder's fields or the fields of
the whole batch; a holder without it is reported, not printed with a hole.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveykit.errors import (
    CertificateError,
    ErrorCode,
    Location,
    Problem,
    Report,
    Severity,
    did_you_mean,
)
from surveykit.i18n import format_date, pick

from .model import Role, Texts

__all__ = [
    "BUILTIN_PLACEHOLDERS",
    "CertificateTemplate",
    "Layout",
    "Signatory",
    "fill",
    "format_date",
    "format_hours",
    "list_templates",
    "load_template",
    "template_dir",
]

SCHEMA_VERSION = 1
LANGUAGE_CHOICES = ("ru", "en", "bilingual")
KINDS = {"certificate": "Certificate", "diploma": "Diploma"}  # kind -> Open Badges achievementType
#: placeholders surveykit fills in itself; every other one must come from the holder or the batch
BUILTIN_PLACEHOLDERS = (
    "name",
    "date",
    "valid_from",
    "valid_until",
    "hours",
    "roles",
    "issuer",
    "serial",
    "year",
)
_TEXT_KEYS = ("title", "subtitle", "preamble", "body")
_TOP_KEYS = {
    "schema_version",
    "id",
    "kind",
    "language",
    *_TEXT_KEYS,
    "achievement",
    "roles",
    "show_roles",
    "hours",
    "valid_years",
    "signatories",
    "layout",
}
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]")
_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def template_dir() -> Path:
    """Where named templates live: ``<questionnaires>/training/certificates``."""
    from surveykit.config import settings

    return Path(settings().questionnaires_dir) / "training" / "certificates"


def languages_of(language: str) -> tuple[str, ...]:
    """The languages printed for a layout language: ``"bilingual"`` -> ``("ru", "en")``."""
    return ("ru", "en") if language == "bilingual" else (language,)


# --- formatting of hours (dates: surveykit.i18n.format_date, the one home of dates in words) ----------


def _ru_plural(n: float, one: str, few: str, many: str, fraction: str) -> str:
    if n != int(n):
        return fraction
    n = int(n) % 100
    if 11 <= n <= 14:
        return many
    return {1: one, 2: few, 3: few, 4: few}.get(n % 10, many)


def format_hours(hours: float, language: str) -> str:
    """``16 часов``, ``4,5 часа`` / ``16 hours``, ``1 hour``."""
    number = f"{hours:g}"
    if language == "ru":
        return f"{number.replace('.', ',')} {_ru_plural(hours, 'час', 'часа', 'часов', 'часа')}"
    return f"{number} {'hour' if hours == 1 else 'hours'}"


# --- the template ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signatory:
    title: Texts
    name: str = ""


@dataclass(frozen=True)
class Layout:
    accent: tuple[int, int, int] = (0x1F, 0x3A, 0x5F)  # deep navy: titles, name, frame
    ornament: tuple[int, int, int] = (0xB0, 0x8D, 0x57)  # muted gold: rules, corners, seal
    qr: bool = True
    seal: bool = True


@dataclass(frozen=True)
class CertificateTemplate:
    id: str
    kind: str
    language: str
    title: Texts
    body: Texts
    achievement_name: Texts
    achievement_description: Texts
    criteria: Texts
    subtitle: Texts = field(default_factory=dict)
    preamble: Texts = field(default_factory=dict)
    roles: Mapping[str, Role] = field(default_factory=dict)
    show_roles: bool = True
    hours: float | None = None
    valid_years: int | None = 2
    signatories: tuple[Signatory, ...] = ()
    layout: Layout = field(default_factory=Layout)
    source: Path | None = None
    warnings: tuple[Problem, ...] = ()

    @property
    def achievement_type(self) -> str:
        return KINDS[self.kind]

    def placeholders(self) -> set[str]:
        """Every placeholder used in the printed texts."""
        names: set[str] = set()
        for key in _TEXT_KEYS:
            for text in getattr(self, key).values():
                names.update(m.group(1) for m in _PLACEHOLDER.finditer(text) if m.group(1))
        return names


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace ``{placeholder}`` by its value (``KeyError`` names a missing one); ``{{``/``}}`` are braces."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        return values[match.group(1)]

    return _PLACEHOLDER.sub(replace, text)


class _Reader:
    """Reads the YAML mapping of one template, collecting every problem with its location."""

    def __init__(self, data: Mapping[str, Any], source: str) -> None:
        self.data = data
        self.source = source
        self.report = Report(subject=source)

    def where(self, path: str) -> Location:
        return Location(file=self.source, path=path)

    def invalid(self, path: str, detail: str, fix: str) -> None:
        self.report.add(ErrorCode.FIELD_INVALID, self.where(path), field=path, detail=detail, fix=fix)

    def texts(self, value: Any, path: str, *, required: bool) -> dict[str, str]:
        if value is None:
            if required:
                self.report.add(ErrorCode.FIELD_MISSING, self.where(path), field=path)
            return {}
        texts = {"ru": value, "en": value} if isinstance(value, str) else value
        if not isinstance(texts, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in texts.items()
        ):
            self.invalid(
                path, "expected a text or a mapping like {ru: ..., en: ...}", "Write {ru: '...', en: '...'}."
            )
            return {}
        for language, text in texts.items():
            for match in _PLACEHOLDER.finditer(text):
                if match.group(0) in ("{", "}"):
                    self.invalid(
                        f"{path}.{language}",
                        f"a lone '{match.group(0)}' at character {match.start() + 1}",
                        "Placeholders look like {name}; write {{ or }} for a literal brace.",
                    )
                    break
        for language in ("ru", "en"):
            if not texts.get(language):
                self.report.add(
                    ErrorCode.TRANSLATION_MISSING,
                    self.where(path),
                    Severity.WARNING,
                    language=language,
                    what=path,
                    fallback=next(iter(texts), "-"),
                )
        return dict(texts)

    def choice(self, key: str, choices: Iterable[str], default: str) -> str:
        value = self.data.get(key, default)
        choices = tuple(choices)
        if value not in choices:
            self.invalid(
                key, f"{value!r} is not one of {', '.join(choices)}", f"Use one of: {', '.join(choices)}."
            )
            return default
        return value

    def colour(
        self, layout: Mapping[str, Any], key: str, default: tuple[int, int, int]
    ) -> tuple[int, int, int]:
        value = layout.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or not _HEX_COLOUR.match(value):
            self.invalid(
                f"layout.{key}", f"{value!r} is not a colour", "Write a colour as #RRGGBB, e.g. '#1F3A5F'."
            )
            return default
        return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def _parse(data: Any, source: str, default_id: str) -> CertificateTemplate:
    if not isinstance(data, Mapping):
        raise CertificateError(
            ErrorCode.FIELD_INVALID,
            Location(file=source),
            field="(file)",
            detail="a template must be a YAML mapping",
            fix="Start the file with 'schema_version: 1' and the template fields.",
        )
    r = _Reader(data, source)
    version = data.get("schema_version")
    if version is None:
        r.report.add(ErrorCode.FIELD_MISSING, r.where("schema_version"), field="schema_version")
    elif not isinstance(version, int) or isinstance(version, bool):
        r.invalid(
            "schema_version", f"{version!r} is not a whole number", f"Write schema_version: {SCHEMA_VERSION}."
        )
    elif version > SCHEMA_VERSION:
        r.report.add(
            ErrorCode.SCHEMA_VERSION_TOO_NEW,
            r.where("schema_version"),
            found=version,
            supported=SCHEMA_VERSION,
        )
    elif version < SCHEMA_VERSION:
        r.report.add(
            ErrorCode.SCHEMA_VERSION_TOO_OLD,
            r.where("schema_version"),
            found=version,
            supported=SCHEMA_VERSION,
        )
    for key in data:
        if key not in _TOP_KEYS:
            r.report.add(
                ErrorCode.FIELD_UNKNOWN,
                r.where(str(key)),
                field=key,
                suggestion=did_you_mean(str(key), _TOP_KEYS),
            )

    template_id = data.get("id", default_id)
    if not isinstance(template_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", template_id):
        r.invalid("id", f"{template_id!r} is not a valid id", "Use lower-case letters, digits, '-' and '_'.")
        template_id = default_id

    achievement = data.get("achievement")
    if not isinstance(achievement, Mapping):
        r.report.add(ErrorCode.FIELD_MISSING, r.where("achievement"), field="achievement")
        achievement = {}

    roles: dict[str, Role] = {}
    raw_roles = data.get("roles") or {}
    if not isinstance(raw_roles, Mapping):
        r.invalid(
            "roles",
            "expected a mapping of role codes to names",
            "Write roles: {interviewer: {ru: ..., en: ...}}.",
        )
        raw_roles = {}
    for code, names in raw_roles.items():
        if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            r.invalid(
                f"roles.{code}", f"{code!r} is not a valid role code", "Use lower case, digits and '_'."
            )
            continue
        roles[code] = Role(code, r.texts(names, f"roles.{code}", required=True))

    hours = data.get("hours")
    if hours is not None and (
        not isinstance(hours, int | float) or isinstance(hours, bool) or not math.isfinite(hours) or hours < 0
    ):
        r.invalid(
            "hours", f"{hours!r} is not a number of hours", "Write the programme length, e.g. hours: 16."
        )
        hours = None
    valid_years = data.get("valid_years", 2)
    if valid_years is not None and (
        not isinstance(valid_years, int) or isinstance(valid_years, bool) or valid_years < 1
    ):
        r.invalid(
            "valid_years",
            f"{valid_years!r} is not a whole number of years",
            "Write e.g. 2, or null for no expiry.",
        )
        valid_years = 2

    signatories: list[Signatory] = []
    raw_signatories = data.get("signatories") or []
    if not isinstance(raw_signatories, list) or len(raw_signatories) > 3:
        r.invalid(
            "signatories",
            "expected a list of at most 3 entries",
            "Write signatories: [{title: {...}, name: ...}].",
        )
        raw_signatories = []
    for i, entry in enumerate(raw_signatories):
        if not isinstance(entry, Mapping):
            r.invalid(f"signatories[{i}]", "expected {title: ..., name: ...}", "Give each signatory a title.")
            continue
        signatories.append(
            Signatory(
                r.texts(entry.get("title"), f"signatories[{i}].title", required=True),
                str(entry.get("name") or ""),
            )
        )

    raw_layout = data.get("layout") or {}
    if not isinstance(raw_layout, Mapping):
        r.invalid("layout", "expected a mapping", "Write layout: {accent: '#1F3A5F'}.")
        raw_layout = {}
    defaults = Layout()
    for key in raw_layout:
        if key not in Layout.__dataclass_fields__:
            r.report.add(
                ErrorCode.FIELD_UNKNOWN,
                r.where(f"layout.{key}"),
                field=key,
                suggestion=did_you_mean(str(key), Layout.__dataclass_fields__),
            )
    layout = Layout(
        accent=r.colour(raw_layout, "accent", defaults.accent),
        ornament=r.colour(raw_layout, "ornament", defaults.ornament),
        qr=bool(raw_layout.get("qr", True)),
        seal=bool(raw_layout.get("seal", True)),
    )

    template = CertificateTemplate(
        id=template_id,
        kind=r.choice("kind", KINDS, "certificate"),
        language=r.choice("language", LANGUAGE_CHOICES, "ru"),
        title=r.texts(data.get("title"), "title", required=True),
        subtitle=r.texts(data.get("subtitle"), "subtitle", required=False),
        preamble=r.texts(data.get("preamble"), "preamble", required=False),
        body=r.texts(data.get("body"), "body", required=True),
        achievement_name=r.texts(achievement.get("name"), "achievement.name", required=True),
        achievement_description=r.texts(
            achievement.get("description"), "achievement.description", required=True
        ),
        criteria=r.texts(achievement.get("criteria"), "achievement.criteria", required=True),
        roles=roles,
        show_roles=bool(data.get("show_roles", bool(roles))),
        hours=hours,
        valid_years=valid_years,
        signatories=tuple(signatories),
        layout=layout,
        source=Path(source) if not source.startswith("<") else None,
        warnings=tuple(r.report.warnings),
    )
    r.report.raise_if_errors(CertificateError)
    return template


def list_templates(folder: Path | None = None) -> list[str]:
    """Names of the templates in ``folder`` (default :func:`template_dir`)."""
    folder = folder or template_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def load_template(template: CertificateTemplate | str | Path | Mapping[str, Any]) -> CertificateTemplate:
    """A template from a name (``"interviewer"``), a path to a YAML file, or an already parsed mapping."""
    if isinstance(template, CertificateTemplate):
        return template
    if isinstance(template, Mapping):
        return _parse(template, "<template>", str(template.get("id", "template")))
    path = Path(template)
    if path.suffix not in (".yaml", ".yml") and os.sep not in str(template):
        path = template_dir() / f"{template}.yaml"
        if not path.is_file():
            available = list_templates()
            raise CertificateError(
                ErrorCode.NOT_FOUND,
                Location(file=str(template_dir())),
                entity="certificate template",
                key=str(template),
                suggestion=did_you_mean(str(template), available)
                or (f" (available: {', '.join(available)})" if available else " (the folder has none)"),
            )
    if not path.is_file():
        raise CertificateError(
            ErrorCode.FILE_NOT_FOUND, Location(file=str(path)), path=str(path), cwd=os.getcwd()
        )
    from surveykit.fileio import read_yaml_file

    document = read_yaml_file(path)  # read safely: bounded, control characters and duplicate keys refused
    document.report.raise_if_errors(CertificateError)
    return _parse(document.data, str(path), path.stem)


def pick_text(texts: Texts, language: str) -> str:
    return pick(texts, language, "en" if language != "en" else "ru")
