"""The analysis notebook: committed without outputs, one papermill ``parameters`` cell, thin, and it runs
headless (nbclient) from the store to a labelled .sav file and a codebook."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import nbformat
import pyreadstat
import pytest

from surveykit.config import PROJECT_ROOT

NOTEBOOK = Path(os.environ.get("SURVEYKIT_ANALYSIS_NOTEBOOK", PROJECT_ROOT / "notebooks" / "analysis.ipynb"))


def _parameters(notebook):
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "exactly one cell tagged 'parameters'"
    return cells[0]


def test_the_notebook_is_committed_clean_and_thin():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    names = {t.id for node in ast.parse(_parameters(notebook).source).body for t in node.targets}
    assert {"database_url", "language", "output_dir"} <= names
    for cell in code:  # thin: no functions, classes or loops of its own; the rules live in the package
        tree = ast.parse(cell.source)
        assert not [
            n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While))
        ]
        assert len(cell.source.splitlines()) <= 10


@pytest.mark.notebook
def test_the_notebook_runs_headless_and_writes_a_labelled_sav(db_url, tmp_path):
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    out = tmp_path / "exports"
    injected = nbformat.v4.new_code_cell(
        f"database_url = {db_url!r}\nlanguage = 'ru'\noutput_dir = {str(out)!r}\nperiod = '2026Q1'",
        metadata={"tags": ["injected-parameters"]},
    )
    notebook.cells.insert(notebook.cells.index(_parameters(notebook)) + 1, injected)
    NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    data, meta = pyreadstat.read_sav(str(out / "recipient_survey.sav"), user_missing=True)
    assert len(data) == 30
    assert meta.variable_value_labels["q13"][98.0] == "Затрудняюсь ответить"
    assert meta.missing_ranges["q13"] == [{"lo": 98.0, "hi": 98.0}]
    assert (out / "recipient_survey_codebook.html").exists()
    printed = "".join(o.get("text", "") for o in notebook.cells[3].outputs)
    assert "30 interviews, 3 institutions" in printed
