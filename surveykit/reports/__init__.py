"""Monitoring reports: one per institution and one for the region, as HTML and PDF.

::

    from surveykit.reports import generate_reports, render_report

    render_report("institution", institution_id="kcson_sev", period="2025", language="ru", out_dir="data/reports")
    summary = generate_reports("all", period="2025", out_dir="data/reports", progress=print)
    print(summary.text("ru"))

The notebooks in ``notebooks/reports/`` (one cell tagged ``parameters``) call :func:`open_report` and show
one section per cell; every number comes from :mod:`surveykit.reports.content`, which reads the dashboard's
published (small-cell suppressed) data. :mod:`surveykit.reports.render` executes a notebook with papermill,
converts it with nbconvert and prints the PDF with headless Chromium; figures are SVG images made by kaleido.
"""

from surveykit.reports.batch import (
    BatchSummary,
    ReportFailure,
    generate_reports,
    read_snapshot,
    write_snapshot,
)
from surveykit.reports.content import HTMLBlock, InstitutionReport, RegionReport, load_data, open_report
from surveykit.reports.images import StaticFigure, static_figure
from surveykit.reports.render import ReportOutput, html_to_pdf, render_report, report_notebook

__all__ = [
    "BatchSummary",
    "HTMLBlock",
    "InstitutionReport",
    "RegionReport",
    "ReportFailure",
    "ReportOutput",
    "StaticFigure",
    "generate_reports",
    "html_to_pdf",
    "load_data",
    "open_report",
    "read_snapshot",
    "render_report",
    "report_notebook",
    "static_figure",
    "write_snapshot",
]
