"""Shared pieces of the Voilà apps: styles, the error boundary, messages, plotly without an Output.

Rules learnt the hard way (docs/apps.md, ../shared toolchain notes):

* never write into an ``ipywidgets.Output`` while Voilà first executes the notebook (pages then hang);
  apps build widgets only, and plotly figures go into an ``HTML`` widget holding an ``<iframe srcdoc>``
  that loads ``plotly.min.js`` served by Voilà from ``apps/static/`` (:func:`plotly_html`);
* app users never see a traceback: every callback runs inside :func:`guarded`, which shows a short
  message and writes the details to ``data/logs/apps.log``.
"""

from __future__ import annotations

import base64
import functools
import html
import logging
import logging.handlers
import os
import traceback
import urllib.parse
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from surveykit.config import settings
from surveykit.errors import SurveykitError
from surveykit.i18n import LANGUAGE_NAMES, UI_LANGUAGES, t
from surveykit.store.guarded import session_ended

__all__ = [
    "APP_MAX_WIDTH",
    "STYLE",
    "Notice",
    "error_page",
    "pdf_link",
    "sign_in_widgets",
    "app_logger",
    "guarded",
    "language_picker",
    "plotly_html",
    "query_params",
    "user_message",
]

#: the one width of every app (the page centred in the browser window): tables of the admin, trainer and
#: dashboard apps scroll inside it rather than widen it; an app never sets a width of its own
APP_MAX_WIDTH = "1120px"

#: CSS for every app: large, readable widgets usable on a tablet; read-aloud text visibly distinct
#: from interviewer instructions. ``.sk-app`` is the shared layout: every app's root widget has the class.
STYLE = (
    """
<style>
.sk-app { font-size: 17px; width: 100%; max-width: APP_MAX_WIDTH; margin: 0 auto; box-sizing: border-box; }
.sk-app .sk-app { max-width: none; margin: 0; }
.sk-app .widget-label, .sk-app .widget-radio-box label, .sk-app .widget-checkbox label { font-size: 17px; }
.sk-app input, .sk-app textarea, .sk-app select { font-size: 17px !important; min-height: 38px; }
.sk-app .jupyter-button, .sk-app .widget-button { font-size: 17px; min-height: 42px; padding: 0 18px;
  width: auto !important; min-width: 110px; }
.sk-app .widget-toggle-button.mod-active, .sk-app .jupyter-button.mod-active {
  background: #2b6cb0 !important; color: #fff !important; box-shadow: none; }
.sk-app .jupyter-button:focus-visible { outline: 3px solid #f6ad55; outline-offset: 2px; }
.sk-app .widget-radio-box label { padding: 6px 0; }
.sk-app input[type=radio], .sk-app input[type=checkbox] { transform: scale(1.35); margin-right: 10px; }
.sk-app .widget-toggle-buttons .widget-toggle-button { min-height: 42px; font-size: 16px; }
.sk-title { font-size: 24px; font-weight: 600; margin: 6px 0 2px 0; }
.sk-subtitle { color: #555; margin-bottom: 8px; }
.sk-question { border-left: 4px solid #2b6cb0; padding: 8px 12px; margin: 10px 0; background: #fbfdff; }
.sk-read { font-size: 19px; font-weight: 600; color: #1a202c; }
.sk-hint { color: #4a5568; font-size: 15px; }
.sk-instruction { color: #7b341e; background: #fffaf0; border: 1px dashed #dd6b20; border-radius: 4px;
                  padding: 4px 8px; margin: 4px 0; font-size: 15px; font-style: italic; }
.sk-instruction::before { content: attr(data-prefix); font-weight: 600; font-style: normal; }
.sk-error { color: #c53030; font-weight: 600; }
.sk-required { color: #c53030; font-weight: 700; }
.sk-ok { color: #276749; font-weight: 600; }
.sk-returned { color: #9b2c2c; font-weight: 600; }
.sk-note { background: #f7fafc; border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
.sk-card { border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 14px; margin: 8px 0; }
.sk-repeat { border: 1px solid #cbd5e0; border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
.sk-nav { margin-top: 14px; }
.sk-banner { padding: 8px 12px; border-radius: 6px; margin: 6px 0; }
.sk-banner-error { background: #fff5f5; color: #9b2c2c; border: 1px solid #feb2b2; }
.sk-banner-info { background: #ebf8ff; color: #2a4365; border: 1px solid #90cdf4; }
.sk-banner-ok { background: #f0fff4; color: #22543d; border: 1px solid #9ae6b4; }
.sk-practice { background: #faf089; color: #5f370e; padding: 4px 10px; border-radius: 4px; font-weight: 700; }
.sk-table { border-collapse: collapse; width: 100%; }
.sk-table td, .sk-table th { border-bottom: 1px solid #e2e8f0; padding: 4px 8px; text-align: left; }
.sk-matrix-row .widget-label { min-width: 260px; }
.sk-app .lm-TabBar-tab, .sk-app .p-TabBar-tab { flex: 0 0 auto !important; max-width: none !important;
  min-width: 140px; font-size: 15px; }
.sk-app .widget-checkbox { width: auto !important; }
.sk-app .widget-checkbox label { white-space: normal; }
.sk-app .sk-sign-in { align-self: flex-start; width: 480px !important; max-width: 100%; }
</style>
"""
).replace("APP_MAX_WIDTH", APP_MAX_WIDTH)

#: the page's language for the browser. Voilà's template writes ``<html lang="en">`` on every page, and
#: Chromium shows an ``<input type=date>`` in the format of the element's language: mm/dd/yyyy on a Russian
#: page. This script (in a hidden same-origin frame: an HTML widget runs no script of its own, and an
#: Output must not be written at start-up) keeps ``<html lang>`` at the language the app shows: the active
#: button of the language picker (``.sk-lang``), else the page's ``?lang=``; else it removes the wrong "en" and
#: the browser's own language decides.
_PAGE_LANGUAGE_JS = """
(function () {
  var doc = parent.document, names = NAMES, known = KNOWN;
  function current() {
    var active = doc.querySelector('.sk-lang .mod-active');
    if (active && names[active.textContent.trim()]) return names[active.textContent.trim()];
    var asked = new URLSearchParams(parent.location.search).get('lang');
    return known.indexOf(asked) >= 0 ? asked : '';
  }
  function apply() {
    var lang = current();
    if (!lang) doc.documentElement.removeAttribute('lang');
    else if (doc.documentElement.lang !== lang) doc.documentElement.lang = lang;
  }
  apply();
  new parent.MutationObserver(apply).observe(doc.body, {subtree: true, childList: true, attributes: true,
                                                        attributeFilter: ['class']});
})();
"""


def _page_language_frame() -> str:
    import json

    script = (
        _PAGE_LANGUAGE_JS.replace("NAMES", json.dumps({name: code for code, name in LANGUAGE_NAMES.items()}))
        .replace("KNOWN", json.dumps(list(LANGUAGE_NAMES)))
    )
    doc = f"<script>{script}</script>"
    return (
        f'<iframe class="sk-page-language" title="" aria-hidden="true" tabindex="-1" '
        f'style="display:none" srcdoc="{html.escape(doc, quote=True)}"></iframe>'
    )


STYLE += _page_language_frame()


def _esc(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def app_logger() -> logging.Logger:
    """The apps' log file (``data/logs/apps.log``): where the details of every error go."""
    logger = logging.getLogger("surveykit.apps")
    if not logger.handlers:
        folder = settings().logs_dir
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.handlers.RotatingFileHandler(
                folder / "apps.log", maxBytes=5_000_000, backupCount=3, encoding="utf-8"
            )
        except OSError:  # a read-only data folder must not stop the app
            handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger


def user_message(err: Exception, language: str) -> str:
    """What an app shows for an error: its message and hint in ``language``, as a sentence (a capital first
    letter: catalog messages start in lower case to read well after a location)."""
    text = err.localized(language) if hasattr(err, "localized") else t("app.internal_error", language, log="")
    return text[:1].upper() + text[1:]


class Notice(W.HTML):
    """A one-line banner for errors and confirmations (an HTML widget: safe at start-up, unlike Output)."""

    def show(self, text: str, kind: str = "info") -> None:
        self.value = f'<div class="sk-banner sk-banner-{kind}">{html.escape(text)}</div>' if text else ""

    def clear(self) -> None:
        self.value = ""


def guarded(
    notice: Notice,
    language: Callable[[], str],
    on_signed_out: Callable[[], None] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator for widget callbacks: a SurveykitError shows its own (translated) message; anything
    else shows a short apology; the details go to the log, never a traceback to the user. When the
    sign-in has ended (SK522: expired, signed out elsewhere, deactivated), ``on_signed_out`` shows the
    sign-in page again, with the message."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except SurveykitError as err:
                app_logger().info("%s: %s", fn.__qualname__, err)
                if on_signed_out is not None and session_ended(err):
                    on_signed_out()
                notice.show(user_message(err, language()), "error")
            except Exception as err:  # the boundary: the user sees a message, the log sees everything
                app_logger().error("%s failed: %s\n%s", fn.__qualname__, err, traceback.format_exc())
                notice.show(
                    t("app.internal_error", language(), log=str(settings().logs_dir / "apps.log")), "error"
                )
            return None

        return run

    return wrap


def language_picker(
    value: str, on_change: Callable[[str], None], languages: tuple[str, ...] = UI_LANGUAGES
) -> W.ToggleButtons:
    picker = W.ToggleButtons(
        options=[(LANGUAGE_NAMES.get(code, code), code) for code in languages],
        value=value if value in languages else languages[0],
        style={"button_width": "auto"},
    )
    picker.add_class("sk-lang")
    picker.observe(lambda change: on_change(change["new"]), names="value")
    return picker


def query_params() -> dict[str, str]:
    """URL query parameters of the Voilà page (``QUERY_STRING``), empty inside JupyterLab."""
    query = os.environ.get("QUERY_STRING", "")
    return {k: v[-1] for k, v in urllib.parse.parse_qs(query).items()}


def plotly_html(figure: Any, height: int = 480) -> str:
    """A plotly figure as an ``<iframe srcdoc>`` for an ``HTML`` widget (works in Voilà and JupyterLab).

    Under ``surveykit serve`` the page loads ``plotly.min.js`` once from the Voilà file route given in
    ``SURVEYKIT_PLOTLY_JS``; elsewhere (JupyterLab) the library is embedded in the frame. Never a CDN:
    the apps must work offline.
    """
    script_src = os.environ.get("SURVEYKIT_PLOTLY_JS")
    body = figure.to_html(
        include_plotlyjs=not script_src,
        full_html=False,
        config={"displaylogo": False, "responsive": True},
    )
    script = f"<script src='{html.escape(script_src)}'></script>" if script_src else ""
    doc = (
        "<html><head><meta charset='utf-8'>"
        f"{script}<style>body{{margin:0;font-family:sans-serif}}</style></head>"
        f"<body>{body}</body></html>"
    )
    return (
        f'<iframe class="sk-plot" style="width:100%;height:{height + 20}px;border:0" '
        f'srcdoc="{html.escape(doc, quote=True)}"></iframe>'
    )


def word_button(description: str, icon: str = "", **kwargs: Any) -> W.Button:
    """A button as wide as its words in either language (ipywidgets' fixed default width cuts a long label
    such as "Сохранить и выйти"), never shrunk by the row it stands in."""
    return W.Button(
        description=description, icon=icon, layout=W.Layout(width="auto", flex="0 0 auto"), **kwargs
    )


def pdf_link(pdf: bytes, filename: str, label: str, css: str = "sk-download") -> W.HTML:
    """A download link for a PDF held in memory (a data URI: works in Voilà and JupyterLab alike)."""
    data = base64.b64encode(pdf).decode("ascii")
    link = W.HTML(
        f'<div class="{css}"><a download="{html.escape(filename)}" '
        f'href="data:application/pdf;base64,{data}">{_esc(label)}</a></div>'
    )
    link.add_class(css)
    return link


def sign_in_widgets(language: str) -> tuple[W.Text, W.Password, W.Button]:
    """Login, access code and the sign-in button, large enough for a tablet (shared by the training apps)."""
    style = {"description_width": "170px"}
    # sent when the field is left (the click on the button), not at every key: no keystroke echo from a busy
    # kernel can overwrite what the person is typing
    login = W.Text(
        description=t("app.login", language),
        style=style,
        layout=W.Layout(width="480px"),
        continuous_update=False,
    )
    code = W.Password(
        description=t("app.access_code", language),
        style=style,
        layout=W.Layout(width="480px"),
        continuous_update=False,
    )
    login.add_class("sk-login")
    code.add_class("sk-code")
    button = W.Button(
        description=t("app.sign_in", language), button_style="primary", layout=W.Layout(width="480px")
    )
    button.add_class("sk-sign-in")
    button.add_class("sk-primary-big")
    return login, code, button


def sign_in_page(
    language: str,
    guard: Callable[[Callable[..., Any]], Callable[..., Any]],
    sign_in: Callable[[str, str], None],
    then: Callable[[], None],
    on_language: Callable[[str], None],
    *,
    prompt: str | None = None,
) -> list[W.Widget]:
    """The sign-in page of every app: the language, an optional prompt, login, code and the button.
    ``sign_in(login, code)`` starts the session (a refusal is shown by ``guard``); the code field is emptied
    whatever happens, and ``then()`` opens the app."""
    login, code, button = sign_in_widgets(language)

    def click(_: Any) -> None:
        try:
            sign_in(login.value, code.value)
        finally:
            code.value = ""
        then()

    button.on_click(guard(click))
    rows: list[W.Widget] = [language_picker(language, on_language)]
    if prompt:
        rows.append(W.HTML(f'<div class="sk-hint">{_esc(prompt)}</div>'))
    return [*rows, login, code, button]


def app_from_request(
    cls: type[W.VBox],
    name: str,
    open_backend: Callable[[], Any],
    build: Callable[[Any, dict[str, str]], W.VBox] | None = None,
) -> W.VBox:
    """The app of a Voilà page: ``open_backend()`` (the store from the settings, or a service over it), the
    options from the URL, and ``build(backend, params)`` (default ``cls(backend, params=params)``); when the
    backend cannot be opened, the :func:`error_page` saying why, in the language of the URL."""
    params = query_params()
    try:
        backend = open_backend()
    except Exception as err:  # the page must still say what is wrong, in words
        return error_page(cls.__new__(cls), err, params.get("lang", settings().default_language), name)
    return build(backend, params) if build is not None else cls(backend, params=params)


def error_page(app: W.VBox, err: Exception, language: str, name: str) -> W.VBox:
    """The page shown when the app cannot start (no database, a broken course file): words, no traceback."""
    app_logger().error("%s app: cannot start: %s", name, err)
    message = user_message(err, language)
    W.VBox.__init__(app)
    app.add_class("sk-app")
    app.children = [W.HTML(STYLE), W.HTML(f'<div class="sk-banner sk-banner-error">{_esc(message)}</div>')]
    return app
