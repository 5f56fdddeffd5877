"""Serving the apps with Voilà: one home for the command line, the Voilà settings and the app URLs.

Used by ``surveykit serve`` (and ``make demo``) and by the browser tests, so what is tested is what users
run. The Voilà settings live in ``apps/voila.json`` and ``apps/voila.py`` (read by Voilà from its working
directory; voila.py takes the kernel limit and idle culling from the surveykit settings and installs
:func:`admit_page`); this module adds only what depends on the run: the port, and the URL under which
``plotly.min.js`` is served. ``surveykit serve --workers N`` runs :func:`serve_workers` (the proxy:
:mod:`surveykit.ui.proxy`).
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
    "admit_page",
    "busy_page",
    "kernel_limit",
    "page_language",
    "set_xsrf_cookie",
    "app_urls",
    "apps_dir",
    "lesson_urls",
    "free_port",
    "prepare_static",
    "serve_workers",
    "start_serve",
    "stop_voila",
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
        course = yaml.safe_load(
            (settings().questionnaires_dir / "training" / "course.yaml").read_text("utf-8")
        )
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


def stop_voila(process: subprocess.Popen) -> None:
    """Stop a Voilà process started by :func:`start_voila` (it shuts its kernels down), killing it after 20 s."""
    import contextlib
    import signal

    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def serve_workers(port: int, workers: int, *, announce=print, env: Mapping[str, str] | None = None) -> int:
    """``surveykit serve --workers N``: N Voilà processes on free loopback ports behind the sticky-session
    proxy of :mod:`surveykit.ui.proxy` on ``port``; runs until interrupted (Ctrl-C or SIGTERM), then stops
    every worker. Each worker's log: ``data/logs/voila-worker-<n>.log``."""
    import asyncio
    import signal

    from surveykit.ui.proxy import make_app

    logs = settings().logs_dir
    logs.mkdir(parents=True, exist_ok=True)
    ports = [free_port() for _ in range(workers)]
    processes = [start_voila(p, env, log=logs / f"voila-worker-{n}.log") for n, p in enumerate(ports)]
    try:
        for p, process in zip(ports, processes):
            wait_until_up(p, timeout=180, process=process)

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            server = make_app(ports, max_message_mb=settings().max_upload_mb + 8).listen(
                port,
                address="127.0.0.1",
                xheaders=False,
                max_body_size=(settings().max_upload_mb + 8) * 2**20,
            )
            announce(ports)
            watch = asyncio.ensure_future(_watch(processes, stop))
            await stop.wait()
            watch.cancel()
            server.stop()

        asyncio.run(main())
        dead = [n for n, process in enumerate(processes) if process.poll() is not None]
        return 1 if dead else 0
    finally:
        for process in processes:
            stop_voila(process)


async def _watch(processes: Sequence[subprocess.Popen], stop) -> None:
    """Stop serving when a worker dies (a supervisor such as systemd then restarts the whole set)."""
    import asyncio

    while not stop.is_set():
        if any(process.poll() is not None for process in processes):
            print(
                "a Voilà worker stopped: stopping (see data/logs/voila-worker-*.log)",
                file=sys.stderr,
                flush=True,
            )
            stop.set()
        await asyncio.sleep(1)


def start_serve(
    port: int, workers: int, env: Mapping[str, str] | None = None, *, log: Path | None = None
) -> subprocess.Popen:
    """Run ``surveykit serve --workers N`` in the background (tests, benchmarks); stop it with SIGTERM
    (it stops its workers) and wait for it."""
    environment = {**os.environ, **(env or {})}
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - handed to the child process
    command = [
        str(Path(sys.executable).with_name("surveykit")),
        "serve",
        f"--port={port}",
        f"--workers={workers}",
    ]
    return subprocess.Popen(command, env=environment, stdout=out, stderr=subprocess.STDOUT)


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


#: what one open app page costs (its kernel), for the automatic kernel limit; measured: 180-250 MB
KERNEL_MB = 250


def kernel_limit() -> int:
    """The most kernels (open app pages) one Voilà process may hold: the ``max_kernels`` setting, or when it is
    0, three quarters of the machine's memory at :data:`KERNEL_MB` a page (at least 2)."""
    configured = settings().max_kernels
    if configured:
        return configured
    try:
        total_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
    except (OSError, StopIteration, ValueError, IndexError):
        total_kb = 8 * 2**20  # not Linux: assume 8 GB
    return max(2, int(total_kb / 1024 * 0.75 // KERNEL_MB))


def page_language(query_lang: str | None, accept_language: str | None) -> str:
    """The language of a server page: ``?lang=``, else the browser's ``Accept-Language`` (by its q-values),
    else the ``default_language`` setting."""
    from surveykit.i18n import UI_LANGUAGES

    if query_lang in UI_LANGUAGES:
        return str(query_lang)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in UI_LANGUAGES and quality > 0:
            ranked.append((-quality, position, language))
    if ranked:
        return min(ranked)[2]
    default = settings().default_language
    return default if default in UI_LANGUAGES else "en"


def busy_page(language: str) -> str:
    """The page a visitor gets when the server holds as many app pages as it may (reloads itself in a
    minute)."""
    from html import escape

    from surveykit.i18n import t

    title, text, retry, again = (
        escape(t(key, language))
        for key in ("serve.busy_title", "serve.busy_text", "serve.busy_retry", "serve.busy_reload")
    )
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="refresh" content="60"><title>{title}</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;"
        "color:#222;line-height:1.5}h1{font-size:1.5em}a{display:inline-block;margin-top:1em;padding:.5em 1em;"
        "background:#1565c0;color:#fff;border-radius:4px;text-decoration:none}</style></head>"
        f'<body class="sk-busy"><h1>{title}</h1><p>{text}</p><p>{retry}</p>'
        f'<a href="" onclick="location.reload();return false">{again}</a></body></html>'
    )


def admit_page(request_handler, notebook=None, cwd=None):
    """Voilà ``prelaunch_hook`` (configured in ``apps/voila.py``): admission control, then the ``_xsrf`` cookie.

    Runs for every app page before its kernel starts. When the process already runs :func:`kernel_limit`
    kernels (started or starting), the visitor gets :func:`busy_page` in their language with HTTP 503 and
    ``Retry-After: 60``, and no kernel is started. The count is exact under concurrent requests: between this
    hook and the kernel manager registering the new kernel as pending, Voilà awaits nothing, so no other
    request is admitted in between. A closed tab shuts its kernel down (see :func:`set_xsrf_cookie`) and frees
    its place; idle kernels are culled (``kernel_idle_minutes``).
    """
    import tornado.web

    manager = request_handler.kernel_manager
    running = set(manager.list_kernel_ids()) | set(getattr(manager, "_pending_kernels", {}) or {})
    if len(running) >= kernel_limit():
        language = page_language(
            request_handler.get_argument("lang", None), request_handler.request.headers.get("Accept-Language")
        )
        request_handler.log.warning("busy: %d kernels running, page refused", len(running))
        request_handler.set_status(503)
        request_handler.set_header("Retry-After", "60")
        request_handler.set_header("Content-Type", "text/html; charset=UTF-8")
        request_handler.finish(busy_page(language))
        raise tornado.web.Finish()
    return set_xsrf_cookie(request_handler, notebook, cwd)
