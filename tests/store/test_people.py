"""Institutions, people, access codes and fieldwork assignments with their progress."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from surveykit.errors import AccessDenied, ConflictError, ErrorCode, NotFoundError, StoreError
from surveykit.store.directory import hash_access_code, verify_access_code
from surveykit.store.schema import metadata

from .helpers import small_answers


def test_institution_and_person_records(world):
    store = world.store
    assert store.institution("csp1").region == "north"
    assert [i.id for i in store.institutions()] == ["csp1", "csp2"]
    anna = store.person("anna")
    assert (anna.display_name, anna.roles, anna.login, anna.has_access_code) == (
        "Anna Ivanova",
        ("interviewer",),
        "ANNA01",
        True,
    )
    assert [p.id for p in store.people("supervisor")] == ["sofia"]
    assert len(store.person("boris").login) == 6  # a short login code is made when none is given
    with pytest.raises(NotFoundError) as info:
        store.person("ana")
    assert "did you mean 'anna'" in str(info.value)


def test_unknown_role_and_duplicate_person_are_refused(store):
    with pytest.raises(StoreError) as info:
        store.add_person("x", "X", ["interviewr"])
    assert info.value.code is ErrorCode.FIELD_INVALID
    store.add_person("x", "X")
    with pytest.raises(ConflictError):
        store.add_person("x", "Someone else")


def test_access_codes_are_hashed_with_a_salt_and_checked(world):
    store = world.store
    assert store.check_access_code("ANNA01", "7F3K-9QXM").id == "anna"
    assert store.check_access_code("anna01", "7f3k 9qxm").id == "anna"  # typed by a person: case and spaces
    for login, code in (("ANNA01", "7F3K-9QXN"), ("NOBODY", "7F3K-9QXM"), ("boris", "anything")):
        with pytest.raises(AccessDenied) as info:
            store.check_access_code(login, code)
        assert info.value.code is ErrorCode.ACCESS_CODE_WRONG
    new_code = store.set_access_code("boris")
    assert store.check_access_code("boris", new_code).id == "boris"
    # the plain codes are nowhere in the database
    with store.db.read() as conn:
        everything = " ".join(
            repr(tuple(row)) for table in metadata.sorted_tables for row in conn.execute(sa.select(table))
        ).upper()
        stored = conn.execute(sa.text("SELECT access_code_hash FROM people WHERE id = 'anna'")).scalar_one()
    for plain in ("7F3K-9QXM", "7F3K9QXM", new_code, new_code.replace("-", "")):
        assert plain.upper() not in everything
    if store.db.is_sqlite:
        raw = b"".join(p.read_bytes() for p in store.db.gate.path.parent.glob("surveykit.sqlite*"))
        assert b"7F3K9QXM" not in raw.upper() and b"7F3K-9QXM" not in raw.upper()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")  # argon2id (tests/access test the details)
    # the same code gets a different salt and hash for every person
    assert hash_access_code("7F3K-9QXM") != stored
    assert verify_access_code("7F3K-9QXM", stored)


def test_assignments_and_progress_count_done_against_target(world):
    store = world.store
    first = store.assign("anna", "csp1", "small", "2026-Q1", 3)
    store.assign("anna", "csp2", "small", "2026-Q1", 2)
    store.assign("boris", "csp1", "small", "2026-Q1", 0)
    assert store.assign("anna", "csp1", "small", "2026-Q1", 4).id == first.id  # changing the target
    ids = []
    for _ in range(3):
        meta = world.start("small", period="2026-Q1")
        assert meta.assignment_id == first.id  # counted towards the matching assignment
        ids.append(meta.id)
    store.submit(ids[0], small_answers(0))
    store.submit(ids[1], small_answers(1))
    store.set_status(ids[1], "approved", by="sofia", note="fine")
    practice = world.start("small", period="2026-Q1", practice=True)
    store.submit(practice.id, small_answers(2))  # practice never counts
    progress = store.progress(period="2026-Q1").set_index(["interviewer_id", "institution_id"])
    row = progress.loc[("anna", "csp1")]
    assert (
        row["target"],
        row["done"],
        row["submitted"],
        row["approved"],
        row["drafts"],
        row["remaining"],
    ) == (
        4,
        2,
        1,
        1,
        1,
        2,
    )
    assert row["share"] == 0.5
    assert progress.loc[("anna", "csp2"), "done"] == 0
    assert progress.loc[("boris", "csp1"), "share"] is pd.NA  # no target: no share
    assert [a.institution_id for a in store.assignments(interviewer_id="anna")] == ["csp1", "csp2"]


def test_an_assignment_of_another_interviewer_is_refused(world):
    store = world.store
    theirs = store.assign("boris", "csp1", "small", "2026-Q1", 5)
    with pytest.raises(StoreError) as info:
        world.start("small", assignment_id=theirs.id)
    assert info.value.code is ErrorCode.FIELD_INVALID
    with pytest.raises(NotFoundError):
        world.start("small", institution_id="csp9")
