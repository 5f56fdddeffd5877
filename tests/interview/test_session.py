"""The interview session model (no widgets): navigation, live skip logic, checks, paradata, resume."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from surveykit.interview.session import Field, InterviewSession, RepeatView
from surveykit.questionnaire.io import load_questionnaire

EXAMPLE = Path(__file__).resolve().parents[2] / "questionnaires" / "example_all_types.yaml"


class FakeTime:
    def __init__(self):
        self.tick = itertools.count(step=2)

    def clock(self):
        return dt.datetime(2026, 3, 1, 10, 0)

    def monotonic(self):
        return float(next(self.tick))


@pytest.fixture(scope="module")
def q():
    return load_questionnaire(EXAMPLE)


@pytest.fixture
def session(q):
    fake = FakeTime()
    return InterviewSession(q, language="en", clock=fake.clock, monotonic=fake.monotonic)


def fields(view):
    return [b.variable for b in view.blocks if isinstance(b, Field)]


def fill_first_pages(s):
    s.set_answer("consent", "yes")
    s.set_answer("interview_date", "2026-02-27")
    assert s.next()
    s.set_answer("age", 70)
    s.set_answer("region", "south")
    s.set_answer("municipality", "s_city")
    assert s.next()


def test_required_problems_appear_only_after_trying_to_leave(session):
    assert session.page.code == "intro"
    assert session.page_problems() == {}
    assert session.next() is False
    assert set(session.page_problems()) == {"consent", "interview_date"}
    assert session.page_problems()["consent"] == ["an answer is required"]


def test_constraint_shows_at_once_in_the_questionnaires_words(session):
    session.set_answer("consent", "no")
    assert session.page_problems() == {
        "consent": ["No interview without consent. Thank the person and end the conversation."]
    }
    session.set_language("ru")
    assert session.page_problems()["consent"] == [
        "Без согласия опрос не проводится. Поблагодарите и завершите беседу."
    ]


def test_live_skip_logic_and_choice_filter(session):
    fill_first_pages(session)
    assert session.page.code == "services_page"
    session.set_answer("services", {"meals"})
    assert "uses_meals" in fields(session.view())
    session.set_answer("uses_meals", "yes")
    session.set_answer("services", {"cleaning"})
    assert "uses_meals" not in fields(session.view())
    assert session.answers["uses_meals"] is None  # cleared when it stopped applying
    session.back()
    municipality = next(b for b in session.view().blocks if getattr(b, "variable", None) == "municipality")
    assert [name for name, _ in municipality.choices] == ["s_city", "s_village"]
    session.set_answer("region", "north")
    assert session.answers["municipality"] == "s_city"  # kept, but now flagged
    assert "municipality" in session.page_problems()


def test_pages_that_do_not_apply_are_skipped(session):
    session.set_answer("consent", "no")
    session.set_answer("interview_date", "2026-02-27")
    assert session.next() is False  # the consent constraint blocks
    assert session.is_last  # nothing else applies without consent
    assert session.progress == (1, 1)


def test_defaults_apply_on_first_entry_and_repeat_count_drives_instances(session):
    fill_first_pages(session)
    assert session.answers["visits_per_week"] == 2  # default of the page
    session.set_answer("services", {"meals"})
    session.set_answer("satisfaction", "5")
    assert session.next()
    assert session.page.code == "household"
    assert session.answers["n_relatives"] == 0
    session.set_answer("n_relatives", 2)
    repeat = next(b for b in session.view().blocks if isinstance(b, RepeatView))
    assert repeat.fixed_count and len(repeat.instances) == 2
    assert [f.variable for f in repeat.instances[0]] == ["rel_relation", "rel_age"]
    assert session.next() is False
    assert set(session.page_problems()) == {"relatives[1].rel_relation", "relatives[2].rel_relation"}
    session.set_answer("rel_relation", "child", instance=("relatives", 0))
    session.set_answer("rel_age", 90, instance=("relatives", 0))
    assert session.page_problems()["relatives[1].rel_age"] == ["A child cannot be older than the respondent"]
    session.set_answer("n_relatives", 1)
    assert len(session.answers["relatives"]) == 1


def test_labels_show_current_answers(session):
    fill_first_pages(session)
    session.set_answer("services", {"meals", "cleaning"})
    session.set_answer("satisfaction", "5")
    session.next()
    session.next()
    summary = [b for b in session.view().blocks if isinstance(b, tuple)]
    assert any("Services recorded — 2" in label for label, _ in summary)


def test_language_switch_keeps_answers(session):
    session.set_answer("consent", "yes")
    session.set_language("ru")
    view = session.view()
    assert view.title == "Знакомство"
    assert session.answers["consent"] == "yes"
    consent = next(b for b in view.blocks if getattr(b, "variable", None) == "consent")
    assert consent.label == "Согласны ли вы принять участие в опросе?" and consent.value == "yes"


def test_paradata_records_every_step(session):
    session.set_answer("consent", "yes")
    session.set_answer("consent", "no")
    session.set_answer("consent", None)
    session.set_answer("consent", "yes")
    session.set_answer("interview_date", dt.date(2026, 2, 27))
    session.set_language("ru")
    session.next()
    events = [(e.event, e.question, e.old_value, e.new_value) for e in session.take_events()]
    assert events == [
        ("page_enter", None, None, None),
        ("answer_set", "consent", None, "yes"),
        ("answer_changed", "consent", "yes", "no"),
        ("answer_cleared", "consent", "no", None),
        ("answer_set", "consent", None, "yes"),
        ("answer_set", "interview_date", None, dt.date(2026, 2, 27)),
        ("language_switch", None, "en", "ru"),
        ("page_leave", None, None, None),
        ("page_enter", None, None, None),
    ]
    assert session.take_events() == []  # handed over once


def test_elapsed_time_between_events(q):
    fake = FakeTime()
    s = InterviewSession(q, clock=fake.clock, monotonic=fake.monotonic)
    s.set_answer("consent", "yes")
    events = s.take_events()
    assert [e.elapsed_ms for e in events] == [2000, 2000]
    assert events[1].to_dict()["at"] == dt.datetime(2026, 3, 1, 10, 0)


def test_resume_from_a_draft(q, session):
    fill_first_pages(session)
    session.set_answer("services", {"meals"})
    resumed = InterviewSession(
        q, interview_id=session.interview_id, answers=session.answers, page="services_page"
    )
    assert resumed.page.code == "services_page"
    assert resumed.answers["services"] == frozenset({"meals"})
    assert resumed.take_events()[0].event == "resume"


def test_review_and_submission(session):
    fill_first_pages(session)
    rows = session.review()
    flagged = {code for _, code, _, problems in rows if problems}
    assert "satisfaction" in flagged and "services" in flagged
    session.set_answer("services", {"cleaning"})
    session.set_answer("satisfaction", "3")
    session.next()
    session.take_events()
    result, events = session.submission()
    assert result.ok, str(result.report)
    assert events[-1].event == "submit"


def test_summary_lists_the_answers_in_words(session):
    fill_first_pages(session)
    session.set_answer("services", {"meals", "cleaning"})
    rows = session.summary()
    assert ("Introduction", "Do you agree to take part in the survey?", "Yes") in rows
    assert ("Services", "Which services do you receive?", "Delivery of groceries and meals, Cleaning") in rows
    assert all(value for _, _, value in rows)
