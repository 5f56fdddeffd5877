"""Export interviews as CSV or JSON in the import format (so an export can be imported again unchanged).

CSV: the meta columns, one column per variable (choice names, multiple choice space-separated, dates as
YYYY-MM-DD, the interview's times as ISO 8601 UTC, a datetime question's answer as YYYY-MM-DDTHH:MM:SS, a time
of day as HH:MM:SS, a geopoint as "lat lon [alt [acc]]", a file as its stored name), then one column per repeat
instance and variable (``relatives[2]/rel_age``). A text a spreadsheet would take for a formula gets a leading
apostrophe (:mod:`surveykit.spreadsheet`); the importer removes it again, so the file imports unchanged.
JSON: a list of objects with the meta fields, the variables and each repeat group as a list of objects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from surveykit.errors import ErrorCode, ExportError, Location
from surveykit.expressions import Kind
from surveykit.spreadsheet import csv_text
from surveykit.store import frames as _frames
from surveykit.store.catalog import parse_key
from surveykit.store.codec import answers_from_levels
from surveykit.store.interviews import json_value

if TYPE_CHECKING:
    from surveykit.store.facade import Store

__all__ = ["EXPORT_FORMATS", "export_responses"]

EXPORT_FORMATS = ("csv", "json")


def export_responses(
    store: Store,
    questionnaire: str,
    path: str | Path,
    *,
    format: str | None = None,
    status: Sequence[str] | None = ("submitted", "approved"),
    period: str | None = None,
    practice: bool | None = False,
) -> int:
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise ExportError(
            ErrorCode.EXPORT_FORMAT_UNSUPPORTED, format=fmt, supported=", ".join(EXPORT_FORMATS)
        )
    qid, version = parse_key(questionnaire)
    selection = _frames.Selection(qid, version, status, period, practice=practice)
    if fmt == "csv":  # texts guarded against formula injection; the importer undoes it (spreadsheet.py)
        table = _wide_table(store, selection)
        text = csv_text(table, lineterminator="\n")
        count = len(table)
    else:
        records = _records(store, selection)
        text = json.dumps(records, ensure_ascii=False, indent=1)
        count = len(records)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise ExportError(
            ErrorCode.EXPORT_WRITE_FAILED, Location(file=str(path)), path=str(path), detail=str(err)
        ) from err
    return count


def _cells(column: pd.Series, clock: bool = False) -> pd.Series:
    """A canonical column as CSV text (empty when unanswered); ``clock``: a datetime question's date and
    time of day (``2026-03-01T14:30:00``, wall-clock time as recorded)."""
    if clock and pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.strftime("%Y-%m-%dT%H:%M:%S").where(column.notna(), "")
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.astype(object).where(column.notna(), "")
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.map(lambda t: "" if pd.isna(t) else t.isoformat())
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.strftime("%Y-%m-%d").where(column.notna(), "")
    if pd.api.types.is_bool_dtype(column):
        return column.map(lambda b: "true" if b else "false")
    if str(column.dtype) in ("Int64", "Float64"):
        return column.astype(object).map(
            lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else repr(float(v)))
        )
    return column.astype(object).where(column.notna(), "")


def _wide_table(store: Store, selection: _frames.Selection) -> pd.DataFrame:
    main = _frames.interviews_frame(store.db, store.catalog, selection)
    main.insert(1, "questionnaire_id", selection.questionnaire_id)
    form = store.catalog.form(store.catalog.version(selection.questionnaire_id, selection.version).id)
    clock = {code for code, var in form.variables.items() if var.kind is Kind.DATETIME}
    table = pd.DataFrame({column: _cells(main[column], column in clock) for column in main.columns})
    for repeat in form.repeats:
        instances = _frames.repeat_frame(store.db, store.catalog, selection, repeat)
        if instances.empty:
            continue
        variables = [c for c in instances.columns if not c.startswith("_") and c != "interview_id"]
        long = instances.melt(id_vars=["interview_id", "_path"], value_vars=variables, var_name="variable")
        texts = {v: _cells(instances[v], v in clock) for v in variables}
        long["value"] = np.concatenate([texts[v].to_numpy(dtype=object) for v in variables])
        long["column"] = long["_path"] + "/" + long["variable"]
        wide = long.pivot(index="interview_id", columns="column", values="value")
        order = _instance_column_order(list(wide.columns), variables)
        wide = wide[order].reindex(main["interview_id"].to_numpy()).fillna("")
        table = pd.concat([table, wide.reset_index(drop=True)], axis=1)
    return table


def _instance_column_order(columns: list[str], variables: list[str]) -> list[str]:
    position = {v: i for i, v in enumerate(variables)}

    def key(column: str) -> tuple[Any, ...]:
        path, _, variable = column.rpartition("/")
        numbers = tuple(int(x) for x in path.replace("]", "[").split("[")[1::2])
        return (numbers, position.get(variable, len(position)))

    return sorted(columns, key=key)


def _records(store: Store, selection: _frames.Selection) -> list[dict[str, Any]]:
    meta, per_version = _frames.read_frames(store.db, store.catalog, selection)
    meta_view = _frames.meta_frame(meta)
    by_id = {}
    for part in per_version:
        form = store.catalog.form(part.version_id)
        ids = part.keys[None][0]
        for interview_id, answers in zip(ids, answers_from_levels(form, part.levels), strict=True):
            by_id[interview_id] = answers
    records = []
    for row in meta_view.to_dict("records"):
        record: dict[str, Any] = {
            "interview_id": row["interview_id"],
            "questionnaire_id": selection.questionnaire_id,
        }
        for column in _frames.META_COLUMNS[1:]:
            value = row[column]
            record[column] = (
                None if value is None or (not isinstance(value, bool) and pd.isna(value)) else value
            )
            if isinstance(record[column], pd.Timestamp):
                record[column] = record[column].isoformat()
        answers = by_id.get(row["interview_id"], {})
        record.update({code: json_value(value) for code, value in answers.items()})
        records.append(record)
    return records
