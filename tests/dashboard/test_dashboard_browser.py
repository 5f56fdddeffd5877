"""The dashboard as council members get it: served by Voilà from a database, in headless Chromium.

Skipped with a reason when Debian's Chromium (or Playwright) is missing, except with
``SURVEYKIT_REQUIRE_BROWSER=1`` (CI), where that is a failure. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import pytest

from surveykit.dashboard.sample import build_sample_database

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def sample_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dashboard-browser")
    url = f"sqlite:///{folder / 'surveykit.sqlite'}"
    build_sample_database(url)
    # the published view without sign-in (the demo setting); signing in is tested in tests/permissions
    return {
        "SURVEYKIT_DATABASE_URL": url,
        "SURVEYKIT_DATA_DIR": str(folder),
        "SURVEYKIT_MIN_CELL_SIZE": "5",
        "SURVEYKIT_DASHBOARD_PUBLIC": "true",
    }


@pytest.fixture(scope="module")
def page(browser, sample_env, tmp_path_factory):
    from surveykit.ui.browser import VoilaServer

    server = VoilaServer(env=sample_env, log=tmp_path_factory.mktemp("dashboard-voila") / "voila.log").start()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(server.url("dashboard"), timeout=120_000)
        yield page
    finally:
        page.close(run_before_unload=True)
        server.stop()


def _ticks(page, css: str) -> list[str]:
    frame = page.frame_locator(f"{css} iframe")
    frame.locator(".main-svg").first.wait_for(timeout=120_000)
    return frame.locator("g.ytick text").all_text_contents()


def _screenshot(page, name: str, artifacts) -> None:
    """The whole app (Voilà scrolls inside the page, so the viewport is made as tall as the app)."""
    height = page.evaluate("() => document.querySelector('.sk-dashboard-app').getBoundingClientRect().bottom")
    page.set_viewport_size({"width": 1280, "height": int(min(max(height + 40, 900), 4000))})
    page.wait_for_timeout(700)
    page.screenshot(path=str(artifacts / name), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_dashboard_renders_the_rating(page, artifacts):
    names = _ticks(page, ".sk-dash-rating-chart")
    assert len(names) == 12 and any(n.startswith("1. КЦСОН") for n in names)
    _screenshot(page, "dashboard-rating.png", artifacts)
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


def test_one_institution_in_detail(page, artifacts):
    page.locator(".sk-dash-tabs .lm-TabBar-tab").nth(1).click()
    names = _ticks(page, ".sk-dash-criteria-chart")
    assert any(n.startswith("K1") for n in names)
    page.locator(".sk-dash-institution select").select_option(label="КЦСОН Северного района")
    page.wait_for_function(
        "() => document.querySelector('.sk-dash-inst-head').innerText.includes('КЦСОН Северного района')",
        timeout=60_000,
    )
    _ticks(page, ".sk-dash-indicators-chart")
    _screenshot(page, "dashboard-institution.png", artifacts)
    text = page.locator(".sk-dash-inst-text").inner_text()
    assert "Квалифицированное заключение" in text and "Предложения получателей услуг" in text
