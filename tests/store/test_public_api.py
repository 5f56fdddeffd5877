"""The public surface of the store is small and explicit (changes here are deliberate)."""

from __future__ import annotations

import inspect

import surveykit.store as store_package
from surveykit.store import Store

EXPECTED_ALL = {
    "EVENT_TYPES", "INTERVIEW_STATUSES", "MODES", "ROLES", "STATUS_FLOW", "Assignment", "CertificateRecord",
    "CertificationStatus", "Event",
    "ImportResult", "Institution", "InterviewMeta", "LoadedInterview", "OpenAnswerReview", "Person",
    "PublishedVersion", "ReviewNote", "Revision", "Session", "Store", "SubmitResult",
}  # fmt: skip

EXPECTED_METHODS = {
    "open", "upgrade", "revision", "close", "url", "backup", "restore",
    "publish", "version", "versions", "questionnaire", "form",
    "add_institution", "institution", "institutions", "add_person", "person", "people", "set_access_code",
    "check_access_code", "sign_in", "start_session", "session", "end_session", "set_roles",
    "deactivate_person", "reactivate_person", "unlock_person", "assign", "assignments", "progress", "certification_status",
    "start_interview", "save_draft", "record_events", "drafts", "load_interview", "interview", "submit",
    "set_status", "review_notes", "attach_file", "interview_file", "interview_files",
    "interviews_frame", "repeat_frame", "paradata_frame", "audit_frame",
    "import_responses", "import_frame", "export_responses",
}  # fmt: skip


def test_all_is_exactly_the_public_surface():
    assert set(store_package.__all__) == EXPECTED_ALL
    for name in store_package.__all__:
        assert hasattr(store_package, name)


def test_store_methods_are_documented():
    public = {name for name, _ in inspect.getmembers(Store) if not name.startswith("_")}
    assert public == EXPECTED_METHODS
    undocumented = [
        name for name in EXPECTED_METHODS if not (inspect.getdoc(getattr(Store, name)) or "").strip()
    ]
    assert undocumented == []


def test_store_errors_have_russian_translations_with_the_same_fields():
    import string

    from surveykit.errors import ErrorCode
    from surveykit.i18n import error_templates

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for code in ErrorCode:
        if not code.code.startswith("SK5"):
            continue
        message, hint = error_templates(code.code, "ru")
        assert message and hint, code.code
        assert fields(message) <= fields(code.template) | fields(code.hint_template), code.code
        assert fields(hint) <= fields(code.template) | fields(code.hint_template), code.code
