"""What the store hands back: small frozen records, one per entity (never dicts of columns)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from surveykit.errors import ErrorCode, Location, StoreError
from surveykit.store.schema import EVENT_TYPES

__all__ = [
    "Assignment",
    "CertificateRecord",
    "Event",
    "Institution",
    "InterviewMeta",
    "LoadedInterview",
    "OpenAnswerReview",
    "Person",
    "PublishedVersion",
    "ReviewNote",
    "SubmitResult",
]


def _from_row(cls: type, row: Any) -> Any:
    data = row._mapping if hasattr(row, "_mapping") else row
    return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass(frozen=True)
class PublishedVersion:
    """A published questionnaire version (frozen): ``definition`` is ``Questionnaire.to_data()``."""

    id: int
    questionnaire_id: str
    version: str
    content_hash: str
    published_at: dt.datetime
    published_by: str | None = None

    @property
    def key(self) -> str:
        return f"{self.questionnaire_id}@{self.version}"

    @classmethod
    def from_row(cls, row: Any) -> PublishedVersion:
        return _from_row(cls, row)


@dataclass(frozen=True)
class Institution:
    id: str
    name: str
    type: str | None = None
    region: str | None = None
    municipality: str | None = None
    address: str | None = None
    website: str | None = None
    #: service recipients in the period, from the register (the population of the sample rule)
    recipients: int | None = None

    @classmethod
    def from_row(cls, row: Any) -> Institution:
        return _from_row(cls, row)


@dataclass(frozen=True)
class Person:
    """A person and their roles; the access code is never part of it (only its hash is stored)."""

    id: str
    display_name: str
    roles: tuple[str, ...]
    login: str
    active: bool = True
    has_access_code: bool = False
    #: failed sign-ins in a row, and until when the account is locked (surveykit.store.directory)
    failed_sign_ins: int = 0
    locked_until: dt.datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> Person:
        data = row._mapping
        return cls(
            id=data["id"],
            display_name=data["display_name"],
            roles=tuple(data["roles"] or ()),
            login=data["login"],
            active=bool(data["active"]),
            has_access_code=data["access_code_hash"] is not None,
            failed_sign_ins=int(data.get("failed_sign_ins") or 0),
            locked_until=data.get("locked_until"),
        )

    def locked(self, now: dt.datetime | None = None) -> bool:
        """Whether the account is locked out at ``now`` (default: now)."""
        return self.locked_until is not None and self.locked_until > (now or dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class Assignment:
    """Fieldwork: an interviewer, an institution, a questionnaire, a period and a target number."""

    id: int
    interviewer_id: str
    institution_id: str
    questionnaire_id: str
    period: str
    target: int

    @classmethod
    def from_row(cls, row: Any) -> Assignment:
        return _from_row(cls, row)


@dataclass(frozen=True)
class InterviewMeta:
    """Who, where, when, how, and with which exact questionnaire version."""

    id: str
    questionnaire_id: str
    questionnaire_version: str
    questionnaire_version_id: int
    institution_id: str
    interviewer_id: str
    assignment_id: int | None
    mode: str
    language: str
    status: str
    started_at: dt.datetime
    submitted_at: dt.datetime | None
    updated_at: dt.datetime
    proxy: bool
    practice: bool
    period: str | None
    current_page: str | None
    content_hash: str | None
    source: str = "app"

    @classmethod
    def from_row(cls, row: Any) -> InterviewMeta:
        return _from_row(cls, row)


@dataclass(frozen=True)
class LoadedInterview:
    """An interview to resume or show: its meta, its answers as Python values and the page to resume at.

    ``answers`` follow :func:`surveykit.questionnaire.frame.python_value`: ``str`` choice names, ``frozenset``
    for multiple choice, ``int``/``float``, ``datetime.date``; repeat groups as lists of dicts.
    """

    meta: InterviewMeta
    answers: dict[str, Any]

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def page(self) -> str | None:
        return self.meta.current_page


@dataclass(frozen=True)
class SubmitResult:
    """``outcome`` is ``"stored"``, or ``"duplicate"`` when the same content had been submitted before."""

    interview_id: str
    outcome: str
    content_hash: str
    status: str
    #: the interview was conducted for a fieldwork case (known to the submission; not part of its identity)
    for_case: bool = field(default=False, compare=False)

    @property
    def duplicate(self) -> bool:
        return self.outcome == "duplicate"


@dataclass(frozen=True)
class Event:
    """One paradata event recorded by the interview app."""

    event: str
    question: str | None = None
    old_value: Any = None
    new_value: Any = None
    at: dt.datetime | None = None
    elapsed_ms: int | None = None
    page: str | None = None  # the page the interviewer was on
    detail: str | None = None  # why, when it is not obvious: "default", "not relevant", "instance added"

    def __post_init__(self) -> None:
        if self.event not in EVENT_TYPES:
            raise StoreError(
                ErrorCode.FIELD_INVALID,
                Location(field="event"),
                field="event",
                detail=f"unknown paradata event '{self.event}'",
                fix=f"Use one of: {', '.join(EVENT_TYPES)}.",
            )

    @classmethod
    def coerce(cls, value: Event | Mapping[str, Any]) -> Event:
        if isinstance(value, Event):
            return value
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in value.items() if k in known})


@dataclass(frozen=True)
class ReviewNote:
    """A supervisor's status change of an interview, with the note."""

    id: int
    interview_id: str
    from_status: str
    to_status: str
    note: str
    author_id: str | None
    at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> ReviewNote:
        return _from_row(cls, row)


@dataclass(frozen=True)
class OpenAnswerReview:
    id: int
    interview_id: str
    question: str
    status: str
    published_text: str | None
    reviewer_id: str | None
    at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> OpenAnswerReview:
        return _from_row(cls, row)


@dataclass(frozen=True)
class CertificateRecord:
    """A certificate as the store keeps it (the signed record as issued, and its current status)."""

    serial: str
    person_id: str | None  # None: a diploma for someone who is not a person of the store
    roles: tuple[str, ...]
    issued_at: dt.datetime
    valid_until: dt.datetime | None
    record: Mapping[str, Any]
    status: str
    status_reason: str | None = None
    status_changed_at: dt.datetime | None = None
    status_changed_by: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> CertificateRecord:
        data = dict(row._mapping)
        data["roles"] = tuple(data["roles"] or ())
        return _from_row(cls, data)

    def valid_at(self, when: dt.datetime) -> bool:
        """Whether the certificate is valid at ``when`` (a naive time is taken as UTC)."""
        when = when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
        return (
            self.status == "valid"
            and self.issued_at <= when
            and (self.valid_until is None or when < self.valid_until)
        )
