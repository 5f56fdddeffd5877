"""Writing a questionnaire as an XLSForm workbook for KoboToolbox/ODK; see :mod:`.xlsform`.

The survey, choices and settings sheets are plain XLSForm. What XLSForm has no place for goes into
``surveykit_*`` columns (ignored by pyxform and KoboToolbox, like any unknown column) and a ``surveykit``
sheet, so that reading the workbook back gives a questionnaire equal to the one written. Every question
row is read back in memory with the reader's own rules before it is written; whatever would come back
different is stored in the row's ``surveykit_fields`` cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pydantic

from surveykit.errors import ErrorCode, ExportError, Location
from surveykit.i18n import pick
from surveykit.questionnaire.model import (
    BUILTIN_CHOICE_LISTS,
    Choice,
    FormSettings,
    Group,
    Question,
    Questionnaire,
    QuestionType,
)
from surveykit.questionnaire.xlsform_common import (
    CHOICES,
    EXT_CHOICE_MISSING,
    EXT_CHOICE_VALUE,
    EXT_FIELDS,
    EXT_MAX,
    EXT_MIN,
    EXT_SCORING,
    EXT_TYPE,
    EXT_VALUE_TYPE,
    EXTRA,
    SETTINGS,
    SURVEY,
    SURVEY_COLUMNS,
    SURVEY_EXTENSIONS,
    TRANSLATABLE,
    Row,
    cell_text,
    language_label,
    matrix_from_rows,
    merge_constraint,
    parse_type,
    question_from_row,
    to_json,
    unique,
)

__all__ = ["build_workbook", "choice_rows_of", "write_xlsform"]

_WIDTHS = {
    "type": 30,
    "name": 24,
    "label": 48,
    "hint": 36,
    "guidance_hint": 36,
    "required": 12,
    "required_message": 30,
    "relevant": 36,
    "constraint": 36,
    "constraint_message": 30,
    "calculation": 40,
    "choice_filter": 24,
    "default": 12,
    "appearance": 16,
    "repeat_count": 16,
    "parameters": 20,
}


def write_xlsform(questionnaire: Questionnaire, path: str | Path) -> Path:
    """Write ``questionnaire`` as an XLSForm workbook at ``path``; raise ExportError if it cannot be written."""
    from openpyxl.utils.exceptions import IllegalCharacterError

    path = Path(path)
    try:
        workbook = build_workbook(questionnaire)
        workbook.save(path)
    except (OSError, ValueError, IllegalCharacterError) as err:
        raise ExportError(
            ErrorCode.EXPORT_WRITE_FAILED,
            Location(file=str(path)),
            path=str(path),
            detail=str(err) or type(err).__name__,
        ) from err
    return path


def build_workbook(q: Questionnaire):
    """The workbook (an ``openpyxl.Workbook``) with the sheets survey, choices, settings and surveykit."""
    from openpyxl import Workbook

    languages = _languages(q)
    survey_rows = _survey_rows(q, q.items)
    workbook = Workbook()
    survey = workbook.active
    survey.title = SURVEY
    _write_survey(survey, survey_rows, languages)
    _write_choices(workbook.create_sheet(CHOICES), q, languages)
    _write_settings(workbook.create_sheet(SETTINGS), q)
    _write_extra(workbook.create_sheet(EXTRA), q, languages)
    return workbook


# --- rows of the survey sheet ----------------------------------------------------------------------------
def _languages(q: Questionnaire) -> list[str]:
    """The declared languages, then any other language some text is written in."""
    found: list[str] = [*q.languages, *q.title, *q.description]
    for item, _ in q.walk():
        texts: list[dict[str, str]] = [item.label, item.instruction]
        if isinstance(item, Question):
            texts += [
                item.hint,
                item.constraint_message,
                item.required_message,
                *(r.label for r in item.rows),
            ]
        for text in texts:
            found.extend(text)
    for choices in q.choice_lists.values():
        for choice in choices:
            found.extend(choice.label)
    return unique(found)


def _survey_rows(q: Questionnaire, items: Iterable[Question | Group]) -> list[Row]:
    rows: list[Row] = []
    for item in items:
        if isinstance(item, Group):
            rows.append(_group_row(item))
            rows.extend(_survey_rows(q, item.items))
            rows.append(_normalised(Row(0, {"type": f"end_{item.type}"})))
        elif item.type is QuestionType.MATRIX:
            rows.extend(_matrix_rows(item))
        else:
            rows.append(_question_row(item))
    return rows


def _texts(row: Row, **texts: dict[str, str]) -> None:
    for key, value in texts.items():
        if value:
            row.texts[key] = dict(value)


def _normalised(row: Row) -> Row:
    """The row as the reader will see it after the round trip through cells."""
    out = Row(row.number)
    for key, value in row.values.items():
        text = cell_text(value)
        if text is not None:
            out.values[key] = text
    for key, texts in row.texts.items():
        kept = {lang: t for lang, t in texts.items() if cell_text(t, strip=False) is not None}
        if kept:
            out.texts[key] = kept
    out.ext = {k: v for k, v in row.ext.items() if v is not None}
    return out


def _required_cell(required: bool | str) -> str | None:
    if required is True:
        return "yes"
    if required is False:
        return None
    return required


def _question_row(question: Question) -> Row:
    t = question.type
    if t is QuestionType.YES_NO:
        type_text, ext_type = f"select_one {question.choices or 'yes_no'}", "yes_no"
    elif t is QuestionType.LIKERT:
        type_text, ext_type = f"select_one {question.choices}", "likert"
    elif t.has_choices:
        type_text, ext_type = f"{t.value} {question.choices}", None
    else:
        type_text, ext_type = t.value, None
    numeric = t in (QuestionType.INTEGER, QuestionType.DECIMAL)
    row = Row(
        0,
        {
            "type": type_text,
            "name": question.code,
            "required": _required_cell(question.required),
            "relevant": question.relevant,
            "constraint": merge_constraint(question.constraint, question.min, question.max)
            if numeric
            else question.constraint,
            "calculation": question.calculation,
            "choice_filter": question.choice_filter,
            "default": question.default,
            "appearance": (question.appearance or "likert")
            if t is QuestionType.LIKERT
            else question.appearance,
        },
    )
    _texts(
        row,
        label=question.label,
        hint=question.hint,
        guidance_hint=question.instruction,
        constraint_message=question.constraint_message,
        required_message=question.required_message,
    )
    row.ext = {
        EXT_TYPE: ext_type,
        EXT_VALUE_TYPE: question.value_type if question.value_type != "text" else None,
        EXT_MIN: question.min,
        EXT_MAX: question.max,
        EXT_SCORING: _scoring(question),
    }
    row = _normalised(row)
    rebuilt = question_from_row(row, parse_type(row.values["type"])).data
    _keep_differences(row, question, rebuilt)
    return row


def _scoring(item: Question) -> dict[str, Any] | None:
    return None if item.scoring is None else item.scoring.model_dump(mode="json", exclude_defaults=True)


def _keep_differences(row: Row, original: Question | Group, rebuilt: dict[str, Any]) -> None:
    """Store in ``surveykit_fields`` every field the plain columns would not give back."""
    want = original.model_dump(mode="json", exclude={"items"})
    try:
        got = type(original).model_validate(
            {**rebuilt, "items": []} if isinstance(original, Group) else rebuilt
        )
        back = got.model_dump(mode="json", exclude={"items"})
    except pydantic.ValidationError:
        back = {}
    fields = {key: value for key, value in want.items() if back.get(key, object()) != value}
    if fields:
        row.ext[EXT_FIELDS] = fields


def _group_row(group: Group) -> Row:
    row = Row(
        0,
        {
            "type": f"begin_{group.type}",
            "name": group.code,
            "relevant": group.relevant,
            "appearance": group.appearance,
            "repeat_count": group.repeat_count,
        },
    )
    _texts(row, label=group.label, guidance_hint=group.instruction)
    row = _normalised(row)
    rebuilt: dict[str, Any] = {"code": row.values.get("name"), "type": group.type}
    if "label" in row.texts:
        rebuilt["label"] = row.text("label")
    if "guidance_hint" in row.texts:
        rebuilt["instruction"] = row.text("guidance_hint")
    for key in ("relevant", "appearance", "repeat_count"):
        if key in row.values:
            rebuilt[key] = row.values[key]
    _keep_differences(row, group, rebuilt)
    return row


def _matrix_rows(matrix: Question) -> list[Row]:
    tokens = (matrix.appearance or "").split()
    appearance = " ".join(["table-list", *[t for t in tokens if t != "table-list"]])
    group = Row(
        0, {"type": "begin_group", "name": matrix.code, "relevant": matrix.relevant, "appearance": appearance}
    )
    _texts(group, label=matrix.label, hint=matrix.hint, guidance_hint=matrix.instruction)
    group.ext = {EXT_TYPE: "matrix", EXT_SCORING: _scoring(matrix)}
    group = _normalised(group)
    rows: list[Row] = []
    for matrix_row in matrix.rows:
        row = Row(
            0,
            {
                "type": f"select_one {matrix.choices}",
                "name": f"{matrix.code}_{matrix_row.code}",
                "required": _required_cell(matrix.required),
                "constraint": matrix.constraint,
                "choice_filter": matrix.choice_filter,
                "default": matrix.default,
            },
        )
        _texts(
            row,
            label=matrix_row.label,
            constraint_message=matrix.constraint_message,
            required_message=matrix.required_message,
        )
        rows.append(_normalised(row))
    rebuilt = matrix_from_rows(group, [(r, parse_type(r.values["type"])) for r in rows]).data
    _keep_differences(group, matrix, rebuilt)
    return [group, *rows, _normalised(Row(0, {"type": "end_group"}))]


# --- sheets ----------------------------------------------------------------------------------------------
def _set(sheet, row: int, column: int, value: Any) -> None:
    from surveykit.spreadsheet import set_text_cell

    set_text_cell(sheet.cell(row=row, column=column, value=value))  # text, never an Excel formula


def _finish(sheet, widths: list[int], freeze: str) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.cell(row=1, column=index).font = bold
    sheet.freeze_panes = freeze


def _write_survey(sheet, rows: list[Row], languages: list[str]) -> None:
    columns: list[tuple[str, str | None]] = []  # (key, language)
    for key in SURVEY_COLUMNS:
        if key in TRANSLATABLE:
            if key == "label" or any(key in r.texts for r in rows):
                columns.extend((key, lang) for lang in languages)
        elif key in ("type", "name") or any(key in r.values for r in rows):
            columns.append((key, None))
    columns.extend((key, None) for key in SURVEY_EXTENSIONS if any(key in r.ext for r in rows))
    for index, (key, lang) in enumerate(columns, start=1):
        _set(sheet, 1, index, f"{key}::{language_label(lang)}" if lang else key)
    for number, row in enumerate(rows, start=2):
        for index, (key, lang) in enumerate(columns, start=1):
            if lang is not None:
                value: Any = row.texts.get(key, {}).get(lang)
            elif key in SURVEY_EXTENSIONS:
                value = _ext_cell(row.ext.get(key))
            else:
                value = row.values.get(key)
            if value is not None:
                _set(sheet, number, index, value)
    _finish(sheet, [_WIDTHS.get(key, 18) for key, _ in columns], "C2")


def _ext_cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, (dict, list)):
        return to_json(value)
    return value


def choice_rows_of(choices: list[Choice], languages: list[str], *, fill: bool = True) -> list[dict[str, Any]]:
    """Choices as the choices sheet holds them (and the reader gives them back). ``fill``: a label missing
    in a language is written in the first language that has it, as ODK needs a label everywhere."""
    rows = []
    for choice in choices:
        row: dict[str, Any] = {"name": choice.name}
        if fill:
            label = {lang: pick(choice.label, lang, "en") for lang in languages}
        else:
            label = dict(choice.label)
        label = {k: v for k, v in label.items() if cell_text(v, strip=False) is not None}
        if label:
            row["label"] = label
        if choice.value is not None:
            row["value"] = choice.value
        if choice.missing:
            row["missing"] = True
        if choice.attributes:
            row["attributes"] = dict(choice.attributes)
        rows.append(row)
    return rows


def _builtin_lists(q: Questionnaire) -> list[str]:
    used = unique(qq.choice_list_name for qq in q.questions() if qq.choice_list_name)
    return [name for name in used if name in BUILTIN_CHOICE_LISTS and name not in q.choice_lists]


def _write_choices(sheet, q: Questionnaire, languages: list[str]) -> None:
    lists: list[tuple[str, list[dict[str, Any]]]] = [
        (name, choice_rows_of(choices, languages, fill=False)) for name, choices in q.choice_lists.items()
    ]
    lists += [(name, choice_rows_of(BUILTIN_CHOICE_LISTS[name], languages)) for name in _builtin_lists(q)]
    attributes = unique(key for _, rows in lists for row in rows for key in row.get("attributes", {}))
    has_value = any("value" in row for _, rows in lists for row in rows)
    has_missing = any("missing" in row for _, rows in lists for row in rows)
    headers = ["list_name", "name", *(f"label::{language_label(lang)}" for lang in languages), *attributes]
    headers += [EXT_CHOICE_VALUE] * has_value + [EXT_CHOICE_MISSING] * has_missing
    for index, header in enumerate(headers, start=1):
        _set(sheet, 1, index, header)
    number = 2
    for name, rows in lists:
        for row in rows:
            cells: list[Any] = [name, row["name"], *(row.get("label", {}).get(lang) for lang in languages)]
            cells += [row.get("attributes", {}).get(key) for key in attributes]
            cells += [row.get("value")] * has_value + (["yes" if row.get("missing") else None] * has_missing)
            for index, value in enumerate(cells, start=1):
                if value is not None:
                    _set(sheet, number, index, value)
            number += 1
    widths = [18, 18, *([36] * len(languages)), *([14] * len(attributes))] + [18] * (has_value + has_missing)
    _finish(sheet, widths, "C2")


def _write_settings(sheet, q: Questionnaire) -> None:
    default = q.default_language
    values = {
        "form_title": q.title.get(default) or pick(q.title, default, default) or None,
        "form_id": q.id,
        "version": q.version,
        "default_language": language_label(default),
        "instance_name": q.settings.instance_name,
        "style": "pages" if q.settings.style == "pages" else None,
    }
    values = {k: v for k, v in values.items() if v is not None}
    for index, (key, value) in enumerate(values.items(), start=1):
        _set(sheet, 1, index, key)
        _set(sheet, 2, index, value)
    _finish(sheet, [max(18, min(60, len(str(v)) + 4)) for v in values.values()], "A2")


def _write_extra(sheet, q: Questionnaire, languages: list[str]) -> None:
    settings: FormSettings = q.settings
    rows: list[tuple[str, Any]] = [("languages", " ".join(q.languages))]
    rows += [(f"title::{language_label(lang)}", q.title[lang]) for lang in languages if lang in q.title]
    rows += [
        (f"description::{language_label(lang)}", q.description[lang])
        for lang in languages
        if lang in q.description
    ]
    rows += [
        ("modes", " ".join(m.value for m in settings.modes)),
        ("allow_proxy", "yes" if settings.allow_proxy else "no"),
        ("respondent", settings.respondent),
        ("kind", settings.kind),
        ("style", settings.style),
    ]
    if settings.expected_minutes is not None:
        rows.append(("expected_minutes", settings.expected_minutes))
    builtin = _builtin_lists(q)
    if builtin:
        rows.append(("builtin_lists", " ".join(builtin)))
    empty = [name for name, choices in q.choice_lists.items() if not choices]
    if empty:
        rows.append(("empty_lists", " ".join(empty)))
    if q.scales:
        rows.append(
            (
                "scales",
                to_json({k: v.model_dump(mode="json", exclude_defaults=True) for k, v in q.scales.items()}),
            )
        )
    if q.metadata:
        rows.append(("metadata", to_json(q.metadata)))
    _set(sheet, 1, 1, "key")
    _set(sheet, 1, 2, "value")
    for number, (key, value) in enumerate(rows, start=2):
        _set(sheet, number, 1, key)
        _set(sheet, number, 2, value)
    _finish(sheet, [30, 90], "B2")
