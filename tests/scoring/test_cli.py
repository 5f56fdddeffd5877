"""`surveykit rate` end to end: files in, CSV and a readable Excel workbook out."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from surveykit.cli.main import main
from surveykit.scoring import rate
from surveykit.scoring.demo import synthetic_sources


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    sources = synthetic_sources(4, 240, seed=7)
    paths = {
        "survey": tmp_path / "survey.csv",
        "audit": tmp_path / "audit.parquet",
        "premises": tmp_path / "premises.xlsx",
        "institutions": tmp_path / "institutions.csv",
    }
    sources["recipient_survey"].to_csv(paths["survey"], index=False)
    sources["website_audit"].to_parquet(paths["audit"])
    sources["premises_checklist"].to_excel(paths["premises"], index=False)
    pd.DataFrame(
        {
            "institution_id": [f"inst_{i:04d}" for i in range(5)],
            "name": [f"Центр {i}" for i in range(5)],
            "recipients": [150] * 5,
        }
    ).to_csv(paths["institutions"], index=False)
    return paths


def test_rate_writes_csv_and_a_readable_workbook(files, tmp_path: Path, capsys):
    out, csv = tmp_path / "ratings.xlsx", tmp_path / "ratings.csv"
    code = main(
        [
            "rate",
            "--survey",
            str(files["survey"]),
            "--audit",
            str(files["audit"]),
            "--premises",
            str(files["premises"]),
            "--institutions",
            str(files["institutions"]),
            "--out",
            str(out),
            "--csv",
            str(csv),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "period 2025: 4 of 5 institutions ranked" in printed and "Центр 4" in printed

    table = pd.read_csv(csv, dtype={"period": str})
    expected = rate(
        "ru_nok_344n_2018", synthetic_sources(4, 240, seed=7), institutions=pd.read_csv(files["institutions"])
    ).table
    merged = table.merge(expected, on="institution_id", suffixes=("_csv", ""))
    assert (merged["S_csv"].fillna(-1) == merged["S"].fillna(-1)).all()
    assert set(table["status"]) == {"ranked", "not rated: no interviews"}

    workbook = openpyxl.load_workbook(out, read_only=True)
    assert workbook.sheetnames == [
        "rating",
        "indicators",
        "findings",
        "warnings",
        "conclusions",
        "regional",
        "table",
    ]
    rows = list(workbook["rating"].iter_rows(values_only=True))
    header = rows[0]
    assert {"rank", "name", "S", "K1", "K5", "status"} <= set(header)
    first = dict(zip(header, rows[1], strict=True))
    assert first["rank"] == 1 and isinstance(first["S"], float)
    conclusions = list(workbook["conclusions"].iter_rows(values_only=True))
    assert conclusions[0][3:] == ("text_ru", "text_en") and "балла из 100" in conclusions[1][3]


def test_rate_json_and_a_variant(files, capsys):
    code = main(
        [
            "rate",
            "--json",
            "--survey",
            str(files["survey"]),
            "--audit",
            str(files["audit"]),
            "--premises",
            str(files["premises"]),
            "--variant",
            "k2_with_waiting_time",
        ]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["ok"] and payload["profile"] == "ru_nok_344n_2018"
    assert len(payload["rating"]) == 4 and "S" in payload["rating"][0]


def test_rate_reports_bad_inputs_with_exit_code_1(files, tmp_path: Path, capsys):
    assert main(["rate", "--survey", str(tmp_path / "missing.csv")]) == 1
    assert "SK101" in capsys.readouterr().err
    broken = tmp_path / "broken.csv"
    pd.read_csv(files["survey"]).drop(columns=["q15"]).to_csv(broken, index=False)
    assert main(["rate", "--survey", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "SK702" in err and "q15" in err and "indicator 5.3" in err
    assert main(["rate", "--survey", str(files["survey"]), "--profile", "nope"]) == 1
    assert "SK601" in capsys.readouterr().err
