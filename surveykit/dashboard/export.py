"""Council exports: the dashboard's tables as a workbook (or CSV files) for council members.

Everything exported comes from a :class:`~surveykit.dashboard.data.DashboardData`, i.e. from the published
rating, so no number with fewer than k respondents behind it can reach a file: withheld cells hold the text
"n < 5". Column names and sheet names are in the dashboard's language; a notes sheet says when and from what
data the file was made.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveykit.dashboard.data import DashboardData
from surveykit.dashboard.labels import measure_name
from surveykit.disclosure import DERIVED, SMALL
from surveykit.i18n import t
from surveykit.spreadsheet import Sheet, write_csv, write_xlsx, xlsx_bytes

__all__ = ["council_tables", "council_workbook", "write_council_export"]


def _c(key: str, language: str) -> str:
    return t(f"export.col.{key}", language)


def _shown(values: pd.Series, reasons: Any, labels: dict[str, str], decimals: int = 2) -> list[object]:
    """The values, a withheld one replaced by the label of why it is withheld (``reasons``: "" when shown)."""
    out: list[object] = []
    for value, reason in zip(values, reasons, strict=True):
        if reason:
            out.append(labels[reason])
        elif value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            out.append(None)
        else:
            out.append(round(float(value), decimals))
    return out


def council_tables(data: DashboardData) -> dict[str, pd.DataFrame]:
    """Sheet name -> table: the rating, criteria and indicators per institution, regional means, checklist
    findings and notes (the selected period and institutions)."""
    lang = data.language
    d = data.disclosure
    label = d.label(lang)
    labels = {reason: d.label(lang, reason) for reason in (SMALL, DERIVED)}
    ranking = data.ranking()
    hidden = ranking["withheld_reason"].to_numpy()
    n_hidden = ~ranking["n_shown"].to_numpy(dtype=bool)
    rating = pd.DataFrame(
        {
            _c("place", lang): [None if (r is pd.NA or r != r) else int(r) for r in ranking["rank"]],
            _c("of", lang): [None if (r is pd.NA or r != r) else int(r) for r in ranking["rank_of"]],
            _c("institution", lang): ranking["name"],
            _c("institution_id", lang): ranking["institution_id"],
            _c("municipality", lang): ranking["municipality"],
            _c("type", lang): ranking["type_label"],
            _c("period", lang): data.period,
            _c("score", lang): _shown(ranking["S"], hidden, labels),
            _c("lo", lang): _shown(ranking["S_lo"], hidden, labels),
            _c("hi", lang): _shown(ranking["S_hi"], hidden, labels),
            _c("respondents", lang): [
                label if h else (None if n is pd.NA else int(n))
                for n, h in zip(ranking["n"], n_hidden, strict=True)
            ],
            _c("change", lang): _shown(ranking["change_S"], hidden, labels),
        }
    )
    measures = []
    findings = []
    for ident in ranking["institution_id"]:
        view = data.institution(ident, data.period)
        m = view.measures
        measures.append(
            pd.DataFrame(
                {
                    _c("institution", lang): view.name,
                    _c("institution_id", lang): ident,
                    _c("period", lang): view.period,
                    _c("measure", lang): m["id"],
                    _c("name", lang): m["name"],
                    _c("value", lang): _shown(m["value"], m["withheld_reason"], labels),
                    _c("respondents", lang): [
                        labels[r] if r else (None if n != n else int(n))
                        for n, r in zip(m["n"], m["withheld_reason"], strict=True)
                    ],
                }
            )
        )
        f = view.findings
        if len(f):
            findings.append(
                pd.DataFrame(
                    {
                        _c("institution", lang): view.name,
                        _c("institution_id", lang): ident,
                        _c("indicator", lang): [
                            f"{i} {n}" for i, n in zip(f["indicator"], f["indicator_name"], strict=True)
                        ],
                        _c("channel", lang): f["channel_label"],
                        _c("item", lang): f["item_label"],
                        _c("found", lang): f["found"],
                    }
                )
            )
    regional_rows = []
    for measure in ["S", *[c.id for c in data.profile.criteria]]:
        regional_rows.append(
            {
                _c("period", lang): data.period,
                _c("measure", lang): measure,
                _c("name", lang): measure_name(data.profile, measure, lang),
                _c("value", lang): data.regional_mean(measure),
            }
        )
    snapshot = data.snapshot()
    notes = pd.DataFrame(
        {
            "": [
                t(
                    "export.note.generated",
                    lang,
                    when=dt.datetime.now().astimezone().strftime("%d.%m.%Y %H:%M"),
                    snapshot=snapshot.taken_at.astimezone().strftime("%d.%m.%Y %H:%M"),
                    hash=snapshot.short_hash,
                    profile=data.profile.id,
                ),
                data.disclosure.note(lang),
                t("disclosure.places_note", lang),
            ]
        }
    )
    return {
        t("export.sheet.rating", lang): rating,
        t("export.sheet.measures", lang): pd.concat(measures, ignore_index=True)
        if measures
        else pd.DataFrame(),
        t("export.sheet.regional", lang): pd.DataFrame(regional_rows),
        t("export.sheet.findings", lang): pd.concat(findings, ignore_index=True)
        if findings
        else pd.DataFrame(),
        t("export.sheet.notes", lang): notes,
    }


def council_workbook(data: DashboardData) -> bytes:
    """The council tables as an .xlsx file in memory (for a download link in the app)."""
    content, _ = xlsx_bytes(_sheets(council_tables(data)))
    return content


def _sheets(tables: dict[str, pd.DataFrame]) -> list[Sheet]:
    """Texts never formulas (surveykit.spreadsheet); the notes column (no header) wide."""
    return [
        Sheet(
            name,
            frame,
            widths=[90 if not str(c) else max(12, min(60, len(str(c)) + 6)) for c in frame.columns],
        )
        for name, frame in tables.items()
    ]


def write_council_export(
    data: DashboardData, folder: str | Path, formats: tuple[str, ...] = ("xlsx",)
) -> list[Path]:
    """Write the council tables into ``folder``: ``council-<period>.xlsx`` and/or one CSV per sheet."""
    target = Path(folder)
    written: list[Path] = []
    tables = council_tables(data)
    if "xlsx" in formats:
        path = target / f"council-{data.period}.xlsx"
        write_xlsx(path, _sheets(tables))
        written.append(path)
    if "csv" in formats:
        for i, (name, frame) in enumerate(tables.items(), start=1):
            path = target / f"council-{data.period}-{i}-{name.replace(' ', '_')}.csv"
            write_csv(path, frame, encoding="utf-8-sig")
            written.append(path)
    return written
