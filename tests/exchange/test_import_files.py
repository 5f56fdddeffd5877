"""Import of files as they arrive from elsewhere: columns left out on purpose, KoboToolbox's default export
with question texts as headers, text files in legacy encodings, broken workbooks, and reports in the user's
language without a library's own text."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from surveykit.cli.main import main
from surveykit.errors import DataImportError, ErrorCode, Severity
from surveykit.exchange import read_import
from surveykit.exchange.readers import read_source
from surveykit.questionnaire.compiled import compile_form

from .helpers import QUESTIONNAIRES, example_answers, load


def _csv(tmp_path, text: str, name: str = "in.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- columns left out ------------------------------------------------------------------------------------------
def test_drop_and_ignore_unknown_leave_columns_out_and_say_so(tmp_path):
    q = load("example_all_types")
    path = _csv(tmp_path, "consent,age,colour,notes\nyes,70,red,x\n")
    plain = read_import(path, q)
    assert {p.location.field for p in plain.report.errors if p.code is ErrorCode.IMPORT_COLUMN_UNKNOWN} == {
        "colour",
        "notes",
    }
    dropped = read_import(path, q, drop=["colour"], ignore_unknown=True)
    left_out = {p.location.field: p for p in dropped.report if p.code is ErrorCode.IMPORT_COLUMN_LEFT_OUT}
    assert set(left_out) == {"colour", "notes"}
    assert all(p.severity is Severity.INFO for p in left_out.values())
    assert "--drop" in left_out["colour"].message and "--ignore-unknown" in left_out["notes"].message
    assert not any(p.code is ErrorCode.IMPORT_COLUMN_UNKNOWN for p in dropped.report)
    # a --drop name that is no column is an error, never silently nothing
    typo = read_import(path, q, drop=["colur"])
    error = next(p for p in typo.report.errors if p.code is ErrorCode.OPTION_CONFLICT)
    assert "colur" in error.message and "colour" in error.message


def test_drop_on_the_command_line_takes_a_comma_separated_list(tmp_path, capsys):
    path = _csv(tmp_path, "consent,age,colour,notes\nyes,70,red,x\n")
    args = [
        "import",
        str(path),
        "--questionnaire",
        str(QUESTIONNAIRES / "example_all_types.yaml"),
        "--dry-run",
    ]
    assert main([*args, "--drop", "colour,notes", "--json"]) == 1  # other problems remain (required answers)
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert sorted(p["location"]["field"] for p in problems if p["code"] == "SK711") == ["colour", "notes"]
    assert not [p for p in problems if p["code"] == "SK701"]


# --- KoboToolbox "Labels" export -------------------------------------------------------------------------------
def _kobo_labels_workbook(tmp_path, language: str, rows: int = 3, reword: bool = False):
    """A Kobo export in its default format: headers "group text/question text", choices as their texts,
    a select_multiple as one 0/1 column per choice ("question text/choice text")."""
    q = load("example_all_types")
    form = compile_form(q)
    header, keys = [], []
    for item in q.questions():
        if item.code not in ("consent", "age", "region", "services", "satisfaction"):
            continue
        group = q.parents(item.code)[0]
        text = item.label[language] + (" (переформулировано)" if reword else "")
        if item.type.value == "select_multiple":
            for choice in q.choice_list(item.choices):
                header.append(f"{group.label[language]}/{text}/{choice.label[language]}")
                keys.append((item.code, choice.name))
        else:
            header.append(f"{group.label[language]}/{text}")
            keys.append((item.code, None))
    header += ["_uuid", "_submission_time"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for i in range(rows):
        answers = example_answers(i)
        row = []
        for code, choice in keys:
            var = form.variables[code]
            value = answers.get(code)
            if choice is not None:
                row.append(int(choice in value))
            elif var.choices:
                row.append(next(c.label[language] for c in var.choices if c.name == value))
            else:
                row.append(value)
        row += [f"00000000-0000-0000-0000-00000000000{i}", "2026-03-01T10:00:00"]
        sheet.append(row)
    path = tmp_path / f"kobo_labels_{language}.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_kobo_export_with_label_headers_is_recognised_and_mapped(tmp_path, language):
    path = _kobo_labels_workbook(tmp_path, language)
    outcome = read_import(path, load("example_all_types"), kobo=True)
    assert not any(p.code is ErrorCode.IMPORT_COLUMN_UNKNOWN for p in outcome.report), str(outcome.report)
    note = next(p for p in outcome.report if p.code is ErrorCode.IMPORT_LABEL_HEADERS)
    assert note.severity is Severity.INFO and "Labels" in note.message
    assert "XML values and headers" in note.hint  # the export setting that avoids the guesswork
    expected = [example_answers(i) for i in range(3)]
    assert outcome.data["region"].tolist() == [a["region"] for a in expected]
    assert outcome.data["satisfaction"].tolist() == [a["satisfaction"] for a in expected]
    assert [set(v.split()) for v in outcome.data["services"]] == [set(a["services"]) for a in expected]


def test_a_kobo_export_whose_label_headers_match_nothing_is_refused_with_the_setting_to_choose(tmp_path):
    path = _kobo_labels_workbook(tmp_path, "ru", reword=True)
    outcome = read_import(path, load("example_all_types"), kobo=True)
    refusal = next(p for p in outcome.report.errors if p.code is ErrorCode.IMPORT_LABEL_HEADERS)
    assert (
        "KoboToolbox" in refusal.message
        and "'Value and header format': 'XML values and headers'" in refusal.hint
    )
    ru, hint = refusal.localized("ru")
    assert "выгрузку KoboToolbox" in ru and "XML values and headers" in hint


# --- encodings -------------------------------------------------------------------------------------------------
def test_a_latin_1_csv_is_read_as_western_european_and_the_encoding_is_reported(tmp_path):
    path = _csv(tmp_path, "name,city\nMüller,Köln\nCafé,Orléans\nGötz,Zürich\nRené,Besançon\n", encoding="latin-1")
    table = read_source(path)[0]
    assert table.frame["name"].tolist() == ["Müller", "Café", "Götz", "René"] and table.encoding == "cp1252"
    assert any(p.code is ErrorCode.ENCODING_DETECTED and "Windows-1252" in p.message for p in table.problems)


def test_a_cp1251_csv_is_read_as_cyrillic(tmp_path):
    path = _csv(tmp_path, "consent;region\nyes;север\nno;Заречный район\n", encoding="cp1251")
    table = read_source(path)[0]
    assert table.frame["region"].tolist() == ["север", "Заречный район"] and table.encoding == "cp1251"


def test_a_few_letters_are_too_little_evidence_and_are_refused_not_guessed(tmp_path):
    # one short word reads as Windows-1251 and as nothing else, but one word is not enough to be sure
    path = _csv(tmp_path, "consent;region\nyes;север\n", encoding="cp1251")
    with pytest.raises(DataImportError) as refused:
        read_source(path)
    assert refused.value.code is ErrorCode.ENCODING_UNKNOWN and "--encoding cp1251" in refused.value.hint
    assert read_source(path, encoding="cp1251")[0].frame["region"].tolist() == ["север"]


def test_an_encoding_that_cannot_be_told_is_refused_with_the_choice_and_can_be_given(tmp_path):
    # "ÊÎÄ" (cp1252) is "КОД" (cp1251): every reading is plausible or none is; never a silent guess
    data = "a,b\nx,\xca\xce\xc4 caf\xe9\n".encode("latin-1")
    path = tmp_path / "odd.csv"
    path.write_bytes(data)
    with pytest.raises(DataImportError) as refused:
        read_source(path)
    assert refused.value.code is ErrorCode.ENCODING_UNKNOWN and "line 2" in str(refused.value)
    assert "--encoding cp1251" in refused.value.hint and "--encoding cp1252" in refused.value.hint
    assert read_source(path, encoding="cp1252")[0].frame["b"].tolist() == ["ÊÎÄ café"]
    with pytest.raises(DataImportError) as unknown:
        read_source(path, encoding="klingon")
    assert unknown.value.code is ErrorCode.ENCODING_UNKNOWN and "klingon" in str(unknown.value)


def test_utf16_text_from_excel_is_read(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("consent\tregion\nyes\tсевер\n".encode("utf-16"))
    assert read_source(path)[0].frame["region"].tolist() == ["север"]


# --- broken and mislabelled files ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"this is not a workbook at all\n", "text file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "97-2003"),
        (b"PK\x03\x04garbage", "not an Excel workbook"),
    ],
)
def test_a_file_given_as_xlsx_that_is_not_one_gets_a_clear_message(tmp_path, content, expected):
    path = tmp_path / "data.xlsx"
    path.write_bytes(content)
    with pytest.raises(DataImportError) as caught:
        read_import(path, load("example_all_types"))
    assert caught.value.code is ErrorCode.DATA_FILE_UNREADABLE
    assert expected in caught.value.message and "BadZipFile" not in str(caught.value)


def test_a_damaged_spss_file_is_refused_in_the_users_language_without_the_librarys_text(tmp_path, capsys):
    path = tmp_path / "broken.sav"
    path.write_bytes(b"$FL2" + b"\x00" * 50)
    code = main(["--lang", "ru", "import", str(path), "--questionnaire",
                 str(QUESTIONNAIRES / "example_all_types.yaml"), "--dry-run"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "SK716" in err
    assert "не удаётся прочитать файл SPSS: это не файл SPSS" in err and "сохраните заново" in err
    assert "Invalid" not in err and "Unable" not in err  # pyreadstat's own words stay on the chained error

    with pytest.raises(DataImportError) as caught:
        read_source(path)
    assert isinstance(caught.value.__cause__, pyreadstat.ReadstatError)  # kept for --debug


def test_a_folder_named_like_a_data_file_is_refused(tmp_path):
    (tmp_path / "data.csv").mkdir()
    with pytest.raises(DataImportError) as caught:
        read_source(tmp_path / "data.csv")
    assert caught.value.code is ErrorCode.NOT_A_FILE and "folder" in caught.value.message


def test_two_columns_with_the_same_name_are_an_error(tmp_path):
    path = _csv(tmp_path, "consent,age,age\nyes,70,71\n")
    outcome = read_import(path, load("example_all_types"))
    duplicate = next(p for p in outcome.report.errors if p.code is ErrorCode.IMPORT_COLUMN_DUPLICATE)
    assert duplicate.params["positions"] == "2, 3"
    book = openpyxl.Workbook()
    book.active.append(["consent", "age", "age"])
    book.active.append(["yes", 70, 71])
    book.save(tmp_path / "dup.xlsx")
    assert any(
        p.code is ErrorCode.IMPORT_COLUMN_DUPLICATE
        for p in read_import(tmp_path / "dup.xlsx", load("example_all_types")).report.errors
    )


# --- declared missing values of a questionnaire that was not inferred -------------------------------------------
def test_spss_user_missing_codes_of_a_published_questionnaire_are_not_invalid_choices(tmp_path):
    """The issue's case: '-3' declared missing in the file, not a choice of the questionnaire."""
    frame = pd.DataFrame({"consent": [1.0, 1.0], "satisfaction": [4.0, -3.0], "age": [70.0, -9.0]})
    pyreadstat.write_sav(
        frame,
        str(tmp_path / "legacy.sav"),
        variable_value_labels={"consent": {1: "Да"}, "satisfaction": {-3: "Затрудняюсь"}},
        missing_ranges={"satisfaction": [-3], "age": [{"lo": -9, "hi": -7}]},
    )
    outcome = read_import(tmp_path / "legacy.sav", load("example_all_types"))
    assert not any(
        p.code in (ErrorCode.ANSWER_NOT_IN_LIST, ErrorCode.ANSWER_OUT_OF_RANGE) for p in outcome.report
    )
    missing = {p.location.field: p for p in outcome.report if p.code is ErrorCode.IMPORT_DECLARED_MISSING}
    assert missing["satisfaction"].severity is Severity.WARNING  # a code lost unless the list gets it
    assert "value -3 and missing: true" in missing["satisfaction"].hint
    assert missing["age"].severity is Severity.INFO and missing["age"].params["value"] == "-9"
    assert outcome.data["satisfaction"].tolist()[1] is None or pd.isna(
        outcome.data["satisfaction"].tolist()[1]
    )


@pytest.mark.parametrize(
    ("lang", "expected", "foreign"),
    [
        ("en", "The number starts with +", "Номер начинается"),
        ("ru", "Номер начинается с +", "The number starts"),
    ],
)
def test_the_questionnaires_own_messages_in_an_import_report_follow_lang(
    tmp_path, capsys, lang, expected, foreign
):
    path = _csv(tmp_path, "consent,age,phone\nyes,70,12345\n")
    code = main(["--lang", lang, "import", str(path), "--questionnaire",
                 str(QUESTIONNAIRES / "example_all_types.yaml"), "--dry-run"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1 and "SK402" in out and expected in out and foreign not in out


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_an_old_or_open_document_workbook_is_refused_with_save_as_xlsx(tmp_path, suffix):
    path = tmp_path / f"data{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(DataImportError) as caught:
        read_source(path)
    assert caught.value.code is ErrorCode.DATA_FILE_UNREADABLE and ".xlsx" in caught.value.hint
