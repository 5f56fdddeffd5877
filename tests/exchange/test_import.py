"""Imports: a file with every kind of problem gives a complete report and leaves the database as it was;
clean files (CSV with codes or labels, SPSS files surveykit wrote) are imported all at once."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest

from surveykit.errors import DataImportError, ErrorCode, Severity
from surveykit.exchange import export_interviews, import_file, read_import

from .helpers import checksum, load, new_store

IDS = [str(uuid.UUID(int=1000 + k)) for k in range(8)]
HEADER = (
    "interview_id,institution_id,interviewer_id,mode,consent,interview_date,age,region,municipality,"
    "services,uses_meals,satisfaction,phone,colour"
)


def _csv(tmp_path, lines, name="legacy.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _row(i, header=HEADER, **changes):
    values = {
        "interview_id": IDS[i],
        "institution_id": "csp1",
        "interviewer_id": "anna",
        "mode": "face_to_face",
        "consent": "yes",
        "interview_date": "2026-02-01",
        "age": "70",
        "region": "north",
        "municipality": "n_city",
        "services": "meals",
        "uses_meals": "yes",
        "satisfaction": "4",
        "phone": "",
        "colour": "",
    }
    values.update(changes)
    return ",".join(values[c] for c in header.split(","))


def _problems(report):
    return sorted((p.code.code, p.location.row, p.location.field) for p in report.errors)


def test_a_file_with_every_kind_of_problem_is_reported_completely_and_nothing_is_written(store, tmp_path):
    path = _csv(
        tmp_path,
        [
            HEADER,
            _row(0),  # row 2: fine
            _row(1, region="east", municipality=""),  # row 3: not in the list
            _row(2, age="seventy"),  # row 4: wrong type
            _row(0, interview_date="2026-02-02"),  # row 5: the interview id of row 2 again
            _row(4, services="cleaning"),  # row 6: uses_meals answered although meals were not chosen
            _row(5, phone="12345"),  # row 7: the constraint (starts with +) fails
            _row(6, age="130"),  # row 8: outside 18..110
        ],
    )
    before = checksum(store)
    with pytest.raises(DataImportError) as caught:
        import_file(store, path, "example_all_types")
    report = caught.value.report
    assert _problems(report) == [
        ("SK401", 3, "region"),  # a value that is not a choice is no answer: the required answer is missing
        ("SK401", 4, "age"),  # the same for a value of the wrong type
        ("SK402", 7, "phone"),
        ("SK403", 3, "region"),
        ("SK404", 4, "age"),
        ("SK405", 6, "uses_meals"),
        ("SK407", 8, "age"),
        ("SK701", None, "colour"),
        ("SK703", 2, "interview_id"),
    ]
    duplicate = next(p for p in report.errors if p.code is ErrorCode.IMPORT_DUPLICATE_KEY)
    assert duplicate.params["rows"] == "2, 5"
    assert all(p.location.file == str(path) for p in report.errors)
    assert "nothing imported" in report.subject
    assert checksum(store) == before
    # the dry run reports the same and writes nothing either
    outcome = import_file(store, path, "example_all_types", dry_run=True)
    assert _problems(outcome.report) == _problems(report)
    assert checksum(store) == before
    # the report reads in Russian too
    message, hint = next(p for p in report.errors if p.code is ErrorCode.IMPORT_COLUMN_UNKNOWN).localized(
        "ru"
    )
    assert "colour" in message and "--map" in hint


def test_a_problem_only_the_store_sees_is_located_in_the_file_and_nothing_is_written(store, tmp_path):
    header = HEADER.removesuffix(",colour")
    path = _csv(tmp_path, [header, _row(0, header), _row(1, header, institution_id="csp9")])
    before = checksum(store)
    with pytest.raises(DataImportError) as caught:
        import_file(store, path, "example_all_types")
    errors = caught.value.report.errors
    assert [(p.code.code, p.location.row, p.location.field) for p in errors] == [
        ("SK704", 3, "institution_id")
    ]
    assert errors[0].location.file == str(path)
    assert checksum(store) == before


def test_codes_labels_and_renamed_columns_are_mapped_onto_choices(store, tmp_path):
    """Numeric codes (SPSS habit), labels in any language, and --map for a column with another name."""
    header = "id,institution_id,interviewer_id,mode,consent,interview_date,age,region,municipality,services,satisfaction"
    path = _csv(
        tmp_path,
        [
            header,
            f"{IDS[0]},csp1,anna,face_to_face,1,01.02.2026,70,1,1,meals cleaning,98",
            f"{IDS[1]},csp2,boris,telephone,Да,2026-02-02,81,Southern district,Южноград,2,Полностью согласен",
            f'{IDS[2]},csp3,anna,face_to_face,yes,2026-02-03,66,south,s_village,"medical;company",refused',
        ],
    )
    before_counts, _ = checksum(store)
    outcome = import_file(store, path, "example_all_types", column_map=["id=interview_id"])
    assert outcome.ok and outcome.imported == 3, str(outcome.report)
    frame = store.interviews_frame("example_all_types").set_index("interview_id").loc[IDS[:3]]
    assert frame["consent"].tolist() == ["yes", "yes", "yes"]
    assert frame["region"].tolist() == ["north", "south", "south"]
    assert frame["municipality"].tolist() == ["n_city", "s_city", "s_village"]
    assert frame["services"].tolist() == ["meals cleaning", "cleaning", "medical company"]
    assert frame["satisfaction"].tolist() == ["dk", "5", "refused"]
    assert str(frame["interview_date"].iloc[0].date()) == "2026-02-01"
    assert checksum(store)[0]["interviews"] == before_counts["interviews"] + 3


def test_an_spss_export_imports_into_another_database_unchanged(store, tmp_path):
    """store -> .sav (+ repeat file) -> another store: the same answers, the same repeat instances."""
    result = export_interviews(
        store, "example_all_types", tmp_path / "out.sav", language="ru", pseudonymise=False
    )
    other = new_store(tmp_path / "other.sqlite", questionnaires=[load("example_all_types")])
    try:
        outcome = import_file(
            other, result.files[0], "example_all_types", repeats={"relatives": result.files[-1]}
        )
        assert outcome.ok and outcome.imported == result.rows["interviews"], str(outcome.report)
        columns = [
            c
            for c in store.interviews_frame("example_all_types").columns
            if c not in ("started_at", "submitted_at")
        ]
        mine = (
            store.interviews_frame("example_all_types")[columns]
            .sort_values("interview_id")
            .reset_index(drop=True)
        )
        theirs = (
            other.interviews_frame("example_all_types")[columns]
            .sort_values("interview_id")
            .reset_index(drop=True)
        )
        for column in columns:
            left, right = mine[column].astype(object), theirs[column].astype(object)
            assert left.where(left.notna(), None).tolist() == right.where(right.notna(), None).tolist(), (
                column
            )
        rel = store.repeat_frame("example_all_types", "relatives").astype(object)
        rel2 = other.repeat_frame("example_all_types", "relatives").astype(object)
        pd.testing.assert_frame_equal(
            rel.sort_values(["interview_id", "_index"]).reset_index(drop=True),
            rel2.sort_values(["interview_id", "_index"]).reset_index(drop=True),
        )
        # importing the same file again changes nothing: every interview is a duplicate
        again = import_file(
            other, result.files[0], "example_all_types", repeats={"relatives": result.files[-1]}
        )
        assert again.imported == 0 and again.duplicates == outcome.imported
    finally:
        other.close()


def test_stata_and_excel_exports_read_back_without_problems(store, tmp_path, frames):
    for fmt in ("dta", "xlsx"):
        result = export_interviews(store, "staff_survey", tmp_path / f"staff.{fmt}", pseudonymise=False)
        outcome = read_import(result.files[0], store.form("staff_survey"))
        assert outcome.ok, str(outcome.report)
        assert (
            outcome.data["training_needs"].tolist()
            == store.interviews_frame("staff_survey")["training_needs"].tolist()
        )


def test_a_dummy_that_is_neither_0_nor_1_is_reported_at_its_cell(tmp_path):
    q = load("example_all_types")
    path = _csv(
        tmp_path,
        [
            "consent,interview_date,age,region,municipality,services_meals,services_cleaning,satisfaction",
            "yes,2026-02-01,70,north,n_city,1,0,4",
            "yes,2026-02-01,70,north,n_city,2,0,4",
        ],
    )
    outcome = read_import(path, q)
    assert [(p.code.code, p.location.row, p.location.field) for p in outcome.report.errors] == [
        ("SK704", 3, "services_meals"),
        ("SK401", 3, "services…"),  # the dummies of `services`: none readable, so no answer
    ]
    assert outcome.data["services"].tolist()[0] == "meals"


def test_weights_are_reported_as_not_stored(tmp_path):
    path = _csv(tmp_path, ["consent,weight", "yes,1.5"])
    outcome = read_import(path, load("recipient_survey"))
    weight = [p for p in outcome.report if p.location.field == "weight"]
    assert weight and weight[0].severity is Severity.WARNING
