"""KoboToolbox exports imported end to end: group-prefixed columns, select_multiple as one column and/or as
0/1 columns, Kobo meta columns, a repeat sheet linked by _parent_index, and XLSForm names that surveykit
renamed (metadata["xlsform_names"])."""

from __future__ import annotations

import datetime as dt
import uuid

import openpyxl
import pytest

from surveykit.exchange import import_file, read_import
from surveykit.questionnaire.xlsform import read_xlsform

from .helpers import checksum, example_answers

GROUPS = {
    "consent": "intro",
    "interview_date": "intro",
    "age": "respondent",
    "region": "respondent",
    "municipality": "respondent",
    "height_m": "respondent",
    "phone": "respondent",
    "services": "services_page",
    "main_service": "services_page",
    "n_services": "services_page",
    "uses_meals": "services_page",
    "visits_per_week": "services_page",
    "satisfaction": "services_page",
    "waiting": "services_page",
    "grid_late": "services_page",
    "grid_rushed": "services_page",
    "grid_explains": "services_page",
    "n_relatives": "household",
    "suggestions": "closing",
}
SERVICES = ["meals", "cleaning", "medical", "company"]
KOBO_META = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
             "__version__", "_tags", "_index"]  # fmt: skip


def kobo_workbook(tmp_path, rows, multiple: str):
    """A Kobo "XML values and headers" export: main sheet + repeat sheet, like Kobo's own xlsx."""
    main_header = ["start", "end", "today", "deviceid"]
    for code, group in GROUPS.items():
        if code == "services":
            if multiple in ("both", "single"):
                main_header.append(f"{group}/services")
            if multiple in ("both", "separate"):
                main_header += [f"{group}/services/{c}" for c in SERVICES]
        else:
            main_header.append(f"{group}/{code}")
    main_header += ["meta/instanceID", *KOBO_META]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Пример анкеты"
    sheet.append(main_header)
    rel = workbook.create_sheet("relatives")
    rel.append(["household/relatives/rel_relation", "household/relatives/rel_age", "_index",
                "_parent_table_name", "_parent_index", "_submission__id", "_submission__uuid"])  # fmt: skip
    rel_index = 0
    for i, answers in enumerate(rows):
        instance = str(uuid.UUID(int=5000 + i))
        submitted = dt.datetime(2026, 3, 1, 10, 0) + dt.timedelta(days=i)
        values = {
            "start": (submitted - dt.timedelta(minutes=25)).isoformat() + ".000+03:00",
            "end": submitted.isoformat() + ".000+03:00",
            "today": submitted.date().isoformat(),
            "deviceid": "collect:abc",
            "meta/instanceID": f"uuid:{instance}",
            "_id": 100 + i,
            "_uuid": instance,
            "_submission_time": submitted.isoformat(),
            "_validation_status": "",
            "_status": "submitted_via_web",
            "__version__": "vKx9",
            "_index": i + 1,
        }
        for code, group in GROUPS.items():
            value = answers.get(code)
            if code == "services":
                values[f"{group}/services"] = " ".join(c for c in SERVICES if c in value)
                for c in SERVICES:
                    values[f"{group}/services/{c}"] = int(c in value)
            elif isinstance(value, dt.date):
                values[f"{group}/{code}"] = value.isoformat()
            else:
                values[f"{group}/{code}"] = value
        sheet.append([values.get(h) for h in main_header])
        for relative in answers["relatives"]:
            rel_index += 1
            rel.append(
                [
                    relative["rel_relation"],
                    relative["rel_age"],
                    rel_index,
                    "Пример анкеты",
                    i + 1,
                    100 + i,
                    instance,
                ]
            )
    path = tmp_path / f"kobo_{multiple}.xlsx"
    workbook.save(path)
    return path


@pytest.mark.parametrize("multiple", ["both", "separate", "single"])
def test_a_kobo_export_is_imported_end_to_end(store, tmp_path, multiple):
    rows = [example_answers(i) for i in range(6)]
    path = kobo_workbook(tmp_path, rows, multiple)
    before = store.interviews_frame("example_all_types")
    outcome = import_file(
        store,
        path,
        "example_all_types",
        kobo=True,
        defaults={"institution_id": "csp2", "interviewer_id": "anna", "mode": "face_to_face"},
    )
    assert outcome.ok, str(outcome.report)
    assert outcome.imported == 6
    assert not [p for p in outcome.report if p.code.code == "SK701"]  # Kobo bookkeeping columns are skipped
    frame = store.interviews_frame("example_all_types")
    assert len(frame) == len(before) + 6
    ids = [str(uuid.UUID(int=5000 + i)) for i in range(6)]
    mine = frame.set_index("interview_id").loc[ids]
    assert mine["services"].tolist() == [" ".join(c for c in SERVICES if c in r["services"]) for r in rows]
    assert mine["satisfaction"].tolist() == [r["satisfaction"] for r in rows]
    assert mine["grid_rushed"].astype(object).where(mine["grid_rushed"].notna(), None).tolist() == [
        r["grid_rushed"] for r in rows
    ]
    assert mine["institution_id"].unique().tolist() == ["csp2"]
    assert mine["submitted_at"].iloc[0].to_pydatetime().replace(tzinfo=None) == dt.datetime(2026, 3, 1, 10, 0)
    relatives = store.repeat_frame("example_all_types", "relatives")
    relatives = relatives[relatives["interview_id"].isin(ids)]
    expected = [
        (ids[i], k + 1, r["rel_relation"]) for i, a in enumerate(rows) for k, r in enumerate(a["relatives"])
    ]
    got = sorted(
        zip(
            relatives["interview_id"], relatives["_index"], relatives["rel_relation"].astype(str), strict=True
        )
    )
    assert got == sorted(expected)


def test_problems_in_a_kobo_repeat_sheet_name_the_sheet_row_and_column(store, tmp_path):
    rows = [example_answers(i) for i in range(3)]
    rows[1]["relatives"][0]["rel_relation"] = "cousin"
    path = kobo_workbook(tmp_path, rows, "both")
    before = checksum(store)
    outcome = import_file(store, path, "example_all_types", kobo=True, dry_run=True)
    errors = [
        (p.code.code, p.location.sheet, p.location.row, p.location.field) for p in outcome.report.errors
    ]
    assert ("SK403", "relatives", 2, "household/relatives/rel_relation") in errors
    assert checksum(store) == before


def test_xlsform_names_that_surveykit_renamed_are_found_in_kobo_columns(tmp_path):
    """An XLSForm with names SPSS cannot take ('q1-age') is renamed on reading; its Kobo data still maps."""
    form = openpyxl.Workbook()
    survey = form.active
    survey.title = "survey"
    for row in [
        ["type", "name", "label::English (en)"],
        ["begin_group", "grp", "Group"],
        ["integer", "q1-age", "Age"],
        ["select_multiple help", "needs", "Needs"],
        ["end_group", "", ""],
        ["begin_repeat", "kids", "Kids"],
        ["text", "kid-name", "Name"],
        ["end_repeat", "", ""],
    ]:
        survey.append(row)
    choices = form.create_sheet("choices")
    for row in [
        ["list_name", "name", "label::English (en)"],
        ["help", "food", "Food"],
        ["help", "care", "Care"],
    ]:
        choices.append(row)
    settings = form.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["kobo_small", "1"])
    form.save(tmp_path / "form.xlsx")
    questionnaire = read_xlsform(tmp_path / "form.xlsx").questionnaire
    assert questionnaire.metadata["xlsform_names"]["q1_age"] == "q1-age"

    data = openpyxl.Workbook()
    main = data.active
    main.title = "kobo_small"
    for row in [
        ["grp/q1-age", "grp/needs/food", "grp/needs/care", "_uuid", "_index"],
        [34, 1, 0, str(uuid.UUID(int=1)), 1],
        [51, 1, 1, str(uuid.UUID(int=2)), 2],
    ]:
        main.append(row)
    kids = data.create_sheet("kids")
    for row in [["kids/kid-name", "_index", "_parent_index"], ["Маша", 1, 2], ["Петя", 2, 2], ["Оля", 3, 1]]:
        kids.append(row)
    data.save(tmp_path / "data.xlsx")
    outcome = read_import(tmp_path / "data.xlsx", questionnaire, kobo=True)
    assert outcome.ok, str(outcome.report)
    assert outcome.data["q1_age"].tolist() == [34, 51]
    assert outcome.data["needs"].tolist() == ["food", "food care"]
    kids_frame = outcome.validation.repeats["kids"]
    assert list(zip(kids_frame["_parent"], kids_frame["kid_name"], strict=True)) == [
        (0, "Оля"),
        (1, "Маша"),
        (1, "Петя"),
    ]
