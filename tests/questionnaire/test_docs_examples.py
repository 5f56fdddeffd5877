"""The questionnaire examples in the docs are valid questionnaires (docs stay true to the code)."""

from __future__ import annotations

import re
from pathlib import Path

from surveykit.questionnaire.io import read_questionnaire

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_example_in_the_format_documentation_is_valid(tmp_path):
    text = (DOCS / "questionnaire-format.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "schema_version" in b]
    assert blocks, "the format documentation lost its complete example"
    for i, block in enumerate(blocks):
        path = tmp_path / f"example{i}.yaml"
        path.write_text(block, encoding="utf-8")
        result = read_questionnaire(path)
        assert result.report.problems == [], str(result.report)
