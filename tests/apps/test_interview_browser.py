"""The interview app as interviewers use it: served by Voilà, driven in headless Chromium.

An interviewer signs in, starts a new respondent (the first screen: who to interview and consent), fills the
recipient survey with its skip logic, triggers and fixes a constraint error, switches language and submits; the database then holds exactly the expected answers and
paradata. A second test kills the server (SIGKILL) mid-interview and resumes the draft after a restart.
Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import pytest

from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 90_000  # ms: a Voilà page on a busy 2-core machine can take a while


@pytest.fixture(scope="module")
def fieldwork(tmp_path_factory):
    """A small demo database (certified interviewers with assignments) in its own data folder."""
    folder = tmp_path_factory.mktemp("interview-app")
    url = f"sqlite:///{folder / 'surveykit.sqlite'}"
    build_demo(url, seed=11, size="small")
    return {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder)}


def first_assignment(env, login: str):
    """The interviewer's assignment of the current period (2026; the 2025 ones are over and full)."""
    with Store.open(env["SURVEYKIT_DATABASE_URL"]) as store:
        return store.assignments(interviewer_id=login, period="2026")[0]


def begin(page, assignment):
    """Start a new respondent: the first screen (who to interview, consent), "yes", begin the interview."""
    page.locator(f".sk-start-{assignment.id}").click(timeout=TIMEOUT)
    page.locator(".sk-contact-consent button", has_text="Да").click(timeout=TIMEOUT)
    page.locator(".sk-contact-begin").click()
    page.locator(".sk-q-proxy_respondent").wait_for(timeout=TIMEOUT)


def sign_in(page, server, login: str):
    page.goto(server.url("interview"), timeout=TIMEOUT)
    page.locator(".sk-login input").fill(login, timeout=TIMEOUT)
    page.locator(".sk-code input").fill(DEMO_ACCESS_CODE)
    page.locator(".sk-sign-in").click()


def answer(page, code: str, label: str):
    """Click the choice ``label`` of question ``code`` (toggle buttons and radio buttons alike)."""
    box = page.locator(f".sk-q-{code}")
    box.wait_for(timeout=TIMEOUT)
    buttons = box.locator("button", has_text=label)
    if buttons.count():
        buttons.first.click()
    else:
        box.locator("label", has_text=label).first.click()
    page.wait_for_timeout(250)


def next_page(page, expect: str):
    page.locator(".sk-next").click()
    page.locator(f".sk-q-{expect}").first.wait_for(timeout=TIMEOUT)


def test_interview_with_skip_logic_constraint_language_switch_and_submit(
    browser, voila_server, fieldwork, artifacts
):
    server = voila_server(fieldwork)
    assignment = first_assignment(fieldwork, "boris")
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    sign_in(page, server, "boris")
    page.locator(f".sk-start-{assignment.id}").click(timeout=TIMEOUT)
    page.locator(".sk-contact-consent").wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(artifacts / "interview-1-consent.png"), full_page=True)
    page.locator(".sk-contact-consent button", has_text="Да").click()
    page.locator(".sk-contact-begin").click()
    page.locator(".sk-q-consent").wait_for(timeout=TIMEOUT)

    # a constraint error shows next to the question, in the questionnaire's own words, and can be fixed
    answer(page, "consent", "Нет")
    error = page.locator(".sk-q-consent .sk-error")
    error.wait_for(timeout=TIMEOUT)
    assert "согласи" in error.inner_text().lower()
    page.screenshot(path=str(artifacts / "interview-2-constraint.png"), full_page=True)
    answer(page, "consent", "Да")
    assert page.locator(".sk-q-consent .sk-error").count() == 0
    answer(page, "proxy_respondent", "Нет")
    next_page(page, "q1")

    # skip logic: q2 appears only after "yes" to q1
    assert page.locator(".sk-q-q2").count() == 0
    answer(page, "q1", "Да")
    page.locator(".sk-q-q2").wait_for(timeout=TIMEOUT)
    answer(page, "q1", "Нет")
    page.wait_for_timeout(500)
    assert page.locator(".sk-q-q2").count() == 0
    answer(page, "q3", "Да")
    answer(page, "q4", "Да")
    page.screenshot(path=str(artifacts / "interview-3-skip-logic.png"), full_page=True)
    next_page(page, "q5")

    # switching language keeps the answers
    page.locator(".sk-lang button", has_text="English").click()
    page.locator(".sk-q-q5 button", has_text="Yes").wait_for(timeout=TIMEOUT)
    answer(page, "q5", "Yes")
    answer(page, "q6", "Yes")
    answer(page, "q7", "No")
    assert page.locator(".sk-q-q8").count() == 0
    next_page(page, "q9")
    for code, label in (("q9", "Yes"), ("q10", "Yes"), ("q11", "Yes")):
        answer(page, code, label)
    page.locator(".sk-q-q12").wait_for(timeout=TIMEOUT)
    answer(page, "q12", "Yes")
    next_page(page, "q13")
    for code, label in (("q13", "Yes"), ("q14", "No"), ("q15", "Yes")):
        answer(page, code, label)
    next_page(page, "sex")
    page.locator(".sk-q-q16 textarea, .sk-q-q16 input").first.fill("Больше занятий по утрам")
    page.locator(".sk-q-q16 textarea, .sk-q-q16 input").first.press("Tab")
    answer(page, "sex", "Female")
    answer(page, "age_group", "75 and over")
    answer(page, "service_form", "At home (home care)")
    page.screenshot(path=str(artifacts / "interview-4-english.png"), full_page=True)
    page.locator(".sk-next").click()  # the last page: on to the review
    page.locator(".sk-submit").wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(artifacts / "interview-5-review.png"), full_page=True)
    page.locator(".sk-submit").click()
    page.locator(".sk-next-interview").wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(artifacts / "interview-6-submitted.png"), full_page=True)
    page.close(run_before_unload=True)

    with Store.open(fieldwork["SURVEYKIT_DATABASE_URL"]) as store:
        paradata = store.paradata_frame()
        submitted = paradata.loc[paradata["event"] == "submit", "interview_id"].unique()
        assert len(submitted) == 1
        loaded = store.load_interview(submitted[0])
        assert loaded.meta.status == "submitted" and loaded.meta.interviewer_id == "boris"
        assert loaded.meta.institution_id == assignment.institution_id
        answers = {k: v for k, v in loaded.answers.items() if v is not None}
        assert answers == {
            "consent": "yes", "proxy_respondent": "no", "q1": "no", "q3": "yes", "q4": "yes", "q5": "yes",
            "q6": "yes", "q7": "no", "q9": "yes", "q10": "yes", "q11": "yes", "q12": "yes", "q13": "yes",
            "q14": "no", "q15": "yes", "q16": "Больше занятий по утрам", "sex": "female", "age_group": "a75p",
            "service_form": "home",
        }  # fmt: skip
        events = paradata[paradata["interview_id"] == submitted[0]]
        kinds = events["event"].tolist()
        assert kinds.count("page_enter") >= 6 and kinds[-1] == "submit"
        consent = events[(events["question"] == "consent") & (events["event"] == "answer_changed")]
        assert consent[["old_value", "new_value"]].values.tolist() == [["yes", "no"], ["no", "yes"]]
        (case,) = [c for c in store.fieldwork.cases() if c.interview_id == submitted[0]]
        assert [a.disposition for a in store.fieldwork.attempts(case.id)] == ["1.1"]  # the case is complete
        q1 = events[events["question"] == "q1"]["event"].tolist()
        assert q1 == ["answer_set", "answer_changed"]  # yes, then no
        switch = events[events["event"] == "language_switch"]
        assert switch[["old_value", "new_value"]].values.tolist() == [["ru", "en"]]
        assert (events["elapsed_ms"] >= 0).all()


def test_a_killed_server_loses_nothing_but_the_page_in_progress(browser, voila_server, fieldwork, artifacts):
    server = voila_server(fieldwork)
    assignment = first_assignment(fieldwork, "vera")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    sign_in(page, server, "vera")
    begin(page, assignment)
    answer(page, "proxy_respondent", "Да")
    next_page(page, "q1")
    answer(page, "q1", "Да")
    answer(page, "q2", "Нет")
    answer(page, "q3", "Нет")
    next_page(page, "q5")
    answer(page, "q5", "Да")  # the page in progress: allowed to be lost
    server.kill()

    restarted = voila_server(fieldwork)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    sign_in(page, restarted, "vera")
    page.locator(".sk-resume").click(timeout=TIMEOUT)
    page.locator(".sk-q-q5").wait_for(timeout=TIMEOUT)  # back on the page that was in progress
    page.screenshot(path=str(artifacts / "interview-7-resumed.png"), full_page=True)
    page.locator(".sk-back").click()
    page.locator(".sk-q-q2").wait_for(timeout=TIMEOUT)
    pressed = page.locator(".sk-q-q2 button.mod-active")
    assert pressed.inner_text().strip() == "Нет"
    with Store.open(fieldwork["SURVEYKIT_DATABASE_URL"]) as store:
        (draft,) = store.drafts("vera")
        loaded = store.load_interview(draft.id)
    assert {k: v for k, v in loaded.answers.items() if v is not None} == {
        "consent": "yes", "proxy_respondent": "yes", "q1": "yes", "q2": "no", "q3": "no",
    }  # fmt: skip
