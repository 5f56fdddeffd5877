"""Sessions: a token per sign-in, only its hash stored; idle timeout, absolute limit, sign-out, deactivation."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from surveykit.config import Settings
from surveykit.errors import AccessDenied, ErrorCode
from surveykit.store import Session
from surveykit.store.schema import sessions as sessions_table
from surveykit.store.sessions import TOUCH_INTERVAL

from .conftest import CODES

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _rows(store):
    with store.db.read() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(sessions_table))]


def test_a_session_is_started_and_found_by_its_token_which_is_never_stored(people):
    store = people
    session = store.start_session("anna01", CODES["anna"], ("interviewer",), app="interview")
    assert isinstance(session, Session)
    assert (session.person.id, session.app) == ("anna", "interview")
    assert session.expires_at - session.created_at == dt.timedelta(hours=12)  # the default absolute limit
    assert session.idle_expires_at == session.created_at + dt.timedelta(minutes=30)  # the default idle limit
    again = store.session(session.token)
    assert (again.person.id, again.created_at, again.expires_at) == (
        "anna",
        session.created_at,
        session.expires_at,
    )
    [row] = _rows(store)
    assert row["id"] == hashlib.sha256(session.token.encode()).hexdigest()
    with store.db.read() as conn:
        everything = " ".join(
            repr(tuple(r))
            for t in ("sessions", "audit_log")
            for r in conn.execute(sa.text(f"SELECT * FROM {t}"))
        )
    assert session.token not in everything
    [entry] = store.audit_frame(action="sign_in").to_dict("records")
    assert (entry["actor"], entry["entity_id"], entry["details"]["app"]) == ("anna", "anna", "interview")


def test_two_sign_ins_give_two_independent_sessions(people):
    first = people.start_session("anna01", CODES["anna"], app="interview")
    second = people.start_session("anna01", CODES["anna"], app="practice")
    assert first.token != second.token
    people.end_session(first.token)
    assert people.session(second.token).app == "practice"


def test_the_session_ends_after_the_idle_timeout(people):
    sessions = people.sessions
    session = sessions.start("anna01", CODES["anna"], app="interview", now=T0)
    # used within the idle limit: it stays alive, and using it moves the idle limit forward
    used = sessions.session(session.token, now=T0 + dt.timedelta(minutes=29))
    assert used.last_seen_at == T0 + dt.timedelta(minutes=29)
    assert used.idle_expires_at == T0 + dt.timedelta(minutes=59)
    assert sessions.session(session.token, now=T0 + dt.timedelta(minutes=58)).person.id == "anna"
    with pytest.raises(AccessDenied) as info:
        sessions.session(session.token, now=T0 + dt.timedelta(minutes=58 + 31))
    assert info.value.code is ErrorCode.SESSION_ENDED
    assert "not used for 30 minutes" in str(info.value) and "Sign in again" in info.value.hint
    assert "не пользовались 30 мин" in info.value.localized("ru")
    [row] = _rows(people)
    assert row["end_reason"] == "idle" and row["ended_at"] is not None
    # an ended session stays ended, even at a time that would have been within the limits
    with pytest.raises(AccessDenied) as info:
        sessions.session(session.token, now=T0 + dt.timedelta(minutes=60))
    assert info.value.code is ErrorCode.SESSION_ENDED


def test_the_session_ends_at_its_absolute_limit_however_active(people):
    sessions = people.sessions
    session = sessions.start("anna01", CODES["anna"], now=T0)
    for minutes in range(20, 12 * 60, 20):  # used every 20 minutes, up to 11:40 after sign-in
        sessions.session(session.token, now=T0 + dt.timedelta(minutes=minutes))
    with pytest.raises(AccessDenied) as info:
        sessions.session(session.token, now=T0 + dt.timedelta(hours=12))
    assert info.value.code is ErrorCode.SESSION_ENDED and "older than 12 hours" in str(info.value)
    assert _rows(people)[0]["end_reason"] == "expired"


def test_last_seen_is_written_at_most_every_thirty_seconds(people):
    sessions = people.sessions
    session = sessions.start("anna01", CODES["anna"], now=T0)
    sessions.session(session.token, now=T0 + TOUCH_INTERVAL / 2)
    assert _rows(people)[0]["last_seen_at"] == T0
    sessions.session(session.token, now=T0 + TOUCH_INTERVAL)
    assert _rows(people)[0]["last_seen_at"] == T0 + TOUCH_INTERVAL


def test_signing_out_ends_the_session_and_is_audited(people):
    session = people.start_session("anna01", CODES["anna"], app="interview")
    people.end_session(session.token)
    with pytest.raises(AccessDenied) as info:
        people.session(session.token)
    assert info.value.code is ErrorCode.SESSION_ENDED and "you signed out" in str(info.value)
    people.end_session(session.token)  # again: nothing changes
    [entry] = people.audit_frame(action="sign_out").to_dict("records")
    assert (entry["actor"], entry["details"]["reason"]) == ("anna", "signed_out")
    with pytest.raises(AccessDenied) as info:
        people.session("not-a-token")
    assert info.value.code is ErrorCode.SESSION_ENDED and "not known" in str(info.value)


def test_deactivating_a_person_ends_all_their_sessions(people):
    one = people.start_session("anna01", CODES["anna"], app="interview")
    two = people.start_session("anna01", CODES["anna"], app="practice")
    other = people.start_session("sofia", CODES["sofia"], app="supervisor")
    people.deactivate_person("anna", by="ada")
    for token in (one.token, two.token):
        with pytest.raises(AccessDenied) as info:
            people.session(token)
        assert info.value.code is ErrorCode.SESSION_ENDED and "deactivated" in str(info.value)
    assert people.session(other.token).person.id == "sofia"
    assert {r["end_reason"] for r in _rows(people) if r["person_id"] == "anna"} == {"deactivated"}
    [entry] = people.audit_frame(action="deactivate").to_dict("records")
    assert (entry["actor"], entry["entity_id"], entry["details"]["sessions_ended"]) == ("ada", "anna", 2)


def test_start_session_applies_the_sign_in_rules(people):
    with pytest.raises(AccessDenied) as info:
        people.start_session("anna01", "WRONG-CODE")
    assert info.value.code is ErrorCode.ACCESS_CODE_WRONG
    with pytest.raises(AccessDenied) as info:
        people.start_session("anna01", CODES["anna"], ("administrator",), app="admin")
    assert info.value.code is ErrorCode.ROLE_REQUIRED
    assert _rows(people) == []  # no session for a refused sign-in


def test_session_limits_come_from_the_settings():
    settings = Settings.load(
        {"SURVEYKIT_SESSION_IDLE_MINUTES": "5", "SURVEYKIT_SESSION_MAX_HOURS": "2",
         "SURVEYKIT_LOCKOUT_THRESHOLD": "3", "SURVEYKIT_LOCKOUT_MINUTES": "60"}
    )  # fmt: skip
    assert (settings.session_idle_minutes, settings.session_max_hours) == (5, 2)
    assert (settings.lockout_threshold, settings.lockout_minutes) == (3, 60)
    defaults = Settings.load({})
    assert (defaults.session_idle_minutes, defaults.session_max_hours) == (30, 12)
    assert (defaults.lockout_threshold, defaults.lockout_minutes) == (5, 15)
    from surveykit.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        Settings.load({"SURVEYKIT_LOCKOUT_THRESHOLD": "0"})
    assert info.value.code is ErrorCode.CONFIG_INVALID and "lockout_threshold" in str(info.value)
