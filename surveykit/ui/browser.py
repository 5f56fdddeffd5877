"""Driving the apps in a real browser: Debian's Chromium through Playwright, and a Voilà server to drive.

Used by the browser tests (``tests/conftest.py``) and the app benchmarks, so both start the server and
the browser exactly the way users do. Never ``playwright install``: there are no browser downloads here;
Playwright drives ``/usr/bin/chromium`` (Debian package ``chromium``). The flags keep Chromium from
reaching for the internet, which this machine does not have.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from surveykit.ui.server import free_port, start_voila, wait_until_up

__all__ = ["CHROMIUM_ARGS", "VoilaServer", "chromium_path", "launch_chromium"]

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)


def chromium_path() -> str | None:
    """Debian's Chromium, or ``None`` when it is not installed."""
    for candidate in (os.environ.get("SURVEYKIT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def launch_chromium(playwright, **options):
    """A headless Chromium browser from a ``sync_playwright()`` context."""
    path = chromium_path()
    if path is None:
        raise FileNotFoundError("Chromium is not installed: apt-get install chromium")
    return playwright.chromium.launch(
        executable_path=path, headless=True, args=list(CHROMIUM_ARGS), **options
    )


@dataclass
class VoilaServer:
    """A Voilà server on ``apps/`` with its own environment (database, data folder), started on demand."""

    env: Mapping[str, str]
    log: Path | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0) -> VoilaServer:
        self.process = start_voila(self.port, self.env, log=self.log)
        wait_until_up(self.port, timeout=timeout, process=self.process)
        return self

    def url(self, app: str, **params: str) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"http://127.0.0.1:{self.port}/voila/render/{app}.ipynb{query}"

    def kill(self) -> None:
        """SIGKILL the server and its kernels at once (a crash, not a shutdown)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the server and every kernel it started (the whole process group)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            self.kill()
