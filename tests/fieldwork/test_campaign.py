"""The campaign set-up: the register (CSV/XLSX, all or nothing, audited updates), sample targets from the
profile's sample rule with overrides, the allocation to interviewers, assignments from and to files."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from surveykit.errors import DataImportError, ErrorCode, NotFoundError, StoreError
from surveykit.fieldwork.campaign import (
    export_assignments,
    import_assignments,
    parse_overrides,
    plan_campaign,
)
from surveykit.fieldwork.register import export_register, import_register
from surveykit.scoring import load_profile

from .conftest import PERIOD

REGISTER = """
institution_id;name;type;region;municipality;address;website;recipients
kcson_sev;КЦСОН Северный;kcson;north;Северск;ул. Ленина, 1;https://kcson.example.ru;410
new_one;Новый центр;cso;east;Восточный;;;1 200
"""


def codes(err: DataImportError) -> list[tuple[int | None, str | None, str]]:
    return [(p.location.row, p.location.field, p.code.code) for p in err.report.errors]


# --- the register -------------------------------------------------------------------------------------------------
def test_a_register_import_creates_and_updates_and_audits_each_change(campaign_store, write_csv):
    store = campaign_store
    result = import_register(store, write_csv("register.csv", REGISTER), by="sofia")
    assert result.created == ("new_one",) and result.updated == ("kcson_sev",)
    assert store.institution("new_one").recipients == 1200
    assert store.institution("kcson_sev").recipients == 410 and store.institution("kcson_sev").address
    audit = store.audit_frame(entity="institution", entity_id="kcson_sev")
    change = audit[audit["action"] == "update"].iloc[-1]["details"]
    assert change["changed"]["recipients"] == {"from": 400, "to": 410}
    assert change["source"] == "register"
    again = import_register(store, write_csv("register.csv", REGISTER), by="sofia")  # nothing changed
    assert again.unchanged == ("kcson_sev", "new_one") and not again.updated
    assert len(store.audit_frame(entity="institution", entity_id="kcson_sev")) == len(audit)


def test_a_register_from_xlsx_and_the_export_round_trip(campaign_store, tmp_path):
    store = campaign_store
    path = tmp_path / "register.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Institution_ID ", "name", "type", "region", "municipality", "recipients"])
    sheet.append(["xl_1", "placeholder", "cso", "west", "Западный", 99.0])
    sheet["B2"].value = '=HYPERLINK("x")'
    sheet["B2"].data_type = "s"  # a text that looks like a formula (as typed after an apostrophe)
    workbook.save(path)
    import_register(store, path)
    assert store.institution("xl_1").recipients == 99
    assert store.institution("xl_1").name == '=HYPERLINK("x")'  # stored as text, never run
    out = export_register(store, tmp_path / "out.csv")
    text = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text  # a spreadsheet shows it, never runs it
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert set(back["institution_id"]) == {"kcson_sev", "cso_2", "small_home", "dom_x", "xl_1"}
    assert export_register(store, tmp_path / "out.xlsx").exists()


def test_a_register_with_bad_rows_reports_each_and_imports_nothing(campaign_store, write_csv):
    store = campaign_store
    before = store.institutions()
    bad = """
institution_id,name,type,region,municipality,website,recipients
ok_one,Хороший,cso,north,Северск,,10
,Без номера,cso,north,Северск,,10
bad id!,Плохой номер,cso,north,Северск,,10
ok_one,Дубль,cso,north,Северск,,10
no_name,,cso,north,Северск,,10
neg,Отрицательное,cso,north,Северск,,-4
js,Сайт,cso,north,Северск,javascript:alert(1),5
"""
    with pytest.raises(DataImportError) as info:
        import_register(store, write_csv("bad.csv", bad))
    found = codes(info.value)
    assert (3, "institution_id", "SK704") in found  # empty id
    assert (4, "institution_id", "SK704") in found  # unusable id
    assert (5, "institution_id", "SK703") in found  # duplicate, with both rows
    assert (6, "name", "SK704") in found
    assert (7, "recipients", "SK704") in found
    assert (8, "website", "SK704") in found
    assert "2, 5" in str(info.value.report)
    assert store.institutions() == before


def test_a_register_without_a_required_column_or_with_an_unknown_one_is_refused(campaign_store, write_csv):
    with pytest.raises(DataImportError) as info:
        import_register(
            campaign_store, write_csv("r.csv", "institution_id,name,type,region,adress\nx,X,t,r,a")
        )
    found = {(p.code.code, p.location.field) for p in info.value.report.errors}
    assert ("SK702", "municipality") in found and ("SK701", "adress") in found
    assert "address" in str(info.value.report)  # did you mean


def test_a_register_without_recipients_keeps_the_stored_counts(campaign_store, write_csv):
    import_register(campaign_store, write_csv("r.csv", "institution_id,name,type,region,municipality\n"
                                                      "kcson_sev,КЦСОН Северный,kcson,north,Северск"))  # fmt: skip
    assert campaign_store.institution("kcson_sev").recipients == 400


# --- the plan -----------------------------------------------------------------------------------------------------
def test_targets_follow_the_profiles_sample_rule_and_are_allocated(campaign_store):
    """344н profile [R]: 40 % of the recipients, at most 600, all of them when fewer than the minimum of 30:
    kcson_sev 400 → 160; cso_2 2000 → 800 → cap 600; small_home 25 → max(30, 10) = 30, but only 25 exist → 25;
    dom_x has no recipient count and is skipped. Largest first to the least loaded: cso_2 → anna,
    kcson_sev → boris, small_home → vera."""
    store = campaign_store
    rule = load_profile("ru_nok_344n_2018").sample
    assert (rule.share_of_recipients, rule.cap) == (0.40, 600)  # the numbers come from the profile file
    plan = plan_campaign(store, PERIOD, by="sofia")
    targets = {r.institution_id: r.target for r in plan.rows}
    assert targets == {"kcson_sev": 160, "cso_2": 600, "small_home": 25}
    assert plan.skipped == ["dom_x"] and plan.written
    allocation = {r.institution_id: r.allocation for r in plan.rows}
    assert allocation == {
        "cso_2": (("anna", 600),),
        "kcson_sev": (("boris", 160),),
        "small_home": (("vera", 25),),
    }
    stored = {(a.interviewer_id, a.institution_id): a.target for a in store.assignments(period=PERIOD)}
    assert stored == {("anna", "cso_2"): 600, ("boris", "kcson_sev"): 160, ("vera", "small_home"): 25}
    assert {t.institution_id: t.rule_target for t in store.fieldwork.targets(period=PERIOD)} == targets
    assert len(store.audit_frame(entity="sample_target")) == 3


def test_an_override_replaces_the_rule_stays_and_warns_when_below_it(campaign_store):
    store = campaign_store
    plan = plan_campaign(store, PERIOD, overrides=["kcson_sev=45", "dom_x=12"])
    rows = {r.institution_id: r for r in plan.rows}
    assert (rows["kcson_sev"].rule_target, rows["kcson_sev"].override, rows["kcson_sev"].target) == (
        160,
        45,
        45,
    )
    assert rows["dom_x"].target == 12 and not plan.skipped  # an override plans an institution without a count
    assert [p.code for p in plan.warnings] == [ErrorCode.TARGET_BELOW_RULE]  # dom_x: no rule to fall below
    again = plan_campaign(store, PERIOD)  # the override stays; the allocation stays
    assert {r.institution_id: r.target for r in again.rows}["kcson_sev"] == 45
    assert {a.institution_id: a.interviewer_id for a in store.assignments(period=PERIOD)} == {
        r.institution_id: r.allocation[0][0] for r in plan.rows
    }
    back = plan_campaign(store, PERIOD, overrides={"kcson_sev": "rule"})
    assert {r.institution_id: r.target for r in back.rows}["kcson_sev"] == 160


def test_replanning_after_a_register_change_updates_targets_and_keeps_interviewers(campaign_store):
    store = campaign_store
    plan_campaign(store, PERIOD, per_institution=2)
    first = {(a.interviewer_id, a.institution_id): a.target for a in store.assignments(period=PERIOD)}
    assert sum(t for (_, i), t in first.items() if i == "cso_2") == 600
    assert len([k for k in first if k[1] == "cso_2"]) == 2  # split between two interviewers: 300 + 300
    store.add_institution(
        "cso_2", "ЦСО № 2", type="cso", region="north", municipality="Северск", recipients=1001
    )
    plan_campaign(store, PERIOD)
    second = {(a.interviewer_id, a.institution_id): a.target for a in store.assignments(period=PERIOD)}
    assert set(second) == set(first)
    assert sorted(t for (_, i), t in second.items() if i == "cso_2") == [200, 201]  # ceil(0.4 * 1001) = 401


def test_a_dry_run_writes_nothing(campaign_store):
    plan = plan_campaign(campaign_store, PERIOD, dry_run=True)
    assert plan.rows and not plan.written
    assert campaign_store.assignments(period=PERIOD) == [] and campaign_store.fieldwork.targets() == []


def test_planning_problems_are_refused_with_clear_codes(campaign_store):
    store = campaign_store
    with pytest.raises(StoreError) as info:
        plan_campaign(store, PERIOD, overrides=["kcson_sev=many"])
    assert info.value.code is ErrorCode.TARGET_OVERRIDE_INVALID
    with pytest.raises(StoreError) as info:
        parse_overrides(["kcson_sev"])
    assert info.value.code is ErrorCode.TARGET_OVERRIDE_INVALID
    with pytest.raises(NotFoundError) as info:
        plan_campaign(store, PERIOD, overrides=["kcson_sew=4"])
    assert "kcson_sev" in str(info.value)  # did you mean
    with pytest.raises(NotFoundError):
        plan_campaign(store, PERIOD, interviewers=["nobody"], dry_run=True)
    for person in ("anna", "boris", "vera"):
        store.deactivate_person(person)
    with pytest.raises(StoreError) as info:
        plan_campaign(store, PERIOD)
    assert info.value.code is ErrorCode.CAMPAIGN_NO_INTERVIEWERS


# --- assignments from and to files -----------------------------------------------------------------------------------
def test_assignments_export_and_import_round_trip(campaign_store, tmp_path):
    store = campaign_store
    plan_campaign(store, PERIOD)
    path, count = export_assignments(store, tmp_path / "a.xlsx", period=PERIOD)
    assert count == 3
    frame = pd.read_excel(path)
    assert {"interviewer_name", "done", "remaining"} <= set(frame.columns)
    frame.loc[frame["institution_id"] == "kcson_sev", "interviewer_id"] = "vera"
    frame.to_csv(tmp_path / "moved.csv", index=False)
    assert import_assignments(store, tmp_path / "moved.csv") == 3
    assert ("vera", "kcson_sev") in {(a.interviewer_id, a.institution_id) for a in store.assignments()}


def test_assignments_with_bad_rows_report_each_and_import_nothing(campaign_store, write_csv):
    store = campaign_store
    bad = """
interviewer_id,institution_id,questionnaire_id,period,target
anna,kcson_sev,recipient_survey,2026,10
anya,kcson_sev,recipient_survey,2026,10
anna,kcson_sew,recipient_survey,2026,10
anna,cso_2,recipient_srvey,2026,10
anna,cso_2,recipient_survey,2026,ten
anna,kcson_sev,recipient_survey,2026,12
"""
    with pytest.raises(DataImportError) as info:
        import_assignments(store, write_csv("a.csv", bad))
    found = codes(info.value)
    assert (3, "interviewer_id", "SK503") in found
    assert (4, "institution_id", "SK503") in found
    assert (5, "questionnaire_id", "SK503") in found
    assert (6, "target", "SK704") in found
    assert (7, "interviewer_id", "SK703") in found
    assert store.assignments() == []
