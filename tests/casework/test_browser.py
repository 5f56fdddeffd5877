"""The supervisor's quality-control view as supervisors use it: served by Voilà, driven in headless Chromium.

The database is the small demo after a quality-control run (the configured checks plus four duplicate flags
on one interviewer's interviews, as in the end-to-end test). The supervisor signs in, opens the flags chart,
approves one case and sends another to back-check from the case queue, records the back-check (a full
falsification) with the form, and sees the exclusion and its effect on the rating; the store must hold
every decision. Then the same tabs in Russian. A screenshot of each tab goes to ``artifacts/``.

Skipped with a reason when Chromium or Playwright is missing, unless ``SURVEYKIT_REQUIRE_BROWSER=1`` (CI).
"""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from surveykit import casework as cw
from surveykit.access import OPERATOR
from surveykit.demo import DEMO_ACCESS_CODE
from surveykit.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 90_000  # ms: a Voilà page on a busy 2-core machine can take a while
QC_TABS = 5  # five tabs of the supervisor app are the quality-control view, starting at the flags tab
KEY = re.compile(r"\b(casework|supervisor|app)\.[a-z_]+")  # an untranslated locale key


@pytest.fixture
def qc_env(demo_template, tmp_path):
    """The small demo after a quality-control run; what the test needs to know about it."""
    folder = tmp_path / "qc"
    folder.mkdir()
    target = folder / "surveykit.sqlite"
    shutil.copyfile(demo_template, target)
    url = f"sqlite:///{target}"
    with Store.open(url) as store:
        frame = store.interviews_frame("recipient_survey")
        boris = frame[frame["interviewer_id"] == "boris"]
        institution = boris["institution_id"].value_counts().index[0]
        suspects = boris[boris["institution_id"] == institution]["interview_id"].head(4).tolist()
        duplicates = pd.DataFrame(
            [
                {"rule": "duplicates", "level": "interview", "interview_id": i, "interviewer_id": "boris",
                 "institution_id": institution, "value": 0.97, "threshold": 0.85, "detail": "97 % match"}
                for i in suspects
            ]
        )  # fmt: skip
        flags = pd.concat([cw.run_checks_for(store, "recipient_survey"), duplicates], ignore_index=True)
        run = cw.run_qc(store, "recipient_survey", actor=OPERATOR, flags=flags)
        assert run.cases_opened == len(flags) >= 5
        cases = store.casework.cases(status="open")
        suspect_case = int(cases.set_index("interview_id").loc[suspects[0], "id"])
        other_case = int(cases[cases["id"] != suspect_case]["id"].iloc[0])
        names = {p.id: p.display_name for p in store.people()}
        institutions = {i.id: i.name for i in store.institutions()}
    return {
        "env": {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder)},
        "url": url,
        "suspect": suspects[0],
        "suspect_case": suspect_case,
        "other_case": other_case,
        "open_cases": len(cases),
        "boris": names["boris"],
        "institution": institutions[institution],
    }


def _sign_in(page, server, language: str, login: str = "olga") -> None:
    page.goto(server.url("supervisor", lang=language), timeout=TIMEOUT)
    page.locator(".sk-login input").fill(login, timeout=TIMEOUT)
    page.locator(".sk-code input").fill(DEMO_ACCESS_CODE)
    page.locator(".sk-sign-in").click()
    page.locator(".sk-supervisor-tabs").wait_for(timeout=TIMEOUT)


def _first_qc_tab(page, language: str) -> int:
    """The index of the first quality-control tab (other tabs, e.g. fieldwork, may follow the view)."""
    from surveykit.i18n import t

    titles = [x.strip() for x in page.locator(".sk-supervisor-tabs .lm-TabBar-tab").all_inner_texts()]
    return titles.index(t("casework.tab_flags", language))


def _open_tab(page, index: int):
    """Click a tab of the supervisor app; the tab's panel (visible)."""
    page.locator(".sk-supervisor-tabs .lm-TabBar-tab").nth(index).click()
    panel = page.locator(".sk-supervisor-tabs > .widget-tab-contents > .widget-box:visible").first
    panel.wait_for(timeout=TIMEOUT)
    return panel


def _screenshot(page, artifacts, name: str) -> None:
    """The whole app: Voilà scrolls inside the page, so the viewport is made as tall as the app."""
    height = page.evaluate("() => document.querySelector('.sk-app').getBoundingClientRect().bottom")
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": int(min(max(height + 40, 900), 5000))})
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / name), full_page=True)
    page.set_viewport_size({"width": width, "height": 900})


def _notice(page, contains: str) -> str:
    banner = page.locator(".sk-banner", has_text=contains)
    banner.wait_for(timeout=TIMEOUT)
    return banner.inner_text()


def _readable(text: str) -> None:
    """No untranslated locale key, no Python leftovers in what the user reads."""
    assert not KEY.search(text), KEY.search(text).group(0)
    for leftover in ("nan", "None", "<NA>", "Traceback"):
        assert not re.search(rf"(?<![\w-]){re.escape(leftover)}(?![\w-])", text), leftover


def _options(select) -> list[str]:
    """A dropdown's labels (ipywidgets writes their spaces as no-break spaces)."""
    return [o.replace("\xa0", " ") for o in select.locator("option").all_text_contents()]


def _choose(select, label: str) -> None:
    select.select_option(index=_options(select).index(label))


def _chart(page) -> dict[str, list[str]]:
    frame = page.frame_locator(".sk-flags-chart iframe")
    frame.locator(".main-svg").first.wait_for(timeout=TIMEOUT)
    return {
        "x": frame.locator("g.xtick text").all_text_contents(),
        "titles": frame.locator(".gtitle, .g-xtitle text, .g-ytitle text").all_text_contents(),
        "legend": frame.locator(".legendtext").all_text_contents(),
    }


def test_the_supervisor_reviews_cases_and_records_a_backcheck(browser, voila_server, qc_env, artifacts):
    server = voila_server(qc_env["env"])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        _sign_in(page, server, "en")
        first = _first_qc_tab(page, "en")

        # flags by interviewer: a labelled chart with names, and the table under it
        panel = _open_tab(page, first)
        chart = _chart(page)
        assert qc_env["boris"] in chart["x"] and "boris" not in chart["x"]
        assert "Quality-control cases per interviewer" in chart["titles"] and "Interviewer" in chart["titles"]
        legend = page.locator(".sk-flags-legend").first.inner_text()  # the rules' names, not their codes
        assert "near-duplicates" in legend and "duplicates" in legend and "near_duplicates" not in legend
        assert qc_env["boris"] in page.locator("table.sk-flags").inner_text()
        _readable(panel.inner_text())
        _screenshot(page, artifacts, "supervisor-qc-1-flags.png")

        # the case queue: approve one case (it leaves the queue), send another to back-check
        panel = _open_tab(page, first + 1)
        cards = panel.locator(".sk-card")
        assert cards.count() == qc_env["open_cases"]
        assert f"{qc_env['open_cases']} open case(s)" in panel.inner_text()
        suspect = page.locator(f".sk-case-{qc_env['suspect_case']}")
        assert qc_env["institution"] in suspect.inner_text() and qc_env["boris"] in suspect.inner_text()
        _readable(panel.inner_text())
        _screenshot(page, artifacts, "supervisor-qc-2-cases.png")
        page.locator(f".sk-case-{qc_env['other_case']} .sk-case-approve").click()
        assert f"Case #{qc_env['other_case']} approved" in _notice(page, "approved")
        page.locator(f".sk-case-{qc_env['other_case']}").wait_for(state="detached", timeout=TIMEOUT)
        assert cards.count() == qc_env["open_cases"] - 1
        suspect.locator(".sk-case-backcheck").click()
        _notice(page, "sent to back-check")
        suspect.locator(".sk-case-backcheck").wait_for(state="detached", timeout=TIMEOUT)
        assert "back-check" in suspect.inner_text() and suspect.locator(".sk-case-approve").count() == 1
        with Store.open(qc_env["url"]) as store:
            assert store.casework.case(qc_env["other_case"]).status == "closed"
            assert store.casework.case(qc_env["other_case"]).resolution == "approved"
            assert store.casework.case(qc_env["suspect_case"]).status == "backcheck"
            queued = store.casework.backchecks(status="queued", questionnaire_id="recipient_survey")
            check = int(queued.set_index("interview_id").loc[qc_env["suspect"], "id"])
            done_before = len(store.casework.backchecks(status="done", questionnaire_id="recipient_survey"))

        # back-checks: progress per interviewer, and the form; a full falsification is recorded
        panel = _open_tab(page, first + 2)
        assert f"{len(queued)} back-check(s) queued, {done_before} done" in panel.inner_text()
        progress = panel.locator("table.sk-backcheck-progress")
        assert qc_env["boris"] in progress.inner_text()
        _readable(panel.inner_text())
        _screenshot(page, artifacts, "supervisor-qc-3-backchecks.png")
        pick = panel.locator(".sk-bc-pick select")
        label = next(o for o in _options(pick) if o.startswith(f"#{check} "))
        assert qc_env["boris"] in label and qc_env["institution"] in label
        _choose(pick, label)
        for code, answer in (("happened", "no"), ("eligible", "yes"), ("staff_present", "no")):
            _choose(panel.locator(f".sk-bc-{code} select"), answer)
        panel.locator(".sk-bc-comment input").fill("nobody was visited at this address")
        _choose(panel.locator(".sk-bc-outcome select"), "full falsification")
        panel.locator(".sk-bc-record").click()
        message = _notice(page, "suspended")
        assert f"Back-check #{check}: full falsification" in message and "excluded from ratings" in message
        page.wait_for_function(
            "n => document.querySelector('.sk-supervisor-tabs').innerText.includes(`queued, ${n} done`)",
            arg=done_before + 1,
            timeout=TIMEOUT,
        )
        boris_row = progress.locator("tr", has_text=qc_env["boris"]).inner_text()
        assert "\t1\t" in boris_row  # one done, and it is the full falsification
        with Store.open(qc_env["url"]) as store:
            recorded = store.casework.backcheck(check)
            assert recorded.outcome == "full_falsification" and recorded.status == "done"
            assert store.casework.case(qc_env["suspect_case"]).resolution == "full_falsification"
            assert store.casework.excluded_ids("recipient_survey") == {qc_env["suspect"]}
            assert not store.certification_status("boris").valid
            queued_after = len(
                store.casework.backchecks(status="queued", questionnaire_id="recipient_survey")
            )
        assert f"{queued_after} back-check(s) queued, {done_before + 1} done" in panel.inner_text()
        _screenshot(page, artifacts, "supervisor-qc-3b-backcheck-recorded.png")

        # the case left the queue (closed by the back-check)
        panel = _open_tab(page, first + 1)
        assert page.locator(f".sk-case-{qc_env['suspect_case']}").count() == 0
        assert cards.count() == qc_env["open_cases"] - 2

        # exclusions: the interview, with the interviewer's and the institution's names, and a way back
        panel = _open_tab(page, first + 3)
        card = panel.locator(".sk-card")
        assert card.count() == 1 and panel.locator(".sk-lift").count() == 1
        assert qc_env["boris"] in card.inner_text() and qc_env["institution"] in card.inner_text()
        _readable(panel.inner_text())
        _screenshot(page, artifacts, "supervisor-qc-4-exclusions.png")

        # the effect on the rating: computed when the tab opens; the institution lost one interview
        panel = _open_tab(page, first + 4)
        effect = panel.locator("table.sk-effect")
        effect.wait_for(timeout=TIMEOUT)
        assert "Score without excluded" in effect.inner_text()
        hit = effect.locator("tr", has_text=qc_env["institution"]).first.inner_text()
        assert hit.rstrip().endswith("1")  # excluded interviews: 1
        marked = effect.locator("tr", has=page.locator("td.sk-qc-hit"))
        assert marked.count() == 1 and qc_env["institution"] in marked.inner_text()
        assert re.search(r"\t\d+\.\d\d\t\d+\.\d\d\t[+-]\d+\.\d\d\t", marked.inner_text())
        _readable(panel.inner_text())
        _screenshot(page, artifacts, "supervisor-qc-5-effect.png")
    finally:
        page.close(run_before_unload=True)

    # the same view in Russian: every tab readable, names rather than ids
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        _sign_in(page, server, "ru", "pavel")
        first = _first_qc_tab(page, "ru")
        titles = page.locator(".sk-supervisor-tabs .lm-TabBar-tab").all_inner_texts()[first : first + QC_TABS]
        assert titles == ["Сигналы по интервьюерам", "Очередь случаев", "Повторные проверки", "Исключения",
                          "Влияние на рейтинг"]  # fmt: skip
        for index, name in enumerate(("flags", "cases", "backchecks", "exclusions", "effect")):
            panel = _open_tab(page, first + index)
            if name == "flags":
                chart = _chart(page)
                assert "Случаи контроля качества по интервьюерам" in chart["titles"]
                assert qc_env["boris"] in chart["x"]
            if name == "effect":
                panel.locator("table.sk-effect").wait_for(timeout=TIMEOUT)
            _readable(panel.inner_text())
            # no code (snake_case) outside the checks' own detail notes, dropdown options included
            text = panel.evaluate(
                "el => { const c = el.cloneNode(true); c.querySelectorAll('.sk-note').forEach(n => n.remove());"
                " return c.textContent; }"
            )
            code = re.search(r"[a-z]+_[a-z_]+", text)
            assert code is None, code.group(0)
            _screenshot(page, artifacts, f"supervisor-qc-ru-{index + 1}-{name}.png")
    finally:
        page.close(run_before_unload=True)
