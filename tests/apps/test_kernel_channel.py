"""The kernel cannot be driven from the browser (issue 13): a browser-free client opens an app page through
a running Voilà server, connects to its kernel's websocket and sends an ``execute_request`` whose code reads
the response store and writes a marker file. Voilà's allowed message types drop it: the kernel answers an
allowed ``kernel_info_request`` (so the connection reaches it) but never runs the code. The same probe
against a server started with the restriction turned off does run the code, so this test fails if someone
turns the restriction off (docs/security.md: every serving set-up must keep it, the hub included)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from surveykit.store import Store
from surveykit.ui.kernel_probe import probe_kernel
from surveykit.ui.server import apps_dir, free_port, prepare_static, voila_command, wait_until_up

pytestmark = pytest.mark.slow

#: a Voilà whose kernel manager lets every message through (what a careless serving set-up would do)
UNRESTRICTED = """
import voila.app

_factory = voila.app.voila_kernel_manager_factory


def _open_factory(*args, **kwargs):
    base = _factory(*args, **kwargs)

    class Unrestricted(base):
        def __init__(self, **options):
            options["allowed_message_types"] = []  # empty: every message type allowed
            super().__init__(**options)

    return Unrestricted


voila.app.voila_kernel_manager_factory = _open_factory
voila.app.main()
"""


@pytest.fixture
def database(tmp_path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'surveykit.sqlite'}"
    Store.upgrade(url)
    with Store.open(url) as store:
        store.add_person("secret_person", "Секретный Человек", ["council"])
    return {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(tmp_path / "data")}


@pytest.mark.parametrize("app", ["verify", "dashboard"])
def test_a_page_visitor_cannot_run_code_in_the_app_kernel(voila_server, database, tmp_path, app):
    server = voila_server(database)
    marker = tmp_path / f"ran-{app}.txt"
    result = probe_kernel(server.url(app), marker)
    assert result.kernel_answered, f"the probe never reached the kernel: {result.replies}"
    assert not result.code_ran and not marker.exists(), (
        f"the kernel ran code sent by the page: {result.replies}"
    )
    log = (tmp_path / "voila-0.log").read_text(encoding="utf-8", errors="replace")
    assert 'Received message of type "execute_request", which is not allowed' in log


def test_the_probe_sees_code_run_when_the_restriction_is_off(database, tmp_path):
    """The counter-test: with ``allowed_message_types`` empty the very same probe runs code that reads the
    store, so the test above can fail."""
    launcher = tmp_path / "unrestricted_voila.py"
    launcher.write_text(UNRESTRICTED, encoding="utf-8")
    port = free_port()
    prepare_static(apps_dir())
    command = [sys.executable, str(launcher), *voila_command(port)[1:]]
    log = (tmp_path / "unrestricted.log").open("ab")
    process = subprocess.Popen(
        command, cwd=apps_dir(), env={**os.environ, **database}, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(port, timeout=120, process=process)
        marker = tmp_path / "ran.txt"
        result = probe_kernel(f"http://127.0.0.1:{port}/voila/render/verify.ipynb", marker, wait=20)
        assert result.kernel_answered and result.code_ran
        assert marker.exists() and "secret_person" in marker.read_text(encoding="utf-8")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_the_served_configuration_keeps_the_restriction():
    """apps/voila.json and apps/voila.py must not widen what a page may send to its kernel."""
    text = (Path(apps_dir()) / "voila.json").read_text(encoding="utf-8") + (
        Path(apps_dir()) / "voila.py"
    ).read_text(encoding="utf-8")
    assert "allowed_message_types" not in text
