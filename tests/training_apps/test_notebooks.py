"""The lesson notebooks and the app notebooks: committed without outputs, thin, one ``parameters`` cell per
lesson, and every lesson notebook runs headless (nbclient) without an error."""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from surveykit.config import PROJECT_ROOT

LESSONS = sorted((PROJECT_ROOT / "notebooks" / "training").glob("M*_*.ipynb"))
APPS = [PROJECT_ROOT / "apps" / f"{name}.ipynb" for name in ("exam", "practice", "trainer", "verify", "lessons")]


def _code(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_one_lesson_notebook_per_module(course):
    assert [p.name.split("_")[0] for p in LESSONS] == list(course.module_ids)


@pytest.mark.parametrize("path", LESSONS + APPS, ids=lambda p: p.name)
def test_notebooks_are_committed_clean_and_thin(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert all(c.get("id") for c in notebook.cells)
    for cell in _code(path):
        assert not cell.outputs and cell.execution_count is None
        tree = ast.parse(cell.source)
        assert not [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.For | ast.While)
        ]
        assert len(cell.source.splitlines()) <= 5
        assert "Output(" not in cell.source  # the Voilà rule: never write into an Output at start-up
    if path in APPS:
        assert len(_code(path)) == 1 and "from_request()" in _code(path)[0].source
    else:
        tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and "language" in tagged[0].source
        # the notebook shows the module's lessons, not developer notes: no markdown cell a trainee would see
        assert not [c for c in notebook.cells if c.cell_type == "markdown"]
        module = path.name.split("_")[0]
        assert f'lesson_page("{module}", language)' in _code(path)[-1].source


def _execute(path: Path) -> list[str]:
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    problems = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" or output.get("name") == "stderr":
                problems.append(
                    f"{path.name} cell {index}: {output.get('ename') or output.get('text', '')[:200]}"
                )
        if cell.cell_type == "code" and cell.get("outputs"):
            shown = cell.outputs[-1].get("data", {})
            assert "application/vnd.jupyter.widget-view+json" in shown, (
                f"{path.name} cell {index} shows no widget"
            )
    return problems


@pytest.mark.notebook
@pytest.mark.slow
def test_every_lesson_notebook_runs_headless():
    """Each notebook in its own kernel (two at a time), exactly as JupyterLab or nbclient would run it."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        problems = [p for found in pool.map(_execute, LESSONS) for p in found]
    assert not problems
