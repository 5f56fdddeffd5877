"""Pseudonyms for interviewer identities in exported files.

An interviewer id becomes ``iv_`` + the first 12 hex digits of HMAC-SHA256(key, id). The same key gives the
same pseudonym, so interviewer effects can still be studied; without the key the id cannot be recovered or
confirmed by trying names. Two scopes:

``project`` (the default) one secret key per project, made on first use and kept in
            ``<data_dir>/keys/export_pseudonyms.key``: pseudonyms are stable across exports and waves.
            Whoever holds the key file can re-identify by hashing candidate ids, so keep it with the database.
``export``  a fresh random key for one export: pseudonyms cannot be linked to any other export.

Whether exports are pseudonymised is the setting ``pseudonymise_exports`` (default on), overridable per
export (``--no-pseudonymise``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from surveykit.errors import ErrorCode, ExportError, Location

__all__ = ["PSEUDONYMISED_COLUMNS", "Scope", "pseudonym_key", "pseudonymise"]

#: meta columns that identify people and are replaced in exports
PSEUDONYMISED_COLUMNS = ("interviewer_id",)
KEY_FILE = "export_pseudonyms.key"
Scope = Literal["project", "export"]


def pseudonym_key(scope: Scope = "project", *, key_file: str | Path | None = None) -> bytes:
    """The key of ``scope``: the project's (read, or made and saved on first use) or a fresh one."""
    if scope == "export":
        return secrets.token_bytes(32)
    if key_file is None:
        from surveykit.config import settings

        key_file = Path(settings().data_dir) / "keys" / KEY_FILE
    path = Path(key_file)
    try:
        if path.exists():
            return bytes.fromhex(path.read_text(encoding="ascii").strip())
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
        return key
    except FileExistsError:  # another process made it a moment ago
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError) as err:
        raise ExportError(
            ErrorCode.EXPORT_WRITE_FAILED,
            Location(file=str(path)),
            path=str(path),
            detail=f"pseudonym key: {err}",
        ) from err


def pseudonymise(values: pd.Series, key: bytes, prefix: str = "iv_") -> pd.Series:
    """Each distinct value replaced by its keyed hash (empty values stay empty); vectorised over distinct ids."""
    raw = values.to_numpy(dtype=object, na_value=None)
    raw = np.where(raw == "", None, raw)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    hashed = np.array(
        [prefix + hmac.new(key, str(u).encode("utf-8"), hashlib.sha256).hexdigest()[:12] for u in uniques]
        + [None],
        dtype=object,
    )
    return pd.Series(hashed[np.where(codes < 0, len(uniques), codes)], index=values.index, dtype=object)
