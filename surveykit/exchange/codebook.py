"""The codebook: every exported variable with its question text, type, values and labels, missing codes,
relevance condition and (when data is given) frequencies; the multiple-response sets and every renamed name.

Built from the same :class:`~surveykit.exchange.metadata.ExportMetadata` as the exported files, so the
codebook describes exactly what was written. Rendered as HTML, Markdown or an Excel workbook (also the
codebook sheets of an Excel export). Headings are in the export language (Russian or English; other
languages fall back to English headings, while question texts and labels stay in the chosen language).

Frequencies: counts of each code and the percentage of *valid* answers (answers that are neither a
user-missing code such as "don't know" nor empty); user-missing codes are counted but have no valid %.
For a multiple-choice dummy, the % is of those who answered the question.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveykit.errors import ErrorCode, ExportError, Location
from surveykit.exchange.metadata import (
    ExportMetadata,
    ExportTable,
    ExportVariable,
    Role,
    Storage,
)
from surveykit.exchange.prepare import prepare_table
from surveykit.i18n import t

__all__ = [
    "CODEBOOK_FORMATS",
    "Codebook",
    "CodebookEntry",
    "ValueRow",
    "build_codebook",
    "questionnaire_codebook",
    "store_codebook",
]

CODEBOOK_FORMATS = ("html", "md", "xlsx")


@dataclass
class ValueRow:
    code: Any
    label: str
    name: str | None = None  # the choice name
    missing: bool = False
    stata: str | None = None  # the extended missing value in Stata (".a")
    count: float | None = None
    percent_valid: float | None = None


@dataclass
class CodebookEntry:
    table: str
    variable: ExportVariable
    values: list[ValueRow] = field(default_factory=list)
    n: int | None = None  # rows of the table
    n_valid: int | None = None  # answered, not user-missing
    n_missing_codes: int | None = None  # answered with a user-missing code
    summary: dict[str, Any] = field(default_factory=dict)  # numbers: mean, min, max; texts: distinct


@dataclass
class Codebook:
    metadata: ExportMetadata
    entries: list[CodebookEntry]
    with_frequencies: bool

    @property
    def language(self) -> str:
        return self.metadata.language

    def _h(self, key: str) -> str:
        return t(f"exchange.codebook.{key}", self.language)

    # --- tables -----------------------------------------------------------------------------------------
    def variables_frame(self) -> pd.DataFrame:
        """One row per variable."""
        rows = []
        for e in self.entries:
            v = e.variable
            rows.append(
                {
                    self._h("table"): e.table,
                    self._h("name"): v.name,
                    self._h("label"): v.label,
                    self._h("question"): v.question or "",
                    self._h("type"): v.question_type or v.role.value,
                    self._h("storage"): v.storage.value,
                    self._h("measure"): v.measure,
                    self._h("missing_codes"): ", ".join(str(c) for c in v.missing),
                    self._h("relevance"): v.relevance,
                    self._h("calculation"): v.calculation,
                    self._h("derived_from"): v.derived_from or "",
                    self._h("n_valid"): e.n_valid,
                    self._h("summary"): _summary_text(e.summary),
                }
            )
        return pd.DataFrame(rows)

    def values_frame(self) -> pd.DataFrame:
        """One row per value label (with counts and % of valid answers when built with data)."""
        rows = []
        for e in self.entries:
            for value in e.values:
                rows.append(
                    {
                        self._h("table"): e.table,
                        self._h("name"): e.variable.name,
                        self._h("code"): value.code,
                        self._h("choice"): value.name or "",
                        self._h("value_label"): value.label,
                        self._h("missing"): self._h("yes") if value.missing else "",
                        "Stata": value.stata or "",
                        self._h("count"): value.count,
                        self._h("percent_valid"): None
                        if value.percent_valid is None
                        else round(value.percent_valid, 1),
                    }
                )
        return pd.DataFrame(rows)

    def mr_sets_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    self._h("set"): mr.name,
                    self._h("question"): mr.question,
                    self._h("label"): mr.label,
                    self._h("variables"): " ".join(mr.variables),
                }
                for mr in self.metadata.mr_sets
            ],
            columns=[self._h("set"), self._h("question"), self._h("label"), self._h("variables")],
        )

    def renamed_frame(self) -> pd.DataFrame:
        rows = [
            {self._h("table"): table.name, self._h("derived_from"): old, self._h("name"): new}
            for table in self.metadata.tables.values()
            for old, new in table.renamed.items()
        ]
        return pd.DataFrame(rows, columns=[self._h("table"), self._h("derived_from"), self._h("name")])

    def sheets(self) -> list[tuple[str, pd.DataFrame]]:
        """The codebook as worksheets: variables, values, multiple-response sets, renamed names."""
        return [
            ("codebook", self.variables_frame()),
            ("values", self.values_frame()),
            ("mr_sets", self.mr_sets_frame()),
            ("renamed", self.renamed_frame()),
        ]

    # --- documents ------------------------------------------------------------------------------------
    def to_markdown(self) -> str:
        m = self.metadata
        lines = [f"# {self._h('title')}: {_md(m.title)}", ""]
        lines.append(f"{self._h('questionnaire')}: `{m.questionnaire}` · {self._h('language')}: {m.language}")
        lines.append("")
        for table in m.tables.values():
            lines += [f"## {_md(table.label)} (`{table.name}`)", ""]
            if table.keys:
                lines += [f"{self._h('keys')}: " + ", ".join(f"`{k}`" for k in table.keys), ""]
            if table.weight:
                lines += [f"{self._h('weight')}: `{table.weight}`", ""]
            for e in (e for e in self.entries if e.table == table.name):
                v = e.variable
                lines.append(f"### `{v.name}` — {_md(v.label)}")
                lines.append("")
                facts = [
                    f"{self._h('type')}: {v.question_type or v.role.value}",
                    f"{self._h('measure')}: {v.measure}",
                ]
                if v.question and v.question != v.name:
                    facts.append(f"{self._h('question')}: `{v.question}`")
                if v.relevance:
                    facts.append(f"{self._h('relevance')}: `{_md(v.relevance)}`")
                if v.calculation:
                    facts.append(f"{self._h('calculation')}: `{_md(v.calculation)}`")
                if v.missing:
                    facts.append(f"{self._h('missing_codes')}: " + ", ".join(map(str, v.missing)))
                if v.derived_from:
                    facts.append(f"{self._h('derived_from')}: `{v.derived_from}`")
                if e.n_valid is not None:
                    facts.append(f"{self._h('n_valid')}: {e.n_valid}")
                if e.summary:
                    facts.append(_summary_text(e.summary))
                lines += ["- " + f for f in facts]
                lines.append("")
                if e.values:
                    header = [self._h("code"), self._h("value_label"), self._h("missing"), "Stata"]
                    if self.with_frequencies:
                        header += [self._h("count"), self._h("percent_valid")]
                    lines.append("| " + " | ".join(header) + " |")
                    lines.append("|" + "---|" * len(header))
                    for value in e.values:
                        cells = [
                            str(value.code),
                            _md(value.label),
                            self._h("yes") if value.missing else "",
                            value.stata or "",
                        ]
                        if self.with_frequencies:
                            cells += [_number(value.count), _percent(value.percent_valid)]
                        lines.append("| " + " | ".join(cells) + " |")
                    lines.append("")
        if m.mr_sets:
            lines += [f"## {self._h('mr_sets')}", ""]
            for mr in m.mr_sets:
                lines.append(f"- `{mr.name}` ({_md(mr.label)}): " + ", ".join(f"`{v}`" for v in mr.variables))
            lines.append("")
        renamed = self.renamed_frame()
        if len(renamed):
            lines += [f"## {self._h('renamed')}", ""]
            for row in renamed.itertuples(index=False):
                lines.append(f"- {row[0]}: `{row[1]}` → `{row[2]}`")
            lines.append("")
        return "\n".join(lines)

    def to_html(self) -> str:
        m = self.metadata
        e_ = html.escape
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{e_(m.language)}"><head><meta charset="utf-8">',
            f"<title>{e_(self._h('title'))}: {e_(m.title)}</title>",
            "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
            "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em;"
            "text-align:left;vertical-align:top}th{background:#f3f3f3}code{background:#f6f6f6}"
            ".missing{color:#a33}.num{text-align:right}</style></head><body>",
            f"<h1>{e_(self._h('title'))}: {e_(m.title)}</h1>",
            f"<p>{e_(self._h('questionnaire'))}: <code>{e_(m.questionnaire)}</code> · "
            f"{e_(self._h('language'))}: {e_(m.language)}</p>",
        ]
        for table in m.tables.values():
            parts.append(f"<h2>{e_(table.label)} (<code>{e_(table.name)}</code>)</h2>")
            if table.keys:
                parts.append(
                    f"<p>{e_(self._h('keys'))}: "
                    + ", ".join(f"<code>{e_(k)}</code>" for k in table.keys)
                    + "</p>"
                )
            if table.weight:
                parts.append(f"<p>{e_(self._h('weight'))}: <code>{e_(table.weight)}</code></p>")
            for e in (e for e in self.entries if e.table == table.name):
                v = e.variable
                parts.append(
                    f'<h3 id="{e_(table.name)}-{e_(v.name)}"><code>{e_(v.name)}</code> {e_(v.label)}</h3>'
                )
                facts = [(self._h("type"), v.question_type or v.role.value), (self._h("measure"), v.measure)]
                if v.question and v.question != v.name:
                    facts.append((self._h("question"), v.question))
                if v.relevance:
                    facts.append((self._h("relevance"), v.relevance))
                if v.calculation:
                    facts.append((self._h("calculation"), v.calculation))
                if v.missing:
                    facts.append((self._h("missing_codes"), ", ".join(map(str, v.missing))))
                if v.derived_from:
                    facts.append((self._h("derived_from"), v.derived_from))
                if e.n_valid is not None:
                    facts.append((self._h("n_valid"), str(e.n_valid)))
                if e.summary:
                    facts.append((self._h("summary"), _summary_text(e.summary)))
                parts.append("<ul>" + "".join(f"<li>{e_(k)}: {e_(str(x))}</li>" for k, x in facts) + "</ul>")
                if e.values:
                    header = [self._h("code"), self._h("value_label"), self._h("missing"), "Stata"]
                    if self.with_frequencies:
                        header += [self._h("count"), self._h("percent_valid")]
                    rows = ["<tr>" + "".join(f"<th>{e_(h)}</th>" for h in header) + "</tr>"]
                    for value in e.values:
                        cls = ' class="missing"' if value.missing else ""
                        cells = [
                            f"<td>{e_(str(value.code))}</td>",
                            f"<td>{e_(value.label)}</td>",
                            f"<td>{e_(self._h('yes')) if value.missing else ''}</td>",
                            f"<td>{e_(value.stata or '')}</td>",
                        ]
                        if self.with_frequencies:
                            cells += [
                                f'<td class="num">{_number(value.count)}</td>',
                                f'<td class="num">{_percent(value.percent_valid)}</td>',
                            ]
                        rows.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
                    parts.append("<table>" + "".join(rows) + "</table>")
        if m.mr_sets:
            parts.append(f"<h2>{e_(self._h('mr_sets'))}</h2><ul>")
            for mr in m.mr_sets:
                names = ", ".join(f"<code>{e_(v)}</code>" for v in mr.variables)
                parts.append(f"<li><code>{e_(mr.name)}</code> ({e_(mr.label)}): {names}</li>")
            parts.append("</ul>")
        renamed = self.renamed_frame()
        if len(renamed):
            parts.append(f"<h2>{e_(self._h('renamed'))}</h2><ul>")
            for row in renamed.itertuples(index=False):
                parts.append(f"<li>{e_(row[0])}: <code>{e_(row[1])}</code> → <code>{e_(row[2])}</code></li>")
            parts.append("</ul>")
        parts.append("</body></html>")
        return "\n".join(parts)

    def write(self, path: str | Path, format: str | None = None) -> Path:
        """Write the codebook as html, md or xlsx (default: from the suffix)."""
        from surveykit.exchange import writers

        path = Path(path)
        fmt = (format or path.suffix.lstrip(".")).lower()
        fmt = "md" if fmt == "markdown" else fmt
        if fmt not in CODEBOOK_FORMATS:
            raise ExportError(
                ErrorCode.EXPORT_FORMAT_UNSUPPORTED,
                Location(file=str(path)),
                format=fmt,
                supported=", ".join(CODEBOOK_FORMATS),
            )
        if path.suffix.lower() != f".{fmt}":
            path = path.with_suffix(f".{fmt}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ExportError(
                ErrorCode.EXPORT_WRITE_FAILED, Location(file=str(path)), path=str(path), detail=str(err)
            ) from err
        if fmt == "xlsx":
            writers.write_xlsx(path, [(name, frame, None) for name, frame in self.sheets()])
        else:
            writers.write_text(path, self.to_html() if fmt == "html" else self.to_markdown())
        return path


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _summary_text(summary: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in summary.items())


# --- building ---------------------------------------------------------------------------------------------
def _values(var: ExportVariable, letters: Mapping[int, str]) -> list[ValueRow]:
    names = {code: name for name, code in var.codes.items()}
    return [
        ValueRow(
            code=code,
            label=label,
            name=names.get(code) if var.codes else None,
            missing=code in var.missing,
            stata=f".{letters[code]}" if code in letters else None,
        )
        for code, label in var.value_labels.items()
    ]


def _frequencies(entry: CodebookEntry, column: np.ndarray) -> None:
    var = entry.variable
    entry.n = len(column)
    if var.storage is Storage.NUMERIC:
        numbers = np.asarray(column, dtype=float)
        answered = ~np.isnan(numbers)
        is_missing = (
            np.isin(numbers, list(var.missing)) & answered if var.missing else np.zeros_like(answered)
        )
        valid = answered & ~is_missing
        entry.n_valid = int(valid.sum())
        entry.n_missing_codes = int(is_missing.sum())
        if var.value_labels:
            codes, counts = np.unique(numbers[answered], return_counts=True)
            found = dict(zip(codes.tolist(), counts.tolist(), strict=True))
            known = set(var.value_labels)
            for value in entry.values:
                value.count = float(found.get(float(value.code), 0))
                if not value.missing:
                    value.percent_valid = value.count / entry.n_valid * 100 if entry.n_valid else None
            for code in sorted(set(found) - {float(k) for k in known}):
                entry.values.append(
                    ValueRow(
                        code=_int(code),
                        label="",
                        count=float(found[code]),
                        percent_valid=found[code] / entry.n_valid * 100 if entry.n_valid else None,
                    )
                )
        elif entry.n_valid:
            data = numbers[valid]
            entry.summary = {
                "mean": round(float(data.mean()), 3),
                "min": _int(float(data.min())),
                "max": _int(float(data.max())),
            }
    elif var.storage in (Storage.DATE, Storage.DATETIME):
        stamps = pd.to_datetime(pd.Series(column), errors="coerce")
        entry.n_valid = int(stamps.notna().sum())
        if entry.n_valid:
            fmt = "%Y-%m-%d" if var.storage is Storage.DATE else "%Y-%m-%d %H:%M"
            entry.summary = {"min": stamps.min().strftime(fmt), "max": stamps.max().strftime(fmt)}
    elif var.storage is Storage.TIME:
        times = [t for t in pd.Series(column, dtype=object) if hasattr(t, "isoformat")]
        entry.n_valid = len(times)
        if times:
            entry.summary = {"min": min(times).isoformat(), "max": max(times).isoformat()}
    else:
        texts = pd.Series(column, dtype=object)
        filled = texts.notna() & (texts.astype(str) != "")
        entry.n_valid = int(filled.sum())
        entry.summary = {"distinct": int(texts[filled].nunique())}


def _int(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def build_codebook(
    metadata: ExportMetadata, frames: Mapping[str | None, pd.DataFrame] | None = None
) -> Codebook:
    """The codebook of ``metadata``; with canonical ``frames`` (``None``: the interviews, else repeat code)
    it carries frequencies, computed from the same encoding the SPSS file gets."""
    entries: list[CodebookEntry] = []
    for repeat, table in metadata.tables.items():
        data = None
        if frames is not None and repeat in frames:
            data = prepare_table(table, frames[repeat], "sav")
        letters = (
            metadata.view("dta", repeat).stata_letters if any(v.missing for v in table.variables) else {}
        )
        for var in table.variables:
            entry = CodebookEntry(table.name, var, _values(var, letters.get(var.name, {})))
            if data is not None and not _is_generated_key(table, var):
                _frequencies(entry, np.asarray(data[var.name]))
            entries.append(entry)
    return Codebook(metadata, entries, with_frequencies=frames is not None)


def _is_generated_key(table: ExportTable, var: ExportVariable) -> bool:
    return var.role is Role.KEY and table.repeat is not None and var.source != "interview_id"


def store_codebook(
    store: Any,
    questionnaire: str,
    *,
    language: str | None = None,
    frequencies: bool = True,
    **filters: Any,
) -> Codebook:
    """The codebook of a published questionnaire (``"id"`` or ``"id@version"``), with frequencies of the
    interviews the store holds (filters as :func:`surveykit.exchange.export.read_interviews`)."""
    from surveykit.exchange.export import read_interviews
    from surveykit.exchange.metadata import build_metadata, meta_columns_in

    forms, frame, repeats = read_interviews(store, questionnaire, **filters)
    metadata = build_metadata(forms, language, meta_columns=meta_columns_in(list(frame.columns), forms))
    return build_codebook(metadata, {None: frame, **repeats} if frequencies else None)


def questionnaire_codebook(questionnaire: Any, *, language: str | None = None) -> Codebook:
    """The codebook of a questionnaire without data (what an export of it would contain)."""
    from surveykit.exchange.metadata import EXPORT_META, build_metadata
    from surveykit.questionnaire.compiled import Form, compile_form

    form = questionnaire if isinstance(questionnaire, Form) else compile_form(questionnaire)
    meta = [c for c in EXPORT_META if c != "weight"]
    return build_codebook(build_metadata(form, language, meta_columns=meta))
