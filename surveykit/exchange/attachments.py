"""Files answering image, audio, video and file questions, written beside exported data.

An export of ``survey.sav`` whose questionnaire has file questions also writes the folder ``survey_files/``:
each stored file once, under the name the data holds (``<sha256>.<ext>``, so a cell of the data names its
file), and ``manifest.csv`` with one row per answer: ``interview_id``, ``repeat`` and ``instance`` (empty for
the main table), ``variable``, ``file`` (the path relative to the data file), ``media_type``, ``size``,
``sha256`` and ``status`` (``ok``, or ``missing`` when the answer names a file the store does not hold, e.g.
an imported Kobo export whose media were not brought in). The uploaded file name is listed only when the
export is not pseudonymised: a name such as ``Ivanova_passport.jpg`` can identify a person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from surveykit.errors import ErrorCode, ExportError, Location
from surveykit.questionnaire.compiled import Form
from surveykit.spreadsheet import csv_rows_text

if TYPE_CHECKING:
    from surveykit.store.facade import Store

__all__ = ["Attachments", "MANIFEST_COLUMNS", "write_attachments"]

MANIFEST_COLUMNS = (
    "interview_id",
    "repeat",
    "instance",
    "variable",
    "file",
    "original_name",
    "media_type",
    "size",
    "sha256",
    "status",
)


@dataclass(frozen=True)
class Attachments:
    """What :func:`write_attachments` wrote: the folder, its manifest, files written, answers without a file."""

    folder: Path
    manifest: Path
    files: int
    missing: int


def write_attachments(
    store: Store,
    forms: Sequence[Form],
    frame: pd.DataFrame,
    repeats: Mapping[str, pd.DataFrame],
    data_path: str | Path,
    *,
    pseudonymised: bool,
) -> Attachments | None:
    """Write the files the exported answers name into ``<data stem>_files/`` with ``manifest.csv``; None when
    the questionnaire has no file question or no interview answered one."""
    media = {code for form in forms for code, var in form.variables.items() if var.type.is_media}
    wanted: list[tuple[str, str, str, str, str]] = []  # interview, repeat, instance, variable, name
    for repeat, table in ((None, frame), *repeats.items()):
        if "interview_id" not in table.columns:
            continue
        columns = [c for c in table.columns if c in media]
        for column in columns:
            for row, name in enumerate(table[column].tolist()):
                if isinstance(name, str) and name:
                    instance = str(int(table["_index"].iloc[row])) if repeat and "_index" in table else ""
                    wanted.append(
                        (str(table["interview_id"].iloc[row]), repeat or "", instance, column, name)
                    )
    if not wanted:
        return None
    data_path = Path(data_path)
    folder = data_path.with_name(f"{data_path.stem}_files")
    manifest = folder / "manifest.csv"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stored = {}
        for file in store.files.of(sorted({w[0] for w in wanted})):
            key = (file.interview_id, file.name)
            stored[key] = file
            target = folder / file.name  # <sha256>.<ext>: made by the store, never from user text
            if not target.exists():
                target.write_bytes(file.content or b"")
            stored[key] = replace(file, content=None)  # keep no content in memory
        missing = 0
        rows = []
        for interview, repeat, instance, variable, name in wanted:
            file = stored.get((interview, name))
            if file is None:
                missing += 1
                rows.append([interview, repeat, instance, variable, "", "", "", "", "", "missing"])
                continue
            rows.append(
                [
                    interview,
                    repeat,
                    instance,
                    variable,
                    f"{folder.name}/{file.name}",
                    "" if pseudonymised else (file.original_name or ""),
                    file.media_type,
                    file.size,
                    file.sha256,
                    "ok",
                ]
            )
        # uploaded file names are text people chose: guarded like every CSV cell (surveykit.spreadsheet)
        manifest.write_text(csv_rows_text(MANIFEST_COLUMNS, rows), encoding="utf-8", newline="")
    except OSError as err:
        raise ExportError(
            ErrorCode.EXPORT_WRITE_FAILED, Location(file=str(folder)), path=str(folder), detail=str(err)
        ) from err
    written = len({n for (_, n) in stored})
    return Attachments(folder, manifest, written, missing)
