"""Exporting interviews: SPSS (.sav), Stata (.dta), CSV, Excel and Parquet, with full metadata.

:func:`export_interviews` reads the interviews of a questionnaire from the store (filtered by version,
period, institution and status) and writes them; :func:`export_frames` writes canonical frames from anywhere
(a validation result, a notebook). Both build the :class:`~surveykit.exchange.metadata.ExportMetadata` once,
check every input against it (ExportError with a report naming each variable, before anything is written),
pseudonymise interviewer identities (the setting ``pseudonymise_exports``), and write:

* the interviews to ``path`` and each repeat group to ``<stem>_<repeat><suffix>`` (keyed by ``interview_id``
  and ``<repeat>_index``; a nested repeat also carries its parent's ``<parent>_index``);
* for SPSS, ``<stem>.sps`` with what a .sav from pyreadstat cannot hold (multiple-response sets, weight);
* for Excel, one workbook: the interviews, one sheet per repeat group, and the codebook.

If writing fails half-way, the files already written by this export are removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from surveykit.errors import ErrorCode, ExportError, Location, Report, Severity, Translated
from surveykit.exchange import writers
from surveykit.exchange.attachments import Attachments, write_attachments
from surveykit.exchange.metadata import ExportMetadata, Role, build_metadata, meta_columns_in
from surveykit.exchange.prepare import Target, check_table, prepare_table, repeat_keys
from surveykit.exchange.pseudonyms import PSEUDONYMISED_COLUMNS, Scope, pseudonym_key
from surveykit.exchange.pseudonyms import pseudonymise as _pseudonymise
from surveykit.questionnaire.compiled import Form, compile_form
from surveykit.questionnaire.model import Questionnaire

if TYPE_CHECKING:
    from surveykit.store import Store

__all__ = [
    "EXPORT_FORMATS",
    "ExportResult",
    "export_frames",
    "export_interviews",
    "output_paths",
    "read_interviews",
]

EXPORT_FORMATS = ("sav", "dta", "csv", "xlsx", "parquet")
_VALUE_MODES = ("labels", "codes", "names")


@dataclass
class ExportResult:
    """What an export wrote."""

    format: str
    files: list[Path]
    metadata: ExportMetadata
    rows: dict[str, int]  # table name -> rows written
    report: Report  # warnings: labels cut to the format's limits, columns written empty
    pseudonymised: bool
    frames: dict[str | None, pd.DataFrame] = field(
        default_factory=dict, repr=False
    )  # as exported (canonical)
    attachments: Attachments | None = None  # files answering file questions, beside the data

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "files": [str(p) for p in self.files],
            "rows": self.rows,
            "pseudonymised": self.pseudonymised,
            "language": self.metadata.language,
            "questionnaire": self.metadata.questionnaire,
            "problems": self.report.to_dicts(),
            "attachments": None
            if self.attachments is None
            else {
                "folder": str(self.attachments.folder),
                "manifest": str(self.attachments.manifest),
                "files": self.attachments.files,
                "missing": self.attachments.missing,
            },
        }


def _format_of(path: Path, format: str | None) -> str:
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise ExportError(
            ErrorCode.EXPORT_FORMAT_UNSUPPORTED,
            Location(file=str(path)),
            format=fmt,
            supported=", ".join(EXPORT_FORMATS),
        )
    return fmt


def output_paths(path: str | Path, format: str, repeats: Sequence[str]) -> dict[str | None, Path]:
    """Where each table goes: the interviews at ``path`` (suffix set to the format), each repeat beside it."""
    main = Path(path)
    if main.suffix.lower() != f".{format}":
        main = (
            main.with_name(main.name + f".{format}") if main.suffix == "" else main.with_suffix(f".{format}")
        )
    out: dict[str | None, Path] = {None: main}
    if format != "xlsx":
        for repeat in repeats:
            out[repeat] = main.with_name(f"{main.stem}_{repeat}{main.suffix}")
    return out


def _forms(questionnaire: Questionnaire | Form | Sequence[Form]) -> list[Form]:
    if isinstance(questionnaire, Questionnaire):
        return [compile_form(questionnaire)]
    if isinstance(questionnaire, Form):
        return [questionnaire]
    return list(questionnaire)


def export_frames(
    questionnaire: Questionnaire | Form | Sequence[Form],
    frame: pd.DataFrame,
    path: str | Path,
    *,
    repeats: Mapping[str, pd.DataFrame] | None = None,
    format: str | None = None,
    language: str | None = None,
    pseudonymise: bool | None = None,
    pseudonym_scope: Scope = "project",
    pseudonym_key_bytes: bytes | None = None,
    values: str = "labels",
    excel: bool = False,
    separator: str | None = None,
) -> ExportResult:
    """Write canonical frames (one row per interview; repeat frames from the store or from validation).

    ``format``: sav, dta, csv, xlsx or parquet (default: from the suffix of ``path``). ``language``: of the
    labels (default: the questionnaire's). ``pseudonymise``: replace interviewer ids (default: the setting
    ``pseudonymise_exports``); ``pseudonym_scope`` "project" (stable) or "export" (fresh key);
    ``pseudonym_key_bytes`` gives the key directly. ``values`` (CSV, Excel, Parquet): single choices as
    their ``labels`` in ``language``, numeric ``codes`` or choice ``names``. ``excel`` (CSV): a file Excel opens
    correctly (BOM, ``;`` and decimal comma where the language's Excel expects them); ``separator`` forces one.
    """
    from surveykit.config import settings

    path = Path(path)
    fmt = _format_of(path, format)
    if values not in _VALUE_MODES:
        raise ExportError(
            ErrorCode.OPTION_CONFLICT,
            Location(field="values"),
            detail=f"values='{values}' is not known",
            fix=f"Use one of: {', '.join(_VALUE_MODES)}.",
        )
    forms = _forms(questionnaire)
    repeats = dict(repeats or {})
    frame = frame.reset_index(drop=True)
    duplicated = [str(c) for c in frame.columns[frame.columns.duplicated()]]
    if duplicated:  # e.g. a question named like a meta column (`period`) in a frame from the store
        raise ExportError(ErrorCode.EXPORT_NAME_CLASH, Location(field=duplicated[0]), name=duplicated[0])
    if repeats and "interview_id" not in frame.columns:
        frame = frame.copy()
        frame.insert(0, "interview_id", [str(i) for i in range(1, len(frame) + 1)])
    meta_columns = meta_columns_in(list(frame.columns), forms)
    metadata = build_metadata(forms, language, meta_columns=meta_columns)
    report = Report(subject=str(path))
    _report_renamed(metadata, report)
    for code in repeats:
        if code not in metadata.tables:
            report.add(
                ErrorCode.ANSWER_UNKNOWN_QUESTION,
                Location(sheet=code),
                Severity.WARNING,
                code=code,
                suggestion="",
            )
    do_pseudonymise = settings().pseudonymise_exports if pseudonymise is None else bool(pseudonymise)
    if do_pseudonymise:
        key = pseudonym_key_bytes or pseudonym_key(pseudonym_scope)
        replaced = {c: _pseudonymise(frame[c], key) for c in PSEUDONYMISED_COLUMNS if c in frame.columns}
        frame = frame.assign(**replaced)  # copy-on-write: the other columns are not copied
    target: Target = fmt if fmt in ("sav", "dta") else values  # type: ignore[assignment]
    frames: dict[str | None, pd.DataFrame] = {None: frame}
    frames.update(
        {code: table.reset_index(drop=True) for code, table in repeats.items() if code in metadata.tables}
    )
    for repeat, data in frames.items():
        check_table(metadata.tables[repeat], data, report, target=target)
    if report.errors:
        report.subject = f"{path}: nothing written"
        report.raise_if_errors(ExportError)
    prepared = _prepare_all(metadata, frames, fmt, target, report)
    paths = output_paths(path, fmt, [r for r in frames if r is not None])
    written: list[Path] = []
    try:
        _write(
            metadata, frames, prepared, paths, fmt, written, excel=excel, separator=separator, report=report
        )
    except BaseException:
        for done in written:
            done.unlink(missing_ok=True)
        raise
    return ExportResult(
        format=fmt,
        files=written,
        metadata=metadata,
        rows={metadata.tables[r].name: len(f) for r, f in frames.items()},
        report=report,
        pseudonymised=do_pseudonymise,
        frames=frames,
    )


def _report_renamed(metadata: ExportMetadata, report: Report) -> None:
    """Every name that differs from the question code or the name it would have had (SK709, info)."""
    for table in metadata.tables.values():
        for original, name in table.renamed.items():
            report.add(
                ErrorCode.EXPORT_NAME_SHORTENED,
                Location(sheet=table.name, field=name),
                Severity.INFO,
                original=original,
                name=name,
                reason=table.reasons.get(name, ""),
            )


def _prepare_all(
    metadata: ExportMetadata,
    frames: Mapping[str | None, pd.DataFrame],
    fmt: str,
    target: Target,
    report: Report,
) -> dict[str | None, pd.DataFrame]:
    prepared: dict[str | None, pd.DataFrame] = {}
    keyed: dict[str | None, pd.DataFrame] = {}
    for repeat in metadata.tables:  # parents first: nested repeats take their parent's keys
        if repeat not in frames:
            continue
        table = metadata.tables[repeat]
        view = metadata.view(fmt, repeat) if fmt in ("sav", "dta") else None  # type: ignore[arg-type]
        if view is not None:
            for variable, what, text in view.cut:
                report.add(
                    ErrorCode.EXPORT_VALUE_INVALID,
                    Location(sheet=table.name, field=variable),
                    Severity.INFO,
                    detail=Translated(
                        en=f"the {what} label was cut to the {fmt} limit: {text!r}",
                        ru=f"метка ({what}) обрезана до предела формата {fmt}: {text!r}",
                    ),
                    fix=Translated(
                        en="The full text is in the codebook.", ru="Полный текст — в кодовой книге."
                    ),
                )
        keys = repeat_keys(table, frames[repeat], keyed) if repeat is not None else None
        data = prepare_table(table, frames[repeat], target, view=view, keys=keys)
        prepared[repeat] = data
        keyed[repeat] = pd.DataFrame(
            {v.name: np.asarray(data[v.name]) for v in table.variables if v.role is Role.KEY}
        )
    return prepared


def _write(
    metadata: ExportMetadata,
    frames: Mapping[str | None, pd.DataFrame],
    prepared: Mapping[str | None, pd.DataFrame],
    paths: Mapping[str | None, Path],
    fmt: str,
    written: list[Path],
    *,
    excel: bool,
    separator: str | None,
    report: Report,
) -> None:
    main = paths[None]
    try:
        main.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(
            ErrorCode.EXPORT_WRITE_FAILED, Location(file=str(main)), path=str(main), detail=str(err)
        ) from err
    if fmt == "xlsx":
        from surveykit.exchange.codebook import build_codebook

        sheets = []
        for repeat, data in prepared.items():
            table = metadata.tables[repeat]
            sheets.append((table.name, data, [v.storage for v in table.variables]))
        codebook = build_codebook(metadata, frames)
        for name, data in codebook.sheets():
            sheets.append((name, data, None))
        written.append(main)
        report.extend(writers.write_xlsx(main, sheets))
        return
    for repeat, data in prepared.items():
        table = metadata.tables[repeat]
        target = paths[repeat]
        written.append(target)
        if fmt == "sav":
            report.extend(writers.write_sav(data, target, metadata.view("sav", repeat)))
            syntax = writers.spss_syntax(metadata, table, target.name)
            if syntax is not None:
                sps = target.with_suffix(".sps")
                written.append(sps)
                writers.write_text(sps, syntax)
        elif fmt == "dta":
            report.extend(writers.write_dta(data, target, metadata.view("dta", repeat)))
        elif fmt == "csv":
            report.extend(
                writers.write_csv(
                    table, data, target, language=metadata.language, excel=excel, separator=separator
                )
            )
        else:
            writers.write_parquet(data, target, writers.metadata_dict(metadata, table))


def read_interviews(
    store: Store,
    questionnaire: str,
    *,
    version: str | None = None,
    status: Sequence[str] | None = ("submitted", "approved"),
    period: str | None = None,
    institution_ids: Sequence[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    practice: bool | None = False,
) -> tuple[list[Form], pd.DataFrame, dict[str, pd.DataFrame]]:
    """The forms (newest version first), the interviews frame and every repeat frame of ``questionnaire``
    (``"id"`` or ``"id@version"``), filtered as :meth:`Store.interviews_frame`."""
    questionnaire_id, _, key_version = questionnaire.partition("@")
    version = version or key_version or None
    if version is not None:
        forms = [store.form(questionnaire_id, version)]
    else:  # every published version, newest first: the frame holds the union of their variables
        published = store.versions(questionnaire_id) or [store.version(questionnaire_id)]
        forms = [store.form(questionnaire_id, v.version) for v in reversed(published)]
    filters: dict[str, Any] = {
        "version": version,
        "status": status,
        "period": period,
        "institution_ids": institution_ids,
        "since": since,
        "until": until,
        "practice": practice,
    }
    frame = store.interviews_frame(questionnaire_id, **filters)
    repeats = {
        code: store.repeat_frame(questionnaire_id, code, **filters)
        for code in dict.fromkeys(r for f in forms for r in f.repeats)
    }
    return forms, frame, repeats


def export_interviews(
    store: Store,
    questionnaire: str,
    path: str | Path,
    *,
    format: str | None = None,
    language: str | None = None,
    version: str | None = None,
    status: Sequence[str] | None = ("submitted", "approved"),
    period: str | None = None,
    institution_ids: Sequence[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    practice: bool | None = False,
    pseudonymise: bool | None = None,
    pseudonym_scope: Scope = "project",
    values: str = "labels",
    excel: bool = False,
    separator: str | None = None,
) -> ExportResult:
    """Export the interviews of ``questionnaire`` (``"id"`` or ``"id@version"``) from the store; every repeat
    group as its own keyed table. Filters as :meth:`Store.interviews_frame`. Other options: :func:`export_frames`."""
    forms, frame, repeats = read_interviews(
        store,
        questionnaire,
        version=version,
        status=status,
        period=period,
        institution_ids=institution_ids,
        since=since,
        until=until,
        practice=practice,
    )
    result = export_frames(
        forms,
        frame,
        path,
        repeats=repeats,
        format=format,
        language=language,
        pseudonymise=pseudonymise,
        pseudonym_scope=pseudonym_scope,
        values=values,
        excel=excel,
        separator=separator,
    )
    # photos, recordings and documents: beside the data, named as the data names them, with a manifest
    result.attachments = write_attachments(
        store, forms, frame, repeats, path, pseudonymised=result.pseudonymised
    )
    return result
