"""The fieldwork commands: institutions, campaign plan, assignments, contacts, cases and rates."""

from __future__ import annotations

import json

import pandas as pd

from surveykit.cli.main import main
from surveykit.fieldwork.rates import RATE_COLUMNS

from .test_contacts import GOOD_LOG


def cli(capsys, store, *args):
    code = main([*args, "--url", store.url])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_campaign_from_the_command_line(campaign_store, write_csv, tmp_path, capsys):
    store = campaign_store
    register = write_csv("reg.csv", "institution_id,name,type,region,municipality,recipients\n"
                                    "kcson_sev,КЦСОН Северный,kcson,north,Северск,500")  # fmt: skip
    code, out, _ = cli(capsys, store, "institutions", "import", str(register))
    assert code == 0 and "0 institution(s) created, 1 updated" in out
    code, out, _ = cli(capsys, store, "institutions", "list", "--json")
    assert {r["institution_id"]: r["recipients"] for r in json.loads(out)["rows"]}["kcson_sev"] == 500
    code, out, _ = cli(capsys, store, "institutions", "export", str(tmp_path / "reg.xlsx"))
    assert code == 0 and (tmp_path / "reg.xlsx").exists()

    code, out, _ = cli(capsys, store, "campaign", "plan", "--period", "2026", "--dry-run")
    assert code == 0 and "not saved" in out and "КЦСОН Северный" in out and "dom_x" in out
    assert store.assignments() == []
    code, out, _ = cli(capsys, store, "campaign", "plan", "--period", "2026", "--override", "kcson_sev=45",
                       "--lang", "ru")  # fmt: skip
    assert code == 0 and "спланирована и сохранена" in out and "SK560" in out  # 45 < 200: a warning
    code, out, _ = cli(capsys, store, "campaign", "plan", "--period", "2026", "--override", "kcson_sev=many")
    assert code == 1
    code, _, err = cli(capsys, store, "campaign", "plan")
    assert code == 1 and "--period" in err

    code, out, _ = cli(capsys, store, "assignments", "export", str(tmp_path / "a.csv"), "--period", "2026")
    assert code == 0 and len(pd.read_csv(tmp_path / "a.csv", encoding="utf-8-sig")) == 3
    code, out, _ = cli(capsys, store, "assignments", "import", str(tmp_path / "a.csv"))
    assert code == 0 and "3 assignment(s) saved" in out
    code, out, _ = cli(capsys, store, "assignments", "list", "--json")
    assert len(json.loads(out)["rows"]) == 3


def test_contacts_and_rates_from_the_command_line(campaign_store, write_csv, tmp_path, capsys):
    store = campaign_store
    code, out, _ = cli(capsys, store, "fieldwork", "contacts", "import", str(write_csv("log.csv", GOOD_LOG)),
                       "--period", "2026")  # fmt: skip
    assert code == 0 and "5 contact attempt(s)" in out and "3 new case(s)" in out
    bad = write_csv("bad.csv", "case_id,institution_id,interviewer_id,attempted_at,mode,disposition\n"
                               "Z-1,kcson_sev,anna,2026-03-01 10:00,face_to_face,7.7\n"
                               "Z-2,kcson_sev,anna,2099-03-01 10:00,face_to_face,2.24")  # fmt: skip
    code, _, err = cli(capsys, store, "fieldwork", "contacts", "import", str(bad), "--period", "2026")
    assert code == 1 and "row 2" in err and "SK551" in err and "row 3" in err and "SK554" in err
    assert len(store.fieldwork.contacts_frame()) == 5  # nothing of the bad file

    code, out, _ = cli(capsys, store, "fieldwork", "rates", "--period", "2026", "--by", "institution",
                       "--csv", str(tmp_path / "rates.csv"))  # fmt: skip
    assert code == 0 and "50.0%" in out and "—" in out
    table = pd.read_csv(tmp_path / "rates.csv", keep_default_na=False)
    assert list(table.columns) == ["group", *RATE_COLUMNS]
    assert list(table["group"]) == ["cso_2", "kcson_sev", "all"]
    assert table.set_index("group").loc["cso_2", "RR1"] == ""  # not defined: an empty cell, never 0
    code, out, _ = cli(capsys, store, "fieldwork", "rates", "--period", "2026", "--e", "0.25", "--json")
    payload = json.loads(out)
    (row,) = payload["rows"]
    assert row["e"] == 0.25 and row["RR1"] == 0.5
    code, _, err = cli(capsys, store, "fieldwork", "rates", "--period", "2026", "--e", "2")
    assert code == 1 and "between 0 and 1" in err
    code, out, _ = cli(capsys, store, "fieldwork", "cases", "--period", "2026", "--lang", "ru")
    assert code == 0 and "Респондент отказался" in out
    code, out, _ = cli(capsys, store, "fieldwork", "rates", "--period", "1999")
    assert code == 0 and "No contact attempts" in out
    code, out, _ = cli(capsys, store, "fieldwork", "contacts", "export", str(tmp_path / "log.sav"))
    assert code == 0 and (tmp_path / "log.sav").exists()
