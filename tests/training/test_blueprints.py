"""Exam blueprints per role: each role draws from the modules it needs, every exam holds the same number of
critical items per module and a consent/privacy item, re-sits never repeat an item, the exam of a role
counts for the roles it certifies. Many draws are simulated on the shipped bank."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from surveykit.errors import ErrorCode, TrainingError
from surveykit.training import Course, check_eligibility, draw_exam, grade_attempt, load_course, start_attempt
from surveykit.training.eligibility import PersonRecord

from .conftest import TINY, write_course

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
DRAWS = 300


@pytest.mark.parametrize("role", ["interviewer", "questionnaire_taker", "checklist_observer"])
def test_every_draw_of_a_role_follows_its_blueprint_exactly(course: Course, role: str) -> None:
    plan = course.rules.exam.plan_for(role)

    def check(ids: tuple[str, ...]) -> None:
        items = [course.item(i) for i in ids]
        assert len(ids) == len(set(ids)) == plan.items_per_exam
        assert Counter(i.module for i in items) == Counter(plan.counts())
        critical = Counter(i.module for i in items if i.critical)
        assert {m: critical.get(m, 0) for m in plan.modules} == {
            m: d.critical for m, d in plan.modules.items()
        }
        assert any("consent_privacy" in i.tags for i in items), (role, seed)
        for tag, least in plan.require_tags.items():  # e.g. self-completion for the questionnaire-taker
            assert sum(tag in i.tags for i in items) >= least, (role, seed, tag)
        assert not any(set(i.tags) & set(plan.exclude_tags) for i in items)

    for seed in range(DRAWS):
        first = draw_exam(course, seed, role=role)
        check(first)
        resit = draw_exam(course, seed, role=role, exclude=first)  # the re-sit: never an item seen before
        check(resit)
        assert not set(resit) & set(first)


def test_each_role_answers_the_modules_it_needs(course: Course) -> None:
    exam = course.rules.exam
    observer, interviewer, taker = (
        exam.plan_for(r) for r in ("checklist_observer", "interviewer", "questionnaire_taker")
    )
    assert "M5" not in observer.counts()  # observers never answer probing items
    assert "interview" in observer.exclude_tags and "self_completion" in observer.exclude_tags
    assert observer.counts()["M7"] >= 8  # the checklists are their work
    assert "arithmetic" in interviewer.exclude_tags and "checklist" in interviewer.exclude_tags
    assert {"interview", "telephone"} <= set(taker.exclude_tags) and "M5" not in taker.counts()
    assert (
        taker.require_tags.get("self_completion", 0) >= 1
    )  # the one mode the questionnaire-taker is certified for
    pool = [i for i in course.items if interviewer.eligible(i)]
    assert not [i.id for i in pool if "arithmetic" in i.tags]
    assert exam.certified_by("interviewer") == ("interviewer", "questionnaire_taker")
    assert exam.certified_by("checklist_observer") == ("checklist_observer",)
    assert exam.certified_by(None) is None  # an attempt from before roles: counts for every role


def test_the_draw_of_a_role_is_reproducible_and_differs_between_roles(course: Course) -> None:
    assert draw_exam(course, "x", role="interviewer") == draw_exam(course, "x")  # the default role
    assert draw_exam(course, "x", role="checklist_observer") != draw_exam(course, "x")
    assert len({draw_exam(course, s, role="questionnaire_taker") for s in range(20)}) > 1


def test_an_unknown_role_is_refused_with_the_known_ones(course: Course) -> None:
    with pytest.raises(TrainingError) as info:
        draw_exam(course, 1, role="intervewer")
    assert info.value.code is ErrorCode.EXAM_ROLE_UNKNOWN
    assert (
        "interviewer" in info.value.params["suggestion"]
        and "checklist_observer" in info.value.params["known"]
    )
    assert "роли" in info.value.localized("ru")


def test_an_attempt_records_its_role_and_the_role_time_limit(course: Course) -> None:
    attempt = start_attempt(course, "p1", [], T0, seed="s", role="checklist_observer")
    assert attempt.role == "checklist_observer"
    assert attempt.deadline - attempt.started_at == timedelta(
        minutes=course.rules.exam.time_limit_for("checklist_observer")
    )
    assert attempt.item_ids == draw_exam(course, "s", role="checklist_observer")
    attempt.submit(T0 + timedelta(minutes=5))
    assert attempt.grade(course).role == "checklist_observer"


def _passed(course: Course, role: str | None):
    items = [course.item(i) for i in draw_exam(course, "ok", role=role)]
    answers = {i.id: (list(i.key_set) if i.answer_kind == "multi" else i.answer) for i in items}
    return grade_attempt(items, answers, role=role)


def test_an_exam_counts_for_the_roles_its_blueprint_certifies(course: Course) -> None:
    full = {m.id: m.hours for m in course.modules}

    def knowledge_met(result) -> dict[str, bool]:
        record = PersonRecord(person_id="p", attendance_hours=full, knowledge_results=(result,))
        checks = check_eligibility(record, course).checks
        return {role: checks[role]["knowledge"] for role in checks}

    assert knowledge_met(_passed(course, "interviewer")) == {
        "questionnaire_taker": True,
        "interviewer": True,
        "checklist_observer": False,
    }
    assert knowledge_met(_passed(course, "checklist_observer")) == {
        "questionnaire_taker": False,
        "interviewer": False,
        "checklist_observer": True,
    }
    legacy = _passed(course, "interviewer").model_copy(update={"role": None})
    assert set(knowledge_met(legacy).values()) == {True}
    record = PersonRecord(
        person_id="p", attendance_hours=full, knowledge_results=(_passed(course, "checklist_observer"),)
    )
    reasons = check_eligibility(record, course).reasons_in("en")
    assert any("another role" in r and "Interviewer" in r for r in reasons)


# -- the blueprint checks when the course is loaded, on small courses ----------------------------------------

ROLES_RULES = TINY["rules.yaml"].replace(
    "  blueprint: {M0: 1, M1: 1}\n",
    """  default_role: interviewer
  blueprints:
    interviewer:
      require_tags: {consent_privacy: 1}
      modules:
        M0: {items: 1, critical: 0}
        M1: {items: 1, critical: 1}
""",
)
TAGGED_M1 = (
    TINY["items/m1.yaml"].replace("    critical: true\n", "    critical: true\n    tags: [consent_privacy]\n")
    + """  - id: m1-03
    type: single
    critical: true
    stem: {ru: "Ещё вопрос?", en: "Another question?"}
    options:
      - {id: a, text: {ru: "Да", en: "Yes"}, harmful: true}
      - {id: b, text: {ru: "Нет", en: "No"}}
    answer: b
    explanation: {ru: "Так.", en: "So."}
  - id: m1-04
    type: single
    critical: true
    tags: [consent_privacy]
    stem: {ru: "И ещё?", en: "And another?"}
    options:
      - {id: a, text: {ru: "Да", en: "Yes"}}
      - {id: b, text: {ru: "Нет", en: "No"}, harmful: true}
    answer: a
    explanation: {ru: "Так.", en: "So."}
"""
)


def test_a_small_course_with_role_blueprints_loads_and_swaps_in_the_required_tag(tmp_path: Path) -> None:
    root = write_course(tmp_path / "c", {"rules.yaml": ROLES_RULES, "items/m1.yaml": TAGGED_M1})
    course = load_course(root)
    seen = Counter()
    for seed in range(60):
        ids = draw_exam(course, seed)
        m1 = [course.item(i) for i in ids if i.startswith("m1-")]
        assert len(m1) == 1 and m1[0].critical and "consent_privacy" in m1[0].tags
        seen[m1[0].id] += 1
    assert set(seen) == {"m1-01", "m1-04"}  # m1-03 (critical, no tag) is always swapped out


def test_a_blueprint_the_bank_cannot_fill_is_reported_per_stratum(tmp_path: Path) -> None:
    rules = ROLES_RULES.replace("M1: {items: 1, critical: 1}", "M1: {items: 3, critical: 2}")
    root = write_course(tmp_path / "c", {"rules.yaml": rules})
    with pytest.raises(TrainingError) as info:
        load_course(root)
    problems = info.value.report.errors
    short = [p for p in problems if p.code is ErrorCode.BANK_TOO_SMALL]
    assert {p.params["available"] for p in short} == {"1 critical", "1 non-critical"}
    assert all(p.params["module"] == "M1 (interviewer)" for p in short)
    tags = [p for p in problems if p.code is ErrorCode.COURSE_INVALID and "consent_privacy" in p.message]
    assert tags and "0 such item" in tags[0].message


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ("  default_role: interviewer\n", "'default_role' is required"),
        ("roles:\n  interviewer:", "no exam blueprint certifies the knowledge of questionnaire_taker"),
        ("M1: {items: 1, critical: 1}", "critical (2) is more than items (1)"),
    ],
)
def test_broken_role_blueprints_are_reported(tmp_path: Path, change: str, needle: str) -> None:
    replacement = {
        "  default_role: interviewer\n": "",
        "roles:\n  interviewer:": (
            'roles:\n  questionnaire_taker:\n    name: {ru: "Анкетёр", en: "Questionnaire-taker"}\n'
            "    requires: [knowledge]\n  interviewer:"
        ),
        "M1: {items: 1, critical: 1}": "M1: {items: 1, critical: 2}",
    }[change]
    root = write_course(tmp_path / "c", {"rules.yaml": ROLES_RULES.replace(change, replacement)})
    with pytest.raises(TrainingError) as info:
        load_course(root)
    assert needle in str(info.value.report)
