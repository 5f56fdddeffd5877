"""A throwaway PostgreSQL cluster for tests and benchmarks: ``initdb`` + ``pg_ctl`` in a temporary folder.

::

    with TemporaryPostgres() as pg:          # finds Debian's /usr/lib/postgresql/<n>/bin
        url = pg.create_database("surveykit_test")
        ...

The cluster listens on 127.0.0.1 on a free port, with its unix socket inside the temporary folder, trusts
local connections (user ``postgres``) and is stopped and deleted on exit. Run as root, the server runs as
the ``postgres`` system user (PostgreSQL refuses to run as root) and the folder is handed to that user.
``fast=True`` turns off fsync and synchronous commit: fine for tests, never for data.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "PostgresUnavailable",
    "TemporaryPostgres",
    "WriterResult",
    "add_signed_certificate",
    "find_postgres_bin",
    "run_writers",
]

_SEARCH = ("/usr/lib/postgresql", "/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin", "/usr/bin")


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries were not found or the cluster could not start."""


def find_postgres_bin(hint: str | os.PathLike[str] | None = None) -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (newest Debian version first)."""
    candidates: list[Path] = []
    for value in (hint, os.environ.get("SURVEYKIT_PG_BIN")):
        if value:
            candidates.append(Path(value))
    debian = Path(_SEARCH[0])
    if debian.is_dir():
        versions = sorted(
            (p for p in debian.iterdir() if p.name.split(".")[0].isdigit()),
            key=lambda p: int(p.name.split(".")[0]),
            reverse=True,
        )
        candidates.extend(v / "bin" for v in versions)
    which = shutil.which("initdb")
    if which:
        candidates.append(Path(which).parent)
    candidates.extend(Path(p) for p in _SEARCH[1:])
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TemporaryPostgres:
    """A PostgreSQL cluster that lives as long as this object (or the ``with`` block)."""

    def __init__(
        self,
        bin_dir: str | os.PathLike[str] | None = None,
        *,
        fast: bool = True,
        max_connections: int = 300,
        base_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        found = find_postgres_bin(bin_dir)
        if found is None:
            raise PostgresUnavailable(
                "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; install Debian's 'postgresql' "
                "package or set SURVEYKIT_PG_BIN to their folder"
            )
        self.bin_dir = found
        self.fast = fast
        self.max_connections = max_connections
        self.base_dir = base_dir
        self.root: Path | None = None
        self.port: int | None = None
        self._as_postgres = hasattr(os, "geteuid") and os.geteuid() == 0
        self._started = False

    # --- running commands ---------------------------------------------------------------------------------------
    def _command(self, *args: str) -> list[str]:
        if not self._as_postgres:
            return list(args)
        runuser = shutil.which("runuser")
        if runuser:
            return [runuser, "-u", "postgres", "--", *args]
        return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(_quote(a) for a in args)]

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            self._command(*args),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=str(self.root),
            check=False,
        )
        if result.returncode != 0:
            log = ""
            if self.root is not None and (self.root / "server.log").exists():
                log = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise PostgresUnavailable(
                f"{Path(args[0]).name} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
                + (f"\nserver log:\n{log}" if log else "")
            )
        return result

    # --- life cycle ------------------------------------------------------------------------------------------------
    def start(self) -> TemporaryPostgres:
        if self._started:
            return self
        self.root = Path(tempfile.mkdtemp(prefix="surveykit-pg-", dir=self.base_dir))
        if self._as_postgres:
            import pwd

            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            os.chmod(self.root, 0o700)
        data = self.root / "data"
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        options = [
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.root}",
            f"-c max_connections={self.max_connections}",
            "-c shared_buffers=128MB",
        ]
        if self.fast:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        for _attempt in range(3):  # a port taken between choosing and binding: choose another
            self.port = _free_port()
            try:
                self._run(
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(self.root / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    " ".join([f"-p {self.port}", *options]),
                    "start",
                )
                break
            except PostgresUnavailable:
                if _attempt == 2:
                    self._remove()
                    raise
        self._started = True
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        """Stop the server and delete the cluster (safe to call twice)."""
        if self._started and self.root is not None:
            with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
                self._run(
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.root / "data"),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                    timeout=60,
                )
            self._started = False
        self._remove()
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)

    def _remove(self) -> None:
        if self.root is not None and self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> TemporaryPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- databases ----------------------------------------------------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL (psycopg 3) of a database of this cluster."""
        if not self._started:
            raise PostgresUnavailable("the cluster is not running; call start() first")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create a database (optionally as a copy of ``template``) and return its URL."""
        import psycopg

        # FILE_COPY (PostgreSQL 15+) copies a small template several times faster than the default WAL_LOG
        clauses = (
            [f' TEMPLATE "{template}" STRATEGY FILE_COPY', f' TEMPLATE "{template}"'] if template else [""]
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(
                    f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
                ) as conn:
                    conn.execute(f'CREATE DATABASE "{name}"{clauses[0]}')
                break
            except psycopg.errors.SyntaxError:  # before PostgreSQL 15: no STRATEGY
                clauses.pop(0)
            except psycopg.errors.ObjectInUse:  # the template still has a connection closing
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


# --- many writers at once (the concurrency test and the store benchmark) ------------------------------------------
@dataclass
class WriterResult:
    """What one writer process did: the interview ids it stored, the latency of each write, any errors."""

    process: int
    stored: list[str] = field(default_factory=list)
    duplicates: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0  # CPU time of the writing (after the start barrier)
    timed_cpu_seconds: float = 0.0  # CPU time of what the latencies time (the submit alone, or the INSERT)
    #: latencies of the untimed warm-up writes before the barrier (``plan["warmup"]``): the first write of a
    #: fresh process (its caches and prepared statements still empty), reported apart
    cold: list[float] = field(default_factory=list)


def _submit_writer(
    url: str, process: int, count: int, plan: dict[str, Any], barrier: Any, results: Any
) -> None:  # pragma: no cover - runs in a child process
    from surveykit.store import Store

    result = WriterResult(process)
    try:
        store = Store.open(url, pool_size=1)
    except Exception as err:
        result.errors.append(f"open: {type(err).__name__}: {err}")
        barrier.abort()
        results.put(result)
        return
    interviewer = plan["interviewers"][process % len(plan["interviewers"])]

    def start_one() -> Any:
        return store.start_interview(
            plan["questionnaire"],
            institution_id=plan["institution"],
            interviewer_id=interviewer,
            mode=plan.get("mode", "face_to_face"),
        )

    started: list[Any] = []

    def one(i: int, latencies: list[float]) -> None:
        answers = plan["answers"][(process + i) % len(plan["answers"])]
        try:
            start = time.perf_counter()
            meta = started.pop() if started and latencies is result.latencies else start_one()
            submitted, cpu = time.perf_counter(), time.process_time()
            outcome = store.submit(meta.id, answers)
            done = time.perf_counter()
            latencies.append(done - submitted if plan.get("latency") == "submit" else done - start)
            if latencies is result.latencies:
                result.timed_cpu_seconds += time.process_time() - cpu
            if outcome.duplicate:
                result.duplicates += 1
            else:
                result.stored.append(meta.id)
        except Exception as err:  # every error is a failure of the test: collect, never lose it
            result.errors.append(f"{type(err).__name__}: {err}")

    for i in range(int(plan.get("warmup", 0))):  # before the barrier, one process at a time as they start
        one(count + i, result.cold)
    if plan.get("prestart"):  # the interviews started before the barrier: only submissions run together
        try:
            started.extend(start_one() for _ in range(count))
        except Exception as err:
            result.errors.append(f"start: {type(err).__name__}: {err}")
            barrier.abort()
    try:
        barrier.wait(timeout=300)
    except threading.BrokenBarrierError:
        result.errors.append("the start barrier broke (another writer failed to start)")
        store.close()
        results.put(result)
        return
    cpu = time.process_time()
    try:
        for i in range(count):
            one(i, result.latencies)
    finally:
        result.cpu_seconds = time.process_time() - cpu
        store.close()
        results.put(result)


def _insert_writer(
    url: str, process: int, count: int, plan: dict[str, Any], barrier: Any, results: Any
) -> None:  # pragma: no cover - runs in a child process
    """The baseline: a bare single-row INSERT transaction, with the same engine and retry rules."""
    from sqlalchemy import text

    from surveykit.store.engine import Database

    result = WriterResult(process)
    db = Database(url, pool_size=1)
    statement = text(f"INSERT INTO {plan['table']} (process, n, payload) VALUES (:p, :n, :payload)")

    def one(i: int, latencies: list[float]) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            db.write(lambda conn: conn.execute(statement, {"p": process, "n": i, "payload": "x" * 64}))
            latencies.append(time.perf_counter() - start)
            if latencies is result.latencies:
                result.timed_cpu_seconds += time.process_time() - cpu
            result.stored.append(f"{process}:{i}")
        except Exception as err:
            result.errors.append(f"{type(err).__name__}: {err}")

    try:
        for i in range(int(plan.get("warmup", 0))):  # as the submit writers: untimed, before the barrier
            one(count + i, result.cold)
        barrier.wait(timeout=300)
        cpu = time.process_time()
        for i in range(count):
            one(i, result.latencies)
        result.cpu_seconds = time.process_time() - cpu
    finally:
        db.dispose()
        results.put(result)


def run_writers(
    url: str,
    *,
    processes: int,
    per_process: int,
    plan: dict[str, Any],
    kind: str = "submit",
    timeout: float = 600,
) -> tuple[list[WriterResult], float]:
    """Start ``processes`` writer processes at the same moment (a barrier), each opening its own store and
    writing ``per_process`` times; returns their results and the wall-clock seconds from the start.

    ``kind="submit"``: start and submit interviews (``plan``: questionnaire, institution, interviewers, a list
    of answer dicts used in turn, ``latency="submit"`` to time the submit alone); ``kind="insert"``: the bare
    INSERT baseline (``plan``: table). ``plan["warmup"]``: writes each process makes before the barrier,
    untimed (their latencies in :attr:`WriterResult.cold`), so that the figures are those of warm processes;
    ``plan["prestart"]``: each submit writer starts all its interviews before the barrier, so that only
    submissions run together (as only INSERTs do in the baseline).
    Processes come from a fork server, so the caller's threads and open connections are never forked."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["surveykit.store", "surveykit.questionnaire.validate"])
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    target = _submit_writer if kind == "submit" else _insert_writer
    workers = [
        context.Process(target=target, args=(url, p, per_process, plan, barrier, results), daemon=True)
        for p in range(processes)
    ]
    for worker in workers:
        worker.start()
    collected: list[WriterResult] = []
    try:
        with contextlib.suppress(threading.BrokenBarrierError):  # a writer that failed reports why
            barrier.wait(timeout=300)
        start = time.perf_counter()
        deadline = time.monotonic() + timeout
        while len(collected) < processes:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                collected.append(results.get(timeout=min(remaining, 5)))
            except Exception:  # queue.Empty: check the workers are alive
                if not any(w.is_alive() for w in workers) and results.empty():
                    break
        elapsed = time.perf_counter() - start
    finally:
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.kill()
    missing = {w for w in range(processes)} - {r.process for r in collected}
    for process in sorted(missing):
        collected.append(WriterResult(process, errors=["the process ended without a result"]))
    return sorted(collected, key=lambda r: r.process), elapsed


# --- certificates for tests and benchmarks --------------------------------------------------------------------------
def add_signed_certificate(
    store: Any,
    person_id: str,
    roles: tuple[str, ...] | list[str] = ("interviewer",),
    *,
    issued_at: Any,
    valid_until: Any,
    key: Any = None,
    by: str | None = None,
) -> Any:
    """Sign a certificate for ``person_id`` (any validity window, for tests and benchmarks) with ``key``
    (default: the ``signing_key`` setting's key, created if missing) and store it; the interview gate only
    counts certificates whose signed record matches the stored row (surveykit.certificates.stored)."""
    from surveykit.certificates import generate_key, issue_certificate, load_key, load_template
    from surveykit.certificates.model import Holder
    from surveykit.certificates.records import iso, parse_iso
    from surveykit.certificates.signing import attach_proof
    from surveykit.config import settings

    if key is None:
        path = settings().signing_key
        key = load_key(path) if Path(path).exists() else generate_key(path)
    holder = Holder(name=f"Test {person_id}", roles=tuple(roles), person_id=person_id)
    certificate = issue_certificate(holder, load_template("interviewer"), key, now=issued_at)
    record = {k: v for k, v in certificate.record.items() if k not in ("proof", "validUntil")}
    if valid_until is not None:
        record["validUntil"] = iso(valid_until)
    signed = attach_proof(record, key, created=record["validFrom"])
    return store.training.add_certificate(
        certificate.serial,
        person_id,
        [role.code for role in certificate.roles],
        issued_at=parse_iso(signed["validFrom"]),
        valid_until=parse_iso(signed.get("validUntil")),
        record=signed,
        by=by,
    )
