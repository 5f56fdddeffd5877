"""The fieldwork rules as configuration: ``questionnaires/fieldwork/rules.yaml``.

The thresholds of the interview-outcome rule (complete, partial, break-off), the reminder window of
appointments and the default allocation of the campaign plan. :func:`load_rules` reads and checks the file
and raises :class:`~surveykit.errors.ConfigError` (SK550) naming the file, the key and how to fix it; a
misspelt key is an error, never silently a default.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, model_validator

from surveykit.errors import ConfigError, ErrorCode, Location

__all__ = ["FieldworkRules", "default_rules_path", "load_rules"]

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InterviewOutcome(_Model):
    complete_share: float = Field(0.8, gt=0, le=1)
    partial_share: float = Field(0.5, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> InterviewOutcome:
        if self.partial_share > self.complete_share:
            raise ValueError(
                f"partial_share ({self.partial_share}) is above complete_share ({self.complete_share})"
            )
        return self


class Appointments(_Model):
    remind_hours: float = Field(24, ge=0)


class Allocation(_Model):
    interviewers_per_institution: int = Field(1, ge=1)


class FieldworkRules(_Model):
    """Every number of the fieldwork rules; the defaults equal the shipped ``rules.yaml``."""

    schema_version: int = SCHEMA_VERSION
    interview_outcome: InterviewOutcome = InterviewOutcome()
    appointments: Appointments = Appointments()
    allocation: Allocation = Allocation()


def default_rules_path() -> Path:
    from surveykit.config import settings

    return settings().questionnaires_dir / "fieldwork" / "rules.yaml"


def _bad(path: Path, key: str, detail: str, fix: str) -> ConfigError:
    return ConfigError(
        ErrorCode.FIELDWORK_RULES_INVALID, Location(file=str(path), path=key), detail=detail, fix=fix
    )


def load_rules(path: str | Path | None = None) -> FieldworkRules:
    """Read and check the fieldwork rules (default: the shipped file); a missing file: SK101."""
    path = Path(path) if path is not None else default_rules_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as err:
        raise ConfigError(
            ErrorCode.FILE_NOT_FOUND, Location(file=str(path)), path=str(path), cwd=str(Path.cwd())
        ) from err
    return _load(str(path), stamp)


@functools.lru_cache(maxsize=8)
def _load(path_text: str, stamp: int) -> FieldworkRules:
    from surveykit.fileio import read_yaml_file

    del stamp  # part of the cache key only
    path = Path(path_text)
    document = read_yaml_file(path)  # bounded: size, depth, aliases, control characters (surveykit.fileio)
    if not document.report.ok:
        document.report.raise_if_errors(ConfigError)
    data: Any = document.data
    if isinstance(data, dict) and data.get("kind") == "fieldwork_rules":
        data = {k: v for k, v in data.items() if k != "kind"}  # the line `surveykit validate` recognises
    if not isinstance(data, dict):
        raise _bad(path, "(file)", "the file is not a mapping", "Start from the shipped rules.yaml.")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise _bad(
            path,
            "schema_version",
            f"{data.get('schema_version')!r} is not supported",
            f"Write schema_version: {SCHEMA_VERSION}.",
        )
    try:
        return FieldworkRules.model_validate(data)
    except pydantic.ValidationError as err:
        first = err.errors(include_url=False)[0]
        key = ".".join(str(p) for p in first["loc"]) or "(file)"
        detail = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            detail = f"unknown key '{key}'"
        raise _bad(
            path, key, f"{key}: {detail}", "Correct the value (see the comments in the shipped rules.yaml)."
        ) from err
