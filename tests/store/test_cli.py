"""The command line of the store: `surveykit db ...` and `surveykit responses ...`."""

from __future__ import annotations

import json

import pytest

from surveykit.cli.main import main
from surveykit.config import settings
from surveykit.store import Store

from .helpers import certify, example_answers
from .test_import_export import _row, _write_csv

EXAMPLE = str(settings().root / "questionnaires" / "example_all_types.yaml")


@pytest.fixture
def database(sqlite_url, monkeypatch) -> str:
    """An SQLite URL, made the configured database (SURVEYKIT_DATABASE_URL)."""
    monkeypatch.setenv("SURVEYKIT_DATABASE_URL", sqlite_url)
    settings.cache_clear()
    yield sqlite_url
    settings.cache_clear()


def test_db_upgrade_current_and_publish(database, tmp_path, capsys):
    assert main(["db", "current"]) == 1
    assert "run `surveykit db upgrade`" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert "upgraded from an empty database" in capsys.readouterr().out
    assert (tmp_path / "data" / "surveykit.sqlite").exists()
    assert main(["db", "current", "--json"]) == 0
    state = json.loads(capsys.readouterr().out)
    assert state["ok"] and state["current"] == state["head"]
    assert main(["db", "publish", EXAMPLE]) == 0
    assert "published example_all_types@2026.1" in capsys.readouterr().out
    assert main(["db", "publish", EXAMPLE]) == 0  # the same content again: fine


def test_opening_before_upgrading_tells_what_to_do(database, capsys):
    assert main(["responses", "export", "-q", "x", "-o", "out.csv"]) == 1
    assert "SK502" in capsys.readouterr().err


def test_responses_import_and_export(database, tmp_path, capsys, example):
    main(["db", "upgrade"])
    with Store.open(database) as store:
        store.publish(example)
        store.add_institution("csp1", "Centre 1")
        store.add_person("anna", "Anna")
        store.add_person("boris", "Boris")
        certify(store, "anna")
        meta = store.start_interview(
            "example_all_types", institution_id="csp1", interviewer_id="anna", mode="telephone"
        )
        store.submit(meta.id, example_answers())
    capsys.readouterr()
    good = _write_csv(tmp_path / "forms.csv", [_row(), _row()])
    assert main(["responses", "import", str(good), "-q", "example_all_types@2026.1", "--by", "anna"]) == 0
    assert "imported 2 interview(s)" in capsys.readouterr().out
    bad = _write_csv(tmp_path / "bad.csv", [_row(age="x"), _row(interviewer_id="boris")])
    assert main(["responses", "import", str(bad), "-q", "example_all_types"]) == 1
    err = capsys.readouterr().err
    assert "nothing imported" in err and "row 2, column 'age'" in err and "SK507" in err
    # the certification check can be switched off explicitly
    assert main(["responses", "import", str(bad), "-q", "example_all_types", "--skip-invalid",
                 "--no-certification-check", "--json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert (result["imported"], result["rejected_rows"]) == (1, [2])
    out = tmp_path / "export.json"
    assert main(["responses", "export", "-q", "example_all_types", "--format", "json", "-o", str(out)]) == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 4
    assert main(["responses", "export", "-q", "example_all_types"]) == 2  # no -o


def test_import_with_defaults_and_a_column_map(database, tmp_path, capsys, example):
    main(["db", "upgrade"])
    with Store.open(database) as store:
        store.publish(example)
        store.add_institution("csp1", "Centre 1")
        store.add_person("anna", "Anna")
        certify(store, "anna")
    header = ["Q_AGE", "consent", "interview_date", "region", "municipality", "services", "satisfaction"]
    row = {"Q_AGE": "70", "consent": "yes", "interview_date": "2026-03-01", "region": "north",
           "municipality": "n_city", "services": "meals", "satisfaction": "5"}  # fmt: skip
    path = _write_csv(tmp_path / "paper.csv", [row], header)
    args = ["responses", "import", str(path), "-q", "example_all_types", "--map", "Q_AGE=age",
            "--institution", "csp1", "--interviewer", "anna", "--mode", "face_to_face", "--period", "2026-Q1"]  # fmt: skip
    assert main(args) == 0, capsys.readouterr()
    with Store.open(database) as store:
        frame = store.interviews_frame("example_all_types")
    assert (frame["age"].tolist(), frame["period"].tolist(), frame["mode"].tolist()) == (
        [70],
        ["2026-Q1"],
        ["face_to_face"],
    )
