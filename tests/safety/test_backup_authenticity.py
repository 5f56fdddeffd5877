"""Authenticated backups (issue 13): the manifest is signed with the installation's backup key; a restore
refuses an archive whose content does not match its signature even with recomputed checksums (SK541), and an
archive of another installation unless the operator trusts it explicitly (audited); every restored value is
type-checked against the schema before commit (SK542 names table, row and column; nothing restored)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from surveykit.cli.main import main
from surveykit.config import settings
from surveykit.errors import ErrorCode, StoreError
from surveykit.store import Store
from surveykit.store.backup import read_manifest
from surveykit.store.backup_signing import CONTEXT, backup_key_path, check_manifest
from surveykit.store.schema import metadata


@pytest.fixture
def source(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'source' / 'surveykit.sqlite'}"
    (tmp_path / "source").mkdir()
    Store.upgrade(url)
    with Store.open(url, enforce_certification=False) as store:
        store.add_person("ada", "Ада Админова", ["administrator"], login="ada", access_code="ADMN-2468")
        store.add_person("cou", "Council member", ["council"], login="cou", access_code="COUN-1357")
        store.add_institution("i1", "Учреждение 1", by="ada")
    return url


@pytest.fixture
def archive(source, tmp_path) -> Path:
    path = tmp_path / "backup.zip"
    with Store.open(source) as store:
        store.backup(path)
    return path


def _target(tmp_path: Path, name: str = "target") -> str:
    (tmp_path / name).mkdir()
    return f"sqlite:///{tmp_path / name / 'surveykit.sqlite'}"


def _empty(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            return all(
                conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() == 0
                for t in metadata.sorted_tables
                if t.name in tables
            )
    finally:
        engine.dispose()


def _edit_rows(archive: Path, target: Path, table: str, edit, *, recompute: bool = True) -> None:
    """Change rows of one table like a careful attacker: the table file, and its checksum and row count in
    the manifest recomputed (the signature left as it was)."""
    with zipfile.ZipFile(archive) as old:
        files = {info.filename: old.read(info.filename) for info in old.infolist()}
    name = f"tables/{table}.jsonl"
    rows = [json.loads(line) for line in files[name].decode().splitlines()]
    rows = [edit(dict(r)) for r in rows]
    files[name] = "".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows
    ).encode()
    manifest = json.loads(files["manifest.json"])
    if recompute:
        manifest["tables"][table]["sha256"] = hashlib.sha256(files[name]).hexdigest()
        manifest["tables"][table]["rows"] = len(rows)
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for filename, data in files.items():
            new.writestr(filename, data)


def _promote(row: dict) -> dict:
    if row["id"] == "cou":
        row["roles"] = ["administrator"]
    return row


def test_the_manifest_is_signed_with_the_backup_key_not_the_certificate_key(archive):
    manifest = read_manifest(archive)
    signature = manifest["signature"]
    assert signature["algorithm"] == "Ed25519" and check_manifest(manifest).authentic
    assert backup_key_path() != settings().signing_key and backup_key_path().is_file()
    from surveykit.certificates.signing import load_public_key

    issuer = load_public_key()
    assert signature["key"] != issuer.fingerprint  # a key of its own
    assert CONTEXT.startswith(b"surveykit-backup")  # domain-separated signed bytes


def test_a_council_viewer_made_administrator_with_recomputed_checksums_is_refused(archive, tmp_path):
    tampered = tmp_path / "tampered.zip"
    _edit_rows(archive, tampered, "people", _promote)
    target = _target(tmp_path)
    with pytest.raises(StoreError) as info:
        Store.restore(tampered, target)
    assert info.value.code is ErrorCode.BACKUP_NOT_AUTHENTIC
    text = str(info.value)
    assert "does not match its signature" in text and "--trust-foreign-archive" in text
    assert "не совпадает с подписью" in info.value.localized("ru")
    assert _empty(target)


def test_the_cli_refuses_it_too_and_says_how_to_proceed(archive, tmp_path, capsys):
    tampered = tmp_path / "tampered.zip"
    _edit_rows(archive, tampered, "people", _promote)
    target = _target(tmp_path)
    assert main(["db", "restore", str(tampered), "--url", target]) == 1
    err = capsys.readouterr().err
    assert "SK541" in err and "--trust-foreign-archive" in err
    assert _empty(target)


def test_an_archive_of_another_installation_restores_only_when_trusted_and_is_audited(
    archive, tmp_path, monkeypatch
):
    monkeypatch.setenv("SURVEYKIT_BACKUP_KEY", str(tmp_path / "new-server" / "backup.pem"))
    settings.cache_clear()
    try:
        target = _target(tmp_path)
        with pytest.raises(StoreError) as info:
            Store.restore(archive, target)
        assert info.value.code is ErrorCode.BACKUP_NOT_AUTHENTIC and "no backup key yet" in str(info.value)
        # the new server gets a key of its own at its first backup: the old archive is now "another key's"
        Store.upgrade(f"sqlite:///{tmp_path / 'other.sqlite'}")
        with Store.open(f"sqlite:///{tmp_path / 'other.sqlite'}") as other:
            other.backup(tmp_path / "other.zip")
        with pytest.raises(StoreError) as info:
            Store.restore(archive, target)
        assert "another installation's key" in str(info.value)
        assert _empty(target)
        assert main(["db", "restore", str(archive), "--url", target, "--trust-foreign-archive"]) == 0
        with Store.open(target) as store:
            assert store.person("cou").roles == ("council",)
            entry = store.audit_frame(action="restore_foreign_archive")
        assert len(entry) == 1 and entry["actor"].iloc[0] == "operator"
        assert entry["details"].iloc[0]["reason"] == "other_key"
    finally:
        monkeypatch.undo()
        settings.cache_clear()


def test_an_unsigned_archive_of_an_older_surveykit_needs_trust(archive, tmp_path):
    unsigned = tmp_path / "unsigned.zip"
    with zipfile.ZipFile(archive) as old, zipfile.ZipFile(unsigned, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                del manifest["signature"]
                data = json.dumps(manifest).encode()
            new.writestr(info.filename, data)
    target = _target(tmp_path)
    with pytest.raises(StoreError) as info:
        Store.restore(unsigned, target)
    assert "carries no signature" in str(info.value)
    Store.restore(unsigned, target, trust_foreign=True)
    with Store.open(target) as store:
        assert store.audit_frame(action="restore_foreign_archive")["details"].iloc[0]["reason"] == "unsigned"


@pytest.mark.parametrize(
    ("table", "column", "value", "expected"),
    [
        ("people", "display_name", 12345, "text"),
        ("people", "active", "yes", "true or false"),
        ("people", "failed_sign_ins", "many", "a whole number"),
        ("people", "created_at", "yesterday", "ISO 8601 time"),
        ("people", "display_name", None, "needs a value"),
        ("institutions", "name", ["a", "list"], "text"),
    ],
)
def test_a_wrong_typed_value_is_refused_with_table_row_and_column(
    archive, tmp_path, table, column, value, expected
):
    tampered = tmp_path / "typed.zip"

    def edit(row: dict) -> dict:
        if row.get("id") in ("cou", "i1"):
            row[column] = value
        return row

    _edit_rows(archive, tampered, table, edit)
    target = _target(tmp_path)
    with pytest.raises(StoreError) as info:
        Store.restore(tampered, target, trust_foreign=True)  # trusted, and still type-checked
    assert info.value.code is ErrorCode.RESTORE_VALUE_INVALID
    assert info.value.location.field == column and info.value.location.row is not None
    assert f"table {table}" in str(info.value) and expected in str(info.value)
    assert "таблица" in info.value.localized("ru")
    assert _empty(target)


def test_a_broken_backup_key_is_named_and_no_archive_is_written(source, tmp_path, monkeypatch):
    broken = tmp_path / "keys" / "backup.pem"
    broken.parent.mkdir()
    broken.write_text("not a key", encoding="utf-8")
    monkeypatch.setenv("SURVEYKIT_BACKUP_KEY", str(broken))
    settings.cache_clear()
    try:
        with Store.open(source) as store, pytest.raises(StoreError) as info:
            store.backup(tmp_path / "never.zip")
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    assert info.value.code is ErrorCode.BACKUP_KEY_UNUSABLE and str(broken) in str(info.value)
    assert not (tmp_path / "never.zip").exists() and not (tmp_path / "never.zip.partial").exists()
