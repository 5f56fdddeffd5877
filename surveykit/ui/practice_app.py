"""The practice app: practice interviews with a simulated respondent, and the checklist-calibration exercise.

*Practice interview.* The trainee picks a persona (``questionnaires/training/personas``; only the name and
what the sample list says are shown — the behaviour cards are for trainers), fills in the cover sheet (mode;
whether a representative answers for the recipient: the proxy flag), meets the respondent at the door, on
the phone or with a form to hand over (:class:`~surveykit.ui.practice_contact.ContactPanel`: contact moves,
the recorded outcome) and, once she agrees, interviews: the form is the interview app's
:class:`~surveykit.ui.form.FormView` over an
:class:`~surveykit.interview.session.InterviewSession`, and next to every question the persona's reply
appears when the trainee asks it (a hesitation first needs a probe: neutral probes get the answer, a
leading one is logged). At the end the interview is stored **as practice** (never counted, never mixed with
real data) and scored against the script (:mod:`surveykit.training.practice`): points and feedback per
question.

*Calibration.* The trainee audits a practice case (a website, premises) item by item; the agreement with
the expert key and Cohen's kappa are computed (:mod:`surveykit.training.calibration`) and stored.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as W

from surveykit.config import settings
from surveykit.i18n import UI_LANGUAGES, pick, t
from surveykit.interview.session import InterviewSession
from surveykit.store.guarded import GuardedStore, GuardedTraining
from surveykit.training.personas import Persona
from surveykit.training.practice import PROBES, SimulatedRespondent
from surveykit.ui.common import (
    STYLE,
    Notice,
    app_from_request,
    app_logger,
    guarded,
    language_picker,
    sign_in_page,
)
from surveykit.ui.exam_app import EXAM_STYLE
from surveykit.ui.form import FormView
from surveykit.ui.lesson import render_markdown
from surveykit.ui.practice_contact import CONTACT_STYLE, ContactPanel
from surveykit.ui.quiz import QUIZ_STYLE

__all__ = ["PracticeApp"]

PRACTICE_STYLE = """
<style>
.sk-says { background: #fefcbf; border: 1px solid #ecc94b; border-radius: 10px; padding: 8px 12px; margin: 6px 0;
           font-size: 18px; line-height: 1.45; }
.sk-says-dk { background: #edf2f7; border-color: #a0aec0; }
.sk-persona { border: 1px solid #cbd5e0; border-radius: 10px; padding: 10px 14px; margin: 8px 0; }
.sk-persona-name { font-size: 21px; font-weight: 700; color: #1f3a5f; }
.sk-score-big { font-size: 34px; font-weight: 800; color: #1f3a5f; }
.sk-line-ok { color: #276749; font-weight: 700; }
.sk-line-bad { color: #9b2c2c; font-weight: 700; }
</style>
"""


def _esc(text: Any) -> str:
    return html.escape(str(text or "")).replace("\n", "<br>")


def _store_events(events: list[Any]) -> list[dict[str, Any]]:
    """The session's paradata for the store (``ParadataEvent.to_dict`` is the store's event format)."""
    return [e.to_dict() for e in events]


class _PracticeForm(FormView):
    """The interview form with the respondent's reply under each question (the form itself is unchanged)."""

    def __init__(self, session: InterviewSession, app: PracticeApp, **kwargs: Any) -> None:
        self._app = app
        super().__init__(session, **kwargs)

    def refresh(self) -> None:
        super().refresh()
        app = getattr(self, "_app", None)
        if app is None:
            return
        for (variable, repeat, _row), widget in self.widgets.items():
            if repeat is not None:
                continue
            bubble = app.bubble(variable)
            children = list(widget.box.children)
            if bubble not in children:
                widget.box.children = [children[0], bubble, *children[1:]]


class PracticeApp(W.VBox):
    """The trainee's practice app (see the module docstring). ``service`` is a TrainingService."""

    def __init__(
        self, service: Any, *, language: str | None = None, params: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.add_class("sk-app")
        self.add_class("sk-practice-app")
        self.service = service
        self.course = service.course
        self.params = params or {}
        wanted = language or self.params.get("lang") or settings().default_language
        self.language = wanted if wanted in UI_LANGUAGES else "ru"
        self.person: Any = None
        #: the signed-in person's view of the store and of the training records (set at sign-in)
        self.guarded: GuardedStore | None = None
        self.training: GuardedTraining | None = None
        self.persona: Persona | None = None
        self.respondent: SimulatedRespondent | None = None
        self.session: InterviewSession | None = None
        self.meta: Any = None
        self.contact: ContactPanel | None = None
        self.form: Any = None
        self.bubbles: dict[str, W.VBox] = {}
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language, self._signed_out)
        self.header = W.HTML()
        self.body = W.VBox()
        self.children = [
            W.HTML(STYLE + QUIZ_STYLE + EXAM_STYLE + PRACTICE_STYLE + CONTACT_STYLE),
            self.header,
            self.notice,
            self.body,
        ]
        self.show_sign_in()

    @classmethod
    def from_request(cls) -> PracticeApp:
        """The app for a Voilà page (surveykit.ui.common.app_from_request)."""
        from surveykit.store import Store
        from surveykit.training.service import TrainingService

        return app_from_request(cls, "practice", lambda: TrainingService(Store.open()))

    def _set_header(self, title: str, subtitle: str = "", practice: bool = True) -> None:
        banner = (
            f'<span class="sk-practice">{_esc(t("app.practice_banner", self.language))}</span> '
            if practice
            else ""
        )
        self.header.value = f'<div class="sk-title">{banner}{_esc(title)}</div>' + (
            f'<div class="sk-subtitle">{_esc(subtitle)}</div>' if subtitle else ""
        )

    def _switch(self, language: str, then: Any) -> None:
        self.language = language
        self.notice.clear()
        then()

    # --- sign in and home ------------------------------------------------------------------------------------
    def show_sign_in(self) -> None:
        lang = self.language
        self._set_header(t("practice.title", lang), t("exam.sign_in_prompt", lang), practice=False)
        self.body.children = sign_in_page(
            lang,
            self.guard,
            self.sign_in,
            lambda: (self.notice.clear(), self.show_home()),
            lambda new: self._switch(new, self.show_sign_in),
        )

    #: who may practise: trainees and interviewers (anyone else: SK512)
    ROLES = ("trainee", "interviewer")

    def sign_in(self, login: str, code: str) -> None:
        """Start a session for the practice app."""
        session = self.service.store.start_session(login, code, self.ROLES, app="practice")
        self.guarded = GuardedStore(self.service.store, session)
        self.training = self.guarded.training(self.service)
        self.person = session.person

    def _signed_out(self) -> None:
        self.person = None
        self.guarded = None
        self.training = None
        self.session = None
        self.show_sign_in()

    def _sign_out(self) -> None:
        if self.guarded is not None:
            self.guarded.end()
        self._signed_out()

    def show_home(self) -> None:
        lang = self.language
        self.session = None
        self._set_header(t("practice.title", lang), t("app.hello", lang, name=self.person.display_name))
        items: list[W.Widget] = [language_picker(lang, lambda new: self._switch(new, self.show_home))]
        items.append(W.HTML(f'<div class="sk-note">{_esc(t("practice.intro", lang))}</div>'))
        items.append(W.HTML(f"<h3>{_esc(t('practice.personas', lang))}</h3>"))
        for persona in self.training.personas().values():
            # the name and what the sample list says: the behaviour cards are for trainers only
            card = W.HTML(
                f'<div class="sk-persona-name">{_esc(persona.title(lang))}</div>'
                f'<div class="sk-lesson-text">{_esc(persona.brief_in(lang))}</div>'
            )
            start = W.Button(description=t("practice.choose", lang), button_style="primary")
            start.add_class(f"sk-persona-{persona.id}")
            start.on_click(self.guard(lambda _, p=persona: self.show_cover(p)))
            box = W.VBox([card, start])
            box.add_class("sk-persona")
            items.append(box)
        items.append(W.HTML(f"<h3>{_esc(t('practice.calibration', lang))}</h3>"))
        for case in self.course.calibration_cases:
            button = W.Button(description=pick(case.title, lang, "en"), layout=W.Layout(width="auto"))
            button.add_class(f"sk-case-{case.id}")
            button.on_click(self.guard(lambda _, c=case.id: self.show_calibration(c)))
            items.append(button)
        sign_out = W.Button(description=t("app.sign_out", lang))
        sign_out.on_click(self.guard(lambda _: self._sign_out()))
        items.append(sign_out)
        self.body.children = items

    # --- a practice interview -------------------------------------------------------------------------------------
    def show_cover(self, persona: Persona) -> None:
        """The cover sheet: mode and the proxy flag are the trainee's to record (they are scored)."""
        lang = self.language
        self.persona = persona
        questionnaire = self.training.practice_questionnaire()
        modes = [(t(f"mode.{m.value}", lang), m.value) for m in questionnaire.settings.modes]
        mode = W.Dropdown(options=modes, value=modes[0][1], description=t("app.mode", lang))
        mode.add_class("sk-practice-mode")
        proxy = W.Checkbox(value=False, description=t("practice.proxy_flag", lang), indent=False)
        proxy.add_class("sk-proxy-flag")
        start = W.Button(description=t("practice.start", lang), button_style="success")
        start.add_class("sk-start-practice")
        start.on_click(self.guard(lambda _: self.start(mode.value, bool(proxy.value))))
        back = W.Button(description=t("app.home", lang))
        back.on_click(self.guard(lambda _: self.show_home()))
        self._set_header(t("practice.cover_title", lang), persona.title(lang))
        self.body.children = [
            W.HTML(
                f'<div class="sk-note"><b>{_esc(t("course.persona_brief_title", lang))}</b> '
                f"{_esc(persona.brief_in(lang))}</div>"
            ),
            W.HTML(f'<div class="sk-hint">{_esc(t("practice.cover_hint", lang))}</div>'),
            mode,
            proxy,
            W.HBox([start, back]),
        ]

    def start(self, mode: str, proxy: bool) -> None:
        persona = self.persona
        questionnaire = self.training.practice_questionnaire()
        language = (
            self.language if self.language in questionnaire.languages else questionnaire.default_language
        )
        self.meta = self.training.start_practice(proxy=proxy, mode=mode, language=language)
        self.respondent = SimulatedRespondent(persona, language)
        self.bubbles = {}
        self.session = InterviewSession(
            questionnaire, interview_id=self.meta.id, language=language, clock=self.service.now
        )
        self.form = _PracticeForm(
            self.session,
            self,
            on_page_change=lambda _: self._save_draft(),
            on_finish=lambda _: self.finish(),
            guard=self.guard,
        )
        self.form.layout.display = "none"  # opens when the respondent agrees
        self.contact = ContactPanel(
            self.respondent,
            self.language,
            guard=self.guard,
            on_agreed=self._agreed,
            on_end=self.end_contact,
        )
        self._set_header(t("practice.interview_title", self.language), persona.title(self.language))
        stop = W.Button(description=t("practice.abandon", self.language))
        stop.add_class("sk-abandon")
        stop.on_click(self.guard(lambda _: self.show_home()))
        self.body.children = [self.contact, self.form, stop]
        self._save_draft()

    def _agreed(self) -> None:
        """The respondent agreed: the questionnaire opens (not for a self-completed form: she fills it in)."""
        if self.persona is not None and self.persona.records_answers:
            self.form.layout.display = None

    def end_contact(self, outcome: str | None) -> None:
        """End the contact with the outcome the trainee recorded: store the draft as it is and score."""
        self._save_draft()
        report = self.training.score_practice(
            self.meta.id,
            self.persona.id,
            probes=self.respondent.probes,
            contact=self.respondent.contact_log(outcome),
        )
        app_logger().info(
            "practice: %s ended a contact with %s (%s): %.2f",
            self.person.id,
            self.persona.id,
            outcome,
            report.score,
        )
        self.show_report(report)

    def _save_draft(self) -> None:
        events = _store_events(self.session.take_events())
        self.meta = self.guarded.save_draft(
            self.meta.id, self.session.answers, self.session.page.code, events
        )

    def bubble(self, variable: str) -> W.VBox:
        """The respondent's box under a question: "Ask" first, then the reply, probes when it hesitates."""
        box = self.bubbles.get(variable)
        if box is None:
            box = W.VBox()
            box.add_class(f"sk-reply-{variable}")
            self.bubbles[variable] = box
            self._show_reply(variable, None)
        return box

    def _show_reply(self, variable: str, reply: Any) -> None:
        lang = self.language
        box = self.bubbles[variable]
        if reply is None:
            ask = W.Button(
                description=t("practice.ask", lang), button_style="info", layout=W.Layout(width="auto")
            )
            ask.add_class(f"sk-ask-{variable}")
            ask.on_click(self.guard(lambda _: self._show_reply(variable, self.respondent.ask(variable))))
            box.children = [ask]
            return
        css = "sk-says sk-says-dk" if reply.kind in ("dk", "stopped", "break_off") else "sk-says"
        said = W.HTML(
            f'<div class="{css}"><b>{_esc(t("practice.respondent", lang))}</b> «{_esc(reply.text)}»</div>'
        )
        said.add_class(f"sk-said-{variable}")
        children: list[W.Widget] = [said]
        if reply.kind == "event":  # distress, a disclosure...: the trainee answers with a contact move
            again = W.Button(description=t("course.ask_again", lang), layout=W.Layout(width="auto"))
            again.add_class(f"sk-ask-again-{variable}")
            again.on_click(self.guard(lambda _: self._show_reply(variable, self.respondent.ask(variable))))
            children += [W.HTML(f'<div class="sk-hint">{_esc(t("course.event_hint", lang))}</div>'), again]
        if reply.needs_probe:
            children.append(W.HTML(f'<div class="sk-hint">{_esc(t("practice.needs_probe", lang))}</div>'))
            buttons = []
            for probe in PROBES:
                button = W.Button(description=pick(probe.text, lang, "en"), layout=W.Layout(width="auto"))
                button.add_class(f"sk-probe-{variable}-{probe.id}")
                button.on_click(
                    self.guard(
                        lambda _, p=probe.id: self._show_reply(variable, self.respondent.probe(variable, p))
                    )
                )
                buttons.append(button)
            children.append(W.HBox(buttons, layout=W.Layout(flex_flow="row wrap")))
        box.children = children

    def finish(self) -> None:
        """Store the interview as practice and show the score against the script."""
        result, events = self.session.submission()
        if not result.ok:
            self.notice.show(t("form.fix_page", self.language), "error")
            return
        self.guarded.submit(self.meta.id, self.session.answers, events=_store_events(events))
        outcome = self.contact.outcome.value if self.contact is not None else None
        report = self.training.score_practice(
            self.meta.id,
            self.persona.id,
            probes=self.respondent.probes,
            contact=self.respondent.contact_log(outcome or "complete"),
        )
        app_logger().info("practice: %s scored %.2f with %s", self.person.id, report.score, self.persona.id)
        self.show_report(report)

    def show_report(self, report: Any) -> None:
        lang = self.language
        self._set_header(t("practice.report_title", lang), self.persona.title(lang) if self.persona else "")
        rows = "".join(
            f'<tr class="sk-line-{line.kind}"><td class="{"sk-line-ok" if line.ok else "sk-line-bad"}">{"✓" if line.ok else "✗"}</td>'
            f"<td>{_esc(line.label_in(lang))}</td><td>{line.points:g} / {line.max_points:g}</td>"
            f"<td>{_esc(line.feedback_in(lang))}</td></tr>"
            for line in report.lines
        )
        head = "".join(f"<th>{_esc(h)}</th>" for h in t("practice.report_columns", lang).split("|"))
        summary = W.HTML(
            f'<div class="sk-score-big sk-practice-score">{report.score * 100:.0f} %</div>'
            f'<div class="sk-lesson-text">{_esc(t("practice.points", lang, earned=f"{report.earned:g}", possible=f"{report.possible:g}"))}</div>'
            f'<div class="sk-hint">{_esc(t("practice.stored_as_practice", lang))}</div>'
            f'<table class="sk-table sk-practice-report"><tr>{head}</tr>{rows}</table>'
        )
        again = W.Button(description=t("practice.again", lang), button_style="primary")
        again.add_class("sk-practice-again")
        again.on_click(self.guard(lambda _: self.show_home()))
        self.body.children = [summary, again]

    # --- calibration ------------------------------------------------------------------------------------------------
    def show_calibration(self, case_id: str) -> None:
        lang = self.language
        case = self.course.case(case_id)
        audit = self.course.audit_items
        self._set_header(t("practice.calibration", lang), pick(case.title, lang, "en"), practice=False)
        log = "".join(
            f"<tr><td>{_esc(e.item)}</td><td>{_esc(e.when)}</td><td>{_esc(pick(e.action, lang, 'en'))}</td>"
            f"<td>{_esc(pick(e.result, lang, 'en'))}</td></tr>"
            for e in case.test_log
        )
        description = W.HTML(
            f'<div class="sk-lesson-text">{render_markdown(pick(case.description, lang, "en"))}'
            + (f'<table class="sk-table">{log}</table>' if log else "")
            + "</div>"
        )
        choices: dict[str, W.Dropdown] = {}
        rows: list[W.Widget] = []
        for item_id in case.key:
            item = audit.item(item_id)
            options = [(t("calibration.not_rated", lang), None)] + [
                (t(f"calibration.status.{s}", lang), s) for s in audit.statuses_of(item_id)
            ]
            dropdown = W.Dropdown(options=options, value=None, layout=W.Layout(width="260px"))
            dropdown.add_class(f"sk-audit-{item_id}")
            choices[item_id] = dropdown
            label = W.HTML(
                f"<b>{_esc(item_id)}</b> {_esc(pick(item.text, lang, 'en') if item else '')}",
                layout=W.Layout(width="640px"),
            )
            rows.append(W.HBox([label, dropdown]))
        submit = W.Button(description=t("calibration.submit", lang), button_style="success")
        submit.add_class("sk-calibration-submit")
        result = W.HTML()
        result.add_class("sk-calibration-result")

        def score(_: Any) -> None:
            answers = {k: d.value for k, d in choices.items()}
            outcome = self.training.record_calibration(case.id, answers)
            kappa = "—" if outcome.kappa is None else f"{outcome.kappa:.2f}"
            verdict = t("calibration.passed" if outcome.passed else "calibration.failed", lang)
            missed = "".join(
                f"<li><b>{_esc(d.item)}</b>: {_esc(t('calibration.expected', lang, expected=t('calibration.status.' + d.expected, lang), given=t('calibration.status.' + d.given, lang) if d.given else t('calibration.not_rated', lang)))}"
                + (
                    f"<div class='sk-hint'>{_esc(pick(case.notes[d.item], lang, 'en'))}</div>"
                    if d.item in case.notes
                    else ""
                )
                + "</li>"
                for d in outcome.disagreements
            )
            rules = self.course.rules.calibration
            result.value = (
                f'<div class="sk-score-big">{outcome.agreement * 100:.0f} %</div>'
                f'<div class="sk-lesson-text">{_esc(t("calibration.summary", lang, agree=outcome.n_agree, n=outcome.n_items, kappa=kappa, need=f"{rules.min_agreement * 100:.0f}", need_kappa=f"{rules.min_kappa:.2f}"))}</div>'
                f'<div class="sk-verdict sk-verdict-{"pass" if outcome.passed else "fail"}">{_esc(verdict)}</div>'
                + (
                    f"<h3>{_esc(t('calibration.disagreements', lang))}</h3><ul>{missed}</ul>"
                    if missed
                    else ""
                )
            )

        submit.on_click(self.guard(score))
        back = W.Button(description=t("app.home", lang))
        back.on_click(self.guard(lambda _: self.show_home()))
        self.body.children = [description, *rows, W.HBox([submit, back]), result]
