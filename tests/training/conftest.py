"""Fixtures for the training tests: the shipped course, and a tiny valid course written inline.

Broken-course tests start from :data:`TINY` and replace one file with a small YAML text named after the
condition it shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from surveykit.training import Course, load_course

TINY: dict[str, str] = {
    "course.yaml": """\
schema_version: 1
id: tiny
title: {ru: "Мини-курс", en: "Tiny course"}
methodology: RU_NOK_344n_2018
modules:
  - id: M0
    title: {ru: "Контекст", en: "Context"}
    hours: 2
    objectives:
      - {ru: "Назвать критерии", en: "Name the criteria"}
    lessons:
      - id: m0-l1
        title: {ru: "Урок", en: "Lesson"}
        text: {ru: "Текст урока.", en: "Lesson text."}
        quiz: [m0-01]
  - id: M1
    title: {ru: "Этика", en: "Ethics"}
    hours: 1
    objectives:
      - {ru: "Получить согласие", en: "Obtain consent"}
    lessons:
      - id: m1-l1
        title: {ru: "Урок", en: "Lesson"}
        text: {ru: "Текст урока.", en: "Lesson text."}
        quiz: [m1-01]
""",
    "items/m0.yaml": """\
schema_version: 1
module: M0
items:
  - id: m0-01
    type: single
    stem: {ru: "Вопрос?", en: "Question?"}
    options:
      - {id: a, text: {ru: "Да", en: "Yes"}}
      - {id: b, text: {ru: "Нет", en: "No"}}
    answer: a
    explanation: {ru: "Потому что.", en: "Because."}
  - id: m0-02
    type: numeric
    stem: {ru: "Сколько?", en: "How many?"}
    answer: 60
    tolerance: 0
    explanation: {ru: "3 × 20.", en: "3 × 20."}
""",
    "items/m1.yaml": """\
schema_version: 1
module: M1
items:
  - id: m1-01
    type: multi
    critical: true
    stem: {ru: "Что верно?", en: "What is true?"}
    options:
      - {id: a, text: {ru: "Раз", en: "One"}}
      - {id: b, text: {ru: "Два", en: "Two"}, harmful: true}
      - {id: c, text: {ru: "Три", en: "Three"}}
    answer: [a, c]
    explanation: {ru: "Так.", en: "So."}
  - id: m1-02
    type: scenario
    select: single
    scenario: {ru: "Ситуация.", en: "A situation."}
    stem: {ru: "Что делать?", en: "What to do?"}
    options:
      - {id: a, text: {ru: "Это", en: "This"}}
      - {id: b, text: {ru: "То", en: "That"}}
    answer: b
    explanation: {ru: "Так.", en: "So."}
""",
    "rules.yaml": """\
schema_version: 1
roles:
  interviewer:
    name: {ru: "Интервьюер", en: "Interviewer"}
    requires: [attendance, knowledge, mock_interview]
attendance: {min_share: 0.9}
knowledge: {pass_score: 0.8, critical_hard_fail: true, multi_select: partial}
exam:
  blueprint: {M0: 1, M1: 1}
  time_limit_minutes: 10
  resit_wait_hours: 48
  max_attempts: 2
  resit_new_items: true
mock_interview: {mode: standard, min_total: 3, critical_min_score: 2}
calibration: {min_agreement: 0.9, min_kappa: 0.8, combine: either, required_kinds: [website]}
certificate: {validity_years: 2}
probation: {reviewed_interviews: 5, backcheck_first: 2}
item_review: {min_difficulty: 0.2, max_difficulty: 0.95, min_discrimination: 0.0, min_responses: 10, group_fraction: 0.27}
""",
    "mock_checklist.yaml": """\
schema_version: 1
scale: [0, 1, 2]
items:
  - {id: consent, critical: true, text: {ru: "Согласие", en: "Consent"}}
  - {id: closing, text: {ru: "Завершение", en: "Closing"}}
""",
    "audit_items.yaml": """\
schema_version: 1
groups:
  remote:
    indicator: "1.2"
    title: {ru: "Каналы", en: "Channels"}
    statuses: [functioning, not_functioning]
items:
  - {id: remote_phone, group: remote, text: {ru: "Телефон", en: "Phone"}}
  - {id: remote_email, group: remote, text: {ru: "Почта", en: "E-mail"}}
""",
    "calibration/site.yaml": """\
schema_version: 1
id: site
kind: website
title: {ru: "Сайт", en: "Website"}
description: {ru: "Описание.", en: "Description."}
key:
  remote_phone: functioning
  remote_email: not_functioning
""",
}


def write_course(root: Path, replace: dict[str, str | None] | None = None) -> Path:
    """Write :data:`TINY` into ``root``; ``replace`` swaps files (``None`` deletes one)."""
    files: dict[str, str | None] = {**TINY, **(replace or {})}
    for name, text in files.items():
        if text is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line containing ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


@pytest.fixture(scope="session")
def course() -> Course:
    """The shipped course in questionnaires/training."""
    return load_course()


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_course(tmp_path / "course")
