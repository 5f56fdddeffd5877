"""Each check on hand-made interviews of the inline ``tiny`` questionnaire: what is flagged, what is not,
and the shape of the result other modules code against."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from surveykit.quality import FLAG_COLUMNS, RULE_IDS, QualityRules, run_checks

from .conftest import tiny_frame

UTC = dt.UTC
DAY = dt.datetime(2026, 3, 2, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 0) -> dt.datetime:
    """A UTC time on 2 March 2026 (+ ``day``); Moscow is UTC+3."""
    return DAY + dt.timedelta(days=day, hours=hour, minutes=minute)


def only(*rules: str, **changes) -> QualityRules:
    rules_ = QualityRules().only(*rules)
    return rules_.with_changes(changes) if changes else rules_


def peers(n: int, name: str = "peer", **row) -> list[dict]:
    return [{"interviewer_id": f"{name}{i % 3}", **row} for i in range(n)]


# --- the result ---------------------------------------------------------------------------------------------


def test_the_flags_have_the_fixed_shape(tiny):
    frame = tiny_frame([*peers(9), {"interviewer_id": "x", "minutes": 2}])
    result = run_checks(tiny, frame, QualityRules())
    assert tuple(result.flags.columns) == FLAG_COLUMNS
    assert set(result.flags["level"]) <= {"interview", "interviewer", "institution"}
    assert set(result.flags["rule"]) <= set(RULE_IDS)
    assert result.flags["value"].dtype == float and result.flags["threshold"].dtype == float
    assert len(result.interviews) == 10 and set(result.interviewers["interviewer_id"]) == {
        "peer0",
        "peer1",
        "peer2",
        "x",
    }
    assert list(result.interviewer_effects.columns[:3]) == ["item", "indicators", "answers"]
    assert list(result.counts()["rule"].drop_duplicates()) == list(RULE_IDS)


def test_an_empty_frame_and_a_frame_without_times(tiny):
    empty = run_checks(tiny, tiny_frame([]), QualityRules())
    assert empty.flags.empty and tuple(empty.flags.columns) == FLAG_COLUMNS and empty.interviews.empty
    frame = tiny_frame(peers(6)).drop(columns=["started_at", "submitted_at"])
    result = run_checks(tiny, frame, QualityRules())
    assert set(result.skipped) == {"too_short", "throughput", "overlap", "outside_hours"}
    assert "started_at" in result.skipped["too_short"]


def test_rules_can_be_a_path_or_a_mapping(tiny, tmp_path):
    frame = tiny_frame([*peers(6), {"interviewer_id": "x", "minutes": 3}])
    mapping = run_checks(tiny, frame, {"too_short": {"share_of_median": 0.1}})
    assert mapping.flagged("too_short", "interview").empty  # 3 min is not under a tenth of 20 min
    path = tmp_path / "rules.yaml"
    path.write_text("schema_version: 1\ntoo_short:\n  share_of_median: 0.2\n", encoding="utf-8")
    assert list(run_checks(tiny, frame, path).flagged("too_short", "interview")["interviewer_id"]) == ["x"]


# --- time stamps ----------------------------------------------------------------------------------------------


def test_too_short_against_the_median_of_the_same_mode(tiny):
    rows = [*peers(6), {"interviewer_id": "x", "minutes": 8}]
    rows.append({"interviewer_id": "y", "mode": "telephone", "minutes": 1})  # a mode of one interview
    result = run_checks(tiny, tiny_frame(rows), only("too_short"))
    flags = result.flagged("too_short", "interview")
    assert list(flags["interview_id"]) == ["i7"]  # 8 min < 0.5 * 20 min; the telephone mode has no median
    assert flags["value"].iloc[0] == pytest.approx(8) and flags["threshold"].iloc[0] == pytest.approx(10)
    assert flags["detail"].iloc[0].startswith("8.0 min against a median of 20.0 min (Face to face;")
    row = result.interviews.set_index("interview_id").loc["i7"]
    assert row["too_short"] and row["median_minutes"] == 20 and row["duration_z"] < 0


def test_throughput_counts_completes_within_an_hour(tiny):
    busy = [
        {"interviewer_id": "x", "started_at": at(6, 15 * k), "submitted_at": at(6, 15 * k + 10)}
        for k in range(4)
    ]
    calm = [
        {"interviewer_id": "y", "started_at": at(6, 21 * k), "submitted_at": at(6, 21 * k + 10)}
        for k in range(4)
    ]
    phone = [
        {
            "interviewer_id": "z",
            "mode": "telephone",
            "started_at": at(6, 10 * k),
            "submitted_at": at(6, 10 * k + 8),
        }
        for k in range(6)
    ]
    result = run_checks(tiny, tiny_frame(busy + calm + phone), only("throughput"))
    flags = result.flagged("throughput")
    # x: 4 completes between 06:10 and 06:55; y: 21 minutes apart, never 4 in an hour; z: telephone
    assert (
        list(flags["interviewer_id"]) == ["x"]
        and flags["value"].iloc[0] == 4
        and flags["threshold"].iloc[0] == 3
    )
    assert "on 2026-03-02" in flags["detail"].iloc[0] and flags["institution_id"].iloc[0] == "c1"
    assert flags["level"].iloc[0] == "interviewer" and flags["interview_id"].iloc[0] is None


def test_overlapping_interviews_of_one_interviewer(tiny):
    rows = [
        {"interviewer_id": "x", "started_at": at(7, 0), "submitted_at": at(7, 20)},
        {"interviewer_id": "x", "started_at": at(7, 15), "submitted_at": at(7, 35)},
        {
            "interviewer_id": "x",
            "started_at": at(7, 35),
            "submitted_at": at(7, 50),
        },  # starts as the other ends
        {"interviewer_id": "y", "started_at": at(7, 10), "submitted_at": at(7, 30)},  # someone else: fine
    ]
    flags = run_checks(tiny, tiny_frame(rows), only("overlap")).flagged("overlap")
    assert list(flags["interview_id"]) == ["i2"] and flags["value"].iloc[0] == pytest.approx(5)
    assert flags["detail"].iloc[0] == "started 5.0 min before interview i1 of the same interviewer ended"


def test_outside_field_hours_in_the_configured_time_zone(tiny):
    rows = [
        {"interviewer_id": "x", "started_at": at(4, 30), "submitted_at": at(4, 50)},  # 07:30 Moscow
        {"interviewer_id": "x", "started_at": at(18, 10), "submitted_at": at(18, 30)},  # ends 21:30 Moscow
        {"interviewer_id": "x", "started_at": at(9, 0), "submitted_at": at(9, 20)},  # 12:00 Moscow
    ]
    flags = run_checks(tiny, tiny_frame(rows), only("outside_hours")).flagged("outside_hours")
    assert list(flags["interview_id"]) == ["i1", "i2"]
    assert (
        flags["detail"]
        .iloc[0]
        .startswith("started at 07:30 on 2026-03-02, before 08:00 local time (Europe/Moscow)")
    )
    assert flags["value"].iloc[1] == pytest.approx(21.5) and flags["threshold"].iloc[1] == 21
    in_utc = run_checks(tiny, tiny_frame(rows), only("outside_hours", timezone="UTC")).flagged(
        "outside_hours"
    )
    assert list(in_utc["interview_id"]) == ["i1"]  # 18:30 UTC is within the hours there


# --- answers --------------------------------------------------------------------------------------------------


def test_straight_lining_against_the_peers(tiny):
    rng = np.random.default_rng(3)
    mixed = [
        {"interviewer_id": f"p{i % 3}", **{f"a{k}": str(rng.choice(["yes", "no"])) for k in range(1, 5)}}
        for i in range(30)
    ]
    result = run_checks(tiny, tiny_frame(mixed + [{"interviewer_id": "x"}] * 8), only("straight_lining"))
    flags = result.flagged("straight_lining")
    assert list(flags["interviewer_id"]) == ["x"] and flags["value"].iloc[0] == 1.0
    assert "8 of 8 interviews with the same answer to every substantive item" in flags["detail"].iloc[0]
    assert result.interviews["straight_answer"].iloc[-1] == "yes"


def test_filter_avoidance_counts_answers_that_close_the_follow_ups(tiny):
    rows = (
        peers(30, used="yes") + peers(10, name="q", used="no") + [{"interviewer_id": "x", "used": "no"}] * 8
    )
    result = run_checks(tiny, tiny_frame(rows), only("filter_avoidance"))
    per = result.interviewers.set_index("interviewer_id")
    assert per.loc["x", "filter_closed_rate"] == 1.0 and per.loc["x", "flag_filter_avoidance"]
    assert per.loc["peer0", "filter_closed_rate"] == 0.0
    assert list(result.flagged("filter_avoidance")["interviewer_id"]) == ["x"]


def test_item_nonresponse_counts_relevant_questions_only(tiny):
    rows = peers(30, used="no") + [{"interviewer_id": "x", "a1": None, "a2": "refused"}] * 6
    result = run_checks(tiny, tiny_frame(rows), only("item_nonresponse"))
    # the peers skip "liked" by design (used = no): not non-response. x leaves a1 empty: 1 of 6 relevant
    # questions (used, liked, a1-a4); "refused" is not a choice of a2 here, so a2 reads as unanswered too
    per = result.interviews.set_index("interview_id")
    assert per.loc["i1", "nonresponse"] == 0 and per.loc["i1", "relevant_items"] == 5
    assert per.loc["i31", "nonresponse"] == 2 and per.loc["i31", "relevant_items"] == 6
    assert list(result.flagged("item_nonresponse")["interviewer_id"]) == ["x"]


def test_dont_know_rates(tiny):
    rows = peers(30) + [{"interviewer_id": "x", "a1": "dk", "a2": "dk"}] * 6
    result = run_checks(tiny, tiny_frame(rows), only("dont_know"))
    assert list(result.flagged("dont_know")["interviewer_id"]) == ["x"]
    # 12 "don't know" of the 30 answers to questions that offer it (liked, a1-a4)
    assert result.interviewers.set_index("interviewer_id").loc["x", "dont_know_rate"] == pytest.approx(
        12 / 30
    )


def test_identical_open_answers(tiny):
    common = "Всё устраивает, спасибо сотрудникам!"
    rows = (
        [{"interviewer_id": "x", "remarks": "Хотелось бы больше занятий лечебной физкультурой."}] * 2
        + [
            {"interviewer_id": "x", "remarks": "хотелось бы больше занятий лечебной физкультурой"}
        ]  # same, normalised
        + [{"interviewer_id": "x", "remarks": "Нет"}] * 5  # too short to say anything
        + [{"interviewer_id": "x", "remarks": common}] * 3  # a common phrase: 3 other interviewers use it too
        + [{"interviewer_id": f"o{i}", "remarks": common} for i in range(3)]
    )
    result = run_checks(tiny, tiny_frame(rows), only("identical_open_answers"))
    flags = result.flagged("identical_open_answers")
    assert list(flags["interviewer_id"]) == ["x"] and flags["value"].iloc[0] == 3
    assert flags["detail"].iloc[0].startswith('the same answer to remarks in 3 interviews: "Хотелось бы')
    stricter = run_checks(tiny, tiny_frame(rows), only("identical_open_answers").with_changes(
        {"identical_open_answers": {"max_other_interviewers": 3}}
    ))  # fmt: skip
    assert len(stricter.flagged("identical_open_answers")) == 2


def test_near_duplicates_are_calibrated_so_that_alike_honest_answers_are_not_flagged(tiny):
    """Forty interviews, most all "yes" (a 100 % match with each other), a few with one "no": nothing is
    flagged, because permuted data match as well. Three copies of a rare pattern are flagged."""
    rng = np.random.default_rng(11)
    rows = []
    for i in range(40):
        row = {"interviewer_id": f"p{i % 4}"}
        if i % 4 == 0:
            row[f"a{rng.integers(1, 5)}"] = "no"
        rows.append(row)
    honest = run_checks(tiny, tiny_frame(rows), only("near_duplicate"))
    assert honest.interviews["max_match"].min() >= 0.83 and (honest.interviews["max_match"] == 1).mean() > 0.8
    assert honest.flagged("near_duplicate", "interview").empty
    rare = {"used": "no", "a1": "no", "a2": "dk", "a3": "no", "a4": "yes"}
    copied = run_checks(
        tiny, tiny_frame(rows + [{"interviewer_id": "x", **rare}] * 3), only("near_duplicate")
    )
    flags = copied.flagged("near_duplicate", "interview")
    assert set(flags["interview_id"]) == {"i41", "i42", "i43"} and (flags["value"] == 1).all()
    assert "on 6 of 6 items (100%)" in flags["detail"].iloc[0]


def test_interviewer_effects_and_design_effect(tiny):
    """Six interviewers at one institution, 20 interviews each: two of them get "no" on a1 every time,
    the others "yes" -> rho_int on a1 is large and deff far above 1.5; a2 does not differ."""
    rows = []
    for person in range(6):
        for k in range(20):
            rows.append(
                {
                    "interviewer_id": f"p{person}",
                    "a1": "no" if person < 2 else "yes",
                    "a2": ["yes", "no"][k % 2],
                }
            )
    result = run_checks(tiny, tiny_frame(rows), only("interviewer_effect"))
    effects = result.interviewer_effects.set_index("item")
    assert effects.loc["a1", "rho"] == pytest.approx(1.0) and effects.loc["a1", "flagged"]
    assert effects.loc["a2", "rho"] == 0 and not effects.loc["a2", "flagged"]
    flags = result.flagged("interviewer_effect")
    whole = flags[flags["interviewer_id"].isna()]
    assert (
        list(whole["value"]) == [pytest.approx(effects.loc["a1", "deff"])]
        and "item a1" in whole["detail"].iloc[0]
    )
    assert set(flags["interviewer_id"].dropna()) == {"p0", "p1", "p2", "p3", "p4", "p5"}


def test_institution_anomaly(tiny):
    one_person = [{"interviewer_id": "x", "institution_id": "c1"}] * 25
    spread = [{"interviewer_id": f"y{i % 3}", "institution_id": "c2"} for i in range(25)]
    small = [{"interviewer_id": "z", "institution_id": "c3"}] * 19
    mixed = [{"interviewer_id": "w", "institution_id": "c4", "a1": ["yes", "no"][i % 2]} for i in range(25)]
    frame = tiny_frame(one_person + spread + small + mixed)
    result = run_checks(tiny, frame, only("institution_anomaly"))
    flags = result.flagged("institution_anomaly")
    # c2's forms are spread over three interviewers and 25 days; c3 has too few; c4 is not 99 % "yes"
    assert list(flags["institution_id"]) == ["c1"] and flags["level"].iloc[0] == "institution"
    assert flags["detail"].iloc[0].startswith("100.0% best answers on 5 scored items in 25 interviews")
    table = result.institutions.set_index("institution_id")
    assert (
        table.loc["c2", "top_interviewer_share"] == pytest.approx(9 / 25)
        and not table.loc["c2", "flag_institution_anomaly"]
    )
    # the same 25 "yes" forms of c2 collected on one day are flagged
    one_day = frame.copy()
    c2 = one_day["institution_id"] == "c2"
    one_day.loc[c2, "started_at"] = pd.Timestamp(at(7))
    one_day.loc[c2, "submitted_at"] = pd.Timestamp(at(7, 20))
    assert "c2" in set(run_checks(tiny, one_day, only("institution_anomaly")).flags["institution_id"])


def test_disabled_rules_do_not_run(tiny):
    frame = tiny_frame([*peers(6), {"interviewer_id": "x", "minutes": 2}])
    result = run_checks(tiny, frame, QualityRules().only("overlap"))
    assert result.flags.empty and "too_short" not in result.interviews
