"""Open-answer reviews: before a council publishes free-text answers, each is approved (possibly redacted)
or rejected by a reviewer. Storage only; the review workflow lives with the council apps."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from surveykit.errors import ErrorCode, Location, NotFoundError, StoreError, Translated
from surveykit.store import audit
from surveykit.store.actors import require_actor
from surveykit.store.engine import Database
from surveykit.store.interviews import normalize_uuid
from surveykit.store.records import OpenAnswerReview
from surveykit.store.schema import REVIEW_STATUSES, open_answer_reviews, utcnow

__all__ = ["Reviews"]

_t = open_answer_reviews


class Reviews:
    def __init__(self, db: Database) -> None:
        self.db = db

    def review(
        self,
        interview_id: str,
        question: str,
        status: str,
        *,
        published_text: str | None = None,
        reviewer_id: str | None = None,
    ) -> OpenAnswerReview:
        """Record (or change) the review of one open answer: ``pending``, ``approved`` (with the text to
        publish, possibly redacted) or ``rejected``."""
        if status not in REVIEW_STATUSES:
            raise StoreError(
                ErrorCode.FIELD_INVALID,
                Location(field="status"),
                field="status",
                detail=f"'{status}' is not a review status",
                fix=f"Use one of: {', '.join(REVIEW_STATUSES)}.",
            )
        key = normalize_uuid(interview_id)
        if key is None:
            raise NotFoundError(ErrorCode.NOT_FOUND, entity="interview", key=str(interview_id), suggestion="")

        def work(conn: Connection) -> OpenAnswerReview:
            require_actor(
                conn,
                reviewer_id,
                Translated(en="reviewing an open answer", ru="проверка открытого ответа"),
            )  # SK540: a person of the store or the operator
            now = utcnow()
            values = {
                "status": status,
                "published_text": published_text,
                "reviewer_id": reviewer_id,
                "at": now,
            }
            match = (_t.c.interview_id == key) & (_t.c.question == question)
            existing = conn.execute(select(_t.c.id).where(match)).scalar_one_or_none()
            if existing is None:
                conn.execute(insert(_t).values(interview_id=key, question=question, **values))
            else:
                conn.execute(update(_t).where(_t.c.id == existing).values(**values))
            audit.record(
                conn,
                actor=reviewer_id,
                action="review_open_answer",
                entity="interview",
                entity_id=key,
                details={"question": question, "status": status, "published_text": published_text},
                at=now,
            )
            return OpenAnswerReview.from_row(conn.execute(select(_t).where(match)).one())

        return self.db.write(work, retry_integrity=True)

    def reviews(
        self, *, status: str | None = None, interview_id: str | None = None
    ) -> list[OpenAnswerReview]:
        query = select(_t).order_by(_t.c.id)
        if status is not None:
            query = query.where(_t.c.status == status)
        if interview_id is not None:
            query = query.where(_t.c.interview_id == normalize_uuid(interview_id))
        with self.db.read() as conn:
            return [OpenAnswerReview.from_row(r) for r in conn.execute(query)]
