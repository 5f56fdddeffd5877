"""Helpers of the serving tests: a one-widget app folder served like apps/, and page requests without a browser."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from surveykit.ui.loadtest import write_bare_root

_CONFIG = re.compile(
    r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>', re.S
)


@pytest.fixture
def bare_root(tmp_path) -> Path:
    """A folder served like apps/ (the same voila.json and voila.py) holding one one-widget notebook."""
    return write_bare_root(tmp_path / "bare")


@dataclass
class Answer:
    status: int
    text: str
    headers: dict[str, str]
    jar: http.cookiejar.CookieJar

    @property
    def kernel_id(self) -> str:
        found = _CONFIG.search(self.text)
        assert found, self.text[:500]
        return str(json.loads(found.group(1))["kernelId"])


def fetch(url: str, *, language: str | None = None, jar=None, method: str = "GET", headers=None) -> Answer:
    """One request the way a browser makes it (cookies kept in ``jar``); HTTP errors are answers too."""
    jar = jar if jar is not None else http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    request = urllib.request.Request(
        url, method=method, headers=dict(headers or {}), data=b"" if method == "POST" else None
    )
    if language:
        request.add_header("Accept-Language", language)
    try:
        with opener.open(request, timeout=180) as response:
            return Answer(
                response.status, response.read().decode("utf-8", "replace"), dict(response.headers), jar
            )
    except urllib.error.HTTPError as err:
        return Answer(err.code, err.read().decode("utf-8", "replace"), dict(err.headers), jar)


def close_page(base: str, answer: Answer) -> Answer:
    """What a closing tab does: ask the server to shut the page's kernel down (with the ``_xsrf`` cookie)."""
    xsrf = next(c.value for c in answer.jar if c.name == "_xsrf")
    return fetch(
        f"{base}/voila/api/shutdown/{answer.kernel_id}",
        jar=answer.jar,
        method="POST",
        headers={"X-XSRFToken": xsrf},
    )
