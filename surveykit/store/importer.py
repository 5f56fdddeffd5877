"""Bulk import of interviews collected elsewhere (paper forms keyed later, another tool), CSV or JSON.

A file holds one interview per row (CSV) or object (JSON): meta columns, then one column per variable
(choice names; multiple choice space-separated in CSV, a list in JSON). Repeat groups: in CSV one column per
instance and variable, named by the instance path (``relatives[2]/rel_age``); in JSON a list of objects under
the repeat's code. Every problem of every row is reported by row and column (CSV: the line of the file, the
header being row 1; JSON: the object's position, from 1). The default is all or nothing: any problem and
nothing is written. With ``skip_invalid`` the valid rows are imported and the rejected rows listed.

Rows are validated with :func:`~surveykit.questionnaire.validate.validate_frame` (vectorised) and written in
one transaction with Core executemany (COPY on PostgreSQL). An interview id already stored with the same
content is skipped as a duplicate, so importing a file twice imports it once.
"""

from __future__ import annotations

import io
import re
import uuid as uuidlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from surveykit.errors import DataImportError, ErrorCode, Location, Report, did_you_mean
from surveykit.questionnaire import names
from surveykit.questionnaire.compiled import Form
from surveykit.questionnaire.validate import validate_frame
from surveykit.spreadsheet import restore_frame
from surveykit.store import audit
from surveykit.store.bulk import copy_records, insert_answers
from surveykit.store.catalog import parse_key
from surveykit.store.codec import content_hashes, levels_from_evaluation, rows_from_levels
from surveykit.store.records import CertificateRecord, PublishedVersion
from surveykit.store.schema import MODES, assignments, certificates, institutions, interviews, people, utcnow
from surveykit.store.training import authentic

if TYPE_CHECKING:
    from surveykit.store.facade import Store

__all__ = ["IMPORT_META", "ImportResult", "import_responses", "read_interview_file"]

#: meta columns an import file may have (others must be variables or repeat-instance columns): the
#: interview record's fields, less the assignment (found by the store) and weights (not kept)
IMPORT_META = tuple(c for c in names.META_COLUMNS if c not in ("assignment_id", "weight"))
IMPORT_STATUSES = ("submitted", "approved")
_INSTANCE_COLUMN = re.compile(r"^(?P<path>(?:[^/\[\]]+\[\d+\]/)+)(?P<var>[^/\[\]]+)$")
_SEGMENT = re.compile(r"([^/\[\]]+)\[(\d+)\]")
_TRUE = {"1", "true", "yes", "y", "t", "да"}
_FALSE = {"0", "false", "no", "n", "f", "нет", ""}
_CHUNK_IDS = 5000


@dataclass
class ImportResult:
    """What an import did: interviews written, duplicates skipped, rows rejected (with ``skip_invalid``)."""

    questionnaire: str
    imported: int
    duplicates: int
    rejected_rows: list[int]
    report: Report
    interview_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire": self.questionnaire,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected_rows": self.rejected_rows,
            "problems": self.report.to_dicts(),
        }


@dataclass
class _Table:
    """An import file read into frames: main (strings), repeat frames with ``_parent``, file row numbers."""

    main: pd.DataFrame
    repeats: dict[str, pd.DataFrame]
    rows: np.ndarray  # file row number of each main row
    columns: dict[str, str]  # column as in the file -> what it is ("meta", "variable", "instance")


# --- reading files --------------------------------------------------------------------------------------------
def _format_of(path: Path, format: str | None) -> str:
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in ("csv", "json"):
        raise DataImportError(
            ErrorCode.FILE_FORMAT_UNKNOWN, Location(file=str(path)), path=str(path), expected=".csv, .json"
        )
    return fmt


def read_interview_file(
    path: str | Path, form: Form, *, format: str | None = None, column_map: Mapping[str, str] | None = None
) -> tuple[_Table, Report]:
    """Read a CSV or JSON import file; unknown and misnamed columns are reported (SK701)."""
    from surveykit.fileio import check_file, read_csv_text, read_json_file

    path = Path(path)
    report = Report(subject=str(path))
    if not check_file(path, report):  # missing, a folder or device, too large (surveykit.fileio)
        report.raise_if_errors(DataImportError)
    fmt = _format_of(path, format)
    if fmt == "csv":
        text = read_csv_text(path, report)  # UTF-8, or an encoding recognised (a warning), or refused
        if text is None:
            report.raise_if_errors(DataImportError)
        try:
            main = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (ValueError, pd.errors.ParserError) as err:
            raise DataImportError(
                ErrorCode.CSV_UNREADABLE, Location(file=str(path)), detail=str(err)
            ) from err
        main = restore_frame(main)  # undo the formula guard of surveykit's own CSV exports
        if column_map:
            main = main.rename(columns=dict(column_map))
        table = _from_wide(form, main, report, str(path))
        table.rows = np.arange(len(main)) + 2  # the header is row 1
        return table, report
    # depth, duplicate keys, NaN, control characters: refused and located (positions only where needed)
    document = read_json_file(path, positions=False)
    document.report.raise_if_errors(DataImportError)
    data = document.data
    records = data.get("interviews") if isinstance(data, Mapping) else data
    if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
        raise DataImportError(
            ErrorCode.JSON_SYNTAX,
            Location(file=str(path)),
            detail='expected a list of interview objects (or {"interviews": [...]})',
        )
    if column_map:
        records = [{column_map.get(k, k): v for k, v in r.items()} for r in records]
    table = _from_records(form, records, report, str(path))
    table.rows = np.arange(len(records)) + 1
    return table, report


def _unknown(report: Report, file: str, column: str, candidates: Sequence[str]) -> None:
    report.add(
        ErrorCode.IMPORT_COLUMN_UNKNOWN,
        Location(file=file, field=column),
        column=column,
        suggestion=did_you_mean(column, candidates),
    )


def _from_wide(form: Form, frame: pd.DataFrame, report: Report, file: str) -> _Table:
    """CSV: main variables as columns, repeat instances as ``path/var`` columns."""
    columns: dict[str, str] = {}
    instance_columns: dict[str, list[tuple[str, str]]] = {}  # instance path -> [(column, variable)]
    candidates = [*IMPORT_META, *(v.code for v in form.variables_of(None))]
    for column in frame.columns:
        name = str(column)
        if name in IMPORT_META:
            columns[name] = "meta"
            continue
        var = form.variables.get(name)
        if var is not None and var.repeat is None:
            columns[name] = "variable"
            continue
        match = _INSTANCE_COLUMN.match(name)
        if match:
            path, code = match["path"].rstrip("/"), match["var"]
            chain = [seg for seg, _ in _SEGMENT.findall(path)]
            var = form.variables.get(code)
            if (
                chain
                and all(r in form.repeats for r in chain)
                and var is not None
                and var.repeat == chain[-1]
                and all(
                    form.repeat_parent[chain[i]] == (chain[i - 1] if i else None) for i in range(len(chain))
                )
            ):
                columns[name] = "instance"
                instance_columns.setdefault(path, []).append((name, code))
                continue
        _unknown(report, file, name, candidates)
    main = frame[[c for c in frame.columns if columns.get(str(c)) in ("meta", "variable")]].copy()
    main.columns = [str(c) for c in main.columns]
    repeats = _repeats_from_wide(form, frame, instance_columns)
    return _Table(main.reset_index(drop=True), repeats, np.zeros(0), columns)


def _repeats_from_wide(
    form: Form, frame: pd.DataFrame, instance_columns: dict[str, list[tuple[str, str]]]
) -> dict[str, pd.DataFrame]:
    """Repeat frames (``_parent``, ``_index`` in the file, variables) from ``path/var`` columns: an instance
    exists in a row when any of its columns (or of its nested instances) is filled."""
    filled: dict[str, np.ndarray] = {}
    for path, cols in instance_columns.items():
        values = frame[[c for c, _ in cols]].to_numpy(dtype=object)
        present = np.array(
            [[isinstance(v, str) and v.strip() != "" for v in row] for row in values], dtype=bool
        )
        filled[path] = present.any(axis=1) if present.size else np.zeros(len(frame), dtype=bool)
    # a nested instance makes its parents exist
    for path in sorted(filled, key=lambda p: -p.count("/")):
        parent = path.rsplit("/", 1)[0] if "/" in path else None
        if parent is not None:
            filled[parent] = filled.get(parent, np.zeros(len(frame), dtype=bool)) | filled[path]
    repeats: dict[str, pd.DataFrame] = {}
    level_keys: dict[str | None, pd.MultiIndex] = {}
    for code in form.repeats:  # parents first
        parent_code = form.repeat_parent[code]
        pieces = []
        for path, present in filled.items():
            segments = _SEGMENT.findall(path)
            if segments[-1][0] != code:
                continue
            rows = np.flatnonzero(present)
            parent_path = path.rsplit("/", 1)[0] if "/" in path else ""
            data = {"_row": rows, "_parent_path": parent_path, "_path": path, "_number": int(segments[-1][1])}
            piece = pd.DataFrame(data)
            for column, var in instance_columns.get(path, []):
                piece[var] = frame[column].to_numpy(dtype=object)[rows]
            pieces.append(piece)
        variables = [v.code for v in form.variables_of(code)]
        if pieces:
            level = pd.concat(pieces, ignore_index=True)
        else:
            level = pd.DataFrame({"_row": [], "_parent_path": [], "_path": [], "_number": []})
        for var in variables:
            if var not in level.columns:
                level[var] = None
        if parent_code is None:
            level["_parent"] = level["_row"].astype(np.int64)
        else:
            key = pd.MultiIndex.from_arrays([level["_row"], level["_parent_path"]])
            level["_parent"] = (
                level_keys[parent_code].get_indexer(key) if len(level) else np.zeros(0, dtype=np.int64)
            )
            level = level[level["_parent"] >= 0]
        level = level.sort_values(["_parent", "_number"], kind="stable").reset_index(drop=True)
        level_keys[code] = pd.MultiIndex.from_arrays([level["_row"], level["_path"]])
        repeats[code] = level[["_parent", *variables]].copy()
    return repeats


def _from_records(form: Form, records: list[Mapping[str, Any]], report: Report, file: str) -> _Table:
    """JSON: one object per interview; repeat groups as lists of objects under the repeat's code."""
    columns: dict[str, str] = {}
    main_vars = [v.code for v in form.variables_of(None)]
    top_repeats = [c for c, p in form.repeat_parent.items() if p is None]
    candidates = [*IMPORT_META, *main_vars, *top_repeats]
    seen: dict[str, None] = {}
    for record in records:
        seen.update(dict.fromkeys(str(k) for k in record))
    for name in seen:
        if name in IMPORT_META:
            columns[name] = "meta"
        elif name in main_vars:
            columns[name] = "variable"
        elif name in top_repeats:
            columns[name] = "repeat"
        else:
            _unknown(report, file, name, candidates)
    keep = [c for c in seen if columns.get(c) in ("meta", "variable")]
    main = pd.DataFrame(
        {c: [_json_cell(r.get(c)) for r in records] for c in keep}, index=pd.RangeIndex(len(records))
    )
    repeats: dict[str, pd.DataFrame] = {}
    parents_rows: dict[str | None, list[Mapping[str, Any]]] = {None: list(records)}
    for code in form.repeats:
        parent_code = form.repeat_parent[code]
        rows: list[Mapping[str, Any]] = []
        parent_index: list[int] = []
        for p, parent in enumerate(parents_rows.get(parent_code, [])):
            instances = parent.get(code) if isinstance(parent, Mapping) else None
            if isinstance(instances, list):
                for instance in instances:
                    rows.append(instance if isinstance(instance, Mapping) else {})
                    parent_index.append(p)
        variables = [v.code for v in form.variables_of(code)]
        data = {"_parent": np.asarray(parent_index, dtype=np.int64)}
        data.update({v: [_json_cell(r.get(v)) for r in rows] for v in variables})
        repeats[code] = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
        parents_rows[code] = rows
    return _Table(main, repeats, np.zeros(0), columns)


def _json_cell(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value


# --- meta columns ---------------------------------------------------------------------------------------------------
@dataclass
class _Meta:
    frame: pd.DataFrame  # one column per meta field, typed
    bad: np.ndarray  # bool per row


def _text(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())


def _meta(
    store: Store,
    published: PublishedVersion,
    table: _Table,
    defaults: Mapping[str, Any],
    report: Report,
    file: str,
) -> _Meta:
    """Check and type the meta columns (every problem reported with its row and column)."""
    questionnaire = store.catalog.questionnaire(published.id)
    main = table.main
    n = len(main)
    bad = np.zeros(n, dtype=bool)
    now = utcnow()
    out = pd.DataFrame(index=pd.RangeIndex(n))

    def column(name: str, required_for: str | None = None) -> pd.Series | None:
        if name in main.columns:
            values = _text(main[name])
            default = defaults.get(name)
            if default is not None:
                values = values.where(values != "", str(default))
            return values
        if defaults.get(name) is not None:
            return pd.Series([str(defaults[name])] * n, dtype=object)
        if required_for is not None:
            report.add(
                ErrorCode.IMPORT_COLUMN_MISSING,
                Location(file=file, field=name),
                column=name,
                reason=required_for,
            )
        return None

    def problem(mask: np.ndarray, name: str, detail: Any, fix: str) -> None:
        nonlocal bad
        for i in np.flatnonzero(mask):
            text = detail(i) if callable(detail) else detail
            report.add(
                ErrorCode.IMPORT_VALUE_INVALID,
                Location(file=file, row=int(table.rows[i]), field=name),
                detail=text,
                fix=fix,
            )
        bad |= mask

    # interview ids: given (must be UUIDs, unique in the file) or made now
    ids = column("interview_id")
    if ids is None:
        ids = pd.Series([""] * n, dtype=object)
    parsed = ids.map(lambda v: _uuid(v) if v else "")
    invalid = (parsed.isna()).to_numpy()
    problem(
        invalid, "interview_id", lambda i: f"'{ids.iloc[i]}' is not a UUID", "Use a UUID, or leave it empty."
    )
    parsed = parsed.where(~parsed.isna(), "")
    made = parsed == ""
    parsed[made] = [str(uuidlib.uuid4()) for _ in range(int(made.sum()))]
    duplicated = parsed.duplicated(keep=False) & ~made & ~invalid
    for value, group in parsed[duplicated].groupby(parsed[duplicated]).groups.items():
        rows = [int(table.rows[i]) for i in group]
        report.add(
            ErrorCode.IMPORT_DUPLICATE_KEY,
            Location(file=file, row=rows[0], field="interview_id"),
            key="interview_id",
            value=value,
            rows=", ".join(map(str, rows)),
        )
        bad[list(group)] = True
    out["interview_id"] = parsed.to_numpy(dtype=object)

    for name, table_sql, entity in (
        ("institution_id", institutions, "institution"),
        ("interviewer_id", people, "person"),
    ):
        values = column(name, required_for=f"naming the {entity} of each interview (or give a default)")
        if values is None:
            bad[:] = True
            out[name] = ""
            continue
        with store.db.read() as conn:
            known = set(conn.execute(select(table_sql.c.id)).scalars())
        unknown = ~values.isin(known).to_numpy()
        problem(
            unknown,
            name,
            lambda i, v=values, k=known, e=entity: (
                f"{e} '{v.iloc[i]}' does not exist{did_you_mean(v.iloc[i], k)}"
                if v.iloc[i]
                else f"the {e} is missing"
            ),
            f"Add the {entity} to the store first, or correct the id.",
        )
        out[name] = values.to_numpy(dtype=object)

    modes = [str(m) for m in questionnaire.settings.modes] or list(MODES)
    values = column("mode", required_for="saying how each interview was conducted (or give --mode)")
    if values is None:
        bad[:] = True
        out["mode"] = ""
    else:
        problem(
            ~values.isin(modes).to_numpy(),
            "mode",
            lambda i, v=values: f"'{v.iloc[i]}' is not a mode of {questionnaire.key}",
            f"Use one of: {', '.join(modes)}.",
        )
        out["mode"] = values.to_numpy(dtype=object)

    values = column("language")
    values = values.where(values != "", questionnaire.default_language) if values is not None else None
    if values is None:
        values = pd.Series([questionnaire.default_language] * n, dtype=object)
    problem(
        ~values.isin(questionnaire.languages).to_numpy(),
        "language",
        lambda i, v=values: f"'{v.iloc[i]}' is not a language of {questionnaire.key}",
        f"Use one of: {', '.join(questionnaire.languages)}.",
    )
    out["language"] = values.to_numpy(dtype=object)

    values = column("status")
    values = (
        values.where(values != "", "submitted")
        if values is not None
        else pd.Series(["submitted"] * n, dtype=object)
    )
    problem(
        ~values.isin(IMPORT_STATUSES).to_numpy(),
        "status",
        lambda i, v=values: f"status '{v.iloc[i]}' cannot be imported",
        f"Use one of: {', '.join(IMPORT_STATUSES)} (or leave it empty for submitted).",
    )
    out["status"] = values.to_numpy(dtype=object)

    for name in ("questionnaire_id", "questionnaire_version"):
        values = column(name)
        if values is None:
            continue
        expected = published.questionnaire_id if name == "questionnaire_id" else published.version
        problem(
            ((values != "") & (values != expected)).to_numpy(),
            name,
            lambda i, v=values, e=expected: (
                f"'{v.iloc[i]}' differs from the questionnaire imported into ({e})"
            ),
            "Import each questionnaire version from its own file, or correct the column.",
        )

    for name in ("started_at", "submitted_at"):
        values = column(name)
        if values is None:
            out[name] = pd.Series([now] * n, dtype=object)
            continue
        stamps = pd.to_datetime(values.where(values != "", None), errors="coerce", utc=True, format="mixed")
        unreadable = (stamps.isna() & (values != "")).to_numpy()
        problem(
            unreadable,
            name,
            lambda i, v=values: f"'{v.iloc[i]}' is not a date and time",
            "Write it as ISO 8601, e.g. 2026-03-01T10:30:00+03:00 (without a zone: UTC).",
        )
        py = [None if pd.isna(s) else s.to_pydatetime() for s in stamps]
        out[name] = pd.Series([p if p is not None else now for p in py], dtype=object)

    for name in ("proxy", "practice"):
        values = column(name)
        if values is None:
            out[name] = False
            continue
        lowered = values.str.lower()
        unreadable = ~lowered.isin(_TRUE | _FALSE)
        problem(
            unreadable.to_numpy(),
            name,
            lambda i, v=values: f"'{v.iloc[i]}' is not yes or no",
            "Write 1 or 0 (true/false, yes/no).",
        )
        out[name] = lowered.isin(_TRUE).to_numpy()

    values = column("period")
    out["period"] = (
        values.where(values != "", None) if values is not None else pd.Series([None] * n)
    ).to_numpy(dtype=object)
    return _Meta(out, bad)


def _uuid(value: str) -> str | None:
    try:
        return str(uuidlib.UUID(value))
    except ValueError:
        return None


def _certification(
    store: Store, meta: pd.DataFrame, report: Report, file: str, rows: np.ndarray
) -> np.ndarray:
    """Rows whose interviewer held no valid certificate when the interview started (real interviews only)."""
    real = ~meta["practice"].to_numpy(dtype=bool)
    interviewer = meta["interviewer_id"].to_numpy(dtype=object)
    people_ids = sorted(set(interviewer[real]) - {""})
    if not people_ids:
        return np.zeros(len(meta), dtype=bool)
    with store.db.read() as conn:
        found = [
            CertificateRecord.from_row(r)
            for r in conn.execute(select(certificates).where(certificates.c.person_id.in_(people_ids)))
        ]
        names = dict(
            conn.execute(select(people.c.id, people.c.display_name).where(people.c.id.in_(people_ids))).all()
        )
    found, _forged = authentic(found)  # an edited certificate row counts for nothing (store/training.py)
    started = pd.to_datetime(meta["started_at"], utc=True)
    modes = meta["mode"].to_numpy(dtype=object)
    valid = np.zeros(len(meta), dtype=bool)
    covering = np.zeros(len(meta), dtype=bool)  # a certificate valid then, whatever its roles
    for certificate in found:
        if certificate.status != "valid":
            continue
        mask = (interviewer == certificate.person_id) & (started >= certificate.issued_at).to_numpy()
        if certificate.valid_until is not None:
            mask &= (started < certificate.valid_until).to_numpy()
        covering |= mask
        if store.gate is not None:  # the gate of the training rules: the certificate must cover the mode
            allowed = [m for m, roles in store.gate.items() if set(roles) & set(certificate.roles)]
            mask &= np.isin(modes, allowed)
        valid |= mask
    bad = real & ~valid & (interviewer != "")
    holders = {c.person_id for c in found}
    for i in np.flatnonzero(bad):
        person = interviewer[i]
        if covering[i]:
            reason = f"no certificate on {started.iloc[i]:%Y-%m-%d} covers the mode {modes[i]}"
        elif person in holders:
            reason = f"no certificate valid on {started.iloc[i]:%Y-%m-%d}"
        else:
            reason = "no certificate"
        report.add(
            ErrorCode.NOT_CERTIFIED,
            Location(file=file, row=int(rows[i]), field="interviewer_id"),
            person=f"{names.get(person, person)} ({person})",
            reason=reason,
        )
    return bad


def _relocate(report: Report, validation: Report, rows: np.ndarray, file: str) -> np.ndarray:
    """Validation problems with file rows and file columns (``relatives[2]/rel_age`` for a repeat)."""
    bad = np.zeros(len(rows), dtype=bool)
    for p in validation.problems:
        loc = p.location
        frame_row = (loc.row or 0) - 1
        if 0 <= frame_row < len(rows):
            row = int(rows[frame_row])
            if p.severity.value == "error":
                bad[frame_row] = True
        else:
            row = None
        label = (loc.path or "").strip(", ")
        instance = "/".join(part.strip() for part in label.split(",") if part.strip())
        column = f"{instance}/{loc.field}" if instance and loc.field else loc.field
        report.problems.append(
            p.__class__(p.code, Location(file=file, row=row, field=column), p.severity, p.params)
        )
    return bad


# --- the import -------------------------------------------------------------------------------------------------------
def import_responses(
    store: Store,
    path: str | Path,
    questionnaire: str,
    *,
    format: str | None = None,
    skip_invalid: bool = False,
    defaults: Mapping[str, Any] | None = None,
    column_map: Mapping[str, str] | None = None,
    by: str | None = None,
) -> ImportResult:
    qid, version = parse_key(questionnaire)
    published = store.catalog.version(qid, version)
    form = store.catalog.form(published.id)
    table, report = read_interview_file(path, form, format=format, column_map=column_map)
    return _import_table(
        store, published, form, table, report, str(path), skip_invalid=skip_invalid, defaults=defaults, by=by
    )


def import_frame(
    store: Store,
    frame: pd.DataFrame,
    questionnaire: str,
    *,
    repeats: Mapping[str, pd.DataFrame] | None = None,
    rows: Sequence[int] | None = None,
    source: str = "(data frame)",
    skip_invalid: bool = False,
    defaults: Mapping[str, Any] | None = None,
    by: str | None = None,
) -> ImportResult:
    """Import interviews held in a frame (meta columns + one column per variable, any dtypes, e.g. a
    canonical frame), with repeat groups as frames with ``_parent`` (0-based row of ``frame``). The same
    checks and the same all-or-nothing rule as a file import; ``rows`` names each row in the report (e.g.
    the row numbers of the file the frame was read from) and ``source`` the file."""
    qid, version = parse_key(questionnaire)
    published = store.catalog.version(qid, version)
    form = store.catalog.form(published.id)
    report = Report(subject=source)
    columns: dict[str, str] = {}
    candidates = [*IMPORT_META, *(v.code for v in form.variables_of(None))]
    for column in frame.columns:
        name = str(column)
        if name in IMPORT_META:
            columns[name] = "meta"
        elif name in form.variables and form.variables[name].repeat is None:
            columns[name] = "variable"
        else:
            _unknown(report, source, name, candidates)
    main = frame[[c for c in frame.columns if str(c) in columns]].reset_index(drop=True)
    main.columns = [str(c) for c in main.columns]
    tables = {code: table.reset_index(drop=True) for code, table in (repeats or {}).items()}
    numbers = np.asarray(rows, dtype=np.int64) if rows is not None else np.arange(len(main)) + 1
    table = _Table(main, tables, numbers, columns)
    return _import_table(
        store, published, form, table, report, source, skip_invalid=skip_invalid, defaults=defaults, by=by
    )


def _import_table(
    store: Store,
    published: PublishedVersion,
    form: Form,
    table: _Table,
    report: Report,
    file: str,
    *,
    skip_invalid: bool,
    defaults: Mapping[str, Any] | None,
    by: str | None,
) -> ImportResult:
    """Check, validate and write a table read from a file or given as frames: all or nothing."""
    file_level_errors = bool(
        report.errors
    )  # unknown or missing columns: never imported, even with skip_invalid
    meta = _meta(store, published, table, dict(defaults or {}), report, file)
    file_level_errors |= any(p.code is ErrorCode.IMPORT_COLUMN_MISSING for p in report.errors)
    bad = meta.bad.copy()
    if store.enforce_certification:
        bad |= _certification(store, meta.frame, report, file, table.rows)
    variables = table.main[[c for c in table.main.columns if table.columns.get(c) == "variable"]]
    labels = [""] * len(variables)
    validation = validate_frame(form, variables, repeats=table.repeats, labels=labels)
    bad |= _relocate(report, validation.report, table.rows, file)

    ids = meta.frame["interview_id"].to_numpy(dtype=object)
    rows = rows_from_levels(form, levels_from_evaluation(validation.evaluation), ids)
    hashes = content_hashes(rows)
    stored = _stored_hashes(store, [i for i, b in zip(ids, bad, strict=True) if not b])
    duplicate = np.array([stored.get(i) == h for i, h in zip(ids, hashes, strict=True)], dtype=bool) & ~bad
    conflict = (
        np.array([i in stored and stored[i] != h for i, h in zip(ids, hashes, strict=True)], dtype=bool)
        & ~bad
    )
    for i in np.flatnonzero(conflict):
        report.add(
            ErrorCode.IMPORT_VALUE_INVALID,
            Location(file=file, row=int(table.rows[i]), field="interview_id"),
            detail=f"interview {ids[i]} is already stored with different answers",
            fix="Give corrected interviews a new interview_id, or leave it empty.",
        )
    bad |= conflict
    rejected = [int(r) for r in table.rows[bad]]
    if report.errors and (file_level_errors or not skip_invalid):
        report.subject = f"{file}: nothing imported"
        report.raise_if_errors(DataImportError)
    take = ~bad & ~duplicate
    rows = rows.subset(take[rows.owner])
    records = _interview_records(store, published, meta.frame[take], hashes[take])
    now = utcnow()

    def work(conn: Connection) -> int:
        copy_records(conn, interviews, records)
        insert_answers(conn, rows)
        entries = [
            {
                "actor": by,
                "action": "import",
                "entity": "interview",
                "entity_id": r["id"],
                "details": {"file": Path(file).name, "row": int(row), "content_hash": r["content_hash"]},
                "at": now,
            }
            for r, row in zip(records, table.rows[take], strict=True)
        ]
        entries.append(
            {
                "actor": by,
                "action": "import",
                "entity": "file",
                "entity_id": Path(file).name,
                "details": {
                    "questionnaire": published.key,
                    "imported": len(records),
                    "duplicates": int(duplicate.sum()),
                    "rejected_rows": rejected,
                    "certification": "checked" if store.enforce_certification else "not enforced",
                },
                "at": now,
            }
        )
        audit.record_many(conn, entries)
        return len(records)

    imported = store.db.write(work) if records or rejected else 0
    return ImportResult(
        published.key, imported, int(duplicate.sum()), rejected, report, [r["id"] for r in records]
    )


def _stored_hashes(store: Store, ids: Sequence[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    with store.db.read() as conn:
        for start in range(0, len(ids), _CHUNK_IDS):
            chunk = list(ids[start : start + _CHUNK_IDS])
            query = select(interviews.c.id, interviews.c.content_hash).where(interviews.c.id.in_(chunk))
            found.update({str(k): v for k, v in conn.execute(query)})
    return found


def _interview_records(
    store: Store, published: PublishedVersion, meta: pd.DataFrame, hashes: np.ndarray
) -> list[dict[str, Any]]:
    """Rows for ``interviews``; each counts towards the matching assignment (interviewer, institution,
    questionnaire, period) when there is one."""
    now = utcnow()
    with store.db.read() as conn:
        found = conn.execute(
            select(
                assignments.c.id,
                assignments.c.interviewer_id,
                assignments.c.institution_id,
                assignments.c.period,
            ).where(assignments.c.questionnaire_id == published.questionnaire_id)
        ).all()
    assignment_of = {(r.interviewer_id, r.institution_id, r.period): r.id for r in found}
    records = []
    for row, digest in zip(meta.to_dict("records"), hashes, strict=True):
        records.append(
            {
                "id": row["interview_id"],
                "questionnaire_version_id": published.id,
                "questionnaire_id": published.questionnaire_id,
                "institution_id": row["institution_id"],
                "interviewer_id": row["interviewer_id"],
                "assignment_id": assignment_of.get(
                    (row["interviewer_id"], row["institution_id"], row["period"])
                ),
                "mode": row["mode"],
                "language": row["language"],
                "status": row["status"],
                "started_at": row["started_at"],
                "submitted_at": row["submitted_at"],
                "updated_at": now,
                "proxy": bool(row["proxy"]),
                "practice": bool(row["practice"]),
                "period": row["period"],
                "current_page": None,
                "content_hash": digest,
                "source": "import",
            }
        )
    return records
