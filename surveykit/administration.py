"""The administrator's desk: people, roles, access codes, accounts and the audit log, for one signed-in
person. The admin app (``surveykit.ui.admin_app``) is a view of it; this module imports no widgets.

Every action first re-reads the session (``Store.session``: an expired or ended session, or a deactivated
administrator, is refused with SK522) and then asks :func:`surveykit.access.require` for the permission with
the person as the store knows them *now*; the change is audited as done by that person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from surveykit import access
from surveykit.i18n import moment_text, number_text, pick, t
from surveykit.store.audit_export import audit_text
from surveykit.store.records import Person

__all__ = [
    "AUDIT_LIMIT",
    "AdminDesk",
    "action_label",
    "actor_label",
    "audit_details",
    "entity_label",
    "entity_name",
]

#: the audit view shows the newest entries up to this many (the export has them all)
AUDIT_LIMIT = 500


# --- the audit log in words ----------------------------------------------------------------------------------------
#: details whose values are codes of a list with names of their own: the locale key prefix of those names
_VALUE_WORDS = {
    "roles": "role.",
    "from": ("role.", "admin.status."),
    "to": ("role.", "admin.status."),
    "needed": "role.",
    "status": "admin.status.",
    "mode": "mode.",
    "app": "admin.app.",
    "reason": ("admin.reason.", "casework.reason.", "session."),
    "rule": "casework.rule.",
    "level": "admin.level.",
    "source": "admin.source.",
    "certification": "admin.certification.",
    "file": "admin.file.",
}
#: details that hold the id of a person, an institution, a cohort or a questionnaire: shown by name
_NAMED = {
    "person_id": "person", "interviewer_id": "person", "recorded_by": "person", "trainer_id": "person",
    "institution_id": "institution", "questionnaire_id": "questionnaire", "questionnaire": "questionnaire",
    "cohort_id": "cohort", "people": "person", "checker_id": "person", "excluded_by": "person",
    "lifted_by": "person", "closed_by": "person", "status_changed_by": "person",
}  # fmt: skip
#: details that say nothing to a reader of the log (a stored checksum, an internal row key, a page's code, the
#: entry's own id shown as "which", a signed record, a message's key and parameters whose words are in
#: "detail"); the export (``surveykit audit export``) keeps every detail
_HIDDEN = {"content_hash", "key", "page", "id", "record", "detail_params", "message"}


def _word(key: str, code: str, language: str) -> str | None:
    """``key + code`` in ``language`` when the locale has it, else ``None`` (spaces and punctuation of the
    code become underscores: "not enforced" -> ``not_enforced``)."""
    code = "_".join(w for w in "".join(c if c.isalnum() else " " for c in code).split())
    text = t(key + code, language)
    return None if text == key + code else text


def actor_label(actor: Any, language: str, people: Mapping[str, str] | None = None) -> str:
    """Who did it: the person's name; the command line, the demo builder or the system in words."""
    if not isinstance(actor, str) or not actor:
        return t("admin.system", language)
    if people and actor in people:
        return people[actor]
    return _word("admin.actor.", actor, language) or actor


def entity_name(entity: Any, entity_id: Any, language: str, names: Mapping[str, Mapping[str, str]]) -> str:
    """Which one: a person, institution, cohort or questionnaire by name, anything else by its id."""
    text = "" if entity_id is None or entity_id != entity_id else str(entity_id)
    kind = {"person": "person", "institution": "institution", "cohort": "cohort",
            "questionnaire_version": "questionnaire"}.get(str(entity))  # fmt: skip
    if kind is not None:
        return _named(kind, text, names)
    return _word("admin.file.", text, language) or text


def _named(kind: str, value: str, names: Mapping[str, Mapping[str, str]]) -> str:
    known = names.get(kind, {})
    if kind == "questionnaire" and "@" in value:
        qid, version = value.split("@", 1)
        return f"{known[qid]} ({version})" if qid in known else value
    return known.get(value, value)


def action_label(action: Any, language: str) -> str:
    """An audit action (``sign_in``, ``qc_case`` …) in words; an action without a name as written."""
    return _word("admin.action.", str(action), language) or str(action)


def entity_label(entity: Any, language: str) -> str:
    """The kind of thing an audit entry is about (``qc_case``: "случай контроля качества") in words."""
    return _word("admin.entity.", str(entity), language) or str(entity)


def _value(key: str, value: Any, language: str, names: Mapping[str, Mapping[str, str]] | None = None) -> str:
    if key in _NAMED and names and isinstance(value, (str, list, tuple)):
        items = [value] if isinstance(value, str) else value
        return ", ".join(_named(_NAMED[key], str(v), names) for v in items) or "—"
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, bool):
        return t("admin.yes" if value else "admin.no", language)
    if isinstance(value, (int, float)):  # 1.5 hours: "1,5" in Russian; a score of 24.0: "24"
        return number_text(value, language)
    if isinstance(value, (dt.date, pd.Timestamp)) or (isinstance(value, str) and value[:1].isdigit()):
        moment = moment_text(value, language)  # a session's expiry, a deadline: in words, not ISO 8601
        if moment != value:
            return moment
    if key == "profile_id":
        return _profile_title(str(value), language)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_value(key, v, language, names) for v in value) or "—"
    if isinstance(value, dict):
        if key == "item_scores":  # a mock interview's scores: the checklist's items by their text
            items = _checklist_texts(language)
            return "; ".join(
                f"{items.get(str(k), k)}: {_value(k, v, language, names)}" for k, v in value.items()
            )
        return "; ".join(
            f"{_detail_name(k, language)}: {_value(k, v, language, names)}" for k, v in value.items()
        )
    if key == "type":
        from surveykit.institution_types import type_label

        return type_label(value, language)
    prefixes = _VALUE_WORDS.get(key, ())
    for prefix in (prefixes,) if isinstance(prefixes, str) else prefixes:
        word = _word(prefix, str(value), language)
        if word is not None:
            return word
    return str(value)


def _profile_title(profile_id: str, language: str) -> str:
    """A methodology profile by its title (its id when it is not among the shipped profiles)."""
    from surveykit.scoring.profile import list_profiles

    try:
        titles = {p.id: p.title for p in list_profiles()}
    except OSError:
        return profile_id
    return pick(titles[profile_id], language) or profile_id if profile_id in titles else profile_id


def _checklist_texts(language: str) -> dict[str, str]:
    """The mock-interview checklist's items, id -> text in ``language`` (empty when the course cannot load)."""
    from surveykit.errors import SurveykitError
    from surveykit.training.course import load_course

    try:
        checklist = load_course().checklist
    except (SurveykitError, OSError):
        return {}
    return {item.id: pick(item.text, language) for item in checklist.items}


def _detail_name(key: str, language: str) -> str:
    return _word("admin.detail.", key, language) or key


def audit_details(
    details: Any, language: str, names: Mapping[str, Mapping[str, str]] | None = None
) -> list[tuple[str, str]]:
    """An audit entry's details as (name, value) pairs in ``language``: names of fields, of roles, modes,
    apps, reasons and statuses instead of their codes, yes/no instead of True/False, people, institutions,
    cohorts and questionnaires by name (``names``: kind -> id -> name, :meth:`AdminDesk.audit_names`);
    checksums left out."""
    if not isinstance(details, dict):
        return []
    return [
        (_detail_name(key, language), _value(key, value, language, names))
        for key, value in details.items()
        if key not in _HIDDEN
    ]


class AdminDesk:
    """People administration and the audit log for the person of ``session`` (from ``Store.start_session``)."""

    def __init__(self, store: Any, session: Any) -> None:
        self.store = store
        self.token = str(session.token)

    # --- the check before every action -----------------------------------------------------------------------
    def _as(self, permission: str) -> Person:
        person = self.store.session(self.token).person  # SK522 when the session has ended
        access.require(person, permission)  # SK514 unless the person may, now
        return person

    @property
    def person(self) -> Person:
        """The administrator signed in (checked)."""
        return self._as("people.read")

    def sign_out(self) -> None:
        self.store.end_session(self.token)

    # --- people ------------------------------------------------------------------------------------------------
    def people(self) -> list[Person]:
        self._as("people.read")
        return self.store.people()

    def people_frame(self, now: dt.datetime | None = None) -> pd.DataFrame:
        """One row per person: id, login, name, roles, active, locked until (when locked), failed sign-ins."""
        now = now or dt.datetime.now(dt.UTC)
        rows = [
            {
                "id": p.id,
                "login": p.login,
                "name": p.display_name,
                "roles": ", ".join(p.roles),
                "active": p.active,
                "locked_until": p.locked_until if p.locked(now) else None,
                "failed_sign_ins": p.failed_sign_ins,
            }
            for p in self.people()
        ]
        columns = ["id", "login", "name", "roles", "active", "locked_until", "failed_sign_ins"]
        return pd.DataFrame(rows, columns=columns)

    def create(self, person_id: str, name: str, roles: Sequence[str], login: str | None = None) -> str:
        """Create a person with a new random access code; returns the code (shown once, never stored)."""
        from surveykit.store.directory import new_access_code

        by = self._as("people.manage")
        code = new_access_code()
        self.store.add_person(
            person_id.strip(), name.strip(), list(roles), login=(login or "").strip() or None, access_code=code,
            by=by.id,
        )  # fmt: skip
        return code

    def set_roles(self, person_id: str, roles: Sequence[str]) -> Person:
        by = self._as("people.manage")
        return self.store.set_roles(person_id, list(roles), by=by.id)

    def reset_code(self, person_id: str) -> str:
        """A new random access code for the person (also lifts a lock-out); returns it, shown once."""
        by = self._as("people.manage")
        return self.store.set_access_code(person_id, by=by.id)

    def deactivate(self, person_id: str) -> Person:
        by = self._as("people.manage")
        return self.store.deactivate_person(person_id, by=by.id)

    def activate(self, person_id: str) -> Person:
        by = self._as("people.manage")
        return self.store.reactivate_person(person_id, by=by.id)

    def unlock(self, person_id: str) -> Person:
        by = self._as("people.manage")
        return self.store.unlock_person(person_id, by=by.id)

    # --- the audit log ---------------------------------------------------------------------------------------------
    def audit(
        self,
        *,
        actor: str = "",
        entity: str = "",
        action: str = "",
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> pd.DataFrame:
        """Audit entries, oldest first, filtered by who, what kind of thing, which action and a period of
        days (both days included)."""
        self._as("audit.read")
        filters: dict[str, Any] = {
            key: value.strip()
            for key, value in (("actor", actor), ("entity", entity), ("action", action))
            if value and value.strip()
        }
        if since is not None:
            filters["since"] = dt.datetime.combine(since, dt.time(), dt.UTC)
        if until is not None:
            filters["until"] = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        return self.store.audit_frame(**filters)

    def audit_export(self, format: str = "csv", **filters: Any) -> bytes:
        """The filtered entries as CSV or JSON Lines (the export of ``surveykit audit export``), UTF-8."""
        return audit_text(self.audit(**filters), format).encode("utf-8")

    def audit_names(self, language: str) -> dict[str, dict[str, str]]:
        """Names of the people, institutions, cohorts and questionnaires an audit entry may refer to by id."""
        self._as("audit.read")
        questionnaires = {}
        for qid in sorted({v.questionnaire_id for v in self.store.versions()}):
            q = self.store.questionnaire(qid)
            questionnaires[qid] = q.text(q.title, language) or qid
        cohorts = self.store.training.cohorts()
        return {
            "person": {p.id: p.display_name for p in self.store.people()},
            "institution": {i.id: i.name for i in self.store.institutions()},
            "cohort": dict(zip(cohorts["id"].astype(str), cohorts["name"].astype(str), strict=True)),
            "questionnaire": questionnaires,
        }

    def audit_choices(self) -> dict[str, list[str]]:
        """Known actors, entities and actions, for the filter lists."""
        frame = self.audit()
        return {
            column: sorted({str(v) for v in frame[column].dropna().unique()})
            for column in ("actor", "entity", "action")
        }
