"""Monitoring reports: the notebooks are executed in the test run, rendered to HTML and PDF, read back with
pypdf, and the first pages are saved as PNG under artifacts/ to be looked at."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from surveykit.config import PROJECT_ROOT
from surveykit.dashboard import dashboard_data
from surveykit.errors import ErrorCode, ExportError, ReportError
from surveykit.reports import InstitutionReport, RegionReport, render_report, report_notebook
from surveykit.reports import render as render_module

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

ARTIFACTS = PROJECT_ROOT / "artifacts"


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def _first_page_png(pdf: Path, name: str) -> Path:
    """``pdftoppm -png -r 80 -singlefile`` of the first page, into artifacts/."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(target)], check=True)
    return target.with_suffix(".png")


def test_batch_makes_the_reports_and_reports_the_failure(batch):
    summary, out, calls = batch
    assert [r.kind for r in summary.made] == ["institution", "region"] or sorted(
        r.kind for r in summary.made
    ) == [
        "institution",
        "region",
    ]
    assert len(summary.failed) == 1 and not summary.ok
    failure = summary.failed[0]
    assert failure.institution_id == "no_such_institution" and failure.code == "SK902"
    # the failure names the notebook, the cell and what went wrong
    assert (
        "institution.ipynb" in failure.message
        and "from surveykit.reports import open_report" in failure.message
    )
    assert "no_such_institution" in failure.message
    assert [c[:2] for c in calls] == [(1, 3), (2, 3), (3, 3)]
    assert not list(out.glob("*no_such_institution*"))  # no partial output
    assert "с ошибкой: 1" in summary.text("ru")


def test_institution_pdf_has_the_name_and_the_score(batch, sample):
    summary, out, _ = batch
    made = next(r for r in summary.made if r.kind == "institution")
    pdf = made.files["pdf"]
    text = _pdf_text(pdf)
    data = dashboard_data(sample.frames, language="ru", k=5)
    view = data.institution("kcson_sev")
    score = f"{view.S:.2f}".replace(".", ",")
    assert "КЦСОН Северного района" in text and score in text
    for heading in (
        "Место в рейтинге",
        "Критерии и показатели",
        "Квалифицированное заключение",
        "Сайт, информационный стенд и доступность",
        "Лучшие практики",
        "Методика и данные",
    ):
        assert heading in text
    assert data.snapshot().content_hash[:16] in text.replace("\n", "")  # the data snapshot's hash
    assert "ru_nok_344n_2018" in text
    png = _first_page_png(pdf, "report-institution-page1")
    assert png.exists() and png.stat().st_size > 20_000


def test_region_pdf(batch):
    summary, out, _ = batch
    made = next(r for r in summary.made if r.kind == "region")
    text = _pdf_text(made.files["pdf"])
    assert "Северо-Западная область" in text and "КЦСОН Заречного района" in text
    assert "n < 5" in text  # the small institution is listed without its numbers
    png = _first_page_png(made.files["pdf"], "report-region-page1")
    assert png.exists()


def test_html_is_the_printed_page(batch):
    summary, _, _ = batch
    made = next(r for r in summary.made if r.kind == "institution")
    page = made.files["html"].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="ru">' in page
    assert "open_report" not in page and "report.title()" not in page  # no code
    assert page.count('<figure class="chart"><img alt="') == 4  # static images with their titles as alt text
    assert "cdn.plot.ly" not in page and "<script" not in page


def test_report_content_of_a_withheld_institution_has_no_numbers(sample):
    data = dashboard_data(sample.frames, language="en", k=5)
    report = InstitutionReport(data, "dom_ryabinka")
    text = " ".join(
        str(getattr(report, name)()) for name in ("key_figures", "measures_table", "conclusion", "method")
    )
    assert "n &lt; 5" in text and "fewer than 5" in text
    assert "Recipients interviewed: 3" not in text and ">3<" not in text
    region = RegionReport(data)
    table = str(region.rating_table())
    row = re.search(r"<tr><td class='num'></td><td>Малый дом-интернат «Рябинка»</td>(.*?)</tr>", table)
    assert row and set(re.findall(r">([^<>]+)<", row.group(1))) == {"n &lt; 5"}


def test_the_notebooks_are_thin_and_committed_without_outputs():
    for kind in ("institution", "region"):
        notebook = nbformat.read(str(report_notebook(kind)), as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1
        assert all(not c.outputs and c.execution_count is None for c in code)
        for cell in code[2:]:
            assert re.fullmatch(r"report\.\w+\(\)", cell.source.strip()), cell.source


def test_a_failing_pdf_removes_the_html_too(monkeypatch, tmp_path):
    """When the PDF cannot be printed, the report's HTML (already written) is removed and the error names it."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": "<h1>x</h1>"},
            metadata={"surveykit": {"name": "X", "period": "2025"}},
        )
    ]
    notebook.cells = [cell]
    monkeypatch.setattr(render_module, "execute_notebook", lambda *a, **k: notebook)
    monkeypatch.setattr(render_module, "chromium_path", lambda: None)
    with pytest.raises(ExportError) as err:
        render_report("institution", institution_id="x", period="2025", out_dir=tmp_path)
    assert "Chromium was not found" in str(err.value) and err.value.code is ErrorCode.EXPORT_WRITE_FAILED
    assert list(tmp_path.iterdir()) == []


def test_bad_requests_are_refused_before_running_anything(tmp_path):
    with pytest.raises(ReportError) as err:
        render_report("institution", out_dir=tmp_path)
    assert "needs an institution" in str(err.value)
    with pytest.raises(ReportError):
        render_report("region", out_dir=tmp_path, formats=("docx",))
    with pytest.raises(ReportError):
        report_notebook("annual")


def test_cli_refuses_an_institution_report_without_an_institution(capsys):
    from surveykit.cli.main import main

    assert main(["report", "institution"]) == 1
    assert "no institution given" in capsys.readouterr().err


def test_cli_json_summary(monkeypatch, capsys, tmp_path):
    """The command only parses and calls the library: here the library is replaced by a recorder."""
    from surveykit.cli.main import main
    from surveykit.reports import BatchSummary

    seen = {}

    def fake(institutions, **options):
        seen.update(options, institutions=institutions)
        return BatchSummary(out_dir=tmp_path)

    monkeypatch.setattr("surveykit.reports.generate_reports", fake)
    assert (
        main(["report", "all", "--json", "--period", "2025", "--format", "pdf", "--out", str(tmp_path)]) == 0
    )
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert seen["institutions"] == "all" and seen["formats"] == ("pdf",) and seen["region"] is True
    assert seen["period"] == "2025" and seen["jobs"] == 2
