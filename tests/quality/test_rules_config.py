"""The rules file ``questionnaires/quality/rules.yaml``: the shipped one loads, and every mistake is reported
with its file, line, what is wrong and how to fix it."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from surveykit.errors import ConfigError, ErrorCode
from surveykit.quality import RULE_IDS, QualityRules, load_rules, read_rules
from surveykit.quality.rules import default_rules_path, rules_from_data

GOOD = """\
schema_version: 1
timezone: Europe/Moscow
near_duplicate:
  floor: 0.85
  quantile: 0.99
outside_hours:
  start: "08:00"
  end: "21:00"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[ErrorCode, int | None, str]]:
    report = read_rules(path).report
    return [(p.code, p.location.line, str(p)) for p in report.errors]


def test_the_shipped_rules_are_the_documented_defaults():
    shipped = load_rules(default_rules_path())
    assert shipped.model_dump() == QualityRules().model_dump()  # the defaults in code equal the file
    assert shipped.source == str(default_rules_path())
    assert all(shipped.enabled(rule) for rule in RULE_IDS)
    assert shipped.near_duplicate.floor == 0.85 and shipped.throughput.max_per_hour == 3
    assert shipped.outside_hours.end == dt.time(21, 0)


def test_a_small_file_fills_in_the_defaults(tmp_path):
    rules = load_rules(write(tmp_path, GOOD))
    assert rules.too_short.share_of_median == 0.5 and rules.timezone == "Europe/Moscow"


def test_an_unknown_key_is_named_with_its_line_and_a_suggestion(tmp_path):
    path = write(tmp_path, GOOD + "near_duplicat:\n  floor: 0.9\nstraight_lining:\n  min_itmes: 4\n")
    found = problems(path)
    assert [(code, line) for code, line, _ in found] == [
        (ErrorCode.FIELD_UNKNOWN, 9),
        (ErrorCode.FIELD_UNKNOWN, 12),
    ]
    text = "\n".join(message for *_, message in found)
    assert "did you mean 'near_duplicate'" in text and "did you mean 'min_items'" in text
    assert f"{path}:9" in text  # where: file and line first


def test_values_of_the_wrong_type_or_out_of_range_say_how_to_fix_them(tmp_path):
    path = write(
        tmp_path, GOOD.replace("floor: 0.85", "floor: high").replace("quantile: 0.99", "quantile: 1.5")
    )
    found = problems(path)
    assert [(code, line) for code, line, _ in found] == [
        (ErrorCode.FIELD_INVALID, 4),
        (ErrorCode.FIELD_INVALID, 5),
    ]
    assert "near_duplicate.floor" in found[0][2] and "e.g. floor: 0.85" in found[0][2]
    assert "less than 1" in found[1][2] and "e.g. quantile: 0.99" in found[1][2]


def test_an_unquoted_time_is_explained(tmp_path):
    """YAML 1.1 reads 21:00 as the number 1260 (base 60): the message says so."""
    found = problems(write(tmp_path, GOOD.replace('end: "21:00"', "end: 21:00")))
    assert [(code, line) for code, line, _ in found] == [(ErrorCode.FIELD_INVALID, 8)]
    assert "in quotes" in found[0][2]


def test_field_hours_that_end_before_they_start(tmp_path):
    found = problems(write(tmp_path, GOOD.replace('start: "08:00"', 'start: "22:00"')))
    assert [(code, line) for code, line, _ in found] == [(ErrorCode.QUALITY_RULES_INVALID, 8)]
    assert "SK905" in found[0][2] and "outside_hours" in found[0][2] and "start before end" in found[0][2]


def test_an_unknown_time_zone_gets_a_suggestion(tmp_path):
    found = problems(write(tmp_path, GOOD.replace("Europe/Moscow", "Europe/Moskow")))
    assert [(code, line) for code, line, _ in found] == [(ErrorCode.QUALITY_RULES_INVALID, 2)]
    assert "did you mean 'Europe/Moscow'" in found[0][2]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (GOOD.replace("schema_version: 1", "schema_version: 2"), ErrorCode.SCHEMA_VERSION_TOO_NEW),
        (GOOD.replace("schema_version: 1", "schema_version: 0"), ErrorCode.SCHEMA_VERSION_TOO_OLD),
        (GOOD.replace("schema_version: 1\n", ""), ErrorCode.FIELD_MISSING),
        (GOOD.replace("schema_version: 1", "schema_version: one"), ErrorCode.FIELD_INVALID),
        (GOOD + "too_short: [\n", ErrorCode.YAML_SYNTAX),
        ("- a list\n", ErrorCode.QUALITY_RULES_INVALID),
    ],
)
def test_file_level_problems(tmp_path, text, code):
    assert [c for c, *_ in problems(write(tmp_path, text))] == [code]


def test_a_missing_file_and_load_rules_raising_with_every_problem(tmp_path):
    assert [c for c, *_ in problems(tmp_path / "nowhere.yaml")] == [ErrorCode.FILE_NOT_FOUND]
    path = write(tmp_path, GOOD.replace("floor: 0.85", "floor: high") + "bogus: 1\n")
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert caught.value.code is ErrorCode.FIELD_INVALID
    assert [p.code for p in caught.value.report.errors] == [ErrorCode.FIELD_INVALID, ErrorCode.FIELD_UNKNOWN]


def test_changes_and_a_subset_of_rules_are_checked_like_the_file():
    rules = QualityRules()
    changed = rules.with_changes({"near_duplicate": {"floor": 0.9}, "timezone": "Asia/Yekaterinburg"})
    assert changed.near_duplicate.floor == 0.9 and changed.near_duplicate.quantile == 0.99
    assert changed.timezone == "Asia/Yekaterinburg" and rules.near_duplicate.floor == 0.85
    with pytest.raises(ConfigError) as caught:
        rules.with_changes({"near_duplicate": {"floor": 2}})
    assert caught.value.code is ErrorCode.FIELD_INVALID
    only = rules.only("too_short", "overlap")
    assert [r for r in RULE_IDS if only.enabled(r)] == ["too_short", "overlap"]
    with pytest.raises(ConfigError) as caught:
        rules.only("too_shrt")
    assert caught.value.code is ErrorCode.QUALITY_RULES_INVALID and "did you mean 'too_short'" in str(
        caught.value
    )


def test_rules_given_as_a_mapping_need_no_schema_version():
    load = rules_from_data({"schema_version": 1, "peers": {"z": 3}})
    assert load.report.ok and load.rules.peers.z == 3


def test_the_new_error_code_is_translated():
    from surveykit.errors import Location, Problem

    problem = Problem.of(
        ErrorCode.QUALITY_RULES_INVALID, Location(file="rules.yaml", line=3), rule="x", detail="d", fix="f"
    )
    message, hint = problem.localized("ru")
    assert message.startswith("правило контроля качества «x»") and hint == "f"
