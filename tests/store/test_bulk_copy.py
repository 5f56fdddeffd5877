"""Bulk imports write through COPY on PostgreSQL (interviews, answers, audit entries) and executemany on
SQLite, with the same checks and the same all-or-nothing rule: a failure half-way leaves nothing behind."""

from __future__ import annotations

import pytest

from surveykit.store import bulk

from .helpers import checksum, table_counts
from .test_import_export import _row, _write_csv

N = 300  # more than bulk.COPY_THRESHOLD interviews, answer rows and audit entries


@pytest.fixture
def copies(monkeypatch) -> list[tuple[str, int]]:
    """The COPY statements run: (table, rows), recorded as they pass to the driver."""
    seen: list[tuple[str, int]] = []
    real = bulk._copy

    def spy(conn, table, names, rows):
        rows = list(rows)
        seen.append((table.name, len(rows)))
        real(conn, table, names, rows)

    monkeypatch.setattr(bulk, "_copy", spy)
    return seen


def test_a_bulk_import_goes_through_copy_on_postgres_and_executemany_on_sqlite(world, tmp_path, copies):
    rows = [_row(age=str(41 + i % 60)) for i in range(N)]
    path = _write_csv(tmp_path / "many.csv", rows)
    before = table_counts(world.store)
    result = world.store.import_responses(path, "example_all_types")
    assert result.imported == N
    after = table_counts(world.store)
    assert after["interviews"] - before["interviews"] == N
    assert after["audit_log"] - before["audit_log"] == N + 1  # one entry per interview and one for the file
    if world.store.db.is_sqlite:
        assert copies == []
    else:
        tables = {table for table, _ in copies}
        assert tables == {"interviews", "answers", "audit_log"}
        assert dict(copies)["interviews"] == N
        assert dict(copies)["answers"] == after["answers"] - before["answers"]
    frame = world.store.interviews_frame("example_all_types")
    stored = frame.set_index("interview_id")
    for row in rows[:20]:
        assert int(stored.loc[row["interview_id"], "age"]) == int(row["age"])
        assert set(str(stored.loc[row["interview_id"], "services"]).split()) == {"meals", "cleaning"}
    entries = world.store.audit_frame(action="import")
    assert set(rows[i]["interview_id"] for i in range(N)) <= set(entries["entity_id"])
    again = world.store.import_responses(path, "example_all_types")  # the same file: duplicates only
    assert (again.imported, again.duplicates) == (0, N)


def test_a_failure_in_the_middle_of_the_bulk_write_leaves_nothing(world, tmp_path, monkeypatch):
    """The interviews and answers are written, then the audit entries fail: the whole import is undone."""
    from surveykit.store import audit

    def broken(conn, entries, **_):
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(audit, "record_many", broken)
    path = _write_csv(tmp_path / "many.csv", [_row() for _ in range(N)])
    before = checksum(world.store)
    with pytest.raises(RuntimeError, match="disk filled up"):
        world.store.import_responses(path, "example_all_types")
    assert checksum(world.store) == before


def test_a_file_with_one_bad_row_writes_nothing_on_either_backend(world, tmp_path, copies):
    from surveykit.errors import DataImportError

    rows = [_row() for _ in range(N)]
    rows[N // 2]["age"] = "two hundred"
    before = checksum(world.store)
    with pytest.raises(DataImportError):
        world.store.import_responses(_write_csv(tmp_path / "bad.csv", rows), "example_all_types")
    assert checksum(world.store) == before
    assert copies == []


def test_a_bulk_import_writes_the_answer_rows_in_the_order_of_the_primary_key(world, tmp_path, monkeypatch):
    """The answers table is clustered (SQLite, WITHOUT ROWID) and indexed (PostgreSQL) by interview id first:
    rows of random ids written in file order would land all over the B-tree (issue 17: the import's write was
    ~1.5x a bare executemany of the same rows read back in key order). The rows reach the driver interview by
    interview, in ascending id, each interview's rows together; none is lost or repeated."""
    import uuid

    from sqlalchemy import event

    rows = [_row(age=str(41 + i % 60)) for i in range(N)]
    in_file = [r["interview_id"] for r in rows]
    assert in_file != sorted(in_file)  # random ids: the file's order is not the key's
    written: list[str] = []  # the interview id of each answer row, as it reaches the driver
    engine = world.store.db.engine

    def seen(conn, cursor, statement, parameters, context, executemany):  # SQLite: executemany
        if executemany and statement.lstrip().upper().startswith("INSERT INTO ANSWERS"):
            names = statement.split("(", 1)[1].split(")", 1)[0].replace(" ", "").split(",")
            written.extend(str(p[names.index("interview_id")]) for p in parameters)

    real = bulk._copy

    def copy(conn, table, names, copied):  # PostgreSQL: COPY
        copied = list(copied)
        if table.name == "answers":
            written.extend(str(r[list(names).index("interview_id")]) for r in copied)
        real(conn, table, names, copied)

    monkeypatch.setattr(bulk, "_copy", copy)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        result = world.store.import_responses(_write_csv(tmp_path / "many.csv", rows), "example_all_types")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert result.imported == N
    ids = [str(uuid.UUID(x)) for x in written]
    assert len(ids) == table_counts(world.store)["answers"]
    assert set(ids) == {r["interview_id"] for r in rows}
    assert ids == sorted(ids)  # ascending, so each interview's rows together
