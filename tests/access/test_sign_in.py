"""Sign-in: argon2id hashes, legacy scrypt hashes upgraded, unknown logins, lock-out, deactivated accounts."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import sqlalchemy as sa

from surveykit.errors import AccessDenied, ErrorCode, StoreError
from surveykit.store import Store
from surveykit.store.directory import (
    _scrypt_hash,
    hash_access_code,
    needs_rehash,
    verify_access_code,
)

from .conftest import CODES

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _hash_of(store, person_id: str) -> str:
    with store.db.read() as conn:
        return conn.execute(
            sa.text("SELECT access_code_hash FROM people WHERE id = :id"), {"id": person_id}
        ).scalar_one()


def _failures(store, person_id: str) -> tuple[int, dt.datetime | None]:
    person = store.person(person_id)
    return person.failed_sign_ins, person.locked_until


def test_access_codes_are_hashed_with_argon2id_and_a_salt_per_hash():
    first, second = hash_access_code("7F3K-9QXM"), hash_access_code("7F3K-9QXM")
    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and first != second
    assert verify_access_code("7f3k 9qxm", first)  # typed by a person: case, spaces and dashes do not matter
    assert not verify_access_code("7F3K-9QXN", first)
    assert not verify_access_code("7F3K-9QXM", "garbage") and not verify_access_code("x", "scrypt$1$2")
    assert not needs_rehash(first) and needs_rehash(_scrypt_hash("7F3K-9QXM"))


def test_a_legacy_scrypt_hash_is_verified_and_replaced_by_argon2_at_sign_in(people):
    with people.db.transaction() as conn:
        conn.execute(
            sa.text("UPDATE people SET access_code_hash = :h WHERE id = 'anna'"),
            {"h": _scrypt_hash("OLD-CODE")},
        )
    assert _hash_of(people, "anna").startswith("scrypt$")
    with pytest.raises(AccessDenied):
        people.sign_in("anna01", "OLD-CODX")
    assert _hash_of(people, "anna").startswith("scrypt$")  # a failed sign-in changes no hash
    assert people.sign_in("anna01", "old-code").id == "anna"
    upgraded = _hash_of(people, "anna")
    assert upgraded.startswith("$argon2id$") and verify_access_code("OLD-CODE", upgraded)
    assert people.sign_in("anna01", "OLD-CODE").id == "anna"  # and it still works afterwards
    entries = people.audit_frame(action="sign_in", actor="anna").to_dict("records")
    assert [e["details"]["rehashed"] for e in entries] == [True, False]


def test_no_plain_access_code_anywhere_in_the_database_or_the_audit_log(people):
    new_code = people.set_access_code("sofia", by="ada")
    people.start_session("ada", CODES["ada"], app="admin")
    for wrong in ("WRNG-1111", "WRNG-2222"):
        with pytest.raises(AccessDenied):
            people.sign_in("anna01", wrong)
    with people.db.read() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names()]
        everything = " ".join(
            repr(tuple(r)) for t in tables for r in conn.execute(sa.text(f'SELECT * FROM "{t}"'))
        ).upper()
    plain = [*CODES.values(), new_code, "WRNG-1111", "WRNG-2222"]
    for code in plain:
        assert code not in everything and code.replace("-", "") not in everything
    if people.db.is_sqlite:  # the file itself, with its write-ahead log
        raw = b"".join(p.read_bytes() for p in people.db.gate.path.parent.glob("surveykit.sqlite*")).upper()
        for code in plain:
            assert code.encode() not in raw and code.replace("-", "").encode() not in raw


def test_an_unknown_login_gets_the_same_answer_and_about_the_same_time(people):
    def timed(login: str) -> tuple[ErrorCode, float]:
        started = time.perf_counter()
        with pytest.raises(AccessDenied) as info:
            people.sign_in(login, "WRNG-CODE")
        return info.value.code, time.perf_counter() - started

    timed("anna01"), timed("nobody")  # warm up (the dummy hash is made once)
    known = sorted(timed("anna01")[1] for _ in range(5))[2]
    unknown_code, unknown = timed("nobody")
    assert unknown_code is ErrorCode.ACCESS_CODE_WRONG
    # both verify one argon2id hash (~30 ms): the medians differ by far less than a hash
    assert unknown > known * 0.4
    failed = people.audit_frame(action="sign_in_failed").to_dict("records")
    assert {e["details"]["reason"] for e in failed} == {"wrong_code", "unknown_login"}


def test_repeated_failures_lock_the_account_until_a_time_the_message_gives(people):
    directory = people.directory
    for attempt in range(1, 5):
        with pytest.raises(AccessDenied) as info:
            directory.authenticate("anna01", "WRNG-CODE", now=T0 + dt.timedelta(seconds=attempt))
        assert info.value.code is ErrorCode.ACCESS_CODE_WRONG
        assert _failures(people, "anna") == (attempt, None)
    with pytest.raises(AccessDenied) as info:  # the fifth failure locks for 15 minutes
        directory.authenticate("anna01", "WRNG-CODE", now=T0 + dt.timedelta(seconds=5))
    assert info.value.code is ErrorCode.ACCOUNT_LOCKED
    until = T0 + dt.timedelta(seconds=5, minutes=15)
    assert _failures(people, "anna") == (5, until)
    assert "until 2026-03-02 09:15 UTC" in str(info.value)
    assert "administrator" in info.value.hint and "surveykit users unlock ANNA01" in info.value.hint
    assert "заблокирована" in info.value.localized("ru")
    # locked: even the right code is refused, and the refusal does not extend the lock
    with pytest.raises(AccessDenied) as info:
        directory.authenticate("anna01", CODES["anna"], now=T0 + dt.timedelta(minutes=10))
    assert info.value.code is ErrorCode.ACCOUNT_LOCKED
    assert _failures(people, "anna") == (5, until)
    # after the lock: the right code works and resets the count
    assert directory.authenticate("anna01", CODES["anna"], now=until + dt.timedelta(seconds=1)).id == "anna"
    assert _failures(people, "anna") == (0, None)
    actions = people.audit_frame(entity="person", entity_id="anna")["action"].tolist()
    assert actions.count("sign_in_failed") == 5 and "sign_in_refused" in actions
    assert actions[-1] == "sign_in"


def test_a_success_resets_the_count_and_failures_after_an_expired_lock_count_from_one(people):
    directory = people.directory
    for i in range(3):
        with pytest.raises(AccessDenied):
            directory.authenticate("anna01", "WRNG-CODE", now=T0 + dt.timedelta(seconds=i))
    directory.authenticate("anna01", CODES["anna"], now=T0 + dt.timedelta(seconds=10))
    assert _failures(people, "anna") == (0, None)
    for i in range(5):
        with pytest.raises(AccessDenied):
            directory.authenticate("anna01", "WRNG-CODE", now=T0 + dt.timedelta(seconds=20 + i))
    with pytest.raises(AccessDenied) as info:  # the lock is over: one more failure counts as the first
        directory.authenticate("anna01", "WRNG-CODE", now=T0 + dt.timedelta(hours=1))
    assert info.value.code is ErrorCode.ACCESS_CODE_WRONG
    assert _failures(people, "anna")[0] == 1


def test_an_administrator_can_unlock_and_a_new_code_also_unlocks(people):
    for _ in range(5):
        with pytest.raises(AccessDenied):
            people.sign_in("anna01", "WRNG-CODE")
    assert people.person("anna").locked()
    unlocked = people.unlock_person("anna", by="ada")
    assert not unlocked.locked() and unlocked.failed_sign_ins == 0
    assert people.sign_in("anna01", CODES["anna"]).id == "anna"
    [entry] = people.audit_frame(action="unlock").to_dict("records")
    assert (entry["actor"], entry["entity_id"], entry["details"]["failed_sign_ins"]) == ("ada", "anna", 5)
    for _ in range(5):
        with pytest.raises(AccessDenied):
            people.sign_in("sofia", "WRNG-CODE")
    code = people.set_access_code("sofia", by="ada")
    assert people.sign_in("sofia", code).id == "sofia"


def test_the_lockout_threshold_and_duration_are_settings(store_url, monkeypatch):
    from surveykit.config import settings

    monkeypatch.setenv("SURVEYKIT_LOCKOUT_THRESHOLD", "2")
    monkeypatch.setenv("SURVEYKIT_LOCKOUT_MINUTES", "60")
    settings.cache_clear()
    try:
        with Store.open(store_url, enforce_certification=False) as store:
            store.add_person("anna", "Anna", ["interviewer"], login="ANNA01", access_code=CODES["anna"])
            with pytest.raises(AccessDenied):
                store.directory.authenticate("anna01", "WRNG-CODE", now=T0)
            with pytest.raises(AccessDenied) as info:
                store.directory.authenticate("anna01", "WRNG-CODE", now=T0)
            assert info.value.code is ErrorCode.ACCOUNT_LOCKED
            assert store.person("anna").locked_until == T0 + dt.timedelta(minutes=60)
    finally:
        settings.cache_clear()


def test_a_deactivated_account_is_refused_with_the_right_code_only(people):
    people.deactivate_person("anna", by="ada")
    with pytest.raises(AccessDenied) as info:
        people.sign_in("anna01", "WRNG-CODE")
    assert info.value.code is ErrorCode.ACCESS_CODE_WRONG  # a wrong code says nothing about the account
    with pytest.raises(AccessDenied) as info:
        people.sign_in("anna01", CODES["anna"])
    assert info.value.code is ErrorCode.ACCOUNT_INACTIVE
    assert "ANNA01" in str(info.value) and "surveykit users activate ANNA01" in info.value.hint
    people.reactivate_person("anna", by="ada")
    assert people.sign_in("anna01", CODES["anna"]).id == "anna"
    assert people.audit_frame(action="activate")["actor"].tolist() == ["ada"]


def test_the_last_active_administrator_cannot_be_removed(people):
    with pytest.raises(StoreError) as info:
        people.deactivate_person("ada", by="ada")
    assert info.value.code is ErrorCode.LAST_ADMINISTRATOR
    with pytest.raises(StoreError) as info:
        people.set_roles("ada", ["sociologist"], by="ada")
    assert info.value.code is ErrorCode.LAST_ADMINISTRATOR and "Give another person" in info.value.hint
    people.set_roles("sofia", ["supervisor", "administrator"], by="ada")
    assert people.set_roles("ada", ["sociologist"], by="sofia").roles == ("sociologist",)


def test_a_login_is_matched_whatever_its_case_and_whatever_the_person_id(people):
    people.add_person("p-17", "Нина Крылова", ("interviewer",), login="Nina.K", access_code="1357-2468", by="t")
    for typed in ("Nina.K", "nina.k", " NINA.K "):
        assert people.sign_in(typed, "1357-2468").id == "p-17"
    with pytest.raises(AccessDenied):
        people.sign_in("nina.k", "1357-2469")
