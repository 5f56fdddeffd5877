"""An app's kernel imports only what its first screen (the sign-in) needs: the migration runner, backups,
imports and exports, the analysis stack, plotting and the spreadsheet and SPSS/Stata readers load on first
use. Each app module is imported the way its notebook does, in a fresh interpreter."""

from __future__ import annotations

import json
import re

import pytest

from surveykit.lazy import probe_imports
from surveykit.ui.server import apps_dir

#: modules no app may import before its first screen (SQLAlchemy Core and pandas are allowed: the store)
HEAVY = (
    "alembic",  # the migration runner: `surveykit db upgrade` only
    "surveykit.store.migrate",
    "surveykit.store.backup",
    "surveykit.store.importer",
    "surveykit.store.exporter",
    "surveykit.exchange",  # exports, codebooks, analysis
    "surveykit.reports",
    "surveykit.quality.checks",  # the quality checks (SciPy)
    "surveykit.dashboard.charts",  # plotly
    "scipy",
    "statsmodels",
    "plotly",
    "pyreadstat",
    "openpyxl",
    "fpdf",
    "matplotlib",
)
_IMPORT = re.compile(r"^from (surveykit\.ui\.\w+) import (\w+)", re.MULTILINE)


def _app_imports() -> list[tuple[str, str]]:
    """(notebook, import statement) of every app notebook, read from the notebooks themselves."""
    found = []
    for notebook in sorted(apps_dir().glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        source = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        for module, name in _IMPORT.findall(source):
            found.append((notebook.stem, f"from {module} import {name}"))
    return found


APP_IMPORTS = _app_imports()


def test_every_app_notebook_is_checked():
    names = {notebook for notebook, _ in APP_IMPORTS}
    assert names == {p.stem for p in apps_dir().glob("*.ipynb")}
    assert len(names) >= 9


@pytest.mark.parametrize(("notebook", "statement"), APP_IMPORTS, ids=[n for n, _ in APP_IMPORTS])
def test_an_app_kernel_does_not_import_what_its_first_screen_does_not_need(notebook, statement):
    probe = probe_imports(statement)
    assert probe.loaded(HEAVY) == [], f"{notebook}: `{statement}` imports {probe.loaded(HEAVY)}"
    assert "ipywidgets" in probe.modules  # the probe really imported the app


def test_the_heavy_parts_still_load_when_used():
    """Lazy names resolve: the packages made lazy still give what they export."""
    probe = probe_imports(
        "from surveykit.dashboard import charts, council_workbook; from surveykit.quality import run_checks; "
        "from surveykit.store import ImportResult; from surveykit.store.migrate import upgrade"
    )
    assert probe.loaded(("plotly", "scipy", "alembic", "surveykit.store.importer")) == [
        "alembic",
        "plotly",
        "scipy",
        "surveykit.store.importer",
    ]
