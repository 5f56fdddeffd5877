"""Questionnaire versions: frozen when published, idempotent, and an interview keeps its exact version."""

from __future__ import annotations

import pytest

from surveykit.errors import ConflictError, ErrorCode, NotFoundError, ValidationError
from surveykit.questionnaire.io import questionnaire_from_data

from .helpers import SMALL, small_answers


def _variant(version: str, **changes):
    data = {**SMALL, "version": version, **changes}
    return questionnaire_from_data(data).unwrap()


def test_publish_stores_the_frozen_definition_and_its_hash(store, small):
    published = store.publish(small, by=None)
    assert (published.questionnaire_id, published.version, published.content_hash) == (
        "small",
        "1",
        small.content_hash,
    )
    again = store.questionnaire("small@1")
    assert again == small
    assert again.content_hash == small.content_hash
    audit = store.audit_frame(entity="questionnaire_version")
    assert list(audit["entity_id"]) == ["small@1"]


def test_publishing_the_same_content_again_changes_nothing(store, small):
    first = store.publish(small)
    second = store.publish(questionnaire_from_data(SMALL).unwrap())
    assert second == first
    assert len(store.versions("small")) == 1
    assert len(store.audit_frame(action="publish")) == 1


def test_publishing_the_same_version_with_other_content_is_refused(store, small):
    store.publish(small)
    changed = _variant("1", title={"en": "Small, reworded"})
    with pytest.raises(ConflictError) as info:
        store.publish(changed)
    assert info.value.code is ErrorCode.VERSION_FROZEN
    assert store.questionnaire("small").title == {"en": "Small"}


def test_unknown_questionnaire_is_not_found_with_a_suggestion(store, small):
    store.publish(small)
    with pytest.raises(NotFoundError) as info:
        store.version("smal")
    assert info.value.code is ErrorCode.NOT_FOUND
    assert "did you mean 'small'" in str(info.value)


def test_an_interview_keeps_pointing_at_the_version_it_was_made_with(world):
    store = world.store
    old = world.start("small")
    newer = _variant("2", items=[*SMALL["items"], {"code": "extra", "type": "text"}])
    store.publish(newer)
    new = world.start("small")
    assert (old.questionnaire_version, new.questionnaire_version) == ("1", "2")
    store.submit(old.id, small_answers(1))
    store.submit(new.id, small_answers(2, extra="only in version 2"))
    assert store.interview(old.id).questionnaire_version == "1"
    assert set(store.load_interview(old.id).answers) == {
        "consent",
        "age",
        "services",
        "visited",
        "comment",
        "satisfied",
    }
    assert "extra" in store.load_interview(new.id).answers
    # answers of version 1 are validated against version 1: 'extra' does not exist there
    with pytest.raises(ValidationError) as info:
        store.submit(world.start("small", version="1").id, small_answers(3, extra="x"))
    assert info.value.code is ErrorCode.ANSWER_UNKNOWN_QUESTION
    frame = store.interviews_frame("small")
    assert list(frame["questionnaire_version"]) == ["1", "2"]
    assert frame["extra"].tolist()[1] == "only in version 2" and frame["extra"].isna().tolist()[0]
    only_v1 = store.interviews_frame("small", version="1")
    assert list(only_v1["interview_id"]) == [old.id]
