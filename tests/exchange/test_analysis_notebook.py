"""The sociologist's notebook as it is read (issue 16 item 9): one wave unless asked, charts that draw their
bars with every label and one title, tables without 2504.0, NaN or 32.319392, exports in data/exports/.

The notebook runs headless on a small demo database (two waves, eight institutions) and its outputs are
inspected; the charts' rules for many groups are checked on the package functions it calls (24+ groups)."""

from __future__ import annotations

import json
import re
import subprocess

import nbformat
import numpy as np
import pandas as pd
import pytest

from surveykit import exchange as ex
from surveykit.config import PROJECT_ROOT

NOTEBOOK = PROJECT_ROOT / "notebooks" / "analysis.ipynb"
PLOTLY = "application/vnd.plotly.v1+json"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook run with its own parameters on a two-wave demo; the data folder is the test's."""
    from nbclient import NotebookClient

    from surveykit.config import settings
    from surveykit.demo import build_demo

    folder = tmp_path_factory.mktemp("analysis")
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    build_demo(url, seed=5, size="small", quality_control=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    injected = nbformat.v4.new_code_cell(
        f"database_url = {url!r}", metadata={"tags": ["injected-parameters"]}
    )
    notebook.cells.insert(notebook.cells.index(parameters) + 1, injected)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SURVEYKIT_DATA_DIR", str(folder / "data"))
        settings.cache_clear()
        NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
        ).execute()
    settings.cache_clear()
    return notebook, folder, url


def _outputs(notebook, kind):
    return [
        o["data"][kind] for c in notebook.cells for o in c.get("outputs", []) if kind in o.get("data", {})
    ]


def _figures(notebook):
    import plotly.io as pio

    return [pio.from_json(json.dumps(f)) for f in _outputs(notebook, PLOTLY)]


def _text(notebook) -> str:
    return "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))


@pytest.mark.notebook
def test_the_notebook_shows_one_wave_and_says_which(executed):
    notebook, _, url = executed
    from surveykit.store import Store

    with Store.open(url) as store:
        frame = store.interviews_frame("recipient_survey")
    latest = frame[frame["period"] == "2026"]
    assert set(frame["period"]) == {"2025", "2026"}  # the database has two waves
    assert f"wave 2026: {len(latest)} interviews, 8 institutions" in _text(notebook)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "period = None" in code and "одну волну" in notebook.cells[0].source


@pytest.mark.notebook
def test_every_chart_draws_its_bars_with_one_title_and_the_legend_above(executed):
    notebook, _, _ = executed
    frequency, cross, shares, likert = _figures(notebook)
    for figure in (frequency, cross, shares, likert):
        bars = [trace for trace in figure.data if trace.type == "bar"]
        assert bars and all(len(b.x) and len(b.y) for b in bars)
        values = [b.y if b.orientation != "h" else b.x for b in bars]
        assert all(np.nansum(np.asarray(v, dtype=float)) > 0 for v in values)
    # the crosstab: stacked column percentages (100 per column), the two questions once, the legend over the
    # bars' top, not over the labels
    totals = np.sum([np.asarray(b.y, dtype=float) for b in cross.data], axis=0)
    assert np.allclose(totals, 100, atol=0.2)
    assert cross.layout.legend.title.text in (None, "")
    assert cross.layout.title.text.count("×") == 1
    assert cross.layout.legend.orientation == "h" and cross.layout.legend.y >= 1
    assert cross.layout.margin.t >= 24 * (cross.layout.title.text.count("<br>") + 1) + 50
    # the institutions: every one labelled; the Likert items: room to read them
    assert len(shares.data[0].y) == 8 and shares.layout.yaxis.dtick == 1
    assert likert.layout.height >= 6 * 56


@pytest.mark.notebook
def test_the_tables_show_counts_percentages_and_no_nan(executed):
    notebook, _, _ = executed
    tables = _outputs(notebook, "text/html")
    assert len(tables) == 4
    for table in tables:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", table, flags=re.S)
        assert cells and not [c for c in cells if c.strip().lower() in ("nan", "none", "<na>")]
        assert not [c for c in cells if re.fullmatch(r"\s*-?\d+\.\d{3,}\s*", c)], "rounded"
    frequency, _, shares, likert = tables
    counts = re.findall(r"<td[^>]*>(.*?)</td>", frequency)
    assert "Да" in counts and not any(re.fullmatch(r"\d+\.0", c) for c in counts)
    assert "Нет ответа" not in frequency  # nobody left the question unanswered: no empty row
    assert ">n<" in frequency and "% от валидных" in frequency
    assert "Вопрос" in likert and "cond_" not in likert  # the question, not its code


@pytest.mark.notebook
def test_exports_go_to_the_data_folder(executed):
    import pyreadstat

    notebook, folder, _ = executed
    exports = folder / "data" / "exports"
    data, _ = pyreadstat.read_sav(str(exports / "recipient_survey.sav"))
    assert set(data["period"]) == {"2026"}  # the wave shown is the wave exported
    assert (exports / "recipient_survey_codebook.html").is_file()
    assert not (folder / "exports").exists() and not (NOTEBOOK.parent / "exports").exists()
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "data/exports/recipient_survey.sav"], cwd=PROJECT_ROOT
    )
    assert ignored.returncode == 0  # git keeps the exports out


# --- the package functions the notebook calls, with 24+ groups ------------------------------------------------


def _many_groups(n: int) -> pd.DataFrame:
    names = [f"Реабилитационный центр для инвалидов «Озёрный район» № {i + 1}" for i in range(n)]
    rng = np.random.default_rng(1)
    share = rng.uniform(60, 99, n)
    table = pd.DataFrame(
        {"group": names, "n": 40, "n_eff": 40.0, "share": share, "lo": share - 8, "hi": share + 4}
    )
    table.attrs.update({"title": "Готовы ли Вы рекомендовать организацию?", "values": "Да", "language": "ru"})
    return table


@pytest.mark.parametrize("groups", [24, 40])
def test_the_shares_chart_labels_every_group_and_grows_with_them(groups):
    figure = ex.shares_figure(_many_groups(groups))
    labels = [label.replace("<br>", " ") for label in figure.data[0].y]
    assert labels == list(_many_groups(groups)["group"])
    assert figure.layout.yaxis.dtick == 1 and figure.layout.yaxis.automargin
    lines = max(label.count("<br>") + 1 for label in figure.data[0].y)
    assert figure.layout.height - figure.layout.margin.t >= groups * max(26, 16 * lines + 8)


def test_one_period_takes_the_latest_wave_or_the_one_asked_for_and_names_the_others():
    from surveykit.errors import SurveykitError

    frame = pd.DataFrame({"period": ["2025", "2026", "2026", "2025"], "x": [1, 2, 3, 4]})
    latest, period = ex.one_period(frame)
    assert period == "2026" and latest["x"].tolist() == [2, 3]
    earlier, period = ex.one_period(frame, "2025")
    assert period == "2025" and earlier["x"].tolist() == [1, 4]
    with pytest.raises(SurveykitError) as err:
        ex.one_period(frame, "2024")
    assert "2025, 2026" in str(err.value)
    empty, period = ex.one_period(frame.iloc[0:0])
    assert period is None and empty.empty


def test_the_table_view_rounds_and_names_columns_in_the_language():
    table = pd.DataFrame(
        {"item": ["a"], "label": ["Пункт"], "n": [2504.0], "top_box": [32.319392], "sd": [1.0312]}
    )
    html = ex.table_view(table, "en").to_html()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
    assert cells == ["Пункт", "2504", "32.3", "1.03"]
    assert "Question" in html and ">item<" not in html
