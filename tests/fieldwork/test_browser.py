"""Fieldwork in the browser (issue 15, "Done when"): an interviewer records a refusal and an appointment in
the interview app; the supervisor sees both in the fieldwork tab; the rates change as expected; the council's
fieldwork tab shows rates and no interviewer. In Russian and in English, with screenshots under artifacts/
(fieldwork-<lang>-*.png)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.fieldwork.contacts import rates_table
from surveykit.i18n import t
from surveykit.store import Store
from surveykit.ui.fieldwork_tab import rate_cell

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 90_000
KEY = re.compile(r"\b(?:contact|home|over|stop|fieldwork|campaign|outcome|disposition|category)\.[a-z_.]+\b")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fieldwork-browser")
    url = f"sqlite:///{folder / 'surveykit.sqlite'}"
    build_demo(url, seed=11, size="small", quality_control=False)
    return {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder)}


def rates_now(url: str) -> dict:
    with Store.open(url) as store:
        table = rates_table(store.fieldwork.cases_frame(period="2026"))
    return table.iloc[-1].to_dict()


def shot(page, artifacts, name: str) -> None:
    height = page.evaluate("() => document.querySelector('.sk-app').getBoundingClientRect().bottom")
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": int(min(max(height + 40, 900), 5000))})
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / name), full_page=True)
    page.set_viewport_size({"width": width, "height": 900})


def sign_in(page, server, app: str, login: str, language: str) -> None:
    page.goto(server.url(app, lang=language), timeout=TIMEOUT)
    page.locator(".sk-login input").fill(login, timeout=TIMEOUT)
    page.locator(".sk-code input").fill(DEMO_ACCESS_CODE)
    page.locator(".sk-sign-in").click()


def readable(text: str) -> None:
    assert not KEY.search(text), KEY.search(text).group(0)
    for leftover in ("nan", "None", "<NA>", "Traceback"):
        assert not re.search(rf"(?<![\w-]){re.escape(leftover)}(?![\w-])", text), leftover


@pytest.mark.parametrize(("language", "interviewer"), [("ru", "egor"), ("en", "grigory")])
def test_a_refusal_and_an_appointment_reach_the_supervisor_and_the_rates(
    browser, voila_server, env, artifacts, language, interviewer
):
    url = env["SURVEYKIT_DATABASE_URL"]
    before = rates_now(url)
    with Store.open(url) as store:
        assignment = store.assignments(interviewer_id=interviewer, period="2026")[0]
        name = store.person(interviewer).display_name
        known = {c.id for c in store.fieldwork.cases()}
    server = voila_server(env)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    prefix = f"fieldwork-{language}"
    try:
        sign_in(page, server, "interview", interviewer, language)

        # the first screen: who to interview and the consent script, no page counter, no review button
        page.locator(f".sk-start-{assignment.id}").click(timeout=TIMEOUT)
        page.locator(".sk-contact-consent").wait_for(timeout=TIMEOUT)
        first = page.locator(".sk-app").inner_text()
        assert t("contact.who_title", language) in first and t("contact.script_title", language) in first
        for absent in (t("form.review", language), t("form.page_of", language, page=1, pages=1)):
            assert absent not in first
        readable(first)
        shot(page, artifacts, f"{prefix}-1-first-screen.png")

        # "no" to consent: the refusal is recorded in the app as the case's outcome
        no = {"ru": "Нет", "en": "No"}[language]  # the questionnaire's own label of the consent choice
        page.locator(".sk-contact-consent button", has_text=no).click()
        page.locator(".sk-contact-record-refusal").wait_for(timeout=TIMEOUT)
        shot(page, artifacts, f"{prefix}-2-refusal.png")
        page.locator(".sk-contact-record-refusal").click()
        recorded = page.locator(".sk-banner-ok", has_text=t("disposition.2.112", language))
        recorded.wait_for(timeout=TIMEOUT)  # the banner names the case and its outcome
        shot(page, artifacts, f"{prefix}-3-refusal-recorded.png")

        # an appointment within the reminder window (24 h), shown as a reminder on the home page
        soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).replace(second=0, microsecond=0)
        tomorrow, hhmm = soon.date(), f"{soon:%H:%M}"
        page.locator(f".sk-start-{assignment.id}").click(timeout=TIMEOUT)
        page.locator(".sk-contact-outcome button", has_text=t("outcome.appointment", language)).click(
            timeout=TIMEOUT
        )
        date = page.locator(".sk-contact-date input")
        date.fill(tomorrow.isoformat())
        date.dispatch_event("change")
        page.locator(".sk-contact-time input").fill(hhmm)
        page.locator(".sk-contact-time input").press("Tab")
        page.wait_for_timeout(300)
        shot(page, artifacts, f"{prefix}-4-appointment.png")
        page.locator(".sk-contact-record").click()
        reminders = page.locator(".sk-reminders")
        reminders.wait_for(timeout=TIMEOUT)
        assert f"{tomorrow:%d.%m.%Y} {hhmm}" in reminders.inner_text()
        readable(page.locator(".sk-app").inner_text())
        shot(page, artifacts, f"{prefix}-5-reminder.png")
        page.close(run_before_unload=True)

        with Store.open(url) as store:
            new = [
                c for c in store.fieldwork.cases_frame(period="2026").itertuples() if c.case_id not in known
            ]
        assert sorted(c.final for c in new) == ["2.112", "2.25"]
        assert all(c.interviewer_id == interviewer for c in new)

        # the supervisor sees both, and the rates that changed
        after = rates_now(url)
        assert (after["R"], after["NC"]) == (before["R"] + 1, before["NC"] + 1)
        assert after["REF1"] > before["REF1"] and after["RR1"] < before["RR1"]
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, server, "supervisor", "olga", language)
        page.locator(".sk-supervisor-tabs").wait_for(timeout=TIMEOUT)
        titles = [x.strip() for x in page.locator(".sk-supervisor-tabs .lm-TabBar-tab").all_inner_texts()]
        page.locator(".sk-supervisor-tabs .lm-TabBar-tab").nth(
            titles.index(t("fieldwork.tab", language))
        ).click()
        contacts = page.locator(".sk-fieldwork-contacts")
        contacts.locator("table").wait_for(timeout=TIMEOUT)
        latest = contacts.inner_text()
        assert name in latest
        assert f"{t('disposition.2.112', language)} (2.112)" in latest
        assert (
            f"{t('disposition.2.25', language)} (2.25)" in latest and f"{tomorrow:%d.%m.%Y} {hhmm}" in latest
        )
        shown = page.locator(".sk-fieldwork-rates").inner_text()
        assert rate_cell(after["REF1"], language).replace(" ", "") in shown.replace(" ", "").replace(
            "\xa0", ""
        )
        readable(page.locator(".sk-fieldwork").inner_text())
        shot(page, artifacts, f"{prefix}-6-supervisor.png")
        page.close(run_before_unload=True)

        # the council's fieldwork tab: rates per institution, never who interviewed
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, server, "dashboard", "council", language)
        page.locator(".sk-dash-tabs").wait_for(timeout=TIMEOUT)
        from surveykit.ui.dashboard_app import DashboardApp

        page.locator(".sk-dash-tabs .lm-TabBar-tab").nth(DashboardApp.TABS.index("progress")).click()
        council = page.locator(".sk-dash-fieldwork-rates")
        council.locator("table").wait_for(timeout=TIMEOUT)
        text = council.inner_text()
        assert t("fieldwork.rate.RR1", language) in text and "%" in text
        with Store.open(url) as store:
            assert not any(p.display_name in text for p in store.people("interviewer"))
        by_interviewer = page.locator(
            ".sk-dash-progress-by button", has_text=t("dash.by_interviewer", language)
        )
        assert by_interviewer.count() == 0  # no "by interviewer" for a council
        readable(text)
        page.set_viewport_size({"width": 1280, "height": 2400})
        page.wait_for_timeout(700)
        page.screenshot(path=str(artifacts / f"{prefix}-7-council.png"), full_page=True)
    finally:
        page.close(run_before_unload=True)
