"""Control characters in text answers (issue 13): each ASCII control character (0x00-0x1F, 0x7F) in a text
answer exports to every format without error, and what is read back is what was stored, or it is marked
(a visible sign) and the export warns about it, naming the column. NUL is refused at input (PostgreSQL cannot
store it in text; SK412); text that already holds one (a frame from a notebook) is marked in .sav, .dta and
.xlsx and kept in CSV and Parquet."""

from __future__ import annotations

import json

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook

from surveykit.errors import ErrorCode, Severity, ValidationError
from surveykit.exchange import export_frames, export_interviews
from surveykit.questionnaire.io import questionnaire_from_data
from surveykit.store import Store

CODES = [*range(0x01, 0x20), 0x7F]  # NUL is refused at input, see below
FORM = {
    "schema_version": 1,
    "id": "ctl",
    "version": "1",
    "title": {"en": "Control characters"},
    "languages": ["en"],
    "default_language": "en",
    "items": [{"code": "n", "type": "integer"}, {"code": "comment", "type": "text"}],
}


def text_of(code: int) -> str:
    return f"before{chr(code)}after"


def marked(text: str) -> str:
    """What XLSX, .sav and .dta write instead of a character they cannot hold (see surveykit.spreadsheet)."""
    out = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(chr(0x2400 + ord(c)) if ord(c) < 0x20 and c not in "\t\n" else c for c in out)


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('ctl') / 'surveykit.sqlite'}"
    Store.upgrade(url)
    with Store.open(url, enforce_certification=False) as store:
        store.publish(questionnaire_from_data(FORM).unwrap())
        store.add_institution("i1", "Institution 1")
        store.add_person("p1", "Interviewer", ["interviewer"])
        for number, code in enumerate(CODES):
            meta = store.start_interview("ctl", institution_id="i1", interviewer_id="p1", mode="face_to_face")
            store.submit(meta.id, {"n": number, "comment": text_of(code)})
    return url


def _stored(url: str) -> dict[int, str]:
    with Store.open(url) as store:
        frame = store.interviews_frame("ctl")
    stored = dict(zip(frame["n"].astype(int), frame["comment"], strict=True))
    assert stored == {number: text_of(code) for number, code in enumerate(CODES)}  # the store keeps them
    return stored


def _read(fmt: str, path) -> dict[int, str]:
    if fmt == "sav":
        frame, _ = pyreadstat.read_sav(str(path))
    elif fmt == "dta":
        frame, _ = pyreadstat.read_dta(str(path))
    elif fmt == "parquet":
        frame = pd.read_parquet(path)
    elif fmt in ("csv", "csv-excel"):
        raw = path.read_bytes().decode("utf-8-sig")
        sep = ";" if fmt == "csv-excel" and raw.splitlines()[0].count(";") else ","
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8-sig")
    else:
        sheet = load_workbook(path).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        frame = pd.DataFrame(rows[1:], columns=rows[0])
    return {int(float(n)): str(t) for n, t in zip(frame["n"], frame["comment"], strict=True)}


@pytest.mark.parametrize("fmt", ["sav", "dta", "csv", "csv-excel", "xlsx", "parquet"])
def test_every_control_character_exports_kept_or_marked_and_warned(store_url, tmp_path, fmt):
    stored = _stored(store_url)
    path = tmp_path / f"out.{fmt.split('-')[0]}"
    with Store.open(store_url) as store:
        result = export_interviews(
            store, "ctl", path, format=fmt.split("-")[0], excel=fmt == "csv-excel", pseudonymise=False
        )
    back = _read(fmt, path)
    warned = [p for p in result.report.warnings if p.location.field == "comment"]
    changed = {n for n in stored if back[n] != stored[n]}
    for n in changed:
        assert back[n] == marked(stored[n]), (fmt, repr(stored[n]), repr(back[n]))
    if changed:
        assert warned and all(p.code is ErrorCode.EXPORT_VALUE_INVALID for p in warned), fmt
        assert all(p.severity is Severity.WARNING for p in warned)
    expected_changes = {"xlsx": {n for n, c in enumerate(CODES) if c not in (0x09, 0x0A, 0x7F)}}
    assert changed == expected_changes.get(fmt, set()), fmt


def test_the_responses_export_keeps_every_control_character(store_url, tmp_path):
    stored = _stored(store_url)
    with Store.open(store_url) as store:
        store.export_responses("ctl", tmp_path / "r.json")
        store.export_responses("ctl", tmp_path / "r.csv")
    records = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert {r["n"]: r["comment"] for r in records} == stored
    frame = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False)
    assert dict(zip(frame["n"].astype(int), frame["comment"], strict=True)) == stored


def test_nul_is_refused_at_input_with_its_position(store_url):
    with Store.open(store_url, enforce_certification=False) as store:
        meta = store.start_interview("ctl", institution_id="i1", interviewer_id="p1", mode="face_to_face")
        with pytest.raises(ValidationError) as info:
            store.submit(meta.id, {"n": 1, "comment": "ab\0cd"})
    problem = info.value.report.errors[0]
    assert problem.code is ErrorCode.ANSWER_TEXT_INVALID and problem.location.field == "comment"
    assert "U+0000" in problem.message and "character 3" in problem.message


@pytest.mark.parametrize("fmt", ["sav", "dta", "xlsx", "csv", "parquet"])
def test_a_nul_already_in_a_frame_is_marked_where_the_format_cuts_it(tmp_path, fmt):
    questionnaire = questionnaire_from_data(FORM).unwrap()
    frame = pd.DataFrame({"n": [1, 2], "comment": pd.Series(["ab\0cd", "plain"], dtype=object)})
    path = tmp_path / f"nul.{fmt}"
    result = export_frames(questionnaire, frame, path, format=fmt, pseudonymise=False)
    back = _read(fmt, path)
    if fmt in ("sav", "dta", "xlsx"):
        assert back[1] == "ab\u2400cd" and back[2] == "plain"
        assert [p.location.field for p in result.report.warnings] == ["comment"]
        assert "NUL" in result.report.warnings[0].message or "U+0000" in result.report.warnings[0].message
    else:
        assert back[1] == "ab\0cd" and not result.report.warnings
