"""Serve the Voilà apps (interview, lessons, exam, practice, trainer, verification, council dashboard) and
print their URLs (the lessons with one URL per module). Runs until interrupted (Ctrl-C). Settings come from
``apps/voila.json``, ``apps/voila.py`` and the surveykit settings (``SURVEYKIT_DATABASE_URL`` chooses the
database, ``SURVEYKIT_MAX_KERNELS`` the open pages one Voilà process holds; docs/deploy.md).

``--workers N`` starts N Voilà processes behind a proxy with sticky sessions on the one port (use a shared
database such as PostgreSQL: each worker opens it on its own)."""

from __future__ import annotations

import argparse
import os
import signal

from surveykit.config import DEFAULT_PUBLIC_URL, VERIFY_PATH
from surveykit.ui.server import APPS, app_urls, lesson_urls, serve_workers, start_voila, wait_until_up

NAME = "serve"
HELP = "serve the Voilà apps and print their URLs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="Voilà processes behind one port with sticky sessions (default 1: one process, no proxy); "
        "about one per core",
    )


def _announce(port: int) -> None:
    print("surveykit apps are ready:")
    for name, url in app_urls(port).items():
        print(f"  {name:<11} {url}   ({APPS[name]})")
    for module_id, url in lesson_urls(port).items():
        print(f"    lesson {module_id:<4} {url}")
    print("Stop with Ctrl-C.", flush=True)


def served_env(port: int) -> dict[str, str]:
    """The apps' ``SURVEYKIT_PUBLIC_URL`` when no address is configured: the one served here, so that the
    certificates issued by the apps point their QR code at this server (issue 16), not at port 8866."""
    from surveykit.config import settings

    current = settings()
    if current.public_url.strip() or os.environ.get("SURVEYKIT_VERIFY_URL", "").strip():
        return {}
    if current.verify_url != f"{DEFAULT_PUBLIC_URL}{VERIFY_PATH}":  # set in surveykit.toml
        return {}
    return {"SURVEYKIT_PUBLIC_URL": f"http://127.0.0.1:{port}"}


def run(args: argparse.Namespace) -> int:
    if args.workers < 1:
        print(
            f"serve: --workers must be at least 1, got {args.workers}: give the number of Voilà processes, e.g. 2"
        )
        return 2
    if args.workers > 1:
        try:
            return serve_workers(
                args.port,
                args.workers,
                announce=lambda ports: (
                    print(f"{len(ports)} Voilà workers on ports {', '.join(map(str, ports))}"),
                    _announce(args.port),
                ),
                env=served_env(args.port),
            )
        except KeyboardInterrupt:
            return 0
    process = start_voila(args.port, env=served_env(args.port))
    try:
        wait_until_up(args.port, timeout=120, process=process)
        _announce(args.port)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except Exception:
                process.kill()
