"""Reading data files for import: SPSS, Stata, CSV and Excel, each into raw tables that remember the file's
own row numbers (CSV and Excel: the header is row 1, data starts at row 2; SPSS and Stata: the case number).

The one place pyreadstat, openpyxl and the CSV parser touch an import file; their errors are wrapped here as
DataImportError naming the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveykit.errors import DataImportError, ErrorCode, Location, Problem, Report, Translated
from surveykit.fileio import check_file, check_table, read_csv_text, read_workbook

__all__ = ["IMPORT_FORMATS", "SourceTable", "read_source"]

IMPORT_FORMATS = {".sav": "sav", ".zsav": "sav", ".dta": "dta", ".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}


@dataclass
class SourceTable:
    """One table of a file: raw values as read (object columns), the file row of each row, value labels."""

    frame: pd.DataFrame
    rows: np.ndarray  # the file's own row number of each row
    file: str
    sheet: str | None = None
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)  # SPSS/Stata value labels
    format: str = "csv"
    #: warnings of reading the file (an encoding recognised, cells outside the table): for the import report
    notes: list[Problem] = field(default_factory=list)

    def location(self, row: int | None = None, column: str | None = None) -> Location:
        return Location(file=self.file, sheet=self.sheet, row=row, field=column)


def _unreadable(path: Path, kind: str, err: BaseException) -> DataImportError:
    code = {"csv": ErrorCode.CSV_UNREADABLE, "xlsx": ErrorCode.XLSX_UNREADABLE}.get(kind)
    if code is not None:
        return DataImportError(code, Location(file=str(path)), detail=str(err))
    program = "SPSS" if kind == "sav" else "Stata"
    return DataImportError(
        ErrorCode.IMPORT_VALUE_INVALID,
        Location(file=str(path)),
        detail=Translated(
            en=f"cannot read the {program} file: {err}", ru=f"не удаётся прочитать файл {program}: {err}"
        ),
        fix=Translated(
            en=f"Save it again from {program} (.{kind}) and try again.",
            ru=f"Сохраните его заново в {program} (.{kind}) и попробуйте снова.",
        ),
    )


def format_of(path: Path, format: str | None = None) -> str:
    fmt = format or IMPORT_FORMATS.get(path.suffix.lower())
    if fmt not in set(IMPORT_FORMATS.values()):
        raise DataImportError(
            ErrorCode.FILE_FORMAT_UNKNOWN,
            Location(file=str(path)),
            path=str(path),
            expected=", ".join(sorted(IMPORT_FORMATS)),
        )
    return fmt


def read_source(path: str | Path, *, format: str | None = None) -> list[SourceTable]:
    """Every table of a file (a workbook: one per sheet, in order; other formats: one)."""
    path = Path(path)
    report = Report(subject=str(path))
    if not check_file(path, report):  # missing, a folder or a device, too large: surveykit.fileio
        report.raise_if_errors(DataImportError)
    fmt = format_of(path, format)
    if fmt in ("sav", "dta"):
        return [_read_stat(path, fmt)]
    if fmt == "csv":
        return [_read_csv(path)]
    return _read_xlsx(path)


def _read_stat(path: Path, fmt: str) -> SourceTable:
    import pyreadstat

    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    errors = (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, ValueError, OverflowError)
    try:  # the size first, from the file's header: rows and columns within the limits
        _, head = reader(str(path), metadataonly=True)
    except errors as err:
        raise _unreadable(path, fmt, err) from err
    _within_limits(path, head.number_rows, head.number_columns)
    try:
        frame, meta = reader(str(path), user_missing=True)
    except errors as err:
        raise _unreadable(path, fmt, err) from err
    except MemoryError as err:
        raise DataImportError(ErrorCode.OUT_OF_MEMORY, Location(file=str(path)), detail="") from err
    frame = frame.astype(object).where(frame.notna(), None)
    return SourceTable(
        frame.reset_index(drop=True),
        np.arange(len(frame)) + 1,
        str(path),
        value_labels=dict(meta.variable_value_labels or {}),
        format=fmt,
    )


def _within_limits(path: Path, rows: int | None, columns: int | None) -> None:
    """Refuse a table over the settings max_rows / max_columns (SK153) before it fills the memory."""
    report = Report(subject=str(path))
    if not check_table(rows, columns, report, file=str(path)):
        report.raise_if_errors(DataImportError)


def _separator(text: str) -> str:
    """The separator of the header line: the most frequent of ; , and tab outside quotes."""
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=";,\t").delimiter
    except csv.Error:
        counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
        return max(counts, key=counts.__getitem__)


def _read_csv(path: Path) -> SourceTable:
    # surveykit.fileio: UTF-8, or an 8-bit encoding recognised from the content (a warning), or refused;
    # never read as mojibake
    report = Report(subject=str(path))
    text = read_csv_text(path, report)
    if text is None:
        report.raise_if_errors(DataImportError)
    header = text.split("\n", 1)[0]
    sep = _separator(text)
    _within_limits(path, None, header.count(sep) + 1)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise _unreadable(path, "csv", err) from err
    _within_limits(path, len(frame), None)
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.astype(object)
    return SourceTable(frame, np.arange(len(frame)) + 2, str(path), format="csv", notes=report.problems)


def _read_xlsx(path: Path) -> list[SourceTable]:
    # surveykit.fileio: size and zip-bomb checks, a damaged file is SK110, rows read sparsely and bounded
    report = Report(subject=str(path))
    sheets = read_workbook(path, report)
    if sheets is None:
        report.raise_if_errors(DataImportError)
    tables: list[SourceTable] = []
    for sheet in sheets or []:
        if not sheet.rows:
            continue
        header_row, *body = sheet.rows
        header = [str(h).strip() if h is not None else "" for h in header_row[1]]
        keep = [i for i, h in enumerate(header) if h]
        numbers = [number for number, _ in body]
        data = {header[i]: [r[i] if i < len(r) else None for _, r in body] for i in keep}
        frame = pd.DataFrame(data, dtype=object, index=pd.RangeIndex(len(body)))
        notes = [p for p in report.problems if p.location.sheet == sheet.title]
        tables.append(
            SourceTable(
                frame, np.asarray(numbers, dtype=np.int64), str(path), sheet.title, format="xlsx", notes=notes
            )
        )
    return tables
