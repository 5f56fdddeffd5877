"""Practice interviews: the personas as data, the simulated respondent, the scoring against the script
(each persona's correct recording scores full marks; a wrong skip, a dk recorded as "no" and a missing proxy
flag each lose the right points), and practice interviews kept apart from real data in the store."""

from __future__ import annotations

import re

import pytest

from surveykit.config import PROJECT_ROOT
from surveykit.errors import TrainingError
from surveykit.questionnaire.io import load_questionnaire
from surveykit.training.personas import load_personas
from surveykit.training.practice import SimulatedRespondent, score_recording

from .helpers import ACCESS, add_trainee

SURVEY = PROJECT_ROOT / "questionnaires" / "recipient_survey.yaml"
FILTERS = {"q1": "q2", "q3": "q4", "q7": "q8", "q11": "q12"}


@pytest.fixture(scope="module")
def survey():
    return load_questionnaire(SURVEY)


@pytest.fixture(scope="module")
def personas(survey):
    return load_personas(questionnaires={"recipient_survey": survey})


def test_the_first_four_shipped_personas_cover_their_behaviours(personas):
    assert set(personas) >= {"hesitant", "dont_know", "proxy_daughter", "filter_no"}
    assert any(a.hesitation for a in personas["hesitant"].answers.values())
    assert any(a.value == "dk" for a in personas["dont_know"].answers.values())
    assert (
        personas["proxy_daughter"].proxy
        and personas["proxy_daughter"].answers["proxy_respondent"].value == "yes"
    )
    assert all(personas["filter_no"].answers[f].value == "no" for f in FILTERS)
    for persona in personas.values():  # every utterance in Russian and English
        for answer in persona.answers.values():
            assert answer.say["ru"].strip() and answer.say["en"].strip()


@pytest.mark.parametrize("persona_id", ["hesitant", "dont_know", "proxy_daughter", "filter_no"])
def test_a_correct_recording_scores_full_marks(personas, survey, persona_id):
    persona = personas[persona_id]
    report = score_recording(persona, survey, persona.answer_values(), proxy_flag=persona.proxy)
    assert report.full_marks and report.score == 1.0
    assert report.earned == report.possible == len(report.lines)
    skipped = {line.code for line in report.lines if line.kind == "skip"}
    assert skipped == {FILTERS[f] for f in FILTERS if persona.answers[f].value == "no"}


@pytest.mark.parametrize("persona_id", ["hesitant", "dont_know", "proxy_daughter", "filter_no"])
def test_a_wrong_skip_loses_the_filter_and_its_follow_up(personas, survey, persona_id):
    """A filter recorded wrongly: the filter line loses its point, and so does the follow-up, either asked
    although skipped ("not_skipped") or skipped although it should have been asked ("wrongly_skipped")."""
    persona = personas[persona_id]
    answers = persona.answer_values()
    flt = next(f for f in FILTERS if f in answers)
    follow = FILTERS[flt]
    if answers[flt] == "yes":
        answers[flt] = "no"
        answers.pop(follow, None)
        expected = "wrongly_skipped"
    else:
        answers[flt] = "yes"
        answers[follow] = "yes"
        expected = "not_skipped"
    report = score_recording(persona, survey, answers, proxy_flag=persona.proxy)
    assert {line.code for line in report.mistakes()} == {flt, follow}
    assert report.line(flt).status == "wrong_answer"
    assert report.line(follow).status == expected
    assert report.possible - report.earned == 2
    # the filter by its text in the page's language, never its code (issue 16 item 10)
    question = survey.question(flt).label
    assert question["en"][:30] in report.line(follow).feedback_in("en")
    assert question["ru"][:30] in report.line(follow).feedback_in("ru")
    assert flt.upper() not in report.line(follow).feedback_in("en")


def test_the_score_sheet_names_questions_by_their_text_and_quotes_answers_in_the_pages_language(
    personas, survey
):
    """No bare "Q1…Q16" on the score sheet; the expected answer of an open question in the language of the
    page (the persona's words in English on the English page, not the Russian of the script)."""
    persona = personas["hesitant"]
    answers = persona.answer_values()
    answers["q16"] = ""  # the suggestion not written down
    report = score_recording(persona, survey, answers, proxy_flag=persona.proxy)
    for line in report.lines:
        for language in ("ru", "en"):
            assert not re.search(r"\bQ\d+\b", line.label_in(language) + line.feedback_in(language)), line
    q16 = report.line("q16")
    assert q16.status == "missing"
    assert persona.answers["q16"].said("en") in q16.feedback_in("en")
    assert not re.search("[А-Яа-яЁё]", q16.feedback_in("en")), q16.feedback_in("en")
    assert persona.answers["q16"].said("ru") in q16.feedback_in("ru")
    assert report.line("q2").label_in("en").startswith(survey.question("q2").label["en"][:20])


@pytest.mark.parametrize("persona_id", ["hesitant", "telephone", "dont_know"])
def test_an_interview_ended_early_leaves_questions_not_asked_never_skipped_by_a_filter(
    personas, survey, persona_id
):
    """Seen on the score sheet in the browser: the trainee ends after the first questions and every later
    line said "skipped because filter — was recorded wrongly". A question left blank while its filters were
    recorded as answered was simply not asked: "missing", with no filter named and no empty placeholder."""
    persona = personas[persona_id]
    script = persona.answer_values()
    inputs = list(script)
    answers = {code: script[code] for code in inputs[: inputs.index("q1") + 1]}
    report = score_recording(persona, survey, answers, proxy_flag=persona.proxy, mode=persona.mode)
    assert not [line.code for line in report.lines if line.status == "wrongly_skipped"]
    later = [line for line in report.lines if line.kind == "question" and line.code in {"q5", "q13", "q15"}]
    assert later and all(line.status == "missing" for line in later)
    for line in report.lines:
        for language in ("ru", "en"):
            assert "—;" not in line.feedback_in(language) and " — was " not in line.feedback_in(language)


def test_questions_that_begin_alike_are_told_apart_on_the_score_sheet(personas, survey):
    """Questions 9 and 10 begin with the same 57 characters: shortened alike, two lines read the same."""
    persona = personas["hesitant"]
    report = score_recording(persona, survey, {}, proxy_flag=persona.proxy)
    for language in ("ru", "en"):
        labels = [line.label_in(language) for line in report.lines if line.kind == "question"]
        assert len(labels) == len(set(labels)), labels
    assert report.line("q9").label_in("ru") != report.line("q10").label_in("ru")


def test_a_dont_know_recorded_as_no_loses_that_point_with_its_own_feedback(personas, survey):
    persona = personas["dont_know"]
    answers = persona.answer_values()
    answers["q14"] = "no"
    report = score_recording(persona, survey, answers, proxy_flag=False)
    assert [line.code for line in report.mistakes()] == ["q14"]
    line = report.line("q14")
    assert line.status == "dk_as_no" and line.points == 0
    assert "Don't know" in line.feedback_in("en") and "Затрудняюсь" in line.feedback_in("ru")


def test_a_missing_proxy_flag_loses_the_proxy_point(personas, survey):
    persona = personas["proxy_daughter"]
    report = score_recording(persona, survey, persona.answer_values(), proxy_flag=False)
    assert [line.code for line in report.mistakes()] == ["proxy"]
    assert report.line("proxy").status == "proxy_missing" and report.possible - report.earned == 1
    wrongly = score_recording(
        personas["hesitant"], survey, personas["hesitant"].answer_values(), proxy_flag=True
    )
    assert wrongly.line("proxy").status == "proxy_wrong"


def test_open_answers_count_when_verbatim_in_either_language(personas, survey):
    persona = personas["filter_no"]
    answers = persona.answer_values()
    answers["q16"] = "  всё устраивает спасибо "
    assert score_recording(persona, survey, answers, proxy_flag=False).full_marks
    answers["q16"] = persona.answers["q16"].say["en"]
    assert score_recording(persona, survey, answers, proxy_flag=False).full_marks
    answers["q16"] = "Респондент всем доволен"
    assert score_recording(persona, survey, answers, proxy_flag=False).mistakes()[0].code == "q16"


def test_the_respondent_hesitates_until_a_neutral_probe_and_logs_leading_ones(personas, survey):
    respondent = SimulatedRespondent(personas["hesitant"], "en")
    assert respondent.ask("q2").kind == "stopped"  # no question before she agrees
    respondent.move("introduce")
    assert respondent.agreed
    first = respondent.ask("q2")
    assert first.kind == "hesitation" and first.needs_probe and first.value is None
    led = respondent.probe("q2", "suggest")
    assert led.kind == "led" and led.needs_probe
    answer = respondent.probe("q2", "repeat")
    assert answer.kind == "answer" and answer.value == "yes" and not answer.needs_probe
    assert respondent.ask("q2").value == "yes"  # asked again: no second hesitation
    assert respondent.ask("q4").kind == "not_scripted"  # q3 = no: q4 is never asked
    dk = SimulatedRespondent(personas["dont_know"], "ru")
    dk.move("introduce")
    assert dk.ask("q14").kind == "hesitation"
    assert dk.probe("q14", "repeat").kind == "dk"  # "don't know" stays "don't know"
    persona = personas["hesitant"]
    report = score_recording(
        persona, survey, persona.answer_values(), proxy_flag=False, probes=respondent.probes
    )
    probes = {line.code: line.status for line in report.lines if line.kind == "probe"}
    assert probes["q2"] == "probe_leading" and probes["q6"] == "probe_missing"


def test_a_broken_persona_is_reported_with_its_file_and_every_problem(tmp_path, survey):
    folder = tmp_path / "personas"
    folder.mkdir()
    text = (PROJECT_ROOT / "questionnaires/training/personas/filter_no.yaml").read_text(encoding="utf-8")
    broken = text.replace('  q1:\n    value: "no"', '  q1:\n    value: "maybe"').replace(
        "  q3:\n", "  q33:\n"
    )
    (folder / "persona-with-unknown-choice.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(TrainingError) as err:
        load_personas(folder, {"recipient_survey": survey})
    problems = err.value.report.errors
    where = {str(p.location) for p in problems}
    assert all("persona-with-unknown-choice.yaml" in w for w in where)
    text_all = str(err.value.report)
    assert "'maybe' is not a choice of q1" in text_all and "q33" in text_all and "answers.q3" in text_all


def test_practice_interviews_are_stored_as_practice_and_never_mix_with_real_data(service, store, personas):
    add_trainee(store)  # no certificate: practice is open to everyone
    persona = personas["proxy_daughter"]
    meta = service.start_practice("t1", proxy=True, language="ru")
    assert meta.practice and meta.proxy and meta.institution_id == "practice"
    store.submit(meta.id, persona.answer_values(), by="t1")
    report = service.score_practice(meta.id, "proxy_daughter")
    assert report.full_marks
    assert len(store.interviews_frame("recipient_survey")) == 0
    assert store.interviews_frame("recipient_survey", practice=True)["interview_id"].tolist() == [meta.id]
    assert store.progress().empty or store.progress()["done"].sum() == 0


def test_the_practice_app_model_scores_an_interview_taken_through_the_form(service, store):
    from surveykit.ui.practice_app import PracticeApp

    add_trainee(store)
    app = PracticeApp(service, language="ru")
    app.sign_in("t1", ACCESS)
    persona = service.personas()["dont_know"]
    app.show_cover(persona)
    app.start("face_to_face", False)
    session = app.session
    respondent = app.respondent
    assert app.form.layout.display == "none"  # the questionnaire opens when the respondent agrees
    app.contact.move("introduce")
    assert respondent.agreed and app.form.layout.display is None
    for _ in range(20):
        pending = True
        while pending:  # answering a filter can make the next question appear on the same page
            pending = [b.variable for b in session.view().blocks if getattr(b, "value", 0) is None]
            for code in pending:
                reply = respondent.ask(code)
                if reply.needs_probe:
                    reply = respondent.probe(code, "repeat")
                session.set_answer(code, reply.value)
        if session.is_last:
            break
        assert session.next(), session.page_problems()
        app._save_draft()
    app.finish()
    assert app.notice.value == ""
    stored = store.interviews_frame("recipient_survey", practice=True)
    assert len(stored) == 1 and bool(stored["practice"].iloc[0])
    assert "100 %" in app.body.children[0].value


def test_the_shipped_persona_folder_is_found_from_the_settings():
    assert len(load_personas()) >= 12


def test_checklist_calibration_is_scored_against_the_expert_key_and_stored(service, store, course):
    """The calibration exercise of the practice app: the expert key itself agrees 100 %; the stored results
    make the checklist-observer role reachable."""
    from surveykit.ui.practice_app import PracticeApp

    add_trainee(store)
    app = PracticeApp(service, language="ru")
    app.sign_in("t1", ACCESS)
    website = next(c for c in course.calibration_cases if c.kind == "website")
    app.show_calibration(website.id)
    dropdowns = {
        cls[len("sk-audit-") :]: w
        for row in app.body.children
        for w in getattr(row, "children", ())
        for cls in getattr(w, "_dom_classes", ())
        if cls.startswith("sk-audit-")
    }
    assert set(dropdowns) == set(website.key)
    for item_id, status in website.key.items():
        dropdowns[item_id].value = status
    wrong_item = next(iter(website.key))
    submit = next(
        w
        for row in app.body.children
        for w in getattr(row, "children", ())
        if "sk-calibration-submit" in w._dom_classes
    )
    submit.click()
    result = app.body.children[-1].value
    assert "100 %" in result and "Калибровка пройдена" in result
    premises = next(c for c in course.calibration_cases if c.kind == "premises")
    answers = dict(premises.key)
    answers[wrong_item if wrong_item in answers else next(iter(answers))] = None
    outcome = service.record_calibration("t1", premises.id, answers)
    assert outcome.n_agree == outcome.n_items - 1
    stored = store.training.calibration_results("t1")
    assert sorted(stored["case_id"]) == sorted([website.id, premises.id])
    kinds = {r.kind for r in service.calibration_results("t1") if r.passed}
    assert "website" in kinds
    assert service.eligibility("t1").checks["checklist_observer"]["calibration"] is (
        kinds == {"website", "premises"}
    )
