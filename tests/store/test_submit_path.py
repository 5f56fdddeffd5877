"""The submit path stays short (issue 17) without giving up what a submission guarantees: a bounded number of
statements and one write transaction; the certificate gate remembered per process yet refusing a certificate
revoked or edited after it was remembered, also between submit's first look and its transaction; the
one-statement path of PostgreSQL storing exactly what the general path stores."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest
import sqlalchemy as sa
from sqlalchemy import event

import surveykit.questionnaire.validate_one as validate_one_module
from surveykit.certificates import stored as stored_certificates
from surveykit.errors import AccessDenied, ErrorCode
from surveykit.store import Store
from surveykit.store.schema import answers, audit_log, certificates

from .helpers import certify, small_answers, table_counts


@contextlib.contextmanager
def _statements(store: Store):
    """Every statement the store sends to the database while the block runs."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(store.db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(store.db.engine, "before_cursor_execute", listen)


def _submitted_once(world) -> None:
    """One submission first, so that what is remembered per process (statements, forms, certificates) is."""
    world.store.submit(world.start("small").id, small_answers(1))


def test_one_submit_sends_a_bounded_number_of_statements_in_one_write_transaction(world):
    """SQLite: the first look (one read), then one BEGIN IMMEDIATE with the status change, the answers (one
    executemany) and the audit entry. PostgreSQL: the first look and one statement doing all of it."""
    _submitted_once(world)
    meta = world.start("small")
    with _statements(world.store) as seen:
        result = world.store.submit(meta.id, small_answers(2))
    assert result.outcome == "stored"
    if world.store.db.is_sqlite:
        assert [s.split()[0] for s in seen] == ["BEGIN", "SELECT", "BEGIN", "UPDATE", "INSERT", "INSERT"]
        assert seen[2] == "BEGIN IMMEDIATE"  # the only write transaction
    else:
        assert len(seen) == 2, seen
        assert seen[0].startswith("SELECT") and seen[1].startswith("WITH changed AS ( UPDATE interviews")
    assert not any("FROM certificates" in s and s.startswith("SELECT certificates") for s in seen)


def _rows(store: Store, interview_id: str) -> list[tuple]:
    with store.db.read() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.select(answers.c.path, answers.c.variable, answers.c.num, answers.c.text, answers.c.date,
                          answers.c.choices)
                .where(answers.c.interview_id == interview_id)
                .order_by(answers.c.path, answers.c.variable)
            )
        ]  # fmt: skip


def _audit(store: Store, interview_id: str) -> dict:
    with store.db.read() as conn:
        row = conn.execute(
            sa.select(audit_log.c.actor, audit_log.c.details).where(
                audit_log.c.entity_id == interview_id, audit_log.c.action == "submit"
            )
        ).one()
    return {"actor": row.actor, **row.details}


def test_the_short_path_stores_what_the_general_path_stores(world):
    """The same answers submitted plainly (PostgreSQL: the one statement) and with a paradata event (always
    the general transaction) give the same rows, content hash, status and audit entry."""
    plain, general = world.start("small"), world.start("small")
    values = small_answers(3, services=frozenset({"meals", "medical"}), comment="Всё хорошо")
    first = world.store.submit(plain.id, values)
    second = world.store.submit(general.id, values, events=[{"event": "submit"}])
    assert first.content_hash == second.content_hash
    assert _rows(world.store, plain.id) == _rows(world.store, general.id)
    assert _audit(world.store, plain.id) == _audit(world.store, general.id)
    assert world.store.interview(plain.id).status == world.store.interview(general.id).status == "submitted"
    assert world.store.load_interview(plain.id).answers == world.store.load_interview(general.id).answers
    # the same again is a duplicate, other content a conflict, whichever path stored it
    assert world.store.submit(plain.id, values).duplicate
    with pytest.raises(Exception) as caught:
        world.store.submit(plain.id, small_answers(4))
    assert getattr(caught.value, "code", None) is ErrorCode.SUBMISSION_CONFLICT


def test_a_draft_then_a_submit_replaces_the_draft_answers(world):
    meta = world.start("small")
    world.store.save_draft(meta.id, small_answers(5, comment="draft"))
    world.store.submit(meta.id, small_answers(5))
    assert world.store.load_interview(meta.id).answers["comment"] == "comment 5"


def _revoke(store: Store, serial: str) -> None:
    store.training.set_certificate_status(serial, "revoked", reason="test", by="operator")


def _nothing_submitted(store: Store, interview_id: str) -> None:
    assert store.interview(interview_id).status == "draft"
    assert _rows(store, interview_id) == []
    with store.db.read() as conn:
        entries = conn.execute(
            sa.select(sa.func.count()).where(
                audit_log.c.entity_id == interview_id, audit_log.c.action == "submit"
            )
        ).scalar_one()
    assert entries == 0


def _anna_serial(store: Store) -> str:
    with store.db.read() as conn:
        return conn.execute(
            sa.select(certificates.c.serial).where(certificates.c.person_id == "anna")
        ).scalar_one()


def test_a_certificate_revoked_after_it_was_remembered_is_refused(world):
    _submitted_once(world)  # anna's certificate verified and remembered
    meta = world.start("small")
    _revoke(world.store, _anna_serial(world.store))
    with pytest.raises(AccessDenied) as caught:
        world.store.submit(meta.id, small_answers(6))
    assert caught.value.code is ErrorCode.NOT_CERTIFIED and "revoked" in str(caught.value)
    _nothing_submitted(world.store, meta.id)


def test_a_certificate_revoked_between_the_first_look_and_the_transaction_is_refused(world, monkeypatch):
    """The revocation lands while the answers are being validated (after the first look saw a valid
    certificate): the check inside the transaction refuses, and nothing is stored."""
    _submitted_once(world)
    meta = world.start("small")
    serial = _anna_serial(world.store)
    original = validate_one_module.check_interview

    def revoke_meanwhile(*args, **kwargs):
        with Store.open(world.store.db.url.render_as_string(hide_password=False)) as other:
            _revoke(other, serial)
        return original(*args, **kwargs)

    monkeypatch.setattr(validate_one_module, "check_interview", revoke_meanwhile)
    before = table_counts(world.store)
    with pytest.raises(AccessDenied) as caught:
        world.store.submit(meta.id, small_answers(7))
    assert caught.value.code is ErrorCode.NOT_CERTIFIED and "revoked" in str(caught.value)
    _nothing_submitted(world.store, meta.id)
    after = table_counts(world.store)
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "audit_log": 1
    }  # the revocation


def test_a_certificate_prolonged_between_the_first_look_and_the_transaction_is_checked_again(
    world, monkeypatch
):
    """An edit of the gate's columns meanwhile (the end date moved by hand, no new signature): the row no
    longer is what the first look verified, the whole gate runs inside the transaction and finds the
    certificate not authentic."""
    _submitted_once(world)
    meta = world.start("small")
    serial = _anna_serial(world.store)
    with world.store.db.read() as conn:
        until = conn.execute(
            sa.select(certificates.c.valid_until).where(certificates.c.serial == serial)
        ).scalar_one()
    original = validate_one_module.check_interview

    def edit_meanwhile(*args, **kwargs):
        with world.store.db.transaction() as conn:
            conn.execute(
                sa.update(certificates)
                .where(certificates.c.serial == serial)
                .values(valid_until=until + dt.timedelta(days=1))
            )
        return original(*args, **kwargs)

    monkeypatch.setattr(validate_one_module, "check_interview", edit_meanwhile)
    with pytest.raises(AccessDenied) as caught:
        world.store.submit(meta.id, small_answers(8))
    assert caught.value.code is ErrorCode.NOT_CERTIFIED and "not authentic" in str(caught.value)
    _nothing_submitted(world.store, meta.id)


def test_an_edited_record_is_verified_again_not_taken_from_memory(world):
    _submitted_once(world)
    meta = world.start("small")
    serial = _anna_serial(world.store)
    with world.store.db.read() as conn:
        record = conn.execute(
            sa.select(certificates.c.record).where(certificates.c.serial == serial)
        ).scalar_one()
    record = json.loads(json.dumps(record))
    record["credentialSubject"]["name"] = "Someone Else"  # the signature no longer covers the record
    with world.store.db.transaction() as conn:
        conn.execute(sa.update(certificates).where(certificates.c.serial == serial).values(record=record))
    with pytest.raises(AccessDenied) as caught:
        world.store.submit(meta.id, small_answers(9))
    assert "not authentic" in str(caught.value)
    _nothing_submitted(world.store, meta.id)


def test_the_signature_is_checked_once_per_process_for_the_same_row(world, monkeypatch):
    _submitted_once(world)
    calls = []
    original = stored_certificates.stored_problem

    def counting(*args, **kwargs):
        calls.append(kwargs.get("serial"))
        return original(*args, **kwargs)

    monkeypatch.setattr(stored_certificates, "stored_problem", counting)
    for k in range(3):
        world.store.submit(world.start("small").id, small_answers(10 + k))
    assert calls == []  # remembered from the first submission
    certify(world.store, "anna")  # a new certificate (a new row): checked once
    world.store.submit(world.start("small").id, small_answers(20))
    world.store.submit(world.start("small").id, small_answers(21))
    assert len(calls) == 1


def test_another_issuer_key_makes_the_remembered_answers_void(world, monkeypatch, tmp_path):
    """The trusted key is read again when its file changes: certificates signed with the old key stop
    counting at once."""
    from surveykit.certificates import generate_key
    from surveykit.config import settings

    _submitted_once(world)
    meta = world.start("small")
    generate_key(tmp_path / "other.pem")
    monkeypatch.setenv("SURVEYKIT_SIGNING_KEY", str(tmp_path / "other.pem"))
    settings.cache_clear()
    try:
        with pytest.raises(AccessDenied) as caught:
            world.store.submit(meta.id, small_answers(11))
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    assert "not authentic" in str(caught.value)
    _nothing_submitted(world.store, meta.id)


def test_a_guarded_submit_adds_only_the_session_check(world):
    """Through the app-facing guarded store: the session is checked (one read), whose interview it is is
    checked on the submission's own first look (no read of its own), and someone else's interview is
    refused (SK515) before anything is written."""
    from surveykit.store.guarded import GuardedStore

    world.store.add_person("vera", "Vera", ["interviewer"], login="VERA01", access_code="7F3K-9QXM")
    certify(world.store, "vera")
    anna = GuardedStore(world.store, world.store.start_session("ANNA01", "7F3K-9QXM", app="test"))
    vera = GuardedStore(world.store, world.store.start_session("VERA01", "7F3K-9QXM", app="test"))
    anna.submit(
        anna.start_interview("small", institution_id="csp1", mode="face_to_face").id, small_answers(1)
    )
    meta = anna.start_interview("small", institution_id="csp1", mode="face_to_face")
    before = table_counts(world.store)
    with pytest.raises(AccessDenied) as caught:
        vera.submit(meta.id, small_answers(2))
    assert caught.value.code is ErrorCode.NOT_YOURS
    assert table_counts(world.store) == before
    with _statements(world.store) as seen:
        assert anna.submit(meta.id, small_answers(2)).outcome == "stored"
    selects = [s for s in seen if s.startswith("SELECT")]
    assert len(selects) == 2, selects  # the session, the first look
    assert len(seen) == (8 if world.store.db.is_sqlite else 3), seen  # SQLite: + 2 BEGIN, UPDATE, 2 INSERT
