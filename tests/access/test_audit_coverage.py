"""Every kind of change leaves an audit entry with who, when and what: interview data, roles, access codes,
deactivation, certificates, questionnaire publication, open-answer reviews, sign-in and sign-out."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from surveykit.errors import AccessDenied
from surveykit.questionnaire.io import questionnaire_from_data
from surveykit.store.audit_export import audit_text
from surveykit.store.testing import add_signed_certificate

from .conftest import CODES

SMALL = {
    "schema_version": 1,
    "id": "small",
    "version": "1",
    "title": {"en": "Small"},
    "languages": ["en"],
    "default_language": "en",
    "items": [
        {"code": "consent", "type": "yes_no", "required": True},
        {"code": "comment", "type": "text"},
    ],
}


def test_each_kind_of_change_is_in_the_audit_log_with_actor_time_and_what(people):
    store = people
    started = pd.Timestamp.now(tz="UTC") - pd.Timedelta(seconds=1)
    store.publish(questionnaire_from_data(SMALL).unwrap(), by="pavel")
    store.add_institution("csp1", "Centre 1", by="pavel")
    cert = add_signed_certificate(
        store, "anna", ["interviewer"], issued_at=dt.datetime.now(dt.UTC),
        valid_until=dt.datetime.now(dt.UTC) + dt.timedelta(days=365), by="raisa",
    )  # fmt: skip
    meta = store.start_interview(
        "small", institution_id="csp1", interviewer_id="anna", mode="face_to_face", by="anna"
    )
    store.save_draft(meta.id, {"consent": "yes", "comment": "всё хорошо"}, page="p1", by="anna")
    store.submit(meta.id, by="anna")
    store.set_status(meta.id, "approved", by="sofia", note="checked by phone")
    store.reviews.review(meta.id, "comment", "approved", published_text="всё хорошо", reviewer_id="sofia")
    store.training.set_certificate_status(cert.serial, "suspended", reason="back-check failed", by="sofia")
    store.set_roles("sofia", ["supervisor", "trainer"], by="ada")
    store.set_access_code("anna", by="ada")
    store.deactivate_person("sofia", by="ada")
    store.reactivate_person("sofia", by="ada")
    session = store.start_session("ada", CODES["ada"], app="admin")
    store.end_session(session.token)
    with pytest.raises(AccessDenied):
        store.sign_in("anna01", "WRNG-CODE")
    store.unlock_person("anna", by="ada")

    log = store.audit_frame(since=started.to_pydatetime())
    expected = [  # (actor, action, entity, entity id); no actor: the system (a failed sign-in is nobody yet)
        ("pavel", "publish", "questionnaire_version", "small@1"),
        ("raisa", "issue", "certificate", cert.serial),
        ("anna", "submit", "interview", meta.id),
        ("sofia", "status", "interview", meta.id),
        ("sofia", "review_open_answer", "interview", meta.id),
        ("sofia", "set_status", "certificate", cert.serial),
        ("ada", "set_roles", "person", "sofia"),
        ("ada", "set_access_code", "person", "anna"),
        ("ada", "deactivate", "person", "sofia"),
        ("ada", "activate", "person", "sofia"),
        ("ada", "sign_in", "person", "ada"),
        ("ada", "sign_out", "person", "ada"),
        (None, "sign_in_failed", "person", "anna"),
        ("ada", "unlock", "person", "anna"),
    ]
    for actor, action, entity, entity_id in expected:
        match = log[(log["entity"] == entity) & (log["action"] == action) & (log["entity_id"] == entity_id)]
        match = match[match["actor"].isna()] if actor is None else match[match["actor"] == actor]
        assert len(match) >= 1, (
            f"no audit entry: {actor} {action} {entity} {entity_id}\n{log[['actor', 'action', 'entity']].to_string()}"
        )
        assert match["at"].notna().all() and (match["at"] >= started).all()
    interview_actions = log[(log["entity"] == "interview") & (log["entity_id"] == meta.id)]
    # the draft (start and save), the submission and the status change, each by the person who did it
    assert {"start", "save_draft", "submit"} <= set(interview_actions["action"]), interview_actions[
        "action"
    ].tolist()
    certificate = log[log["entity"] == "certificate"]
    assert certificate.iloc[-1]["details"] == {
        "from": "valid",
        "to": "suspended",
        "reason": "back-check failed",
    }
    status = interview_actions[interview_actions["action"] == "status"].iloc[-1]["details"]
    assert status == {"from": "submitted", "to": "approved", "note": "checked by phone"}
    # what changed is in the details, never an access code
    roles = log[log["action"] == "set_roles"].iloc[-1]["details"]
    assert roles == {"from": ["supervisor"], "to": ["supervisor", "trainer"]}
    export = audit_text(log, "csv")
    assert "7F3K" not in export.upper() and CODES["ada"] not in export
