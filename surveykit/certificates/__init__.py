"""Certificates and diplomas: signed records, QR codes, verification, printable PDFs, batch issuance.

A pure library: the response store keeps the records and their revocation status (it implements
:class:`CertificateRegistry`), the apps and the CLI call these functions. See ``docs/certificates.md``.

Typical use::

    from surveykit.certificates import generate_key, issue_batch, verify

    key = generate_key()                       # once per issuer: data/keys/issuer.pem (+ issuer.pub.pem)
    summary = issue_batch(people, "interviewer", key, "out/")   # PDFs, records.jsonl, a summary
    print(summary)
    verify(scanned_url, registry=store).status  # "valid", "expired", "revoked", "suspended", "forged", ...
"""

from __future__ import annotations

import importlib
from typing import Any

from .model import Certificate, Holder, Issuer, Role
from .records import issue_certificate, name_hash, qr_url
from .serials import is_valid_serial, new_serial, normalize_serial
from .signing import (
    CRYPTOSUITE,
    IssuerKey,
    PublicKey,
    canonical_json,
    generate_key,
    load_key,
    load_public_key,
    public_key_path,
)
from .templates import CertificateTemplate, list_templates, load_template
from .verify import (
    CertificateRegistry,
    InMemoryRegistry,
    NameCheck,
    Reason,
    RegistryState,
    Status,
    StatusEntry,
    Verification,
    verify,
)

__all__ = [
    "CRYPTOSUITE",
    "BatchProgress",
    "BatchSummary",
    "Certificate",
    "CertificatePdf",
    "CertificateRegistry",
    "CertificateTemplate",
    "FailedItem",
    "Holder",
    "InMemoryRegistry",
    "IssuedItem",
    "Issuer",
    "IssuerKey",
    "NameCheck",
    "PublicKey",
    "Reason",
    "RegistryState",
    "Role",
    "Status",
    "StatusEntry",
    "Verification",
    "canonical_json",
    "generate_key",
    "is_valid_serial",
    "issue_batch",
    "issue_certificate",
    "list_templates",
    "load_key",
    "load_public_key",
    "load_template",
    "name_hash",
    "new_serial",
    "normalize_serial",
    "public_key_path",
    "qr_url",
    "verify",
]


#: the names that need fpdf2 (about half a second to import): loaded on first use, so that the interview
#: gate, which verifies stored certificates, does not pull the PDF machinery into an app's kernel
_LAZY = {
    "BatchProgress": "batch",
    "BatchSummary": "batch",
    "FailedItem": "batch",
    "IssuedItem": "batch",
    "issue_batch": "batch",
    "CertificatePdf": "pdf",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
