"""surveykit.certificates: signing, verification, serials, templates, PDFs and batch issuance."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import surveykit.certificates as certificates
from surveykit.certificates import (
    BatchProgress,
    CertificateTemplate,
    Holder,
    InMemoryRegistry,
    Issuer,
    NameCheck,
    Status,
    canonical_json,
    generate_key,
    issue_batch,
    issue_certificate,
    load_key,
    load_public_key,
    load_template,
    new_serial,
    normalize_serial,
    public_key_path,
    verify,
)
from surveykit.certificates import batch as batch_module
from surveykit.certificates.records import QR_BYTES
from surveykit.certificates.serials import ALPHABET
from surveykit.errors import CertificateError, ErrorCode

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
VERIFY_URL = "http://localhost:8866/voila/render/verify.ipynb"  # the shipped default of settings().verify_url
ISSUER = Issuer(
    "Общественный совет при Министерстве социальной политики Свердловской области",
    "https://sovet.example.org",
)
ISSUED = datetime(2026, 5, 14, 10, 30, tzinfo=UTC)
MARIA = {
    "name": "Иванова Мария Петровна",
    "roles": ["questionnaire_taker", "interviewer"],
    "scores": {"test": 92.5},
}


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return generate_key(tmp_path_factory.mktemp("keys") / "issuer.pem")


@pytest.fixture(scope="module")
def other_key(tmp_path_factory):
    return generate_key(tmp_path_factory.mktemp("other") / "issuer.pem")


@pytest.fixture(scope="module")
def template():
    return load_template(ROOT / "questionnaires/training/certificates/interviewer.yaml")


@pytest.fixture(scope="module")
def diploma():
    return load_template(ROOT / "questionnaires/training/certificates/best-social-worker-finalist.yaml")


def issue(template, key, holder=MARIA, **kwargs):
    kwargs = {"now": ISSUED, "issuer": ISSUER, "verify_url": VERIFY_URL, **kwargs}
    return issue_certificate(holder, template, key, **kwargs)


# --- signing and verification -------------------------------------------------------------------------------


def test_record_follows_the_open_badges_shape_and_verifies(template, key):
    cert = issue(template, key)
    record = cert.record
    assert record["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert record["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert record["id"] == f"urn:surveykit:certificate:{cert.serial}"
    assert record["issuer"] == {"id": ISSUER.url, "type": ["Profile"], "name": ISSUER.name}
    assert record["validFrom"] == "2026-05-14T10:30:00Z" and record["validUntil"] == "2028-05-14T10:30:00Z"
    subject = record["credentialSubject"]
    assert subject["name"] == MARIA["name"]
    assert [r["id"] for r in subject["roles"]] == ["questionnaire_taker", "interviewer"]
    assert subject["hours"] == 18 and subject["scores"] == {"test": 92.5}
    assert subject["achievement"]["criteria"]["narrative"]
    assert record["credentialStatus"]["id"] == f"{VERIFY_URL}?serial={cert.serial}"
    proof = record["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == certificates.CRYPTOSUITE
    assert proof["verificationMethod"] == f"{ISSUER.url}#ed25519-{key.public.fingerprint}"
    assert proof["proofValue"].startswith("u")

    for evidence in (record, cert.to_json(), canonical_json(record)):
        result = verify(evidence, keys=key, now=ISSUED)
        assert result.status is Status.VALID, result.message()
        assert result.holder == MARIA["name"] and result.serial == cert.serial
        assert [r.code for r in result.roles] == ["questionnaire_taker", "interviewer"]
        assert not result.registry_checked and "offline" in [r.key for r in result.reasons]


def test_qr_payload_and_url_verify_offline_and_against_the_registry(template, key):
    cert = issue(template, key)
    assert len(cert.qr_payload) == 118 and QR_BYTES == 88
    assert cert.qr_url == f"{VERIFY_URL}?c={cert.qr_payload}"
    for evidence in (cert.qr_payload, cert.qr_url):
        offline = verify(evidence, keys=[key.public], now=ISSUED)
        assert offline.status is Status.VALID and offline.serial == cert.serial
        assert offline.valid_until == cert.valid_until.date()
    registry = InMemoryRegistry([cert.record])
    online = verify(cert.qr_url, keys=key, registry=registry, now=ISSUED)
    assert online.status is Status.VALID and online.registry_checked
    assert online.holder == MARIA["name"]
    assert verify(cert.serial.lower().replace("-", " "), keys=key, registry=registry, now=ISSUED).ok
    # the QR carries only a hash of the name: a verifier can check a name read off an ID card
    assert verify(cert.qr_payload, keys=key, now=ISSUED, name="иванова  мария петровна").ok
    # another name is a separate answer, never "forged": offline the hash cannot tell a typo from the
    # patronymic left out, so the name is "unconfirmed"; against the register it is a "mismatch"
    other = verify(cert.qr_payload, keys=key, now=ISSUED, name="Иванова Мария Павловна")
    assert other.status is Status.VALID and other.name_check is NameCheck.UNCONFIRMED and not other.ok
    other = verify(cert.qr_payload, keys=key, registry=registry, now=ISSUED, name="Иванова Мария Павловна")
    assert other.status is Status.VALID and other.name_check is NameCheck.MISMATCH and not other.ok


def test_a_changed_byte_anywhere_in_the_signed_record_is_forged(template, key):
    record_bytes = canonical_json(issue(template, key).record)
    text = record_bytes.decode("utf-8")
    # every byte, flipped in its lowest bit: in the signature, nested fields, dates, keys, punctuation
    for position in range(len(record_bytes)):
        changed = bytearray(record_bytes)
        changed[position] ^= 0x01
        result = verify(bytes(changed), keys=key, now=ISSUED)
        assert result.status is Status.FORGED, (position, record_bytes[max(0, position - 20) : position + 20])
    # a few named places, changed as text
    for needle, replacement in (
        ('"hours":18', '"hours":19'),
        ("Иванова", "Иваново"),
        ("интервьюер", "интервьюэр"),
        ('"validUntil":"2028', '"validUntil":"2038'),
        ('"created":"2026', '"created":"2025'),
    ):
        assert needle in text
        assert verify(text.replace(needle, replacement, 1), keys=key, now=ISSUED).status is Status.FORGED
    signature_start = text.index('"proofValue":"u') + len('"proofValue":"u')
    for offset in (0, 10, 42, 84):
        i = signature_start + offset
        swapped = "A" if text[i] != "A" else "B"
        assert verify(text[:i] + swapped + text[i + 1 :], keys=key, now=ISSUED).status is Status.FORGED


def test_a_changed_qr_payload_is_forged(template, key):
    payload = issue(template, key).qr_payload
    for position in range(len(payload)):
        for replacement in {"A", "g", "_", "7"} - {payload[position]}:
            changed = payload[:position] + replacement + payload[position + 1 :]
            assert verify(changed, keys=key, now=ISSUED).status is Status.FORGED, (position, replacement)
    assert verify(payload[:-1], keys=key, now=ISSUED).status is Status.FORGED
    assert verify(payload + "A", keys=key, now=ISSUED).status is Status.FORGED


@pytest.mark.parametrize(
    "garbage", ["", "   ", "{", "{}", "[1]", "http://x/?c=", "c=%%%", "SK", "🙂" * 50, 12345, None]
)
def test_garbage_evidence_is_forged_never_a_crash(key, garbage):
    assert verify(garbage, keys=key).status is Status.FORGED


def test_a_record_or_qr_signed_by_another_key_is_forged(template, key, other_key):
    stranger = issue(template, other_key)
    result = verify(stranger.record, keys=key, now=ISSUED)
    assert result.status is Status.FORGED and result.reasons[0].key == "untrusted_key"
    assert verify(stranger.qr_payload, keys=key, now=ISSUED).status is Status.FORGED
    # claiming our key in verificationMethod does not help: the signature does not match it
    impostor = json.loads(json.dumps(stranger.record))
    impostor["proof"]["verificationMethod"] = key.public.verification_method(ISSUER.url)
    from surveykit.certificates.signing import attach_proof

    resigned = attach_proof(
        {k: v for k, v in impostor.items() if k != "proof"}, other_key, created="2026-05-14T10:30:00Z"
    )
    resigned["proof"]["verificationMethod"] = key.public.verification_method(ISSUER.url)
    result = verify(resigned, keys=key, now=ISSUED)
    assert result.status is Status.FORGED and result.reasons[0].key == "signature_mismatch"
    # with both keys trusted, both verify (a key rotation)
    assert verify(stranger.record, keys=[key, other_key.public], now=ISSUED).ok


def test_expiry_is_judged_at_now(template, key, diploma):
    cert = issue(template, key)
    until = cert.valid_until
    assert verify(cert.record, keys=key, now=until - timedelta(seconds=1)).status is Status.VALID
    expired = verify(cert.record, keys=key, now=until)
    assert expired.status is Status.EXPIRED
    assert "14 May 2028" in expired.message("en") and "14 мая 2028 г." in expired.message("ru")
    assert verify(cert.record, keys=key, now=ISSUED - timedelta(days=1)).status is Status.NOT_YET_VALID
    assert verify(cert.qr_url, keys=key, now=until + timedelta(days=1)).status is Status.EXPIRED
    # a naive datetime is taken as UTC; a date works too
    assert verify(cert.record, keys=key, now=datetime(2027, 1, 1)).ok
    finalist = issue(
        diploma,
        key,
        {"name": "Петрова Анна", "place": "финалист", "nomination": "N", "institution": "I"},
        fields={"region": "Свердловской области"},
    )
    assert finalist.valid_until is None and "validUntil" not in finalist.record
    assert verify(finalist.qr_url, keys=key, now=ISSUED + timedelta(days=365 * 60)).ok


def test_revocation_and_suspension_come_from_the_registry_with_reason(template, key):
    cert = issue(template, key)
    registry = InMemoryRegistry([cert.record])
    when = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    registry.suspend(cert.serial, reason="подтверждена фальсификация анкеты", by="Петров П. П.", when=when)
    for evidence in (cert.serial, cert.qr_url, cert.record):
        result = verify(evidence, keys=key, registry=registry, now=when)
        assert result.status is Status.SUSPENDED
        assert "подтверждена фальсификация анкеты" in result.message(
            "ru"
        ) and "Петров П. П." in result.message("en")
        assert result.status_entry.when == when and result.status_entry.by == "Петров П. П."
    registry.reinstate(cert.serial, reason="not confirmed", by="trainer")
    assert verify(cert.serial, keys=key, registry=registry, now=when).ok
    registry.revoke(cert.serial, reason="left the council", by="chair", when=when)
    revoked = verify(cert.qr_payload, keys=key, registry=registry, now=when)
    assert revoked.status is Status.REVOKED and "left the council" in revoked.message("en")
    assert revoked.to_dict()["status_entry"]["state"] == "revoked"
    # revocation wins over expiry
    assert (
        verify(cert.serial, keys=key, registry=registry, now=cert.valid_until + timedelta(days=1)).status
        is Status.REVOKED
    )
    with pytest.raises(CertificateError) as err:
        registry.revoke(new_serial(2026), reason="x", by="y")
    assert err.value.code is ErrorCode.CERT_UNKNOWN


def test_unknown_serial_and_a_serial_typo(template, key):
    cert = issue(template, key)
    registry = InMemoryRegistry([cert.record])
    other = new_serial(2026)
    unknown = verify(other, keys=key, registry=registry)
    assert unknown.status is Status.UNKNOWN and other in unknown.message("en")
    typo = cert.serial[:-1] + ("0" if cert.serial[-1] != "0" else "1")
    result = verify(typo, keys=key, registry=registry)
    assert result.status is Status.UNKNOWN and result.reasons[0].key == "serial_typo"
    assert "опечатка" in result.message("ru")
    # a QR signed by us whose serial is not registered
    assert verify(cert.qr_url, keys=key, registry=InMemoryRegistry()).status is Status.UNKNOWN
    # a serial cannot be checked without a registry: that is the caller's mistake, said plainly
    with pytest.raises(CertificateError, match="registry"):
        verify(cert.serial, keys=key)


def test_a_tampered_registry_record_or_a_mismatching_qr_is_forged(template, key):
    cert = issue(template, key)
    tampered = json.loads(json.dumps(cert.record))
    tampered["credentialSubject"]["roles"].append(
        {"id": "checklist_observer", "name": {"ru": "x", "en": "x"}}
    )
    assert verify(cert.serial, keys=key, registry=InMemoryRegistry([tampered])).status is Status.FORGED
    # two authentic certificates with the same serial: the QR of one against the record of the other
    twin = issue(template, key, {"name": "Сидоров Иван", "roles": ["interviewer"]}, serial=cert.serial)
    result = verify(twin.qr_url, keys=key, registry=InMemoryRegistry([cert.record]), now=ISSUED)
    assert result.status is Status.FORGED and result.reasons[0].key == "qr_mismatch"


# --- serials ------------------------------------------------------------------------------------------------


def test_serial_shape_and_normalisation():
    serial = new_serial(2026)
    assert serial.startswith("SK-2026-") and len(serial) == 17
    assert normalize_serial(serial) == serial
    assert normalize_serial(f"  {serial.lower().replace('-', '')} ") == serial
    looks_alike = serial.replace("0", "O").replace("1", "I")
    assert normalize_serial(looks_alike) == serial
    assert set(serial.replace("-", "")[2:]) <= set(ALPHABET)
    assert normalize_serial("not a serial") is None


def test_the_check_symbol_catches_every_single_symbol_typo_and_most_swaps():
    for serial in (new_serial(2026) for _ in range(20)):
        compact = serial.replace("-", "")[2:]  # year + 8 symbols
        for i, original in enumerate(compact):
            for symbol in ALPHABET:
                if symbol != original:
                    typo = compact[:i] + symbol + compact[i + 1 :]
                    assert normalize_serial("SK" + typo) is None, (serial, i, symbol)
        for i in range(len(compact) - 1):
            a, b = compact[i], compact[i + 1]
            if a != b and {a, b} != {
                "0",
                "Z",
            }:  # Luhn mod N misses only the swap of the first and last symbol
                swapped = compact[:i] + b + a + compact[i + 2 :]
                assert normalize_serial("SK" + swapped) is None, (serial, i)


# --- keys ---------------------------------------------------------------------------------------------------


def test_key_files_permissions_and_messages(tmp_path):
    path = tmp_path / "keys" / "issuer.pem"
    key = generate_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_key_path(path) == tmp_path / "keys" / "issuer.pub.pem"
    assert load_key(path).public.fingerprint == key.public.fingerprint
    assert load_public_key(public_key_path(path)).fingerprint == key.public.fingerprint
    assert key.public.fingerprint in repr(key) and "PRIVATE" not in repr(key)
    with pytest.raises(CertificateError) as err:
        generate_key(path)
    assert err.value.code is ErrorCode.OPTION_CONFLICT
    assert generate_key(path, overwrite=True).public.fingerprint != key.public.fingerprint

    missing = tmp_path / "nowhere" / "issuer.pem"
    with pytest.raises(CertificateError) as err:
        load_key(missing)
    assert err.value.code is ErrorCode.KEY_MISSING
    assert str(missing) in str(err.value) and "surveykit certificates keygen" in str(err.value)
    assert "нет ключа подписи" in err.value.localized("ru")

    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    with pytest.raises(CertificateError) as err:
        load_key(garbage)
    assert err.value.code is ErrorCode.FIELD_INVALID and str(garbage) in str(err.value)


# --- templates ----------------------------------------------------------------------------------------------


def test_shipped_templates_load_without_warnings(template, diploma):
    assert template.kind == "certificate" and set(template.roles) == {
        "questionnaire_taker",
        "interviewer",
        "checklist_observer",
    }
    assert diploma.kind == "diploma" and diploma.valid_years is None and not diploma.show_roles
    assert not template.warnings and not diploma.warnings
    assert {"interviewer", "best-social-worker-finalist"} <= set(
        certificates.list_templates(ROOT / "questionnaires/training/certificates")
    )


def test_template_problems_say_where_what_and_how_to_fix(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\ntitle: {ru: Сертификат\n", encoding="utf-8")
    with pytest.raises(CertificateError) as err:
        load_template(bad)
    assert err.value.code is ErrorCode.YAML_SYNTAX and err.value.location.line is not None

    with pytest.raises(CertificateError) as err:
        load_template(
            {
                "schema_version": 1,
                "titel": "x",
                "title": "Сертификат",
                "body": "выдан {name",
                "achievement": {"name": "a", "description": "d"},
                "layout": {"accent": "blue"},
            }
        )
    codes = [p.code for p in err.value.report.errors]
    assert ErrorCode.FIELD_UNKNOWN in codes and "did you mean 'title'" in str(err.value)
    assert ErrorCode.FIELD_MISSING in codes and "achievement.criteria" in str(err.value)
    assert "lone '{'" in str(err.value) and "#RRGGBB" in str(err.value)

    with pytest.raises(CertificateError) as err:
        load_template("interviewr")
    assert err.value.code is ErrorCode.NOT_FOUND and "did you mean 'interviewer'" in str(err.value)


def test_holder_problems_name_the_field(template, diploma, key):
    with pytest.raises(CertificateError) as err:
        issue(template, key, {"name": "Иванов", "roles": ["interviwer"]}, row=7)
    assert err.value.code is ErrorCode.FIELD_INVALID and "did you mean 'interviewer'" in str(err.value)
    assert err.value.location.row == 7
    with pytest.raises(CertificateError) as err:
        issue(diploma, key, {"name": "Петрова", "place": "финалист", "nomination": "N", "institution": "I"})
    assert err.value.code is ErrorCode.FIELD_MISSING and err.value.params["field"] == "region"
    with pytest.raises(CertificateError) as err:
        issue(template, key, {"name": "Иванов", "roles": "interviewer", "hours": "много"})
    assert err.value.location.field == "hours"


# --- PDF and batch ------------------------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(PdfReader(path).pages[0].extract_text().split())


def test_batch_continues_past_failing_people_and_cleans_up(tmp_path, template, key):
    people = [
        MARIA,
        {"name": "", "roles": ["interviewer"]},
        {"name": "Lee Wong", "roles": ["interviewer"]},
        {"name": "Ли 王", "roles": ["interviewer"]},
        {"name": "Смирнов Олег", "roles": ["astronaut"]},
        Holder("Кузнецова Ольга Ивановна", roles=("checklist_observer",), hours=20),
        None,
    ]
    events: list[BatchProgress] = []
    summary = issue_batch(
        people, template, key, tmp_path, events.append, now=ISSUED, issuer=ISSUER, verify_url=VERIFY_URL
    )

    assert [item.row for item in summary.issued] == [1, 3, 6]
    assert [(f.row, f.problem.code) for f in summary.failed] == [
        (2, ErrorCode.FIELD_MISSING),
        (4, ErrorCode.FIELD_INVALID),
        (5, ErrorCode.FIELD_INVALID),
        (7, ErrorCode.FIELD_INVALID),
    ]
    assert "王" in summary.failed[1].reason and "astronaut" in summary.failed[2].reason
    assert "3 certificate(s) issued, 4 failed" in str(summary)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["certificates.pdf", "records.jsonl", *(f.name for f in summary.files)]
    )
    assert summary.files[0].name == f"{summary.issued[0].serial}_ivanova-mariia-petrovna.pdf"
    records = [json.loads(line) for line in summary.records.read_text(encoding="utf-8").splitlines()]
    assert [r["credentialSubject"]["name"] for r in records] == [
        "Иванова Мария Петровна",
        "Lee Wong",
        "Кузнецова Ольга Ивановна",
    ]
    assert all(verify(r, keys=key, now=ISSUED).ok for r in records)

    # one step per person to issue, one per person's file (the rows that failed count as done), then "done"
    assert [e.done for e in events] == [1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 14]
    assert [e.phase for e in events] == ["issue"] * 7 + ["files"] * 3 + ["done"]
    assert {e.total for e in events} == {14} and events[-1].phase == "done" and events[-1].fraction == 1.0

    from pypdf import PdfReader

    assert len(PdfReader(summary.combined).pages) == 3
    assert len({item.serial for item in summary.issued}) == 3


def test_a_file_that_cannot_be_written_is_reported_and_left_no_trace(tmp_path, template, key, monkeypatch):
    real_replace = os.replace

    def full_disk_for_kuznetsova(src, dst):
        if "kuznetsova" in str(dst):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(batch_module.os, "replace", full_disk_for_kuznetsova)
    people = [
        MARIA,
        {"name": "Кузнецова Ольга", "roles": ["interviewer"]},
        {"name": "Орлов Пётр", "roles": ["interviewer"]},
    ]
    summary = issue_batch(people, template, key, tmp_path, now=ISSUED, issuer=ISSUER, verify_url=VERIFY_URL)
    assert [i.row for i in summary.issued] == [1, 3]
    assert [(f.row, f.problem.code) for f in summary.failed] == [(2, ErrorCode.EXPORT_WRITE_FAILED)]
    assert "No space left" in summary.failed[0].reason
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob("*kuznetsova*"))
    from pypdf import PdfReader

    pages = PdfReader(summary.combined).pages
    assert len(pages) == 2 and "Кузнецова" not in pages[0].extract_text() + pages[1].extract_text()
    records = summary.records.read_text(encoding="utf-8")
    assert "Кузнецова" not in records and "Орлов" in records


def test_pdf_is_a4_landscape_with_name_serial_and_issuer(tmp_path, template, key):
    summary = issue_batch([MARIA], template, key, tmp_path, now=ISSUED, issuer=ISSUER, verify_url=VERIFY_URL)
    from pypdf import PdfReader

    for path in (summary.files[0], summary.combined):
        page = PdfReader(path).pages[0]
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)
        text = pdf_text(path)
        assert "Иванова Мария Петровна" in text
        assert summary.issued[0].serial in text
        assert ISSUER.name.upper() in text
        assert "АНКЕТЁР · ИНТЕРВЬЮЕР" in text and "18 часов" in text and "14 мая 2028 г." in text


def test_per_person_files_without_pypdf_are_drawn_one_by_one(tmp_path, template, key, monkeypatch):
    monkeypatch.setattr(batch_module, "_page_splitter", lambda data: None)
    summary = issue_batch(
        [MARIA, {"name": "Орлов Пётр", "roles": "interviewer"}],
        template,
        key,
        tmp_path,
        now=ISSUED,
        issuer=ISSUER,
    )
    assert len(summary.files) == 2 and "Орлов Пётр" in pdf_text(summary.files[1])


def test_bilingual_and_english_layouts(tmp_path, template, key):
    for language, expected in (
        ("bilingual", ["СЕРТИФИКАТ", "CERTIFICATE", "This is to certify that"]),
        ("en", ["CERTIFICATE", "QUESTIONNAIRE TAKER"]),
    ):
        summary = issue_batch(
            [MARIA],
            template,
            key,
            tmp_path / language,
            language=language,
            per_person=False,
            now=ISSUED,
            issuer=ISSUER,
        )
        text = pdf_text(summary.combined)
        assert all(word in text for word in expected), (language, text)
        assert summary.issued[0].certificate.record["credentialSubject"]["achievement"]["inLanguage"] == (
            "ru" if language == "bilingual" else "en"
        )


def _render_and_decode(pdf: Path, png: Path) -> str:
    png.parent.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(png.with_suffix(""))], check=True
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, check=False
    )
    return decoded.stdout.strip()


needs_poppler_and_zbar = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="pdftoppm (poppler-utils) and zbarimg (zbar-tools) are needed to render the PDF and read the QR",
)


@needs_poppler_and_zbar
def test_the_printed_qr_code_scans_to_a_url_that_verifies(tmp_path, template, key):
    summary = issue_batch([MARIA], template, key, tmp_path, now=ISSUED, issuer=ISSUER, verify_url=VERIFY_URL)
    cert = summary.issued[0].certificate
    url = _render_and_decode(summary.files[0], ARTIFACTS / "certificate-interviewer.png")
    assert url == cert.qr_url
    assert url.startswith(VERIFY_URL + "?c=")
    result = verify(url, keys=key, registry=InMemoryRegistry([cert.record]), now=ISSUED)
    assert result.status is Status.VALID and result.holder == MARIA["name"]


@needs_poppler_and_zbar
def test_the_diploma_renders_and_its_qr_code_verifies(tmp_path, diploma, key):
    finalist = {
        "name": "Петрова Анна Сергеевна",
        "place": {"ru": "финалист", "en": "finalist"},
        "nomination": {
            "ru": "Социальный работник стационарного учреждения",
            "en": "Social worker in residential care",
        },
        "institution": {
            "ru": "ГАУ «КЦСОН Октябрьского района»",
            "en": "Oktyabrsky District Social Services Centre",
        },
    }
    fields = {"region": {"ru": "Свердловской области", "en": "the Sverdlovsk Region"}}
    summary = issue_batch(
        [finalist], diploma, key, tmp_path, fields=fields, now=ISSUED, issuer=ISSUER, verify_url=VERIFY_URL
    )
    assert summary.ok, str(summary)
    text = pdf_text(summary.combined)
    assert "ДИПЛОМ" in text and "Свердловской области" in text and "Петрова Анна Сергеевна" in text
    assert (
        summary.issued[0].certificate.record["credentialSubject"]["fields"]["region"]["ru"]
        == "Свердловской области"
    )
    url = _render_and_decode(summary.combined, ARTIFACTS / "diploma-best-social-worker.png")
    assert verify(url, keys=key, now=ISSUED).ok


def test_public_api_is_importable():
    for name in certificates.__all__:
        assert hasattr(certificates, name), name
    assert isinstance(load_template("interviewer"), CertificateTemplate)


def test_certificate_error_codes_are_translated_to_russian_with_the_same_fields():
    import string

    from surveykit.i18n import error_templates

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for code in (
        ErrorCode.CERT_NOT_ELIGIBLE,
        ErrorCode.CERT_FORGED,
        ErrorCode.CERT_UNKNOWN,
        ErrorCode.KEY_MISSING,
    ):
        message, hint = error_templates(code.code, "ru")
        assert message and hint, code
        assert fields(message) == fields(code.template) and fields(hint) == fields(code.hint_template), code


# --- QR mask choice -----------------------------------------------------------------------------------------


def _plain_penalty(matrix) -> int:
    """ISO/IEC 18004 7.8.3.1 N1..N4 written out plainly, the quiet zone light: the reference for numpy."""
    m = [[int(v) for v in row] for row in matrix]
    n, score = len(m), 0
    finder_like = ([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1])
    for line in m + [list(column) for column in zip(*m, strict=True)]:
        runs, run = [], 1
        for previous, current in zip(line, line[1:]):
            if current == previous:
                run += 1
            else:
                runs.append(run)
                run = 1
        runs.append(run)
        score += sum(3 + (run - 5) for run in runs if run >= 5)  # N1
        padded = [0] * 4 + line + [0] * 4
        score += 40 * sum(padded[i : i + 11] in finder_like for i in range(len(padded) - 10))  # N3
    for i in range(n - 1):
        for j in range(n - 1):
            score += 3 * (m[i][j] == m[i + 1][j] == m[i][j + 1] == m[i + 1][j + 1])  # N2
    dark_percent = 100 * sum(map(sum, m)) / (n * n)
    return score + 10 * int(abs(dark_percent - 50) // 5)  # N4


@pytest.mark.parametrize("length", [10, 118, 300])
def test_qr_candidates_equal_segnos_symbols_and_the_lowest_penalty_wins(length):
    import secrets

    import numpy as np
    import segno

    from surveykit.certificates.qr import candidates, penalties, qr_symbol

    url = f"{VERIFY_URL}?c={secrets.token_urlsafe(length)[:length]}"
    masked, version, error = candidates(url)
    for k in range(8):
        reference = segno.make(url, version=version, error=error, mask=k, boost_error=False, micro=False)
        assert np.array_equal(masked[k], np.array(reference.matrix, dtype=bool)), k
    scores = penalties(masked)
    assert list(scores) == [_plain_penalty(candidate) for candidate in masked]
    symbol = qr_symbol(url)
    assert scores[symbol.mask] == min(scores) and np.array_equal(symbol.matrix, masked[symbol.mask])
