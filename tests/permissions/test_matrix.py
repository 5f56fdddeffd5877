"""Each role against each kind of data, through the guarded store: allowed or refused (SK514 / SK515).

The expected table is written out here on purpose (not derived from ``surveykit.access``), so a change of
the policy shows up as a failing cell to be reviewed, not as a silently widened permission."""

from __future__ import annotations

import pandas as pd
import pytest

from surveykit.errors import AccessDenied, ErrorCode
from surveykit.store.guarded import session_ended

from .helpers import BY_ROLE

ROLES = ("administrator", "sociologist", "supervisor", "trainer", "interviewer", "trainee", "council")


def _own_interview(world, g):
    assignment = world.store.assignments()[0]
    meta = g.start_interview(
        "recipient_survey",
        institution_id=assignment.institution_id,
        mode="face_to_face",
        period=assignment.period,
    )
    g.save_draft(meta.id, {}, None)
    return g.load_interview(meta.id).meta.interviewer_id == g.person.id and g.drafts()


def _microdata_export(world, g):
    result = g.export_interviews("recipient_survey", world.store.db.url.database + ".export.csv")
    frame = pd.read_csv(result.files[0])
    real = set(world.store.interviews_frame("recipient_survey")["interviewer_id"].astype(str))
    assert not set(frame["interviewer_id"].astype(str)) & real, "interviewer ids must be pseudonymised"
    return result


KINDS = {
    "own_interview": _own_interview,
    "other_interview": lambda w, g: g.load_interview(w.ids["other_interview"]),
    "interview_frame": lambda w, g: g.interviews_frame("recipient_survey"),
    "microdata_export": _microdata_export,
    "paradata": lambda w, g: g.paradata_frame(),
    "exam_keys": lambda w, g: g.training(w.service).item_bank(),
    "other_trainee_attempt": lambda w, g: g.training(w.service).attempt(w.ids["other_attempt"]),
    "own_exam_attempt": lambda w, g: g.training(w.service).exam_status(),
    "unsuppressed_aggregates": lambda w, g: g.rating(),
    "suppressed_dashboard": lambda w, g: g.dashboard_data(language="en").ranking(),
    "pending_open_answers": lambda w, g: g.open_answers("pending"),
    "approved_open_answers": lambda w, g: g.open_answers("approved"),
    "people_list": lambda w, g: g.people(),
    "audit_log": lambda w, g: g.audit_frame(),
}

A, S, U, T, I, E, C = ROLES  # noqa: E741 - one letter per role keeps the table readable
ALLOWED: dict[str, set[str]] = {
    "own_interview": {A, I},  # the administrator holds every permission (and a certificate here)
    "other_interview": {A, S, U},
    "interview_frame": {A, S, U},
    "microdata_export": {A, S},
    "paradata": {A, S, U},
    "exam_keys": {A, T},
    "other_trainee_attempt": {A, T},
    "own_exam_attempt": {A, T, I, E},
    "unsuppressed_aggregates": {A, S, U},
    "suppressed_dashboard": {A, S, U, C},
    "pending_open_answers": {A, S, U},
    "approved_open_answers": {A, S, U, C},
    "people_list": {A, S, U, T},
    "audit_log": {A},
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("role", ROLES)
def test_role_against_kind_of_data(world, role, kind):
    g = world.sign_in(BY_ROLE[role])
    if role in ALLOWED[kind]:
        assert KINDS[kind](world, g) is not None
    else:
        with pytest.raises(AccessDenied) as err:
            KINDS[kind](world, g)
        assert err.value.code in (ErrorCode.PERMISSION_DENIED, ErrorCode.NOT_YOURS)
        assert g.person.display_name in err.value.message


def test_the_table_covers_every_kind_and_role():
    assert set(ALLOWED) == set(KINDS)
    assert all(roles <= set(ROLES) for roles in ALLOWED.values())


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_ended_session_refuses_every_kind_of_data(world, kind):
    """The administrator may do everything, until the session ends: then nothing, with "sign in again"."""
    g = world.sign_in("adm")
    g.end()
    with pytest.raises(AccessDenied) as err:
        KINDS[kind](world, g)
    assert err.value.code is ErrorCode.SESSION_ENDED and session_ended(err.value)


def test_a_deactivated_person_is_refused_at_the_next_call(world):
    g = world.sign_in("soc")
    assert len(g.interviews_frame("recipient_survey"))
    world.store.deactivate_person("soc", by="adm")
    with pytest.raises(AccessDenied) as err:
        g.interviews_frame("recipient_survey")
    assert session_ended(err.value)


def test_roles_changed_by_an_administrator_count_at_the_next_call(world):
    """The person is re-read with the session on every call: a trainer made a trainee loses the keys."""
    g = world.sign_in("trn")
    assert len(g.training(world.service).item_bank())
    world.store.set_roles("trn", ["trainee"], by="adm")
    with pytest.raises(AccessDenied) as err:
        g.training(world.service).item_bank()
    assert err.value.code is ErrorCode.PERMISSION_DENIED


def test_the_guarded_store_has_no_passthrough_to_the_raw_store(world):
    """Only the methods written with a check exist: nothing falls through to the Store."""
    from surveykit.store.guarded import GuardedStore

    g = world.sign_in("adm")
    for name in (
        "db",
        "catalog",
        "directory",
        "interviews",
        "reviews",
        "add_person",
        "set_access_code",
        "import_responses",
        "sign_in",
        "start_session",
        "close",
    ):
        assert not hasattr(g, name), name
    assert "__getattr__" not in vars(GuardedStore)
    with pytest.raises(AttributeError):
        g.anything_else = 1  # __slots__: no attribute can be added either


def test_the_guarded_training_hands_out_no_course_object_with_keys(world):
    """The course holds the answer keys: through the guarded training only ``item_bank`` reaches them."""
    training = world.sign_in("tr1").training(world.service)
    assert not hasattr(training, "course") and not hasattr(training, "_service_course")
    with pytest.raises(AttributeError):
        training.service  # noqa: B018 - the raw service is not an attribute either
