"""Reading an XLSForm workbook (KoboToolbox, ODK) into a checked questionnaire; see :mod:`.xlsform`.

The reader turns the sheets into the plain data of a questionnaire and hands it to
:func:`~surveykit.questionnaire.io.questionnaire_from_data` with its own ``locate``, so that every
problem, its own and those of the checks, names the sheet, the row (Excel's numbering: the header is
row 1) and the column. Nothing in the workbook is dropped without a message.
"""

from __future__ import annotations

import json
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from openpyxl.utils import get_column_letter

from surveykit.errors import ErrorCode, Location, Problem, Report, Severity, Translated, did_you_mean
from surveykit.questionnaire.io import LoadResult, questionnaire_from_data
from surveykit.questionnaire.model import (
    BUILTIN_CHOICE_LISTS,
    SCHEMA_VERSION,
    FormSettings,
    Group,
    Mode,
    Question,
    Scale,
    ScoringMeta,
)
from surveykit.questionnaire.names import code_problem, suggest_name
from surveykit.questionnaire.xlsform_common import (
    CHOICES,
    EXT_CHOICE_MISSING,
    EXT_CHOICE_VALUE,
    EXT_FIELDS,
    EXT_MAX,
    EXT_MIN,
    EXT_SCORING,
    EXT_TYPE,
    EXT_TYPES,
    EXT_VALUE_TYPE,
    EXTRA,
    PRESETS,
    SETTINGS,
    SETTINGS_ALIASES,
    SUPPORTED_COLUMNS_TEXT,
    SUPPORTED_TYPES_TEXT,
    SURVEY,
    TRANSLATABLE,
    TYPED_IN,
    Header,
    Language,
    Row,
    TypeSpec,
    cell_text,
    matrix_from_rows,
    normal_type,
    parse_choices_header,
    parse_language,
    parse_parameters,
    parse_survey_header,
    parse_type,
    parse_yes_no,
    question_from_row,
    refusal,
    rename_everywhere,
    snake,
    split_header,
    unique,
)
from surveykit.questionnaire.xlsform_workbook import (
    MAX_BLANK_HEADERS,
    MAX_BLANK_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    WorkbookError,
    open_workbook,
)

__all__ = ["read_xlsform"]

#: columns that mean something on each kind of survey row (others are reported, not silently ignored)
_QUESTION_KEYS = {
    "type",
    "name",
    "label",
    "hint",
    "guidance_hint",
    "constraint",
    "constraint_message",
    "required",
    "required_message",
    "relevant",
    "calculation",
    "choice_filter",
    "default",
    "appearance",
    EXT_TYPE,
    EXT_VALUE_TYPE,
    EXT_MIN,
    EXT_MAX,
    EXT_SCORING,
    EXT_FIELDS,
}
_GROUP_KEYS = {"type", "name", "label", "guidance_hint", "relevant", "appearance", EXT_TYPE, EXT_FIELDS}
_MATRIX_KEYS = _GROUP_KEYS | {"hint", EXT_SCORING}
#: what a model attribute named by the checks is called on the survey sheet
_ATTRIBUTE_COLUMNS = {
    "code": "name",
    "instruction": "guidance_hint",
    "choices": "type",
    "value_type": EXT_VALUE_TYPE,
    "min": EXT_MIN,
    "max": EXT_MAX,
    "scoring": EXT_SCORING,
}
_OTHER_LABEL = {
    "en": "Other",
    "ru": "Другое",
    "uk": "Інше",
    "bg": "Друго",
    "pl": "Inne",
    "de": "Andere",
    "fr": "Autre",
    "es": "Otro",
}
_SPECIFY_OTHER = {
    "en": "Specify other",
    "ru": "Укажите другое",
    "uk": "Вкажіть інше",
    "bg": "Посочете друго",
    "pl": "Podaj inne",
    "de": "Andere, bitte angeben",
    "fr": "Précisez autre",
    "es": "Especifique otro",
}
#: XLSForm sheets surveykit does not read (other sheets, e.g. notes, are ignored as pyxform ignores them)
_IGNORED_SHEETS = {
    "external_choices": "choices for select_one_external",
    "entities": "ODK Central entities",
    "osm": "OpenStreetMap tags",
}
_QUESTION_FIELDS = (set(Question.model_fields) | set(Group.model_fields)) - {"code", "items"}
_EXTRA_KEYS = (
    "languages",
    "title",
    "description",
    "modes",
    "allow_proxy",
    "respondent",
    "kind",
    "style",
    "expected_minutes",
    "builtin_lists",
    "empty_lists",
    "scales",
    "metadata",
)


def read_xlsform(path: str | Path, *, skip_unsupported: bool = False) -> LoadResult:
    """Read and check an XLSForm workbook (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``); never raises for a bad
    file, reports every problem at once.

    A question of a type surveykit does not collect (geotrace, rank, select_one_from_file, ...) is an error
    SK123 saying what to do instead; with ``skip_unsupported=True`` it is left out with a warning SK124
    naming it (and an expression that still uses it is an error SK125), so the rest of the form loads.
    """
    return _Reader(Path(path), skip_unsupported=skip_unsupported).run()


@dataclass
class _Frame:
    """An open begin_group/begin_repeat while the survey sheet is read."""

    row: Row
    spec: TypeSpec
    data: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)
    matrix: bool = False
    matrix_rows: list[tuple[Row, TypeSpec]] = field(default_factory=list)
    impure_row: int | None = None
    skipped: bool = False  # a refused begin_loop left out with everything in it (skip_unsupported)


@dataclass
class _Item:
    """Where an item came from, for renaming and for locating the problems the checks find."""

    data: dict[str, Any]
    row: int
    siblings: list[dict[str, Any]]
    list_name: str | None = None
    or_other: bool = False


class _Reader:
    def __init__(self, path: Path, *, skip_unsupported: bool = False) -> None:
        self.path = path
        self.skip_unsupported = skip_unsupported
        self.skipped_types: dict[str, str] = {}  # name of a left-out question -> its type
        self.sheets: list[Any] = []
        self.allow_choice_duplicates = False
        self.file = str(path)
        self.report = Report(subject=self.file)
        self.sheet_names: dict[str, str] = {}
        self.survey_headers: dict[str, str] = {}
        self.settings_headers: dict[str, str] = {}
        self.extra_rows: dict[str, int] = {}
        self.list_rows: dict[str, int] = {}
        self.items: list[_Item] = []
        self.item_rows: dict[str, int] = {}
        self.skipped_names: set[str] = set()  # rows of unsupported types: their problem is already reported
        self.meta_names: set[str] = set()
        self.reference_renames: dict[str, str] = {}
        self.acknowledged: list[str] = []
        self.reported: dict[ErrorCode, set[Any]] = {}
        self.plain_language = "en"
        self.languages_seen: list[str] = []

    # --- helpers ----------------------------------------------------------------------------------
    def loc(
        self, sheet: str, row: int | None = None, field: str | None = None, path: str | None = None
    ) -> Location:
        return Location(
            file=self.file, sheet=self.sheet_names.get(sheet, sheet), row=row, field=field, path=path
        )

    def add(
        self, code: ErrorCode, location: Location, severity: Severity = Severity.ERROR, /, **params: Any
    ) -> None:
        self.report.add(code, location, severity, **params)

    def remember(self, code: ErrorCode, key: Any) -> None:
        self.reported.setdefault(code, set()).add(key)

    def invalid(
        self, location: Location, column: str, detail: str, fix: str, severity: Severity = Severity.ERROR
    ) -> None:
        self.add(ErrorCode.FIELD_INVALID, location, severity, field=column, detail=detail, fix=fix)

    def header_of(self, key: str) -> str:
        return self.survey_headers.get(key, key)

    # --- the whole workbook -------------------------------------------------------------------------
    def run(self) -> LoadResult:
        sheets = self.load()
        if sheets is None:
            return LoadResult(None, self.report)
        lowered: dict[str, str] = {}
        for title in sheets:
            lowered.setdefault(title.strip().lower(), title)
        if len(sheets) == 1 and not lowered.keys() & {SURVEY, CHOICES, SETTINGS, EXTRA}:
            # pyxform reads the only sheet of a workbook as the survey sheet, whatever it is called (Sheet1)
            lowered[SURVEY] = next(iter(sheets))
        self.sheet_names = {key: lowered[key] for key in (SURVEY, CHOICES, SETTINGS, EXTRA) if key in lowered}
        self.report_sheet_ends()
        for key in _IGNORED_SHEETS:
            if key in lowered and any(cell_text(c) for row in sheets[lowered[key]][1:] for c in row):
                self.invalid(
                    Location(file=self.file, sheet=lowered[key]),
                    lowered[key],
                    _tr(
                        f"surveykit does not use the '{lowered[key]}' sheet ({_IGNORED_SHEETS[key]}); "
                        "its content is ignored",
                        f"surveykit не использует лист «{lowered[key]}» ({_IGNORED_SHEETS[key]}); "
                        "его содержимое не учитывается",
                    ),
                    _tr(
                        "Remove the sheet, or start its name with '_' if it only holds notes.",
                        "Удалите лист или начните его имя с «_», если на нём только заметки.",
                    ),
                    Severity.WARNING,
                )
        settings = self.read_settings(sheets.get(self.sheet_names.get(SETTINGS, ""), []))
        extra = self.read_extra(sheets.get(self.sheet_names.get(EXTRA, ""), []))
        if SURVEY not in self.sheet_names:
            self.add(ErrorCode.XLSFORM_SHEET_MISSING, Location(file=self.file), sheet=SURVEY)
        survey_rows = self.read_survey_sheet(sheets.get(self.sheet_names.get(SURVEY, ""), []))
        items = self.build_items(survey_rows) if survey_rows is not None else []
        choice_lists = self.read_choices(sheets.get(self.sheet_names.get(CHOICES, ""), []), extra)
        if CHOICES not in self.sheet_names and SURVEY in self.sheet_names:
            needs = any(i.list_name and i.list_name not in BUILTIN_CHOICE_LISTS for i in self.items)
            self.add(
                ErrorCode.XLSFORM_SHEET_MISSING,
                Location(file=self.file),
                Severity.ERROR if needs else Severity.WARNING,
                sheet=CHOICES,
            )
        self.check_lists(choice_lists)
        renamed = self.fix_names()
        self.expand_or_other(choice_lists, renamed)
        data = self.assemble(settings, extra, items, choice_lists, renamed)
        result = questionnaire_from_data(data, locate=self.locate)
        for problem in result.report:
            replaced = self.skipped_reference(problem)
            if replaced is not None:
                self.report.problems.append(replaced)
            elif not self.repeated(problem):
                self.report.problems.append(self.with_file(problem))
        self.report.problems.sort(key=self.reading_order)
        return LoadResult(result.questionnaire if self.report.ok else None, self.report)

    def reading_order(self, problem: Problem) -> tuple[int, int]:
        """Problems of the whole file first, then sheet by sheet, top to bottom (a stable sort)."""
        sheets = [self.sheet_names.get(k, k) for k in (SURVEY, CHOICES, SETTINGS, EXTRA)]
        sheet = problem.location.sheet
        order = sheets.index(sheet) + 1 if sheet in sheets else (0 if sheet is None else len(sheets) + 1)
        return order, problem.location.row or 0

    def load(self) -> dict[str, list[tuple[Any, ...]]] | None:
        # the one place the workbook is opened: surveykit.fileio first refuses what no reader should open (a
        # folder, a device, a file over max_file_mb; for a zip workbook a damaged archive or a zip bomb), then
        # open_workbook reads the sheets as pyxform does, bounded in rows and columns
        from surveykit.fileio import check_file, check_workbook

        if not check_file(self.path, self.report, file=self.file):
            return None
        if self.path.suffix.lower() in (".xlsx", ".xlsm") and not check_workbook(
            self.path, self.report, file=self.file
        ):
            return None
        try:
            self.sheets = open_workbook(self.path)
        except WorkbookError as err:
            self.add(ErrorCode.XLSX_UNREADABLE, Location(file=self.file), detail=str(err))
            return None
        return {sheet.title: sheet.rows for sheet in self.sheets}

    def report_sheet_ends(self) -> None:
        """What :func:`open_workbook` left out of the sheets the form uses: never dropped silently."""
        used = set(self.sheet_names.values())
        for sheet in self.sheets:
            if sheet.title not in used:
                continue
            where = Location(file=self.file, sheet=sheet.title)
            if sheet.stray is not None:
                row, column = sheet.stray
                cell = f"{get_column_letter(column)}{row}"
                self.add(
                    ErrorCode.XLSFORM_STRAY_BELOW,
                    where.with_(row=row, field=get_column_letter(column)),
                    Severity.WARNING,
                    cell=cell,
                    blank=MAX_BLANK_ROWS,
                )
            if sheet.wide is not None:
                row, column = sheet.wide  # row 0: somewhere in the sheet (from its declared extent)
                self.add(
                    ErrorCode.XLSFORM_STRAY_RIGHT,
                    where.with_(row=row or None, field=get_column_letter(column)),
                    Severity.WARNING,
                    cell=f"{get_column_letter(column)}{row or ''}",
                    blank=MAX_BLANK_HEADERS,
                    limit=get_column_letter(MAX_COLUMNS),
                )
            if sheet.truncated:
                self.add(ErrorCode.XLSFORM_SHEET_TOO_LONG, where.with_(row=MAX_ROWS), limit=MAX_ROWS)

    # --- headers -----------------------------------------------------------------------------------
    def read_headers(self, sheet: str, rows: list[tuple[Any, ...]], parse) -> list[Header]:
        header_cells = rows[0] if rows else ()
        texts = [cell_text(c, strip=False) or "" for c in header_cells]
        single_colon = not any("::" in t for t in texts)
        headers: list[Header] = []
        seen: dict[tuple[Any, ...], tuple[str, int]] = {}
        for index, text in enumerate(texts):
            header = parse(index, text, single_colon)
            if header.key is not None:
                identity = (header.key, header.language.code if header.language else None)
                if identity in seen:
                    # two spellings of one column (constraint-msg and bind::jr:constraintMsg): read together,
                    # as pyxform does, unless a row fills both differently
                    first_text, first_index = seen[identity]
                    clash = _clashing_row(rows, first_index, index)
                    if clash is not None:
                        self.invalid(
                            self.loc(sheet, clash, header.text),
                            header.text,
                            f"it is the same column as '{first_text}', and this row fills both differently",
                            "Keep one of the two columns.",
                        )
                        header = Header(index, header.text, None, "duplicate")
                else:
                    seen[identity] = (header.text, index)
            if header.language is not None and not header.language.has_code:
                self.add(
                    ErrorCode.XLSFORM_LANGUAGE_NO_CODE,
                    self.loc(sheet, 1, header.text),
                    Severity.WARNING,
                    language=header.language.written,
                    column=header.text,
                )
            if header.key in TRANSLATABLE and any(
                header.index < len(cells) and cell_text(cells[header.index], strip=False) is not None
                for cells in rows[1:]
            ):
                self.register(header.language)
            headers.append(header)
        self.report_unused_columns(sheet, rows, headers)
        return headers

    def report_unused_columns(self, sheet: str, rows: list[tuple[Any, ...]], headers: list[Header]) -> None:
        """SK112 for every column whose content surveykit would not use, at its first non-empty cell."""
        supported = SUPPORTED_COLUMNS_TEXT if sheet == SURVEY else "list_name, name, label, attribute columns"
        for header in headers:
            if header.status not in ("unsupported", "unknown", "empty"):
                continue
            for number, cells in enumerate(rows[1:], start=2):
                value = cells[header.index] if header.index < len(cells) else None
                if cell_text(value) is None:
                    continue
                severity = Severity.ERROR if header.changes_meaning else Severity.WARNING
                if header.text.startswith("$"):  # KoboToolbox's own bookkeeping ($kuid, $autoname, ...)
                    severity = Severity.INFO
                column = header.text or f"(no header, column {header.letter})"
                self.add(
                    ErrorCode.XLSFORM_COLUMN_UNSUPPORTED,
                    self.loc(sheet, number, column),
                    severity,
                    column=column,
                    supported=supported,
                )
                break

    def code_of(self, language: Language | None) -> str:
        """The language code of a column; a column without a language is in the plain language."""
        return language.code if language is not None else self.plain_language

    def register(self, language: Language | None) -> None:
        code = self.code_of(language)
        if code not in self.languages_seen:
            self.languages_seen.append(code)

    # --- settings ------------------------------------------------------------------------------------
    def read_settings(self, rows: list[tuple[Any, ...]]) -> dict[str, Any]:
        settings: dict[str, Any] = {"title": []}
        if not rows:
            return settings
        header_cells = [cell_text(c, strip=False) or "" for c in rows[0]]
        values = rows[1] if len(rows) > 1 else ()
        titles: list[tuple[Language | None, str, str]] = []
        for index, text in enumerate(header_cells):
            value = cell_text(values[index]) if index < len(values) else None
            tokens = split_header(text, single_colon=False)
            key = SETTINGS_ALIASES.get(snake(tokens[0])) if tokens[0] else None
            if key is None or (len(tokens) > 1 and key != "form_title"):
                if value is not None:
                    self.add(
                        ErrorCode.XLSFORM_SETTING_UNSUPPORTED,
                        self.loc(SETTINGS, 2, text),
                        Severity.WARNING,
                        setting=text or f"(no header, column {index + 1})",
                    )
                continue
            self.settings_headers.setdefault(key, text)
            if value is None:
                continue
            if key == "form_title":
                titles.append(
                    (parse_language("::".join(tokens[1:])) if len(tokens) > 1 else None, value, text)
                )
            elif key == "default_language":
                language = parse_language(value)
                if not language.has_code:
                    self.add(
                        ErrorCode.XLSFORM_LANGUAGE_NO_CODE,
                        self.loc(SETTINGS, 2, text),
                        Severity.WARNING,
                        language=value,
                        column=text,
                    )
                settings["default_language"] = language.code
                self.plain_language = language.code
            elif key == "style":
                settings["style"] = self.read_style(value, text)
            elif key == "allow_choice_duplicates":
                flag = parse_yes_no(value)
                if flag is None:
                    self.invalid(
                        self.loc(SETTINGS, 2, text), text, f"'{value}' is not yes or no", "Write yes or no."
                    )
                else:
                    settings[key] = flag
                    self.allow_choice_duplicates = flag
            else:
                settings[key] = value
        for language, value, text in titles:
            if language is not None and not language.has_code:
                self.add(
                    ErrorCode.XLSFORM_LANGUAGE_NO_CODE,
                    self.loc(SETTINGS, 1, text),
                    Severity.WARNING,
                    language=language.written,
                    column=text,
                )
            settings["title"].append((language, value))
        return settings

    def read_style(self, value: str, header: str) -> str | None:
        style = None
        for token in value.split():
            if token.lower() == "pages":
                style = "pages"
            else:  # an Enketo theme (theme-grid, theme-formhub): how the web form looks, nothing else
                self.add(
                    ErrorCode.XLSFORM_SETTING_UNSUPPORTED,
                    self.loc(SETTINGS, 2, header),
                    Severity.INFO,
                    setting=f"style: {token}",
                )
        return style

    # --- the surveykit sheet ------------------------------------------------------------------------
    def read_extra(self, rows: list[tuple[Any, ...]]) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        for number, cells in enumerate(rows[1:], start=2):
            key_text = cell_text(cells[0]) if cells else None
            value = cell_text(cells[1], strip=False) if len(cells) > 1 else None
            if key_text is None:
                continue
            tokens = split_header(key_text, single_colon=False)
            key = snake(tokens[0])
            self.extra_rows.setdefault(key, number)
            where = self.loc(EXTRA, number, "value", path=key_text)
            if key not in _EXTRA_KEYS:
                self.add(
                    ErrorCode.FIELD_UNKNOWN,
                    self.loc(EXTRA, number, "key"),
                    Severity.WARNING,
                    field=key_text,
                    suggestion=did_you_mean(key, _EXTRA_KEYS),
                )
                continue
            if value is None:
                continue
            if key in ("title", "description"):
                language = parse_language("::".join(tokens[1:])) if len(tokens) > 1 else None
                extra.setdefault(key, []).append((language, value))
            elif key in ("languages", "builtin_lists", "empty_lists"):
                extra[key] = value.split()
            elif key == "modes":
                modes = value.split()
                allowed = [m.value for m in Mode]
                bad = [m for m in modes if m not in allowed]
                if bad:
                    self.invalid(
                        where, key, f"unknown mode(s) {', '.join(bad)}", f"Use some of: {', '.join(allowed)}."
                    )
                else:
                    extra[key] = modes
            elif key == "allow_proxy":
                flag = parse_yes_no(value)
                if flag is None:
                    self.invalid(where, key, f"'{value}' is not yes or no", "Write yes or no.")
                else:
                    extra[key] = flag
            elif key == "expected_minutes":
                if not _is_whole(value) or not 1 <= int(float(value)) <= 600:
                    self.invalid(
                        where, key, f"'{value}' is not a number of minutes", "Write a whole number, e.g. 15."
                    )
                else:
                    extra[key] = int(float(value))
            elif key in ("respondent", "kind", "style"):
                allowed = list(typing.get_args(FormSettings.model_fields[key].annotation))
                if value.strip() not in allowed:
                    self.invalid(
                        where, key, f"'{value}' is not allowed", f"Use one of: {', '.join(allowed)}."
                    )
                else:
                    extra[key] = value.strip()
            else:  # scales, metadata: JSON
                parsed = self.read_json(value, where)
                if parsed is None:
                    continue
                if not isinstance(parsed, dict):
                    self.invalid(where, key, "expected a JSON object {...}", "Write a JSON object.")
                elif key == "scales":
                    extra[key] = self.valid_scales(parsed, where)
                else:
                    extra[key] = parsed
        return extra

    def read_json(self, text: str, where: Location) -> Any:
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            self.add(ErrorCode.JSON_SYNTAX, where.with_(column=err.colno), detail=err.msg)
            return None

    def valid_scales(self, scales: dict[str, Any], where: Location) -> dict[str, Any]:
        good = {}
        for name, scale in scales.items():
            try:
                Scale.model_validate(scale)
            except pydantic.ValidationError as err:
                self.invalid(where, f"scales.{name}", _pydantic_text(err), "Correct the scale.")
                continue
            good[name] = scale
        return good

    # --- the survey sheet -----------------------------------------------------------------------------
    def read_survey_sheet(self, rows: list[tuple[Any, ...]]) -> list[Row] | None:
        if SURVEY not in self.sheet_names:
            return None
        headers = self.read_headers(SURVEY, rows, parse_survey_header)
        keys = {h.key for h in headers if h.key}
        for required in ("type", "name"):
            if required not in keys:
                self.add(ErrorCode.FIELD_MISSING, self.loc(SURVEY, 1), field=required)
        if "type" not in keys:
            return None
        for h in headers:
            if h.key and h.status in ("column", "extension"):
                self.survey_headers.setdefault(h.key, h.text)
        result: list[Row] = []
        for number, cells in enumerate(rows[1:], start=2):
            row = Row(number)
            for h in headers:
                if h.key is None or h.status not in ("column", "extension") or h.index >= len(cells):
                    continue
                value = cells[h.index]
                if h.key in TRANSLATABLE:
                    text = cell_text(value, strip=False)
                    if text is not None:
                        row.texts.setdefault(h.key, {})
                        code = self.code_of(h.language)
                        if h.language is not None or code not in row.texts[h.key]:
                            row.texts[h.key][code] = text
                elif h.status == "extension":
                    text = cell_text(value)
                    if text is not None:
                        parsed = self.read_extension(h, text, number)
                        if parsed is not None:
                            row.ext[h.key] = parsed
                else:
                    text = cell_text(value)
                    if text is not None:
                        if h.key in _EXPRESSION_COLUMNS:
                            text = _straight_quotes(text)
                        row.values[h.key] = text
            if row.values or row.texts or row.ext:
                result.append(row)
        return result

    def read_extension(self, header: Header, text: str, number: int) -> Any:
        where = self.loc(SURVEY, number, header.text)
        key = header.key
        if key == EXT_TYPE:
            if text.lower() not in EXT_TYPES:
                self.invalid(
                    where,
                    header.text,
                    f"'{text}' is not a surveykit type here",
                    f"Use one of: {', '.join(EXT_TYPES)}.",
                )
                return None
            return text.lower()
        if key == EXT_VALUE_TYPE:
            allowed = typing.get_args(Question.model_fields["value_type"].annotation)
            if text not in allowed:
                self.invalid(
                    where, header.text, f"'{text}' is not a value type", f"Use one of: {', '.join(allowed)}."
                )
                return None
            return text
        if key in (EXT_MIN, EXT_MAX):
            try:
                return float(text)
            except ValueError:
                self.invalid(
                    where, header.text, f"'{text}' is not a number", "Write a number, e.g. 0 or 1.5."
                )
                return None
        parsed = self.read_json(text, where)
        if parsed is None:
            return None
        if key == EXT_SCORING:
            try:
                ScoringMeta.model_validate(parsed)
            except pydantic.ValidationError as err:
                self.invalid(where, header.text, _pydantic_text(err), 'Write e.g. {"indicators": ["1.3"]}.')
                return None
            return parsed
        if not isinstance(parsed, dict) or set(parsed) - _QUESTION_FIELDS:
            unknown = sorted(set(parsed) - _QUESTION_FIELDS) if isinstance(parsed, dict) else []
            detail = f"unknown field(s) {', '.join(unknown)}" if unknown else "expected a JSON object {...}"
            self.invalid(
                where,
                header.text,
                detail,
                f"Use fields of a question: {', '.join(sorted(_QUESTION_FIELDS))}.",
            )
            return None
        return parsed

    def not_applicable(self, row: Row, allowed: set[str], what: str) -> None:
        present = [*row.values, *row.texts, *row.ext]
        for key in present:
            if key not in allowed:
                column = self.header_of(key)
                self.add(
                    ErrorCode.XLSFORM_COLUMN_UNSUPPORTED,
                    self.loc(SURVEY, row.number, column),
                    Severity.WARNING,
                    column=column,
                    supported=f"on {what} rows: " + ", ".join(self.header_of(k) for k in sorted(allowed)),
                )

    def build_items(self, rows: list[Row]) -> list[dict[str, Any]]:
        root: list[dict[str, Any]] = []
        stack: list[_Frame] = []

        def current() -> list[dict[str, Any]]:
            return stack[-1].items if stack else root

        for row in rows:
            type_text = row.get("type")
            where = self.loc(SURVEY, row.number, self.header_of("type"))
            if type_text is None:
                self.add(ErrorCode.FIELD_MISSING, where, field="type")
                continue
            spec = parse_type(type_text)
            if stack and stack[-1].skipped and spec.kind != "end":
                if spec.kind == "begin":
                    stack.append(_Frame(row, spec, {}, skipped=True))
                elif row.get("name"):
                    self.skipped_names.add(row.get("name"))
                    self.skipped_types[row.get("name")] = stack[-1].spec.raw
                continue
            if stack and stack[-1].matrix and spec.kind != "end":
                if spec.kind == "question":
                    stack[-1].matrix_rows.append((row, spec))
                    continue
                stack[-1].impure_row = stack[-1].impure_row or row.number
            if spec.kind == "begin":
                stack.append(self.open_group(row, spec))
            elif spec.kind == "end":
                self.close_groups(row, spec, stack, root)
            elif spec.kind == "meta":
                self.invalid(
                    where,
                    "type",
                    _tr(
                        f"'{spec.raw}' is interview metadata, not a question: surveykit records the start and "
                        "end time, the date, the device and the interviewer of every interview itself "
                        "(paradata), so this row is not imported",
                        f"«{spec.raw}» — служебные сведения об интервью, а не вопрос: время начала и окончания, "
                        "дату, устройство и интервьюера surveykit записывает сам (параданные), поэтому эта "
                        "строка не импортируется",
                    ),
                    _tr(
                        "Nothing is lost; remove the row to silence this warning.",
                        "Ничего не теряется; удалите строку, чтобы убрать это предупреждение.",
                    ),
                    Severity.WARNING,
                )
                if row.get("name"):
                    self.meta_names.add(row.get("name"))
            elif spec.kind == "question":
                self.add_question(row, spec, current())
            elif spec.kind == "nolist":
                self.invalid(
                    where,
                    "type",
                    _tr(
                        f"'{spec.raw}' needs the name of a choice list",
                        f"для «{spec.raw}» нужно имя списка вариантов",
                    ),
                    _tr(f"Write '{spec.raw} <list_name>'.", f"Напишите «{spec.raw} <list_name>»."),
                )
            elif spec.kind == "refused":
                self.refuse(row, spec)
            else:
                if row.get("name"):
                    self.skipped_names.add(row.get("name"))
                self.add(
                    ErrorCode.XLSFORM_TYPE_UNSUPPORTED, where, type=spec.raw, supported=SUPPORTED_TYPES_TEXT
                )
        while stack:
            frame = stack.pop()
            self.add(
                ErrorCode.XLSFORM_GROUP_UNBALANCED,
                self.loc(SURVEY, frame.row.number, self.header_of("type")),
                found=f"begin_{frame.spec.qtype}",
                expected=f"end_{frame.spec.qtype}",
            )
            self.finish_group(frame, stack[-1].items if stack else root)
        return root

    def refuse(self, row: Row, spec: TypeSpec) -> None:
        """A type surveykit does not collect: SK123 with what to do, or SK124 when the user asked to skip."""
        where = self.loc(SURVEY, row.number, self.header_of("type"))
        what_en, fix_en, what_ru, fix_ru = refusal(spec)
        name = row.get("name")
        if name:
            self.skipped_names.add(name)
            self.skipped_types[name] = spec.raw
        if self.skip_unsupported:
            self.add(
                ErrorCode.XLSFORM_QUESTION_SKIPPED,
                where,
                Severity.WARNING,
                name=name or f"row {row.number}",
                type=spec.raw,
                what=_tr(what_en, what_ru),
                fix=_tr(fix_en, fix_ru),
            )
        else:
            self.add(
                ErrorCode.XLSFORM_TYPE_REFUSED,
                where,
                type=spec.raw,
                what=_tr(what_en, what_ru),
                fix=_tr(fix_en, fix_ru),
            )

    def open_group(self, row: Row, spec: TypeSpec) -> _Frame:
        if spec.qtype == "loop":
            self.refuse(row, TypeSpec("refused", spec.raw, refused="loop"))
            if self.skip_unsupported:
                return _Frame(row, spec, {}, skipped=True)
        matrix = row.ext.get(EXT_TYPE) == "matrix"
        if row.ext.get(EXT_TYPE) and not matrix:
            self.invalid(
                self.loc(SURVEY, row.number, self.header_of(EXT_TYPE)),
                EXT_TYPE,
                f"'{row.ext[EXT_TYPE]}' cannot be the surveykit type of a '{spec.raw}' row",
                "Use matrix on a begin_group row, or leave it empty.",
            )
        if matrix and spec.qtype != "group":
            self.invalid(
                self.loc(SURVEY, row.number, self.header_of(EXT_TYPE)),
                EXT_TYPE,
                "a matrix is written as a begin_group, not a repeat",
                "Use begin_group with appearance table-list.",
            )
            matrix = False
        if matrix:
            self.not_applicable(row, _MATRIX_KEYS, "matrix (begin_group)")
        else:
            allowed = _GROUP_KEYS | ({"repeat_count"} if spec.qtype == "repeat" else set())
            self.not_applicable(row, allowed, f"begin_{spec.qtype}")
        if not row.get("name"):
            self.add(
                ErrorCode.FIELD_MISSING, self.loc(SURVEY, row.number, self.header_of("name")), field="name"
            )
        data: dict[str, Any] = {
            "code": row.get("name"),
            "type": "repeat" if spec.qtype == "repeat" else "group",
        }
        if row.texts.get("label"):
            data["label"] = row.text("label")
        if row.texts.get("guidance_hint"):
            data["instruction"] = row.text("guidance_hint")
        for key in ("relevant", "appearance") + (("repeat_count",) if spec.qtype == "repeat" else ()):
            if row.get(key) is not None:
                data[key] = row.get(key)
        if not matrix:
            data.update(row.ext.get(EXT_FIELDS) or {})
        return _Frame(row, spec, data, matrix=matrix)

    def close_groups(self, row: Row, spec: TypeSpec, stack: list[_Frame], root: list[dict[str, Any]]) -> None:
        kinds = [f.spec.qtype for f in stack]
        if spec.qtype not in kinds:
            self.add(
                ErrorCode.XLSFORM_GROUP_UNBALANCED,
                self.loc(SURVEY, row.number, self.header_of("type")),
                found=f"end_{spec.qtype}",
                expected=f"begin_{spec.qtype}",
            )
            return
        while stack:
            frame = stack.pop()
            parent = stack[-1].items if stack else root
            if frame.spec.qtype == spec.qtype:
                self.finish_group(frame, parent)
                return
            self.add(
                ErrorCode.XLSFORM_GROUP_UNBALANCED,
                self.loc(SURVEY, frame.row.number, self.header_of("type")),
                found=f"begin_{frame.spec.qtype}",
                expected=f"end_{frame.spec.qtype}",
            )
            self.finish_group(frame, parent)

    def finish_group(self, frame: _Frame, parent: list[dict[str, Any]]) -> None:
        if frame.skipped:
            return
        if frame.matrix and frame.impure_row is None:
            built = matrix_from_rows(frame.row, frame.matrix_rows)
            for column, detail, fix in built.invalid:
                self.invalid(self.loc(SURVEY, frame.row.number, self.header_of(column)), column, detail, fix)
            if built.data.get("code"):
                parent.append(built.data)
                self.items.append(_Item(built.data, frame.row.number, parent, built.data.get("choices")))
            return
        if frame.matrix:
            self.invalid(
                self.loc(SURVEY, frame.impure_row, self.header_of("type")),
                "type",
                f"matrix '{frame.data.get('code')}' may hold only select_one rows",
                f"Remove the surveykit_type 'matrix' of row {frame.row.number} to keep it a group, or keep only "
                "select_one rows in it.",
            )
            for row, spec in frame.matrix_rows:
                self.add_question(row, spec, frame.items)
        if frame.data.get("code") and not frame.items:
            # pyxform converts an empty group (with a warning); it collects nothing and would be an empty page
            self.invalid(
                self.loc(SURVEY, frame.row.number, self.header_of("type")),
                "type",
                _tr(
                    f"group '{frame.data['code']}' has no questions and is left out",
                    f"в группе «{frame.data['code']}» нет вопросов, она не включена в анкету",
                ),
                _tr("Add questions to it, or remove it.", "Добавьте в неё вопросы или удалите её."),
                Severity.WARNING,
            )
            return
        if frame.data.get("code"):
            frame.data["items"] = frame.items
            parent.append(frame.data)
            self.items.append(_Item(frame.data, frame.row.number, parent))
        else:  # reported as a missing name; keep its questions so that they are still checked
            parent.extend(frame.items)

    def add_question(self, row: Row, spec: TypeSpec, siblings: list[dict[str, Any]]) -> None:
        where = self.loc(SURVEY, row.number, self.header_of("type"))
        allowed = _QUESTION_KEYS | ({"parameters"} if spec.qtype == "range" else set())
        self.not_applicable(row, allowed, f"'{spec.raw}'")
        built = question_from_row(row, spec)
        for column, detail, fix in built.invalid:
            self.invalid(
                self.loc(SURVEY, row.number, self.header_of(column)), self.header_of(column), detail, fix
            )
        data = built.data
        if not data.get("code") and spec.qtype == "note":
            data["code"] = f"generated_note_name_{row.number}"  # pyxform's name for a note without one
        alias = normal_type(spec.raw)
        for key, value in PRESETS.get(
            alias, {}
        ).items():  # what pyxform adds to 'phone number', 'percentage'...
            if key == "hint":
                data.setdefault("hint", {self.plain_language: value})
            else:
                data.setdefault(key, value)
        if alias in TYPED_IN:
            self.invalid(
                where,
                "type",
                _tr(
                    f"'{spec.raw}' becomes a text question: the code is typed in (surveykit has no scanner)",
                    f"«{spec.raw}» становится текстовым вопросом: код вводится вручную (сканера в surveykit нет)",
                ),
                _tr(
                    "Add a constraint if the code has a fixed form, e.g. regex(., '^[0-9]{13}$').",
                    "Добавьте условие проверки, если у кода постоянный вид, например regex(., '^[0-9]{13}$').",
                ),
                Severity.INFO,
            )
        if not data.get("code"):
            self.add(
                ErrorCode.FIELD_MISSING, self.loc(SURVEY, row.number, self.header_of("name")), field="name"
            )
            return
        if spec.qtype == "range":
            params = parse_parameters(row.get("parameters") or "")
            step = params.get("step", "1")
            decimal = data["type"] == "decimal"
            bounds = f"min {data['min']:g}, max {data['max']:g}"
            en = f"'range' becomes {'a decimal' if decimal else 'an integer'} question ({bounds}), entered as a number (no slider)"
            ru = f"«range» становится вопросом типа {data['type']} ({bounds}), число вводится вручную (без ползунка)"
            severity = Severity.INFO
            if step not in ("1", "1.0"):
                en, ru = f"{en}; the step {step} is not enforced", f"{ru}; шаг {step} не проверяется"
                severity = Severity.WARNING
            self.invalid(
                where,
                "type",
                _tr(en, ru),
                _tr(
                    "Add a constraint if only some values in the range are allowed.",
                    "Добавьте условие проверки (constraint), если допустимы не все значения диапазона.",
                ),
                severity,
            )
        if spec.qtype == "acknowledge":
            self.acknowledged.append(data["code"])
            self.invalid(
                where,
                "type",
                _tr(
                    "'acknowledge' becomes a yes_no question: 'yes' means acknowledged (ODK stores 'OK'; "
                    "references comparing it to 'OK' are rewritten to 'yes')",
                    "«acknowledge» становится вопросом «да/нет»: «yes» означает «подтверждено» (ODK записывает "
                    "«OK»; сравнения с 'OK' в выражениях заменены на 'yes')",
                ),
                _tr(
                    "Data collected with ODK/Kobo has 'OK' where surveykit has 'yes'.",
                    "В данных, собранных в ODK/Kobo, вместо «yes» стоит «OK».",
                ),
                Severity.WARNING,
            )
        siblings.append(data)
        self.items.append(_Item(data, row.number, siblings, spec.list_name, spec.or_other))

    # --- the choices sheet ------------------------------------------------------------------------------
    def read_choices(
        self, rows: list[tuple[Any, ...]], extra: dict[str, Any]
    ) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        if not rows:
            return lists
        texts = [snake(cell_text(c) or "") for c in rows[0]]
        has_name = "name" in texts

        def parse(index: int, text: str, single_colon: bool) -> Header:
            return parse_choices_header(index, text, single_colon, has_name)

        headers = self.read_headers(CHOICES, rows, parse)
        keys = {h.key for h in headers if h.key}
        for required in ("list_name", "name"):
            if required not in keys:
                self.add(ErrorCode.FIELD_MISSING, self.loc(CHOICES, 1), field=required)
        if not {"list_name", "name"} <= keys:
            return lists
        column_of = {h.key: h.text for h in headers if h.key}
        seen_names: dict[str, set[str]] = {}
        for number, cells in enumerate(rows[1:], start=2):
            choice: dict[str, Any] = {}
            label: dict[str, str] = {}
            attributes: dict[str, str] = {}
            list_name = None
            for h in headers:
                if h.key is None or h.status in ("unsupported", "unknown", "empty", "duplicate"):
                    continue
                value = cells[h.index] if h.index < len(cells) else None
                if h.key == "label":
                    text = cell_text(value, strip=False)
                    code = self.code_of(h.language)
                    if text is not None and (h.language is not None or code not in label):
                        label[code] = text
                    continue
                text = cell_text(value)
                if text is None:
                    continue
                if h.key == "list_name":
                    list_name = text
                elif h.key == "name":
                    choice["name"] = text
                elif h.key == EXT_CHOICE_VALUE:
                    number_value = _to_int(value, text)
                    if number_value is None:
                        self.invalid(
                            self.loc(CHOICES, number, h.text),
                            h.text,
                            f"'{text}' is not a whole number",
                            "Write the numeric code, e.g. 1.",
                        )
                    else:
                        choice["value"] = number_value
                elif h.key == EXT_CHOICE_MISSING:
                    flag = parse_yes_no(text)
                    if flag is None:
                        self.invalid(
                            self.loc(CHOICES, number, h.text),
                            h.text,
                            f"'{text}' is not yes or no",
                            "Write yes for a coded missing value (don't know, refused).",
                        )
                    else:
                        choice["missing"] = flag
                else:
                    attributes[h.key] = text
            if list_name is None and not choice and not label and not attributes:
                continue
            if list_name is None or "name" not in choice:
                missing = "list_name" if list_name is None else "name"
                self.add(
                    ErrorCode.FIELD_MISSING,
                    self.loc(CHOICES, number, column_of.get(missing, missing)),
                    field=missing,
                )
                continue
            if label:
                choice["label"] = label
            if attributes:
                choice["attributes"] = attributes
            choices = lists.setdefault(list_name, [])
            self.list_rows.setdefault(list_name, number)
            names = seen_names.setdefault(list_name, set())
            if choice["name"] in names and not self.allow_choice_duplicates:
                self.add(
                    ErrorCode.CHOICE_DUPLICATE,
                    self.loc(CHOICES, number, column_of["name"]),
                    name=choice["name"],
                    list_name=list_name,
                )
                self.remember(ErrorCode.CHOICE_DUPLICATE, (list_name, choice["name"]))
            names.add(choice["name"])
            choices.append(choice)
        for name in extra.get("builtin_lists", []):
            if name in lists and lists[name] == self.builtin_as_written(name):
                del lists[name]  # the writer put a built-in list here for ODK; surveykit has it already
        for name in extra.get("empty_lists", []):
            lists.setdefault(name, [])
        return lists

    def builtin_as_written(self, name: str) -> list[dict[str, Any]]:
        from surveykit.questionnaire.xlsform_write import choice_rows_of

        return choice_rows_of(BUILTIN_CHOICE_LISTS[name], self.languages_seen)

    def check_lists(self, lists: dict[str, list[dict[str, Any]]]) -> None:
        known = {*lists, *BUILTIN_CHOICE_LISTS}
        for item in self.items:
            name = item.list_name
            if name is None or name in known:
                continue
            close = did_you_mean(name, list(lists), prefix="")
            name_ok = close.rstrip("?")
            suggestion = (
                _tr(f", or correct the name to {name_ok}", f" или исправьте имя на {name_ok}")
                if close
                else ""
            )
            self.add(
                ErrorCode.XLSFORM_LIST_MISSING,
                self.loc(SURVEY, item.row, self.header_of("type")),
                list_name=name,
                suggestion=suggestion,
            )
            self.remember(ErrorCode.XLSFORM_LIST_MISSING, name)

    def expand_or_other(self, lists: dict[str, list[dict[str, Any]]], renamed: dict[str, str]) -> None:
        """pyxform's ``or_other``: a choice 'other' and a text question '<name>_other' shown for it."""
        users: dict[str, list[_Item]] = {}
        for item in self.items:
            if item.list_name and item.data.get("type") != "matrix":
                users.setdefault(item.list_name, []).append(item)
        for list_name, items in users.items():
            wanting = [i for i in items if i.or_other]
            if not wanting or list_name not in {*lists, *BUILTIN_CHOICE_LISTS}:
                continue
            base = lists.get(list_name) or [
                c.model_dump(mode="json", exclude_defaults=True) for c in BUILTIN_CHOICE_LISTS[list_name]
            ]
            target = list_name
            if list_name not in lists or len(wanting) < len(items):
                # other questions use the list as it is: 'other' goes into a copy
                target, n = f"{list_name}_or_other", 1
                while target in lists:
                    n += 1
                    target = f"{list_name}_or_other_{n}"
                lists[target] = [dict(c) for c in base]
                self.list_rows.setdefault(target, self.list_rows.get(list_name, 1))
            if not any(c["name"] == "other" for c in lists[target]):
                lists[target].append({"name": "other", "label": self.localized(_OTHER_LABEL)})
            for item in wanting:
                code = item.data["code"]
                item.data["choices"] = target
                taken = {i.data["code"].lower() for i in self.items}
                other_code = f"{code}_other"
                if other_code.lower() in taken or code_problem(other_code):
                    other_code = suggest_name(other_code, taken)
                other = {
                    "code": other_code,
                    "type": "text",
                    "label": self.localized(_SPECIFY_OTHER),
                    "relevant": f"selected(${{{code}}}, 'other')",
                }
                position = next(i for i, x in enumerate(item.siblings) if x is item.data)
                item.siblings.insert(position + 1, other)
                self.items.append(_Item(other, item.row, item.siblings))
                self.item_rows.setdefault(other_code, item.row)
                original = next((old for old, new in renamed.items() if new == code), code)
                if f"{original}_other" != other_code:  # ODK names it <name>_other: references keep working
                    self.reference_renames[f"{original}_other"] = other_code
                self.invalid(
                    self.loc(SURVEY, item.row, self.header_of("type")),
                    "type",
                    _tr(
                        f"'or_other' is read the way ODK reads it: list '{target}' gets a choice 'other' and a "
                        f"text question '{other_code}' (shown when 'other' is chosen) records what it is",
                        f"«or_other» читается так же, как в ODK: в список «{target}» добавлен вариант «other», "
                        f"а текстовый вопрос «{other_code}» (показывается, если выбран «other») записывает ответ",
                    ),
                    _tr(
                        "To choose the labels yourself, add the 'other' choice and the text question to the form "
                        "and remove 'or_other'.",
                        "Чтобы задать подписи самим, добавьте вариант «other» и текстовый вопрос в форму и уберите "
                        "«or_other».",
                    ),
                    Severity.WARNING,
                )

    def localized(self, texts: dict[str, str]) -> dict[str, str]:
        return {code: texts.get(code, texts["en"]) for code in (self.languages_seen or [self.plain_language])}

    # --- names ------------------------------------------------------------------------------------------
    def fix_names(self) -> dict[str, str]:
        """Rename names that are not valid SPSS/Stata names; report duplicates at their own row."""
        renamed: dict[str, str] = {}
        taken = {i.data["code"].lower() for i in self.items if not code_problem(i.data["code"])}
        assigned: set[str] = set()
        first_row: dict[str, int] = {}
        for item in sorted(self.items, key=lambda i: i.row):
            old = item.data["code"]
            key = old.lower()  # SPSS and Stata names clash regardless of case
            if key in first_row:
                self.add(
                    ErrorCode.CODE_DUPLICATE,
                    self.loc(SURVEY, item.row, self.header_of("name")),
                    code=old,
                    other=str(self.loc(SURVEY, first_row[key])),
                )
            else:
                first_row[key] = item.row
            problem = code_problem(old)
            if problem:
                new = suggest_name(old, taken | assigned)
                assigned.add(new.lower())
                renamed.setdefault(old, new)
                item.data["code"] = new
                if item.data.get("type") == "matrix":
                    for row in item.data.get("rows", []):
                        renamed.setdefault(f"{old}_{row['code']}", f"{new}_{row['code']}")
                self.add(
                    ErrorCode.CODE_INVALID,
                    self.loc(SURVEY, item.row, self.header_of("name")),
                    Severity.WARNING,
                    code=old,
                    reason=_tr(
                        f"{problem}; renamed to '{new}', references updated",
                        f"{problem}; переименован в «{new}», ссылки обновлены",
                    ),
                    suggestion="",
                )
            if key in first_row and first_row[key] != item.row:
                self.remember(ErrorCode.CODE_DUPLICATE, item.data["code"].lower())
            self.item_rows.setdefault(item.data["code"], item.row)
        for name in sorted(self.skipped_names | self.meta_names):
            if code_problem(name) and name not in renamed:  # so that references to it can still be read
                new = suggest_name(name, taken | assigned)
                assigned.add(new.lower())
                self.reference_renames[name] = new
        self.skipped_names = {renamed.get(n, self.reference_renames.get(n, n)) for n in self.skipped_names}
        return renamed

    # --- the questionnaire ----------------------------------------------------------------------------
    def assemble(
        self,
        settings: dict[str, Any],
        extra: dict[str, Any],
        items: list[dict[str, Any]],
        lists: dict[str, list[dict[str, Any]]],
        renamed: dict[str, str],
    ) -> dict[str, Any]:
        default = settings.get("default_language") or (
            self.languages_seen[0] if self.languages_seen else self.plain_language
        )
        # a title without a language is in the default language; the surveykit sheet has every title
        titles = extra.get("title") or settings["title"]
        title = {language.code if language else default: value for language, value in titles}
        languages = extra.get("languages") or unique([*self.languages_seen, *title] or [default])
        if not title:
            title = {default: settings.get("form_id") or self.path.stem}
        description = {
            language.code if language else default: value for language, value in extra.get("description", [])
        }
        form_settings: dict[str, Any] = {}
        for key in ("modes", "allow_proxy", "respondent", "kind", "expected_minutes"):
            if key in extra:
                form_settings[key] = extra[key]
        style = extra.get("style") or settings.get("style")
        if style:
            form_settings["style"] = style
        if settings.get("instance_name"):
            form_settings["instance_name"] = settings["instance_name"]
        if settings.get("allow_choice_duplicates"):
            form_settings["allow_choice_duplicates"] = True
        metadata = dict(extra.get("metadata", {}))
        if renamed:
            names = dict(metadata.get("xlsform_names", {}))
            for old, new in renamed.items():
                names.setdefault(new, old)
            metadata["xlsform_names"] = names
        references = {**self.reference_renames, **renamed}
        items = rename_everywhere(items, references)
        lists = rename_everywhere(lists, references)
        form_settings = rename_everywhere(form_settings, references)
        if self.acknowledged:
            items = _rewrite_ok(items, [renamed.get(c, c) for c in self.acknowledged])
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "id": settings.get("form_id") or self.path.stem,
            "version": settings.get("version") or "1",
            "title": title,
            "languages": languages,
            "default_language": default,
            "settings": form_settings,
            "choice_lists": lists,
            "items": items,
        }
        if description:
            data["description"] = description
        if extra.get("scales"):
            data["scales"] = extra["scales"]
        if metadata:
            data["metadata"] = metadata
        return data

    def locate(self, code: str | None, attribute: str | None) -> Location:
        """Where the checks' ``(code, attribute)`` is in the workbook (``code#2``: its second occurrence)."""
        code = code.split("#")[0] if code else code
        path = f"{code}.{attribute}" if code and attribute else (code or attribute)
        if code is None:
            attribute = attribute or ""
            if attribute.startswith("choice_lists."):
                name = attribute.split(".", 1)[1]
                return self.loc(CHOICES, self.list_rows.get(name), "list_name", path=path)
            if attribute.startswith("scales."):
                return self.loc(EXTRA, self.extra_rows.get("scales"), "value", path=path)
            if attribute == "description":
                return self.loc(EXTRA, self.extra_rows.get("description"), "value", path=path)
            if attribute in ("title", "default_language", "languages"):
                key = "form_title" if attribute == "title" else "default_language"
                header = self.settings_headers.get(key)
                if header is not None:
                    return self.loc(SETTINGS, 2, header, path=path)
                if attribute == "languages" and "languages" in self.extra_rows:
                    return self.loc(EXTRA, self.extra_rows["languages"], "value", path=path)
            return Location(file=self.file, path=path)
        if code == "settings":
            return self.loc(SETTINGS, 2, self.settings_headers.get(attribute or "", attribute), path=path)
        row = self.item_rows.get(code)
        if row is None:
            return Location(file=self.file, path=path)
        column = None
        if attribute:
            key = _ATTRIBUTE_COLUMNS.get(attribute, attribute)
            column = self.survey_headers.get(key) or (
                self.survey_headers.get("parameters") if key in (EXT_MIN, EXT_MAX) else None
            )
        return self.loc(SURVEY, row, column, path=path)

    def repeated(self, problem: Problem) -> bool:
        """A check's problem that repeats one the reader already reported more precisely."""
        p = problem.params
        if problem.code is ErrorCode.CODE_DUPLICATE:
            return str(p.get("code", "")).lower() in self.reported.get(ErrorCode.CODE_DUPLICATE, set())
        if problem.code is ErrorCode.CHOICE_DUPLICATE:
            return (p.get("list_name"), p.get("name")) in self.reported.get(ErrorCode.CHOICE_DUPLICATE, set())
        if problem.code is ErrorCode.CHOICE_LIST_UNKNOWN:
            return p.get("list_name") in self.reported.get(ErrorCode.XLSFORM_LIST_MISSING, set())
        if problem.code is ErrorCode.EXPR_UNKNOWN_REFERENCE:
            # left out on request: the expression must still be rewritten (SK125, added in run());
            # refused or unknown: the row's own error says so already
            return p.get("name") in self.skipped_names
        return False

    def skipped_reference(self, problem: Problem) -> Problem | None:
        """SK125 for an expression that uses a question left out with skip_unsupported."""
        name = problem.params.get("name")
        name = next((old for old, new in self.reference_renames.items() if new == name), name)
        if (
            not self.skip_unsupported
            or problem.code is not ErrorCode.EXPR_UNKNOWN_REFERENCE
            or name not in self.skipped_types
        ):
            return None
        return Problem(
            ErrorCode.XLSFORM_SKIPPED_REFERENCE,
            self.with_file(problem).location,
            Severity.ERROR,
            {"name": name, "type": self.skipped_types[name]},
        )

    def with_file(self, problem: Problem) -> Problem:
        if problem.location.file:
            return problem
        return Problem(problem.code, problem.location.with_(file=self.file), problem.severity, problem.params)


#: columns holding expressions, where typographic quotes are read as straight ones (as pyxform does)
_EXPRESSION_COLUMNS = frozenset(
    {
        "relevant",
        "constraint",
        "calculation",
        "choice_filter",
        "required",
        "default",
        "repeat_count",
        "parameters",
    }
)
_SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _straight_quotes(text: str) -> str:
    """‘’“” -> '' "" (Word and Excel's autocorrect put them into expressions; pyxform reads them so)."""
    return text.translate(_SMART_QUOTES)


def _clashing_row(rows: list[tuple[Any, ...]], first: int, second: int) -> int | None:
    """The first row (Excel's number) where columns ``first`` and ``second`` both hold different texts."""
    for number, cells in enumerate(rows[1:], start=2):
        a = cell_text(cells[first]) if first < len(cells) else None
        b = cell_text(cells[second]) if second < len(cells) else None
        if a is not None and b is not None and a != b:
            return number
    return None


def _to_int(value: Any, text: str) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(text)
    except ValueError:
        return None


def _rewrite_ok(data: Any, names: list[str]) -> Any:
    """``${ack} = 'OK'`` -> ``${ack} = 'yes'`` for questions that were ODK 'acknowledge'."""
    if isinstance(data, list):
        return [_rewrite_ok(v, names) for v in data]
    if isinstance(data, dict):
        return {k: _rewrite_ok(v, names) for k, v in data.items()}
    if isinstance(data, str) and "OK" in data:
        for name in names:
            data = re.sub(r"(\$\{" + re.escape(name) + r"\}\s*!?=\s*)(['\"])OK\2", r"\1'yes'", data)
            data = re.sub(r"(['\"])OK\1(\s*!?=\s*\$\{" + re.escape(name) + r"\})", r"'yes'\2", data)
    return data


def _pydantic_text(err: pydantic.ValidationError) -> str:
    parts = []
    for e in err.errors(include_url=False):
        where = ".".join(str(x) for x in e["loc"])
        parts.append(f"{where}: {e['msg']}" if where else e["msg"])
    return "; ".join(parts)


def _tr(en: str, ru: str) -> Translated:
    """A message part in English and Russian (the languages of the interface)."""
    return Translated(en=en, ru=ru)


def _is_whole(text: str) -> bool:
    """``15`` or ``15.0`` (a spreadsheet cell read as a number), not ``15.5`` or ``about 15``."""
    try:
        return float(text) == int(float(text))
    except (TypeError, ValueError, OverflowError):
        return False
