"""Loading and saving questionnaires: YAML (native), JSON, and XLSForm through :mod:`.xlsform`.

:func:`read_questionnaire` never raises for a bad file: it returns a :class:`LoadResult` whose report lists
every problem with its file and line. :func:`load_questionnaire` is the strict form: it raises
:class:`~surveykit.errors.QuestionnaireError` (with the whole report attached) when there are errors.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from surveykit.errors import (
    ErrorCode,
    Location,
    QuestionnaireError,
    Report,
    did_you_mean,
)
from surveykit.filekinds import take_kind
from surveykit.questionnaire.checks import Locator, check_questionnaire
from surveykit.questionnaire.model import MIN_SCHEMA_VERSION, SCHEMA_VERSION, Questionnaire
from surveykit.sourcemap import SourceMap, data_path, read_json, read_text, read_yaml, write_yaml

__all__ = [
    "FORMATS",
    "LoadResult",
    "dumps",
    "load_questionnaire",
    "questionnaire_from_data",
    "read_questionnaire",
    "save_questionnaire",
]

FORMATS = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".xlsx": "xlsform",
    ".xlsm": "xlsform",
    ".xls": "xlsform",
    ".ods": "xlsform",
}


@dataclass
class LoadResult:
    questionnaire: Questionnaire | None
    report: Report

    @property
    def ok(self) -> bool:
        return self.questionnaire is not None and self.report.ok

    def unwrap(self) -> Questionnaire:
        if self.questionnaire is None or not self.report.ok:
            first = self.report.errors[0] if self.report.errors else None
            if first is None:  # pragma: no cover - a None questionnaire always comes with an error
                raise AssertionError("questionnaire missing without an error")
            raise QuestionnaireError(first.code, first.location, report=self.report, **first.params)
        return self.questionnaire


def read_questionnaire(
    source: str | Path, *, format: str | None = None, skip_unsupported: bool = False
) -> LoadResult:
    """Read a questionnaire file (YAML, JSON or XLSForm) and check it; never raises for a bad file.

    ``skip_unsupported`` (XLSForm only): leave out questions of types surveykit does not collect, each named
    in a warning, instead of refusing the form (see :func:`~surveykit.questionnaire.xlsform.read_xlsform`).
    """
    path = Path(source)
    fmt = format or FORMATS.get(path.suffix.lower())
    report = Report(subject=str(path))
    if path.is_dir():  # whatever its name says (surveykit.fileio refuses folders, devices and pipes)
        report.add(ErrorCode.NOT_A_FILE, Location(file=str(path)), path=str(path), what="a folder")
        return LoadResult(None, report)
    if fmt is None:
        report.add(
            ErrorCode.FILE_FORMAT_UNKNOWN,
            Location(file=str(path)),
            path=str(path),
            expected=", ".join(sorted(FORMATS)),
        )
        return LoadResult(None, report)
    if fmt == "xlsform":
        from surveykit.questionnaire.xlsform import read_xlsform

        return read_xlsform(path, skip_unsupported=skip_unsupported)
    text = read_text(path, report)
    if text is None:
        return LoadResult(None, report)
    reader = read_yaml if fmt == "yaml" else read_json
    data, smap, syntax = reader(text, file=str(path))
    report.extend(syntax)
    if data is None:
        if not report.errors:
            report.add(ErrorCode.FIELD_MISSING, Location(file=str(path), line=1), field="id")
        return LoadResult(None, report)
    result = questionnaire_from_data(data, source_map=smap)
    report.extend(result.report)
    return LoadResult(result.questionnaire if report.ok else None, report)


def load_questionnaire(source: str | Path, *, format: str | None = None) -> Questionnaire:
    """Read and check a questionnaire; raise :class:`QuestionnaireError` listing every error."""
    return read_questionnaire(source, format=format).unwrap()


def questionnaire_from_data(
    data: Any, *, source_map: SourceMap | None = None, locate: Locator | None = None
) -> LoadResult:
    """Build and check a questionnaire from plain data (a parsed YAML/JSON document)."""
    smap = source_map or SourceMap()
    report = Report(subject=smap.file)
    if not isinstance(data, Mapping):
        report.add(
            ErrorCode.FIELD_INVALID,
            smap.locate(()),
            field="(document)",
            detail=f"expected a mapping of fields, found {type(data).__name__}",
            fix="Start the file with 'schema_version:', 'id:', 'version:', 'title:' ...",
        )
        return LoadResult(None, report)
    if not _check_schema_version(data, smap, report):
        return LoadResult(None, report)
    if "kind" in data:  # the file kind (surveykit.filekinds), not a field of the questionnaire
        data = dict(data)
        if not take_kind(data, "questionnaire", smap.locate(("kind",)), report):
            return LoadResult(None, report)
    default_language = data.get("default_language") if isinstance(data.get("default_language"), str) else None
    context = {"default_language": default_language}
    try:
        questionnaire = Questionnaire.model_validate(data, context=context)
    except pydantic.ValidationError as err:
        report.problems.extend(_pydantic_problems(err, data, smap))
        # Repair a copy (drop what is broken) so the checks can still report the other problems at once;
        # the file stays unusable: the structural errors above remain in the report.
        repaired, dropped = _repaired(data, err)
        if repaired is not None:
            checks = check_questionnaire(repaired, locate or _item_locator(data, smap))
            report.extend(
                p
                for p in checks
                if not (p.code is ErrorCode.EXPR_UNKNOWN_REFERENCE and p.params.get("name") in dropped)
            )
        return LoadResult(None, report)
    report.extend(check_questionnaire(questionnaire, locate or _item_locator(data, smap)))
    return LoadResult(questionnaire, report)


def _repaired(
    data: Mapping[str, Any], err: pydantic.ValidationError
) -> tuple[Questionnaire | None, set[str]]:
    """A copy of ``data`` without the parts that failed validation, validated; or ``(None, ...)``.

    Unknown or invalid optional fields are removed; an item (question, group, choice) missing a required
    field is removed whole, and its code remembered so references to it are not reported twice."""
    import copy

    working = copy.deepcopy(dict(data))
    dropped: set[str] = set()
    context = {"default_language": data.get("default_language")}
    for _ in range(5):
        fields: list[tuple[dict[str, Any], Any]] = []
        items: list[tuple[list[Any], Any]] = []
        for error in err.errors(include_url=False):
            target = _removal(working, _data_path(error["loc"], working), error["type"])
            if target is None:
                return None, dropped
            kind, container, key = target
            (fields if kind == "field" else items).append((container, key))
        for container, key in fields:
            container.pop(key, None)
        for container, item in items:
            if isinstance(item, dict) and isinstance(item.get("code"), str):
                dropped.add(item["code"])
            container[:] = [x for x in container if x is not item]
        try:
            return Questionnaire.model_validate(working, context=context), dropped
        except pydantic.ValidationError as again:
            err = again
    return None, dropped


def _removal(data: dict[str, Any], path: tuple[Any, ...], kind: str) -> tuple[str, Any, Any] | None:
    """What to remove for one error: ``("field", mapping, key)`` or ``("item", list, item)``; None: give up."""
    from surveykit.questionnaire import model

    optional = {
        name
        for cls in (
            model.Question,
            model.Group,
            model.Choice,
            model.FormSettings,
            model.MatrixRow,
            model.Scale,
        )
        for name, f in cls.model_fields.items()
        if not f.is_required()
    } | {"description", "settings", "scales", "metadata", "choice_lists"}
    parent = _resolve(data, path[:-1])
    if (
        path
        and isinstance(parent, dict)
        and (kind == "extra_forbidden" or (kind != "missing" and path[-1] in optional))
    ):
        return "field", parent, path[-1]
    for cut in range(len(path) - 1, -1, -1):  # the innermost list element holding the problem
        holder = _resolve(data, path[:cut])
        index = path[cut]
        if isinstance(holder, list) and isinstance(index, int) and 0 <= index < len(holder):
            return "item", holder, holder[index]
    return None


def _check_schema_version(data: Mapping[str, Any], smap: SourceMap, report: Report) -> bool:
    found = data.get("schema_version", SCHEMA_VERSION)
    location = smap.locate(("schema_version",))
    if not isinstance(found, int) or isinstance(found, bool):
        report.add(
            ErrorCode.FIELD_INVALID,
            location,
            field="schema_version",
            detail=f"{found!r} is not a whole number",
            fix=f"Write schema_version: {SCHEMA_VERSION}.",
        )
        return False
    if found > SCHEMA_VERSION:
        report.add(ErrorCode.SCHEMA_VERSION_TOO_NEW, location, found=found, supported=SCHEMA_VERSION)
        return False
    if found < MIN_SCHEMA_VERSION:
        report.add(ErrorCode.SCHEMA_VERSION_TOO_OLD, location, found=found, supported=MIN_SCHEMA_VERSION)
        return False
    return True


def _item_locator(data: Mapping[str, Any], smap: SourceMap) -> Locator:
    """Map ``(code, attribute)`` to the YAML position of that item's attribute."""
    paths: dict[str, tuple[Any, ...]] = {}  # "code", and "code#2", "code#3"... for repeated codes
    # document order (as Questionnaire.walk), so that "code#2" means the same item here and in the checks
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(data.get("items"), 0, ("items",))]
    while stack:
        items, i, prefix = stack.pop()
        if not isinstance(items, list) or i >= len(items):
            continue
        stack.append((items, i + 1, prefix))
        item = items[i]
        if isinstance(item, Mapping):
            code = item.get("code")
            if isinstance(code, str):
                key, n = code, 1
                while key in paths:
                    n += 1
                    key = f"{code}#{n}"
                paths[key] = (*prefix, i)
            stack.append((item.get("items"), 0, (*prefix, i, "items")))

    def locate(code: str | None, attribute: str | None) -> Location:
        path: tuple[Any, ...]
        if code is None:
            path = tuple(attribute.split(".")) if attribute else ()
        elif code == "settings":
            path = ("settings", attribute) if attribute else ("settings",)
        else:
            base = paths.get(code, ())
            path = (*base, attribute) if attribute else base
        shown = code.split("#")[0] if code else code
        where = f"{shown}.{attribute}" if shown and attribute else shown or attribute
        return smap.locate(path, path=where, field=attribute)

    return locate


_FIELD_HINTS = {
    "type": "Use one of: select_one, select_multiple, yes_no, likert, matrix, integer, decimal, text, date, "
    "note, calculate (questions) or group, repeat (groups).",
    "languages": "Write a list of language codes, e.g. [ru, en].",
}


def _pydantic_problems(err: pydantic.ValidationError, data: Any, smap: SourceMap) -> list:
    from surveykit.errors import Problem

    problems = []
    for error in err.errors(include_url=False):
        path = _data_path(error["loc"], data)
        kind = error["type"]
        field = str(path[-1]) if path else "(document)"
        if kind == "missing":
            location = smap.locate(path[:-1], path=_dotted(path[:-1]))
            problems.append(Problem.of(ErrorCode.FIELD_MISSING, location, field=field))
        elif kind == "extra_forbidden":
            parent = _resolve(data, path[:-1])
            allowed = _allowed_fields(parent)
            location = smap.locate(path, path=_dotted(path[:-1]))
            problems.append(
                Problem.of(
                    ErrorCode.FIELD_UNKNOWN,
                    location,
                    field=field,
                    suggestion=did_you_mean(field, allowed) if allowed else "",
                )
            )
        else:
            location = smap.locate(path, path=_dotted(path[:-1]) or None)
            fix = _FIELD_HINTS.get(field, "Correct the value.")
            problems.append(
                Problem.of(ErrorCode.FIELD_INVALID, location, field=field, detail=error["msg"], fix=fix)
            )
    return problems


def _data_path(loc: Sequence[Any], data: Any) -> tuple[Any, ...]:
    return data_path(loc, data, tags=("group", "question"))


def _resolve(data: Any, path: Sequence[Any]) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _allowed_fields(parent: Any) -> list[str]:
    from surveykit.questionnaire import model

    if not isinstance(parent, Mapping):
        return []
    if "items" in parent and "languages" in parent:
        cls = model.Questionnaire
    elif parent.get("type") in ("group", "repeat"):
        cls = model.Group
    elif "type" in parent and "code" in parent:
        cls = model.Question
    elif "name" in parent:
        cls = model.Choice
    else:
        candidates = [model.FormSettings, model.ScoringMeta, model.Scale, model.MatrixRow]
        return sorted({f for c in candidates for f in c.model_fields})
    return sorted(cls.model_fields)


def _dotted(path: Sequence[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def dumps(questionnaire: Questionnaire, format: str = "yaml") -> str:
    """YAML or JSON text of a questionnaire (defaults omitted; round-trips through :func:`read_questionnaire`)."""
    data = questionnaire.to_data()
    if format == "yaml":
        return write_yaml(data)
    if format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown format {format!r}")


def save_questionnaire(questionnaire: Questionnaire, path: str | Path, format: str | None = None) -> Path:
    """Write a questionnaire as YAML, JSON or XLSForm (chosen by ``format`` or the file extension)."""
    path = Path(path)
    fmt = format or FORMATS.get(path.suffix.lower())
    if fmt == "xlsform" and path.suffix.lower() in (".xls", ".ods", ".xlsm"):
        fmt = f"xlsform as {path.suffix.lower()}"  # read, never written: surveykit writes .xlsx
    if fmt == "xlsform":
        from surveykit.questionnaire.xlsform import write_xlsform

        return write_xlsform(questionnaire, path)
    if fmt not in ("yaml", "json"):
        from surveykit.errors import ExportError

        raise ExportError(
            ErrorCode.EXPORT_FORMAT_UNSUPPORTED,
            Location(file=str(path)),
            format=fmt or path.suffix,
            supported="yaml, json, xlsform (.xlsx)",
        )
    path.write_text(dumps(questionnaire, fmt), encoding="utf-8")
    return path
