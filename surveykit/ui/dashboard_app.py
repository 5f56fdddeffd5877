"""The council dashboard app: filters, four tabs of plotted results, a workbook download — over the store.

:class:`DashboardApp` is the whole app as one widget. In Voilà (``apps/dashboard.ipynb``) it is created by
:meth:`DashboardApp.from_request`, which opens the store and reads the URL (``?lang=en&period=2025&
institution=kcson_sev&tab=institution``); in JupyterLab a sociologist can pass any source, e.g. a mapping of
canonical frames: ``DashboardApp(frames)``.

The app holds no rules: :func:`surveykit.dashboard.dashboard_data` prepares (and suppresses) every number,
:mod:`surveykit.dashboard.charts` draws it. This module lays out widgets, passes selections on, and shows
figures as ``<iframe srcdoc>`` HTML (never an ``Output`` at start-up: see :mod:`surveykit.ui.common`).
Widgets carry ``sk-dash-*`` CSS classes for the browser tests.
"""

from __future__ import annotations

import base64
import html
from typing import Any

import ipywidgets as W
import pandas as pd

from surveykit.access import roles_with
from surveykit.dashboard.data import DashboardData, Filters, dashboard_data
from surveykit.dashboard.labels import fmt, fmt_int, short
from surveykit.i18n import UI_LANGUAGES, t
from surveykit.scoring import DEFAULT_PROFILE
from surveykit.store.guarded import GuardedStore
from surveykit.ui.common import (
    STYLE,
    Notice,
    app_logger,
    guarded,
    language_picker,
    plotly_html,
    query_params,
    sign_in_page,
)

__all__ = ["DashboardApp"]

#: the value of "all" in the filter drop-downs (a Dropdown's value None means "nothing selected")
_ALL = "*"

DASHBOARD_STYLE = """
<style>
.sk-dash-controls { flex-wrap: wrap; gap: 8px 18px; align-items: center; margin: 6px 0 10px 0; }
.sk-dashboard-app .widget-dropdown { height: auto; min-height: 40px; align-items: center; }
.sk-dashboard-app .widget-dropdown > select { height: 38px; }
.sk-dash-controls .widget-dropdown { width: auto; max-width: 100%; }
.sk-dash-controls .widget-dropdown > select { min-width: 110px; max-width: 560px; width: auto; }
.sk-dash-controls .widget-dropdown > label { width: auto; padding-right: 6px; }
.sk-dash-tabs .lm-TabBar-tab, .sk-dash-tabs .p-TabBar-tab { font-size: 15px; min-width: 160px; min-height: 34px;
  line-height: 34px; }
.sk-dash-tabs .lm-TabBar, .sk-dash-tabs .p-TabBar { min-height: 36px; }
.sk-dash-tabs .lm-TabBar-tab.lm-mod-current, .sk-dash-tabs .p-TabBar-tab.p-mod-current { font-weight: 600; }
.sk-dash-head { display: flex; gap: 22px; flex-wrap: wrap; align-items: baseline; margin: 8px 0; }
.sk-dash-score { font-size: 30px; font-weight: 700; color: #1a365d; }
.sk-dash-meta { color: #4a5568; }
.sk-dash-text { line-height: 1.5; max-width: 920px; }
.sk-dash-foot { color: #4a5568; font-size: 14px; margin: 2px 0 12px 0; }
.sk-dash-list li { margin: 3px 0; }
.sk-dash-section { font-size: 19px; font-weight: 600; margin: 16px 0 4px 0; }
.sk-plot { display: block; }
</style>
"""


def _esc(text: Any) -> str:
    return html.escape(str(text if text is not None else ""))


class DashboardApp(W.VBox):
    """The council dashboard. ``source``: a ``Store`` or a mapping of canonical frames.

    Over a store, council members sign in first (any role holding ``aggregates.read``: council, supervisor,
    sociologist, administrator) and every number comes through
    :meth:`surveykit.store.guarded.GuardedStore.dashboard_data`, the suppressed path. ``sign_in=False`` (or
    the setting ``dashboard_public``, for a public demonstration) shows the same published figures without
    signing in. Frames given directly (a notebook, the tests) need no sign-in: whoever holds them has them.

    Fieldwork per interviewer (names) is offered only to people who may read every interview
    (``interviews.read_all``: supervisors, sociologists, administrators), never to a council member or on a
    public dashboard; with frames, pass ``identities=True`` to see it.
    """

    TABS = ("rating", "institution", "progress", "questions")

    def __init__(
        self,
        source: Any,
        *,
        profile: Any = DEFAULT_PROFILE,
        language: str | None = None,
        params: dict[str, str] | None = None,
        k: int | None = None,
        sign_in: bool | None = None,
        identities: bool = False,
    ) -> None:
        super().__init__()
        self.add_class("sk-app")
        self.add_class("sk-dashboard-app")
        self.params = dict(params or {})
        wanted = language or self.params.get("lang")
        self.language = wanted if wanted in UI_LANGUAGES else "ru"
        self._quiet = False
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language, self._signed_out)
        self.color_by = "flag"
        self.source = source
        self.profile = profile
        self.k = k
        #: the council member's view of the store (set at sign-in)
        self.guarded: GuardedStore | None = None
        self.person: Any = None
        is_store = hasattr(source, "start_session")
        if sign_in is None:
            from surveykit.config import settings

            sign_in = is_store and not settings().dashboard_public
        if sign_in:
            self.show_sign_in()
        else:
            self._open(
                dashboard_data(source, profile, self._filters(), self.language, k=k, identities=identities)
            )

    def _filters(self) -> Filters:
        return Filters(period=self.params.get("period"))

    def _open(self, data: DashboardData) -> None:
        self.data = data
        if self.data.filters.period is not None and self.data.filters.period not in self.data.periods:
            self.data = self.data.with_(period=None)
        self._dirty = set(self.TABS)
        self._build()
        self._render_current()

    # --- sign in ------------------------------------------------------------------------------------------------
    #: who may sign in: every role that may read the published aggregates
    ROLES = roles_with("aggregates.read")

    def show_sign_in(self) -> None:
        lang = self.language
        header = W.HTML(
            f'<div class="sk-title">{_esc(t("dash.title", lang))}</div>'
            f'<div class="sk-subtitle">{_esc(t("perm.dashboard_sign_in", lang))}</div>'
        )

        def switch(new: str) -> None:
            self.language = new
            self.notice.clear()
            self.show_sign_in()

        box = W.VBox(sign_in_page(lang, self.guard, self.sign_in, lambda: None, switch))
        box.add_class("sk-dash-sign-in")
        self.children = [W.HTML(STYLE + DASHBOARD_STYLE), header, self.notice, box]

    def sign_in(self, login: str, code: str) -> None:
        """Start a session (roles holding ``aggregates.read``; anyone else SK512) and load the published
        data for that person."""
        session = self.source.start_session(login, code, self.ROLES, app="dashboard")
        self.guarded = GuardedStore(self.source, session)
        self.person = session.person
        self.notice.clear()
        self._open(self.guarded.dashboard_data(self.profile, self._filters(), self.language, k=self.k))

    def _signed_out(self) -> None:
        self.guarded = None
        self.person = None
        self.show_sign_in()

    # --- construction -----------------------------------------------------------------------------------------
    @classmethod
    def from_request(cls) -> W.Widget:
        """The app for a Voilà page: the store from the settings, options from the URL; on failure a message."""
        from surveykit.store import Store

        params = query_params()
        language = params.get("lang") if params.get("lang") in UI_LANGUAGES else "ru"
        try:
            store = Store.open()
            return cls(store, params=params)
        except Exception as err:  # the page must still say what is wrong, in words
            app_logger().error("dashboard: cannot start: %s", err)
            message = (
                err.localized(language)
                if hasattr(err, "localized")
                else t("app.internal_error", language, log="data/logs/apps.log")
            )
            box = W.VBox(
                [W.HTML(STYLE), W.HTML(f'<div class="sk-banner sk-banner-error">{_esc(message)}</div>')]
            )
            box.add_class("sk-app")
            box.add_class("sk-dash-error")
            return box

    def _build(self) -> None:
        lang = self.language
        self.header = W.HTML()
        self.picker = language_picker(lang, self.guard(self._set_language))
        self.period = self._dropdown("period", "sk-dash-period")
        self.region = self._dropdown("region", "sk-dash-region")
        self.municipality = self._dropdown("municipality", "sk-dash-municipality")
        self.type = self._dropdown("type", "sk-dash-type")
        self.color = W.ToggleButtons(style={"button_width": "auto"})
        self.color.add_class("sk-dash-color")
        self.color.observe(self.guard(self._on_color), names="value")
        self.controls = W.HBox([self.period, self.region, self.municipality, self.type])
        self.controls.add_class("sk-dash-controls")
        # rating
        self.rating_plot = W.HTML()
        self.rating_plot.add_class("sk-dash-rating-chart")
        self.rating_foot = W.HTML()
        self.download = W.Button(icon="download", layout=W.Layout(width="auto"))
        self.download.add_class("sk-dash-export")
        self.download.on_click(self.guard(lambda _: self._export()))
        self.download_link = W.HTML()
        rating_tab = W.VBox(
            [self.color, self.rating_plot, self.rating_foot, W.HBox([self.download, self.download_link])]
        )
        # institution
        self.institution = W.Dropdown(layout=W.Layout(width="700px"), style={"description_width": "initial"})
        self.institution.add_class("sk-dash-institution")
        self.institution.observe(self.guard(lambda _: self._render("institution")), names="value")
        self.inst_head = W.HTML()
        self.inst_head.add_class("sk-dash-inst-head")
        self.criteria_plot = W.HTML()
        self.criteria_plot.add_class("sk-dash-criteria-chart")
        self.indicators_plot = W.HTML()
        self.indicators_plot.add_class("sk-dash-indicators-chart")
        self.trend_plot = W.HTML()
        self.trend_plot.add_class("sk-dash-trend-chart")
        self.inst_text = W.HTML()
        self.inst_text.add_class("sk-dash-inst-text")
        institution_tab = W.VBox(
            [
                self.institution,
                self.inst_head,
                self.criteria_plot,
                self.indicators_plot,
                self.trend_plot,
                self.inst_text,
            ]
        )
        # fieldwork
        self.progress_by = W.ToggleButtons(style={"button_width": "auto"})
        self.progress_by.add_class("sk-dash-progress-by")
        self.progress_by.observe(self.guard(lambda _: self._render("progress")), names="value")
        self.progress_plot = W.HTML()
        self.progress_plot.add_class("sk-dash-progress-chart")
        self.fieldwork_rates = W.HTML()  # AAPOR rates per institution (surveykit.dashboard.fieldwork)
        self.fieldwork_rates.add_class("sk-dash-fieldwork-rates")
        progress_tab = W.VBox([self.progress_by, self.progress_plot, self.fieldwork_rates])
        # questions
        self.questionnaire = W.Dropdown(layout=W.Layout(width="95%"), style={"description_width": "initial"})
        self.questionnaire.add_class("sk-dash-questionnaire")
        self.questionnaire.observe(self.guard(self._on_questionnaire), names="value")
        self.question = W.Dropdown(layout=W.Layout(width="95%"), style={"description_width": "initial"})
        self.question.add_class("sk-dash-question")
        self.question.observe(self.guard(lambda _: self._render("questions")), names="value")
        self.scope = W.Dropdown(layout=W.Layout(width="560px"), style={"description_width": "initial"})
        self.scope.add_class("sk-dash-scope")
        self.scope.observe(self.guard(lambda _: self._render("questions")), names="value")
        self.compare = W.Dropdown(layout=W.Layout(width="auto", min_width="300px"),
                                  style={"description_width": "initial"})  # fmt: skip
        self.compare.add_class("sk-dash-compare")
        self.compare.observe(self.guard(lambda _: self._render("questions")), names="value")
        self.mode = W.Dropdown(layout=W.Layout(width="auto", min_width="260px"),
                               style={"description_width": "initial"})  # fmt: skip
        self.mode.add_class("sk-dash-mode")
        self.mode.observe(self.guard(lambda change: self._on_filter("mode", change["new"])), names="value")
        self.question_plot = W.HTML()
        self.question_plot.add_class("sk-dash-question-chart")
        choices = W.HBox([self.scope, self.mode, self.compare])
        choices.add_class("sk-dash-controls")
        questions_tab = W.VBox([self.questionnaire, self.question, choices, self.question_plot])
        self.tabs = W.Tab(children=[rating_tab, institution_tab, progress_tab, questions_tab])
        self.tabs.add_class("sk-dash-tabs")
        wanted = self.params.get("tab")
        if wanted in self.TABS:
            self.tabs.selected_index = self.TABS.index(wanted)
        self.tabs.observe(self.guard(lambda _: self._render_current()), names="selected_index")
        self.children = [
            W.HTML(STYLE + DASHBOARD_STYLE),
            self.header,
            self.picker,
            self.notice,
            self.controls,
            self.tabs,
        ]
        self._relabel()

    def _dropdown(self, name: str, css: str) -> W.Dropdown:
        widget = W.Dropdown(style={"description_width": "initial"})
        widget.add_class(css)
        widget.observe(self.guard(lambda change, n=name: self._on_filter(n, change["new"])), names="value")
        return widget

    # --- labels and options (on start and on a language switch) --------------------------------------------------
    def _relabel(self) -> None:
        lang = self.language
        data = self.data
        self._quiet = True
        try:
            self.header.value = (
                f'<div class="sk-title">{_esc(t("dash.title", lang))}</div>'
                f'<div class="sk-subtitle">{_esc(t("dash.subtitle", lang, profile=data.profile.text(data.profile.title, lang)))}</div>'
            )
            options = data.options()
            for name, widget in (
                ("period", self.period),
                ("region", self.region),
                ("municipality", self.municipality),
                ("type", self.type),
                ("mode", self.mode),
            ):
                widget.description = t(f"dash.filter.{name}" if name != "mode" else "disclosure.mode", lang)
                current = getattr(data.filters, name) if name != "period" else data.period
                widget.options = [(label, _ALL if value is None else value) for label, value in options[name]]
                values = [v for _, v in widget.options]
                current = _ALL if current is None else current
                widget.value = current if current in values else values[0]
            color_options = [(t("dash.color.flag", lang), "flag")]
            if data.bands:
                color_options.append((t("dash.color.band", lang), "band"))
            self.color.options = color_options
            self.color.value = self.color_by if self.color_by in [v for _, v in color_options] else "flag"
            self.color.layout.display = None if len(color_options) > 1 else "none"
            self.download.description = t("dash.export", lang)
            for i, name in enumerate(self.TABS):
                self.tabs.set_title(i, t(f"dash.tab.{name}", lang))
            by = [(t("dash.by_institution", lang), "institution")]
            if data.identities:  # who interviewed: supervisors and sociologists only, never a council member
                by.append((t("dash.by_interviewer", lang), "interviewer"))
            keep = self.progress_by.value
            self.progress_by.options = by
            self.progress_by.value = keep if keep in [v for _, v in by] else "institution"
            self.progress_by.description = t("dash.progress_by", lang)
            self.progress_by.layout.display = None if len(by) > 1 else "none"
            self._institution_options()
            ids = data.questionnaire_ids()
            self.questionnaire.options = [(data.questionnaire_title(q), q) for q in ids]
            self.questionnaire.description = t("dash.questionnaire", lang)
            if ids and self.questionnaire.value not in ids:
                self.questionnaire.value = (
                    data.profile.respondents_source if data.profile.respondents_source in ids else ids[0]
                )
            self._question_options()
            self.question.description = t("dash.question", lang)
            self.scope.description = t("dash.scope", lang)
            self.compare.description = t("dash.compare_with", lang)
            self.institution.description = t("dash.institution", lang)
        finally:
            self._quiet = False

    def _institution_options(self) -> None:
        data = self.data
        ranking = data.ranking()
        options = [
            (name, ident) for name, ident in zip(ranking["name"], ranking["institution_id"], strict=True)
        ]
        current = self.params.pop("institution", None) or self.institution.value
        self.institution.options = options
        ids = [v for _, v in options]
        if ids:
            self.institution.value = current if current in ids else ids[0]
        scope = [(t("dash.scope_all", self.language), _ALL), *options]
        keep = self.scope.value
        self.scope.options = scope
        self.scope.value = keep if keep in ids else _ALL
        others = [p for p in data.periods if p != data.period]
        keep = self.compare.value
        self.compare.options = [
            (t("dash.compare_none", self.language), _ALL),
            *[(p, p) for p in reversed(others)],
        ]
        self.compare.value = keep if keep in others else _ALL

    def _question_options(self) -> None:
        qid = self.questionnaire.value
        if qid is None:
            self.question.options = []
            return
        questions = self.data.questions(qid)
        keep = self.question.value
        # the question's words, never its variable code ("sex. Ваш пол"); a long one shortened at a word
        self.question.options = [(short(q.label, 100), q.code) for q in questions]
        codes = [q.code for q in questions]
        if codes:
            default = "q15" if "q15" in codes else codes[0]
            self.question.value = keep if keep in codes else default

    # --- events ----------------------------------------------------------------------------------------------------
    def _set_language(self, language: str) -> None:
        self.language = language
        self.data = self.data.with_(language=language)
        self.notice.clear()
        self._relabel()
        self._invalidate()

    def _on_filter(self, name: str, value: Any) -> None:
        if self._quiet:
            return
        self.data = self.data.with_(**{name: None if value == _ALL else value})
        self.notice.clear()
        self._quiet = True
        try:
            self._institution_options()
        finally:
            self._quiet = False
        self._invalidate()

    def _on_color(self, change: dict[str, Any]) -> None:
        if self._quiet or change["new"] is None:
            return
        self.color_by = change["new"]
        self._render("rating")

    def _on_questionnaire(self, _: Any) -> None:
        if self._quiet:
            return
        self._question_options()
        self._render("questions")

    def _invalidate(self) -> None:
        self._dirty = set(self.TABS)
        self._render_current()

    def _render_current(self) -> None:
        index = self.tabs.selected_index or 0
        self._render(self.TABS[index])

    def _render(self, tab: str) -> None:
        if self._quiet:
            return
        if self.guarded is not None:
            self.guarded.check()  # an ended session shows the sign-in again (SK522)
        current = self.TABS[self.tabs.selected_index or 0]
        if tab != current:
            self._dirty.add(tab)
            return
        getattr(self, f"_show_{tab}")()
        self._dirty.discard(tab)

    # --- tabs ---------------------------------------------------------------------------------------------------------
    @staticmethod
    def _plot(figure: Any) -> str:
        return plotly_html(figure, height=int(figure.layout.height or 480))

    def _show_rating(self) -> None:
        from surveykit.dashboard import charts  # plotly: loaded with the first chart

        data = self.data
        self.rating_plot.value = self._plot(charts.rating_chart(data, self.color_by))
        self.rating_foot.value = (
            f'<div class="sk-dash-foot">{_esc(t("disclosure.places_note", self.language))} '
            f"{_esc(data.disclosure.note(self.language))}</div>"
        )
        self.download_link.value = ""

    def _show_institution(self) -> None:
        from surveykit.dashboard import charts  # plotly: loaded with the first chart

        lang = self.language
        data = self.data
        ident = self.institution.value
        if ident is None:
            self.inst_head.value = f"<p>{_esc(t('dash.no_institutions', lang))}</p>"
            for widget in (self.criteria_plot, self.indicators_plot, self.trend_plot, self.inst_text):
                widget.value = ""
            return
        view = data.institution(ident, data.period)
        self.inst_head.value = self._headline(view)
        self.criteria_plot.value = self._plot(charts.measures_chart(view, data, "criterion"))
        self.indicators_plot.value = self._plot(charts.measures_chart(view, data, "indicator"))
        self.trend_plot.value = self._plot(charts.trend_chart(view, data))
        self.inst_text.value = self._texts(view)

    def _headline(self, view: Any) -> str:
        lang = self.language
        row = view.row
        maximum = fmt(self.data.profile.max_total, lang, 0)
        parts = [
            f'<div class="sk-title">{_esc(view.name)}</div>',
            f'<div class="sk-subtitle">{_esc(view.type_label)}{", " + _esc(view.municipality) if view.municipality else ""} · {_esc(view.period)}</div>',
        ]
        head = []
        if view.shown:
            head.append(
                f'<span class="sk-dash-score">{_esc(fmt(view.S, lang, 2))}</span>'
                f'<span class="sk-dash-meta">{_esc(t("dash.inst.out_of", lang, max=maximum))}</span>'
            )
            rank = row.get("rank")
            if rank is not None and rank is not pd.NA and rank == rank:
                head.append(
                    f'<span class="sk-dash-meta">{_esc(t("dash.inst.place", lang, rank=int(rank), of=int(row["rank_of"])))}</span>'
                )
        else:
            head.append(
                f'<span class="sk-dash-meta">{_esc(t("dash.conclusion_withheld", lang, k=self.data.disclosure.k))}</span>'
            )
        n = row.get("n_respondents")
        n_text = fmt_int(n) if bool(row.get("n_shown", True)) else self.data.disclosure.label(lang)
        head.append(f'<span class="sk-dash-meta">{_esc(t("dash.inst.respondents", lang, n=n_text))}</span>')
        return "".join(parts) + f'<div class="sk-dash-head">{"".join(head)}</div>'

    def _texts(self, view: Any) -> str:
        lang = self.language
        out = [
            f'<div class="sk-dash-section">{_esc(t("dash.inst.conclusion", lang))}</div>',
            f'<div class="sk-dash-text sk-dash-conclusion">{_esc(view.conclusion)}</div>',
            f'<div class="sk-dash-section">{_esc(t("dash.inst.findings", lang))}</div>',
        ]
        findings = view.findings
        if findings.empty:
            out.append(f"<p>{_esc(t('dash.no_findings', lang))}</p>")
        else:
            for source_label, part in findings.groupby("source_label", sort=False):
                out.append(
                    f"<b>{_esc(source_label[:1].upper() + source_label[1:])}</b><ul class='sk-dash-list'>"
                )
                for _, f in part.iterrows():
                    where = f"{f['channel_label']}: " if f["channel_label"] else ""
                    out.append(f"<li>{_esc(where)}{_esc(f['item_label'])} — <i>{_esc(f['found'])}</i></li>")
                out.append("</ul>")
        out.append(f'<div class="sk-dash-section">{_esc(t("dash.inst.suggestions", lang))}</div>')
        if view.suggestions:
            out.append(f'<div class="sk-dash-foot">{_esc(t("dash.inst.suggestions_note", lang))}</div>')
            out.append("<ul class='sk-dash-list sk-dash-suggestions'>")
            out.extend(
                f"<li>«{_esc(s)}»</li>" if lang == "ru" else f"<li>“{_esc(s)}”</li>" for s in view.suggestions
            )
            out.append("</ul>")
        else:
            key = (
                "dash.no_suggestions"
                if bool(view.row.get("n_shown", True))
                else "disclosure.suggestions_withheld"
            )
            out.append(f"<p>{_esc(t(key, lang, k=self.data.disclosure.k))}</p>")
        out.append(f'<div class="sk-dash-foot">{_esc(self.data.disclosure.note(lang))}</div>')
        return "".join(out)

    def _may_see_interviewers(self) -> bool:
        """Interviewer names are for people who may read interviews (supervisors, sociologists): the data's
        ``identities``, set by the guarded store from the permission; never for council members."""
        return self.data.identities

    def _show_progress(self) -> None:
        from surveykit.dashboard import charts  # plotly: loaded with the first chart
        from surveykit.ui.fieldwork_tab import council_rates_html

        by = self.progress_by.value or "institution"
        if by == "interviewer" and not self._may_see_interviewers():
            by = "institution"
        self.progress_plot.value = self._plot(charts.progress_chart(self.data, by))
        self.fieldwork_rates.value = council_rates_html(self.data)

    def _show_questions(self) -> None:
        from surveykit.dashboard import charts  # plotly: loaded with the first chart

        data = self.data
        qid, code = self.questionnaire.value, self.question.value
        if qid is None or code is None:
            self.question_plot.value = f"<p>{_esc(t('dash.chart.empty', self.language))}</p>"
            return
        question = data.question(qid, code)
        ident = None if self.scope.value == _ALL else self.scope.value
        scope = data.name_of(ident) if ident else t("dash.scope_all", self.language)
        other = None if self.compare.value == _ALL else self.compare.value
        if other:
            frame = data.compare_periods(qid, code, sorted([other, data.period]), institution_id=ident)
            figure = charts.comparison_chart(frame, question.label, scope, data)
        else:
            frame = data.distribution(qid, code, institution_id=ident)
            figure = charts.distribution_chart(frame, question.label, scope, data)
        self.question_plot.value = self._plot(figure)

    def _export(self) -> None:
        from surveykit.dashboard.export import council_workbook

        content = council_workbook(self.data)
        encoded = base64.b64encode(content).decode("ascii")
        name = f"council-{self.data.period}.xlsx"
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        self.download_link.value = f'<a class="sk-dash-download" download="{_esc(name)}" href="data:{mime};base64,{encoded}">{_esc(name)}</a>'
