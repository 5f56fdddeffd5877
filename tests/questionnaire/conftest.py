"""Helpers for questionnaire tests: small forms are written inline, named by what they show."""

from __future__ import annotations

import textwrap

import pytest

from surveykit.questionnaire.io import LoadResult, read_questionnaire

HEADER = """\
schema_version: 1
id: t
version: "1"
title: {en: Test, ru: Тест}
languages: [en, ru]
default_language: en
"""


@pytest.fixture
def load_yaml(tmp_path):
    """Write YAML text (dedented; HEADER prepended unless the text has its own id) and read it."""

    def load(*parts: str, name: str = "form.yaml") -> LoadResult:
        body = "".join(textwrap.dedent(part) for part in parts)
        if not body.lstrip().startswith(("schema_version", "id:")):
            body = HEADER + body
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        return read_questionnaire(path)

    return load
