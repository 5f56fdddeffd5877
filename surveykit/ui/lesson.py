"""The lessons: one module per page, in Russian or English, with the worked examples and exercises placed in
the text and the quiz after each lesson.

* :class:`LessonView` — one module (notebooks/training/M*_*.ipynb show one each, JupyterLab or Voilà);
* :class:`LessonsApp` — the served app ``apps/lessons.ipynb``: the list of modules, and a module with links
  to the previous and next ones (``?module=M4&lang=en``);
* :func:`lesson_page` — what a lesson notebook calls: the module in the language of the URL (``?lang=en``),
  the notebook's ``language`` parameter, or the ``default_language`` setting.

Everything shown comes from the package: the texts from the lesson files (``questionnaires/training/
lessons/<language>/<lesson id>.md``, quotes of the questionnaire rendered by the course loader), the quizzes
are bank items graded by :mod:`surveykit.training.grading`, the routing examples run the recipient survey in
an :class:`~surveykit.interview.session.InterviewSession`, the indicator example calls
:func:`surveykit.scoring.rate`, the probing example the practice respondent, the suspension example
:mod:`surveykit.certificates`. Only widgets are returned (never an ``Output`` written at start-up: the Voilà
rule of ``docs/apps.md``).
"""

from __future__ import annotations

import datetime as dt
import html
import urllib.parse
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from surveykit.i18n import UI_LANGUAGES, pick, t
from surveykit.training.course import Course, Lesson, Module
from surveykit.ui.common import STYLE, Notice, error_page, guarded, language_picker, query_params
from surveykit.ui.quiz import QUIZ_STYLE, QuizItemView

__all__ = ["EXAMPLES", "LessonView", "LessonsApp", "lesson_page", "render_markdown"]

LESSON_STYLE = """
<style>
.sk-lesson-text { font-size: 18px; line-height: 1.6; color: #1a202c; }
.sk-lesson-text h2 { font-size: 21px; margin: 22px 0 8px 0; color: #1f3a5f; }
.sk-lesson-text h3 { font-size: 19px; margin: 16px 0 6px 0; color: #1f3a5f; }
.sk-lesson-text p { margin: 8px 0; }
.sk-lesson-text li { margin: 3px 0; }
.sk-lesson-text blockquote { margin: 10px 0; padding: 8px 14px; background: #f0f5ff;
  border-left: 4px solid #2b6cb0; color: #1a202c; font-size: 18px; }
.sk-lesson-text table { border-collapse: collapse; margin: 10px 0; font-size: 16px; line-height: 1.4; width: 100%; }
.sk-lesson-text td, .sk-lesson-text th { border: 1px solid #cbd5e0; padding: 6px 9px; vertical-align: top;
  text-align: left; }
.sk-lesson-text th { background: #edf2f7; }
.sk-lesson-text tr:nth-child(even) td { background: #f9fbfd; }
.sk-lesson-title { font-size: 26px; font-weight: 700; color: #1a365d; margin: 28px 0 4px 0;
  border-bottom: 2px solid #bee3f8; padding-bottom: 4px; }
.sk-objectives { background: #f7fafc; border-radius: 8px; padding: 8px 16px; font-size: 17px; }
.sk-example { border: 2px dashed #90cdf4; border-radius: 10px; padding: 10px 16px; margin: 14px 0; }
.sk-example-title { font-size: 20px; font-weight: 700; color: #2a4365; margin-bottom: 4px; }
.sk-exercise { border: 2px solid #9ae6b4; background: #f0fff4; border-radius: 10px; padding: 10px 16px;
  margin: 14px 0; }
.sk-exercise-title { font-size: 19px; font-weight: 700; color: #22543d; }
.sk-exercise-answer { border-top: 1px solid #9ae6b4; margin-top: 8px; padding-top: 6px; }
.sk-big-number { font-size: 30px; font-weight: 700; color: #1f3a5f; }
.sk-lesson-nav { display: flex; justify-content: space-between; gap: 12px; margin: 10px 0; font-size: 17px; }
.sk-lesson-nav a, .sk-contents a { color: #2b6cb0; text-decoration: none; font-weight: 600; }
.sk-lesson-nav .sk-all-modules { white-space: nowrap; }
.sk-lesson-nav a:hover, .sk-contents a:hover { text-decoration: underline; }
.sk-contents { font-size: 18px; line-height: 1.5; }
.sk-contents li { margin: 8px 0; }
.sk-contents .sk-hint { font-weight: 400; }
</style>
"""


def render_markdown(text: str) -> str:
    """Lesson markdown as HTML (tables included; raw HTML in the text is escaped)."""
    import mistune

    return mistune.create_markdown(escape=True, plugins=["table"])(text or "")


def _esc(text: Any) -> str:
    return html.escape(str(text or "")).replace("\n", "<br>")


def _course() -> Course:
    from surveykit.training.service import current_course

    return current_course()


def _hours(hours: float, language: str) -> str:
    """A module's hours with their unit: "1 hour", "1.5 hours"; «1,5 ч»."""
    text = f"{hours:g}"
    if language == "ru":
        return f"{text.replace('.', ',')} ч"
    return f"{text} {'hour' if hours == 1 else 'hours'}"


class _Example(W.VBox):
    """A worked example: rebuilt in the lesson's language whenever it changes."""

    def __init__(
        self, builder: Callable[..., list[W.Widget]], language: str, guard: Callable, **options: Any
    ):
        super().__init__()
        self.add_class("sk-app")
        self.add_class("sk-example")
        self.builder = builder
        self.options = options
        self.guard = guard
        self.render(language)

    def render(self, language: str) -> None:
        try:
            self.children = self.builder(language, guard=self.guard, **self.options)
        except Exception:  # one broken example must not take the lesson page down with it
            from surveykit.ui.common import app_logger

            app_logger().exception(
                "lesson example %s %s could not be built", self.builder.__name__, self.options
            )
            self.children = [
                W.HTML(f'<div class="sk-hint">{_esc(t("lesson.example.unavailable", language))}</div>')
            ]


class _Exercise(W.VBox):
    """An exercise: the task, and a button that opens the model answer once the trainee has tried."""

    def __init__(self, task: str, answer: str, language: str, guard: Callable) -> None:
        super().__init__()
        self.add_class("sk-exercise")
        self.language = language
        self.answer = W.HTML(
            f'<div class="sk-lesson-text sk-exercise-answer">{render_markdown(answer)}</div>'
        )
        self.answer.layout.display = "none"
        self.answer.add_class("sk-exercise-answer-box")
        self.button = W.Button(
            description=t("lesson.exercise.show", language),
            button_style="success",
            layout=W.Layout(width="auto", align_self="flex-start"),
        )
        self.button.add_class("sk-exercise-toggle")
        self.button.on_click(guard(lambda _: self.toggle()))
        self.children = [
            W.HTML(
                f'<div class="sk-exercise-title">{_esc(t("lesson.exercise.title", language))}</div>'
                f'<div class="sk-lesson-text">{render_markdown(task)}</div>'
            ),
            self.button,
            self.answer,
        ]

    @property
    def shown(self) -> bool:
        return self.answer.layout.display != "none"

    def toggle(self) -> None:
        show = not self.shown
        self.answer.layout.display = None if show else "none"
        self.button.description = t("lesson.exercise.hide" if show else "lesson.exercise.show", self.language)


class LessonView(W.VBox):
    """One module: title, hours, objectives, then every lesson — its text with the worked examples and
    exercises in place, and its quiz; a ru/en switch. ``links``: links to the module list and the
    neighbouring modules (the served lessons app)."""

    def __init__(
        self, module_id: str, language: str = "ru", *, course: Course | None = None, links: bool = False
    ) -> None:
        super().__init__()
        self.add_class("sk-app")
        self.add_class("sk-lesson")
        self.course = course or _course()
        self.module = self.course.module(module_id)
        self.language = language if language in UI_LANGUAGES else "ru"
        self.links = links
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language)
        self.examples: list[_Example] = []
        self.exercises: list[_Exercise] = []
        self.quizzes: list[QuizItemView] = []
        self.body = W.VBox()
        self.picker = language_picker(self.language, self.guard(self.set_language))
        self.children = [W.HTML(STYLE + QUIZ_STYLE + LESSON_STYLE), self.picker, self.notice, self.body]
        self._render()

    @classmethod
    def from_request(cls, module_id: str, language: str | None = None) -> W.VBox:
        """The module in the language of the URL (``?lang=en``), else ``language``, else the setting."""
        lang = _language(language)
        try:
            return cls(module_id, lang)
        except Exception as err:  # a broken course file: the page says what is wrong, in words
            return error_page(cls.__new__(cls), err, lang, "lesson")

    def set_language(self, language: str) -> None:
        self.language = language
        self._render()

    def _render(self) -> None:
        lang = self.language
        module = self.module
        objectives = "".join(f"<li>{_esc(pick(o, lang, 'en'))}</li>" for o in module.objectives)
        lessons = "".join(f"<li>{_esc(pick(lesson.title, lang, 'en'))}</li>" for lesson in module.lessons)
        head = (
            f'<div class="sk-title">{_esc(_module_name(module, lang))}</div>'
            f'<div class="sk-subtitle">{_esc(t("lesson.hours", lang, hours=_hours(module.hours, lang)))}</div>'
            f'<div class="sk-objectives"><b>{_esc(t("lesson.objectives", lang))}</b><ul>{objectives}</ul>'
            f"<b>{_esc(t('lesson.contents', lang))}</b><ol>{lessons}</ol></div>"
        )
        items: list[W.Widget] = []
        if self.links:
            items.append(self._navigation())
        items.append(W.HTML(head))
        self.examples, self.exercises, self.quizzes = [], [], []
        for lesson in module.lessons:
            items += self._lesson(lesson)
        if module.sources:
            sources = "".join(f"<li>{_esc(pick(s, lang, 'en'))}</li>" for s in module.sources)
            items.append(
                W.HTML(
                    f'<div class="sk-hint"><b>{_esc(t("lesson.sources", lang))}</b><ul>{sources}</ul></div>'
                )
            )
        if self.links:
            items.append(self._navigation())
        self.body.children = items

    def _lesson(self, lesson: Lesson) -> list[W.Widget]:
        from surveykit.training.lessons import ExamplePart, ExercisePart

        lang = self.language
        title = W.HTML(f'<div class="sk-lesson-title">{_esc(pick(lesson.title, lang, "en"))}</div>')
        title.add_class(f"sk-lesson-{lesson.id}")
        widgets: list[W.Widget] = [title]
        for part in lesson.parts(lang):
            if isinstance(part, ExamplePart):
                example = _Example(EXAMPLES[part.name], lang, self.guard, **dict(part.options))
                self.examples.append(example)
                widgets.append(example)
            elif isinstance(part, ExercisePart):
                exercise = _Exercise(part.task, part.answer, lang, self.guard)
                self.exercises.append(exercise)
                widgets.append(exercise)
            else:
                widgets.append(W.HTML(f'<div class="sk-lesson-text">{render_markdown(part.markdown)}</div>'))
        if lesson.quiz:
            widgets.append(W.HTML(f'<div class="sk-title">{_esc(t("lesson.quiz_title", lang))}</div>'))
        for number, item_id in enumerate(lesson.quiz, start=1):
            view = QuizItemView(
                self.course.item(item_id),
                lang,
                number=number,
                multi_select=self.course.rules.knowledge.multi_select,
                guard=self.guard,
            )
            self.quizzes.append(view)
            widgets.append(view)
        return widgets

    def _navigation(self) -> W.HTML:
        lang = self.language
        ids = list(self.course.module_ids)
        position = ids.index(self.module.id)
        parts = [f'<a class="sk-all-modules" href="{_href(lang)}">{_esc(t("lesson.all_modules", lang))}</a>']
        if position > 0:
            before = self.course.module(ids[position - 1])
            parts.insert(
                0,
                f'<a href="{_href(lang, before.id)}">← {_esc(_module_name(before, lang))}</a>',
            )
        if position + 1 < len(ids):
            after = self.course.module(ids[position + 1])
            parts.append(f'<a href="{_href(lang, after.id)}">{_esc(_module_name(after, lang))} →</a>')
        nav = W.HTML(f'<div class="sk-lesson-nav">{"".join(f"<span>{p}</span>" for p in parts)}</div>')
        nav.add_class("sk-lesson-nav-box")
        return nav

    def example(self, name: str, **options: Any) -> _Example:
        """A worked example of :data:`EXAMPLES` outside the text (e.g. in a notebook of one's own)."""
        if name not in EXAMPLES:
            raise KeyError(f"no worked example '{name}'; examples: {', '.join(EXAMPLES)}")
        example = _Example(EXAMPLES[name], self.language, self.guard, **options)
        self.examples.append(example)
        return example


def _module_name(module: Module, language: str) -> str:
    """ "Модуль 4. Проведение опроса…" / "Module 4. Administering…" (the module's number, not its code)."""
    return f"{t('lesson.module', language, id=module.id[1:])}. {pick(module.title, language, 'en')}"


def _href(language: str, module_id: str | None = None) -> str:
    """A link to the lessons app's page of a module (or the module list), relative to the page."""
    query = {"lang": language}
    if module_id:
        query = {"module": module_id, **query}
    return "?" + html.escape(urllib.parse.urlencode(query), quote=True)


def _language(language: str | None = None) -> str:
    """The URL's ``lang``, else ``language``, else the ``default_language`` setting (ru or en)."""
    from surveykit.config import settings

    for candidate in (query_params().get("lang"), language, settings().default_language):
        if candidate in UI_LANGUAGES:
            return candidate
    return UI_LANGUAGES[0]


def lesson_page(module_id: str, language: str | None = None) -> W.VBox:
    """What a lesson notebook shows: :meth:`LessonView.from_request` (the language from the URL, else the
    notebook's ``language`` parameter, else the setting)."""
    return LessonView.from_request(module_id, language)


class LessonsApp(W.VBox):
    """The served lessons (``apps/lessons.ipynb``): ``?module=M4`` shows that module with links to the
    others; without it, the list of modules with their hours and lessons. ``?lang=en`` chooses English."""

    def __init__(self, params: dict[str, str] | None = None, *, course: Course | None = None) -> None:
        super().__init__()
        self.add_class("sk-app")
        params = params or {}
        self.language = _language(params.get("lang"))
        self.course = course or _course()
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language)
        module_id = (params.get("module") or "").strip().upper()
        self.view: LessonView | None = None
        if module_id and module_id in self.course.module_ids:
            self.view = LessonView(module_id, self.language, course=self.course, links=True)
            self.children = [self.view]
            return
        self.body = W.HTML()
        self.picker = language_picker(self.language, self.guard(self.set_language))
        self.children = [W.HTML(STYLE + LESSON_STYLE), self.picker, self.notice, self.body]
        if module_id:
            self.notice.show(t("lesson.unknown_module", self.language, module=module_id), "error")
        self._render()

    @classmethod
    def from_request(cls) -> W.VBox:
        params = query_params()
        try:
            return cls(params)
        except Exception as err:  # a broken course file: the page says what is wrong, in words
            return error_page(cls.__new__(cls), err, _language(params.get("lang")), "lessons")

    def set_language(self, language: str) -> None:
        self.language = language
        self._render()

    def _render(self) -> None:
        lang = self.language
        rows = []
        for module in self.course.modules:
            lessons = "; ".join(pick(lesson.title, lang, "en") for lesson in module.lessons)
            hours = t("lesson.hours", lang, hours=_hours(module.hours, lang))
            rows.append(
                f'<li><a href="{_href(lang, module.id)}">{_esc(_module_name(module, lang))}</a>'
                f' <span class="sk-hint">({_esc(hours)})</span><br><span class="sk-hint">{_esc(lessons)}</span></li>'
            )
        total = _hours(self.course.total_hours, lang)
        self.body.value = (
            f'<div class="sk-title">{_esc(pick(self.course.title, lang, "en"))}</div>'
            f'<div class="sk-subtitle">{_esc(t("lesson.course_intro", lang, modules=len(self.course.modules), hours=total))}</div>'
            f'<div class="sk-contents"><ul>{"".join(rows)}</ul></div>'
        )


# --------------------------------------------------------------------------------------------------------
# worked examples: each builds its widgets for one language
# --------------------------------------------------------------------------------------------------------


def _title(key: str, language: str, **params: Any) -> W.HTML:
    return W.HTML(
        f'<div class="sk-example-title">{_esc(t(key + ".title", language, **params))}</div>'
        f'<div class="sk-lesson-text">{_esc(t(key + ".intro", language, **params))}</div>'
    )


def _recipient_survey() -> Any:
    from surveykit.config import settings
    from surveykit.questionnaire.io import load_questionnaire

    return load_questionnaire(settings().questionnaires_dir / "recipient_survey.yaml")


_PAGE_OF = {"q1": "information", "q3": "information", "q7": "comfort", "q11": "staff"}
_FOLLOW_UP = {"q1": "q2", "q3": "q4", "q7": "q8", "q11": "q12"}


def _form(answers: dict[str, Any], page: str, language: str, guard: Callable) -> tuple[Any, W.Widget]:
    from surveykit.interview.session import InterviewSession
    from surveykit.ui.form import FormView

    session = InterviewSession(_recipient_survey(), language=language, answers=answers, page=page)
    return session, FormView(session, guard=guard)


def routing_example(language: str, *, guard: Callable, filter: str = "q1") -> list[W.Widget]:
    """The recipient survey's page with a filter question: answer "No" and the follow-up disappears."""
    follow = _FOLLOW_UP[filter]
    _, form = _form({"consent": "yes", "proxy_respondent": "no"}, _PAGE_OF[filter], language, guard)
    return [_title("lesson.example.routing", language, filter=filter[1:], follow=follow[1:]), form]


def intro_example(language: str, *, guard: Callable) -> list[W.Widget]:
    """The introduction page of the recipient survey: the consent text, consent and the proxy question."""
    _, form = _form({}, "intro", language, guard)
    return [_title("lesson.example.intro", language), form]


def _question_name(code: str | None, language: str) -> str:
    """``q7`` -> "вопрос 7" / "question 7"; other items by their label (consent, the proxy question)."""
    if not code:
        return ""
    if code[1:].isdigit() and code.startswith("q"):
        return t("lesson.question_number", language, n=code[1:])
    survey = _recipient_survey()
    return pick(survey.item(code).label, language, "en") if survey.has(code) else code


def _value_label(code: str | None, value: Any, language: str) -> str:
    """An answer as the respondent heard it (the choice label), not its code."""
    if value is None or value == "":
        return ""
    survey = _recipient_survey()
    if code and survey.has(code):
        question = survey.item(code)
        name = getattr(question, "choice_list_name", None)
        if name:
            for choice in survey.choice_list(name):
                if choice.name == value:
                    return pick(choice.label, language, "en")
    return str(value)


def paradata_example(language: str, *, guard: Callable) -> list[W.Widget]:
    """Paradata the app records on its own: answer, change an answer, see the event log grow."""
    session, form = _form({"consent": "yes", "proxy_respondent": "no"}, "information", language, guard)
    log = W.HTML()
    show = W.Button(description=t("lesson.example.paradata.show", language), button_style="info")
    show.add_class("sk-show-paradata")

    def refresh(_: Any = None) -> None:
        rows = "".join(
            f"<tr><td>{_esc(e.at.strftime('%H:%M:%S'))}</td>"
            f"<td>{_esc(t('lesson.event.' + e.event, language))}</td>"
            f"<td>{_esc(_question_name(e.question, language))}</td>"
            f"<td>{_esc(_value_label(e.question, e.old_value, language))}</td>"
            f"<td>{_esc(_value_label(e.question, e.new_value, language))}</td>"
            f"<td>{_esc(f'{e.elapsed_ms / 1000:.1f}'.replace('.', ',' if language == 'ru' else '.'))}</td></tr>"
            for e in session.events[-12:]
        )
        head = "".join(
            f"<th>{_esc(h)}</th>" for h in t("lesson.example.paradata.columns", language).split("|")
        )
        log.value = f'<table class="sk-table">{head and "<tr>" + head + "</tr>"}{rows}</table>'

    show.on_click(guard(refresh))
    refresh()
    return [_title("lesson.example.paradata", language), form, show, log]


def indicator_example(language: str, *, guard: Callable) -> list[W.Widget]:
    """Indicator 1.1 computed by the scoring engine for an audit whose counts the trainee sets."""
    from surveykit.scoring import load_profile, rate
    from surveykit.scoring.demo import synthetic_sources

    profile = load_profile("ru_nok_344n_2018")
    spec = next(i for c in profile.criteria for i in c.indicators if i.id == "1.1")
    channels = {c.name: c.required_items for c in spec.channels}
    sources = synthetic_sources(1, 200, seed=7)
    stand = W.IntSlider(
        value=4, min=0, max=len(channels["stand"]), description=t("lesson.example.indicator.stand", language)
    )
    site = W.IntSlider(
        value=12, min=0, max=len(channels["site"]), description=t("lesson.example.indicator.site", language)
    )
    for slider in (stand, site):
        slider.style = {"description_width": "260px"}
        slider.layout = W.Layout(width="640px")
    result = W.HTML()
    result.add_class("sk-indicator-result")

    def compute(_: Any = None) -> None:
        audit = sources["website_audit"].copy()
        for name, slider in (("stand", stand), ("site", site)):
            for position, code in enumerate(channels[name]):
                audit.loc[:, code] = "present" if position < slider.value else "absent"
        rating = rate(profile, {**sources, "website_audit": audit})
        frame = rating.indicators.set_index("id")
        value = float(frame.loc["1.1", "value"])
        parts = {
            n: (int(frame.loc[f"1.1/{n}", "num"]), int(frame.loc[f"1.1/{n}", "den"]))
            for n in ("stand", "site")
        }
        formula = (
            f"0.5 × ({parts['stand'][0]}/{parts['stand'][1]} + {parts['site'][0]}/{parts['site'][1]}) × 100"
        )
        result.value = (
            f'<div class="sk-lesson-text">{_esc(t("lesson.example.indicator.formula", language))} {_esc(formula)} = '
            f'<span class="sk-big-number">{value:.2f}</span></div>'
        )

    stand.observe(guard(compute), names="value")
    site.observe(guard(compute), names="value")
    compute()
    return [_title("lesson.example.indicator", language), stand, site, result]


def criteria_example(language: str, *, guard: Callable) -> list[W.Widget]:
    """Five synthetic institutions rated with the shipped 344н profile: K1–K5, the total S and the rank."""
    from surveykit.scoring import load_profile, rate
    from surveykit.scoring.demo import synthetic_sources

    rating = rate(load_profile("ru_nok_344n_2018"), synthetic_sources(5, 1500, seed=3))
    table = rating.table.sort_values("rank")
    names = t("lesson.example.criteria.names", language).split("|")
    order = {iid: n for n, iid in enumerate(sorted(table["institution_id"]))}

    def number(value: Any) -> str:
        text = f"{float(value):.2f}"
        return text.replace(".", ",") if language == "ru" else text

    rows = "".join(
        f"<tr><td>{int(row.rank)}</td><td>{_esc(names[order[row.institution_id] % len(names)])}</td>"
        + "".join(f"<td>{number(getattr(row, k))}</td>" for k in ("K1", "K2", "K3", "K4", "K5", "S"))
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    head = "".join(f"<th>{_esc(c)}</th>" for c in t("lesson.example.criteria.columns", language).split("|"))
    return [
        _title("lesson.example.criteria", language),
        W.HTML(f'<table class="sk-table"><tr>{head}</tr>{rows}</table>'),
    ]


def probing_example(
    language: str, *, guard: Callable, persona: str = "hesitant", question: str = "q2"
) -> list[W.Widget]:
    """The practice respondent hesitates: try a leading probe and a neutral one."""
    from surveykit.training.personas import load_personas
    from surveykit.training.practice import PROBES, SimulatedRespondent

    personas = load_personas()
    chosen = personas.get(persona) or next(  # a persona renamed in the bank: one that hesitates here, or any
        (p for p in personas.values() if question in p.answers and p.answers[question].hesitation),
        next(iter(personas.values())),
    )
    respondent = SimulatedRespondent(chosen, language)
    survey = _recipient_survey()
    label = pick(survey.question(question).label, language, "ru")
    said = W.HTML()
    said.add_class("sk-respondent-says")

    def show(reply: Any) -> None:
        said.value = (
            f'<div class="sk-note"><b>{_esc(t("practice.respondent", language))}</b> «{_esc(reply.text)}»'
            + (
                f'<div class="sk-hint">{_esc(t("practice.needs_probe", language))}</div>'
                if reply.needs_probe
                else ""
            )
            + "</div>"
        )

    ask = W.Button(description=t("practice.ask", language), button_style="primary")
    ask.on_click(guard(lambda _: show(respondent.ask(question))))
    buttons = []
    for probe in PROBES:
        button = W.Button(description=pick(probe.text, language, "en"), layout=W.Layout(width="auto"))
        button.add_class(f"sk-probe-{probe.id}")
        button.on_click(guard(lambda _, p=probe.id: show(respondent.probe(question, p))))
        buttons.append(button)
    return [
        _title("lesson.example.probing", language, name=respondent.persona.title(language)),
        W.HTML(f'<div class="sk-question"><div class="sk-read">{_esc(label)}</div></div>'),
        ask,
        said,
        W.HTML(f"<b>{_esc(t('practice.probes', language))}</b>"),
        W.VBox(buttons),
    ]


def suspension_example(language: str, *, guard: Callable) -> list[W.Widget]:
    """A demonstration certificate (a throwaway key, an in-memory register): valid, then suspended."""
    import tempfile
    from pathlib import Path

    from surveykit.certificates import (
        InMemoryRegistry,
        Issuer,
        generate_key,
        issue_certificate,
        load_template,
        verify,
    )

    with tempfile.TemporaryDirectory() as folder:
        key = generate_key(Path(folder) / "demo.pem")
    template = load_template("interviewer")
    now = dt.datetime.now(dt.UTC)
    certificate = issue_certificate(
        {"name": t("lesson.example.suspension.holder", language), "roles": ["interviewer"]},
        template,
        key,
        now=now,
        issuer=Issuer("Demo", "https://example.org/demo"),
    )
    registry = InMemoryRegistry([certificate.record])
    status = W.HTML()
    status.add_class("sk-suspension-status")

    def show() -> None:
        result = verify(certificate.serial, keys=[key.public], registry=registry)
        status.value = (
            f'<div class="sk-lesson-text"><b>{_esc(certificate.serial)}</b>: '
            f"<span class='sk-big-number'>{_esc(t('verify.status.' + result.status.value, language))}</span><br>"
            f"{_esc(result.message(language))}</div>"
        )

    suspend = W.Button(description=t("lesson.example.suspension.suspend", language), button_style="danger")
    suspend.add_class("sk-demo-suspend")

    def do_suspend(_: Any) -> None:
        registry.suspend(
            certificate.serial, reason=t("lesson.example.suspension.reason", language), by="supervisor"
        )
        show()

    suspend.on_click(guard(do_suspend))
    show()
    return [_title("lesson.example.suspension", language), status, suspend]


def checklist_example(language: str, *, guard: Callable) -> list[W.Widget]:
    """The 12-item mock-interview checklist and the pass rule, both from the course data."""
    course = _course()
    checklist, rules = course.checklist, course.rules.mock_interview
    rows = "".join(
        f"<tr><td>{n}</td><td>{_esc(pick(i.text, language, 'en'))}</td>"
        f"<td>{'★' if i.critical else ''}</td><td class='sk-hint'>{_esc(pick(i.look_for, language, 'en'))}</td></tr>"
        for n, i in enumerate(checklist.items, start=1)
    )
    head = "".join(f"<th>{_esc(h)}</th>" for h in t("lesson.example.checklist.columns", language).split("|"))
    rule_key = "trainer.mock_rule_strict" if rules.mode == "strict" else "trainer.mock_rule_standard"
    rule = t(
        rule_key, language, critical=rules.critical_min_score, total=rules.min_total, max=checklist.max_total
    )
    return [
        _title("lesson.example.checklist", language),
        W.HTML(
            f'<table class="sk-table"><tr>{head}</tr>{rows}</table><p class="sk-lesson-text"><b>{_esc(rule)}</b></p>'
        ),
    ]


def _audit_text(course: Course, item_id: str, language: str) -> str:
    """The audit item's text (what a trainee checks), not its id."""
    item = course.audit_items.item(item_id)
    return pick(item.text, language, "en") if item is not None else item_id


def _when(text: str, language: str) -> str:
    """A test-log time as people write it: «12.08.2025 10:05» in Russian, "12 Aug 2025, 10:05" in English
    (the case file keeps ISO "2025-08-12 10:05"; anything else is shown as written)."""
    import re

    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}:\d{2}))?", text.strip())
    if match is None:
        return text
    year, month, day, clock = match.groups()
    if language == "ru":
        date = f"{day}.{month}.{year}"
    else:
        months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        date = f"{int(day)} {months[int(month) - 1]} {year}"
    return f"{date}{',' if language != 'ru' and clock else ''} {clock}".strip() if clock else date


def calibration_example(language: str, *, guard: Callable, kind: str = "website") -> list[W.Widget]:
    """The calibration case of one kind: its description and test log (the exercise is in the practice app)."""
    course = _course()
    case = next(c for c in course.calibration_cases if c.kind == kind)
    log = "".join(
        f"<tr><td>{_esc(_audit_text(course, e.item, language))}</td><td>{_esc(_when(e.when, language))}</td>"
        f"<td>{_esc(pick(e.action, language, 'en'))}</td><td>{_esc(pick(e.result, language, 'en'))}</td></tr>"
        for e in case.test_log
    )
    head = "".join(
        f"<th>{_esc(c)}</th>" for c in t("lesson.example.calibration.columns", language).split("|")
    )
    log_html = f'<table class="sk-table"><tr>{head}</tr>{log}</table>' if log else ""
    return [
        _title("lesson.example.calibration", language, case=pick(case.title, language, "en")),
        W.HTML(
            f'<div class="sk-lesson-text">{render_markdown(pick(case.description, language, "en"))}{log_html}</div>'
        ),
    ]


#: worked examples by name (``LessonView.example(name, **options)``)
EXAMPLES: dict[str, Callable[..., list[W.Widget]]] = {
    "routing": routing_example,
    "intro": intro_example,
    "paradata": paradata_example,
    "indicator": indicator_example,
    "criteria": criteria_example,
    "probing": probing_example,
    "suspension": suspension_example,
    "checklist": checklist_example,
    "calibration": calibration_example,
}
