"""The demo database: built through the public store API, valid, believable, reproducible from a seed."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from surveykit.cli.main import main
from surveykit.demo import DEMO_ACCESS_CODE, build_demo, demo_exists
from surveykit.questionnaire.validate import validate_frame
from surveykit.scoring import load_profile, rate
from surveykit.store import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    summary = build_demo(url, seed=7, size="small")
    return url, summary


def _answers_digest(url: str) -> str:
    with Store.open(url) as store:
        frame = store.interviews_frame("recipient_survey")
    columns = [
        c for c in frame.columns if c.startswith("q") or c in ("interview_id", "institution_id", "period")
    ]
    text = frame[columns].sort_values("interview_id").astype(str).to_csv(index=False)
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_demo_holds_every_kind_of_data(demo):
    url, summary = demo
    counts = summary.counts
    assert counts["institutions"] == 8 and counts["questionnaires"] == 6
    for key in (
        "recipient interviews",
        "website audit",
        "premises checklist",
        "staff survey responses",
        "needs assessments",
    ):
        assert counts[key] > 0
    with Store.open(url) as store:
        assert {i.municipality for i in store.institutions()} >= {"г. Заречье", "г. Светлогорск"}
        assert store.check_access_code("anna", DEMO_ACCESS_CODE).id == "anna"
        assert store.certification_status("anna").valid
        assert len(store.drafts("anna")) == 2
        progress = store.progress(interviewer_id="anna")
        assert (progress["done"] > 0).all()
        roster = store.repeat_frame("needs_assessment", "relatives")
        assert len(roster) > 0 and {"interview_id", "_index"} <= set(roster.columns)


def test_demo_interviews_pass_validation_and_follow_the_skip_logic(demo):
    url, _ = demo
    with Store.open(url) as store:
        frame = store.interviews_frame("recipient_survey")
        form = store.form("recipient_survey")
    result = validate_frame(form, frame[[c for c in frame.columns if c in form.variables]])
    assert result.ok, str(result.report)
    skipped = frame["q1"].astype(object) == "no"
    assert frame.loc[skipped, "q2"].isna().all() and frame.loc[~skipped, "q2"].notna().any()


def test_ratings_of_the_demo_differ_believably(demo):
    url, _ = demo
    with Store.open(url) as store:
        frames = {
            q: store.interviews_frame(q) for q in ("recipient_survey", "website_audit", "premises_checklist")
        }
    table = rate(load_profile(), frames).table
    scores = table["S"].dropna()
    assert len(scores) == 16  # 8 institutions x 2 periods
    assert scores.between(40, 100).all() and scores.max() - scores.min() > 5


def test_the_same_seed_gives_the_same_interviews(demo, tmp_path):
    url, _ = demo
    again = f"sqlite:///{tmp_path / 'again.sqlite'}"
    build_demo(again, seed=7, size="small")
    assert _answers_digest(url) == _answers_digest(again)
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    build_demo(other, seed=8, size="small")
    assert _answers_digest(other) != _answers_digest(url)


def test_the_command_builds_once_and_refuses_to_build_twice(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert not demo_exists(url)
    assert main(["demo", "build", "--url", url, "--size", "small", "--seed", "3"]) == 0
    assert "sign in with any of these logins" in capsys.readouterr().out
    assert main(["demo", "build", "--url", url, "--size", "small", "--if-missing"]) == 0
    assert "already there" in capsys.readouterr().out
    assert main(["demo", "build", "--url", url, "--size", "small"]) == 1
    assert "--fresh" in capsys.readouterr().out
    assert main(["demo", "build", "--url", url, "--size", "small", "--fresh", "--seed", "4"]) == 0
    with Store.open(url) as store:
        assert isinstance(store.interviews_frame("staff_survey"), pd.DataFrame)


def test_rate_reads_the_store_when_no_files_are_given(demo, tmp_path, capsys):
    url, _ = demo
    out = tmp_path / "rating.csv"
    assert main(["rate", "--url", url, "--period", "2026", "--csv", str(out)]) == 0
    table = pd.read_csv(out)
    assert len(table) == 8 and table["S"].notna().all()
    assert "(ranked)" in capsys.readouterr().out


def test_the_demo_with_planted_falsifiers_opens_cases_for_them_through_the_command(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'planted.sqlite'}"
    assert main(["demo", "build", "--url", url, "--seed", "2026", "--plant-falsifiers"]) == 0
    out = capsys.readouterr().out
    assert "quality-control cases:" in out and "planted falsifiers: 2" in out
    with Store.open(url) as store:
        cases = store.casework.cases(questionnaire_id="recipient_survey")
        per_interviewer = cases[cases["level"] == "interviewer"]
        flagged = set(zip(per_interviewer["rule"], per_interviewer["interviewer_id"], strict=True))
        assert ("too_short", "vera") in flagged  # 3-5 minute interviews
        assert ("filter_avoidance", "boris") in flagged  # "no" to the filters
        assert (cases["status"] == "open").all()  # a flag is a case for a person, never an exclusion
        assert store.casework.exclusions().empty
        queued = store.casework.backchecks()
        assert set(queued.loc[queued["reason"] == "flagged", "interview_id"]) >= set(
            cases.loc[cases["level"] == "interview", "interview_id"]
        )


def test_the_demo_practice_institution_stays_out_of_every_council_output(demo):
    """The demo files trainees' practice under an institution of the unrated type `practice`: it is in the
    directory, and nowhere in the rating, the filters or the fieldwork a council member sees."""
    from surveykit.dashboard import dashboard_data
    from surveykit.training.service import PRACTICE_INSTITUTION

    url, _ = demo
    with Store.open(url) as store:
        assert store.institution(PRACTICE_INSTITUTION).type == "practice"
        data = dashboard_data(store, language="ru")
        assert PRACTICE_INSTITUTION not in set(data.ranking()["institution_id"])
        assert PRACTICE_INSTITUTION not in set(data.rating.table["institution_id"])
        assert "practice" not in {v for _, v in data.options()["type"]}
        assert "Учебная организация" not in " ".join(data.progress()["label"])
        labels = {label for label, _ in data.options()["type"]}
        assert {"Реабилитационный центр для инвалидов", "Центр социальной помощи семье и детям"} <= labels
