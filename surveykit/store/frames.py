"""Reading for analysis: interviews as canonical pandas frames, paradata and the audit log as frames.

Built vectorised: one query for the interviews' meta, one for their answers, then a pivot in pandas through
:mod:`surveykit.store.codec` (no loop over interviews). Practice interviews never mix with real ones:
``practice=False`` (the default) reads real interviews only, ``practice=True`` practice ones only.

When the selected interviews come from several versions of a questionnaire, each version's answers are read
with that version's form; the columns are the union (newest version's order first) and the categories of
a single-choice column are the union of the versions' choice names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Select, select
from sqlalchemy.engine import Connection

from surveykit.errors import ErrorCode, NotFoundError, did_you_mean
from surveykit.questionnaire import names
from surveykit.questionnaire.frame import to_canonical
from surveykit.store.catalog import Catalog
from surveykit.store.codec import ROW_COLUMNS, Levels, canonical_frame, empty_working, levels_from_rows
from surveykit.store.engine import Database
from surveykit.store.schema import answers, audit_log, interviews, paradata
from surveykit.store.schema import questionnaire_versions as qv

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "META_COLUMNS",
    "Selection",
    "VersionPart",
    "audit_frame",
    "interviews_frame",
    "meta_frame",
    "paradata_frame",
    "read_frames",
    "repeat_frame",
]

#: the meta columns of an interviews frame, in order (the interview record's fields the store keeps)
META_COLUMNS = tuple(
    c for c in names.META_COLUMNS if c not in ("questionnaire_id", "assignment_id", "weight")
)


@dataclass(frozen=True)
class Selection:
    """Which interviews to read (``since``/``until`` compare with ``started_at``; ``until`` is exclusive)."""

    questionnaire_id: str
    version: str | None = None
    status: Sequence[str] | None = ("submitted", "approved")
    period: str | None = None
    institution_ids: Sequence[str] | None = None
    interviewer_ids: Sequence[str] | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    practice: bool | None = False

    def where(self, query: Select) -> Select:
        i = interviews
        query = query.where(i.c.questionnaire_id == self.questionnaire_id)
        if self.version is not None:
            query = query.where(qv.c.version == self.version)
        if self.status is not None:
            statuses = [self.status] if isinstance(self.status, str) else list(self.status)
            query = query.where(i.c.status.in_(statuses))
        if self.period is not None:
            query = query.where(i.c.period == self.period)
        if self.institution_ids is not None:
            query = query.where(i.c.institution_id.in_(list(self.institution_ids)))
        if self.interviewer_ids is not None:
            query = query.where(i.c.interviewer_id.in_(list(self.interviewer_ids)))
        if self.since is not None:
            query = query.where(i.c.started_at >= self.since)
        if self.until is not None:
            query = query.where(i.c.started_at < self.until)
        if self.practice is not None:
            query = query.where(i.c.practice.is_(bool(self.practice)))
        return query


_JOIN = interviews.join(qv, qv.c.id == interviews.c.questionnaire_version_id)


def _frame(conn: Connection, query: Select) -> pd.DataFrame:
    import pandas as pd

    result = conn.execute(query)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


@dataclass
class VersionPart:
    """The selected interviews of one questionnaire version: their levels and, per level, the interview id
    and the instance path of each row."""

    version_id: int
    levels: Levels
    keys: dict[str | None, tuple[np.ndarray, np.ndarray]]


def read_frames(
    db: Database, catalog: Catalog, selection: Selection, *, repeats: bool = True
) -> tuple[pd.DataFrame, list[VersionPart]]:
    """The meta frame of the selected interviews (ordered by start) and their answers, per version."""
    import pandas as pd

    catalog.version(selection.questionnaire_id, selection.version)  # SK503 when not published
    meta_query = selection.where(
        select(
            interviews.c.id.label("interview_id"),
            interviews.c.questionnaire_version_id,
            qv.c.version.label("questionnaire_version"),
            *(interviews.c[c] for c in META_COLUMNS[2:]),
        ).select_from(_JOIN)
    ).order_by(interviews.c.started_at, interviews.c.id)
    rows_query = selection.where(
        select(*(answers.c[c] for c in ROW_COLUMNS)).select_from(
            answers.join(_JOIN, answers.c.interview_id == interviews.c.id)
        )
    )
    if not repeats:
        rows_query = rows_query.where(answers.c.path == "")
    with db.read() as conn:
        meta = _frame(conn, meta_query)
        rows = _frame(conn, rows_query)
    parts: list[VersionPart] = []
    version_of = meta["questionnaire_version_id"].to_numpy() if len(meta) else np.zeros(0, dtype=np.int64)
    if len(rows):
        row_version = pd.Series(version_of, index=meta["interview_id"].to_numpy(dtype=object))
        rows_version = row_version.reindex(rows["interview_id"].to_numpy(dtype=object)).to_numpy()
    for version_id in sorted(set(version_of.tolist())):
        form = catalog.form(int(version_id))
        ids = meta.loc[version_of == version_id, "interview_id"].to_numpy(dtype=object)
        part = rows[rows_version == version_id] if len(rows) else rows
        levels, keys = levels_from_rows(form, part, ids)
        parts.append(VersionPart(int(version_id), levels, keys))
    if not parts:  # no interviews: the columns of the chosen (or newest) version
        published = catalog.version(selection.questionnaire_id, selection.version)
        levels, keys = levels_from_rows(catalog.form(published.id), rows, np.empty(0, dtype=object))
        parts.append(VersionPart(published.id, levels, keys))
    return meta, parts


def meta_frame(meta: pd.DataFrame) -> pd.DataFrame:
    """The meta columns of :data:`META_COLUMNS` in order, times as UTC datetimes, flags as bool."""
    import pandas as pd

    out = pd.DataFrame(index=pd.RangeIndex(len(meta)))
    for column in META_COLUMNS:
        values = meta[column] if column in meta else pd.Series([None] * len(meta))
        values = values.reset_index(drop=True)
        if column in ("started_at", "submitted_at"):
            out[column] = pd.to_datetime(values, utc=True).astype("datetime64[us, UTC]")
        elif column in ("proxy", "practice"):
            out[column] = values.astype(bool)
        else:
            out[column] = values.astype(object).where(values.notna(), None)
    return out


def _combine(catalog: Catalog, parts: list[tuple[int, pd.DataFrame]], level: str | None) -> pd.DataFrame:
    """Stack per-version frames into one, with the union of columns and of categories."""
    import pandas as pd

    if len(parts) == 1:
        return parts[0][1]
    variables: dict[str, object] = {}
    for version_id in sorted(
        (p[0] for p in parts), reverse=True
    ):  # newest first: its order and definitions win
        for var in catalog.form(version_id).variables_of(level):
            variables.setdefault(var.code, var)
    pieces = []
    for _version, frame in parts:
        frame = frame.copy()
        for code, var in variables.items():
            if code not in frame.columns:
                frame[code] = to_canonical(var, empty_working(var, len(frame)))
        pieces.append(frame)
    columns = [c for c in pieces[0].columns if c.startswith("_")] + list(variables)
    out = {}
    for code in columns:
        series = [p[code].reset_index(drop=True) for p in pieces]
        if all(isinstance(s.dtype, pd.CategoricalDtype) for s in series):
            out[code] = pd.Series(pd.api.types.union_categoricals(series, ignore_order=True))
        else:
            out[code] = pd.concat(series, ignore_index=True)
    return pd.DataFrame(out)


def interviews_frame(db: Database, catalog: Catalog, selection: Selection) -> pd.DataFrame:
    """One row per interview: the meta columns, then one column per variable (canonical dtypes)."""
    import pandas as pd

    meta, per_version = read_frames(db, catalog, selection, repeats=False)
    order: list[np.ndarray] = []
    parts = []
    for part in per_version:
        order.append(part.keys[None][0])
        parts.append((part.version_id, canonical_frame(catalog.form(part.version_id), part.levels, None)))
    data = _combine(catalog, parts, None)
    ids = np.concatenate(order) if order else np.empty(0, dtype=object)
    # back to the meta order (by started_at)
    position = pd.Index(ids).get_indexer(meta["interview_id"].to_numpy(dtype=object)) if len(meta) else []
    data = data.iloc[position].reset_index(drop=True) if len(meta) else data.iloc[0:0]
    return pd.concat([meta_frame(meta), data], axis=1)


def repeat_frame(db: Database, catalog: Catalog, selection: Selection, repeat: str) -> pd.DataFrame:
    """One row per instance of the repeat group ``repeat``: ``interview_id``, ``_index`` (1-based instance
    number within its parent), ``_path`` (e.g. ``relatives[2]``, ``a[1]/b[3]``), then its variables."""
    import pandas as pd

    meta, per_version = read_frames(db, catalog, selection)
    known = {code for part in per_version for code in catalog.form(part.version_id).repeats}
    if repeat not in known:
        raise NotFoundError(
            ErrorCode.NOT_FOUND,
            entity="repeat group",
            key=repeat,
            suggestion=did_you_mean(repeat, sorted(known)),
        )
    parts = []
    keys = []
    for part in per_version:
        form = catalog.form(part.version_id)
        if repeat not in form.repeats:
            continue
        ids, paths = part.keys[repeat]
        keys.append(pd.DataFrame({"interview_id": ids, "_path": paths}))
        parts.append((part.version_id, canonical_frame(form, part.levels, repeat)))
    data = _combine(catalog, parts, repeat).drop(columns=["_parent"])
    key_frame = (
        pd.concat(keys, ignore_index=True) if keys else pd.DataFrame({"interview_id": [], "_path": []})
    )
    # the order of the interviews frame: by interview start, then by path within an interview
    rank = pd.Series(np.arange(len(meta)), index=meta["interview_id"].to_numpy(dtype=object))
    data.insert(0, "interview_id", key_frame["interview_id"].astype(object).to_numpy())
    data.insert(2, "_path", key_frame["_path"].astype(object).to_numpy())
    data["_rank"] = rank.reindex(data["interview_id"].to_numpy()).to_numpy()
    data = data.sort_values(["_rank", "_path"], kind="stable").drop(columns="_rank").reset_index(drop=True)
    data["_index"] = data["_index"].astype("int64")
    return data


def paradata_frame(
    db: Database,
    *,
    questionnaire_id: str | None = None,
    interview_ids: Sequence[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    practice: bool | None = False,
) -> pd.DataFrame:
    """Paradata events with the interview's questionnaire, interviewer, institution and mode."""
    import pandas as pd

    query = select(
        paradata.c.interview_id,
        paradata.c.seq,
        paradata.c.event,
        paradata.c.question,
        paradata.c.old_value,
        paradata.c.new_value,
        paradata.c.at,
        paradata.c.elapsed_ms,
        paradata.c.page,
        paradata.c.detail,
        interviews.c.questionnaire_id,
        interviews.c.interviewer_id,
        interviews.c.institution_id,
        interviews.c.mode,
        interviews.c.practice,
    ).select_from(paradata.join(interviews, interviews.c.id == paradata.c.interview_id))
    if questionnaire_id is not None:
        query = query.where(interviews.c.questionnaire_id == questionnaire_id)
    if interview_ids is not None:
        query = query.where(paradata.c.interview_id.in_(list(interview_ids)))
    if since is not None:
        query = query.where(paradata.c.at >= since)
    if until is not None:
        query = query.where(paradata.c.at < until)
    if practice is not None:
        query = query.where(interviews.c.practice.is_(bool(practice)))
    with db.read() as conn:
        frame = _frame(conn, query.order_by(paradata.c.interview_id, paradata.c.seq))
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["elapsed_ms"] = frame["elapsed_ms"].astype("Int64")
    return frame


def audit_frame(
    db: Database,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> pd.DataFrame:
    """Audit entries, oldest first."""
    import pandas as pd

    query = select(audit_log)
    for column, value in (("entity", entity), ("entity_id", entity_id), ("actor", actor), ("action", action)):
        if value is not None:
            query = query.where(audit_log.c[column] == str(value))
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if until is not None:
        query = query.where(audit_log.c.at < until)
    with db.read() as conn:
        frame = _frame(conn, query.order_by(audit_log.c.id))
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame
