"""Backup and restore: backup -> restore -> every table identical, on SQLite, on PostgreSQL and from SQLite
to PostgreSQL; damaged archives, non-empty targets and other schema revisions are refused, target unchanged."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from surveykit.errors import ErrorCode, StoreError
from surveykit.store import Store
from surveykit.store.backup import read_manifest
from surveykit.store.backup_signing import sign_manifest
from surveykit.store.schema import attendance, metadata

from .conftest import CODES, fresh_url


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The small demo (every kind of table and value), plus sessions, a lock-out, a float that has no
    short decimal and texts in Cyrillic."""
    from surveykit.demo import build_demo

    path = tmp_path_factory.mktemp("backup-demo") / "surveykit.sqlite"
    url = f"sqlite:///{path}"
    build_demo(url, seed=11, size="small")
    with Store.open(url, enforce_certification=False) as store:
        store.add_person("ada", "Ада Админова", ["administrator"], login="ADA", access_code=CODES["ada"])
        store.start_session("ada", CODES["ada"], app="admin")
        ended = store.start_session("ada", CODES["ada"], app="supervisor")
        store.end_session(ended.token)
        for _ in range(2):
            with pytest.raises(StoreError):
                store.sign_in("anna", "WRNG-CODE")
        with store.db.transaction() as conn:
            conn.execute(
                sa.insert(attendance).values(
                    person_id="ada", module_id="m1", hours=0.1 + 0.2, date=dt.date(2026, 2, 28),
                    recorded_by="ada", recorded_at=dt.datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=dt.UTC),
                )
            )  # fmt: skip
            _fill_empty_tables(conn)
    return path


def _fill_empty_tables(conn) -> None:
    """Rows in the tables the small demo leaves empty, so that every table takes part in the round trip."""
    s = metadata.tables
    interview = conn.execute(sa.text("SELECT id FROM interviews ORDER BY id LIMIT 1")).scalar_one()
    at = dt.datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=dt.UTC)
    rows = {
        "paradata": [{"interview_id": interview, "seq": 1, "event": "page_enter", "question": "q1",
                      "old_value": None, "new_value": {"a": [1, 2.5, "ё"]}, "at": at, "elapsed_ms": 1200}],
        "review_notes": [{"interview_id": interview, "from_status": "submitted", "to_status": "approved",
                          "note": "проверено по телефону", "author_id": "ada", "at": at}],
        # a photo answering an image question: every byte value, so that base64 in the archive is checked
        "answer_files": [{"interview_id": interview, "name": "0" * 64 + ".jpg", "sha256": "0" * 64,
                          "size": 259, "media_type": "image/jpeg", "original_name": "вход.jpg",
                          "content": b"\xff\xd8\xff" + bytes(range(256)), "stored_at": at}],
        "exam_attempts": [{"id": "ex-1", "person_id": "ada", "attempt": 1, "state": {"answers": {"i1": "b"}},
                           "started_at": at, "deadline": None, "submitted_at": at, "score": 0.7, "passed": False}],
        "mock_interviews": [{"person_id": "ada", "trainer_id": None, "item_scores": [1, 0.5, None],
                             "total": 1.5, "passed": True, "at": at}],
        "calibration_results": [{"person_id": "ada", "case_id": "c1", "agreement": 1 / 3, "kappa": None,
                                 "passed": True, "at": at}],
        "qc_cases": [{"key": "speed:x", "rule": "speed", "level": "interview", "questionnaire_id": "q",
                      "interview_id": interview, "value": 2e-300, "threshold": float("inf"), "status": "open",
                      "created_at": at}],
        "backchecks": [{"interview_id": interview, "reason": "random", "case_id": None, "status": "done",
                        "outcome": "confirmed_ok", "form": {"ok": True}, "created_at": at, "done_at": at}],
        "exclusions": [{"interview_id": interview, "reason": "дубликат", "excluded_by": "ada", "excluded_at": at}],
    }  # fmt: skip
    for name, values in rows.items():
        if conn.execute(sa.select(sa.func.count()).select_from(s[name])).scalar_one() == 0:
            conn.execute(sa.insert(s[name]), values)


@pytest.fixture
def demo_url(demo_template, tmp_path) -> str:
    target = tmp_path / "source" / "surveykit.sqlite"
    target.parent.mkdir()
    shutil.copyfile(demo_template, target)
    return f"sqlite:///{target}"


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table as typed Python values, in primary-key order."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    tuple(row)
                    for row in conn.execute(
                        sa.select(table).order_by(*(table.primary_key.columns or table.columns))
                    )
                ]
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def counts(url: str) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot(url).items()}


def test_sqlite_backup_restores_to_an_identical_sqlite_database(demo_url, tmp_path):
    archive = tmp_path / "backup.zip"
    with Store.open(demo_url) as source:
        summary = source.backup(archive)
    before = snapshot(demo_url)
    assert summary.rows == {name: len(rows) for name, rows in before.items()}
    assert all(summary.rows.values())  # every table takes part
    manifest = read_manifest(archive)
    assert manifest["revision"] == Store.revision(demo_url).head and manifest["surveykit_version"]
    target = f"sqlite:///{tmp_path / 'restored' / 'surveykit.sqlite'}"  # does not exist yet: created
    (tmp_path / "restored").mkdir()
    restored = Store.restore(archive, target)
    assert restored.rows == summary.rows
    assert snapshot(target) == before
    # and the restored database writes the same archive again, table for table
    with Store.open(target) as store:
        again = store.backup(tmp_path / "again.zip")
    assert {t: e["sha256"] for t, e in read_manifest(tmp_path / "again.zip")["tables"].items()} == {
        t: e["sha256"] for t, e in manifest["tables"].items()
    }
    assert again.rows == summary.rows
    # typed values survive: a float without a short decimal, microseconds, Cyrillic, JSON
    with Store.open(target) as store:
        with store.db.read() as conn:
            hours, at = conn.execute(sa.select(attendance.c.hours, attendance.c.recorded_at).where(
                attendance.c.person_id == "ada")).one()  # fmt: skip
        assert hours == 0.1 + 0.2 and at == dt.datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=dt.UTC)
        assert store.person("ada").display_name == "Ада Админова"
        assert store.sign_in("ada", CODES["ada"]).id == "ada"  # the hashes came along


@pytest.mark.postgres
def test_sqlite_to_postgres_and_postgres_to_postgres_are_identical(demo_url, tmp_path, request):
    archive = tmp_path / "backup.zip"
    with Store.open(demo_url) as source:
        source.backup(archive)
    before = snapshot(demo_url)
    pg_one = fresh_url(request, "postgres", tmp_path)
    Store.restore(archive, pg_one)
    assert snapshot(pg_one) == before  # SQLite -> PostgreSQL
    with Store.open(pg_one) as store:
        store.backup(tmp_path / "from-postgres.zip")
    pg_two = fresh_url(request, "postgres", tmp_path)
    Store.restore(tmp_path / "from-postgres.zip", pg_two)
    assert snapshot(pg_two) == before  # PostgreSQL -> PostgreSQL
    sqlite_again = f"sqlite:///{tmp_path / 'back' / 'surveykit.sqlite'}"
    (tmp_path / "back").mkdir()
    Store.restore(tmp_path / "from-postgres.zip", sqlite_again)
    assert snapshot(sqlite_again) == before  # and back to SQLite
    # the sequences were moved past the restored ids: new rows get new ids
    with Store.open(pg_two, enforce_certification=False) as store:
        largest = max(row[0] for row in before["audit_log"])
        store.add_institution("new-inst", "Новое учреждение", by="ada")  # would collide without the reset
        with store.db.read() as conn:
            newest = conn.execute(sa.text("SELECT MAX(id) FROM audit_log")).scalar_one()
        assert newest == largest + 1


def _rewrite(source: Path, target: Path, change) -> None:
    """Copy a zip archive entry by entry; ``change(name, data)`` returns new bytes or None to drop it."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)


@pytest.fixture
def archive(demo_url, tmp_path) -> Path:
    path = tmp_path / "backup.zip"
    with Store.open(demo_url) as store:
        store.backup(path)
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path) -> str:
    return fresh_url(request, request.param, tmp_path, name="target")


def _assert_empty(url: str) -> None:
    assert set(counts(url).values()) == {0}


def test_a_changed_row_fails_the_checksum_and_nothing_is_restored(archive, empty_url, tmp_path):
    damaged = tmp_path / "damaged.zip"

    def change(name, data):  # one audit entry changed after the backup was written
        return data.replace(b'"sign_in"', b'"sign_on"', 1) if name == "tables/audit_log.jsonl" else data

    _rewrite(archive, damaged, change)
    with pytest.raises(StoreError) as info:
        Store.restore(damaged, empty_url)
    assert info.value.code is ErrorCode.BACKUP_DAMAGED and "checksum" in str(info.value)
    _assert_empty(empty_url)


def test_a_missing_table_is_refused_before_anything_is_written(archive, empty_url, tmp_path):
    missing = tmp_path / "missing.zip"
    _rewrite(archive, missing, lambda name, data: None if name == "tables/answers.jsonl" else data)
    with pytest.raises(StoreError) as info:
        Store.restore(missing, empty_url)
    assert info.value.code is ErrorCode.BACKUP_DAMAGED and "answers" in str(info.value)
    _assert_empty(empty_url)

    def drop_from_manifest(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        del manifest["tables"]["certificates"]
        return json.dumps(manifest).encode()

    _rewrite(archive, missing, drop_from_manifest)
    with pytest.raises(StoreError) as info:
        Store.restore(missing, empty_url)
    assert info.value.code is ErrorCode.BACKUP_DAMAGED and "certificates" in str(info.value)
    _assert_empty(empty_url)


def test_a_truncated_archive_is_refused(archive, empty_url, tmp_path):
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(StoreError) as info:
        Store.restore(truncated, empty_url)
    assert info.value.code is ErrorCode.BACKUP_UNREADABLE and "truncated" in str(info.value)
    assert "truncated.zip" in str(info.value.location)
    _assert_empty(empty_url)
    not_a_backup = tmp_path / "notes.zip"
    with zipfile.ZipFile(not_a_backup, "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(StoreError) as info:
        Store.restore(not_a_backup, empty_url)
    assert info.value.code is ErrorCode.BACKUP_UNREADABLE and "manifest.json" in str(info.value)


def test_a_non_empty_target_or_another_revision_is_refused(archive, demo_url, empty_url, tmp_path):
    with pytest.raises(StoreError) as info:
        Store.restore(archive, demo_url)
    assert info.value.code is ErrorCode.RESTORE_TARGET_NOT_EMPTY and "not empty" in str(info.value)
    older = tmp_path / "older.zip"

    def old_revision(name, data):  # a backup this installation made with an older surveykit (signed)
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["revision"] = "0001"
        manifest["signature"] = sign_manifest(manifest)
        return json.dumps(manifest).encode()

    _rewrite(archive, older, old_revision)
    with pytest.raises(StoreError) as info:
        Store.restore(older, empty_url)
    assert info.value.code is ErrorCode.RESTORE_REVISION_MISMATCH
    assert "revision 0001" in str(info.value) and "surveykit db upgrade" in info.value.hint
    _assert_empty(empty_url)
