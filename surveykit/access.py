"""Who may do what: the one home of the permission rules.

Every role grants a set of permissions; a person holds the union of their roles' permissions. Apps and the
package ask :func:`require` before any data access (``surveykit.store.guarded`` wraps the store so that an
app signed in as a person can only reach what that person may reach); hiding a button is never the check.

Roles (``surveykit.store.schema.ROLES``):

=================  ==============================================================================
administrator      everything: people, roles, access codes, backups, the audit log, and all the rest
sociologist        all interview data, exports, methodology, reports, quality control, publishing
supervisor         fieldwork: review and approve/reject interviews, quality-control cases, back-checks
trainer            the course, exam keys and the item bank, attendance, mock interviews, certificates
interviewer        own assignments and own interviews only (start, save, submit, see rejections)
trainee            the course, quizzes, own exam attempts and practice interviews (never the keys)
council            published, aggregated, suppressed numbers and approved open answers only
=================  ==============================================================================

The command line acts as :data:`OPERATOR`: whoever can run ``surveykit`` against the database file or the
PostgreSQL URL already holds the data, so the CLI is an administrator's tool (docs/security.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from surveykit.errors import AccessDenied, ErrorCode, Translated

__all__ = [
    "OPERATOR",
    "PERMISSIONS",
    "ROLE_PERMISSIONS",
    "Principal",
    "can",
    "permissions_of",
    "require",
    "require_owner",
    "role_names",
    "roles_with",
]

#: every permission, with what it allows (the words shown when it is refused come from locale ``perm.<name>``)
PERMISSIONS: dict[str, str] = {
    # interviews and answers (microdata)
    "interviews.own": "start, continue and submit one's own interviews; read one's own drafts and rejections",
    "interviews.read_all": "read every interview, its answers and paradata (microdata)",
    "interviews.review": "approve or reject submitted interviews",
    "interviews.import": "import interviews from files",
    "exports.microdata": "export interview data (SPSS, Stata, CSV, Excel, Parquet) and codebooks",
    # quality control
    "quality.read": "see quality-control flags, cases and back-check progress",
    "quality.decide": "decide quality-control cases, record back-checks, exclude or restore interviews",
    # training
    "training.take": "take the course, quizzes, practice interviews and one's own exam",
    "training.keys": "see answer keys, the item bank and other trainees' exam answers",
    "training.manage": "record attendance, mock interviews and calibration; issue certificates",
    "certificates.suspend": "suspend, reinstate or revoke certificates",
    # council and publication
    "aggregates.read": "see published, aggregated numbers above the small-cell threshold",
    "aggregates.unsuppressed": "see aggregated numbers below the small-cell threshold",
    "open_answers.read_published": "read open answers approved for publication",
    "open_answers.review": "approve, redact or reject open answers for publication",
    "reports.generate": "generate monitoring reports",
    "ratings.compute": "compute ratings from interview data",
    # administration
    "questionnaires.publish": "publish questionnaire versions and methodology",
    "fieldwork.manage": "create institutions and assignments",
    "people.read": "see the list of people and their roles",
    "people.manage": "create people, assign roles, reset access codes, deactivate accounts",
    "audit.read": "read and export the audit log",
    "database.backup": "back up and restore the database",
}

_COUNCIL = frozenset({"aggregates.read", "open_answers.read_published"})
_TRAINEE = frozenset({"training.take"})
_INTERVIEWER = frozenset({"interviews.own", "training.take"})
_TRAINER = frozenset(
    {"training.take", "training.keys", "training.manage", "certificates.suspend", "people.read"}
)
_SUPERVISOR = frozenset(
    {
        "interviews.read_all",
        "interviews.review",
        "quality.read",
        "quality.decide",
        "certificates.suspend",
        "open_answers.review",
        "aggregates.read",
        "aggregates.unsuppressed",
        "open_answers.read_published",
        "people.read",
    }
)
_SOCIOLOGIST = _SUPERVISOR | frozenset(
    {
        "interviews.import",
        "exports.microdata",
        "reports.generate",
        "ratings.compute",
        "questionnaires.publish",
        "fieldwork.manage",
    }
)
#: everything (conducting real interviews still needs a certificate: the store's certification gate)
_ADMINISTRATOR = frozenset(PERMISSIONS)

#: the matrix: role → permissions. Keep docs/security.md's table in step (a test compares them).
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "administrator": _ADMINISTRATOR,
    "sociologist": _SOCIOLOGIST,
    "supervisor": _SUPERVISOR,
    "trainer": _TRAINER,
    "interviewer": _INTERVIEWER,
    "trainee": _TRAINEE,
    "council": _COUNCIL,
}


class Principal(Protocol):
    """Anyone acting: a :class:`surveykit.store.records.Person` or :data:`OPERATOR`."""

    @property
    def id(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def roles(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class _Operator:
    """The person at the command line: holds the database already, so may do everything."""

    id: str = "operator"
    display_name: str = "operator (command line)"
    roles: tuple[str, ...] = ("administrator",)
    active: bool = True


OPERATOR = _Operator()


def permissions_of(roles: Iterable[str]) -> frozenset[str]:
    """The union of the permissions of ``roles`` (unknown roles grant nothing)."""
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def roles_with(permission: str) -> tuple[str, ...]:
    """The roles that grant ``permission``, in the order of :data:`ROLE_PERMISSIONS`."""
    _known(permission)
    return tuple(role for role, granted in ROLE_PERMISSIONS.items() if permission in granted)


def can(person: Principal | None, permission: str) -> bool:
    """Whether ``person`` holds ``permission`` (an inactive person holds nothing)."""
    _known(permission)
    if person is None or not getattr(person, "active", True):
        return False
    return permission in permissions_of(person.roles)


def require(person: Principal | None, permission: str) -> None:
    """Refuse with SK514 (what was refused, the roles that may, how to get one) unless ``person`` may."""
    if not can(person, permission):
        raise _denied(person, permission)


def require_owner(person: Principal | None, owner_id: str | None, own: str, every: str) -> None:
    """Allow the owner with ``own``, or anyone with ``every`` (an interviewer reads only their interviews)."""
    if can(person, every):
        return
    if person is not None and owner_id is not None and owner_id == person.id and can(person, own):
        return
    raise _denied(person, every)


def _known(permission: str) -> None:
    if permission not in PERMISSIONS:  # a programming error, not a user's
        raise KeyError(f"unknown permission {permission!r}; known: {', '.join(PERMISSIONS)}")


def role_names(roles: Sequence[str]) -> Translated:
    """Role codes as words in each language of the apps (``locale/*/apps.yaml``, keys ``role.<code>``)."""
    from surveykit.i18n import UI_LANGUAGES, t

    def words(language: str) -> str:
        return ", ".join(
            t(f"role.{r}", language) if t(f"role.{r}", language) != f"role.{r}" else r for r in roles
        )

    return Translated({language: words(language) or "-" for language in UI_LANGUAGES})


def _denied(person: Principal | None, permission: str) -> AccessDenied:
    from surveykit.i18n import UI_LANGUAGES, t

    what = Translated({language: t(f"perm.{permission}", language) for language in UI_LANGUAGES})
    return AccessDenied(
        ErrorCode.PERMISSION_DENIED,
        person=person.display_name if person is not None else "-",
        action=what,
        needed=role_names(roles_with(permission)),
    )


def describe(roles: Sequence[str]) -> list[tuple[str, str]]:
    """``(permission, description)`` pairs granted by ``roles``, sorted: for the admin app and the docs."""
    granted = permissions_of(roles)
    return [(name, text) for name, text in PERMISSIONS.items() if name in granted]
