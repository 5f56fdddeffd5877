"""In the browser (issue 16 item 10): every app's page is as wide as every other and centred, and a refused
sign-in reads as a sentence in both languages. Screenshots: artifacts/layout-*.png."""

from __future__ import annotations

import pytest

from surveykit.ui.server import APPS

TIMEOUT = 120_000  # ms: a first page on a busy 2-core machine


@pytest.mark.browser
@pytest.mark.slow
def test_every_app_has_the_same_centred_width(voila_server, browser, tmp_path, artifacts) -> None:
    from surveykit.demo import build_demo
    from surveykit.ui.common import APP_MAX_WIDTH

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    build_demo(url, seed=3, size="small", quality_control=False)
    server = voila_server({"SURVEYKIT_DATA_DIR": str(tmp_path / "data"), "SURVEYKIT_DATABASE_URL": url})
    context = browser.new_context(viewport={"width": 1600, "height": 900})
    boxes = {}
    try:
        page = context.new_page()
        for app in APPS:
            page.goto(server.url(app), timeout=TIMEOUT)
            page.wait_for_selector(".sk-app .widget-button, .sk-app a", timeout=TIMEOUT)
            boxes[app] = page.eval_on_selector(
                ".sk-app", "e => { const r = e.getBoundingClientRect(); return [r.left, r.width]; }"
            )
            page.screenshot(path=str(artifacts / f"layout-{app}.png"))
        for language, words in (("ru", "Код доступа неверный."), ("en", "The access code is not correct.")):
            page.goto(server.url("interview", lang=language), timeout=TIMEOUT)
            page.wait_for_selector(".sk-login input", timeout=TIMEOUT)
            page.fill(".sk-login input", "anna")
            page.fill(".sk-code input", "0000")
            page.click(".sk-sign-in")
            page.wait_for_selector(".sk-banner-error", timeout=TIMEOUT)
            assert page.inner_text(".sk-banner-error").startswith(words)
            page.screenshot(path=str(artifacts / f"layout-sign-in-refused-{language}.png"))
    finally:
        context.close()
    width = float(APP_MAX_WIDTH.removesuffix("px"))
    for app, (left, shown) in boxes.items():
        assert abs(shown - width) <= 1, (app, shown)
        assert abs(left - (1600 - 15 - width) / 2) <= 20, (app, left)  # centred (a scroll bar at most aside)
