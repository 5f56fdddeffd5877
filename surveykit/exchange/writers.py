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

from surveykit.errors import ErrorCode, ExportError, Location
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
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32767
_FORMULA_START = ("=", "+", "-", "@")


def _failed(path: Path, err: BaseException) -> ExportError:
    return ExportError(
        ErrorCode.EXPORT_WRITE_FAILED, Location(file=str(path)), path=str(path), detail=str(err)
    )


def _library_errors() -> tuple[type[BaseException], ...]:
    import pyreadstat

    return (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError, ValueError, TypeError)


def write_sav(frame: pd.DataFrame, path: Path, view: FormatView) -> None:
    import pyreadstat

    try:
        pyreadstat.write_sav(frame, str(path), **view.write_kwargs())
    except _library_errors() as err:
        raise _failed(path, err) from err


def write_dta(frame: pd.DataFrame, path: Path, view: FormatView) -> None:
    import pyreadstat

    try:
        pyreadstat.write_dta(frame, str(path), **view.write_kwargs())
    except _library_errors() as err:
        raise _failed(path, err) from err


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


def _formatted(table: ExportTable, frame: pd.DataFrame, guard: bool) -> pd.DataFrame:
    """Dates as YYYY-MM-DD, date-times as YYYY-MM-DD HH:MM:SS (UTC for the interview's own times, the wall time
    recorded for a datetime question), times of day as HH:MM:SS; with ``guard`` a text that Excel would take
    for a formula gets a leading apostrophe."""
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
        elif guard and var.storage is Storage.STRING:
            texts = pd.Series(column, dtype=object)
            risky = texts.map(lambda s: isinstance(s, str) and s.startswith(_FORMULA_START))
            out[var.name] = texts.where(~risky, "'" + texts.astype(str))
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
) -> None:
    encoding, sep, decimal = csv_dialect(language, excel, separator)
    data = _formatted(table, frame, guard=excel)
    try:
        data.to_csv(
            path,
            index=False,
            sep=sep,
            decimal=decimal,
            encoding=encoding,
            lineterminator="\r\n" if excel else "\n",
        )
    except (OSError, ValueError, UnicodeError) as err:
        raise _failed(path, err) from err


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
) -> None:
    """Sheets of ``(name, frame, storage per column)``: a bold frozen header row, texts always stored as
    text (a text starting with "=" never becomes a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for name, frame, _ in sheets:
        if len(frame) + 1 > EXCEL_MAX_ROWS:
            raise ExportError(
                ErrorCode.EXPORT_WRITE_FAILED,
                Location(file=str(path), sheet=name),
                path=str(path),
                detail=f"sheet '{name}' would have {len(frame) + 1} rows; Excel holds {EXCEL_MAX_ROWS}",
            )
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    try:
        for name, frame, storages in sheets:
            sheet = workbook.create_sheet(title=name[:31])
            sheet.freeze_panes = "A2"
            for i, width in enumerate((widths or {}).get(name, ()), start=1):
                sheet.column_dimensions[get_column_letter(i)].width = width
            header = []
            for title in frame.columns:
                cell = WriteOnlyCell(sheet, value=str(title))
                cell.font = bold
                cell.data_type = "s"
                header.append(cell)
            sheet.append(header)
            kinds = list(storages) if storages is not None else [None] * frame.shape[1]
            columns = [_python_cells(frame.iloc[:, j], kinds[j]) for j in range(frame.shape[1])]
            for row in zip(*columns, strict=True) if columns else ():
                cells = []
                for value in row:
                    if isinstance(value, str):
                        cell = WriteOnlyCell(sheet, value=value[:EXCEL_MAX_TEXT])
                        cell.data_type = "s"
                        cells.append(cell)
                    else:
                        cells.append(value)
                sheet.append(cells)
        workbook.save(str(path))
    except (OSError, ValueError, TypeError) as err:
        raise _failed(path, err) from err


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
