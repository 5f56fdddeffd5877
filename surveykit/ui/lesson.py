"""Lesson notebooks (``notebooks/training/M*_*.ipynb``): the lesson text from the course data, embedded
quizzes, and worked examples drawn from the shipped questionnaires and the scoring engine.

A lesson notebook stays thin::

    lesson = LessonView("M4", language=language)     # objectives, lesson text (ru/en switch), quizzes
    lesson                                            # displayed
    lesson.example("routing", filter="q1")            # a worked example that follows the language switch

Everything shown comes from the package: the texts from ``course.yaml``, the quizzes are bank items graded
by :mod:`surveykit.training.grading`, the routing examples run the recipient survey in an
:class:`~surveykit.interview.session.InterviewSession`, the indicator example calls :func:`surveykit.scoring.rate`,
the probing example the practice respondent, the suspension example :mod:`surveykit.certificates`.
Only widgets are returned (never an ``Output`` written at start-up: the Voilà rule of ``docs/apps.md``).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from surveykit.i18n import UI_LANGUAGES, pick, t
from surveykit.training.course import Course
from surveykit.ui.common import STYLE, Notice, guarded, language_picker
from surveykit.ui.quiz import QUIZ_STYLE, QuizItemView

__all__ = ["EXAMPLES", "LessonView", "render_markdown"]

LESSON_STYLE = """
<style>
.sk-lesson { max-width: 900px; }
.sk-lesson-text { font-size: 18px; line-height: 1.55; color: #1a202c; }
.sk-lesson-text h2 { font-size: 23px; margin: 18px 0 6px 0; color: #1f3a5f; }
.sk-lesson-text h3 { font-size: 20px; margin: 14px 0 4px 0; }
.sk-lesson-text table { border-collapse: collapse; margin: 8px 0; font-size: 16px; }
.sk-lesson-text td, .sk-lesson-text th { border: 1px solid #cbd5e0; padding: 4px 8px; vertical-align: top; }
.sk-lesson-text th { background: #edf2f7; }
.sk-objectives { background: #f7fafc; border-radius: 8px; padding: 8px 16px; font-size: 17px; }
.sk-example { border: 2px dashed #90cdf4; border-radius: 10px; padding: 10px 16px; margin: 14px 0; }
.sk-example-title { font-size: 20px; font-weight: 700; color: #2a4365; margin-bottom: 4px; }
.sk-big-number { font-size: 30px; font-weight: 700; color: #1f3a5f; }
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
        self.children = self.builder(language, guard=self.guard, **self.options)


class LessonView(W.VBox):
    """One module: title, hours, objectives, every lesson's text and its quiz items; a ru/en switch."""

    def __init__(self, module_id: str, language: str = "ru", *, course: Course | None = None) -> None:
        super().__init__()
        self.add_class("sk-app")
        self.add_class("sk-lesson")
        self.course = course or _course()
        self.module = self.course.module(module_id)
        self.language = language if language in UI_LANGUAGES else "ru"
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language)
        self.examples: list[_Example] = []
        self.quizzes: list[QuizItemView] = []
        self.body = W.VBox()
        self.picker = language_picker(self.language, self.guard(self.set_language))
        self.children = [W.HTML(STYLE + QUIZ_STYLE + LESSON_STYLE), self.picker, self.notice, self.body]
        self._render()

    def set_language(self, language: str) -> None:
        self.language = language
        self._render()
        for example in self.examples:
            example.render(language)

    def _render(self) -> None:
        lang = self.language
        module = self.module
        rules = self.course.rules
        objectives = "".join(f"<li>{_esc(pick(o, lang, 'en'))}</li>" for o in module.objectives)
        head = (
            f'<div class="sk-title">{_esc(module.id)}. {_esc(pick(module.title, lang, "en"))}</div>'
            f'<div class="sk-subtitle">{_esc(t("lesson.hours", lang, hours=f"{module.hours:g}"))}</div>'
            f'<div class="sk-objectives"><b>{_esc(t("lesson.objectives", lang))}</b><ul>{objectives}</ul></div>'
        )
        items: list[W.Widget] = [W.HTML(head)]
        self.quizzes = []
        for lesson in module.lessons:
            text = W.HTML(
                f'<div class="sk-lesson-text"><h2>{_esc(pick(lesson.title, lang, "en"))}</h2>'
                f"{render_markdown(lesson.text_in(lang))}</div>"
            )
            text.add_class(f"sk-lesson-{lesson.id}")
            items.append(text)
            if lesson.quiz:
                items.append(W.HTML(f'<div class="sk-title">{_esc(t("lesson.quiz_title", lang))}</div>'))
            for number, item_id in enumerate(lesson.quiz, start=1):
                view = QuizItemView(
                    self.course.item(item_id),
                    lang,
                    number=number,
                    multi_select=rules.knowledge.multi_select,
                    guard=self.guard,
                )
                self.quizzes.append(view)
                items.append(view)
        if module.sources:
            sources = "".join(f"<li>{_esc(s)}</li>" for s in module.sources)
            items.append(
                W.HTML(
                    f'<div class="sk-hint"><b>{_esc(t("lesson.sources", lang))}</b><ul>{sources}</ul></div>'
                )
            )
        self.body.children = items

    def example(self, name: str, **options: Any) -> _Example:
        """A worked example of :data:`EXAMPLES` that follows this lesson's language switch."""
        if name not in EXAMPLES:
            raise KeyError(f"no worked example '{name}'; examples: {', '.join(EXAMPLES)}")
        example = _Example(EXAMPLES[name], self.language, self.guard, **options)
        self.examples.append(example)
        return example


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
    return [_title("lesson.example.routing", language, filter=filter.upper(), follow=follow.upper()), form]


def intro_example(language: str, *, guard: Callable) -> list[W.Widget]:
    """The introduction page of the recipient survey: the consent text, consent and the proxy question."""
    _, form = _form({}, "intro", language, guard)
    return [_title("lesson.example.intro", language), form]


def paradata_example(language: str, *, guard: Callable) -> list[W.Widget]:
    """Paradata the app records on its own: answer, change an answer, see the event log grow."""
    session, form = _form({"consent": "yes", "proxy_respondent": "no"}, "information", language, guard)
    log = W.HTML()
    show = W.Button(description=t("lesson.example.paradata.show", language), button_style="info")
    show.add_class("sk-show-paradata")

    def refresh(_: Any = None) -> None:
        rows = "".join(
            f"<tr><td>{_esc(e.at.strftime('%H:%M:%S'))}</td><td>{_esc(e.event)}</td><td>{_esc(e.question)}</td>"
            f"<td>{_esc(e.old_value)}</td><td>{_esc(e.new_value)}</td><td>{e.elapsed_ms}</td></tr>"
            for e in session.events[-12:]
        )
        head = "".join(
            f"<th>{_esc(h)}</th>" for h in t("lesson.example.paradata.columns", language).split("|")
        )
        log.value = f'<table class="sk-table"><tr>{head}</tr>{rows}</table>'

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
    table = rating.table[["institution_id", "K1", "K2", "K3", "K4", "K5", "S", "rank"]].sort_values("rank")
    rows = "".join(
        "<tr>" + "".join(f"<td>{_esc(v)}</td>" for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    head = "".join(f"<th>{_esc(c)}</th>" for c in table.columns)
    return [
        _title("lesson.example.criteria", language),
        W.HTML(f'<table class="sk-table">{head and "<tr>" + head + "</tr>"}{rows}</table>'),
    ]


def probing_example(
    language: str, *, guard: Callable, persona: str = "hesitant", question: str = "q2"
) -> list[W.Widget]:
    """The practice respondent hesitates: try a leading probe and a neutral one."""
    from surveykit.training.personas import load_personas
    from surveykit.training.practice import PROBES, SimulatedRespondent

    respondent = SimulatedRespondent(load_personas()[persona], language)
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


def calibration_example(language: str, *, guard: Callable, kind: str = "website") -> list[W.Widget]:
    """The calibration case of one kind: its description and test log (the exercise is in the practice app)."""
    course = _course()
    case = next(c for c in course.calibration_cases if c.kind == kind)
    log = "".join(
        f"<tr><td>{_esc(e.item)}</td><td>{_esc(e.when)}</td><td>{_esc(pick(e.action, language, 'en'))}</td>"
        f"<td>{_esc(pick(e.result, language, 'en'))}</td></tr>"
        for e in case.test_log
    )
    log_html = f'<table class="sk-table">{log}</table>' if log else ""
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
