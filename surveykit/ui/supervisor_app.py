"""The supervisor's app: approve or reject submitted interviews, see quality signals per interviewer, and
approve open answers (with redaction) before councils may see them.

Thin over :mod:`surveykit.supervision`, :mod:`surveykit.quality` and the store: decisions are the store's
``set_status`` and ``reviews.review`` (both audited). Supervisors and sociologists sign in with their
access code.

The quality-control view (:mod:`surveykit.casework`): flags by interviewer (a chart), the case queue
(approve, reject with a comment, back-check), back-check progress with the back-check form, exclusions with
lifting, and the effect of the exclusions on each institution's rating. Every call passes the signed-in
person, so the permission rules of :mod:`surveykit.access` apply here as everywhere.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as W
import pandas as pd

from surveykit import casework as qc
from surveykit.access import require
from surveykit.config import settings
from surveykit.i18n import UI_LANGUAGES, t
from surveykit.store.guarded import GuardedStore
from surveykit.supervision import (
    interview_review,
    interviews_to_review,
    open_answers,
    questionnaire_choices,
    request_backcheck,
)
from surveykit.ui.common import (
    STYLE,
    Notice,
    app_from_request,
    app_logger,
    guarded,
    plotly_html,
    sign_in_page,
)

__all__ = ["SupervisorApp"]

ROLES = ("supervisor", "sociologist")
PAGE = 25  # rows shown at once
# eight tabs do not fit in one row (Russian titles are long): the tab bar wraps instead of cutting titles;
# the back-check form's questions wrap next to their answers instead of being cut off
SUPERVISOR_STYLE = """<style>
.sk-supervisor-tabs > .lm-TabBar { height: auto !important; min-height: 0 !important; overflow: visible !important; }
.sk-supervisor-tabs > .lm-TabBar .lm-TabBar-content { flex-wrap: wrap; }
.sk-supervisor-tabs > .lm-TabBar .lm-TabBar-tab { min-width: 0 !important; }
.sk-qc .widget-html-content { line-height: 1.45; white-space: normal; }
.sk-qc .sk-card .sk-note { margin: 6px 0 0 0; padding: 6px 10px; }
.sk-qc .sk-card .widget-button { flex: 0 0 auto; }
.sk-qc .sk-table th { vertical-align: bottom; }
.sk-qc .sk-table td, .sk-qc .sk-table th { padding: 5px 6px; }
.sk-qc .sk-backcheck-progress th { font-size: 12px; }
.sk-qc td.sk-qc-hit { background: #fffbea; font-weight: 600; }
.sk-qc .sk-qc-small { color: #718096; }
.sk-card .widget-button.sk-approve, .sk-card .widget-button.sk-reject, .sk-card .widget-button.sk-read,
.sk-review-actions .widget-button { width: auto !important; min-width: 7.5em; flex: 0 0 auto; padding: 0 12px; }
.sk-review .sk-table td { vertical-align: top; }
.sk-review-decision { border-bottom: 1px solid #e2e8f0; padding-bottom: 8px; margin-bottom: 4px; }
.sk-review-heading .sk-section { margin-top: 0; }
.sk-review-heading p { margin: 2px 0; }
.sk-review-content { max-height: calc(100vh - 400px); min-height: 240px; overflow-y: auto !important; }
.sk-flags-legend { display: flex; flex-wrap: wrap; gap: 4px 18px; align-items: center; margin: 0 0 8px 50px; }
.sk-flags-legend i { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; }
.sk-review tr.sk-skipped td { color: #718096; font-style: italic; }
.sk-review tr.sk-unanswered td.sk-answer { color: #c05621; }
.sk-review tr.sk-calculated td { background: #f7fafc; }
.sk-review td.sk-answer { font-weight: 600; white-space: pre-wrap; }
.sk-review .sk-section { font-size: 17px; font-weight: 600; margin: 12px 0 4px 0; }
</style>"""


def _esc(text: Any) -> str:
    missing = text is None or (not isinstance(text, str) and pd.api.types.is_scalar(text) and pd.isna(text))
    return html.escape("" if missing else str(text))


def _seconds(value: float) -> str:
    """Seconds as "m:ss" (a page of an interview takes seconds to minutes)."""
    whole = int(round(value))
    return f"{whole // 60}:{whole % 60:02d}"


class SupervisorApp(W.VBox):
    def __init__(self, store: Any, *, language: str | None = None) -> None:
        super().__init__()
        self.add_class("sk-app")
        self.store = store
        wanted = language or settings().default_language
        self.language = wanted if wanted in UI_LANGUAGES else "ru"
        self.guarded: GuardedStore | None = None
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language, self._signed_out)
        self.header = W.HTML()
        self.body = W.VBox()
        self.children = [W.HTML(STYLE + SUPERVISOR_STYLE), self.header, self.notice, self.body]
        self.show_sign_in()

    @classmethod
    def from_request(cls) -> SupervisorApp:
        """The app for a Voilà page (surveykit.ui.common.app_from_request)."""
        from surveykit.store import Store

        return app_from_request(
            cls, "supervisor", Store.open, lambda store, params: cls(store, language=params.get("lang"))
        )

    def _title(self, text: str, subtitle: str = "") -> None:
        self.header.value = f'<div class="sk-title">{_esc(text)}</div>' + (
            f'<div class="sk-subtitle">{_esc(subtitle)}</div>' if subtitle else ""
        )

    # --- sign in ----------------------------------------------------------------------------------------------
    def show_sign_in(self) -> None:
        lang = self.language
        self._title(t("supervisor.title", lang), t("app.sign_in_prompt", lang))

        def switch(new: str) -> None:
            self.language = new
            self.show_sign_in()

        self.body.children = sign_in_page(
            lang, self.guard, self.sign_in, lambda: (self.notice.clear(), self.show_main()), switch
        )

    def sign_in(self, login: str, code: str) -> None:
        """Start a session (supervisors and sociologists; anyone else: SK512)."""
        session = self.store.start_session(login, code, ROLES, app="supervisor")
        self.guarded = GuardedStore(self.store, session)
        app_logger().info("supervisor signed in: %s", session.person.id)

    @property
    def person(self) -> Any:
        """The person signed in, re-checked with the session at every use: every decision and every read
        below acts as this person (surveykit.access), and an ended session sends the app back to sign-in."""
        return self.guarded.check() if self.guarded is not None else None

    def _signed_out(self) -> None:
        self.guarded = None
        self.show_sign_in()

    # --- main -------------------------------------------------------------------------------------------------
    def show_main(self) -> None:
        lang = self.language
        self._title(t("supervisor.title", lang), self.person.display_name)
        titles = questionnaire_choices(self.store, lang)
        ids = [qid for _, qid in titles]
        self.questionnaire = W.Dropdown(
            options=titles,
            value="recipient_survey" if "recipient_survey" in ids else (ids[0] if ids else None),
            description=t("supervisor.questionnaire", lang),
            style={"description_width": "initial"},
            layout=W.Layout(width="100%"),
        )
        self.questionnaire.add_class("sk-questionnaire")
        self.interviews_box = W.VBox()
        self.quality_box = W.VBox()
        self.answers_box = W.VBox()
        self.flags_box = W.VBox()
        self.cases_box = W.VBox()
        self.backchecks_box = W.VBox()
        self.exclusions_box = W.VBox()
        self.effect_box = W.VBox()
        for box in (
            self.flags_box,
            self.cases_box,
            self.backchecks_box,
            self.exclusions_box,
            self.effect_box,
        ):
            box.add_class("sk-qc")
        boxes = [self.interviews_box, self.quality_box, self.answers_box, self.flags_box, self.cases_box,
                 self.backchecks_box, self.exclusions_box, self.effect_box]  # fmt: skip
        self.tabs = W.Tab(children=boxes)
        self.tabs.add_class("sk-supervisor-tabs")
        titles = ("supervisor.tab_interviews", "supervisor.tab_quality", "supervisor.tab_answers",
                  "casework.tab_flags", "casework.tab_cases", "casework.tab_backchecks",
                  "casework.tab_exclusions", "casework.tab_effect")  # fmt: skip
        for i, key in enumerate(titles):
            self.tabs.set_title(i, t(key, lang))
        self.questionnaire.observe(self.guard(lambda _: self.refresh()), names="value")
        # the effect needs two ratings: computed when its tab is opened, not at every refresh
        self.tabs.observe(
            self.guard(lambda change: self._effect() if change["new"] == len(boxes) - 1 else None),
            names="selected_index",
        )
        # fieldwork (progress, outcomes, AAPOR rates) and, for sociologists, the campaign: surveykit.ui.fieldwork_tab
        from surveykit.fieldwork.desk import FieldworkDesk
        from surveykit.ui.fieldwork_tab import attach_fieldwork_tabs

        self.fieldwork_tabs = attach_fieldwork_tabs(
            self.tabs, FieldworkDesk(self.store, self.guarded), lang, self.guard
        )
        self.body.children = [self.questionnaire, self.tabs]
        self.refresh()

    def refresh(self) -> None:
        qid = self.questionnaire.value
        if qid is None:
            return
        self._interviews(qid)
        self._quality(qid)
        self._answers(qid)
        self._qc(qid)

    def _interviews(self, qid: str) -> None:
        lang = self.language
        require(self.person, "interviews.read_all")
        queue = interviews_to_review(self.store, qid)
        names = {i.id: i.name for i in self.store.institutions()}
        people = {p.id: p.display_name for p in self.store.people()}
        rows: list[W.Widget] = [W.HTML(f"<p>{_esc(t('supervisor.waiting', lang, count=len(queue)))}</p>")]
        for record in queue.head(PAGE).itertuples():
            flags = []
            if record.too_short:
                flags.append(t("supervisor.too_short", lang, minutes=record.minutes))
            if record.interviewer_flags:
                words = ", ".join(
                    t(f"supervisor.flag_{f.strip()}", lang) for f in record.interviewer_flags.split(",")
                )
                flags.append(t("supervisor.interviewer_flags", lang, flags=words))
            when = pd.Timestamp(record.submitted_at).strftime("%d.%m.%Y %H:%M")
            info = W.HTML(
                f"<b>{_esc(names.get(record.institution_id, record.institution_id))}</b>"
                f" · {_esc(people.get(record.interviewer_id, record.interviewer_id))}"
                f" · {_esc(when)} · {_esc(record.minutes)} {_esc(t('supervisor.minutes', lang))}"
                + "".join(f'<div class="sk-error">⚑ {_esc(f)}</div>' for f in flags),
                layout=W.Layout(width="45%", flex="0 0 auto"),
            )
            note = W.Text(
                placeholder=t("supervisor.note", lang), layout=W.Layout(flex="1 1 auto", min_width="140px")
            )
            read = W.Button(description=t("supervisor.read", lang), button_style="info", icon="eye")
            approve = W.Button(description=t("supervisor.approve", lang), button_style="success")
            reject = W.Button(description=t("supervisor.reject", lang), button_style="warning")
            read.add_class("sk-read")
            approve.add_class("sk-approve")
            reject.add_class("sk-reject")
            read.on_click(self.guard(lambda _, i=record.interview_id: self.show_review(i)))
            approve.on_click(
                self.guard(lambda _, i=record.interview_id, n=note: self._decide(i, "approved", n.value))
            )
            reject.on_click(
                self.guard(lambda _, i=record.interview_id, n=note: self._decide(i, "rejected", n.value))
            )
            row = W.HBox([info, note, read, approve, reject])
            row.add_class("sk-card")
            row.add_class(f"sk-interview-{record.interview_id}")
            rows.append(row)
        self.interviews_box.children = rows

    def _decide(self, interview_id: str, status: str, note: str) -> None:
        lang = self.language
        if status == "rejected" and not note.strip():
            self.notice.show(t("supervisor.reason_needed", lang), "error")
            return
        self.guarded.set_status(interview_id, status, note=note.strip())
        self.notice.show(t(f"supervisor.done_{status}", lang), "ok")
        self._interviews(self.questionnaire.value)

    def _backcheck(self, interview_id: str, note: str) -> None:
        queued = request_backcheck(self.store, interview_id, actor=self.person, comment=note.strip())
        self.notice.show(t("supervisor.review.backcheck_done" if queued else "supervisor.review.backcheck_had",
                           self.language), "ok" if queued else "info")  # fmt: skip
        qid = self.questionnaire.value
        self._interviews(qid)
        self._backchecks(qid)

    def show_review(self, interview_id: str) -> None:
        """One interview in full (surveykit.supervision.interview_review) beside the decision: approve,
        reject with a comment, or send to back-check."""
        lang = self.language
        review = interview_review(self.store, interview_id, lang, actor=self.person)
        meta = review.meta
        place = next(
            (i.name for i in self.store.institutions() if i.id == meta.institution_id), meta.institution_id
        )
        who = self._names().get(meta.interviewer_id, meta.interviewer_id)
        when = pd.Timestamp(meta.submitted_at or meta.started_at).strftime("%d.%m.%Y %H:%M")
        back = W.Button(
            description=t("supervisor.review.back", lang),
            icon="arrow-left",
            layout=W.Layout(width="auto", align_self="flex-start"),
        )
        back.add_class("sk-review-back")
        back.on_click(self.guard(lambda _: self._interviews(self.questionnaire.value)))
        summary = W.HTML(f'<div class="sk-section">{_esc(place)}</div><p>{_esc(who)} · {_esc(review.mode)} · '
                         f"{_esc(when)} · {_esc(t(f'supervisor.review.status.{meta.status}', lang))}</p>")  # fmt: skip
        summary.add_class("sk-review-summary")
        parts: list[str] = []
        if review.flags:
            parts.append(f'<div class="sk-section">{_esc(t("supervisor.review.flags", lang))}</div>')
            parts += [
                f'<div class="sk-error">⚑ #{f.case_id} · {_esc(f.rule)} · '
                f"{_esc(t(f'supervisor.review.level.{f.level}', lang))} · {_esc(f.status)}"
                f'<div class="sk-note">{_esc(f.detail)}</div></div>'
                for f in review.flags
            ]
        for note in review.notes:
            status = t(f"supervisor.review.status.{note.to_status}", lang)
            earlier = t("supervisor.review.earlier", lang, status=status, note=note.note or "—")
            parts.append(f'<div class="sk-note">{_esc(earlier)}</div>')
        marks = {
            "skipped": t("supervisor.review.skipped", lang),
            "unanswered": t("supervisor.review.unanswered", lang),
        }
        calculated = t("supervisor.review.calculated", lang)
        body = "".join(
            f'<tr class="sk-{r.state}"><td>{_esc(r.page)}</td><td>{_esc(r.question)}'
            + (f' <span class="sk-qc-small">({_esc(calculated)})</span>' if r.state == "calculated" else "")
            + f'</td><td class="sk-answer">{_esc(r.answer or marks.get(r.state, "—"))}</td></tr>'
            for r in review.answers
        )
        head = "".join(f"<th>{_esc(t(k, lang))}</th>" for k in
                       ("supervisor.review.col_page", "supervisor.review.col_question", "supervisor.review.col_answer"))  # fmt: skip
        parts.append(f'<div class="sk-section">{_esc(t("supervisor.review.answers", lang))}</div>'
                     f'<table class="sk-table sk-review-answers"><tr>{head}</tr>{body}</table>')  # fmt: skip
        parts.append(f'<div class="sk-section">{_esc(t("supervisor.review.timeline", lang))}</div>')
        if not review.pages:
            parts.append(f"<p>{_esc(t('supervisor.review.no_paradata', lang))}</p>")
        else:
            parts.append(f"<p>{_esc(t('supervisor.review.duration', lang, minutes=review.minutes))}</p>")
            head = "".join(f"<th>{_esc(t(k, lang))}</th>" for k in
                           ("supervisor.review.col_page", "supervisor.review.col_seconds",
                            "supervisor.review.col_visits", "supervisor.review.col_changes"))  # fmt: skip
            body = "".join(
                f"<tr><td>{_esc(p.page)}</td><td>{_esc(_seconds(p.seconds))}</td><td>{p.visits}</td>"
                f"<td>{p.changes}</td></tr>"
                for p in review.pages
            )
            parts.append(f'<table class="sk-table sk-review-pages"><tr>{head}</tr>{body}</table>')
            if review.changes:
                parts.append(f'<div class="sk-section">{_esc(t("supervisor.review.changes", lang))}</div>')
                parts += [
                    f"<div>{_esc(c.at.strftime('%H:%M:%S') if c.at else '')} · {_esc(c.page)} · {_esc(c.question)}: "
                    f"<s>{_esc(c.old or '—')}</s> → <b>{_esc(c.new or '—')}</b></div>"
                    for c in review.changes
                ]
        content = W.HTML("".join(parts))
        content.add_class("sk-review-content")
        note = W.Textarea(
            placeholder=t("supervisor.note", lang), layout=W.Layout(flex="1 1 320px", height="64px")
        )
        note.add_class("sk-review-note")
        buttons = []
        for css, key, style, action in (
            (
                "sk-approve",
                "supervisor.approve",
                "success",
                lambda n: self._decide(interview_id, "approved", n),
            ),
            (
                "sk-reject",
                "supervisor.reject",
                "warning",
                lambda n: self._decide(interview_id, "rejected", n),
            ),
            (
                "sk-backcheck",
                "supervisor.review.backcheck",
                "info",
                lambda n: self._backcheck(interview_id, n),
            ),
        ):
            button = W.Button(description=t(key, lang), button_style=style)
            button.add_class(css)
            button.on_click(self.guard(lambda _, a=action: a(note.value)))
            buttons.append(button)
        if meta.status != "submitted":
            buttons = buttons[2:]
        actions = W.HBox(buttons, layout=W.Layout(flex_flow="row wrap", gap="8px"))
        actions.add_class("sk-review-actions")
        # the decision under the interview's heading, the interview in a pane of its own that scrolls: the
        # buttons stay in reach however long the interview (they sat below all of it)
        decision = W.HBox([note, actions], layout=W.Layout(flex_flow="row wrap", align_items="center"))
        decision.add_class("sk-review-decision")
        heading = W.HBox([back, summary], layout=W.Layout(align_items="center", gap="16px"))
        heading.add_class("sk-review-heading")
        panel = W.VBox([heading, decision, content])
        panel.add_class("sk-review")
        panel.add_class("sk-card")
        self.interviews_box.children = [panel]
        self.tabs.selected_index = 0

    def _quality(self, qid: str) -> None:
        from surveykit.quality import quality_report

        lang = self.language
        frame = self.guarded.interviews_frame(qid, status=("submitted", "approved"))
        if frame.empty:
            self.quality_box.children = [W.HTML(f"<p>{_esc(t('supervisor.no_data', lang))}</p>")]
            return
        per = quality_report(self.store.form(qid), frame).interviewers
        people = {p.id: p.display_name for p in self.store.people()}
        head = "".join(
            f"<th>{_esc(t(f'supervisor.col_{c}', lang))}</th>"
            for c in (
                "interviewer",
                "interviews",
                "too_short",
                "filter_closed_rate",
                "straight_rate",
                "dont_know_rate",
            )
        )
        body = ""
        for r in per.itertuples():

            def cell(value, flag, pct=True):
                text = f"{value:.0%}" if pct and pd.notna(value) else _esc(value)
                return f'<td class="{"sk-error" if flag else ""}">{text}{" ⚑" if flag else ""}</td>'

            body += (
                f"<tr><td>{_esc(people.get(r.interviewer_id, r.interviewer_id))}</td><td>{r.interviews}</td>"
                + cell(r.too_short, r.flag_too_short, pct=False)
                + cell(r.filter_closed_rate, r.flag_filter_avoidance)
                + cell(r.straight_rate, r.flag_straight_lining)
                + cell(r.dont_know_rate, r.flag_dont_know)
                + "</tr>"
            )
        self.quality_box.children = [
            W.HTML(f"<p>{_esc(t('supervisor.quality_help', lang))}</p>"),
            W.HTML(f'<table class="sk-table sk-quality"><tr>{head}</tr>{body}</table>'),
        ]

    def _answers(self, qid: str) -> None:
        lang = self.language
        require(self.person, "open_answers.review")
        pending = open_answers(self.store, qid, status="pending")
        rows: list[W.Widget] = [
            W.HTML(f"<p>{_esc(t('supervisor.answers_help', lang, count=len(pending)))}</p>")
        ]
        for record in pending.head(PAGE).itertuples():
            text = W.Textarea(value=str(record.text), layout=W.Layout(width="70%", height="70px"))
            approve = W.Button(description=t("supervisor.publish", lang), button_style="success")
            reject = W.Button(description=t("supervisor.withhold", lang), button_style="warning")
            approve.add_class("sk-publish")
            reject.add_class("sk-withhold")
            approve.on_click(
                self.guard(
                    lambda _, r=record, box=text: self._review(
                        r.interview_id, r.question, "approved", box.value
                    )
                )
            )
            reject.on_click(
                self.guard(lambda _, r=record: self._review(r.interview_id, r.question, "rejected", None))
            )
            row = W.HBox([text, W.VBox([approve, reject])])
            row.add_class("sk-card")
            rows.append(row)
        self.answers_box.children = rows

    def _review(self, interview_id: str, question: str, status: str, text: str | None) -> None:
        self.guarded.review_open_answer(
            interview_id, question, status, published_text=(text or "").strip() or None
        )
        self.notice.show(t(f"supervisor.answer_{status}", self.language), "ok")
        self._answers(self.questionnaire.value)

    # --- quality control (surveykit.casework) --------------------------------------------------------------------
    def _qc(self, qid: str) -> None:
        self._flags(qid)
        self._cases(qid)
        self._backchecks(qid)
        self._exclusions()
        self.effect_box.children = [W.HTML(f"<p>{_esc(t('casework.effect_help', self.language))}</p>")]

    def _names(self) -> dict[str, str]:
        return {p.id: p.display_name for p in self.store.people()}

    def _places(self) -> dict[str, str]:
        return {i.id: i.name for i in self.store.institutions()}

    def _table(
        self, frame: pd.DataFrame, columns: dict[str, str], css: str, hit: str | None = None
    ) -> W.HTML:
        """A table of ``frame``'s ``columns`` (headers: locale keys); rows where ``hit`` is truthy stand out."""
        lang = self.language
        head = "".join(f"<th>{_esc(t(key, lang))}</th>" for key in columns.values())
        cell = {False: "<td>", True: '<td class="sk-qc-hit">'}
        body = "".join(
            "<tr>" + "".join(f"{cell[bool(hit and row[hit])]}{_esc(row[c])}</td>" for c in columns) + "</tr>"
            for row in frame.to_dict("records")
        )
        table = W.HTML(
            f'<table class="sk-table {css}"><tr>{head}</tr>{body}</table>', layout=W.Layout(overflow="auto")
        )
        table.add_class(css)
        return table

    def _flags(self, qid: str) -> None:
        lang = self.language
        run = W.Button(description=t("casework.run", lang), button_style="primary", icon="search")
        run.add_class("sk-qc-run")

        def run_checks(_: Any) -> None:
            result = qc.run_qc(self.store, qid, actor=self.person)
            self.notice.show(
                t("casework.run_done", lang, interviews=result.interviews, flags=result.flags,
                  opened=result.cases_opened, queued=sum(result.queued.values())),
                "ok",
            )  # fmt: skip
            self._qc(qid)

        run.on_click(self.guard(run_checks))
        table = qc.flags_by_interviewer(self.store, qid, actor=self.person)
        rows: list[W.Widget] = [run, W.HTML(f"<p>{_esc(t('casework.flags_help', lang))}</p>")]
        if table.empty:
            rows.append(W.HTML(f"<p>{_esc(t('casework.no_flags', lang))}</p>"))
        else:
            names = self._names()
            figure = qc.flags_chart(table, lang, names)
            chart = W.HTML(plotly_html(figure, height=int(figure.layout.height)))
            chart.add_class("sk-flags-chart")
            legend = W.HTML(
                f'<div class="sk-flags-legend"><b>{_esc(t("casework.col_rule", lang))}:</b> '
                + "".join(
                    f'<span><i style="background:{colour}"></i>{_esc(name)}</span>'
                    for name, colour in qc.flags_legend(table, lang)
                )
                + "</div>"
            )
            shown = table.assign(interviewer_id=table["interviewer_id"].map(lambda i: names.get(i, i)))
            columns = {"interviewer_id": "casework.col_interviewer", "open": "casework.col_open",
                       "total": "casework.col_total"}  # fmt: skip
            rows += [chart, legend, self._table(shown, columns, "sk-flags")]
        self.flags_box.children = rows

    def _cases(self, qid: str) -> None:
        lang = self.language
        cases = self.store.casework.cases(status=("open", "backcheck"), questionnaire_id=qid)
        names, places = self._names(), self._places()
        rows: list[W.Widget] = [W.HTML(f"<p>{_esc(t('casework.cases_help', lang, count=len(cases)))}</p>")]
        for case in cases.head(PAGE).itertuples():
            parts = [qc._rule_name(case.rule, lang), names.get(case.interviewer_id, case.interviewer_id),
                     places.get(case.institution_id, case.institution_id),
                     t(f"casework.status.{case.status}", lang)]  # fmt: skip
            detail = _esc(qc.case_detail(case, lang))
            info = W.HTML(
                f"<b>#{case.id}</b> · "
                + " · ".join(_esc(p) for p in parts if isinstance(p, str) and p)
                + (f'<div class="sk-note">{detail}</div>' if detail else ""),
                layout=W.Layout(width="44%"),
            )
            comment = W.Text(
                placeholder=t("casework.comment", lang), layout=W.Layout(flex="1 1 auto", min_width="190px")
            )
            buttons = []
            for decision, key, style in (("approve", "casework.approve", "success"),
                                         ("reject", "casework.reject", "warning"),
                                         ("backcheck", "casework.send_backcheck", "info")):  # fmt: skip
                if decision == "reject" and case.level != "interview":
                    continue
                if decision == "backcheck" and case.status == "backcheck":
                    continue
                button = W.Button(
                    description=t(key, lang),
                    button_style=style,
                    layout=W.Layout(width="auto", flex="0 0 auto"),
                )
                button.add_class(f"sk-case-{decision}")
                button.on_click(
                    self.guard(
                        lambda _, c=int(case.id), d=decision, n=comment: self._decide_case(c, d, n.value)
                    )
                )
                buttons.append(button)
            row = W.HBox([info, comment, *buttons])
            row.add_class("sk-card")
            row.add_class("sk-qc-case")
            row.add_class(f"sk-case-{int(case.id)}")
            rows.append(row)
        self.cases_box.children = rows

    def _decide_case(self, case_id: int, decision: str, comment: str) -> None:
        qc.decide(self.store, case_id, decision, actor=self.person, comment=comment)
        self.notice.show(t(f"casework.decided_{decision}", self.language, case=case_id), "ok")
        qid = self.questionnaire.value
        self._cases(qid)
        self._interviews(qid)
        self._backchecks(qid)

    def _backchecks(self, qid: str) -> None:
        lang = self.language
        progress = qc.backcheck_progress(self.store, qid, actor=self.person)
        checks = self.store.casework.backchecks(questionnaire_id=qid)
        queued = checks[checks["status"] == "queued"]
        done = int((checks["status"] == "done").sum())
        help_text = t("casework.backchecks_help", lang, queued=len(queued), done=done)
        rows: list[W.Widget] = [W.HTML(f"<p>{_esc(help_text)}</p>")]
        if len(progress):
            names = self._names()
            shown = progress.assign(interviewer_id=progress["interviewer_id"].map(lambda i: names.get(i, i)))
            columns = {"interviewer_id": "casework.col_interviewer", "queued": "casework.col_queued",
                       "done": "casework.col_done"}  # fmt: skip
            columns.update({o: f"casework.outcome.{o}" for o in qc.BACKCHECK_OUTCOMES})
            rows.append(self._table(shown, columns, "sk-backcheck-progress"))
        if queued.empty:
            rows.append(W.HTML(f"<p>{_esc(t('casework.nothing_queued', lang))}</p>"))
            self.backchecks_box.children = rows
            return
        names, places = self._names(), self._places()
        pick = W.Dropdown(
            options=[
                (f"#{r.id} · {names.get(r.interviewer_id, r.interviewer_id)} · "
                 f"{places.get(r.institution_id, r.institution_id)} · {t(f'casework.reason.{r.reason}', lang)}",
                 int(r.id))
                for r in queued.head(200).itertuples()
            ],
        )  # fmt: skip
        pick.add_class("sk-bc-pick")
        config = qc.load_workflow()
        answers: dict[str, W.Widget] = {}
        for item in config.form:
            if item.type == "choice":
                options = [("—", "")] + [(self._choice(c), c) for c in item.choices]
                widget: W.Widget = W.Dropdown(options=options, value="")
            else:
                widget = W.Text(placeholder=t("casework.date_placeholder", lang) if item.type == "date" else "")
            widget.add_class(f"sk-bc-{item.code}")
            answers[item.code] = widget
        method = W.Dropdown(
            options=[(t(f"casework.method.{m}", lang), m) for m in ("telephone", "visit")],
        )  # fmt: skip
        outcome = W.Dropdown(
            options=[(t(f"casework.outcome.{o}", lang), o) for o in qc.BACKCHECK_OUTCOMES],
        )  # fmt: skip
        outcome.add_class("sk-bc-outcome")
        notes = W.Textarea()
        record = W.Button(description=t("casework.record", lang), button_style="primary")
        record.add_class("sk-bc-record")

        def save(_: Any) -> None:
            form = {code: widget.value for code, widget in answers.items() if str(widget.value).strip()}
            result = qc.record_backcheck(self.store, pick.value, outcome.value, actor=self.person, form=form,
                                         method=method.value, notes=notes.value, config=config)  # fmt: skip
            word = t(f"casework.outcome.{outcome.value}", lang)
            if result.falsification:
                message = t("casework.recorded_fake", lang, id=pick.value, outcome=word, queued=result.queued,
                            serials=", ".join(result.suspended) or "-")  # fmt: skip
            else:
                message = t("casework.recorded", lang, id=pick.value, outcome=word)
            self.notice.show(message, "ok")
            self._qc(qid)

        record.on_click(self.guard(save))
        labels = {code: item.text(lang) + (" *" if item.required else "") for code, item in
                  ((i.code, i) for i in config.form)}  # fmt: skip
        script = W.HTML(f'<p><b>{_esc(t("casework.script", lang))}</b> {_esc(config.script_text(lang))}</p>')
        script.add_class("sk-bc-script")
        fields = [
            self._field(t("casework.backcheck_pick", lang), pick, wide=True),
            *([script] if config.script_text(lang) else []),
            *(self._field(labels[code], widget) for code, widget in answers.items()),
            self._field(t("casework.method", lang), method),
            self._field(t("casework.outcome", lang), outcome),
            self._field(t("casework.notes", lang), notes),
        ]
        form_box = W.VBox([*fields, record])
        form_box.add_class("sk-card")
        self.backchecks_box.children = [*rows, form_box]

    @staticmethod
    def _field(label: str, widget: W.Widget, wide: bool = False) -> W.Box:
        """One line of a form: the question (wrapping, never cut off) and its answer; ``wide``: the answer on
        a line of its own under the question (a long choice such as "#12 · interviewer · institution · reason")."""
        if wide:
            widget.layout = W.Layout(width="100%", min_width="0")
            return W.VBox([W.HTML(f"<div>{_esc(label)}</div>"), widget], layout=W.Layout(margin="2px 0"))
        text = W.HTML(f"<div>{_esc(label)}</div>", layout=W.Layout(width="30%", flex="0 0 auto"))
        widget.layout = W.Layout(width="68%", min_width="0")
        return W.HBox([text, widget], layout=W.Layout(align_items="center", margin="2px 0"))

    def _choice(self, name: str) -> str:
        key = f"casework.choice.{name}"
        text = t(key, self.language)
        return name if text == key else text

    def _exclusions(self) -> None:
        lang = self.language
        active = self.store.casework.exclusions(active=True)
        names, places = self._names(), self._places()
        rows: list[W.Widget] = [
            W.HTML(f"<p>{_esc(t('casework.exclusions_help', lang, count=len(active)))}</p>")
        ]
        for record in active.head(PAGE).itertuples():
            when = pd.Timestamp(record.excluded_at).strftime("%d.%m.%Y")
            info = W.HTML(
                f"<b>{_esc(names.get(record.interviewer_id, record.interviewer_id))}</b> · "
                f"{_esc(places.get(record.institution_id, record.institution_id))} · {_esc(record.period)}"
                f" · {_esc(when)}"
                f'<div class="sk-note">{_esc(qc.exclusion_reason(record, lang))}</div><small class="sk-qc-small">'
                f"{_esc(t('casework.col_interview', lang))}: {_esc(record.interview_id)}</small>",
                layout=W.Layout(width="55%"),
            )
            reason = W.Text(
                placeholder=t("casework.lift_reason", lang),
                layout=W.Layout(flex="1 1 auto", min_width="150px"),
            )
            lift = W.Button(
                description=t("casework.lift", lang), button_style="info", layout=W.Layout(width="auto")
            )
            lift.add_class("sk-lift")
            lift.on_click(self.guard(lambda _, i=record.interview_id, r=reason: self._lift(i, r.value)))
            row = W.HBox([info, reason, lift])
            row.add_class("sk-card")
            rows.append(row)
        self.exclusions_box.children = rows

    def _lift(self, interview_id: str, reason: str) -> None:
        qc.restore(self.store, interview_id, reason, actor=self.person)
        self.notice.show(t("casework.lifted", self.language), "ok")
        self._exclusions()

    def _effect(self) -> None:
        lang = self.language
        effect = qc.exclusion_effect(self.store, actor=self.person)
        if effect.empty:
            self.effect_box.children = [W.HTML(f"<p>{_esc(t('casework.effect_none', lang))}</p>")]
            return

        def number(sign: str = ""):
            return lambda x: f"{x:{sign}.2f}" if pd.notna(x) else "—"

        shown = effect.assign(
            S_all=effect["S_all"].map(number()),
            S_counted=effect["S_counted"].map(number()),
            delta=effect["delta"].map(number("+")),
        )
        columns = {"name": "casework.col_institution", "period": "casework.col_period",
                   "S_all": "casework.col_s_all", "S_counted": "casework.col_s_counted",
                   "delta": "casework.col_delta", "rank_all": "casework.col_rank_all",
                   "rank_counted": "casework.col_rank_counted", "rank_change": "casework.col_rank_change",
                   "excluded": "casework.col_excluded"}  # fmt: skip
        self.effect_box.children = [
            W.HTML(f"<p>{_esc(t('casework.effect_help', lang))}</p>"),
            self._table(shown, columns, "sk-effect", hit="excluded"),
        ]
