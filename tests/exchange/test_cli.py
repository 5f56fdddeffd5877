"""The export, import and codebook commands end to end through ``surveykit.cli.main.main``."""

from __future__ import annotations

import json

import pyreadstat

from surveykit.cli.main import main

from .helpers import QUESTIONNAIRES, checksum


def test_export_with_filters_labels_and_a_codebook(db_url, tmp_path, capsys):
    out = tmp_path / "exports" / "survey.sav"
    code = main(
        [
            "export",
            "recipient_survey",
            "--database",
            db_url,
            "-o",
            str(out),
            "--lang",
            "ru",
            "--institution",
            "csp2",
            "--codebook",
            "md",
        ]  # fmt: skip
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "выгружено интервью: 10" in printed and "псевдонимами" in printed
    data, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert len(data) == 10 and set(data["institution_id"]) == {"csp2"}
    assert meta.variable_value_labels["q2"][98.0] == "Затрудняюсь ответить"
    assert (tmp_path / "exports" / "survey_codebook.md").exists()


def test_export_as_json_and_with_another_label_language(db_url, tmp_path, capsys):
    out = tmp_path / "staff.dta"
    assert main(["export", "staff_survey", "--url", db_url, "--format", "dta", "-o", str(out),
                 "--labels", "en", "--no-pseudonymise", "--json"]) == 0  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    assert payload["ok"] and payload["language"] == "en" and not payload["pseudonymised"]
    _, meta = pyreadstat.read_dta(str(out))
    assert meta.variable_value_labels["plan_to_stay"][1] == "Yes"


def test_import_dry_run_prints_the_report_and_writes_nothing(db_url, tmp_path, capsys):
    from surveykit.store import Store

    path = tmp_path / "in.csv"
    path.write_text("consent,age,colour\nyes,17,red\n", encoding="utf-8")
    with Store.open(db_url) as store:
        before = checksum(store)
    code = main(["import", str(path), "--questionnaire", "example_all_types", "--url", db_url, "--dry-run"])
    assert code == 1
    out = capsys.readouterr().out
    assert "SK701" in out and "colour" in out and "SK407" in out and "dry run" in out
    with Store.open(db_url) as store:
        assert checksum(store) == before
    # without a database, against the questionnaire file
    code = main(["--lang", "ru", "import", str(path), "--questionnaire", str(QUESTIONNAIRES / "example_all_types.yaml"),
                 "--dry-run", "--lang", "ru", "--map", "colour=region"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1 and "пробный прогон" in out and "SK403" in out and "SK701" not in out


def test_import_writes_a_clean_file(db_url, tmp_path, capsys):
    path = tmp_path / "in.csv"
    path.write_text(
        "consent,interview_date,age,region,municipality,services,satisfaction\n"
        "yes,2026-02-01,70,north,n_city,meals,4\n",
        encoding="utf-8",
    )
    code = main(["import", str(path), "--questionnaire", "example_all_types", "--url", db_url,
                 "--institution", "csp1", "--interviewer", "anna", "--mode", "telephone", "--historical"])  # fmt: skip
    assert code == 0, capsys.readouterr()
    assert "imported 1 interview(s)" in capsys.readouterr().out


def test_import_with_errors_prints_every_problem(db_url, tmp_path, capsys):
    path = tmp_path / "in.csv"
    path.write_text("consent,age\nyes,17\nyes,abc\n", encoding="utf-8")
    code = main(["import", str(path), "--questionnaire", "example_all_types", "--url", db_url, "--json"])
    assert code == 1
    payload = json.loads(capsys.readouterr().out)
    assert {(p["code"], p["location"].get("row")) for p in payload["problems"]} >= {
        ("SK407", 2),
        ("SK404", 3),
    }


def test_codebook_from_the_store_and_from_a_file(db_url, tmp_path, capsys):
    out = tmp_path / "cb.html"
    assert main(["codebook", "recipient_survey", "--url", db_url, "-o", str(out), "--lang", "ru"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Кодовая книга" in html and "% от валидных" in html
    plain = tmp_path / "tour.xlsx"
    assert (
        main(
            ["codebook", str(QUESTIONNAIRES / "example_all_types.yaml"), "--format", "xlsx", "-o", str(plain)]
        )
        == 0
    )
    assert plain.exists()
    assert main(["codebook", "nope", "--url", db_url]) == 1
    assert "SK503" in capsys.readouterr().err
