"""Writing prepared frames to files: SPSS, Stata, CSV, Excel, Parquet.

Each writer is the one place its library touches the file; errors of pyreadstat, openpyxl, pyarrow and the
operating system are wrapped once, here, as ExportError SK707 naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveykit import spreadsheet
from surveykit.errors import ErrorCode, ExportError, Location, Report, Severity, Translated
from surveykit.exchange.metadata import ExportMetadata, ExportTable, FormatView, Storage

__all__ = [
    "DECIMAL_COMMA_LANGUAGES",
    "EXCEL_MAX_ROWS",
    "csv_dialect",
    "metadata_dict",
    "spss_syntax",
    "write_csv",
    "write_dta",
    "write_parquet",
    "write_sav",
    "write_text",
    "write_xlsx",
]

#: languages whose Excel (Windows regional settings) uses a decimal comma and ";" as the list separator
DECIMAL_COMMA_LANGUAGES = frozenset(
    {
        "ru",
        "uk",
        "bg",
        "pl",
        "be",
        "kk",
        "de",
        "fr",
        "es",
        "it",
        "pt",
        "cs",
        "sk",
        "sr",
        "hr",
        "ro",
        "tr",
        "nl",
    }
)
EXCEL_MAX_ROWS = spreadsheet.EXCEL_MAX_ROWS


def _failed(path: Path, err: BaseException) -> ExportError:
    """An error of the operating system names the file and the folder; anything else the library refused
    names the format's limit, never "check the folder"."""
    if isinstance(err, OSError):
        return ExportError(
            ErrorCode.EXPORT_WRITE_FAILED, Location(file=str(path)), path=str(path), detail=_os_text(err)
        )
    program = {".sav": "SPSS", ".zsav": "SPSS", ".dta": "Stata"}.get(path.suffix.lower(), path.suffix)
    text = str(err)
    known = {
        "A provided name is too long for the file format": (
            "a variable or value-label name is too long for the format",
            "имя переменной или набора меток слишком длинное для формата",
        ),
    }
    en, ru = next(((e, r) for key, (e, r) in known.items() if key in text), (text, f"(pyreadstat) {text}"))
    return ExportError(
        ErrorCode.EXPORT_FORMAT_REFUSED,
        Location(file=str(path)),
        program=program,
        detail=Translated(en=en, ru=ru),
        fix=Translated(
            en=f"Nothing was written. This is a limit of the {program} format that surveykit did not foresee: "
            "export as another format (csv, xlsx, parquet) and report the message.",
            ru=f"Ничего не записано. Это ограничение формата {program}, которое surveykit не предусмотрел: "
            "выгрузите в другом формате (csv, xlsx, parquet) и сообщите об этой ошибке.",
        ),
    )


def _os_text(err: OSError) -> str:
    """The operating system's reason in English (its own text may be in the system's language)."""
    import errno

    names = {
        errno.ENOENT: "the folder does not exist",
        errno.EACCES: "no permission to write there",
        errno.EPERM: "no permission to write there",
        errno.ENOSPC: "the disk is full",
        errno.EROFS: "the disk is read-only",
        errno.EISDIR: "it is a folder",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
    }
    return names.get(err.errno or -1, f"{type(err).__name__} (error {err.errno})")


def _library_errors() -> tuple[type[BaseException], ...]:
    import pyreadstat

    return (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, ValueError, TypeError)


def _nul_free(frame: pd.DataFrame, path: Path, fmt: str) -> tuple[pd.DataFrame, Report]:
    """SPSS and Stata store texts as C strings, which end at a NUL: a NUL is written as the visible sign
    ␀ (U+2400) with a warning, never cut silently. Every other control character is kept."""
    report = Report(subject=str(path))
    replaced = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_datetime64_any_dtype(column.dtype):
            continue
        hit = column.map(lambda v: isinstance(v, str) and "\0" in v).to_numpy(dtype=bool)
        if not hit.any():
            continue
        replaced[name] = column.map(lambda v: v.replace("\0", "\u2400") if isinstance(v, str) else v)
        report.add(
            ErrorCode.EXPORT_VALUE_INVALID,
            Location(file=str(path), field=str(name)),
            Severity.WARNING,
            detail=Translated(
                en=f"{int(hit.sum())} text(s) held a NUL character, which {fmt} files cannot store; "
                "each is written as \u2400",
                ru=f"в {int(hit.sum())} текст(ах) был символ NUL, который файлы {fmt} не хранят; "
                "каждый записан как \u2400",
            ),
            fix=Translated(
                en="The exact text is kept in the store; export Parquet or JSON to get it unchanged.",
                ru="Точный текст хранится в базе; выгрузите Parquet или JSON, чтобы получить его без изменений.",
            ),
        )
    return (frame.assign(**replaced) if replaced else frame), report


def write_sav(frame: pd.DataFrame, path: Path, view: FormatView) -> Report:
    import pyreadstat

    frame, report = _nul_free(frame, path, ".sav")
    try:
        pyreadstat.write_sav(frame, str(path), **view.write_kwargs())
    except _library_errors() as err:
        raise _failed(path, err) from err
    return report


def write_dta(frame: pd.DataFrame, path: Path, view: FormatView) -> Report:
    import pyreadstat

    frame, report = _nul_free(frame, path, ".dta")
    try:
        pyreadstat.write_dta(frame, str(path), **view.write_kwargs())
    except _library_errors() as err:
        raise _failed(path, err) from err
    return report


def write_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    try:
        path.write_text(text, encoding=encoding)
    except OSError as err:
        raise _failed(path, err) from err


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''").replace("\n", " ") + "'"


def spss_syntax(meta: ExportMetadata, table: ExportTable, sav_name: str) -> str | None:
    """SPSS syntax for what a .sav written by pyreadstat cannot hold: the multiple-response sets and the
    weight. None when the table has neither."""
    sets = [mr for mr in meta.mr_sets if set(mr.variables) <= set(table.names)]
    if not sets and table.weight is None:
        return None
    lines = [
        "* Encoding: UTF-8.",
        f"* surveykit, {meta.questionnaire}: run once after opening {sav_name}, then save the file.",
        "* pyreadstat cannot write multiple-response sets or the case weight into a .sav file.",
    ]
    if sets:
        lines.append("MRSETS")
        for mr in sets:
            lines.append(
                f"  /MDGROUP NAME={mr.name} LABEL={_quote(mr.label[:255])}"
                f" CATEGORYLABELS=VARLABELS VARIABLES={' '.join(mr.variables)} VALUE={mr.counted_value}"
            )
        lines[-1] += "."
    if table.weight is not None:
        lines.append(f"WEIGHT BY {table.weight}.")
    return "\n".join(lines) + "\n"


# --- text formats ------------------------------------------------------------------------------------------------
def csv_dialect(language: str, excel: bool, separator: str | None = None) -> tuple[str, str, str]:
    """``(encoding, separator, decimal)``: plain UTF-8 with "," and "."; for Excel a BOM, and ";" with a
    decimal comma where the language's Excel expects them."""
    if not excel:
        return "utf-8", separator or ",", "."
    comma = language in DECIMAL_COMMA_LANGUAGES
    return "utf-8-sig", separator or (";" if comma else ","), "," if comma else "."


def _formatted(table: ExportTable, frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as YYYY-MM-DD, date-times as YYYY-MM-DD HH:MM:SS (UTC for the interview's own times, the wall time
    recorded for a datetime question), times of day as HH:MM:SS; texts are guarded against formula injection by
    :func:`surveykit.spreadsheet.write_csv`, with or without ``excel``."""
    out = {}
    for var in table.variables:
        column = frame[var.name]
        if var.storage in (Storage.DATE, Storage.DATETIME):
            stamps = pd.to_datetime(pd.Series(column), errors="coerce")
            fmt = "%Y-%m-%d" if var.storage is Storage.DATE else "%Y-%m-%d %H:%M:%S"
            out[var.name] = stamps.dt.strftime(fmt).astype(object).where(stamps.notna(), "")
        elif var.storage is Storage.TIME:
            out[var.name] = pd.Series(column, dtype=object).map(
                lambda t: t.isoformat() if hasattr(t, "isoformat") else ""
            )
        else:
            out[var.name] = column
    return pd.DataFrame(out, index=frame.index)


def write_csv(
    table: ExportTable,
    frame: pd.DataFrame,
    path: Path,
    *,
    language: str = "en",
    excel: bool = False,
    separator: str | None = None,
) -> Report:
    """The table as CSV (see :func:`csv_dialect`); returns the warnings of :mod:`surveykit.spreadsheet`."""
    encoding, sep, decimal = csv_dialect(language, excel, separator)
    return spreadsheet.write_csv(
        path,
        _formatted(table, frame),
        sep=sep,
        decimal_mark=decimal,
        encoding=encoding,
        lineterminator="\r\n" if excel else "\n",
    )


def _python_cells(column: pd.Series, storage: Storage | None) -> list[Any]:
    if storage is Storage.TIME:  # ISO text: a spreadsheet would show a bare time as a fraction of a day
        return [t.isoformat() if hasattr(t, "isoformat") else None for t in pd.Series(column, dtype=object)]
    if storage in (Storage.DATE, Storage.DATETIME):
        stamps = pd.to_datetime(pd.Series(column), errors="coerce")
        values = stamps.dt.to_pydatetime() if hasattr(stamps.dt, "to_pydatetime") else stamps
        out = [None if pd.isna(s) else s for s in values]
        return [v.date() if storage is Storage.DATE and v is not None else v for v in out]
    values = pd.Series(column).astype(object)
    return [None if (v is None or (not isinstance(v, str) and pd.isna(v))) else _plain(v) for v in values]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_xlsx(
    path: Path,
    sheets: Sequence[tuple[str, pd.DataFrame, Sequence[Storage | None] | None]],
    *,
    widths: dict[str, Iterable[int]] | None = None,
) -> Report:
    """Sheets of ``(name, frame, storage per column)``: dates of DATE columns as dates; the rest as
    :func:`surveykit.spreadsheet.write_xlsx` writes it (texts always text cells). Returns its warnings."""
    prepared = []
    for name, frame, storages in sheets:
        kinds = list(storages) if storages is not None else [None] * frame.shape[1]
        cells = pd.DataFrame(
            {j: _python_cells(frame.iloc[:, j], kinds[j]) for j in range(frame.shape[1])}, dtype=object
        )
        cells.columns = list(frame.columns)
        given = (widths or {}).get(name)
        prepared.append(spreadsheet.Sheet(name, cells, widths=list(given) if given is not None else None))
    return spreadsheet.write_xlsx(path, prepared)


# --- Parquet -------------------------------------------------------------------------------------------------------
def metadata_dict(meta: ExportMetadata, table: ExportTable) -> dict[str, Any]:
    """The metadata of one table as JSON-able data (kept inside Parquet files under the key ``surveykit``)."""
    return {
        "questionnaire": meta.questionnaire,
        "language": meta.language,
        "table": table.name,
        "keys": list(table.keys),
        "weight": table.weight,
        "variables": [
            {
                "name": v.name,
                "source": v.source,
                "role": v.role.value,
                "storage": v.storage.value,
                "label": v.label,
                "value_labels": {str(k): text for k, text in v.value_labels.items()},
                "missing": list(v.missing),
                "measure": v.measure,
                "codes": dict(v.codes),
                "choice": v.choice,
                "question": v.question,
                "question_type": v.question_type,
            }
            for v in table.variables
        ],
        "multiple_response_sets": [
            {"name": mr.name, "question": mr.question, "label": mr.label, "variables": list(mr.variables)}
            for mr in meta.mr_sets
            if set(mr.variables) <= set(table.names)
        ],
        "renamed": dict(table.renamed),
    }


def write_parquet(frame: pd.DataFrame, path: Path, metadata: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        labels = {v["name"]: v["label"] for v in metadata["variables"]}
        fields = [
            f.with_metadata({"label": labels.get(f.name, "")}) if labels.get(f.name) else f
            for f in arrow.schema
        ]
        schema = pa.schema(fields, metadata={**(arrow.schema.metadata or {})})
        schema = schema.with_metadata(
            {
                **(schema.metadata or {}),
                b"surveykit": json.dumps(metadata, ensure_ascii=False).encode("utf-8"),
            }
        )
        pq.write_table(arrow.cast(schema), str(path))
    except (OSError, ValueError, TypeError, pa.ArrowException) as err:
        raise _failed(path, err) from err
