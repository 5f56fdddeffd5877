"""Ed25519 keys, the canonical JSON serialisation, and the proof attached to a certificate record.

What is signed
    The record *with* its ``proof`` object but *without* ``proof.proofValue``, serialised canonically:
    JSON with keys sorted (by code point), UTF-8, no insignificant whitespace (``separators=(",", ":")``),
    non-ASCII characters written as themselves, NaN and infinities refused. So the signature covers every
    field of the credential and also the proof options (created, verificationMethod, cryptosuite): a
    change anywhere, even in the proof's date, breaks it.

    This is close to the JSON Canonicalization Scheme (RFC 8785) for the data we write (strings, integers,
    short decimals), but it is not a certified JCS implementation, and no JSON-LD (RDF) canonicalisation is
    done. The cryptosuite is therefore named ``surveykit-eddsa-sortedjson-2026``, not ``eddsa-jcs-2022``
    or ``eddsa-rdfc-2022``: a generic Data Integrity verifier will not verify it, our :func:`verify` does.

Keys
    The issuer's private key is a PKCS#8 PEM file (mode 0600), the public key a SubjectPublicKeyInfo PEM
    file next to it (``issuer.pem`` -> ``issuer.pub.pem``). A key is named by its *fingerprint*: the first
    16 hex digits of SHA-256 over the 32 raw public-key bytes. The proof's ``verificationMethod`` is
    ``<issuer id>#ed25519-<fingerprint>``; the QR payload carries the first 4 bytes of the same hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from surveykit.errors import CertificateError, ErrorCode, Location

__all__ = [
    "CRYPTOSUITE",
    "IssuerKey",
    "PublicKey",
    "canonical_json",
    "generate_key",
    "load_key",
    "load_public_key",
    "public_key_path",
]

CRYPTOSUITE = "surveykit-eddsa-sortedjson-2026"
PROOF_TYPE = "DataIntegrityProof"
#: multibase prefix of base64url without padding
MULTIBASE_BASE64URL = "u"


def canonical_json(value: Any) -> bytes:
    """The bytes that are signed: sorted keys, UTF-8, no whitespace, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url without padding; raises ``ValueError`` on anything else (never another error)."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not ASCII text")
    stripped = text.strip()
    if any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in stripped):
        raise ValueError("characters outside the base64url alphabet")
    if len(stripped) % 4 == 1:
        raise ValueError("impossible base64url length")
    try:
        data = base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError) as err:
        raise ValueError(str(err)) from err
    if b64url(data) != stripped:  # non-canonical trailing bits: a changed last character
        raise ValueError("non-canonical base64url encoding")
    return data


@dataclass(frozen=True)
class PublicKey:
    """A public Ed25519 key a verifier trusts, with its fingerprint."""

    key: Ed25519PublicKey
    path: Path | None = None

    @property
    def raw(self) -> bytes:
        return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.raw).digest()

    @property
    def fingerprint(self) -> str:
        """16 hex digits naming the key, e.g. ``3f9a0c51d2e47b86``."""
        return self.digest[:8].hex()

    @property
    def short_id(self) -> bytes:
        """The first 4 bytes of the fingerprint, carried in the QR payload."""
        return self.digest[:4]

    def verification_method(self, issuer_id: str) -> str:
        return f"{issuer_id}#ed25519-{self.fingerprint}"

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            self.key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def pem(self) -> bytes:
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass(frozen=True)
class IssuerKey:
    """The issuer's private signing key (:func:`load_key` reads it, :func:`generate_key` creates it)."""

    private: Ed25519PrivateKey
    path: Path | None = None

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.private.public_key(), public_key_path(self.path) if self.path else None)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)

    def __repr__(self) -> str:  # never print key material
        path = str(self.path) if self.path else None
        return f"IssuerKey(fingerprint={self.public.fingerprint!r}, path={path!r})"


def public_key_path(private_path: Path | str) -> Path:
    """Where the public key of a private key file lives: ``issuer.pem`` -> ``issuer.pub.pem``."""
    path = Path(private_path)
    return path.with_name(f"{path.stem}.pub.pem" if path.suffix == ".pem" else f"{path.name}.pub.pem")


def _default_key_path() -> Path:
    from surveykit.config import settings

    return Path(settings().signing_key)


def generate_key(path: Path | str | None = None, *, overwrite: bool = False) -> IssuerKey:
    """Create a new Ed25519 key: the private key at ``path`` (PEM, mode 0600), the public key next to it.

    ``path`` defaults to ``settings().signing_key``. An existing key is never replaced unless
    ``overwrite=True``: certificates signed with the old key verify only with the old public key.
    """
    target = Path(path) if path is not None else _default_key_path()
    if target.exists() and not overwrite:
        raise CertificateError(
            ErrorCode.OPTION_CONFLICT,
            Location(file=str(target)),
            detail=f"a signing key already exists at {target}",
            fix="Keep it, or pass overwrite=True (`--force`) to replace it; certificates signed with the "
            "old key then verify only with its public key, so keep a copy of the old .pub.pem file.",
        )
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its old mode under O_CREAT; make sure
        os.write(fd, pem)
    finally:
        os.close(fd)
    key = IssuerKey(private, target)
    public_key_path(target).write_bytes(key.public.pem())
    return key


def _key_file_problem(path: Path, detail: str) -> CertificateError:
    return CertificateError(
        ErrorCode.FIELD_INVALID,
        Location(file=str(path)),
        field="signing key",
        detail=detail,
        fix="Point SURVEYKIT_SIGNING_KEY at the key written by `surveykit certificates keygen`.",
    )


def load_key(path: Path | str | None = None) -> IssuerKey:
    """Read the issuer's private key (default ``settings().signing_key``).

    Raises :class:`CertificateError` ``SK809`` when the file does not exist, naming the path and the fix.
    """
    target = Path(path) if path is not None else _default_key_path()
    if not target.is_file():
        raise CertificateError(ErrorCode.KEY_MISSING, Location(file=str(target)), path=str(target))
    try:
        private = serialization.load_pem_private_key(target.read_bytes(), password=None)
    except (ValueError, TypeError) as err:  # not PEM, encrypted, or not a key
        raise _key_file_problem(target, f"not an unencrypted PEM private key ({err})") from err
    except OSError as err:
        raise _key_file_problem(target, f"cannot be read ({err.strerror})") from err
    if not isinstance(private, Ed25519PrivateKey):
        raise _key_file_problem(target, f"a {type(private).__name__} key, not Ed25519")
    return IssuerKey(private, target)


def load_public_key(path: Path | str | None = None) -> PublicKey:
    """Read a public key to verify with: a ``.pub.pem`` file, or a private key file (its public half).

    With no path: the public key next to ``settings().signing_key`` (or derived from that private key).
    """
    target = Path(path) if path is not None else public_key_path(_default_key_path())
    if path is None and not target.is_file() and _default_key_path().is_file():
        return load_key().public
    if not target.is_file():
        raise CertificateError(ErrorCode.KEY_MISSING, Location(file=str(target)), path=str(target))
    data = target.read_bytes()
    try:
        loaded: Any = serialization.load_pem_public_key(data)
    except ValueError:
        return load_key(target).public
    if not isinstance(loaded, Ed25519PublicKey):
        raise _key_file_problem(target, f"a {type(loaded).__name__} key, not Ed25519")
    return PublicKey(loaded, target)


KeyLike = IssuerKey | PublicKey | Ed25519PublicKey | Path | str


def trusted_keys(keys: KeyLike | Iterable[KeyLike] | None) -> list[PublicKey]:
    """Normalise what a caller passes as trusted keys; ``None`` means the configured issuer key."""
    if keys is None:
        return [load_public_key()]
    if isinstance(keys, IssuerKey | PublicKey | Ed25519PublicKey | Path | str):
        keys = [keys]
    result: list[PublicKey] = []
    for key in keys:
        if isinstance(key, IssuerKey):
            result.append(key.public)
        elif isinstance(key, PublicKey):
            result.append(key)
        elif isinstance(key, Ed25519PublicKey):
            result.append(PublicKey(key))
        else:
            result.append(load_public_key(key))
    return result


# --- the proof on a record ----------------------------------------------------------------------------


def signing_input(record: Mapping[str, Any]) -> bytes:
    """The canonical bytes a record's signature covers (everything except ``proof.proofValue``)."""
    unsigned = dict(record)
    proof = dict(unsigned.get("proof") or {})
    proof.pop("proofValue", None)
    unsigned["proof"] = proof
    return canonical_json(unsigned)


def attach_proof(record: Mapping[str, Any], key: IssuerKey, *, created: str) -> dict[str, Any]:
    """A copy of ``record`` with a ``proof`` whose ``proofValue`` signs :func:`signing_input`."""
    issuer_id = record["issuer"]["id"]
    signed = {k: v for k, v in record.items() if k != "proof"}
    signed["proof"] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": key.public.verification_method(issuer_id),
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(signing_input(signed))
    signed["proof"]["proofValue"] = MULTIBASE_BASE64URL + b64url(signature)
    return signed


def check_proof(record: Mapping[str, Any], keys: list[PublicKey]) -> tuple[str | None, PublicKey | None]:
    """``(None, key)`` when the proof verifies with one of ``keys``, else ``(reason key, None)``.

    Never raises: any malformed part of the record is a reason, not an error.
    """
    proof = record.get("proof")
    if not isinstance(proof, Mapping):
        return "no_proof", None
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return "proof_unsupported", None
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith(MULTIBASE_BASE64URL):
        return "signature_unreadable", None
    try:
        signature = b64url_decode(value[1:])
    except ValueError:
        return "signature_unreadable", None
    if len(signature) != 64:
        return "signature_unreadable", None
    try:
        data = signing_input(record)
    except (TypeError, ValueError, RecursionError):  # e.g. NaN, or a value JSON cannot hold
        return "record_unreadable", None
    method = proof.get("verificationMethod")
    fingerprint = method.rsplit("#ed25519-", 1)[-1] if isinstance(method, str) else ""
    candidates = [k for k in keys if k.fingerprint == fingerprint]
    if not candidates:
        return "untrusted_key", None
    for key in candidates:
        if key.verify(signature, data):
            return None, key
    return "signature_mismatch", None
