"""Institution types: the one home of their names in each language and of which types are rated.

The store keeps a short code per institution (``kcson``, ``rehab``, ``practice`` ...); people see its name.
The catalog is configuration, ``questionnaires/directory/institution_types.yaml`` (under the setting
``questionnaires_dir``)::

    from surveykit.institution_types import type_label, rated_type

    type_label("rehab", "en")     # "Rehabilitation centre for people with disabilities"
    rated_type("practice")        # False: the practice institution never enters a rating

A type with ``rated: false`` keeps its institutions out of every council output (rating, dashboard, council
workbook, reports) and out of ``surveykit rate``; the trainees' practice institution has the type
``practice``. A code that the catalog does not know is shown as it is written (a directory may store a full
name as its type); a missing type reads "type not stated".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveykit.errors import ConfigError, ErrorCode, Location

__all__ = [
    "InstitutionType",
    "institution_types",
    "rated_only",
    "read_catalog",
    "rated_sources",
    "rated_type",
    "type_label",
]

FILE = Path("directory") / "institution_types.yaml"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class InstitutionType:
    code: str
    names: dict[str, str]
    rated: bool = True

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("ru") or next(iter(self.names.values()), self.code)


def catalog_path() -> Path:
    from surveykit.config import settings

    return Path(settings().questionnaires_dir) / FILE


def institution_types() -> dict[str, InstitutionType]:
    """The catalog (read once per version of the file); empty when there is no file."""
    path = catalog_path()
    if not path.exists():
        return {}
    return _read(str(path), path.stat().st_mtime_ns)


def read_catalog(path: str | Path) -> dict[str, InstitutionType]:
    """The catalog in the file at ``path`` (``surveykit validate``); a bad file raises ConfigError (SK…)."""
    path = Path(path)
    return _read(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int) -> dict[str, InstitutionType]:
    from surveykit.fileio import read_yaml_file

    def invalid(detail: str) -> ConfigError:
        return ConfigError(ErrorCode.INSTITUTION_TYPES_INVALID, Location(file=path), detail=detail)

    document = read_yaml_file(path)  # bounded: size, depth, aliases, control characters (surveykit.fileio)
    if not document.report.ok:
        document.report.raise_if_errors(ConfigError)
    data = document.data or {}
    if isinstance(data, dict) and data.get("kind") == "institution_types":
        data = {k: v for k, v in data.items() if k != "kind"}  # the line `surveykit validate` recognises
    if not isinstance(data, dict) or not isinstance(data.get("types"), dict):
        raise invalid("expected a mapping with 'schema_version' and 'types'")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise invalid(f"schema_version {data.get('schema_version')!r} is not {SCHEMA_VERSION}")
    out = {}
    for code, spec in data["types"].items():
        names = spec.get("name") if isinstance(spec, dict) else None
        if not isinstance(names, dict) or not all(
            isinstance(names.get(lang), str) and names[lang].strip() for lang in ("ru", "en")
        ):
            raise invalid(f"type '{code}' needs a name in Russian and English (name: {{ru: ..., en: ...}})")
        rated = spec.get("rated", True)
        if not isinstance(rated, bool):
            raise invalid(f"type '{code}': 'rated' must be true or false, got {rated!r}")
        out[str(code)] = InstitutionType(str(code), {str(k): str(v).strip() for k, v in names.items()}, rated)
    return out


def _missing(code: Any) -> bool:
    return code is None or (isinstance(code, float) and code != code) or str(code).strip() == ""


def type_label(code: Any, language: str) -> str:
    """The type's name in ``language``; "type not stated" when missing; an unknown code as written."""
    if _missing(code):
        from surveykit.i18n import t

        return t("dash.type_unknown", language)
    known = institution_types().get(str(code))
    return known.name(language) if known is not None else str(code)


def rated_type(code: Any) -> bool:
    """Whether institutions of this type take part in ratings (unknown and missing types do)."""
    if _missing(code):
        return True
    known = institution_types().get(str(code))
    return known.rated if known is not None else True


def rated_only(institutions: Any) -> Any:
    """The rows of an institutions table (with a ``type`` column) whose type is rated."""
    if "type" not in getattr(institutions, "columns", ()):
        return institutions
    keep = [rated_type(code) for code in institutions["type"]]
    return institutions[keep]


def rated_sources(frames: Any, institutions: Any) -> tuple[dict[str, Any], Any]:
    """The frames and the institutions table of a rating without the institutions of unrated types (and
    without their interviews): what :func:`surveykit.scoring.rate` is given by every council output and by
    ``surveykit rate``."""
    if institutions is None or "type" not in getattr(institutions, "columns", ()):
        return dict(frames), institutions
    kept = rated_only(institutions)
    dropped = set(institutions["institution_id"].astype(str)) - set(kept["institution_id"].astype(str))
    if not dropped:
        return dict(frames), institutions
    out = {}
    for qid, frame in frames.items():
        if frame is None or not len(frame) or "institution_id" not in frame.columns:
            out[qid] = frame
            continue
        drop = frame["institution_id"].astype(str).isin(dropped).to_numpy()
        out[qid] = frame[~drop] if drop.any() else frame
    return out, kept
