"""Quality-control records: cases opened from flags, back-checks, exclusions from ratings. Storage only;
the rules (which flags open cases, which interviews are back-checked, what a falsification causes) live in
:mod:`surveykit.casework`.

Every change is one transaction with its audit entries (entity ``qc_case``, ``backcheck``, ``exclusion``):

* cases are unique by ``key`` (rule and subject): opening the same flag again leaves the case as it is;
* an interview is back-checked once: queueing skips interviews with a queued or done back-check;
* exclusions are reversible: lifting keeps the row with who, when and why, and an interview can be
  excluded again later (a new row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection

from surveykit.errors import ErrorCode, Location, NotFoundError, StoreError, did_you_mean
from surveykit.store import audit
from surveykit.store.actors import require_actor
from surveykit.store.engine import Database
from surveykit.store.interviews import normalize_uuid
from surveykit.store.records import _from_row
from surveykit.store.schema import (
    BACKCHECK_OUTCOMES,
    BACKCHECK_REASONS,
    backchecks,
    exclusions,
    interviews,
    qc_cases,
    questionnaire_versions,
    utcnow,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Backcheck", "Case", "Casework", "Exclusion"]

CASE_COLUMNS = [c.name for c in qc_cases.columns]
BACKCHECK_COLUMNS = [c.name for c in backchecks.columns] + [
    "questionnaire_id",
    "interviewer_id",
    "institution_id",
    "period",
    "started_at",
]
EXCLUSION_COLUMNS = [c.name for c in exclusions.columns] + [
    "questionnaire_id",
    "interviewer_id",
    "institution_id",
    "period",
]
#: interview statuses whose interviews can be back-checked (real data a rating could count)
COMPLETED = ("submitted", "approved")


@dataclass(frozen=True)
class Case:
    """A quality-control case: one flag of one rule about an interview, an interviewer or an institution."""

    id: int
    key: str
    rule: str
    level: str
    questionnaire_id: str
    interview_id: str | None
    interviewer_id: str | None
    institution_id: str | None
    value: float | None
    threshold: float | None
    detail: str | None
    status: str
    resolution: str | None
    note: str | None
    created_at: dt.datetime
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    #: the words of the flag as a message key and plain parameters (``None`` for cases opened before them):
    #: :func:`surveykit.casework.case_detail` shows them in a UI language, ``detail`` is their English
    message: str | None = None
    detail_params: Mapping[str, Any] | None = field(default=None, hash=False)

    @property
    def subject(self) -> str | None:
        """What the case is about: the interview, interviewer or institution id (by its level)."""
        return {
            "interview": self.interview_id,
            "interviewer": self.interviewer_id,
            "institution": self.institution_id,
        }[self.level]


@dataclass(frozen=True)
class Backcheck:
    """A back-check of one interview: queued, then done with an outcome and the form's answers."""

    id: int
    interview_id: str
    reason: str
    case_id: int | None
    status: str
    method: str | None
    outcome: str | None
    form: Mapping[str, Any] | None
    notes: str | None
    checker_id: str | None
    created_at: dt.datetime
    done_at: dt.datetime | None = None


@dataclass(frozen=True)
class Exclusion:
    """An interview left out of ratings, with who, when and why; ``lifted_at`` once restored."""

    id: int
    interview_id: str
    reason: str
    backcheck_id: int | None
    excluded_by: str | None
    excluded_at: dt.datetime
    lifted_at: dt.datetime | None = None
    lifted_by: str | None = None
    lift_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.lifted_at is None


def _uuid(interview_id: str) -> str:
    key = normalize_uuid(interview_id)
    if key is None:
        raise NotFoundError(ErrorCode.NOT_FOUND, entity="interview", key=str(interview_id), suggestion="")
    return key


def _require_interviews(conn: Connection, ids: Sequence[str]) -> None:
    if not ids:
        return
    found = {r[0] for r in conn.execute(select(interviews.c.id).where(interviews.c.id.in_(list(set(ids)))))}
    for key in ids:
        if key not in found:
            raise NotFoundError(ErrorCode.NOT_FOUND, entity="interview", key=key, suggestion="")


def _with_interview(table: Any) -> Any:
    """``table`` joined with its interview's questionnaire, interviewer, institution and period."""
    qv = questionnaire_versions
    return (
        select(
            table,
            qv.c.questionnaire_id,
            interviews.c.interviewer_id,
            interviews.c.institution_id,
            interviews.c.period,
        )
        .select_from(
            table.join(interviews, interviews.c.id == table.c.interview_id).join(
                qv, qv.c.id == interviews.c.questionnaire_version_id
            )
        )
        .order_by(table.c.id)
    )


class Casework:
    """Cases, back-checks and exclusions of the store (``store.casework``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- cases ------------------------------------------------------------------------------------------------
    def open_cases(self, rows: Iterable[Mapping[str, Any]], *, by: str | None) -> list[Case]:
        """Open a case for each row (keys of :class:`Case`: ``key, rule, level, questionnaire_id``, the subject
        ids, ``value, threshold, detail``, and the words as ``message`` and ``params``, a flag's columns, or
        ``detail_params``) whose ``key`` is not known yet; returns the new cases. Rows with a
        known key (an earlier run of the checks) are left as they are, whatever their status."""
        wanted: dict[str, dict[str, Any]] = {}
        for row in rows:
            wanted.setdefault(str(row["key"]), dict(row))
        if not wanted:
            return []

        def work(conn: Connection) -> list[Case]:
            keys = list(wanted)
            known: set[str] = set()
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                known |= {r[0] for r in conn.execute(select(qc_cases.c.key).where(qc_cases.c.key.in_(chunk)))}
            now = utcnow()
            new = []
            for key, row in wanted.items():
                if key in known:
                    continue
                interview_id = row.get("interview_id")
                new.append(
                    {
                        "key": key,
                        "rule": str(row["rule"]),
                        "level": str(row["level"]),
                        "questionnaire_id": str(row["questionnaire_id"]),
                        "interview_id": _uuid(interview_id) if _present(interview_id) else None,
                        "interviewer_id": _text(row.get("interviewer_id")),
                        "institution_id": _text(row.get("institution_id")),
                        "value": _number(row.get("value")),
                        "threshold": _number(row.get("threshold")),
                        "detail": _text(row.get("detail")),
                        "message": _text(row.get("message")),
                        "detail_params": _params(row.get("params", row.get("detail_params"))),
                        "status": "open",
                        "created_at": now,
                    }
                )
            if not new:
                return []
            _require_interviews(conn, [r["interview_id"] for r in new if r["interview_id"]])
            conn.execute(insert(qc_cases), new)
            opened = [
                Case(**_case_values(r))
                for r in conn.execute(
                    select(qc_cases)
                    .where(qc_cases.c.key.in_([r["key"] for r in new]))
                    .order_by(qc_cases.c.id)
                )
            ]
            audit.record_many(
                conn,
                [
                    {
                        "actor": by,
                        "action": "open",
                        "entity": "qc_case",
                        "entity_id": case.id,
                        "at": now,
                        "details": {"key": case.key, "rule": case.rule, "level": case.level},
                    }
                    for case in opened
                ],
            )
            return opened

        return self.db.write(work, retry_integrity=True)

    def case(self, case_id: int) -> Case:
        """One case (SK503 if unknown)."""
        with self.db.read() as conn:
            row = conn.execute(select(qc_cases).where(qc_cases.c.id == int(case_id))).first()
        if row is None:
            raise NotFoundError(
                ErrorCode.NOT_FOUND, entity="quality-control case", key=str(case_id), suggestion=""
            )
        return Case(**_case_values(row))

    def cases(
        self,
        *,
        status: str | Sequence[str] | None = None,
        questionnaire_id: str | None = None,
        interviewer_id: str | None = None,
        interview_id: str | None = None,
    ) -> pd.DataFrame:
        """Cases as a frame (the columns of ``qc_cases``), oldest first."""
        import pandas as pd

        query = select(qc_cases).order_by(qc_cases.c.id)
        if status is not None:
            query = query.where(qc_cases.c.status.in_([status] if isinstance(status, str) else list(status)))
        if questionnaire_id is not None:
            query = query.where(qc_cases.c.questionnaire_id == questionnaire_id)
        if interviewer_id is not None:
            query = query.where(qc_cases.c.interviewer_id == interviewer_id)
        if interview_id is not None:
            query = query.where(qc_cases.c.interview_id == _uuid(interview_id))
        with self.db.read() as conn:
            return pd.DataFrame(conn.execute(query).all(), columns=CASE_COLUMNS)

    def set_case(
        self,
        case_id: int,
        status: str,
        *,
        by: str | None,
        resolution: str | None = None,
        note: str | None = None,
        expect_open: bool = True,
    ) -> Case:
        """Move a case to ``open``, ``backcheck`` or ``closed`` (with the resolution and note); a closed case is
        refused with SK531 unless ``expect_open`` is False."""

        def work(conn: Connection) -> Case:
            require_actor(conn, by, "deciding a quality-control case")  # SK540: a person of the store
            row = conn.execute(select(qc_cases).where(qc_cases.c.id == int(case_id))).first()
            if row is None:
                raise NotFoundError(
                    ErrorCode.NOT_FOUND, entity="quality-control case", key=str(case_id), suggestion=""
                )
            if expect_open and row.status == "closed":
                raise StoreError(
                    ErrorCode.QC_CASE_CLOSED,
                    Location(field="case", path=f"case #{row.id}"),
                    case=row.id,
                    resolution=row.resolution or "-",
                )
            now = utcnow()
            closing = status == "closed"
            conn.execute(
                update(qc_cases)
                .where(qc_cases.c.id == row.id)
                .values(
                    status=status,
                    resolution=resolution if resolution is not None else row.resolution,
                    note=note if note is not None else row.note,
                    closed_at=now if closing else None,
                    closed_by=by if closing else None,
                )
            )
            audit.record(
                conn,
                actor=by,
                action="decide",
                entity="qc_case",
                entity_id=row.id,
                details={"from": row.status, "to": status, "resolution": resolution, "note": note},
                at=now,
            )
            return Case(**_case_values(conn.execute(select(qc_cases).where(qc_cases.c.id == row.id)).one()))

        return self.db.write(work)

    # --- back-checks -----------------------------------------------------------------------------------------
    def queue_backchecks(self, items: Iterable[tuple[str, str, int | None]], *, by: str | None) -> list[int]:
        """Queue ``(interview_id, reason, case_id)`` back-checks; an interview that already has a queued or done
        back-check (or appears twice) is skipped, so nothing is ever back-checked twice. Returns the new ids."""
        wanted: dict[str, tuple[str, int | None]] = {}
        for interview_id, reason, case_id in items:
            if reason not in BACKCHECK_REASONS:
                raise StoreError(
                    ErrorCode.FIELD_INVALID,
                    Location(field="reason"),
                    field="reason",
                    detail=f"'{reason}' is not a back-check reason",
                    fix=f"Use one of: {', '.join(BACKCHECK_REASONS)}.",
                )
            wanted.setdefault(_uuid(interview_id), (reason, case_id))
        if not wanted:
            return []

        def work(conn: Connection) -> list[int]:
            ids = list(wanted)
            _require_interviews(conn, ids)
            taken: set[str] = set()
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                taken |= {
                    r[0]
                    for r in conn.execute(
                        select(backchecks.c.interview_id).where(
                            backchecks.c.interview_id.in_(chunk), backchecks.c.status.in_(("queued", "done"))
                        )
                    )
                }
            now = utcnow()
            rows = [
                {"interview_id": i, "reason": r, "case_id": c, "status": "queued", "created_at": now}
                for i, (r, c) in wanted.items()
                if i not in taken
            ]
            if not rows:
                return []
            first = conn.execute(select(func.max(backchecks.c.id))).scalar() or 0
            conn.execute(insert(backchecks), rows)
            new = conn.execute(
                select(backchecks.c.id, backchecks.c.interview_id, backchecks.c.reason)
                .where(
                    backchecks.c.id > first, backchecks.c.interview_id.in_([r["interview_id"] for r in rows])
                )
                .order_by(backchecks.c.id)
            ).all()
            audit.record_many(
                conn,
                [
                    {
                        "actor": by,
                        "action": "queue",
                        "entity": "backcheck",
                        "entity_id": r.id,
                        "at": now,
                        "details": {"interview_id": r.interview_id, "reason": r.reason},
                    }
                    for r in new
                ],
            )
            return [r.id for r in new]

        return self.db.write(work, retry_integrity=True)

    def backcheck(self, backcheck_id: int) -> Backcheck:
        """One back-check (SK503 if unknown)."""
        with self.db.read() as conn:
            row = conn.execute(select(backchecks).where(backchecks.c.id == int(backcheck_id))).first()
        if row is None:
            raise NotFoundError(
                ErrorCode.NOT_FOUND, entity="back-check", key=str(backcheck_id), suggestion=""
            )
        return _from_row(Backcheck, row)

    def backchecks(
        self,
        *,
        status: str | Sequence[str] | None = None,
        questionnaire_id: str | None = None,
        interviewer_id: str | None = None,
        case_id: int | None = None,
    ) -> pd.DataFrame:
        """Back-checks with their interview's questionnaire, interviewer, institution, period and start time."""
        import pandas as pd

        query = _with_interview(backchecks).add_columns(interviews.c.started_at)
        if status is not None:
            query = query.where(
                backchecks.c.status.in_([status] if isinstance(status, str) else list(status))
            )
        if questionnaire_id is not None:
            query = query.where(questionnaire_versions.c.questionnaire_id == questionnaire_id)
        if interviewer_id is not None:
            query = query.where(interviews.c.interviewer_id == interviewer_id)
        if case_id is not None:
            query = query.where(backchecks.c.case_id == int(case_id))
        with self.db.read() as conn:
            return pd.DataFrame(conn.execute(query).all(), columns=BACKCHECK_COLUMNS)

    def record_backcheck(
        self,
        backcheck_id: int,
        outcome: str,
        *,
        form: Mapping[str, Any] | None,
        method: str | None,
        notes: str | None,
        checker_id: str | None,
        by: str | None,
        exclude_reason: str | None = None,
        requeue_interviewer: bool = False,
    ) -> Backcheck:
        """Record a back-check's outcome (SK535 if it was recorded before, SK536 for an unknown outcome). In the
        same transaction: with ``exclude_reason`` the interview is excluded from ratings (unless it already
        is); with ``requeue_interviewer`` every completed real interview of its interviewer is queued for
        back-check (reason ``falsification``); cases waiting for this back-check are closed once all their
        back-checks are done."""
        if outcome not in BACKCHECK_OUTCOMES:
            raise StoreError(
                ErrorCode.QC_OUTCOME_UNKNOWN,
                Location(field="outcome"),
                outcome=outcome,
                suggestion=did_you_mean(outcome, BACKCHECK_OUTCOMES),
                allowed=", ".join(BACKCHECK_OUTCOMES),
            )

        def work(conn: Connection) -> Backcheck:
            require_actor(conn, by, "recording a back-check")  # SK540: a person of the store or the operator
            if checker_id is not None:
                require_actor(conn, checker_id, "recording a back-check (the checker)")
            row = conn.execute(select(backchecks).where(backchecks.c.id == int(backcheck_id))).first()
            if row is None:
                raise NotFoundError(
                    ErrorCode.NOT_FOUND, entity="back-check", key=str(backcheck_id), suggestion=""
                )
            if row.status == "done":
                raise StoreError(
                    ErrorCode.QC_BACKCHECK_DONE,
                    Location(field="backcheck", path=f"back-check #{row.id}"),
                    backcheck=row.id,
                    outcome=row.outcome,
                    date=row.done_at.date().isoformat() if row.done_at else "-",
                )
            now = utcnow()
            conn.execute(
                update(backchecks)
                .where(backchecks.c.id == row.id)
                .values(
                    status="done",
                    outcome=outcome,
                    form=dict(form) if form else None,
                    method=method,
                    notes=notes,
                    checker_id=checker_id,
                    done_at=now,
                )
            )
            audit.record(
                conn,
                actor=by,
                action="record",
                entity="backcheck",
                entity_id=row.id,
                details={
                    "interview_id": row.interview_id,
                    "outcome": outcome,
                    "method": method,
                    "form": form,
                },
                at=now,
            )
            if exclude_reason and _active_exclusion(conn, row.interview_id) is None:
                _insert_exclusion(conn, row.interview_id, exclude_reason, by, now, backcheck_id=row.id)
            if requeue_interviewer:
                _requeue_interviewer(conn, row.interview_id, by, now)
            if row.case_id is not None:
                _close_case_when_checked(conn, row.case_id, by, now)
            return _from_row(
                Backcheck, conn.execute(select(backchecks).where(backchecks.c.id == row.id)).one()
            )

        return self.db.write(work)

    # --- exclusions ------------------------------------------------------------------------------------------
    def exclude(
        self, interview_id: str, reason: str, *, by: str | None, backcheck_id: int | None = None
    ) -> Exclusion:
        """Leave an interview out of ratings (SK538 if it already is; SK533 without a reason)."""
        key = _uuid(interview_id)
        _need_reason(reason, "excluding an interview")

        def work(conn: Connection) -> Exclusion:
            require_actor(conn, by, "excluding an interview from ratings")  # SK540
            _require_interviews(conn, [key])
            active = _active_exclusion(conn, key)
            if active is not None:
                raise StoreError(
                    ErrorCode.QC_ALREADY_EXCLUDED,
                    Location(field="interview", path=key),
                    interview=key,
                    date=active.excluded_at.date().isoformat(),
                    reason=active.reason,
                )
            return _insert_exclusion(conn, key, reason.strip(), by, utcnow(), backcheck_id=backcheck_id)

        return self.db.write(work)

    def lift(self, interview_id: str, reason: str, *, by: str | None) -> Exclusion:
        """Restore an excluded interview to ratings, keeping the exclusion with who, when and why it was lifted
        (SK539 if it is not excluded; SK533 without a reason)."""
        key = _uuid(interview_id)
        _need_reason(reason, "restoring an interview")

        def work(conn: Connection) -> Exclusion:
            require_actor(conn, by, "restoring an interview to ratings")  # SK540
            active = _active_exclusion(conn, key)
            if active is None:
                raise StoreError(
                    ErrorCode.QC_NOT_EXCLUDED, Location(field="interview", path=key), interview=key
                )
            now = utcnow()
            conn.execute(
                update(exclusions)
                .where(exclusions.c.id == active.id)
                .values(lifted_at=now, lifted_by=by, lift_reason=reason.strip())
            )
            audit.record(
                conn,
                actor=by,
                action="lift",
                entity="exclusion",
                entity_id=active.id,
                details={"interview_id": key, "reason": reason.strip()},
                at=now,
            )
            return _from_row(
                Exclusion, conn.execute(select(exclusions).where(exclusions.c.id == active.id)).one()
            )

        return self.db.write(work)

    def exclusions(self, *, active: bool | None = True, questionnaire_id: str | None = None) -> pd.DataFrame:
        """Exclusions (``active=True``: in force; False: lifted; None: all) with the interview's questionnaire,
        interviewer, institution and period."""
        import pandas as pd

        query = _with_interview(exclusions)
        if active is True:
            query = query.where(exclusions.c.lifted_at.is_(None))
        elif active is False:
            query = query.where(exclusions.c.lifted_at.is_not(None))
        if questionnaire_id is not None:
            query = query.where(questionnaire_versions.c.questionnaire_id == questionnaire_id)
        with self.db.read() as conn:
            return pd.DataFrame(conn.execute(query).all(), columns=EXCLUSION_COLUMNS)

    def excluded_ids(self, questionnaire_id: str | None = None) -> set[str]:
        """The ids of the interviews excluded from ratings now (of one questionnaire, or all)."""
        query = select(exclusions.c.interview_id).where(exclusions.c.lifted_at.is_(None))
        if questionnaire_id is not None:
            query = (
                query.select_from(
                    exclusions.join(interviews, interviews.c.id == exclusions.c.interview_id).join(
                        questionnaire_versions,
                        questionnaire_versions.c.id == interviews.c.questionnaire_version_id,
                    )
                )
            ).where(questionnaire_versions.c.questionnaire_id == questionnaire_id)
        with self.db.read() as conn:
            return {r[0] for r in conn.execute(query)}

    def interviews_of(self, interviewer_id: str, *, questionnaire_id: str | None = None) -> list[str]:
        """The completed real interviews of an interviewer (ids, oldest first)."""
        query = (
            select(interviews.c.id)
            .select_from(
                interviews.join(
                    questionnaire_versions,
                    questionnaire_versions.c.id == interviews.c.questionnaire_version_id,
                )
            )
            .where(
                interviews.c.interviewer_id == interviewer_id,
                interviews.c.status.in_(COMPLETED),
                interviews.c.practice.is_(False),
            )
            .order_by(interviews.c.started_at, interviews.c.id)
        )
        if questionnaire_id is not None:
            query = query.where(questionnaire_versions.c.questionnaire_id == questionnaire_id)
        with self.db.read() as conn:
            return [r[0] for r in conn.execute(query)]


# --- helpers ----------------------------------------------------------------------------------------------------
def _present(value: Any) -> bool:
    import pandas as pd

    return (
        value is not None
        and not (isinstance(value, float) and value != value)
        and value is not pd.NA
        and str(value) != ""
    )


def _text(value: Any) -> str | None:
    return str(value) if _present(value) else None


def _params(value: Any) -> dict[str, Any] | None:
    """A flag's parameters as plain JSON (a dict; anything else, such as a missing value, is ``None``)."""
    if not isinstance(value, Mapping):
        return None
    from surveykit.quality.messages import plain_params

    return plain_params(value)


def _number(value: Any) -> float | None:
    if not _present(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _case_values(row: Any) -> dict[str, Any]:
    return {name: row._mapping[name] for name in CASE_COLUMNS}


def _need_reason(reason: str | None, what: str) -> None:
    if not str(reason or "").strip():
        raise StoreError(ErrorCode.QC_REASON_REQUIRED, Location(field="reason"), what=what)


def _active_exclusion(conn: Connection, interview_id: str) -> Any:
    return conn.execute(
        select(exclusions).where(exclusions.c.interview_id == interview_id, exclusions.c.lifted_at.is_(None))
    ).first()


def _insert_exclusion(
    conn: Connection,
    interview_id: str,
    reason: str,
    by: str | None,
    now: dt.datetime,
    *,
    backcheck_id: int | None,
) -> Exclusion:
    new_id = conn.execute(
        insert(exclusions)
        .values(
            interview_id=interview_id,
            reason=reason,
            backcheck_id=backcheck_id,
            excluded_by=by,
            excluded_at=now,
        )
        .returning(exclusions.c.id)
    ).scalar_one()
    audit.record(
        conn,
        actor=by,
        action="exclude",
        entity="exclusion",
        entity_id=new_id,
        details={"interview_id": interview_id, "reason": reason, "backcheck_id": backcheck_id},
        at=now,
    )
    return _from_row(Exclusion, conn.execute(select(exclusions).where(exclusions.c.id == new_id)).one())


def _requeue_interviewer(conn: Connection, interview_id: str, by: str | None, now: dt.datetime) -> None:
    """Queue every completed real interview of the interviewer who did ``interview_id`` (reason falsification)."""
    interviewer = conn.execute(
        select(interviews.c.interviewer_id).where(interviews.c.id == interview_id)
    ).scalar_one()
    checked = select(backchecks.c.interview_id).where(backchecks.c.status.in_(("queued", "done")))
    ids = [
        r[0]
        for r in conn.execute(
            select(interviews.c.id)
            .where(
                and_(
                    interviews.c.interviewer_id == interviewer,
                    interviews.c.status.in_(COMPLETED),
                    interviews.c.practice.is_(False),
                    interviews.c.id.not_in(checked),
                )
            )
            .order_by(interviews.c.started_at, interviews.c.id)
        )
    ]
    if not ids:
        return
    first = conn.execute(select(func.max(backchecks.c.id))).scalar() or 0
    conn.execute(
        insert(backchecks),
        [
            {
                "interview_id": i,
                "reason": "falsification",
                "case_id": None,
                "status": "queued",
                "created_at": now,
            }
            for i in ids
        ],
    )
    new = conn.execute(
        select(backchecks.c.id, backchecks.c.interview_id)
        .where(backchecks.c.id > first, backchecks.c.interview_id.in_(ids))
        .order_by(backchecks.c.id)
    ).all()
    audit.record_many(
        conn,
        [
            {
                "actor": by,
                "action": "queue",
                "entity": "backcheck",
                "entity_id": r.id,
                "at": now,
                "details": {
                    "interview_id": r.interview_id,
                    "reason": "falsification",
                    "interviewer_id": interviewer,
                },
            }
            for r in new
        ],
    )


_SEVERITY = {outcome: rank for rank, outcome in enumerate(BACKCHECK_OUTCOMES)}


def _close_case_when_checked(conn: Connection, case_id: int, by: str | None, now: dt.datetime) -> None:
    """A case sent to back-check closes when all its back-checks are done, resolved by the worst outcome."""
    case = conn.execute(select(qc_cases).where(qc_cases.c.id == case_id)).first()
    if case is None or case.status != "backcheck":
        return
    rows = conn.execute(
        select(backchecks.c.status, backchecks.c.outcome).where(
            backchecks.c.case_id == case_id, backchecks.c.status != "cancelled"
        )
    ).all()
    if not rows or any(r.status != "done" for r in rows):
        return
    outcomes = [r.outcome for r in rows if r.outcome != "unreachable"] or ["unreachable"]
    worst = max(outcomes, key=lambda o: _SEVERITY.get(o, -1))
    conn.execute(
        update(qc_cases)
        .where(qc_cases.c.id == case_id)
        .values(status="closed", resolution=worst, closed_at=now, closed_by=by)
    )
    audit.record(
        conn,
        actor=by,
        action="decide",
        entity="qc_case",
        entity_id=case_id,
        details={"from": "backcheck", "to": "closed", "resolution": worst, "note": "back-checks done"},
        at=now,
    )
