"""The browser tests read the apps as their users do: a Russian page in a Russian browser (``<input type=date>``
as дд.мм.гггг), an English page in an English one (issue: Russian pages showed mm/dd/yyyy because every test
browser ran in en-US, whatever the context's locale)."""

from __future__ import annotations

import pytest

from surveykit.config import settings
from surveykit.ui.browser import BROWSER_LOCALES, browser_locale

pytestmark = [pytest.mark.browser]

#: what the page's own JavaScript sees of the browser: its language and how it writes 1 May 2026
PROBE = "() => [navigator.language, new Date(2026, 4, 1).toLocaleDateString()]"


def test_each_interface_language_has_a_browser_locale_of_its_country():
    assert browser_locale("ru") == "ru-RU" and browser_locale("en") in ("en-GB", "en-US")
    assert browser_locale() == BROWSER_LOCALES[settings().default_language]


def typed_date(page) -> str:
    """The value of a date field after typing 0 1 0 5 2 0 2 6 into it: the field's order of day, month and
    year is the browser's (01.05.2026 is 1 May in ru-RU and en-GB, 5 January in en-US)."""
    page.set_content("<html lang='en'><input type='date' style='font-size:20px'></html>")  # Voilà's lang
    page.locator("input").click(position={"x": 8, "y": 10})  # the first segment of the field
    page.keyboard.type("01052026")
    return page.locator("input").input_value()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [(None, ("ru-RU", "01.05.2026")), ("ru", ("ru-RU", "01.05.2026")), ("en", ("en-GB", "01/05/2026"))],
)
def test_pages_open_in_a_browser_of_their_language(browser, lang, expected, artifacts):
    page = browser.new_page(lang=lang, viewport={"width": 320, "height": 60})
    try:
        page.set_content("<p></p>")
        assert tuple(page.evaluate(PROBE)) == expected
        assert typed_date(page) == "2026-05-01"  # day first: not the en-US month first
        page.locator("input").fill("")
        page.screenshot(path=str(artifacts / f"browser-date-input-{lang or 'default'}.png"))
    finally:
        page.close()
    context = browser.new_context(lang=lang)
    try:
        page = context.new_page()
        assert tuple(page.evaluate(PROBE)) == expected
        assert typed_date(page) == "2026-05-01"
    finally:
        context.close()


def test_an_explicit_us_locale_gets_a_us_browser(browser):
    page = browser.new_page(locale="en-US")
    try:
        assert typed_date(page) == "2026-01-05"  # month first: the test can tell the orders apart
    finally:
        page.close()
