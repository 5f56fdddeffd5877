"""Write a notebook from cells given as (kind, text) pairs — used to create app and lesson notebooks with
cell ids and no outputs. Usage from Python: ``write_notebook(path, [("md", "# Title"), ("code", "x = 1")])``;
a code cell whose text starts with ``# parameters`` is tagged ``parameters`` (papermill)."""

from __future__ import annotations

from pathlib import Path

import nbformat


def write_notebook(path: str | Path, cells: list[tuple[str, str]]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, text in cells:
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            cell = nbformat.v4.new_code_cell(text)
            if text.lstrip().startswith("# parameters"):
                cell.metadata["tags"] = ["parameters"]
            nb.cells.append(cell)
    nbformat.validate(nb)
    path = Path(path)
    nbformat.write(nb, path)
    return path
