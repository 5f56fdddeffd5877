"""The interview app: sign in, pick an assignment, interview, review, submit — over the response store.

:class:`InterviewApp` is the whole app as one widget. In Voilà (``apps/interview.ipynb``) it is created by
:func:`InterviewApp.from_request`, which reads the URL (``?assignment=12&lang=en&mode=telephone``); in
JupyterLab a sociologist can try a questionnaire without a database: ``InterviewApp.sandbox(questionnaire)``.

Every rule lives in the package: the session (:mod:`surveykit.interview.session`) decides what is shown
and what is wrong, the store decides what may be saved and submitted (the certification gate, idempotent
submission). This module only lays out widgets and passes clicks on.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from surveykit.config import settings
from surveykit.fieldwork import dispositions as D
from surveykit.fieldwork.desk import FieldworkDesk
from surveykit.i18n import UI_LANGUAGES, t
from surveykit.store.guarded import GuardedStore
from surveykit.ui.common import (
    STYLE,
    Notice,
    app_from_request,
    app_logger,
    guarded,
    language_picker,
    sign_in_page,
    word_button,
)

if TYPE_CHECKING:
    from surveykit.interview.session import InterviewSession
    from surveykit.questionnaire.model import Questionnaire

__all__ = ["InterviewApp"]

# The sign-in page is the first screen of every open page: the interview itself (the session, the expression
# engine and numpy, the form and contact widgets) is imported when an interview opens (issue 17, lean kernels;
# tests/apps/test_lean_imports.py).


def _esc(text: Any) -> str:
    return html.escape(str(text or ""))


class InterviewApp(W.VBox):
    """The interviewer's app. ``store=None`` with a ``questionnaire``: a sandbox that saves nothing."""

    def __init__(
        self,
        store: Any = None,
        *,
        questionnaire: Questionnaire | None = None,
        language: str | None = None,
        params: dict[str, str] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__()
        self.add_class("sk-app")
        self.add_class("sk-interview-app")
        self.store = store
        self.params = params or {}
        self.clock = clock or dt.datetime.now
        wanted = language or self.params.get("lang") or settings().default_language
        self.language = wanted if wanted in UI_LANGUAGES else "ru"
        self.person = None
        #: the signed-in person's view of the store: every data access after sign-in goes through it
        self.guarded: GuardedStore | None = None
        #: cases, contact outcomes and the home page's assignments (surveykit.fieldwork.desk)
        self.desk: FieldworkDesk | None = None
        self.session: InterviewSession | None = None
        self.meta = None  # the interview record in the store
        self.case = None  # the fieldwork case of the interview (None: practice or no case)
        self.practice = self.params.get("practice") in ("1", "true", "yes")
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language, self._signed_out)
        self.body = W.VBox()
        self.header = W.HTML()
        self.children = [W.HTML(STYLE), self.header, self.notice, self.body]
        self._sandbox_questionnaire = questionnaire
        if store is None:
            if questionnaire is None:
                raise ValueError("InterviewApp needs a store, or a questionnaire to try out")
            self._start_session(questionnaire, institution="", interview_id=None)
        else:
            self.show_sign_in()

    # --- construction -----------------------------------------------------------------------------------------
    @classmethod
    def from_request(cls) -> InterviewApp:
        """The app for a Voilà page: settings from the environment, options from the URL."""
        from surveykit.store import Store

        return app_from_request(cls, "interview", Store.open)

    @classmethod
    def sandbox(cls, questionnaire: Questionnaire, language: str | None = None) -> InterviewApp:
        """Try a questionnaire in JupyterLab: nothing is saved."""
        return cls(None, questionnaire=questionnaire, language=language)

    # --- header ---------------------------------------------------------------------------------------------------
    def _set_header(self, title: str, subtitle: str = "") -> None:
        banner = (
            f'<span class="sk-practice">{_esc(t("app.practice_banner", self.language))}</span> '
            if self.practice
            else ""
        )
        self.header.value = f'<div class="sk-title">{banner}{_esc(title)}</div>' + (
            f'<div class="sk-subtitle">{_esc(subtitle)}</div>' if subtitle else ""
        )

    def _switch_ui_language(self, language: str) -> None:
        self.language = language
        self.notice.clear()

    # --- sign in --------------------------------------------------------------------------------------------------
    def show_sign_in(self) -> None:
        lang = self.language
        self._set_header(t("app.interview_title", lang), t("app.sign_in_prompt", lang))
        self.body.children = sign_in_page(
            lang,
            self.guard,
            self.sign_in,
            lambda: (self.notice.clear(), self.show_home()),
            lambda new: (self._switch_ui_language(new), self.show_sign_in()),
        )

    #: who may sign in here: interviewers, and trainees for practice (anyone else: SK512)
    ROLES = ("interviewer", "trainee")

    def sign_in(self, login: str, code: str) -> None:
        """Start a session for this app (SK506 wrong code, SK520 locked, SK512 not an interviewer)."""
        session = self.store.start_session(login, code, self.ROLES, app="interview")
        self.guarded = GuardedStore(self.store, session)
        self.desk = FieldworkDesk(self.store, session)
        self.person = session.person
        app_logger().info("signed in: %s", self.person.id)

    def _signed_out(self) -> None:
        """The session ended (expired, signed out elsewhere): back to the sign-in page."""
        self.guarded = None
        self.desk = None
        self.person = None
        self.session = None
        self.meta = None
        self.case = None
        self.show_sign_in()

    # --- home: assignments, drafts --------------------------------------------------------------------------------
    def _certificate(self) -> tuple[bool, str]:
        """Whether the person may collect real data, and a sentence saying why (the store decides)."""
        status = self.guarded.certification_status(now=self.clock())
        if status.valid:
            if status.valid_until is None:
                return True, t("app.certified", self.language)
            return True, t("app.certified_until", self.language, date=status.valid_until.strftime("%d.%m.%Y"))
        return False, t("app.not_certified", self.language, reason=status.reason(self.language))

    def show_home(self) -> None:
        lang = self.language
        self.session = None
        self.meta = None
        self.case = None
        person = self.person
        self._set_header(t("app.hello", lang, name=person.display_name), t("app.home_subtitle", lang))
        certified, why = self._certificate()
        cert_line = W.HTML(
            f'<div class="sk-banner sk-banner-{"ok" if certified else "info"}">{_esc(why)}</div>'
        )
        practice = W.Checkbox(
            value=self.practice or not certified,
            description=t("app.practice_mode", lang),
            indent=False,
            layout=W.Layout(width="auto"),
        )
        practice.add_class("sk-practice-toggle")
        practice.disabled = not certified  # without a certificate only practice is possible

        def set_practice(change: dict[str, Any]) -> None:
            self.practice = bool(change["new"])
            self.show_home()

        practice.observe(set_practice, names="value")
        self.practice = bool(practice.value)
        rows: list[W.Widget] = [cert_line, practice]
        home = self.desk.home(lang, now=self._now())
        wanted = self.params.get("assignment")
        if wanted:
            self.params.pop("assignment", None)
            for view in home.assignments:
                if str(view.assignment.id) == wanted:
                    self.want_start(view.assignment, self.params.get("mode"))
                    return
        if not self.practice and len(home.reminders):
            rows.append(self._reminders(home.reminders))
        if not home.assignments:
            rows.append(W.HTML(f"<p>{_esc(t('app.no_assignments', lang))}</p>"))
        current = [v for v in home.assignments if v.current]
        others = [v for v in home.assignments if not v.current]
        rows.extend(self._assignment_card(view) for view in current)
        if others:
            box = W.VBox([self._assignment_card(view) for view in others])
            more = W.Accordion(children=[box], titles=(t("home.other_assignments", lang, count=len(others)),),
                               selected_index=None if current else 0)  # fmt: skip
            more.add_class("sk-other-assignments")
            rows.append(more)
        drafts = [
            d for d in self.guarded.drafts(practice=self.practice) if str(d.id) not in home.closed_interviews
        ]
        if drafts:
            rows.append(W.HTML(f"<h3>{_esc(t('app.drafts', lang))}</h3>"))
            for meta in drafts:
                rows.append(self._draft_row(meta))
        sign_out = W.Button(description=t("app.sign_out", lang), icon="sign-out")
        sign_out.on_click(self.guard(lambda _: self._sign_out()))
        rows.append(sign_out)
        self.body.children = rows

    def _now(self) -> dt.datetime:
        now = self.clock()
        return now if now.tzinfo is not None else now.astimezone()

    def _reminders(self, reminders: Any) -> W.Widget:
        """Appointments due soon or overdue, each with a button to continue its case."""
        from surveykit.ui.contact import when_text

        lang = self.language
        items: list[W.Widget] = [W.HTML(f'<div class="sk-section">{_esc(t("home.reminders", lang))}</div>')]
        for row in reminders:
            text = t("home.reminder_line", lang, when=when_text(row.appointment_at), institution=row.institution,
                     code=row.code)  # fmt: skip
            if row.overdue:
                text += f" ({t('home.overdue', lang)})"
            go = word_button(t("home.continue", lang), "phone")
            go.add_class(f"sk-continue-case-{row.case_id}")
            go.on_click(self.guard(lambda _, c=int(row.case_id): self.continue_case(c)))
            line = W.HBox(
                [W.HTML(f'<span class="{"sk-error" if row.overdue else ""}">{_esc(text)}</span>'), go]
            )
            items.append(line)
        box = W.VBox(items)
        box.add_class("sk-card")
        box.add_class("sk-reminders")
        return box

    def _sign_out(self) -> None:
        if self.guarded is not None:
            self.guarded.end()
        self.guarded = None
        self.desk = None
        self.person = None
        self.practice = False
        self.show_sign_in()

    def _assignment_card(self, view: Any) -> W.Widget:
        from surveykit.ui.contact import when_text

        lang = self.language
        assignment = view.assignment
        questionnaire = self.guarded.questionnaire(assignment.questionnaire_id)
        bar = W.IntProgress(value=min(view.done, view.target), min=0, max=max(1, view.target))
        state = [t("home.past", lang)] if view.past else []
        state += [t("home.full", lang)] if view.full else []
        info = W.HTML(
            f"<b>{_esc(view.institution)}</b><br>{_esc(view.questionnaire)} · {_esc(assignment.period)}"
            + (f" · <i>{_esc(', '.join(state))}</i>" if state else "")
            + "<br>"
            + _esc(t("app.done_of", lang, done=view.done, target=view.target))
        )
        modes = [(t(f"mode.{m.value}", lang), m.value) for m in questionnaire.settings.modes]
        mode = W.Dropdown(options=modes, value=modes[0][1], description=t("app.mode", lang))
        mode.add_class(f"sk-mode-{assignment.id}")
        start = W.Button(
            description=t("app.start", lang), button_style="success" if view.current else "", icon="play"
        )
        start.add_class(f"sk-start-{assignment.id}")
        start.on_click(self.guard(lambda _: self.want_start(assignment, mode.value)))
        items: list[W.Widget] = [info, bar, W.HBox([mode, start])]
        if not self.practice and len(view.open_cases):
            items.append(W.HTML(f'<div class="sk-hint">{_esc(t("home.open_cases", lang))}</div>'))
            for row in view.open_cases:
                if row.appointment_at is not None:
                    when = when_text(row.appointment_at)
                    text = t("home.open_case_appointment", lang, code=row.code, when=when)
                else:
                    when = when_text(row.last_at)
                    outcome = D.label(row.final, lang)
                    text = t("home.open_case_line", lang, code=row.code, outcome=outcome, when=when)
                go = word_button(t("home.continue", lang), "undo")
                go.add_class(f"sk-continue-case-{row.case_id}")
                go.on_click(self.guard(lambda _, c=int(row.case_id): self.continue_case(c)))
                items.append(W.HBox([W.HTML(_esc(text)), go]))
        card = W.VBox(items)
        card.add_class("sk-card")
        card.add_class(f"sk-assignment-{assignment.id}")
        return card

    def _draft_row(self, meta: Any) -> W.Widget:
        lang = self.language
        institution = self.guarded.institution(meta.institution_id)
        questionnaire = self.guarded.questionnaire(meta.questionnaire_id, meta.questionnaire_version)
        when = meta.updated_at.astimezone().strftime("%d.%m.%Y %H:%M") if meta.updated_at else ""
        text = _esc(t("home.draft_line", lang, institution=institution.name,
                      questionnaire=questionnaire.text(questionnaire.title, lang), when=when))  # fmt: skip
        if meta.status == "rejected":  # returned by a supervisor: the interviewer sees why
            notes = [n for n in self.guarded.review_notes(meta.id) if n.to_status == "rejected"]
            if notes:
                returned = t("casework.returned", lang, note=notes[-1].note)
                text += f'<br><span class="sk-returned">{_esc(returned)}</span>'
        label = W.HTML(text)
        label.add_class("sk-draft-label")
        resume = word_button(t("app.resume", lang), "undo")
        resume.add_class("sk-resume")
        resume.on_click(self.guard(lambda _: self.resume(meta.id)))
        return W.HBox([label, resume])

    # --- interviewing ----------------------------------------------------------------------------------------------
    def _mode(self, questionnaire: Questionnaire, mode: str | None) -> str:
        modes = [m.value for m in questionnaire.settings.modes]
        return mode if mode in modes else modes[0]

    def want_start(self, assignment: Any, mode: str | None) -> None:
        """A new respondent for ``assignment``: first a confirmation when its target is already reached
        (practice never counts towards a target), then the contact's first screen."""
        done = 0 if self.practice else self.desk.done(assignment.id)
        if not self.practice and done >= assignment.target:
            self.confirm_over_target(assignment, mode, done)
            return
        self.show_contact(assignment, mode)

    def confirm_over_target(self, assignment: Any, mode: str | None, done: int) -> None:
        lang = self.language
        institution = self.guarded.institution(assignment.institution_id).name
        self._set_header(t("over.title", lang))
        text = t("over.text", lang, done=done, target=assignment.target, institution=institution,
                 period=assignment.period)  # fmt: skip
        yes = W.Button(description=t("over.yes", lang), button_style="warning", icon="play")
        yes.add_class("sk-over-target-yes")
        yes.on_click(self.guard(lambda _: self.show_contact(assignment, mode)))
        no = W.Button(description=t("over.no", lang), icon="times")
        no.add_class("sk-over-target-no")
        no.on_click(self.guard(lambda _: self.show_home()))
        panel = W.VBox(
            [W.HTML(f'<div class="sk-banner sk-banner-info">{_esc(text)}</div>'), W.HBox([yes, no])]
        )
        panel.add_class("sk-over-target")
        self.body.children = [panel]

    def start(self, assignment: Any, mode: str | None) -> None:
        """The contact's first screen for a new respondent of ``assignment`` (kept for callers of the
        earlier app: starting always begins with who to interview and consent)."""
        self.want_start(assignment, mode)

    def continue_case(self, case_id: int) -> None:
        """Contact a case again (an appointment, a non-contact): its draft when an interview was begun,
        else the first screen with the case's history."""
        case, attempts = self.desk.case(case_id)
        if case.interview_id is not None:
            meta = self.guarded.interview(case.interview_id)
            if meta.status in ("draft", "rejected"):
                self.resume(meta.id)
                return
        assignment = self.desk.assignment(case.assignment_id) if case.assignment_id is not None else None
        if assignment is None:
            self.show_home()
            return
        mode = attempts[-1].mode if attempts else None
        self.show_contact(assignment, mode, case=case, history=attempts)

    def show_contact(self, assignment: Any, mode: str | None, *, case: Any = None, history: Any = ()) -> None:
        """Who to interview, the consent script, and the outcome of a contact without an interview."""
        from surveykit.interview.session import InterviewSession
        from surveykit.ui.contact import ContactScreen

        lang = self.language
        questionnaire = self.guarded.questionnaire(assignment.questionnaire_id)
        mode = self._mode(questionnaire, mode)
        if questionnaire.settings.kind != "survey" or mode not in D.CONTACT_MODES:
            self._begin(assignment, mode, None, {})  # a checklist or an observation: no respondent to contact
            return
        institution = self.guarded.institution(assignment.institution_id).name
        scratch = InterviewSession(
            questionnaire, language=self._form_language(questionnaire), clock=self.clock
        )
        who = t("contact.case", lang, code=case.code) if case is not None else t("contact.case_new", lang)
        self._set_header(questionnaire.text(questionnaire.title, lang),
                         " · ".join((institution, t(f"mode.{mode}", lang), who)))  # fmt: skip
        screen = ContactScreen(
            scratch, language=lang, mode=mode, respondent=questionnaire.settings.respondent,
            allow_proxy=questionnaire.settings.allow_proxy, history=history, practice=self.practice,
            guard=self.guard,
            on_begin=lambda answers: self._begin(assignment, mode, case, answers),
            on_record=lambda code, when, note: self._record(assignment, mode, case, code, when, note),
            on_back=self.show_home,
        )  # fmt: skip
        self.body.children = [screen]

    def _begin(self, assignment: Any, mode: str, case: Any, answers: dict[str, Any]) -> None:
        questionnaire = self.guarded.questionnaire(assignment.questionnaire_id)
        contact = questionnaire.settings.kind == "survey" and mode in D.CONTACT_MODES
        meta, self.case = self.desk.start_interview(
            self.guarded, assignment, mode=mode, language=self._form_language(questionnaire),
            case_id=case.id if case is not None else None, practice=self.practice, with_case=contact,
        )  # fmt: skip
        self._open(meta, questionnaire, answers=answers or None, page=None)

    def _record(self, assignment: Any, mode: str, case: Any, code: str, when: Any, note: str | None) -> None:
        from surveykit.ui.contact import when_text

        lang = self.language
        case, attempt = self.desk.record(code, mode=mode, assignment_id=assignment.id,
                                         case_id=case.id if case is not None else None, appointment_at=when,
                                         note=(note or "").strip() or None)  # fmt: skip
        self.show_home()
        if attempt.appointment_at is not None:
            self.notice.show(
                t("contact.recorded_appointment", lang, code=case.code, when=when_text(when)), "ok"
            )
        else:
            self.notice.show(t("contact.recorded", lang, code=case.code, outcome=D.label(code, lang)), "ok")

    def resume(self, interview_id: str) -> None:
        loaded = self.guarded.load_interview(interview_id)
        meta = loaded.meta
        self.practice = meta.practice
        self.case = None if meta.practice else self.desk.case_of_interview(meta.id)
        questionnaire = self.guarded.questionnaire(meta.questionnaire_id, meta.questionnaire_version)
        self._open(meta, questionnaire, answers=loaded.answers, page=loaded.page)

    def _form_language(self, questionnaire: Questionnaire) -> str:
        return self.language if self.language in questionnaire.languages else questionnaire.default_language

    def _open(
        self, meta: Any, questionnaire: Questionnaire, *, answers: dict | None, page: str | None
    ) -> None:
        self.meta = meta
        institution = self.guarded.institution(meta.institution_id).name
        self._start_session(
            questionnaire,
            institution=institution,
            interview_id=meta.id,
            answers=answers,
            page=page,
            language=meta.language,
        )
        self._save_draft()

    def _start_session(
        self,
        questionnaire: Questionnaire,
        *,
        institution: str,
        interview_id: str | None,
        answers: dict | None = None,
        page: str | None = None,
        language: str | None = None,
    ) -> None:
        from surveykit.interview.session import InterviewSession
        from surveykit.ui.form import FormView

        form_language = language or self._form_language(questionnaire)
        self.session = InterviewSession(
            questionnaire,
            interview_id=interview_id,
            language=form_language,
            answers=answers,
            page=page,
            clock=self.clock,
        )
        self.form_view = FormView(
            self.session,
            on_page_change=lambda _: self._save_draft(),
            on_finish=lambda _: self.show_review(),
            guard=self.guard,
            on_file=self._attach_file if self.guarded is not None and interview_id is not None else None,
        )
        if self.guarded is not None and interview_id is not None and answers:
            # a resumed draft: its file questions show the names the files were uploaded with
            for stored in self.guarded.interview_files(interview_id):
                self.form_view.files[stored.name] = (stored.original_name or "", stored.size, None)
        self._institution = institution
        self._show_form()

    def _form_header(self) -> W.Widget:
        s = self.session
        q = s.questionnaire
        title = q.text(q.title, s.language)
        mode = (
            t(f"mode.{self.meta.mode}", self.language)
            if self.meta is not None
            else t("app.sandbox", self.language)
        )
        self._set_header(title, " · ".join(x for x in (self._institution, mode) if x))
        options = tuple(q.languages)

        def switch(language: str) -> None:
            s.set_language(language)
            if language in UI_LANGUAGES:
                self.language = language
            self.form_view.relabel()
            self._show_form()

        picker = language_picker(s.language, self.guard(switch), languages=options)
        items: list[W.Widget] = [picker]
        if self.store is not None:
            leave = word_button(t("app.save_exit", self.language), "save")
            leave.add_class("sk-save-exit")
            leave.on_click(self.guard(lambda _: (self._save_draft(), self.show_home())))
            items.append(leave)
        if self.store is not None and self.case is not None:
            stop = word_button(t("stop.button", self.language), "ban")
            stop.add_class("sk-stop")
            stop.on_click(self.guard(lambda _: self.confirm_stop()))
            items.append(stop)
        return W.HBox(items)

    def _stop_code(self) -> str:
        """What stopping records: a refusal when consent is not given (the gate's answer fails its rule),
        else partial or break-off by the share answered (surveykit.fieldwork.outcome)."""
        from surveykit.fieldwork.outcome import answered_share, interview_disposition
        from surveykit.interview.session import InterviewSession
        from surveykit.ui.contact import gate_of

        s = self.session
        first = InterviewSession(
            s.questionnaire, language=s.language, answers=dict(s.answers), clock=self.clock
        )
        gate = gate_of(first)
        if gate is not None and (gate.value is None or gate.errors):
            return D.codes_for("refusal", self.meta.mode)[0]
        code = interview_disposition(answered_share(s.form, s.answers).share)
        return "1.2" if code == "1.1" else code

    def confirm_stop(self) -> None:
        lang = self.language
        self._save_draft()
        code = self._stop_code()
        text = t("stop.text", lang, outcome=D.label(code, lang))
        yes = W.Button(description=t("stop.confirm", lang), button_style="danger", icon="ban")
        yes.add_class("sk-stop-confirm")
        yes.on_click(self.guard(lambda _: self._stop(code)))
        no = W.Button(description=t("stop.cancel", lang), icon="arrow-left")
        no.add_class("sk-stop-cancel")
        no.on_click(self.guard(lambda _: self._show_form()))
        panel = W.VBox([W.HTML(f'<div class="sk-title">{_esc(t("stop.title", lang))}</div>'),
                        W.HTML(f'<div class="sk-banner sk-banner-info">{_esc(text)}</div>'), W.HBox([yes, no])])  # fmt: skip
        panel.add_class("sk-stop-panel")
        self.body.children = [panel]

    def _stop(self, code: str) -> None:
        lang = self.language
        case = self.case
        if D.category(code) == "R":
            self.desk.record(code, mode=self.meta.mode, case_id=case.id)
        else:
            attempt = self.desk.break_off(self.meta.id, self.session.answers)
            code = attempt.disposition if attempt is not None else code
        self.show_home()
        self.notice.show(t("contact.recorded", lang, code=case.code, outcome=D.label(code, lang)), "ok")

    def _show_form(self) -> None:
        self.body.children = [self._form_header(), self.form_view]

    def _attach_file(self, question: str, content: bytes, name: str) -> str:
        """A photo, recording or document stored with the interview at once; the answer is its stored name."""
        assert self.guarded is not None and self.meta is not None
        return self.guarded.attach_file(self.meta.id, question, content, name).name

    def _save_draft(self) -> None:
        if self.store is None or self.meta is None or self.session is None or self.guarded is None:
            return
        events = [e.to_dict() for e in self.session.take_events()]
        self.meta = self.guarded.save_draft(
            self.meta.id, self.session.answers, self.session.page.code, events
        )

    # --- review and submit -----------------------------------------------------------------------------------------
    def show_review(self) -> None:
        lang = self.language
        s = self.session
        self._save_draft()
        rows = s.review()
        items: list[W.Widget] = [W.HTML(f'<div class="sk-title">{_esc(t("app.review_title", lang))}</div>')]
        blocking = False
        if not rows:
            items.append(W.HTML(f'<div class="sk-ok">{_esc(t("app.review_all_good", lang))}</div>'))
        for page, code, label, problems in rows:
            blocking |= bool(problems)
            text = _esc(label) + (
                "".join(f'<div class="sk-error">⚠ {_esc(p)}</div>' for p in problems)
                if problems
                else f' <span class="sk-hint">({_esc(t("app.unanswered", lang))})</span>'
            )
            go = W.Button(description=t("app.go_to", lang), layout=W.Layout(width="auto"))
            go.on_click(self.guard(lambda _, p=page.code: self._go_to(p)))
            row = W.HBox([W.HTML(text, layout=W.Layout(width="75%")), go])
            row.add_class(f"sk-review-{code}")
            items.append(row)
        answers = "".join(
            f"<tr><td>{_esc(page)}</td><td>{_esc(question)}</td><td><b>{_esc(value)}</b></td></tr>"
            for page, question, value in s.summary()
        )
        table = W.HTML(f'<table class="sk-table">{answers}</table>')
        items.append(W.Accordion(children=[table], titles=(t("app.all_answers", lang),), selected_index=None))
        submit = W.Button(
            description=t("app.submit", lang), button_style="success", icon="check", disabled=blocking
        )
        submit.add_class("sk-submit")
        submit.on_click(self.guard(lambda _: self.submit()))
        back = W.Button(description=t("form.back", lang), icon="arrow-left")
        back.on_click(self.guard(lambda _: self._show_form()))
        items.append(W.HBox([back, submit]))
        self.body.children = items

    def _go_to(self, page: str) -> None:
        self.session.go_to(page)
        self.form_view.refresh()
        self._show_form()

    def submit(self) -> None:
        lang = self.language
        result, events = self.session.submission()
        if not result.ok:
            self.show_review()
            return
        if self.store is None:  # sandbox: show what would be stored
            self.body.children = [
                W.HTML(f'<div class="sk-banner sk-banner-ok">{_esc(t("app.sandbox_valid", lang))}</div>'),
                W.HTML(result.data.T.to_html(header=False, na_rep="")),
            ]
            return
        outcome = self.guarded.submit(
            self.meta.id, self.session.answers, events=[e.to_dict() for e in events]
        )
        app_logger().info("submitted %s (%s)", self.meta.id, outcome.outcome)
        self.show_done()

    def show_done(self) -> None:
        lang = self.language
        meta = self.meta
        assignment = next(
            (a for a in self.guarded.assignments() if a.id == meta.assignment_id),
            None,
        )
        done_text = ""
        if assignment is not None:
            done_text = t("app.done_of", lang, done=self.desk.done(assignment.id), target=int(assignment.target))
        self._set_header(t("app.submitted_title", lang), done_text)
        again = W.Button(description=t("app.next_interview", lang), button_style="success", icon="play")
        again.add_class("sk-next-interview")
        if assignment is not None:
            again.on_click(self.guard(lambda _: self.want_start(assignment, meta.mode)))
        else:
            again.disabled = True
        home = W.Button(description=t("app.home", lang), icon="home")
        home.on_click(self.guard(lambda _: self.show_home()))
        self.body.children = [
            W.HTML(f'<div class="sk-banner sk-banner-ok">{_esc(t("app.submitted", lang))}</div>'),
            W.HBox([again, home]),
        ]
