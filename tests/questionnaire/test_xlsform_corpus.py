"""A corpus of XLSForms written here, checked against pyxform (the converter behind ODK and KoboToolbox).

Every question type pyxform knows is tried in a one-question form: when pyxform converts it, surveykit must
read it with the same meaning (the XForm's bind type and control give the meaning), or say at the row that it
is interview metadata (not imported) or a type surveykit does not collect (SK123, with what to do) - never
"unknown type". Then the cases field users met: aliases, or-other, typographic quotes, duplicate choices, an
unnamed note, a one-sheet workbook, stray cells, .xls and .ods workbooks. Forms surveykit writes pass pyxform
and ODK Validate (Java).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2xform import convert

from surveykit.cli.main import main
from surveykit.errors import ErrorCode, Severity
from surveykit.questionnaire.io import load_questionnaire, read_questionnaire
from surveykit.questionnaire.model import QuestionType
from surveykit.questionnaire.xlsform import read_xlsform, write_xlsform
from surveykit.questionnaire.xlsform_workbook import MAX_BLANK_ROWS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "questionnaires" / "example_all_types.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FRUIT = [["list_name", "name", "label"], ["fruit", "apple", "Apple"], ["fruit", "pear", "Pear"]]


def workbook(tmp_path: Path, sheets: dict[str, list[list[Any]]], name: str = "form.xlsx") -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def form(tmp_path: Path, *rows: list[Any], choices=FRUIT, settings=None, name: str = "form.xlsx") -> Path:
    header = ["type", "name", "label"]
    sheets = {"survey": [header, *rows], "choices": choices}
    if settings:
        sheets["settings"] = settings
    return workbook(tmp_path, sheets, name)


def pyxform_meaning(path: Path) -> dict[str, str] | None:
    """What pyxform makes of each question: ``{path: surveykit type}`` from the XForm's binds and controls;
    None when pyxform refuses the form."""
    try:
        xform = convert(str(path), warnings=[]).xform
    except Exception:
        return None
    binds = dict(re.findall(r'<bind nodeset="/[^"/]+/([^"]+)"[^>]* type="([^"]+)"', xform))
    binds.pop("meta/instanceID", None)  # pyxform's own
    controls = re.findall(r'<(\w+:?\w*) [^>]*ref="/[^"/]+/([^"]+)"', xform)
    names = dict.fromkeys([*binds, *(name for _, name in controls)])
    meaning = {}
    for name in names:
        tag = next((t for t, n in controls if n == name), "")
        media = re.search(rf'ref="/[^"/]+/{re.escape(name)}"[^>]*mediatype="([^"]+)"', xform)
        meaning[name] = _surveykit_type(
            binds.get(name, "string"), tag, media.group(1) if media else "", xform, name
        )
    return meaning


def _surveykit_type(kind: str, tag: str, mediatype: str, xform: str, name: str) -> str:
    if tag == "select1":
        return "select_one"
    if tag == "select":
        return "select_multiple"
    if tag == "trigger":
        return "yes_no"  # acknowledge: 'OK' becomes yes
    if tag == "range":
        return "integer" if kind == "int" else "decimal"
    if kind == "binary":
        return {"image/*": "image", "audio/*": "audio", "video/*": "video"}.get(mediatype, "file")
    if re.search(rf'nodeset="/[^"/]+/{re.escape(name)}"[^>]*readonly="true\(\)"', xform) and tag != "":
        return "note"
    if tag == "":
        return "calculate"
    return {
        "string": "text",
        "int": "integer",
        "decimal": "decimal",
        "date": "date",
        "time": "time",
        "dateTime": "datetime",
        "geopoint": "geopoint",
        "barcode": "text",
    }.get(kind, f"? {kind}")


# --- every type pyxform knows -------------------------------------------------------------------------------
def _row_for(type_name: str) -> list[Any]:
    needs_list = type_name.startswith(("select", "add select", "rank", "q select"))
    cell = f"{type_name} fruit" if needs_list else type_name
    if type_name in ("calculate", "q calculate", "add calculate prompt"):
        return [cell, "q", "Q", "1 + 1"]
    if type_name == "hidden":
        return [cell, "q", None]
    return [cell, "q", "Q"]


#: types of pyxform's dictionary that pyxform itself refuses in a plain one-question form (legacy names
#: without a parser, or types needing a sheet or a setting of their own)
PYXFORM_REFUSES = {
    "audit",
    "background-geopoint",
    "q select",
    "q select1",
    "select multiple from",
    "select multiple using",
    "select one external",
    "select one using",
}


def test_every_type_pyxform_converts_reads_with_the_same_meaning_or_a_located_message(tmp_path):
    refused_by_pyxform, wrong = set(), []
    for type_name in sorted(QUESTION_TYPE_DICT):
        row = _row_for(type_name)
        header = ["type", "name", "label"] + (["calculation"] if len(row) > 3 else [])
        path = workbook(tmp_path, {"survey": [header, row], "choices": FRUIT}, name=f"{len(wrong)}.xlsx")
        meaning = pyxform_meaning(path)
        if meaning is None:
            refused_by_pyxform.add(type_name)
            continue
        result = read_xlsform(path)
        codes = result.report.codes()
        if ErrorCode.XLSFORM_TYPE_UNSUPPORTED in codes:
            wrong.append(f"{type_name}: unknown to surveykit")
        elif result.questionnaire is not None and result.questionnaire.has("q"):
            if result.questionnaire.question("q").type.value != meaning["q"]:
                wrong.append(
                    f"{type_name}: {result.questionnaire.question('q').type.value} != {meaning['q']}"
                )
        elif ErrorCode.XLSFORM_TYPE_REFUSED in codes:
            refused = next(p for p in result.report if p.code is ErrorCode.XLSFORM_TYPE_REFUSED)
            if (refused.location.sheet, refused.location.row) != ("survey", 2):
                wrong.append(f"{type_name}: refused at {refused.location}")
            if not read_xlsform(path, skip_unsupported=True).ok:  # the rest of the form loads without it
                wrong.append(f"{type_name}: not skipped")
        else:  # interview metadata (start, deviceid ...): not a question, said at its row
            notes = [p for p in result.report if p.code is ErrorCode.FIELD_INVALID and p.location.row == 2]
            if not (notes and notes[0].severity is Severity.WARNING and result.ok):
                wrong.append(f"{type_name}: {result.report.codes()}")
    assert wrong == []
    assert refused_by_pyxform == PYXFORM_REFUSES
    assert len(QUESTION_TYPE_DICT) - len(PYXFORM_REFUSES) > 90


def test_surveykit_knows_every_type_name_of_pyxforms_table():
    """The reader's tables name every type of pyxform's dictionary that pyxform converts (none falls through
    to 'unknown')."""
    from surveykit.questionnaire.xlsform_common import parse_type

    names = set(QUESTION_TYPE_DICT) - PYXFORM_REFUSES
    unknown = [name for name in sorted(names) if parse_type(_row_for(name)[0]).kind == "unknown"]
    assert unknown == []


# --- the supported types and their aliases, one form ---------------------------------------------------------
def _aliases() -> list[str]:
    """Every question type and select alias as pyxform spells it (pyxform is case-sensitive: dateTime)."""
    from pyxform import aliases

    from surveykit.questionnaire.xlsform_common import parse_type

    selects = [
        f"{k} fruit"
        for k, v in aliases.select.items()
        if v in ("select one", "select all that apply") and k not in aliases.select_from_file
    ]
    simple = [
        k
        for k in QUESTION_TYPE_DICT
        if k not in PYXFORM_REFUSES and not k.startswith("select") and parse_type(k).kind == "question"
    ]
    return sorted({*simple, *selects} - {"range", "calculate", "q calculate", "add calculate prompt"})


ALIASES = _aliases()


def test_one_form_with_every_supported_type_and_alias_loads_as_pyxform_reads_it(tmp_path):
    rows = [[alias, f"q{i}", f"Question {i}"] for i, alias in enumerate(ALIASES)]
    rows += [["range", "r", "R"], ["select_one fruit or specify other", "o1", "O1"]]
    rows += [
        ["select all that apply from fruit or_other", "o2", "O2"],
        ["select one from fruit or other", "o3", "O3"],
    ]
    path = form(tmp_path, *rows)
    meaning = pyxform_meaning(path)
    assert meaning is not None
    result = read_xlsform(path)
    assert result.ok, result.report
    q = result.questionnaire
    for i, alias in enumerate(ALIASES):
        assert q.question(f"q{i}").type.value == meaning[f"q{i}"], alias
    assert q.question("r").type is QuestionType.INTEGER and (q.question("r").min, q.question("r").max) == (
        1,
        10,
    )
    for code in ("o1", "o2", "o3"):  # or_other as ODK reads it: a choice 'other' and a text question
        assert "other" in [c.name for c in q.choice_list(q.question(code).choices)]
        assert q.question(f"{code}_other").relevant == f"selected(${{{code}}}, 'other')"


def test_pyxforms_typed_in_variants_keep_their_constraint_and_hint(tmp_path):
    path = form(
        tmp_path,
        ["phone number", "phone", "Phone"],
        ["percentage", "share", "Share"],
        ["number of days in last month", "days", "Days"],
        ["barcode", "code", "Code"],
    )
    result = read_xlsform(path)
    assert result.ok, result.report
    q = result.questionnaire
    assert q.question("phone").constraint == "regex(., '^\\d*$')" and q.question("phone").hint
    assert (q.question("share").min, q.question("share").max) == (0, 100)
    assert (q.question("days").min, q.question("days").max) == (0, 31)
    typed_in = [p for p in result.report if p.code is ErrorCode.FIELD_INVALID and p.location.row == 5]
    assert typed_in and typed_in[0].severity is Severity.INFO  # a barcode is typed in: said, not hidden


# --- what field users met ---------------------------------------------------------------------------------------
def test_typographic_quotes_in_expressions_are_read_as_straight_quotes(tmp_path):
    survey = [
        ["type", "name", "label", "relevant", "constraint"],
        ["select_one fruit", "f", "Fruit"],
        ["text", "why", "Why?", "${f} = \u2018apple\u2019", "string-length(.) < 10 or . = \u201cok\u201d"],
    ]
    path = workbook(tmp_path, {"survey": survey, "choices": FRUIT})
    assert pyxform_meaning(path) is not None
    result = read_xlsform(path)
    assert result.ok, result.report
    assert result.questionnaire.question("why").relevant == "${f} = 'apple'"
    assert result.questionnaire.question("why").constraint == 'string-length(.) < 10 or . = "ok"'


def test_allow_choice_duplicates_keeps_one_answer_under_several_filters(tmp_path):
    choices = [
        ["list_name", "name", "label", "region"],
        ["region", "north", "North", None],
        ["region", "south", "South", None],
        ["town", "centre", "Centre", "north"],
        ["town", "centre", "Centre", "south"],
        ["town", "port", "Port", "south"],
    ]
    survey = [
        ["type", "name", "label", "choice_filter"],
        ["select_one region", "region", "Region"],
        ["select_one town", "town", "Town", "region = ${region}"],
    ]
    sheets = {"survey": survey, "choices": choices, "settings": [["allow_choice_duplicates"], ["yes"]]}
    path = workbook(tmp_path, sheets)
    assert pyxform_meaning(path) is not None
    result = read_xlsform(path)
    assert result.ok, result.report
    q = result.questionnaire
    assert q.settings.allow_choice_duplicates and [c.name for c in q.choice_list("town")].count("centre") == 2
    without = workbook(tmp_path, {"survey": survey, "choices": choices}, name="strict.xlsx")
    duplicate = next(p for p in read_xlsform(without).report if p.code is ErrorCode.CHOICE_DUPLICATE)
    assert (duplicate.location.sheet, duplicate.location.row) == ("choices", 5)


def test_a_note_without_a_name_gets_pyxforms_generated_name(tmp_path):
    path = form(tmp_path, ["note", None, "Read this aloud"], ["text", "a", "A"])
    assert pyxform_meaning(path) is not None
    result = read_xlsform(path)
    assert result.ok, result.report
    assert result.questionnaire.question("generated_note_name_2").type is QuestionType.NOTE


def test_a_one_sheet_workbook_called_sheet1_is_the_survey(tmp_path):
    path = workbook(
        tmp_path, {"Sheet1": [["type", "name", "label"], ["text", "a", "A"], ["integer", "b", "B"]]}
    )
    assert pyxform_meaning(path) is not None
    result = read_xlsform(path)
    assert result.ok, result.report
    assert [q.code for q in result.questionnaire.questions()] == ["a", "b"]


def test_a_stray_cell_far_below_the_form_is_named_not_read_and_costs_nothing(tmp_path):
    path = form(tmp_path, ["text", "a", "A"])
    book = openpyxl.load_workbook(path)
    book["survey"]["D1048576"] = "stray"
    book["survey"]["A200"] = "integer"  # after more than 60 empty rows: pyxform stops reading too
    book.save(path)
    assert pyxform_meaning(path) == {"a": "text"}
    result = read_xlsform(path)
    assert result.ok, result.report
    stray = next(p for p in result.report if p.code is ErrorCode.XLSFORM_STRAY_BELOW)
    assert (stray.location.row, stray.location.field, stray.severity) == (200, "A", Severity.WARNING)
    assert stray.params["cell"] == "A200" and stray.params["blank"] == MAX_BLANK_ROWS
    assert "A200" in stray.localized("ru")[0]


def test_one_far_right_cell_in_many_rows_is_named_and_not_kept(tmp_path):
    path = tmp_path / "wide.xlsx"
    book = openpyxl.Workbook()  # as Excel writes it: with the sheet's extent (A1:WQM2001)
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    for i in range(2000):
        sheet.append(["text", f"q{i}", "Q"])
        sheet.cell(row=i + 2, column=16003, value="far")
    book.save(path)
    result = read_xlsform(path)
    assert len(result.questionnaire.questions()) == 2000
    wide = next(p for p in result.report if p.code is ErrorCode.XLSFORM_STRAY_RIGHT)
    assert wide.severity is Severity.WARNING and wide.location.sheet == "survey"


def test_a_cell_right_of_the_headers_is_named_at_its_row(tmp_path):
    path = form(tmp_path, ["text", "a", "A"], ["text", "b", "B"])
    book = openpyxl.load_workbook(path)
    book["survey"]["AZ3"] = "note to self"  # 49 empty header cells away: past pyxform's run of 20
    book.save(path)
    result = read_xlsform(path)
    assert result.ok
    wide = next(p for p in result.report if p.code is ErrorCode.XLSFORM_STRAY_RIGHT)
    assert (wide.location.row, wide.location.field, wide.params["cell"]) == (3, "AZ", "AZ3")


def test_the_cli_converts_a_form_without_its_unsupported_questions_when_asked(tmp_path, capsys):
    path = form(tmp_path, ["text", "a", "A"], ["geotrace", "route", "Route"], ["integer", "b", "B"])
    assert main(["convert", str(path), "--to", "yaml"]) == 1
    assert "SK123" in capsys.readouterr().out
    assert main(["validate", str(path), "--skip-unsupported"]) == 0
    assert main(["convert", str(path), "--to", "yaml", "--skip-unsupported"]) == 0
    out = capsys.readouterr().out
    assert "SK124" in out and "route" in out
    converted = load_questionnaire(path.with_suffix(".yaml"))
    assert [q.code for q in converted.questions()] == ["a", "b"]


# --- .xls and .ods ---------------------------------------------------------------------------------------------
def _expected_fixture(q) -> None:
    assert [item.code for item in q.questions()] == [
        "name",
        "visit",
        "started",
        "next",
        "where",
        "photo",
        "fruit",
    ]
    types = [item.type.value for item in q.questions()]
    assert types == ["text", "date", "time", "datetime", "geopoint", "image", "select_one"]
    assert q.question("name").label == {"en": "Name", "ru": "Имя"}
    assert q.question("started").constraint == ". >= '08:00'"
    assert [c.name for c in q.choice_list("fruit")] == ["apple", "pear"]
    assert q.title["en"] == "Fixture form"


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_xls_and_ods_workbooks_read_like_xlsx(suffix):
    path = FIXTURES / f"xlsform-every-new-type{suffix}"
    result = read_questionnaire(path)
    assert result.ok, result.report
    _expected_fixture(result.questionnaire)


def test_the_xls_fixture_is_accepted_by_pyxform():
    assert pyxform_meaning(FIXTURES / "xlsform-every-new-type.xls") is not None


def test_a_damaged_xls_or_ods_is_one_located_message(tmp_path):
    for suffix in (".xls", ".ods"):
        path = tmp_path / f"broken{suffix}"
        path.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook" if suffix == ".xls" else b"PK\x03\x04junk")
        result = read_questionnaire(path)
        assert result.report.codes() == [ErrorCode.XLSX_UNREADABLE] and result.questionnaire is None


def test_an_ods_that_claims_a_million_empty_rows_reads_in_a_moment(tmp_path):
    """LibreOffice stores empty space as repeated rows and cells: they are never expanded."""
    source = FIXTURES / "xlsform-every-new-type.ods"
    import zipfile

    target = tmp_path / "huge.ods"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "content.xml":
                data = data.replace(
                    b"</table:table>",
                    b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
                    b'table:number-columns-repeated="16384"/></table:table-row></table:table>',
                    1,
                )
            out.writestr(info, data)
    started = dt.datetime.now()
    result = read_questionnaire(target)
    assert result.ok, result.report
    assert (dt.datetime.now() - started).total_seconds() < 30  # generous: it takes well under a second


# --- forms surveykit writes pass pyxform and ODK Validate -----------------------------------------------------------
def test_the_tour_with_every_type_written_as_xlsform_passes_pyxform_and_odk_validate(tmp_path):
    path = write_xlsform(load_questionnaire(EXAMPLE), tmp_path / "tour.xlsx")
    validate = shutil.which("java") is not None
    if not validate and __import__("os").environ.get("CI"):
        pytest.fail("java is needed to run ODK Validate in CI")
    warnings: list[str] = []
    result = convert(str(path), warnings=warnings, validate=validate)
    assert "<upload" in result.xform and 'mediatype="image/*"' in result.xform
    meaning = pyxform_meaning(path)
    q = load_questionnaire(EXAMPLE)
    for question in q.questions():
        expected = {"yes_no": "select_one", "likert": "select_one"}.get(
            question.type.value, question.type.value
        )
        if question.type.value in ("matrix", "note"):
            continue
        assert meaning[_path_of(q, question.code)] == expected, question.code


def _path_of(q, code: str) -> str:
    return "/".join([*(g.code for g in q.parents(code)), code])


def test_every_shipped_questionnaire_written_as_xlsform_passes_pyxform(tmp_path):
    for source in sorted((ROOT / "questionnaires").glob("*.yaml")):
        result = read_questionnaire(source)
        if (
            not result.ok
            or result.questionnaire is None
            or "items" not in result.questionnaire.model_fields_set
        ):
            continue
        path = write_xlsform(result.questionnaire, tmp_path / f"{source.stem}.xlsx")
        assert pyxform_meaning(path) is not None, source.name


def test_two_spellings_of_one_column_are_read_together_unless_a_row_fills_both_differently(tmp_path):
    survey = [
        ["type", "name", "label", "constraint", "constraint-msg", "bind::jr:constraintMsg"],
        ["integer", "a", "A", ". > 0", "Positive", None],
        ["integer", "b", "B", ". < 9", None, "Below 9"],
    ]
    path = workbook(tmp_path, {"survey": survey, "choices": FRUIT})
    assert pyxform_meaning(path) is not None
    result = read_xlsform(path)
    assert result.ok, result.report
    assert result.questionnaire.question("b").constraint_message == {"en": "Below 9"}
    survey[2][4] = "Something else"
    clash = read_xlsform(workbook(tmp_path, {"survey": survey, "choices": FRUIT}, name="clash.xlsx"))
    problem = next(p for p in clash.report if p.code is ErrorCode.FIELD_INVALID)
    assert (problem.location.row, problem.location.field) == (3, "bind::jr:constraintMsg")


def test_an_empty_group_is_left_out_with_a_warning_and_custom_bind_attributes_are_warnings(tmp_path):
    survey = [
        ["type", "name", "label", "bind::saveIncomplete", "bind::jr:preload"],
        ["begin_group", "empty", "Nothing here"],
        ["end_group"],
        ["text", "a", "A", "true()"],
    ]
    path = workbook(tmp_path, {"survey": survey, "choices": FRUIT})
    assert pyxform_meaning(path) is not None
    result = read_xlsform(path)
    assert result.ok, result.report
    assert [g.code for g in result.questionnaire.groups()] == []
    left_out = next(p for p in result.report if p.code is ErrorCode.FIELD_INVALID and p.location.row == 2)
    assert left_out.severity is Severity.WARNING
    column = next(p for p in result.report if p.code is ErrorCode.XLSFORM_COLUMN_UNSUPPORTED)
    assert (column.params["column"], column.severity) == ("bind::saveIncomplete", Severity.WARNING)


def test_a_sheet_longer_than_the_row_limit_is_an_error_naming_the_limit(tmp_path, monkeypatch):
    from surveykit.questionnaire import xlsform_read, xlsform_workbook

    monkeypatch.setattr(xlsform_workbook, "MAX_ROWS", 10)
    monkeypatch.setattr(xlsform_read, "MAX_ROWS", 10)
    path = form(tmp_path, *[["text", f"q{i}", "Q"] for i in range(30)])
    result = read_xlsform(path)
    problem = next(p for p in result.report if p.code is ErrorCode.XLSFORM_SHEET_TOO_LONG)
    assert (problem.location.sheet, problem.location.row, problem.params["limit"]) == ("survey", 10, 10)
    assert not result.ok and "10" in problem.localized("ru")[0]
