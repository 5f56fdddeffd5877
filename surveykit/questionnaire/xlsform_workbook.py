"""Opening a workbook for the XLSForm reader: the one place a form's ``.xlsx``, ``.xls`` or ``.ods`` file is
read (so that limits on hostile files can be put in front of it in one place).

:func:`open_workbook` returns every sheet as a list of rows (Excel's numbering: ``rows[0]`` is row 1), each
row a tuple of cell values with its trailing empty cells trimmed; an empty row is ``()``. Reading follows
pyxform's rules for where a form ends, and says what it left out instead of dropping it silently:

* a sheet ends after :data:`MAX_BLANK_ROWS` empty rows in a row (pyxform stops after 60); content further
  down is not part of the form, and :attr:`Sheet.stray` names its first cell so that the reader can say so;
* columns end after :data:`MAX_BLANK_HEADERS` empty header cells in a row (pyxform: 20); a row is read
  no further than :data:`MAX_COLUMNS` columns, and :attr:`Sheet.wide` names a cell beyond;
* no sheet is read past :data:`MAX_ROWS` rows (:attr:`Sheet.truncated`).

So a stray cell far below the form or far to the right costs neither memory nor a failure. Cell values are
Python values as the format stores them: ``str``, ``int``/``float``, ``bool``, ``datetime.date``/``datetime``
/``time``.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_BLANK_HEADERS",
    "MAX_BLANK_ROWS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "WORKBOOK_SUFFIXES",
    "Sheet",
    "WorkbookError",
    "open_workbook",
]

#: consecutive empty rows that end a sheet (pyxform 4 stops after 60; the same here, so both read alike)
MAX_BLANK_ROWS = 60
#: consecutive empty header cells that end the columns of a sheet (pyxform 4: 20)
MAX_BLANK_HEADERS = 20
#: columns read in any row (an XLSForm with 40 languages x 6 text columns has 240)
MAX_COLUMNS = 1024
#: rows read in any sheet (a form of 20,000 questions is far beyond any real questionnaire)
MAX_ROWS = 50_000

#: what :func:`open_workbook` reads, by suffix
WORKBOOK_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods"}


class WorkbookError(Exception):
    """The file cannot be read as a workbook; the message says why (for SK110)."""


@dataclass
class Sheet:
    """One sheet: its rows, and where reading stopped early (Excel row and column numbers, 1-based)."""

    title: str
    rows: list[tuple[Any, ...]]
    stray: tuple[int, int] | None = None  # first cell with content below the end of the sheet
    wide: tuple[int, int] | None = None  # first cell with content beyond the columns read
    truncated: bool = False  # more than MAX_ROWS rows


def open_workbook(path: str | Path) -> list[Sheet]:
    """Every sheet of the workbook at ``path`` in order; raises :class:`WorkbookError` when it is unreadable."""
    path = Path(path)
    kind = WORKBOOK_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise WorkbookError(f"'{path.suffix}' is not a workbook format ({', '.join(WORKBOOK_SUFFIXES)})")
    if not path.is_file():
        raise WorkbookError("it is not a file")
    try:
        if kind == "xls":
            return _read_xls(path)
        if kind == "ods":
            return _read_ods(path)
        return _read_xlsx(path)
    except WorkbookError:
        raise
    # A damaged workbook fails deep inside openpyxl, xlrd, zipfile, zlib or the XML parser with errors of
    # many kinds; this is the one place the file is opened, so every one of them becomes one message here.
    except Exception as err:
        detail = f"{type(err).__name__}: {err}".rstrip(": ")
        raise WorkbookError(detail) from err


# --- the common rule: where a sheet ends -----------------------------------------------------------------
def _trim(cells: Iterable[Any]) -> tuple[Any, ...]:
    values = list(cells)
    while values and _blank(values[-1]):
        values.pop()
    return tuple(values)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _collect(title: str, rows: Iterator[tuple[Any, ...]], too_wide: Iterator[int] | None = None) -> Sheet:
    """Rows until MAX_BLANK_ROWS empty rows in a row; the header row decides how many columns count."""
    sheet = Sheet(title, [])
    width = MAX_COLUMNS
    blank = 0
    for number, raw in enumerate(rows, start=1):
        if number > MAX_ROWS:  # a form does not go on this long: stop here, and say so if it does go on
            sheet.truncated = any(not _blank(c) for c in raw[:width])
            break
        cells = _trim(raw)
        if number == 1:
            width = _header_width(cells)
        if len(cells) > width:
            beyond = next((i for i in range(width, len(cells)) if not _blank(cells[i])), None)
            if beyond is not None and sheet.wide is None and number > 1:
                sheet.wide = (number, beyond + 1)
            cells = _trim(cells[:width])
        if not cells:
            blank += 1
            if blank >= MAX_BLANK_ROWS and sheet.rows:
                # the form has ended: look on (cheaply, without keeping anything) for content below it
                for later, rest in enumerate(rows, start=number + 1):
                    if later > MAX_ROWS:
                        break
                    column = next((i for i, c in enumerate(rest[:width]) if not _blank(c)), None)
                    if column is not None:
                        sheet.stray = (later, column + 1)
                        break
                break
            continue
        if blank:
            sheet.rows.extend([()] * blank)
            blank = 0
        sheet.rows.append(cells)
    return sheet


def _header_width(header: tuple[Any, ...]) -> int:
    """Columns that count: up to the last header before a run of MAX_BLANK_HEADERS empty header cells."""
    last = -1
    run = 0
    for index, value in enumerate(header[:MAX_COLUMNS]):
        if _blank(value):
            run += 1
            if run >= MAX_BLANK_HEADERS:
                break
        else:
            run = 0
            last = index
    # cells under empty headers just after the last header are still read (and reported as columns
    # without a header by the reader), as far as pyxform's run of empty header cells
    return min(MAX_COLUMNS, last + 1 + MAX_BLANK_HEADERS) if last >= 0 else MAX_BLANK_HEADERS


# --- .xlsx ---------------------------------------------------------------------------------------------
def _read_xlsx(path: Path) -> list[Sheet]:
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns about Excel features it drops (data validation, conditional formats): they do not
        # matter for a form
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "iter_rows"):  # a chart sheet
                continue
            declared = _declared_columns(worksheet)
            worksheet.reset_dimensions()
            # max_col bounds each row: one far-right cell does not make every row 16,384 cells wide
            rows = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
            sheet = _collect(worksheet.title, rows)
            if sheet.wide is None and declared > MAX_COLUMNS:
                # content past the columns read: Excel's own note of the sheet's extent says so (the cell
                # itself is not looked for: that would mean reading every row to its end)
                sheet.wide = (0, declared)
            sheets.append(sheet)
        return sheets
    finally:
        workbook.close()


def _declared_columns(worksheet: Any) -> int:
    """The last column of the sheet's extent as the file declares it (``<dimension ref="A1:XFD900"/>``)."""
    try:
        return int(worksheet.max_column or 0)
    except (TypeError, ValueError):
        return 0


# --- .xls (Excel 97-2003) -----------------------------------------------------------------------------
def _read_xls(path: Path) -> list[Sheet]:
    import xlrd

    book = xlrd.open_workbook(path, on_demand=True, ragged_rows=True, formatting_info=False)
    try:
        sheets = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)

            def rows(sheet: Any = sheet) -> Iterator[tuple[Any, ...]]:
                for r in range(sheet.nrows):
                    width = min(sheet.row_len(r), MAX_COLUMNS)
                    yield tuple(_xls_value(book, sheet.cell(r, c)) for c in range(width))

            sheets.append(_collect(sheet.name, rows()))
            book.unload_sheet(index)
        return sheets
    finally:
        book.release_resources()


def _xls_value(book: Any, cell: Any) -> Any:
    import xlrd

    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if kind == xlrd.XL_CELL_NUMBER:
        value = float(cell.value)
        return int(value) if value.is_integer() else value
    if kind == xlrd.XL_CELL_DATE:
        try:
            parts = xlrd.xldate_as_tuple(cell.value, book.datemode)
        except xlrd.xldate.XLDateError:
            return cell.value
        if parts[:3] == (0, 0, 0):
            return dt.time(*parts[3:])
        return dt.datetime(*parts)
    return str(cell.value).replace("\xa0", " ")


# --- .ods (OpenDocument, LibreOffice) ---------------------------------------------------------------------
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_BLANK_RUN = object()  # marks a run of empty rows in the list of an .ods sheet's rows
_ISO_DURATION = re.compile(r"^-?PT?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


def _read_ods(path: Path) -> list[Sheet]:
    """A streaming reader of ``content.xml``: repeated rows and cells (``number-rows-repeated``,
    ``number-columns-repeated``: how LibreOffice stores empty space) are expanded only as far as the limits
    allow, so a sheet that claims a million formatted rows costs nothing."""
    from defusedxml.ElementTree import iterparse  # entity expansion refused: no "billion laughs"

    with zipfile.ZipFile(path) as archive:
        try:
            stream = archive.open("content.xml")
        except KeyError:
            raise WorkbookError("content.xml is missing: not an OpenDocument spreadsheet") from None
        with stream:
            return list(_ods_sheets(iterparse(stream, events=("start", "end"))))


def _ods_sheets(events: Iterator[tuple[str, Any]]) -> Iterator[Sheet]:
    title = ""
    rows: list[tuple[Any, ...]] = []
    row: list[Any] = []
    row_repeat = 1
    depth_text: list[str] | None = None
    for event, element in events:
        tag = element.tag
        if event == "start":
            if tag == f"{{{_TABLE}}}table":
                title = element.get(f"{{{_TABLE}}}name", "")
                rows = []
            elif tag == f"{{{_TABLE}}}table-row":
                row = []
                row_repeat = int(element.get(f"{{{_TABLE}}}number-rows-repeated", "1") or 1)
            elif tag == f"{{{_TABLE}}}table-cell" or tag == f"{{{_TABLE}}}covered-table-cell":
                depth_text = []
            continue
        # end events
        if tag == f"{{{_TEXT}}}p" and depth_text is not None:
            depth_text.append(_ods_paragraph(element))
            element.clear()
        elif tag == f"{{{_TABLE}}}table-cell" or tag == f"{{{_TABLE}}}covered-table-cell":
            repeat = int(element.get(f"{{{_TABLE}}}number-columns-repeated", "1") or 1)
            value = _ods_value(element, depth_text or [])
            depth_text = None
            if len(row) < MAX_COLUMNS:
                row.extend([value] * min(repeat, MAX_COLUMNS - len(row)))
            elif value is not None:
                row.append(value)  # one cell past the limit: enough for the reader to say so
            element.clear()
        elif tag == f"{{{_TABLE}}}table-row":
            cells = _trim(row)
            if len(rows) <= MAX_ROWS + 1:
                if cells:
                    rows.extend([cells] * min(row_repeat, MAX_ROWS + 2 - len(rows)))
                else:  # empty rows are stored as one marker per run, expanded by the collector lazily
                    rows.append((_BLANK_RUN, min(row_repeat, MAX_ROWS + 2)))
            element.clear()
        elif tag == f"{{{_TABLE}}}table":
            yield _collect(title, _expand_blank_runs(rows))
            rows = []
            element.clear()


def _expand_blank_runs(rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for cells in rows:
        if len(cells) == 2 and cells[0] is _BLANK_RUN:
            for _ in range(cells[1]):
                yield ()
        else:
            yield cells


def _ods_paragraph(element: Any) -> str:
    """The text of a ``text:p``: spans, ``text:s`` (spaces), ``text:tab`` and ``text:line-break``."""
    parts: list[str] = [element.text or ""]
    for child in element:
        local = child.tag.rsplit("}", 1)[-1]
        if local == "s":
            parts.append(" " * int(child.get(f"{{{_TEXT}}}c", "1") or 1))
        elif local == "tab":
            parts.append("\t")
        elif local == "line-break":
            parts.append("\n")
        else:
            parts.append(_ods_paragraph(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _ods_value(element: Any, paragraphs: list[str]) -> Any:
    kind = element.get(f"{{{_OFFICE}}}value-type")
    if kind in ("float", "percentage", "currency"):
        text = element.get(f"{{{_OFFICE}}}value", "")
        try:
            number = float(text)
        except ValueError:
            return text or None
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        return element.get(f"{{{_OFFICE}}}boolean-value", "false") == "true"
    if kind == "date":
        text = element.get(f"{{{_OFFICE}}}date-value", "")
        try:
            return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
        except ValueError:
            return text or None
    if kind == "time":
        m = _ISO_DURATION.match(element.get(f"{{{_OFFICE}}}time-value", ""))
        if m:
            hours, minutes, seconds = (float(g or 0) for g in m.groups())
            if hours < 24:
                return dt.time(int(hours), int(minutes), int(seconds))
    text = "\n".join(paragraphs)
    return text if text else None
