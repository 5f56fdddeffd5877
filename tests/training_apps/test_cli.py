"""``surveykit certificates`` and ``surveykit training`` end to end through ``surveykit.cli.main.main``:
keygen, a diploma batch from a CSV with the "best social worker" template, cohort issuance with the rules
checked, verify / suspend / reinstate / revoke / list, and attendance, mock, progress and export."""

from __future__ import annotations

import csv
import json

import pytest

from surveykit.cli.main import main
from surveykit.store import Store

from .helpers import add_trainee, full_attendance, key_answer, passed_mock


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_keygen_writes_a_key_once(capsys, tmp_path):
    path = tmp_path / "keys" / "issuer.pem"
    code, out, _ = run(capsys, "certificates", "keygen", "--key", str(path), "--json")
    assert code == 0 and json.loads(out)["fingerprint"] and path.is_file()
    code, _, err = run(capsys, "certificates", "keygen", "--key", str(path))
    assert code == 1 and "error" in err  # never replaced without --force
    assert run(capsys, "certificates", "keygen", "--key", str(path), "--force")[0] == 0


def test_diplomas_from_the_best_social_worker_template_are_issued_from_a_csv(capsys, tmp_path, key):
    people = tmp_path / "finalists.csv"
    with people.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "place", "nomination", "institution"])
        writer.writerow(
            ["Петрова Анна Сергеевна", "1 место", "Лучший социальный работник", "КЦСОН «Рассвет»"]
        )
        writer.writerow(["Сидоров Иван Петрович", "финалист", "Молодой специалист", "ЦСО «Надежда»"])
        writer.writerow(
            ["", "финалист", "Молодой специалист", "ЦСО «Надежда»"]
        )  # no name: reported, batch goes on
    out = tmp_path / "diplomas"
    code, text, _ = run(
        capsys, "certificates", "issue", str(people), "--template", "best-social-worker-finalist",
        "--field", "region=Свердловской области", "--out", str(out), "--json",
    )  # fmt: skip
    summary = json.loads(text)
    assert code == 1 and len(summary["issued"]) == 2 and len(summary["failed"]) == 1
    assert summary["failed"][0]["code"] == "SK107"
    assert (out / "certificates.pdf").is_file() and len(list(out.glob("SK-*.pdf"))) == 2
    record_file = out / "records.jsonl"
    first = json.loads(record_file.read_text(encoding="utf-8").splitlines()[0])
    assert first["credentialSubject"]["fields"]["region"] == "Свердловской области"
    code, text, _ = run(capsys, "certificates", "verify", str(record_file), "--offline", "--json")
    assert code == 0 and json.loads(text)["status"] == "valid"


@pytest.fixture
def cohort(store, service):
    """Two trainees of cohort c1: t1 meets every rule, t2 has no attendance; a supervisor for the log."""
    add_trainee(store, "t1", "Иванова Мария Петровна")
    add_trainee(store, "t2", "Смирнов Олег Ильич")
    add_trainee(store, "sofia", "София Петрова", roles=("supervisor",))
    store.training.create_cohort("c1", "Май 2026", members=["t1", "t2"])
    for person in ("t1", "t2"):
        attempt = service.start_exam(person, seed=person)
        for item_id in attempt.item_ids:
            service.save_answer(attempt.attempt_id, item_id, key_answer(service.course.item(item_id)))
        assert service.submit_exam(attempt.attempt_id).certificate is None  # nothing else is done yet
    full_attendance(service, "t1")
    passed_mock(service, "t1")
    return "c1"


def test_cohort_issuance_checks_the_rules_and_fills_the_register(capsys, store_url, cohort, tmp_path):
    code, text, _ = run(
        capsys,
        "certificates",
        "issue",
        "--cohort",
        cohort,
        "--url",
        store_url,
        "--out",
        str(tmp_path / "b"),
        "--json",
    )
    result = json.loads(text)
    assert code == 0 and len(result["registered"]) == 1
    assert [s["person_id"] for s in result["skipped"]] == ["t2"]
    assert any("attendance" in r for r in result["skipped"][0]["reasons"])
    serial = result["registered"][0]
    code, text, _ = run(capsys, "certificates", "verify", serial, "--url", store_url)
    assert code == 0 and text.startswith("valid")
    code, text, _ = run(
        capsys,
        "--lang",
        "ru",
        "certificates",
        "verify",
        serial.lower().replace("-", " "),
        "--url",
        store_url,
        "--lang",
        "ru",
    )
    assert code == 0 and "действителен" in text
    # a second run skips t1: already certified
    code, text, _ = run(
        capsys, "certificates", "issue", "--cohort", cohort, "--url", store_url, "--out", str(tmp_path / "c")
    )
    assert code == 0 and "already holds" in text


def test_suspend_reinstate_revoke_and_list(capsys, store_url, cohort, tmp_path):
    _, text, _ = run(
        capsys,
        "certificates",
        "issue",
        "--person",
        "t1",
        "--url",
        store_url,
        "--out",
        str(tmp_path / "b"),
        "--json",
    )
    serial = json.loads(text)["registered"][0]
    code, _, err = run(capsys, "certificates", "suspend", serial, "--url", store_url)
    assert code == 1 and "--reason" in err
    assert (
        run(
            capsys,
            "certificates",
            "suspend",
            serial,
            "--reason",
            "confirmed falsification",
            "--by",
            "sofia",
            "--url",
            store_url,
        )[0]
        == 0
    )
    code, text, _ = run(capsys, "certificates", "verify", serial, "--url", store_url, "--json")
    assert code == 1 and json.loads(text)["status"] == "suspended"
    with Store.open(store_url) as store:
        assert "suspended" in store.training.certification_problem("t1")
    assert (
        run(
            capsys,
            "certificates",
            "reinstate",
            serial,
            "--reason",
            "not confirmed",
            "--by",
            "sofia",
            "--url",
            store_url,
        )[0]
        == 0
    )
    assert run(capsys, "certificates", "verify", serial, "--url", store_url)[0] == 0
    assert (
        run(capsys, "certificates", "revoke", serial, "--reason", "issued by mistake", "--url", store_url)[0]
        == 0
    )
    code, text, _ = run(capsys, "certificates", "list", "--url", store_url, "--json")
    rows = json.loads(text)["certificates"]
    assert [(r["serial"], r["status"], r["reason"]) for r in rows] == [
        (serial, "revoked", "issued by mistake")
    ]
    code, text, _ = run(capsys, "certificates", "list", "--url", store_url, "--status", "valid")
    assert code == 0 and "no certificates" in text
    code, _, err = run(
        capsys, "certificates", "revoke", "SK-2026-0000-0000", "--reason", "x", "--url", store_url
    )
    assert code == 1 and "SK8" in err


def test_training_commands_record_and_report(capsys, store_url, store, tmp_path):
    add_trainee(store, "t1", "Иванова Мария Петровна")
    add_trainee(store, "trainer", "Петров Пётр", roles=("trainer",))
    assert run(capsys, "training", "cohort", "c9", "Группа 9", "--member", "t1", "--url", store_url)[0] == 0
    code, text, _ = run(
        capsys,
        "training",
        "attendance",
        "M4",
        "2",
        "--cohort",
        "c9",
        "--date",
        "2026-05-14",
        "--by",
        "trainer",
        "--url",
        store_url,
    )
    assert code == 0 and "1 trainee" in text
    code, _, err = run(capsys, "training", "attendance", "M44", "2", "--person", "t1", "--url", store_url)
    assert code == 1 and "M4" in err  # did you mean
    scores = [
        f"{item}=2" for item in ("introduction", "consent", "privacy", "verbatim", "order", "skip_logic")
    ]
    scores += [
        f"{item}=2" for item in ("neutral_probing", "dk_refusal", "recording", "open_verbatim", "closing")
    ]
    code, text, _ = run(
        capsys, "training", "mock", "t1", *scores, "paradata=1", "--by", "trainer", "--url", store_url
    )
    assert code == 0 and "23 of 24: passed" in text
    code, text, _ = run(capsys, "training", "progress", "--cohort", "c9", "--url", store_url, "--json")
    row = json.loads(text)["trainees"][0]
    assert row["person_id"] == "t1" and row["hours"] == 2 and row["mock_passed"] is True
    assert "attendance" in row["missing"]
    code, text, _ = run(capsys, "training", "progress", "--url", store_url)
    assert code == 0 and "Иванова" in text
    xlsx = tmp_path / "out" / "results.xlsx"
    assert run(capsys, "training", "export", str(xlsx), "--cohort", "c9", "--url", store_url)[0] == 0
    import pandas as pd

    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert set(sheets) == {"progress", "modules", "exam_attempts", "item_statistics", "item_review"}
    assert run(capsys, "training", "export", str(tmp_path / "p.csv"), "--url", store_url)[0] == 0
    code, _, err = run(capsys, "training", "export", str(tmp_path / "p.txt"), "--url", store_url)
    assert code == 1 and "SK102" in err
