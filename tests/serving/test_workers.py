"""``surveykit serve --workers 2`` on a shared PostgreSQL store: two Voilà processes behind the sticky-session
proxy. A supervisor and an interviewer sign in from two browsers, land on different workers, and the
interviewer's submission (made through one worker) shows in the supervisor's list (read through the other)."""

from __future__ import annotations

import re
import signal

import pytest

from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.ui.loadtest import interview_ids, prepare_visits, run_visits, stored_submissions
from surveykit.ui.server import free_port, start_serve, wait_until_up

from .conftest import fetch

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

TIMEOUT = 180_000


@pytest.fixture(scope="module")
def pg_demo(postgres_cluster, tmp_path_factory):
    url = postgres_cluster.create_database("serving_workers")
    build_demo(url, seed=11, size="small")
    folder = tmp_path_factory.mktemp("workers")
    return {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder)}


@pytest.fixture
def served(pg_demo, tmp_path):
    """``surveykit serve --workers 2`` on a free port; stopped (with its workers) after the test."""
    port = free_port()
    process = start_serve(port, 2, pg_demo, log=tmp_path / "serve.log")
    try:
        wait_until_up(port, timeout=300, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=90)


def _waiting(page) -> int:
    text = page.locator(".sk-supervisor-tabs").inner_text(timeout=TIMEOUT)
    found = re.search(r"(\d+) submitted interview", text)
    assert found, text[:400]
    return int(found.group(1))


def _supervisor(page, base: str) -> str:
    response = page.goto(f"{base}/voila/render/supervisor.ipynb?lang=en", timeout=TIMEOUT)
    assert response.status == 200
    page.locator(".sk-login input").fill("olga", timeout=TIMEOUT)
    page.locator(".sk-code input").fill(DEMO_ACCESS_CODE)
    page.locator(".sk-sign-in").click()
    page.locator(".sk-card").first.wait_for(timeout=TIMEOUT)
    return response.headers["x-surveykit-worker"]


def test_two_workers_two_roles_one_shared_store(browser, served, pg_demo, artifacts):
    url = pg_demo["SURVEYKIT_DATABASE_URL"]
    supervisor = browser.new_context(locale="en-US", viewport={"width": 1200, "height": 1000})
    page = supervisor.new_page()
    olga_worker = _supervisor(page, served)
    before_count = _waiting(page)

    (visit,) = [v for v in prepare_visits(url, 6) if v.login == "anna"]
    before = interview_ids(url)
    run_visits(
        f"{served}/voila/render/interview.ipynb?lang=en", [visit], DEMO_ACCESS_CODE, screenshots=artifacts
    )
    assert visit.error is None and visit.submitted, visit
    # the interviewer's browser went to the other worker (olga's page holds a live kernel on hers)
    assert {olga_worker, visit.worker} == {"0", "1"}
    assert [(n, practice) for _, n, practice in stored_submissions(url, before)["anna"]] == [(1, False)]

    # the supervisor reloads (a new page on her worker) and sees the new interview first
    page.reload(timeout=TIMEOUT)
    page.locator(".sk-login input").fill("olga", timeout=TIMEOUT)
    page.locator(".sk-code input").fill(DEMO_ACCESS_CODE)
    page.locator(".sk-sign-in").click()
    page.locator(".sk-card").first.wait_for(timeout=TIMEOUT)
    assert _waiting(page) == before_count + 1
    assert "Анна Смирнова" in page.locator(".sk-card").first.inner_text()
    page.screenshot(path=str(artifacts / "serving-workers-supervisor.png"), full_page=True)
    page.close(run_before_unload=True)
    supervisor.close()


def test_the_proxy_keeps_a_browser_on_its_worker(served):
    first = fetch(f"{served}/voila/render/verify.ipynb")
    assert first.status == 200
    pinned = first.headers["X-Surveykit-Worker"]
    assert any(c.name == "surveykit_worker" and c.value == pinned for c in first.jar)
    again = fetch(f"{served}/voila/render/verify.ipynb", jar=first.jar)
    assert again.status == 200 and again.headers["X-Surveykit-Worker"] == pinned
    assert "surveykit_worker" not in again.headers.get("Set-Cookie", "")
    other = fetch(f"{served}/voila/render/verify.ipynb")  # a new browser, while the first page is open
    assert other.headers["X-Surveykit-Worker"] in {"0", "1"}
