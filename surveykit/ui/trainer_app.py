"""The trainer's app: cohort progress, attendance entry, the mock-interview checklist, exam results and item
statistics, batch issuance of certificates, revocation and suspension.

Every number shown and every verdict comes from :class:`surveykit.training.service.TrainingService` (and,
through it, from ``rules.yaml``): the checklist verdict is :func:`surveykit.training.score_mock`, eligibility
is :func:`surveykit.training.check_eligibility`, the batch is :func:`surveykit.certificates.issue_batch`
whose progress callback drives the progress bar. This module lays out widgets.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import ipywidgets as W
import pandas as pd

from surveykit.certificates.verify import status_reason_text, status_word
from surveykit.config import settings
from surveykit.i18n import UI_LANGUAGES, pick, t
from surveykit.store.guarded import GuardedStore, GuardedTraining
from surveykit.training.eligibility import calibration_kind_name
from surveykit.training.mock import score_mock
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
from surveykit.ui.exam_app import EXAM_STYLE
from surveykit.ui.quiz import QUIZ_STYLE

__all__ = ["TrainerApp", "frame_html"]

TRAINER_STYLE = """
<style>
.sk-trainer-app .lm-TabBar-tab { font-size: 17px !important; line-height: 36px !important; min-height: 38px;
                                 flex: 0 0 auto !important; max-width: none !important; padding: 0 14px !important; }
.sk-trainer-app .lm-TabBar { min-height: 40px !important; }
.sk-missing li { margin: 4px 0; }
.sk-table-wrap { overflow-x: auto; max-width: 100%; }
.sk-table-wrap table { font-size: 15px; }
.sk-flagged td { background: #fffaf0; }
.sk-check-row { border-bottom: 1px solid #e2e8f0; padding: 4px 0; }
.sk-check-row .widget-toggle-buttons .widget-toggle-button { min-width: 52px; font-size: 18px; }
</style>
"""


def _esc(text: Any) -> str:
    return html.escape(str(text if text is not None else "")).replace("\n", "<br>")


def _cell(value: Any, language: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) >= 1 or value == 0 else f"{value:.2f}"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.astimezone().strftime("%d.%m.%Y %H:%M")
    return str(value)


def _column(name: str, language: str) -> str:
    key = f"trainer.col.{name}"
    label = t(key, language)
    return name if label == key else label


def frame_html(frame: pd.DataFrame, language: str, *, css: str = "", index: bool = False) -> str:
    """A table for people: translated column names (``trainer.col.<name>``), ✓/✗ for booleans, no NaN."""
    if frame is None or not len(frame):
        return f'<div class="sk-hint">{_esc(t("trainer.empty", language))}</div>'
    data = frame.reset_index() if index else frame
    head = "".join(f"<th>{_esc(_column(str(c), language))}</th>" for c in data.columns)
    rows = []
    for record in data.itertuples(index=False):
        values = list(record)
        flagged = (
            " class='sk-flagged'"
            if "review" in data.columns and bool(values[list(data.columns).index("review")])
            else ""
        )
        rows.append(
            f"<tr{flagged}>" + "".join(f"<td>{_esc(_cell(v, language))}</td>" for v in values) + "</tr>"
        )
    return f'<div class="sk-table-wrap {css}"><table class="sk-table"><tr>{head}</tr>{"".join(rows)}</table></div>'


class TrainerApp(W.VBox):
    """The trainer's app (see the module docstring)."""

    def __init__(
        self, service: Any, *, language: str | None = None, params: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.add_class("sk-app")
        self.add_class("sk-trainer-app")
        self.service = service
        self.course = service.course
        self.params = params or {}
        wanted = language or self.params.get("lang") or settings().default_language
        self.language = wanted if wanted in UI_LANGUAGES else "ru"
        self.person: Any = None
        #: the trainer's view of the training records (set at sign-in): every data access goes through it
        self.training: GuardedTraining | None = None
        self.cohort: str | None = self.params.get("cohort") or None
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language, self._signed_out)
        self.header = W.HTML()
        self.body = W.VBox()
        self.children = [
            W.HTML(STYLE + QUIZ_STYLE + EXAM_STYLE + TRAINER_STYLE),
            self.header,
            self.notice,
            self.body,
        ]
        self.show_sign_in()

    @classmethod
    def from_request(cls) -> TrainerApp:
        """The app for a Voilà page (surveykit.ui.common.app_from_request)."""
        from surveykit.store import Store
        from surveykit.training.service import TrainingService

        return app_from_request(cls, "trainer", lambda: TrainingService(Store.open()))

    def _switch(self, language: str, then: Any) -> None:
        self.language = language
        self.notice.clear()
        then()

    # --- sign in ---------------------------------------------------------------------------------------------
    def show_sign_in(self) -> None:
        lang = self.language
        self.header.value = f'<div class="sk-title">{_esc(t("trainer.title", lang))}</div>'
        self.body.children = sign_in_page(
            lang,
            self.guard,
            self.sign_in,
            lambda: (self.notice.clear(), self.show_main()),
            lambda new: self._switch(new, self.show_sign_in),
        )

    #: who may sign in: the course's keys and records are for trainers (and administrators)
    ROLES = ("trainer", "administrator")

    def sign_in(self, login: str, code: str) -> None:
        """Start a session for the trainer app (anyone without the role trainer: SK512)."""
        session = self.service.store.start_session(login, code, self.ROLES, app="trainer")
        self.training = GuardedStore(self.service.store, session).training(self.service)
        self.person = session.person

    def _signed_out(self) -> None:
        self.person = None
        self.training = None
        self.show_sign_in()

    # --- the tabs -----------------------------------------------------------------------------------------------
    def show_main(self, selected: int = 0) -> None:
        lang = self.language
        self.header.value = (
            f'<div class="sk-title">{_esc(t("trainer.title", lang))}</div>'
            f'<div class="sk-subtitle">{_esc(t("app.hello", lang, name=self.person.display_name))}</div>'
        )
        cohorts = list(self.training.cohorts())
        names = [name for _, name in cohorts]
        # a cohort by its name; its id only tells two cohorts of the same name apart
        options = [(t("trainer.all_trainees", lang), "")] + [
            (name if names.count(name) == 1 else f"{name} ({cid})", cid) for cid, name in cohorts
        ]
        cohort = W.Dropdown(options=options, value=self.cohort or "", description=t("trainer.cohort", lang))
        cohort.add_class("sk-cohort")
        cohort.style = {"description_width": "120px"}
        cohort.layout = W.Layout(width="520px")
        self.tabs = W.Tab()
        builders = [
            ("trainer.tab_progress", self._progress_tab),
            ("trainer.tab_attendance", self._attendance_tab),
            ("trainer.tab_mock", self._mock_tab),
            ("trainer.tab_exam", self._exam_tab),
            ("trainer.tab_certificates", self._certificates_tab),
            ("course.tab_personas", self._personas_tab),
        ]
        self.tabs.children = [builder() for _, builder in builders]
        self.tabs.titles = tuple(t(key, lang) for key, _ in builders)
        self.tabs.selected_index = selected

        def set_cohort(change: dict[str, Any]) -> None:
            self.cohort = change["new"] or None
            self.show_main(self.tabs.selected_index or 0)

        cohort.observe(self.guard(set_cohort), names="value")
        picker = language_picker(
            lang, lambda new: self._switch(new, lambda: self.show_main(self.tabs.selected_index or 0))
        )
        self.body.children = [W.HBox([picker, cohort]), self.tabs]

    def _people_options(self) -> list[tuple[str, str]]:
        return [(f"{p.display_name} ({p.id})", p.id) for p in self.training.trainees(self.cohort)]

    # progress -------------------------------------------------------------------------------------------------
    def _progress_tab(self) -> W.Widget:
        lang = self.language
        frame = self.training.progress_frame(self.cohort, language=lang)

        def mark(ok: Any) -> str:
            return "" if ok is None or (isinstance(ok, float) and pd.isna(ok)) else (" ✓" if ok else " ✗")

        shown = pd.DataFrame(
            {
                "name": frame["name"],
                "hours_share": [
                    f"{h:g} ({a * 100:.0f} %)"
                    for h, a in zip(frame["hours"], frame["attendance"], strict=True)
                ],
                "exam": [
                    "" if pd.isna(v) else f"{v * 100:.0f} %{mark(ok)} ({n})"
                    for v, ok, n in zip(
                        frame["exam_score"], frame["exam_passed"], frame["attempts"], strict=True
                    )
                ],
                "mock": [
                    "" if pd.isna(v) else f"{v:g}{mark(ok)}"
                    for v, ok in zip(frame["mock_total"], frame["mock_passed"], strict=True)
                ],
                "calibration": [
                    ", ".join(calibration_kind_name(k, lang) for k in str(kinds or "").split(", ") if k)
                    for kinds in frame["calibration"]
                ],
                "eligible_roles": frame["eligible_roles"],
                "certificate": [
                    _certificate_cell(c, st, lang)
                    for c, st in zip(frame["certificate"], frame["certificate_status"], strict=True)
                ],
            }
        )
        todo = "".join(
            f"<li><b>{_esc(r.name)}</b>: {_esc(r.missing)}</li>" for r in frame.itertuples() if r.missing
        )
        summary = W.HTML(frame_html(shown, lang, css="sk-progress"))
        missing = W.HTML(
            f"<h3>{_esc(t('trainer.col.missing', lang))}</h3><ul class='sk-missing'>{todo}</ul>"
            if todo
            else ""
        )
        modules = self.training.module_frame(self.cohort)
        if len(modules):
            hours = modules.pivot_table(index="name", columns="module", values="hours", aggfunc="sum")
            scores = modules.pivot_table(
                index="name", columns="module", values="exam_module_score", aggfunc="max"
            ).map(lambda v: "" if pd.isna(v) else f"{v * 100:.0f} %")  # shares read as per cent
            hours_html = frame_html(
                hours.rename(columns=lambda c: str(c)), lang, index=True, css="sk-module-hours"
            )
            scores_html = frame_html(
                scores.rename(columns=lambda c: str(c)), lang, index=True, css="sk-module-scores"
            )
        else:
            hours_html = scores_html = frame_html(modules, lang)
        totals = ", ".join(f"{m.id} {m.hours:g}" for m in self.course.modules)
        refresh = W.Button(description=t("trainer.refresh", lang))
        refresh.on_click(self.guard(lambda _: self.show_main(0)))
        return W.VBox(
            [
                summary,
                missing,
                W.HTML(
                    f"<h3>{_esc(t('trainer.module_hours', lang))}</h3><div class='sk-hint'>{_esc(totals)}</div>{hours_html}"
                ),
                W.HTML(f"<h3>{_esc(t('trainer.module_scores', lang))}</h3>{scores_html}"),
                refresh,
            ]
        )

    # attendance -----------------------------------------------------------------------------------------------
    def _attendance_tab(self) -> W.Widget:
        lang = self.language
        people = W.SelectMultiple(
            options=self._people_options(), rows=8, description=t("trainer.trainees", lang)
        )
        people.add_class("sk-attendance-people")
        modules = [(f"{m.id} — {pick(m.title, lang, 'en')}", m.id) for m in self.course.modules]
        module = W.Dropdown(
            options=modules, description=t("trainer.module", lang), layout=W.Layout(width="100%", max_width="860px")
        )
        module.add_class("sk-attendance-module")
        hours = W.BoundedFloatText(
            value=self.course.modules[0].hours, min=0, max=24, step=0.5, description=t("trainer.hours", lang)
        )
        hours.add_class("sk-attendance-hours")
        module.observe(
            lambda change: setattr(hours, "value", self.course.module(change["new"]).hours), names="value"
        )
        date = W.DatePicker(value=self.service.now().date(), description=t("trainer.date", lang))
        save = W.Button(description=t("trainer.save_attendance", lang), button_style="success")
        save.add_class("sk-save-attendance")

        def record(_: Any) -> None:
            chosen = list(people.value)
            if not chosen:
                self.notice.show(t("trainer.choose_trainees", lang), "error")
                return
            for person_id in chosen:
                self.training.record_attendance(person_id, module.value, hours.value, date.value)
            self.notice.show(
                t(
                    "trainer.attendance_saved",
                    lang,
                    n=len(chosen),
                    module=module.value,
                    hours=f"{hours.value:g}",
                ),
                "ok",
            )

        save.on_click(self.guard(record))
        for widget in (people, hours, date):
            widget.style = {"description_width": "120px"}
        return W.VBox([people, module, hours, date, save])

    # mock interview ----------------------------------------------------------------------------------------------
    def _mock_tab(self) -> W.Widget:
        lang = self.language
        checklist = self.course.checklist
        rules = self.course.rules.mock_interview
        person = W.Dropdown(
            options=self._people_options(),
            description=t("trainer.trainee", lang),
            layout=W.Layout(width="560px"),
            style={"description_width": "120px"},
        )
        person.add_class("sk-mock-person")
        scores: dict[str, W.ToggleButtons] = {}
        rows: list[W.Widget] = []
        verdict = W.HTML()
        verdict.add_class("sk-mock-verdict")

        def update(_: Any = None) -> None:
            given = {k: w.value for k, w in scores.items() if w.value is not None}
            if len(given) < len(scores):
                verdict.value = f'<div class="sk-hint">{_esc(t("trainer.mock_scored", lang, n=len(given), total=len(scores)))}</div>'
                return
            result = score_mock(given, checklist, self.course.rules)
            key = "trainer.mock_pass" if result.passed else "trainer.mock_fail"
            verdict.value = (
                f'<div class="sk-verdict sk-verdict-{"pass" if result.passed else "fail"}">'
                f"{_esc(t(key, lang, total=result.total, max=result.max_total))}</div>"
            )

        for number, item in enumerate(checklist.items, start=1):
            toggle = W.ToggleButtons(
                options=[(str(s), s) for s in checklist.scale], value=None, style={"button_width": "52px"}
            )
            toggle.add_class(f"sk-mock-{item.id}")
            toggle.observe(self.guard(update), names="value")
            scores[item.id] = toggle
            star = " ★" if item.critical else ""
            text = W.HTML(
                f"<b>{number}. {_esc(pick(item.text, lang, 'en'))}{star}</b>"
                f"<div class='sk-hint'>{_esc(pick(item.look_for, lang, 'en'))}</div>",
                layout=W.Layout(width="700px"),
            )
            row = W.HBox([text, toggle])
            row.add_class("sk-check-row")
            rows.append(row)
        rule_key = "trainer.mock_rule_strict" if rules.mode == "strict" else "trainer.mock_rule_standard"
        rule = W.HTML(
            f'<div class="sk-note">{_esc(t(rule_key, lang, critical=rules.critical_min_score, total=rules.min_total, max=checklist.max_total))}'
            f" {_esc(t('trainer.mock_scale', lang))}</div>"
        )
        save = W.Button(description=t("trainer.save_mock", lang), button_style="success")
        save.add_class("sk-save-mock")

        def record(_: Any) -> None:
            if person.value is None:
                self.notice.show(t("trainer.choose_trainees", lang), "error")
                return
            result = self.training.record_mock(person.value, {k: w.value for k, w in scores.items()})
            self.notice.show(
                t("trainer.mock_saved", lang, total=result.total, max=result.max_total),
                "ok" if result.passed else "info",
            )

        save.on_click(self.guard(record))
        update()
        return W.VBox([person, rule, *rows, verdict, save])

    # exam results and item statistics --------------------------------------------------------------------------------
    def _exam_tab(self) -> W.Widget:
        lang = self.language
        results = self._exam_results(self.training.exam_results_frame(self.cohort, language=lang))
        stats = self.training.item_stats(self.cohort)
        review = self.course.rules.item_review
        if len(stats):
            stats = stats.copy()
            stats.insert(
                0,
                "module",
                [self.course.item(i).module if i in self.course.items_by_id else "" for i in stats.index],
            )
            stats = stats.sort_values(["review", "difficulty"], ascending=[False, True])
        note = t(
            "trainer.item_review_rule",
            lang,
            low=f"{review.min_difficulty:.2f}",
            high=f"{review.max_difficulty:.2f}",
            r=f"{review.min_discrimination:.2f}",
            n=review.min_responses,
        )
        return W.VBox(
            [
                W.HTML(
                    f"<h3>{_esc(t('trainer.exam_results', lang))}</h3>{frame_html(results, lang, css='sk-exam-results')}"
                ),
                W.HTML(
                    f"<h3>{_esc(t('trainer.item_stats', lang))}</h3><div class='sk-hint'>{_esc(note)}</div>"
                    f"{frame_html(stats, lang, index=True, css='sk-item-stats')}"
                ),
                W.HTML(self._review_html()),
            ]
        )

    def _exam_results(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The results for people: names (no logins), states in words, scores in per cent, the critical items
        by their text."""
        lang = self.language
        if not len(frame):
            return frame
        shown = frame.drop(columns=["person_id"]).copy()
        shown["state"] = [t(f"exam.state.{state}", lang) for state in frame["state"]]
        shown["score"] = [f"{score * 100:.0f} %" for score in frame["score"]]
        shown["critical_missed"] = [
            "; ".join(
                self.course.item(i).title(lang, 60) if i in self.course.items_by_id else i
                for i in str(ids or "").split(", ")
                if i
            )
            for ids in frame["critical_missed"]
        ]
        return shown

    def _review_html(self) -> str:
        """The review list (surveykit.training.itemstats.review_list): the items to look at, why, what to do."""
        lang = self.language
        frame = self.training.item_review(self.cohort)
        title = f"<h3>{_esc(t('course.review_title', lang))}</h3>"
        if not len(frame):
            return title + f"<div class='sk-hint sk-item-review'>{_esc(t('course.review_empty', lang))}</div>"
        head = "".join(f"<th>{_esc(h)}</th>" for h in t("course.review_columns", lang).split("|"))
        suffix = "ru" if lang == "ru" else "en"
        rows = "".join(
            f"<tr><td>{_esc(item)}</td><td>{_esc(row['module'])}</td><td>{int(row['n'])}</td>"
            f"<td>{_esc(_cell(row['difficulty'], lang))}</td><td>{_esc(row['reasons_' + suffix])}</td>"
            f"<td>{_esc(row['fix_' + suffix])}</td></tr>"
            for item, row in frame.iterrows()
        )
        return f"{title}<div class='sk-table-wrap sk-item-review'><table class='sk-table'><tr>{head}</tr>{rows}</table></div>"

    # practice personas: the behaviour cards (trainers only) ------------------------------------------------------------
    def _personas_tab(self) -> W.Widget:
        lang = self.language
        parts = [f"<div class='sk-banner sk-banner-info'>{_esc(t('course.trainer_cards', lang))}</div>"]
        for card in self.training.persona_cards(lang):
            tests = "".join(f"<li>{_esc(b)}</li>" for b in card["behaviours"])
            parts.append(
                f"<div class='sk-note sk-persona-card sk-card-{_esc(card['id'])}'>"
                f"<b>{_esc(card['name'])}</b> — {_esc(card['brief'])}"
                f"<div><b>{_esc(t('course.card_story', lang))}</b> {_esc(card['story'])}</div>"
                f"<div><b>{_esc(t('course.card_tests', lang))}</b><ul>{tests}</ul></div>"
                f"<div class='sk-hint'>{_esc(t('course.card_outcome', lang, outcome=card['outcome'], mode=card['mode']))}</div>"
                "</div>"
            )
        return W.HTML("".join(parts))

    # certificates ------------------------------------------------------------------------------------------------------
    def _certificates_tab(self) -> W.Widget:
        lang = self.language
        progress = W.IntProgress(value=0, min=0, max=100, description=t("trainer.batch_progress", lang))
        progress.add_class("sk-batch-progress")
        progress.layout = W.Layout(width="640px")
        progress.style = {"description_width": "160px"}
        summary = W.HTML()
        summary.add_class("sk-batch-summary")
        issue = W.Button(description=t("trainer.issue_batch", lang), button_style="success")
        issue.add_class("sk-issue-batch")
        download = W.VBox()

        def on_progress(step: Any) -> None:  # issue_batch's callback: BatchProgress(done, total, phase)
            progress.max = 100
            progress.value = round(step.fraction * 100)

        def run_batch(_: Any) -> None:
            people = [p.id for p in self.training.trainees(self.cohort)]
            issue.disabled = True
            try:
                outcome = self.training.issue_cohort(people, progress=on_progress)
            finally:
                issue.disabled = False
            app_logger().info("trainer %s issued a batch: %s", self.person.id, outcome.registered)
            lines = outcome.lines(lang)
            summary.value = '<div class="sk-note">' + "<br>".join(_esc(line) for line in lines) + "</div>"
            if outcome.summary.combined is not None and outcome.registered:
                download.children = [
                    pdf_link(
                        outcome.summary.combined.read_bytes(),
                        outcome.summary.combined.name,
                        t("trainer.download_batch", lang),
                    )
                ]
            listing.value = self._certificate_list()

        issue.on_click(self.guard(run_batch))
        listing = W.HTML(self._certificate_list())
        serial = W.Text(description=t("trainer.serial", lang), placeholder="SK-2026-XXXX-XXXX")
        serial.add_class("sk-status-serial")
        reason = W.Text(description=t("trainer.reason", lang), layout=W.Layout(width="640px"))
        reason.add_class("sk-status-reason")
        for widget in (serial, reason):
            widget.style = {"description_width": "160px"}
        buttons = []
        for action, style in (("suspend", "warning"), ("revoke", "danger"), ("reinstate", "info")):
            button = W.Button(description=t(f"trainer.{action}", lang), button_style=style)
            button.add_class(f"sk-{action}")

            def change(_: Any, action: str = action) -> None:
                if not reason.value.strip():
                    self.notice.show(t("trainer.reason_needed", lang), "error")
                    return
                record = self.training.set_certificate_status(
                    serial.value.strip(), action, reason=reason.value
                )
                self.notice.show(
                    t(
                        "trainer.status_changed",
                        lang,
                        serial=record.serial,
                        status=t("verify.status." + status_word(record.status, record.status_reason), lang),
                    ),
                    "ok",
                )
                listing.value = self._certificate_list()

            button.on_click(self.guard(change))
            buttons.append(button)
        return W.VBox(
            [
                W.HTML(f'<div class="sk-note">{_esc(t("trainer.batch_intro", lang))}</div>'),
                issue,
                progress,
                summary,
                download,
                W.HTML(
                    f"<h3>{_esc(t('trainer.status_title', lang))}</h3><div class='sk-hint'>{_esc(t('trainer.status_hint', lang))}</div>"
                ),
                serial,
                reason,
                W.HBox(buttons),
                W.HTML(f"<h3>{_esc(t('trainer.certificates', lang))}</h3>"),
                listing,
            ]
        )

    def _certificate_list(self) -> str:
        lang = self.language
        members = {p.id: p.display_name for p in self.training.trainees(self.cohort)}
        rows = []
        for record in self.training.certificates():
            if self.cohort and record.person_id not in members:
                continue
            # the name the certificate was issued to (its signed record), not a login
            holder = (record.record or {}).get("credentialSubject", {}).get("name")
            rows.append(
                {
                    "serial": record.serial,
                    "name": holder or members.get(record.person_id) or "—",
                    "roles": ", ".join(
                        pick(self.course.rules.roles[r].name, lang, "en")
                        if r in self.course.rules.roles
                        else r
                        for r in record.roles
                    ),
                    "issued_at": record.issued_at,
                    "valid_until": record.valid_until,
                    "status": t("verify.status." + status_word(record.status, record.status_reason), lang),
                    "status_reason": status_reason_text(record.status_reason, lang),
                }
            )
        return frame_html(pd.DataFrame(rows), lang, css="sk-certificate-list")


def _certificate_cell(serial: Any, status: Any, language: str) -> str:
    """A trainee's latest certificate and its status in words; "no certificate" when there is none."""
    if serial is None or (isinstance(serial, float) and pd.isna(serial)) or not str(serial):
        return t("verify.no_certificate", language)
    word = str(status) if isinstance(status, str) and status else "valid"
    return f"{serial} ({t('verify.status.' + word, language)})"
