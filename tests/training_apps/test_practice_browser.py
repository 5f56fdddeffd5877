"""Every practice persona runs in the practice app in headless Chromium, in Russian and in English: choose
the persona, the cover sheet (the persona's mode), the contact moves its script needs, the first question
where the contact leads to an interview, then the contact is ended with its outcome and the score shown.
The trainer's app shows the behaviour cards. Screenshots of every contact and report are saved under
``artifacts/practice-<persona>-<lang>-*.png``.

Skipped with a reason when Chromium or Playwright is missing, unless ``SURVEYKIT_REQUIRE_BROWSER=1`` (CI).
"""

from __future__ import annotations

import os

import pytest

from surveykit.config import PROJECT_ROOT

from .helpers import ACCESS, add_trainee

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = PROJECT_ROOT / "artifacts"
TIMEOUT = 90_000  # ms: Voilà pages on a busy 2-core machine
MODE_LABELS = {
    "ru": {"face_to_face": "Лично", "telephone": "По телефону", "self_completed": "Самозаполнение"},
    "en": {"face_to_face": "Face to face", "telephone": "Telephone", "self_completed": "Self-completed"},
}
LANGUAGE_BUTTON = {"ru": "Русский", "en": "English"}


@pytest.fixture
def voila(tmp_path, store_url, key, voila_server):
    from surveykit.store import Store
    from surveykit.ui.server import free_port

    with Store.open(store_url) as store:
        add_trainee(store, "t1", "Иванова Мария Петровна")
        add_trainee(store, "tr", "Петров Пётр Ильич", roles=("trainer",))
    port = free_port()
    env = {
        "SURVEYKIT_DATABASE_URL": store_url,
        "SURVEYKIT_DATA_DIR": str(tmp_path / "data"),
        "SURVEYKIT_SIGNING_KEY": os.environ["SURVEYKIT_SIGNING_KEY"],
    }
    server = voila_server(env, port=port)
    yield f"http://127.0.0.1:{port}", tmp_path, server


def _sign_in(page, url: str, login: str) -> None:
    page.goto(url, timeout=TIMEOUT)
    page.wait_for_selector(".sk-login input", timeout=TIMEOUT)
    page.fill(".sk-login input", login)
    page.fill(".sk-code input", ACCESS)
    page.click(".sk-sign-in")


def _play(page, persona, lang: str) -> None:
    """One persona in one language, from the home page back to the home page."""
    from surveykit.training.practice import outcome_label

    page.click(f".sk-persona-{persona.id}", timeout=TIMEOUT)
    page.wait_for_selector(".sk-start-practice", timeout=TIMEOUT)
    page.locator(".sk-practice-mode select").select_option(label=MODE_LABELS[lang][persona.mode])
    page.click(".sk-start-practice", timeout=TIMEOUT)
    page.wait_for_selector(".sk-contact-log .sk-says", timeout=TIMEOUT)
    said = 1
    for step in persona.contact.steps:
        for move in step.needs:
            page.click(f".sk-move-{move}", timeout=TIMEOUT)
            said += 1
            page.wait_for_function(
                "n => document.querySelectorAll('.sk-contact-log .sk-says').length >= n",
                arg=said,
                timeout=TIMEOUT,
            )
    if persona.records_answers:
        page.wait_for_selector(".sk-ask-consent", state="visible", timeout=TIMEOUT)
        page.click(".sk-ask-consent", timeout=TIMEOUT)
        page.wait_for_selector(".sk-said-consent", timeout=TIMEOUT)
    text = page.inner_text(".sk-contact")
    assert persona.contact.steps[0].say[lang].split(".")[0][:20] in text
    page.screenshot(path=str(ARTIFACTS / f"practice-{persona.id}-{lang}-contact.png"), full_page=True)
    if persona.contact.outcome != "complete":
        page.click(".sk-move-close_politely", timeout=TIMEOUT)
    outcome = outcome_label(persona.contact.outcome, lang)
    page.locator(".sk-contact-outcome select").select_option(label=outcome)
    page.click(".sk-end-contact", timeout=TIMEOUT)
    page.wait_for_selector(".sk-practice-score", timeout=TIMEOUT)
    report = page.inner_text(".sk-practice-report")
    assert ("Итог контакта" if lang == "ru" else "Contact outcome") in report
    if not persona.records_answers:
        assert page.inner_text(".sk-practice-score").strip() == "100 %"
    page.screenshot(path=str(ARTIFACTS / f"practice-{persona.id}-{lang}-report.png"), full_page=True)
    page.click(".sk-practice-again", timeout=TIMEOUT)
    page.wait_for_selector(".sk-persona", timeout=TIMEOUT)


def test_every_persona_runs_in_the_practice_app_in_both_languages(voila, browser):
    from surveykit.training.personas import load_personas

    base, tmp_path, server = voila
    personas = load_personas()
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1100, "height": 950})
    try:
        page = context.new_page()
        _sign_in(page, f"{base}/voila/render/practice.ipynb", "t1")
        page.wait_for_selector(".sk-persona", timeout=TIMEOUT)
        for lang in ("ru", "en"):
            page.click(f".sk-lang button:has-text('{LANGUAGE_BUTTON[lang]}')", timeout=TIMEOUT)
            page.wait_for_selector(
                f".sk-persona-name:has-text('{personas['refusal'].title(lang)}')", timeout=TIMEOUT
            )
            home = page.inner_text(".sk-practice-app")
            for persona in personas.values():  # the trainee sees names and briefs, never the cards
                assert persona.title(lang) in home
                assert all(card[lang] not in home for card in persona.behaviours)
            page.screenshot(path=str(ARTIFACTS / f"practice-home-{lang}.png"), full_page=True)
            for persona in personas.values():
                _play(page, persona, lang)
        # the trainer sees the behaviour cards
        _sign_in(page, f"{base}/voila/render/trainer.ipynb", "tr")
        page.wait_for_selector(".sk-progress", timeout=TIMEOUT)
        page.click("text=Персонажи практики", timeout=TIMEOUT)
        page.wait_for_selector(".sk-card-refusal", timeout=TIMEOUT)
        assert personas["refusal"].behaviours[0]["ru"] in page.inner_text(".sk-card-refusal")
        page.screenshot(path=str(ARTIFACTS / "trainer-persona-cards.png"), full_page=True)
    finally:
        context.close()
    log = (tmp_path / "data" / "logs" / "apps.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
    assert "Error at server" not in server.log.read_text(encoding="utf-8", errors="replace")
