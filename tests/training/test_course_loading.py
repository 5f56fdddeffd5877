"""Loading the course: the shipped course is complete and correct; broken files give located errors."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from surveykit.errors import ErrorCode, TrainingError
from surveykit.training import Course, check_course, draw_exam, load_course
from surveykit.training.course import REQUIRED_LANGUAGES, QuizItem

from .conftest import TINY, line_of, write_course

# --------------------------------------------------------------------------------------------------------
# the shipped course
# --------------------------------------------------------------------------------------------------------

#: methodology C.2: module -> hours
C2_HOURS = {"M0": 1.5, "M1": 1.5, "M2": 1.5, "M3": 2, "M4": 2, "M5": 1.5, "M6": 1, "M7": 2, "M8": 1, "M9": 4}


def test_modules_are_those_of_methodology_c2(course: Course) -> None:
    assert {m.id: m.hours for m in course.modules} == C2_HOURS
    assert course.total_hours == pytest.approx(18.0)
    objectives = {m.id: len(m.objectives) for m in course.modules}
    # C.2's objectives, plus the topics of the course doctrine: M1 capacity/proxies and safeguarding, M3 others
    # present and telephone, M4 self-completion, M8 safety and conflicts of interest
    assert objectives == {
        "M0": 2,
        "M1": 6,
        "M2": 3,
        "M3": 5,
        "M4": 5,
        "M5": 2,
        "M6": 3,
        "M7": 4,
        "M8": 5,
        "M9": 3,
    }


def test_bank_size_and_coverage(course: Course) -> None:
    assert len(course.items) >= 80
    for module in course.modules:
        minimum = 2 if module.id == "M9" else 6
        assert len(course.items_of(module.id)) >= minimum, module.id
    assert {i.type for i in course.items} == {"single", "multi", "numeric", "scenario"}
    assert sum(i.critical for i in course.items) >= 12
    assert {i.select for i in course.items if i.type == "scenario"} == {"single"}


def test_critical_items_cover_consent_anonymity_falsification_and_skip_rules(course: Course) -> None:
    critical_modules = {i.module for i in course.items if i.critical}
    assert {"M1", "M4", "M8"} <= critical_modules  # consent/anonymity, skip rules, falsification


def test_the_18_example_items_of_c4_are_in_the_bank(course: Course) -> None:
    numbers = set()
    for item in course.items:
        for match in re.finditer(r"C\.4 #(\d+)", item.source or ""):
            numbers.add(int(match.group(1)))
    assert numbers == set(range(1, 19))


def test_c4_keys_match_the_methodology(course: Course) -> None:
    """Spot-check keys against C.4: item 3 (Q1 'No' -> Q3), item 8 (the three falsifications are the
    harmful options, a refusal recorded as a refusal is right), item 16 (paradata without the passport)."""
    q1_no = course.item("m4-01")
    assert q1_no.option(q1_no.answer).text["en"] == "Q3"
    assert {q1_no.option(o).text["en"] for o in q1_no.harmful_ids} == {"Q2", "Q2, then Q3", "Q5"}
    falsification = course.item("m8-01")
    assert len(falsification.harmful_ids) == 3
    refusal = next(o for o in falsification.options if "refusal as a refusal" in o.text["en"])
    assert refusal.id in falsification.key_set
    paradata = course.item("m6-01")
    passport = next(o for o in paradata.options if "passport" in o.text["en"])
    assert passport.id not in paradata.key_set and len(paradata.key_set) == 4


def _texts(item: QuizItem) -> list[dict[str, str]]:
    texts = [item.stem, item.explanation]
    texts += [t for t in (item.scenario, item.unit) if t is not None]
    for option in item.options:
        texts.append(option.text)
        if option.feedback is not None:
            texts.append(option.feedback)
    return texts


#: Russian names an English text may keep: НОК, Пинф, П (indicator), laws and orders (442-ФЗ, 344н)
RUSSIAN_NAMES = re.compile(r"НОК|Пинф|\(П\)|\d+-ФЗ|\d+н\b")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _cyrillic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return len(CYRILLIC.findall(text)) / max(1, len(letters))


def test_every_text_exists_in_both_languages_and_is_translated(course: Course) -> None:
    texts = [(item.id, t) for item in course.items for t in _texts(item)]
    texts += [(lesson.id, lesson.text) for m in course.modules for lesson in m.lessons]
    texts += [(m.id, o) for m in course.modules for o in (m.title, *m.objectives)]
    for where, text in texts:
        assert set(REQUIRED_LANGUAGES) <= set(text), where
        # Russian text has Russian words, unless it is a formula or a code without Latin words either
        latin_words = set(re.findall(r"[A-Za-z]{3,}", text["ru"])) - {"min", "max"}
        assert CYRILLIC.search(text["ru"]) or not latin_words, (where, text["ru"])
        if len(text["ru"]) > 60 and latin_words:  # a sentence with words: mostly Cyrillic
            assert _cyrillic_share(text["ru"]) > 0.3, (where, text["ru"])
        assert not CYRILLIC.findall(RUSSIAN_NAMES.sub("", text["en"])), (where, text["en"])


def test_every_answer_key_is_valid(course: Course) -> None:
    for item in course.items:
        if item.answer_kind == "numeric":
            assert isinstance(item.answer, int | float) and item.tolerance is not None, item.id
            continue
        assert item.key_set, item.id
        assert item.key_set <= set(item.option_ids), item.id
        if item.answer_kind == "single":
            assert isinstance(item.answer, str), item.id
        else:
            assert isinstance(item.answer, tuple), item.id


# The formulas of methodology A.2 / A.3 / C.3 / D.2, written out again here, independently of the data.
FORMULAS = {
    "ind_1_1": lambda v: (
        0.5 * (v["stand_present"] / v["stand_required"] + v["site_present"] / v["site_required"]) * 100
    ),
    "ind_1_2": lambda v: min(100, 30 * v["n_functioning"]),
    "ind_1_3": lambda v: (
        0.5 * (v["stand_satisfied"] / v["stand_users"] + v["site_satisfied"] / v["site_users"]) * 100
    ),
    "ind_20_per_item": lambda v: min(100, 20 * v["n_present"]),
    "share": lambda v: v["satisfied"] / v["answered"] * 100,
    "k1": lambda v: 0.3 * v["p11"] + 0.3 * v["p12"] + 0.4 * v["p13"],
    "k2_counts": lambda v: 0.5 * min(100, 20 * v["conditions"]) + 0.5 * v["satisfied"] / v["answered"] * 100,
    "k3_counts": lambda v: (
        0.3 * min(100, 20 * v["premises_items"])
        + 0.4 * min(100, 20 * v["service_items"])
        + 0.3 * v["satisfied"] / v["disabled"] * 100
    ),
    "k4_counts": lambda v: (
        0.4 * v["s41"] / v["n41"] * 100 + 0.4 * v["s42"] / v["n42"] * 100 + 0.2 * v["s43"] / v["n43"] * 100
    ),
    "k5": lambda v: 0.3 * v["p51"] + 0.2 * v["p52"] + 0.5 * v["p53"],
    "s_org": lambda v: (v["k1"] + v["k2"] + v["k3"] + v["k4"] + v["k5"]) / 5,
    "quota_remaining": lambda v: v["quota"] - v["completed"],
    "cooperation_rate": lambda v: v["completed"] / (v["completed"] + v["refused"]) * 100,
    "filter_base": lambda v: v["filter_yes"],
    "duration_minutes": lambda v: (v["end_h"] * 60 + v["end_m"]) - (v["start_h"] * 60 + v["start_m"]),
    "median": lambda v: statistics.median(v.values()),
    "short_threshold": lambda v: v["factor"] * v["median"],
    "mock_total": lambda v: 2 * v["items_2"] + v["items_1"],
}


def _numbers(text: str) -> set[float]:
    text = re.sub(r"(\d),(\d)", r"\1.\2", text)  # Russian decimal comma
    return {float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}


def test_every_numeric_item_is_recomputed_from_its_inputs(course: Course) -> None:
    numeric = [i for i in course.items if i.type == "numeric"]
    assert len(numeric) >= 15
    for item in numeric:
        assert item.computation is not None, f"{item.id}: numeric items carry their inputs"
        formula = FORMULAS[item.computation.formula]
        value = formula(item.computation.inputs)
        assert abs(round(value, 2) - item.answer) <= item.tolerance + 1e-9, (item.id, value, item.answer)
        for name, number in item.computation.inputs.items():
            if name.startswith("n_"):
                continue  # a count the trainee makes from a described list
            for language in REQUIRED_LANGUAGES:
                assert number in _numbers(item.stem[language]), (item.id, language, name, number)


def test_worked_example_of_a3_is_in_the_bank(course: Course) -> None:
    assert course.item("m7-02").answer == 89.44
    assert course.item("m7-07").answer == 93.83
    assert course.item("m0-05").answer == 87.45


def test_lesson_quizzes_use_items_of_their_module(course: Course) -> None:
    for module in course.modules:
        quiz = [item_id for lesson in module.lessons for item_id in lesson.quiz]
        assert quiz, module.id
        assert all(course.item(item_id).module == module.id for item_id in quiz), module.id


def test_rules_hold_the_c3_defaults(course: Course) -> None:
    rules = course.rules
    assert set(rules.roles) == {"questionnaire_taker", "interviewer", "checklist_observer"}
    assert rules.attendance.min_share == 0.90
    assert (rules.knowledge.pass_score, rules.knowledge.critical_hard_fail) == (0.80, True)
    assert rules.exam.items_per_exam == 25
    assert (rules.exam.resit_wait_hours, rules.exam.max_attempts) == (48, 2)
    assert (rules.mock_interview.min_total, rules.mock_interview.critical_min_score) == (20, 2)
    assert (rules.calibration.min_agreement, rules.calibration.min_kappa) == (0.90, 0.80)
    assert rules.certificate.validity_years == 2
    assert rules.probation.reviewed_interviews == 5


def test_mock_checklist_is_the_12_items_of_c3(course: Course) -> None:
    checklist = course.checklist
    assert len(checklist.items) == 12
    assert checklist.max_total == 24
    assert set(checklist.critical_ids) == {
        "consent",
        "privacy",
        "verbatim",
        "skip_logic",
        "neutral_probing",
        "recording",
    }


def test_audit_item_ids_match_the_audit_questionnaires(course: Course) -> None:
    ids = [i.id for i in course.audit_items.items]
    expected = [f"info_{n:02d}" for n in range(1, 17)]
    expected += [f"remote_{x}" for x in ("phone", "email", "eservice", "faq", "opinion", "other")]
    expected += [
        f"comfort_{x}"
        for x in ("waiting_area", "navigation", "water", "sanitary", "clean", "transport", "booking")
    ]
    expected += [f"acc_{x}" for x in ("entrance", "parking", "lifts_handrails", "wheelchairs", "sanitary")]
    expected += [
        f"svc_{x}"
        for x in ("sound_visual", "braille", "sign_language", "low_vision_site", "escort", "remote_home")
    ]
    assert ids == expected


def test_calibration_cases_cover_a_website_and_premises(course: Course) -> None:
    by_kind = {c.kind: c for c in course.calibration_cases}
    site, premises = by_kind["website"], by_kind["premises"]
    assert set(site.key) == {f"info_{n:02d}" for n in range(1, 17)} | {
        i.id for i in course.audit_items.items if i.group == "remote"
    }
    assert set(premises.key) == {
        i.id for i in course.audit_items.items if i.group in {"comfort", "acc", "svc"}
    }
    assert len(set(site.key.values())) == 6  # every status is used somewhere
    assert site.test_log and all(entry.item.startswith("remote_") for entry in site.test_log)


def test_shipped_course_passes_its_own_checks(course: Course) -> None:
    assert check_course(course).ok


def test_bank_supports_a_resit_with_different_items(course: Course) -> None:
    first = draw_exam(course, "seed-1")
    second = draw_exam(course, "seed-2", exclude=first)
    assert not set(first) & set(second)


def test_default_root_comes_from_the_settings(course: Course) -> None:
    assert load_course(None).id == course.id == "nok-interviewer"


# --------------------------------------------------------------------------------------------------------
# broken course files: every problem located, every problem at once
# --------------------------------------------------------------------------------------------------------


def _problems(root: Path) -> list:
    with pytest.raises(TrainingError) as info:
        load_course(root)
    assert info.value.report is not None
    return info.value.report.errors


def test_tiny_course_loads(tiny: Path) -> None:
    course = load_course(tiny)
    assert [i.id for i in course.items] == ["m0-01", "m0-02", "m1-01", "m1-02"]


DUPLICATE_ID = """\
schema_version: 1
module: M1
items:
  - id: m1-03
    type: single
    stem: {ru: "Вопрос?", en: "Question?"}
    options:
      - {id: a, text: {ru: "Да", en: "Yes"}}
      - {id: b, text: {ru: "Нет", en: "No"}}
    answer: a
    explanation: {ru: "Так.", en: "So."}
  - id: m1-01
    type: single
    stem: {ru: "Ещё вопрос?", en: "Another question?"}
    options:
      - {id: a, text: {ru: "Да", en: "Yes"}}
      - {id: b, text: {ru: "Нет", en: "No"}}
    answer: a
    explanation: {ru: "Так.", en: "So."}
"""


def test_duplicate_item_id_is_located_with_both_occurrences(tmp_path: Path) -> None:
    """Files load in name order, so m1-duplicate-id.yaml comes first and the clash is reported in m1.yaml."""
    root = write_course(tmp_path, {"items/m1-duplicate-id.yaml": DUPLICATE_ID})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.ITEM_INVALID
    assert problem.location.file.endswith("m1.yaml")
    assert problem.location.line == line_of(TINY["items/m1.yaml"], "id: m1-01")
    assert f"m1-duplicate-id.yaml:{line_of(DUPLICATE_ID, 'id: m1-01')}" in problem.message  # "also at"


ANSWER_KEY_UNKNOWN_OPTION = TINY["items/m1.yaml"].replace("answer: [a, c]", "answer: [a, d]")


def test_answer_key_naming_a_missing_option(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"items/m1.yaml": ANSWER_KEY_UNKNOWN_OPTION})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.ITEM_INVALID
    assert (problem.location.line, problem.location.path) == (
        line_of(ANSWER_KEY_UNKNOWN_OPTION, "answer: [a, d]"),
        "m1-01.answer",
    )
    assert "'d'" in problem.message


TRANSLATION_MISSING = TINY["items/m0.yaml"].replace(
    'stem: {ru: "Сколько?", en: "How many?"}', 'stem: {ru: "Сколько?"}'
)


def test_missing_english_translation(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"items/m0.yaml": TRANSLATION_MISSING})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.ITEM_INVALID
    assert problem.location.line == line_of(TRANSLATION_MISSING, 'stem: {ru: "Сколько?"}')
    assert "'en'" in problem.message
    assert "translation" in problem.hint


NUMERIC_WITHOUT_TOLERANCE = TINY["items/m0.yaml"].replace("    tolerance: 0\n", "")


def test_numeric_item_without_tolerance(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"items/m0.yaml": NUMERIC_WITHOUT_TOLERANCE})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.ITEM_INVALID
    assert problem.location.line == line_of(NUMERIC_WITHOUT_TOLERANCE, "id: m0-02")
    assert "tolerance" in problem.message


MODULE_WITHOUT_ITEMS = (
    TINY["course.yaml"]
    + """\
  - id: M2
    title: {ru: "Выборка", en: "Sampling"}
    hours: 1
    objectives:
      - {ru: "Отбирать", en: "Select"}
    lessons:
      - id: m2-l1
        title: {ru: "Урок", en: "Lesson"}
        text: {ru: "Текст.", en: "Text."}
"""
)


def test_module_without_items(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"course.yaml": MODULE_WITHOUT_ITEMS})
    codes = {(p.code, p.location.line) for p in _problems(root)}
    line = line_of(MODULE_WITHOUT_ITEMS, "id: M2")
    assert (ErrorCode.COURSE_INVALID, line) in codes  # no items in the bank
    assert ErrorCode.COURSE_INVALID in {c for c, _ in codes}  # and no blueprint entry for M2


UNKNOWN_FIELD_TYPO = TINY["items/m0.yaml"].replace("tolerance: 0", "tolerence: 0")


def test_unknown_field_suggests_the_right_name(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"items/m0.yaml": UNKNOWN_FIELD_TYPO})
    problems = _problems(root)
    unknown = [p for p in problems if p.code is ErrorCode.FIELD_UNKNOWN]
    assert len(unknown) == 1
    assert unknown[0].location.line == line_of(UNKNOWN_FIELD_TYPO, "tolerence")
    assert "did you mean 'tolerance'" in unknown[0].message


YAML_SYNTAX_ERROR = TINY["rules.yaml"].replace("attendance: {min_share: 0.9}", "attendance: {min_share: 0.9")


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"rules.yaml": YAML_SYNTAX_ERROR})
    problems = _problems(root)
    assert problems[0].code is ErrorCode.YAML_SYNTAX
    assert problems[0].location.file.endswith("rules.yaml")
    assert problems[0].location.line is not None


SCHEMA_TOO_NEW = TINY["mock_checklist.yaml"].replace("schema_version: 1", "schema_version: 2")


def test_schema_version_too_new(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"mock_checklist.yaml": SCHEMA_TOO_NEW})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.SCHEMA_VERSION_TOO_NEW
    assert problem.location.line == 1


LESSON_QUIZ_UNKNOWN_ITEM = TINY["course.yaml"].replace("quiz: [m1-01]", "quiz: [m1-10]")


def test_lesson_quiz_naming_an_unknown_item(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"course.yaml": LESSON_QUIZ_UNKNOWN_ITEM})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.COURSE_INVALID
    assert problem.location.line == line_of(LESSON_QUIZ_UNKNOWN_ITEM, "quiz: [m1-10]")
    assert "did you mean" in problem.message


BLUEPRINT_TOO_LARGE = TINY["rules.yaml"].replace("blueprint: {M0: 1, M1: 1}", "blueprint: {M0: 2, M1: 1}")


def test_bank_too_small_for_the_blueprint_and_resits(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"rules.yaml": BLUEPRINT_TOO_LARGE})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.BANK_TOO_SMALL
    assert problem.location.file.endswith("rules.yaml")
    assert problem.location.line == line_of(BLUEPRINT_TOO_LARGE, "blueprint:")
    assert problem.params["module"] == "M0"


CALIBRATION_BAD_STATUS = TINY["calibration/site.yaml"].replace(
    "remote_email: not_functioning", "remote_email: absent"
)


def test_calibration_key_with_a_status_the_item_does_not_allow(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"calibration/site.yaml": CALIBRATION_BAD_STATUS})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.COURSE_INVALID
    assert problem.location.line == line_of(CALIBRATION_BAD_STATUS, "remote_email: absent")
    assert "functioning, not_functioning" in problem.message


DUPLICATE_YAML_KEY = TINY["items/m0.yaml"].replace("    answer: a\n", "    answer: a\n    answer: b\n")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"items/m0.yaml": DUPLICATE_YAML_KEY})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.DUPLICATE_KEY
    assert problem.location.line == line_of(DUPLICATE_YAML_KEY, "answer: b")


def test_missing_rules_file(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"rules.yaml": None})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.FILE_NOT_FOUND
    assert problem.location.file.endswith("rules.yaml")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    root = write_course(
        tmp_path,
        {
            "items/m1.yaml": ANSWER_KEY_UNKNOWN_OPTION,
            "items/m0.yaml": TRANSLATION_MISSING,
            "calibration/site.yaml": CALIBRATION_BAD_STATUS,
            "mock_checklist.yaml": SCHEMA_TOO_NEW,
        },
    )
    with pytest.raises(TrainingError) as info:
        load_course(root)
    codes = info.value.report.codes()
    assert codes.count(ErrorCode.ITEM_INVALID) == 2
    assert ErrorCode.COURSE_INVALID in codes
    assert ErrorCode.SCHEMA_VERSION_TOO_NEW in codes
    text = str(info.value)  # where, what, how to fix
    assert "m1.yaml:" in text and "m0.yaml:" in text and "site.yaml:" in text


def test_an_item_checks_itself_when_built_in_code() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        QuizItem(
            id="m0-99",
            module="M0",
            type="numeric",
            stem={"ru": "Сколько?", "en": "How many?"},
            answer=3,
            explanation={"ru": "Так.", "en": "So."},
        )


OBJECTIVE_WITHOUT_ENGLISH = TINY["course.yaml"].replace(
    '- {ru: "Назвать критерии", en: "Name the criteria"}', '- {ru: "Назвать критерии"}'
)


def test_a_broken_course_file_is_reported_once_without_follow_up_errors(tmp_path: Path) -> None:
    """course.yaml cannot be used, but the items are not then reported as belonging to unknown modules."""
    root = write_course(tmp_path, {"course.yaml": OBJECTIVE_WITHOUT_ENGLISH})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.COURSE_INVALID
    assert problem.location.line == line_of(OBJECTIVE_WITHOUT_ENGLISH, 'ru: "Назвать критерии"}')
    assert "no 'en' text" in problem.message


ANSWER_KEY_BOOLEAN = TINY["items/m0.yaml"].replace("answer: 60", "answer: true")


def test_answer_key_of_the_wrong_shape(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"items/m0.yaml": ANSWER_KEY_BOOLEAN})
    [problem] = _problems(root)
    assert problem.code is ErrorCode.ITEM_INVALID
    assert problem.location.line == line_of(ANSWER_KEY_BOOLEAN, "answer: true")
    assert "option id, a list of option ids or a number" in problem.message


CASE_KIND_MISSPELT = TINY["calibration/site.yaml"].replace("kind: website", "kind: webside")


def test_a_broken_calibration_case_is_reported_once(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"calibration/site.yaml": CASE_KIND_MISSPELT})
    [problem] = _problems(root)  # and not again as "no website case"
    assert problem.code is ErrorCode.COURSE_INVALID
    assert problem.location.line == line_of(CASE_KIND_MISSPELT, "kind: webside")
    assert "'website' or 'premises'" in problem.message
