"""The lessons as trainees see them: the lesson view (every module, both languages, worked examples and
exercises in place, quizzes), the served lessons app (``apps/lessons.ipynb``) with its module list and links,
``surveykit serve`` listing one URL per module, and a browser test that reads a lesson in Russian and in English
and saves screenshots under ``artifacts/``."""

from __future__ import annotations

import html
import re
import urllib.request
from pathlib import Path

import ipywidgets as W
import pytest

from surveykit.i18n import t
from surveykit.training.lessons import EXAMPLES as EXAMPLE_OPTIONS
from surveykit.training.lessons import ExamplePart, ExercisePart
from surveykit.ui.lesson import EXAMPLES, LessonsApp, LessonView, lesson_page
from surveykit.ui.quiz import QuizItemView


def _html(widget: W.Widget, *, skip: tuple[type, ...] = ()) -> str:
    """Every HTML text and button label inside a widget tree (what a trainee can read); ``skip``: widget
    classes left out (the quiz items belong to the item bank and are checked by its own tests)."""
    out: list[str] = []
    stack = [widget]
    while stack:
        node = stack.pop()
        if skip and isinstance(node, skip):
            continue
        if isinstance(node, W.HTML):
            out.append(re.sub(r"<style>.*?</style>", "", node.value, flags=re.DOTALL))
        if isinstance(node, W.Button | W.ToggleButton):
            out.append(node.description)
        stack.extend(getattr(node, "children", ()))
    return "\n".join(out)


def _text(widget: W.Widget, *, skip: tuple[type, ...] = ()) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", _html(widget, skip=skip)))


def test_the_worked_examples_the_lessons_may_name_are_the_ones_the_view_builds() -> None:
    assert set(EXAMPLES) == set(EXAMPLE_OPTIONS)


@pytest.mark.slow
def test_every_module_shows_its_lessons_examples_exercises_and_quizzes_in_both_languages(course) -> None:
    for module in course.modules:
        view = LessonView(module.id, "ru", course=course)
        for language in ("ru", "en"):
            view.set_language(language)
            parts = [p for lesson in module.lessons for p in lesson.parts(language)]
            assert len(view.examples) == sum(isinstance(p, ExamplePart) for p in parts), module.id
            assert len(view.exercises) == sum(isinstance(p, ExercisePart) for p in parts), module.id
            assert [q.item.id for q in view.quizzes] == [i for lesson in module.lessons for i in lesson.quiz]
            text = _text(view)
            for lesson in module.lessons:
                assert lesson.title[language] in text
            assert "{{" not in text and ":::" not in text, (module.id, language)
            assert not re.search(r"\blesson\.[a-z_.]+\b", text), (module.id, language)  # no raw message key
            assert not re.search(r">\s*(None|nan|NaN)\s*<", _html(view)), (module.id, language)  # a raw value
            if language == "ru":
                own = _text(view, skip=(QuizItemView,))
                assert not re.search(r"\bQ\d+\b|\bproxy\b|\bpresent\b|\babsent\b", own), module.id


def test_an_exercise_opens_its_answer_on_demand(course) -> None:
    view = LessonView("M1", "ru", course=course)
    exercise = view.exercises[0]
    assert not exercise.shown and exercise.button.description == t("lesson.exercise.show", "ru")
    exercise.button.click()
    assert exercise.shown and exercise.button.description == t("lesson.exercise.hide", "ru")
    exercise.button.click()
    assert not exercise.shown


def test_a_quiz_in_a_lesson_is_graded_with_feedback(course) -> None:
    view = LessonView("M4", "en", course=course)
    quiz = next(q for q in view.quizzes if q.item.answer_kind == "single")
    quiz.buttons[quiz.item.answer].value = True
    assert quiz.check().verdict == "right"
    assert "sk-feedback-right" in quiz.feedback.value


def test_the_lesson_view_quotes_the_questionnaire_in_its_language(course) -> None:
    from surveykit.config import PROJECT_ROOT
    from surveykit.questionnaire.io import read_questionnaire

    q = read_questionnaire(PROJECT_ROOT / "questionnaires" / "recipient_survey.yaml").questionnaire
    view = LessonView("M4", "ru", course=course)
    assert q.item("q7").label["ru"] in _text(view)
    view.set_language("en")
    assert q.item("q7").label["en"] in _text(view) and q.item("q7").label["ru"] not in _text(view)


def test_the_lessons_app_lists_every_module_with_links(course) -> None:
    app = LessonsApp({"lang": "en"}, course=course)
    page = app.body.value
    for module in course.modules:
        assert f'href="?module={module.id}&amp;lang=en"' in page
        assert html.escape(module.title["en"]) in page
    app.set_language("ru")
    assert (
        'href="?module=M4&amp;lang=ru"' in app.body.value
        and course.module("M4").title["ru"] in app.body.value
    )


def test_the_lessons_app_opens_a_module_with_links_to_its_neighbours(course) -> None:
    app = LessonsApp({"module": "m4", "lang": "ru"}, course=course)
    assert app.view is not None and app.view.module.id == "M4" and app.view.language == "ru"
    html = _html(app)
    assert 'href="?module=M3&amp;lang=ru"' in html and 'href="?module=M5&amp;lang=ru"' in html
    assert 'href="?lang=ru"' in html and t("lesson.all_modules", "ru") in html


def test_an_unknown_module_shows_the_list_and_says_so(course) -> None:
    app = LessonsApp({"module": "M42", "lang": "ru"}, course=course)
    assert app.view is None
    assert "M42" in app.notice.value and "sk-banner-error" in app.notice.value
    assert "?module=M0" in app.body.value


def test_a_lesson_notebook_takes_the_language_from_the_url_then_the_parameter(monkeypatch, course) -> None:
    monkeypatch.setenv("QUERY_STRING", "lang=en")
    assert lesson_page("M2", "ru").language == "en"
    monkeypatch.setenv("QUERY_STRING", "")
    assert lesson_page("M2", "en").language == "en"
    assert lesson_page("M2", None).language == "ru"  # the default_language setting of these tests


def test_a_broken_course_shows_a_message_not_a_traceback(monkeypatch, tmp_path) -> None:
    import shutil

    from surveykit.config import PROJECT_ROOT, settings

    target = tmp_path / "questionnaires"
    shutil.copytree(PROJECT_ROOT / "questionnaires", target)
    (target / "training" / "lessons" / "en" / "m4-l2.md").unlink()
    monkeypatch.setenv("SURVEYKIT_QUESTIONNAIRES_DIR", str(target))
    settings.cache_clear()
    try:
        monkeypatch.setenv("QUERY_STRING", "module=M4&lang=en")
        text = _text(LessonsApp.from_request())
        assert "Lesson m4-l2 (en)" in text and "lessons/en/m4-l2.md does not exist" in text
        assert "Traceback" not in text
    finally:
        settings.cache_clear()


# --------------------------------------------------------------------------------------------------------
# served among the apps
# --------------------------------------------------------------------------------------------------------


def test_the_lessons_are_served_among_the_apps(course) -> None:
    from surveykit.ui.server import APPS, app_urls, apps_dir, lesson_urls

    assert "lessons" in APPS and (apps_dir() / "lessons.ipynb").is_file()
    assert app_urls(8866)["lessons"] == "http://127.0.0.1:8866/voila/render/lessons.ipynb"
    urls = lesson_urls(8866)
    assert list(urls) == list(course.module_ids)
    assert urls["M4"] == "http://127.0.0.1:8866/voila/render/lessons.ipynb?module=M4"


def test_surveykit_serve_prints_every_lesson_url(monkeypatch, capsys, course) -> None:
    import argparse

    from surveykit.cli import cmd_serve

    class FakeProcess:
        returncode = 0

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(cmd_serve, "start_voila", lambda port, env=None: FakeProcess())
    monkeypatch.setattr(cmd_serve, "wait_until_up", lambda port, timeout, process: None)
    assert cmd_serve.run(argparse.Namespace(port=8899, workers=1)) == 0
    out = capsys.readouterr().out
    assert "lessons" in out and "http://127.0.0.1:8899/voila/render/lessons.ipynb" in out
    for module_id in course.module_ids:
        assert f"lessons.ipynb?module={module_id}" in out


# --------------------------------------------------------------------------------------------------------
# in the browser
# --------------------------------------------------------------------------------------------------------

TIMEOUT = 120_000  # ms: a lesson page with its worked examples on a busy 2-core machine
ALLOWED_LATIN = {"AAPOR", "ASA", "LSMS", "CCSG", "UWSC", "QR", "bus", "gov", "ru", "min", "max", "S"}


@pytest.mark.browser
@pytest.mark.slow
def test_a_trainee_reads_a_lesson_in_russian_and_in_english(
    voila_server, browser, tmp_path, artifacts
) -> None:
    server = voila_server({"SURVEYKIT_DATA_DIR": str(tmp_path / "data")})
    context = browser.new_context(viewport={"width": 1100, "height": 1400})
    try:
        page = context.new_page()
        page.goto(server.url("lessons", lang="ru"), timeout=TIMEOUT)
        page.wait_for_selector(".sk-contents a", timeout=TIMEOUT)
        page.screenshot(path=str(artifacts / "lessons-1-contents-ru.png"), full_page=True)
        contents = page.inner_text(".sk-contents")
        assert "Модуль 1. Этика" in contents and "Модуль 9" in contents and "M1" not in contents

        page.click("text=Модуль 4. Проведение опроса")  # a link to the module: a new page, in Russian
        page.wait_for_selector(".sk-lesson-m4-l1", timeout=TIMEOUT)
        page.wait_for_selector(".sk-exercise-toggle", timeout=TIMEOUT)
        page.wait_for_selector(".sk-example .widget-toggle-buttons", timeout=TIMEOUT)  # the live route
        page.screenshot(path=str(artifacts / "lessons-2-m4-ru.png"), full_page=False)
        body = page.inner_text(".sk-lesson")
        assert "Анкета целиком" in body and "Кому задаётся" in body
        assert "{{" not in body and ":::" not in body and not re.search(r"\blesson\.[a-z_]", body)
        own = re.sub(
            r"(?s)\n\d+\. [^\n]*\n(Выберите|Введите).*?Проверить ответ", "", body
        )  # quiz items aside
        latin = set(re.findall(r"[A-Za-z]{2,}", own)) - ALLOWED_LATIN - {"English"}  # the language switch
        assert not latin, latin
        page.locator(".sk-lesson-text table").first.screenshot(
            path=str(artifacts / "lessons-3-route-table-ru.png")
        )
        page.locator(".sk-example").first.screenshot(path=str(artifacts / "lessons-4-routing-example-ru.png"))
        page.locator(".sk-exercise-toggle").first.click()
        page.wait_for_selector(".sk-exercise-answer-box:visible", timeout=TIMEOUT)
        page.locator(".sk-exercise").first.screenshot(path=str(artifacts / "lessons-5-exercise-ru.png"))
        _answer_the_first_quiz(page, "ru", artifacts / "lessons-8-quiz-ru.png")

        page.goto(server.url("lessons", module="M1", lang="en"), timeout=TIMEOUT)
        page.wait_for_selector(".sk-lesson-m1-l1", timeout=TIMEOUT)
        page.wait_for_selector(".sk-exercise-toggle", timeout=TIMEOUT)
        body = page.inner_text(".sk-lesson")
        assert "Confidentiality, not anonymity" in body and "Module 2. Sampling" in body
        russian = re.sub(r"НОК|\d+н\b|\d+-ФЗ|Пинф|Русский|ГОСТ Р ИСО 20252-2014", "", body)
        assert not re.search(r"[А-Яа-яЁё]{3,}", russian), "Russian text on an English page"
        page.screenshot(path=str(artifacts / "lessons-6-m1-en.png"), full_page=False)
        page.locator(".sk-lesson-text blockquote").first.screenshot(
            path=str(artifacts / "lessons-7-consent-quote-en.png")
        )
        _answer_the_first_quiz(page, "en", artifacts / "lessons-9-quiz-en.png")
    finally:
        context.close()


def _answer_the_first_quiz(page, language: str, shot: Path) -> None:
    """Choose the first option of the page's first quiz, check it, and read the feedback as a trainee would:
    words of the page's language, no raw key, no code, no 'nan'."""
    quiz = page.locator(".sk-quiz").first
    quiz.scroll_into_view_if_needed()
    quiz.locator(".sk-option").first.click()
    quiz.locator(".sk-check").click()
    quiz.locator(".sk-feedback-box").wait_for(timeout=TIMEOUT)
    quiz.screenshot(path=str(shot))
    text = quiz.inner_text()
    assert not re.search(r"\bnan\b|\bNone\b|\{|\}|\bquiz\.[a-z_]+|\bm\d-\d\d\b", text), text
    if language == "ru":
        latin = set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_LATIN
        assert not latin, latin
    else:
        assert not re.search(r"[А-Яа-яЁё]{3,}", text), text


@pytest.mark.browser
@pytest.mark.slow
def test_every_module_page_loads_without_an_error(voila_server, tmp_path) -> None:
    from surveykit.ui.server import lesson_urls

    server = voila_server({"SURVEYKIT_DATA_DIR": str(tmp_path / "data")})
    for module_id in lesson_urls(server.port):
        with urllib.request.urlopen(
            server.url("lessons", module=module_id, lang="en"), timeout=TIMEOUT / 1000
        ) as r:
            page = r.read().decode("utf-8")
        assert page.rstrip().endswith("</html>") and "Traceback" not in page, module_id
        assert "application/vnd.jupyter.widget-view+json" in page, module_id


def test_a_broken_worked_example_does_not_take_the_lesson_down(monkeypatch, course) -> None:
    import surveykit.ui.lesson as lesson_module

    def broken(language, *, guard, **options):
        raise RuntimeError("the example broke")

    broken.__name__ = "criteria_example"
    monkeypatch.setitem(lesson_module.EXAMPLES, "criteria", broken)
    view = LessonView("M0", "ru", course=course)
    assert t("lesson.example.unavailable", "ru") in _text(view)
    assert course.module("M0").lessons[1].title["ru"] in _text(view)  # the rest of the lesson is there


def test_the_probing_example_falls_back_to_a_persona_that_hesitates(course) -> None:
    from surveykit.ui.lesson import probing_example

    widgets = probing_example("en", guard=lambda fn: fn, persona="no-such-persona", question="q2")
    assert any(isinstance(w, W.Button) for w in widgets)


def test_a_module_of_one_hour_says_hour_not_hours(course) -> None:
    """Seen on the English page of module 8: "1 hours of training"."""
    one = next(m for m in course.modules if m.hours == 1)
    half = next(m for m in course.modules if m.hours % 1)
    assert "1 hour of training" in _text(LessonView(one.id, "en", course=course))
    assert f"{half.hours:g} hours of training" in _text(LessonView(half.id, "en", course=course))
    assert f"{half.hours:g} ч обучения".replace(".", ",") in _text(LessonView(half.id, "ru", course=course))
    assert "1 hours" not in _text(LessonsApp({"lang": "en"}, course=course))


def test_the_calibration_log_has_column_names_and_dates_as_people_write_them(course) -> None:
    """Seen on the Russian page of module 7: a table without a header and times as '2025-08-12 10:05'."""
    module = next(
        m.id
        for m in course.modules
        if any("calibration" in str(p) for lesson in m.lessons for p in lesson.parts("ru"))
    )
    for language, header, date in (
        ("ru", "что проверено", r"\d\d\.\d\d\.20\d\d"),
        ("en", "item checked", r"\d+ [A-Z][a-z]{2} 20\d\d"),
    ):
        text = _text(LessonView(module, language, course=course))
        assert header in text and re.search(date, text), language
        assert not re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d", text), language
