"""The dashboard as council members get it: served by Voilà from a database, in headless Chromium.

Skipped with a reason when Debian's Chromium (or Playwright) is missing, except with
``SURVEYKIT_REQUIRE_BROWSER=1`` (CI), where that is a failure. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from surveykit.config import PROJECT_ROOT
from surveykit.dashboard.sample import build_sample_database
from surveykit.ui.server import app_urls, free_port, start_voila

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = PROJECT_ROOT / "artifacts"


def _require_browser():
    required = os.environ.get("SURVEYKIT_REQUIRE_BROWSER") == "1"
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "Python Playwright is not installed (pip install playwright; never `playwright install`)"
    if reason:
        if required:
            pytest.fail(f"{reason} (SURVEYKIT_REQUIRE_BROWSER=1)")
        pytest.skip(reason)


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 90.0) -> None:
    """Until Voilà answers any HTTP request (an HTTP error status also means it is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Voilà exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/", timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise TimeoutError(f"Voilà did not answer on port {port} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    _require_browser()
    folder = tmp_path_factory.mktemp("dashboard-browser")
    url = f"sqlite:///{folder / 'surveykit.sqlite'}"
    build_sample_database(url)
    port = free_port()
    env = {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder), "SURVEYKIT_MIN_CELL_SIZE": "5"}
    process = start_voila(port, env, log=folder / "voila.log")
    try:
        _wait_for(port, process)
        yield app_urls(port)["dashboard"]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def page(voila):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(voila, timeout=120_000)
            yield page
        finally:
            browser.close()


def _ticks(page, css: str) -> list[str]:
    frame = page.frame_locator(f"{css} iframe")
    frame.locator(".main-svg").first.wait_for(timeout=120_000)
    return frame.locator("g.ytick text").all_text_contents()


def _screenshot(page, name: str) -> None:
    """The whole app (Voilà scrolls inside the page, so the viewport is made as tall as the app)."""
    height = page.evaluate("() => document.querySelector('.sk-dashboard-app').getBoundingClientRect().bottom")
    page.set_viewport_size({"width": 1280, "height": int(min(max(height + 40, 900), 4000))})
    page.wait_for_timeout(700)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_dashboard_renders_the_rating(page):
    names = _ticks(page, ".sk-dash-rating-chart")
    assert len(names) == 12 and any(n.startswith("1. КЦСОН") for n in names)
    _screenshot(page, "dashboard-rating.png")
    title = page.frame_locator(".sk-dash-rating-chart iframe").locator(".gtitle").first.text_content()
    assert title == "Рейтинг организаций, 2025"
    assert page.locator(".sk-banner-error").count() == 0


def test_a_filter_change_changes_the_chart(page):
    before = _ticks(page, ".sk-dash-rating-chart")
    page.locator(".sk-dash-municipality select").select_option(label="Северный район")
    page.wait_for_function(
        """n => { const f = document.querySelector('.sk-dash-rating-chart iframe');
                  const d = f && f.contentDocument;
                  const t = d ? d.querySelectorAll('g.ytick').length : 0;
                  return t > 0 && t < n; }""",
        arg=len(before),
        timeout=60_000,
    )
    after = _ticks(page, ".sk-dash-rating-chart")
    joined = " ".join(after)
    assert len(after) < len(before) and "Северного района" in joined and "Заречного" not in joined
    page.locator(".sk-dash-municipality select").select_option(index=0)
    page.wait_for_function(
        """n => { const f = document.querySelector('.sk-dash-rating-chart iframe');
                  const d = f && f.contentDocument; return d && d.querySelectorAll('g.ytick').length === n; }""",
        arg=len(before),
        timeout=60_000,
    )


def test_one_institution_in_detail(page):
    page.locator(".sk-dash-tabs .lm-TabBar-tab").nth(1).click()
    names = _ticks(page, ".sk-dash-criteria-chart")
    assert any(n.startswith("K1") for n in names)
    page.locator(".sk-dash-institution select").select_option(label="КЦСОН Северного района")
    page.wait_for_function(
        "() => document.querySelector('.sk-dash-inst-head').innerText.includes('КЦСОН Северного района')",
        timeout=60_000,
    )
    _ticks(page, ".sk-dash-indicators-chart")
    _screenshot(page, "dashboard-institution.png")
    text = page.locator(".sk-dash-inst-text").inner_text()
    assert "Квалифицированное заключение" in text and "Предложения получателей услуг" in text
