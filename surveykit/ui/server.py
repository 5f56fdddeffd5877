"""Serving the apps with Voilà: one home for the command line, the Voilà settings and the app URLs.

Used by ``surveykit serve`` (and ``make demo``) and by the browser tests, so what is tested is what users
run. The Voilà settings live in ``apps/voila.json`` (read by Voilà from its working directory); this module
adds only what depends on the run: the port, and the URL under which ``plotly.min.js`` is served.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from surveykit.config import settings

__all__ = [
    "APPS",
    "app_urls",
    "apps_dir",
    "lesson_urls",
    "free_port",
    "prepare_static",
    "start_voila",
    "voila_command",
    "wait_until_up",
]

#: the apps and what they are for (the order is the order they are listed in)
APPS = {
    "interview": "interviewers: sign in, interview, submit",
    "lessons": "trainees: the course lessons M0-M9 with exercises and quizzes (?module=M4&lang=en)",
    "exam": "trainees: the final exam",
    "practice": "trainees: practice interviews with a simulated respondent",
    "trainer": "trainers: cohort progress, exam results, item statistics, certificates",
    "verify": "anyone: verify a certificate by serial, QR link or signed record",
    "dashboard": "council members: ratings, institutions, fieldwork progress",
    "supervisor": "supervisors: review interviews, quality-control cases, back-checks, open answers",
    "admin": "administrators: people, roles, access codes, accounts, the audit log",
}


def apps_dir() -> Path:
    return settings().root / "apps"


def prepare_static(root: Path | None = None) -> Path:
    """Copy ``plotly.min.js`` next to the apps (``apps/static/``) so charts load without internet."""
    import plotly

    target_dir = (root or apps_dir()) / "static"
    target_dir.mkdir(parents=True, exist_ok=True)
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    target = target_dir / "plotly.min.js"
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        shutil.copyfile(source, target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def voila_command(port: int, *, ip: str = "127.0.0.1", extra_args: Sequence[str] = ()) -> list[str]:
    # the ``voila`` script next to this Python, not ``python -m voila``: run from apps/, ``-m`` would import
    # the configuration file apps/voila.py instead of the package
    script = Path(sys.executable).with_name("voila")
    return [str(script), "--no-browser", f"--port={port}", f"--Voila.ip={ip}", *extra_args]


def app_urls(port: int, host: str = "127.0.0.1", root: Path | None = None) -> dict[str, str]:
    folder = root or apps_dir()
    present = {p.stem for p in folder.glob("*.ipynb")}
    return {name: f"http://{host}:{port}/voila/render/{name}.ipynb" for name in APPS if name in present}


def lesson_urls(port: int, host: str = "127.0.0.1", root: Path | None = None) -> dict[str, str]:
    """The lessons app's page of every module of the course (``M0`` -> ``…/lessons.ipynb?module=M0``), read
    from course.yaml; empty when the lessons app or the course file is missing or unreadable."""
    import yaml

    if "lessons" not in app_urls(port, host, root):
        return {}
    try:
        course = yaml.safe_load((settings().questionnaires_dir / "training" / "course.yaml").read_text("utf-8"))
        ids = [str(m["id"]) for m in course["modules"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return {}
    base = app_urls(port, host, root)["lessons"]
    return {module_id: f"{base}?module={module_id}" for module_id in ids}


def start_voila(
    port: int,
    env: Mapping[str, str] | None = None,
    *,
    log: Path | None = None,
    root: Path | None = None,
    extra_args: Sequence[str] = (),
) -> subprocess.Popen:
    """Start Voilà on ``apps/`` (or another folder with a ``voila.json``) in the background; the caller
    stops it."""
    folder = root or apps_dir()
    prepare_static(folder)
    environment = {**os.environ, **(env or {})}
    environment.setdefault("SURVEYKIT_PLOTLY_JS", "/voila/files/static/plotly.min.js")
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - handed to the child process
    return subprocess.Popen(
        voila_command(port, extra_args=extra_args),
        cwd=folder,
        env=environment,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_up(port: int, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    """Wait until Voilà answers on ``port`` (raises TimeoutError, or RuntimeError if it exited)."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/voila/"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"Voilà exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:  # any HTTP answer means the server is up (HTTPError is a URLError)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise TimeoutError(f"Voilà did not answer on port {port} within {timeout:.0f} s")


def set_xsrf_cookie(request_handler, notebook=None, cwd=None):
    """Voilà ``prelaunch_hook`` (configured in ``apps/voila.py``): set the ``_xsrf`` cookie with the page.

    When a tab closes, Voilà's page asks the server to shut its kernel down (``POST /voila/api/shutdown``),
    sending the ``_xsrf`` cookie's value. Voilà 0.5 never sets that cookie, so the request is refused (403)
    and every closed tab leaves a kernel behind (about 180 MB each) until culling. Reading the handler's
    ``xsrf_token`` sets the cookie (tornado); the protection against cross-site requests stays on.
    """
    request_handler.xsrf_token  # noqa: B018 - the property sets the cookie
    return None
