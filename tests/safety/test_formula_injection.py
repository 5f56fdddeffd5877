"""Formula injection (OWASP "CSV Injection") end to end: the OWASP payloads typed as institution names,
person names, a cohort name, logins (one typed at a failed sign-in, which lands in the audit log) and
free-text answers; every CSV and XLSX export of the project is run; each file is reopened with the csv module
or openpyxl, and no cell is one a spreadsheet would evaluate. Each check also finds the payload in the file
(as a guarded text), so a writer that dropped the texts could not pass."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from surveykit.cli.main import main
from surveykit.dashboard import dashboard_data
from surveykit.dashboard.export import council_workbook, write_council_export
from surveykit.dashboard.sample import build_sample_database, sample_data
from surveykit.errors import AccessDenied
from surveykit.questionnaire.io import questionnaire_from_data, save_questionnaire
from surveykit.store import Store

from .helpers import PAYLOADS, csv_cells, csv_danger, xlsx_cells, xlsx_danger

pytestmark = pytest.mark.slow


def _payload(i: int) -> str:
    return f"{PAYLOADS[i % len(PAYLOADS)]} #{i}"


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory) -> dict:
    """A store whose institutions, people, cohort, free-text answers and audit log hold the payloads."""
    folder = tmp_path_factory.mktemp("poisoned")
    url = f"sqlite:///{folder / 'surveykit.sqlite'}"
    sample = sample_data(interviews_per_institution=8, periods=("2025",))
    institutions = sample.frames["institutions"]
    institutions["name"] = [_payload(i) for i in range(len(institutions))]
    sample.interviewers = {ident: _payload(i + 3) for i, ident in enumerate(sample.interviewers)}
    survey = sample.frames["recipient_survey"]
    answered = np.flatnonzero(survey["q16"].notna().to_numpy())
    assert len(answered) >= len(PAYLOADS)
    survey = survey.astype({"q16": object})
    survey.loc[survey.index[answered], "q16"] = [_payload(i) for i in range(len(answered))]
    sample.frames["recipient_survey"] = survey
    build_sample_database(url, sample)
    with Store.open(url) as store:
        for i in range(3):
            store.add_person(f"trainee{i}", _payload(i), ["trainee"], login=f"t{i}", by="operator")
        store.training.create_cohort("c1", _payload(5), members=["trainee0", "trainee1", "trainee2"])
        for login in PAYLOADS:  # typed at the sign-in page: recorded as the unknown login
            with pytest.raises(AccessDenied):
                store.sign_in(login, "WRNG-CODE")
    return {"url": url, "folder": folder}


def _run(*argv: str) -> None:
    assert main(list(argv)) == 0, argv


def _assert_csv_safe(path: Path, expect_payload: bool = True) -> None:
    assert csv_danger(path) == [], path.name
    if expect_payload:
        cells = csv_cells(path)
        assert any(c.startswith("'") and c.lstrip("'")[:1] in "=+-@\t\r" for c in cells), (
            f"{path.name}: no payload reached the file, so the check proves nothing"
        )


def _assert_xlsx_safe(path_or_bytes, name: str, expect_payload: bool = True) -> None:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    assert xlsx_danger(source) == [], name
    if expect_payload:
        source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
        texts = [c.value for c in xlsx_cells(source) if isinstance(c.value, str)]
        assert any(t.startswith(("=", "+", "-2+3", "@")) for t in texts), f"{name}: no payload in the file"


def test_responses_export_csv(poisoned, tmp_path):
    out = tmp_path / "responses.csv"
    _run("responses", "export", "-q", "recipient_survey", "-o", str(out), "--url", poisoned["url"])
    _assert_csv_safe(out)


@pytest.mark.parametrize("excel", [False, True], ids=["plain", "excel"])
def test_export_csv_with_and_without_excel(poisoned, tmp_path, excel):
    out = tmp_path / "export.csv"
    _run(
        "export", "recipient_survey", "--format", "csv", "-o", str(out), "--url", poisoned["url"],
        "--no-pseudonymise", *(["--excel"] if excel else []),
    )  # fmt: skip
    _assert_csv_safe(out)


def test_export_xlsx_with_its_codebook(poisoned, tmp_path):
    out = tmp_path / "export.xlsx"
    _run("export", "recipient_survey", "--format", "xlsx", "-o", str(out), "--url", poisoned["url"])
    _assert_xlsx_safe(out, out.name)


def test_audit_export_holds_the_login_typed_at_a_failed_sign_in(poisoned, tmp_path):
    out = tmp_path / "audit.csv"
    _run("audit", "export", "-o", str(out), "--url", poisoned["url"])
    _assert_csv_safe(out)
    assert "'" + PAYLOADS[0] in csv_cells(out)  # the unknown login, guarded


def test_rating_workbook_and_csv(poisoned, tmp_path):
    workbook, table = tmp_path / "rating.xlsx", tmp_path / "rating.csv"
    _run("rate", "--url", poisoned["url"], "--out", str(workbook), "--csv", str(table))
    _assert_xlsx_safe(workbook, workbook.name)
    _assert_csv_safe(table)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_training_export(poisoned, tmp_path, suffix):
    out = tmp_path / f"training{suffix}"
    _run("training", "export", str(out), "--cohort", "c1", "--url", poisoned["url"])
    if suffix == ".csv":
        _assert_csv_safe(out)
    else:
        _assert_xlsx_safe(out, out.name)


def test_council_workbook_and_csv_files(poisoned, tmp_path):
    with Store.open(poisoned["url"]) as store:
        data = dashboard_data(store, language="ru", k=1)
        written = write_council_export(data, tmp_path, formats=("xlsx", "csv"))
        content = council_workbook(data)
    _assert_xlsx_safe(content, "council download")
    for path in written:
        if path.suffix == ".xlsx":
            _assert_xlsx_safe(path, path.name)
        else:
            _assert_csv_safe(path, expect_payload=False)
    assert any(any(c.startswith("'=") for c in csv_cells(p)) for p in written if p.suffix == ".csv"), (
        "no institution name reached the council CSV files"
    )


def test_codebook_and_xlsform_of_a_questionnaire_with_payload_labels(tmp_path):
    data = {
        "schema_version": 1,
        "id": "poison",
        "version": "1",
        "title": {"en": PAYLOADS[0]},
        "languages": ["en"],
        "default_language": "en",
        "choice_lists": {"yn": [{"name": "yes", "label": {"en": PAYLOADS[1]}}, {"name": "no"}]},
        "items": [
            {"code": "q1", "type": "select_one", "choices": "yn", "label": {"en": PAYLOADS[2]}},
            {"code": "q2", "type": "text", "label": {"en": PAYLOADS[3]}, "hint": {"en": "=2+2"}},
        ],
    }
    source = tmp_path / "poison.yaml"
    save_questionnaire(questionnaire_from_data(data).unwrap(), source)
    codebook = tmp_path / "codebook.xlsx"
    _run("codebook", str(source), "--format", "xlsx", "-o", str(codebook))
    _assert_xlsx_safe(codebook, codebook.name)
    form = tmp_path / "poison.xlsx"
    _run("convert", str(source), "--to", "xlsform", "-o", str(form))
    _assert_xlsx_safe(form, form.name)


def test_the_sample_import_round_trip_keeps_the_payloads_exact(poisoned):
    """The store's CSV import undoes the guard: what was typed is what is stored."""
    with Store.open(poisoned["url"]) as store:
        names = {i.name for i in store.institutions()}
        texts = set(store.interviews_frame("recipient_survey")["q16"].dropna())
    assert {_payload(i) for i in range(3)} <= names
    assert {_payload(i) for i in range(3)} <= texts
