"""Languages: picking a translation with fallback, and the UI message catalogs (English and Russian).

Questionnaire texts carry their own translations (``{"en": ..., "ru": ...}``). The user interface of the
apps, the CLI's human messages and the translations of error templates live in
``surveykit/locale/<lang>.yaml`` and ``surveykit/locale/<lang>/*.yaml`` (one file per area): a flat mapping
``key -> text`` plus ``errors: {SK201: {message, hint}}``.
A key missing in a language falls back to English, and a key missing in English is shown as the key
itself, so a forgotten string is visible but never crashes an app.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "UI_LANGUAGES",
    "error_templates",
    "format_date",
    "moment_text",
    "number_text",
    "pick",
    "t",
    "ui_catalog",
]

LOCALE_DIR = Path(__file__).with_name("locale")

#: languages the user interface is translated into (questionnaires may carry any language)
UI_LANGUAGES = ("ru", "en")

#: what a language is called in its own language, for language switches
LANGUAGE_NAMES = {
    "ru": "Русский",
    "en": "English",
    "uk": "Українська",
    "bg": "Български",
    "pl": "Polski",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
}


def pick(texts: Mapping[str, str] | str | None, language: str, fallback: str | None = None) -> str:
    """The text in ``language``; else in ``fallback``; else the first one available; else ``""``."""
    if texts is None:
        return ""
    if isinstance(texts, str):
        return texts
    if texts.get(language):
        return texts[language]
    if fallback and texts.get(fallback):
        return texts[fallback]
    for value in texts.values():
        if value:
            return value
    return ""


def number_text(value: float, language: str, digits: int = 2) -> str:
    """A number for people: rounded to ``digits`` decimals, no trailing zeros, a decimal comma in Russian
    (``0.333333`` -> ``0.33`` / ``0,33``; ``3.0`` -> ``3``)."""
    rounded = round(float(value), digits)
    text = f"{rounded:.{digits}f}".rstrip("0").rstrip(".") if digits > 0 else f"{rounded:.0f}"
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", ",") if language == "ru" else text


#: PyYAML's safe loader on libyaml where it is built in (the same documents, ~10x faster: every app page loads
#: the catalog of its language when it opens), its pure-Python twin elsewhere
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def ui_catalog(language: str) -> dict[str, Any]:
    """``locale/<lang>.yaml`` merged with every ``locale/<lang>/*.yaml`` (one file per area of the app)."""
    catalog: dict[str, Any] = {"errors": {}}
    paths = [LOCALE_DIR / f"{language}.yaml", *sorted((LOCALE_DIR / language).glob("*.yaml"))]
    for path in paths:
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_SAFE_LOADER) or {}
        catalog["errors"].update(data.pop("errors", None) or {})
        catalog.update(data)
    return catalog


def t(key: str, language: str = "en", /, **params: Any) -> str:
    """A UI string by key, formatted with ``params``; falls back to English, then to the key."""
    text = ui_catalog(language).get(key)
    if text is None and language != "en":
        text = ui_catalog("en").get(key)
    if text is None:
        return key
    if params:
        from surveykit.errors import _safe_format

        return _safe_format(str(text), params)
    return str(text)


def error_templates(code: str, language: str) -> tuple[str | None, str | None]:
    """The translated ``(message, hint)`` templates of an error code, or ``(None, None)``."""
    entry = (ui_catalog(language).get("errors") or {}).get(code) or {}
    return entry.get("message"), entry.get("hint")


# --- dates and times in words: the one home for every app, report and certificate --------------------------------------

_RU_MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(value: dt.date, language: str) -> str:
    """``1 мая 2026 г.`` / ``1 May 2026``."""
    if language == "ru":
        return f"{value.day} {_RU_MONTHS[value.month - 1]} {value.year} г."
    return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"


#: an ISO 8601 date or time as stored in the audit log's details and in JSON records
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def moment_text(value: Any, language: str) -> str:
    """A date or a time as people read it: ``8 декабря 2026 г., 14:30 UTC`` / ``8 December 2026, 14:30 UTC``
    (a time in UTC, as the server records it; a naive time is taken as UTC), a date alone as
    :func:`format_date`. Takes a ``datetime``, a ``date``, a pandas ``Timestamp`` or an ISO 8601 text; ``None``
    and NaT give ``""``; any other text is returned as it is."""
    if value is None or value != value:  # None, NaN, NaT
        return ""
    if isinstance(value, str):
        text = value.strip()
        if not _ISO.match(text):
            return value
        try:
            value = dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
        except ValueError:
            return value
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        moment = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return f"{format_date(moment, language)}, {moment:%H:%M} UTC"
    if isinstance(value, dt.date):
        return format_date(value, language)
    return str(value)
