"""XLSForm import and export: Kobo/ODK forms used unchanged, questionnaires taken out and read back equal.

Workbooks are written inline with openpyxl; each test names the condition it shows. Problems are asserted
by their catalog code and their location (sheet, Excel row with the header as row 1, column).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from surveykit.cli.main import main
from surveykit.errors import ErrorCode, ExportError, Severity
from surveykit.questionnaire.io import load_questionnaire, read_questionnaire, save_questionnaire
from surveykit.questionnaire.model import Group, Questionnaire
from surveykit.questionnaire.xlsform import read_xlsform, write_xlsform

EXAMPLE = Path(__file__).resolve().parents[2] / "questionnaires" / "example_all_types.yaml"

EN, RU, UK = "English (en)", "Русский (ru)", "Українська (uk)"


def xlsx(
    tmp_path: Path,
    survey: list[list[Any]] | None,
    choices: list[list[Any]] | None = None,
    settings: list[list[Any]] | None = None,
    *,
    name: str = "form.xlsx",
    sheets: dict[str, list[list[Any]]] | None = None,
) -> Path:
    """A workbook with the given sheets (each a list of rows, the header first); None leaves a sheet out."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in {"survey": survey, "choices": choices, "settings": settings, **(sheets or {})}.items():
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def problems(result, code: ErrorCode) -> list:
    return [p for p in result.report if p.code is code]


def only(result, code: ErrorCode):
    found = problems(result, code)
    assert len(found) == 1, f"expected one {code.code}, got {found}\n{result.report}"
    return found[0]


def where(problem) -> tuple[str | None, int | None, str | None]:
    return problem.location.sheet, problem.location.row, problem.location.field


def tr(en: str, ru: str, uk: str) -> list[str]:
    return [en, ru, uk]


# --- a realistic multilingual form ----------------------------------------------------------------------
def _household_form(tmp_path: Path) -> Path:
    languages = (EN, RU, UK)
    header = ["type", "name"]
    for column in ("label", "hint", "guidance_hint", "constraint_message", "required_message"):
        header += [f"{column}::{lang}" for lang in languages]
    header += ["relevant", "constraint", "required", "calculation", "choice_filter", "default", "appearance"]
    header += ["repeat_count"]
    blank3 = [None, None, None]

    def row(kind, name, label, hint=blank3, guidance=blank3, cmsg=blank3, rmsg=blank3, **cols):
        cells = [kind, name, *label, *hint, *guidance, *cmsg, *rmsg]
        keys = ["relevant", "constraint", "required", "calculation", "choice_filter", "default", "appearance"]
        return cells + [cols.get(k) for k in keys] + [cols.get("repeat_count")]

    survey = [
        header,
        row(
            "begin_group", "hh", tr("Household", "Домохозяйство", "Домогосподарство"), appearance="field-list"
        ),
        row(
            "integer",
            "n_members",
            tr("How many people live here?", "Сколько человек здесь живёт?", "Скільки людей тут живе?"),
            hint=tr("Count yourself too", "Считая вас", "Рахуючи вас"),
            guidance=tr("Read slowly", "Читайте медленно", "Читайте повільно"),
            cmsg=tr("Between 1 and 20", "От 1 до 20", "Від 1 до 20"),
            rmsg=tr("Please answer", "Пожалуйста, ответьте", "Будь ласка, дайте відповідь"),
            constraint=". >= 1 and . <= 20",
            required="yes",
            default=1,
        ),
        row("begin_repeat", "member", tr("Member", "Член семьи", "Член родини"), repeat_count="${n_members}"),
        row("text", "m_name", tr("Name", "Имя", "Ім'я"), required="true()"),
        row(
            "integer",
            "m_age",
            tr("Age", "Возраст", "Вік"),
            cmsg=tr("0 to 120", "От 0 до 120", "Від 0 до 120"),
            constraint=". >= 0 and . <= 120",
        ),
        ["end_repeat"],
        row("calculate", "total_age", blank3, calculation="sum(${m_age})"),
        row("calculate", "n_ages", blank3, calculation="count(${m_age})"),
        ["end_group"],
        [],  # an empty row is skipped; the row numbers stay Excel's
        row("begin_group", "place", tr("Place", "Место", "Місце")),
        row("begin_group", "inner", tr("Where", "Где", "Де"), relevant="${n_members} > 0"),
        row("select_one region", "region", tr("Region", "Регион", "Регіон"), required="yes"),
        row(
            "select_one district",
            "district",
            tr("District", "Район", "Район"),
            choice_filter="region = ${region}",
            required="${region} != ''",
        ),
        ["end_group"],
        ["end_group"],
        row(
            "note",
            "bye",
            tr("Total age: ${total_age}", "Общий возраст: ${total_age}", "Загальний вік: ${total_age}"),
        ),
    ]
    choices = [
        ["list_name", "name", f"label::{EN}", f"label::{RU}", f"label::{UK}", "region"],
        ["region", "north", "North", "Север", "Північ", None],
        ["region", "south", "South", "Юг", "Південь", None],
        ["district", "d1", "D1", "Р1", "Р1", "north"],
        ["district", "d2", "D2", "Р2", "Р2", "south"],
    ]
    settings = [
        [
            f"form_title::{EN}",
            f"form_title::{RU}",
            f"form_title::{UK}",
            "form_id",
            "version",
            "default_language",
        ]
        + ["instance_name"],
        [
            "Household survey",
            "Опрос домохозяйств",
            "Опитування",
            "hh_survey",
            2024,
            RU,
            "concat(${region}, '-', ${n_members})",
        ],
    ]
    return xlsx(tmp_path, survey, choices, settings)


def test_realistic_multilingual_form_imports_every_feature(tmp_path):
    result = read_xlsform(_household_form(tmp_path))
    assert result.ok, result.report
    assert result.report.problems == []
    q = result.questionnaire
    assert (q.id, q.version, q.languages, q.default_language) == (
        "hh_survey",
        "2024",
        ["en", "ru", "uk"],
        "ru",
    )
    assert q.title == {"en": "Household survey", "ru": "Опрос домохозяйств", "uk": "Опитування"}
    assert q.settings.instance_name == "concat(${region}, '-', ${n_members})"
    hh = q.item("hh")
    assert isinstance(hh, Group) and hh.appearance == "field-list"
    assert [i.code for i in hh.items] == ["n_members", "member", "total_age", "n_ages"]
    n = q.question("n_members")
    assert n.type.value == "integer" and n.required is True and n.default == "1"
    assert n.constraint == ". >= 1 and . <= 20"
    assert n.hint["uk"] == "Рахуючи вас" and n.instruction["en"] == "Read slowly"
    assert n.constraint_message["ru"] == "От 1 до 20" and n.required_message["en"] == "Please answer"
    member = q.item("member")
    assert member.is_repeat and member.repeat_count == "${n_members}"
    assert q.question("m_name").required is True
    assert q.parents("m_age") == (hh, member)
    assert q.question("total_age").calculation == "sum(${m_age})"
    assert q.parents("region")[-1].relevant == "${n_members} > 0"
    district = q.question("district")
    assert district.choice_filter == "region = ${region}" and district.required == "${region} != ''"
    assert [c.attributes for c in q.choice_lists["district"]] == [{"region": "north"}, {"region": "south"}]
    assert q.choice_lists["region"][1].label == {"en": "South", "ru": "Юг", "uk": "Південь"}
    assert q.question("bye").label["ru"] == "Общий возраст: ${total_age}"


# --- Kobo names --------------------------------------------------------------------------------------------
def test_kobo_names_that_are_not_spss_names_are_renamed_with_references_and_kept_in_metadata(tmp_path):
    long = "how_satisfied_are_you_with_the_service_overall"
    survey = [
        ["type", "name", "label", "relevant", "calculation"],
        ["begin_group", "group.one", "G"],
        ["integer", "q1-a", "Age"],
        ["text", "Фамилия", "Surname", "${q1-a} > 18"],
        ["integer", long, "Satisfied?"],
        ["calculate", "twice", None, None, f"${{q1-a}} * 2 + ${{{long}}}"],
        ["end_group"],
        ["text", "if", "A reserved word"],
        ["note", "n", "You are ${q1-a}"],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    assert result.ok, result.report
    q = result.questionnaire
    renames = {
        p.params["code"]: (p.location.row, str(p.params["reason"]))
        for p in problems(result, ErrorCode.CODE_INVALID)
    }
    assert set(renames) == {"group.one", "q1-a", "Фамилия", long, "if"}
    assert all(p.severity is Severity.WARNING for p in problems(result, ErrorCode.CODE_INVALID))
    assert renames["q1-a"][0] == 3 and "renamed to 'q1_a'" in renames["q1-a"][1]
    assert renames["Фамилия"][0] == 4
    names = q.metadata["xlsform_names"]
    assert names["q1_a"] == "q1-a" and names["familiya"] == "Фамилия" and names["group_one"] == "group.one"
    new_long = next(new for new, old in names.items() if old == long)
    assert len(new_long) <= 32
    assert names["if_v"] == "if"
    assert q.question("familiya").relevant == "${q1_a} > 18"
    assert q.question("twice").calculation == f"${{q1_a}} * 2 + ${{{new_long}}}"
    assert q.question("n").label == {"en": "You are ${q1_a}"}
    assert q.has("group_one")


def test_duplicate_names_are_reported_at_the_second_row_naming_the_first(tmp_path):
    survey = [["type", "name", "label"], ["text", "a", "A"], ["text", "b", "B"], ["integer", "A", "again"]]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    problem = only(result, ErrorCode.CODE_DUPLICATE)
    assert where(problem) == ("survey", 4, "name")
    assert "row 2" in problem.params["other"]


# --- every SK11x code ------------------------------------------------------------------------------------
def test_sk110_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip file")
    result = read_xlsform(path)
    assert result.questionnaire is None
    problem = only(result, ErrorCode.XLSX_UNREADABLE)
    assert problem.location.file == str(path)


def test_sk110_a_workbook_with_a_damaged_sheet_inside(tmp_path):
    good = write_xlsform(load_questionnaire(EXAMPLE), tmp_path / "good.xlsx")
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, data[: len(data) // 2] if info.filename.endswith("sheet1.xml") else data)
    result = read_xlsform(damaged)
    assert result.questionnaire is None and result.report.codes() == [ErrorCode.XLSX_UNREADABLE]


def test_a_missing_file_is_reported_not_raised(tmp_path):
    result = read_xlsform(tmp_path / "nowhere.xlsx")
    assert result.questionnaire is None and result.report.codes() == [ErrorCode.FILE_NOT_FOUND]


def test_sk111_missing_survey_sheet_and_missing_choices_sheet(tmp_path):
    result = read_xlsform(xlsx(tmp_path, None, [["list_name", "name", "label"]], name="a.xlsx"))
    assert only(result, ErrorCode.XLSFORM_SHEET_MISSING).params["sheet"] == "survey"
    assert not result.ok
    survey = [["type", "name", "label"], ["select_one colours", "c", "Colour"]]
    result = read_xlsform(xlsx(tmp_path, survey, None, name="b.xlsx"))
    missing = only(result, ErrorCode.XLSFORM_SHEET_MISSING)
    assert missing.params["sheet"] == "choices" and missing.severity is Severity.ERROR


def test_sk111_no_choices_sheet_is_only_a_warning_when_no_list_is_needed(tmp_path):
    result = read_xlsform(xlsx(tmp_path, [["type", "name", "label"], ["text", "t", "T"]], None))
    assert only(result, ErrorCode.XLSFORM_SHEET_MISSING).severity is Severity.WARNING
    assert result.ok


def test_sk112_unsupported_columns_are_reported_at_their_first_cell_never_dropped_silently(tmp_path):
    survey = [
        ["type", "name", "label", "read_only", "media::image", "trigger", "bind::jr:preload", "my_notes"],
        ["text", "a", "A"],
        ["text", "b", "B", "yes", "b.png"],
        ["text", "c", "C", None, None, "${b}", "timestamp", "ask Ann"],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    found = {
        p.params["column"]: (where(p), p.severity)
        for p in problems(result, ErrorCode.XLSFORM_COLUMN_UNSUPPORTED)
    }
    assert found == {
        "read_only": (("survey", 3, "read_only"), Severity.WARNING),
        "media::image": (("survey", 3, "media::image"), Severity.WARNING),
        "trigger": (("survey", 4, "trigger"), Severity.ERROR),
        "bind::jr:preload": (("survey", 4, "bind::jr:preload"), Severity.ERROR),
        "my_notes": (("survey", 4, "my_notes"), Severity.WARNING),
    }
    assert not result.ok


def test_sk112_kobo_bookkeeping_columns_are_only_noted(tmp_path):
    survey = [["type", "name", "label", "$kuid", "$autoname"], ["text", "a", "A", "k1x9", "a"]]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    found = problems(result, ErrorCode.XLSFORM_COLUMN_UNSUPPORTED)
    assert [(p.params["column"], p.severity) for p in found] == [
        ("$kuid", Severity.INFO),
        ("$autoname", Severity.INFO),
    ]
    assert result.report.warnings == [] and result.ok


def test_sk112_a_column_that_means_nothing_on_this_kind_of_row(tmp_path):
    survey = [["type", "name", "label", "repeat_count", "hint"], ["begin_group", "g", "G", None, "a hint"]]
    survey += [["integer", "x", "X", "3"], ["end_group"]]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    found = sorted(where(p) for p in problems(result, ErrorCode.XLSFORM_COLUMN_UNSUPPORTED))
    assert found == [("survey", 2, "hint"), ("survey", 3, "repeat_count")]


def test_sk113_an_unknown_type_names_sheet_and_row(tmp_path):
    survey = [
        ["type", "name", "label"],
        ["text", "a", "A"],
        ["integr", "typo", "Typo"],
        ["geopoint", "where", "Where are you?"],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    found = [(p.params["type"], where(p)) for p in problems(result, ErrorCode.XLSFORM_TYPE_UNSUPPORTED)]
    assert found == [("integr", ("survey", 3, "type"))]
    assert result.questionnaire is None


def test_sk123_refused_types_say_what_to_do_at_their_row(tmp_path):
    survey = [
        ["type", "name", "label"],
        ["text", "a", "A"],
        ["geotrace", "route", "Route"],
        ["select_one_from_file towns.csv", "town", "Town"],
        ["rank fruit", "ranked", "Rank them"],
        ["select_one ${a}", "from_answers", "Pick one"],
        ["background-audio", "rec", None],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"], ["fruit", "x", "X"]]))
    found = {(p.params["type"], p.location.row) for p in problems(result, ErrorCode.XLSFORM_TYPE_REFUSED)}
    assert found == {
        ("geotrace", 3),
        ("select_one_from_file towns.csv", 4),
        ("rank fruit", 5),
        ("select_one ${a}", 6),
        ("background-audio", 7),
    }
    town = next(p for p in problems(result, ErrorCode.XLSFORM_TYPE_REFUSED) if p.location.row == 4)
    assert "select_one towns" in str(town.params["fix"])  # what to do names the list to make
    message_en, hint_en = town.localized("en")
    message_ru, hint_ru = town.localized("ru")
    assert "--skip-unsupported" in hint_en and "--skip-unsupported" in hint_ru
    assert "choices read from a file" in message_en and "варианты из прикреплённого" in message_ru
    assert "«select_one towns»" in hint_ru
    assert result.questionnaire is None


def test_sk124_skip_unsupported_loads_the_rest_and_names_each_skipped_question(tmp_path):
    survey = [
        ["type", "name", "label"],
        ["text", "a", "A"],
        ["geoshape", "area", "Area"],
        ["begin_loop over fruit", "per_fruit", "Each fruit"],
        ["integer", "count", "How many?"],
        ["end_loop"],
        ["integer", "b", "B"],
    ]
    path = xlsx(tmp_path, survey, [["list_name", "name", "label"], ["fruit", "x", "X"]])
    assert not read_xlsform(path).ok
    result = read_xlsform(path, skip_unsupported=True)
    assert result.ok, result.report
    assert [q.code for q in result.questionnaire.questions()] == ["a", "b"]
    skipped = [
        (p.params["name"], p.location.row, p.severity)
        for p in problems(result, ErrorCode.XLSFORM_QUESTION_SKIPPED)
    ]
    assert skipped == [("area", 3, Severity.WARNING), ("per_fruit", 4, Severity.WARNING)]


def test_sk125_an_expression_using_a_skipped_question_is_an_error(tmp_path):
    survey = [
        ["type", "name", "label", "relevant"],
        ["geotrace", "route", "Route"],
        ["text", "t", "T", "${route} != ''"],
    ]
    path = xlsx(tmp_path, survey, [["list_name", "name", "label"]])
    assert read_xlsform(path).report.codes() == [ErrorCode.XLSFORM_TYPE_REFUSED]  # not reported twice
    result = read_xlsform(path, skip_unsupported=True)
    problem = only(result, ErrorCode.XLSFORM_SKIPPED_REFERENCE)
    assert where(problem) == ("survey", 3, "relevant") and problem.params["name"] == "route"
    assert not result.ok


def test_sk114_unbalanced_groups_name_the_row(tmp_path):
    survey = [
        ["type", "name", "label"],
        ["begin_group", "g1", "G1"],
        ["text", "a", "A"],
        ["end_repeat"],
        ["begin repeat", "r1", "R1"],
        ["text", "b", "B"],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    found = sorted(
        (p.location.row, p.params["found"], p.params["expected"])
        for p in problems(result, ErrorCode.XLSFORM_GROUP_UNBALANCED)
    )
    assert found == [
        (2, "begin_group", "end_group"),
        (4, "end_repeat", "begin_repeat"),
        (5, "begin_repeat", "end_repeat"),
    ]


def test_sk115_a_list_not_on_the_choices_sheet_with_did_you_mean(tmp_path):
    survey = [["type", "name", "label"], ["text", "a", "A"], ["select_one regoins", "region", "Region"]]
    choices = [["list_name", "name", "label"], ["regions", "n", "North"]]
    result = read_xlsform(xlsx(tmp_path, survey, choices))
    problem = only(result, ErrorCode.XLSFORM_LIST_MISSING)
    assert where(problem) == ("survey", 3, "type")
    assert "'regions'" in problem.hint
    assert problems(result, ErrorCode.CHOICE_LIST_UNKNOWN) == []  # not repeated by the checks


def test_sk116_a_language_without_a_code_is_mapped_and_reported(tmp_path):
    survey = [
        ["type", "name", "label::English", "label::Русский", "label::Українська (uk)"],
        ["text", "a", "A", "А", "А"],
    ]
    choices = [["list_name", "name", "label::English", "label::Русский", "label::Українська (uk)"]]
    result = read_xlsform(xlsx(tmp_path, survey, choices))
    found = {
        (p.location.sheet, p.location.row, p.params["language"])
        for p in problems(result, ErrorCode.XLSFORM_LANGUAGE_NO_CODE)
    }
    assert found == {
        ("survey", 1, "English"),
        ("survey", 1, "Русский"),
        ("choices", 1, "English"),
        ("choices", 1, "Русский"),
    }
    assert result.ok
    assert result.questionnaire.languages == ["en", "ru", "uk"]
    assert result.questionnaire.question("a").label == {"en": "A", "ru": "А", "uk": "А"}


def test_sk117_unsupported_settings_are_reported_and_ignored(tmp_path):
    survey = [["type", "name", "label"], ["text", "a", "A"]]
    settings = [
        ["form_id", "public_key", "submission_url", "style"],
        ["f", "MIIB...", "https://example.org", "theme-grid pages"],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]], settings))
    found = {
        p.params["setting"]: (where(p), p.severity)
        for p in problems(result, ErrorCode.XLSFORM_SETTING_UNSUPPORTED)
    }
    assert found == {
        "public_key": (("settings", 2, "public_key"), Severity.WARNING),
        "submission_url": (("settings", 2, "submission_url"), Severity.WARNING),
        "style: theme-grid": (("settings", 2, "style"), Severity.INFO),
    }
    assert result.questionnaire.settings.style == "pages"


# --- expressions are checked with cell locations -------------------------------------------------------------
def test_an_unknown_function_in_a_relevance_cell_is_located_at_its_sheet_row_and_column(tmp_path):
    survey = [
        ["Type", "Name", "Label", "Relevance"],
        ["integer", "age", "Age"],
        [],
        ["text", "job", "Job", "fooo(${age}) > 1"],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    problem = only(result, ErrorCode.EXPR_UNKNOWN_FUNCTION)
    assert where(problem) == ("survey", 4, "Relevance")
    assert problem.location.file.endswith("form.xlsx") and problem.location.path == "job.relevant"
    assert "form.xlsx, sheet 'survey', row 4, column 'Relevance'" in str(problem)


def test_an_unknown_reference_in_a_choices_label_and_a_calculation_are_located(tmp_path):
    survey = [
        ["type", "name", "label", "calculation"],
        ["text", "a", "A"],
        ["calculate", "c", None, "${b} + 1"],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    problem = only(result, ErrorCode.EXPR_UNKNOWN_REFERENCE)
    assert where(problem) == ("survey", 3, "calculation")


# --- types and columns -----------------------------------------------------------------------------------------
def test_meta_types_are_paradata_not_questions(tmp_path):
    survey = [["type", "name", "label"], ["start", "start"], ["deviceid", "deviceid"], ["audit", "audit"]]
    survey += [["text", "a", "A"]]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    notes = problems(result, ErrorCode.FIELD_INVALID)
    assert [p.location.row for p in notes] == [2, 3, 4]
    assert all(p.severity is Severity.WARNING and "paradata" in p.message for p in notes)
    assert "параданные" in notes[0].localized("ru")[0]  # the explanation is translated, not only the template
    assert [qq.code for qq in result.questionnaire.questions()] == ["a"]


def test_or_other_adds_the_other_choice_and_a_specify_question_with_a_warning(tmp_path):
    survey = [["type", "name", "label::English (en)"], ["select_one fruit or_other", "fruit", "Fruit"]]
    survey += [["select_multiple fruit", "more", "More fruit"]]
    choices = [
        ["list_name", "name", "label::English (en)"],
        ["fruit", "apple", "Apple"],
        ["fruit", "pear", "Pear"],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, choices))
    assert result.ok, result.report
    warning = only(result, ErrorCode.FIELD_INVALID)
    assert (
        warning.severity is Severity.WARNING and "fruit_other" in warning.message and where(warning)[1] == 2
    )
    q = result.questionnaire
    assert [qq.code for qq in q.questions()] == ["fruit", "fruit_other", "more"]
    assert q.question("fruit_other").relevant == "selected(${fruit}, 'other')"
    target = q.question("fruit").choices
    assert [c.name for c in q.choice_lists[target]] == ["apple", "pear", "other"]
    assert [c.name for c in q.choice_lists["fruit"]] == ["apple", "pear"]  # 'more' keeps the list as it was


def test_or_other_of_a_renamed_question_keeps_odk_references_to_name_other(tmp_path):
    survey = [["type", "name", "label", "relevant"], ["select_one fruit or_other", "Фрукт", "Fruit"]]
    survey += [["text", "why", "Why?", "${Фрукт_other} != ''"]]
    choices = [["list_name", "name", "label"], ["fruit", "apple", "Apple"]]
    result = read_xlsform(xlsx(tmp_path, survey, choices))
    assert result.ok, result.report
    q = result.questionnaire
    assert [qq.code for qq in q.questions()] == ["frukt", "frukt_other", "why"]
    assert q.question("why").relevant == "${frukt_other} != ''"


def test_range_becomes_a_number_with_min_and_max(tmp_path):
    survey = [["type", "name", "label", "parameters"], ["range", "r", "R", "start=0 end=10 step=1"]]
    survey += [["range", "half", "Half", "start=0;end=5;step=0.5"]]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    r, half = result.questionnaire.question("r"), result.questionnaire.question("half")
    assert (r.type.value, r.min, r.max) == ("integer", 0, 10)
    assert (half.type.value, half.min, half.max) == ("decimal", 0, 5)
    step = [p for p in problems(result, ErrorCode.FIELD_INVALID) if p.location.row == 3]
    assert step[0].severity is Severity.WARNING and "0.5" in step[0].message


def test_acknowledge_becomes_yes_no_and_ok_comparisons_are_rewritten(tmp_path):
    survey = [["type", "name", "label", "relevant"], ["acknowledge", "ready", "Ready?"]]
    survey += [["text", "go", "Go", "${ready} = 'OK'"]]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    q = result.questionnaire
    assert q.question("ready").type.value == "yes_no"
    assert q.question("go").relevant == "${ready} = 'yes'"
    assert only(result, ErrorCode.FIELD_INVALID).severity is Severity.WARNING


def test_a_plain_odk_table_list_group_stays_a_group_of_select_ones(tmp_path):
    survey = [["type", "name", "label", "appearance"], ["begin_group", "tbl", "Table", "table-list"]]
    survey += [["select_one yn", "r1", "Row 1"], ["select_one yn", "r2", "Row 2"], ["end_group"]]
    choices = [["list_name", "name", "label"], ["yn", "y", "Y"], ["yn", "n", "N"]]
    result = read_xlsform(xlsx(tmp_path, survey, choices))
    tbl = result.questionnaire.item("tbl")
    assert isinstance(tbl, Group) and tbl.appearance == "table-list"
    assert [(i.code, i.type.value) for i in tbl.items] == [("r1", "select_one"), ("r2", "select_one")]


def test_headers_are_case_insensitive_and_pyxform_aliases_are_understood(tmp_path):
    survey = [
        [
            "TYPE",
            "Name",
            "Label",
            "Relevance",
            "Constraint",
            "Constraint Message",
            "bind::required",
            "Required Message",
        ],
        ["integer", "age", "Age", None, ". > 0", "Positive", "yes", "Needed"],
        ["text", "t", "T", "${age} > 1"],
    ]
    choices = [["List Name", "Name", "Label"], ["unused", "x", "X"]]
    result = read_xlsform(xlsx(tmp_path, survey, choices))
    age = result.questionnaire.question("age")
    assert (age.constraint, age.constraint_message, age.required, age.required_message) == (
        ". > 0",
        {"en": "Positive"},
        True,
        {"en": "Needed"},
    )
    assert result.questionnaire.question("t").relevant == "${age} > 1"
    assert only(result, ErrorCode.CHOICE_LIST_UNUSED).location.row == 2


def test_plain_label_is_in_the_default_language_of_the_settings(tmp_path):
    survey = [["type", "name", "label"], ["text", "a", "Вопрос"]]
    settings = [["form_title", "default_language"], ["Анкета", RU]]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]], settings))
    q = result.questionnaire
    assert (q.languages, q.default_language, q.title) == (["ru"], "ru", {"ru": "Анкета"})
    assert q.question("a").label == {"ru": "Вопрос"}


def test_choice_value_and_missing_columns_are_read_and_duplicates_located(tmp_path):
    survey = [["type", "name", "label"], ["select_one agree", "s", "S"]]
    choices = [
        ["list_name", "name", "label", "value", "missing"],
        ["agree", "1", "No", 1],
        ["agree", "2", "Yes", 2],
        ["agree", "dk", "Don't know", 98, "yes"],
        ["agree", "2", "Again", 3],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, choices))
    assert where(only(result, ErrorCode.CHOICE_DUPLICATE)) == ("choices", 5, "name")
    survey_ok = xlsx(tmp_path, survey, choices[:4], name="ok.xlsx")
    agree = read_xlsform(survey_ok).questionnaire.choice_lists["agree"]
    assert [(c.name, c.value, c.missing) for c in agree] == [
        ("1", 1, False),
        ("2", 2, False),
        ("dk", 98, True),
    ]


def test_surveykit_matrix_encoding_is_read_back_as_a_matrix(tmp_path):
    survey = [
        ["type", "name", "label", "appearance", "required", "surveykit_type"],
        ["begin_group", "grid", "How often...", "table-list", None, "matrix"],
        ["select_one freq", "grid_late", "late", None, "yes"],
        ["select_one freq", "grid_rude", "rude", None, "yes"],
        ["end_group"],
    ]
    choices = [["list_name", "name", "label"], ["freq", "never", "Never"], ["freq", "often", "Often"]]
    result = read_xlsform(xlsx(tmp_path, survey, choices))
    grid = result.questionnaire.question("grid")
    assert grid.type.value == "matrix" and grid.choices == "freq" and grid.required is True
    assert [r.code for r in grid.rows] == ["late", "rude"] and grid.appearance is None
    assert grid.variables() == ["grid_late", "grid_rude"]


# --- export ------------------------------------------------------------------------------------------------------
def test_example_all_types_round_trips_exactly(tmp_path):
    original = load_questionnaire(EXAMPLE)
    path = write_xlsform(original, tmp_path / "example.xlsx")
    result = read_xlsform(path)
    assert result.report.problems == []
    assert result.questionnaire == original


@pytest.mark.parametrize("path", sorted(EXAMPLE.parent.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_questionnaire_round_trips_exactly(path, tmp_path):
    loaded = read_questionnaire(path)
    if not loaded.ok:
        pytest.skip(f"{path.name} does not load; its own tests report why")
    result = read_xlsform(write_xlsform(loaded.questionnaire, tmp_path / f"{path.stem}.xlsx"))
    assert result.report.errors == []
    assert result.questionnaire == loaded.questionnaire


def _edge_questionnaire() -> Questionnaire:
    data: dict[str, Any] = {
        "id": "edge",
        "version": "3",
        "title": {"en": "Edges", "de": "Kanten"},
        "description": {"en": "Every corner of the model"},
        "languages": ["en", "de", "eo"],
        "default_language": "en",
        "settings": {
            "modes": ["telephone"],
            "allow_proxy": False,
            "respondent": "staff",
            "kind": "quiz",
            "style": "single_page",
        },
        "choice_lists": {
            "scale": [
                {"name": "a", "value": 1, "label": {"en": "A", "de": "A", "eo": "A"}},
                {"name": "b", "value": 2, "label": {"en": "B", "de": "B", "eo": "B"}},
                {"name": "na", "value": 9, "missing": True, "label": {"en": "=n/a"}},
            ],
            "town": [
                {"name": "t1", "label": {"en": "T1"}, "attributes": {"zone": "z1", "size": "big"}},
                {"name": "t2", "label": {"en": "T2"}, "attributes": {"zone": "z2"}},
            ],
            "spare": [],
        },
        "items": [
            {
                "code": "g",
                "type": "repeat",
                "label": {"en": "G", "de": "G"},
                "instruction": {"en": "Ask everyone"},
                "repeat_count": "3",
                "appearance": "field-list",
                "items": [
                    {"code": "lik", "type": "likert", "choices": "scale", "label": {"en": "L"}},
                    {
                        "code": "yn",
                        "type": "yes_no",
                        "choices": "yes_no_dk",
                        "required": "yes",
                        "label": {"en": "Y"},
                    },
                    {"code": "plain_yn", "type": "select_one", "choices": "yes_no", "label": {"en": "P"}},
                ],
            },
            {
                "code": "m",
                "type": "matrix",
                "choices": "scale",
                "appearance": "horizontal",
                "required": True,
                "required_message": {"en": "Answer every row"},
                "hint": {"en": "One per row"},
                "instruction": {"en": "Show card 3"},
                "relevant": "${lik} != ''",
                "scoring": {"indicators": ["2.1"]},
                "label": {"en": "M", "de": "M"},
                "rows": [
                    {"code": "r1", "label": {"en": "R1"}},
                    {"code": "r2", "label": {"en": "R2", "eo": "R2"}},
                ],
            },
            {
                "code": "town",
                "type": "select_one",
                "choices": "town",
                "choice_filter": "zone = 'z1'",
                "label": {"en": "T"},
            },
            {"code": "n", "type": "integer", "min": 1, "label": {"en": "=1 or more"}, "default": "4"},
            {
                "code": "d",
                "type": "decimal",
                "max": 2.5,
                "constraint": ". != 1",
                "label": {"en": "D"},
                "scoring": {"correct": 1.5, "points": 2, "critical": True},
            },
            {"code": "when", "type": "calculate", "value_type": "date", "calculation": "today()"},
            {"code": "free", "type": "text", "appearance": "multiline", "scoring": {}, "label": {"en": "F"}},
        ],
        "scales": {"s": {"items": ["lik"], "label": {"en": "S"}}},
        "metadata": {"source": {"law": "442-FZ", "articles": [1, 2]}, "note": "ünïcödé"},
    }
    return Questionnaire.model_validate(data)


def test_an_inline_form_with_every_model_corner_round_trips_exactly(tmp_path):
    original = _edge_questionnaire()
    path = write_xlsform(original, tmp_path / "edge.xlsx")
    result = read_xlsform(path)
    assert result.report.errors == []
    assert result.questionnaire == original
    survey = list(openpyxl.load_workbook(path)["survey"].iter_rows(values_only=True))
    column = survey[0].index("surveykit_fields")
    # only what the plain and surveykit_* columns cannot say needs the JSON cell
    assert {row[1]: json.loads(row[column]) for row in survey[1:] if row[column]} == {
        "lik": {"appearance": None},
        "yn": {"required": "yes"},
    }


def test_export_is_an_odk_workbook_pleasant_to_edit(tmp_path):
    path = write_xlsform(load_questionnaire(EXAMPLE), tmp_path / "example.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["survey", "choices", "settings", "surveykit"]
    survey = workbook["survey"]
    header = [c.value for c in survey[1]]
    assert header[:4] == ["type", "name", "label::Русский (ru)", "label::English (en)"]
    assert survey.freeze_panes == "C2" and survey.column_dimensions["C"].width >= 40
    rows = {r[1]: r for r in survey.iter_rows(min_row=2, values_only=True) if r[1]}
    column = {name: i for i, name in enumerate(header)}
    assert rows["consent"][0] == "select_one yes_no"
    assert rows["satisfaction"][column["appearance"]] == "likert"
    assert rows["grid"][0] == "begin_group" and rows["grid"][column["appearance"]] == "table-list"
    assert rows["grid_late"][0] == "select_one frequency"
    assert rows["age"][column["constraint"]] == ". >= 18 and . <= 110"  # ODK enforces min/max too
    assert rows["n_services"][column["surveykit_value_type"]] == "integer"
    # the plain columns carry everything; the JSON safety net is needed only for a likert without appearance
    fields = {
        name: row[column["surveykit_fields"]] for name, row in rows.items() if row[column["surveykit_fields"]]
    }
    assert fields == {"waiting": '{"appearance": null}'}
    choices = workbook["choices"]
    choice_header = [c.value for c in choices[1]]
    # every extra column of the choices sheet becomes an XML element in ODK: it must be a valid XML name
    assert all(re.fullmatch(r"[A-Za-z_][\w.-]*", h) for h in choice_header if "label::" not in h)
    assert ("yes_no", "yes") in {(r[0], r[1]) for r in choices.iter_rows(min_row=2, values_only=True)}
    settings = dict(zip(*workbook["settings"].iter_rows(values_only=True), strict=True))
    assert settings["default_language"] == "Русский (ru)" and settings["form_id"] == "example_all_types"
    extra = {r[0]: r[1] for r in workbook["surveykit"].iter_rows(min_row=2, values_only=True)}
    assert json.loads(extra["scales"])["wellbeing"]["reverse"] == ["waiting"]


def test_export_to_a_missing_folder_raises_export_error(tmp_path):
    with pytest.raises(ExportError) as info:
        write_xlsform(load_questionnaire(EXAMPLE), tmp_path / "no" / "such" / "dir.xlsx")
    assert info.value.code is ErrorCode.EXPORT_WRITE_FAILED


def test_an_imported_kobo_form_exports_and_imports_again_unchanged(tmp_path):
    first = read_xlsform(_household_form(tmp_path)).questionnaire
    again = read_xlsform(write_xlsform(first, tmp_path / "again.xlsx"))
    assert again.report.problems == []
    assert again.questionnaire == first


def test_io_dispatches_xlsx_to_the_xlsform_reader_and_writer(tmp_path):
    original = load_questionnaire(EXAMPLE)
    path = save_questionnaire(original, tmp_path / "via_io.xlsx")
    assert read_questionnaire(path).unwrap() == original


# --- command line --------------------------------------------------------------------------------------------
def test_cli_convert_to_xlsform_and_validate_it(tmp_path, capsys):
    out = tmp_path / "converted.xlsx"
    assert main(["convert", str(EXAMPLE), "--to", "xlsform", "-o", str(out)]) == 0
    assert out.exists()
    assert read_xlsform(out).questionnaire == load_questionnaire(EXAMPLE)
    assert main(["validate", str(out)]) == 0
    capsys.readouterr()


def test_cli_validate_a_bad_workbook_exits_1_and_names_the_row(tmp_path, capsys):
    survey = [["type", "name", "label"], ["text", "a", "A"], ["geotrace", "line", "Line"]]
    path = xlsx(tmp_path, survey, [["list_name", "name", "label"]])
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "sheet 'survey', row 3" in out and "SK123" in out


# --- more reported conditions -----------------------------------------------------------------------------
def test_a_reference_to_a_metadata_row_is_an_error_because_the_row_is_not_imported(tmp_path):
    survey = [
        ["type", "name", "label", "calculation"],
        ["start", "started"],
        ["calculate", "c", None, "${started}"],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    problem = only(result, ErrorCode.EXPR_UNKNOWN_REFERENCE)
    assert where(problem) == ("survey", 3, "calculation") and problem.params["name"] == "started"
    assert result.questionnaire is None


def test_survey_sheet_without_type_or_name_column(tmp_path):
    result = read_xlsform(xlsx(tmp_path, [["label"], ["Hello"]], [["list_name", "name", "label"]]))
    missing = {p.params["field"]: where(p) for p in problems(result, ErrorCode.FIELD_MISSING)}
    assert missing == {"type": ("survey", 1, None), "name": ("survey", 1, None)}


def test_rows_without_type_or_name_and_a_select_without_list_are_reported_at_their_rows(tmp_path):
    survey = [
        ["type", "name", "label"],
        [None, "lost", "No type"],
        ["text", None, "No name"],
        ["select_one", "s", "S"],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    assert sorted((p.params["field"], p.location.row) for p in problems(result, ErrorCode.FIELD_MISSING)) == [
        ("name", 3),
        ("type", 2),
    ]
    assert where(only(result, ErrorCode.FIELD_INVALID)) == ("survey", 4, "type")


def test_sheets_surveykit_does_not_use_are_reported(tmp_path):
    survey = [["type", "name", "label"], ["text", "a", "A"]]
    entities = [["list_name", "label"], ["trees", "${a}"]]
    notes = [["anything"], ["ignored like pyxform ignores it"]]
    path = xlsx(
        tmp_path, survey, [["list_name", "name", "label"]], sheets={"entities": entities, "notes": notes}
    )
    result = read_xlsform(path)
    problem = only(result, ErrorCode.FIELD_INVALID)
    assert problem.location.sheet == "entities" and problem.severity is Severity.WARNING
    assert result.ok


def test_bad_surveykit_extension_cells_are_located(tmp_path):
    survey = [
        ["type", "name", "label", "surveykit_type", "surveykit_scoring", "surveykit_min", "surveykit_fields"],
        ["text", "a", "A", "likert"],
        ["integer", "b", "B", None, "{not json", "low"],
        ["text", "c", "C", None, None, None, '{"colour": "red"}'],
    ]
    result = read_xlsform(xlsx(tmp_path, survey, [["list_name", "name", "label"]]))
    assert where(only(result, ErrorCode.JSON_SYNTAX)) == ("survey", 3, "surveykit_scoring")
    invalid = sorted(where(p) for p in problems(result, ErrorCode.FIELD_INVALID))
    assert invalid == [
        ("survey", 2, "surveykit_type"),
        ("survey", 3, "surveykit_min"),
        ("survey", 4, "surveykit_fields"),
    ]
    assert not result.ok


def test_surveykit_sheet_keys_are_checked(tmp_path):
    survey = [["type", "name", "label"], ["text", "a", "A"]]
    extra = [
        ["key", "value"],
        ["modes", "telephone"],
        ["respondnet", "staff"],
        ["kind", "exam"],
        ["metadata", "[1]"],
    ]
    result = read_xlsform(
        xlsx(tmp_path, survey, [["list_name", "name", "label"]], sheets={"surveykit": extra})
    )
    unknown = only(result, ErrorCode.FIELD_UNKNOWN)
    assert where(unknown) == ("surveykit", 3, "key") and "respondent" in unknown.params["suggestion"]
    assert sorted(p.location.row for p in problems(result, ErrorCode.FIELD_INVALID)) == [4, 5]
    assert not result.ok


@pytest.mark.parametrize("code", [f"SK11{i}" for i in range(8)])
def test_every_xlsform_message_has_a_russian_translation(code):
    from surveykit.errors import Problem

    error = next(e for e in ErrorCode if e.code == code)
    params = {name: "x" for name in re.findall(r"\{(\w+)", error.template + error.hint_template)}
    problem = Problem.of(error, **params)
    message, hint = problem.localized("ru")
    assert (message, hint) != problem.code.format(**params)
    assert re.search("[а-яё]", message + hint)
