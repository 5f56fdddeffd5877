"""Where council outputs read their data: a response store, or a mapping of canonical frames.

:func:`as_source` turns either into a :class:`DataSource` with one small interface, so the dashboard, the
reports, the tests and the benchmark run the same code whether the data come from a database or from frames
built in memory:

* ``frames(questionnaire_ids)``: canonical frames (one row per interview or checklist), read once and cached;
* ``institutions()``: ``institution_id``, ``name``, ``type``, ``region``, ``municipality``;
* ``assignments()``: fieldwork targets with what is done (``interviewer_id``, ``institution_id``,
  ``questionnaire_id``, ``period``, ``target``, ``done``) and ``interviewers()``: id -> display name;
* ``contact_cases()``: one row per fieldwork case with its final AAPOR outcome (``institution_id``, ``period``,
  ``mode``, ``final``, ``category``; no interviewer): the response rates of :mod:`surveykit.dashboard.fieldwork`;
* ``open_answer_reviews()``: the reviews of open answers (``interview_id``, ``question``, ``status``,
  ``published_text``): what may be published is decided in :mod:`surveykit.dashboard.privacy`;
* ``questionnaire(id)``: for labels (the published version from a store, else the shipped file);
* ``snapshot()``: when the data were read and a content hash of everything read, for the method section.

A mapping source holds questionnaire frames under their questionnaire ids and the tables under the keys in
:data:`TABLE_KEYS`; every key is optional.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from surveykit.errors import ErrorCode, Location, NotFoundError, QuestionnaireError, SurveykitError
from surveykit.questionnaire.model import Questionnaire

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "CONTACT_CASE_COLUMNS",
    "INSTITUTION_COLUMNS",
    "REVIEW_COLUMNS",
    "TABLE_KEYS",
    "DataSource",
    "FramesSource",
    "Snapshot",
    "StoreSource",
    "as_source",
]

#: keys of a mapping source that are tables, not questionnaire frames
TABLE_KEYS = ("institutions", "assignments", "open_answer_reviews", "interviewers", "contact_cases")
#: the fieldwork cases councils' figures are made from: one row per case, its final AAPOR outcome; never who
CONTACT_CASE_COLUMNS = ("institution_id", "period", "mode", "final", "category")
INSTITUTION_COLUMNS = ("institution_id", "name", "type", "region", "municipality")
ASSIGNMENT_COLUMNS = ("interviewer_id", "institution_id", "questionnaire_id", "period", "target", "done")
REVIEW_COLUMNS = ("interview_id", "question", "status", "published_text")


@dataclass(frozen=True)
class Snapshot:
    """What the outputs were computed from: when it was read, a SHA-256 over every frame read (rows in
    interview order, all columns), and the number of rows per questionnaire."""

    taken_at: dt.datetime
    content_hash: str
    rows: Mapping[str, int]
    origin: str

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


@runtime_checkable
class DataSource(Protocol):
    origin: str

    def frames(self, questionnaire_ids: Iterable[str]) -> dict[str, pd.DataFrame]: ...
    def institutions(self) -> pd.DataFrame: ...
    def assignments(self) -> pd.DataFrame: ...
    def interviewers(self) -> dict[str, str]: ...
    def open_answer_reviews(self) -> pd.DataFrame: ...
    def questionnaire(self, questionnaire_id: str) -> Questionnaire | None: ...
    def snapshot(self) -> Snapshot: ...
    def rating_inputs(self, profile: Any) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame | None]: ...


def _empty(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})


def _with_columns(frame: pd.DataFrame | None, columns: Iterable[str]) -> pd.DataFrame:
    if frame is None:
        return _empty(columns)
    out = frame.copy()
    for column in columns:
        if column not in out.columns:
            out[column] = None
    return out


def _frame_hash(frame: pd.DataFrame) -> bytes:
    """A stable digest of a frame's content (column names, then the rows as pandas hashes them)."""
    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, frame.columns)).encode("utf-8"))
    if len(frame):
        order = frame.sort_values("interview_id").index if "interview_id" in frame.columns else frame.index
        hashed = pd.util.hash_pandas_object(frame.loc[order].astype(str), index=False)
        digest.update(np.asarray(hashed, dtype=np.uint64).tobytes())
    return digest.digest()


class _Cached:
    """Frames read once and kept; the snapshot hashes what was read."""

    origin = ""

    def __init__(self) -> None:
        self._frames: dict[str, pd.DataFrame | None] = {}
        self._taken_at = dt.datetime.now(dt.UTC)
        self._questionnaires: dict[str, Questionnaire | None] = {}

    def _read(self, questionnaire_id: str) -> pd.DataFrame | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def frames(self, questionnaire_ids: Iterable[str]) -> dict[str, pd.DataFrame]:
        out = {}
        for qid in questionnaire_ids:
            if qid not in self._frames:
                self._frames[qid] = self._read(qid)
            if self._frames[qid] is not None:
                out[qid] = self._frames[qid]
        return out

    def rating_inputs(self, profile: Any) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame | None]:
        """What :func:`surveykit.scoring.rate` is given for ``profile``, the one home of that selection: the
        frames of its sources and the institutions, both without the institutions of unrated types and their
        interviews (:mod:`surveykit.institution_types`: the trainees' practice institution is never rated), and
        the campaign's sample targets (an institution below its target is warned about: SK553), ``None`` for a
        source without a campaign."""
        from surveykit.institution_types import rated_sources

        frames, institutions = rated_sources(self.frames(profile.sources), self.institutions())
        targets = getattr(self, "sample_targets", None)
        return frames, institutions, targets(profile.respondents_source) if targets is not None else None

    def questionnaire(self, questionnaire_id: str) -> Questionnaire | None:
        if questionnaire_id not in self._questionnaires:
            self._questionnaires[questionnaire_id] = self._load_questionnaire(questionnaire_id)
        return self._questionnaires[questionnaire_id]

    def _load_questionnaire(self, questionnaire_id: str) -> Questionnaire | None:
        return shipped_questionnaire(questionnaire_id)

    def snapshot(self) -> Snapshot:
        digest = hashlib.sha256()
        rows = {}
        for qid in sorted(k for k, v in self._frames.items() if v is not None):
            frame = self._frames[qid]
            assert frame is not None
            digest.update(qid.encode("utf-8"))
            digest.update(_frame_hash(frame))
            rows[qid] = len(frame)
        return Snapshot(self._taken_at, digest.hexdigest(), rows, self.origin)


def shipped_questionnaire(questionnaire_id: str) -> Questionnaire | None:
    """The questionnaire shipped in ``questionnaires/<id>.yaml`` (None when there is none); read once per
    version of the file."""
    from surveykit.config import settings

    path = Path(settings().questionnaires_dir) / f"{questionnaire_id}.yaml"
    if not path.exists():
        return None
    return _read_questionnaire(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _read_questionnaire(path: str, mtime_ns: int) -> Questionnaire | None:
    from surveykit.questionnaire.io import load_questionnaire

    try:
        return load_questionnaire(path)
    except QuestionnaireError:
        return None


class FramesSource(_Cached):
    """Canonical frames in memory (tests, notebooks, the benchmark); see the module docstring for the keys."""

    def __init__(
        self,
        frames: Mapping[str, pd.DataFrame],
        *,
        questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None = None,
        origin: str = "frames",
        taken_at: dt.datetime | None = None,
    ) -> None:
        super().__init__()
        self.origin = origin
        if taken_at is not None:  # a snapshot read earlier (the batch): keep when it was read
            self._taken_at = taken_at
        self._given = dict(frames)
        if questionnaires is not None:
            items = questionnaires.values() if isinstance(questionnaires, Mapping) else questionnaires
            self._questionnaires.update({q.id: q for q in items})

    def _read(self, questionnaire_id: str) -> pd.DataFrame | None:
        frame = self._given.get(questionnaire_id)
        return None if frame is None or questionnaire_id in TABLE_KEYS else frame

    def questionnaire_ids(self) -> list[str]:
        return [k for k in self._given if k not in TABLE_KEYS]

    def institutions(self) -> pd.DataFrame:
        frame = self._given.get("institutions")
        if frame is None:  # the ids found in the frames
            ids = sorted(
                {
                    str(i)
                    for k, f in self._given.items()
                    if k not in TABLE_KEYS
                    for i in f["institution_id"].unique()
                }
            )
            frame = pd.DataFrame({"institution_id": ids, "name": ids})
        out = _with_columns(frame, INSTITUTION_COLUMNS)
        out["institution_id"] = out["institution_id"].astype(str)
        return out

    def assignments(self) -> pd.DataFrame:
        return _with_columns(self._given.get("assignments"), ASSIGNMENT_COLUMNS)

    def interviewers(self) -> dict[str, str]:
        frame = self._given.get("interviewers")
        if frame is None:
            return {}
        return dict(zip(frame["interviewer_id"].astype(str), frame["name"].astype(str), strict=True))

    def open_answer_reviews(self) -> pd.DataFrame:
        return _with_columns(self._given.get("open_answer_reviews"), REVIEW_COLUMNS)

    def contact_cases(self) -> pd.DataFrame:
        return _with_columns(self._given.get("contact_cases"), CONTACT_CASE_COLUMNS)[
            list(CONTACT_CASE_COLUMNS)
        ]


class StoreSource(_Cached):
    """A response store (:class:`surveykit.store.Store`): submitted and approved real interviews only, without
    the interviews quality control excluded (:func:`surveykit.casework.counted_interviews`); ``counted=False``
    reads them all (to show what the exclusions change)."""

    def __init__(self, store: Any, *, counted: bool = True) -> None:
        super().__init__()
        self.store = store
        self.origin = store.url
        self.counted = counted

    def _read(self, questionnaire_id: str) -> pd.DataFrame | None:
        from surveykit.casework import counted_interviews

        try:
            if self.counted:
                return counted_interviews(self.store, questionnaire_id)
            return self.store.interviews_frame(questionnaire_id)
        except NotFoundError:  # not published in this store: a source not carried out
            return None

    def _load_questionnaire(self, questionnaire_id: str) -> Questionnaire | None:
        try:
            return self.store.questionnaire(questionnaire_id)
        except NotFoundError:
            return shipped_questionnaire(questionnaire_id)

    def questionnaire_ids(self) -> list[str]:
        return sorted({v.questionnaire_id for v in self.store.versions()})

    def institutions(self) -> pd.DataFrame:
        rows = [
            {
                "institution_id": i.id,
                "name": i.name,
                "type": i.type,
                "region": i.region,
                "municipality": i.municipality,
            }
            for i in self.store.institutions()
        ]
        return pd.DataFrame(rows, columns=list(INSTITUTION_COLUMNS)) if rows else _empty(INSTITUTION_COLUMNS)

    def assignments(self) -> pd.DataFrame:
        frame = self.store.progress()
        return _with_columns(frame, ASSIGNMENT_COLUMNS)[list(ASSIGNMENT_COLUMNS)]

    def interviewers(self) -> dict[str, str]:
        return {p.id: p.display_name for p in self.store.people()}

    def sample_targets(self, questionnaire_id: str | None = None) -> pd.DataFrame:
        """The campaign's sample targets (``institution_id``, ``period``, ``target``; surveykit.fieldwork)."""
        fieldwork = getattr(self.store, "fieldwork", None)
        rows = [
            {"institution_id": x.institution_id, "period": x.period, "target": x.target}
            for x in (fieldwork.targets(questionnaire_id=questionnaire_id) if fieldwork is not None else [])
        ]
        return pd.DataFrame(rows, columns=["institution_id", "period", "target"])

    def contact_cases(self) -> pd.DataFrame:
        fieldwork = getattr(self.store, "fieldwork", None)
        if fieldwork is None:
            return _empty(CONTACT_CASE_COLUMNS)
        cases = fieldwork.cases_frame()
        return cases[cases["final"].notna()][list(CONTACT_CASE_COLUMNS)].reset_index(drop=True)

    def open_answer_reviews(self) -> pd.DataFrame:
        rows = [
            {
                "interview_id": r.interview_id,
                "question": r.question,
                "status": r.status,
                "published_text": r.published_text,
            }
            for r in self.store.reviews.reviews()
        ]
        return pd.DataFrame(rows, columns=list(REVIEW_COLUMNS)) if rows else _empty(REVIEW_COLUMNS)


def as_source(source: Any) -> DataSource:
    """A :class:`DataSource` from a store, a mapping of frames, or a source (returned as it is)."""
    if isinstance(source, (FramesSource, StoreSource)):
        return source
    if isinstance(source, Mapping):
        return FramesSource(source)
    if hasattr(source, "interviews_frame") and hasattr(source, "institutions"):
        return StoreSource(source)
    if isinstance(source, DataSource):
        return source
    raise SurveykitError(
        ErrorCode.OPTION_CONFLICT,
        Location(field="source"),
        detail=f"cannot read council data from a {type(source).__name__}",
        fix="Pass a Store (Store.open()) or a mapping of canonical frames keyed by questionnaire id.",
    )
