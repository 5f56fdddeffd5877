"""Admission control: one Voilà process holds at most ``max_kernels`` app pages; the next visitor gets a
"the server is busy" page (HTTP 503) in their language instead of the machine running out of memory, and a
closed page frees its place. Idle culling comes from the settings too."""

from __future__ import annotations

import concurrent.futures
import time

import pytest

from surveykit.config import Settings
from surveykit.errors import ConfigError
from surveykit.ui.server import busy_page, kernel_limit, page_language

from .conftest import close_page, fetch

pytestmark = [pytest.mark.slow]


def test_language_of_the_busy_page():
    assert page_language("en", "ru-RU,ru;q=0.9") == "en"
    assert page_language(None, "de-DE,de;q=0.9,en;q=0.8,ru;q=0.5") == "en"
    assert page_language(None, "ru-RU,ru;q=0.9,en-US;q=0.8") == "ru"
    assert page_language(None, "en;q=0.2,ru;q=0.7") == "ru"
    assert page_language("xx", None) in {"ru", "en"}  # the default_language setting
    ru, en = busy_page("ru"), busy_page("en")
    assert "Сервер занят" in ru and "через минуту" in ru and 'lang="ru"' in ru and "server" not in ru
    assert "The server is busy" in en and "in a minute" in en


def test_kernel_settings(monkeypatch):
    values = Settings.load({"SURVEYKIT_MAX_KERNELS": "7", "SURVEYKIT_KERNEL_IDLE_MINUTES": "5"})
    assert values.max_kernels == 7 and values.kernel_idle_minutes == 5
    with pytest.raises(ConfigError, match="MAX_KERNELS"):
        Settings.load({"SURVEYKIT_MAX_KERNELS": "-1"})
    with pytest.raises(ConfigError, match="KERNEL_IDLE_MINUTES"):
        Settings.load({"SURVEYKIT_KERNEL_IDLE_MINUTES": "0"})
    import surveykit.ui.server as server

    monkeypatch.setattr(server, "settings", lambda: Settings.load({"SURVEYKIT_MAX_KERNELS": "3"}))
    assert kernel_limit() == 3
    monkeypatch.setattr(server, "settings", lambda: Settings.load({}))
    assert kernel_limit() >= 2  # from the machine's memory


def test_a_full_server_answers_busy_and_a_closed_page_frees_its_place(voila_server, bare_root, tmp_path):
    server = voila_server({"SURVEYKIT_MAX_KERNELS": "1", "SURVEYKIT_DATA_DIR": str(tmp_path)}, root=bare_root)
    base = f"http://127.0.0.1:{server.port}"
    url = f"{base}/voila/render/bare.ipynb"
    first = fetch(url)
    assert first.status == 200 and first.kernel_id

    busy_ru = fetch(url, language="ru-RU,ru;q=0.9,en;q=0.5")
    assert busy_ru.status == 503
    assert busy_ru.headers.get("Retry-After") == "60"
    assert "Сервер занят" in busy_ru.text and "через минуту" in busy_ru.text
    busy_en = fetch(url + "?lang=en", language="ru")
    assert busy_en.status == 503 and "The server is busy" in busy_en.text and "Сервер" not in busy_en.text

    assert close_page(base, first).status in {200, 204}
    # the kernel shuts down in the background: the next page gets in once it is gone
    deadline = time.monotonic() + 60
    again = fetch(url)
    while again.status == 503 and time.monotonic() < deadline:
        time.sleep(0.5)
        again = fetch(url)
    assert again.status == 200 and again.kernel_id != first.kernel_id


def test_concurrent_visitors_never_pass_the_limit(voila_server, bare_root, tmp_path):
    """Five visitors at once against a limit of two: exactly two pages, three busy answers."""
    server = voila_server({"SURVEYKIT_MAX_KERNELS": "2", "SURVEYKIT_DATA_DIR": str(tmp_path)}, root=bare_root)
    url = f"http://127.0.0.1:{server.port}/voila/render/bare.ipynb"
    with concurrent.futures.ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(lambda _: fetch(url, language="en"), range(5)))
    assert sorted(a.status for a in answers) == [200, 200, 503, 503, 503]
    assert len({a.kernel_id for a in answers if a.status == 200}) == 2
    assert len(server.processes()) == 1 + 2  # the server and two kernels, no more


def test_idle_kernels_are_culled_by_the_settings(voila_server, bare_root, tmp_path):
    server = voila_server(
        {
            "SURVEYKIT_MAX_KERNELS": "1",
            "SURVEYKIT_KERNEL_IDLE_MINUTES": "1",
            "SURVEYKIT_KERNEL_CULL_INTERVAL_S": "2",
            "SURVEYKIT_DATA_DIR": str(tmp_path),
        },
        root=bare_root,
    )
    url = f"http://127.0.0.1:{server.port}/voila/render/bare.ipynb"
    assert fetch(url).status == 200  # a page that never says goodbye (a crashed tab)
    assert fetch(url).status == 503
    deadline = time.monotonic() + 150
    while len(server.processes()) > 1 and time.monotonic() < deadline:
        time.sleep(2)
    assert len(server.processes()) == 1  # culled after a minute idle
    assert fetch(url).status == 200
