"""Can the visitor of an app page run code in its kernel? A browser-free probe of a served Voilà app.

An app page is a live kernel: the browser talks to it over a websocket (``/api/kernels/<id>/channels``).
Voilà lets through only the messages its widgets need (comm messages, kernel info, shutdown:
``allowed_message_types`` in ``voila/app.py``); an ``execute_request`` is dropped with a warning in the
server log. That filter, not the app's own checks, is the first line that keeps a signed-in trainee or a
council member from reading the database through the kernel: the in-process guards
(:mod:`surveykit.store.guarded`) are the second line. docs/security.md lists it among the properties every
serving set-up (``surveykit serve``, the JupyterHub deployment) must keep; this probe is how a test checks it.

:func:`probe_kernel` opens the page like a browser (cookies included), reads the kernel id and the server's
base URL from the page's ``jupyter-config-data``, connects to the kernel's websocket and sends

* a ``kernel_info_request`` (allowed: its reply proves the connection really reaches the kernel), and
* an ``execute_request`` whose code opens the response store and writes what it read to a marker file.

The result says whether the kernel answered, whether any execution reply came back, and whether the marker
file appeared. Nothing here needs a browser.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.cookiejar
import json
import re
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ProbeResult", "probe_kernel"]

_CONFIG = re.compile(
    r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>', re.S
)


@dataclass
class ProbeResult:
    """What the probe saw: the kernel, the message types that came back, and whether the code ran."""

    kernel_id: str
    replies: list[tuple[str, str]] = field(default_factory=list)  # (channel, msg_type)
    marker_written: bool = False

    @property
    def kernel_answered(self) -> bool:
        return ("shell", "kernel_info_reply") in self.replies

    @property
    def code_ran(self) -> bool:
        executed = {"execute_reply", "execute_input", "execute_result", "stream", "error"}
        return self.marker_written or any(kind in executed for _, kind in self.replies)


def _message(kind: str, content: dict) -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": kind,
            "username": "probe",
            "session": uuid.uuid4().hex,
            "date": dt.datetime.now(dt.UTC).isoformat(),
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


def _code(marker: Path) -> str:
    """Code an attacker would send: read the response store through the kernel's own settings."""
    return (
        "import os, pathlib\n"
        "from surveykit.store import Store\n"
        "with Store.open(os.environ.get('SURVEYKIT_DATABASE_URL') or None) as s:\n"
        "    people = [p.id for p in s.people()]\n"
        f"pathlib.Path({str(marker)!r}).write_text(repr(people))\n"
    )


async def _talk(url: str, headers: dict[str, str], code: str, wait: float) -> list[tuple[str, str]]:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    socket = await websocket_connect(HTTPRequest(url, headers=headers))
    try:
        execute = {
            "code": code,
            "silent": False,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        socket.write_message(json.dumps(_message("execute_request", execute)))
        socket.write_message(json.dumps(_message("kernel_info_request", {})))
        replies: list[tuple[str, str]] = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                raw = await asyncio.wait_for(socket.read_message(), timeout=0.5)
            except TimeoutError:
                continue
            if raw is None:  # the server closed the connection
                break
            if isinstance(raw, bytes):
                continue
            data = json.loads(raw)
            replies.append((data.get("channel", ""), data.get("header", {}).get("msg_type", "")))
        return replies
    finally:
        socket.close()


def probe_kernel(
    page_url: str,
    marker: Path,
    *,
    wait: float = 8.0,
    jar: http.cookiejar.CookieJar | None = None,
    timeout: float = 180.0,
) -> ProbeResult:
    """Open ``page_url`` (a Voilà app page), then try to run code in its kernel over the websocket; the code
    would write to ``marker``. ``jar`` may carry a signed-in session (e.g. a JupyterHub login's cookies)."""
    jar = jar if jar is not None else http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(page_url, timeout=timeout) as response:
        html = response.read().decode("utf-8", "replace")
    found = _CONFIG.search(html)
    if found is None:
        raise ValueError(f"{page_url}: the page holds no jupyter-config-data (not a Voilà page?)")
    config = json.loads(found.group(1))
    kernel_id = str(config["kernelId"])
    parts = urlsplit(page_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    base = "/" + str(config.get("baseUrl", "/")).strip("/")
    base = base.rstrip("/") + "/"
    url = f"{scheme}://{parts.netloc}{base}api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    headers = {"Origin": f"{parts.scheme}://{parts.netloc}"}
    if cookies:
        headers["Cookie"] = cookies
    replies = _run(_talk(url, headers, _code(marker), wait))
    return ProbeResult(kernel_id, replies, marker.exists())


def _run(coroutine: Any) -> Any:
    """Run ``coroutine`` to its end, also when the caller's thread already runs an event loop (a notebook,
    or a test process where Playwright's sync API has started one): then on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
