"""Many interviewers at once: 32 processes, each with its own store, submit 200 interviews each at the same
moment. Every interview is stored exactly once and no caller ever sees an error ("database is locked")."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from surveykit.errors import ErrorCode, StoreError
from surveykit.store import Store
from surveykit.store.schema import answers, audit_log, interviews
from surveykit.store.testing import run_writers

from .helpers import certify, small_answers

PROCESSES = 32
PER_PROCESS = 200


@pytest.mark.slow
def test_32_processes_submitting_200_interviews_each(store_url, small, record_property):
    with Store.open(store_url) as store:
        store.publish(small)
        store.add_institution("csp1", "Centre 1")
        interviewers = [f"int{p:02d}" for p in range(PROCESSES)]
        for person in interviewers:
            store.add_person(person, f"Interviewer {person}")
            certify(store, person)
    plan = {
        "questionnaire": "small",
        "institution": "csp1",
        "interviewers": interviewers,
        "answers": [small_answers(k) for k in range(20)],
        "latency": "submit",
    }
    results, elapsed = run_writers(
        store_url, processes=PROCESSES, per_process=PER_PROCESS, plan=plan, timeout=300
    )
    errors = [error for r in results for error in r.errors]
    stored = [interview for r in results for interview in r.stored]
    latencies = sorted(x for r in results for x in r.latencies)
    record_property("elapsed_s", round(elapsed, 1))
    record_property("submit_p50_ms", round(1000 * latencies[len(latencies) // 2], 1) if latencies else None)
    print(f"\n{store_url.split(':')[0]}: {len(stored)} stored, {len(set(stored))} unique in {elapsed:.1f} s")
    assert errors == []
    assert len(stored) == len(set(stored)) == PROCESSES * PER_PROCESS
    assert sum(r.duplicates for r in results) == 0
    with Store.open(store_url) as store, store.db.read() as conn:
        in_db = conn.execute(sa.select(interviews.c.id, interviews.c.status)).all()
        answer_rows = conn.execute(sa.select(sa.func.count()).select_from(answers)).scalar_one()
        submits = conn.execute(
            sa.select(sa.func.count()).select_from(audit_log).where(audit_log.c.action == "submit")
        ).scalar_one()
    assert len(in_db) == PROCESSES * PER_PROCESS  # none lost, none twice
    assert {row.id for row in in_db} == set(stored)
    assert {row.status for row in in_db} == {"submitted"}
    assert submits == PROCESSES * PER_PROCESS
    assert answer_rows == PROCESSES * PER_PROCESS * 6  # every variable of the small form answered


def _hold_write_lock(path: str, seconds: float, ready: threading.Event) -> None:
    """Another program (not the store) writing to the SQLite file for a while."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    ready.set()
    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()


def test_a_busy_sqlite_database_is_waited_for_not_reported(sqlite_store, small):
    sqlite_store.publish(small)
    ready = threading.Event()
    holder = threading.Thread(
        target=_hold_write_lock, args=(str(sqlite_store.db.gate.path.with_suffix("")), 0.6, ready)
    )
    holder.start()
    ready.wait()
    start = time.monotonic()
    sqlite_store.add_person("late", "Waited for the lock")  # a write while another program holds the lock
    holder.join()
    assert time.monotonic() - start >= 0.4
    assert sqlite_store.person("late").display_name == "Waited for the lock"


def test_a_database_busy_beyond_the_timeout_is_sk511(sqlite_url, small):
    Store.upgrade(sqlite_url)
    with Store.open(sqlite_url, busy_timeout_ms=300) as store:
        ready = threading.Event()
        holder = threading.Thread(
            target=_hold_write_lock, args=(str(store.db.gate.path.with_suffix("")), 1.5, ready)
        )
        holder.start()
        ready.wait()
        try:
            with pytest.raises(StoreError) as info:
                store.add_person("late", "Too late")
        finally:
            holder.join()
        assert info.value.code is ErrorCode.DB_BUSY
        assert "database is locked" not in str(info.value)
