"""Verification with a name typed by a verifier (issue 16 item 1): tolerant of order, a missing patronymic,
case, ё/е and standard transliterations; a different name is its own answer ("check the spelling"), never
"forged"; a tampered signature is forged whatever the name."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from surveykit.certificates import (
    InMemoryRegistry,
    Issuer,
    NameCheck,
    Status,
    generate_key,
    issue_certificate,
    load_template,
    verify,
)
from surveykit.certificates.names import names_match
from surveykit.translit import GOST_779_B, ICAO, transliterate

from .test_certificates import ROOT, VERIFY_URL

HOLDER = "Потапова Алёна Игоревна"
ISSUED = datetime(2026, 5, 14, 10, 30, tzinfo=UTC)
SAME_PERSON = [
    "Потапова Алёна Игоревна",
    "Потапова Алёна",
    "АЛЁНА ПОТАПОВА",
    "Алена Потапова",
    "алёна игоревна потапова",
    "Alyona Potapova",
    "Alena Potapova",
    "POTAPOVA ALENA IGOREVNA",
    "Potapova Alyona Igorevna",
    "  Потапова   Алена  Игоревна ",
]
OTHER_PEOPLE = [
    "Потапова Елена Игоревна",  # another given name
    "Потапов Алёна",  # another surname (a letter differs)
    "Потапова",  # the surname alone is not a name
    "Алёна Игоревна",  # no surname
    "Alina Potapova",
    "Потапова Алёна Игоревна Смирнова",  # a word the certificate does not hold
]


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    key = generate_key(tmp_path_factory.mktemp("keys") / "issuer.pem")
    template = load_template(ROOT / "questionnaires/training/certificates/interviewer.yaml")
    cert = issue_certificate(
        {"name": HOLDER, "roles": ["interviewer"]},
        template,
        key,
        now=ISSUED,
        issuer=Issuer("Совет", "https://sovet.example.org"),
        verify_url=VERIFY_URL,
    )
    return cert, key, InMemoryRegistry([cert.record])


def test_standard_tables_give_the_passport_and_gost_spellings():
    assert transliterate("Потапова Алёна Игоревна", ICAO) == "potapova alena igorevna"  # ICAO Doc 9303
    assert transliterate("Алёна", GOST_779_B) == "alyona"  # GOST 7.79-2000 system B
    assert (
        transliterate("Цыганов Кузнецов", GOST_779_B) == "cyganov kuzneczov"
    )  # ц: c before y/i/e/j, cz else


@pytest.mark.parametrize("typed", SAME_PERSON)
def test_the_same_person_typed_differently_matches(typed):
    assert names_match(typed, HOLDER)


@pytest.mark.parametrize("typed", OTHER_PEOPLE)
def test_another_name_does_not_match(typed):
    assert not names_match(typed, HOLDER)


@pytest.mark.parametrize("typed", SAME_PERSON)
def test_verification_by_serial_and_qr_confirms_the_name(issued, typed):
    cert, key, registry = issued
    for evidence in (cert.serial, cert.qr_url, json.dumps(cert.record)):
        result = verify(evidence, keys=key, registry=registry, now=ISSUED, name=typed)
        assert result.status is Status.VALID, (evidence[:20], result.message())
        assert result.name_check is NameCheck.MATCH and result.ok
        assert result.name_reason.key == "name_match"


@pytest.mark.parametrize("typed", OTHER_PEOPLE)
def test_another_name_is_a_mismatch_worded_as_such_never_forged(issued, typed):
    cert, key, registry = issued
    for evidence in (cert.serial, cert.qr_url):
        result = verify(evidence, keys=key, registry=registry, now=ISSUED, name=typed)
        assert result.status is Status.VALID  # the certificate is genuine
        assert result.name_check is NameCheck.MISMATCH and not result.ok
        for language, words in (("en", "check the spelling"), ("ru", "проверьте написание")):
            message = result.message(language)
            assert words in message
            assert "forged" not in message.lower() and "подделан" not in message.lower()
        assert result.to_dict()["name_check"] == "mismatch"


def test_offline_qr_confirms_a_reordered_name_and_says_when_it_cannot(issued):
    cert, key, _ = issued
    reordered = verify(cert.qr_payload, keys=key, now=ISSUED, name="Алёна Игоревна ПОТАПОВА")
    assert reordered.name_check is NameCheck.MATCH and reordered.ok
    latin = verify(cert.qr_payload, keys=key, now=ISSUED, name="Alyona Potapova")
    assert latin.status is Status.VALID and latin.name_check is NameCheck.UNCONFIRMED
    assert "register" in latin.name_reason.en and "реестру" in latin.name_reason.ru


@pytest.mark.parametrize("typed", [None, HOLDER, "Alyona Potapova", "Совсем Другой Человек"])
def test_a_tampered_signature_is_forged_whatever_the_name(issued, typed):
    cert, key, _ = issued
    tampered = json.loads(json.dumps(cert.record))
    tampered["credentialSubject"]["hours"] = 99
    result = verify(tampered, keys=key, now=ISSUED, name=typed)
    assert result.status is Status.FORGED and result.name_check is None
    assert [r.key for r in result.reasons] == ["signature_mismatch"]
    registry = InMemoryRegistry([tampered])
    assert verify(cert.serial, keys=key, registry=registry, now=ISSUED, name=typed).status is Status.FORGED


def test_a_huge_name_is_a_mismatch_not_a_hang(issued):
    cert, key, registry = issued
    result = verify(cert.serial, keys=key, registry=registry, now=ISSUED, name="а " * 5000)
    assert result.name_check is NameCheck.MISMATCH


# --- issue 16 item 6: the issuer per language, the verify URL from the settings -----------------------------


def test_the_issuer_is_named_per_language_on_the_certificate_the_record_and_the_verify_page(tmp_path):
    from surveykit.ui.verify_app import verification_html

    key = generate_key(tmp_path / "issuer.pem")
    template = load_template(ROOT / "questionnaires/training/certificates/interviewer.yaml")
    issuer = Issuer(
        "Public Council Training Centre",
        "https://sovet.example.org",
        names={"ru": "Учебный центр общественного совета", "en": "Public Council Training Centre"},
    )
    holder = {"name": HOLDER, "roles": ["interviewer"]}
    russian = issue_certificate(holder, template, key, language="ru", now=ISSUED, issuer=issuer)
    assert russian.record["issuer"]["name"] == "Учебный центр общественного совета"
    assert russian.record["issuer"]["translations"] == {"en": {"name": "Public Council Training Centre"}}
    result = verify(russian.record, keys=key, now=ISSUED)
    assert result.status is Status.VALID
    assert result.issuer_in("ru") == "Учебный центр общественного совета"
    assert result.issuer_in("en") == "Public Council Training Centre"
    assert "Учебный центр общественного совета" in verification_html(result, "ru")
    assert "Public Council Training Centre" not in verification_html(result, "ru")
    assert "Public Council Training Centre" in verification_html(result, "en")
    english = issue_certificate(holder, template, key, language="en", now=ISSUED, issuer=issuer)
    assert english.record["issuer"]["name"] == "Public Council Training Centre"
    assert "Учебный центр" not in english.texts["en"]["body"] + english.texts["en"]["preamble"]


def test_issuer_and_verify_url_come_from_the_settings(tmp_path, monkeypatch):
    from surveykit.config import Settings

    default = Settings.load({}, root=tmp_path)
    assert default.verify_url == "http://localhost:8866/voila/render/verify.ipynb"
    assert default.issuer_name_ru and default.issuer_name_en and not default.issuer_name
    served = Settings.load({"SURVEYKIT_PUBLIC_URL": "https://training.example.org/"}, root=tmp_path)
    assert served.verify_url == "https://training.example.org/voila/render/verify.ipynb"
    explicit = Settings.load(
        {
            "SURVEYKIT_PUBLIC_URL": "https://a.example.org",
            "SURVEYKIT_VERIFY_URL": "https://v.example.org/check",
        },
        root=tmp_path,
    )
    assert explicit.verify_url == "https://v.example.org/check"

    import surveykit.config as config

    monkeypatch.setattr(
        config,
        "settings",
        lambda: Settings.load(
            {"SURVEYKIT_ISSUER_NAME_RU": "Совет", "SURVEYKIT_PUBLIC_URL": "https://t.example.org"},
            root=tmp_path,
        ),
    )
    issuer = Issuer.from_settings()
    assert issuer.name_in("ru") == "Совет" and issuer.name_in("en") == "Public Council Training Centre"
    key = generate_key(tmp_path / "issuer.pem")
    template = load_template(ROOT / "questionnaires/training/certificates/interviewer.yaml")
    cert = issue_certificate({"name": HOLDER, "roles": ["interviewer"]}, template, key, language="ru")
    assert cert.qr_url.startswith("https://t.example.org/voila/render/verify.ipynb?c=")
    assert cert.record["issuer"]["name"] == "Совет"


def test_serve_points_the_certificates_at_the_served_address(monkeypatch, tmp_path):
    from surveykit.cli import cmd_serve
    from surveykit.config import Settings

    monkeypatch.delenv("SURVEYKIT_VERIFY_URL", raising=False)
    monkeypatch.setattr("surveykit.config.settings", lambda: Settings.load({}, root=tmp_path))
    assert cmd_serve.served_env(8870) == {"SURVEYKIT_PUBLIC_URL": "http://127.0.0.1:8870"}
    served = Settings.load(cmd_serve.served_env(8870), root=tmp_path)
    assert served.verify_url == "http://127.0.0.1:8870/voila/render/verify.ipynb"
    # an address that is set is kept
    monkeypatch.setattr(
        "surveykit.config.settings",
        lambda: Settings.load({"SURVEYKIT_PUBLIC_URL": "https://t.example.org"}, root=tmp_path),
    )
    assert cmd_serve.served_env(8870) == {}
