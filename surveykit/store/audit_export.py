"""The audit log for people: filtering by who, what and when, and the export (CSV or JSON Lines) that the
command line (``surveykit audit show|export``) and the admin app share."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd

from surveykit.errors import ConfigError, ErrorCode, Location
from surveykit.spreadsheet import csv_rows_text

__all__ = ["AUDIT_COLUMNS", "AUDIT_FORMATS", "audit_text", "parse_moment", "period_bounds", "write_audit"]

AUDIT_FORMATS = ("csv", "jsonl")
AUDIT_COLUMNS = ("id", "at", "actor", "action", "entity", "entity_id", "details")


def parse_moment(text: str, *, field: str, end: bool = False) -> dt.datetime:
    """``2026-03-01`` (the start of that day, or with ``end`` the start of the next: periods include their
    last day) or an ISO 8601 time (without a zone: UTC), as an aware UTC datetime."""
    value = str(text).strip()
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            moment = dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time(), dt.UTC)
        else:
            moment = dt.datetime.fromisoformat(value)
            moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    except ValueError as err:
        raise ConfigError(
            ErrorCode.OPTION_CONFLICT,
            Location(field=field),
            detail=f"'{value}' is not a date or time",
            fix="Write a date as YYYY-MM-DD (e.g. 2026-03-01) or a time as 2026-03-01T14:30.",
        ) from err
    return moment


def period_bounds(since: str | None, until: str | None) -> dict[str, dt.datetime]:
    """``since``/``until`` filters of ``Store.audit_frame`` from the texts a person typed (both inclusive)."""
    bounds: dict[str, dt.datetime] = {}
    if since:
        bounds["since"] = parse_moment(since, field="since")
    if until:
        bounds["until"] = parse_moment(until, field="until", end=True)
    return bounds


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records = []
    for row in frame.to_dict("records"):
        at = row["at"]
        records.append(
            {
                "id": int(row["id"]),
                "at": at.isoformat() if hasattr(at, "isoformat") else str(at),
                "actor": row["actor"] if isinstance(row["actor"], str) else None,
                "action": row["action"],
                "entity": row["entity"],
                "entity_id": row["entity_id"],
                "details": row["details"] if isinstance(row["details"], dict | list) else None,
            }
        )
    return records


def audit_text(frame: pd.DataFrame, format: str = "csv") -> str:
    """The entries of ``Store.audit_frame`` as CSV (details as JSON text) or JSON Lines (one entry a line)."""
    records = _records(frame)
    if format == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    if format != "csv":
        raise ConfigError(
            ErrorCode.OPTION_CONFLICT,
            Location(field="format"),
            detail=f"unknown audit export format '{format}'",
            fix=f"Use one of: {', '.join(AUDIT_FORMATS)}.",
        )
    rows = []
    for record in records:
        details = record["details"]
        cells = {
            **record,
            "actor": record["actor"] or "",
            "details": "" if details is None else json.dumps(details, ensure_ascii=False, sort_keys=True),
        }
        rows.append([cells[c] for c in AUDIT_COLUMNS])
    # a login typed at a failed sign-in lands here: texts are guarded against formula injection
    return csv_rows_text(AUDIT_COLUMNS, rows)


def write_audit(frame: pd.DataFrame, path: str | Path, format: str | None = None) -> int:
    """Write the entries to ``path`` (the format from ``format`` or the extension); returns how many."""
    path = Path(path)
    chosen = format or ("jsonl" if path.suffix.lower() in (".jsonl", ".json") else "csv")
    text = audit_text(frame, chosen)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")  # UTF-8; CSV opens in LibreOffice and Excel (choose UTF-8)
    return len(frame)
