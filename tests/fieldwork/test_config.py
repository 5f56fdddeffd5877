"""The fieldwork rules file and the periods of a campaign."""

from __future__ import annotations

import datetime as dt

import pytest

from surveykit.errors import ConfigError, ErrorCode
from surveykit.fieldwork.config import FieldworkRules, load_rules
from surveykit.fieldwork.outcome import interview_disposition
from surveykit.fieldwork.periods import is_past, period_end


def test_the_shipped_rules_equal_the_defaults_and_drive_the_outcome_rule():
    rules = load_rules()
    assert rules == FieldworkRules()
    assert (rules.interview_outcome.complete_share, rules.interview_outcome.partial_share) == (0.8, 0.5)
    assert [interview_disposition(s, rules) for s in (1.0, 0.8, 0.79, 0.5, 0.49, 0.0)] == [
        "1.1", "1.1", "1.2", "1.2", "2.12", "2.12"]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            "schema_version: 1\ninterview_outcome: {complete_share: 0.4, partial_share: 0.6}",
            "interview_outcome",
        ),
        ("schema_version: 1\ninterview_outcome: {complete_shar: 0.8}", "interview_outcome.complete_shar"),
        ("schema_version: 1\nappointments: {remind_hours: -1}", "appointments.remind_hours"),
        ("schema_version: 2\n", "schema_version"),
        ("- a list", "(file)"),
    ],
)
def test_a_bad_rules_file_is_refused_naming_the_file_and_the_key(tmp_path, text, where):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    assert info.value.code is ErrorCode.FIELDWORK_RULES_INVALID
    assert info.value.location.file == str(path) and info.value.location.path == where


def test_a_rules_file_that_is_not_yaml_is_refused_at_its_line(tmp_path):
    """Read through the one safe YAML reader (surveykit.fileio): a syntax error is SK103 with line and column."""
    path = tmp_path / "rules.yaml"
    path.write_text("schema_version: 1\ninterview_outcome: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    assert info.value.code is ErrorCode.YAML_SYNTAX
    assert info.value.location.file == str(path) and info.value.location.line == 2


def test_a_missing_rules_file_says_where(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_rules(tmp_path / "nothing.yaml")
    assert info.value.code is ErrorCode.FILE_NOT_FOUND


@pytest.mark.parametrize(
    ("period", "end"),
    [("2026", dt.date(2026, 12, 31)), ("2026-02", dt.date(2026, 2, 28)), ("2026-12", dt.date(2026, 12, 31)),
     ("2026-Q1", dt.date(2026, 3, 31)), ("2026q4", dt.date(2026, 12, 31)), ("2026-H1", dt.date(2026, 6, 30)),
     ("2026-H3", None), ("2026-13", None), ("весна", None)],
)  # fmt: skip
def test_periods_as_people_write_them(period, end):
    assert period_end(period) == end


def test_a_period_is_past_only_after_its_last_day():
    assert is_past("2025", dt.date(2026, 1, 1)) and not is_past("2026", dt.date(2026, 12, 31))
    assert not is_past("осень", dt.date(2030, 1, 1))  # an unknown format is never past
