"""Drafts: saved on every page change, resumed with typed values; nothing of a completed page is lost."""

from __future__ import annotations

import datetime as dt

import pytest

from surveykit.errors import ErrorCode, StoreError, ValidationError
from surveykit.store import Event, Store

from .helpers import checksum, example_answers


def test_start_makes_a_draft_pinned_to_its_version(world):
    meta = world.start(language="en", proxy=True, period="2026-Q1")
    assert (meta.status, meta.questionnaire_version, meta.language, meta.proxy, meta.practice) == (
        "draft",
        "2026.1",
        "en",
        True,
        False,
    )
    assert meta.started_at.tzinfo is not None and meta.submitted_at is None
    assert world.store.interview(meta.id) == meta
    # starting again with the UUID the app made returns the same interview
    assert world.start(interview_id=meta.id) == meta


@pytest.mark.parametrize(
    ("option", "value"), [("mode", "observation"), ("language", "de"), ("interview_id", "not-a-uuid")]
)
def test_start_refuses_what_the_questionnaire_does_not_allow(world, option, value):
    with pytest.raises(StoreError) as info:
        world.start(**{option: value})
    assert info.value.code is ErrorCode.FIELD_INVALID
    assert info.value.location.field == option


def test_drafts_survive_page_by_page_and_resume_with_typed_values(world):
    store = world.store
    meta = world.start()
    full = example_answers()
    page1 = {k: full[k] for k in ("consent", "interview_date")}
    store.save_draft(
        meta.id, page1, page="respondent", events=[Event("page_leave", question="interview_date")]
    )
    page2 = {**page1, **{k: full[k] for k in ("age", "region", "municipality", "height_m", "phone")}}
    store.save_draft(
        meta.id, page2, page="services_page", events=[{"event": "page_enter", "elapsed_ms": 1200}]
    )
    # the app is closed here; a new store (a restarted server) resumes
    with Store.open(store.db.url.render_as_string(hide_password=False)) as again:
        drafts = again.drafts("anna")
        assert [d.id for d in drafts] == [meta.id]
        loaded = again.load_interview(meta.id)
    assert loaded.page == "services_page"
    answers = loaded.answers
    assert answers["interview_date"] == dt.date(2026, 3, 1)
    assert answers["age"] == 70 and isinstance(answers["age"], int)
    assert answers["height_m"] == 1.72
    assert answers["region"] == "north" and answers["phone"] == "+7 912 345-67-89"
    assert answers["services"] is None and answers["relatives"] == []
    # the rest of the interview, with multiple choice and a repeat group
    store.save_draft(meta.id, full, page="closing")
    answers = store.load_interview(meta.id).answers
    assert answers["services"] == frozenset({"meals", "cleaning"})
    assert answers["relatives"] == [
        {"rel_relation": "child", "rel_age": 40},
        {"rel_relation": "spouse", "rel_age": None},
    ]
    # times, date-times and geopoints come back in their canonical text (questionnaire-format.md)
    canonical = {"visit_start": "09:30:00", "next_visit": "2099-03-08T10:00:00", "location": "55.7558 37.6173"}
    assert {k: answers[k] for k in full} == {**full, **canonical}
    paradata = store.paradata_frame(interview_ids=[meta.id])
    assert list(paradata["seq"]) == [1, 2] and list(paradata["event"]) == ["page_leave", "page_enter"]
    assert paradata["elapsed_ms"].tolist()[1] == 1200


def test_an_empty_repeat_instance_is_kept(world):
    store = world.store
    meta = world.start()
    store.save_draft(meta.id, {"consent": "yes", "relatives": [{}, {"rel_age": 30}]})
    assert store.load_interview(meta.id).answers["relatives"] == [
        {"rel_relation": None, "rel_age": None},
        {"rel_relation": None, "rel_age": 30},
    ]


def test_a_value_of_the_wrong_type_is_refused_and_the_previous_draft_stays(world):
    store = world.store
    meta = world.start()
    store.save_draft(meta.id, {"consent": "yes", "age": 70}, page="respondent")
    before = checksum(store)
    with pytest.raises(ValidationError) as info:
        store.save_draft(
            meta.id, {"consent": "yes", "age": "seventy", "region": "west"}, page="services_page"
        )
    assert {p.code for p in info.value.report.errors} == {
        ErrorCode.ANSWER_WRONG_TYPE,
        ErrorCode.ANSWER_NOT_IN_LIST,
    }
    assert checksum(store) == before
    assert store.load_interview(meta.id).answers["age"] == 70


def test_a_submitted_interview_is_no_longer_a_draft(world):
    store = world.store
    meta = world.start()
    store.submit(meta.id, example_answers())
    assert store.drafts("anna") == []
    with pytest.raises(StoreError) as info:
        store.save_draft(meta.id, {"consent": "no"})
    assert info.value.code is ErrorCode.INTERVIEW_NOT_DRAFT


def test_practice_drafts_are_listed_only_when_asked(world):
    store = world.store
    real = world.start()
    practice = world.start(practice=True, interviewer_id="boris")  # practice is open to everyone
    assert [d.id for d in store.drafts("anna")] == [real.id]
    assert store.drafts("boris") == []
    assert [d.id for d in store.drafts("boris", practice=True)] == [practice.id]


def test_unknown_paradata_events_are_refused(world):
    meta = world.start()
    with pytest.raises(StoreError) as info:
        world.store.save_draft(meta.id, {}, events=[{"event": "coffee_break"}])
    assert info.value.code is ErrorCode.FIELD_INVALID
