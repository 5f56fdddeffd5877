"""Input workbooks for ratings: one sheet to fill in, with the accepted codes as drop-downs.

:func:`input_template` writes an Excel workbook for one source of a methodology profile (the recipient
survey, the website and stand audit, the premises checklist, or any other source):

* ``data`` (first, so that ``surveykit rate`` reads it): ``institution_id``, ``period`` and every column the
  profile reads from that source, named by their codes. A checklist gets one row per institution, already
  keyed; a survey gets empty rows. Every coded column has a drop-down of its accepted codes (openpyxl data
  validation; Excel refuses anything else), institution ids a drop-down of the institutions, admin columns
  accept numbers only. The header cells carry the question text as a note.
* ``codes``: every column with its question and every accepted code with its meaning, in Russian and
  English, and the indicators it feeds;
* ``read_me``: how to fill the workbook and rate it, in Russian and English;
* ``lists`` (hidden): the lists the drop-downs read.

The accepted codes are those :func:`surveykit.scoring.inputs.accepted_codes` checks, so a filled template
always passes the input check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from surveykit.errors import DataImportError, ErrorCode, ExportError, Location
from surveykit.i18n import pick, t
from surveykit.questionnaire.model import Questionnaire
from surveykit.scoring.inputs import Accepted, accepted_codes, source_questionnaires
from surveykit.scoring.profile import Profile

__all__ = ["SOURCE_ALIASES", "input_template", "resolve_source"]

#: the short names of the usual sources (the options of ``surveykit rate``) -> source ids
SOURCE_ALIASES = {"audit": "website_audit", "premises": "premises_checklist", "staff": "staff_survey"}
_LANGUAGES = ("ru", "en")


def resolve_source(profile: Profile, name: str) -> str:
    """``survey`` -> the respondents' source; ``audit``/``premises``/``staff`` -> their source ids; a source id
    as it is. Raises DataImportError (SK904) for a name the profile does not have."""
    source = profile.respondents_source if name == "survey" else SOURCE_ALIASES.get(name, name)
    if source not in profile.sources:
        from surveykit.errors import did_you_mean

        known = ["survey", *[k for k, v in SOURCE_ALIASES.items() if v in profile.sources], *profile.sources]
        raise DataImportError(
            ErrorCode.OPTION_CONFLICT,
            Location(field="SOURCE"),
            detail=f"profile {profile.id} has no source '{name}'{did_you_mean(name, known)}",
            fix=f"Choose one of: {', '.join(dict.fromkeys(known))}.",
        )
    return source


def input_template(
    profile: Profile,
    source: str,
    path: str | Path,
    *,
    institutions: pd.DataFrame | None = None,
    period: str | None = None,
    questionnaires: Mapping[str, Questionnaire] | None = None,
    rows: int = 300,
) -> Path:
    """Write the input workbook of ``source`` (a source id of ``profile``) to ``path``.

    ``institutions``: ``institution_id`` and optionally ``name`` (and ``period``); ``period``: written in every
    row; ``rows``: empty rows of a survey sheet (a checklist has one row per institution).
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    resolved = source_questionnaires(profile, questionnaires)
    questionnaire = resolved.get(source)
    columns = accepted_codes(profile, resolved).get(source, {})
    if questionnaire is not None:  # the questionnaire's order
        order = {v: i for i, q in enumerate(questionnaire.questions()) for v in q.variables()}
        columns = dict(sorted(columns.items(), key=lambda kv: order.get(kv[0], len(order))))
    kind = profile.sources[source].kind
    ids, names = _institutions(institutions)

    workbook = Workbook()
    data = workbook.active
    data.title = "data"
    codes_sheet = workbook.create_sheet("codes")
    read_me = workbook.create_sheet("read_me")
    lists = workbook.create_sheet("lists")
    lists.sheet_state = "hidden"

    header = [
        "institution_id",
        "name",
        "period",
        *(["submitted_at"] if kind == "checklist" else []),
        *columns,
    ]
    bold = Font(bold=True)
    for j, name in enumerate(header, start=1):
        cell = _put(data.cell(row=1, column=j), name)
        cell.font = bold
        note = _note(name, columns.get(name), questionnaire, profile)
        if note:
            cell.comment = Comment(note, "surveykit")
        data.column_dimensions[get_column_letter(j)].width = max(12, min(28, len(name) + 4))
    data.freeze_panes = "B2"
    grey = PatternFill("solid", fgColor="EEEEEE")
    n_rows = len(ids) if kind == "checklist" and ids else rows
    for i in range(n_rows):
        r = i + 2
        if kind == "checklist" and ids:  # a checklist row per institution, keyed; survey rows stay empty
            _put(data.cell(row=r, column=1), ids[i])
            _put(data.cell(row=r, column=2), names[i])
            data.cell(row=r, column=2).fill = grey
            if period is not None:
                _put(data.cell(row=r, column=3), str(period))
    last = n_rows + 1

    # the drop-downs: one list per distinct set of codes, on the hidden sheet
    list_ranges: dict[tuple[str, ...], str] = {}

    def list_range(values: Sequence[str]) -> str:
        key = tuple(values)
        if key not in list_ranges:
            col = len(list_ranges) + 1
            letter = get_column_letter(col)
            for k, value in enumerate(values, start=1):
                _put(lists.cell(row=k, column=col), value)
            list_ranges[key] = f"lists!${letter}$1:${letter}${max(len(values), 1)}"
        return list_ranges[key]

    def validate(col: int, formula: str | None, kind_: str, title: str, message: str) -> None:
        letter = get_column_letter(col)
        if formula is not None:
            rule = DataValidation(type="list", formula1=formula, allow_blank=True)
        else:
            rule = DataValidation(
                type="decimal", operator="greaterThanOrEqual", formula1="-1e15", allow_blank=True
            )
        rule.error = message
        rule.errorTitle = title
        rule.prompt = message
        rule.promptTitle = title
        rule.showErrorMessage = True
        rule.showInputMessage = kind_ == "list"
        data.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{max(last, 2)}")

    if period is not None:
        validate(3, list_range([str(period)]), "list", "period", str(period))
    if ids:
        validate(
            1,
            list_range(ids),
            "list",
            "institution_id",
            f"{t('files.template.choose_institution', 'ru')} / {t('files.template.choose_institution', 'en')}",
        )
    for j, (name, accepted) in enumerate(columns.items(), start=len(header) - len(columns) + 1):
        if accepted.codes is None:
            validate(
                j,
                None,
                "number",
                name,
                f"{t('files.template.number', 'ru')} / {t('files.template.number', 'en')}",
            )
        else:
            message = (
                f"{t('files.template.choose_code', 'ru')} / {t('files.template.choose_code', 'en')}: "
                f"{', '.join(accepted.codes)}"
            )
            validate(j, list_range(accepted.codes), "list", name, message[:255])

    _codes_sheet(codes_sheet, columns, questionnaire, profile, bold)
    _read_me(read_me, profile, source, kind, bold)
    path = Path(path)
    try:
        workbook.save(path)
    except OSError as err:
        raise ExportError(
            ErrorCode.EXPORT_WRITE_FAILED, Location(file=str(path)), path=str(path), detail=str(err)
        ) from err
    return path


def _put(cell: Any, value: Any) -> Any:
    """The one place the template writes a value: texts are stored as text, never as a formula (the XLSX
    rule of surveykit.spreadsheet: text cell, quote prefix on a trigger character)."""
    from surveykit.spreadsheet import set_text_cell

    cell.value = value
    return set_text_cell(cell)


def _institutions(frame: pd.DataFrame | None) -> tuple[list[str], list[str]]:
    if frame is None:
        return [], []
    if "institution_id" not in frame.columns:
        raise DataImportError(
            ErrorCode.IMPORT_COLUMN_MISSING,
            Location(field="institution_id"),
            column="institution_id",
            reason="the institutions of the template",
        )
    frame = frame.drop_duplicates("institution_id")
    ids = [_key(v) for v in frame["institution_id"]]
    name_column = next((c for c in ("name", "name_ru", "name_en") if c in frame.columns), None)
    raw = frame[name_column].tolist() if name_column else [None] * len(ids)
    names = ["" if v is None or v != v else str(v) for v in raw]
    keep = [i for i, v in enumerate(ids) if v]
    return [ids[i] for i in keep], [names[i] for i in keep]


def _key(value: Any) -> str:
    if value is None or value != value:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _question_text(accepted: Accepted | None, questionnaire: Questionnaire | None, language: str) -> str:
    if accepted is None or accepted.question is None or questionnaire is None:
        return ""
    return pick(accepted.question.label, language, questionnaire.default_language)


def _note(name: str, accepted: Accepted | None, questionnaire: Questionnaire | None, profile: Profile) -> str:
    fixed = {"institution_id", "name", "period", "submitted_at"}
    if name in fixed:
        return "\n".join(t(f"files.template.column.{name}", lang) for lang in _LANGUAGES)
    texts = [_question_text(accepted, questionnaire, lang) for lang in _LANGUAGES]
    if not any(texts):
        texts = [profile.label(name, lang) for lang in _LANGUAGES]
    lines = [text for text in dict.fromkeys(texts) if text]
    if accepted is not None and accepted.codes is not None:
        lines.append(", ".join(accepted.codes))
    return "\n".join(lines)[:2000]


def _codes_sheet(
    sheet: Any,
    columns: Mapping[str, Accepted],
    questionnaire: Questionnaire | None,
    profile: Profile,
    bold: Any,
) -> None:
    """One row per accepted code of every column: the column, its question and the code's meaning (ru, en)."""

    def both(key: str, lang: str | None = None) -> str:
        if lang is not None:
            return f"{t(f'files.template.codes.{key}', lang)} ({lang})"
        return " / ".join(t(f"files.template.codes.{key}", lang) for lang in _LANGUAGES)

    header = [
        both("column"),
        *(both("question", lang) for lang in _LANGUAGES),
        both("code"),
        *(both("meaning", lang) for lang in _LANGUAGES),
        both("indicators"),
    ]
    for j, value in enumerate(header, start=1):
        _put(sheet.cell(row=1, column=j), value).font = bold
    default = questionnaire.default_language if questionnaire is not None else profile.default_language
    row = 2
    for name, accepted in columns.items():
        question = [
            _question_text(accepted, questionnaire, lang) or profile.label(name, lang) for lang in _LANGUAGES
        ]
        if accepted.codes is None:
            entries = [("", [t("files.template.number", lang) for lang in _LANGUAGES])]
        elif accepted.choices:
            entries = [
                (c.name, [pick(c.label, lang, default) or c.name for lang in _LANGUAGES])
                for c in accepted.choices
            ]
        else:
            entries = [
                (code, [t("files.template.profile_code", lang) for lang in _LANGUAGES])
                for code in accepted.codes
            ]
        for code, meaning in entries:
            for j, value in enumerate(
                [name, *question, code, *meaning, ", ".join(accepted.indicators)], start=1
            ):
                _put(sheet.cell(row=row, column=j), value)
            row += 1
    for letter, width in zip("ABCDEFG", (22, 50, 50, 16, 36, 36, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def _read_me(sheet: Any, profile: Profile, source: str, kind: str, bold: Any) -> None:
    option = {v: k for k, v in SOURCE_ALIASES.items()}.get(source)
    if source == profile.respondents_source:
        option = "survey"
    command = (
        f"surveykit rate --{option} FILE.xlsx" if option else f"surveykit rate --source {source}=FILE.xlsx"
    )
    row = 1
    for lang in _LANGUAGES:
        title = _put(
            sheet.cell(row=row, column=1),
            t("files.template.read_me.title", lang, source=source, profile=profile.id),
        )
        title.font = bold
        row += 1
        for key in ("fill", "codes", "rows_" + kind, "check"):
            text = t(f"files.template.read_me.{key}", lang, command=command, source=source)
            _put(sheet.cell(row=row, column=1), text)
            row += 1
        row += 1
    sheet.column_dimensions["A"].width = 120
