"""The public surface of surveykit.quality is small and explicit, and every rule has a name in both languages."""

from __future__ import annotations

from pathlib import Path

import yaml

import surveykit.quality as quality
from surveykit.i18n import t

LOCALE = Path(quality.__file__).resolve().parents[1] / "locale"


def test_the_public_names():
    assert sorted(quality.__all__) == sorted(
        ["FLAG_COLUMNS", "RULE_IDS", "QualityReport", "QualityResult", "QualityRules", "filter_questions",
         "load_rules", "quality_report", "read_rules", "run_checks"]
    )  # fmt: skip
    for name in quality.__all__:
        assert getattr(quality, name) is not None
    assert quality.FLAG_COLUMNS == (
        "rule", "level", "interview_id", "interviewer_id", "institution_id", "value", "threshold", "detail",
        "message", "params",
    )  # fmt: skip


def test_every_rule_is_named_in_russian_and_english():
    en = yaml.safe_load((LOCALE / "en" / "quality.yaml").read_text(encoding="utf-8"))
    ru = yaml.safe_load((LOCALE / "ru" / "quality.yaml").read_text(encoding="utf-8"))
    assert set(en) - {"errors"} == set(ru) - {"errors"}  # the words of the flags too (test_messages.py)
    assert {k for k in en if k.startswith("quality.rule.")} == {f"quality.rule.{r}" for r in quality.RULE_IDS}
    assert t("quality.rule.near_duplicate", "ru") == "почти совпадающие анкеты"
