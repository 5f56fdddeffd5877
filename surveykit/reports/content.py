"""What the monitoring reports say: every section as HTML or a static figure, built from the dashboard's
published data (so the reports obey the same small-cell suppression as the dashboard and the exports).

The report notebooks (``notebooks/reports/*.ipynb``) call :func:`open_report` in one cell and show one
section per cell::

    report = open_report("institution", institution_id="kcson_sev", period="2025", language="ru")
    report.title()            # HTML
    report.criteria_figure()  # a static SVG made with kaleido

Section headings, labels and sentences come from the locale files (``report.*`` keys) and the profile;
numbers are formatted as in the conclusions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import surveykit
from surveykit.dashboard import DashboardData, Filters, charts, dashboard_data
from surveykit.dashboard.labels import esc, fmt, fmt_int, measure_name
from surveykit.disclosure import SMALL
from surveykit.i18n import t
from surveykit.reports.images import StaticFigure, static_figure
from surveykit.scoring import DEFAULT_PROFILE

__all__ = ["HTMLBlock", "InstitutionReport", "RegionReport", "load_data", "open_report"]


@dataclass(frozen=True)
class HTMLBlock:
    """A piece of report HTML that a notebook cell displays as it is. ``meta`` travels in the output's
    metadata (the title carries the report's name and period for the file names and the page footer)."""

    html: str
    meta: dict[str, Any] | None = None

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"text/html": self.html}, ({"surveykit": self.meta} if self.meta else {})

    def __str__(self) -> str:
        return self.html


def load_data(
    *,
    period: str | None = None,
    language: str = "ru",
    profile: str = DEFAULT_PROFILE,
    database_url: str = "",
    snapshot_path: str = "",
    region: str | None = None,
    k: int | None = None,
) -> DashboardData:
    """The published data a report is made from: a snapshot file written by the batch
    (:func:`surveykit.reports.batch.write_snapshot`), else the database (``database_url`` or the settings)."""
    if snapshot_path:
        from surveykit.reports.batch import read_snapshot

        source: Any = read_snapshot(snapshot_path)
    else:
        from surveykit.store import Store

        source = Store.open(database_url or None)
    return dashboard_data(
        source, profile, Filters(period=period or None, region=region or None), language, k=k or None
    )


def open_report(
    kind: str = "institution",
    *,
    institution_id: str = "",
    period: str = "",
    language: str = "ru",
    profile: str = DEFAULT_PROFILE,
    database_url: str = "",
    snapshot_path: str = "",
    region: str = "",
    k: int = 0,
    image_format: str = "svg",
) -> InstitutionReport | RegionReport:
    """The report object of a notebook: ``kind`` "institution" (needs ``institution_id``) or "region"."""
    from surveykit.reports.images import warm_up

    warm_up()  # start the image browser while the data are read
    data = load_data(
        period=period,
        language=language,
        profile=profile,
        database_url=database_url,
        snapshot_path=snapshot_path,
        region=region,
        k=k,
    )
    if kind == "region":
        return RegionReport(data, image_format=image_format)
    if not institution_id:  # trying the notebook in JupyterLab: the first institution of the rating
        ranking = data.ranking()
        institution_id = str(ranking["institution_id"].iloc[0]) if len(ranking) else ""
    return InstitutionReport(data, institution_id, image_format=image_format)


# --- shared pieces -------------------------------------------------------------------------------------------------
def _h2(text: str, anchor: str = "") -> str:
    return f'<h2 id="{esc(anchor)}">{esc(text)}</h2>' if anchor else f"<h2>{esc(text)}</h2>"


def _keyfig(value: str, label: str, css: str = "") -> str:
    return (
        f'<div class="keyfig {css}"><div class="v">{esc(value)}</div><div class="l">{esc(label)}</div></div>'
    )


def _signed(value: float, language: str) -> str:
    return ("+" if value > 0 else "") + fmt(value, language, 2)


def _flag_cell(flag: str, language: str) -> str:
    if flag == "good_practice":
        return f'<span class="flag flag-good">{esc(t("report.flag.good", language))}</span>'
    if flag == "needs_improvement":
        return f'<span class="flag flag-weak">{esc(t("report.flag.weak", language))}</span>'
    return ""


def _profile_version(profile: Any) -> str:
    path = profile.path
    if path and Path(path).exists():
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    return "—"


class _Report:
    """What both reports share: the data, the language, figures, the method section."""

    def __init__(self, data: DashboardData, image_format: str = "svg") -> None:
        self.data = data
        self.lang = data.language
        self.image_format = image_format
        self.generated_at = dt.datetime.now().astimezone()

    def _figure(self, figure: Any) -> StaticFigure:
        return static_figure(figure, format=self.image_format)

    def _method_rows(self) -> list[tuple[str, str]]:
        data, lang = self.data, self.lang
        profile = data.profile
        snapshot = data.snapshot()
        variant = f", {t('report.method.variant', lang)} {profile.variant}" if profile.variant else ""
        edition = f" · {t('report.method.edition', lang)} {profile.edition}" if profile.edition else ""
        return [
            (t("report.method.period", lang), data.period),
            (t("report.method.profile", lang), f"{profile.text(profile.title, lang)}{variant}"),
            (
                t("report.method.profile_id", lang),
                f"{profile.id}{edition} · SHA-256 {_profile_version(profile)}",
            ),
            (t("report.method.formula", lang), t("report.method.formula_text", lang)),
            (
                t("report.method.uncertainty", lang),
                t(
                    "report.method.uncertainty_text",
                    lang,
                    level=fmt(profile.uncertainty.confidence * 100, lang, 0),
                ),
            ),
            (
                t("report.method.sample_rule", lang),
                t("report.method.sample_rule_text", lang, minimum=profile.sample.absolute_minimum),
            ),
            (t("report.method.privacy", lang), data.disclosure.note(lang)),
            (
                t("report.method.snapshot", lang),
                t(
                    "report.method.snapshot_text",
                    lang,
                    when=snapshot.taken_at.astimezone().strftime("%d.%m.%Y %H:%M %Z"),
                    hash=snapshot.content_hash[:16],
                    rows=", ".join(f"{k}: {fmt_int(v)}" for k, v in snapshot.rows.items()),
                ),
            ),
            (
                t("report.method.generated", lang),
                t(
                    "report.method.generated_text",
                    lang,
                    when=self.generated_at.strftime("%d.%m.%Y %H:%M"),
                    version=surveykit.__version__,
                ),
            ),
        ]

    def _response_rate(self, institution_id: str | None = None) -> tuple[str, str]:
        """The method section's line on the response rate (AAPOR), from the published fieldwork figures of
        :mod:`surveykit.dashboard.fieldwork`: the institution's (withheld below the small-cell threshold) or,
        for the region, over the institutions shown."""
        from surveykit.dashboard.fieldwork import council_rates, rate_text, region_rates

        data, lang = self.data, self.lang
        label = t("fieldwork.report_rate", lang)
        if institution_id is None:
            rates = region_rates(data.source, data.period, data.disclosure, data.selected)
            key = "fieldwork.report_rate_region"
        else:
            frame = council_rates(data.source, data.period, data.disclosure, [institution_id])
            if len(frame) and bool(frame["withheld"].iloc[0]):
                return label, data.disclosure.label(lang)
            rates = frame.iloc[0].to_dict() if len(frame) else None
            key = "fieldwork.report_rate_text"
        if rates is None:
            return label, t("fieldwork.report_rate_none", lang)
        values = {name.lower(): rate_text(rates[name], lang) for name in ("RR1", "RR3", "COOP1", "REF1")}
        return label, t(key, lang, n=rates.get("n", 1), **values)

    def _method_table(self, extra: Iterable[tuple[str, str]] = ()) -> str:
        rows = [*extra, *self._method_rows()]
        body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
        return f'<table class="sk method">{body}</table>'


# --- one institution -----------------------------------------------------------------------------------------------
class InstitutionReport(_Report):
    """The monitoring report of one institution in one period."""

    def __init__(self, data: DashboardData, institution_id: str, image_format: str = "svg") -> None:
        super().__init__(data, image_format)
        self.view = data.institution(institution_id, data.period)
        self.institution_id = self.view.institution_id

    @property
    def name(self) -> str:
        return self.view.name

    def title(self) -> HTMLBlock:
        v, lang = self.view, self.lang
        where = ", ".join(x for x in (v.type_label, v.municipality, v.region) if x)
        return HTMLBlock(
            '<header class="title">'
            f'<div class="kicker">{esc(t("report.kicker", lang))}</div>'
            f"<h1>{esc(v.name)}</h1>"
            f'<div class="subtitle">{esc(where)}</div>'
            f'<div class="subtitle">{esc(t("report.institution_subtitle", lang, period=v.period))}</div>'
            "</header>",
            {"name": v.name, "period": v.period, "institution_id": v.institution_id},
        )

    def key_figures(self) -> HTMLBlock:
        v, lang, data = self.view, self.lang, self.data
        row = v.row
        maximum = fmt(data.profile.max_total, lang, 0)
        level = fmt(data.profile.uncertainty.confidence * 100, lang, 0)
        figs = []
        if v.shown:
            figs.append(_keyfig(fmt(v.S, lang, 2), t("report.key.score", lang, max=maximum), "main"))
            rank = row.get("rank")
            if rank is not None and rank is not pd.NA and rank == rank:
                figs.append(_keyfig(f"{int(rank)}", t("report.key.place", lang, of=int(row["rank_of"]))))
            else:
                figs.append(_keyfig("—", t("report.key.not_ranked", lang)))
            figs.append(
                _keyfig(
                    f"{fmt(row['S_lo'], lang, 1)}–{fmt(row['S_hi'], lang, 1)}",
                    t("report.key.interval", lang, level=level),
                )
            )
        else:
            figs.append(
                _keyfig(
                    data.disclosure.label(lang, row.get("S_withheld_reason") or SMALL),
                    t("report.key.score", lang, max=maximum),
                    "main withheld",
                )
            )
        n = row.get("n_respondents")
        n_text = fmt_int(n) if bool(row.get("n_shown", True)) else data.disclosure.label(lang)
        figs.append(_keyfig(n_text, t("report.key.respondents", lang)))
        figs.append(_keyfig(fmt(v.regional_S, lang, 2), t("report.key.regional", lang)))
        change = row.get("change_S")
        if change is not None and change == change and isinstance(row.get("previous_period"), str):
            figs.append(
                _keyfig(_signed(change, lang), t("report.key.change", lang, previous=row["previous_period"]))
            )
        note = ""
        if not v.shown:
            note = f'<p class="note">{esc(t("dash.conclusion_withheld", lang, k=data.disclosure.k))}</p>'
        return HTMLBlock(f'<section class="keyfigs">{"".join(figs)}</section>{note}')

    def rating_heading(self) -> HTMLBlock:
        return HTMLBlock(
            _h2(t("report.section.rating", self.lang), "rating")
            + f'<p class="lead">{esc(t("report.rating_lead", self.lang))}</p>'
        )

    def rating_figure(self) -> StaticFigure:
        return self._figure(charts.rating_chart(self.data, highlight=self.institution_id))

    def criteria_heading(self) -> HTMLBlock:
        return HTMLBlock(_h2(t("report.section.criteria", self.lang), "criteria"))

    def criteria_figure(self) -> StaticFigure:
        return self._figure(charts.measures_chart(self.view, self.data, "criterion"))

    def indicators_figure(self) -> StaticFigure:
        return self._figure(charts.measures_chart(self.view, self.data, "indicator"))

    def measures_table(self) -> HTMLBlock:
        """Every criterion and indicator: value, regional mean, respondents or counts, flag."""
        lang, data = self.lang, self.data
        m = self.view.measures
        head = "".join(
            f"<th>{esc(t(f'report.col.{c}', lang))}</th>"
            for c in ("measure", "name", "value", "regional", "basis", "flag")
        )
        rows = []
        for _, r in m.iterrows():
            css = "criterion" if r["level"] == "criterion" else ""
            if r["withheld"]:
                label = data.disclosure.label(lang, r["withheld_reason"])  # why, from the disclosure rule
                value = f'<span class="withheld">{esc(label)}</span>'
                basis = f'<span class="withheld">{esc(label)}</span>'
            else:
                value = esc(fmt(r["value"], lang, 2))
                basis = self._basis(r)
            rows.append(
                f'<tr class="{css}"><td>{esc(r["id"])}</td><td>{esc(r["name"])}</td><td class="num">{value}</td>'
                f'<td class="num">{esc(fmt(r["regional"], lang, 2))}</td><td class="num">{basis}</td>'
                f"<td>{_flag_cell(r['flag'], lang)}</td></tr>"
            )
        good, weak = data.thresholds("K1")
        foot = t("report.table_note", lang, good=fmt(good, lang, 0), weak=fmt(weak, lang, 0))
        return HTMLBlock(
            f'<table class="sk measures"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="note">{esc(foot)} {esc(data.disclosure.note(lang))}</p>'
        )

    def _basis(self, r: pd.Series) -> str:
        lang = self.lang
        if r["level"] != "indicator" or r["den"] != r["den"]:
            return ""
        if r["unit"] == "respondents":
            return esc(t("report.basis.respondents", lang, num=fmt_int(r["num"]), den=fmt_int(r["den"])))
        num = fmt(r["num"], lang, 1).removesuffix(",0").removesuffix(".0")
        return esc(t("report.basis.items", lang, num=num, den=fmt_int(r["den"])))

    def conclusion(self) -> HTMLBlock:
        return HTMLBlock(
            _h2(t("report.section.conclusion", self.lang), "conclusion")
            + f'<p class="conclusion">{esc(self.view.conclusion)}</p>'
        )

    def findings(self) -> HTMLBlock:
        lang = self.lang
        out = [_h2(t("report.section.findings", lang), "findings")]
        findings = self.view.findings
        checklist = self.view.measures[
            (self.view.measures["level"] == "indicator") & (self.view.measures["unit"] != "respondents")
        ]
        if len(checklist):
            items = "".join(
                f"<li><b>{esc(r['id'])}</b> {esc(r['name'])}: <b>{esc(fmt(r['value'], lang, 2))}</b></li>"
                for _, r in checklist.iterrows()
            )
            out.append(f'<ul class="plain">{items}</ul>')
        if findings.empty:
            out.append(f"<p>{esc(t('dash.no_findings', lang))}</p>")
        for source_label, part in findings.groupby("source_label", sort=False):
            out.append(
                f"<h3>{esc(source_label[:1].upper() + source_label[1:])}</h3><table class='sk findings'>"
            )
            out.append(
                f"<thead><tr><th>{esc(t('report.col.indicator', lang))}</th><th>{esc(t('report.col.item', lang))}</th>"
                f"<th>{esc(t('report.col.found', lang))}</th></tr></thead><tbody>"
            )
            for _, f in part.iterrows():
                where = f"{f['channel_label']}: " if f["channel_label"] else ""
                out.append(
                    f"<tr><td>{esc(f['indicator'])}</td><td>{esc(where)}{esc(f['item_label'])}</td>"
                    f"<td class='found'>{esc(f['found'])}</td></tr>"
                )
            out.append("</tbody></table>")
        return HTMLBlock("".join(out))

    def practices(self) -> HTMLBlock:
        """Good practices (at or above the threshold) and what needs improvement, named."""
        lang = self.lang
        m = self.view.measures
        out = [_h2(t("report.section.practices", lang), "practices")]
        for flag, key in (
            ("good_practice", "report.practices.good"),
            ("needs_improvement", "report.practices.weak"),
        ):
            part = m[(m["flag"] == flag) & ~m["withheld"].astype(bool)]
            part = part.sort_values("value", ascending=flag != "good_practice")
            out.append(f"<h3>{esc(t(key, lang))}</h3>")
            if part.empty:
                out.append(f"<p>{esc(t('report.practices.none', lang))}</p>")
                continue
            items = "".join(
                f"<li><b>{esc(r['id'])}</b> {esc(r['name'])} — <b>{esc(fmt(r['value'], lang, 2))}</b> "
                f"<span class='muted'>({esc(t('report.practices.regional', lang, value=fmt(r['regional'], lang, 2)))})</span></li>"
                for _, r in part.iterrows()
            )
            out.append(f'<ul class="plain">{items}</ul>')
        return HTMLBlock("".join(out))

    def suggestions(self) -> HTMLBlock:
        lang = self.lang
        out = [_h2(t("dash.inst.suggestions", lang), "suggestions")]
        texts = self.view.suggestions
        if not texts:
            shown = bool(self.view.row.get("n_shown", True))
            key = "dash.no_suggestions" if shown else "disclosure.suggestions_withheld"
            out.append(f"<p>{esc(t(key, lang, k=self.data.disclosure.k))}</p>")
            return HTMLBlock("".join(out))
        counts = pd.Series(texts).value_counts(sort=False)
        out.append(f'<p class="note">{esc(t("dash.inst.suggestions_note", lang))}</p><ul class="quotes">')
        quote = ("«", "»") if lang == "ru" else ("“", "”")
        for text, count in counts.sort_values(ascending=False, kind="stable").items():
            times = (
                f' <span class="muted">({esc(t("report.times", lang, n=int(count)))})</span>'
                if count > 1
                else ""
            )
            out.append(f"<li>{quote[0]}{esc(text)}{quote[1]}{times}</li>")
        out.append("</ul>")
        return HTMLBlock("".join(out))

    def trend_heading(self) -> HTMLBlock:
        return HTMLBlock(_h2(t("report.section.trend", self.lang), "trend"))

    def trend_figure(self) -> StaticFigure:
        return self._figure(charts.trend_chart(self.view, self.data))

    def method(self) -> HTMLBlock:
        lang, row = self.lang, self.view.row
        n = (
            fmt_int(row.get("n_respondents"))
            if bool(row.get("n_shown", True))
            else self.data.disclosure.label(lang)
        )
        extra = [
            (
                t("report.method.sample", lang),
                t("report.method.sample_text", lang, n=n, required=fmt_int(row.get("n_required"))),
            ),
            self._response_rate(self.institution_id),
        ]
        return HTMLBlock(_h2(t("report.section.method", lang), "method") + self._method_table(extra))


# --- the region ----------------------------------------------------------------------------------------------------
class RegionReport(_Report):
    """The annual monitoring report of the region: every institution in one period."""

    def title(self) -> HTMLBlock:
        data, lang = self.data, self.lang
        region = data.filters.region or self._region_name()
        return HTMLBlock(
            '<header class="title">'
            f'<div class="kicker">{esc(t("report.kicker", lang))}</div>'
            f"<h1>{esc(t('report.region_title', lang, region=region))}</h1>"
            f'<div class="subtitle">{esc(t("report.region_subtitle", lang, period=data.period))}</div>'
            "</header>",
            {"name": str(region), "period": data.period},
        )

    def _region_name(self) -> str:
        regions = sorted({str(r) for r in self.data.institutions["region"].dropna()})
        return ", ".join(regions) if regions else t("report.region_unknown", self.lang)

    def key_figures(self) -> HTMLBlock:
        data, lang = self.data, self.lang
        ranking = data.ranking()
        rated = int(ranking["S"].notna().sum())
        n_total = int(ranking["n"].fillna(0).sum())
        figs = [
            _keyfig(
                fmt(data.regional_mean("S"), lang, 2),
                t("report.key.regional_score", lang, max=fmt(data.profile.max_total, lang, 0)),
                "main",
            ),
            _keyfig(f"{rated} / {len(ranking)}", t("report.key.institutions", lang)),
            _keyfig(fmt_int(n_total), t("report.key.respondents_shown", lang)),
            _keyfig(str(int((ranking["flag"] == "good_practice").sum())), t("report.key.good", lang)),
            _keyfig(str(int((ranking["flag"] == "needs_improvement").sum())), t("report.key.weak", lang)),
        ]
        return HTMLBlock(f'<section class="keyfigs">{"".join(figs)}</section>')

    def rating_heading(self) -> HTMLBlock:
        return HTMLBlock(_h2(t("report.section.rating", self.lang), "rating"))

    def rating_figure(self) -> StaticFigure:
        return self._figure(charts.rating_chart(self.data))

    def rating_table(self) -> HTMLBlock:
        data, lang = self.data, self.lang
        ranking = data.ranking()
        label = data.disclosure.label(lang)
        criteria = [c.id for c in data.profile.criteria]
        table = data.rating.table
        table = table[table["period"].astype(str) == data.period].set_index("institution_id")
        head = "".join(
            f"<th>{esc(x)}</th>"
            for x in [
                t("report.col.place", lang),
                t("report.col.institution", lang),
                t("report.col.score", lang),
                *criteria,
                "n",
            ]
        )
        rows = []
        for _, r in ranking.iterrows():
            place = "" if r["rank"] is pd.NA or r["rank"] != r["rank"] else str(int(r["rank"]))
            row = table.loc[r["institution_id"]]
            if r["withheld"]:
                score = (
                    f'<span class="withheld">{esc(data.disclosure.label(lang, r["withheld_reason"]))}</span>'
                )
            else:
                score = f"<b>{esc(fmt(r['S'], lang, 2))}</b>"
            cells = []
            tidy_flags = self._flags(r["institution_id"])
            for c in criteria:
                value = row.get(c)
                if value is None or value != value:
                    reason = tidy_flags.get(c, ("", ""))[1]
                    shown = esc(data.disclosure.label(lang, reason)) if reason else "—"
                    cells.append(f'<td class="num withheld">{shown}</td>')
                else:
                    flag = tidy_flags.get(c, ("", False))[0]
                    css = {"good_practice": "cell-good", "needs_improvement": "cell-weak"}.get(flag, "")
                    cells.append(f'<td class="num {css}">{esc(fmt(value, lang, 1))}</td>')
            n = esc(fmt_int(r["n"])) if r["n_shown"] else f'<span class="withheld">{esc(label)}</span>'
            rows.append(
                f"<tr><td class='num'>{place}</td><td>{esc(r['name'])}</td><td class='num'>{score}</td>"
                f"{''.join(cells)}<td class='num'>{n}</td></tr>"
            )
        legend = " · ".join(f"{c} — {measure_name(data.profile, c, lang)}" for c in criteria)
        good, weak = data.thresholds("K1")
        note = t("report.rating_table_note", lang, good=fmt(good, lang, 0), weak=fmt(weak, lang, 0))
        return HTMLBlock(
            f'<table class="sk rating"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="note">{esc(legend)}. {esc(note)} {esc(t("disclosure.places_note", lang))} '
            f"{esc(data.disclosure.note(lang))}</p>"
        )

    def _flags(self, institution_id: str) -> dict[str, tuple[str, str]]:
        """Criterion -> (flag, why it is withheld: surveykit.disclosure.SMALL / DERIVED, "" when shown)."""
        tidy = self.data.rating.indicators
        part = tidy[
            (tidy["institution_id"].astype(str) == institution_id)
            & (tidy["period"].astype(str) == self.data.period)
            & (tidy["level"].astype(str) == "criterion")
        ]
        return {
            str(i): (str(f), str(w or ""))
            for i, f, w in zip(part["id"], part["flag"], part["withheld_reason"], strict=True)
        }

    def criteria_heading(self) -> HTMLBlock:
        return HTMLBlock(_h2(t("report.section.regional_criteria", self.lang), "criteria"))

    def criteria_figure(self) -> StaticFigure:
        return self._figure(charts.regional_criteria_chart(self.data))

    def practices(self) -> HTMLBlock:
        """Per criterion: the institutions flagged good practice and those that need improvement."""
        data, lang = self.data, self.lang
        tidy = data.rating.indicators
        ids = set(data.selected)
        part = tidy[
            (tidy["period"].astype(str) == data.period)
            & tidy["institution_id"].astype(str).isin(ids)
            & (tidy["level"].astype(str) == "criterion")
        ]
        out = [_h2(t("report.section.practices", lang), "practices")]
        for criterion in data.profile.criteria:
            rows = part[part["id"].astype(str) == criterion.id]
            good = rows[rows["flag"].astype(str) == "good_practice"].sort_values("value", ascending=False)
            weak = rows[rows["flag"].astype(str) == "needs_improvement"].sort_values("value")

            def names(frame: pd.DataFrame) -> str:
                if frame.empty:
                    return f'<span class="muted">{esc(t("report.practices.none_short", lang))}</span>'
                return "; ".join(
                    f"{esc(data.name_of(i))} ({esc(fmt(v, lang, 1))})"
                    for i, v in zip(frame["institution_id"].astype(str), frame["value"], strict=True)
                )

            out.append(
                f"<h3>{esc(criterion.id)} {esc(measure_name(data.profile, criterion.id, lang))}</h3>"
                f"<p><span class='flag flag-good'>{esc(t('report.practices.good', lang))}:</span> {names(good)}<br>"
                f"<span class='flag flag-weak'>{esc(t('report.practices.weak', lang))}:</span> {names(weak)}</p>"
            )
        return HTMLBlock("".join(out))

    def findings(self) -> HTMLBlock:
        """Website and accessibility across the region: how many institutions miss each required item."""
        data, lang = self.data, self.lang
        rows = []
        for ident in data.selected:
            try:
                view = data.institution(ident, data.period)
            except Exception:  # an institution without a row in this period has no findings to count
                continue
            if view.period != data.period:
                continue
            f = view.findings
            if len(f):
                rows.append(f.assign(institution_id=ident))
        out = [_h2(t("report.section.region_findings", lang), "findings")]
        if not rows:
            out.append(f"<p>{esc(t('dash.no_findings', lang))}</p>")
            return HTMLBlock("".join(out))
        allf = pd.concat(rows, ignore_index=True)
        n_inst = len(data.selected)
        for source_label, part in allf.groupby("source_label", sort=False):
            counts = (
                part.assign(
                    where=np.where(part["channel_label"] != "", part["channel_label"] + ": ", "")
                    + part["item_label"]
                )
                .groupby(["indicator", "where"])["institution_id"]
                .nunique()
                .sort_values(ascending=False)
            )
            out.append(
                f"<h3>{esc(source_label[:1].upper() + source_label[1:])}</h3><table class='sk findings'>"
            )
            out.append(
                f"<thead><tr><th>{esc(t('report.col.indicator', lang))}</th><th>{esc(t('report.col.item', lang))}</th>"
                f"<th>{esc(t('report.col.institutions_missing', lang))}</th></tr></thead><tbody>"
            )
            for (indicator, where), count in counts.head(12).items():
                out.append(
                    f"<tr><td>{esc(indicator)}</td><td>{esc(where)}</td><td class='num'>{count} / {n_inst}</td></tr>"
                )
            out.append("</tbody></table>")
        return HTMLBlock("".join(out))

    def method(self) -> HTMLBlock:
        lang = self.lang
        ranking = self.data.ranking()
        extra = [
            (
                t("report.method.institutions", lang),
                t(
                    "report.method.institutions_text",
                    lang,
                    n=len(ranking),
                    rated=int(ranking["S"].notna().sum()),
                ),
            ),
            self._response_rate(),
        ]
        return HTMLBlock(_h2(t("report.section.method", lang), "method") + self._method_table(extra))
