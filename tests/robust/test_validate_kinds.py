"""One ``surveykit validate`` for every kind of file a user edits: each recognised and checked by its own schema."""

from __future__ import annotations

import json
import shutil

import pytest

from surveykit.cli.main import main
from surveykit.config import PROJECT_ROOT
from surveykit.errors import ErrorCode, Location, Report, Severity
from surveykit.fileio import read_document
from surveykit.filekinds import KINDS, add_check, recognise, validate_file, validate_paths

SHIPPED = PROJECT_ROOT / "questionnaires"
EXPECTED_KINDS = {
    "example_all_types.yaml": "questionnaire",
    "methodology/ru_nok_344n_2018.yaml": "methodology_profile",
    "quality/rules.yaml": "qc_rules",
    "quality/workflow.yaml": "qc_workflow",
    "training/course.yaml": "course",
    "training/items/m3.yaml": "item_bank",
    "training/rules.yaml": "training_rules",
    "training/mock_checklist.yaml": "mock_checklist",
    "training/audit_items.yaml": "audit_items",
    "training/calibration/website_kcson_rassvet.yaml": "calibration_case",
    "training/personas/hesitant.yaml": "persona",
    "training/certificates/interviewer.yaml": "certificate_template",
}


def test_validate_passes_on_every_yaml_file_the_project_ships():
    shipped = sorted(p for p in SHIPPED.rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".xlsx"))
    results = validate_paths([SHIPPED])
    assert sorted(c.path for c in results) == shipped and len(shipped) >= 30
    for checked in results:
        assert checked.kind is not None and checked.report.ok, str(checked.report)
        assert not checked.report.warnings, str(checked.report)
    kinds = {str(c.path.relative_to(SHIPPED)): c.kind for c in results}
    assert {name: kinds[name] for name in EXPECTED_KINDS} == EXPECTED_KINDS
    assert set(kinds.values()) == set(KINDS)  # every kind has a shipped example


def test_the_cli_on_the_shipped_folder(capsys):
    assert main(["validate", str(SHIPPED)]) == 0
    out = capsys.readouterr().out
    assert "(methodology profile): 0 error(s)" in out and "(item bank): 0 error(s)" in out
    assert main(["validate", "--json", str(SHIPPED / "quality")]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["ok"] and [f["kind"] for f in payload["files"]] == ["qc_rules", "qc_workflow"]
    assert main(["--lang", "ru", "validate", str(SHIPPED / "training" / "rules.yaml")]) == 0
    assert "(правила сертификации)" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(EXPECTED_KINDS))
def test_every_kind_is_recognised_by_content_when_copied_elsewhere_without_its_kind_line(tmp_path, name):
    text = (SHIPPED / name).read_text(encoding="utf-8")
    kind = EXPECTED_KINDS[name]
    if KINDS[kind].takes_kind_field:
        assert f"\nkind: {kind}\n" in text  # the shipped file says what it is
        text = text.replace(f"\nkind: {kind}\n", "\n")
    copy = tmp_path / "copy.yaml"
    copy.write_text(text, encoding="utf-8")
    assert recognise(copy, read_document(copy).data) == (kind, [])


def test_a_kind_line_wins_over_the_place_and_a_kind_that_does_not_exist_is_named(tmp_path):
    methodology = tmp_path / "methodology"
    methodology.mkdir()
    moved = methodology / "actually_rules.yaml"
    shutil.copy(SHIPPED / "quality" / "rules.yaml", moved)
    assert validate_file(moved).kind == "qc_rules" and validate_file(moved).ok
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("kind: profile_methodology\nid: x\n", encoding="utf-8")
    checked = validate_file(wrong)
    [problem] = checked.report.errors
    assert checked.kind is None and problem.code is ErrorCode.KIND_INVALID
    assert "no such kind" in problem.message and "methodology_profile" in problem.hint


def test_a_profile_with_a_typo_gets_the_profiles_own_message_not_the_questionnaire_schema(tmp_path):
    folder = tmp_path / "methodology"
    folder.mkdir()
    path = folder / "mine.yaml"
    path.write_text(
        (SHIPPED / "methodology" / "ru_nok_344n_2018.yaml")
        .read_text(encoding="utf-8")
        .replace("\njurisdiction: RU", "\njurisdction: RU"),
        encoding="utf-8",
    )
    checked = validate_file(path)
    [problem] = checked.report.errors
    assert checked.kind == "methodology_profile" and problem.code is ErrorCode.FIELD_UNKNOWN
    assert "did you mean 'jurisdiction'" in problem.message and problem.location.line == 20


def test_kind_forces_a_kind(tmp_path, capsys):
    path = tmp_path / "anything.yaml"
    shutil.copy(SHIPPED / "training" / "mock_checklist.yaml", path)
    assert main(["validate", "--kind", "mock_checklist", str(path)]) == 0
    assert main(["validate", "--kind", "qc_rules", str(path)]) == 1
    assert "SK157" in capsys.readouterr().out  # its kind line says mock_checklist
    assert validate_file(path, kind="no_such").report.errors[0].code is ErrorCode.KIND_INVALID


def test_a_file_whose_kind_cannot_be_told(tmp_path):
    path = tmp_path / "mystery.yaml"
    path.write_text("colour: blue\n", encoding="utf-8")
    [problem] = validate_file(path).report.errors
    assert problem.code is ErrorCode.KIND_UNKNOWN and "--kind" in problem.hint
    assert "questionnaire" in problem.hint and problem.location.file == str(path)


def test_a_folder_with_nothing_to_validate(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 1
    assert "SK910" in capsys.readouterr().out
    [checked] = validate_paths([tmp_path])
    assert checked.report.errors[0].code is ErrorCode.VALIDATE_NOTHING


def test_a_loader_refuses_a_kind_line_of_another_kind(tmp_path):
    from surveykit.errors import TrainingError
    from surveykit.training.loader import load_rules

    shutil.copy(SHIPPED / "training" / "rules.yaml", tmp_path / "rules.yaml")
    path = tmp_path / "rules.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: training_rules", "kind: course"), "utf-8")
    with pytest.raises(TrainingError) as err:
        load_rules(tmp_path)
    assert err.value.code is ErrorCode.KIND_INVALID and err.value.location.line == 7
    assert "certification rules" in err.value.message and "training course" in err.value.message


@pytest.fixture
def course(tmp_path):
    # the lessons quote the questionnaires beside the course folder: copy them together
    shutil.copytree(SHIPPED, tmp_path / "questionnaires")
    return tmp_path / "questionnaires" / "training"


def test_a_course_file_is_checked_against_the_rest_of_its_course(course):
    path = course / "course.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("quiz: [m9-04]", "quiz: [m9-99]"), "utf-8")
    checked = validate_file(path)
    assert checked.kind == "course" and not checked.ok
    problem = checked.report.errors[0]
    assert (
        "m9-99" in problem.message
        and problem.location.line == text[: text.index("quiz: [m9-04]")].count("\n") + 1
    )


def test_an_item_bank_file_is_checked_on_its_own_and_with_its_course(course):
    path = course / "items" / "m1.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    answer: b\n", "    answer: z\n", 1), encoding="utf-8")
    checked = validate_file(path)
    assert checked.kind == "item_bank" and [p.code for p in checked.report.errors] == [ErrorCode.ITEM_INVALID]
    assert checked.report.errors[0].location.file.endswith("m1.yaml")


def test_extra_checks_of_the_item_bank_are_one_line_and_see_located_items(course):
    seen = []

    def lint(checked):
        bank = checked.value
        seen.append(len(bank.items))
        report = Report()
        where = bank.locate(0, "stem")
        report.add(
            ErrorCode.ITEM_INVALID, where, Severity.WARNING, item=bank.items[0].id, detail="long", fix="Cut."
        )
        return report

    add_check("item_bank", lint)
    try:
        checked = validate_file(course / "items" / "m1.yaml")
    finally:
        KINDS["item_bank"].checks.remove(lint)
    [warning] = checked.report.warnings
    text = (course / "items" / "m1.yaml").read_text(encoding="utf-8")
    assert seen == [len(text.split("\n  - id: ")) - 1]
    assert warning.location.line == text[: text.index("    stem:")].count("\n") + 1
    assert warning.location.path == "m1-01.stem"


def test_a_persona_problem_is_located_by_line(course):
    path = course / "personas" / "hesitant.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('  q3:\n    value: "no"', '  q3:\n    value: "perhaps"'), encoding="utf-8")
    checked = validate_file(path)
    [problem] = checked.report.errors
    assert checked.kind == "persona" and "'perhaps' is not a choice of q3" in problem.message
    assert problem.location.line == text[: text.index('value: "no"', text.index("  q3:"))].count("\n") + 1


def test_a_workflow_problem_is_located_by_line(tmp_path):
    folder = tmp_path / "quality"
    folder.mkdir()
    path = folder / "workflow.yaml"
    text = (SHIPPED / "quality" / "workflow.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("    type: date\n", "    type: datum\n"), encoding="utf-8")
    [problem] = validate_file(path).report.errors
    assert problem.code is ErrorCode.QC_CONFIG_INVALID and problem.location.path == "form[2].type"
    assert problem.location.line == text[: text.index("    type: date\n")].count("\n") + 1


def test_a_certificate_template_problem_is_located_by_line(tmp_path):
    folder = tmp_path / "certificates"
    folder.mkdir()
    path = folder / "x.yaml"
    text = (SHIPPED / "training" / "certificates" / "interviewer.yaml").read_text(encoding="utf-8")
    path.write_text(
        text.replace("kind: certificate\n", "kind: diploma\nlanguage: xx\n").replace("language: ru\n", ""),
        "utf-8",
    )
    checked = validate_file(path)
    assert checked.kind == "certificate_template" and not checked.ok
    assert all(p.location.line for p in checked.report.errors), str(checked.report)


def test_data_paths_of_messages_become_lines():
    from surveykit.filekinds import _data_path

    assert _data_path("form[2].type") == ("form", 2, "type")
    assert _data_path("answers.q1.value") == ("answers", "q1", "value")
    assert Location(file="x", path="a").line is None


def test_validate_runs_the_item_bank_linter_on_bank_files_and_the_course(tmp_path):
    """The item-writing flaws of single items are reported with the item-bank file that holds them (located at
    the option), the balance of the whole bank with the course file; the shipped bank has none."""
    shutil.copytree(SHIPPED, tmp_path / "questionnaires")
    training = tmp_path / "questionnaires" / "training"
    m1 = training / "items" / "m1.yaml"
    m1.write_text(m1.read_text(encoding="utf-8").replace("Код организации", "Код организации (proxy)"), "utf-8")
    bank_file, course = validate_paths([m1, training / "course.yaml"])
    flaws = [p for p in bank_file.report.warnings if p.code is ErrorCode.LINT_LATIN_IN_RUSSIAN]
    assert flaws and flaws[0].location.file.endswith("m1.yaml") and flaws[0].location.line
    assert "proxy" in flaws[0].message
    assert not [p for p in course.report.warnings if p.code is ErrorCode.LINT_LATIN_IN_RUSSIAN]
    assert ErrorCode.LINT_STRATEGY in course.report.codes()  # the whole bank's length scores, as information
