"""The admin app in Voilà and headless Chromium: an administrator signs in, creates a person (the code is
shown once), locks are visible, the audit log is filtered; screenshots in artifacts/."""

from __future__ import annotations

import re

import pytest

from surveykit.config import PROJECT_ROOT
from surveykit.i18n import t
from surveykit.store import Store, audit

from .conftest import CODES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = PROJECT_ROOT / "artifacts"
TIMEOUT = 90_000  # ms: Voilà pages on a busy 2-core machine
DATES_CLIP = {"x": 0, "y": 200, "width": 1280, "height": 260}  # the audit filters, the date fields among them
FILTERS = ".sk-filter-actor, .sk-filter-entity, .sk-filter-action, .sk-filter-since, .sk-filter-until, .sk-audit-show"
#: the filters that are not whole: a field (select, date input) sticking out of its widget (cut by the row
#: below it or squeezed), two filters overlapping, or a filter beyond the window or a box that cuts overflow
CLIPPED = """(selector) => {
  const out = [], boxes = [];
  const inside = (r, b) => r.left >= b.left - 0.5 && r.right <= b.right + 0.5 && r.top >= b.top - 0.5 && r.bottom <= b.bottom + 0.5;
  for (const widget of document.querySelectorAll(selector)) {
    const w = widget.getBoundingClientRect();
    boxes.push([widget.className, w]);
    if (w.width === 0 || w.left < 0 || w.right > window.innerWidth + 0.5) out.push(['outside the window', widget.className]);
    for (const field of widget.querySelectorAll('select, input')) {
      if (!inside(field.getBoundingClientRect(), w)) out.push(['field cut', widget.className]);
    }
    for (let box = widget.parentElement; box; box = box.parentElement) {
      if (getComputedStyle(box).overflowX === 'visible' && getComputedStyle(box).overflowY === 'visible') continue;
      const b = box.getBoundingClientRect();
      if (w.right > b.right + 0.5 || w.left < b.left - 0.5) { out.push(['cut by the panel', widget.className]); break; }
    }
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, b] = [boxes[i][1], boxes[j][1]];
    if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
      out.push(['overlap', boxes[i][0], boxes[j][0]]);
  }
  return out;
}"""


@pytest.fixture
def voila(tmp_path, voila_server):
    from surveykit.ui.server import free_port

    url = f"sqlite:///{tmp_path / 'data' / 'surveykit.sqlite'}"
    (tmp_path / "data").mkdir()
    Store.upgrade(url)
    with Store.open(url, enforce_certification=False) as store:
        store.add_person("ada", "Ада Админова", ["administrator"], login="ADA", access_code=CODES["ada"])
        store.add_person("anna", "Анна Иванова", ["interviewer"], login="ANNA01", access_code=CODES["anna"])
        store.add_person("sofia", "София Петрова", ["supervisor", "trainer"], login="SOFIA")
        with store.db.transaction() as conn:  # actions and kinds with the longest names: the filters' widths
            for action, entity in (
                ("restore_foreign_archive", "calibration_result"),
                ("review_open_answer", "qc_case"),
            ):
                audit.record(conn, actor=None, action=action, entity=entity, entity_id="x")
    port = free_port()
    env = {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(tmp_path / "data")}
    voila_server(env, port=port)
    return f"http://127.0.0.1:{port}/voila/render/admin.ipynb", url


def test_an_administrator_manages_people_and_reads_the_audit_log(voila, browser):
    base, url = voila
    with Store.open(url) as store:
        for _ in range(5):  # anna is locked out before the administrator comes
            with pytest.raises(Exception):  # noqa: B017 - any refusal; the tests of sign-in check the codes
                store.sign_in("anna01", "WRNG-CODE")
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(base, timeout=TIMEOUT)
        page.wait_for_selector(".sk-login input", timeout=TIMEOUT)
        page.fill(".sk-login input", "ANNA01")  # not an administrator: refused, in Russian
        page.fill(".sk-code input", CODES["anna"])
        page.click(".sk-sign-in")
        page.wait_for_selector(".sk-banner-error", timeout=TIMEOUT)
        page.fill(".sk-login input", "ada")
        page.fill(".sk-code input", CODES["ada"])
        page.click(".sk-sign-in")
        page.wait_for_selector(".sk-people table", timeout=TIMEOUT)
        assert "заблокирован до" in page.inner_text(".sk-people")
        page.fill(".sk-new-id input", "vera")
        page.fill(".sk-new-name input", "Вера Смирнова")
        page.click(".sk-create")
        code_box = page.wait_for_selector(".sk-new-code b", timeout=TIMEOUT)
        code = code_box.inner_text().strip()
        page.screenshot(path=str(ARTIFACTS / "admin-people.png"), full_page=True)
        with Store.open(url) as store:
            assert store.sign_in("vera", code).display_name == "Вера Смирнова"
        page.select_option(".sk-person select", label="Анна Иванова (anna)")
        page.click(".sk-unlock")
        page.wait_for_selector("text=разблокирован", timeout=TIMEOUT)
        with Store.open(url) as store:
            assert not store.person("anna").locked()
        page.click(".lm-TabBar-tab >> nth=1")
        page.wait_for_selector(".sk-audit table", timeout=TIMEOUT)
        # a Russian page in a Russian browser: the date filters read dd.mm.yyyy, as a Russian user's do
        assert page.evaluate("navigator.language") == "ru-RU"
        # ... and the page says it is Russian (Voilà writes lang="en": Chromium then shows mm/dd/yyyy)
        page.wait_for_function("document.documentElement.lang === 'ru'", timeout=TIMEOUT)
        page.screenshot(path=str(ARTIFACTS / "admin-audit-dates-ru.png"), clip=DATES_CLIP)
        audit_text = page.inner_text(".sk-audit")
        assert not re.search(r"\d{4}-\d\d-\d\d", audit_text), audit_text[:400]  # times in words
        assert "действует до" in audit_text and " г., " in audit_text  # the session's expiry, in words
        for width in (1280, 1024):  # every filter whole: none cut at the panel's right edge
            page.set_viewport_size({"width": width, "height": 1000})
            page.wait_for_timeout(300)
            assert page.evaluate(CLIPPED, FILTERS) == [], width
            page.screenshot(path=str(ARTIFACTS / f"admin-audit-filters-{width}.png"))
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.select_option(".sk-filter-actor select", label="Ада Админова")
        page.click(".sk-audit-show")
        from surveykit.administration import action_label

        failed = action_label("sign_in_failed", "ru")  # actions in words (issue 16 item 8)
        page.wait_for_function(
            "(failed) => document.querySelector('.sk-audit') && "
            "!document.querySelector('.sk-audit').innerText.includes(failed)",
            arg=failed,
            timeout=TIMEOUT,
        )
        text = page.inner_text(".sk-audit")
        assert action_label("unlock", "ru") in text and action_label("create", "ru") in text
        for lang, name in (("en", "English"), ("ru", "Русский")):  # the page's language follows the app's
            page.locator(".sk-lang button", has_text=name).click()
            page.locator(".lm-TabBar-tab", has_text=t("admin.tab_audit", lang)).wait_for(timeout=TIMEOUT)
            page.wait_for_function(f"document.documentElement.lang === '{lang}'", timeout=TIMEOUT)
        page.wait_for_selector(".sk-audit table", timeout=TIMEOUT)
        page.click(".sk-export-csv")
        page.wait_for_selector(".sk-download a", timeout=TIMEOUT)
        page.screenshot(path=str(ARTIFACTS / "admin-audit.png"), full_page=True)
        with page.expect_download(timeout=TIMEOUT) as download:
            page.click(".sk-download a")
        exported = download.value.path().read_text(encoding="utf-8")
        assert (
            exported.startswith("id,at,actor,action,entity,entity_id,details") and ",ada,unlock," in exported
        )
    finally:
        page.close()
