"""The interview app in headless Chromium: time to interactive and memory per open interview.

Time to interactive: from navigation until the sign-in field is usable, against a bare one-widget Voilà
notebook served the same way in the same run (the floor: Voilà's own start-up, a kernel, the widget
manager). Memory: the Voilà server's process group (server plus one kernel per page) with several
interviews open at once, per open interview, against the same number of bare pages.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Measurement
from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.ui.browser import VoilaServer, chromium_path, launch_chromium
from surveykit.ui.server import apps_dir

BARE = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "bare",
            "metadata": {},
            "outputs": [],
            "source": "import ipywidgets as W\nb = W.Button(description='ready')\nb.add_class('bare-ready')\nb",
        }
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def _time_to(page, url: str, selector: str) -> float:
    start = time.perf_counter()
    page.goto(url, timeout=180_000)
    page.locator(selector).first.wait_for(timeout=180_000)
    return time.perf_counter() - start


def run(quick: bool = False) -> list[Measurement]:
    if chromium_path() is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    loads = 3 if quick else 7
    open_pages = 3 if quick else 6
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'surveykit.sqlite'}"
        build_demo(url, seed=5, size="small")
        env = {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder)}
        bare_root = folder / "bare"
        bare_root.mkdir()
        (bare_root / "bare.ipynb").write_text(json.dumps(BARE), encoding="utf-8")
        (bare_root / "voila.json").write_text(
            (apps_dir() / "voila.json").read_text(encoding="utf-8"), encoding="utf-8"
        )
        app = VoilaServer(env=env, log=folder / "app.log").start()
        bare = VoilaServer(env=env, log=folder / "bare.log", root=bare_root).start()
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright).new_context()  # one browser, a tab per page
                app_times, bare_times = [], []
                for _ in range(loads):  # alternate, so that machine noise hits both alike
                    page = browser.new_page()
                    app_times.append(_time_to(page, app.url("interview"), ".sk-login input"))
                    page.close(run_before_unload=True)
                    page = browser.new_page()
                    bare_times.append(_time_to(page, bare.url("bare"), ".bare-ready"))
                    page.close(run_before_unload=True)
                time.sleep(2)

                def memory_per_page(server: VoilaServer, open_one) -> float:
                    before = server.memory_mb()
                    pages = [open_one() for _ in range(open_pages)]
                    time.sleep(2)
                    after = server.memory_mb()
                    for p in pages:
                        p.close(run_before_unload=True)
                    return (after - before) / open_pages

                def open_interview():
                    page = browser.new_page()
                    page.goto(app.url("interview"), timeout=180_000)
                    page.locator(".sk-login input").fill("anna", timeout=180_000)
                    page.locator(".sk-code input").fill(DEMO_ACCESS_CODE)
                    page.locator(".sk-sign-in").click()
                    page.locator("[class*='sk-start-']").first.click(timeout=180_000)
                    # an interview begins with the contact's first screen: who to interview and consent
                    page.locator(".sk-contact-consent").wait_for(timeout=180_000)
                    return page

                def open_bare():
                    page = browser.new_page()
                    page.goto(bare.url("bare"), timeout=180_000)
                    page.locator(".bare-ready").wait_for(timeout=180_000)
                    return page

                interview_mb = memory_per_page(app, open_interview)
                bare_mb = memory_per_page(bare, open_bare)
                browser.browser.close()
        finally:
            app.stop()
            bare.stop()
    return [
        Measurement(
            f"interview app: time to interactive (median of {loads})",
            statistics.median(app_times),
            "bare one-widget Voilà notebook",
            statistics.median(bare_times),
            extra={"app_times": app_times, "bare_times": bare_times},
        ),
        Measurement(
            f"memory per open interview ({open_pages} open at once)",
            interview_mb,
            "memory per open bare one-widget page",
            bare_mb,
            unit="MiB",
        ),
    ]
