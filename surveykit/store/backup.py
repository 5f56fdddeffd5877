"""Backup and restore: the whole database as one portable archive, restored row for row on either backend.

The archive is a zip file::

    manifest.json          format, schema revision, surveykit version, when, from which backend, and per
                           table: its file, row count, SHA-256 of the file, column names and types
    tables/<table>.jsonl   one JSON object per row, in primary-key order, with typed values

Values are written by the column's type in ``surveykit.store.schema``: datetimes as ISO 8601 in UTC with
microseconds, dates as ``YYYY-MM-DD``, UUIDs as text, binary content (files answering questions) as
base64, JSON columns as the JSON value itself, floats as the
shortest decimal that reads back to the same double (Python's ``repr``), integers, texts and booleans as
themselves. So a backup of SQLite restores into PostgreSQL and back unchanged.

The backup reads one consistent snapshot (a read transaction; REPEATABLE READ on PostgreSQL). A restore goes
into an **empty** database at the backup's schema revision (a database that does not exist yet is created
and upgraded first), in **one transaction**: a damaged archive (checksum, row count, a missing table, a
truncated file) raises SK524/SK525 and leaves the target as it was. PostgreSQL sequences are moved past the
restored ids. The audit log is append-only (no UPDATE or DELETE), and restoring only inserts.

Checksums catch damage, not tampering, so the manifest is signed with the installation's backup key and a
restore refuses an archive this installation did not sign (SK541; ``trust_foreign`` restores it anyway and
audits ``restore_foreign_archive``): see :mod:`surveykit.store.backup_signing`. Every restored value is
checked against its column's type, length and nullability before the transaction commits (SK542 names the
table, row and column; nothing is restored).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from surveykit.errors import ErrorCode, Location, StoreError, Translated
from surveykit.store import audit
from surveykit.store.actors import SYSTEM_ACTOR
from surveykit.store.backup_signing import check_manifest, refusal, sign_manifest
from surveykit.store.engine import Database, safe_url
from surveykit.store.migrate import current, head, upgrade
from surveykit.store.schema import UTCDateTime, metadata

__all__ = ["BACKUP_FORMAT", "BackupSummary", "backup", "read_manifest", "restore"]

BACKUP_FORMAT = "surveykit-backup"
#: version of the archive layout (manifest and JSONL encoding); raise it when either changes
BACKUP_SCHEMA_VERSION = 1
_CHUNK = 5000


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds or a restore wrote: the archive, the schema revision and rows per table."""

    path: Path
    revision: str
    rows: dict[str, int] = field(default_factory=dict)
    created_at: str = ""
    surveykit_version: str = ""

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# --- typed values ------------------------------------------------------------------------------------------
def _kind(column: sa.Column) -> str:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return "datetime"
    if isinstance(kind, sa.JSON):
        return "json"
    if isinstance(kind, sa.Uuid):
        return "uuid"
    if isinstance(kind, sa.Date):
        return "date"
    if isinstance(kind, sa.Boolean):
        return "boolean"
    if isinstance(kind, sa.Float):
        return "float"
    if isinstance(kind, sa.Integer):
        return "integer"
    if isinstance(kind, sa.DateTime):  # a naive datetime column (none today): kept naive
        return "naive_datetime"
    if isinstance(kind, sa.LargeBinary):  # files answering image/audio/video/file questions
        return "binary"
    return "text"


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if kind in ("date", "naive_datetime"):
        return value.isoformat()
    if kind == "uuid":
        return str(value)
    if kind == "float":
        return float(value)
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "naive_datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "float":
        return float(value)
    if kind == "binary":
        return base64.b64decode(value, validate=True)
    return value


def _tables() -> list[sa.Table]:
    """The tables in the order they can be inserted (referenced tables first)."""
    return list(metadata.sorted_tables)


# --- backup --------------------------------------------------------------------------------------------------
def backup(db: Database, path: str | Path, *, surveykit_version: str | None = None) -> BackupSummary:
    """Write every table of ``db`` to the archive ``path`` from one consistent snapshot."""
    from surveykit import __version__

    path = Path(path)
    revision = current(db).current
    if revision is None:
        raise StoreError(
            ErrorCode.DB_NOT_UPGRADED,
            Location(file=safe_url(db.url)),
            found="none (not created yet)",
            expected=head(),
        )
    created_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    manifest: dict[str, Any] = {
        "format": BACKUP_FORMAT,
        "schema_version": BACKUP_SCHEMA_VERSION,
        "revision": revision,
        "surveykit_version": surveykit_version or __version__,
        "created_at": created_at,
        "source_dialect": db.dialect,
        "tables": {},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with _snapshot(db) as conn, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for table in _tables():
                manifest["tables"][table.name] = _write_table(conn, archive, table)
            manifest["signature"] = sign_manifest(manifest)  # the installation's backup key
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        partial.replace(path)  # never a half-written archive under the final name
    finally:
        partial.unlink(missing_ok=True)
    rows = {name: entry["rows"] for name, entry in manifest["tables"].items()}
    return BackupSummary(path, revision, rows, created_at, manifest["surveykit_version"])


@contextlib.contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """A read transaction that sees one snapshot of the whole database (REPEATABLE READ on PostgreSQL)."""
    if db.is_sqlite:
        with db.read() as conn:  # a read transaction in WAL mode is a snapshot
            yield conn
        return
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _write_table(conn: Connection, archive: zipfile.ZipFile, table: sa.Table) -> dict[str, Any]:
    kinds = {c.name: _kind(c) for c in table.columns}
    digest = hashlib.sha256()
    count = 0
    order = list(table.primary_key.columns) or list(table.columns)
    name = f"tables/{table.name}.jsonl"
    query = sa.select(table).order_by(*order)
    with archive.open(name, "w") as out:
        result = conn.execution_options(stream_results=True, yield_per=_CHUNK).execute(query)
        for row in result:
            data = row._mapping
            line = (
                json.dumps(
                    {column: _encode(kind, data[column]) for column, kind in kinds.items()},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                + "\n"
            ).encode()
            digest.update(line)
            out.write(line)
            count += 1
    return {"file": name, "rows": count, "sha256": digest.hexdigest(), "columns": kinds}


# --- reading an archive ----------------------------------------------------------------------------------------
def _unreadable(path: Path, detail: str) -> StoreError:
    return StoreError(ErrorCode.BACKUP_UNREADABLE, Location(file=str(path)), detail=detail)


def _damaged(path: Path, detail: str, table: str | None = None) -> StoreError:
    where = Location(file=str(path), path=f"tables/{table}.jsonl" if table else None)
    return StoreError(ErrorCode.BACKUP_DAMAGED, where, detail=detail)


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest of a backup archive (SK524 if the file is not one), with every table of this schema."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(ErrorCode.FILE_NOT_FOUND, Location(file=str(path)), path=str(path), cwd=Path.cwd())
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, EOFError, OSError) as err:
        raise _unreadable(path, f"not a complete zip archive ({err}); the file may be truncated") from err
    except KeyError as err:
        raise _unreadable(path, "the archive has no manifest.json") from err
    except (ValueError, zlib.error) as err:
        raise _damaged(path, f"manifest.json cannot be read ({err})") from err
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise _unreadable(path, f"manifest.json does not say format '{BACKUP_FORMAT}'")
    if manifest.get("schema_version") != BACKUP_SCHEMA_VERSION:
        raise _unreadable(
            path,
            f"archive layout {manifest.get('schema_version')!r}; this surveykit reads {BACKUP_SCHEMA_VERSION}",
        )
    return manifest


def _check_tables(path: Path, manifest: dict[str, Any]) -> None:
    listed = manifest.get("tables")
    if not isinstance(listed, dict):
        raise _damaged(path, "manifest.json lists no tables")
    for table in _tables():
        entry = listed.get(table.name)
        if not isinstance(entry, dict) or not {"file", "rows", "sha256", "columns"} <= set(entry):
            raise _damaged(path, f"table {table.name} is missing from the manifest", table.name)
        expected = {c.name for c in table.columns}
        if set(entry["columns"]) != expected:
            raise _damaged(
                path,
                f"table {table.name} has columns {sorted(entry['columns'])}, the schema {sorted(expected)}",
                table.name,
            )


# --- restore ---------------------------------------------------------------------------------------------------
def restore(
    path: str | Path,
    db: Database,
    *,
    progress: Callable[[str, int], None] | None = None,
    trust_foreign: bool = False,
) -> BackupSummary:
    """Restore the archive into the empty database ``db`` (created and upgraded first if it has no schema
    yet), in one transaction. SK524/SK525 for a bad archive, SK541 for one this installation did not sign
    (unless ``trust_foreign``: then restored and audited as ``restore_foreign_archive``), SK542 for a value of
    the wrong type, SK526 for a non-empty target, SK527 for a schema revision that differs; in each case the
    target is left unchanged."""
    path = Path(path)
    manifest = read_manifest(path)
    _check_tables(path, manifest)
    authenticity = check_manifest(manifest)
    if not authenticity.authentic and not trust_foreign:
        raise refusal(path, authenticity)
    found = str(manifest.get("revision"))
    revision = current(db)
    if revision.current is None and found == revision.head:
        upgrade(db)  # a new database: create the schema this backup needs
        revision = current(db)
    if revision.current != found:
        raise StoreError(
            ErrorCode.RESTORE_REVISION_MISMATCH,
            Location(file=str(path)),
            found=found,
            expected=revision.current or "none (not created yet)",
            url=safe_url(db.url),
        )
    rows: dict[str, int] = {}
    try:
        with zipfile.ZipFile(path) as archive, db.transaction() as conn:
            _require_empty(conn, db)
            for table in _tables():
                entry = manifest["tables"][table.name]
                rows[table.name] = _restore_table(conn, archive, table, entry, path)
                if progress is not None:
                    progress(table.name, rows[table.name])
            if not db.is_sqlite:
                _reset_sequences(conn)
            if not authenticity.authentic:  # restored on the operator's word: say so in the audit log
                audit.record(
                    conn,
                    actor=SYSTEM_ACTOR,
                    action="restore_foreign_archive",
                    entity="database",
                    entity_id=path.name[:64],
                    details={
                        **authenticity.audit_details(),
                        "created_at": str(manifest.get("created_at", "")),
                        "rows": sum(rows.values()),
                    },
                )
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:
        raise _damaged(path, f"the archive cannot be read to the end ({err})") from err
    return BackupSummary(
        path, found, rows, str(manifest.get("created_at", "")), str(manifest.get("surveykit_version", ""))
    )


def _require_empty(conn: Connection, db: Database) -> None:
    for table in _tables():
        count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        if count:
            raise StoreError(
                ErrorCode.RESTORE_TARGET_NOT_EMPTY,
                Location(file=safe_url(db.url)),
                url=safe_url(db.url),
                table=table.name,
                rows=count,
            )


def _restore_table(
    conn: Connection, archive: zipfile.ZipFile, table: sa.Table, entry: dict[str, Any], path: Path
) -> int:
    kinds = {c.name: _kind(c) for c in table.columns}
    digest = hashlib.sha256()
    count = 0
    batch: list[dict[str, Any]] = []
    insert = table.insert()
    try:
        handle = archive.open(str(entry["file"]))
    except KeyError as err:
        raise _damaged(path, f"the file of table {table.name} is missing", table.name) from err
    columns = {c.name: c for c in table.columns}
    with handle:
        for number, line in enumerate(handle, start=1):
            digest.update(line)
            try:
                data = json.loads(line)
                values = {column: data[column] for column in kinds}
            except (ValueError, KeyError, TypeError) as err:
                raise _damaged(
                    path, f"line {number} of table {table.name} cannot be read ({err})", table.name
                ) from err
            batch.append(
                {c: _checked(path, table.name, number, columns[c], k, values[c]) for c, k in kinds.items()}
            )
            count += 1
            if len(batch) >= _CHUNK:
                conn.execute(insert, batch)
                batch = []
    if digest.hexdigest() != entry["sha256"] or count != entry["rows"]:
        raise _damaged(
            path,
            f"table {table.name}: {count} rows with checksum {digest.hexdigest()[:12]}…, the manifest says "
            f"{entry['rows']} rows with {str(entry['sha256'])[:12]}…",
            table.name,
        )
    if batch:
        conn.execute(insert, batch)
    return count


_EXPECTED = {
    "integer": Translated(en="a whole number", ru="целое число"),
    "float": Translated(en="a number", ru="число"),
    "boolean": Translated(en="true or false", ru="true или false"),
    "text": Translated(en="text", ru="текст"),
    "uuid": Translated(en="a UUID", ru="UUID"),
    "datetime": Translated(en="an ISO 8601 time with its time zone", ru="время ISO 8601 с часовым поясом"),
    "naive_datetime": Translated(en="an ISO 8601 time", ru="время ISO 8601"),
    "date": Translated(en="a date YYYY-MM-DD", ru="дата ГГГГ-ММ-ДД"),
    "json": Translated(en="JSON", ru="JSON"),
}


def _checked(path: Path, table: str, row: int, column: sa.Column, kind: str, value: Any) -> Any:
    """The value of ``column`` decoded, after checking it has the column's type (SK542 naming table, row
    and column otherwise): a restored database holds only what the schema allows."""
    expected: Translated | None = None
    if value is None:
        if not column.nullable:
            expected = Translated(
                en="allowed here: the column needs a value",
                ru="допустимое значение: в столбце должно быть значение",
            )
    elif kind == "integer":
        expected = None if isinstance(value, int) and not isinstance(value, bool) else _EXPECTED[kind]
    elif kind == "float":
        expected = None if isinstance(value, int | float) and not isinstance(value, bool) else _EXPECTED[kind]
    elif kind == "boolean":
        expected = None if isinstance(value, bool) else _EXPECTED[kind]
    elif kind in ("text", "uuid", "datetime", "naive_datetime", "date"):
        expected = None if isinstance(value, str) else _EXPECTED[kind]
        length = getattr(column.type, "length", None)
        if expected is None and kind == "text" and length is not None and len(value) > length:
            expected = Translated(
                en=f"text of at most {length} characters", ru=f"текст не длиннее {length} символов"
            )
    if expected is None and value is not None and kind != "text":
        try:
            decoded = _decode(kind, value)
            if kind == "uuid":
                uuid.UUID(value)
            if kind == "datetime" and decoded.tzinfo is None:
                raise ValueError("no time zone")
            return decoded
        except (ValueError, TypeError, AttributeError):
            expected = _EXPECTED[kind]
    if expected is not None:
        shown = json.dumps(value, ensure_ascii=False)
        raise StoreError(
            ErrorCode.RESTORE_VALUE_INVALID,
            Location(file=str(path), path=f"tables/{table}.jsonl", row=row, field=column.name),
            table=table,
            row=row,
            column=column.name,
            value=shown if len(shown) <= 60 else shown[:57] + "…",
            expected=expected,
        )
    return value


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: move each serial id's sequence past the largest restored id (explicit ids skip it)."""
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer) or pk[0].autoincrement is False:
            continue
        sequence = conn.execute(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": pk[0].name},
        ).scalar_one_or_none()
        if sequence is None:
            continue
        conn.execute(
            sa.text(
                f'SELECT setval(:sequence, COALESCE((SELECT MAX("{pk[0].name}") FROM "{table.name}"), 1), '
                f'(SELECT MAX("{pk[0].name}") FROM "{table.name}") IS NOT NULL)'
            ),
            {"sequence": sequence},
        )
