"""Every app page loads completely, again and again, and shows no traceback.

Guards the Voilà trap found on these machines (voila#1428): writing into an ``ipywidgets.Output`` while Voilà
first executes a notebook made about one load in three hang forever. The apps never do that; loading each
one repeatedly (plain HTTP, as a browser's first request) catches a regression: a hang shows up as a
timeout, an error as a traceback in the page. Kernels of these loads are never connected, so the server is
started with a short culling time to keep memory bounded.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from surveykit.demo import build_demo
from surveykit.ui.server import APPS, apps_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOADS = {"interview": 6, "dashboard": 6}  # the apps used most; the others three times each
TIMEOUT = 120  # seconds for one complete page on a busy 2-core machine


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("app-loads")
    url = f"sqlite:///{folder / 'surveykit.sqlite'}"
    build_demo(url, seed=13, size="small")
    return {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder)}


def test_every_app_is_served():
    assert {p.stem for p in apps_dir().glob("*.ipynb")} == set(APPS)


def test_each_app_loads_completely_every_time(env, voila_server):
    culling = ("--MappingKernelManager.cull_idle_timeout=15", "--MappingKernelManager.cull_interval=5")
    server = voila_server(env, extra_args=culling)
    for app in APPS:
        for attempt in range(LOADS.get(app, 3)):
            with urllib.request.urlopen(server.url(app), timeout=TIMEOUT) as response:
                page = response.read().decode("utf-8")
            assert page.rstrip().endswith("</html>"), f"{app}: load {attempt + 1} did not finish"
            assert "Traceback" not in page and "Error" not in _outputs(page), f"{app}: an error on the page"
            assert "application/vnd.jupyter.widget-view+json" in page, (
                f"{app}: no widget on load {attempt + 1}"
            )


def _outputs(page: str) -> str:
    """The text of error outputs Voilà embedded in the page (an exception in a cell)."""
    start = page.find('"output_type": "error"')
    return json.dumps(page[start : start + 400]) if start >= 0 else ""
