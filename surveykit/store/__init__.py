"""The response store: questionnaire versions, people, fieldwork, interviews, answers, paradata, audit log.

SQLite by default (a file under ``data/``), PostgreSQL for many interviewers at once; chosen by the setting
``SURVEYKIT_DATABASE_URL``. Create or upgrade a database with ``surveykit db upgrade``. Everything goes
through :class:`Store`::

    from surveykit.store import Store

    with Store.open() as store:
        store.publish(questionnaire)
        interview = store.start_interview("recipient_survey", institution_id="csp-12",
                                          interviewer_id="anna", mode="face_to_face")
        store.save_draft(interview.id, {"consent": "yes"}, page="respondent")
        store.submit(interview.id)
        frame = store.interviews_frame("recipient_survey")

See ``docs/store.md`` for the schema, the drafts and idempotency rules, the certification gate and the import
and export formats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveykit.store.facade import Store
from surveykit.store.interviews import STATUS_FLOW
from surveykit.store.records import (
    Assignment,
    CertificateRecord,
    Event,
    Institution,
    InterviewMeta,
    LoadedInterview,
    OpenAnswerReview,
    Person,
    PublishedVersion,
    ReviewNote,
    SubmitResult,
)
from surveykit.store.revisions import Revision
from surveykit.store.schema import EVENT_TYPES, INTERVIEW_STATUSES, MODES, ROLES
from surveykit.store.sessions import Session
from surveykit.store.training import CertificationStatus

if TYPE_CHECKING:
    from surveykit.store.importer import ImportResult

__all__ = [
    "EVENT_TYPES",
    "INTERVIEW_STATUSES",
    "MODES",
    "ROLES",
    "STATUS_FLOW",
    "Assignment",
    "CertificateRecord",
    "CertificationStatus",
    "Event",
    "ImportResult",
    "Institution",
    "InterviewMeta",
    "LoadedInterview",
    "OpenAnswerReview",
    "Person",
    "PublishedVersion",
    "ReviewNote",
    "Revision",
    "Session",
    "Store",
    "SubmitResult",
]


def __getattr__(name: str) -> Any:
    # the importer (and what it reads files with) loads when an import is first run, not with every app
    if name == "ImportResult":
        from surveykit.store.importer import ImportResult

        return ImportResult
    raise AttributeError(f"module 'surveykit.store' has no attribute {name!r}")
