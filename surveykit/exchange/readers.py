"""Reading data files for import and inference: SPSS, Stata, CSV and Excel, each into raw tables that
remember the file's own row numbers (CSV and Excel: the header is row 1, data starts at row 2; SPSS and
Stata: the case number) and everything the file declares about its variables: variable labels, value
labels, declared missing values (SPSS user-missing values and ranges, Stata extended missing ``.a``-``.z``),
display formats (dates, times) and measurement levels.

:func:`read_source` is the one place a data file is opened: pyreadstat, openpyxl and the CSV parser touch
import files only here, and their errors are wrapped here as :class:`DataImportError` naming the file, in
surveykit's words in both languages (a library's own text, which may come in the operating system's
language, is kept only on the chained exception for ``--debug``).

Text files are decoded by :func:`surveykit.fileio.read_text_data`, the one home of encoding recognition:
UTF-8 (with or without a byte-order mark) or UTF-16/32 with a mark (Excel's "Unicode text"); a file that is
not is read as Windows-1251, KOI8-R or Windows-1252 only when exactly one of them reads as real words (warning
SK151 naming it); otherwise it is refused (SK150) at the first byte, with the encoding to choose (``encoding=``,
``--encoding``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveykit.errors import DataImportError, ErrorCode, Location, Problem, Report, Translated
from surveykit.fileio import check_file, check_table, read_workbook

__all__ = [
    "ENCODINGS",
    "IMPORT_FORMATS",
    "DeclaredMissing",
    "SourceTable",
    "read_source",
]

IMPORT_FORMATS = {".sav": "sav", ".zsav": "sav", ".dta": "dta", ".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}
#: encodings a text file may be given in (``encoding=``), besides any name Python knows
ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1252": "Windows-1252 (Western European)",
    "latin-1": "ISO 8859-1 (Latin-1)",
    "cp866": "DOS 866 (Cyrillic)",
    "koi8-r": "KOI8-R (Cyrillic)",
}
_PROGRAM = {"sav": "SPSS", "dta": "Stata", "csv": "CSV", "xlsx": "Excel"}
_STATA_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


def _tr(en: str, ru: str) -> Translated:
    return Translated(en=en, ru=ru)


@dataclass(frozen=True)
class DeclaredMissing:
    """The missing values a file declares for one variable: SPSS discrete values and ranges (user-missing),
    Stata's extended missing values (every ``.a``-``.z`` is missing in Stata)."""

    values: frozenset[Any] = frozenset()
    ranges: tuple[tuple[float, float], ...] = ()
    stata_letters: bool = False

    def __bool__(self) -> bool:
        return bool(self.values or self.ranges or self.stata_letters)

    def covers(self, value: Any) -> bool:
        """Whether ``value`` (as read by pyreadstat with ``user_missing=True``) is a declared missing value."""
        if value is None:
            return False
        if isinstance(value, str):
            if self.stata_letters and value in _STATA_LETTERS:
                return True
            return value in self.values
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            number = float(value)
            if number != number:
                return False
            if number in self.values:
                return True
            return any(lo <= number <= hi for lo, hi in self.ranges)
        return False

    def describe(self) -> str:
        parts = [_number_text(v) for v in sorted(self.values, key=str)]
        parts += [f"{_number_text(lo)}..{_number_text(hi)}" for lo, hi in self.ranges]
        if self.stata_letters:
            parts.append(".a-.z")
        return ", ".join(parts)


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class SourceTable:
    """One table of a file: raw values as read (object columns), the file row of each row, and what the file
    declares about its variables (SPSS and Stata; CSV and Excel declare nothing but their header)."""

    frame: pd.DataFrame
    rows: np.ndarray  # the file's own row number of each row
    file: str
    sheet: str | None = None
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)  # SPSS/Stata value labels
    format: str = "csv"
    variable_labels: Mapping[str, str] = field(default_factory=dict)
    missing: Mapping[str, DeclaredMissing] = field(default_factory=dict)
    formats: Mapping[str, str] = field(default_factory=dict)  # SPSS "F8.2", "DATE11"; Stata "%td", "%9.0g"
    measures: Mapping[str, str] = field(default_factory=dict)  # SPSS nominal / ordinal / scale
    label_sets: Mapping[str, str] = field(default_factory=dict)  # variable -> name of its value-label set
    mr_sets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # SPSS multiple-response sets
    file_label: str | None = None
    encoding: str | None = None  # text files: the encoding the file was read in
    #: what reading found that the importer reports (the encoding used, duplicate column names ...)
    problems: list[Problem] = field(default_factory=list)

    def location(self, row: int | None = None, column: str | None = None) -> Location:
        return Location(file=self.file, sheet=self.sheet, row=row, field=column)

    @property
    def program(self) -> str:
        return _PROGRAM.get(self.format, self.format)


def _refuse(path: Path, fmt: str, reason: Translated, fix: Translated, err: BaseException | None = None):
    error = DataImportError(
        ErrorCode.DATA_FILE_UNREADABLE,
        Location(file=str(path)),
        program=_PROGRAM.get(fmt, fmt),
        reason=reason,
        fix=fix,
    )
    if err is not None:
        error.__cause__ = err
    return error


def _os_reason(err: OSError) -> Translated:
    """An operating-system error in surveykit's words (its own text may be in the system's language)."""
    if isinstance(err, PermissionError):
        return _tr("you have no permission to read it", "нет прав на чтение файла")
    if isinstance(err, IsADirectoryError):
        return _tr("it is a folder, not a file", "это папка, а не файл")
    if isinstance(err, FileNotFoundError):
        return _tr("it does not exist", "файл не существует")
    return _tr(
        f"the system could not read it (error {err.errno or type(err).__name__})",
        f"система не смогла его прочитать (ошибка {err.errno or type(err).__name__})",
    )


def format_of(path: Path, format: str | None = None) -> str:
    fmt = format or IMPORT_FORMATS.get(path.suffix.lower())
    if fmt is None and path.suffix.lower() in (".xls", ".ods"):
        raise _refuse(
            path,
            "xlsx",
            _tr(
                f"{path.suffix} workbooks are not read for data import",
                f"книги {path.suffix} не читаются при импорте данных",
            ),
            _tr(
                "Open it in Excel or LibreOffice and save it as Excel workbook (.xlsx).",
                "Откройте его в Excel или LibreOffice и сохраните как книгу Excel (.xlsx).",
            ),
        )
    if fmt not in set(IMPORT_FORMATS.values()):
        raise DataImportError(
            ErrorCode.FILE_FORMAT_UNKNOWN,
            Location(file=str(path)),
            path=str(path),
            expected=", ".join(sorted(IMPORT_FORMATS)),
        )
    return fmt


def read_source(
    path: str | Path, *, format: str | None = None, encoding: str | None = None
) -> list[SourceTable]:
    """Every table of a data file (a workbook: one per sheet, in order; other formats: one).

    The one function through which import and inference open a data file. ``encoding``: of a text file
    (default: detected, see the module docstring).
    """
    path = Path(path)
    if not path.exists():
        raise DataImportError(
            ErrorCode.FILE_NOT_FOUND, Location(file=str(path)), path=str(path), cwd=str(Path.cwd())
        )
    fmt = format_of(path, format)
    report = Report(subject=str(path))
    if not check_file(path, report):  # a folder, device or pipe, too large (surveykit.fileio, max_file_mb)
        report.raise_if_errors(DataImportError)
    if fmt in ("sav", "dta"):
        return [_read_stat(path, fmt)]
    if fmt == "csv":
        return [_read_csv(path, encoding)]
    return _read_xlsx(path)


def _within_limits(path: Path, rows: int | None, columns: int | None) -> None:
    """Refuse a table over the settings max_rows / max_columns (SK153) before it fills the memory."""
    report = Report(subject=str(path))
    if not check_table(rows, columns, report, file=str(path)):
        report.raise_if_errors(DataImportError)


# --- SPSS and Stata ---------------------------------------------------------------------------------------------
def _read_stat(path: Path, fmt: str) -> SourceTable:
    import pyreadstat

    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    program = _PROGRAM[fmt]
    try:  # the size first, from the file's header: rows and columns within max_rows / max_columns
        _, head = reader(str(path), metadataonly=True)
    except (OSError, pyreadstat.ReadstatError, pyreadstat.PyreadstatError, ValueError, OverflowError):
        head = None  # the full read below reports why, in surveykit's words
    if head is not None:
        _within_limits(path, head.number_rows, head.number_columns)
    try:
        frame, meta = reader(str(path), user_missing=True)
    except MemoryError as err:
        raise DataImportError(ErrorCode.OUT_OF_MEMORY, Location(file=str(path)), detail="") from err
    except OSError as err:
        raise _refuse(
            path,
            fmt,
            _os_reason(err),
            _tr("Check the path and the file's permissions.", "Проверьте путь и права доступа к файлу."),
            err,
        ) from err
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, ValueError, OverflowError) as err:
        raise _refuse(
            path,
            fmt,
            _tr(
                f"it is not a valid {program} file, or it uses a feature pyreadstat cannot read",
                f"это не файл {program} или в нём есть возможность, которую pyreadstat не читает",
            ),
            _tr(
                f"Open it in {program} and save it again (File → Save as, .{fmt}), then try again.",
                f"Откройте его в {program} и сохраните заново (Файл → Сохранить как, .{fmt}), затем повторите.",
            ),
            err,
        ) from err
    frame = frame.astype(object).where(frame.notna(), None)
    frame.columns = [str(c) for c in frame.columns]
    missing: dict[str, DeclaredMissing] = {}
    if fmt == "sav":
        for name, ranges in (meta.missing_ranges or {}).items():
            values, spans = set(), []
            for span in ranges:
                lo, hi = span.get("lo"), span.get("hi")
                if lo == hi:
                    values.add(float(lo) if isinstance(lo, (int, float)) else lo)
                else:
                    spans.append((float(lo), float(hi)))
            missing[name] = DeclaredMissing(frozenset(values), tuple(spans))
    else:
        for name, kind in (meta.readstat_variable_types or {}).items():
            if kind != "string":
                missing[name] = DeclaredMissing(stata_letters=True)
    labels = {k: str(v) for k, v in (meta.column_names_to_labels or {}).items() if v}
    measures = {k: v for k, v in (getattr(meta, "variable_measure", None) or {}).items() if v != "unknown"}
    return SourceTable(
        frame.reset_index(drop=True),
        np.arange(len(frame)) + 1,
        str(path),
        value_labels=dict(meta.variable_value_labels or {}),
        format=fmt,
        variable_labels=labels,
        missing=missing,
        formats=dict(meta.original_variable_types or {}),
        measures=measures,
        label_sets=dict(getattr(meta, "variable_to_label", None) or {}),
        mr_sets=dict(getattr(meta, "mr_sets", None) or {}),
        file_label=meta.file_label or None,
    )


# --- text files -------------------------------------------------------------------------------------------------
def _separator(text: str) -> str:
    """The separator of the header line: the most frequent of ; , and tab outside quotes."""
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=";,\t").delimiter
    except csv.Error:
        counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
        return max(counts, key=counts.__getitem__)


#: how to give the encoding of a CSV file to import (the end of the hint of SK150)
_ENCODING_OPTION = Translated(
    en=", or give its encoding: --encoding cp1251 (Cyrillic, Windows), --encoding koi8-r, --encoding cp1252 "
    "(Western European, Windows)",
    ru=" или укажите его кодировку: --encoding cp1251 (кириллица, Windows), --encoding koi8-r, "
    "--encoding cp1252 (западноевропейская, Windows)",
)


def _read_csv(path: Path, encoding: str | None) -> SourceTable:
    # the encoding is recognised in one home (surveykit.fileio.read_text_data): UTF-8, a byte-order mark, the
    # encoding given, or the one 8-bit encoding in which the file reads as real words (warning SK151);
    # anything else refused (SK150) at the first byte, control characters refused (SK142)
    from surveykit.fileio import read_text_data

    report = Report(subject=str(path))
    text, used = read_text_data(path, report, encoding=encoding, option=_ENCODING_OPTION)
    report.raise_if_errors(DataImportError)
    assert text is not None and used is not None
    problems: list[Problem] = list(report.warnings)
    if not text.strip():
        raise DataImportError(
            ErrorCode.CSV_UNREADABLE,
            Location(file=str(path)),
            detail=_tr("the file is empty", "файл пуст"),
        )
    separator = _separator(text)

    try:
        header = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=separator), [])
        _within_limits(path, text.count("\n"), len(header))  # an upper bound of the rows, before parsing
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False)
    except MemoryError as err:
        raise DataImportError(ErrorCode.OUT_OF_MEMORY, Location(file=str(path)), detail="") from err
    except (ValueError, pd.errors.ParserError, csv.Error) as err:
        raise DataImportError(
            ErrorCode.CSV_UNREADABLE,
            Location(file=str(path)),
            detail=_tr(
                f"the rows do not split into the header's columns ({type(err).__name__})",
                f"строки не делятся на столбцы заголовка ({type(err).__name__})",
            ),
        ) from err
    header = [h.strip() for h in header]
    frame.columns = [str(c) for c in frame.columns]
    if len(header) == len(frame.columns):
        problems += _duplicates(path, None, header)
        frame.columns = _unique(header)
    frame = frame.astype(object)
    return SourceTable(
        frame, np.arange(len(frame)) + 2, str(path), format="csv", encoding=used, problems=problems
    )


def _duplicates(path: Path, sheet: str | None, header: list[str]) -> list[Problem]:
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        if name:
            positions.setdefault(name, []).append(i + 1)
    return [
        Problem.of(
            ErrorCode.IMPORT_COLUMN_DUPLICATE,
            Location(file=str(path), sheet=sheet, field=name),
            column=name,
            positions=", ".join(map(str, where)),
        )
        for name, where in positions.items()
        if len(where) > 1
    ]


def _unique(header: list[str]) -> list[str]:
    """Header names made unique for the frame (a repeated name gets ``#2``; it is reported as an error)."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


# --- Excel ------------------------------------------------------------------------------------------------------
def _xlsx_kind(path: Path) -> str | None:
    """What a file given as .xlsx really is when it is not a workbook: 'xls', 'ods', 'text' or None."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                    return "ods"
        except (zipfile.BadZipFile, OSError, KeyError):
            return None
        return None
    return "text" if head and all(b >= 9 for b in head) else None


def _not_a_workbook(path: Path, err: BaseException | None) -> DataImportError:
    kind = _xlsx_kind(path)
    reasons = {
        "xls": _tr(
            "it is an old Excel 97-2003 workbook (.xls), not .xlsx",
            "это книга старого формата Excel 97-2003 (.xls), а не .xlsx",
        ),
        "ods": _tr(
            "it is an OpenDocument spreadsheet (.ods), not .xlsx",
            "это таблица OpenDocument (.ods), а не .xlsx",
        ),
        "text": _tr(
            "it is a text file (CSV?) with the extension .xlsx",
            "это текстовый файл (CSV?) с расширением .xlsx",
        ),
    }
    reason = reasons.get(
        kind or "",
        _tr(
            "it is not an Excel workbook, or it is damaged",
            "это не книга Excel или файл повреждён",
        ),
    )
    fix = (
        _tr("Rename it to .csv and import that.", "Переименуйте его в .csv и импортируйте.")
        if kind == "text"
        else _tr(
            "Open it in Excel or LibreOffice and save it as Excel workbook (.xlsx).",
            "Откройте его в Excel или LibreOffice и сохраните как книгу Excel (.xlsx).",
        )
    )
    return _refuse(path, "xlsx", reason, fix, err)


def _read_xlsx(path: Path) -> list[SourceTable]:
    # surveykit.fileio: size and zip-bomb checks, rows read sparsely from the sheet XML (a stray cell far
    # below or to the right costs nothing), cells right of the last heading left out with a warning (SK159)
    report = Report(subject=str(path))
    sheets = read_workbook(path, report)
    if sheets is None:
        if any(p.code is ErrorCode.XLSX_UNREADABLE for p in report.errors):
            raise _not_a_workbook(path, None)  # says what the file is instead (.xls, .ods, text) and what to do
        report.raise_if_errors(DataImportError)
    tables: list[SourceTable] = []
    for sheet in sheets or []:
        if not sheet.rows:
            continue
        (_, first), *body = sheet.rows
        raw_header = [_header_text(h) for h in first]
        keep = [i for i, h in enumerate(raw_header) if h]
        header = _unique([raw_header[i] for i in keep])
        body = [(number, r) for number, r in body if any(v not in (None, "") for v in r)]
        numbers = [number for number, _ in body]
        data = {
            name: [r[i] if i < len(r) else None for _, r in body] for name, i in zip(header, keep, strict=True)
        }
        frame = pd.DataFrame(data, dtype=object, index=pd.RangeIndex(len(body)))
        notes = [p for p in report.problems if p.location.sheet in (None, sheet.title)]
        tables.append(
            SourceTable(
                frame,
                np.asarray(numbers, dtype=np.int64),
                str(path),
                sheet.title,
                format="xlsx",
                problems=notes + _duplicates(path, sheet.title, [raw_header[i] for i in keep]),
            )
        )
    if not tables:
        raise _refuse(
            path,
            "xlsx",
            _tr("every sheet of the workbook is empty", "все листы книги пусты"),
            _tr("Give the workbook with the data.", "Укажите книгу с данными."),
        )
    return tables


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
