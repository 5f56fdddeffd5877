"""One truth for certification (issue 13): the interview gate and certification_status count a stored
certificate only when its signed record verifies and the stored columns say what the record says, so an
edited certificate cannot keep (or make) anyone certified; status changes and reviews refuse actors that
are not people of the store (SK540), except the command line's documented operator."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import sqlalchemy as sa

from surveykit.certificates import generate_key
from surveykit.errors import AccessDenied, DataImportError, ErrorCode, StoreError
from surveykit.questionnaire.io import questionnaire_from_data
from surveykit.store import Store
from surveykit.store.schema import certificates
from surveykit.store.testing import add_signed_certificate

NOW = dt.datetime.now(dt.UTC)
FORM = {
    "schema_version": 1,
    "id": "tiny",
    "version": "1",
    "title": {"en": "Tiny"},
    "languages": ["en"],
    "default_language": "en",
    "items": [{"code": "comment", "type": "text"}],
}
ACCESS = "7F3K-9QXM"


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'surveykit.sqlite'}"
    Store.upgrade(url)
    with Store.open(url) as opened:
        opened.publish(questionnaire_from_data(FORM).unwrap())
        opened.add_institution("i1", "Institution 1")
        opened.add_person("anna", "Anna", ["interviewer"], login="anna", access_code=ACCESS)
        opened.add_person("boris", "Boris", ["interviewer"])
        opened.add_person("sofia", "Sofia", ["supervisor"])
        yield opened


def _certify(store: Store, person: str = "anna", roles=("interviewer",)):
    return add_signed_certificate(
        store,
        person,
        list(roles),
        issued_at=NOW - dt.timedelta(days=10),
        valid_until=NOW + dt.timedelta(days=300),
    )


def _edit(store: Store, serial: str, **values) -> None:
    """What someone with write access to the database file does: change the row, no signature."""
    with store.db.transaction() as conn:
        conn.execute(sa.update(certificates).where(certificates.c.serial == serial).values(**values))


def _start(store: Store, person: str = "anna"):
    return store.start_interview("tiny", institution_id="i1", interviewer_id=person, mode="face_to_face")


def test_a_signed_certificate_certifies(store):
    serial = _certify(store).serial
    status = store.certification_status("anna")
    assert status.valid and status.serial == serial
    assert store.submit(_start(store).id, {"comment": "ok"}).outcome == "stored"


def _tampered_record(record: dict) -> dict:
    changed = json.loads(json.dumps(record))
    changed["validUntil"] = "2099-01-01T00:00:00Z"  # prolonged in the record itself (signature kept)
    return changed


@pytest.mark.parametrize(
    ("change", "why_en", "why_ru"),
    [
        ("record", "changed after it was signed", "изменена после подписания"),
        ("valid_until", "stored end date differs", "дата окончания"),
        ("issued_at", "stored start date differs", "дата начала"),
        ("roles", "stored roles differs", "роли"),
        ("empty record", "signed record is missing", "нет подписанной записи"),
    ],
)
def test_an_edited_certificate_ends_certification_at_the_next_check(store, change, why_en, why_ru):
    cert = _certify(store, roles=("questionnaire_taker",) if change == "roles" else ("interviewer",))
    if change != "roles":
        assert store.certification_status("anna").valid
    meta = _start(store) if change != "roles" else None
    values = {
        "record": {"record": _tampered_record(cert.record)},
        "valid_until": {"valid_until": NOW + dt.timedelta(days=3000)},
        "issued_at": {"issued_at": NOW - dt.timedelta(days=20)},
        "roles": {"roles": ["questionnaire_taker", "interviewer"]},  # a role added to the row only
        "empty record": {"record": {}},
    }[change]
    _edit(store, cert.serial, **values)
    status = store.certification_status("anna")
    assert not status.valid and status.kind == "forged" and status.serial == cert.serial
    assert "not authentic" in status.reason("en") and why_en in status.reason("en")
    assert "не подлинный" in status.reason("ru") and why_ru in status.reason("ru")
    with pytest.raises(AccessDenied) as info:
        _start(store)
    assert info.value.code is ErrorCode.NOT_CERTIFIED and "not authentic" in str(info.value)
    if meta is not None:  # a draft started while certified cannot be submitted as real data
        with pytest.raises(AccessDenied):
            store.submit(meta.id, {"comment": "x"})


def test_a_certificate_moved_to_another_person_certifies_nobody(store):
    cert = _certify(store, "anna")
    _edit(store, cert.serial, person_id="boris")
    status = store.certification_status("boris")
    assert not status.valid and status.kind == "forged" and "holder" in status.reason("en")
    assert store.certification_status("anna").kind == "none"


def test_a_certificate_signed_with_another_key_does_not_count(store, tmp_path):
    forger = generate_key(tmp_path / "forger.pem")
    add_signed_certificate(
        store, "boris", ["interviewer"], issued_at=NOW - dt.timedelta(days=1),
        valid_until=NOW + dt.timedelta(days=30), key=forger,
    )  # fmt: skip
    status = store.certification_status("boris")
    assert not status.valid and "not the issuer's" in status.reason("en")


def test_an_authentic_certificate_still_counts_beside_a_forged_one(store):
    old = _certify(store)
    _edit(store, old.serial, valid_until=NOW + dt.timedelta(days=3000))
    assert store.certification_status("anna").kind == "forged"
    new = _certify(store)
    status = store.certification_status("anna")
    assert status.valid and status.serial == new.serial


def test_the_interview_app_refuses_a_tampered_certificate(store):
    from surveykit.ui.interview_app import InterviewApp

    cert = _certify(store)
    app = InterviewApp(store, language="ru")
    app.sign_in("anna", ACCESS)
    assert app._certificate()[0] is True
    _edit(store, cert.serial, valid_until=NOW + dt.timedelta(days=3000))
    certified, why = app._certificate()
    assert certified is False and "не подлинный" in why


def test_a_bulk_import_counts_only_authentic_certificates(store):
    cert = _certify(store)
    frame = pd.DataFrame(
        {
            "institution_id": ["i1"],
            "interviewer_id": ["anna"],
            "mode": ["face_to_face"],
            "started_at": [NOW.isoformat()],
            "comment": ["imported"],
        }
    )
    _edit(store, cert.serial, valid_until=NOW + dt.timedelta(days=3000))
    with pytest.raises(DataImportError) as info:
        store.import_frame(frame, "tiny", by="operator")
    assert ErrorCode.NOT_CERTIFIED in {p.code for p in info.value.report.errors}


def test_without_an_issuer_key_nothing_certifies_and_the_reason_names_the_key(store, tmp_path, monkeypatch):
    from surveykit.config import settings

    _certify(store)
    monkeypatch.setenv("SURVEYKIT_SIGNING_KEY", str(tmp_path / "absent" / "issuer.pem"))
    settings.cache_clear()
    try:
        status = store.certification_status("anna")
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    assert (
        not status.valid
        and "no trusted issuer key" in status.reason("en")
        and "absent" in status.reason("en")
    )


# --- who may decide --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("actor", ["nobody", None, "", "sofia-deactivated"])
def test_status_changes_and_reviews_refuse_actors_that_are_not_people(store, actor):
    _certify(store)
    meta = _start(store)
    store.submit(meta.id, {"comment": "ok"})
    cert = store.training.certificates("anna")[0]
    if actor == "sofia-deactivated":
        store.deactivate_person("sofia", by="operator")
        actor = "sofia"
    before = store.audit_frame()
    for attempt in (
        lambda: store.set_status(meta.id, "approved", by=actor, note="?"),
        lambda: store.reviews.review(meta.id, "comment", "approved", published_text="ok", reviewer_id=actor),
        lambda: store.training.set_certificate_status(cert.serial, "suspended", reason="?", by=actor),
    ):
        with pytest.raises(StoreError) as info:
            attempt()
        assert info.value.code is ErrorCode.ACTOR_UNKNOWN and info.value.location.field == "by"
        assert "человек из базы" in info.value.localized("ru")
    assert store.interview(meta.id).status == "submitted"
    assert store.training.certificate(cert.serial).status == "valid"
    assert len(store.audit_frame()) == len(before)


def test_a_person_and_the_operator_may_decide(store):
    _certify(store)
    meta = _start(store)
    store.submit(meta.id, {"comment": "ok"})
    assert store.set_status(meta.id, "rejected", by="sofia", note="call back").status == "rejected"
    assert store.set_status(meta.id, "submitted", by="operator", note="checked").status == "submitted"
    review = store.reviews.review(meta.id, "comment", "approved", published_text="ok", reviewer_id="operator")
    assert review.status == "approved"
    serial = store.training.certificates("anna")[0].serial
    assert (
        store.training.set_certificate_status(serial, "suspended", reason="x", by="sofia").status
        == "suspended"
    )
    actors = set(store.audit_frame()["actor"].dropna())
    assert {"sofia", "operator"} <= actors and "nobody" not in actors


def test_the_refusal_message_says_who_and_how_to_fix(store):
    _certify(store)
    meta = _start(store)
    store.submit(meta.id, {"comment": "ok"})
    with pytest.raises(StoreError) as info:
        store.set_status(meta.id, "approved", by="nobody")
    text = str(info.value)
    assert "'nobody'" in text and "no such person" in text and "operator" in text
