"""Correctness under load, at a size CI can afford (benchmarks/bench_serving.py runs it at 40 pages and more):
simulated interviewers open the interview app all at once in headless Chromium, sign in and take an interview
to submission, against one Voilà server (SQLite) and against ``surveykit serve --workers 2`` (PostgreSQL).
Every page loads (no error or busy page), none hangs, and every submission is stored exactly once, as a real
(not practice) interview of the right interviewer. No timing is asserted."""

from __future__ import annotations

import collections
import signal
import time

import pytest

from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.ui.loadtest import interview_ids, prepare_visits, run_visits, stored_submissions
from surveykit.ui.server import free_port, start_serve, wait_until_up

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SINGLE_PAGES = 4
WORKER_PAGES = 8


def _check(url: str, before: set[str], visits) -> None:
    failed = [v for v in visits if not v.submitted or v.status != 200]
    assert not failed, failed
    stored = stored_submissions(url, before)
    expected = collections.Counter(v.login for v in visits)
    assert {login: len(rows) for login, rows in stored.items()} == dict(expected)
    for login, rows in stored.items():
        assert all(submits == 1 and not practice for _, submits, practice in rows), (login, rows)


def test_pages_at_once_on_one_server(voila_server, tmp_path, artifacts):
    url = f"sqlite:///{tmp_path / 'surveykit.sqlite'}"
    build_demo(url, seed=11, size="small")
    server = voila_server({"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(tmp_path)})
    visits = prepare_visits(url, SINGLE_PAGES)
    before = interview_ids(url)
    run_visits(server.url("interview", lang="en"), visits, DEMO_ACCESS_CODE, screenshots=artifacts)
    _check(url, before, visits)
    deadline = time.monotonic() + 120  # kernels shut down in the background after their page closed
    while len(server.processes()) > 1 and time.monotonic() < deadline:
        time.sleep(1)
    assert len(server.processes()) == 1  # every closed page shut its kernel down


@pytest.mark.postgres
def test_pages_at_once_on_two_workers_with_postgresql(postgres_cluster, tmp_path, artifacts):
    url = postgres_cluster.create_database("serving_load")
    build_demo(url, seed=11, size="small")
    port = free_port()
    process = start_serve(
        port,
        2,
        {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(tmp_path)},
        log=tmp_path / "serve.log",
    )
    try:
        wait_until_up(port, timeout=300, process=process)
        visits = prepare_visits(url, WORKER_PAGES)
        before = interview_ids(url)
        run_visits(
            f"http://127.0.0.1:{port}/voila/render/interview.ipynb?lang=en",
            visits,
            DEMO_ACCESS_CODE,
            screenshots=artifacts,
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=90)
    _check(url, before, visits)
    assert {v.worker for v in visits} == {"0", "1"}  # both workers served pages
