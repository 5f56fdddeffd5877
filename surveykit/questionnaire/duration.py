"""The interview's expected length said in words: every "about N minutes" of a questionnaire's texts must
agree with ``settings.expected_minutes`` (the one number the consent script, the description and the
training course quote)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from surveykit.questionnaire.model import Questionnaire

__all__ = ["duration_mentions", "duration_mismatches"]

#: "10 минут", "10–15 минут", "15 хвилин", "15 minut", "about 15 minutes", "15 min"
_MINUTES = re.compile(r"(\d+)(?:\s*[–—-]\s*(\d+))?\s*(?:мин|хвилин|minut|minute|min\b)", re.IGNORECASE)


def duration_mentions(q: Questionnaire) -> Iterator[tuple[str | None, str, str, int, int]]:
    """``(item code or None for the description, attribute, language, low, high)`` of every number of
    minutes in the questionnaire's description, labels and hints (a range gives low < high)."""
    texts: list[tuple[str | None, str, dict[str, str]]] = [(None, "description", q.description)]
    for item, _ in q.walk():
        for attribute in ("label", "hint"):
            texts.append((item.code, attribute, getattr(item, attribute, None) or {}))
    for code, attribute, by_language in texts:
        for language, text in by_language.items():
            for match in _MINUTES.finditer(text or ""):
                low = int(match.group(1))
                high = int(match.group(2)) if match.group(2) else low
                yield code, attribute, language, low, high


def duration_mismatches(q: Questionnaire) -> list[tuple[str | None, str, str, str]]:
    """``(code, attribute, language, what the text says)`` where a text's minutes disagree with
    ``settings.expected_minutes`` (nothing when the setting is not given)."""
    expected = q.settings.expected_minutes
    if expected is None:
        return []
    return [
        (code, attribute, language, str(low) if low == high else f"{low}–{high}")
        for code, attribute, language, low, high in duration_mentions(q)
        if not low <= expected <= high
    ]
