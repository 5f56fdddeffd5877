"""Rating inputs are checked before any rating: an answer or checklist state coded other than the questionnaire's
list says (Да/Нет, 1/0, Yes/No, present/absent on a yes/no checklist) is an error naming the file, the column,
the rows, the value and the accepted codes; nothing is rated and the command exits with 1."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from surveykit.cli.main import main
from surveykit.errors import DataImportError, ErrorCode, Severity
from surveykit.scoring import load_profile, rate
from surveykit.scoring.demo import PREMISES_ITEMS, synthetic_sources
from surveykit.scoring.inputs import InputOrigin, accepted_codes, check_rating_inputs, source_questionnaires

from .helpers import all_yes, audit, premises, survey


def _sources():
    return {
        "recipient_survey": survey("i1", "2025", 40, all_yes(40)),
        "website_audit": audit("i1", "2025"),
        "premises_checklist": premises("i1", "2025"),
    }


def _recode(frame: pd.DataFrame, columns, mapping) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = out[column].astype(object).map(lambda v: mapping.get(v, v))
    return out


@pytest.mark.parametrize(
    ("mapping", "shown"),
    [
        ({"yes": "Да", "no": "Нет"}, "Да"),
        ({"yes": 1, "no": 0}, "1"),
        ({"yes": "Yes", "no": "No"}, "Yes"),
    ],
    ids=["russian-labels", "numbers", "english-labels"],
)
def test_a_survey_coded_otherwise_is_an_error_naming_the_value_never_a_rating(nok, mapping, shown):
    sources = _sources()
    sources["recipient_survey"] = _recode(sources["recipient_survey"], ["q1", "q13"], mapping)
    with pytest.raises(DataImportError) as caught:
        rate(nok, sources, origins={"recipient_survey": InputOrigin("survey.csv")})
    report = caught.value.report
    problems = [p for p in report.errors if p.code is ErrorCode.RATING_CODE_UNKNOWN]
    assert {p.location.field for p in problems} == {"q1", "q13"}
    first = next(p for p in problems if p.location.field == "q1")
    assert first.location.file == "survey.csv" and first.location.row == 2  # under the header
    assert first.params["value"] == shown and first.params["accepted"] == "yes, no"
    assert "rows 2, 3, 4, 5, 6 and 35 more" in first.message
    assert "'yes'" in first.hint  # the code to write instead
    ru, _ = first.localized("ru")
    assert "допустимы: yes, no" in ru


def test_a_yes_no_checklist_filled_with_present_absent_is_an_error(nok):
    sources = _sources()
    sources["premises_checklist"] = _recode(
        sources["premises_checklist"], PREMISES_ITEMS, {"yes": "present", "no": "absent"}
    )
    with pytest.raises(DataImportError) as caught:
        rate(nok, sources)
    problems = [p for p in caught.value.report.errors if p.code is ErrorCode.RATING_CODE_UNKNOWN]
    assert {p.params["value"] for p in problems} == {"present"}  # every item of the helper's row is present
    assert {p.location.field for p in problems} == set(PREMISES_ITEMS)
    assert all(
        p.params["accepted"] == "yes, no" and p.location.path == "sources['premises_checklist']"
        for p in problems
    )


def test_an_undeclared_checklist_state_and_a_text_in_a_number_column_are_errors(nok):
    sources = _sources()
    sources["website_audit"] = _recode(sources["website_audit"], ["site_info_01"], {"present": "есть"})
    with pytest.raises(DataImportError) as caught:
        rate(nok, sources)
    problem = next(p for p in caught.value.report.errors if p.code is ErrorCode.RATING_CODE_UNKNOWN)
    assert problem.params["value"] == "есть" and problem.location.field == "site_info_01"
    assert problem.params["accepted"] == "present, outdated, absent, not_applicable"


def test_valid_inputs_rate_as_before(nok):
    rating = rate(nok, _sources())
    assert rating.table["S"].iloc[0] == 100.0
    assert not [p for p in rating.report if p.code is ErrorCode.RATING_INPUT_UNCHECKED]


def test_without_a_questionnaire_the_profiles_codes_are_checked_and_a_warning_says_so(
    nok, tmp_path, monkeypatch
):
    from surveykit.config import settings

    monkeypatch.setenv("SURVEYKIT_QUESTIONNAIRES_DIR", str(tmp_path))  # no questionnaire files there
    settings.cache_clear()
    try:
        rating = rate(nok, _sources())
        warnings = [p for p in rating.report if p.code is ErrorCode.RATING_INPUT_UNCHECKED]
        assert {p.params["source"] for p in warnings} == {
            "recipient_survey",
            "website_audit",
            "premises_checklist",
        }
        assert all(p.severity is Severity.WARNING for p in warnings)
        sources = _sources()
        sources["recipient_survey"] = _recode(sources["recipient_survey"], ["q13"], {"yes": "Да"})
        with pytest.raises(DataImportError) as caught:
            rate(nok, sources)
        problem = caught.value.report.errors[0]
        assert problem.params["value"] == "Да" and problem.params["accepted"] == "yes, no, dk"
        table = accepted_codes(nok, {})
        assert table["website_audit"]["remote_phone"].codes == ("functioning", "not_functioning", "absent")
        assert "q1" not in table["recipient_survey"]  # a filter: its other codes are not declared
    finally:
        settings.cache_clear()


def test_profile_codes_missing_from_the_questionnaire_are_errors(nok):
    changed = nok.with_overrides({"1.2": {"present": ["works"]}})
    report = check_rating_inputs(changed, {})
    problem = next(p for p in report.errors if p.code is ErrorCode.PROFILE_STATE_UNKNOWN)
    assert problem.params["state"] == "works" and problem.params["questionnaire"] == "website_audit"
    assert "functioning" in problem.params["choices"]


def test_the_shipped_profiles_agree_with_the_shipped_questionnaires():
    for profile_id in ("ru_nok_344n_2018", "ru_nok_391a_2013", "ua_904_compliance", "bg_quality_2022"):
        profile = load_profile(profile_id)
        assert set(source_questionnaires(profile)) >= {profile.respondents_source}
        assert not check_rating_inputs(profile, {}).problems, profile_id


def test_empty_share_warnings_name_the_codes_they_did_not_count(nok, tmp_path, monkeypatch):
    """Without a questionnaire a filter's other codes are not declared, so 'да' in q7 passes the check; the
    warning about the empty denominator of 3.3 then names it."""
    from surveykit.config import settings

    monkeypatch.setenv("SURVEYKIT_QUESTIONNAIRES_DIR", str(tmp_path))
    settings.cache_clear()
    try:
        sources = _sources()
        sources["recipient_survey"] = _recode(sources["recipient_survey"], ["q7"], {"yes": "да"})
        rating = rate(nok, sources)
    finally:
        settings.cache_clear()
    warning = next(
        p for p in rating.report if p.code is ErrorCode.INDICATOR_NO_DATA and p.params["indicator"] == "3.3"
    )
    assert "q7 holds 'да' ×40, which the profile does not count" in warning.message


# --- the command line --------------------------------------------------------------------------------------------
@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    sources = synthetic_sources(3, 60, seed=3)
    paths = {
        "survey": tmp_path / "survey.csv",
        "audit": tmp_path / "audit.csv",
        "premises": tmp_path / "premises.xlsx",
    }
    sources["recipient_survey"].to_csv(paths["survey"], index=False)
    sources["website_audit"].to_csv(paths["audit"], index=False)
    sources["premises_checklist"].to_excel(paths["premises"], index=False)
    return paths


def test_rate_exits_with_1_and_names_file_row_column_value_and_codes(files, tmp_path, capsys):
    bad = tmp_path / "survey_ru.csv"
    frame = pd.read_csv(files["survey"])
    frame["q15"] = frame["q15"].map({"yes": "Да", "no": "Нет", "dk": "dk"})
    frame.to_csv(bad, index=False)
    assert (
        main(
            [
                "rate",
                "--survey",
                str(bad),
                "--audit",
                str(files["audit"]),
                "--premises",
                str(files["premises"]),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert f"{bad}, row " in err and "column 'q15'" in err and "'Да' is not an accepted code" in err
    assert "accepted: yes, no, dk" in err and "SK606" in err
    premises = pd.read_excel(files["premises"])
    premises["acc_entrance"] = premises["acc_entrance"].map({"yes": 1, "no": 0})
    premises.to_excel(tmp_path / "premises_10.xlsx", index=False)
    code = main(
        [
            "--lang",
            "ru",
            "rate",
            "--survey",
            str(files["survey"]),
            "--premises",
            str(tmp_path / "premises_10.xlsx"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "premises_10.xlsx" in err and "acc_entrance" in err and "допустимы: yes, no" in err


# --- the input template ------------------------------------------------------------------------------------------
def test_the_premises_template_has_drop_downs_a_row_per_institution_and_rates_when_filled(tmp_path, capsys):
    institutions = tmp_path / "institutions.csv"
    pd.DataFrame({"institution_id": ["i1", "i2"], "name": ["ЦСО Первый", "ЦСО Второй"]}).to_csv(
        institutions, index=False
    )
    out = tmp_path / "premises.xlsx"
    assert (
        main(
            ["template", "premises", "--institutions", str(institutions), "--period", "2025", "-o", str(out)]
        )
        == 0
    )
    assert "premises_checklist" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["data", "codes", "read_me", "lists"] and book["lists"].sheet_state == "hidden"
    data = book["data"]
    header = [c.value for c in data[1]]
    assert header[:4] == ["institution_id", "name", "period", "submitted_at"] and set(PREMISES_ITEMS) <= set(
        header
    )
    assert [data.cell(row=r, column=1).value for r in (2, 3)] == ["i1", "i2"]
    rules = {str(v.sqref): v for v in data.data_validations.dataValidation}
    column = openpyxl.utils.get_column_letter(header.index("acc_entrance") + 1)
    rule = rules[f"{column}2:{column}3"]
    listed = rule.formula1.split("!")[1].replace("$", "").split(":")
    codes = [c.value for row in book["lists"][listed[0] : listed[1]] for c in row]
    assert rule.type == "list" and codes == ["yes", "no"] and rule.showErrorMessage
    codes_sheet = list(book["codes"].iter_rows(values_only=True))
    assert "вопрос (ru)" in codes_sheet[0][1] and "question (en)" in codes_sheet[0][2]
    entrance = [r for r in codes_sheet if r[0] == "acc_entrance"]
    assert [(r[3], r[5]) for r in entrance] == [("yes", "Present"), ("no", "Absent")]
    text = " ".join(str(r[0]) for r in book["read_me"].iter_rows(values_only=True) if r[0])
    assert "surveykit rate --premises" in text and "Заполните" in text
    # fill it as an auditor would and rate: the template passes the input check
    for r, value in ((2, "yes"), (3, "no")):
        for j, name in enumerate(header, start=1):
            if name in PREMISES_ITEMS:
                data.cell(row=r, column=j, value=value)
    book.save(out)
    frame = pd.read_excel(out, sheet_name=0)
    survey_frame = pd.concat([survey("i1", "2025", 30, all_yes(30)), survey("i2", "2025", 30, all_yes(30))])
    rating = rate("ru_nok_344n_2018", {"recipient_survey": survey_frame, "premises_checklist": frame})
    assert rating.table.set_index("institution_id").loc["i1", "2.1"] == 100.0
    assert rating.table.set_index("institution_id").loc["i2", "2.1"] == 0.0


def test_the_survey_template_lists_its_questions_and_unknown_sources_are_refused(tmp_path, capsys):
    out = tmp_path / "survey.xlsx"
    assert main(["template", "survey", "-o", str(out), "--rows", "5"]) == 0
    header = [c.value for c in openpyxl.load_workbook(out)["data"][1]]
    assert header[:3] == ["institution_id", "name", "period"] and "q1" in header and "q15" in header
    assert main(["template", "kitchen", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "SK904" in err and "premises" in err
