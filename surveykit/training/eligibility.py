"""Certification eligibility: which roles a person may be certified for, and why not the others.

Each role in ``rules.yaml`` lists its requirements; a role is granted when all of them are met:

* ``attendance`` — hours attended over the role's modules, each module counted up to its own hours,
  divided by those modules' hours, is at least ``attendance.min_share``;
* ``knowledge`` — the best knowledge-test attempt *that counts for the role* passes
  (:func:`~surveykit.training.grading.knowledge_shortfalls`): an exam drawn with a role's blueprint counts
  for the roles that blueprint ``certifies`` (rules.yaml ``exam.blueprints``); an exam of the one common
  plan, or stored before blueprints per role existed, counts for every role;
* ``mock_interview`` — the mock interview passes under the current rules (:mod:`surveykit.training.mock`);
* ``calibration`` — for every kind in ``calibration.required_kinds`` (website, premises) at least one
  calibration result passes (:mod:`surveykit.training.calibration`).

The verdicts of knowledge, mock and calibration are recomputed from the stored results with the current
rules, so a change of a pass mark applies to everyone at once.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from surveykit.errors import ErrorCode, Location, TrainingError, did_you_mean
from surveykit.i18n import pick
from surveykit.training.calibration import CalibrationResult, calibration_shortfalls
from surveykit.training.course import Course, LocalText, Requirement
from surveykit.training.grading import AttemptResult, best_result, knowledge_shortfalls
from surveykit.training.mock import MockResult, mock_shortfalls

__all__ = [
    "Eligibility",
    "PersonRecord",
    "Reason",
    "attendance_share",
    "calibration_kind_name",
    "check_eligibility",
]

EPSILON = 1e-9

_KIND_NAMES = {"website": {"ru": "сайт", "en": "website"}, "premises": {"ru": "помещения", "en": "premises"}}


def calibration_kind_name(kind: str, language: str) -> str:
    """What a calibration kind (``website``, ``premises``) is called in ``language``."""
    return pick(_KIND_NAMES.get(kind, {}), language, "en") or kind


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonRecord(_Frozen):
    """What the training record holds about one trainee."""

    person_id: str
    attendance_hours: dict[str, float] = {}
    knowledge_results: tuple[AttemptResult, ...] = ()
    mock_result: MockResult | None = None
    calibration_results: tuple[CalibrationResult, ...] = ()


class Reason(_Frozen):
    """An unmet requirement, the roles it blocks, and the text in Russian and English."""

    requirement: Requirement
    roles: tuple[str, ...]
    text: LocalText
    #: the shortfall alone, and the names of the roles it blocks (``text`` is both in one line)
    what: LocalText = {}
    role_names: LocalText = {}

    def text_in(self, language: str) -> str:
        return pick(self.text, language, "en")


class Eligibility(_Frozen):
    eligible: bool
    roles: tuple[str, ...]
    reasons: tuple[Reason, ...]
    checks: dict[str, dict[str, bool]]
    attendance: dict[str, float]
    best_knowledge: AttemptResult | None = None

    def reasons_in(self, language: str) -> list[str]:
        return [r.text_in(language) for r in self.reasons]

    def grouped(self, language: str) -> list[tuple[str, list[str]]]:
        """The unmet requirements grouped by the roles they block: ``[(role names, [shortfalls])]``, so a
        screen names each set of roles once instead of after every line."""
        groups: dict[tuple[str, ...], tuple[str, list[str]]] = {}
        for reason in self.reasons:
            names = pick(reason.role_names, language, "en") if reason.role_names else ""
            what = pick(reason.what, language, "en") if reason.what else reason.text_in(language)
            groups.setdefault(reason.roles, (names, []))[1].append(what)
        return list(groups.values())


def attendance_share(
    hours: Mapping[str, float], course: Course, modules: tuple[str, ...] | None = None
) -> float:
    """Σ min(attended, module hours) / Σ module hours over ``modules`` (default: all modules).

    Raises ``FIELD_INVALID`` for an unknown module or negative hours.
    """
    for module_id, value in hours.items():
        if module_id not in course.module_ids:
            raise TrainingError(
                ErrorCode.FIELD_INVALID,
                Location(field="attendance_hours"),
                field="attendance_hours",
                detail=f"unknown module '{module_id}'{did_you_mean(module_id, course.module_ids)}",
                fix=f"Record hours under the module ids {', '.join(course.module_ids)}.",
            )
        if value < 0:
            raise TrainingError(
                ErrorCode.FIELD_INVALID,
                Location(field=f"attendance_hours.{module_id}"),
                field=f"attendance_hours.{module_id}",
                detail=f"{value} hours is negative",
                fix="Record the hours attended, 0 or more.",
            )
    selected = [m for m in course.modules if modules is None or m.id in modules]
    possible = sum(m.hours for m in selected)
    attended = sum(min(hours.get(m.id, 0.0), m.hours) for m in selected)
    return attended / possible if possible else 0.0


def _role_names(course: Course, roles: list[str], language: str) -> str:
    return ", ".join(pick(course.rules.roles[r].name, language, "en") for r in roles)


def check_eligibility(person: PersonRecord, course: Course) -> Eligibility:
    """Evaluate every role of ``course.rules.roles`` for ``person``."""
    rules = course.rules
    # requirement -> list of shortfall texts (empty = met); attendance and knowledge depend on the role
    best = best_result(person.knowledge_results, rules)

    def knowledge_for(role_id: str) -> list[LocalText]:
        counting = [
            r
            for r in person.knowledge_results
            if (roles := rules.exam.certified_by(r.role)) is None or role_id in roles
        ]
        best_here = best_result(counting, rules)
        if best_here is not None:
            return knowledge_shortfalls(best_here, rules)
        if person.knowledge_results:
            return [
                {
                    "ru": "тест знаний для этой роли не сдавался (сданный тест был для другой роли)",
                    "en": "no knowledge test taken for this role (the test taken was for another role)",
                }
            ]
        return [{"ru": "тест знаний не сдавался", "en": "no knowledge test taken"}]
    if person.mock_result is None:
        mock = [{"ru": "пробное интервью не проводилось", "en": "no mock interview recorded"}]
    else:
        mock = mock_shortfalls(person.mock_result, course.checklist, rules)
    calibration: list[LocalText] = []
    for kind in rules.calibration.required_kinds:
        results = [r for r in person.calibration_results if r.kind == kind]
        name = _KIND_NAMES.get(kind, {"ru": kind, "en": kind})
        if not results:
            calibration.append(
                {
                    "ru": f"калибровка ({name['ru']}): не проводилась",
                    "en": f"calibration ({name['en']}): not done",
                }
            )
        elif all(calibration_shortfalls(r, rules) for r in results):
            best_cal = max(results, key=lambda r: r.agreement)
            for text in calibration_shortfalls(best_cal, rules):
                calibration.append(
                    {
                        "ru": f"калибровка ({name['ru']}): {text['ru']}",
                        "en": f"calibration ({name['en']}): {text['en']}",
                    }
                )

    granted: list[str] = []
    checks: dict[str, dict[str, bool]] = {}
    shares: dict[str, float] = {}
    blocking: dict[tuple[str, str], tuple[Requirement, LocalText, list[str]]] = {}
    for role_id, role in rules.roles.items():
        modules = None if role.attendance_modules == "all" else tuple(role.attendance_modules)
        share = attendance_share(person.attendance_hours, course, modules)
        shares[role_id] = share
        attendance: list[LocalText] = []
        if share + EPSILON < rules.attendance.min_share:
            attendance.append(
                {
                    "ru": f"посещение: {share * 100:.1f} % часов (нужно не менее {rules.attendance.min_share * 100:.0f} %)",
                    "en": f"attendance: {share * 100:.1f} % of hours (at least {rules.attendance.min_share * 100:.0f} % needed)",
                }
            )
        found: dict[str, list[LocalText]] = {
            "attendance": attendance,
            "knowledge": knowledge_for(role_id) if "knowledge" in role.requires else [],
            "mock_interview": mock,
            "calibration": calibration,
        }
        checks[role_id] = {req: not found[req] for req in role.requires}
        if all(checks[role_id].values()):
            granted.append(role_id)
            continue
        for req in role.requires:
            for text in found[req]:
                entry = blocking.setdefault((req, text["en"]), (req, text, []))
                entry[2].append(role_id)

    reasons = []
    for req, text, roles in blocking.values():
        reasons.append(
            Reason(
                requirement=req,
                roles=tuple(roles),
                text={
                    "ru": f"{text['ru']} — роли: {_role_names(course, roles, 'ru')}",
                    "en": f"{text['en']} — roles: {_role_names(course, roles, 'en')}",
                },
                what=text,
                role_names={lang: _role_names(course, roles, lang) for lang in ("ru", "en")},
            )
        )
    return Eligibility(
        eligible=bool(granted),
        roles=tuple(granted),
        reasons=tuple(reasons),
        checks=checks,
        attendance=shares,
        best_knowledge=best,
    )
