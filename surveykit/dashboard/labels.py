"""Readable labels for council outputs: names from the profile and the questionnaires, never bare codes.

Numbers are formatted as in the conclusions (``87,45`` in Russian, ``87.45`` in English); texts of the
interface come from ``surveykit/locale/<lang>/dashboard.yaml``.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from surveykit.i18n import t
from surveykit.scoring.conclusion import format_number

__all__ = ["esc", "fmt", "fmt_int", "measure_name", "mode_label", "short", "type_label", "wrap"]


def fmt(value: Any, language: str, decimals: int = 1) -> str:
    """A number for people: ``87,5`` (ru) or ``87.5`` (en); ``—`` when missing."""
    return format_number(value, language, decimals)


def fmt_int(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return f"{int(value):,}".replace(",", "\u202f")


def esc(text: Any) -> str:
    return html.escape(str(text if text is not None else ""), quote=False)


def wrap(text: str, width: int = 40, max_lines: int = 3) -> str:
    """Plotly line breaks (``<br>``) every ``width`` characters, at most ``max_lines`` lines (then …)."""
    lines = textwrap.wrap(str(text), width=width, break_long_words=False) or [""]
    if len(lines) > max_lines:
        lines = [
            *lines[: max_lines - 1],
            textwrap.shorten(" ".join(lines[max_lines - 1 :]), width, placeholder="…"),
        ]
    return "<br>".join(esc(line) for line in lines)


def short(text: str, width: int = 60) -> str:
    return textwrap.shorten(str(text), width=width, placeholder="…")


def measure_name(profile: Any, measure_id: str, language: str) -> str:
    """The name of the total, a criterion, an indicator or a channel (``1.3/site``) in ``language``."""
    if measure_id == "S":
        return t("dash.total", language)
    for criterion in profile.criteria:
        if criterion.id == measure_id:
            return profile.text(criterion.name, language) or measure_id
        for indicator in criterion.indicators:
            if indicator.id == measure_id:
                return profile.text(indicator.name, language) or measure_id
            if "/" in measure_id and measure_id.split("/", 1)[0] == indicator.id:
                channel = measure_id.split("/", 1)[1]
                for ch in getattr(indicator, "channels", None) or []:
                    if ch.name == channel:
                        return profile.text(ch.label, language) or channel
                return channel
    return measure_id


def type_label(code: Any, language: str) -> str:
    """An institution type's name in ``language`` (:mod:`surveykit.institution_types`, the one home of
    those names), "type not stated" when missing."""
    from surveykit.institution_types import type_label as label

    return label(code, language)


def mode_label(code: Any, language: str) -> str:
    """An interview mode's name (``mode.<code>`` in the apps' locale files), else the code itself."""
    key = f"mode.{code}"
    text = t(key, language)
    return str(code) if text == key else text
