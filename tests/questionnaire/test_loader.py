"""Loading questionnaires: YAML/JSON round trips and located, complete error reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from surveykit.cli.main import main
from surveykit.errors import ErrorCode, QuestionnaireError, Severity
from surveykit.questionnaire.io import dumps, load_questionnaire, read_questionnaire, save_questionnaire
from surveykit.questionnaire.model import Group, Question, QuestionType

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "questionnaires" / "example_all_types.yaml"


def test_example_uses_every_question_type_and_loads_clean():
    result = read_questionnaire(EXAMPLE)
    assert result.report.problems == []
    types = {q.type for q in result.questionnaire.questions()}
    assert types == set(QuestionType)
    assert any(isinstance(g, Group) and g.is_repeat for g in result.questionnaire.groups())


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip_through_text_gives_an_equal_model(tmp_path, fmt):
    q = load_questionnaire(EXAMPLE)
    path = save_questionnaire(q, tmp_path / f"copy.{fmt}")
    again = load_questionnaire(path)
    assert again == q
    assert again.content_hash == q.content_hash
    assert dumps(again, fmt) == dumps(q, fmt)


def test_plain_strings_mean_the_default_language(load_yaml):
    result = load_yaml(
        """\
        items:
          - {code: a, type: text, label: "Plain", hint: "Also plain"}
        """
    )
    q = result.questionnaire
    assert q.question("a").label == {"en": "Plain"}
    assert q.question("a").hint == {"en": "Also plain"}
    # and the missing Russian translation is a located warning, not an error
    missing = [p for p in result.report if p.code is ErrorCode.TRANSLATION_MISSING]
    assert {p.location.field for p in missing} == {"label", "hint"}
    assert all(p.severity is Severity.WARNING and p.location.line == 8 for p in missing)


def test_yes_and_no_are_text_not_booleans(load_yaml):
    result = load_yaml(
        """\
        choice_lists:
          answer:
            - {name: yes, label: {en: Y, ru: Д}}
            - {name: no, label: {en: N, ru: Н}}
        items:
          - {code: a, type: select_one, choices: answer, default: yes, label: {en: A, ru: А}}
        """
    )
    assert result.ok, str(result.report)
    assert [c.name for c in result.questionnaire.choice_lists["answer"]] == ["yes", "no"]
    assert result.questionnaire.question("a").default == "yes"


FIVE_MISTAKES = ROOT / "tests" / "questionnaire" / "fixtures" / "questionnaire-five-mistakes.yaml"
EXPECTED_FIVE = {
    (ErrorCode.CODE_INVALID, 13),
    (ErrorCode.CHOICE_LIST_UNKNOWN, 18),
    (ErrorCode.EXPR_UNKNOWN_REFERENCE, 22),
    (ErrorCode.EXPR_SYNTAX, 26),
    (ErrorCode.FIELD_UNKNOWN, 30),
}


def test_five_mistakes_are_all_reported_at_once_with_their_lines():
    result = read_questionnaire(FIVE_MISTAKES)
    assert result.questionnaire is None
    assert {(p.code, p.location.line) for p in result.report.errors} == EXPECTED_FIVE


def test_cli_validate_reports_all_five_mistakes(capsys):
    assert main(["validate", str(FIVE_MISTAKES)]) == 1
    out = capsys.readouterr().out
    for code, line in EXPECTED_FIVE:
        assert f"questionnaire-five-mistakes.yaml:{line}" in out and code.code in out
    assert "5 error(s)" in out

    assert main(["validate", "--json", str(FIVE_MISTAKES)]) == 1
    payload = json.loads(capsys.readouterr().out)
    problems = [p for p in payload["files"][0]["problems"] if p["severity"] == "error"]
    assert {(p["code"], p["location"]["line"]) for p in problems} == {
        (c.code, line) for c, line in EXPECTED_FIVE
    }
    text = " ".join(p["message"] + " " + p["hint"] for p in problems)
    assert "did you mean 'smoker'" in text  # the unknown reference
    assert "did you mean 'yes_no'" in text  # the unknown list
    assert "did you mean 'label'" in text  # the misspelt field
    assert "for example" in text  # a valid code is suggested


def test_schema_version_too_new_and_too_old(load_yaml):
    newer = load_yaml(
        "schema_version: 99\nid: t\nversion: '1'\ntitle: T\nlanguages: [en]\ndefault_language: en\nitems: []\n"
    )
    assert [p.code for p in newer.report.errors] == [ErrorCode.SCHEMA_VERSION_TOO_NEW]
    assert newer.report.errors[0].location.line == 1
    older = load_yaml(
        "schema_version: 0\nid: t\nversion: '1'\ntitle: T\nlanguages: [en]\ndefault_language: en\nitems: []\n"
    )
    assert [p.code for p in older.report.errors] == [ErrorCode.SCHEMA_VERSION_TOO_OLD]
    odd = load_yaml(
        "schema_version: one\nid: t\nversion: '1'\ntitle: T\nlanguages: [en]\ndefault_language: en\nitems: []\n"
    )
    assert [p.code for p in odd.report.errors] == [ErrorCode.FIELD_INVALID]


def test_yaml_syntax_error_is_located(load_yaml):
    result = load_yaml("items:\n  - {code: a, type: text\n")
    assert [p.code for p in result.report.errors] == [ErrorCode.YAML_SYNTAX]
    assert result.report.errors[0].location.line is not None


def test_json_syntax_error_is_located(tmp_path):
    path = tmp_path / "q.json"
    path.write_text('{"id": "x",\n "items": [,]}', encoding="utf-8")
    result = read_questionnaire(path)
    assert [(p.code, p.location.line) for p in result.report.errors] == [(ErrorCode.JSON_SYNTAX, 2)]


def test_duplicate_yaml_keys_are_reported(load_yaml):
    result = load_yaml(
        """\
        items:
          - code: a
            type: text
            label: {en: A, ru: А}
            label: {en: B, ru: Б}
        """
    )
    problems = [p for p in result.report.errors if p.code is ErrorCode.DUPLICATE_KEY]
    assert problems and problems[0].location.line == 11 and "twice" in problems[0].message


def test_missing_required_field_and_bad_type(load_yaml):
    result = load_yaml(
        """\
        items:
          - {code: a, label: {en: A, ru: А}}
          - {code: b, type: slider, label: {en: B, ru: Б}}
        """
    )
    codes = [(p.code, p.location.line) for p in result.report.errors]
    assert (ErrorCode.FIELD_MISSING, 8) in codes
    assert (ErrorCode.FIELD_INVALID, 9) in codes
    bad_type = next(p for p in result.report.errors if p.code is ErrorCode.FIELD_INVALID)
    assert "select_one" in bad_type.hint


def test_unknown_file_format_and_missing_file(tmp_path):
    odd = tmp_path / "form.txt"
    odd.write_text("x", encoding="utf-8")
    assert [p.code for p in read_questionnaire(odd).report.errors] == [ErrorCode.FILE_FORMAT_UNKNOWN]
    assert [p.code for p in read_questionnaire(tmp_path / "none.yaml").report.errors] == [
        ErrorCode.FILE_NOT_FOUND
    ]


def test_a_document_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    problems = read_questionnaire(path).report.errors
    assert [(p.code, p.location.line) for p in problems] == [(ErrorCode.FIELD_INVALID, 1)]
    assert "mapping" in problems[0].message


def test_strict_loader_raises_with_the_whole_report(load_yaml, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "schema_version: 1\nid: t\nversion: '1'\ntitle: T\nlanguages: [en]\ndefault_language: en\n"
        "items:\n  - {code: 9a, type: text, label: A}\n  - {code: b, type: text, label: B, relevant: '${zz} = 1'}\n",
        encoding="utf-8",
    )
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert {p.code for p in info.value.report.errors} == {
        ErrorCode.CODE_INVALID,
        ErrorCode.EXPR_UNKNOWN_REFERENCE,
    }
    assert "bad.yaml:8" in str(info.value) and "bad.yaml:9" in str(info.value)


def test_model_navigation_and_variables():
    q = load_questionnaire(EXAMPLE)
    grid = q.question("grid")
    assert grid.variables() == ["grid_late", "grid_rushed", "grid_explains"]
    assert q.question("welcome").variables() == []
    assert [g.code for g in q.parents("rel_age")] == ["household", "relatives"]
    assert isinstance(q.item("relatives"), Group)
    with pytest.raises(KeyError):
        q.question("relatives")
    assert isinstance(q.question("age"), Question)
    assert q.key == "example_all_types@2026.1"
