"""Reading and writing the fieldwork's tables (register, assignments, contact logs, rates): CSV, XLSX, .sav.

Reading goes through :func:`surveykit.exchange.readers.read_source` (the one place the CSV parser and openpyxl
touch an import file: encodings, separators, row numbers as the file shows them). The checks every import
shares are here: the columns (unknown ones with "did you mean", missing ones named), cell values as text,
whole numbers, times. Writing guards text that a spreadsheet would run as a formula and writes .sav with
variable and value labels (pyreadstat).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from surveykit.errors import (
    DataImportError,
    ErrorCode,
    ExportError,
    Location,
    Report,
    Translated,
    did_you_mean,
)

__all__ = ["EXPORT_FORMATS", "Table", "read_table", "write_table"]

#: what the fieldwork exports can write, by file extension
EXPORT_FORMATS = (".csv", ".xlsx", ".sav")
_INT = re.compile(r"^[+]?\d+(?:[.,]0+)?$")


class Table:
    """An import table: its raw cells (text, numbers, datetimes as the reader gave them), the file's own row
    numbers, and the report its checks fill."""

    def __init__(
        self, frame: pd.DataFrame, rows: Sequence[int], file: str, sheet: str | None, report: Report
    ):
        self.frame = frame
        self.rows = list(rows)
        self.file = file
        self.sheet = sheet
        self.report = report

    def where(self, index: int | None = None, column: str | None = None) -> Location:
        row = self.rows[index] if index is not None else None
        return Location(file=self.file, sheet=self.sheet, row=row, field=column)

    def __len__(self) -> int:
        return len(self.frame)

    # --- cells --------------------------------------------------------------------------------------------
    def text(self, index: int, column: str) -> str | None:
        """The cell as stripped text (None when empty or the column is absent)."""
        if column not in self.frame.columns:
            return None
        value = self.frame.iloc[index][column]
        if value is None or (isinstance(value, float) and value != value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        return text or None

    def raw(self, index: int, column: str) -> Any:
        return self.frame.iloc[index][column] if column in self.frame.columns else None

    def problem(
        self, index: int | None, column: str | None, detail: Translated | str, fix: Translated | str
    ) -> None:
        self.report.add(ErrorCode.IMPORT_VALUE_INVALID, self.where(index, column), detail=detail, fix=fix)

    def whole_number(self, index: int, column: str, *, what: str) -> int | None:
        """A whole number of 0 or more (``1 234``, ``1234.0`` accepted); a problem is reported otherwise."""
        raw = self.raw(index, column)
        if isinstance(raw, bool):
            raw = str(raw)
        numeric = isinstance(raw, (int, float)) and not isinstance(raw, bool)
        if numeric and raw == raw and float(raw).is_integer() and raw >= 0:
            return int(raw)
        text = self.text(index, column)
        if text is None:
            return None
        compact = text.replace(" ", "").replace("\u00a0", "")
        if _INT.match(compact):
            return int(float(compact.replace(",", ".")))
        self.problem(
            index,
            column,
            Translated(
                en=f"'{text}' is not a whole number of {what}", ru=f"«{text}» — не целое число ({what})"
            ),
            Translated(
                en="Write a whole number of 0 or more, e.g. 240.",
                ru="Напишите целое число от 0, например 240.",
            ),
        )
        return None

    def moment(self, index: int, column: str, timezone: str) -> dt.datetime | None | bool:
        """A date and time (ISO ``2026-05-12 14:30`` or ``12.05.2026 14:30``, or a spreadsheet date cell),
        read in ``timezone`` when it carries no zone, as aware UTC. None: empty; False: reported invalid."""
        raw = self.raw(index, column)
        text = self.text(index, column)
        if text is None:
            return None
        value: dt.datetime | None = None
        if isinstance(raw, dt.datetime):
            value = raw
        elif isinstance(raw, pd.Timestamp):
            value = raw.to_pydatetime()
        else:
            for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
                        "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%y %H:%M"):  # fmt: skip
                try:
                    value = dt.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            if value is None:
                try:
                    value = dt.datetime.fromisoformat(text)
                except ValueError:
                    value = None
        if value is None:
            self.problem(
                index,
                column,
                Translated(en=f"'{text}' is not a date and time", ru=f"«{text}» — не дата и время"),
                Translated(
                    en="Write the date and time as 2026-05-12 14:30 or 12.05.2026 14:30 (local time).",
                    ru="Запишите дату и время как 2026-05-12 14:30 или 12.05.2026 14:30 (местное время).",
                ),
            )
            return False
        if value.tzinfo is None:
            from zoneinfo import ZoneInfo

            value = value.replace(tzinfo=ZoneInfo(timezone))
        return value.astimezone(dt.UTC)


def read_table(
    path: str | Path, required: Sequence[str], optional: Sequence[str] = (), *, subject: str = ""
) -> Table:
    """The first table of a CSV or XLSX file (a workbook: the first sheet holding the required columns),
    with its columns checked: a missing column (SK702) or an unknown one (SK701, with "did you mean") is
    reported; column names are matched without case and surrounding spaces. Raises DataImportError when the
    file cannot be read or its columns are wrong (nothing is imported)."""
    from surveykit.exchange.readers import read_source

    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt", ".xlsx"):
        raise DataImportError(
            ErrorCode.FILE_FORMAT_UNKNOWN, Location(file=str(path)), path=str(path), expected=".csv, .xlsx"
        )
    tables = read_source(path)
    wanted = [*required, *optional]

    def normalised(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.rename(columns={c: str(c).strip().lower().lstrip("\ufeff") for c in frame.columns})

    chosen = next(
        (t for t in tables if set(required) <= set(normalised(t.frame).columns)),
        tables[0] if tables else None,
    )
    report = Report(subject=subject or str(path))
    if chosen is None:
        report.add(
            ErrorCode.IMPORT_COLUMN_MISSING, Location(file=str(path)), column=required[0], reason=subject
        )
        report.raise_if_errors(DataImportError)
    frame = normalised(chosen.frame)
    table = Table(frame, chosen.rows, chosen.file, chosen.sheet, report)
    for column in required:
        if column not in frame.columns:
            report.add(
                ErrorCode.IMPORT_COLUMN_MISSING,
                Location(file=table.file, sheet=table.sheet, field=column),
                column=column,
                reason=subject or "this import",
            )
    for column in frame.columns:
        if column not in wanted:
            report.add(
                ErrorCode.IMPORT_COLUMN_UNKNOWN,
                Location(file=table.file, sheet=table.sheet, field=column),
                column=column,
                suggestion=did_you_mean(column, wanted),
            )
    report.raise_if_errors(DataImportError)
    return table


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Times as ``YYYY-MM-DD HH:MM`` (UTC), missing values as empty cells."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if (
            pd.api.types.is_datetime64_any_dtype(series)
            or series.map(lambda v: isinstance(v, dt.datetime)).any()
        ):
            stamps = pd.to_datetime(series, utc=True, errors="coerce")
            out[column] = stamps.dt.strftime("%Y-%m-%d %H:%M").astype(object).where(stamps.notna(), None)
    return out.astype(object).where(out.notna(), None)


def write_table(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    sheet: str = "data",
    labels: Mapping[str, str] | None = None,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
) -> Path:
    """Write a table as CSV (UTF-8 with BOM, for Excel), XLSX (text never becomes a formula) or SPSS .sav
    (``labels``: variable labels; ``value_labels``: per column, value -> label). Returns the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ExportError(
            ErrorCode.EXPORT_FORMAT_UNSUPPORTED,
            Location(file=str(path)),
            format=suffix or "(none)",
            supported=", ".join(EXPORT_FORMATS),
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(
            ErrorCode.EXPORT_WRITE_FAILED, Location(file=str(path)), path=str(path), detail=str(err)
        ) from err
    data = _cells(frame)
    if suffix == ".csv":
        # text a spreadsheet would run as a formula is neutralised in one home (surveykit.spreadsheet)
        from surveykit.spreadsheet import write_csv

        write_csv(path, data, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        from surveykit.exchange.writers import write_xlsx

        write_xlsx(path, [(sheet, data, None)])
    else:
        _write_sav(frame, path, labels or {}, value_labels or {})
    return path


def _write_sav(
    frame: pd.DataFrame, path: Path, labels: Mapping[str, str], value_labels: Mapping[str, Mapping[Any, str]]
) -> None:
    import pyreadstat

    data = frame.copy()
    for column in data.columns:
        series = data[column]
        if pd.api.types.is_bool_dtype(series):
            data[column] = series.astype("int8")
        elif (
            pd.api.types.is_datetime64_any_dtype(series)
            or series.map(lambda v: isinstance(v, dt.datetime)).any()
        ):
            data[column] = pd.to_datetime(series, utc=True, errors="coerce").dt.tz_localize(None)
        elif pd.api.types.is_numeric_dtype(series):
            data[column] = pd.to_numeric(series, errors="coerce").astype("float64")
        else:
            data[column] = series.astype(object).where(series.notna(), "").astype(str)
    try:
        pyreadstat.write_sav(
            data,
            str(path),
            column_labels=[labels.get(c, c) for c in data.columns],
            variable_value_labels={k: dict(v) for k, v in value_labels.items() if k in data.columns},
        )
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, ValueError) as err:
        raise ExportError(
            ErrorCode.EXPORT_WRITE_FAILED, Location(file=str(path)), path=str(path), detail=str(err)
        ) from err
