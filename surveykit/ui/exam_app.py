"""The final exam app: sign in, start (or resume) an attempt, answer one item at a time against the clock,
hand in, see the result and — when every certification rule is met — download the certificate.

:class:`ExamApp` only lays out widgets and passes clicks on. The rules live in the package: the draw, the
time limit, the re-sits and the grading in :mod:`surveykit.training` (from ``rules.yaml``), the storage of
attempts and the certificate in :class:`surveykit.training.service.TrainingService`. Every answer is
stored the moment it is given, so closing the tab, a reload or a flat battery lose nothing: after signing in
again the attempt comes back exactly, with the same deadline.

The countdown is driven by an invisible ``Play`` widget ticking in the browser once a second (no thread in
the kernel, nothing written into an ``Output``); at the deadline the attempt closes by itself.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from surveykit.config import settings
from surveykit.errors import ErrorCode, TrainingError
from surveykit.i18n import UI_LANGUAGES, number_text, pick, t
from surveykit.store.guarded import GuardedStore, GuardedTraining
from surveykit.training.exam import ExamAttempt
from surveykit.ui.common import (
    STYLE,
    Notice,
    app_from_request,
    app_logger,
    guarded,
    language_picker,
    pdf_link,
    sign_in_page,
)
from surveykit.ui.quiz import QUIZ_STYLE, QuizItemView

__all__ = ["EXAM_STYLE", "ExamApp"]

EXAM_STYLE = """
<style>
.sk-app .sk-subtitle { font-size: 18px; color: #4a5568; }
.sk-app .sk-login input, .sk-app .sk-code input { font-size: 21px !important; min-height: 48px; }
.sk-exam-bar { display: flex; align-items: center; gap: 28px; background: #1f3a5f; color: #fff;
               border-radius: 10px; padding: 10px 18px; margin: 8px 0; }
.sk-exam-bar .widget-html-content, .sk-exam-bar span { font-size: 20px; color: #ffffff; line-height: 1.3; }
.sk-exam-bar .sk-countdown { font-size: 30px; font-weight: 700; font-variant-numeric: tabular-nums; margin-left: 6px; }
.sk-exam-bar .sk-countdown-low { color: #fed7d7; }
.sk-app .sk-exam-nav .jupyter-button { min-width: 50px; width: 50px; min-height: 50px; font-size: 19px; margin: 3px;
                                       border-radius: 8px; }
.sk-nav-answered { background: #c6f6d5 !important; }
.sk-nav-current { outline: 3px solid #2b6cb0; }
.sk-verdict { font-size: 30px; font-weight: 800; margin: 10px 0; }
.sk-verdict-pass { color: #276749; }
.sk-verdict-fail { color: #9b2c2c; }
.sk-download a { display: inline-block; background: #2f855a; color: #fff !important; font-size: 20px;
                 padding: 12px 22px; border-radius: 10px; text-decoration: none; margin: 8px 0; }
.sk-rules li { margin: 4px 0; }
.sk-app .sk-primary-big { font-size: 20px !important; min-height: 54px !important; padding: 0 26px !important; }
.sk-exam-role .widget-radio-box { width: auto; }
.sk-exam-role .widget-radio-box label { font-size: 19px; line-height: 1.5; white-space: nowrap; }
</style>
"""


def _esc(text: Any) -> str:
    return html.escape(str(text or "")).replace("\n", "<br>")


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone().strftime("%d.%m.%Y %H:%M") if moment else ""


class ExamApp(W.VBox):
    """The trainee's exam (see the module docstring). ``service`` is a TrainingService over the store."""

    def __init__(
        self,
        service: Any,
        *,
        language: str | None = None,
        params: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.add_class("sk-app")
        self.add_class("sk-exam-app")
        self.service = service
        self.course = service.course
        self.params = params or {}
        wanted = language or self.params.get("lang") or settings().default_language
        self.language = wanted if wanted in UI_LANGUAGES else "ru"
        self.person: Any = None
        #: the trainee's view of the training records (set at sign-in): every data access goes through it
        self.training: GuardedTraining | None = None
        self.attempt: ExamAttempt | None = None
        #: the role picked for the next exam (None: the default, i.e. the last attempt's role)
        self.chosen_role: str | None = None
        self.index = 0
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language, self._signed_out)
        self.header = W.HTML()
        self.body = W.VBox()
        self.timer = W.Play(value=0, min=0, max=10**7, step=1, interval=1000, repeat=True, playing=False)
        self.timer.layout.display = "none"
        self.timer.observe(self.guard(self._tick), names="value")
        self.children = [
            W.HTML(STYLE + QUIZ_STYLE + EXAM_STYLE),
            self.header,
            self.notice,
            self.body,
            self.timer,
        ]
        self.show_sign_in()

    @classmethod
    def from_request(cls) -> ExamApp:
        """The app for a Voilà page: the store and the course from the settings, options from the URL."""
        from surveykit.store import Store
        from surveykit.training.service import TrainingService

        return app_from_request(cls, "exam", lambda: TrainingService(Store.open()))

    # --- header ------------------------------------------------------------------------------------------
    def _set_header(self, title: str, subtitle: str = "") -> None:
        self.header.value = f'<div class="sk-title">{_esc(title)}</div>' + (
            f'<div class="sk-subtitle">{_esc(subtitle)}</div>' if subtitle else ""
        )

    def _switch_language(self, language: str, then: Callable[[], None]) -> None:
        self.language = language
        self.notice.clear()
        then()

    # --- sign in -------------------------------------------------------------------------------------------
    def show_sign_in(self) -> None:
        lang = self.language
        self._stop_timer()
        self._set_header(t("exam.title", lang), t("exam.sign_in_prompt", lang))
        self.body.children = sign_in_page(
            lang,
            self.guard,
            self.sign_in,
            lambda: (self.notice.clear(), self.show_home()),
            lambda new: self._switch_language(new, self.show_sign_in),
        )

    def sign_in(self, login: str, code: str) -> None:
        """Start a session for the exam: trainees only (anyone else: SK512)."""
        session = self.service.store.start_session(login, code, ("trainee",), app="exam")
        self.training = GuardedStore(self.service.store, session).training(self.service)
        self.person = session.person
        app_logger().info("exam: signed in %s", self.person.id)

    def _signed_out(self) -> None:
        self.chosen_role = None
        self.person = None
        self.training = None
        self.attempt = None
        self.show_sign_in()

    # --- home: rules, results, start or resume ----------------------------------------------------------------
    def show_home(self) -> None:
        lang = self.language
        self._stop_timer()
        status = self.training.exam_status()
        if status.open_attempt is not None:
            self._open(status.open_attempt)
            return
        self._set_header(t("app.hello", lang, name=self.person.display_name), t("exam.home_subtitle", lang))
        rules = self.course.rules
        items: list[W.Widget] = [
            language_picker(lang, lambda new: self._switch_language(new, self.show_home))
        ]
        if status.results:
            attempt, _ = status.results[-1]
            items.append(self._result_widgets(attempt))
            return self._done_home(items, status)
        exam = rules.exam
        role = self._role()
        picker = self._role_widget()
        if picker is not None:
            items.append(picker)
        points = [
            t("exam.rule_items", lang, n=exam.plan_for(role).items_per_exam),
            t("exam.rule_time", lang, minutes=exam.time_limit_for(role)),
            t("exam.rule_pass", lang, score=f"{rules.knowledge.pass_score * 100:.0f}"),
            t("exam.rule_saved", lang),
            t("exam.rule_attempts", lang, n=exam.max_attempts, hours=f"{exam.resit_wait_hours:g}"),
        ]
        items.append(
            W.HTML(
                f'<div class="sk-note sk-rules"><b>{_esc(t("exam.rules_title", lang))}</b><ul>'
                + "".join(f"<li>{_esc(p)}</li>" for p in points)
                + "</ul></div>"
            )
        )
        items.append(self._start_button(status))
        self.body.children = items

    def _done_home(self, items: list[W.Widget], status: Any) -> None:
        if status.can_start:
            picker = self._role_widget()
            if picker is not None:
                items.append(picker)
            items.append(self._start_button(status))
        sign_out = W.Button(description=t("app.sign_out", self.language))
        sign_out.add_class("sk-sign-out")
        sign_out.on_click(self.guard(lambda _: self._sign_out()))
        items.append(sign_out)
        self.body.children = items

    def _role(self) -> str | None:
        """The role whose exam the trainee will sit: the one picked, else the default (last attempt's)."""
        if self.chosen_role is not None:
            return self.chosen_role
        return self.training.exam_role()

    def _pick_role(self, role: str) -> None:
        self.chosen_role = role
        self.show_home()

    def _role_widget(self) -> W.Widget | None:
        """A choice of the role the trainee trains for, when the rules hold an exam per role."""
        blueprints = self.course.rules.exam.blueprints
        if len(blueprints) < 2:
            return None
        lang = self.language
        options = [
            (
                t(
                    "course.exam_role_option",
                    lang,
                    role=pick(self.course.rules.roles[role].name, lang, "en"),
                    n=plan.items_per_exam,
                ),
                role,
            )
            for role, plan in blueprints.items()
        ]
        current = self._role()
        picker = W.RadioButtons(
            options=options,
            value=current if current in blueprints else options[0][1],
            layout=W.Layout(width="auto", height="auto"),
        )
        picker.add_class("sk-exam-role")
        picker.observe(self.guard(lambda change: self._pick_role(change["new"])), names="value")
        label = W.HTML(f"<b>{_esc(t('course.exam_role', lang))}</b>")
        return W.VBox([label, picker])

    def _start_button(self, status: Any) -> W.Widget:
        lang = self.language
        start = W.Button(
            description=t("exam.start" if not status.results else "exam.start_resit", lang),
            button_style="success",
        )
        start.add_class("sk-start-exam")
        start.add_class("sk-primary-big")
        start.on_click(self.guard(lambda _: self._start()))
        return start

    def _start(self) -> None:
        attempt = self.training.start_exam(role=self._role())
        app_logger().info("exam: %s started attempt %s", self.person.id, attempt.attempt_id)
        self._open(attempt)

    def _sign_out(self) -> None:
        self.chosen_role = None
        if self.training is not None:
            self.training.sign_out()
        self.training = None
        self.person = None
        self.attempt = None
        self.show_sign_in()

    # --- the attempt -----------------------------------------------------------------------------------------
    def _open(self, attempt: ExamAttempt) -> None:
        self.attempt = attempt
        self.index = next((i for i, item in enumerate(attempt.item_ids) if item not in attempt.answers), 0)
        self.countdown = W.HTML()
        self.countdown.add_class("sk-countdown-box")
        self.answered = W.HTML()
        self.nav = W.HBox(layout=W.Layout(flex_flow="row wrap"))
        self.nav.add_class("sk-exam-nav")
        self.item_box = W.VBox()
        back = W.Button(description=t("exam.previous", self.language))
        back.add_class("sk-prev")
        forward = W.Button(description=t("exam.next", self.language), button_style="primary")
        forward.add_class("sk-next-item")
        finish = W.Button(description=t("exam.finish", self.language), button_style="warning")
        finish.add_class("sk-finish")
        back.on_click(self.guard(lambda _: self._go(self.index - 1)))
        forward.on_click(self.guard(lambda _: self._go(self.index + 1)))
        finish.on_click(self.guard(lambda _: self._confirm()))
        self.back_button, self.forward_button = back, forward
        for button in (back, forward, finish):
            button.add_class("sk-primary-big")
        bar = W.HBox([self.countdown, self.answered])
        bar.add_class("sk-exam-bar")
        self._set_header(t("exam.title", self.language), self.person.display_name)
        self.bar = bar
        self.body.children = [bar, self.nav, self.item_box, W.HBox([back, forward, finish])]
        self._render_item()
        self._tick()
        self.timer.playing = True

    def _render_item(self) -> None:
        attempt = self.attempt
        item_id = attempt.item_ids[self.index]
        saved = attempt.answers.get(item_id)
        view = QuizItemView(
            self.course.item(item_id),
            self.language,
            mode="exam",
            value=saved.value if saved is not None else None,
            on_change=self._answer,
            number=self.index + 1,
            guard=self.guard,
        )
        self.item_box.children = [view]
        self.back_button.disabled = self.index == 0
        self.forward_button.disabled = self.index >= len(attempt.item_ids) - 1
        self._render_nav()

    def _render_nav(self) -> None:
        attempt = self.attempt
        buttons = []
        for i, item_id in enumerate(attempt.item_ids):
            button = W.Button(description=str(i + 1), layout=W.Layout(width="auto"))
            button.add_class(f"sk-nav-{i + 1}")
            if item_id in attempt.answers and attempt.answers[item_id].value not in (None, "", []):
                button.add_class("sk-nav-answered")
            if i == self.index:
                button.add_class("sk-nav-current")
            button.on_click(self.guard(lambda _, n=i: self._go(n)))
            buttons.append(button)
        self.nav.children = buttons
        done = sum(1 for r in attempt.answers.values() if r.value not in (None, "", []))
        self.answered.value = (
            f"<span>{_esc(t('exam.answered', self.language, done=done, total=len(attempt.item_ids)))}</span>"
        )

    def _go(self, index: int) -> None:
        if 0 <= index < len(self.attempt.item_ids):
            self.index = index
            self._render_item()

    def _answer(self, item_id: str, value: Any) -> None:
        try:
            self.attempt = self.training.save_answer(self.attempt.attempt_id, item_id, value)
        except TrainingError as err:
            if err.code is not ErrorCode.EXAM_CLOSED:
                raise
            # closed meanwhile: by the clock, or handed in from another tab; show the result, in words
            attempt = self.training.attempt(self.attempt.attempt_id)
            self._stop_timer()
            key = "exam.time_up" if attempt.state.value == "expired" else "exam.closed_elsewhere"
            self.show_result(self.training.outcome(attempt, language=self.language))
            self.notice.show(t(key, self.language), "info")
            return
        self._render_nav()

    def _tick(self, _: Any = None) -> None:
        if self.attempt is None:
            return
        remaining = self.attempt.deadline - self.service.now()
        seconds = max(0, int(remaining.total_seconds()))
        low = " sk-countdown-low" if seconds < 300 else ""
        self.countdown.value = (
            f"<span>{_esc(t('exam.time_left', self.language))}</span> "
            f'<span class="sk-countdown{low}">{seconds // 60:02d}:{seconds % 60:02d}</span>'
        )
        if seconds <= 0:
            self._closed_by_clock()

    def _closed_by_clock(self) -> None:
        """The deadline passed: close the attempt (answers given before it count) and show the result."""
        if self.attempt is None or self.service.now() < self.attempt.deadline:
            return
        self._stop_timer()
        outcome = self.training.submit_exam(self.attempt.attempt_id, language=self.language)
        self.notice.show(t("exam.time_up", self.language), "info")
        self.show_result(outcome)

    def _stop_timer(self) -> None:
        self.timer.playing = False

    def _confirm(self) -> None:
        lang = self.language
        attempt = self.attempt
        done = sum(1 for r in attempt.answers.values() if r.value not in (None, "", []))
        total = len(attempt.item_ids)
        text = t("exam.confirm", lang, done=done, total=total)
        if done < total:
            text += " " + t("exam.confirm_missing", lang, missing=total - done)
        yes = W.Button(description=t("exam.confirm_yes", lang), button_style="success")
        yes.add_class("sk-submit-exam")
        no = W.Button(description=t("exam.confirm_no", lang))
        no.add_class("sk-back-to-exam")
        for button in (yes, no):
            button.add_class("sk-primary-big")
        yes.on_click(self.guard(lambda _: self._submit()))
        no.on_click(self.guard(lambda _: self._open(self.training.attempt(attempt.attempt_id))))
        self.item_box.children = [
            W.HTML(f'<div class="sk-note sk-lesson-text">{_esc(text)}</div>'),
            W.HBox([yes, no]),
        ]
        # only the question and its two answers (the clock keeps running above): no item navigation beside
        self.body.children = [self.bar, self.item_box]

    def _submit(self) -> None:
        self._stop_timer()
        outcome = self.training.submit_exam(self.attempt.attempt_id, language=self.language)
        app_logger().info("exam: %s submitted %s", self.person.id, outcome.attempt.attempt_id)
        self.show_result(outcome)

    # --- the result -------------------------------------------------------------------------------------------
    def show_result(self, outcome: Any) -> None:
        self.attempt = None
        self._stop_timer()
        self._set_header(t("exam.result_title", self.language), self.person.display_name)
        status = self.training.exam_status()
        items: list[W.Widget] = [self._result_widgets(outcome.attempt, outcome)]
        self._done_home(items, status)

    def _result_widgets(self, attempt: ExamAttempt, outcome: Any = None) -> W.Widget:
        """Verdict, per-module breakdown, critical items missed, re-sit date, certificate or what is missing."""
        lang = self.language
        if outcome is None:
            outcome = self.training.outcome(attempt, language=lang)
        result = outcome.result
        rules = self.course.rules
        verdict = "pass" if outcome.passed else "fail"
        parts = [
            f'<div class="sk-verdict sk-verdict-{verdict}">{_esc(t("exam.verdict_" + verdict, lang))}</div>',
            f'<div class="sk-lesson-text sk-score-line">{_esc(t("exam.score_line", lang, score=f"{result.score * 100:.0f}", earned=number_text(result.earned, lang), possible=number_text(result.possible, lang), needed=f"{rules.knowledge.pass_score * 100:.0f}"))}</div>',
        ]
        if attempt.state.value == "expired":
            parts.append(f'<div class="sk-hint">{_esc(t("exam.closed_by_clock", lang))}</div>')
        for reason in outcome.reasons:
            parts.append(f'<div class="sk-error">{_esc(pick(reason, lang, "en"))}</div>')
        rows = ""
        for module in self.course.modules:
            score = result.by_module.get(module.id)
            if score is None:
                continue
            rows += (
                f"<tr><td>{_esc(module.id)}</td><td>{_esc(pick(module.title, lang, 'en'))}</td>"
                f"<td>{number_text(score.earned, lang)} / {number_text(score.possible, lang)}</td>"
                f"<td>{score.score * 100:.0f} %</td></tr>"
            )
        head = "".join(f"<th>{_esc(h)}</th>" for h in t("exam.module_columns", lang).split("|"))
        parts.append(
            f'<h3>{_esc(t("exam.by_module", lang))}</h3><table class="sk-table sk-by-module"><tr>{head}</tr>{rows}</table>'
        )
        if result.critical_missed:
            missed = "".join(
                f"<li>{_esc(self.course.item(i).title(lang))}</li>" for i in result.critical_missed
            )
            parts.append(
                f'<h3>{_esc(t("exam.critical_missed", lang))}</h3><ul class="sk-critical-missed">{missed}</ul>'
            )
        if not outcome.passed:
            if outcome.next_at is None:
                parts.append(
                    f'<div class="sk-banner sk-banner-info">{_esc(t("exam.no_attempts_left", lang))}</div>'
                )
            else:
                parts.append(
                    f'<div class="sk-banner sk-banner-info sk-resit">{_esc(t("exam.resit_from", lang, when=_local(outcome.next_at), hours=f"{rules.exam.resit_wait_hours:g}"))}</div>'
                )
        widgets: list[W.Widget] = [W.HTML("".join(parts))]
        widgets.append(self._certificate_widgets(outcome))
        box = W.VBox(widgets)
        box.add_class("sk-result")
        return box

    def _certificate_widgets(self, outcome: Any) -> W.Widget:
        lang = self.language
        issued = outcome.certificate
        eligibility = outcome.eligibility
        if issued is not None:
            roles = ", ".join(
                pick(self.course.rules.roles[r].name, lang, "en")
                for r in issued.roles
                if r in self.course.rules.roles
            )
            record = self.training.certificate(issued.serial)
            until = record.valid_until.astimezone().strftime("%d.%m.%Y") if record.valid_until else "—"
            replaced = (
                f"<div class='sk-replaced'>{_esc(t('exam.certificate_replaces', lang, old=', '.join(issued.replaced)))}</div>"
                if issued.replaced
                else ""
            )
            text = W.HTML(
                f'<div class="sk-banner sk-banner-ok sk-certificate">{_esc(t("exam.certificate_issued", lang, serial=issued.serial, roles=roles, until=until))}{replaced}</div>'
            )
            link = pdf_link(issued.pdf, f"{issued.serial}.pdf", t("exam.download_certificate", lang))
            return W.VBox([text, link])
        # the unmet requirements grouped by the roles they block: each set of roles named once
        groups = eligibility.grouped(lang)
        if outcome.blocked:
            groups.append(("", [pick(outcome.blocked, lang, "en")]))
        parts = []
        for roles, lines in groups:
            head = (
                f"<div class='sk-roles'>{_esc(t('exam.for_roles', lang, roles=roles))}</div>" if roles else ""
            )
            parts.append(head + "<ul>" + "".join(f"<li>{_esc(line)}</li>" for line in lines) + "</ul>")
        return W.HTML(
            f'<div class="sk-banner sk-banner-info sk-not-certified"><b>{_esc(t("exam.not_yet_certified", lang))}</b>'
            f"{''.join(parts)}</div>"
        )
