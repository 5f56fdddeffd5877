"""The guarded store on both backends: owners only for writes, SQL fragments stored verbatim, sign-in
refusals; PostgreSQL variants run on a throwaway cluster."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil

import pytest
import sqlalchemy as sa

from surveykit.errors import AccessDenied, ErrorCode
from surveykit.questionnaire.io import questionnaire_from_data
from surveykit.store import Store
from surveykit.store.guarded import GuardedStore
from surveykit.store.schema import metadata

from .helpers import CODE, certify

SQL = "'; DROP TABLE interviews; --"
SQL_LOGIN = "ROBERT'); DROP TABLE PEOPLE;--"  # logins are matched in capitals
FORM = {
    "schema_version": 1,
    "id": "tiny",
    "version": "1",
    "title": {"en": "Tiny"},
    "languages": ["en"],
    "default_language": "en",
    "items": [
        {"code": "consent", "type": "yes_no"},
        {"code": "comment", "type": "text"},
    ],
}
_counter = itertools.count()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "surveykit.sqlite"
    Store.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        target = tmp_path / "db.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        url = f"sqlite:///{target}"
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        name = f"perm_{next(_counter)}"
        url = cluster.create_database(name)
        Store.upgrade(url)
        request.addfinalizer(lambda: cluster.drop_database(name))
    with Store.open(url) as opened:
        opened.publish(questionnaire_from_data(FORM).unwrap())
        opened.add_institution("csp1", "Centre 1")
        for person_id, roles in (
            ("anna", ["interviewer"]),
            ("vera", ["interviewer"]),
            ("sup", ["supervisor"]),
            ("cou", ["council"]),
        ):
            opened.add_person(person_id, person_id.title(), roles, login=person_id, access_code=CODE)
        certify(opened, "anna")
        certify(opened, "vera")
        yield opened


def sign_in(store, login, app="test"):
    return GuardedStore(store, store.start_session(login, CODE, app=app))


def counts(store):
    with store.db.read() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


def test_only_the_owner_saves_and_submits_an_interview(store):
    anna, vera, sup = sign_in(store, "anna"), sign_in(store, "vera"), sign_in(store, "sup")
    meta = anna.start_interview("tiny", institution_id="csp1", mode="face_to_face")
    anna.save_draft(meta.id, {"consent": "yes"})
    # another interviewer: not hers (SK515); a supervisor does no interviews at all (SK514)
    for other, code in ((vera, ErrorCode.NOT_YOURS), (sup, ErrorCode.PERMISSION_DENIED)):
        with pytest.raises(AccessDenied) as err:
            other.save_draft(meta.id, {"consent": "no"})
        assert err.value.code is code
        with pytest.raises(AccessDenied) as err:
            other.submit(meta.id)
        assert err.value.code is code
    with pytest.raises(AccessDenied) as err:
        vera.save_draft(meta.id, {"consent": "no"})
    assert meta.id in err.value.message and "Vera" in err.value.message
    with pytest.raises(AccessDenied) as err:
        vera.load_interview(meta.id)
    assert err.value.code is ErrorCode.PERMISSION_DENIED
    assert sup.load_interview(meta.id).answers["consent"] == "yes"  # the supervisor may read all
    assert vera.drafts() == [] and [m.id for m in anna.drafts()] == [meta.id]
    with pytest.raises(AccessDenied):
        vera.drafts("anna")
    assert anna.submit(meta.id).outcome == "stored"
    entry = store.audit_frame(entity="interview", entity_id=meta.id, action="submit")
    assert list(entry["actor"]) == ["anna"]  # the audit names the signed-in person, never a caller's "by"


def test_the_interviewer_is_always_the_signed_in_person(store):
    anna = sign_in(store, "anna")
    meta = anna.start_interview("tiny", institution_id="csp1", mode="face_to_face", interviewer_id="vera")
    assert meta.interviewer_id == "anna"


def test_a_council_viewer_cannot_start_or_read_interviews(store):
    cou = sign_in(store, "cou")
    with pytest.raises(AccessDenied) as err:
        cou.start_interview("tiny", institution_id="csp1", mode="face_to_face")
    assert err.value.code is ErrorCode.PERMISSION_DENIED
    with pytest.raises(AccessDenied):
        cou.interviews_frame("tiny")
    with pytest.raises(AccessDenied):
        cou.progress("anna")


def test_sql_fragments_are_stored_and_read_back_verbatim(store):
    """Logins, institution ids and names, and answers holding SQL: parameterised everywhere, tables intact."""
    before = counts(store)
    store.add_institution(SQL, f"Centre {SQL}")
    store.add_person("bobby", SQL, ["interviewer"], login=SQL_LOGIN, access_code=CODE)
    certify(store, "bobby")
    bobby = GuardedStore(store, store.start_session(SQL_LOGIN, CODE, app="interview"))
    assert bobby.person.display_name == SQL
    meta = bobby.start_interview("tiny", institution_id=SQL, mode="face_to_face")
    bobby.save_draft(meta.id, {"consent": "yes", "comment": SQL})
    bobby.submit(meta.id)
    assert bobby.load_interview(meta.id).answers["comment"] == SQL
    assert bobby.institution(SQL).name == f"Centre {SQL}"
    frame = sign_in(store, "sup").interviews_frame("tiny")
    row = frame[frame["interview_id"] == meta.id].iloc[0]
    assert row["institution_id"] == SQL and row["comment"] == SQL
    after = counts(store)
    assert after["interviews"] == before["interviews"] + 1 and after["people"] == before["people"] + 1
    with pytest.raises(AccessDenied):  # a fragment as a login finds nobody
        store.start_session("' OR '1'='1", "' OR '1'='1", app="interview")


def test_a_session_of_one_person_cannot_be_reused_by_another_token(store):
    session = store.start_session("anna", CODE, app="interview")
    forged = type(session)(**{**session.__dict__, "token": session.token[:-2] + "xx"})
    with pytest.raises(AccessDenied) as err:
        GuardedStore(store, forged).drafts()
    assert err.value.code is ErrorCode.SESSION_ENDED


def test_an_expired_session_refuses_with_sign_in_again(store):
    session = store.start_session("anna", CODE, app="interview")
    g = GuardedStore(store, session)
    assert g.drafts() == []
    with store.db.engine.begin() as conn:  # the clock moved on: the session reached its end
        from surveykit.store.schema import sessions

        conn.execute(sa.update(sessions).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    with pytest.raises(AccessDenied) as err:
        g.drafts()
    assert err.value.code is ErrorCode.SESSION_ENDED
    assert "sign in" in err.value.hint.lower() or "sign in" in err.value.message.lower()
