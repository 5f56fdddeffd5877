"""KoboToolbox and ODK Central export conventions: the one place that knows their column names.

* Questions inside groups are exported with the group path: ``group/q1`` (Kobo), ``group-q1`` (ODK Central).
* A select_multiple is one column of space-separated choice names and/or one 0/1 column per choice,
  ``group/q/choice`` (Kobo "both" or "separate" exports).
* Meta columns: Kobo ``_uuid``, ``_submission_time``, ``start``, ``end``, ``_id``, ``_index`` ...;
  ODK Central ``KEY`` (``uuid:...``), ``SubmissionDate``, ``meta-instanceID`` ...
* Repeat groups come as their own sheets (named by the repeat's XLSForm name): Kobo links an instance to its
  parent row by ``_parent_index`` (the parent sheet's ``_index``), ODK Central by ``PARENT_KEY`` (``KEY``).
"""

from __future__ import annotations

__all__ = [
    "IGNORED",
    "LINK_COLUMNS",
    "META",
    "SEPARATORS",
    "instance_id",
]

#: Kobo/ODK meta columns and the surveykit meta field they fill (first one present wins)
META: dict[str, str] = {
    "_uuid": "interview_id",
    "meta/instanceID": "interview_id",
    "meta-instanceID": "interview_id",
    "KEY": "interview_id",
    "instanceID": "interview_id",
    "_submission_time": "submitted_at",
    "SubmissionDate": "submitted_at",
    "end": "submitted_at",
    "start": "started_at",
}

#: columns used to link repeat rows to their parents (read, never imported)
LINK_COLUMNS = ("_index", "_parent_index", "_parent_table_name", "PARENT_KEY", "_submission__uuid")

#: Kobo/ODK bookkeeping columns that carry nothing surveykit stores
IGNORED = frozenset(
    {
        "_id",
        "_submission__id",
        "_submission__submission_time",
        "_submission__validation_status",
        "_submission__notes",
        "_submission__status",
        "_submission__submitted_by",
        "_submission___version__",
        "_submission__tags",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_version_",
        "_version",
        "_tags",
        "_xform_id_string",
        "_attachments",
        "_geolocation",
        "_duration",
        "_media_all_received",
        "_total_media",
        "_media_count",
        "formhub/uuid",
        "meta/instanceName",
        "meta/deprecatedID",
        "meta/rootUuid",
        "meta/audit",
        "today",
        "deviceid",
        "username",
        "simserial",
        "subscriberid",
        "phonenumber",
        "audit",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "meta-instanceName",
    }
)

#: group path separators: Kobo, then ODK Central
SEPARATORS = ("/", "-")


def instance_id(value: object) -> str:
    """``uuid:1b2c...`` (ODK) or ``1b2c...`` (Kobo) -> ``1b2c...``."""
    text = str(value).strip()
    return text[5:] if text.lower().startswith("uuid:") else text
