"""Shared fixtures: a throwaway PostgreSQL cluster for the session and a fresh SQLite store per test.

``postgres_url`` starts a cluster with ``initdb`` + ``pg_ctl`` in a temporary folder (see
:mod:`surveykit.store.testing`) and removes it at the end. Without the PostgreSQL binaries the tests that
need it are skipped, unless ``SURVEYKIT_REQUIRE_POSTGRES=1`` (CI), which turns that into a failure.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def issuer_key(tmp_path_factory):
    """The session's installation keys, outside the checkout: the certificate issuer key (the
    ``signing_key`` setting; the interview gate counts only certificates signed with it, so test helpers
    sign with this one: surveykit.store.testing.add_signed_certificate) and the backup key (``backup_key``,
    made at the first backup). A test may set its own."""
    from surveykit.certificates import generate_key
    from surveykit.config import settings

    folder = tmp_path_factory.mktemp("keys")
    path = folder / "issuer.pem"
    generate_key(path)
    values = {"SURVEYKIT_SIGNING_KEY": str(path), "SURVEYKIT_BACKUP_KEY": str(folder / "backup.pem")}
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    settings.cache_clear()
    yield path
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    settings.cache_clear()


@pytest.fixture(scope="session")
def postgres_cluster():
    """A running throwaway PostgreSQL cluster (TemporaryPostgres), stopped and deleted after the session."""
    from surveykit.store.testing import PostgresUnavailable, TemporaryPostgres

    required = os.environ.get("SURVEYKIT_REQUIRE_POSTGRES") == "1"
    try:
        cluster = TemporaryPostgres().start()
    except PostgresUnavailable as err:
        reason = f"PostgreSQL is not available: {err}"
        if required:
            pytest.fail(f"{reason} (SURVEYKIT_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster) -> str:
    """The SQLAlchemy URL of a database in the throwaway cluster."""
    return postgres_cluster.create_database("surveykit_test")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """The URL of a not yet created SQLite database in this test's folder."""
    return f"sqlite:///{tmp_path / 'data' / 'surveykit.sqlite'}"


@pytest.fixture
def sqlite_store(sqlite_url):
    """A fresh, migrated SQLite store."""
    from surveykit.store import Store

    Store.upgrade(sqlite_url)
    store = Store.open(sqlite_url)
    yield store
    store.close()


# --- browser tests -------------------------------------------------------------------------------------------------
ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parents[1] / "artifacts"


def _require_browser() -> None:
    """Skip (or, in CI with SURVEYKIT_REQUIRE_BROWSER=1, fail) when Chromium or Playwright is missing."""
    from surveykit.ui.browser import chromium_path

    reason = None
    if chromium_path() is None:
        reason = "Chromium is not installed (apt-get install chromium chromium-l10n)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "Python Playwright is not installed (pip install playwright; never `playwright install`)"
    if reason:
        if os.environ.get("SURVEYKIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (SURVEYKIT_REQUIRE_BROWSER=1)")
        pytest.skip(reason)


class LocalisedBrowser:
    """The session's headless Chromium, one browser per language, whose pages are opened as a reader of that
    language has them: ``new_page`` and ``new_context`` take ``lang`` ("ru", "en"; default: the apps' default
    language) or an explicit ``locale`` and open the page in a Chromium running in that locale
    (surveykit.ui.browser.browser_locale: ru-RU, en-GB) with the same context locale. A Russian page thus
    shows ``<input type=date>`` as дд.мм.гггг, as a Russian user's browser does. Everything else is
    Playwright's ``Browser`` of the default language."""

    def __init__(self, playwright) -> None:
        self._playwright = playwright
        self._browsers: dict = {}

    def browser(self, locale: str):
        from surveykit.ui.browser import launch_chromium

        if locale not in self._browsers:
            self._browsers[locale] = launch_chromium(self._playwright, locale=locale)
        return self._browsers[locale]

    def _open(self, lang: str | None, options: dict):
        from surveykit.ui.browser import browser_locale

        options.setdefault("locale", browser_locale(lang))
        return self.browser(options["locale"]), options

    def new_page(self, *, lang: str | None = None, **options):
        browser, options = self._open(lang, options)
        return browser.new_page(**options)

    def new_context(self, *, lang: str | None = None, **options):
        browser, options = self._open(lang, options)
        return browser.new_context(**options)

    def __getattr__(self, name: str):
        from surveykit.ui.browser import browser_locale

        return getattr(self.browser(browser_locale()), name)

    def close(self) -> None:
        for browser in self._browsers.values():
            browser.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright, shared by the session's browser tests; pages open in
    a browser of their language (:class:`LocalisedBrowser`)."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browsers = LocalisedBrowser(playwright)
        yield browsers
        browsers.close()


@pytest.fixture
def voila_server(tmp_path):
    """Start Voilà servers on ``apps/`` with a given environment; all are stopped after the test."""
    from surveykit.ui.browser import VoilaServer

    servers = []

    def start(env, **options):
        server = VoilaServer(env=env, log=tmp_path / f"voila-{len(servers)}.log", **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def artifacts():
    """The folder for screenshots and rendered pages (git-ignored; kept by CI as test artifacts)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
