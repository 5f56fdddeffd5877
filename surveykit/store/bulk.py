"""Writing many rows fast: SQLAlchemy Core ``insert()`` executemany in chunks, COPY on PostgreSQL.

Used by every writer of answers (a draft of one interview, an import of 100,000) so there is one way rows
reach the ``answers`` table.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

from surveykit.store.codec import ROW_COLUMNS, AnswerRows
from surveykit.store.schema import UTCDateTime, answers

__all__ = ["PreparedAnswers", "copy_records", "insert_answers", "insert_rows", "prepare_answers"]

CHUNK = 20000
#: below this many rows a plain executemany beats setting up COPY (one COPY statement costs about as much as
#: a few rows of executemany; an interview has tens of answer rows)
COPY_THRESHOLD = 200
#: up to this many rows (one interview) values are converted in a plain loop
SMALL = 256


def insert_answers(conn: Connection, rows: AnswerRows) -> int:
    """Insert answer rows; returns the number inserted (COPY on PostgreSQL for many rows)."""
    if not len(rows):
        return 0
    columns = [rows.columns[name] for name in ROW_COLUMNS]
    if len(rows) > SMALL:  # many interviews: written in the table's key order (see _interview_order)
        order = _interview_order(rows)
        columns = [column[order] for column in columns]
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_THRESHOLD:
        columns[6] = _map_unique(columns[6], lambda text: json.dumps(text.split(), ensure_ascii=False))
        _copy(conn, answers, ROW_COLUMNS, zip(*(c.tolist() for c in columns), strict=True))
    else:
        insert_rows(conn, answers, ROW_COLUMNS, columns, converters={"choices": str.split})
    return len(rows)


def _interview_order(rows: AnswerRows) -> np.ndarray:
    """The order that writes the rows interview by interview in ascending interview id, each interview's rows
    as they come: the order of the primary key (``interview_id``, ``path``, ``variable``) that clusters the
    table on SQLite (``WITHOUT ROWID``) and indexes it on PostgreSQL. Random ids (UUID4) in file order would
    insert into the whole B-tree at random, a page read and a page written per interview once the table
    outgrows the cache; in key order the inserts append. One argsort of the ids, one of integers."""
    ids = rows.ids.astype(str) if len(rows.ids) else np.zeros(0, dtype=str)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    return np.argsort(rank[rows.owner], kind="stable")


#: PostgreSQL: one interview's answers in one statement of fixed text (one array parameter per column,
#: unnested into rows): one round trip, and the driver parses and prepares the statement once per connection
#: (a multi-row VALUES would be a new text for each number of rows, with 7 parameters per row to parse)
_UNNEST = (
    f"INSERT INTO answers ({', '.join(ROW_COLUMNS)}) SELECT * FROM unnest("
    "%s::uuid[], %s::text[], %s::text[], %s::float8[], %s::text[], %s::date[], %s::json[])"
)


@dataclass(frozen=True)
class PreparedAnswers:
    """One interview's answer rows as the driver takes them, made before the transaction begins (so the
    write lock or the transaction is held only for the statement itself): one ``INSERT ... SELECT * FROM
    unnest(arrays)`` on PostgreSQL (one round trip), the compiled INSERT and its rows on SQLite (an
    executemany in process)."""

    sql: str
    params: Any
    rows: int
    #: PostgreSQL: the column arrays (``params``), for a statement that inserts them with other work
    arrays: tuple[list[Any], ...] | None = None

    def execute(self, conn: Connection) -> int:
        if self.rows:
            conn.exec_driver_sql(self.sql, self.params)
        return self.rows


def prepare_answers(conn_or_dialect: Any, rows: AnswerRows) -> PreparedAnswers | None:
    """:func:`insert_answers` of a handful of rows (one interview), prepared ahead; None when the rows are too
    many for one statement (use :func:`insert_answers` then)."""
    dialect = getattr(conn_or_dialect, "dialect", conn_or_dialect)
    n = len(rows)
    if not n:
        return PreparedAnswers("", (), 0, tuple([] for _ in ROW_COLUMNS))
    values = [
        c.tolist() if isinstance(c, np.ndarray) else list(c) for c in (rows.columns[k] for k in ROW_COLUMNS)
    ]
    if dialect.name == "postgresql" and dialect.paramstyle in ("format", "pyformat"):
        values[6] = [None if v is None else json.dumps(v.split(), ensure_ascii=False) for v in values[6]]
        return PreparedAnswers(_UNNEST, tuple(values), n, tuple(values))
    if dialect.paramstyle != "qmark" or n > SMALL:
        return None
    compiled, processors = _compiled_insert(dialect, answers, ROW_COLUMNS)
    by_name = {}
    for name, column in zip(ROW_COLUMNS, values, strict=True):
        processor = processors[name]
        if name == "choices":
            column = [None if v is None else v.split() for v in column]
        by_name[name] = column if processor is None else [None if v is None else processor(v) for v in column]
    ordered = [by_name[key] for key in compiled.positiontup]
    return PreparedAnswers(compiled.string, list(zip(*ordered, strict=True)), n)


def _map_unique(values: np.ndarray, fn: Callable[[Any], Any]) -> np.ndarray:
    """``fn`` applied to every non-None value, computed once per distinct value (ids, dates and choice sets
    repeat a lot in bulk data)."""
    import pandas as pd

    values = np.asarray(values, dtype=object)
    present = np.flatnonzero(pd.notna(values))
    out = np.full(len(values), None, dtype=object)
    if present.size:
        codes, uniques = pd.factorize(values[present])
        mapped = np.array([fn(u) for u in uniques] + [None], dtype=object)[:-1]
        out[present] = mapped[codes]
    return out


def _convert_small(values: Sequence[Any], fn: Callable[[Any], Any]) -> np.ndarray:
    """``fn`` applied to every value but None, in a plain loop (a handful of values: one interview)."""
    out = np.empty(len(values), dtype=object)
    out[:] = [
        None if v is None else fn(v) for v in (values.tolist() if isinstance(values, np.ndarray) else values)
    ]
    return out


def insert_rows(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    columns: Sequence[Sequence[Any]],
    *,
    converters: Mapping[str, Callable[[Any], Any]] | None = None,
) -> None:
    """Core ``insert()`` executemany of column arrays, in chunks; ``converters`` turn a column's values into
    what its type expects (e.g. space-separated names into a list for a JSON column).

    For drivers with positional parameters (SQLite) the statement is compiled once and each column's bind
    processor (SQLAlchemy's own: UUIDs, dates, JSON, UTC times) runs once per distinct value instead of once
    per row, which is most of the cost of a large executemany."""
    converters = dict(converters or {})
    n = len(columns[0]) if columns else 0
    if not n:
        return
    dialect = conn.dialect
    if dialect.paramstyle != "qmark":
        arrays = [
            _convert_small(c, converters[name])
            if name in converters and n <= SMALL
            else _map_unique(np.asarray(c, dtype=object), converters[name])
            if name in converters
            else np.asarray(c, dtype=object)
            for name, c in zip(names, columns, strict=True)
        ]
        for start in range(0, n, CHUNK):
            chunk = [a[start : start + CHUNK].tolist() for a in arrays]
            conn.execute(
                insert(table), [dict(zip(names, values, strict=True)) for values in zip(*chunk, strict=True)]
            )
        return
    compiled, processors = _compiled_insert(dialect, table, tuple(names))
    by_name = {}
    small = n <= SMALL
    for name, column in zip(names, columns, strict=True):
        processor = processors[name]
        convert = converters.get(name)
        if processor is None and convert is None:
            by_name[name] = column.tolist() if small and isinstance(column, np.ndarray) else column
            continue

        def fn(value: Any, convert=convert, processor=processor) -> Any:
            value = convert(value) if convert is not None else value
            return processor(value) if processor is not None else value

        if small:  # one interview: a plain loop beats factorising a handful of values
            values = column.tolist() if isinstance(column, np.ndarray) else list(column)
            by_name[name] = [None if v is None else fn(v) for v in values]
        else:
            by_name[name] = _map_unique(np.asarray(column, dtype=object), fn).tolist()
    ordered = [by_name[key] for key in compiled.positiontup]
    for start in range(0, n, CHUNK):
        chunk = [a[start : start + CHUNK] for a in ordered]
        conn.exec_driver_sql(compiled.string, list(zip(*chunk, strict=True)))


@functools.lru_cache(maxsize=64)
def _compiled_insert(dialect: Any, table: Table, names: tuple[str, ...]) -> tuple[Any, dict[str, Any]]:
    """The INSERT of ``names`` compiled once per dialect, with each column's bind processor."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(names))
    processors = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names}
    return compiled, processors


def copy_records(conn: Connection, table: Table, records: Sequence[dict[str, Any]]) -> None:
    """Insert dicts (all with the same keys): COPY on PostgreSQL for many, :func:`insert_rows` otherwise.
    Aware datetimes of UTC columns are stored as naive UTC, as :class:`~surveykit.store.schema.UTCDateTime`
    does."""
    if not records:
        return
    names = list(records[0])
    columns = [np.array([r[name] for r in records] + [None], dtype=object)[:-1] for name in names]
    if conn.dialect.name != "postgresql" or len(records) < COPY_THRESHOLD:
        insert_rows(conn, table, names, columns)
        return
    utc_columns = {c.name for c in table.columns if isinstance(c.type, UTCDateTime)}
    for i, name in enumerate(names):
        if name in utc_columns:
            columns[i] = _map_unique(
                columns[i], lambda v: v.astimezone(dt.UTC).replace(tzinfo=None) if v.tzinfo else v
            )
    _copy(conn, table, names, zip(*(c.tolist() for c in columns), strict=True))


def _copy(conn: Connection, table: Table, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    raw = conn.connection.dbapi_connection
    quoted = ", ".join(f'"{n}"' for n in names)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
