"""A closed tab's kernel is shut down (Voilà's unload request passes the server's XSRF check), so an app
server does not fill up with abandoned kernels of about 180 MB each."""

from __future__ import annotations

import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_closing_a_tab_shuts_its_kernel_down(browser, voila_server, tmp_path):
    from surveykit.store import Store

    url = f"sqlite:///{tmp_path / 'surveykit.sqlite'}"
    Store.upgrade(url)
    server = voila_server({"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(tmp_path)})
    context = browser.new_context()  # a browser that stays open while a tab closes, as people's do
    idle = len(server.processes())
    for _ in range(2):
        page = context.new_page()
        page.goto(server.url("verify"), timeout=120_000)
        page.locator(".sk-app").first.wait_for(timeout=120_000)
        assert len(server.processes()) == idle + 1  # the page's kernel
        page.close(run_before_unload=True)
        deadline = time.monotonic() + 20
        while len(server.processes()) > idle and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(server.processes()) == idle, "the kernel of the closed tab is still running"
    context.close()
