"""Driving the apps in a real browser: Debian's Chromium through Playwright, and a Voilà server to drive.

Used by the browser tests (``tests/conftest.py``) and the app benchmarks, so both start the server and
the browser exactly the way users do. Never ``playwright install``: there are no browser downloads here;
Playwright drives ``/usr/bin/chromium`` (Debian package ``chromium``). The flags keep Chromium from
reaching for the internet, which this machine does not have.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from surveykit.ui.server import free_port, start_voila, wait_until_up

__all__ = [
    "BROWSER_LOCALES",
    "CHROMIUM_ARGS",
    "VoilaServer",
    "browser_locale",
    "chromium_path",
    "launch_chromium",
]

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)


#: the browser locale of a person who reads the apps in a language. Chromium shows an ``<input type=date>`` in
#: the format of the language its *process* runs in (``LANGUAGE``; neither the page's ``lang`` nor
#: Playwright's context ``locale`` changes it): dd.mm.yyyy for ru-RU, dd/mm/yyyy for en-GB, mm/dd/yyyy for
#: en-US. Debian's ``chromium-l10n`` holds the translated field placeholders (дд.мм.гггг).
BROWSER_LOCALES = {"ru": "ru-RU", "en": "en-GB"}


def browser_locale(language: str | None = None) -> str:
    """The browser locale for pages read in ``language`` (default: the apps' default language)."""
    if not language:
        from surveykit.config import settings

        language = settings().default_language
    return BROWSER_LOCALES.get(language, language)


def chromium_path() -> str | None:
    """Debian's Chromium, or ``None`` when it is not installed."""
    for candidate in (os.environ.get("SURVEYKIT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def launch_chromium(playwright, locale: str | None = None, **options):
    """A headless Chromium browser from a ``sync_playwright()`` context; with ``locale`` (``ru-RU``) the
    browser runs in that language, as a person's own browser does (dates in ``<input type=date>``)."""
    path = chromium_path()
    if path is None:
        raise FileNotFoundError("Chromium is not installed: apt-get install chromium")
    if locale:
        options["env"] = {**os.environ, **options.get("env", {}), "LANGUAGE": locale.replace("-", "_")}
    return playwright.chromium.launch(
        executable_path=path, headless=True, args=list(CHROMIUM_ARGS), **options
    )


@dataclass
class VoilaServer:
    """A Voilà server on ``apps/`` with its own environment (database, data folder), started on demand."""

    env: Mapping[str, str]
    log: Path | None = None
    root: Path | None = None  # the folder served (default: apps/)
    extra_args: tuple[str, ...] = ()  # more Voilà options, e.g. a shorter kernel culling time
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0) -> VoilaServer:
        self.process = start_voila(
            self.port, self.env, log=self.log, root=self.root, extra_args=self.extra_args
        )
        wait_until_up(self.port, timeout=timeout, process=self.process)
        return self

    def url(self, app: str, **params: str) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"http://127.0.0.1:{self.port}/voila/render/{app}.ipynb{query}"

    def processes(self) -> list[int]:
        """The server and every process it started (kernels run in sessions of their own)."""
        if self.process is None:
            return []
        children: dict[int, list[int]] = {}
        for status in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(status.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(status.parent.name))
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def memory_mb(self) -> float:
        """Resident memory of the server and its kernels, in MiB."""
        total = 0
        for pid in self.processes():
            try:
                rss_pages = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[21])
            except (OSError, IndexError, ValueError):
                continue
            total += rss_pages * os.sysconf("SC_PAGE_SIZE")
        return total / 2**20

    def kill(self) -> None:
        """SIGKILL the server and its kernels at once (a crash, not a shutdown)."""
        if self.process is None or self.process.poll() is not None:
            return
        for pid in reversed(self.processes()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the server and every kernel it started."""
        if self.process is None or self.process.poll() is not None:
            return
        kernels = self.processes()[1:]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        for pid in kernels:  # the server shuts its kernels down; make sure none is left behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
