"""Response store: bulk import speed and submit latency under 32 concurrent writers, SQLite and PostgreSQL.

* Import: 100,000 interviews of a 30-question form (quick: 5,000) from CSV, timed from the file to the commit
  (reading, validating with ``validate_frame``, hashing, writing interviews, answers and audit entries), in
  interviews/s, against the fastest bare write of the very same answer rows into the same table (the
  baseline, also as interviews/s): a raw driver ``executemany`` on SQLite, a raw ``COPY`` on PostgreSQL.
  Target (issue 17): at least 0.5x the baseline.
* Submit latency: 32 processes, each opening its own store, start and submit interviews at the same time;
  p50 and p95 of ``submit`` against the latency of a bare single-row INSERT transaction under the same
  concurrency (same engine, same lock and retry rules). Target (issue 17): p50 and p95 at most 2x.
  Each process, submit writers and INSERT writers alike, first makes one untimed write before the common
  start (its connection, compiled statements and caches then warm, as in a running app); the latency of those
  first writes is reported apart (``cold_*`` in the extras). The measured submit is the whole of
  ``Store.submit``: the first look, validation, the certification gate, the transaction with the answers,
  the status change and the audit entry. The submit writers also start their interviews in the loop (more
  writing around each submission than around each baseline INSERT); ``submit_alone_p50/p95`` in the extras
  are the same submissions with the interviews started before the common start, for comparison.

PostgreSQL runs in a throwaway cluster (:class:`surveykit.store.testing.TemporaryPostgres`, durable settings:
fsync and synchronous commit on); without the binaries its figures are left out.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.harness import Measurement, timed
from surveykit.questionnaire.io import questionnaire_from_data
from surveykit.store import Store
from surveykit.store.codec import ROW_COLUMNS
from surveykit.store.testing import (
    PostgresUnavailable,
    TemporaryPostgres,
    add_signed_certificate,
    run_writers,
)

N_IMPORT, N_IMPORT_QUICK = 100_000, 5_000
WRITERS = 32
PER_WRITER, PER_WRITER_QUICK = 60, 10


def form_30() -> dict[str, Any]:
    """A 30-question form: 12 single choice, 4 multiple choice, 8 integer, 3 decimal, 2 dates, 1 text."""
    items: list[dict[str, Any]] = []
    items += [
        {"code": f"s{i}", "type": "select_one", "choices": "agree5", "required": i < 6} for i in range(12)
    ]
    items += [{"code": f"m{i}", "type": "select_multiple", "choices": "services"} for i in range(4)]
    items += [{"code": f"n{i}", "type": "integer", "min": 0, "max": 120} for i in range(8)]
    items += [{"code": f"d{i}", "type": "decimal", "min": 0, "max": 10} for i in range(3)]
    items += [{"code": f"t{i}", "type": "date"} for i in range(2)]
    items += [{"code": "note_text", "type": "text"}]
    return {
        "schema_version": 1,
        "id": "bench30",
        "version": "1",
        "title": {"en": "Benchmark form"},
        "languages": ["en"],
        "default_language": "en",
        "choice_lists": {
            "agree5": [{"name": str(k), "value": k} for k in range(1, 6)],
            "services": [{"name": n} for n in ("meals", "cleaning", "medical", "company", "transport")],
        },
        "items": [{"code": "g", "type": "group", "items": items}],
    }


def make_csv(path: Path, n: int, seed: int = 7) -> Path:
    rng = np.random.default_rng(seed)
    started = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    data: dict[str, Any] = {
        "interview_id": [str(uuid.uuid4()) for _ in range(n)],
        "institution_id": "inst",
        "interviewer_id": "int00",
        "mode": "face_to_face",
        "started_at": started,
    }
    for i in range(12):
        data[f"s{i}"] = rng.integers(1, 6, n).astype(str)
    names = np.array(["meals", "cleaning", "medical", "company", "transport"])
    for i in range(4):
        picks = rng.random((n, 5)) < 0.4
        data[f"m{i}"] = [" ".join(names[row]) for row in picks]
    for i in range(8):
        data[f"n{i}"] = rng.integers(0, 121, n)
    for i in range(3):
        data[f"d{i}"] = np.round(rng.random(n) * 10, 2)
    for i in range(2):
        data[f"t{i}"] = (np.datetime64("2026-01-01") + rng.integers(0, 300, n)).astype(str)
    data["note_text"] = np.where(rng.random(n) < 0.3, "Спасибо, всё хорошо", "")
    pd.DataFrame(data).to_csv(path, index=False)
    return path


def _prepare(url: str, interviewers: int = WRITERS) -> None:
    Store.upgrade(url)
    with Store.open(url) as store:
        store.publish(questionnaire_from_data(form_30()).unwrap())
        store.add_institution("inst", "Benchmark institution")
        now = dt.datetime.now(dt.UTC)
        for p in range(interviewers):
            store.add_person(f"int{p:02d}", f"Interviewer {p}")
            add_signed_certificate(  # the gate counts only signed certificates (configured key)
                store,
                f"int{p:02d}",
                ["interviewer"],
                issued_at=now - dt.timedelta(days=30),
                valid_until=now + dt.timedelta(days=30),
            )


def _raw_rows(store: Store) -> tuple[list[tuple], list[tuple]]:
    """The interviews and answers rows exactly as stored, as driver values."""
    with store.db.read() as conn:
        interviews = conn.exec_driver_sql("SELECT * FROM interviews").all()
        answers = conn.exec_driver_sql(f"SELECT {', '.join(ROW_COLUMNS)} FROM answers").all()
    return [tuple(r) for r in interviews], [tuple(r) for r in answers]


def _raw_executemany(url: str, interview_rows: list[tuple], answer_rows: list[tuple]) -> float:
    """Seconds for a bare driver executemany of the answer rows (the interviews are inserted first, untimed)."""
    with Store.open(url) as store:
        raw = store.db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            mark = "?" if store.db.is_sqlite else "%s"
            columns = len(interview_rows[0])
            if not store.db.is_sqlite:
                answer_rows = [(*r[:6], None if r[6] is None else _json(r[6])) for r in answer_rows]
            cursor.executemany(
                f"INSERT INTO interviews VALUES ({', '.join([mark] * columns)})", interview_rows
            )
            raw.commit()
            sql = f"INSERT INTO answers ({', '.join(ROW_COLUMNS)}) VALUES ({', '.join([mark] * len(ROW_COLUMNS))})"

            def insert() -> None:
                if (
                    store.db.is_sqlite
                ):  # the driver runs in autocommit mode here: one transaction, as the import
                    cursor.execute("BEGIN IMMEDIATE")
                cursor.executemany(sql, answer_rows)
                raw.commit()

            seconds, _ = timed(insert)
        finally:
            raw.close()
    return seconds


def _raw_copy(url: str, interview_rows: list[tuple], answer_rows: list[tuple]) -> float:
    """Seconds for a bare psycopg COPY of the answer rows (the interviews are inserted first, untimed)."""
    with Store.open(url) as store:
        raw = store.db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            columns = len(interview_rows[0])
            cursor.executemany(
                f"INSERT INTO interviews VALUES ({', '.join(['%s'] * columns)})", interview_rows
            )
            raw.commit()
            rows = [(*r[:6], None if r[6] is None else _json(r[6])) for r in answer_rows]

            def copy() -> None:
                with cursor.copy(f"COPY answers ({', '.join(ROW_COLUMNS)}) FROM STDIN") as stream:
                    for row in rows:
                        stream.write_row(row)
                raw.commit()

            seconds, _ = timed(copy)
        finally:
            raw.close()
    return seconds


def _json(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value)


def bench_import(backend: str, url_for, csv_path: Path, n: int) -> Measurement:
    target, baseline_db = url_for("import"), url_for("baseline")
    _prepare(target, 1)
    _prepare(baseline_db, 1)
    with Store.open(target) as store:
        seconds, result = timed(lambda: store.import_responses(csv_path, "bench30"))
        assert result.imported == n, result
        interview_rows, answer_rows = _raw_rows(store)
    if backend == "PostgreSQL":
        raw_seconds = _raw_copy(baseline_db, interview_rows, answer_rows)
        baseline_name = "bare COPY of the same answer rows into the same table"
    else:
        raw_seconds = _raw_executemany(baseline_db, interview_rows, answer_rows)
        baseline_name = "raw driver executemany of the same answer rows into the same table"
    ratio = (n / seconds) / (n / raw_seconds)
    return Measurement(
        name=f"import {n:,} interviews x 30 questions from CSV ({backend})",
        figure=n / seconds,
        baseline_name=baseline_name,
        baseline=n / raw_seconds,
        unit="interviews/s",
        target=">= 0.5x the baseline",
        met=ratio >= 0.5,
        extra={"seconds": seconds, "baseline_seconds": raw_seconds, "answer_rows": len(answer_rows)},
    )


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def bench_latency(backend: str, url: str, per_writer: int) -> list[Measurement]:
    _prepare(url)
    with Store.open(url) as store, store.db.transaction() as conn:
        key = "INTEGER PRIMARY KEY" if store.db.is_sqlite else "SERIAL PRIMARY KEY"
        conn.exec_driver_sql(
            f"CREATE TABLE bench_baseline (id {key}, process INTEGER, n INTEGER, payload TEXT)"
        )
    rng = np.random.default_rng(3)
    answers = []
    for k in range(20):
        row: dict[str, Any] = {f"s{i}": str(rng.integers(1, 6)) for i in range(12)}
        row.update(
            {f"m{i}": frozenset({"meals", "medical"} if (k + i) % 2 else {"cleaning"}) for i in range(4)}
        )
        row.update({f"n{i}": int(rng.integers(0, 121)) for i in range(8)})
        row.update({f"d{i}": float(np.round(rng.random() * 10, 2)) for i in range(3)})
        row.update({f"t{i}": dt.date(2026, 1, 1 + (k + i) % 28) for i in range(2)})
        row["note_text"] = f"note {k}"
        answers.append(row)
    plan = {
        "questionnaire": "bench30",
        "institution": "inst",
        "interviewers": [f"int{p:02d}" for p in range(WRITERS)],
        "answers": answers,
        "latency": "submit",
        "warmup": 1,
    }
    results, elapsed = run_writers(url, processes=WRITERS, per_process=per_writer, plan=plan)
    base, base_elapsed = run_writers(url, processes=WRITERS, per_process=per_writer,
                                     plan={"table": "bench_baseline", "warmup": 1}, kind="insert")  # fmt: skip
    # the same, with the interviews started before the common start: submissions alone run together, as
    # INSERTs alone do in the baseline (reported in the extras; the target is judged on the figures above)
    alone, _ = run_writers(url, processes=WRITERS, per_process=per_writer, plan={**plan, "prestart": True})
    errors = [e for r in (*results, *base, *alone) for e in r.errors]
    if errors:
        raise RuntimeError(f"{len(errors)} writer error(s), first: {errors[0]}")
    submit = [x for r in results for x in r.latencies]
    insert = [x for r in base for x in r.latencies]
    extra = {
        "writers": WRITERS,
        "interviews": len(submit),
        "submit_run_seconds": elapsed,
        "baseline_run_seconds": base_elapsed,
        "interviews_per_second": len(submit) / elapsed,
        "cpu_ms_per_interview": 1000 * sum(r.cpu_seconds for r in results) / max(1, len(submit)),
        "cpu_ms_per_insert": 1000 * sum(r.cpu_seconds for r in base) / max(1, len(insert)),
        # the client's CPU in the timed part alone: what the ratio tends to when the machine is CPU-bound
        "cpu_ms_per_submit": 1000 * sum(r.timed_cpu_seconds for r in results) / max(1, len(submit)),
        "cold_submit_p50": _percentile([x for r in results for x in r.cold], 50),
        "submit_alone_p50": _percentile([x for r in alone for x in r.latencies], 50),
        "submit_alone_p95": _percentile([x for r in alone for x in r.latencies], 95),
        "cold_insert_p50": _percentile([x for r in base for x in r.cold], 50),
    }
    measurements = []
    for q in (50, 95):
        figure, baseline = _percentile(submit, q), _percentile(insert, q)
        measurements.append(
            Measurement(
                name=f"submit latency p{q} under {WRITERS} writer processes ({backend})",
                figure=figure,
                baseline_name=f"bare single-row INSERT transaction p{q}, same concurrency",
                baseline=baseline,
                unit="s",
                target="<= 2x the baseline",
                met=figure <= 2 * baseline,
                extra=extra,
            )
        )
    return measurements


def run(quick: bool) -> list[Measurement]:
    n = N_IMPORT_QUICK if quick else N_IMPORT
    per_writer = PER_WRITER_QUICK if quick else PER_WRITER
    measurements: list[Measurement] = []
    folder = Path(tempfile.mkdtemp(prefix="surveykit-bench-store-"))
    try:
        csv_path = make_csv(folder / "interviews.csv", n)

        def sqlite_url(name: str) -> str:
            return f"sqlite:///{folder / name / 'surveykit.sqlite'}"

        measurements.append(bench_import("SQLite", sqlite_url, csv_path, n))
        measurements += bench_latency("SQLite", sqlite_url("latency"), per_writer)
        try:
            cluster = TemporaryPostgres(fast=False).start()
        except PostgresUnavailable as err:
            print(f"  PostgreSQL figures skipped: {err}")
            return measurements
        try:
            measurements.append(bench_import("PostgreSQL", cluster.create_database, csv_path, n))
            measurements += bench_latency("PostgreSQL", cluster.create_database("latency"), per_writer)
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return measurements


if __name__ == "__main__":  # pragma: no cover
    start = time.perf_counter()
    for m in run(quick=True):
        print(m.line())
    print(f"{time.perf_counter() - start:.1f} s")
