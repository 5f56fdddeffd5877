"""Connections: one SQLAlchemy engine per store, SQLite and PostgreSQL set up for many writers.

SQLite (the default, a file under ``data/``): WAL journal (readers never wait for the writer), foreign keys
on, ``busy_timeout`` from the settings, and every write transaction begins with ``BEGIN IMMEDIATE`` so two
writers never deadlock upgrading a read lock. PostgreSQL: psycopg 3 with a small pool per process.

:meth:`Database.write` runs a unit of work in one transaction and retries it with jittered exponential backoff
when the database is busy (SQLite "database is locked", PostgreSQL serialization failures and deadlocks), so a
busy database never reaches a user as an error; only after the overall timeout does it raise SK511.
Other database errors are wrapped once here: SK509 for a change to the append-only audit log, SK501 otherwise.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from surveykit.errors import ErrorCode, StoreError, SurveykitError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

__all__ = ["Database", "normalize_url", "safe_url", "sqlite_file"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: text the audit-log triggers raise with; recognised to map the failure to SK509
APPEND_ONLY_MARK = "SK509"
_RETRY_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
_SQLITE_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED (low byte of extended codes)


def normalize_url(url: str | URL) -> URL:
    """The SQLAlchemy URL with the driver surveykit uses (``postgresql://`` means psycopg 3)."""
    parsed = make_url(str(url)) if not isinstance(url, URL) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL for messages: the password hidden."""
    try:
        return normalize_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL that cannot be parsed is shown as given, it holds no parsable password
        return str(url)


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of an SQLite URL (None for other backends and in-memory databases)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _sqlite_code(err: BaseException) -> int | None:
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return int(code) & 0xFF
    text = str(err).lower()
    if "database is locked" in text or "database table is locked" in text or "database is busy" in text:
        return 5
    return None


def is_busy(err: BaseException) -> bool:
    """Whether a database error means "busy, try again" (never a problem in the data)."""
    orig = getattr(err, "orig", err)
    if _sqlite_code(orig) in _SQLITE_BUSY:
        return True
    return getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES


class WriteGate:
    """One writer at a time for an SQLite file, across threads and processes of this machine.

    SQLite's own busy handler polls with sleeps growing to 100 ms, so under many writers the lock often sits
    free while every waiter sleeps, and a writer can starve. Writers of the store first take an exclusive
    ``flock`` on ``<database>.lock`` (waited for in the kernel, which wakes a waiter as soon as it is free) and
    a thread lock, so the database lock changes hands at once; other programs are still covered by
    ``busy_timeout`` and the retries of :meth:`Database.write`.
    """

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")
        self._fd: int | None = None
        self._threads = threading.Lock()

    @contextlib.contextmanager
    def hold(self, deadline: float) -> Iterator[bool]:
        """Hold the gate; yields False (and holds nothing) when ``deadline`` (``time.monotonic``) passed."""
        if not self._threads.acquire(timeout=max(0.0, deadline - time.monotonic())):
            yield False
            return
        try:
            fd = self._open()
            if fd is not None and not self._lock_file(fd, deadline):
                yield False
                return
            try:
                yield True
            finally:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    @staticmethod
    def _lock_file(fd: int, deadline: float) -> bool:
        """Take the file lock. When it is held elsewhere, wait for it in the kernel (woken the moment it is
        released) in a helper thread, so that the wait can end at ``deadline``."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        got = threading.Event()
        guard = threading.Lock()
        state = {"abandoned": False}

        def wait_for_lock() -> None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError:  # the file was closed while waiting: nothing is held
                return
            with guard:
                if state["abandoned"]:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    return
                got.set()

        threading.Thread(target=wait_for_lock, name="surveykit-write-gate", daemon=True).start()
        if got.wait(timeout=max(0.0, deadline - time.monotonic())):
            return True
        with guard:
            if got.is_set():
                return True
            state["abandoned"] = True
        return False

    def _open(self) -> int | None:
        if fcntl is None:
            return None
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError:  # a read-only folder: rely on SQLite's busy handler alone
                return None
        return self._fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Database:
    """An engine with the surveykit connection rules, transaction helpers and error mapping."""

    def __init__(self, url: str | URL, *, busy_timeout_ms: int | None = None, pool_size: int = 5) -> None:
        from surveykit.config import settings

        self.url = normalize_url(url)
        self.busy_timeout_ms = int(
            busy_timeout_ms if busy_timeout_ms is not None else settings().busy_timeout_ms
        )
        self.dialect = self.url.get_backend_name()
        path = sqlite_file(self.url)
        self.gate = WriteGate(path) if path is not None else None
        try:
            if self.dialect == "sqlite":
                self.engine = self._sqlite_engine()
            else:
                self.engine = sa.create_engine(
                    self.url,
                    pool_size=pool_size,
                    max_overflow=pool_size * 2,
                    pool_recycle=1800,
                    pool_timeout=max(5.0, self.busy_timeout_ms / 1000),
                    connect_args={"connect_timeout": 10, "application_name": "surveykit"}
                    if self.dialect == "postgresql"
                    else {},
                )
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as err:
            raise StoreError(ErrorCode.DB_UNAVAILABLE, url=safe_url(url), detail=str(err)) from err

    # --- engines ------------------------------------------------------------------------------------------
    def _sqlite_engine(self) -> Engine:
        engine = sa.create_engine(
            self.url,
            connect_args={"timeout": self.busy_timeout_ms / 1000, "check_same_thread": False},
        )
        busy_ms = self.busy_timeout_ms

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # transactions are begun explicitly below
            cursor = dbapi_conn.cursor()
            try:
                cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
                cursor.execute("PRAGMA foreign_keys = ON")
                if sqlite_file(self.url) is not None:
                    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
                    if str(mode).lower() != "wal":
                        cursor.execute("PRAGMA journal_mode = WAL")
                    # FULL: a committed interview survives a power cut too (an fsync of the WAL per commit,
                    # about half a millisecond on the project's machines); NORMAL would only survive a crash
                    cursor.execute("PRAGMA synchronous = FULL")
            finally:
                cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("surveykit_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()
        if self.gate is not None:
            self.gate.close()

    @contextlib.contextmanager
    def _gate(self, deadline: float) -> Iterator[None]:
        if self.gate is None:
            yield
            return
        with self.gate.hold(deadline) as held:
            if not held:
                raise StoreError(ErrorCode.DB_BUSY, seconds=round(self.busy_timeout_ms / 1000))
            yield

    # --- transactions ------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (one consistent snapshot)."""
        with self._wrapped(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def query(self) -> Iterator[Connection]:
        """A connection for independent single-statement reads: in autocommit mode on PostgreSQL (no BEGIN
        and COMMIT round trips), a read transaction on SQLite (where they cost nothing)."""
        if self.is_sqlite:
            with self.read() as conn:
                yield conn
            return
        with self._wrapped(), self.engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction, without retries (use :meth:`write` for work that may be repeated)."""
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        with self._wrapped(), self._gate(deadline), self.engine.connect() as conn:
            conn.execution_options(surveykit_write=True)
            with conn.begin():
                yield conn

    def write(self, work: Callable[[Connection], T], *, retry_integrity: bool = False) -> T:
        """Run ``work(conn)`` in one write transaction; repeat it while the database is busy.

        ``work`` must be safe to repeat: it reads what it needs inside the transaction. With
        ``retry_integrity`` an integrity error (two writers creating the same row at the same moment) is also
        retried a few times; the repeated work then sees the other writer's row.
        """
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        delay = 0.002
        integrity_retries = 3 if retry_integrity else 0
        while True:
            try:
                with self._gate(deadline), self.engine.connect() as conn:
                    conn.execution_options(surveykit_write=True)
                    with conn.begin():
                        return work(conn)
            except IntegrityError as err:
                if integrity_retries <= 0:
                    raise self.translate(err) from err
                integrity_retries -= 1
                log.debug("integrity conflict, retrying: %s", err.orig)
            except DBAPIError as err:
                if not (is_busy(err) or err.connection_invalidated):  # a dropped connection: take a fresh one
                    raise self.translate(err) from err
                if time.monotonic() >= deadline:
                    raise StoreError(ErrorCode.DB_BUSY, seconds=round(self.busy_timeout_ms / 1000)) from err
                log.debug("database busy, retrying in up to %.3f s", delay)
            time.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, 0.25)

    @contextlib.contextmanager
    def _wrapped(self) -> Iterator[None]:
        try:
            yield
        except SurveykitError:
            raise
        except DBAPIError as err:
            if is_busy(err):
                raise StoreError(ErrorCode.DB_BUSY, seconds=round(self.busy_timeout_ms / 1000)) from err
            raise self.translate(err) from err

    def translate(self, err: DBAPIError) -> StoreError:
        """The surveykit error for a database error."""
        text = str(getattr(err, "orig", err))
        if APPEND_ONLY_MARK in text:
            return StoreError(ErrorCode.AUDIT_APPEND_ONLY)
        detail = text.strip().splitlines()[0] if text.strip() else type(err).__name__
        if isinstance(err, IntegrityError):
            return StoreError(ErrorCode.INTEGRITY, detail=detail)
        return StoreError(ErrorCode.DB_UNAVAILABLE, url=safe_url(self.url), detail=detail)
