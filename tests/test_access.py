"""The permission policy (surveykit.access): the matrix, refusals with words, owners, inactive people."""

from __future__ import annotations

import pytest

from surveykit import access
from surveykit.errors import AccessDenied, ErrorCode
from surveykit.store.records import Person
from surveykit.store.schema import ROLES


def person(*roles: str, active: bool = True, pid: str = "p1") -> Person:
    return Person(pid, "Ivan Petrov", tuple(roles), pid, active=active)


def test_every_role_of_the_store_has_permissions_and_every_permission_is_described():
    assert set(access.ROLE_PERMISSIONS) == set(ROLES)
    granted = set().union(*access.ROLE_PERMISSIONS.values())
    assert granted <= set(access.PERMISSIONS)
    # every permission is granted to someone: nothing is unreachable
    assert granted == set(access.PERMISSIONS)


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        ("council", {"aggregates.read", "open_answers.read_published"},
         {"interviews.read_all", "training.keys", "aggregates.unsuppressed", "interviews.own", "audit.read"}),
        ("trainee", {"training.take"}, {"training.keys", "interviews.own", "interviews.read_all"}),
        ("interviewer", {"interviews.own", "training.take"}, {"interviews.read_all", "training.keys"}),
        ("trainer", {"training.keys", "training.manage"}, {"interviews.read_all", "people.manage"}),
        ("supervisor", {"interviews.review", "quality.decide"}, {"exports.microdata", "people.manage"}),
        ("sociologist", {"exports.microdata", "interviews.read_all"}, {"people.manage", "database.backup"}),
        ("administrator", set(access.PERMISSIONS), set()),
    ],
)  # fmt: skip
def test_the_matrix_grants_and_refuses(role, allowed, refused):
    someone = person(role)
    for permission in allowed:
        assert access.can(someone, permission), (role, permission)
    for permission in refused:
        assert not access.can(someone, permission), (role, permission)


def test_roles_add_up_and_an_inactive_person_holds_nothing():
    both = person("trainee", "council")
    assert access.can(both, "training.take") and access.can(both, "aggregates.read")
    assert not access.can(person("administrator", active=False), "audit.read")
    assert not access.can(None, "aggregates.read")
    assert not access.can(person("no-such-role"), "aggregates.read")


def test_a_refusal_says_who_what_and_which_roles_may_in_each_language():
    with pytest.raises(AccessDenied) as info:
        access.require(person("council"), "interviews.read_all")
    err = info.value
    assert err.code is ErrorCode.PERMISSION_DENIED
    assert "Ivan Petrov" in str(err) and "read every interview" in str(err)
    assert "supervisor" in str(err) and "ask an administrator" in str(err)
    assert "читать все интервью" in err.localized("ru") and "руководитель полевых работ" in err.localized(
        "ru"
    )


def test_an_owner_reads_their_own_interviews_and_nobody_elses():
    anna = person("interviewer", pid="anna")
    access.require_owner(anna, "anna", "interviews.own", "interviews.read_all")
    with pytest.raises(AccessDenied):
        access.require_owner(anna, "boris", "interviews.own", "interviews.read_all")
    with pytest.raises(AccessDenied):  # owning is not enough without the permission
        access.require_owner(person("trainee", pid="anna"), "anna", "interviews.own", "interviews.read_all")
    access.require_owner(person("supervisor"), "boris", "interviews.own", "interviews.read_all")


def test_the_command_line_operator_may_do_everything_and_unknown_permissions_are_programming_errors():
    assert all(access.can(access.OPERATOR, p) for p in access.PERMISSIONS)
    with pytest.raises(KeyError, match="unknown permission"):
        access.can(access.OPERATOR, "interviews.delete_everything")
    assert access.roles_with("training.keys") == ("administrator", "trainer")
