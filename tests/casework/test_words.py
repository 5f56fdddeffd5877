"""A case keeps the words of its flag as a message key and parameters, so a Russian supervisor reads Russian;
exclusion reasons written by a confirmed falsification are shown in the UI's language too."""

from __future__ import annotations

import re

import pandas as pd

from surveykit import casework as cw
from surveykit.access import OPERATOR
from surveykit.quality.context import flags_frame

from .helpers import flags

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
DOUBLED = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)
NO_QUEUE = cw.WorkflowConfig(
    random_share=0, first_interviews=0, flagged_interviews=False, form=cw.load_workflow().form
)


def _checked_flags(world):
    """Flags as the checks emit them (:func:`flags_frame`: message, plain params, English detail)."""
    first = world.interviews["anna"][0]
    short = flags_frame(
        "too_short", "interview", interview_id=first, interviewer_id="anna", institution_id="csp2",
        value=2.0, threshold=6.0, message="quality.detail.too_short",
        params=[{"minutes": 2.0, "median": 12.0, "mode": "face_to_face", "z": -3.2}],
    )  # fmt: skip
    peers = flags_frame(
        "too_short", "interviewer", interviewer_id="anna", value=94 / 229, threshold=0.03,
        message="quality.detail.too_short_interviewer",
        params=[{"count": 94, "total": 229, "share": 0.5, "rate": 94 / 229, "expected": 0.012, "z": 13.8,
                 "p": 1.5e-43}],
    )  # fmt: skip
    return pd.concat([short, peers], ignore_index=True)


def test_a_case_keeps_the_message_and_shows_its_detail_in_russian(world):
    store = world.store
    cw.run_qc(store, "small", actor=OPERATOR, flags=_checked_flags(world), config=NO_QUEUE)
    cases = store.casework.cases()
    assert len(cases) == 2 and set(cases["message"]) == {
        "quality.detail.too_short",
        "quality.detail.too_short_interviewer",
    }
    peer_row = cases[cases["level"] == "interviewer"].iloc[0]
    case = store.casework.case(int(peer_row["id"]))
    assert case.detail_params == {"count": 94, "total": 229, "share": 0.5, "rate": 94 / 229, "expected": 0.012,
                                  "z": 13.8, "p": 1.5e-43}  # fmt: skip
    english, russian = cw.case_detail(case, "en"), cw.case_detail(case, "ru")
    assert english == case.detail
    assert english.startswith(
        "94 of 229 interviews shorter than 0.5 of the median (41%) against 1.2% for the peers"
    )
    assert russian.startswith("интервью короче 0,5 медианы: 94 из 229 (41%) против 1,2% у коллег")
    assert "p = 1,5e-43" in russian
    for text in (english, russian):
        assert not DOUBLED.search(text), text
    # a row of the cases frame works as well as the record; the mode code is shown in words
    short = next(r for r in cases.itertuples() if r.level == "interview")
    assert (
        cw.case_detail(short, "ru")
        == "2,0 мин при медиане 12,0 мин (Лично; z = -3,2 по логарифму длительности)"
    )
    assert "(Face to face;" in cw.case_detail(short, "en") and "face_to_face" not in short.detail


def test_a_case_opened_before_the_messages_shows_its_stored_detail(world):
    store = world.store
    a = world.interviews["anna"]
    old = flags({"rule": "too_short", "level": "interview", "interview_id": a[0], "interviewer_id": "anna",
                 "institution_id": "csp2", "value": 2.0, "threshold": 6.0, "detail": "2 min, median 12 min"})  # fmt: skip
    (case,) = cw.open_cases(store, "small", old, actor=OPERATOR)
    assert case.message is None and case.detail_params is None
    assert cw.case_detail(case, "ru") == cw.case_detail(case, "en") == "2 min, median 12 min"
    assert cw.case_detail({"detail": None}, "ru") == ""


def test_the_older_report_flags_carry_words_too(world):
    store = world.store
    frame = store.interviews_frame("small")
    report = cw._flags_of_report(store.form("small"), frame)
    assert list(report.columns) == cw.FLAG_COLUMNS
    for row in report.itertuples():
        if row.message == row.message and row.message:  # a rate of NaN has no words
            assert row.detail == cw.case_detail({"message": row.message, "detail_params": row.params}, "en")
            assert CYRILLIC.search(
                cw.case_detail({"message": row.message, "detail_params": row.params}, "ru")
            )


def test_a_falsification_reason_is_shown_in_the_ui_language(world):
    store = world.store
    b0 = world.interviews["boris"][0]
    (check,) = store.casework.queue_backchecks([(b0, "random", None)], by="sofia")
    cw.record_backcheck(
        store, check, "full_falsification", actor=OPERATOR,
        form={"happened": "no", "eligible": "yes", "staff_present": "no"}, method="telephone",
    )  # fmt: skip
    (row,) = list(store.casework.exclusions().itertuples())
    assert row.reason == f"full falsification confirmed by back-check #{check}"  # English in the store
    assert cw.exclusion_reason(row, "en") == row.reason
    assert (
        cw.exclusion_reason(row, "ru") == f"полная фальсификация: подтверждено повторной проверкой №{check}"
    )
    # a reason a person typed is shown as typed, even with a back-check attached
    typed = {"reason": "the respondent says nobody came", "backcheck_id": check}
    assert cw.exclusion_reason(typed, "ru") == "the respondent says nobody came"
    assert cw.exclusion_reason({"reason": "дубликат", "backcheck_id": None}, "en") == "дубликат"
