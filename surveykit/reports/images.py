"""Static images of plotly figures for the reports, made with kaleido and Debian's Chromium (offline).

One kaleido server (one headless browser) is started on the first figure and reused for every other figure
of the process, as measured in the toolchain notes (~2 s to start, ~0.3 s per figure); it is stopped when
the process exits. Kaleido uses the ``plotly.min.js`` shipped with plotly, never a CDN.

:class:`StaticFigure` displays itself in a notebook as an ``<img>`` of SVG (vector: sharp in the PDF, its
text searchable) or PNG data with the chart's title as alternative text, so a report notebook cell only has
to return it.
"""

from __future__ import annotations

import atexit
import base64
import html
import re
import threading
from dataclasses import dataclass
from typing import Any

from surveykit.errors import ErrorCode, ExportError, Location

__all__ = ["REPORT_WIDTH", "StaticFigure", "render_image", "static_figure", "stop_image_server", "warm_up"]

#: figure width in CSS pixels: an A4 page with 15 mm margins is about 680 px wide; figures are drawn a bit
#: wider and scaled to the page, which keeps 13 px chart text at about 8.5 pt on paper
REPORT_WIDTH = 780

_lock = threading.Lock()
_started = False


def _ensure_server() -> None:
    global _started
    with _lock:
        if not _started:
            import kaleido

            kaleido.start_sync_server(silence_warnings=True)
            _started = True
            atexit.register(stop_image_server)


def warm_up() -> None:
    """Start the kaleido browser in the background (it takes a few seconds; the first figure then waits less)."""
    threading.Thread(target=_ensure_server, name="kaleido-warm-up", daemon=True).start()


def stop_image_server() -> None:
    """Stop the kaleido browser (started again on the next figure)."""
    global _started
    with _lock:
        if _started:
            import kaleido

            kaleido.stop_sync_server(silence_warnings=True)
            _started = False


def render_image(
    figure: Any,
    *,
    format: str = "svg",
    width: int = REPORT_WIDTH,
    height: int | None = None,
    scale: float = 1.0,
) -> bytes:
    """The figure as SVG, PNG or PDF bytes (the figure's own height unless ``height`` is given)."""
    import kaleido

    _ensure_server()
    spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else dict(figure)
    layout = spec.get("layout", {})
    opts = {"format": format, "width": width, "height": height or layout.get("height") or 480, "scale": scale}
    try:
        return kaleido.calc_fig_sync(spec, opts=opts)
    except Exception as err:  # kaleido raises several unrelated types; the report names the figure
        title = str(((layout.get("title") or {}).get("text")) or "figure")
        raise ExportError(
            ErrorCode.EXPORT_WRITE_FAILED, Location(path=title), path=f"image of '{title}'", detail=str(err)
        ) from err


@dataclass(frozen=True)
class StaticFigure:
    """A rendered figure that notebooks (and the HTML of the reports) show as an ``<img>`` (SVG or PNG data)
    with the chart's title as its alternative text."""

    data: bytes
    format: str = "svg"
    alt: str = ""

    def _repr_html_(self) -> str:
        return f'<figure class="chart"><img alt="{html.escape(self.alt, quote=True)}" src="{self.data_uri()}"></figure>'

    def data_uri(self) -> str:
        mime = "image/svg+xml" if self.format == "svg" else "image/png"
        return f"data:{mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def static_figure(figure: Any, *, format: str = "svg", width: int = REPORT_WIDTH) -> StaticFigure:
    scale = 2.0 if format == "png" else 1.0
    title = figure.layout.title
    alt = " — ".join(
        re.sub(r"<[^>]+>", " ", str(x or "")).strip() for x in (title.text, title.subtitle.text) if x
    )
    return StaticFigure(
        render_image(figure, format=format, width=width, scale=scale), format, " ".join(alt.split())
    )
