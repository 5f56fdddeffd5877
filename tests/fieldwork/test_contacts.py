"""Cases and contact attempts: the rules of an attempt, the outcome of a submitted or broken-off interview,
paper contact logs (all or nothing, row by row), the contact-log export and the rates table of a store."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyreadstat
import pytest

from surveykit.errors import DataImportError, ErrorCode, StoreError
from surveykit.fieldwork.campaign import plan_campaign
from surveykit.fieldwork.contacts import (
    export_contacts,
    import_contacts,
    rates_table,
    record_break_off,
    record_outcome,
)

from .conftest import NOW, PERIOD, full_answers

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def planned(campaign_store):
    plan_campaign(campaign_store, PERIOD)
    return campaign_store


def assignment_of(store, interviewer):
    return next(a for a in store.assignments(interviewer_id=interviewer, period=PERIOD))


def interview_for(store, case, interviewer, answers=None, *, submit=True):
    meta = store.start_interview("recipient_survey", institution_id=case.institution_id, interviewer_id=interviewer,
                                 mode="face_to_face", period=PERIOD, assignment_id=case.assignment_id)  # fmt: skip
    store.fieldwork.link_interview(case.id, meta.id)
    if submit:
        store.submit(meta.id, answers or full_answers())
    return meta


# --- attempts -------------------------------------------------------------------------------------------------------
def test_an_outcome_opens_a_case_and_records_the_attempt(planned):
    store = planned
    assignment = assignment_of(store, "boris")
    case, attempt = record_outcome(store, interviewer_id="boris", mode="face_to_face", disposition="2.112",
                                   assignment=assignment, by="boris")  # fmt: skip
    assert case.code == f"{assignment.institution_id}-001" and case.interviewer_id == "boris"
    assert (attempt.disposition, attempt.category, attempt.source) == ("2.112", "R", "app")
    second, _ = record_outcome(store, interviewer_id="boris", mode="face_to_face", disposition="2.24",
                               assignment=assignment)  # fmt: skip
    assert second.code.endswith("-002")
    audit = store.audit_frame(entity="contact_attempt")
    assert len(audit) == 2 and audit.iloc[0]["actor"] == "boris"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"disposition": "2.99"}, ErrorCode.DISPOSITION_UNKNOWN),
        ({"disposition": "3.13"}, ErrorCode.DISPOSITION_NOT_IN_MODE),  # "no answer" is a telephone code
        ({"attempted_at": NOW + dt.timedelta(days=1)}, ErrorCode.CONTACT_IN_FUTURE),
        ({"disposition": "2.25", "appointment_at": NOW - HOUR}, ErrorCode.APPOINTMENT_INVALID),
    ],
)
def test_a_bad_attempt_is_refused_and_leaves_no_empty_case(planned, change, code):
    store = planned
    options = {"interviewer_id": "boris", "mode": "face_to_face", "disposition": "2.24",
               "assignment": assignment_of(store, "boris")} | change  # fmt: skip
    with pytest.raises(StoreError) as info:
        record_outcome(store, **options)
    assert info.value.code is code
    assert store.fieldwork.cases() == []


def test_an_appointment_is_kept_with_its_time_and_the_case_stays_open(planned):
    store = planned
    when = (NOW + dt.timedelta(days=2)).replace(microsecond=0)
    case, attempt = record_outcome(store, interviewer_id="boris", mode="telephone", disposition="2.21",
                                   appointment_at=when, assignment=assignment_of(store, "boris"))  # fmt: skip
    row = store.fieldwork.cases_frame(period=PERIOD).iloc[0]
    assert bool(row["open"]) and row["category"] == "NC"
    assert pd.Timestamp(row["appointment_at"]) == pd.Timestamp(when)


def test_a_submitted_interview_of_a_case_records_a_complete_once(planned):
    store = planned
    case = store.fieldwork.new_case(PERIOD, "kcson_sev", questionnaire_id="recipient_survey",
                                    interviewer_id="boris", assignment_id=assignment_of(store, "boris").id)  # fmt: skip
    record_outcome(store, case_id=case.id, interviewer_id="boris", mode="face_to_face", disposition="2.24")
    meta = interview_for(store, case, "boris")
    attempts = store.fieldwork.attempts(case.id)
    assert [(a.disposition, a.source) for a in attempts] == [("2.24", "app"), ("1.1", "submit")]
    assert attempts[-1].interview_id == meta.id
    store.submit(meta.id, full_answers())  # the same content again: a duplicate, no second attempt
    assert len(store.fieldwork.attempts(case.id)) == 2
    with pytest.raises(StoreError) as info:  # an interview is final
        record_outcome(
            store, case_id=case.id, interviewer_id="boris", mode="face_to_face", disposition="2.24"
        )
    assert info.value.code is ErrorCode.CASE_CLOSED


def test_an_interview_without_a_case_records_nothing(planned):
    store = planned
    meta = store.start_interview("recipient_survey", institution_id="kcson_sev", interviewer_id="boris",
                                 mode="face_to_face", period=PERIOD)  # fmt: skip
    store.submit(meta.id, full_answers())
    assert store.fieldwork.contacts_frame().empty


def test_a_break_off_is_partial_or_break_off_by_the_share_answered(planned):
    """The share is of the required questions that apply (surveykit.fieldwork.outcome). Consent, proxy and
    q1-q9 "yes" (q7 is optional): 10 of the 15 required questions that then apply (67 %) is at least the
    partial share 0.5: partial 1.2; consent, proxy and q1 (3 of 13, 23 %) is a break-off 2.12."""
    store = planned
    results = []
    for answered in (11, 3):
        case = store.fieldwork.new_case(PERIOD, "kcson_sev", interviewer_id="boris")
        meta = interview_for(store, case, "boris", submit=False)
        answers = dict(list(full_answers().items())[:answered])
        store.save_draft(meta.id, answers)
        results.append(record_break_off(store, meta.id, answers).disposition)
    assert results == ["1.2", "2.12"]


# --- paper contact logs -------------------------------------------------------------------------------------------
GOOD_LOG = """
case_id;institution_id;interviewer_id;attempted_at;mode;disposition;note
A-1;kcson_sev;anna;2026-03-02 10:00;face_to_face;2.24;
A-1;kcson_sev;anna;03.03.2026 11:30;face_to_face;2,112;отказалась
A-2;kcson_sev;anna;2026-03-02 12:00;face_to_face;1.1;
T-7;cso_2;boris;2026-03-04 09:15;telephone;3.13;
T-7;cso_2;boris;2026-03-05 09:15;telephone;4.3;номер не работает
"""


def test_a_paper_contact_log_is_imported_with_its_cases(planned, write_csv):
    store = planned
    result = import_contacts(store, write_csv("log.csv", GOOD_LOG), period=PERIOD, by="sofia")
    assert (result.attempts, result.cases_created) == (5, 3)
    cases = store.fieldwork.cases_frame(period=PERIOD).set_index("code")
    assert cases.loc["A-1", "final"] == "2.112" and cases.loc["A-2", "final"] == "1.1"
    assert cases.loc["T-7", "final"] == "4.30" and cases.loc["T-7", "mode"] == "telephone"
    first = store.fieldwork.contacts_frame(period=PERIOD).iloc[0]
    # local time of the fieldwork (quality rules: Europe/Moscow, UTC+3) stored as UTC
    assert pd.Timestamp(first["attempted_at"]).tz_convert("UTC").hour == 7
    again = import_contacts(store, write_csv("log2.csv", "case_id,institution_id,interviewer_id,attempted_at,mode,"
                                             "disposition\nA-1,kcson_sev,anna,2026-03-06 10:00,face_to_face,2.25"),
                            period=PERIOD)  # fmt: skip
    assert again.cases_created == 0  # the known case gets the attempt


def test_a_contact_log_with_bad_rows_reports_each_and_imports_nothing(planned, write_csv):
    store = planned
    future = (NOW + dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    bad = f"""
case_id,institution_id,interviewer_id,attempted_at,mode,disposition,note
B-1,kcson_sev,anna,2026-03-02 10:00,face_to_face,2.24,fine
B-2,kcson_sev,anna,2026-03-02 10:00,face_to_face,2.99,unknown code
B-3,kcson_sew,anna,2026-03-02 10:00,face_to_face,2.24,unknown institution
B-4,kcson_sev,anya,2026-03-02 10:00,face_to_face,2.24,unknown person
B-5,kcson_sev,anna,{future},face_to_face,2.24,in the future
B-6,kcson_sev,anna,2026-03-02 10:00,telephone,2.24,not a telephone code
B-7,kcson_sev,anna,yesterday,face_to_face,2.24,no time
B-1,cso_2,anna,2026-03-03 10:00,face_to_face,2.24,another institution
B-8,kcson_sev,anna,2026-03-02 10:00,face_to_face,1.1,complete
B-8,kcson_sev,anna,2026-03-03 10:00,face_to_face,2.24,after the interview
"""
    with pytest.raises(DataImportError) as info:
        import_contacts(store, write_csv("bad.csv", bad), period=PERIOD)
    found = {(p.location.row, p.location.field, p.code.code) for p in info.value.report.errors}
    assert found == {
        (3, "disposition", "SK551"),
        (4, "institution_id", "SK503"),
        (5, "interviewer_id", "SK503"),
        (6, "attempted_at", "SK554"),
        (7, "disposition", "SK552"),
        (8, "attempted_at", "SK704"),
        (9, "institution_id", "SK556"),
        (11, "disposition", "SK555"),
    }
    assert "kcson_sev" in str(info.value.report)  # did you mean, for the misspelt institution
    assert store.fieldwork.cases() == [] and store.fieldwork.contacts_frame().empty


def test_a_contact_log_with_wrong_columns_is_refused(planned, write_csv):
    with pytest.raises(DataImportError) as info:
        import_contacts(planned, write_csv("c.csv", "case,institution_id\n1,kcson_sev"), period=PERIOD)
    assert {p.code.code for p in info.value.report.errors} == {"SK701", "SK702"}


# --- exports and rates ------------------------------------------------------------------------------------------------
def test_the_contact_log_exports_to_csv_xlsx_and_sav_with_labels(planned, write_csv, tmp_path):
    store = planned
    import_contacts(store, write_csv("log.csv", GOOD_LOG.replace("отказалась", "=cmd()")), period=PERIOD)
    path, count = export_contacts(store, tmp_path / "log.csv", period=PERIOD, language="ru")
    assert count == 5
    text = path.read_text(encoding="utf-8-sig")
    assert "'=cmd()" in text and "Респондент отказался" in text
    back = pd.read_excel(export_contacts(store, tmp_path / "log.xlsx", period=PERIOD)[0])
    assert list(back["disposition"].astype(str))[:2] == ["2.24", "2.112"]
    frame, meta = pyreadstat.read_sav(str(export_contacts(store, tmp_path / "log.sav", period=PERIOD)[0]))
    assert meta.column_names_to_labels["disposition"] == "AAPOR disposition code"
    assert meta.variable_value_labels["category_code"][3.0].startswith("R ")
    assert sorted(frame["category_code"].dropna().astype(int)) == [1, 3, 4, 6, 8]
    hidden = export_contacts(store, tmp_path / "p.csv", period=PERIOD, pseudonymise=True)[0]
    assert "anna" not in hidden.read_text(encoding="utf-8-sig")


def test_the_rates_table_of_a_store_by_institution_interviewer_and_mode(planned, write_csv):
    """Cases of GOOD_LOG: A-1 refusal (R, anna, kcson_sev), A-2 complete (I, anna, kcson_sev), T-7 not
    eligible (NE, boris, cso_2, telephone). All: I=1, R=1, NE=1: RR1 = 1/2, e = 2/3 (CASRO), REF1 = 1/2.
    By institution: kcson_sev RR1 = 1/2; cso_2 only NE: every rate not defined (None), e = 0."""
    store = planned
    import_contacts(store, write_csv("log.csv", GOOD_LOG), period=PERIOD)
    cases = store.fieldwork.cases_frame(period=PERIOD)
    table = rates_table(cases, by="institution").set_index("group")
    assert list(table.index) == ["cso_2", "kcson_sev", "all"]
    assert table.loc["all", "RR1"] == pytest.approx(0.5) and table.loc["all", "e"] == pytest.approx(2 / 3)
    assert table.loc["kcson_sev", "REF1"] == pytest.approx(0.5)
    assert pd.isna(table.loc["cso_2", "RR1"]) and table.loc["cso_2", "e"] == 0
    by_mode = rates_table(cases, by="mode").set_index("group")
    assert list(by_mode.index) == ["face_to_face", "telephone", "all"]
    by_interviewer = rates_table(cases, by="interviewer").set_index("group")
    assert by_interviewer.loc["anna", "I"] == 1 and by_interviewer.loc["boris", "NE"] == 1
    with pytest.raises(StoreError):
        rates_table(cases, by="region")
    empty = rates_table(store.fieldwork.cases_frame(period="1999"))
    assert list(empty["group"]) == ["all"] and empty["RR1"].isna().all()
