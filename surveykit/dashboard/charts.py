"""Plotly charts for council members: readable labels in the chosen language, sorted bars, one colour scheme.

Each function takes the prepared (already suppressed) data of :mod:`surveykit.dashboard.data` and returns a
``plotly.graph_objects.Figure``; nothing here reads a database or imports widgets, so the charts are tested
by inspecting the figure (``fig.data``, ``fig.layout``) and are the same in the dashboard (an ``<iframe>``
in Voilà) and in the reports (static images made with kaleido).

Colours mean the same everywhere (:data:`PALETTE`): green = good practice, blue = between the thresholds,
orange = needs improvement, light grey = not shown (fewer than k respondents), black diamond / dashed line =
regional average, dotted lines = thresholds. Bars of scores start at zero; every bar carries its value as
text and a hover text with the numbers behind it (interval, respondents, counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from surveykit.dashboard.data import CATEGORIES, DashboardData, InstitutionView
from surveykit.dashboard.labels import esc, fmt, fmt_int, measure_name, short, wrap
from surveykit.disclosure import DERIVED
from surveykit.i18n import t

__all__ = [
    "BAND_COLOURS",
    "FONT",
    "PALETTE",
    "comparison_chart",
    "distribution_chart",
    "measures_chart",
    "progress_chart",
    "rating_chart",
    "regional_criteria_chart",
    "trend_chart",
]

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
PALETTE = {
    "good_practice": "#2f855a",
    "neutral": "#3b6ea8",
    "needs_improvement": "#dd6b20",
    "withheld": "#cbd5e0",
    "not_rated": "#a0aec0",
    "regional": "#1a202c",
    "interval": "#2d3748",
    "done": "#2b6cb0",
    "remaining": "#e2e8f0",
    "missing_code": "#a0aec0",
    "answer": "#3b6ea8",
}
#: bands, best first (a profile with more bands repeats the last colour)
BAND_COLOURS = ("#1a7f4b", "#48a868", "#a3c95b", "#f2c14e", "#e07b39", "#c0392b")
#: periods in comparisons, oldest first (the latest is the darkest)
PERIOD_COLOURS = ("#90cdf4", "#2b6cb0", "#1a365d", "#63b3ed")


# --- shared layout ---------------------------------------------------------------------------------------------------
def _layout(
    fig: go.Figure, title: str, subtitle: str, height: int, language: str, *, legend: bool = True
) -> go.Figure:
    entries = sum(1 for trace in fig.data if trace.showlegend is not False and trace.name) if legend else 0
    bottom = 60 + (28 * ((entries + 1) // 2) if entries else 0)
    sub_lines = wrap(subtitle, 100, 3).split("<br>") if subtitle else []
    top = 56 + 18 * len(sub_lines)
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT, "size": 13, "color": "#1a202c"},
        title={
            "text": f"<b>{esc(title)}</b>",
            "subtitle": {"text": "<br>".join(sub_lines), "font": {"size": 12, "color": "#4a5568"}},
            "x": 0.0,
            "xanchor": "left",
            "xref": "container",
            "y": 0.985 if height > 400 else 0.97,
            "yanchor": "top",
            "yref": "container",
            "pad": {"l": 12, "t": 6},
            "font": {"size": 17},
        },
        height=height + bottom - 50 + top - 78,
        margin={"l": 12, "r": 28, "t": top, "b": bottom},
        separators=", " if language == "ru" else ".,",
        hoverlabel={"bgcolor": "white", "font": {"family": FONT, "size": 13}, "align": "left"},
        legend={
            "orientation": "h",
            "x": 0.012,
            "xanchor": "left",
            "xref": "container",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
            "font": {"size": 12},
        },
        showlegend=bool(entries),
        bargap=0.28,
    )
    fig.update_yaxes(ticksuffix="  ")
    return fig


def _empty(title: str, message: str, language: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=esc(message), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 15}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, "", 260, language, legend=False)


def _legend_line(fig: go.Figure, name: str, colour: str, dash: str) -> None:
    """A legend entry for a line drawn as a shape."""
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=name,
            line={"color": colour, "dash": dash, "width": 2},
            hoverinfo="skip",
        )
    )


def _vline(fig: go.Figure, x: float, colour: str, dash: str) -> None:
    fig.add_shape(
        type="line",
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        xref="x",
        yref="paper",
        line={"color": colour, "dash": dash, "width": 1.6},
        layer="above",
    )


def _level(data_or_view: Any) -> str:
    profile = data_or_view.profile
    return fmt(profile.uncertainty.confidence * 100, "en", 0)


def _category_label(category: str, data: DashboardData, reasons: Sequence[str] = ()) -> str:
    """The legend entry of a colour category; for ``withheld``, the reasons of its bars decide the words
    (:data:`surveykit.disclosure.DERIVED` alone: withheld so that a small cell cannot be derived)."""
    lang = data.language
    good, weak = data.thresholds("S")
    if category == "good_practice":
        return t("dash.category.good_practice", lang, good=fmt(good, lang, 0))
    if category == "needs_improvement":
        return t("dash.category.needs_improvement", lang, weak=fmt(weak, lang, 0))
    if category == "withheld":
        derived = {r == DERIVED for r in reasons}
        key = {frozenset({True}): "withheld_derived", frozenset({True, False}): "withheld_mixed"}.get(
            frozenset(derived), "withheld"
        )
        return t(f"dash.category.{key}", lang, k=data.disclosure.k)
    return t(f"dash.category.{category}", lang)


# --- the rating ----------------------------------------------------------------------------------------------------
def rating_chart(data: DashboardData, color_by: str = "flag", *, highlight: str | None = None) -> go.Figure:
    """The filtered institutions, best first: total score bars with confidence intervals, the place and the
    name on the axis, colours by flag (good practice / needs improvement) or by band, the regional average
    and the thresholds as lines. Withheld institutions are listed at the bottom, without a number.
    ``highlight``: an institution id drawn in full colour and bold, the others faded (for its report)."""
    lang = data.language
    frame = data.ranking(color_by)
    maximum = data.profile.max_total
    title = t("dash.chart.rating_title", lang, period=data.period)
    level = _level(data)
    subtitle = t("dash.chart.rating_subtitle", lang, max=fmt(maximum, lang, 0), level=level)
    if frame.empty:
        return _empty(title, t("dash.no_institutions", lang), lang)
    labels = [
        wrap((f"{int(r)}. " if r is not pd.NA and r == r else "– ") + name, 46, 2)
        for r, name in zip(frame["rank"], frame["name"], strict=True)
    ]
    if highlight is not None:
        labels = [
            f"<b>{lbl}</b>" if i == highlight else lbl
            for lbl, i in zip(labels, frame["institution_id"], strict=True)
        ]
    frame = frame.assign(label=labels, hover=[_rating_hover(row, data) for _, row in frame.iterrows()])
    fig = go.Figure()
    if color_by == "band" and data.bands:
        order = [name for name, _ in data.bands]
        colours = {name: BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)] for i, name in enumerate(order)}
        colours.update({key: PALETTE[key] for key in ("withheld", "not_rated")})
        names = {name: f"{name} (≥ {fmt(low, lang, 0)})" for name, low in data.bands}
        order = [*order, "withheld", "not_rated"]
    else:
        order = list(CATEGORIES)
        colours = dict(PALETTE)
        names = {}
    names["withheld"] = t("disclosure.not_rated_legend", lang, k=data.disclosure.k)
    for category in order:
        part = frame[frame["category"] == category]
        if part.empty:
            continue
        name = names.get(category) or _category_label(category, data)
        if category in ("withheld", "not_rated"):
            k = data.disclosure.k
            text = [  # why, from the disclosure rule: too few respondents, or a withheld part
                (t("disclosure.not_rated_part" if reason == DERIVED else "disclosure.not_rated_n", lang, k=k))
                if category == "withheld"
                else t("dash.not_rated", lang)
                for reason in part["withheld_reason"]
            ]
            fig.add_trace(
                go.Bar(
                    x=np.zeros(len(part)),
                    y=part["label"],
                    orientation="h",
                    name=name,
                    marker_color=colours[category],
                    text=text,
                    textposition="outside",
                    cliponaxis=False,
                    textfont={"color": "#4a5568", "size": 12},
                    hovertext=part["hover"],
                    hovertemplate="%{hovertext}<extra></extra>",
                )
            )
            continue
        s = part["S"].to_numpy(dtype=float)
        opacity = 1.0 if highlight is None else np.where(part["institution_id"] == highlight, 1.0, 0.35)
        fig.add_trace(
            go.Bar(
                x=s,
                y=part["label"],
                orientation="h",
                name=name,
                marker={"color": colours.get(category, PALETTE["neutral"]), "opacity": opacity},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": np.maximum(part["S_hi"].to_numpy(dtype=float) - s, 0),
                    "arrayminus": np.maximum(s - part["S_lo"].to_numpy(dtype=float), 0),
                    "color": PALETTE["interval"],
                    "thickness": 1.4,
                    "width": 5,
                },
                text=[fmt(v, lang, 1) for v in s],
                textposition="inside",
                insidetextanchor="start",
                textfont={"color": "white", "size": 12},
                hovertext=part["hover"],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    regional = data.regional_mean("S")
    if regional == regional:
        _vline(fig, regional, PALETTE["regional"], "dash")
        _legend_line(
            fig, t("dash.regional_mean", lang, value=fmt(regional, lang, 1)), PALETTE["regional"], "dash"
        )
    good, weak = data.thresholds("S")
    if color_by != "band" or not data.bands:
        for value, key, colour in (
            (good, "dash.threshold_good", PALETTE["good_practice"]),
            (weak, "dash.threshold_weak", PALETTE["needs_improvement"]),
        ):
            if value is not None:
                _vline(fig, value, colour, "dot")
                _legend_line(fig, t(key, lang, value=fmt(value, lang, 0)), colour, "dot")
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=frame["label"].tolist(),
        autorange="reversed",
        automargin=True,
        tickfont={"size": 13},
    )
    fig.update_xaxes(
        range=[0, maximum * 1.02],
        title_text=t("dash.chart.score_axis", lang, max=fmt(maximum, lang, 0)),
        gridcolor="#edf2f7",
        zeroline=True,
        zerolinecolor="#a0aec0",
    )
    fig.update_layout(barmode="overlay")
    height = 170 + 38 * len(frame)
    return _layout(fig, title, subtitle, height, lang)


def _rating_hover(row: pd.Series, data: DashboardData) -> str:
    lang = data.language
    lines = [f"<b>{esc(row['name'])}</b>"]
    if isinstance(row.get("type_label"), str):
        lines.append(
            esc(row["type_label"])
            + (f", {esc(row['municipality'])}" if isinstance(row.get("municipality"), str) else "")
        )
    if row["withheld"]:
        lines.append(_withheld_text(row, data))
        lines.append(
            t(
                "dash.hover.n",
                lang,
                n=data.disclosure.label(lang) if not row["n_shown"] else fmt_int(row["n"]),
            )
        )
        return "<br>".join(lines)
    rank = row["rank"]
    if rank is not pd.NA and rank == rank:
        lines.append(t("dash.hover.place", lang, rank=int(rank), of=int(row["rank_of"])))
    else:
        lines.append(t("dash.hover.no_place", lang))
    if row["S"] == row["S"]:
        lines.append(t("dash.hover.score", lang, value=fmt(row["S"], lang, 2)))
        lines.append(
            t(
                "dash.hover.interval",
                lang,
                level=_level(data),
                lo=fmt(row["S_lo"], lang, 1),
                hi=fmt(row["S_hi"], lang, 1),
            )
        )
    lines.append(t("dash.hover.n", lang, n=fmt_int(row["n"])))
    change = row.get("change_S")
    if change is not None and change == change and isinstance(row.get("previous_period"), str):
        delta = ("+" if change > 0 else "") + fmt(change, lang, 1)
        lines.append(t("dash.hover.change", lang, previous=row["previous_period"], delta=delta))
    return "<br>".join(lines)


# --- one institution -----------------------------------------------------------------------------------------------
def measures_chart(view: InstitutionView, data: DashboardData, level: str = "criterion") -> go.Figure:
    """The criteria (``level="criterion"``) or indicators of one institution against the regional average
    (black diamonds) and the thresholds (dotted lines), coloured by flag."""
    lang = data.language
    key = "dash.chart.criteria_title" if level == "criterion" else "dash.chart.indicators_title"
    title = t(key, lang, name=short(view.name, 70), period=view.period)
    subtitle = t("dash.chart.measures_subtitle", lang)
    part = view.measures[view.measures["level"] == level]
    if part.empty:
        return _empty(title, t("dash.chart.empty", lang), lang)
    width = 38 if level == "criterion" else 44
    labels = [wrap(f"{m} {n}", width, 2) for m, n in zip(part["id"], part["name"], strict=True)]
    part = part.assign(label=labels, hover=[_measure_hover(row, data) for _, row in part.iterrows()])
    fig = go.Figure()
    category = np.where(part["withheld"], "withheld", np.where(part["flag"] == "", "neutral", part["flag"]))
    for name in ("good_practice", "neutral", "needs_improvement", "withheld"):
        sel = part[category == name]
        if sel.empty:
            continue
        if name == "withheld":
            fig.add_trace(
                go.Bar(
                    x=np.zeros(len(sel)),
                    y=sel["label"],
                    orientation="h",
                    name=_category_label(name, data, list(sel["withheld_reason"])),
                    marker_color=PALETTE[name],
                    text=[data.disclosure.bar_label(lang, reason) for reason in sel["withheld_reason"]],
                    textposition="outside",
                    cliponaxis=False,
                    textfont={"color": "#4a5568"},
                    hovertext=sel["hover"],
                    hovertemplate="%{hovertext}<extra></extra>",
                )
            )
            continue
        values = sel["value"].to_numpy(dtype=float)
        lo, hi = sel["lo"].to_numpy(dtype=float), sel["hi"].to_numpy(dtype=float)
        fig.add_trace(
            go.Bar(
                x=values,
                y=sel["label"],
                orientation="h",
                name=_flag_label(name, lang),
                marker_color=PALETTE[name],
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": np.nan_to_num(np.maximum(hi - values, 0)),
                    "arrayminus": np.nan_to_num(np.maximum(values - lo, 0)),
                    "color": PALETTE["interval"],
                    "thickness": 1.2,
                    "width": 4,
                },
                text=[fmt(v, lang, 1) for v in values],
                textposition="inside",
                insidetextanchor="start",
                textfont={"color": "white"},
                hovertext=sel["hover"],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=part["regional"],
            y=part["label"],
            mode="markers",
            name=t("dash.regional_mean_short", lang),
            marker={
                "symbol": "diamond",
                "size": 11,
                "color": PALETTE["regional"],
                "line": {"color": "white", "width": 1},
            },
            hovertext=[t("dash.hover.regional", lang, value=fmt(v, lang, 1)) for v in part["regional"]],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    good = part["good_practice_at"].dropna().unique()
    weak = part["needs_improvement_below"].dropna().unique()
    if len(good) == 1:
        _vline(fig, float(good[0]), PALETTE["good_practice"], "dot")
        _legend_line(
            fig, t("dash.threshold_good", lang, value=fmt(good[0], lang, 0)), PALETTE["good_practice"], "dot"
        )
    if len(weak) == 1:
        _vline(fig, float(weak[0]), PALETTE["needs_improvement"], "dot")
        _legend_line(
            fig,
            t("dash.threshold_weak", lang, value=fmt(weak[0], lang, 0)),
            PALETTE["needs_improvement"],
            "dot",
        )
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", automargin=True)
    fig.update_xaxes(
        range=[0, 102], gridcolor="#edf2f7", title_text=t("dash.chart.score_axis", lang, max="100")
    )
    fig.update_layout(barmode="overlay")
    return _layout(fig, title, subtitle, 170 + (52 if level == "criterion" else 44) * len(part), lang)


def _flag_label(flag: str, language: str) -> str:
    return {
        "good_practice": t("dash.category.good_practice", language, good="").replace("(≥ )", "").strip(),
        "needs_improvement": t("dash.category.needs_improvement", language, weak="")
        .replace("(< )", "")
        .strip(),
        "neutral": t("dash.category.neutral", language),
    }.get(flag, flag)


def _withheld_text(row: pd.Series, data: DashboardData) -> str:
    """Why a row is not shown, as the disclosure rule decided: "Не показано (n < 5)", or withheld so that
    a cell with n < 5 cannot be derived."""
    if row.get("withheld_reason") == DERIVED:
        label = data.disclosure.label(data.language, DERIVED)
        return label[:1].upper() + label[1:]
    return t("dash.category.withheld", data.language, k=data.disclosure.k)


def _measure_hover(row: pd.Series, data: DashboardData) -> str:
    lang = data.language
    lines = [f"<b>{esc(row['id'])}</b> {wrap(row['name'], 60, 4)}"]
    if row["withheld"]:
        lines.append(_withheld_text(row, data))
    else:
        lines.append(t("dash.hover.score", lang, value=fmt(row["value"], lang, 2)))
        if row["lo"] == row["lo"] and row["hi"] == row["hi"] and row["hi"] > row["lo"]:
            lines.append(
                t(
                    "dash.hover.interval",
                    lang,
                    level=_level(data),
                    lo=fmt(row["lo"], lang, 1),
                    hi=fmt(row["hi"], lang, 1),
                )
            )
        if row["unit"] == "respondents" and row["n"] == row["n"]:
            lines.append(t("dash.hover.count", lang, count=fmt_int(row["num"]), base=fmt_int(row["n"])))
        elif row["unit"] == "items" and row["den"] == row["den"] and row["level"] == "indicator":
            lines.append(
                f"{fmt(row['num'], lang, 1).replace(',0', '').replace('.0', '')} / {fmt_int(row['den'])}"
            )
    if row["regional"] == row["regional"]:
        lines.append(t("dash.hover.regional", lang, value=fmt(row["regional"], lang, 1)))
    return "<br>".join(lines)


def trend_chart(view: InstitutionView, data: DashboardData) -> go.Figure:
    """The institution's total score per period (with its interval) against the regional average."""
    lang = data.language
    title = t("dash.chart.trend_title", lang, name=short(view.name, 70))
    trend = view.trend
    if trend.empty:
        return _empty(title, t("dash.chart.empty", lang), lang)
    s = trend["S"].to_numpy(dtype=float)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=trend["period"],
            y=s,
            mode="lines+markers+text",
            name=t("dash.chart.trend_institution", lang),
            line={"color": PALETTE["neutral"], "width": 3},
            marker={"size": 10},
            text=[fmt(v, lang, 1) if v == v else t("dash.withheld", lang, k=data.disclosure.k) for v in s],
            textposition="top right",
            error_y={
                "type": "data",
                "symmetric": False,
                "array": np.nan_to_num(trend["S_hi"].to_numpy(dtype=float) - s),
                "arrayminus": np.nan_to_num(s - trend["S_lo"].to_numpy(dtype=float)),
                "color": PALETTE["interval"],
                "thickness": 1.2,
                "width": 5,
            },
            hovertemplate="%{x}: %{y:.2f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=trend["period"],
            y=trend["regional_S"],
            mode="lines+markers",
            name=t("dash.regional_mean_short", lang),
            line={"color": PALETTE["regional"], "dash": "dash", "width": 2},
            marker={"symbol": "diamond", "size": 8},
            hovertemplate="%{x}: %{y:.2f}<extra></extra>",
        )
    )
    for period, withheld, regional in zip(
        trend["period"], trend["withheld"], trend["regional_S"], strict=True
    ):
        if withheld:  # say why the point is missing, where it would be
            fig.add_annotation(
                x=period,
                y=regional,
                text=esc(t("dash.withheld_bar", lang, k=data.disclosure.k)),
                showarrow=False,
                yshift=-22,
                font={"color": "#4a5568", "size": 12},
            )
    values = np.concatenate([trend["S_lo"].to_numpy(dtype=float), trend["regional_S"].to_numpy(dtype=float)])
    low = np.nanmin(values) if np.isfinite(values).any() else 0.0
    top = data.profile.max_total
    fig.update_yaxes(
        range=[max(0.0, np.floor((low - 5) / 5) * 5), top + 2],
        gridcolor="#edf2f7",
        title_text=t("dash.chart.score_axis", lang, max=fmt(top, lang, 0)),
    )
    fig.update_xaxes(type="category")
    return _layout(fig, title, "", 360, lang)


def regional_criteria_chart(data: DashboardData) -> go.Figure:
    """Each criterion across the selected institutions: the regional average (bar), every institution (dot,
    coloured by flag) and the thresholds."""
    lang = data.language
    title = t("dash.chart.regional_criteria_title", lang, period=data.period)
    subtitle = t("dash.chart.regional_criteria_subtitle", lang)
    tidy = data.rating.indicators
    part = tidy[
        (tidy["period"].astype(str) == data.period)
        & tidy["institution_id"].astype(str).isin(set(data.selected))
        & (tidy["level"].astype(str) == "criterion")
    ]
    if part.empty:
        return _empty(title, t("dash.chart.empty", lang), lang)
    criteria = [c.id for c in data.profile.criteria]
    labels = {c: wrap(f"{c} {measure_name(data.profile, c, lang)}", 38, 2) for c in criteria}
    means = [data.regional_mean(c) for c in criteria]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=means,
            y=[labels[c] for c in criteria],
            orientation="h",
            name=t("dash.regional_mean_short", lang),
            marker_color="#bee3f8",
            text=[fmt(m, lang, 1) for m in means],
            textposition="inside",
            insidetextanchor="start",
            textfont={"color": "#1a365d"},
            hovertemplate="%{y}<br>%{x:.2f}<extra></extra>",
        )
    )
    shown = part[~part["withheld"].to_numpy(dtype=bool) & part["value"].notna().to_numpy()]
    flags = shown["flag"].astype(str).to_numpy()
    for flag in ("good_practice", "neutral", "needs_improvement"):
        sel = shown[(flags == flag) if flag != "neutral" else (flags == "")]
        if sel.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=sel["value"],
                y=[labels[str(c)] for c in sel["id"]],
                mode="markers",
                name=_flag_label(flag, lang),
                marker={
                    "color": PALETTE[flag],
                    "size": 9,
                    "line": {"color": "white", "width": 1},
                    "opacity": 0.9,
                },
                hovertext=[
                    f"{esc(data.name_of(i))}: {fmt(v, lang, 2)}"
                    for i, v in zip(sel["institution_id"].astype(str), sel["value"], strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    good, weak = data.thresholds(criteria[0])
    if good is not None:
        _vline(fig, good, PALETTE["good_practice"], "dot")
        _legend_line(
            fig, t("dash.threshold_good", lang, value=fmt(good, lang, 0)), PALETTE["good_practice"], "dot"
        )
    if weak is not None:
        _vline(fig, weak, PALETTE["needs_improvement"], "dot")
        _legend_line(
            fig, t("dash.threshold_weak", lang, value=fmt(weak, lang, 0)), PALETTE["needs_improvement"], "dot"
        )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=[labels[c] for c in criteria],
        autorange="reversed",
        automargin=True,
    )
    fig.update_xaxes(
        range=[0, 102], gridcolor="#edf2f7", title_text=t("dash.chart.score_axis", lang, max="100")
    )
    return _layout(fig, title, subtitle, 170 + 60 * len(criteria), lang)


# --- fieldwork -------------------------------------------------------------------------------------------------------
def progress_chart(data: DashboardData, by: str = "institution") -> go.Figure:
    """Interviews done (blue) and still to do (grey) against the target, lowest completion on top."""
    lang = data.language
    title = t("dash.chart.progress_title", lang, period=data.period)
    frame = data.progress(by)
    if frame.empty:
        return _empty(title, t("dash.no_plan", lang), lang)
    labels = [wrap(x, 46, 2) for x in frame["label"]]
    k = data.disclosure.k
    withheld = frame["withheld"].to_numpy(dtype=bool)
    hover = [
        f"<b>{esc(lbl)}</b><br>"
        + (
            t("disclosure.progress_withheld", lang, k=k, target=fmt_int(tg))
            if w
            else t("dash.hover.target", lang, done=fmt_int(d), target=fmt_int(tg), share=fmt(s, lang, 0))
        )
        for lbl, d, tg, s, w in zip(
            frame["label"], frame["done"], frame["target"], frame["share"], withheld, strict=True
        )
    ]
    done = frame["done"].where(~withheld, 0.0).fillna(0.0)
    remaining = frame["remaining"].where(~withheld, 0.0).fillna(0.0)
    hidden = frame["target"].where(withheld, 0.0).fillna(0.0)
    texts = [
        t("disclosure.progress_withheld", lang, k=k, target=fmt_int(tg))
        if w
        else f"{fmt_int(d)} / {fmt_int(tg)}"
        for d, tg, w in zip(frame["done"], frame["target"], withheld, strict=True)
    ]
    fig = go.Figure()
    for name, values, colour, show in (
        (t("dash.chart.progress_done", lang), done, PALETTE["done"], True),
        (t("dash.chart.progress_remaining", lang), remaining, PALETTE["remaining"], True),
        (t("dash.category.withheld", lang, k=k), hidden, PALETTE["withheld"], bool(withheld.any())),
    ):
        last = colour == PALETTE["withheld"] or (colour == PALETTE["remaining"] and not withheld.any())
        fig.add_trace(
            go.Bar(
                x=values,
                y=labels,
                orientation="h",
                name=name,
                marker_color=colour,
                showlegend=show,
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
                text=texts if last else None,
                textposition="outside" if last else None,
                cliponaxis=False,
                textfont={"color": "#2d3748"},
            )
        )
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", automargin=True)
    fig.update_xaxes(
        title_text=t("dash.chart.progress_axis", lang),
        gridcolor="#edf2f7",
        range=[0, float(frame["target"].max()) * 1.15],
    )
    return _layout(fig, title, "", 170 + 34 * len(frame), lang)


# --- questions -------------------------------------------------------------------------------------------------------
def distribution_chart(
    frame: pd.DataFrame, question_label: str, scope: str, data: DashboardData
) -> go.Figure:
    """Answers to one question, one bar per choice (% of those who answered); "don't know" in grey."""
    lang = data.language
    title = wrap(question_label, 95, 3).replace("<br>", " ")
    if frame.empty:
        return _empty(short(question_label, 95), t("dash.chart.empty", lang), lang)
    period = str(frame["period"].iloc[0])
    if bool(frame["withheld"].all()):
        return _empty(
            short(question_label, 95),
            t("dash.chart.distribution_withheld", lang, scope=scope, period=period, k=data.disclosure.k),
            lang,
        )
    base = frame["base"].iloc[0]
    if not base:
        return _empty(short(question_label, 95), t("dash.chart.empty", lang), lang)
    subtitle = t("dash.chart.distribution_subtitle", lang, scope=scope, period=period, n=fmt_int(base))
    excluded = int(frame["n_excluded"].iloc[0]) if "n_excluded" in frame.columns else 0
    if excluded:
        subtitle = f"{subtitle}. {data.disclosure.excluded_note(excluded, lang)}"
    labels = [wrap(x, 40, 2) for x in frame["label"]]
    colours = [PALETTE["missing_code"] if m else PALETTE["answer"] for m in frame["missing_code"]]
    hover = [
        f"<b>{esc(lbl)}</b><br>{fmt(p, lang, 1)} %<br>"
        + t("dash.hover.count", lang, count=fmt_int(c), base=fmt_int(b))
        for lbl, p, c, b in zip(frame["label"], frame["percent"], frame["count"], frame["base"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=frame["percent"],
            y=labels,
            orientation="h",
            marker_color=colours,
            showlegend=False,
            text=[f"{fmt(p, lang, 1)} %" for p in frame["percent"]],
            textposition="outside",
            cliponaxis=False,
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", automargin=True)
    fig.update_xaxes(range=[0, 110], title_text=t("dash.chart.percent_axis", lang), gridcolor="#edf2f7")
    return _layout(fig, title, subtitle, 200 + 44 * len(frame), lang, legend=False)


def comparison_chart(frame: pd.DataFrame, question_label: str, scope: str, data: DashboardData) -> go.Figure:
    """The same question in two (or more) periods: grouped bars per choice, one colour per period."""
    lang = data.language
    title = wrap(question_label, 95, 3).replace("<br>", " ")
    periods: Sequence[str] = list(dict.fromkeys(frame["period"].astype(str))) if len(frame) else []
    if not periods:
        return _empty(short(question_label, 95), t("dash.chart.empty", lang), lang)
    parts = []
    for period in periods:
        part = frame[frame["period"].astype(str) == period]
        base = part["base"].iloc[0]
        parts.append(
            f"{period} (n = {fmt_int(base) if not part['withheld'].all() else data.disclosure.label(lang)})"
        )
    subtitle = t("dash.chart.comparison_subtitle", lang, scope=scope, periods=", ".join(parts))
    excluded = int(frame["n_excluded"].max()) if "n_excluded" in frame.columns and len(frame) else 0
    if excluded:
        subtitle = f"{subtitle}. {data.disclosure.excluded_note(excluded, lang)}"
    fig = go.Figure()
    order: list[str] = []
    for i, period in enumerate(periods):
        part = frame[frame["period"].astype(str) == period]
        labels = [wrap(x, 40, 2) for x in part["label"]]
        order = order or labels
        withheld = bool(part["withheld"].all())
        text = [data.disclosure.label(lang) if withheld else f"{fmt(p, lang, 1)} %" for p in part["percent"]]
        hover = [
            f"<b>{esc(lbl)}</b>, {period}<br>"
            + (
                t("dash.category.withheld", lang, k=data.disclosure.k)
                if withheld
                else f"{fmt(p, lang, 1)} %<br>"
                + t("dash.hover.count", lang, count=fmt_int(c), base=fmt_int(b))
            )
            for lbl, p, c, b in zip(part["label"], part["percent"], part["count"], part["base"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=np.nan_to_num(part["percent"].to_numpy(dtype=float)),
                y=labels,
                orientation="h",
                name=period,
                marker_color=PERIOD_COLOURS[i % len(PERIOD_COLOURS)]
                if len(periods) > 2
                else PERIOD_COLOURS[i],
                text=text,
                textposition="outside",
                cliponaxis=False,
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed", automargin=True)
    fig.update_xaxes(range=[0, 110], title_text=t("dash.chart.percent_axis", lang), gridcolor="#edf2f7")
    return _layout(fig, title, subtitle, 220 + 64 * (len(frame) // max(len(periods), 1)), lang)
