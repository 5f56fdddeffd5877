"""Rendering a report: execute its notebook (papermill), convert it to HTML (nbconvert), print it to PDF.

How PDFs are made (docs/reports.md has the measurements): the notebook's outputs (HTML sections and SVG
figures made by kaleido) are converted with nbconvert's ``basic`` template, without code, and wrapped in one
HTML page with the report's print stylesheet (:data:`REPORT_CSS`: A4, DejaVu Sans for Cyrillic, page numbers
in the page margin). Debian's Chromium prints that page headless (``--print-to-pdf``), offline, with the
network features switched off. The HTML file is the same page, so the HTML and the PDF never differ.

A failing notebook raises :class:`~surveykit.errors.ReportError` SK902 naming the notebook and the cell
(its number among the code cells and its first line) with the error; a failing conversion raises
:class:`~surveykit.errors.ExportError` naming the file. Partial output of a failed report is removed.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveykit.errors import ErrorCode, ExportError, Location, ReportError
from surveykit.i18n import t
from surveykit.safepath import safe_child

__all__ = [
    "CHROMIUM_FLAGS",
    "REPORT_CSS",
    "ReportOutput",
    "chromium_path",
    "execute_notebook",
    "html_to_pdf",
    "notebook_html",
    "render_report",
    "report_notebook",
]

KINDS = ("institution", "region")
FORMATS = ("html", "pdf")
#: Chromium without network chatter, as the toolchain notes measured (no sandbox: containers run as root)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-extensions",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
)

REPORT_CSS = """
@page { size: A4; margin: 16mm 15mm 17mm 15mm;
  @bottom-left { content: "__FOOTER__"; font: 7.5pt "DejaVu Sans", sans-serif; color: #718096; }
  @bottom-right { content: counter(page) " / " counter(pages); font: 7.5pt "DejaVu Sans", sans-serif; color: #718096; } }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 9.6pt; line-height: 1.45; color: #1a202c;
  margin: 0 auto; max-width: 185mm; }
@media screen { body { padding: 16px 24px; background: #fff; } }
header.title { border-left: 5pt solid #2b6cb0; padding: 2pt 0 4pt 10pt; margin: 0 0 10pt 0; }
.kicker { text-transform: uppercase; letter-spacing: .05em; color: #4a5568; font-size: 7.6pt; }
h1 { font-size: 19pt; line-height: 1.2; margin: 4pt 0 4pt 0; color: #1a365d; }
.subtitle { color: #2d3748; font-size: 10.5pt; }
h2 { font-size: 13pt; color: #1a365d; border-bottom: 1.2pt solid #2b6cb0; padding-bottom: 2pt; margin: 14pt 0 6pt 0;
  break-after: avoid; }
h3 { font-size: 10.5pt; margin: 9pt 0 3pt 0; color: #2d3748; break-after: avoid; }
p { margin: 3pt 0 6pt 0; }
.lead { color: #4a5568; }
.keyfigs { display: flex; flex-wrap: wrap; gap: 6pt; margin: 6pt 0 6pt 0; }
.keyfig { flex: 1 1 0; min-width: 20mm; background: #f0f5fb; border-radius: 3pt; padding: 5pt 7pt; }
.keyfig .v { font-size: 14pt; font-weight: 700; color: #1a365d; white-space: nowrap; }
.keyfig.small .v { font-size: 11.5pt; padding-top: 2.5pt; }
.keyfig.main { background: #1a365d; } .keyfig.main .v, .keyfig.main .l { color: #fff; }
.keyfig .l { font-size: 7.6pt; color: #4a5568; line-height: 1.25; }
table.sk { border-collapse: collapse; width: 100%; font-size: 8.3pt; margin: 4pt 0 4pt 0; }
table.sk th { text-align: left; border-bottom: 1pt solid #718096; padding: 2pt 4pt; font-weight: 600; color: #2d3748;
  vertical-align: bottom; }
table.sk td { border-bottom: .4pt solid #e2e8f0; padding: 2pt 4pt; vertical-align: top; }
table.sk tr { break-inside: avoid; }
table.sk td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.sk.rating { break-before: page; }
table.sk tr.criterion td { background: #f0f5fb; font-weight: 600; }
table.method th { width: 30%; font-weight: 600; border-bottom: .4pt solid #e2e8f0; vertical-align: top; }
.cell-good { background: #e6f4ea; color: #22543d; } .cell-weak { background: #fdeee3; color: #7b341e; }
.flag { font-weight: 600; white-space: nowrap; } .flag-good { color: #2f855a; } .flag-weak { color: #c05621; }
.withheld { color: #718096; font-style: italic; }
.muted { color: #718096; }
.note { color: #4a5568; font-size: 7.8pt; }
.conclusion { text-align: justify; }
ul.plain, ul.quotes { margin: 2pt 0 6pt 0; padding-left: 14pt; } ul.plain li, ul.quotes li { margin: 1.5pt 0; }
td.found { color: #9c4221; }
figure.chart { margin: 2pt 0 6pt 0; break-inside: avoid; }
figure.chart img { width: 100%; height: auto; display: block; }
"""


def report_notebook(kind: str) -> Path:
    """The template notebook of a report kind (``notebooks/reports/<kind>.ipynb``)."""
    from surveykit.config import settings

    if kind not in KINDS:
        raise ReportError(
            ErrorCode.OPTION_CONFLICT,
            Location(field="kind"),
            detail=f"unknown report kind '{kind}'",
            fix=f"Use one of: {', '.join(KINDS)}.",
        )
    return Path(settings().root) / "notebooks" / "reports" / f"{kind}.ipynb"


@dataclass
class ReportOutput:
    """A rendered report: its files by format and how long each step took (seconds)."""

    kind: str
    institution_id: str | None
    name: str
    files: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def _cell_name(notebook: Any, index: int) -> str:
    """``2 (from surveykit.reports import open_report)``: the failing cell's number among the template's code
    cells and its first line. ``index`` counts the cells as executed (papermill's error banners, which it adds
    to the saved notebook afterwards, are left out)."""
    cells = [c for c in notebook.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    number = 0
    for i, cell in enumerate(cells):
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        number += 1
        if i == index:
            first = next(
                (line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")), ""
            )
            return f"{number} ({first.strip()[:80]})"
    return str(index)


def execute_notebook(
    template: Path, output: Path, parameters: Mapping[str, Any], *, timeout: int = 600
) -> Any:
    """Run a report notebook with papermill; a failing cell raises ReportError SK902 naming it."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(template),
            str(output),
            parameters=dict(parameters),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
        )
    except PapermillExecutionError as err:
        executed = nbformat.read(str(output), as_version=4) if output.exists() else None
        cell = _cell_name(executed, err.cell_index) if executed is not None else str(err.cell_index)
        raise ReportError(
            ErrorCode.REPORT_CELL_FAILED,
            Location(file=str(template), path=f"cell {cell}"),
            notebook=template.name,
            cell=cell,
            detail=f"{err.ename}: {err.evalue}".strip().rstrip("."),
        ) from err
    except Exception as err:  # the kernel died, the notebook could not be read, a timeout ...
        raise ReportError(
            ErrorCode.REPORT_CELL_FAILED,
            Location(file=str(template)),
            notebook=template.name,
            cell="(none)",
            detail=f"{type(err).__name__}: {err}",
        ) from err
    return nbformat.read(str(output), as_version=4)


def _report_meta(notebook: Any) -> dict[str, Any]:
    """The ``surveykit`` metadata a report's title output carries (name and period)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("surveykit")
            if meta:
                return dict(meta)
    return {}


def css_string(text: str) -> str:
    """``text`` inside a double-quoted CSS string in a ``<style>`` element: every character that could end the
    string or the element (quotes, backslash, ``<``, ``>``, ``&``, line breaks) as a CSS escape, so an
    institution name like ``</style><script>...`` stays text."""
    return "".join(c if c.isalnum() or c in " .,-_:;()«»—№/" else f"\\{ord(c):x} " for c in text)


def notebook_html(notebook: Any, *, title: str, footer: str, language: str) -> str:
    """The executed notebook's outputs (no code) as one HTML page with the report stylesheet."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_markdown=True,
    )
    body, _ = exporter.from_notebook_node(notebook)
    css = REPORT_CSS.replace("__FOOTER__", css_string(footer))
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{css}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def chromium_path() -> str | None:
    """Chromium for printing: ``BROWSER_PATH`` (as kaleido honours it), else chromium on the PATH."""
    for candidate in (
        os.environ.get("BROWSER_PATH"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def html_to_pdf(html_path: Path, pdf_path: Path, *, timeout: float = 120.0) -> None:
    """Print an HTML file to PDF with headless Chromium (offline)."""
    browser = chromium_path()
    if browser is None:
        raise ExportError(
            ErrorCode.EXPORT_WRITE_FAILED,
            Location(file=str(pdf_path)),
            path=str(pdf_path),
            detail="Chromium was not found (needed to print the PDF); install it (apt-get install chromium), set "
            "BROWSER_PATH, or make HTML only (--format html)",
        )
    with tempfile.TemporaryDirectory(prefix="sk-chromium-") as profile:
        command = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as err:
            raise ExportError(
                ErrorCode.EXPORT_WRITE_FAILED,
                Location(file=str(pdf_path)),
                path=str(pdf_path),
                detail=f"Chromium did not finish within {timeout:.0f} s",
            ) from err
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ExportError(
            ErrorCode.EXPORT_WRITE_FAILED,
            Location(file=str(pdf_path)),
            path=str(pdf_path),
            detail=f"Chromium exited with code {done.returncode}: {' | '.join(tail)}",
        )


def _safe(text: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "-" for c in text)
    return keep.strip("-") or "report"


def render_report(
    kind: str,
    *,
    institution_id: str | None = None,
    period: str | None = None,
    language: str = "ru",
    out_dir: str | Path = ".",
    formats: tuple[str, ...] = FORMATS,
    database_url: str = "",
    snapshot_path: str = "",
    profile: str | None = None,
    region: str = "",
    k: int | None = None,
    keep_notebook: bool = False,
    timeout: int = 600,
) -> ReportOutput:
    """Execute one report notebook and write ``<kind>-<id>-<period>-<lang>.html`` / ``.pdf`` into ``out_dir``.
    On any failure, the files this call wrote are removed before the error is raised."""
    from surveykit.scoring import DEFAULT_PROFILE

    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ReportError(
            ErrorCode.OPTION_CONFLICT,
            Location(field="formats"),
            detail=f"unknown format(s): {', '.join(unknown) or '(none)'}",
            fix=f"Use one or more of: {', '.join(FORMATS)}.",
        )
    if kind == "institution" and not institution_id:
        raise ReportError(
            ErrorCode.OPTION_CONFLICT,
            Location(field="institution_id"),
            detail="an institution report needs an institution",
            fix="Give the institution's id (see the dashboard or `surveykit report all`).",
        )
    template = report_notebook(kind)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parameters = {
        "period": period or "",
        "language": language,
        "profile": profile or DEFAULT_PROFILE,
        "database_url": database_url,
        "snapshot_path": snapshot_path,
        "region": region,
        "k": int(k or 0),
    }
    if kind == "institution":
        parameters["institution_id"] = institution_id or ""
    stem_id = institution_id if kind == "institution" else (region or "region")
    written: list[Path] = []
    result = ReportOutput(kind, institution_id, name=str(stem_id))
    try:
        with tempfile.TemporaryDirectory(prefix="sk-report-") as tmp:
            started = time.perf_counter()
            executed_path = Path(tmp) / f"{kind}.ipynb"
            notebook = execute_notebook(template, executed_path, parameters, timeout=timeout)
            result.seconds["notebook"] = time.perf_counter() - started
            meta = _report_meta(notebook)
            name = str(meta.get("name") or stem_id)
            period_text = str(meta.get("period") or period or "")
            result.name = name
            stem = f"{kind}-{_safe(str(stem_id))}-{_safe(period_text)}-{language}"
            started = time.perf_counter()
            page = notebook_html(
                notebook,
                title=t("report.document_title", language, name=name, period=period_text),
                footer=t("report.footer", language, name=name, period=period_text),
                language=language,
            )
            html_path = safe_child(out if "html" in formats else Path(tmp), f"{stem}.html")
            html_path.write_text(page, encoding="utf-8")
            if "html" in formats:
                written.append(html_path)
                result.files["html"] = html_path
            result.seconds["html"] = time.perf_counter() - started
            if "pdf" in formats:
                started = time.perf_counter()
                pdf_path = safe_child(out, f"{stem}.pdf")
                written.append(pdf_path)
                html_to_pdf(html_path, pdf_path)
                result.files["pdf"] = pdf_path
                result.seconds["pdf"] = time.perf_counter() - started
            if keep_notebook:
                kept = safe_child(out, f"{stem}.ipynb")
                shutil.copyfile(executed_path, kept)
                written.append(kept)
                result.files["ipynb"] = kept
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return result
