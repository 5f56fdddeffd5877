"""The words of a flag: a message key and plain parameters, rendered in any UI language.

Every check emits ``message`` (a key such as ``quality.detail.too_short_interviewer``) and ``params`` (a dict of
plain JSON values: numbers, strings, lists) with each flag; ``detail`` is the English rendering of the same
template (:func:`render`), for logs, the command line and JSON, so the two never disagree. The templates live in
``surveykit/locale/<lang>/quality.yaml`` and are formatted with Python's format specs (``{rate:.0%}``); in
Russian the decimal point of a formatted number becomes a comma.

Conventions of the parameters, so a template never shows a raw code:

* ``mode`` / ``modes`` (a mode code, or a list of them) are shown through ``mode.<code>`` (locale apps.yaml);
  an empty one as ``quality.detail.no_mode`` / ``quality.detail.no_modes``;
* ``block`` and ``peers`` are codes shown through ``quality.detail.block.<code>`` / ``quality.detail.peers.<code>``;
* a list of dicts is rendered item by item with the template ``<message>.item`` and joined with ``"; "``;
  any other list is joined with ``", "``;
* ``day`` (an ISO date, ``2026-03-02``) is written as the language writes dates (``02.03.2026`` in Russian);
* ``None`` (and a non-finite number, stored as ``None`` or ``"inf"``) is shown as a dash or an infinity sign.
"""

from __future__ import annotations

import datetime as dt
import math
import string
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from surveykit.i18n import t, ui_catalog

__all__ = ["plain", "plain_params", "render", "render_all"]

#: parameters holding a code, shown through ``<prefix><code>``
_CODES = {
    "mode": "mode.",
    "modes": "mode.",
    "block": "quality.detail.block.",
    "peers": "quality.detail.peers.",
}
#: languages that write a decimal comma
_DECIMAL_COMMA = frozenset({"ru", "uk", "bg", "pl", "de", "fr", "es"})
_INFINITY = {"inf": "∞", "-inf": "−∞"}
#: how a language writes a date (ISO otherwise)
_DATES = {"ru": "%d.%m.%Y", "uk": "%d.%m.%Y", "bg": "%d.%m.%Y", "de": "%d.%m.%Y", "pl": "%d.%m.%Y"}


def plain(value: Any) -> Any:
    """``value`` as plain JSON: numpy scalars become ``int``/``float``/``bool``/``str``, arrays and tuples
    lists, a non-finite float the string ``"inf"``/``"-inf"`` or ``None`` (JSON has no infinity)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(v) for v in value]
    try:
        if pd.isna(value):  # pd.NA, NaT
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def plain_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of one flag as plain JSON values (see :func:`plain`)."""
    return {str(k): plain(v) for k, v in params.items()}


class _Raw(str):
    """A placeholder left as it is (a parameter the template asks for but the flag does not give)."""


class _Formatter(string.Formatter):
    def __init__(self, language: str) -> None:
        super().__init__()
        self.comma = language in _DECIMAL_COMMA

    def get_value(self, key: Any, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, int):
            return _Raw("{" + str(key) + "}")
        return kwargs[key] if key in kwargs else _Raw("{" + key + "}")

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Raw):
            return str(value)
        if value is None:
            return "—"
        if isinstance(value, str) and value in _INFINITY:
            return _INFINITY[value]
        try:
            text = format(value, format_spec)
        except (TypeError, ValueError):
            text = str(value)
        if self.comma and isinstance(value, int | float) and not isinstance(value, bool):
            text = text.replace(".", ",")
        return text


def _template(key: str, language: str) -> str | None:
    text = ui_catalog(language).get(key)
    if text is None and language != "en":
        text = ui_catalog("en").get(key)
    return None if text is None else str(text)


def _code(name: str, value: Any, language: str) -> str:
    prefix = _CODES[name]
    if isinstance(value, list):
        if not value:
            return t(f"quality.detail.no_{name}", language)
        return ", ".join(_code(name, v, language) for v in value)
    if value is None or value == "":
        return t(f"quality.detail.no_{name}", language)
    key = f"{prefix}{value}"
    text = t(key, language)
    return str(value) if text == key else text


def _localise(message: str, name: str, value: Any, language: str) -> Any:
    if name in _CODES:
        return _code(name, value, language)
    if name == "day" and isinstance(value, str) and language in _DATES:
        try:
            return dt.date.fromisoformat(value).strftime(_DATES[language])
        except ValueError:
            return value
    if isinstance(value, list):
        if value and all(isinstance(v, Mapping) for v in value):
            return "; ".join(render(f"{message}.item", v, language) for v in value)
        return ", ".join(str(v) for v in value)
    return value


def render(message: str, params: Mapping[str, Any] | None, language: str = "en") -> str:
    """The text of ``message`` with ``params`` in ``language`` (falling back to English, then to the key)."""
    template = _template(message, language)
    if template is None:
        return message
    values = {k: _localise(message, k, v, language) for k, v in (params or {}).items()}
    try:
        return _Formatter(language).vformat(template, (), values)
    except (ValueError, IndexError, KeyError, AttributeError):  # a malformed template must not hide the flag
        return template


def render_all(
    messages: str | Iterable[str], params: Iterable[Mapping[str, Any]], language: str = "en"
) -> list[str]:
    """:func:`render` for each flag: one message for all, or one per flag."""
    params = list(params)
    keys = [messages] * len(params) if isinstance(messages, str) else list(messages)
    return [render(k, p, language) for k, p in zip(keys, params, strict=True)]
