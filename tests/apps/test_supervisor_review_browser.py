"""The supervisor's review in a browser: the decision buttons are on screen when a long interview opens and
stay there while the supervisor reads it to its end (they sat below the whole interview)."""

from __future__ import annotations

import pytest

from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.i18n import t

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 90_000  # ms: Voilà pages on a busy 2-core machine
#: the part of an element inside the window (0 when it is off screen)
IN_VIEW = """(selector) => { const r = document.querySelector(selector).getBoundingClientRect();
  return r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("supervisor-review")
    url = f"sqlite:///{folder / 'surveykit.sqlite'}"
    build_demo(url, seed=21, size="small")
    return {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder)}


def test_the_decision_is_in_reach_while_reading_a_long_interview(browser, voila_server, env, artifacts):
    server = voila_server(env)
    page = browser.new_page(lang="ru", viewport={"width": 1280, "height": 900})
    try:
        page.goto(server.url("supervisor"), timeout=TIMEOUT)
        page.locator(".sk-login input").fill("olga", timeout=TIMEOUT)
        page.locator(".sk-code input").fill(DEMO_ACCESS_CODE)
        page.locator(".sk-sign-in").click()
        page.locator(".sk-read").first.click(timeout=TIMEOUT)
        page.locator(".sk-review .sk-approve").wait_for(timeout=TIMEOUT)
        page.wait_for_timeout(500)
        content = page.locator(".sk-review-content")
        tall = content.evaluate("e => e.scrollHeight > window.innerHeight")
        assert tall, "the demo interview is longer than the window"
        for where in ("opened", "read to the end"):
            for button in (".sk-review .sk-approve", ".sk-review .sk-reject", ".sk-review .sk-backcheck"):
                assert page.evaluate(IN_VIEW, button), (where, button)
            page.screenshot(path=str(artifacts / f"supervisor-review-{where.replace(' ', '-')}.png"))
            content.evaluate("e => { e.scrollTop = e.scrollHeight; }")  # the supervisor reads on
            page.wait_for_timeout(300)
        assert content.evaluate("e => e.scrollTop > 0")
        # the interview's pane ends in the window: read to its end without the page scrolling the buttons away
        assert content.evaluate("e => e.getBoundingClientRect().bottom <= window.innerHeight")
        page.locator(".sk-review .sk-approve").click()
        page.locator(".sk-banner-ok", has_text=t("supervisor.done_approved", "ru")).wait_for(timeout=TIMEOUT)
    finally:
        page.close()
