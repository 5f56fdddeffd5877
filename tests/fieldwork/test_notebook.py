"""The campaign notebook: committed without outputs, one papermill ``parameters`` cell, thin, and it runs
headless (nbclient): imports a register, plans and saves the campaign, shows the rates, writes the exports."""

from __future__ import annotations

import ast

import nbformat
import pandas as pd
import pyreadstat
import pytest

from surveykit.config import PROJECT_ROOT

from .test_contacts import GOOD_LOG

NOTEBOOK = PROJECT_ROOT / "notebooks" / "campaign.ipynb"


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
    assert {"database_url", "period", "register_file", "overrides", "save_plan", "output_dir"} <= names
    for cell in code:  # thin: the rules live in the package
        tree = ast.parse(cell.source)
        assert not [
            n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While))
        ]
        assert len(cell.source.splitlines()) <= 12


@pytest.mark.notebook
def test_the_notebook_runs_headless(campaign_store, write_csv, tmp_path):
    from nbclient import NotebookClient

    from surveykit.fieldwork.contacts import import_contacts

    import_contacts(campaign_store, write_csv("log.csv", GOOD_LOG), period="2026")
    register = write_csv("register.csv", "institution_id,name,type,region,municipality,recipients\n"
                                         "dom_x,Дом без данных,home,south,Южный,90")  # fmt: skip
    out = tmp_path / "exports"
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    injected = nbformat.v4.new_code_cell(
        f"database_url = {campaign_store.url!r}\nregister_file = {str(register)!r}\nsave_plan = True\n"
        f"overrides = ['kcson_sev=150']\noutput_dir = {str(out)!r}",
        metadata={"tags": ["injected-parameters"]},
    )
    notebook.cells.insert(notebook.cells.index(_parameters(notebook)) + 1, injected)
    NotebookClient(notebook, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    printed = "\n".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "'updated': ['dom_x']" in printed and "saved: 4 institutions" in printed
    targets = {t.institution_id: t.target for t in campaign_store.fieldwork.targets(period="2026")}
    assert targets["kcson_sev"] == 150 and targets["dom_x"] == 36  # 40 % of 90
    assert len(pd.read_excel(out / "assignments-2026.xlsx")) == 4
    frame, _ = pyreadstat.read_sav(str(out / "contacts-2026.sav"))
    assert len(frame) == 5 and not frame["interviewer_id"].isin(["anna", "boris"]).any()  # pseudonymised
    html = "".join(
        o.get("data", {}).get("text/html", "") for c in notebook.cells for o in c.get("outputs", [])
    )
    assert "RR1" in html and "kcson_sev" in html
