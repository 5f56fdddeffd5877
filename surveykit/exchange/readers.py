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

from surveykit.errors import DataImportError, ErrorCode, Location, Translated

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
    if not path.exists():
        raise DataImportError(
            ErrorCode.FILE_NOT_FOUND, Location(file=str(path)), path=str(path), cwd=str(Path.cwd())
        )
    fmt = format_of(path, format)
    if fmt in ("sav", "dta"):
        return [_read_stat(path, fmt)]
    if fmt == "csv":
        return [_read_csv(path)]
    return _read_xlsx(path)


def _read_stat(path: Path, fmt: str) -> SourceTable:
    import pyreadstat

    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    try:
        frame, meta = reader(str(path), user_missing=True)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, ValueError, OverflowError) as err:
        raise _unreadable(path, fmt, err) from err
    frame = frame.astype(object).where(frame.notna(), None)
    return SourceTable(
        frame.reset_index(drop=True),
        np.arange(len(frame)) + 1,
        str(path),
        value_labels=dict(meta.variable_value_labels or {}),
        format=fmt,
    )


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); files saved by Russian-language Excel are often Windows-1251."""
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _separator(text: str) -> str:
    """The separator of the header line: the most frequent of ; , and tab outside quotes."""
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=";,\t").delimiter
    except csv.Error:
        counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
        return max(counts, key=counts.__getitem__)


def _read_csv(path: Path) -> SourceTable:
    try:
        text = _decode(path.read_bytes())
        frame = pd.read_csv(io.StringIO(text), sep=_separator(text), dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise _unreadable(path, "csv", err) from err
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.astype(object)
    return SourceTable(frame, np.arange(len(frame)) + 2, str(path), format="csv")


def _read_xlsx(path: Path) -> list[SourceTable]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    tables: list[SourceTable] = []
    try:
        workbook = load_workbook(str(path), read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as err:
        raise _unreadable(path, "xlsx", err) from err
    try:
        for sheet in workbook.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            if not rows:
                continue
            header = [str(h).strip() if h is not None else "" for h in rows[0]]
            keep = [i for i, h in enumerate(header) if h]
            body = [r for r in rows[1:]]
            numbers = [i + 2 for i, r in enumerate(body) if any(v not in (None, "") for v in r)]
            body = [r for r in body if any(v not in (None, "") for v in r)]
            data = {header[i]: [r[i] if i < len(r) else None for r in body] for i in keep}
            frame = pd.DataFrame(data, dtype=object, index=pd.RangeIndex(len(body)))
            tables.append(
                SourceTable(frame, np.asarray(numbers, dtype=np.int64), str(path), sheet.title, format="xlsx")
            )
    finally:
        workbook.close()
    return tables
