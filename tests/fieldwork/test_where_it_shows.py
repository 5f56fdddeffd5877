"""Where fieldwork shows: the supervisor's fieldwork and campaign tabs, the council dashboard's fieldwork tab
(suppressed, never interviewers), the monitoring report's response rate, the rating's warning below the sample
target, and the quality-control check of refusals and non-contacts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from surveykit.cli.main import main
from surveykit.dashboard import dashboard_data
from surveykit.dashboard.fieldwork import council_rates, region_rates
from surveykit.dashboard.privacy import Disclosure
from surveykit.dashboard.sources import FramesSource
from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.quality.dispositions import disposition_flags
from surveykit.quality.rules import load_rules
from surveykit.store import Store
from surveykit.ui.dashboard_app import DashboardApp
from surveykit.ui.supervisor_app import SupervisorApp

from .test_interview_app import find, one, texts


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('fieldwork-demo') / 'surveykit.sqlite'}"
    build_demo(url, seed=5, size="small", quality_control=False)
    return url


@pytest.fixture
def demo(demo_url):
    with Store.open(demo_url) as store:
        yield store


# --- the council ------------------------------------------------------------------------------------------------------
def test_council_rates_are_suppressed_and_name_no_interviewer():
    """k = 5. a1: 4 I + 2 R = 6 cases: RR1 = 4/6; a2: 3 cases: withheld; the region over a1 only (rule 3):
    RR1 = 4/6, never (4+3)/9."""
    cases = pd.DataFrame({
        "institution_id": ["a1"] * 6 + ["a2"] * 3, "period": "2026", "mode": "face_to_face",
        "final": ["1.1"] * 4 + ["2.112"] * 2 + ["1.1"] * 3, "category": ["I"] * 4 + ["R"] * 2 + ["I"] * 3,
    })  # fmt: skip
    source = FramesSource({"contact_cases": cases})
    frame = council_rates(source, "2026", Disclosure(5))
    assert list(frame.columns) == ["institution_id", "RR1", "RR3", "COOP1", "REF1", "CON1", "withheld"]
    rows = frame.set_index("institution_id")
    assert rows.loc["a1", "RR1"] == pytest.approx(4 / 6) and not rows.loc["a1", "withheld"]
    assert rows.loc["a2", "withheld"] and pd.isna(rows.loc["a2", "RR1"])
    region = region_rates(source, "2026", Disclosure(5))
    assert region["RR1"] == pytest.approx(4 / 6) and region["n"] == 1
    assert (
        council_rates(source, "2025", Disclosure(5)).empty
        and region_rates(source, "2025", Disclosure(5)) is None
    )


def test_the_councils_fieldwork_tab_shows_rates_and_no_interviewers(demo):
    app = DashboardApp(demo, language="ru", k=5, sign_in=True)
    app.sign_in("council", DEMO_ACCESS_CODE)
    assert [v for _, v in app.progress_by.options] == ["institution"]  # never "by interviewer" for a council
    app.tabs.selected_index = app.TABS.index("progress")
    shown = app.fieldwork_rates.value
    assert (
        "Показатели отклика опроса" in shown
        and "Отклик (RR1)" in shown
        and "Все показанные организации" in shown
    )
    assert "%" in shown and "nan" not in shown
    names = {p.display_name for p in demo.people("interviewer")}
    assert not any(name in shown for name in names)
    staff = DashboardApp(demo, language="en", k=5, sign_in=True)
    staff.sign_in("olga", DEMO_ACCESS_CODE)  # a supervisor may see interviewers
    assert [v for _, v in staff.progress_by.options] == ["institution", "interviewer"]


def test_the_monitoring_report_states_the_response_rate(demo):
    from surveykit.reports.content import InstitutionReport, RegionReport

    data = dashboard_data(demo, filters={"period": "2026"}, language="ru", k=5)
    region = RegionReport(data).method().html
    assert "Уровень отклика (AAPOR)" in region and "RR1" in region and "AAPOR Standard Definitions" in region
    institution = data.ranking()["institution_id"].iloc[0]
    single = InstitutionReport(data, institution).method().html
    assert "Уровень отклика (AAPOR)" in single and ("RR1" in single or "n &lt; 5" in single)
    english = dashboard_data(demo, filters={"period": "2026"}, language="en", k=5)
    assert "Response rate (AAPOR)" in RegionReport(english).method().html


# --- the rating -----------------------------------------------------------------------------------------------------------
def test_the_rating_warns_when_completed_interviews_fall_below_the_sample_target(demo_url, capsys):
    """The small demo's 2026 fieldwork is under way (55-90 % of the targets done): every institution below
    its target is warned about, with the numbers."""
    code = main(["rate", "--url", demo_url, "--period", "2026", "--json"])
    payload = __import__("json").loads(capsys.readouterr().out)
    assert code == 0
    below = [w for w in payload["warnings"] if w["code"] == "SK553"]
    assert below and all("below the sample target of" in w["message"] for w in below)
    with Store.open(demo_url) as store:
        targets = {t.institution_id: t.target for t in store.fieldwork.targets(period="2026")}
        done = store.interviews_frame("recipient_survey", period="2026")["institution_id"].value_counts()
    expected = {i for i, target in targets.items() if done.get(i, 0) < target}
    assert {w["institution_id"] for w in below} == expected


# --- the supervisor --------------------------------------------------------------------------------------------------
def signed_in(store, login: str, language: str = "en") -> SupervisorApp:
    app = SupervisorApp(store, language=language)
    login_box, code_box = app.body.children[1], app.body.children[2]
    login_box.value, code_box.value = login, DEMO_ACCESS_CODE
    app.body.children[3].click()
    return app


def test_the_supervisors_fieldwork_tab_shows_progress_outcomes_rates_and_contacts(demo):
    app = signed_in(demo, "olga", "ru")
    titles = [app.tabs.get_title(i) for i in range(len(app.tabs.children))]
    assert titles[-1] == "Полевая работа" and "Кампания" not in titles  # a supervisor plans no campaign
    app.tabs.selected_index = len(titles) - 1
    tab = app.fieldwork_tabs[0]
    assert tab.period.value == "2026"
    shown = texts(tab)
    assert "Выполнение плана выборки" in shown and "ниже плана" in shown
    assert "Отказы и прерванные" in shown and "Анна Смирнова" in shown  # categories and names, not codes
    assert "RR1" in shown and "%" in shown and "nan" not in one(tab, "sk-fieldwork-progress").value
    assert "Интервью завершено (1.1)" in one(tab, "sk-fieldwork-contacts").value
    tab.by.value = "interviewer"
    assert "Анна Смирнова" in one(tab, "sk-fieldwork-rates").value
    tab.period.value = "2025"
    assert "2025" in tab.period.value and "Всего" in one(tab, "sk-fieldwork-rates").value
    assert not find(tab, "sk-fieldwork-export-csv")  # a supervisor does not export microdata


def test_the_campaign_tab_imports_plans_and_reports_bad_rows(demo):
    app = signed_in(demo, "pavel", "en")
    titles = [app.tabs.get_title(i) for i in range(len(app.tabs.children))]
    assert titles[-2:] == ["Fieldwork", "Campaign"]
    app.tabs.selected_index = len(titles) - 1
    tab = app.fieldwork_tabs[1]
    upload = one(tab, "sk-campaign-register")
    upload.value = ({"name": "reg.csv", "type": "text/csv", "size": 1, "last_modified": dt.datetime.now(dt.UTC),
                     "content": memoryview(b"institution_id,name,type,region,municipality,recipients\n"
                                           b"inst01,X,kcson,r,m,-3\n,Y,kcson,r,m,10\n")},)  # fmt: skip
    one(tab, "sk-campaign-import-register").click()
    result = tab.result.value
    assert "Nothing was imported" in result and "reg.csv, row 2" in result and "reg.csv, row 3" in result
    assert demo.institution("inst01").recipients != -3
    tab.period.value = "2027"
    tab.overrides.value = "inst01=45"
    one(tab, "sk-campaign-preview").click()
    assert "not saved" in tab.result.value and demo.assignments(period="2027") == []
    one(tab, "sk-campaign-save").click()
    assert "planned and saved" in tab.result.value
    rated = {i.id for i in demo.institutions() if i.type != "practice"}
    assert {a.institution_id for a in demo.assignments(period="2027")} == rated
    assert next(t for t in demo.fieldwork.targets(period="2027") if t.institution_id == "inst01").target == 45
    fieldwork = app.fieldwork_tabs[0]
    app.tabs.selected_index = len(titles) - 2
    one(fieldwork, "sk-fieldwork-export-sav").click()
    assert "contacts-2027.sav" in fieldwork.export.value and "base64," in fieldwork.export.value


# --- quality control --------------------------------------------------------------------------------------------------------
def test_quality_control_flags_an_interviewer_whose_non_contacts_depart_from_the_peers():
    """Six interviewers at two institutions, 30 cases each; five record 3 non-contacts, "f" records 15
    (50 % against 10 %): f is flagged for non-contacts and nobody for refusals; an interviewer with fewer than
    min_cases (10) cases is never flagged."""
    rows = []
    for k, person in enumerate("abcdef"):
        nc = 15 if person == "f" else 3
        for i in range(30):
            rows.append({"interviewer_id": person, "institution_id": f"i{k % 2}", "period": "2026",
                         "category": "NC" if i < nc else ("R" if i < nc + 2 else "I")})  # fmt: skip
    rows += [{"interviewer_id": "g", "institution_id": "i0", "period": "2026", "category": "NC"}] * 8
    flags = disposition_flags(pd.DataFrame(rows), load_rules())
    assert list(zip(flags["rule"], flags["interviewer_id"], strict=True)) == [("non_contact_rate", "f")]
    assert (
        flags["level"].iloc[0] == "interviewer"
        and "15 of 30 cases ended without contact" in flags["detail"].iloc[0]
    )
    assert np.isclose(flags["value"].iloc[0], 0.5)
    off = load_rules().with_changes({"disposition_pattern": {"enabled": False}})
    assert disposition_flags(pd.DataFrame(rows), off).empty


def test_the_check_runs_with_the_other_quality_checks_and_opens_a_case(tmp_path):
    from surveykit import casework
    from surveykit.access import OPERATOR

    url = f"sqlite:///{tmp_path / 'planted.sqlite'}"
    build_demo(url, seed=5, size="small", plant_falsifiers=True, quality_control=False)
    with Store.open(url) as store:
        cases = store.fieldwork.cases_frame(period="2026")
        darya = cases[cases["interviewer_id"] == "darya"]
        # more "nobody at home" for darya than anyone (the planted misreporting)
        shares = (
            cases[cases["category"].notna()]
            .groupby("interviewer_id")["category"]
            .apply(lambda c: (c == "NC").mean())
        )
        assert shares.idxmax() == "darya" and len(darya) >= 10
        flags = casework.run_checks_for(store, "recipient_survey")
        assert ("non_contact_rate", "darya") in set(zip(flags["rule"], flags["interviewer_id"], strict=True))
        casework.run_qc(store, "recipient_survey", actor=OPERATOR, flags=flags)
        opened = store.casework.cases(status="open")
        case = opened[opened["rule"] == "non_contact_rate"].iloc[0]
        assert case["interviewer_id"] == "darya"
        assert "ended without contact" in casework.case_detail(case.to_dict(), "en")
        assert "закончились без контакта" in casework.case_detail(case.to_dict(), "ru")
