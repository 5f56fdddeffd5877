"""Signing backup archives with the installation's backup key, and checking the signature at restore.

Checksums in the manifest catch damage, not tampering: whoever edits a row can recompute them. So the
manifest (which holds the SHA-256 of every table file and its row count) is signed with an Ed25519 key of
the installation, and a restore accepts an archive only when the signature verifies with that key.

Which key, and why a key of its own
    The backup key is ``data/keys/backup.pem`` (the ``backup_key`` setting; its public half
    ``backup.pub.pem`` beside it), made at the first backup. It is not the certificate issuer's key
    (``signing_key``): that key speaks for the training centre to the outside world (anyone can verify a
    certificate with its public key), may be kept offline and is rotated with a public announcement, while
    the backup key is needed unattended by every nightly backup and proves only "this installation wrote
    this archive". Separate keys keep a leak or a rotation of one from touching the other, and the signed
    bytes are domain-separated (:data:`CONTEXT`) so a signature of one kind can never pass for the other.

What is signed
    ``CONTEXT`` followed by the manifest without its ``signature`` entry, as canonical JSON (sorted keys,
    UTF-8, no whitespace; :func:`surveykit.certificates.signing.canonical_json`). The ``signature`` entry
    names the key (fingerprint and raw public key, for the messages only: the key trusted is always the
    installation's own) and holds the signature in base64url.

A foreign archive
    An archive made by another installation (a server being moved), an unsigned archive of an older
    surveykit, or one whose signature does not verify is refused (SK541) unless the operator says it is
    trusted (``surveykit db restore FILE --trust-foreign-archive``); such a restore writes an audit entry
    ``restore_foreign_archive`` saying why the archive was not authentic. Copying the old installation's
    ``data/keys/backup.pem`` and ``backup.pub.pem`` to the new one makes its archives authentic there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveykit.errors import ErrorCode, Location, StoreError, Translated

__all__ = ["CONTEXT", "Authenticity", "backup_key_path", "check_manifest", "refusal", "sign_manifest"]

#: the domain of backup signatures (never valid as a certificate signature, and the reverse)
CONTEXT = b"surveykit-backup-manifest-v1\n"
ALGORITHM = "Ed25519"


def backup_key_path() -> Path:
    from surveykit.config import settings

    return Path(settings().backup_key)


def _unusable(path: Path, detail: str) -> StoreError:
    return StoreError(ErrorCode.BACKUP_KEY_UNUSABLE, Location(file=str(path)), path=str(path), detail=detail)


def _private_key(create: bool) -> Any:
    """The installation's backup key (an IssuerKey), made at the first backup when ``create``."""
    from surveykit.certificates.signing import generate_key, load_key
    from surveykit.errors import CertificateError

    path = backup_key_path()
    if not path.exists():
        if not create:
            return None
        try:
            return generate_key(path)
        except (OSError, CertificateError) as err:
            raise _unusable(path, str(err)) from err
    try:
        return load_key(path)
    except CertificateError as err:
        raise _unusable(path, err.message) from err


def _public_key() -> Any:
    """The installation's backup public key (the .pub.pem file, else the private key's), or None."""
    from surveykit.certificates.signing import load_public_key, public_key_path
    from surveykit.errors import CertificateError

    path = backup_key_path()
    public = public_key_path(path)
    try:
        if public.is_file():
            return load_public_key(public)
        if path.is_file():
            return load_public_key(path)
    except CertificateError as err:
        raise _unusable(public if public.is_file() else path, err.message) from err
    return None


def _signed_bytes(manifest: Mapping[str, Any]) -> bytes:
    from surveykit.certificates.signing import canonical_json

    return CONTEXT + canonical_json({k: v for k, v in manifest.items() if k != "signature"})


def sign_manifest(manifest: Mapping[str, Any]) -> dict[str, str]:
    """The ``signature`` entry for ``manifest`` (the backup key is made if the installation has none)."""
    from surveykit.certificates.signing import b64url

    key = _private_key(create=True)
    public = key.public
    return {
        "algorithm": ALGORITHM,
        "key": public.fingerprint,
        "public_key": b64url(public.raw),
        "value": b64url(key.sign(_signed_bytes(manifest))),
    }


@dataclass(frozen=True)
class Authenticity:
    """Whether an archive was signed by this installation, and if not why (``kind``: unsigned, no_key,
    other_key, changed, unreadable) in words for the message and the audit entry."""

    authentic: bool
    kind: str = ""
    detail: Translated | None = None
    signer: str | None = None  # the fingerprint the archive names

    def audit_details(self) -> dict[str, Any]:
        return {"reason": self.kind, "detail": str(self.detail or ""), "signed_by": self.signer}


_WHY = {
    "unsigned": Translated(
        en="it carries no signature (made by an older surveykit, or the signature was removed)",
        ru="в нём нет подписи (сделан старой версией surveykit или подпись удалена)",
    ),
    "no_key": Translated(
        en="this installation has no backup key yet ({path}), so nothing can be verified",
        ru="у этой установки ещё нет ключа резервных копий ({path}), проверить подпись нечем",
    ),
    "other_key": Translated(
        en="it is signed by another installation's key ({signer}), not this one's ({mine})",
        ru="он подписан ключом другой установки ({signer}), а не этой ({mine})",
    ),
    "changed": Translated(
        en="its content does not match its signature: the archive was changed after the backup",
        ru="содержимое не совпадает с подписью: архив изменён после создания",
    ),
    "unreadable": Translated(en="its signature cannot be read", ru="подпись не читается"),
}


def _why(kind: str, **params: str) -> Translated:
    return Translated({lang: text.format(**params) for lang, text in _WHY[kind].items()})


def check_manifest(manifest: Mapping[str, Any]) -> Authenticity:
    """Verify the manifest's signature with this installation's backup key. Never raises for a bad
    signature (it is a reason); raises SK543 only when the installation's own key file is broken."""
    from surveykit.certificates.signing import b64url_decode

    signature = manifest.get("signature")
    if signature is None:
        return Authenticity(False, "unsigned", _why("unsigned"))
    if not isinstance(signature, Mapping) or signature.get("algorithm") != ALGORITHM:
        return Authenticity(False, "unreadable", _why("unreadable"))
    signer = str(signature.get("key", ""))
    public = _public_key()
    if public is None:
        return Authenticity(False, "no_key", _why("no_key", path=str(backup_key_path())), signer)
    if signer != public.fingerprint:
        return Authenticity(
            False, "other_key", _why("other_key", signer=signer, mine=public.fingerprint), signer
        )
    try:
        value = b64url_decode(str(signature.get("value", "")))
        data = _signed_bytes(manifest)
    except (ValueError, TypeError):
        return Authenticity(False, "unreadable", _why("unreadable"), signer)
    if not public.verify(value, data):
        return Authenticity(False, "changed", _why("changed"), signer)
    return Authenticity(True, signer=signer)


def refusal(path: Path, authenticity: Authenticity) -> StoreError:
    """SK541 for an archive that is not authentic, saying how to proceed."""
    key = backup_key_path()
    fix = Translated(
        en="Nothing was restored. Restore an archive this installation made. If you made this one yourself on "
        f"another installation, copy its {key.name} and {key.stem}.pub.pem into {key.parent}{os.sep} and "
        "restore again; if you trust the file anyway, run `surveykit db restore FILE --trust-foreign-archive` "
        "(the restore is recorded in the audit log).",
        ru="Ничего не восстановлено. Восстанавливайте архив, сделанный этой установкой. Если вы сами сделали его "
        f"на другой установке, скопируйте её {key.name} и {key.stem}.pub.pem в {key.parent}{os.sep} и повторите; "
        "если вы доверяете файлу, выполните `surveykit db restore FILE --trust-foreign-archive` "
        "(восстановление будет записано в журнал аудита).",
    )
    return StoreError(
        ErrorCode.BACKUP_NOT_AUTHENTIC, Location(file=str(path)), detail=authenticity.detail, fix=fix
    )
