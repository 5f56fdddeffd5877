"""The command line of administration: `surveykit users ...`, `surveykit audit ...`, `surveykit db backup|restore`."""

from __future__ import annotations

import csv
import json

import pytest

from surveykit.cli.main import main
from surveykit.config import settings
from surveykit.errors import AccessDenied, ErrorCode
from surveykit.store import Store


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    """An upgraded SQLite database, made the configured one (SURVEYKIT_DATABASE_URL)."""
    url = f"sqlite:///{tmp_path / 'data' / 'surveykit.sqlite'}"
    monkeypatch.setenv("SURVEYKIT_DATABASE_URL", url)
    settings.cache_clear()
    Store.upgrade(url)
    yield url
    settings.cache_clear()


def _code(out: str) -> str:
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("access code: "))


def test_users_add_prints_the_code_once_and_it_signs_in(database, capsys):
    assert (
        main(["users", "add", "anna", "Анна Иванова", "--roles", "interviewer,trainee", "--login", "ANNA01"])
        == 0
    )
    out = capsys.readouterr().out
    code = _code(out)
    assert "shown only once" in out and "roles interviewer, trainee" in out
    with Store.open(database) as store:
        assert store.sign_in("anna01", code).id == "anna"
        [entry] = store.audit_frame(action="create", entity="person").to_dict("records")
        assert entry["actor"] == "operator" and code not in json.dumps(entry["details"])
    assert main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "anna" in listing and "ANNA01" in listing and code not in listing and "1 people" in listing


def test_users_roles_reset_deactivate_activate_unlock(database, capsys):
    main(["users", "add", "ada", "Ada", "--roles", "administrator", "--code", "ADMN-2468"])
    main(
        ["users", "add", "anna", "Anna", "--roles", "interviewer", "--login", "ANNA01", "--code", "7F3K-9QXM"]
    )
    capsys.readouterr()
    assert main(["users", "roles", "ANNA01", "--roles", "interviewer,supervisor", "--by", "ada"]) == 0
    assert "roles interviewer, supervisor" in capsys.readouterr().out
    with Store.open(database) as store:
        for _ in range(5):
            with pytest.raises(AccessDenied):
                store.sign_in("anna01", "WRNG-CODE")
    assert main(["users", "list", "--json"]) == 0
    [anna] = [p for p in json.loads(capsys.readouterr().out)["people"] if p["id"] == "anna"]
    assert anna["locked_until"] is not None and anna["failed_sign_ins"] == 5
    assert main(["users", "unlock", "anna01", "--by", "ada"]) == 0  # the login, as SK520's hint says
    assert "locked" not in capsys.readouterr().out
    assert main(["users", "reset-code", "anna", "--json"]) == 0
    new_code = json.loads(capsys.readouterr().out)["access_code"]
    assert main(["users", "deactivate", "anna"]) == 0
    assert "DEACTIVATED" in capsys.readouterr().out
    with Store.open(database) as store:
        with pytest.raises(AccessDenied) as info:
            store.sign_in("anna01", new_code)
        assert info.value.code is ErrorCode.ACCOUNT_INACTIVE
    assert main(["users", "activate", "anna"]) == 0
    with Store.open(database) as store:
        assert store.sign_in("anna01", new_code).id == "anna"
        actions = store.audit_frame(entity="person", entity_id="anna")["action"].tolist()
    assert {"set_roles", "unlock", "set_access_code", "deactivate", "activate"} <= set(actions)
    # errors: an unknown person, a missing option, the last administrator
    assert main(["users", "unlock", "anan"]) == 1
    assert "SK503" in capsys.readouterr().err
    assert main(["users", "roles", "anna"]) == 1
    assert "needs --roles" in capsys.readouterr().err
    assert main(["users", "deactivate", "ada"]) == 1
    assert "SK523" in capsys.readouterr().err


def test_audit_show_and_export_csv_and_jsonl_with_filters(database, tmp_path, capsys):
    main(["users", "add", "anna", "Anna", "--roles", "interviewer", "--by", "ada"])
    main(["users", "add", "boris", "Boris", "--roles", "interviewer", "--by", "olga"])
    main(["users", "deactivate", "boris", "--by", "olga"])
    capsys.readouterr()
    assert main(["audit", "show", "--actor", "olga"]) == 0
    out = capsys.readouterr().out
    assert "deactivate" in out and "anna" not in out and "2 entries" in out
    assert (
        main(
            ["audit", "export", "--format", "csv", "-o", str(tmp_path / "audit.csv"), "--entity-id", "boris"]
        )
        == 0
    )
    with open(tmp_path / "audit.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["action"] for r in rows] == ["create", "deactivate"] and rows[0]["actor"] == "olga"
    assert json.loads(rows[1]["details"])["was_active"] is True
    assert main(["audit", "export", "-o", str(tmp_path / "audit.jsonl"), "--action", "create"]) == 0
    lines = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["entity_id"] for e in lines] == ["anna", "boris"] and lines[0]["at"].endswith("+00:00")
    assert main(["audit", "show", "--since", "2000-01-01", "--until", "2000-12-31"]) == 0
    assert "0 entries" in capsys.readouterr().out
    assert main(["audit", "show", "--since", "yesterday"]) == 1
    assert "is not a date" in capsys.readouterr().err
    assert main(["audit", "export"]) == 1
    assert "needs -o FILE" in capsys.readouterr().err


def test_db_backup_and_restore_on_the_command_line(database, tmp_path, capsys):
    main(["users", "add", "anna", "Anna", "--roles", "interviewer"])
    capsys.readouterr()
    archive = tmp_path / "backups" / "surveykit.zip"
    assert main(["db", "backup", "-o", str(archive)]) == 0
    assert "tables written" in capsys.readouterr().out and archive.exists()
    target = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    assert main(["db", "restore", str(archive), "--url", target, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"]["people"] == 1
    with Store.open(target) as store:
        assert store.person("anna").display_name == "Anna"
    assert main(["db", "restore", str(archive), "--url", target]) == 1  # not empty any more
    assert "SK526" in capsys.readouterr().err
    assert main(["db", "backup"]) == 1
    assert "backup needs a file" in capsys.readouterr().err
