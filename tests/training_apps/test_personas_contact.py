"""Personas that test an interviewer: a refusal, a break-off, who pays, a staff member present, distress
and a disclosure, a hearing impairment, the telephone, self-completion. Each is played well (full marks)
and badly (the right lines lose their points) through the simulated respondent and the existing practice
scoring; every persona is consistent with its own story; behaviour cards are for trainers only."""

from __future__ import annotations

import pytest

from surveykit.config import PROJECT_ROOT
from surveykit.errors import AccessDenied, TrainingError
from surveykit.questionnaire.io import load_questionnaire
from surveykit.training.personas import load_personas
from surveykit.training.practice import MOVES, SimulatedRespondent, score_recording

from .helpers import ACCESS, add_trainee

SURVEY = PROJECT_ROOT / "questionnaires" / "recipient_survey.yaml"
REQUIRED = {
    "refusal",
    "break_off",
    "who_pays",
    "staff_present",
    "distressed",
    "hard_of_hearing",
    "telephone",
    "self_completion",
}


@pytest.fixture(scope="module")
def survey():
    return load_questionnaire(SURVEY)


@pytest.fixture(scope="module")
def personas(survey):
    return load_personas(questionnaires={"recipient_survey": survey})


def _inputs(survey) -> list[str]:
    from surveykit.questionnaire.compiled import compile_form

    form = compile_form(survey)
    return [c for c, v in form.variables.items() if v.repeat is None and v.calculation is None]


def play(persona, survey, *, language="ru"):
    """Play a persona as a careful interviewer: the moves each step needs, every question on the route in
    order (neutral probes for hesitations, the needed moves for an event, nothing after a break-off), a
    polite close when the contact ends without a complete interview. Returns (respondent, answers)."""
    respondent = SimulatedRespondent(persona, language)
    for step in persona.contact.steps:
        for move in step.needs:
            respondent.move(move)
    answers: dict[str, object] = {}
    if persona.records_answers:
        assert respondent.agreed
        from surveykit.questionnaire.compiled import compile_form
        from surveykit.questionnaire.validate import evaluate

        form = compile_form(survey)
        for code in _inputs(survey):
            if not evaluate(form, answers, report_not_relevant=False).item_relevant(code):
                continue
            reply = respondent.ask(code)
            if reply.kind == "break_off":
                break
            if reply.kind == "event":
                for move in persona.contact.events[code].needs:
                    respondent.move(move, code)
                reply = respondent.ask(code)
            if reply.needs_probe:
                reply = respondent.probe(code, "repeat")
            answers[code] = reply.value
    if persona.contact.outcome != "complete":
        respondent.move("close_politely")
    return respondent, answers


EXPECTED = object()  # the outcome the persona's script expects


def score(persona, survey, respondent, answers, *, outcome=EXPECTED, mode=None, proxy=None):
    return score_recording(
        persona,
        survey,
        answers,
        proxy_flag=persona.proxy if proxy is None else proxy,
        probes=respondent.probes,
        contact=respondent.contact_log(persona.contact.outcome if outcome is EXPECTED else outcome),
        mode=persona.mode if mode is None else mode,
    )


def test_the_shipped_personas_include_every_hard_case_of_the_field(personas):
    assert set(personas) >= REQUIRED
    assert personas["refusal"].contact.outcome == "refusal" and not personas["refusal"].answers
    assert personas["break_off"].contact.break_off_at == "q10"
    assert personas["telephone"].mode == "telephone"
    assert personas["self_completion"].mode == "self_completed" and not personas["self_completion"].answers
    assert {e.kind for p in personas.values() for e in p.contact.events.values()} >= {
        "break_off",
        "disclosure",
    }
    needs = {m for p in personas.values() for s in p.contact.steps for m in s.needs}
    assert {"who_pays", "ask_privacy", "speak_clearly", "check_person", "explain_self_completion"} <= needs
    for persona in personas.values():  # every text in Russian and English, the cards included
        texts = [persona.name, persona.description, *persona.behaviours]
        texts += [s.say for s in persona.contact.steps] + [e.say for e in persona.contact.events.values()]
        texts += [persona.brief] if persona.brief else []
        for text in texts:
            assert text["ru"].strip() and text["en"].strip(), persona.id


@pytest.mark.parametrize("persona_id", sorted(load_personas()))
def test_every_persona_played_well_scores_full_marks(personas, survey, persona_id):
    persona = personas[persona_id]
    respondent, answers = play(persona, survey)
    report = score(persona, survey, respondent, answers)
    assert report.full_marks, [(line.code, line.status) for line in report.mistakes()]
    kinds = {line.kind for line in report.lines}
    assert {"contact", "mode"} <= kinds
    assert ("question" in kinds) == persona.records_answers


def test_a_refusal_handled_well_polite_close_outcome_recorded_no_pressure(personas, survey):
    persona = personas["refusal"]
    respondent = SimulatedRespondent(persona, "ru")
    assert "цепочке" in respondent.opening().text
    respondent.move("introduce")
    assert respondent.stopped and not respondent.agreed
    respondent.move("voluntary")  # honest information once is fine: she still refuses
    reply = respondent.move("close_politely")
    assert respondent.closed and "До свидания" in reply.text
    report = score(persona, survey, respondent, {})
    assert report.full_marks
    statuses = {line.code: line.status for line in report.lines}
    assert statuses == {
        "no_data": "nothing_recorded",
        "step1.introduce": "move_done",
        "harmful": "no_harmful_move",
        "outcome": "outcome_right",
        "closed": "closed_politely",
        "mode": "mode_right",
    }


def test_a_refusal_handled_badly_loses_exactly_the_pressure_outcome_close_and_data_points(personas, survey):
    persona = personas["refusal"]
    respondent = SimulatedRespondent(persona, "en")
    respondent.move("introduce")
    pushed = respondent.move("insist")
    assert "I said no" in pushed.text
    respondent.move("compulsory")
    # no polite close; recorded as an appointment (a misreported outcome); answers written although she
    # refused (invented data)
    report = score(persona, survey, respondent, {"q1": "no", "q15": "yes"}, outcome="appointment")
    statuses = {line.code: line.status for line in report.mistakes()}
    assert statuses == {
        "harmful": "harmful_move",
        "outcome": "outcome_wrong",
        "closed": "not_closed",
        "no_data": "recorded_without_interview",
    }
    harmful = report.line("harmful")
    assert harmful.recorded == ["insist", "compulsory"]
    assert "voluntary" in harmful.feedback_in("en") and "добровольное" in harmful.feedback_in("ru")
    assert "falsification" in report.line("outcome").feedback_in("en")
    # in the interview app's own words for the outcomes
    assert "«Договорились о встрече», а произошло: «Отказ»" in report.line("outcome").feedback_in("ru")
    assert report.possible - report.earned == 4


def test_practice_outcomes_are_the_interview_apps_outcomes_with_its_words():
    """A trainee records in practice what the field app records: the same outcomes, the same words."""
    from surveykit.fieldwork.dispositions import OUTCOMES as APP_OUTCOMES
    from surveykit.i18n import t
    from surveykit.training.personas import OUTCOMES
    from surveykit.training.practice import outcome_label

    interview_end = {"complete", "break_off"}  # surveykit.fieldwork.outcome: from the interview itself
    assert set(OUTCOMES) - interview_end <= set(APP_OUTCOMES) and interview_end <= set(OUTCOMES)
    for language in ("ru", "en"):
        for outcome in OUTCOMES:
            assert outcome_label(outcome, language) == t(f"outcome.{outcome}", language) != f"outcome.{outcome}"
        assert outcome_label(None, language) == {"ru": "ничего", "en": "nothing"}[language]


def test_a_refusal_without_an_outcome_recorded_loses_the_outcome_point(personas, survey):
    persona = personas["refusal"]
    respondent = SimulatedRespondent(persona, "ru")
    respondent.move("introduce")
    respondent.move("close_politely")
    report = score(persona, survey, respondent, {}, outcome=None)
    assert [line.code for line in report.mistakes()] == ["outcome"]
    assert "ничего" in report.line("outcome").feedback_in("ru")


def test_a_break_off_well_and_badly(personas, survey):
    persona = personas["break_off"]
    respondent, answers = play(persona, survey)
    assert "q10" not in answers and answers["q9"] == "yes"
    assert respondent.ask("q11").kind == "stopped"  # once broken off, nothing more
    assert score(persona, survey, respondent, answers).full_marks
    bad = SimulatedRespondent(persona, "en")
    bad.move("introduce")
    for code in ("q10",):
        assert bad.ask(code).kind == "break_off"
    bad.move("insist")
    invented = dict(answers, q10="yes", q15="yes")  # "finished" from impression: invented answers
    report = score(persona, survey, bad, invented, outcome="complete")
    mistakes = {line.code: line.status for line in report.mistakes()}
    assert mistakes == {
        "q10": "invented_after_break_off",
        "q15": "invented_after_break_off",
        "harmful": "harmful_move",
        "outcome": "outcome_wrong",
        "closed": "not_closed",
    }
    assert report.line("q11", "break_off").status == "blank_after_break_off"


def test_who_pays_needs_an_honest_answer_before_she_agrees(personas, survey):
    persona = personas["who_pays"]
    respondent = SimulatedRespondent(persona, "ru")
    respondent.move("introduce")
    assert "платит" in respondent.opening().text and not respondent.agreed
    assert "директор" in respondent.move("director").text
    assert not respondent.agreed
    respondent.move("who_pays")
    assert respondent.agreed
    log = respondent.contact_log("complete")
    assert log.harmful == ("director",) and all(made for _, _, made in log.needs)


def test_staff_present_the_interview_must_not_start_with_the_orderly_there(personas, survey):
    persona = personas["staff_present"]
    respondent = SimulatedRespondent(persona, "ru")
    respondent.move("introduce")  # not enough: she keeps looking at the orderly
    assert not respondent.agreed
    respondent.move("proceed_with_staff")
    report = score(persona, survey, respondent, {}, outcome="complete")
    statuses = {line.code: line.status for line in report.lines if line.kind == "contact"}
    assert statuses["step1.ask_privacy"] == "move_missing" and statuses["harmful"] == "harmful_move"
    assert "staff" in report.line("step1.ask_privacy").feedback_in("en")


def test_a_disclosure_needs_support_and_safeguarding_never_secrecy_nor_a_note_on_the_form(personas, survey):
    persona = personas["distressed"]
    respondent, answers = play(persona, survey)
    assert score(persona, survey, respondent, answers).full_marks
    bad = SimulatedRespondent(persona, "ru")
    bad.move("introduce")
    assert bad.ask("q10").kind == "event"
    bad.move("promise_secrecy", "q10")
    bad.move("pause_support", "q10")
    assert bad.ask("q10").kind == "event"  # still waiting: safeguarding not done
    written = dict(answers, q16="Сиделка кричит и не приносит обед")  # the disclosure written on the form
    report = score(persona, survey, bad, written)
    mistakes = {line.code: line.status for line in report.mistakes()}
    assert mistakes["q10.safeguarding"] == "move_missing"
    assert mistakes["harmful"] == "harmful_move" and "promise_secrecy" in report.line("harmful").recorded
    assert mistakes["q16"] == "wrong_answer"
    assert "q10.pause_support" not in mistakes


def test_hard_of_hearing_first_speak_up_then_introduce(personas, survey):
    persona = personas["hard_of_hearing"]
    respondent = SimulatedRespondent(persona, "ru")
    assert "Не слышу" in respondent.move("introduce").text
    respondent.move("speak_clearly")
    respondent.move("introduce")
    assert respondent.agreed
    log = respondent.contact_log("complete")
    assert [(k, m, made) for k, m, made in log.needs] == [(0, "speak_clearly", True), (1, "introduce", True)]


def test_telephone_nobody_answers_for_a_recipient_who_can_and_the_mode_is_telephone(personas, survey):
    persona = personas["telephone"]
    respondent, answers = play(persona, survey)
    report = score(persona, survey, respondent, answers, mode="face_to_face")
    assert [line.code for line in report.mistakes()] == ["mode"]
    grandson = SimulatedRespondent(persona, "en")
    assert "I'll answer for her" in grandson.opening().text
    grandson.move("accept_proxy")
    assert not grandson.agreed
    report = score(persona, survey, grandson, answers, proxy=True)
    mistakes = {line.code: line.status for line in report.mistakes()}
    assert mistakes["harmful"] == "harmful_move" and mistakes["proxy"] == "proxy_wrong"
    assert mistakes["step1.check_person"] == "move_missing"


def test_self_completion_no_hint_no_reading_of_answers(personas, survey):
    persona = personas["self_completion"]
    respondent, answers = play(persona, survey)
    assert answers == {} and respondent.agreed
    report = score(persona, survey, respondent, answers)
    assert report.full_marks and {line.kind for line in report.lines} == {"contact", "mode"}
    bad = SimulatedRespondent(persona, "ru")
    bad.move("introduce")
    bad.move("explain_self_completion")
    assert "поставлю" in bad.move("suggest_answer").text
    bad.move("neutral_reply")
    assert "читаете" in bad.move("read_answers").text
    report = score(persona, survey, bad, {})
    assert report.line("harmful").recorded == ["suggest_answer", "read_answers"]
    assert report.line("step4.check_completeness").status == "move_missing"


def test_every_persona_is_consistent_with_its_story(personas):
    """filter_no and dont_know never visit the centre: no judgement of the reception staff (Q9 'don't
    know'); proxy_daughter answers about her mother, who uses neither stands nor website; no persona
    answers after its break-off or without an interview."""
    for persona_id in ("filter_no", "dont_know"):
        answers = personas[persona_id].answers
        assert answers["q1"].value == "no" and answers["q9"].value == "dk", persona_id
    daughter = personas["proxy_daughter"]
    assert daughter.proxy and daughter.answers["q1"].value == "no" and daughter.answers["q3"].value == "no"
    assert "q2" not in daughter.answers and "q4" not in daughter.answers
    for persona in personas.values():
        stop = persona.contact.break_off_at
        if stop is not None:
            assert stop not in persona.answers and "q16" not in persona.answers


def test_the_moves_have_both_languages_and_harmful_ones_say_why():
    ids = [m.id for m in MOVES]
    assert len(ids) == len(set(ids))
    for move in MOVES:
        assert move.text["ru"] and move.text["en"] and move.why["ru"] and move.why["en"]
    assert {m.id for m in MOVES if m.harmful} >= {
        "insist",
        "compulsory",
        "promise",
        "director",
        "accept_proxy",
    }


# -- broken persona files ------------------------------------------------------------------------------------

REFUSAL_WITH_ANSWERS = """\
schema_version: 1
id: refusal-with-answers
questionnaire: recipient_survey
name: {ru: "Отказ", en: "Refusal"}
description: {ru: "Отказывается.", en: "Refuses."}
contact:
  outcome: refusal
  steps:
    - say: {ru: "Нет.", en: "No."}
      needs: [introduce, greet_warmly]
      then: stop
answers:
  consent: {value: "yes", say: {ru: "Да.", en: "Yes."}}
"""

AGREES_BUT_REFUSES = """\
schema_version: 1
id: agrees-but-refuses
questionnaire: recipient_survey
name: {ru: "Путаница", en: "Muddle"}
description: {ru: "Итог не сходится с шагами.", en: "The outcome contradicts the steps."}
contact:
  outcome: refusal
  steps:
    - say: {ru: "Хорошо.", en: "Fine."}
      needs: [introduce]
      then: agree
"""


def test_a_persona_that_contradicts_its_story_is_reported_with_file_and_field(tmp_path, survey):
    folder = tmp_path / "personas"
    folder.mkdir()
    (folder / "refusal-with-answers.yaml").write_text(REFUSAL_WITH_ANSWERS, encoding="utf-8")
    (folder / "agrees-but-refuses.yaml").write_text(AGREES_BUT_REFUSES, encoding="utf-8")
    text = (PROJECT_ROOT / "questionnaires/training/personas/break_off.yaml").read_text(encoding="utf-8")
    (folder / "break-off-answering-on.yaml").write_text(
        text.replace("id: break_off", "id: break-off-on")
        + '  q10:\n    value: "yes"\n    say: {ru: "Да.", en: "Yes."}\n',
        encoding="utf-8",
    )
    with pytest.raises(TrainingError) as err:
        load_personas(folder, {"recipient_survey": survey})
    report = str(err.value.report)
    assert "refusal-with-answers.yaml" in report and "remove 'answers'" in report
    assert "agrees-but-refuses.yaml" in report and "then: stop" in report
    assert "break-off-answering-on.yaml" in report and "breaks off at q10" in report


def test_an_unknown_contact_move_is_reported_with_a_suggestion(tmp_path, survey):
    folder = tmp_path / "personas"
    folder.mkdir()
    text = (PROJECT_ROOT / "questionnaires/training/personas/who_pays.yaml").read_text(encoding="utf-8")
    (folder / "who-pays-typo.yaml").write_text(
        text.replace("needs: [who_pays]", "needs: [who_pay]"), encoding="utf-8"
    )
    with pytest.raises(TrainingError) as err:
        load_personas(folder, {"recipient_survey": survey})
    assert "'who_pay' is not a contact move" in str(err.value.report) and "who_pays" in str(err.value.report)


# -- the apps: cards for trainers only; a refusal played in the app model ---------------------------------------


def test_behaviour_cards_are_never_shown_to_the_trainee_and_trainers_see_them(service, store):
    from surveykit.store.guarded import GuardedStore
    from surveykit.ui.practice_app import PracticeApp

    add_trainee(store)
    app = PracticeApp(service, language="ru")
    app.sign_in("t1", ACCESS)
    app.show_home()
    shown = " ".join(
        getattr(w, "value", "") for box in app.body.children for w in getattr(box, "children", [box])
    )
    personas = service.personas()
    for persona in personas.values():
        assert persona.title("ru") in shown
        assert persona.description["ru"].split(".")[0] not in shown, persona.id
        for card in persona.behaviours:
            assert card["ru"] not in shown, persona.id
    app.show_cover(personas["refusal"])
    cover = " ".join(w.value for w in app.body.children if isinstance(getattr(w, "value", None), str))
    assert personas["refusal"].brief["ru"] in cover and personas["refusal"].description["ru"] not in cover
    trainee = GuardedStore(store, store.start_session("t1", ACCESS, ("trainee",), app="practice")).training(
        service
    )
    with pytest.raises(AccessDenied):
        trainee.persona_cards("ru")
    add_trainee(store, "tr", "Петров Пётр", roles=("trainer",))
    trainer = GuardedStore(store, store.start_session("tr", ACCESS, ("trainer",), app="trainer")).training(
        service
    )
    cards = {c["id"]: c for c in trainer.persona_cards("ru")}
    assert set(cards) == set(personas) and cards["refusal"]["outcome"] == "Отказ"
    assert cards["refusal"]["behaviours"][0] == personas["refusal"].behaviours[0]["ru"]


def test_the_practice_app_scores_a_refusal_ended_in_the_contact_panel(service, store):
    from surveykit.ui.practice_app import PracticeApp

    add_trainee(store)
    app = PracticeApp(service, language="en")
    app.sign_in("t1", ACCESS)
    app.show_cover(service.personas()["refusal"])
    app.start("face_to_face", False)
    assert app.form.layout.display == "none"
    app.contact.move("introduce")
    app.contact.move("close_politely")
    assert app.form.layout.display == "none"  # she never agreed: no questionnaire
    app.contact.outcome.value = "refusal"
    app.end_contact(app.contact.outcome.value)
    assert "100 %" in app.body.children[0].value
    stored = store.interviews_frame("recipient_survey", practice=True, status=None)
    assert len(stored) == 1 and bool(stored["practice"].iloc[0])


def test_a_shortened_question_on_the_score_sheet_ends_with_a_whole_word(survey):
    """The score sheet shortens long question texts; a cut inside a word ("the organisa…") reads as a typo."""
    from surveykit.questionnaire.compiled import compile_form
    from surveykit.training.practice import _distinct_labels

    form = compile_form(survey)
    shortened = 0
    for code, label in _distinct_labels(form).items():
        for language in ("ru", "en"):
            text = label[language]
            if not text.endswith("…"):
                continue
            shortened += 1
            full = form.variables[code].question.label[language]
            head = text[:-1]
            assert full.startswith(head) and full[len(head)] in " ,.;:—-", (code, language, text)
    assert shortened
