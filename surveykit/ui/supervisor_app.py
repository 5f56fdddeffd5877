"""The supervisor's app: approve or reject submitted interviews, see quality signals per interviewer, and
approve open answers (with redaction) before councils may see them.

Thin over :mod:`surveykit.supervision`, :mod:`surveykit.quality` and the store: decisions are the store's
``set_status`` and ``reviews.review`` (both audited). Supervisors and sociologists sign in with their
access code.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as W
import pandas as pd

from surveykit.config import settings
from surveykit.i18n import UI_LANGUAGES, t
from surveykit.supervision import interviews_to_review, open_answers
from surveykit.ui.common import (
    STYLE,
    Notice,
    app_logger,
    error_page,
    guarded,
    language_picker,
    query_params,
    sign_in_widgets,
)

__all__ = ["SupervisorApp"]

ROLES = ("supervisor", "sociologist")
PAGE = 25  # rows shown at once


def _esc(text: Any) -> str:
    return html.escape("" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text))


class SupervisorApp(W.VBox):
    def __init__(self, store: Any, *, language: str | None = None) -> None:
        super().__init__()
        self.add_class("sk-app")
        self.store = store
        wanted = language or settings().default_language
        self.language = wanted if wanted in UI_LANGUAGES else "ru"
        self.person = None
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language)
        self.header = W.HTML()
        self.body = W.VBox()
        self.children = [W.HTML(STYLE), self.header, self.notice, self.body]
        self.show_sign_in()

    @classmethod
    def from_request(cls) -> SupervisorApp:
        from surveykit.store import Store

        params = query_params()
        try:
            store = Store.open()
        except Exception as err:  # the page must still say what is wrong, in words
            return error_page(
                cls.__new__(cls), err, params.get("lang", settings().default_language), "supervisor"
            )
        return cls(store, language=params.get("lang"))

    def _title(self, text: str, subtitle: str = "") -> None:
        self.header.value = f'<div class="sk-title">{_esc(text)}</div>' + (
            f'<div class="sk-subtitle">{_esc(subtitle)}</div>' if subtitle else ""
        )

    # --- sign in ----------------------------------------------------------------------------------------------
    def show_sign_in(self) -> None:
        lang = self.language
        self._title(t("supervisor.title", lang), t("app.sign_in_prompt", lang))
        login, code, button = sign_in_widgets(lang)

        @self.guard
        def sign_in(_: Any) -> None:
            person = self.store.sign_in(login.value, code.value, ROLES)
            code.value = ""
            self.person = person
            app_logger().info("supervisor signed in: %s", person.id)
            self.notice.clear()
            self.show_main()

        button.on_click(sign_in)

        def switch(new: str) -> None:
            self.language = new
            self.show_sign_in()

        self.body.children = [language_picker(lang, switch), login, code, button]

    # --- main -------------------------------------------------------------------------------------------------
    def show_main(self) -> None:
        lang = self.language
        self._title(t("supervisor.title", lang), self.person.display_name)
        ids = sorted({v.questionnaire_id for v in self.store.versions()})
        titles = [
            (f"{self.store.questionnaire(q).text(self.store.questionnaire(q).title, lang)} ({q})", q)
            for q in ids
        ]
        self.questionnaire = W.Dropdown(
            options=titles,
            value="recipient_survey" if "recipient_survey" in ids else (ids[0] if ids else None),
            description=t("supervisor.questionnaire", lang),
            style={"description_width": "140px"},
            layout=W.Layout(width="95%"),
        )
        self.interviews_box = W.VBox()
        self.quality_box = W.VBox()
        self.answers_box = W.VBox()
        tabs = W.Tab(children=[self.interviews_box, self.quality_box, self.answers_box])
        for i, key in enumerate(
            ("supervisor.tab_interviews", "supervisor.tab_quality", "supervisor.tab_answers")
        ):
            tabs.set_title(i, t(key, lang))
        self.questionnaire.observe(self.guard(lambda _: self.refresh()), names="value")
        self.body.children = [self.questionnaire, tabs]
        self.refresh()

    def refresh(self) -> None:
        qid = self.questionnaire.value
        if qid is None:
            return
        self._interviews(qid)
        self._quality(qid)
        self._answers(qid)

    def _interviews(self, qid: str) -> None:
        lang = self.language
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
                layout=W.Layout(width="55%"),
            )
            note = W.Text(placeholder=t("supervisor.note", lang), layout=W.Layout(width="20%"))
            approve = W.Button(description=t("supervisor.approve", lang), button_style="success")
            reject = W.Button(description=t("supervisor.reject", lang), button_style="warning")
            approve.add_class("sk-approve")
            reject.add_class("sk-reject")
            approve.on_click(
                self.guard(lambda _, i=record.interview_id, n=note: self._decide(i, "approved", n.value))
            )
            reject.on_click(
                self.guard(lambda _, i=record.interview_id, n=note: self._decide(i, "rejected", n.value))
            )
            row = W.HBox([info, note, approve, reject])
            row.add_class("sk-card")
            rows.append(row)
        self.interviews_box.children = rows

    def _decide(self, interview_id: str, status: str, note: str) -> None:
        lang = self.language
        if status == "rejected" and not note.strip():
            self.notice.show(t("supervisor.reason_needed", lang), "error")
            return
        self.store.set_status(interview_id, status, by=self.person.id, note=note.strip())
        self.notice.show(t(f"supervisor.done_{status}", lang), "ok")
        self._interviews(self.questionnaire.value)

    def _quality(self, qid: str) -> None:
        from surveykit.quality import quality_report

        lang = self.language
        frame = self.store.interviews_frame(qid, status=("submitted", "approved"))
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
        self.store.reviews.review(
            interview_id,
            question,
            status,
            published_text=(text or "").strip() or None,
            reviewer_id=self.person.id,
        )
        self.notice.show(t(f"supervisor.answer_{status}", self.language), "ok")
        self._answers(self.questionnaire.value)
