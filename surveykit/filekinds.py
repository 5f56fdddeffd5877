"""The kinds of file a user edits, and how each is checked: the registry behind ``surveykit validate``.

A file's kind is told, in this order, by the caller (``--kind``), by its own ``kind:`` field, by its place
(``methodology/*.yaml``, ``training/items/*.yaml`` ...) and, for a file copied elsewhere, by its content.
Each kind is checked by its own loader and schema, so a methodology profile is never reported against the
questionnaire schema ("unknown field" for every line). Files of a course are also checked against the rest
of their course (quiz items that exist, calibration keys that name audit items), and personas against their
questionnaire.

Adding a kind is one call of :func:`register`; an extra check of a kind (a linter) is one call of
:func:`add_check`, e.g. ``add_check("item_bank", lint_items)``: it receives the :class:`Checked` file,
whose ``value`` is what the kind's loader built (for ``item_bank`` an
:class:`~surveykit.training.loader.ItemFile`: the items and ``locate(index, *fields)``), and returns a
:class:`~surveykit.errors.Report`. Extra checks run only on files that passed their schema.

This module imports no loader at start: each kind names its check as ``"module:function"``, imported on
first use, so the CLI starts fast and the loaders can import :func:`take_kind` from here.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveykit.errors import ErrorCode, Location, Problem, Report, SurveykitError, Translated, did_you_mean

__all__ = [
    "KINDS",
    "SUFFIXES",
    "Checked",
    "FileKind",
    "Validation",
    "add_check",
    "recognise",
    "register",
    "take_kind",
    "title",
    "validate_file",
    "validate_paths",
]

#: file suffixes ``surveykit validate`` looks at when it walks a folder
SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".xls", ".ods")
_WORKBOOKS = (".xlsx", ".xls", ".ods")


@dataclass
class Checked:
    """The outcome of checking one file: its kind, its problems, and what its loader built (``None`` when
    the file did not pass its schema, or its kind builds nothing worth handing on)."""

    path: Path
    kind: str | None
    report: Report
    value: Any = None

    @property
    def ok(self) -> bool:
        return self.report.ok

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "kind": self.kind, "ok": self.ok, "problems": self.report.to_dicts()}


#: an extra check of a kind: the checked file in, a report of its problems out
ExtraCheck = Callable[[Checked], Report]


@dataclass
class FileKind:
    """One kind of file: its name (the value of ``kind:``), what it is called, where it lives, how it is
    recognised by content, and the function that checks it (``"module:function"``, called with the path
    and the :class:`Validation` of the run, returning a :class:`Checked`)."""

    name: str
    title: str
    check: str
    places: tuple[str, ...] = ()
    #: other values of ``kind:`` that mean this kind (a field the file already has with its own meaning)
    kind_values: tuple[str, ...] = ()
    #: keys that together say "this is one of mine" for a file found elsewhere without ``kind:``
    signature: tuple[str, ...] = ()
    #: keys whose presence says it is not (a questionnaire has ``items`` as an item bank has)
    excludes: tuple[str, ...] = ()
    #: whether the kind's loader accepts a ``kind:`` line naming it
    takes_kind_field: bool = True
    checks: list[ExtraCheck] = field(default_factory=list)

    def run(self, path: Path, validation: Validation) -> Checked:
        module, _, function = self.check.partition(":")
        checked: Checked = getattr(importlib.import_module(module), function)(path, validation)
        checked.kind = self.name
        if checked.value is not None and checked.report.ok:
            for extra in self.checks:
                checked.report.extend(extra(checked))
        return checked

    def looks_like(self, data: Mapping[str, Any]) -> bool:
        return (
            bool(self.signature)
            and all(k in data for k in self.signature)
            and not any(k in data for k in self.excludes)
        )


#: every kind, by name; :func:`register` adds one
KINDS: dict[str, FileKind] = {}


def register(kind: FileKind) -> FileKind:
    """Add (or replace) a kind of file; ``surveykit validate`` knows it from then on."""
    KINDS[kind.name] = kind
    return kind


def add_check(kind: str, check: ExtraCheck) -> None:
    """Run ``check`` on every file of ``kind`` that passed its schema (e.g. a linter of the item bank)."""
    KINDS[kind].checks.append(check)


def _lint_items(checked: Checked) -> Report:
    from surveykit.training.lint import lint_item_file  # imported on first use

    return lint_item_file(checked)


def _lint_bank(checked: Checked) -> Report:
    from surveykit.training.lint import lint_course_file

    return lint_course_file(checked)


def _normal(value: Any) -> str:
    return str(value).strip().lower().replace("-", "_").replace(" ", "_")


def _names() -> str:
    return ", ".join(sorted(KINDS))


def title(name: str, language: str = "en") -> str:
    """What a kind is called, in ``language`` (``validate.kind.<name>`` of the locale files)."""
    from surveykit.i18n import t

    key = f"validate.kind.{name}"
    text = t(key, language)
    return text if text != key else (KINDS[name].title if name in KINDS else name)


def _no_such_kind(name: str) -> Translated:
    return Translated(
        en=f"surveykit reads no such kind of file{did_you_mean(name, KINDS)}",
        ru=f"такого вида файлов surveykit не знает{did_you_mean(name, KINDS, prefix=' (может быть, ')}",
    )


def _use_one_of() -> Translated:
    return Translated(en=f"Use one of: {_names()}.", ru=f"Используйте один из видов: {_names()}.")


def take_kind(data: dict[str, Any], expected: str, where: Location, report: Report) -> bool:
    """Remove a ``kind:`` line naming ``expected`` from ``data`` (a loader calls this before its schema,
    which does not know the field). A ``kind:`` naming another kind, or none, is a problem (SK157): False."""
    if "kind" not in data:
        return True
    found = data["kind"]
    name = _normal(found)
    if name == expected:
        del data["kind"]
        return True
    if name in KINDS:
        report.add(
            ErrorCode.KIND_INVALID,
            where,
            found=found,
            detail=Translated(
                en=f"the file says it is a {title(name)}, but it is read as a {title(expected)}",
                ru=f"в файле сказано, что это {title(name, 'ru')}, а читается он как {title(expected, 'ru')}",
            ),
            fix=Translated(
                en="Correct the kind, or give the file to what reads that kind (`surveykit validate FILE` "
                "tells what each file is).",
                ru="Исправьте вид или передайте файл тому, что читает такие файлы (`surveykit validate ФАЙЛ` "
                "покажет, что это за файл).",
            ),
        )
    else:
        report.add(
            ErrorCode.KIND_INVALID,
            where,
            found=found,
            detail=_no_such_kind(name),
            fix=Translated(
                en=f"Write kind: {expected}, or remove the line; kinds: {_names()}.",
                ru=f"Напишите kind: {expected} или удалите строку; виды: {_names()}.",
            ),
        )
    return False


# --------------------------------------------------------------------------------------------------------
# one run of validate: shared work (a course, a folder of personas, questionnaires) done once
# --------------------------------------------------------------------------------------------------------


class Validation:
    """The state of one run over many files: work shared by several files is done once."""

    def __init__(self, *, skip_unsupported: bool = False) -> None:
        self._cache: dict[Any, Any] = {}
        #: XLSForm: check a form without the questions of types surveykit does not collect (each a warning)
        self.skip_unsupported = skip_unsupported

    def once(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


def _document(path: Path, validation: Validation) -> Any:
    from surveykit.fileio import read_document

    return validation.once(("document", path.resolve()), lambda: read_document(path))


def recognise(path: Path, data: Any) -> tuple[str | None, list[Problem]]:
    """The kind of the file at ``path`` holding ``data`` (``None`` when it cannot be read): by ``kind:``,
    by place, by content. ``(None, problems)`` when it cannot be told."""
    suffix = path.suffix.lower()
    if suffix in _WORKBOOKS:
        return "questionnaire", []
    if isinstance(data, Mapping) and "kind" in data:
        found = data["kind"]
        name = _normal(found)
        if name in KINDS:
            return name, []
        for kind in KINDS.values():
            if name in kind.kind_values:
                return kind.name, []
        if not _by_place(path):
            return None, [
                Problem.of(
                    ErrorCode.KIND_INVALID,
                    Location(file=str(path)),
                    found=found,
                    detail=_no_such_kind(name),
                    fix=_use_one_of(),
                )
            ]
    placed = _by_place(path)
    if placed:
        return placed, []
    if suffix == ".json":
        return "questionnaire", []
    if data is None:
        detail: Any = Translated(en=" (the file holds nothing)", ru=" (в файле ничего нет)")
    elif isinstance(data, Mapping):
        matches = [k.name for k in KINDS.values() if k.looks_like(data)]
        if len(matches) == 1:
            return matches[0], []
        detail = ""
        if matches:
            detail = Translated(
                en=f" (it could be any of: {', '.join(matches)})",
                ru=f" (это может быть: {', '.join(matches)})",
            )
    else:
        detail = ""
    return None, [Problem.of(ErrorCode.KIND_UNKNOWN, Location(file=str(path)), detail=detail, kinds=_names())]


def _by_place(path: Path) -> str | None:
    for kind in KINDS.values():
        if any(path.match(pattern) for pattern in kind.places):
            return kind.name
    return None


def validate_file(
    path: str | Path, *, kind: str | None = None, validation: Validation | None = None
) -> Checked:
    """Check one file as ``kind`` (or as the kind it is recognised as): never raises for a bad file."""
    path = Path(path)
    validation = validation or Validation()
    if kind is None:
        data = None
        if path.suffix.lower() not in _WORKBOOKS:
            document = _document(path, validation)
            data = document.data
            if data is None and document.report.errors and not _by_place(path):
                return Checked(path, None, document.report)  # cannot be read: say why, not "what kind"
        kind, problems = recognise(path, data)
        if kind is None:
            return Checked(path, None, Report(problems, subject=str(path)))
    elif kind not in KINDS:
        report = Report(subject=str(path))
        report.add(
            ErrorCode.KIND_INVALID,
            Location(field="--kind"),
            found=kind,
            detail=_no_such_kind(kind),
            fix=_use_one_of(),
        )
        return Checked(path, None, report)
    try:
        return KINDS[kind].run(path, validation)
    except SurveykitError as err:  # a loader that raises instead of reporting
        report = err.report if err.report is not None else Report([err.problem])
        report.subject = str(path)
        return Checked(path, kind, report)


def _walk(folder: Path) -> list[Path]:
    found = []
    for directory, folders, files in os.walk(folder):  # symbolic links to folders are not followed
        folders[:] = sorted(f for f in folders if not f.startswith((".", "__")))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES:
                found.append(Path(directory) / name)
    return found


def validate_paths(
    paths: Iterable[str | Path], *, kind: str | None = None, skip_unsupported: bool = False
) -> list[Checked]:
    """Check files, and every file under the folders given (``*.yaml``, ``*.yml``, ``*.json``, ``*.xlsx``;
    hidden ones left out), each as its own kind. ``skip_unsupported``: see :class:`Validation`."""
    validation = Validation(skip_unsupported=skip_unsupported)
    results: list[Checked] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = _walk(path)
            if not files:
                report = Report(subject=str(path))
                report.add(
                    ErrorCode.VALIDATE_NOTHING,
                    Location(file=str(path)),
                    path=str(path),
                    suffixes=", ".join(SUFFIXES),
                )
                results.append(Checked(path, None, report))
            results.extend(validate_file(f, kind=kind, validation=validation) for f in files)
        else:
            results.append(validate_file(path, kind=kind, validation=validation))
    return results


# --------------------------------------------------------------------------------------------------------
# the checks of the kinds
# --------------------------------------------------------------------------------------------------------


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _data_path(dotted: str) -> tuple[Any, ...]:
    """``"form[2].type"`` → ``("form", 2, "type")``; ``"answers.q1.value"`` → ``("answers", "q1", "value")``."""
    out: list[Any] = []
    for part in dotted.replace("]", "").split("."):
        name, _, index = part.partition("[")
        if name:
            out.append(name)
        if index.isdigit():
            out.append(int(index))
    return tuple(out)


def _with_lines(report: Report, path: Path, validation: Validation, *, one_based: bool = False) -> Report:
    """Problems of ``path`` located by a dotted path only (``backcheck.random_share``) get their line."""
    document = _document(path, validation)
    smap = document.source_map
    same = {str(path), _display(path), str(path.resolve())}
    problems = []
    for problem in report:
        where = problem.location
        if where.line is None and where.path and (where.file is None or where.file in same):
            data_path = _data_path(where.path)
            if one_based:
                data_path = tuple(p - 1 if isinstance(p, int) else p for p in data_path)
            line, column = smap.positions.get(data_path, (None, None))
            if line is None:
                line, column = smap.locate(data_path).line, smap.locate(data_path).column
            where = where.with_(file=where.file or str(path), line=line, column=column)
            problem = Problem(problem.code, where, problem.severity, problem.params)
        problems.append(problem)
    return Report(problems, subject=str(path))


def check_questionnaire(path: Path, validation: Validation) -> Checked:
    from surveykit.questionnaire.io import read_questionnaire

    result = read_questionnaire(path, skip_unsupported=validation.skip_unsupported)
    return Checked(path, "questionnaire", result.report, result.questionnaire)


def _sibling_questionnaires(path: Path, data: Any, validation: Validation) -> dict[str, Any]:
    """The questionnaires a profile's ``sources`` name, when they sit in the questionnaires folder the
    profile belongs to (``<folder>/methodology/x.yaml`` → ``<folder>/<id>.yaml``) and load cleanly."""
    from surveykit.questionnaire.io import read_questionnaire

    found: dict[str, Any] = {}
    sources = data.get("sources") if isinstance(data, Mapping) else None
    for source in sources if isinstance(sources, Mapping) else ():
        candidate = path.parent.parent / f"{source}.yaml"
        if isinstance(source, str) and candidate.is_file():
            result = validation.once(
                ("questionnaire", candidate.resolve()), lambda c=candidate: read_questionnaire(c)
            )
            if result.questionnaire is not None:
                found[source] = result.questionnaire
    return found


def check_profile(path: Path, validation: Validation) -> Checked:
    from surveykit.scoring.profile import read_profile

    document = _document(path, validation)
    questionnaires = _sibling_questionnaires(path, document.data, validation) if document.data else {}
    result = read_profile(path, questionnaires=questionnaires or None)
    return Checked(path, "methodology_profile", result.report, result.profile)


def check_qc_rules(path: Path, validation: Validation) -> Checked:
    from surveykit.quality.rules import read_rules

    result = read_rules(path)
    return Checked(path, "qc_rules", result.report, result.rules)


def check_qc_workflow(path: Path, validation: Validation) -> Checked:
    from surveykit.casework import load_workflow
    from surveykit.errors import ConfigError

    try:
        config = load_workflow(path)
    except ConfigError as err:
        report = err.report if err.report is not None else Report([err.problem])
        return Checked(path, "qc_workflow", _with_lines(report, path, validation, one_based=True))
    return Checked(path, "qc_workflow", Report(subject=str(path)), config)


def _course_root(path: Path, kind: str) -> Path | None:
    """The course folder a file belongs to (the one holding ``course.yaml``), or ``None``."""
    root = path.parent.parent if kind in ("item_bank", "calibration_case") else path.parent
    return root if (root / "course.yaml").is_file() else None


def _course_problems(path: Path, kind: str, validation: Validation) -> list[Problem]:
    """The problems the whole course finds in this file (cross references), when it belongs to one."""
    from surveykit.errors import TrainingError
    from surveykit.training.loader import load

    root = _course_root(path, kind)
    if root is None:
        return []

    def run() -> list[Problem]:
        try:
            load(root)
        except TrainingError as err:
            return list(err.report or [err.problem])
        return []

    everything = validation.once(("course", root.resolve()), run)
    target = path.resolve()
    return [p for p in everything if p.location.file and Path(p.location.file).resolve() == target]


def _merge(report: Report, more: Iterable[Problem]) -> None:
    seen = {(p.code, p.location.line, p.location.path, p.message) for p in report}
    for problem in more:
        key = (problem.code, problem.location.line, problem.location.path, problem.message)
        if key not in seen:
            seen.add(key)
            report.problems.append(problem)


def _check_course_part(path: Path, kind: str, validation: Validation) -> Checked:
    from surveykit.training.loader import read_item_file, read_part

    report = Report(subject=str(path))
    value = read_item_file(path, report) if kind == "item_bank" else read_part(path, kind, report)
    _merge(report, _course_problems(path, kind, validation))
    return Checked(path, kind, report, value if report.ok else None)


def check_course(path: Path, validation: Validation) -> Checked:
    return _check_course_part(path, "course", validation)


def check_item_bank(path: Path, validation: Validation) -> Checked:
    return _check_course_part(path, "item_bank", validation)


def check_training_rules(path: Path, validation: Validation) -> Checked:
    return _check_course_part(path, "training_rules", validation)


def check_mock_checklist(path: Path, validation: Validation) -> Checked:
    return _check_course_part(path, "mock_checklist", validation)


def check_audit_items(path: Path, validation: Validation) -> Checked:
    return _check_course_part(path, "audit_items", validation)


def check_calibration_case(path: Path, validation: Validation) -> Checked:
    return _check_course_part(path, "calibration_case", validation)


def check_persona(path: Path, validation: Validation) -> Checked:
    """A persona is checked with the other personas of its folder (ids are unique) and against its
    questionnaire (codes, choice names, the route its answers take)."""
    from surveykit.errors import TrainingError
    from surveykit.training.personas import load_personas

    folder = path.parent

    def run() -> tuple[list[Problem], dict[str, Any]]:
        try:
            return [], load_personas(folder)
        except TrainingError as err:
            return list(err.report or [err.problem]), {}

    problems, personas = validation.once(("personas", folder.resolve()), run)
    target = path.resolve()
    mine = Report([p for p in problems if p.location.file and Path(p.location.file).resolve() == target])
    report = _with_lines(mine, path, validation)
    document = _document(path, validation)
    data = document.data if isinstance(document.data, Mapping) else {}
    value = personas.get(data.get("id")) if report.ok else None
    return Checked(path, "persona", report, value)


def check_certificate_template(path: Path, validation: Validation) -> Checked:
    from surveykit.certificates.templates import load_template
    from surveykit.errors import CertificateError

    try:
        template = load_template(path)
    except CertificateError as err:
        report = err.report if err.report is not None else Report([err.problem])
        return Checked(path, "certificate_template", _with_lines(report, path, validation))
    report = Report(list(template.warnings), subject=str(path))
    return Checked(path, "certificate_template", _with_lines(report, path, validation), template)


# --------------------------------------------------------------------------------------------------------
# the kinds surveykit ships
# --------------------------------------------------------------------------------------------------------

def _config_check(path: Path, validation: Validation, kind: str, load: Callable[[Path], Any]) -> Checked:
    """A file whose loader raises :class:`~surveykit.errors.ConfigError` on its first problem."""
    from surveykit.errors import ConfigError

    try:
        value = load(path)
    except ConfigError as err:
        report = err.report if err.report is not None else Report([err.problem])
        return Checked(path, kind, _with_lines(report, path, validation))
    return Checked(path, kind, Report(subject=str(path)), value)


def check_fieldwork_rules(path: Path, validation: Validation) -> Checked:
    from surveykit.fieldwork.config import load_rules

    return _config_check(path, validation, "fieldwork_rules", load_rules)


def check_institution_types(path: Path, validation: Validation) -> Checked:
    from surveykit.institution_types import read_catalog

    return _config_check(path, validation, "institution_types", read_catalog)


_HERE = __name__

for _kind in (
    FileKind(
        "questionnaire",
        "questionnaire",
        f"{_HERE}:check_questionnaire",
        places=("questionnaires/*.yaml", "questionnaires/*.yml", "questionnaires/*.json"),
        signature=("id", "items"),
        excludes=("module", "scale", "groups"),
    ),
    FileKind(
        "methodology_profile",
        "methodology profile",
        f"{_HERE}:check_profile",
        places=("methodology/*.yaml", "methodology/*.yml"),
        signature=("criteria",),
    ),
    FileKind(
        "qc_rules",
        "quality-control rules file",
        f"{_HERE}:check_qc_rules",
        places=("quality/rules.yaml",),
        signature=("peers",),
    ),
    FileKind(
        "qc_workflow",
        "quality-control workflow file",
        f"{_HERE}:check_qc_workflow",
        places=("quality/workflow.yaml",),
        signature=("backcheck",),
    ),
    FileKind(
        "course",
        "training course file",
        f"{_HERE}:check_course",
        places=("training/course.yaml", "course.yaml"),
        signature=("modules",),
    ),
    FileKind(
        "item_bank",
        "item-bank file",
        f"{_HERE}:check_item_bank",
        places=("training/items/*.yaml", "items/*.yaml"),
        signature=("module", "items"),
    ),
    FileKind(
        "training_rules",
        "certification rules file",
        f"{_HERE}:check_training_rules",
        places=("training/rules.yaml",),
        signature=("roles", "knowledge"),
    ),
    FileKind(
        "mock_checklist",
        "mock-interview checklist",
        f"{_HERE}:check_mock_checklist",
        places=("mock_checklist.yaml",),
        signature=("scale", "items"),
    ),
    FileKind(
        "audit_items",
        "audit items file",
        f"{_HERE}:check_audit_items",
        places=("audit_items.yaml",),
        signature=("groups",),
    ),
    FileKind(
        "calibration_case",
        "calibration case",
        f"{_HERE}:check_calibration_case",
        places=("training/calibration/*.yaml", "calibration/*.yaml"),
        kind_values=("website", "premises"),
        signature=("key", "test_log"),
        takes_kind_field=False,
    ),
    FileKind(
        "persona",
        "practice persona",
        f"{_HERE}:check_persona",
        places=("personas/*.yaml",),
        signature=("answers", "questionnaire"),
    ),
    FileKind(
        "certificate_template",
        "certificate template",
        f"{_HERE}:check_certificate_template",
        places=("training/certificates/*.yaml", "certificates/*.yaml"),
        kind_values=("certificate", "diploma"),
        signature=("achievement",),
        takes_kind_field=False,
    ),
    FileKind(
        "fieldwork_rules",
        "fieldwork rules file",
        f"{_HERE}:check_fieldwork_rules",
        places=("fieldwork/rules.yaml",),
        signature=("interview_outcome",),
    ),
    FileKind(
        "institution_types",
        "institution types file",
        f"{_HERE}:check_institution_types",
        places=("directory/institution_types.yaml",),
        signature=("types",),
    ),
):
    register(_kind)

# the item-bank linter (surveykit.training.lint): flaws of single items with their file, the balance of the
# whole bank with the course file
add_check("item_bank", _lint_items)
add_check("course", _lint_bank)
