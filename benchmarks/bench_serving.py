"""Serving many users at once: the load test at full size (tests/serving/test_load.py runs it small).

``pages`` simulated interviewers (40, or 8 with ``--quick``) open the interview app at the same moment in
headless Chromium, sign in and take an interview to submission (surveykit.ui.loadtest), against

* one Voilà process on SQLite, and
* ``surveykit serve --workers N`` (N = the machine's cores, at least 2) on PostgreSQL (a throwaway cluster).

Baseline, measured in the same run: the same number of bare one-widget Voilà pages opened at once on one
Voilà process. Reported per set-up: time to interactive (navigation until the sign-in field is usable) p50
against the bare page's p50 at the same concurrency (p95s, submit p50/p95, pages that failed, submissions not
stored exactly once, server CPU seconds per user in ``extra``), and memory per user (peak RSS of the server's process tree, above its idle
size, divided by the pages) against the bare page's. Correctness is checked too: a run with a failed page or a
submission not stored exactly once is reported (``extra["failed"]``, ``extra["not_stored_once"]``).
"""

from __future__ import annotations

import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Measurement
from surveykit.config import settings
from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.ui import loadtest
from surveykit.ui.browser import VoilaServer, chromium_path
from surveykit.ui.server import free_port, start_serve, wait_until_up

STEP_TIMEOUT = 900_000  # ms: one step of one page with every page of the run loading at once


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _idle_mb(root: int) -> float:
    time.sleep(3)
    return loadtest.process_tree_mb(root)


def _interviews(name: str, url: str, app_url: str, root: int, pages: int, bare: dict) -> list[Measurement]:
    visits = loadtest.prepare_visits(url, pages)
    before = loadtest.interview_ids(url)
    idle = _idle_mb(root)
    cpu_before = loadtest.process_tree_cpu_s(root)
    start = time.perf_counter()
    peak = loadtest.run_visits(
        app_url,
        visits,
        DEMO_ACCESS_CODE,
        memory_of=lambda: loadtest.process_tree_mb(root),
        timeout=STEP_TIMEOUT,
    )
    wall = time.perf_counter() - start
    time.sleep(5)  # closed pages' kernels exit and are reaped: their CPU time moves to the server
    cpu = loadtest.process_tree_cpu_s(root) - cpu_before
    stored = loadtest.stored_submissions(url, before)
    expected: dict[str, int] = {}
    for v in visits:
        if v.submitted:
            expected[v.login] = expected.get(v.login, 0) + 1
    not_once = {
        login: rows
        for login, rows in stored.items()
        if len(rows) != expected.get(login, 0) or any(n != 1 for _, n, _ in rows)
    }
    tti = [v.interactive_s for v in visits if v.interactive_s is not None]
    submit = [v.submit_s for v in visits if v.submit_s is not None]
    extra = {
        "pages": pages,
        "wall_s": wall,
        "tti_p50": _p(tti, 0.5),
        "tti_p95": _p(tti, 0.95),
        "bare_tti_p95": bare["p95"],
        "submit_p50": _p(submit, 0.5),
        "submit_p95": _p(submit, 0.95),
        "failed": [f"{v.login}: {v.error}" for v in visits if v.error],
        "not_stored_once": not_once,
        "workers": sorted({v.worker for v in visits if v.worker is not None}),
        "peak_mb": peak,
        "idle_mb": idle,
        "server_cpu_s_per_user": cpu / pages,
    }
    return [
        Measurement(
            f"{name}: app time to interactive p50 ({pages} pages at once; p95 {extra['tti_p95']:.1f} s, "
            f"submit p95 {extra['submit_p95']:.2f} s, server CPU {extra['server_cpu_s_per_user']:.1f} s a user, "
            f"failed {len(extra['failed'])})",
            extra["tti_p50"],
            f"bare one-widget Voilà page p50, {pages} at once",
            bare["p50"],
            target="<= 1.2x",
            met=extra["tti_p50"] <= 1.2 * bare["p50"],
            extra=extra,
        ),
        Measurement(
            f"{name}: memory per user (peak {peak:.0f} MiB for {pages} pages)",
            (peak - idle) / pages,
            "memory per bare one-widget page",
            bare["mb_per_page"],
            unit="MiB",
            target="<= 2x",
            met=(peak - idle) / pages <= 2 * bare["mb_per_page"],
            extra=extra,
        ),
    ]


def run(quick: bool = False) -> list[Measurement]:
    if chromium_path() is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium)")
    from surveykit.store.testing import TemporaryPostgres

    pages = 8 if quick else 40
    workers = max(2, os.cpu_count() or 2)
    results: list[Measurement] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {
            "SURVEYKIT_DATA_DIR": str(folder),
            "SURVEYKIT_MAX_KERNELS": str(pages + 8),
            # the demo's certificates are signed with this process's key: the servers must trust the same one
            "SURVEYKIT_SIGNING_KEY": str(settings().signing_key),
        }

        # the baseline: bare pages, all at once, on one Voilà process
        bare_server = VoilaServer(
            env=env, log=folder / "bare.log", root=loadtest.write_bare_root(folder / "bare")
        )
        bare_server.start()
        try:
            idle = _idle_mb(bare_server.process.pid)
            times, errors, peak = loadtest.run_bare(
                bare_server.url("bare"),
                pages,
                timeout=STEP_TIMEOUT,
                memory_of=lambda: loadtest.process_tree_mb(bare_server.process.pid),
            )
        finally:
            bare_server.stop()
        bare = {
            "p50": statistics.median(times),
            "p95": _p(times, 0.95),
            "mb_per_page": (peak - idle) / pages,
            "errors": errors,
        }

        # one Voilà process, SQLite
        url = f"sqlite:///{folder / 'surveykit.sqlite'}"
        build_demo(url, seed=11, size="small")
        single = VoilaServer(env={**env, "SURVEYKIT_DATABASE_URL": url}, log=folder / "single.log").start()
        try:
            results += _interviews(
                "one Voilà process, SQLite",
                url,
                single.url("interview", lang="en"),
                single.process.pid,
                pages,
                bare,
            )
        finally:
            single.stop()

        # N workers behind the sticky-session proxy, PostgreSQL
        with TemporaryPostgres() as cluster:
            pg_url = cluster.create_database("bench_serving")
            build_demo(pg_url, seed=11, size="small")
            port = free_port()
            process = start_serve(
                port, workers, {**env, "SURVEYKIT_DATABASE_URL": pg_url}, log=folder / "workers.log"
            )
            try:
                wait_until_up(port, timeout=300, process=process)
                results += _interviews(
                    f"surveykit serve --workers {workers}, PostgreSQL",
                    pg_url,
                    f"http://127.0.0.1:{port}/voila/render/interview.ipynb?lang=en",
                    process.pid,
                    pages,
                    bare,
                )
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=120)
    for m in results:
        m.extra["bare"] = bare
    return results
