"""Exports besides the SPSS/Stata round trips: CSV for Excel, Excel workbooks, Parquet, pseudonyms, weights,
filters, and inputs refused before anything is written."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from surveykit.errors import ErrorCode, ExportError, Report
from surveykit.exchange import export_frames, export_interviews, pseudonymise


def test_csv_plain_and_for_excel(frames, tmp_path):
    form, frame, repeats = frames("example_all_types")
    plain = export_frames(
        form, frame, tmp_path / "plain.csv", repeats=repeats, language="en", pseudonymise=False
    )
    text = plain.files[0].read_bytes()
    assert not text.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(plain.files[0])
    assert table["satisfaction"].tolist()[:7] == [
        "Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree", "Don't know", "Refused",
    ]  # fmt: skip
    assert table["height_m"].iloc[0] == pytest.approx(1.72)
    assert table["interview_date"].iloc[0] == "2026-01-01"
    excel = export_frames(form, frame, tmp_path / "excel.csv", language="ru", excel=True, pseudonymise=False)
    raw = excel.files[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads UTF-8
    first = raw.decode("utf-8-sig").splitlines()
    assert first[0].startswith("interview_id;")  # Russian Excel: ';' and a decimal comma
    assert "1,72" in first[1]
    assert "'+7 912 345-67-89" in excel.files[0].read_text(encoding="utf-8-sig")  # never read as a formula
    codes = export_frames(form, frame, tmp_path / "codes.csv", values="codes", pseudonymise=False)
    assert pd.read_csv(codes.files[0])["satisfaction"].tolist()[:7] == [1, 2, 3, 4, 5, 98, 99]


def test_excel_workbook_has_data_repeat_and_codebook_sheets(frames, tmp_path):
    form, frame, repeats = frames("example_all_types")
    data = frame.copy()
    data.loc[0, "phone"] = '=HYPERLINK("http://x")'
    result = export_frames(
        form, data, tmp_path / "out.xlsx", repeats=repeats, language="ru", pseudonymise=False
    )
    workbook = openpyxl.load_workbook(result.files[0])
    assert workbook.sheetnames == ["interviews", "relatives", "codebook", "values", "mr_sets", "renamed"]
    sheet = workbook["interviews"]
    header = [c.value for c in sheet[1]]
    phone = sheet.cell(row=2, column=header.index("phone") + 1)
    assert phone.data_type == "s" and phone.value.startswith("=HYPERLINK")  # text, not a formula
    region = sheet.cell(row=2, column=header.index("region") + 1).value
    assert region == "Северный округ"
    assert workbook["relatives"].max_row == len(repeats["relatives"]) + 1


def test_parquet_keeps_typed_data_and_the_metadata(frames, tmp_path):
    form, frame, repeats = frames("example_all_types")
    result = export_frames(
        form, frame, tmp_path / "out.parquet", repeats=repeats, language="en", pseudonymise=False
    )
    table = pq.read_table(result.files[0])
    metadata = json.loads(table.schema.metadata[b"surveykit"])
    satisfaction = next(v for v in metadata["variables"] if v["name"] == "satisfaction")
    assert satisfaction["missing"] == [98, 99] and satisfaction["value_labels"]["98"] == "Don't know"
    assert (
        table.schema.field("satisfaction").metadata[b"label"].decode()
        == "I am satisfied with the quality of the service"
    )
    data = table.to_pandas()
    assert isinstance(data["satisfaction"].dtype, pd.CategoricalDtype)
    assert str(data["interview_date"].dtype).startswith("datetime64")
    assert metadata["multiple_response_sets"][0]["variables"][0] == "services_meals"


def test_interviewer_ids_are_pseudonymised_by_default_and_stably_per_project(store, tmp_path):
    first = export_interviews(store, "recipient_survey", tmp_path / "a.csv")
    second = export_interviews(store, "recipient_survey", tmp_path / "b.csv")
    once = export_interviews(store, "recipient_survey", tmp_path / "c.csv", pseudonym_scope="export")
    assert once.pseudonymised
    plain = export_interviews(store, "recipient_survey", tmp_path / "d.csv", pseudonymise=False)
    ids = {name: pd.read_csv(tmp_path / f"{name}.csv")["interviewer_id"] for name in "abcd"}
    assert set(ids["d"]) == {"anna", "boris"}
    assert first.pseudonymised and not plain.pseudonymised
    assert all(v.startswith("iv_") for v in ids["a"]) and ids["a"].nunique() == 2
    assert ids["a"].tolist() == ids["b"].tolist()  # the project key: the same pseudonyms every time
    assert set(ids["c"]).isdisjoint(ids["a"])  # a key for this export only
    assert (tmp_path / "data" / "keys" / "export_pseudonyms.key").exists()
    assert second.rows["interviews"] == 30


def test_the_same_id_gets_the_same_pseudonym_with_the_same_key():
    values = pd.Series(["anna", "boris", None, "anna", ""])
    out = pseudonymise(values, b"k" * 32)
    assert out[0] == out[3] and out[0] != out[1] and out[2] is None and out[4] is None
    assert pseudonymise(values, b"x" * 32)[0] != out[0]


def test_filters_select_interviews(store, tmp_path):
    result = export_interviews(
        store, "recipient_survey", tmp_path / "f.sav", institution_ids=["csp1"], period="2026Q1"
    )
    assert result.rows["interviews"] == 10
    none = export_interviews(store, "recipient_survey", tmp_path / "g.sav", status=["approved"])
    assert none.rows["interviews"] == 0


def test_a_weight_becomes_the_spss_weight_in_the_syntax_file(frames, tmp_path):
    import pyreadstat

    form, frame, _ = frames("recipient_survey")
    data = frame.assign(weight=[1.0 + (i % 3) / 2 for i in range(len(frame))])
    result = export_frames(form, data, tmp_path / "w.sav", pseudonymise=False)
    assert result.metadata.table().weight == "weight"
    assert "WEIGHT BY weight." in (tmp_path / "w.sps").read_text(encoding="utf-8")
    _, meta = pyreadstat.read_sav(str(tmp_path / "w.sav"))
    assert meta.variable_measure["weight"] == "scale"


def test_inputs_are_checked_before_anything_is_written(frames, tmp_path):
    form, frame, repeats = frames("example_all_types")
    bad = frame.copy()
    bad["region"] = bad["region"].astype(object)
    bad.loc[3, "region"] = "east"
    bad["age"] = bad["age"].astype(object)
    bad.loc[4, "age"] = "old"
    with pytest.raises(ExportError) as caught:
        export_frames(form, bad, tmp_path / "bad.sav", repeats=repeats, pseudonymise=False)
    problems = caught.value.report.errors
    assert [(p.location.field, p.code) for p in problems] == [
        ("age", ErrorCode.EXPORT_VALUE_INVALID),
        ("region", ErrorCode.EXPORT_VALUE_INVALID),
    ]
    assert "rows 4" in problems[1].message and "'east'" in problems[1].message
    assert list(tmp_path.iterdir()) == [tmp_path / "data"] or not list(tmp_path.glob("bad*"))
    with pytest.raises(ExportError) as unknown:
        export_frames(form, frame, tmp_path / "x.por")
    assert unknown.value.code is ErrorCode.EXPORT_FORMAT_UNSUPPORTED


def test_a_failed_write_removes_what_it_wrote(frames, tmp_path, monkeypatch):
    from surveykit.exchange import writers

    form, frame, repeats = frames("example_all_types")

    def broken(*args, **kwargs):
        raise ExportError(ErrorCode.EXPORT_WRITE_FAILED, path="x", detail="disk full")

    monkeypatch.setattr(
        writers, "write_sav", lambda frame, path, view: (path.write_bytes(b"partial"), Report())[1]
    )
    monkeypatch.setattr(writers, "spss_syntax", broken)
    with pytest.raises(ExportError):
        export_frames(form, frame, tmp_path / "out.sav", repeats=repeats, pseudonymise=False)
    assert not list(tmp_path.glob("out*"))


def test_a_frame_with_two_columns_of_one_name_is_refused(frames, tmp_path):
    form, frame, _ = frames("recipient_survey")
    doubled = pd.concat([frame, frame[["period"]]], axis=1)
    with pytest.raises(ExportError) as caught:
        export_frames(form, doubled, tmp_path / "d.sav")
    assert caught.value.code is ErrorCode.EXPORT_NAME_CLASH and caught.value.location.field == "period"
