"""The JupyterHub deployment as deploy/jupyterhub_config.py sets it up: the hub (from PyPI) and its proxy
(configurable-http-proxy from npm, installed by .ci/run) on loopback ports, surveykit's own sign-in, each
person's Voilà server spawned by the hub, PostgreSQL as the shared store. An interviewer and a supervisor sign
in through the hub, land on their app and use it; a wrong code is refused in both languages; a page served
through the hub still cannot run code of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from surveykit.config import PROJECT_ROOT
from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.ui.server import free_port

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

TIMEOUT = 240_000


def _require_hub() -> None:
    """Skip (or, in CI with SURVEYKIT_REQUIRE_BROWSER=1, fail) without JupyterHub or its proxy."""
    reason = None
    try:
        from surveykit.hub import proxy_command

        proxy_command()
    except ImportError:
        reason = 'JupyterHub is not installed (pip install -e ".[serve]")'
    except FileNotFoundError as err:
        reason = str(err)
    if reason:
        if os.environ.get("SURVEYKIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (SURVEYKIT_REQUIRE_BROWSER=1)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def hub(postgres_cluster, tmp_path_factory):
    _require_hub()
    url = postgres_cluster.create_database("serving_hub")
    build_demo(url, seed=11, size="small")
    folder = tmp_path_factory.mktemp("hub")
    port = free_port()
    env = {
        **os.environ,
        "SURVEYKIT_DATABASE_URL": url,
        "SURVEYKIT_DATA_DIR": str(folder),
        "SURVEYKIT_HUB_PORT": str(port),
        "SURVEYKIT_HUB_API_PORT": str(free_port()),
        "SURVEYKIT_HUB_PROXY_API_PORT": str(free_port()),
        "SURVEYKIT_HUB_STATE": str(folder / "state"),
    }
    log = folder / "hub.log"
    command = [
        str(Path(sys.executable).with_name("jupyterhub")),
        "-f",
        str(PROJECT_ROOT / "deploy" / "jupyterhub_config.py"),
    ]
    with open(log, "ab") as out:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log.read_text("utf-8", "replace")[-3000:]
            try:
                with urllib.request.urlopen(f"{base}/hub/login", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert time.monotonic() < deadline, log.read_text("utf-8", "replace")[-3000:]
            time.sleep(1)
        yield {"base": base, "log": log}
    finally:
        process.send_signal(signal.SIGTERM)  # the hub stops the servers it spawned, and its proxy
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def _hub_sign_in(page, base: str, login: str, code: str) -> None:
    page.goto(f"{base}/hub/login", timeout=TIMEOUT)
    page.fill("#username_input", login)
    page.fill("#password_input", code)
    page.click("#login_submit")


def _app_sign_in(page, login: str) -> None:
    page.locator(".sk-login input").fill(login, timeout=TIMEOUT)
    page.locator(".sk-code input").fill(DEMO_ACCESS_CODE)
    page.locator(".sk-sign-in").click()


def test_two_roles_sign_in_through_the_hub_and_use_their_apps(browser, hub, artifacts, tmp_path):
    base = hub["base"]
    refused = browser.new_context(locale="ru-RU")
    page = refused.new_page()
    _hub_sign_in(page, base, "anna", "0000")
    error = page.locator(".login_error")
    error.wait_for(timeout=TIMEOUT)
    assert (
        "Неверный логин или код доступа" in error.inner_text()
        and "Wrong login or access code" in error.inner_text()
    )
    assert page.locator("label[for=username_input]").inner_text() == "Логин · Login"
    page.screenshot(path=str(artifacts / "serving-hub-refused.png"))
    refused.close()

    interviewer = browser.new_context(locale="ru-RU", viewport={"width": 1100, "height": 900})
    anna = interviewer.new_page()
    _hub_sign_in(anna, base, "anna", DEMO_ACCESS_CODE)
    anna.wait_for_url("**/user/anna/voila/render/interview.ipynb", timeout=TIMEOUT)  # her app, her server
    _app_sign_in(anna, "anna")
    anna.locator("[class*='sk-start-']").first.wait_for(timeout=TIMEOUT)
    anna.locator("[class*='sk-start-']").first.click()
    anna.locator(".sk-contact-consent").wait_for(timeout=TIMEOUT)
    anna.screenshot(path=str(artifacts / "serving-hub-interviewer.png"), full_page=True)

    supervisor = browser.new_context(locale="en-US", viewport={"width": 1200, "height": 1000})
    olga = supervisor.new_page()
    _hub_sign_in(olga, base, "olga", DEMO_ACCESS_CODE)
    olga.wait_for_url("**/user/olga/voila/render/supervisor.ipynb", timeout=TIMEOUT)
    _app_sign_in(olga, "olga")
    olga.locator(".sk-card").first.wait_for(timeout=TIMEOUT)
    olga.screenshot(path=str(artifacts / "serving-hub-supervisor.png"), full_page=True)

    # a page served through the hub still cannot run code of its own (Voilà's message filter)
    from surveykit.ui.kernel_probe import probe_kernel

    marker = tmp_path / "marker.txt"
    result = probe_kernel(f"{base}/user/anna/voila/render/verify.ipynb", marker)
    assert result.kernel_answered and not result.code_ran and not marker.exists()

    for context in (interviewer, supervisor):
        for page in context.pages:
            page.close(run_before_unload=True)
        context.close()
    log = hub["log"].read_text("utf-8", "replace")
    assert "surveykit sign-in refused for 'anna'" in log
