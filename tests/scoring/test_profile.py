"""Profiles: the shipped files load, every number carries its source tag, and problems are located."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import surveykit.scoring as scoring
from surveykit.errors import ErrorCode, MethodologyError
from surveykit.questionnaire.model import Questionnaire
from surveykit.scoring import INDICATOR_TYPES, REGISTRY, list_profiles, load_profile, read_profile
from surveykit.scoring.profile import profiles_dir

SHIPPED = ["ru_nok_344n_2018", "ru_nok_391a_2013", "ua_904_compliance", "bg_quality_2022"]


def test_public_surface_is_explicit():
    assert sorted(scoring.__all__) == sorted(set(scoring.__all__))
    for name in scoring.__all__:
        assert hasattr(scoring, name), name


def test_registry_has_one_function_per_type():
    assert (
        set(REGISTRY)
        == set(INDICATOR_TYPES)
        == {
            "share_yes",
            "checklist_count",
            "checklist_ratio",
            "outcome_ratio",
            "mean_scale",
            "minmax",
            "ordinal_compliance",
        }
    )
    for name, function in REGISTRY.items():
        assert function.__doc__ and "(" in function.__doc__, f"{name} must cite its formula and source"


def test_shipped_profiles_load_and_default_comes_first():
    infos = list_profiles()
    assert [i.id for i in infos][0] == "ru_nok_344n_2018" and infos[0].default
    assert set(SHIPPED) <= {i.id for i in infos}
    for name in SHIPPED:
        profile = load_profile(name)
        assert profile.id == name and profile.path.endswith(f"{name}.yaml")
    nok = load_profile()
    assert [c.id for c in nok.criteria] == ["K1", "K2", "K3", "K4", "K5"]
    assert [i.id for _, i in nok.indicators()] == [
        "1.1",
        "1.2",
        "1.3",
        "2.1",
        "2.3",
        "3.1",
        "3.2",
        "3.3",
        "4.1",
        "4.2",
        "4.3",
        "5.1",
        "5.2",
        "5.3",
    ]
    assert nok.organisation.aggregation == "mean" and nok.max_total == 100


def test_every_number_of_the_default_profile_carries_a_source_tag():
    """Weights, caps, points, thresholds and sample rules: each line with a number has [V], [C], [R] or [P]
    in its comment (labels and dates aside)."""
    text = (profiles_dir() / "ru_nok_344n_2018.yaml").read_text(encoding="utf-8")
    keys = (
        "weight",
        "points_per_item",
        "cap",
        "good_practice",
        "needs_improvement",
        "share_of_recipients",
        "absolute_minimum",
        "confidence",
        "decimals",
    )
    untagged = [
        line
        for line in text.splitlines()
        if re.match(rf"\s*({'|'.join(keys)}):\s*[0-9.]+", line) and not re.search(r"\[[VCRP]\]", line)
    ]
    assert untagged == []
    assert "UNVERIFIED" in text  # the K2 variant question of PART F


BROKEN = """\
schema_version: 1
id: broken
title: {en: Broken profile}
sources:
  survey: {kind: survey, respondents: true}
criteria:
  - id: K1
    indicators:
      - id: a
        type: share_yess
        weight: 0.5
        source: survey
        question: q1
      - id: b
        type: share_yes
        weight: 0.4
        source: surevy
        question: q2
  - id: K2
    indicators:
      - id: c
        type: checklist_count
        wieght: 1.0
        source: survey
        items: [x]
        points_per_item: 20
"""


def test_profile_errors_are_located_and_reported_at_once(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = read_profile(path)
    assert result.profile is None
    found = {(p.code, p.location.line) for p in result.report.errors}
    assert (ErrorCode.PROFILE_INVALID, 10) in found  # unknown type, on the `type:` line
    assert (ErrorCode.FIELD_UNKNOWN, 23) in found  # wieght
    assert (ErrorCode.PROFILE_WEIGHTS, 8) in found  # 0.5 + 0.4 in K1
    assert (ErrorCode.PROFILE_INVALID, 17) in found  # source 'surevy'
    messages = " | ".join(p.message for p in result.report.errors)
    assert "did you mean 'share_yes'" in messages and "did you mean 'weight'" in messages
    assert "did you mean 'survey'" in messages and "add up to 0.9" in messages
    with pytest.raises(MethodologyError) as info:
        load_profile(path)
    text = str(info.value)
    assert f"{path}:10" in text and f"{path}:23" in text  # every problem, each with file:line


def test_semantic_errors_of_a_valid_schema_are_all_listed(tmp_path: Path):
    text = """\
schema_version: 1
id: semantic
title: {en: Semantic problems}
sources:
  survey: {kind: survey, respondents: true}
criteria:
  - id: K1
    indicators:
      - {id: a, type: share_yes, weight: 0.7, source: survey, question: q1}
      - {id: a, type: share_yes, weight: 0.7, source: survey, question: q2}
  - id: K2
    indicators:
      - {id: c, type: checklist_ratio, weight: 1, source: survey,
         channels: [{name: site, items: [x1, x2], required: [x1, x3]}]}
ranking:
  ties: [{by: K9}]
"""
    path = tmp_path / "semantic.yaml"
    path.write_text(text, encoding="utf-8")
    report = read_profile(path).report
    found = {(p.code, p.location.line) for p in report.errors}
    assert (ErrorCode.PROFILE_INVALID, 10) in found  # id 'a' twice
    assert (ErrorCode.PROFILE_WEIGHTS, 8) in found  # 0.7 + 0.7
    assert (ErrorCode.PROFILE_INVALID, 14) in found  # required x3 not among the items
    assert (ErrorCode.PROFILE_INVALID, 16) in found  # tie rule K9
    assert len(report.errors) == 4


def test_unknown_question_codes_with_did_you_mean():
    questionnaire = Questionnaire.model_validate(
        {
            "id": "recipient_survey",
            "version": "1",
            "title": {"en": "Recipients"},
            "languages": ["en"],
            "default_language": "en",
            "items": [{"code": f"q{i}", "type": "yes_no", "label": f"Q{i}"} for i in range(1, 15)],  # no q15
        }
    )
    result = read_profile("ru_nok_344n_2018", questionnaires=[questionnaire])
    unknown = [p for p in result.report.errors if p.code is ErrorCode.PROFILE_QUESTION_UNKNOWN]
    assert [p.params["code"] for p in unknown] == ["q15"]
    assert unknown[0].params["indicator"] == "5.3" and "did you mean 'q5'" in unknown[0].message
    assert unknown[0].location.file.endswith("ru_nok_344n_2018.yaml") and unknown[0].location.line > 0


def test_unknown_profile_and_variant():
    with pytest.raises(MethodologyError, match="did you mean 'ru_nok_344n_2018'"):
        load_profile("ru_nok_344_2018")
    with pytest.raises(
        MethodologyError, match="unknown variant 'k2_waiting'.*did you mean 'k2_with_waiting_time'"
    ):
        load_profile("ru_nok_344n_2018", variant="k2_waiting")


def test_overrides_are_checked_like_a_file():
    nok = load_profile()
    changed = nok.with_overrides({"5.3": {"weight": 0.6}, "5.1": {"weight": 0.2}})
    assert changed.indicator("5.3").weight == 0.6
    with pytest.raises(MethodologyError) as info:
        nok.with_overrides({"5.3": {"weight": 0.6}})
    assert info.value.code is ErrorCode.PROFILE_WEIGHTS and "K5" in str(info.value)
    with pytest.raises(MethodologyError, match="not a criterion or indicator"):
        nok.with_overrides({"9.9": {"weight": 1}})


def test_rate_reports_every_missing_column_at_once():
    import pandas as pd

    from surveykit.scoring import rate

    frame = pd.DataFrame({"institution_id": ["a"], "period": ["2025"], "q1": ["yes"]})
    with pytest.raises(MethodologyError) as info:
        rate("ru_nok_344n_2018", {"recipient_survey": frame})
    missing = {p.params["column"] for p in info.value.report.errors}
    assert {"q2", "q15"} <= missing and "q1" not in missing
    assert "indicator 5.3" in str(info.value)


def test_shipped_profiles_match_the_shipped_questionnaires():
    """Every question code and scale a shipped profile reads exists in the shipped questionnaires."""
    from surveykit.config import settings
    from surveykit.questionnaire.io import load_questionnaire

    folder = settings().questionnaires_dir
    names = ["recipient_survey", "website_audit", "premises_checklist", "staff_survey"]
    if not all((folder / f"{n}.yaml").exists() for n in names):
        pytest.skip("the methodology questionnaires are not in this checkout")
    questionnaires = [load_questionnaire(folder / f"{n}.yaml") for n in names]
    for name in SHIPPED:
        result = read_profile(name, questionnaires=questionnaires)
        assert result.report.ok, str(result.report)
