"""`surveykit infer` + `surveykit import` on files made elsewhere: a questionnaire from an SPSS, Stata, CSV or Excel
file is valid at once, and the data comes back through import and export with every value and label.

The files are written here with pyreadstat, after the values of pyreadstat's own test files
(``test_data/basic/sample.csv`` and ``sample_missing_user.csv``: mychar, mynum, mydate, dtime, mylabl, myord,
mytime), with what real survey files add: user-missing codes, Stata extended missing values, a reserved name, a
64-character SPSS name and multiple-response dummies.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from surveykit.cli.main import main
from surveykit.errors import DataImportError, ErrorCode, Severity
from surveykit.exchange import export_frames, infer_questionnaire, read_import
from surveykit.questionnaire.io import read_questionnaire
from surveykit.questionnaire.model import QuestionType

LONG = "respondent_satisfaction_with_the_social_worker_visits"  # 53 characters: legal in SPSS, not in Stata
LABELS = {
    "mychar": "Буква",
    "mynum": "A number",
    "mylabl": "Пол",
    "myord": "Оценка",
    "q5": "Довольны ли вы обслуживанием?",
    "str": "Комментарий",
    LONG: "Удовлетворены ли визитами?",
    "svc_1": "Какие услуги вы получаете?: питание",
    "svc_2": "Какие услуги вы получаете?: уборка",
    "svc_3": "Какие услуги вы получаете?: медицинская помощь",
    "age": "Возраст",
}
VALUE_LABELS = {
    "mylabl": {1: "Мужской", 2: "Женский"},
    "myord": {1: "низко", 2: "средне", 3: "высоко", -1: "Затрудняюсь ответить"},
    "q5": {1: "Да", 2: "Нет", -3: "Затрудняюсь ответить"},
    LONG: {0: "Нет", 1: "Да"},
}


def legacy_frame() -> pd.DataFrame:
    """Six cases: pyreadstat's sample values plus the survey variables."""
    return pd.DataFrame(
        {
            "mychar": ["a", "b", "c", "d", "e", "f"],
            "mynum": [1.1, 1.2, -1000.3, -1.4, 1000.3, 2.5],
            "mydate": [dt.date(2018, 5, 6), dt.date(1880, 5, 6), dt.date(1960, 1, 1), dt.date(1583, 1, 1), None,
                       dt.date(2026, 2, 1)],
            "dtime": [dt.datetime(2018, 5, 6, 10, 10, 10), dt.datetime(1880, 5, 6, 10, 10, 10),
                      dt.datetime(1960, 1, 1), dt.datetime(1583, 1, 1), None, dt.datetime(2026, 2, 1, 9, 30)],
            "mytime": [dt.time(10, 10, 10), dt.time(23, 10, 10), dt.time(0, 0), dt.time(16, 10, 10), None,
                       dt.time(9, 30)],
            "mylabl": [1.0, 2.0, 1.0, 2.0, 1.0, 2.0],
            "myord": [1.0, 2.0, 3.0, 1.0, -1.0, 3.0],
            "q5": [1.0, 2.0, -3.0, 1.0, np.nan, 1.0],
            "str": ["хорошо", "плохо", "", "нормально", "хорошо", "спасибо"],
            LONG: [1.0, 0.0, 1.0, 1.0, 0.0, 1.0],
            "svc_1": [1.0, 0.0, 1.0, 0.0, 0.0, 1.0],
            "svc_2": [0.0, 0.0, 1.0, 1.0, 0.0, 1.0],
            "svc_3": [1.0, 1.0, 0.0, 0.0, 0.0, 1.0],
            "age": [71.0, -9.0, 80.0, 65.0, 90.0, 77.0],
        }
    )  # fmt: skip


def write_sav(path) -> pd.DataFrame:
    frame = legacy_frame()
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={c: LABELS.get(c) for c in frame.columns},
        variable_value_labels=VALUE_LABELS,
        missing_ranges={"myord": [-1], "q5": [-3], "age": [-9]},
        variable_format={"mydate": "DATE11", "dtime": "DATETIME20", "mytime": "TIME8"},
        variable_measure={"myord": "ordinal", "mylabl": "nominal", "mynum": "scale"},
    )
    return frame


def write_dta(path) -> pd.DataFrame:
    """Stata: names of at most 32 characters; missing codes are extended missing values (.a don't know,
    .c refused); `age` has a .b."""
    frame = legacy_frame().drop(columns=["mytime", LONG])
    frame["q5"] = pd.Series([1.0, 2.0, "c", 1.0, np.nan, "a"], dtype=object)
    frame["myord"] = pd.Series([1.0, 2.0, 3.0, 1.0, "a", 3.0], dtype=object)
    frame["age"] = pd.Series([71.0, "b", 80.0, 65.0, 90.0, 77.0], dtype=object)
    pyreadstat.write_dta(
        frame,
        str(path),
        column_labels={c: LABELS.get(c) for c in frame.columns},
        variable_value_labels={
            "mylabl": VALUE_LABELS["mylabl"],
            "myord": {1: "низко", 2: "средне", 3: "высоко", "a": "Затрудняюсь ответить"},
            "q5": {1: "Да", 2: "Нет", "a": "Затрудняюсь ответить", "c": "Отказ от ответа"},
        },
        missing_user_values={"q5": ["a", "c"], "myord": ["a"], "age": ["b"]},
        variable_format={"mydate": "%td", "dtime": "%tc"},
        version=14,
    )
    return frame


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _iso(value) -> str:
    value = _plain(value)
    if value is None or value == "":
        return ""
    return value if isinstance(value, str) else value.isoformat()


def _labelled(values, labels) -> list:
    """Each case as its value label (for a labelled variable) or its value."""
    out = []
    for v in values:
        v = _plain(v)
        key = next((k for k in labels if _plain(k) == v), None) if labels else None
        out.append(labels[key] if key is not None else v)
    return out


# --- SPSS ----------------------------------------------------------------------------------------------------
def test_a_questionnaire_from_an_spss_file_is_valid_at_once_and_says_what_was_guessed(tmp_path):
    write_sav(tmp_path / "legacy.sav")
    result = infer_questionnaire(tmp_path / "legacy.sav")
    path = result.write(tmp_path / "legacy.yaml")
    loaded = read_questionnaire(path)
    assert loaded.ok and not loaded.report.problems, str(loaded.report)  # no error, no warning
    q = loaded.questionnaire
    types = {item.code: item.type for item in q.questions()}
    assert types["mydate"] is QuestionType.DATE
    assert types["mylabl"] is QuestionType.SELECT_ONE
    assert types["myord"] is QuestionType.LIKERT  # ordinal in SPSS, three labelled points
    assert types["q5"] is QuestionType.SELECT_ONE and types["age"] is QuestionType.INTEGER
    assert types["mynum"] is QuestionType.DECIMAL and types["mychar"] is QuestionType.TEXT
    assert types["svc"] is QuestionType.SELECT_MULTIPLE  # svc_1..svc_3: 0/1 with the stem "Какие услуги ..."
    assert "svc_1" not in types
    # times of day and date-times: questions of those types
    assert types["mytime"] is QuestionType.TIME
    # texts: labels become question texts, in Russian (the labels are Cyrillic)
    assert q.default_language == "ru" and q.question("q5").label == {"ru": LABELS["q5"]}
    # the user-missing code -3 is a choice flagged missing, with its label
    dk = next(c for c in q.choice_list(q.question("q5").choices) if c.value == -3)
    assert dk.missing and dk.label == {"ru": "Затрудняюсь ответить"} and dk.name == "dk"
    # a reserved word and a 53-character name become valid codes; the original names are kept for the import
    assert "str" not in types and q.metadata["source_names"]["str_v"] == "str"
    long_code = next(code for code, name in q.metadata["source_names"].items() if name == LONG)
    assert len(long_code) <= 32
    # the numeric missing code of age is kept in the metadata and explained
    assert q.metadata["missing_values"]["age"] == [{"value": -9}]

    text = path.read_text(encoding="utf-8")
    assert "# declared missing in the file: -3 (Затрудняюсь ответить)" in text
    assert "a time of day" in text and "reserved word" in text and "svc_1, svc_2, svc_3" in text
    notes = [p for p in result.report if p.code is ErrorCode.INFER_GUESS]
    assert notes and all(p.severity is Severity.INFO for p in notes)


def test_spss_infer_import_export_round_trip_keeps_every_value_and_label(tmp_path):
    """.sav -> infer -> import -> export .sav: every case has the same value (or the same label), the same
    variable labels, the same value labels and the same user-missing codes; the one value that cannot come
    back (a number's missing code) is reported."""
    original = write_sav(tmp_path / "legacy.sav")
    q = infer_questionnaire(tmp_path / "legacy.sav").questionnaire
    outcome = read_import(tmp_path / "legacy.sav", q)
    assert outcome.ok, str(outcome.report)
    reported = [p for p in outcome.report if p.code is ErrorCode.IMPORT_DECLARED_MISSING]
    assert [(p.location.field, p.params["count"]) for p in reported] == [("age", 1)]
    # case 5 has every svc dummy at 0: nothing chosen is no answer in surveykit, and it is said so
    assert any(p.code is ErrorCode.IMPORT_VALUE_INVALID and "'svc' at 0" in p.message for p in outcome.report)
    assert not outcome.report.warnings
    result = export_frames(q, outcome.data, tmp_path / "back.sav", pseudonymise=False)
    back, meta = pyreadstat.read_sav(str(result.files[0]), user_missing=True)
    names = {v: k for k, v in q.metadata["source_names"].items()}
    written = {v.source: v.name for v in result.metadata.table().variables if v.role.value == "answer"}
    # the 53-character name: code of 32 characters, written with 31 (Stata names the labels <name>0)
    assert written[names[LONG]] == LONG[:31] and result.metadata.renamed == {LONG[:32]: LONG[:31]}
    for column in original.columns:
        name = names.get(column, column)
        name = written.get(name, name)

        expected = original[column].tolist()
        got = back[name].tolist()
        if column in VALUE_LABELS:
            assert _labelled(got, meta.variable_value_labels[name]) == _labelled(
                expected, VALUE_LABELS[column]
            ), column
            assert {_plain(k): v for k, v in meta.variable_value_labels[name].items()} == {
                _plain(k): v for k, v in VALUE_LABELS[column].items()
            }, column
        elif column == "age":
            assert [_plain(v) for v in got] == [71, None, 80, 65, 90, 77]  # -9 was reported as no answer
        elif column in ("mytime", "dtime"):  # a time or date-time question, or text holding the ISO form
            assert [_iso(v) for v in got] == [_iso(v) for v in expected], column
        elif column == "mydate":
            assert [_plain(v).date() if hasattr(_plain(v), "date") else _plain(v) for v in got] == expected
        elif column.startswith("svc_"):
            assert [_plain(v) for v in got] == [_plain(v) if i != 4 else None for i, v in enumerate(expected)]
        elif column == "str":
            assert [v or None for v in got] == [v or None for v in expected]
        else:
            assert [_plain(v) for v in got] == [_plain(v) for v in expected], column
        assert meta.column_names_to_labels[name] == LABELS.get(column, meta.column_names_to_labels[name]), (
            column
        )
    assert meta.missing_ranges["q5"] == [{"lo": -3.0, "hi": -3.0}]
    assert meta.missing_ranges["myord"] == [{"lo": -1.0, "hi": -1.0}]


def test_spss_file_through_the_cli_infer_publish_import_export(tmp_path, capsys):
    """The commands a sociologist types: infer, validate, publish, import (no --map), export."""
    write_sav(tmp_path / "legacy.sav")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    from surveykit.store import Store

    Store.upgrade(url)
    with Store.open(url) as store:
        store.add_institution("csp1", "ЦСО")
        store.add_person("anna", "Анна")
    assert main(["infer", str(tmp_path / "legacy.sav"), "-o", str(tmp_path / "legacy.yaml")]) == 0
    assert "written to" in capsys.readouterr().out
    assert main(["infer", str(tmp_path / "legacy.sav"), "-o", str(tmp_path / "legacy.yaml")]) == 1  # exists
    assert "--force" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "legacy.yaml")]) == 0
    assert main(["db", "publish", str(tmp_path / "legacy.yaml"), "--url", url]) == 0
    code = main(["import", str(tmp_path / "legacy.sav"), "--questionnaire", "legacy", "--url", url,
                 "--institution", "csp1", "--interviewer", "anna", "--mode", "face_to_face", "--historical"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "imported 6 interview(s)" in out and "SK712" in out  # age -9: declared missing, reported
    assert main(["export", "legacy", "--url", url, "-o", str(tmp_path / "out.sav"), "--no-pseudonymise"]) == 0
    back, meta = pyreadstat.read_sav(str(tmp_path / "out.sav"), user_missing=True)
    assert sorted(back["q5"].dropna().tolist()) == [-3.0, 1.0, 1.0, 1.0, 2.0]
    assert meta.variable_value_labels["q5"][-3.0] == "Затрудняюсь ответить"
    assert meta.missing_ranges["q5"] == [{"lo": -3.0, "hi": -3.0}]
    assert sorted(c for c in back.columns if c.startswith("svc_")) == ["svc_1", "svc_2", "svc_3"]


def test_a_reserved_name_and_a_long_name_are_found_without_map(tmp_path):
    """A published questionnaire (not from infer) with the cleaned codes still matches the file's columns."""
    write_sav(tmp_path / "legacy.sav")
    q = infer_questionnaire(tmp_path / "legacy.sav").questionnaire
    plain = q.model_copy(update={"metadata": {}})  # as if written by hand: no source_names
    outcome = read_import(tmp_path / "legacy.sav", plain)
    matched = {
        p.params["column"]: p.params["code"]
        for p in outcome.report
        if p.code is ErrorCode.IMPORT_COLUMN_MATCHED
    }
    assert matched == {"str": "str_v", LONG: LONG[:32]}
    assert not any(p.code is ErrorCode.IMPORT_COLUMN_UNKNOWN for p in outcome.report)


# --- Stata -----------------------------------------------------------------------------------------------------
def test_stata_extended_missing_values_are_coded_missing_not_invalid_numbers(tmp_path):
    original = write_dta(tmp_path / "legacy.dta")
    result = infer_questionnaire(tmp_path / "legacy.dta")
    q = result.questionnaire
    assert read_questionnaire(result.write(tmp_path / "legacy.yaml")).ok
    q5 = q.choice_list(q.question("q5").choices)
    assert {c.label["ru"]: c.missing for c in q5} == {
        "Да": False,
        "Нет": False,
        "Затрудняюсь ответить": True,
        "Отказ от ответа": True,
    }
    assert q.question("dtime").type is QuestionType.DATETIME
    outcome = read_import(tmp_path / "legacy.dta", q)
    assert outcome.ok, str(outcome.report)
    assert not any(
        p.code in (ErrorCode.ANSWER_WRONG_TYPE, ErrorCode.ANSWER_NOT_IN_LIST) for p in outcome.report
    )
    age = [p for p in outcome.report if p.code is ErrorCode.IMPORT_DECLARED_MISSING]
    assert [(p.location.field, p.params["value"]) for p in age] == [("age", ".b")]
    result = export_frames(q, outcome.data, tmp_path / "back.dta", pseudonymise=False)
    back, meta = pyreadstat.read_dta(str(result.files[0]), user_missing=True)
    original_labels = {"q5": {1: "Да", 2: "Нет", "a": "Затрудняюсь ответить", "c": "Отказ от ответа"},
                       "myord": {1: "низко", 2: "средне", 3: "высоко", "a": "Затрудняюсь ответить"},
                       "mylabl": VALUE_LABELS["mylabl"]}  # fmt: skip
    for column, labels in original_labels.items():
        assert _labelled(back[column].tolist(), meta.variable_value_labels[column]) == _labelled(
            original[column].tolist(), labels
        ), column
    assert [_plain(v) for v in back["mynum"]] == [_plain(v) for v in original["mynum"]]


def test_a_stata_letter_that_matches_no_choice_is_no_answer_with_a_warning(tmp_path):
    """A hand-written questionnaire without the refused choice: '.c' is reported, never 'not a valid number'."""
    write_dta(tmp_path / "legacy.dta")
    q = infer_questionnaire(tmp_path / "legacy.dta").questionnaire
    lists = dict(q.choice_lists)
    name = q.question("q5").choices
    lists[name] = [c for c in lists[name] if c.label["ru"] != "Отказ от ответа"]
    outcome = read_import(tmp_path / "legacy.dta", q.model_copy(update={"choice_lists": lists}))
    warning = next(
        p for p in outcome.report if p.code is ErrorCode.IMPORT_DECLARED_MISSING and p.location.field == "q5"
    )
    assert warning.severity is Severity.WARNING and warning.params["value"].startswith(".c")
    assert outcome.data["q5"].isna().tolist() == [False, False, True, False, True, False]
    assert outcome.ok


# --- CSV and Excel ---------------------------------------------------------------------------------------------
CSV_ROWS = [
    "id;Пол;Возраст;Оценка;Дата;q5_1;q5_2;q5_3;Комментарий",
    "1;Мужской;34;4,5;2026-01-02;1;0;1;Всё хорошо",
    "2;Женский;45;3;2026-01-03;0;1;0;",
    "3;Женский;51;5;2026-01-04;1;1;0;Очень долго ждали в очереди",
    "4;Мужской;;2,5;2026-01-05;0;0;0;Вежливые сотрудники",
]


def test_a_windows_1251_csv_is_recognised_inferred_and_imported_without_mojibake(tmp_path):
    path = tmp_path / "anketa.csv"
    path.write_bytes("\n".join(CSV_ROWS).encode("cp1251"))
    result = infer_questionnaire(path)
    q = result.questionnaire
    assert any(p.code is ErrorCode.ENCODING_DETECTED and "Windows-1251" in p.message for p in result.report)
    types = {item.code: item.type for item in q.questions()}
    assert types == {
        "id": QuestionType.INTEGER,
        "pol": QuestionType.SELECT_ONE,
        "vozrast": QuestionType.INTEGER,
        "otsenka": QuestionType.DECIMAL,
        "data": QuestionType.DATE,
        "q5": QuestionType.SELECT_MULTIPLE,
        "kommentariy": QuestionType.TEXT,
    }
    assert {c.label["ru"] for c in q.choice_list("pol")} == {"Мужской", "Женский"}
    outcome = read_import(path, q)
    assert outcome.ok, str(outcome.report)
    assert outcome.data["kommentariy"].tolist()[0] == "Всё хорошо"
    assert outcome.data["otsenka"].tolist() == [4.5, 3.0, 5.0, 2.5]
    assert outcome.data["q5"].tolist()[:3] == ["1 3", "2", "1 2"]
    exported = export_frames(q, outcome.data, tmp_path / "back.csv", pseudonymise=False, values="labels")
    back = pd.read_csv(exported.files[0], dtype=str, keep_default_na=False)
    assert back["pol"].tolist() == ["Мужской", "Женский", "Женский", "Мужской"]
    # the last row chose nothing: no answer, written empty (and reported at import)
    assert back[["q5_1", "q5_2", "q5_3"]].values.tolist() == [
        ["1", "0", "1"],
        ["0", "1", "0"],
        ["1", "1", "0"],
        ["", "", ""],
    ]
    assert back["data"].tolist() == ["2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"]


def test_an_excel_file_round_trips_through_infer_import_and_export(tmp_path):
    frame = pd.DataFrame(
        {
            "interview_id": ["a1", "a2", "a3", "a4"],
            "district": ["North", "South", "North", "South"],
            "visits": [3, 5, 2, 8],
            "satisfied": ["yes", "no", "yes", "yes"],
            "visit_date": [
                dt.date(2026, 3, 1),
                dt.date(2026, 3, 2),
                dt.date(2026, 3, 3),
                dt.date(2026, 3, 4),
            ],
            "help_meals": [1, 0, 1, 1],
            "help_cleaning": [0, 1, 1, 0],
        }
    )
    frame.to_excel(tmp_path / "survey.xlsx", index=False)
    q = infer_questionnaire(tmp_path / "survey.xlsx").questionnaire
    types = {item.code: item.type for item in q.questions()}
    assert types == {
        "district": QuestionType.SELECT_ONE,
        "visits": QuestionType.INTEGER,
        "satisfied": QuestionType.YES_NO,
        "visit_date": QuestionType.DATE,
        "help": QuestionType.SELECT_MULTIPLE,
    }
    assert q.default_language == "en"
    outcome = read_import(tmp_path / "survey.xlsx", q)
    assert outcome.ok, str(outcome.report)
    back = export_frames(q, outcome.data, tmp_path / "back.xlsx", pseudonymise=False, values="labels")
    data = pd.read_excel(back.files[0], sheet_name="interviews")
    assert data["district"].tolist() == frame["district"].tolist()
    assert data["visits"].tolist() == frame["visits"].tolist()
    assert data["help_meals"].tolist() == frame["help_meals"].tolist()
    assert data["help_cleaning"].tolist() == frame["help_cleaning"].tolist()
    assert [str(v)[:10] for v in data["visit_date"]] == [str(v) for v in frame["visit_date"]]


def test_dummies_whose_labels_share_no_stem_stay_separate_questions(tmp_path):
    frame = pd.DataFrame({"q7_1": [1.0, 0.0, 1.0], "q7_2": [0.0, 1.0, 1.0]})
    pyreadstat.write_sav(
        frame, str(tmp_path / "f.sav"), column_labels={"q7_1": "Has a car", "q7_2": "Owns a flat"}
    )
    q = infer_questionnaire(tmp_path / "f.sav").questionnaire
    assert [item.code for item in q.questions()] == ["q7_1", "q7_2"]


def test_infer_refuses_an_empty_file_and_a_missing_sheet(tmp_path):
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataImportError) as caught:
        infer_questionnaire(tmp_path / "empty.csv")
    assert caught.value.code is ErrorCode.CSV_UNREADABLE and "empty" in caught.value.message
    (tmp_path / "keys.csv").write_text("interview_id,period\n1,2026\n", encoding="utf-8")
    with pytest.raises(DataImportError) as caught:  # only fields of the interview's own record
        infer_questionnaire(tmp_path / "keys.csv")
    assert caught.value.code is ErrorCode.INFER_EMPTY

    pd.DataFrame({"a": [1]}).to_excel(tmp_path / "one.xlsx", index=False, sheet_name="Sheet1")
    with pytest.raises(DataImportError) as caught:
        infer_questionnaire(tmp_path / "one.xlsx", sheet="data")
    assert caught.value.code is ErrorCode.XLSFORM_SHEET_MISSING


def test_infer_in_a_notebook_shows_a_table_of_guesses(tmp_path):
    write_sav(tmp_path / "legacy.sav")
    result = infer_questionnaire(tmp_path / "legacy.sav")
    html = result._repr_html_()
    assert "<table" in html and "svc_1" in html and "select_multiple" in html
    summary = result.summary("ru")
    assert list(summary.columns) == ["column", "code", "role", "type", "label", "notes"]
    assert "объявлены пропуском" in summary.loc[summary["column"] == "q5", "notes"].iloc[0]
    assert math.isfinite(len(summary))


def test_a_compressed_spss_file_with_text_codes_and_a_missing_text_code(tmp_path):
    frame = pd.DataFrame({"sex": ["M", "F", "M", "X"], "n": [1.0, 2.0, 3.0, 4.0]})
    pyreadstat.write_sav(
        frame,
        str(tmp_path / "s.zsav"),
        compress=True,
        variable_value_labels={"sex": {"M": "Male", "F": "Female", "X": "No answer"}},
        missing_ranges={"sex": ["X"]},
    )
    result = infer_questionnaire(tmp_path / "s.zsav")
    choices = {c.name: (c.label["en"], c.missing) for c in result.questionnaire.choice_list("sex")}
    assert choices == {"F": ("Female", False), "M": ("Male", False), "X": ("No answer", True)}
    assert "declared missing in the file: X (No answer)" in result.to_yaml()
    outcome = read_import(tmp_path / "s.zsav", result.questionnaire)
    assert outcome.ok and outcome.data["sex"].tolist() == ["M", "F", "M", "X"]
