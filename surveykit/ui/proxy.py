"""Several Voilà processes behind one port: a small reverse proxy with sticky sessions.

``surveykit serve --workers N`` starts N Voilà processes on loopback ports and this proxy on the public one.
An app page is a live kernel in one Voilà process: the page's later requests (its kernel websocket, the
shutdown request when the tab closes, widget files) must reach that same process. The proxy pins each browser
to one worker with a cookie (``surveykit_worker``) set on the first answer; a browser without the cookie (or
with one naming no worker) is pinned to the worker with the fewest live pages (open kernel websockets), in turn among equals. Every answer says which worker gave it
(``X-Surveykit-Worker``), for tests and for reading logs.

Why a proxy of our own, in tornado: tornado is already installed (Voilà and Jupyter Server run on it), so
the set-up needs nothing new, runs on every platform the apps run on, and is started and stopped by one
command. It streams page bodies as Voilà writes them (a page arrives cell by cell) and passes websocket
frames through unchanged, subprotocol included. In front of several servers, or with TLS, put nginx or Caddy
in front of it (docs/deploy.md).

The proxy runs no code of the page's and widens nothing: what a page may send to its kernel is still decided
by each Voilà process (``allowed_message_types``).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from collections.abc import Sequence

from tornado import httpclient, httputil, routing, web, websocket

__all__ = ["COOKIE", "WORKER_HEADER", "make_app"]

log = logging.getLogger("surveykit.proxy")

COOKIE = "surveykit_worker"
WORKER_HEADER = "X-Surveykit-Worker"
#: headers that belong to one connection, never passed on (RFC 9110, 7.6.1)
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
_KERNEL = re.compile(r"/(?:api/kernels|voila/api/shutdown|voila/query|voila/execution)/([0-9a-f-]{36})")


class Workers:
    """The Voilà processes (their loopback ports) and which worker holds which kernel."""

    def __init__(self, ports: Sequence[int]) -> None:
        self.ports = list(ports)
        self._turn = itertools.count()
        self.kernels: dict[str, int] = {}
        #: open websockets (live pages) per worker
        self.sockets = [0] * len(self.ports)

    def _new_pin(self) -> int:
        """A new browser goes to the worker with the fewest live pages (in turn among equals)."""
        fewest = min(self.sockets)
        equals = [n for n, count in enumerate(self.sockets) if count == fewest]
        return equals[next(self._turn) % len(equals)]

    def pick(self, handler: web.RequestHandler) -> tuple[int, bool]:
        """The worker of this request, and whether the browser must be told (a new pin)."""
        match = _KERNEL.search(handler.request.path)
        if match and match.group(1) in self.kernels:
            return self.kernels[match.group(1)], False
        cookie = handler.get_cookie(COOKIE)
        if cookie is not None and cookie.isdigit() and int(cookie) < len(self.ports):
            worker = int(cookie)
        else:
            worker = self._new_pin()
            if match:  # a kernel's request from a browser that lost its cookie: remember it from now on
                self.kernels[match.group(1)] = worker
            return worker, True
        if match:
            self.kernels.setdefault(match.group(1), worker)
        return worker, False

    def url(self, worker: int, uri: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.ports[worker]}{uri}"


def _pin(handler: web.RequestHandler, worker: int, new: bool) -> None:
    handler.set_header(WORKER_HEADER, str(worker))
    if new:
        handler.set_cookie(COOKIE, str(worker), path="/", httponly=True, samesite="Lax")


def _forward_headers(request: httputil.HTTPServerRequest) -> httputil.HTTPHeaders:
    headers = httputil.HTTPHeaders()
    for name, value in request.headers.get_all():
        if name.lower() not in HOP_BY_HOP:
            headers.add(name, value)
    headers["X-Forwarded-For"] = request.remote_ip or ""
    headers["X-Forwarded-Proto"] = request.protocol
    return headers


class HTTPProxy(web.RequestHandler):
    """Any request that is not a websocket: passed to the worker, the answer streamed back as it comes."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    def initialize(self, workers: Workers) -> None:
        self.workers = workers
        self._status_seen = False

    def compute_etag(self) -> None:  # the worker's own ETag, if any, is passed on
        return None

    async def _proxy(self) -> None:
        worker, new = self.workers.pick(self)
        body = self.request.body if self.request.method in {"POST", "PUT", "PATCH", "DELETE"} else None
        request = httpclient.HTTPRequest(
            self.workers.url(worker, self.request.uri or "/"),
            method=self.request.method,
            headers=_forward_headers(self.request),
            body=body,
            follow_redirects=False,
            allow_nonstandard_methods=True,
            decompress_response=False,
            request_timeout=3600,
            connect_timeout=20,
            header_callback=lambda line: self._on_header(line, worker, new),
            streaming_callback=self._on_chunk,
        )
        try:
            response = await httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError:
            response = None
        if response is None or (response.code == 599 and not self._status_seen):
            self._worker_down(worker)
            return
        if not self._finished:
            self.finish()

    def _on_header(self, line: str, worker: int, new: bool) -> None:
        if line.startswith("HTTP/"):
            start = httputil.parse_response_start_line(line.strip())
            self.clear()
            for name in ("Content-Type", "Server", "Date"):
                self.clear_header(name)
            self.set_status(start.code, start.reason)
            self._status_seen = True
            _pin(self, worker, new)
            return
        if not line.strip() or ":" not in line:
            return
        name, value = line.split(":", 1)
        if name.strip().lower() in HOP_BY_HOP or name.strip().lower() == "content-length":
            return
        self.add_header(name.strip(), value.strip())

    def _on_chunk(self, chunk: bytes) -> None:
        self.write(chunk)
        self.flush()

    def _worker_down(self, worker: int) -> None:
        from surveykit.i18n import t
        from surveykit.ui.server import page_language

        language = page_language(self.get_argument("lang", None), self.request.headers.get("Accept-Language"))
        log.error("worker %d (port %d) does not answer", worker, self.workers.ports[worker])
        self.clear()
        self.set_status(502)
        self.set_header(WORKER_HEADER, str(worker))
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish(t("serve.proxy_down", language))

    get = head = post = put = patch = delete = options = _proxy


class WebSocketProxy(websocket.WebSocketHandler):
    """A websocket (a page's kernel channel): connected to the same worker, frames passed both ways."""

    def initialize(self, workers: Workers) -> None:
        self.workers = workers
        self.upstream: websocket.WebSocketClientConnection | None = None
        self.worker = 0
        self._counted = False

    def check_origin(self, origin: str) -> bool:
        return True  # the worker checks the Origin header, which is passed on unchanged

    async def get(self, *args, **kwargs) -> None:
        self.worker, new = self.workers.pick(self)
        headers = _forward_headers(self.request)
        for name in ("Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions"):
            headers.pop(name, None)
        protocols = [
            p.strip() for p in self.request.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()
        ]
        headers.pop("Sec-WebSocket-Protocol", None)
        request = httpclient.HTTPRequest(
            self.workers.url(self.worker, self.request.uri or "/", "ws"), headers=headers, connect_timeout=20
        )
        try:
            self.upstream = await websocket.websocket_connect(
                request,
                subprotocols=protocols or None,
                max_message_size=self.settings["websocket_max_message_size"],
            )
        except (OSError, httpclient.HTTPClientError) as err:
            code = getattr(err, "code", 502)
            log.warning("websocket to worker %d refused: %s", self.worker, err)
            self.set_status(code if isinstance(code, int) and 400 <= code < 600 else 502)
            self.finish()
            return
        _pin(self, self.worker, new)
        self.workers.sockets[self.worker] += 1
        self._counted = True
        await super().get(*args, **kwargs)

    def select_subprotocol(self, subprotocols: list[str]) -> str | None:
        return self.upstream.selected_subprotocol if self.upstream else None

    def open(self, *args, **kwargs) -> None:
        asyncio.ensure_future(self._pump())

    async def _pump(self) -> None:
        assert self.upstream is not None
        while True:
            message = await self.upstream.read_message()
            if message is None:
                break
            try:
                await self.write_message(message, binary=isinstance(message, bytes))
            except websocket.WebSocketClosedError:
                break
        self.close()

    async def on_message(self, message: str | bytes) -> None:
        if self.upstream is not None:
            try:
                await self.upstream.write_message(message, binary=isinstance(message, bytes))
            except websocket.WebSocketClosedError:
                self.close()

    def on_close(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
        self._uncount()

    def on_connection_close(self) -> None:
        super().on_connection_close()
        self._uncount()

    def _uncount(self) -> None:
        if self._counted:
            self._counted = False
            self.workers.sockets[self.worker] -= 1


class _WebSocketUpgrade(routing.Matcher):
    def match(self, request: httputil.HTTPServerRequest) -> dict | None:
        return {} if request.headers.get("Upgrade", "").lower() == "websocket" else None


def make_app(ports: Sequence[int], *, max_message_mb: int = 64) -> web.Application:
    """The proxy application in front of Voilà workers listening on ``ports`` (127.0.0.1)."""
    httpclient.AsyncHTTPClient.configure(None, max_clients=10_000, max_body_size=max_message_mb * 2**20)
    workers = Workers(ports)
    return web.Application(
        [
            routing.Rule(_WebSocketUpgrade(), WebSocketProxy, {"workers": workers}),
            routing.Rule(routing.AnyMatches(), HTTPProxy, {"workers": workers}),
        ],
        websocket_max_message_size=max_message_mb * 2**20,
        workers=workers,
    )
