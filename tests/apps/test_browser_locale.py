"""The browser tests read the apps as their users do: a Russian page in a Russian browser (dates as
dd.mm.yyyy in ``<input type=date>``), an English page in an English one (issue: Russian pages showed
mm/dd/yyyy because every test browser was en-US)."""

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


@pytest.mark.parametrize(
    ("lang", "expected"),
    [(None, ("ru-RU", "01.05.2026")), ("ru", ("ru-RU", "01.05.2026")), ("en", ("en-GB", "01/05/2026"))],
)
def test_pages_open_in_the_browser_locale_of_their_language(browser, lang, expected):
    page = browser.new_page(lang=lang)
    try:
        page.set_content("<input type='date' value='2026-05-01'>")
        assert tuple(page.evaluate(PROBE)) == expected
    finally:
        page.close()
    context = browser.new_context(lang=lang)
    try:
        page = context.new_page()
        assert tuple(page.evaluate(PROBE)) == expected
    finally:
        context.close()
