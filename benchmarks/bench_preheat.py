"""Voilà's preheated kernel pool for the interview app: time to interactive with and without it (issue 17).

With ``preheat_kernel`` Voilà keeps ``default_pool_size`` kernels per notebook that have already run the
notebook; a visitor gets one of them and the rendered page at once. Two properties of Voilà 0.5 decide whether
surveykit can use it:

* ``preheat_kernel`` and ``prelaunch_hook`` are refused together (Voilà stops at start-up). surveykit's hook
  (:func:`surveykit.ui.server.admit_page`, ``apps/voila.py``) is the admission control (at most
  ``max_kernels`` pages, then "server is busy") and sets the ``_xsrf`` cookie that lets a closed tab shut its
  kernel down. The preheated set-ups here run without it.
* a preheated kernel runs the notebook before any request: the page's URL (``?lang=en``, ``?assignment=``) is
  not there yet. A notebook can wait for it (``voila.utils.wait_for_request()``) before the cell that reads
  it; what comes before (the imports) is preheated, the rest runs after the request as without a pool.

Measured in one run, loads alternating so that machine noise hits all alike (one browser, a tab per load,
closed with its kernel before the next): the bare one-widget page (the floor), the interview app as served
(no pool), the app preheated as it is (the language of the URL is lost), and the app preheated with its
notebook waiting for the request before ``InterviewApp.from_request()``. Reported: time to interactive (until
the sign-in field is usable) against the bare page, whether ``?lang=en`` gave the English page, and the
server's resident memory when idle (the pool's kernels wait there, one set per app notebook).
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_apps import BARE, _time_to
from benchmarks.harness import Measurement
from surveykit.demo import build_demo
from surveykit.i18n import t
from surveykit.ui.browser import VoilaServer, chromium_path, launch_chromium
from surveykit.ui.server import apps_dir

# a preheated kernel waits for the page's URL (its language) before the app reads it; the kernel runs in the
# apps folder, whose configuration file voila.py would shadow the voila package: import it from elsewhere
_WAIT = (
    "import os, sys\n"
    "_path = list(sys.path)\n"
    "sys.path[:] = [p for p in sys.path if p not in ('', '.', os.getcwd())]\n"
    "sys.modules.pop('voila', None)\n"
    "from voila.utils import wait_for_request\n"
    "sys.path[:] = _path\n"
    "wait_for_request()\n"
)


def _root(folder: Path, *, preheat: int, wait: bool) -> Path:
    """A copy of the interview app's folder: its notebook (waiting for the request when ``wait``), voila.json
    with a pool of ``preheat`` kernels, voila.py without the prelaunch hook Voilà refuses with a pool."""
    folder.mkdir()
    notebook = json.loads((apps_dir() / "interview.ipynb").read_text(encoding="utf-8"))
    if wait:
        for cell in notebook["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and "from_request()" in source:
                cell["source"] = source.replace("InterviewApp.from_request()", _WAIT + "InterviewApp.from_request()")
    (folder / "interview.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    config = json.loads((apps_dir() / "voila.json").read_text(encoding="utf-8"))
    config["VoilaConfiguration"].update(preheat_kernel=True, default_pool_size=preheat)
    (folder / "voila.json").write_text(json.dumps(config), encoding="utf-8")
    hooks = (apps_dir() / "voila.py").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "voila.py").write_text("".join(x for x in hooks if "prelaunch_hook" not in x), encoding="utf-8")
    return folder


def run(quick: bool = False) -> list[Measurement]:
    if chromium_path() is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    loads = 3 if quick else 9
    pool = 2
    english = t("app.interview_title", "en")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'surveykit.sqlite'}"
        build_demo(url, seed=5, size="small")
        env = {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder)}
        bare_root = folder / "bare"
        bare_root.mkdir()
        (bare_root / "bare.ipynb").write_text(json.dumps(BARE), encoding="utf-8")
        shutil.copyfile(apps_dir() / "voila.json", bare_root / "voila.json")
        servers = {
            "bare": VoilaServer(env=env, log=folder / "bare.log", root=bare_root),
            "app": VoilaServer(env=env, log=folder / "app.log"),
            "preheated": VoilaServer(
                env=env, log=folder / "pre.log", root=_root(folder / "pre", preheat=pool, wait=False)
            ),
            "preheated, waiting for the URL": VoilaServer(
                env=env, log=folder / "wait.log", root=_root(folder / "wait", preheat=pool, wait=True)
            ),
        }
        for server in servers.values():
            server.start()
        try:
            time.sleep(20)  # the pools fill (each kernel runs the notebook) before anything is measured
            idle = {name: server.memory_mb() for name, server in servers.items()}
            times: dict[str, list[float]] = {name: [] for name in servers}
            english_pages: dict[str, int] = {name: 0 for name in servers}
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright).new_context()
                for _ in range(loads):
                    for name, server in servers.items():
                        page = browser.new_page()
                        if name == "bare":
                            times[name].append(_time_to(page, server.url("bare"), ".bare-ready"))
                        else:
                            times[name].append(_time_to(page, server.url("interview", lang="en"), ".sk-login input"))
                            english_pages[name] += english in page.locator(".sk-app").first.inner_text()
                        page.close(run_before_unload=True)
                        time.sleep(1)
                browser.browser.close()
        finally:
            for server in servers.values():
                server.stop()
    bare = statistics.median(times["bare"])
    out = []
    for name in ("app", "preheated", "preheated, waiting for the URL"):
        out.append(
            Measurement(
                f"interview app ({name}{f', pool of {pool}' if name != 'app' else ''}): time to interactive "
                f"(median of {loads}; ?lang=en gave English {english_pages[name]}/{loads}; idle server "
                f"{idle[name]:.0f} MiB)",
                statistics.median(times[name]),
                "bare one-widget Voilà page",
                bare,
                target="<= 1.2x",
                met=statistics.median(times[name]) <= 1.2 * bare,
                extra={
                    "times": times[name],
                    "bare_times": times["bare"],
                    "english_pages": english_pages[name],
                    "loads": loads,
                    "idle_server_mib": idle[name],
                    "idle_bare_server_mib": idle["bare"],
                },
            )
        )
    return out
