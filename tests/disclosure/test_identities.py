"""Council members never see who interviewed: not in any tab of the dashboard, the workbook or the reports."""

from __future__ import annotations

import html
import io
import re
import zipfile

import pytest

from surveykit.config import settings
from surveykit.dashboard import council_workbook
from surveykit.reports.content import InstitutionReport, RegionReport
from surveykit.store import Store
from surveykit.ui.dashboard_app import DashboardApp

from .conftest import CODE, COUNCIL, SUPERVISOR
from .world import K

pytestmark = pytest.mark.slow


def _texts(widget) -> list[str]:
    """Every text a widget tree shows: HTML, labels of options, descriptions."""
    out = []
    for name in ("value", "description", "tooltip"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            out.append(value)
    for option in getattr(widget, "options", ()) or ():
        out.append(str(option[0] if isinstance(option, tuple) else option))
    for child in getattr(widget, "children", ()) or ():
        out += _texts(child)
    return out


def _plain(text: str) -> str:
    text = html.unescape(text)
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


@pytest.fixture
def app_for(world, monkeypatch):
    monkeypatch.setenv("SURVEYKIT_DATA_DIR", str(world.folder / "data"))
    monkeypatch.setenv("SURVEYKIT_MIN_CELL_SIZE", str(K))
    monkeypatch.setenv("SURVEYKIT_PLOTLY_JS", "/voila/files/static/plotly.min.js")  # as served: not inlined
    settings.cache_clear()
    stores = []

    def open_as(login: str) -> DashboardApp:
        store = Store.open(world.url)
        stores.append(store)
        app = DashboardApp(store, language="ru", sign_in=True)
        app.sign_in(login, CODE)
        assert app.notice.value == "", app.notice.value
        return app

    yield open_as
    for store in stores:
        store.close()
    settings.cache_clear()


def _walk_every_tab(app) -> str:
    seen = []
    for language in ("ru", "en"):
        app.picker.value = language
        for index in range(len(app.TABS)):
            app.tabs.selected_index = index
            if app.TABS[index] == "progress":
                for _, value in app.progress_by.options:
                    app.progress_by.value = value
                    seen += _texts(app)
            elif app.TABS[index] == "institution":
                for _, ident in [*list(app.institution.options)[:2], list(app.institution.options)[-1]]:
                    app.institution.value = ident
                    seen += _texts(app)
            else:
                seen += _texts(app)
    return _plain("\n".join(seen))


def test_no_tab_of_the_council_dashboard_names_an_interviewer(world, app_for):
    app = app_for(COUNCIL)
    assert [v for _, v in app.progress_by.options] == ["institution"]
    text = _walk_every_tab(app)
    names = set(world.sample.interviewers.values())
    ids = set(world.sample.interviewers)
    assert not [n for n in names if n in text], "interviewer names shown to a council member"
    assert not [i for i in ids if re.search(rf"\b{re.escape(i)}\b", text)], "interviewer ids shown"
    assert "Ход опроса, 2025" in text  # the walk did reach the fieldwork chart


def test_a_supervisor_may_see_fieldwork_per_interviewer(world, app_for):
    app = app_for(SUPERVISOR)
    app.tabs.selected_index = app.TABS.index("progress")
    app.progress_by.value = "interviewer"
    assert any(name in _plain(app.progress_plot.value) for name in world.sample.interviewers.values())


def test_the_workbook_and_the_reports_name_no_interviewer(world, council_data):
    names = set(world.sample.interviewers.values()) | set(world.sample.interviewers)
    book = zipfile.ZipFile(io.BytesIO(council_workbook(council_data)))
    xml = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    assert not [n for n in names if n in html.unescape(xml)]
    region = RegionReport(council_data)
    parts = [region.title(), region.key_figures(), region.rating_table(), region.practices(), region.method()]
    for ident in council_data.ranking()["institution_id"][:5]:
        report = InstitutionReport(council_data, ident)
        parts += [report.title(), report.key_figures(), report.measures_table(), report.conclusion()]
        parts += [report.findings(), report.suggestions(), report.method()]
    text = html.unescape("".join(str(p) for p in parts))
    assert not [n for n in names if n in text]
