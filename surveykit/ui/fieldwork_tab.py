"""Fieldwork tabs for the supervisor's app: progress against the sample targets, contact outcomes, the AAPOR
rates per institution and interviewer, the latest contacts; and, for sociologists and administrators, the
campaign set-up (the register, the plan, assignments).

A view of :class:`surveykit.fieldwork.desk.FieldworkDesk` (every call re-checks the session and the
permission). The supervisor app hooks it in with :func:`attach_fieldwork_tabs` (a few lines); the tabs are
drawn when first opened, so they never slow the app's start.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as W
import pandas as pd

from surveykit.fieldwork import dispositions as D
from surveykit.fieldwork.rates import RATE_NAMES
from surveykit.i18n import t
from surveykit.ui.contact import when_text

__all__ = ["CampaignTab", "FieldworkTab", "attach_fieldwork_tabs", "council_rates_html", "rate_cell"]

#: the rates the overview shows (the full table is one click away)
MAIN_RATES = ("RR1", "RR3", "COOP1", "REF1", "CON1")
RECENT = 30  # latest contacts shown
FIELDWORK_STYLE = """<style>
.sk-fieldwork .sk-table td.num, .sk-fieldwork .sk-table th.num { text-align: right; }
.sk-fieldwork .sk-table td.sk-below { background: #fffbea; }
.sk-fieldwork .sk-hint { margin: 4px 0 8px 0; }
.sk-fieldwork .sk-section { font-size: 19px; font-weight: 600; margin: 14px 0 4px 0; }
.sk-fieldwork .sk-table-wrap { overflow-x: auto; max-width: 100%; }
.sk-fieldwork .sk-outcomes td:first-child, .sk-fieldwork .sk-contacts td:nth-child(-n+2) { white-space: nowrap; }
</style>"""


def _esc(text: Any) -> str:
    missing = text is None or (not isinstance(text, str) and pd.api.types.is_scalar(text) and pd.isna(text))
    return html.escape("" if missing else str(text))


def rate_cell(value: Any, language: str = "en") -> str:
    """A rate for a table cell (:func:`surveykit.dashboard.fieldwork.rate_text`)."""
    from surveykit.dashboard.fieldwork import rate_text

    return rate_text(value, language)


def fmt_e(value: Any, language: str) -> str:
    """``e`` with two decimals in the language's way, "—" when not defined."""
    from surveykit.dashboard.labels import fmt

    return "—" if value is None or pd.isna(value) else fmt(float(value), language, 2)


def _table(headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[tuple[str, str]]], css: str) -> str:
    """An HTML table: headers ``(text, numeric)``, rows of ``(escaped html, css class)`` cells."""
    head = "".join(f'<th class="{"num" if numeric else ""}">{_esc(h)}</th>' for h, numeric in headers)
    body = "".join("<tr>" + "".join(f'<td class="{c}">{v}</td>' for v, c in row) + "</tr>" for row in rows)
    return f'<div class="sk-table-wrap"><table class="sk-table {css}"><tr>{head}</tr>{body}</table></div>'


def _download(data: bytes, filename: str, label: str, css: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<a class="{css}" download="{_esc(filename)}" href="data:application/octet-stream;base64,{encoded}">'
            f"{_esc(label)}</a>")  # fmt: skip


class FieldworkTab(W.VBox):
    """Progress, outcomes, rates and the latest contacts of a period (supervisors and sociologists)."""

    def __init__(
        self, desk: Any, language: str, guard: Callable[[Callable[..., Any]], Callable[..., Any]]
    ) -> None:
        super().__init__()
        self.add_class("sk-fieldwork")
        self.desk = desk
        self.language = language
        self.guard = guard
        self.period = W.Dropdown(
            description=t("fieldwork.period", language), style={"description_width": "initial"}
        )
        self.period.add_class("sk-fieldwork-period")
        self.by = W.ToggleButtons(options=[(t("fieldwork.by_institution", language), "institution"),
                                           (t("fieldwork.by_interviewer", language), "interviewer"),
                                           (t("fieldwork.by_mode", language), "mode")],
                                  value="institution", style={"button_width": "auto"})  # fmt: skip
        self.by.add_class("sk-fieldwork-by")
        self.progress = W.HTML()
        self.progress.add_class("sk-fieldwork-progress")
        self.outcomes = W.HTML()
        self.outcomes.add_class("sk-fieldwork-outcomes")
        self.rates = W.HTML()
        self.rates.add_class("sk-fieldwork-rates")
        self.all_rates = W.HTML()
        self.contacts = W.HTML()
        self.contacts.add_class("sk-fieldwork-contacts")
        self.export = W.HTML()
        self.drawn = False

    def draw(self) -> None:
        """Fill the tab (on first opening; the period and breakdown controls redraw it)."""
        lang = self.language
        periods = self.desk.periods()
        if not self.drawn:
            self.period.options = [(p, p) for p in periods] or [(t("fieldwork.no_period", lang), "")]
            self.period.value = self.period.options[0][1]  # the newest period
            self.period.observe(self.guard(lambda _: self.refresh()), names="value")
            self.by.observe(self.guard(lambda _: self._rates()), names="value")
            full = W.Accordion(
                children=[self.all_rates], titles=(t("fieldwork.all_rates", lang),), selected_index=None
            )
            buttons = []
            if self._may_export():
                for suffix in (".csv", ".xlsx", ".sav"):
                    button = W.Button(description=t("fieldwork.export", lang, format=suffix[1:].upper()), icon="download",
                                      layout=W.Layout(width="auto"))  # fmt: skip
                    button.add_class(f"sk-fieldwork-export-{suffix[1:]}")
                    button.on_click(self.guard(lambda _, s=suffix: self._export(s)))
                    buttons.append(button)
            self.children = [
                W.HTML(FIELDWORK_STYLE), self.period,
                W.HTML(f'<div class="sk-section">{_esc(t("fieldwork.progress_title", lang))}</div>'), self.progress,
                W.HTML(f'<div class="sk-section">{_esc(t("fieldwork.outcomes_title", lang))}</div>'), self.outcomes,
                W.HTML(f'<div class="sk-section">{_esc(t("fieldwork.rates_title", lang))}</div>'), self.by, self.rates,
                full,
                W.HTML(f'<div class="sk-section">{_esc(t("fieldwork.contacts_title", lang))}</div>'), self.contacts,
                W.HBox(buttons), self.export,
            ]  # fmt: skip
            self.drawn = True
        self.refresh()

    def _may_export(self) -> bool:
        from surveykit import access

        return access.can(self.desk.store.session(self.desk.token).person, "exports.microdata")

    def refresh(self) -> None:
        period = self.period.value or None
        self.names, self.places = self.desk.names()
        self._progress(period)
        self._outcomes(period)
        self._rates()
        self._contacts(period)
        self.export.value = ""

    def _progress(self, period: str | None) -> None:
        lang = self.language
        frame = self.desk.progress(period)
        if frame.empty:
            self.progress.value = f"<p>{_esc(t('fieldwork.nothing', lang))}</p>"
            return
        rows = []
        for r in frame.itertuples():
            below = "sk-below" if r.below_target else ""
            rows.append([(_esc(r.institution), below), (_esc(r.target), "num"), (_esc(r.done), "num"),
                         (rate_cell(r.share, lang), "num"), (_esc(r.cases), "num"), (_esc(r.open), "num")])  # fmt: skip
        headers = [(t("fieldwork.col.institution", lang), False), (t("fieldwork.col.target", lang), True),
                   (t("fieldwork.col.done", lang), True), (t("fieldwork.col.share", lang), True),
                   (t("fieldwork.col.cases", lang), True), (t("fieldwork.col.open", lang), True)]  # fmt: skip
        total_target, total_done = int(frame["target"].sum()), int(frame["done"].sum())
        summary = t("fieldwork.progress_total", lang, done=total_done, target=total_target,
                    below=int(frame["below_target"].sum()))  # fmt: skip
        self.progress.value = f'<div class="sk-hint">{_esc(summary)}</div>' + _table(
            headers, rows, "sk-progress"
        )

    def _outcomes(self, period: str | None) -> None:
        lang = self.language
        frame = self.desk.outcomes(period, by="interviewer")
        if frame.empty:
            self.outcomes.value = f"<p>{_esc(t('fieldwork.no_contacts', lang))}</p>"
            return
        headers = [(t("fieldwork.col.interviewer", lang), False)] + [
            (t(f"category.{c}", lang), True) for c in D.CATEGORIES
        ]
        rows = [[(_esc(self.names.get(r["interviewer_id"], r["interviewer_id"])), "")]
                + [(_esc(int(r[c])), "num") for c in D.CATEGORIES] for r in frame.to_dict("records")]  # fmt: skip
        self.outcomes.value = _table(headers, rows, "sk-outcomes")

    def _group_name(self, by: str, group: str) -> str:
        if group == "all":
            return t("fieldwork.all", self.language)
        if by == "institution":
            return self.places.get(group, group)
        if by == "interviewer":
            return self.names.get(group, group)
        return t(f"mode.{group}", self.language) if group in D.CONTACT_MODES else group

    def _rates(self) -> None:
        lang = self.language
        by = self.by.value
        table = self.desk.rates(self.period.value or None, by=by)
        main = [(t("fieldwork.col.group", lang), False), (t("fieldwork.col.cases", lang), True),
                ("e", True), *[(name, True) for name in MAIN_RATES]]  # fmt: skip
        rows = []
        for r in table.to_dict("records"):
            cases = sum(int(r[c]) for c in D.CATEGORIES)
            rows.append([(_esc(self._group_name(by, r["group"])), ""), (_esc(cases), "num"),
                         (_esc(fmt_e(r["e"], lang)), "num"),
                         *[(rate_cell(r[name], lang), "num") for name in MAIN_RATES]])  # fmt: skip
        note = f'<div class="sk-hint">{_esc(t("fieldwork.rates_help", lang))}</div>'
        self.rates.value = _table(main, rows, "sk-rates") + note
        full = [(t("fieldwork.col.group", lang), False), *[(c, True) for c in D.CATEGORIES], ("e", True),
                *[(name, True) for name in RATE_NAMES]]  # fmt: skip
        rows = [[(_esc(self._group_name(by, r["group"])), ""), *[(_esc(int(r[c])), "num") for c in D.CATEGORIES],
                 (_esc(fmt_e(r["e"], lang)), "num"),
                 *[(rate_cell(r[name], lang), "num") for name in RATE_NAMES]] for r in table.to_dict("records")]  # fmt: skip
        self.all_rates.value = _table(full, rows, "sk-all-rates")

    def _contacts(self, period: str | None) -> None:
        lang = self.language
        frame = self.desk.contacts(period, limit=RECENT)
        if frame.empty:
            self.contacts.value = f"<p>{_esc(t('fieldwork.no_contacts', lang))}</p>"
            return
        headers = [(t("fieldwork.column.attempted_at", lang).replace(" (UTC)", ""), False),
                   (t("fieldwork.col.interviewer", lang), False), (t("fieldwork.col.institution", lang), False),
                   (t("fieldwork.column.case_id", lang), False), (t("fieldwork.column.mode", lang), False),
                   (t("fieldwork.column.disposition_label", lang), False), (t("fieldwork.col.appointment", lang), False)]  # fmt: skip
        rows = []
        for r in frame.to_dict("records"):
            mode = t(f"mode.{r['mode']}", lang) if r["mode"] in D.CONTACT_MODES else r["mode"]
            rows.append([(_esc(when_text(r["attempted_at"])), ""),
                         (_esc(self.names.get(r["interviewer_id"], r["interviewer_id"])), ""),
                         (_esc(self.places.get(r["institution_id"], r["institution_id"])), ""), (_esc(r["code"]), ""),
                         (_esc(mode), ""), (_esc(f"{D.label(r['disposition'], lang)} ({r['disposition']})"), ""),
                         (_esc(when_text(r["appointment_at"])), "")])  # fmt: skip
        self.contacts.value = _table(headers, rows, "sk-contacts")

    def _export(self, suffix: str) -> None:
        lang = self.language
        period = self.period.value or None
        with tempfile.TemporaryDirectory() as folder:
            name = f"contacts-{period or 'all'}{suffix}"
            path, count = self.desk.export_contacts(Path(folder) / name, period=period, language=lang)
            data = path.read_bytes()
        self.export.value = _download(data, name, t("fieldwork.download", lang, name=name, rows=count),
                                      "sk-fieldwork-download")  # fmt: skip


class CampaignTab(W.VBox):
    """The campaign set-up: import the register, plan (with overrides, preview first), import and export
    assignments (sociologists and administrators: ``fieldwork.manage``)."""

    def __init__(self, desk: Any, language: str, guard: Callable[[Callable[..., Any]], Callable[..., Any]],
                 notice: Any = None) -> None:  # fmt: skip
        super().__init__()
        self.add_class("sk-fieldwork")
        self.add_class("sk-campaign")
        self.desk = desk
        self.language = language
        self.guard = guard
        self.result = W.HTML()
        self.result.add_class("sk-campaign-result")
        self.drawn = False

    def draw(self) -> None:
        if self.drawn:
            return
        lang = self.language
        self.register = W.FileUpload(
            accept=".csv,.xlsx", multiple=False, description=t("campaign.register_file", lang)
        )
        self.register.add_class("sk-campaign-register")
        load = W.Button(
            description=t("campaign.import_register", lang), icon="upload", layout=W.Layout(width="auto")
        )
        load.add_class("sk-campaign-import-register")
        load.on_click(self.guard(lambda _: self._import(self.register, "register")))
        self.period = W.Text(description=t("fieldwork.period", lang), value=str(dt.date.today().year),
                             style={"description_width": "initial"})  # fmt: skip
        self.period.add_class("sk-campaign-period")
        self.overrides = W.Textarea(placeholder="kcson_sev=45", description=t("campaign.overrides", lang),
                                    style={"description_width": "initial"}, layout=W.Layout(width="95%", height="70px"))  # fmt: skip
        self.overrides.add_class("sk-campaign-overrides")
        preview = W.Button(description=t("campaign.preview", lang), icon="eye", layout=W.Layout(width="auto"))
        preview.add_class("sk-campaign-preview")
        preview.on_click(self.guard(lambda _: self._plan(dry_run=True)))
        save = W.Button(description=t("campaign.save", lang), button_style="success", icon="check",
                        layout=W.Layout(width="auto"))  # fmt: skip
        save.add_class("sk-campaign-save")
        save.on_click(self.guard(lambda _: self._plan(dry_run=False)))
        self.assignments = W.FileUpload(
            accept=".csv,.xlsx", multiple=False, description=t("campaign.assignments_file", lang)
        )
        assign = W.Button(
            description=t("campaign.import_assignments", lang), icon="upload", layout=W.Layout(width="auto")
        )
        assign.add_class("sk-campaign-import-assignments")
        assign.on_click(self.guard(lambda _: self._import(self.assignments, "assignments")))
        export = W.Button(
            description=t("campaign.export_assignments", lang), icon="download", layout=W.Layout(width="auto")
        )
        export.add_class("sk-campaign-export-assignments")
        export.on_click(self.guard(lambda _: self._export_assignments()))
        section = lambda key: W.HTML(f'<div class="sk-section">{_esc(t(key, lang))}</div>')  # noqa: E731
        self.children = [
            W.HTML(FIELDWORK_STYLE),
            section("campaign.register_title"), W.HTML(f'<div class="sk-hint">{_esc(t("campaign.register_help", lang))}</div>'),
            W.HBox([self.register, load]),
            section("campaign.plan_title"), W.HTML(f'<div class="sk-hint">{_esc(t("campaign.plan_help", lang))}</div>'),
            self.period, self.overrides, W.HBox([preview, save]),
            section("campaign.assignments_title"), W.HBox([self.assignments, assign, export]),
            self.result,
        ]  # fmt: skip
        self.drawn = True

    @staticmethod
    def _uploaded(upload: W.FileUpload) -> tuple[str, bytes] | None:
        value = upload.value
        if not value:
            return None
        item = value[0] if isinstance(value, (tuple, list)) else next(iter(value.values()))
        name = str(item.get("name") or "upload.csv") if isinstance(item, Mapping) else "upload.csv"
        content = item.get("content") if isinstance(item, Mapping) else None
        return Path(name).name, bytes(content or b"")

    def _import(self, upload: W.FileUpload, what: str) -> None:
        from surveykit.errors import DataImportError

        lang = self.language
        found = self._uploaded(upload)
        if found is None:
            self.result.value = (
                f'<div class="sk-banner sk-banner-error">{_esc(t("campaign.choose_file", lang))}</div>'
            )
            return
        name, content = found
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            try:
                if what == "register":
                    done = self.desk.import_register(path)
                    text = t("fieldwork.cli_register", lang, file=name, created=len(done.created),
                             updated=len(done.updated), unchanged=len(done.unchanged))  # fmt: skip
                else:
                    text = t(
                        "fieldwork.cli_assignments", lang, file=name, count=self.desk.import_assignments(path)
                    )
            except DataImportError as err:
                problems = err.report.errors if err.report is not None else [err.problem]
                lines = "".join(f"<li>{_esc(p.location.with_(file=name))}: {_esc(' '.join(p.localized(lang)))}</li>"
                                for p in problems)  # fmt: skip
                self.result.value = (f'<div class="sk-banner sk-banner-error">{_esc(t("campaign.nothing_imported", lang))}'
                                     f"<ul>{lines}</ul></div>")  # fmt: skip
                return
        self.result.value = f'<div class="sk-banner sk-banner-ok">{_esc(text)}</div>'

    def _plan(self, *, dry_run: bool) -> None:
        lang = self.language
        overrides = [
            line.strip() for line in self.overrides.value.replace(",", "\n").splitlines() if line.strip()
        ]
        plan = self.desk.plan(self.period.value.strip(), overrides=overrides, dry_run=dry_run)
        names, _ = self.desk.names()
        frame = plan.frame(names)
        headers = [(t("fieldwork.col.institution", lang), False), (t("campaign.col.recipients", lang), True),
                   (t("campaign.col.rule", lang), True), (t("campaign.col.override", lang), True),
                   (t("fieldwork.col.target", lang), True), (t("campaign.col.interviewers", lang), False)]  # fmt: skip
        rows = [[(_esc(r["name"]), ""), (_esc(r["recipients"]), "num"), (_esc(r["rule_target"]), "num"),
                 (_esc(r["override"]), "num"), (_esc(r["target"]), "num"), (_esc(r["interviewers"]), "")]
                for r in frame.astype(object).to_dict("records")]  # fmt: skip
        key = "fieldwork.cli_plan_written" if plan.written else "fieldwork.cli_plan_dry"
        head = t(
            key,
            lang,
            period=plan.period,
            institutions=len(plan.rows),
            total=plan.total,
            profile=plan.profile_id,
        )
        extra = ""
        if plan.skipped:
            extra += f'<div class="sk-hint">{_esc(t("fieldwork.cli_plan_skipped", lang, ids=", ".join(plan.skipped)))}</div>'
        for problem in plan.warnings:
            extra += f'<div class="sk-error">⚠ {_esc(" ".join(problem.localized(lang)))}</div>'
        kind = "ok" if plan.written else "info"
        self.result.value = f'<div class="sk-banner sk-banner-{kind}">{_esc(head)}</div>{extra}' + _table(
            headers, rows, "sk-plan"
        )

    def _export_assignments(self) -> None:
        lang = self.language
        period = self.period.value.strip() or None
        with tempfile.TemporaryDirectory() as folder:
            name = f"assignments-{period or 'all'}.xlsx"
            path, count = self.desk.export_assignments(Path(folder) / name, period=period)
            data = path.read_bytes()
        self.result.value = _download(
            data, name, t("fieldwork.download", lang, name=name, rows=count), "sk-campaign-download"
        )


def attach_fieldwork_tabs(tabs: W.Tab, desk: Any, language: str,
                          guard: Callable[[Callable[..., Any]], Callable[..., Any]]) -> list[W.Widget]:  # fmt: skip
    """Add the fieldwork tab (and the campaign tab for people who may manage fieldwork) to an app's ``Tab``;
    each is drawn the first time it is opened. Returns the tabs added."""
    added: list[W.Widget] = [FieldworkTab(desk, language, guard)]
    titles = [t("fieldwork.tab", language)]
    if desk.can_manage():
        added.append(CampaignTab(desk, language, guard))
        titles.append(t("campaign.tab", language))
    first = len(tabs.children)
    old_titles = list(tabs.titles) if hasattr(tabs, "titles") else []
    tabs.children = (*tabs.children, *added)
    for i, title in enumerate([*old_titles[:first], *titles]):
        tabs.set_title(i, title)

    def opened(change: dict[str, Any]) -> None:
        index = change["new"]
        if index is not None and index >= first:
            added[index - first].draw()

    tabs.observe(guard(opened), names="selected_index")
    return added


def council_rates_html(data: Any) -> str:
    """The council dashboard's response rates per institution (``data``: its DashboardData): the published
    figures of :func:`surveykit.dashboard.fieldwork.council_rates` (withheld below the small-cell threshold;
    never interviewers, never case counts) and the region's rates over the institutions shown."""
    from surveykit.dashboard.fieldwork import COUNCIL_RATES, council_rates, region_rates

    lang = data.language
    selected = data.selected
    frame = council_rates(data.source, data.period, data.disclosure, selected)
    title = (
        f'<div class="sk-dash-section">{_esc(t("fieldwork.council_title", lang, period=data.period))}</div>'
    )
    if frame.empty:
        return title + f"<p>{_esc(t('fieldwork.council_none', lang))}</p>"
    headers = [
        (t("fieldwork.col.institution", lang), False),
        *[(t(f"fieldwork.rate.{r}", lang), True) for r in COUNCIL_RATES],
    ]
    withheld = data.disclosure.label(lang)
    rows = []
    for r in frame.to_dict("records"):
        cells = (
            [(withheld, "num")] * len(COUNCIL_RATES)
            if r["withheld"]
            else [(rate_cell(r[x], lang), "num") for x in COUNCIL_RATES]
        )
        rows.append([(_esc(data.name_of(r["institution_id"])), ""), *cells])
    region = region_rates(data.source, data.period, data.disclosure, selected)
    if region is not None:
        rows.append([(f"<b>{_esc(t('fieldwork.council_all', lang, n=region['n']))}</b>", ""),
                     *[(rate_cell(region[x], lang), "num") for x in COUNCIL_RATES]])  # fmt: skip
    foot = f'<div class="sk-dash-foot">{_esc(t("fieldwork.council_help", lang))} {_esc(data.disclosure.note(lang))}</div>'
    return (
        FIELDWORK_STYLE
        + title
        + '<div class="sk-fieldwork">'
        + _table(headers, rows, "sk-council-rates")
        + "</div>"
        + foot
    )
