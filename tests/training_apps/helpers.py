"""Helpers of the training-app tests: a clock the test moves, trainees in given states, answers to items."""

from __future__ import annotations

import datetime as dt

#: a fixed moment for the tests that move the clock (certificates are then issued "in the past")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ACCESS = "ABCD-EFGH"


class Clock:
    """A clock the test moves: ``clock()`` is the time, ``clock.advance(minutes=5)`` moves it on."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def add_trainee(store, person_id: str = "t1", name: str = "Иванова Мария Петровна", *, roles=("trainee",)):
    return store.add_person(person_id, name, list(roles), login=person_id, access_code=ACCESS)


def full_attendance(service, person_id: str) -> None:
    for module in service.course.modules:
        service.record_attendance(person_id, module.id, module.hours, START.date())


def passed_mock(service, person_id: str):
    return service.record_mock(person_id, {i.id: 2 for i in service.course.checklist.items}, trainer_id=None)


def key_answer(item):
    """The correct answer to a bank item, as the exam app would pass it."""
    if item.answer_kind == "numeric":
        return str(item.answer)
    if item.answer_kind == "multi":
        return sorted(item.key_set)
    return item.answer


def wrong_answer(item):
    """A wrong answer (0 points) to a bank item."""
    if item.answer_kind == "numeric":
        return str(float(item.answer) + 1000)
    wrong = [o for o in item.option_ids if o not in item.key_set]
    return wrong[0] if item.answer_kind == "single" else wrong[:1]


def harmful_answer(item):
    """A critical error: the item's first harmful option (chosen alone)."""
    harmful = sorted(item.harmful_ids)[0]
    return [harmful] if item.answer_kind == "multi" else harmful
