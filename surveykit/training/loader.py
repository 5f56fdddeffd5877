"""Reading the course files: YAML with line numbers, and every problem located in its file.

:func:`load` is what :func:`surveykit.training.course.load_course` runs. Each file is parsed once with
PyYAML's node tree, so every key and list element has a line; pydantic errors and the cross checks of
:func:`surveykit.training.course.check_course` are turned into problems at those lines. A file that cannot
be used is reported and skipped, and checks that depend on it are skipped too, so one mistake is reported
once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from surveykit.errors import ErrorCode, Location, Report, Severity, TrainingError, did_you_mean
from surveykit.fileio import read_yaml_file
from surveykit.filekinds import take_kind
from surveykit.training.course import (
    SCHEMA_VERSION,
    AttendanceRules,
    AuditGroup,
    AuditItem,
    AuditItems,
    Blueprint,
    CalibrationCase,
    CalibrationRules,
    CertificateRules,
    ChecklistItem,
    Computation,
    Course,
    CourseInfo,
    ExamRules,
    ItemLintRules,
    ItemReviewRules,
    KnowledgeRules,
    Lesson,
    LogEntry,
    MockChecklist,
    MockRules,
    Module,
    ModuleDraw,
    Option,
    ProbationRules,
    QuizItem,
    Ref,
    RoleRule,
    Rules,
    course_problems,
    default_locate,
)

__all__ = ["ItemFile", "load", "load_rules", "read_item_file", "read_part"]


# --------------------------------------------------------------------------------------------------------
# YAML with line numbers
# --------------------------------------------------------------------------------------------------------


class _Doc:
    """A parsed YAML file with the line of every key and list element (1-based)."""

    def __init__(self, path: Path, display: str, data: Any, lines: dict[Ref, int]) -> None:
        self.path = path
        self.display = display
        self.data = data
        self.lines = lines

    def line(self, path: Ref) -> int | None:
        for end in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return None

    def location(self, path: Ref, shown: str | None = None) -> Location:
        return Location(file=self.display, line=self.line(path), path=shown)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, report: Report) -> _Doc | None:
    """The file read safely (:func:`surveykit.fileio.read_yaml_file`: bounded, duplicate keys reported),
    with the line of every key and list element; ``None`` when it cannot be used (the problem reported)."""
    display = _display(path)
    document = read_yaml_file(path, file=display)
    report.extend(document.report)
    if document.data is None and document.report.errors:
        return None
    lines = {where: line for where, (line, _column) in document.source_map.positions.items()}
    return _Doc(path, display, document.data, lines)


def _check_version(doc: _Doc, report: Report, kind: str | None = None) -> bool:
    """Check ``schema_version`` of a file whose top level is a mapping; remove it from the data, and the
    ``kind:`` naming the file's kind (surveykit.filekinds) when ``kind`` is given."""
    if not isinstance(doc.data, dict):
        report.add(
            ErrorCode.COURSE_INVALID,
            doc.location(()),
            detail=f"the file must hold a mapping (key: value), found {type(doc.data).__name__}",
        )
        return False
    if kind is not None and not take_kind(doc.data, kind, doc.location(("kind",)), report):
        return False
    version = doc.data.pop("schema_version", None)
    where = doc.location(("schema_version",))
    if version is None:
        report.add(ErrorCode.FIELD_MISSING, where, field="schema_version")
        return False
    if not isinstance(version, int) or isinstance(version, bool):
        report.add(
            ErrorCode.FIELD_INVALID,
            where,
            field="schema_version",
            detail=repr(version),
            fix="Write schema_version: 1.",
        )
        return False
    if version > SCHEMA_VERSION:
        report.add(ErrorCode.SCHEMA_VERSION_TOO_NEW, where, found=version, supported=SCHEMA_VERSION)
        return False
    if version < SCHEMA_VERSION:
        report.add(ErrorCode.SCHEMA_VERSION_TOO_OLD, where, found=version, supported=SCHEMA_VERSION)
        return False
    return True


#: every field name of the course models, for "did you mean" on unknown fields
def _field_names() -> set[str]:
    models: Iterable[type[BaseModel]] = (
        Lesson, Module, Option, Computation, QuizItem, RoleRule, AttendanceRules, KnowledgeRules, ExamRules,
        Blueprint, ModuleDraw, ItemLintRules, MockRules, CalibrationRules, CertificateRules, ProbationRules, ItemReviewRules, Rules, ChecklistItem,
        MockChecklist, AuditGroup, AuditItem, AuditItems, LogEntry, CalibrationCase, CourseInfo,
    )  # fmt: skip
    return {name for model in models for name in model.model_fields}


def _pydantic_problems(
    err: PydanticValidationError,
    doc: _Doc,
    base: Ref,
    report: Report,
    *,
    item: str | None = None,
    shown: Callable[[Ref], str] | None = None,
) -> None:
    """Turn a pydantic error into located problems: one per field, or one per issue of a model check."""
    names = _field_names()

    def show(loc: Ref) -> str:
        if shown is not None:
            return shown(loc)
        return ".".join(str(p) for p in (*base, *loc)) or "(top)"

    errors = err.errors()
    locs = [tuple(e["loc"]) for e in errors]
    for error in errors:
        loc: Ref = tuple(error["loc"])
        if error["type"] == "too_short" and any(len(o) > len(loc) and o[: len(loc)] == loc for o in locs):
            continue  # a list emptied by its own invalid elements: those are reported
        ctx = error.get("ctx") or {}
        if error["type"] in {"item_invalid", "course_invalid"} and "issues" in ctx:
            for issue in ctx["issues"]:
                where = doc.location((*base, *loc, *issue.field), show((*loc, *issue.field)))
                if item is not None:
                    report.add(ErrorCode.ITEM_INVALID, where, item=item, detail=issue.detail, fix=issue.fix)
                else:
                    report.add(ErrorCode.COURSE_INVALID, where, detail=f"{issue.detail}. {issue.fix}")
            continue
        where = doc.location((*base, *loc), show(loc))
        field = str(loc[-1]) if loc else "(top)"
        path = next((str(p) for p in reversed(loc) if isinstance(p, str)), "(top)")  # the field, not an index
        if error["type"] == "missing":
            report.add(ErrorCode.FIELD_MISSING, where, field=field)
        elif error["type"] == "extra_forbidden":
            report.add(ErrorCode.FIELD_UNKNOWN, where, field=field, suggestion=did_you_mean(field, names))
        elif item is not None:
            report.add(
                ErrorCode.ITEM_INVALID,
                where,
                item=item,
                detail=f"{path}: {error['msg']}",
                fix=_fix_for(error["type"], path),
            )
        else:
            report.add(ErrorCode.COURSE_INVALID, where, detail=f"{path}: {error['msg']}")


def _fix_for(error_type: str, field: str) -> str:
    if error_type == "translation_missing":
        return f"Add the missing translation to '{field}'."
    if error_type == "string_type":
        return f"Write '{field}' as text; quote ids that look like numbers."
    return f"Correct '{field}' (see docs/training.md, 'Item format')."


# --------------------------------------------------------------------------------------------------------
# lesson texts: lessons/<language>/<lesson id>.md, placeholders rendered from the instruments
# --------------------------------------------------------------------------------------------------------


def _lesson_texts(doc: _Doc, root: Path, report: Report) -> None:
    """Give every lesson of ``course.yaml`` its ``text`` in each language: from ``lessons/<language>/<id>.md``
    (or an inline ``text:``), with the placeholders rendered (:mod:`surveykit.training.lessons`). Problems
    are located in the lesson file (or course.yaml) and reported once: a text that cannot be used is
    replaced by a stand-in so that the course model does not report it again."""
    from surveykit.training.course import REQUIRED_LANGUAGES
    from surveykit.training.lessons import LESSONS_FOLDER, LessonSources, lesson_file, render_lesson_text

    sources = LessonSources(root.parent)
    modules = doc.data.get("modules") if isinstance(doc.data, dict) else None
    known: set[Path] = set()
    for m, module in enumerate(modules if isinstance(modules, list) else []):
        objectives = module.get("objectives") if isinstance(module, dict) else None
        for k, objective in enumerate(objectives if isinstance(objectives, list) else []):
            for language, text in list(objective.items()) if isinstance(objective, dict) else []:
                if isinstance(text, str) and "{{" in text:
                    rendered, problems = render_lesson_text(text, language, sources)
                    for p in problems:
                        report.add(
                            ErrorCode.COURSE_INVALID,
                            doc.location(("modules", m, "objectives", k, language)),
                            detail=f"objective {k + 1} of module {module.get('id')} ({language}): {p.detail}. {p.fix}",
                        )
                    objective[language] = rendered
        lessons = module.get("lessons") if isinstance(module, dict) else None
        for j, lesson in enumerate(lessons if isinstance(lessons, list) else []):
            if not isinstance(lesson, dict) or not isinstance(lesson.get("id"), str):
                continue
            lesson_id = lesson["id"]
            base: Ref = ("modules", m, "lessons", j)
            files = {language: lesson_file(root, language, lesson_id) for language in REQUIRED_LANGUAGES}
            known.update(files.values())
            present = [path for path in files.values() if path.is_file()]

            def problem(where: Location, language: str, detail: str, fix: str, lesson_id: str = lesson_id) -> None:
                report.add(
                    ErrorCode.LESSON_TEXT_INVALID, where, lesson=lesson_id, language=language, detail=detail, fix=fix
                )

            inline = lesson.get("text")
            if inline is not None:
                if present:
                    problem(
                        doc.location((*base, "text")),
                        ", ".join(path.parent.name for path in present),
                        f"the text is in course.yaml and also in {', '.join(_display(p) for p in present)}",
                        "Keep one: delete 'text:' here or the lesson files.",
                    )
                if isinstance(inline, dict):
                    for language, text in list(inline.items()):
                        if not isinstance(text, str):
                            continue
                        rendered, problems = render_lesson_text(text, language, sources)
                        key_line = doc.line((*base, "text", language))
                        for p in problems:
                            line = key_line + p.line if key_line is not None and "\n" in text else key_line
                            problem(Location(file=doc.display, line=line), language, p.detail, p.fix)
                        inline[language] = rendered
                continue
            texts: dict[str, str] = {}
            for language, path in files.items():
                shown = _display(path)
                if not path.is_file():
                    problem(
                        doc.location((*base, "id"), f"modules.{m}.lessons.{j}"),
                        language,
                        f"no text: {shown} does not exist",
                        f"Write the lesson in {shown} (markdown), or give 'text: {{ru: ..., en: ...}}' here.",
                    )
                    texts[language] = "(missing)"
                    continue
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as err:
                    problem(Location(file=shown), language, f"cannot read the file: {err}", "Save it as UTF-8 text.")
                    texts[language] = "(unreadable)"
                    continue
                if not text.strip():
                    problem(Location(file=shown, line=1), language, "the file is empty", "Write the lesson text.")
                    texts[language] = "(empty)"
                    continue
                rendered, problems = render_lesson_text(text, language, sources)
                for p in problems:
                    problem(Location(file=shown, line=p.line), language, p.detail, p.fix)
                texts[language] = rendered
            lesson["text"] = texts
    folder = root / LESSONS_FOLDER
    for path in sorted(folder.glob("*/*.md")) if folder.is_dir() else []:
        if path not in known and path.parent.name in REQUIRED_LANGUAGES:
            report.add(
                ErrorCode.LESSON_TEXT_INVALID,
                Location(file=_display(path)),
                Severity.WARNING,
                lesson=path.stem,
                language=path.parent.name,
                detail="no lesson of course.yaml has this id, so the file is never shown",
                fix="Rename the file after a lesson id, add the lesson to course.yaml, or delete the file.",
            )


# --------------------------------------------------------------------------------------------------------
# the loader
# --------------------------------------------------------------------------------------------------------


@dataclass
class ItemFile:
    """One item-bank file (``items/mN.yaml``) read on its own: its valid items with where each is
    (``bases[i]`` is the data path of ``items[i]``), and the items that failed their schema."""

    doc: _Doc
    module: str
    items: list[QuizItem] = field(default_factory=list)
    bases: list[Ref] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (item name, module) of invalid items

    @property
    def file(self) -> str:
        return self.doc.display

    def locate(self, index: int, *fields: Any) -> Location:
        """Where ``items[index]`` (or one of its fields, e.g. ``"options", 2, "text"``) is in the file."""
        base = self.bases[index]
        return self.doc.location((*base, *fields), ".".join(map(str, (self.items[index].id, *fields))))


def read_item_file(path: Path, report: Report) -> ItemFile | None:
    """Read and check one item-bank file on its own (schema of every item, module of every item); problems
    go to ``report``. ``None`` when the file cannot be used at all."""
    doc = _read_yaml(path, report)
    if doc is None or not _check_version(doc, report, "item_bank"):
        return None
    module_id = doc.data.get("module")
    raw_items = doc.data.get("items")
    unknown = sorted(set(doc.data) - {"module", "items"})
    for key in unknown:
        report.add(
            ErrorCode.FIELD_UNKNOWN,
            doc.location((key,)),
            field=key,
            suggestion=did_you_mean(key, ["module", "items"]),
        )
    if not isinstance(module_id, str):
        report.add(ErrorCode.FIELD_MISSING, doc.location(("module",)), field="module")
        return None
    if not isinstance(raw_items, list) or not raw_items:
        report.add(
            ErrorCode.COURSE_INVALID,
            doc.location(("items",)),
            detail=f"module {module_id} lists no items; add a non-empty 'items:' list",
        )
        return None
    bank = ItemFile(doc, module_id)
    for index, raw in enumerate(raw_items):
        base: Ref = ("items", index)
        name = (
            str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"#{index + 1} of {path.name}"
        )
        if not isinstance(raw, dict):
            report.add(
                ErrorCode.ITEM_INVALID,
                doc.location(base, name),
                item=name,
                detail="an item must be a mapping",
                fix="Write the item as 'id: ..., type: ..., stem: ...'.",
            )
            continue
        raw = dict(raw)
        if raw.setdefault("module", module_id) != module_id:
            report.add(
                ErrorCode.ITEM_INVALID,
                doc.location((*base, "module"), f"{name}.module"),
                item=name,
                detail=f"the item says module {raw['module']} but sits in the file of module {module_id}",
                fix="Move it to the right file, or remove its 'module:' line.",
            )
            continue
        try:
            item = QuizItem.model_validate(raw)
        except PydanticValidationError as err:
            _pydantic_problems(
                err, doc, base, report, item=name, shown=lambda loc, n=name: ".".join(map(str, (n, *loc)))
            )
            bank.invalid.append((name, module_id))
            continue
        bank.items.append(item)
        bank.bases.append(base)
    return bank


#: the files of a course read as one object, by their kind (surveykit.filekinds); a calibration case keeps
#: its own ``kind:`` (website or premises)
_PARTS: dict[str, type[BaseModel]] = {
    "course": CourseInfo,
    "training_rules": Rules,
    "mock_checklist": MockChecklist,
    "audit_items": AuditItems,
    "calibration_case": CalibrationCase,
}


def _read_part(path: Path, part: str, report: Report) -> tuple[Any, _Doc | None]:
    doc = _read_yaml(path, report)
    if doc is None or not _check_version(doc, report, part if part != "calibration_case" else None):
        return None, doc
    if part == "course":  # the lessons' texts live in lessons/<language>/<id>.md beside course.yaml
        _lesson_texts(doc, path.parent, report)
    try:
        return _PARTS[part].model_validate(doc.data), doc
    except PydanticValidationError as err:
        _pydantic_problems(err, doc, (), report)
        return None, doc


def read_part(path: Path, part: str, report: Report) -> Any:
    """One course file on its own, checked against its schema (no checks across files): ``part`` is
    ``course`` (the head of course.yaml), ``training_rules``, ``mock_checklist``, ``audit_items`` or
    ``calibration_case``; ``None`` when it is not valid (the problems in ``report``)."""
    return _read_part(path, part, report)[0]


def load_rules(root: Path | None = None) -> Rules:
    """Only the certification rules (``rules.yaml``), e.g. for the store's certification gate; problems
    raise :class:`~surveykit.errors.TrainingError` with the file and line, as :func:`load` does."""
    if root is None:
        from surveykit.config import settings

        root = settings().questionnaires_dir / "training"
    path = Path(root) / "rules.yaml"
    report = Report(subject=_display(path))
    doc = _read_yaml(path, report)
    if doc is not None and _check_version(doc, report, "training_rules"):
        try:
            return Rules.model_validate(doc.data)
        except PydanticValidationError as err:
            _pydantic_problems(err, doc, (), report)
    first = report.errors[0]
    raise TrainingError(first.code, first.location, report=report, **first.params)


def load(root: Path | None = None) -> Course:
    """Load and check the course in ``root`` (default: ``questionnaires/training`` from the settings).

    Raises :class:`~surveykit.errors.TrainingError` whose ``report`` lists every problem found, each with
    its file and line; warnings alone do not raise.
    """
    if root is None:
        from surveykit.config import settings

        root = settings().questionnaires_dir / "training"
    root = Path(root)
    report = Report(subject=f"course {_display(root)}")

    # course.yaml -------------------------------------------------------------------------------------
    info: CourseInfo | None = None
    course_doc = _read_yaml(root / "course.yaml", report)
    if course_doc is not None and _check_version(course_doc, report, "course"):
        _lesson_texts(course_doc, root, report)
        try:
            info = CourseInfo.model_validate(course_doc.data)
        except PydanticValidationError as err:
            _pydantic_problems(err, course_doc, (), report)

    # items/*.yaml ------------------------------------------------------------------------------------
    items: list[QuizItem] = []
    item_where: list[tuple[_Doc, Ref]] = []
    invalid_items: list[tuple[str, str]] = []
    item_files = sorted((root / "items").glob("*.yaml")) if (root / "items").is_dir() else []
    if not item_files:
        report.add(
            ErrorCode.COURSE_INVALID,
            Location(file=_display(root / "items")),
            detail="no item files; the bank lives in items/m0.yaml, items/m1.yaml ...",
        )
    for path in item_files:
        bank = read_item_file(path, report)
        if bank is None:
            continue
        items.extend(bank.items)
        item_where.extend((bank.doc, base) for base in bank.bases)
        invalid_items.extend(bank.invalid)

    # single-object files -----------------------------------------------------------------------------
    rules, rules_doc = _read_part(root / "rules.yaml", "training_rules", report)
    checklist, checklist_doc = _read_part(root / "mock_checklist.yaml", "mock_checklist", report)
    audit, audit_doc = _read_part(root / "audit_items.yaml", "audit_items", report)

    # calibration/*.yaml ------------------------------------------------------------------------------
    cases: list[CalibrationCase] = []
    case_docs: list[_Doc] = []
    cases_complete = True
    case_dir = root / "calibration"
    for path in sorted(case_dir.glob("*.yaml")) if case_dir.is_dir() else []:
        doc = _read_yaml(path, report)
        if doc is None or not _check_version(doc, report):
            continue
        try:
            cases.append(CalibrationCase.model_validate(doc.data))
            case_docs.append(doc)
        except PydanticValidationError as err:
            _pydantic_problems(err, doc, (), report)
            cases_complete = False

    # cross checks, located in the files --------------------------------------------------------------
    modules = info.modules if info is not None else None

    def locate(ref: Ref) -> Location:
        head, rest = ref[0], ref[1:]
        if head == "items" and rest and isinstance(rest[0], int) and rest[0] < len(item_where):
            doc, base = item_where[rest[0]]
            return doc.location((*base, *rest[1:]), ".".join(map(str, (items[rest[0]].id, *rest[1:]))))
        if head == "cases" and rest and isinstance(rest[0], int) and rest[0] < len(case_docs):
            return case_docs[rest[0]].location(rest[1:], ".".join(map(str, (cases[rest[0]].id, *rest[1:]))))
        docs = {"modules": course_doc, "rules": rules_doc, "checklist": checklist_doc, "audit": audit_doc}
        doc = docs.get(str(head))
        if doc is None:
            return default_locate(ref)
        path = ref if head == "modules" else rest
        return doc.location(path, ".".join(map(str, ref)))

    report.extend(
        course_problems(modules, items, rules, checklist, audit, cases, locate, invalid_items, cases_complete)
    )
    if report.errors or info is None or rules is None or checklist is None or audit is None:
        if not report.errors:  # pragma: no cover - every None above has added an error
            report.add(
                ErrorCode.COURSE_INVALID, Location(file=_display(root)), detail="the course is incomplete"
            )
        report.raise_if_errors(TrainingError)
    return Course(
        id=info.id,
        title=info.title,
        methodology=info.methodology,
        modules=info.modules,
        items=tuple(items),
        rules=rules,
        checklist=checklist,
        audit_items=audit,
        calibration_cases=tuple(cases),
    )
