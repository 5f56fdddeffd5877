"""The append-only audit log: who changed what, when. Every writing function of the store appends here in
the same transaction as the change itself, so a change without its audit entry cannot exist.

The database refuses UPDATE and DELETE on ``audit_log`` (triggers of the initial migration); the store maps
that refusal to SK509.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from surveykit.store.schema import audit_log, utcnow

__all__ = ["record", "record_many"]

_INSERT = insert(audit_log)


def record(
    conn: Connection,
    *,
    actor: str | None,
    action: str,
    entity: str,
    entity_id: str | int,
    details: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one entry."""
    conn.execute(
        _INSERT,
        {
            "at": at or utcnow(),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "details": dict(details) if details else None,
        },
    )


def record_many(conn: Connection, entries: Sequence[Mapping[str, Any]], *, chunk: int = 20000) -> None:
    """Append many entries (dicts with the keys of :func:`record`): COPY on PostgreSQL for many (an import of
    100,000 interviews writes as many entries), executemany otherwise."""
    from surveykit.store.bulk import COPY_THRESHOLD, copy_records  # numpy: bulk writers only

    now = utcnow()
    rows = [
        {
            "at": e.get("at") or now,
            "actor": e.get("actor"),
            "action": e["action"],
            "entity": e["entity"],
            "entity_id": str(e["entity_id"]),
            "details": dict(e["details"]) if e.get("details") else None,
        }
        for e in entries
    ]
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_THRESHOLD:
        for row in rows:  # COPY takes the JSON column as its text
            row["details"] = (
                None if row["details"] is None else json.dumps(row["details"], ensure_ascii=False)
            )
        copy_records(conn, audit_log, rows)
        return
    for start in range(0, len(rows), chunk):
        conn.execute(_INSERT, rows[start : start + chunk])
