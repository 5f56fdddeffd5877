"""Institution types named in both languages from one catalog; unrated types (the practice institution) kept
out of ratings."""

from __future__ import annotations

import pandas as pd
import pytest

from surveykit.config import settings
from surveykit.dashboard import dashboard_data
from surveykit.dashboard.sample import sample_data
from surveykit.errors import ConfigError, ErrorCode
from surveykit.institution_types import institution_types, rated_sources, rated_type, type_label

DEMO_TYPES = ("kcson", "residential", "rehab", "family", "practice")


@pytest.mark.parametrize("code", DEMO_TYPES)
def test_every_demo_type_has_a_name_in_both_languages(code):
    ru, en = type_label(code, "ru"), type_label(code, "en")
    assert ru != code and en != code and ru != en
    assert not any("a" <= ch.lower() <= "z" for ch in ru)  # no English inside a Russian page


def test_missing_and_unknown_types():
    assert type_label(None, "ru") == "тип не указан" and type_label(float("nan"), "en") == "type not stated"
    assert type_label("Дом ночного пребывания", "ru") == "Дом ночного пребывания"  # a name stored as a type
    assert rated_type("practice") is False and rated_type("kcson") is True and rated_type(None) is True


def _write(tmp_path, monkeypatch, text: str) -> None:
    folder = tmp_path / "questionnaires" / "directory"
    folder.mkdir(parents=True)
    (folder / "institution_types.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("SURVEYKIT_QUESTIONNAIRES_DIR", str(tmp_path / "questionnaires"))
    settings.cache_clear()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            "schema_version: 1\ntypes:\n  x: {name: {ru: Икс}}\n",
            "type 'x' needs a name in Russian and English",
        ),
        ("schema_version: 1\ntypes:\n  x: {name: {ru: Икс, en: X}, rated: maybe}\n", "'rated' must be true"),
        ("schema_version: 2\ntypes: {}\n", "schema_version 2"),
    ],
)
def test_a_broken_catalog_says_where_and_what(tmp_path, monkeypatch, text, needle):
    _write(tmp_path, monkeypatch, text)
    try:
        with pytest.raises(ConfigError) as err:
            institution_types()
        assert err.value.code is ErrorCode.INSTITUTION_TYPES_INVALID and needle in str(err.value)
        assert "institution_types.yaml" in str(err.value)
    finally:
        settings.cache_clear()


def test_a_catalog_that_is_not_yaml_is_refused_at_its_line(tmp_path, monkeypatch):
    _write(tmp_path, monkeypatch, "schema_version: 1\ntypes: [\n")
    try:
        with pytest.raises(ConfigError) as err:
            institution_types()
        assert err.value.code is ErrorCode.YAML_SYNTAX and err.value.location.line is not None
        assert "institution_types.yaml" in str(err.value)
    finally:
        settings.cache_clear()


def test_an_unrated_institution_and_its_interviews_are_left_out():
    sample = sample_data(interviews_per_institution=12)
    frames = dict(sample.frames)
    survey = frames["recipient_survey"]
    stray = survey[survey["institution_id"] == "kcson_sev"].copy()
    stray["institution_id"] = "practice"  # interviews filed under it by mistake are not rated either
    frames["recipient_survey"] = pd.concat([survey, stray], ignore_index=True)
    practice = pd.DataFrame(
        [{"institution_id": "practice", "name": "Учебная организация", "type": "practice", "region": None}]
    )
    frames["institutions"] = pd.concat([frames["institutions"], practice], ignore_index=True)
    kept, institutions = rated_sources(frames, frames["institutions"])
    assert "practice" not in set(institutions["institution_id"])
    assert "practice" not in set(kept["recipient_survey"]["institution_id"])
    data = dashboard_data(frames, language="en", k=5)
    assert "practice" not in set(data.rating.table["institution_id"]) and "practice" not in data.selected
    without = dashboard_data(sample.frames, language="en", k=5)
    assert (
        data.distribution("recipient_survey", "q15")["base"].iloc[0]
        == (without.distribution("recipient_survey", "q15")["base"].iloc[0])
    )
    assert "Training institution (practice)" not in {label for label, _ in data.options()["type"]}


def test_an_institution_without_region_or_municipality_reads_without_nan(council_data):
    view = council_data.institution("tiny_noregion")
    assert view.municipality == "" and view.region == ""
    assert view.type_label == "Комплексный центр социального обслуживания населения"
    ranking = council_data.ranking().set_index("institution_id")
    assert ranking.loc["tiny_type", "type_label"] == "Хоспис"


def test_suggestions_of_a_small_institution_are_withheld_and_say_why(world, council_data):
    """tiny_type has 4 respondents in 2025, one of whom made a suggestion a sociologist approved: it is not
    published (it would be one of four people's words), and the report says why."""
    from surveykit.reports.content import InstitutionReport

    from .world import SMALL_SUGGESTION

    reviews = world.sample.frames["open_answer_reviews"]
    assert SMALL_SUGGESTION in set(reviews.loc[reviews["status"] == "approved", "published_text"])
    view = council_data.institution("tiny_type", "2025")
    assert view.suggestions == []
    text = str(InstitutionReport(council_data, "tiny_type").suggestions())
    assert SMALL_SUGGESTION not in text and "опрошено менее 5" in text
