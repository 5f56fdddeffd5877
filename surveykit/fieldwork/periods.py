"""Periods of a campaign as people write them (``2026``, ``2026-05``, ``2026-Q2``, ``2026-H1``) and whether one
is over: the interview app offers the assignments of current periods first."""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["is_past", "period_end"]

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_PART = re.compile(r"^(\d{4})[-_ ]?([QqHh])([1-4])$")


def period_end(period: str) -> dt.date | None:
    """The last day of a period, or None when the text is not a period this function knows."""
    text = str(period).strip()
    found = _YEAR.match(text)
    if found:
        return dt.date(int(found.group(1)), 12, 31)
    found = _MONTH.match(text)
    if found and 1 <= int(found.group(2)) <= 12:
        year, month = int(found.group(1)), int(found.group(2))
        first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
        return first_of_next - dt.timedelta(days=1)
    found = _PART.match(text)
    if found:
        year, kind, number = int(found.group(1)), found.group(2).upper(), int(found.group(3))
        if kind == "H" and number > 2:
            return None
        last_month = number * (3 if kind == "Q" else 6)
        return period_end(f"{year}-{last_month:02d}")
    return None


def is_past(period: str, today: dt.date) -> bool:
    """Whether the period ended before ``today`` (an unknown format is never past)."""
    end = period_end(period)
    return end is not None and end < today
