"""The adversarial world in the browser, as a council member, in Russian and English: places without gaps,
withheld institutions listed as not rated, no interviewer, no type code, no clipped or overlapping drop-down.
Screenshots of every tab and of a withheld institution go to ``artifacts/disclosure-*.png``."""

from __future__ import annotations

import html
import re
import shutil

import pytest
from playwright.sync_api import Error as PlaywrightError

from surveykit.store import Store

from .conftest import CODE, COUNCIL
from .world import K

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 180_000
TYPE_CODES = ("hospice", "elderly_home", "psycho_home", "children_rehab", "kcson")


@pytest.fixture(scope="module")
def served(world, tmp_path_factory, voila_server_module):
    folder = tmp_path_factory.mktemp("disclosure-browser")
    shutil.copyfile(world.url.removeprefix("sqlite:///"), folder / "surveykit.sqlite")
    url = f"sqlite:///{folder / 'surveykit.sqlite'}"
    with Store.open(url) as store:  # the trainees' practice institution exists and must stay invisible
        store.add_institution("practice", "Учебная организация (практика)", type="practice")
    env = {
        "SURVEYKIT_DATABASE_URL": url,
        "SURVEYKIT_DATA_DIR": str(folder),
        "SURVEYKIT_MIN_CELL_SIZE": str(K),
    }
    return voila_server_module(env)


@pytest.fixture(scope="module")
def voila_server_module(tmp_path_factory):
    from surveykit.ui.browser import VoilaServer

    servers = []

    def start(env):
        server = VoilaServer(env=env, log=tmp_path_factory.mktemp("voila") / "voila.log").start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _screenshot(page, name: str, artifacts) -> None:
    height = page.evaluate("() => document.querySelector('.sk-dashboard-app').getBoundingClientRect().bottom")
    page.set_viewport_size({"width": 1280, "height": int(min(max(height + 40, 900), 5000))})
    page.wait_for_timeout(900)
    page.screenshot(path=str(artifacts / name), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _chart(page, css: str):
    frame = page.frame_locator(f"{css} iframe")
    frame.locator(".main-svg").first.wait_for(timeout=TIMEOUT)
    return frame


def _tab(page, index: int, chart: str):
    page.locator(".sk-dash-tabs .lm-TabBar-tab").nth(index).click()
    return _chart(page, chart)


def _texts(page, chart: str, selector: str) -> list[str]:
    """The texts of a chart; a chart drawn again while it is read (its frame replaced, as happens when a tab's
    chart is refreshed on a slow machine) is read again from its new frame."""
    for attempt in range(5):
        try:
            return _chart(page, chart).locator(selector).all_text_contents()
        except PlaywrightError as err:
            if "detached" not in str(err) or attempt == 4:
                raise
            page.wait_for_timeout(500)
    return []


DROPDOWN_PROBLEMS = """() => {
  const problems = [];
  const canvas = document.createElement('canvas').getContext('2d');
  for (const box of document.querySelectorAll('.sk-dashboard-app .widget-dropdown')) {
    const select = box.querySelector('select');
    if (!select || box.offsetParent === null) continue;          // hidden tabs
    const outer = box.getBoundingClientRect(), inner = select.getBoundingClientRect();
    if (inner.bottom > outer.bottom + 1 || inner.top < outer.top - 1) problems.push('overflows its row: ' + select.value);
    const style = getComputedStyle(select);
    canvas.font = style.fontSize + ' ' + style.fontFamily;
    const text = select.options[select.selectedIndex] ? select.options[select.selectedIndex].text : '';
    if (canvas.measureText(text).width > inner.width - 28) problems.push('cut: ' + text);
  }
  const rows = [...document.querySelectorAll('.sk-dashboard-app .widget-dropdown')].filter(b => b.offsetParent !== null)
    .map(b => b.getBoundingClientRect());
  for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) {
    const a = rows[i], b = rows[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) problems.push('overlap');
  }
  return problems;
}"""


def test_a_council_member_sees_places_without_gaps_and_nothing_small(served, world, browser, artifacts):
    names = set(world.sample.interviewers.values())
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(served.url("dashboard", lang="ru"), timeout=TIMEOUT)
        page.locator(".sk-login input").fill(COUNCIL, timeout=TIMEOUT)
        page.locator(".sk-code input").fill(CODE)
        page.locator(".sk-sign-in").click()
        for language in ("ru", "en"):
            if language == "en":
                page.locator(".sk-lang button", has_text="English").click()
                page.wait_for_function(
                    "() => document.querySelector('.sk-dash-tabs').innerText.includes('Rating')",
                    timeout=TIMEOUT,
                )
            _tab(page, 0, ".sk-dash-rating-chart")
            page.wait_for_timeout(500)
            ticks = [" ".join(t.split()) for t in _texts(page, ".sk-dash-rating-chart", "g.ytick text")]
            places = [int(m.group(1)) for t in ticks if (m := re.match(r"(\d+)\. ", t))]
            assert sorted(places) == list(range(1, len(places) + 1)), ticks  # no gap where a withheld one sat
            bars = " ".join(_texts(page, ".sk-dash-rating-chart", "text.bartext"))
            assert ("не оценивается" if language == "ru" else "not rated") in bars
            assert not page.evaluate(DROPDOWN_PROBLEMS), page.evaluate(DROPDOWN_PROBLEMS)
            _screenshot(page, f"disclosure-rating-{language}.png", artifacts)
            _tab(page, 1, ".sk-dash-criteria-chart")
            withheld = "Центр «Без региона»"
            page.locator(".sk-dash-institution select").select_option(label=withheld)
            page.wait_for_function(
                f"() => document.querySelector('.sk-dash-inst-head').innerText.includes('{withheld}')",
                timeout=TIMEOUT,
            )
            head = page.locator(".sk-dash-inst-head").inner_text()
            assert "n < 5" in head and not re.search(r"(место|place) \d", head) and "nan" not in head
            _screenshot(page, f"disclosure-withheld-institution-{language}.png", artifacts)
            _tab(page, 2, ".sk-dash-progress-chart")
            assert page.locator(".sk-dash-progress-by").is_hidden()  # no "by interviewer" for a council
            text = " ".join(_texts(page, ".sk-dash-progress-chart", "text"))
            assert "n < 5" in text and not [n for n in names if n in text]
            _screenshot(page, f"disclosure-fieldwork-{language}.png", artifacts)
            _tab(page, 3, ".sk-dash-question-chart")
            page.locator(".sk-dash-mode select").select_option(
                label="По телефону" if language == "ru" else "Telephone"
            )
            page.wait_for_timeout(1500)
            _chart(page, ".sk-dash-question-chart")
            assert not page.evaluate(DROPDOWN_PROBLEMS), page.evaluate(DROPDOWN_PROBLEMS)
            _screenshot(page, f"disclosure-questions-{language}.png", artifacts)
            page.locator(".sk-dash-mode select").select_option(index=0)
            content = html.unescape(page.content())
            assert not [n for n in names if n in content], "an interviewer's name reached the page"
            shown = re.sub(r"<[^>]+>", " ", content)
            assert not [c for c in TYPE_CODES if re.search(rf"(?<![\w/.-]){c}(?![\w/.-])", shown)]
            assert "Учебная организация" not in content
    finally:
        page.close(run_before_unload=True)
