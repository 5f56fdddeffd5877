"""Round trips: export to .sav and .dta, read back with pyreadstat, and compare variable labels, value labels,
user-missing values and the data with the questionnaire and the canonical frames, in every language."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from surveykit.exchange import export_frames
from surveykit.exchange.metadata import LIMITS, Role, Storage, choice_label, fit_label, variable_label

CASES = [
    ("example_all_types", "ru"),
    ("example_all_types", "en"),
    ("recipient_survey", "ru"),
    ("recipient_survey", "en"),
    ("recipient_survey", "uk"),
    ("recipient_survey", "bg"),
    ("recipient_survey", "pl"),
    ("staff_survey", "en"),
]
READ = {"sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}


def _empty(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return value == "" or (isinstance(value, float) and np.isnan(value))


def _decode(var, value, letters):
    """A value read back -> what the canonical frame holds (choice name, number, date, text)."""
    if var.is_choice:
        if isinstance(value, str):  # a Stata extended missing value
            value = {letter: code for code, letter in letters.items()}[value]
        if _empty(value):
            return None
        return {code: name for name, code in var.codes.items()}[int(value)]
    if var.storage is Storage.STRING:
        return None if _empty(value) else value
    if var.storage is Storage.DATE:
        return None if _empty(value) else pd.Timestamp(value).date()
    if var.storage is Storage.TIME:
        return None if _empty(value) else value.isoformat()
    return None if _empty(value) else float(value)


def _expected(var, value):
    if _empty(value):
        return None
    if var.storage is Storage.DATE:
        return pd.Timestamp(value).date()
    if var.storage is Storage.TIME:
        return value.isoformat()
    if var.storage is Storage.NUMERIC and not var.is_choice:
        return float(value)
    return str(value)


def _read(fmt, path):
    frame, meta = READ[fmt](str(path), user_missing=True)
    return frame, meta


@pytest.mark.parametrize("fmt", ["sav", "dta"])
@pytest.mark.parametrize(("name", "language"), CASES)
def test_labels_missing_values_and_data_survive(frames, tmp_path, fmt, name, language):
    form, frame, repeats = frames(name)
    result = export_frames(
        form, frame, tmp_path / f"out.{fmt}", repeats=repeats, language=language, pseudonymise=False
    )
    meta_obj = result.metadata
    files = {p.name: p for p in result.files}
    for repeat, table in meta_obj.tables.items():
        path = files[f"out.{fmt}" if repeat is None else f"out_{repeat}.{fmt}"]
        data, meta = _read(fmt, path)
        view = meta_obj.view(fmt, repeat)
        assert meta.column_names == table.names
        # variable labels: the questionnaire's text in the language, as the view holds it (cut only past the limit)
        assert meta.column_names_to_labels == {n: view.column_labels.get(n) for n in table.names}
        unit, size = LIMITS[fmt]["variable"]
        for var in table.variables:
            if var.role is Role.ANSWER:
                full = variable_label(form, form.variables[var.source], language)
                assert var.label == full
                assert meta.column_names_to_labels[var.name] == fit_label(full, size, unit)
        # value labels and user-missing values
        read_labels = {
            k: {(int(c) if isinstance(c, float) else c): text for c, text in labels.items()}
            for k, labels in meta.variable_value_labels.items()
        }
        assert read_labels == view.value_labels
        if fmt == "sav":
            expected_missing = {
                k: [{"lo": float(c), "hi": float(c)} for c in v] for k, v in view.missing.items()
            }
            assert meta.missing_ranges == expected_missing
        else:
            assert meta.missing_user_values == view.missing
        for var in table.variables:
            if var.is_choice:
                variable = form.variables[var.source]
                for choice in variable.choices:
                    code = variable.choice_values[choice.name]
                    assert var.value_labels[code] == choice_label(form, choice, language)
                    assert (code in var.missing) == choice.missing
        # the data
        source = frame if repeat is None else repeats[repeat]
        letters_of = view.stata_letters
        for var in table.variables:
            values = data[var.name].tolist()
            if var.role is Role.KEY:
                continue
            if var.role is Role.DUMMY:
                answers = source[var.source].tolist()
                expected = [None if _empty(a) else float(var.choice in str(a).split()) for a in answers]
                assert [None if _empty(v) else float(v) for v in values] == expected, var.name
            elif var.storage is Storage.DATETIME or var.role is Role.META:
                continue
            else:
                got = [_decode(var, v, letters_of.get(var.name, {})) for v in values]
                want = [_expected(var, v) for v in source[var.source].tolist()]
                assert got == want, var.name
        if repeat is not None:
            ids = frame["interview_id"].to_numpy()[source["_parent"].to_numpy()]
            assert data["interview_id"].tolist() == ids.tolist()
            assert [int(v) for v in data[f"{repeat}_index"]] == source["_index"].tolist()


def test_every_question_type_of_the_tour_is_written_as_sociologists_expect(frames, tmp_path):
    """example_all_types in English, read back from SPSS: each type checked by hand."""
    form, frame, repeats = frames("example_all_types")
    result = export_frames(
        form, frame, tmp_path / "tour.sav", repeats=repeats, language="en", pseudonymise=False
    )
    data, meta = pyreadstat.read_sav(str(tmp_path / "tour.sav"), user_missing=True)
    labels = meta.column_names_to_labels
    values = meta.variable_value_labels
    # likert with don't know / refused as user-missing
    assert labels["satisfaction"] == "I am satisfied with the quality of the service"
    assert values["satisfaction"][98.0] == "Don't know" and values["satisfaction"][99.0] == "Refused"
    assert meta.missing_ranges["satisfaction"] == [{"lo": 98.0, "hi": 98.0}, {"lo": 99.0, "hi": 99.0}]
    assert meta.variable_measure["satisfaction"] == "ordinal"
    assert data["satisfaction"].tolist()[5:7] == [98.0, 99.0]  # dk, refused kept as codes
    # matrix rows: their own labelled variables
    assert labels["grid_late"] == "How often does the social worker... — arrive late"
    assert values["grid_late"] == {0.0: "Never", 1.0: "Sometimes", 2.0: "Often"}
    # multiple choice: 0/1 dummies, labelled, and the SPSS multiple-response set in the .sps file
    assert labels["services_meals"] == "Which services do you receive?: Delivery of groceries and meals"
    assert values["services_meals"] == {0.0: "not selected", 1.0: "selected"}
    assert data.loc[0, ["services_meals", "services_cleaning", "services_medical"]].tolist() == [
        1.0,
        1.0,
        0.0,
    ]
    syntax = (tmp_path / "tour.sps").read_text(encoding="utf-8")
    assert "/MDGROUP NAME=$services" in syntax and "services_meals services_cleaning" in syntax
    # dates as dates, numbers as numbers, long text in full (SPSS long string)
    assert meta.original_variable_types["interview_date"] == "DATE11"
    assert data.loc[0, "interview_date"] == dt.date(2026, 1, 1)
    assert data.loc[0, "height_m"] == pytest.approx(1.72)
    assert len(data.loc[0, "suggestions"].encode("utf-8")) > 255
    assert data.loc[0, "suggestions"] == frame.loc[0, "suggestions"]
    # a time of day, a date-time (wall-clock time, as recorded) and a geopoint (ODK's text)
    assert meta.original_variable_types["visit_start"] == "TIME8"
    assert data["visit_start"].tolist()[:2] == [dt.time(9, 30), dt.time(14, 5, 30)]
    assert meta.original_variable_types["next_visit"] == "DATETIME20"
    assert data.loc[0, "next_visit"] == dt.datetime(2099, 3, 1, 10, 15)
    assert pd.isna(data.loc[1, "next_visit"])
    assert data["location"].tolist()[:3] == ["55.7558 37.6173", "", "-33.8688 151.2093 58 5"]
    dta = tmp_path / "tour.dta"
    export_frames(form, frame, dta, repeats=repeats, language="en", pseudonymise=False)
    stata, stata_meta = pyreadstat.read_dta(str(dta))
    assert stata_meta.original_variable_types["visit_start"] == "%tcHH:MM:SS"
    assert stata_meta.original_variable_types["next_visit"] == "%tc"
    assert stata["visit_start"].tolist()[1] == dt.time(14, 5, 30)
    assert stata.loc[0, "next_visit"] == dt.datetime(2099, 3, 1, 10, 15)
    csv = tmp_path / "tour.csv"
    export_frames(form, frame, csv, repeats=repeats, language="en", pseudonymise=False)
    text = pd.read_csv(csv, dtype=str, keep_default_na=False)
    assert text["visit_start"].tolist()[:3] == ["09:30:00", "14:05:30", ""]
    assert text["next_visit"].tolist()[:2] == ["2099-03-01 10:15:00", ""]
    # calculations: numbers and texts with a label that shows the formula
    assert data["n_services"].tolist()[:3] == [2.0, 1.0, 3.0]
    assert labels["main_service"].startswith("calculated: selected-at(")
    # the repeat group: a separate file keyed by interview_id and relatives_index
    rel, rel_meta = pyreadstat.read_sav(str(tmp_path / "tour_relatives.sav"))
    assert rel.columns[:2].tolist() == ["interview_id", "relatives_index"]
    assert rel_meta.column_names_to_labels["rel_relation"] == "How is this person related to you?"
    assert len(rel) == len(repeats["relatives"])
    assert result.rows == {"interviews": 21, "relatives": len(rel)}


def test_stata_keeps_missing_codes_as_extended_missing_values(frames, tmp_path):
    form, frame, repeats = frames("example_all_types")
    export_frames(form, frame, tmp_path / "tour.dta", repeats=repeats, language="ru", pseudonymise=False)
    data, meta = pyreadstat.read_dta(str(tmp_path / "tour.dta"), user_missing=True)
    assert meta.missing_user_values["satisfaction"] == ["a", "b"]
    assert meta.variable_value_labels["satisfaction"]["a"] == "Затрудняюсь ответить"
    assert data["satisfaction"].tolist()[5:7] == ["a", "b"]
    plain, _ = pyreadstat.read_dta(str(tmp_path / "tour.dta"))  # without user_missing: plain Stata missing
    assert np.isnan(plain["satisfaction"][5])
    assert meta.original_variable_types["interview_date"] == "%td"
    # labels longer than Stata's 80 characters are cut with an ellipsis, in full in the codebook
    assert all(len(label or "") <= 80 for label in meta.column_names_to_labels.values())


def test_names_are_valid_and_derived_names_are_shortened_uniquely(tmp_path):
    from surveykit.exchange.metadata import build_metadata
    from surveykit.questionnaire.compiled import compile_form
    from surveykit.questionnaire.io import questionnaire_from_data
    from surveykit.questionnaire.names import is_valid_name

    long = "which_services_did_you_receive_x"  # 32 characters: the longest valid code
    q = questionnaire_from_data(
        {
            "schema_version": 1,
            "id": "names",
            "version": "1",
            "title": {"en": "Names"},
            "languages": ["en"],
            "default_language": "en",
            "choice_lists": {
                "s": [
                    {"name": "meals_and_groceries_delivered_home_a"},
                    {"name": "meals_and_groceries_delivered_home_b"},
                    {"name": "x"},
                ]
            },
            "items": [
                {"code": long, "type": "select_multiple", "choices": "s", "label": "Services"},
                {"code": "a_x", "type": "select_multiple", "choices": "s", "label": "Other"},
                {"code": "a_x_x", "type": "integer", "label": "Clash"},
            ],
        }
    ).unwrap()
    # (question codes cannot take the meta columns' names: the questionnaire checks refuse them)
    metadata = build_metadata(compile_form(q), meta_columns=("interview_id", "period"))
    table = metadata.table()
    names = table.names
    assert all(is_valid_name(n) for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert "period" in names
    assert table.renamed["a_x_x"] != "a_x_x"  # the dummy 'a_x' + 'x' would clash with the question a_x_x
    assert set(metadata.renamed) >= {f"{long}_meals_and_groceries_delivered_home_a", "a_x_x"}
    written = export_frames(
        q,
        pd.DataFrame({long: ["x", None], "a_x": ["x", "x"], "a_x_x": [1, 2]}),
        tmp_path / "n.sav",
        pseudonymise=False,
    )
    _, meta = pyreadstat.read_sav(str(written.files[0]))
    assert meta.column_names == written.metadata.table().names
    assert all(is_valid_name(n) for n in meta.column_names)


def test_texts_beyond_stata_str_limit_become_strl_with_empty_for_no_answer(frames, tmp_path):
    form, frame, repeats = frames("example_all_types")
    data = frame.copy()
    long = "Ж" * 1500  # 3000 bytes: beyond str2045
    data["suggestions"] = [long if i % 2 else None for i in range(len(data))]
    export_frames(form, data, tmp_path / "long.dta", repeats=repeats, pseudonymise=False)
    back, _ = pyreadstat.read_dta(str(tmp_path / "long.dta"))
    assert back["suggestions"].tolist() == [long if i % 2 else "" for i in range(len(data))]
