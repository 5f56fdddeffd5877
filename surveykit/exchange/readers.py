"""Reading data files for import and inference: SPSS, Stata, CSV and Excel, each into raw tables that
remember the file's own row numbers (CSV and Excel: the header is row 1, data starts at row 2; SPSS and
Stata: the case number) and everything the file declares about its variables: variable labels, value
labels, declared missing values (SPSS user-missing values and ranges, Stata extended missing ``.a``-``.z``),
display formats (dates, times) and measurement levels.

:func:`read_source` is the one place a data file is opened: pyreadstat, openpyxl and the CSV parser touch
import files only here, and their errors are wrapped here as :class:`DataImportError` naming the file, in
surveykit's words in both languages (a library's own text, which may come in the operating system's
language, is kept only on the chained exception for ``--debug``).

Text files are read as UTF-8 (with or without a byte-order mark) or UTF-16 (Excel's "Unicode text"); a file
that is not is recognised as Windows-1251 (Cyrillic) or Windows-1252 (Western European) only when the text
read that way is plausible and the other reading is not; otherwise it is refused with the encoding to choose
(``encoding=``, ``--encoding``). The encoding used is always reported.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveykit.errors import DataImportError, ErrorCode, Location, Problem, Report, Severity, Translated
from surveykit.fileio import check_file, check_table, read_workbook

__all__ = [
    "ENCODINGS",
    "IMPORT_FORMATS",
    "DeclaredMissing",
    "SourceTable",
    "decode_text",
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
    if path.is_dir():
        raise _refuse(
            path,
            fmt,
            _tr("it is a folder, not a file", "это папка, а не файл"),
            _tr("Give the path of the data file itself.", "Укажите путь к самому файлу данных."),
        )
    report = Report(subject=str(path))
    if not check_file(path, report):  # a device or pipe, too large (surveykit.fileio, max_file_mb)
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
_WORD = re.compile(r"[^\W\d_]+")


def _looks(text: str, script: str) -> tuple[int, int]:
    """``(plausible, implausible)`` words of ``text`` read in one encoding, counting only words with
    letters outside ASCII: Cyrillic words are plausible when they have no Latin letter inside; Western words
    when their accented letters are the minority and not in runs (``Ïðèâåò`` is Russian read as Latin)."""
    good = bad = 0
    for word in _WORD.findall(text):
        non_ascii = [c for c in word if not c.isascii()]
        if not non_ascii:
            continue
        if script == "cyrillic":
            cyrillic = sum("\u0400" <= c <= "\u04ff" for c in word)
            latin = sum(c.isascii() for c in word)
            if cyrillic == len(word):
                good += 1
            elif latin and cyrillic:
                bad += 1
            else:
                bad += cyrillic < len(non_ascii)
        else:
            runs = sum(1 for a, b in zip(word, word[1:], strict=False) if not a.isascii() and not b.isascii())
            if len(non_ascii) == len(word) > 1 or len(non_ascii) * 2 > len(word) > 2 or runs >= 2:
                bad += 1
            else:
                good += 1
    return good, bad


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str, bool]:
    """``(text, encoding, detected)`` of a text file's bytes; raises ValueError (its text says why and what to
    choose) when the encoding cannot be told. ``detected`` is True when a non-UTF encoding was recognised."""
    if encoding:
        return data.decode(encoding), encoding, False  # UnicodeDecodeError / LookupError: the caller reports
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8", False
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16", False
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    readings: dict[str, tuple[str, int, int]] = {}
    for name, script in (("cp1251", "cyrillic"), ("cp1252", "latin")):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        good, bad = _looks(text, script)
        readings[name] = (text, good, bad)
    texts = {text for text, _, _ in readings.values()}
    if len(readings) == 2 and len(texts) == 1:  # only characters both encodings share (°, №...)
        return texts.pop(), "cp1251", True
    plausible = [n for n, (_, good, bad) in readings.items() if good and not bad]
    if len(plausible) == 1:
        return readings[plausible[0]][0], plausible[0], True
    raise ValueError(_ambiguous_sample(data, readings))


_BREAKS = frozenset(b" \t,;\r\n\"'")


def _ambiguous_sample(data: bytes, readings: Mapping[str, tuple[str, int, int]]) -> str:
    """The first word with a non-ASCII byte as each encoding reads it (for the message)."""
    start = next((i for i, b in enumerate(data) if b >= 0x80), 0)
    lo = start
    while lo > 0 and data[lo - 1] not in _BREAKS:
        lo -= 1
    hi = start
    while hi < len(data) and data[hi] not in _BREAKS and hi - lo < 40:
        hi += 1
    chunk = data[lo:hi]
    shown = []
    for name in ("cp1251", "cp1252", "latin-1"):
        try:
            shown.append(f"{name}: {chunk.decode(name)!r}")
        except UnicodeDecodeError:
            continue
    return "; ".join(shown)


def _separator(text: str) -> str:
    """The separator of the header line: the most frequent of ; , and tab outside quotes."""
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=";,\t").delimiter
    except csv.Error:
        counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
        return max(counts, key=counts.__getitem__)


def _read_csv(path: Path, encoding: str | None) -> SourceTable:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise _refuse(
            path,
            "csv",
            _os_reason(err),
            _tr("Check the path and the file's permissions.", "Проверьте путь и права доступа к файлу."),
            err,
        ) from err
    choices = ", ".join(f"{k} ({v})" for k, v in ENCODINGS.items())
    try:
        text, used, detected = decode_text(data, encoding)
    except LookupError as err:
        raise DataImportError(
            ErrorCode.IMPORT_ENCODING,
            Location(file=str(path)),
            detail=_tr(f"'{encoding}' is not an encoding", f"«{encoding}» — не кодировка"),
            fix=_tr(f"Choose one of: {choices}.", f"Выберите одну из: {choices}."),
        ) from err
    except UnicodeDecodeError as err:
        raise DataImportError(
            ErrorCode.IMPORT_ENCODING,
            Location(file=str(path)),
            detail=_tr(
                f"the file is not in {encoding}: byte {err.start + 1} cannot be read in it",
                f"файл не в кодировке {encoding}: байт {err.start + 1} в ней не читается",
            ),
            fix=_tr(
                f"Choose the file's encoding ({choices}), or save it as UTF-8.",
                f"Укажите кодировку файла ({choices}) или сохраните его в UTF-8.",
            ),
        ) from err
    except ValueError as err:
        raise DataImportError(
            ErrorCode.IMPORT_ENCODING,
            Location(file=str(path)),
            detail=_tr(
                f"the file is not UTF-8, and its encoding cannot be told for sure ({err})",
                f"файл не в UTF-8, и его кодировку нельзя определить надёжно ({err})",
            ),
            fix=_tr(
                "Save it as UTF-8, or give the encoding: --encoding cp1251 (Cyrillic, Windows), "
                "--encoding cp1252 (Western European, Windows) ...",
                "Сохраните его в UTF-8 или укажите кодировку: --encoding cp1251 (кириллица, Windows), "
                "--encoding cp1252 (западноевропейская, Windows) ...",
            ),
        ) from err
    if "\x00" in text:
        raise _refuse(
            path,
            "csv",
            _tr("it holds binary data, not text", "в нём двоичные данные, а не текст"),
            _tr(
                "Give a CSV text file (or the workbook itself as .xlsx).",
                "Укажите текстовый файл CSV (или саму книгу как .xlsx).",
            ),
        )
    problems: list[Problem] = []
    if detected or used not in ("utf-8", "utf-16"):
        name = ENCODINGS.get(used, used)
        problems.append(
            Problem.of(
                ErrorCode.IMPORT_ENCODING,
                Location(file=str(path)),
                Severity.INFO,
                detail=_tr(f"the file is read as {name}", f"файл прочитан в кодировке {name}"),
                fix=_tr(
                    "If the texts look wrong, give the right encoding with --encoding.",
                    "Если тексты выглядят неверно, укажите верную кодировку параметром --encoding.",
                ),
            )
        )
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
