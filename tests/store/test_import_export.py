"""Bulk import (all or nothing, every problem reported by row and column) and export, CSV and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import json
import uuid

import pandas as pd
import pytest

from surveykit.errors import DataImportError, ErrorCode, ExportError, StoreError
from surveykit.store import Store

from .helpers import checksum, example_answers, populate, table_counts

HEADER = [
    "interview_id", "institution_id", "interviewer_id", "mode", "started_at", "consent", "interview_date", "age",
    "region", "municipality", "services", "satisfaction", "n_relatives", "relatives[1]/rel_relation",
    "relatives[1]/rel_age", "relatives[2]/rel_relation",
]  # fmt: skip


#: when the paper interviews were made: yesterday, 10:00 Moscow time (the interviewer was certified then)
STARTED = (
    (dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    .astimezone(dt.timezone(dt.timedelta(hours=3)))
    .replace(hour=10, minute=0, second=0, microsecond=0)
)


def _row(**values) -> dict[str, str]:
    base = {
        "interview_id": str(uuid.uuid4()),
        "institution_id": "csp1",
        "interviewer_id": "anna",
        "mode": "face_to_face",
        "started_at": STARTED.isoformat(),
        "consent": "yes",
        "interview_date": "2026-03-01",
        "age": "70",
        "region": "north",
        "municipality": "n_city",
        "services": "meals cleaning",
        "satisfaction": "4",
        "n_relatives": "1",
        "relatives[1]/rel_relation": "child",
        "relatives[1]/rel_age": "40",
        "relatives[2]/rel_relation": "",
    }
    base.update(values)
    return base


def _write_csv(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _problems(error: DataImportError) -> set[tuple[int | None, str | None, str]]:
    return {(p.location.row, p.location.field, p.code.code) for p in error.report.errors}


def test_a_file_with_problems_is_refused_whole_with_every_problem_by_row_and_column(world, tmp_path):
    store = world.store
    duplicate = str(uuid.uuid4())
    rows = [
        _row(),  # row 2: fine
        _row(age="abc", region="west"),  # row 3: wrong type, not in the list
        _row(institution_id="csp9", mode="fax"),  # row 4: unknown institution, unknown mode
        _row(interview_id=duplicate),  # row 5 and row 6: the same interview twice
        _row(interview_id=duplicate, started_at="yesterday"),  # row 6: also an unreadable time
        _row(interviewer_id="boris"),  # row 7: no certificate
        _row(**{"relatives[1]/rel_age": "90", "satisfaction": ""}),  # row 8: constraint, required
        _row(services="meals teleport", interview_id="not-a-uuid"),  # row 9
        _row(**{"relatives[2]/rel_relation": "cousin"}),  # row 10: not in the list, in the second instance
    ]
    path = _write_csv(tmp_path / "paper_forms.csv", rows)
    counts, before = table_counts(store), checksum(store)
    with pytest.raises(DataImportError) as info:
        store.import_responses(path, "example_all_types")
    problems = _problems(info.value)
    expected = {
        (3, "age", "SK404"),
        (3, "region", "SK403"),
        (4, "institution_id", "SK704"),
        (4, "mode", "SK704"),
        (5, "interview_id", "SK703"),
        (6, "started_at", "SK704"),
        (7, "interviewer_id", "SK507"),
        (8, "relatives[1]/rel_age", "SK402"),
        (8, "satisfaction", "SK401"),
        (9, "services", "SK403"),
        (9, "interview_id", "SK704"),
        (10, "relatives[2]/rel_relation", "SK403"),
    }
    assert expected <= problems, expected - problems
    assert not any(row == 2 for row, _, _ in problems)
    assert all(p.location.file == str(path) for p in info.value.report.errors)
    assert "nothing imported" in str(info.value)
    assert table_counts(store) == counts
    assert checksum(store) == before


def test_unknown_and_missing_columns_are_reported_and_stop_the_import(world, tmp_path):
    store = world.store
    header = [c for c in HEADER if c != "institution_id"] + ["agee"]
    path = _write_csv(
        tmp_path / "bad_columns.csv",
        [{k: v for k, v in _row().items() if k in header} | {"agee": "1"}],
        header,
    )
    before = checksum(store)
    with pytest.raises(DataImportError) as info:
        store.import_responses(path, "example_all_types", skip_invalid=True)
    problems = {(p.location.field, p.code.code): p.message for p in info.value.report.errors}
    assert set(problems) == {("agee", "SK701"), ("institution_id", "SK702")}
    assert "did you mean 'age'" in problems["agee", "SK701"]
    assert checksum(store) == before


def test_skip_invalid_imports_the_valid_rows_and_lists_the_rejected(world, tmp_path):
    store = world.store
    good = [_row(), _row(mode="telephone")]
    path = _write_csv(
        tmp_path / "mixed.csv", [good[0], _row(age="200"), good[1], _row(interviewer_id="nobody")]
    )
    result = store.import_responses(path, "example_all_types", skip_invalid=True, by="sofia")
    assert (result.imported, result.duplicates, result.rejected_rows) == (2, 0, [3, 5])
    assert {(p.location.row, p.location.field) for p in result.report.errors} == {
        (3, "age"),
        (5, "interviewer_id"),
    }
    frame = store.interviews_frame("example_all_types")
    assert sorted(frame["interview_id"]) == sorted(r["interview_id"] for r in good)
    assert sorted(frame["mode"]) == ["face_to_face", "telephone"]
    assert frame["started_at"].tolist()[0] == pd.Timestamp(STARTED).tz_convert("UTC")
    audit = store.audit_frame(action="import")
    assert len(audit) == 3 and audit["actor"].eq("sofia").all()
    assert audit["details"].iloc[-1]["rejected_rows"] == [3, 5]


def test_importing_the_same_file_twice_imports_it_once(world, tmp_path):
    store = world.store
    path = _write_csv(tmp_path / "twice.csv", [_row(), _row()])
    assert store.import_responses(path, "example_all_types").imported == 2
    counts = table_counts(store)
    again = store.import_responses(path, "example_all_types")
    assert (again.imported, again.duplicates) == (0, 2)
    assert table_counts(store)["interviews"] == counts["interviews"]
    changed = tmp_path / "changed.csv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[1]["age"] = "71"
    _write_csv(changed, rows)
    with pytest.raises(DataImportError) as info:
        store.import_responses(changed, "example_all_types")
    assert (3, "interview_id", "SK704") in _problems(info.value)


def test_an_imported_interview_resent_by_the_app_is_a_duplicate(world, tmp_path):
    store = world.store
    row = _row()
    store.import_responses(_write_csv(tmp_path / "one.csv", [row]), "example_all_types")
    answers = store.load_interview(row["interview_id"]).answers
    assert store.submit(row["interview_id"], answers).outcome == "duplicate"


def _fill(world, n: int = 6):
    store = world.store
    for k in range(n):
        meta = world.start(mode="telephone" if k % 2 else "face_to_face", period="2026-Q1", proxy=k == 3)
        relatives = [{"rel_relation": "child", "rel_age": 30 + k}] * (k % 3) + (
            [{"rel_relation": "other"}] if k == 4 else []
        )
        answers = example_answers(
            age=60 + k,
            relatives=relatives,
            n_relatives=len(relatives),
            phone=None if k % 2 else "+7 900 000-00-0" + str(k),
            height_m=1.5 + k / 100,
        )
        store.submit(meta.id, answers)
    store.set_status(meta.id, "approved", by="sofia", note="")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_round_trip(world, tmp_path, fmt, example, small):
    _fill(world)
    exported = tmp_path / f"export.{fmt}"
    assert world.store.export_responses("example_all_types", exported) == 6
    with _fresh(tmp_path / "other.sqlite") as other:
        populate(other, example, small)
        result = other.import_responses(exported, "example_all_types")
        assert (result.imported, result.rejected_rows) == (6, [])
        original = world.store.interviews_frame("example_all_types")
        copied = other.interviews_frame("example_all_types")
        pd.testing.assert_frame_equal(original, copied)
        pd.testing.assert_frame_equal(
            world.store.repeat_frame("example_all_types", "relatives"),
            other.repeat_frame("example_all_types", "relatives"),
        )
        again = tmp_path / f"again.{fmt}"
        other.export_responses("example_all_types", again)
        assert again.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")


def _fresh(path):
    Store.upgrade(f"sqlite:///{path}")
    return Store.open(f"sqlite:///{path}")


def test_export_formats(world, tmp_path):
    _fill(world, 2)
    store = world.store
    store.export_responses("example_all_types", tmp_path / "out.csv")
    table = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert table.columns[:3].tolist() == ["interview_id", "questionnaire_id", "questionnaire_version"]
    assert table["services"].tolist() == ["meals cleaning", "meals cleaning"]
    assert table["interview_date"].tolist() == ["2026-03-01", "2026-03-01"]
    assert table["relatives[1]/rel_age"].tolist() == ["", "31"]
    store.export_responses("example_all_types", tmp_path / "out.json")
    records = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert records[1]["relatives"] == [{"rel_relation": "child", "rel_age": 31}]
    assert records[0]["services"] == ["cleaning", "meals"] and records[0]["age"] == 60
    with pytest.raises(ExportError) as info:
        store.export_responses("example_all_types", tmp_path / "out.sav")
    assert info.value.code is ErrorCode.EXPORT_FORMAT_UNSUPPORTED


def test_json_import_with_repeats_and_lists(world, tmp_path):
    record = {
        "interview_id": str(uuid.uuid4()),
        "institution_id": "csp2",
        "interviewer_id": "anna",
        "mode": "telephone",
        **{
            k: v
            for k, v in example_answers().items()
            if k not in ("interview_date", "services", "next_visit")
        },
        "interview_date": "2026-03-01",
        "next_visit": "2099-03-08 10:00",  # a date and time as JSON text
        "services": ["meals", "cleaning"],
    }
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"interviews": [record]}, ensure_ascii=False), encoding="utf-8")
    assert world.store.import_responses(path, "example_all_types").imported == 1
    loaded = world.store.load_interview(record["interview_id"]).answers
    assert loaded["relatives"] == example_answers()["relatives"]
    assert loaded["services"] == frozenset({"meals", "cleaning"})
    assert (loaded["next_visit"], loaded["visit_start"]) == ("2099-03-08T10:00:00", "09:30:00")
    bad = dict(record, interview_id=str(uuid.uuid4()), relatives=[{"rel_relation": "uncle"}])
    path.write_text(json.dumps([bad]), encoding="utf-8")
    with pytest.raises(DataImportError) as info:
        world.store.import_responses(path, "example_all_types")
    assert (1, "relatives[1]/rel_relation", "SK403") in _problems(info.value)


def test_a_file_that_is_not_utf8_csv_is_refused_with_its_name(world, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("interview_id,age\n,\xe9t\xe9\n".encode("latin-1"))
    before = checksum(world.store)
    with pytest.raises(DataImportError) as err:
        world.store.import_responses(path, "small")
    assert err.value.code is ErrorCode.ENCODING_UNKNOWN and err.value.location.file == str(path)
    assert err.value.location.line == 2  # the first byte that is not UTF-8
    assert "UTF-8" in err.value.hint and checksum(world.store) == before


def test_a_record_pointing_at_nobody_is_an_integrity_error_not_a_broken_database(world):
    with pytest.raises(StoreError) as err:
        world.store.training.record_mock_interview("nobody", {"1": 2}, 2.0, False)
    assert err.value.code is ErrorCode.INTEGRITY
