"""`surveykit qc`: run, cases, decide, backchecks, record, exclude, restore, exclusions, effect."""

from __future__ import annotations

import json

from surveykit.cli.main import main
from surveykit.store import Store


def qc(capsys, url, *args):
    code = main(["qc", *args, "--url", url])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_workflow_from_the_command_line(demo_url, capsys, report_checks):
    code, out, _ = qc(capsys, demo_url, "run", "recipient_survey")
    assert code == 0 and "161 interviews checked" in out and "random" in out
    code, out, _ = qc(capsys, demo_url, "run", "recipient_survey", "--json")
    again = json.loads(out)
    assert again["cases_opened"] == 0 and sum(again["queued"].values()) == 0
    code, out, _ = qc(capsys, demo_url, "cases", "--status", "open", "--json")
    cases = json.loads(out)["rows"]
    assert cases and all(c["status"] == "open" for c in cases)
    code, out, _ = qc(capsys, demo_url, "cases", "--status", "open", "--json", "--lang", "ru")
    in_russian = json.loads(out)["rows"]
    assert [c["id"] for c in in_russian] == [c["id"] for c in cases]
    worded = [(en["detail"], ru["detail"]) for en, ru in zip(cases, in_russian, strict=True) if en["detail"]]
    assert worded and all(en != ru for en, ru in worded)  # each case in the language asked for
    code, out, _ = qc(capsys, demo_url, "backchecks", "recipient_survey", "--status", "queued", "--json")
    queued = json.loads(out)["rows"]
    first = next(r for r in queued if r["interviewer_id"] == "vera")

    code, _, err = qc(capsys, demo_url, "record", str(first["id"]), "--outcome", "full_falsificaton")
    assert code == 1 and "SK536" in err and "did you mean 'full_falsification'" in err
    code, _, err = qc(capsys, demo_url, "record", str(first["id"]), "--outcome", "full_falsification")
    assert code == 1 and "SK537" in err and "happened" in err  # the form's required answers
    code, out, _ = qc(capsys, demo_url, "record", str(first["id"]), "--outcome", "full_falsification",
                      "--answer", "happened=no", "--answer", "eligible=yes", "--answer", "staff_present=no",
                      "--method", "telephone")  # fmt: skip
    assert code == 0 and "falsification" in out and "SK-" in out
    code, out, _ = qc(capsys, demo_url, "exclusions", "--json")
    (excluded,) = json.loads(out)["rows"]
    assert excluded["interview_id"] == first["interview_id"]
    code, out, _ = qc(capsys, demo_url, "effect", "--json")
    rows = json.loads(out)["rows"]
    assert sum(r["excluded"] for r in rows) == 1

    code, _, err = qc(capsys, demo_url, "restore", first["interview_id"])
    assert code == 1 and "SK533" in err
    code, out, _ = qc(capsys, demo_url, "restore", first["interview_id"], "--reason", "appeal upheld")
    assert code == 0 and "appeal upheld" in out
    code, _, err = qc(capsys, demo_url, "restore", first["interview_id"], "--reason", "again")
    assert code == 1 and "SK539" in err
    code, out, _ = qc(capsys, demo_url, "exclude", first["interview_id"], "--reason", "second back-check")
    assert code == 0
    code, _, err = qc(capsys, demo_url, "exclude", first["interview_id"], "--reason", "twice")
    assert code == 1 and "SK538" in err

    open_case = cases[0]["id"]
    code, _, err = qc(capsys, demo_url, "decide", str(open_case), "backchek")
    assert code == 1 and "SK532" in err
    code, out, _ = qc(
        capsys, demo_url, "decide", str(open_case), "approve", "--comment", "checked the paradata"
    )
    assert code == 0 and "closed approved" in out
    code, _, err = qc(capsys, demo_url, "decide", str(open_case), "approve")
    assert code == 1 and "SK531" in err
    with Store.open(demo_url) as store:
        audit = store.audit_frame(actor="operator")
    assert {"open", "queue", "record", "exclude", "lift", "decide"} <= set(audit["action"])


def test_missing_arguments_say_what_to_type(demo_url, capsys, report_checks):
    code, _, err = qc(capsys, demo_url, "run")
    assert code == 1 and "SK904" in err and "surveykit qc run recipient_survey" in err
    code, _, err = qc(capsys, demo_url, "record", "x", "--outcome", "confirmed_ok")
    assert code == 1 and "not a back-check number" in err
