"""The store-backed certificate register: issue -> valid; revoke / suspend / reinstate -> their status; a
changed byte of the stored record -> forged; a serial the store does not hold -> unknown."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from surveykit.certificates import (
    CertificateRegistry,
    RegistryState,
    Status,
    issue_certificate,
    load_template,
    verify,
)
from surveykit.certificates.model import Holder
from surveykit.certificates.registry_store import StoreRegistry
from surveykit.errors import CertificateError, ErrorCode
from surveykit.store.schema import certificates

from .helpers import add_trainee

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def issued(store, key):
    add_trainee(store)
    certificate = issue_certificate(
        {"name": "Иванова Мария Петровна", "roles": ["interviewer"], "person_id": "t1"},
        load_template("interviewer"),
        key,
        now=NOW - dt.timedelta(days=1),
    )
    registry = StoreRegistry(store)
    registry.register(certificate, by="trainer-1")
    return registry, certificate


def test_the_store_registry_implements_the_protocol(store):
    assert isinstance(StoreRegistry(store), CertificateRegistry)


def test_an_issued_certificate_verifies_as_valid_by_serial_qr_and_record(issued, key):
    registry, certificate = issued
    for evidence in (certificate.serial, certificate.qr_url, certificate.to_json()):
        result = verify(evidence, keys=[key.public], registry=registry)
        assert result.status is Status.VALID, evidence
        assert result.registry_checked
        assert result.holder == "Иванова Мария Петровна"
    stored = registry.store.training.certificate(certificate.serial)
    assert stored.roles == ("interviewer",) and stored.person_id == "t1"
    assert registry.get_status(certificate.serial) is None  # never changed since issue


@pytest.mark.parametrize(
    ("action", "status", "state"),
    [
        ("revoke", Status.REVOKED, RegistryState.REVOKED),
        ("suspend", Status.SUSPENDED, RegistryState.SUSPENDED),
    ],
)
def test_revoked_and_suspended_certificates_say_so_with_the_reason(issued, key, action, status, state):
    registry, certificate = issued
    getattr(registry, action)(certificate.serial, reason="confirmed falsification", by="t1")
    entry = registry.get_status(certificate.serial)
    assert entry.state is state and entry.reason == "confirmed falsification" and entry.by == "t1"
    result = verify(certificate.serial, keys=[key.public], registry=registry)
    assert result.status is status
    assert "confirmed falsification" in result.message("en") and "confirmed falsification" in result.message(
        "ru"
    )


def test_reinstating_lifts_a_suspension(issued, key):
    registry, certificate = issued
    registry.suspend(certificate.serial, reason="back-check pending", by="t1")
    registry.reinstate(certificate.serial, reason="back-check: interview confirmed", by="t1")
    assert registry.get_status(certificate.serial).state is RegistryState.ACTIVE
    assert verify(certificate.qr_url, keys=[key.public], registry=registry).status is Status.VALID


def test_a_changed_byte_of_the_stored_record_is_forged(issued, key, store):
    registry, certificate = issued
    record = dict(certificate.record)
    subject = dict(record["credentialSubject"])
    subject["name"] = subject["name"].replace("Мария", "Марья")
    record["credentialSubject"] = subject
    statement = (
        sa.update(certificates).where(certificates.c.serial == certificate.serial).values(record=record)
    )
    store.db.write(lambda conn: conn.execute(statement))
    for evidence in (certificate.serial, certificate.qr_url):
        assert verify(evidence, keys=[key.public], registry=registry).status is Status.FORGED


def test_an_unknown_serial_and_a_reason_are_reported(issued, key):
    registry, certificate = issued
    other = issue_certificate({"name": "Кто-то", "roles": ["interviewer"]}, load_template("interviewer"), key)
    assert verify(other.serial, keys=[key.public], registry=registry).status is Status.UNKNOWN
    assert verify(other.qr_url, keys=[key.public], registry=registry).status is Status.UNKNOWN
    with pytest.raises(CertificateError) as err:
        registry.revoke(other.serial, reason="typo", by=None)
    assert err.value.code is ErrorCode.CERT_UNKNOWN
    with pytest.raises(CertificateError) as err:
        registry.suspend(certificate.serial, reason="  ", by=None)
    assert err.value.code is ErrorCode.FIELD_MISSING


def test_a_diploma_for_someone_outside_the_store_is_kept_and_verifies(store, key):
    fields = {"place": "1 место", "region": "Приречной области", "institution": "КЦСОН «Заречье»",
              "nomination": "Социальная работа на дому"}  # fmt: skip
    diploma = issue_certificate(
        Holder(name="Соколова Анна Викторовна", fields=fields),
        load_template("best-social-worker-finalist"),
        key,
        now=NOW - dt.timedelta(days=1),
    )
    registry = StoreRegistry(store)
    registry.register(diploma, by=None)
    stored = store.training.certificate(diploma.serial)
    assert stored.person_id is None
    result = verify(diploma.serial, keys=[key.public], registry=registry)
    assert result.status is Status.VALID and result.holder == "Соколова Анна Викторовна"
