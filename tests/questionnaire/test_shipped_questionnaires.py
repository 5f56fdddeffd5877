"""The questionnaires shipped in questionnaires/: each loads cleanly, and the codes and rules that the scoring
engine, the training course and the demo data rely on are exactly as agreed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from surveykit.errors import ErrorCode
from surveykit.questionnaire.io import load_questionnaire, read_questionnaire
from surveykit.questionnaire.model import Group, Question, QuestionType
from surveykit.questionnaire.validate import validate_answers

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
SHIPPED = ["recipient_survey", "website_audit", "premises_checklist", "staff_survey", "needs_assessment"]
NOW = dt.datetime(2026, 3, 2, 10, 0)


def load(name: str):
    return load_questionnaire(QUESTIONNAIRES / f"{name}.yaml")


def problems(result, code=None):
    return [(p.code, p.location.field) for p in result.report.errors if code is None or p.code is code]


def choice_names(q, code):
    return [c.name for c in q.choice_list(q.question(code).choice_list_name)]


# --- every shipped questionnaire ---------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_questionnaire_loads_with_no_errors_and_no_warnings(name):
    result = read_questionnaire(QUESTIONNAIRES / f"{name}.yaml")
    assert result.questionnaire is not None, str(result.report)
    assert not result.report.errors, str(result.report)
    assert not result.report.warnings, str(result.report)


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_questionnaire_is_identified_by_its_file_name_and_names_its_sources(name):
    q = load(name)
    assert q.id == name
    assert q.version == ("2026.2" if name == "recipient_survey" else "2026.1")  # 2026.2: one doctrine (issue 18)
    assert q.default_language == "ru"
    assert q.metadata.get("sources"), "metadata.sources lists the orders and the methodology reference"


# --- the recipient survey (675н) -----------------------------------------------------------------------

FILTERS = {"q1": "q2", "q3": "q4", "q7": "q8", "q11": "q12"}
SUBSTANTIVE = ["q2", "q4", "q5", "q6", "q8", "q9", "q10", "q12", "q13", "q14", "q15"]
INDICATORS = {
    "q1": ["1.3"], "q2": ["1.3"], "q3": ["1.3"], "q4": ["1.3"], "q5": ["2.2"], "q6": ["2.3"],
    "q7": ["3.3"], "q8": ["3.3"], "q9": ["4.1"], "q10": ["4.2"], "q11": ["4.3"], "q12": ["4.3"],
    "q13": ["5.1"], "q14": ["5.2"], "q15": ["5.3"],
}  # fmt: skip


@pytest.fixture(scope="module")
def recipient():
    return load("recipient_survey")


def recipient_interview(**changes):
    """A complete, valid recipient interview in which every filter question is answered 'yes'."""
    answers = {"consent": "yes", "proxy_respondent": "no"}
    answers.update({code: "yes" for code in FILTERS})
    answers.update({code: "yes" for code in SUBSTANTIVE})
    answers.update(q13="dk", q16="Больше скамеек у входа", sex="female", age_group="a75p")
    answers.update(service_form="home")
    answers.update(changes)
    return answers


def test_the_recipient_survey_is_in_exactly_five_languages_with_every_text_translated(recipient):
    assert set(recipient.languages) == {"ru", "en", "uk", "bg", "pl"}
    languages = set(recipient.languages)
    for item, _ in recipient.walk():
        if isinstance(item, Question) and item.type is QuestionType.CALCULATE:
            continue
        assert set(item.label) == languages, item.code
        for texts in (item.instruction, getattr(item, "hint", {}), getattr(item, "constraint_message", {})):
            assert not texts or set(texts) == languages, item.code
    for name, choices in recipient.choice_lists.items():
        for choice in choices:
            assert set(choice.label) == languages and all(choice.label.values()), (name, choice.name)


def test_the_recipient_survey_settings_follow_675n(recipient):
    s = recipient.settings
    assert [m.value for m in s.modes] == ["face_to_face", "telephone", "self_completed"]
    assert s.allow_proxy is True
    assert (s.respondent, s.kind) == ("recipient", "survey")


def test_q1_to_q15_are_yes_no_with_plain_filters_and_dont_know_as_a_coded_missing_value(recipient):
    for n in range(1, 16):
        assert recipient.question(f"q{n}").type is QuestionType.YES_NO, f"q{n}"
    for code in FILTERS:
        assert choice_names(recipient, code) == ["yes", "no"]
    for code in SUBSTANTIVE:
        choices = {c.name: c for c in recipient.choice_list(recipient.question(code).choice_list_name)}
        assert list(choices) == ["yes", "no", "dk"], code
        assert (choices["yes"].value, choices["no"].value) == (1, 0)
        assert choices["dk"].missing and choices["dk"].value == 98
        assert not choices["yes"].missing and not choices["no"].missing


def test_each_recipient_item_feeds_the_agreed_indicators(recipient):
    fed = {q.code: q.scoring.indicators for q in recipient.questions() if q.scoring and q.scoring.indicators}
    assert fed == INDICATORS


def test_the_four_filter_rules_are_written_as_agreed(recipient):
    for filter_code, follow_up in FILTERS.items():
        assert recipient.question(follow_up).relevant == f"${{{filter_code}}} = 'yes'"


def test_a_complete_recipient_interview_is_valid(recipient):
    result = validate_answers(recipient, recipient_interview(), now=NOW)
    assert result.ok, str(result.report)


@pytest.mark.parametrize(("filter_code", "follow_up"), FILTERS.items())
def test_a_no_at_a_filter_skips_its_follow_up_and_an_answer_is_reported(recipient, filter_code, follow_up):
    answers = recipient_interview(**{filter_code: "no", follow_up: "yes"})
    result = validate_answers(recipient, answers, now=NOW)
    assert not result.relevant(follow_up)
    assert problems(result) == [(ErrorCode.ANSWER_NOT_RELEVANT, follow_up)]
    assert result.answers()[follow_up] is None  # the stray answer is dropped from the cleaned data


@pytest.mark.parametrize(("filter_code", "follow_up"), FILTERS.items())
def test_a_yes_at_a_filter_asks_its_follow_up(recipient, filter_code, follow_up):
    answers = recipient_interview()
    del answers[follow_up]
    result = validate_answers(recipient, answers, now=NOW)
    assert result.relevant(follow_up)
    assert problems(result) == [(ErrorCode.ANSWER_REQUIRED, follow_up)]


def test_a_skipped_filter_question_leaves_its_follow_up_unasked(recipient):
    answers = recipient_interview()
    del answers["q7"], answers["q8"]  # q7 is sensitive: the respondent may decline it
    result = validate_answers(recipient, answers, now=NOW)
    assert result.ok, str(result.report)
    assert not result.relevant("q8")


def test_without_consent_the_interview_stops(recipient):
    result = validate_answers(recipient, {"consent": "no"}, now=NOW)
    assert problems(result) == [(ErrorCode.ANSWER_CONSTRAINT, "consent")]
    assert not any(result.relevant(code) for code in ("proxy_respondent", "q1", "q15", "sex"))


def test_the_recipient_demographics_use_the_agreed_choice_names(recipient):
    assert choice_names(recipient, "sex") == ["female", "male"]
    assert choice_names(recipient, "age_group") == ["a18_34", "a35_54", "a55_64", "a65_74", "a75p"]
    assert choice_names(recipient, "service_form") == ["home", "semi_stationary", "stationary"]
    q16 = recipient.question("q16")
    assert q16.type is QuestionType.TEXT and q16.multiline and not q16.required


# --- the website and stand audit (1.1, 1.2) ---------------------------------------------------------------

INFO = [f"{n:02d}" for n in range(1, 17)]
REMOTE = ["remote_phone", "remote_email", "remote_eservice", "remote_faq", "remote_opinion", "remote_other"]


@pytest.fixture(scope="module")
def audit():
    return load("website_audit")


def test_the_website_audit_holds_exactly_the_agreed_codes(audit):
    expected = {"site_url", "audit_date", "auditor_note"}
    for n in INFO:
        expected |= {f"site_info_{n}", f"site_info_{n}_ev", f"stand_info_{n}", f"stand_info_{n}_ev"}
    for code in REMOTE:
        expected |= {code, f"{code}_log"}
    recorded = {q.code for q in audit.questions() if q.type is not QuestionType.NOTE}
    assert recorded == expected


def test_the_website_audit_pages_follow_the_order_of_a5(audit):
    pages = [item.code for item in audit.items if isinstance(item, Group) and item.code.startswith("info_")]
    assert pages == [f"info_{n}" for n in INFO]
    for n in INFO:
        assert [q.code for q in audit.item(f"info_{n}").items] == [
            f"site_info_{n}", f"site_info_{n}_ev", f"stand_info_{n}", f"stand_info_{n}_ev"
        ]  # fmt: skip


def test_the_website_audit_statuses_and_indicators(audit):
    assert audit.settings.kind == "checklist" and audit.settings.respondent == "institution"
    assert [m.value for m in audit.settings.modes] == ["observation"]
    status4 = [c.name for c in audit.choice_lists["status4"]]
    channel3 = [c.name for c in audit.choice_lists["channel3"]]
    assert status4 == ["present", "outdated", "absent", "not_applicable"]
    assert channel3 == ["functioning", "not_functioning", "absent"]
    for n in INFO:
        for code in (f"site_info_{n}", f"stand_info_{n}"):
            q = audit.question(code)
            assert (q.choices, q.scoring.indicators) == ("status4", ["1.1"])
            assert q.instruction["ru"] and q.instruction["en"]
    for code in REMOTE:
        q = audit.question(code)
        assert (q.choices, q.scoring.indicators) == ("channel3", ["1.2"])
        assert q.instruction["ru"] and q.instruction["en"]


def audit_answers(**changes):
    answers = {"site_url": "https://kcson.example.ru", "audit_date": "2026-02-20", "auditor_note": ""}
    for n in INFO:
        answers |= {f"site_info_{n}": "absent", f"stand_info_{n}": "not_applicable"}
    answers |= dict.fromkeys(REMOTE, "absent")
    answers.update(changes)
    return answers


def test_the_audit_asks_for_evidence_only_for_published_items_and_wants_a_url(audit):
    assert validate_answers(audit, audit_answers(), now=NOW).ok
    result = validate_answers(audit, audit_answers(site_info_03="outdated", stand_info_03="present"), now=NOW)
    assert problems(result) == [
        (ErrorCode.ANSWER_REQUIRED, "site_info_03_ev"),
        (ErrorCode.ANSWER_REQUIRED, "stand_info_03_ev"),
    ]
    result = validate_answers(
        audit, audit_answers(site_info_03="present", site_info_03_ev="kcson.example.ru/tariffs"), now=NOW
    )
    assert problems(result) == [(ErrorCode.ANSWER_CONSTRAINT, "site_info_03_ev")]
    result = validate_answers(
        audit,
        audit_answers(site_info_03="present", site_info_03_ev="https://kcson.example.ru/tariffs"),
        now=NOW,
    )
    assert result.ok, str(result.report)
    result = validate_answers(
        audit, audit_answers(site_info_03_ev="https://kcson.example.ru/tariffs"), now=NOW
    )
    assert problems(result) == [(ErrorCode.ANSWER_NOT_RELEVANT, "site_info_03_ev")]


def test_a_tested_remote_channel_needs_its_test_log(audit):
    result = validate_answers(audit, audit_answers(remote_phone="not_functioning"), now=NOW)
    assert problems(result) == [(ErrorCode.ANSWER_REQUIRED, "remote_phone_log")]
    log = "12.03 10:15 — no answer; 14.03 13:40 — no answer; 17.03 16:05 — answered"
    assert validate_answers(
        audit, audit_answers(remote_phone="not_functioning", remote_phone_log=log), now=NOW
    ).ok
    assert not validate_answers(audit, audit_answers(), now=NOW).relevant("remote_phone_log")


# --- the premises checklist (2.1, 3.1, 3.2) ------------------------------------------------------------

PREMISES = {
    "2.1": ["comfort_waiting_area", "comfort_navigation", "comfort_water", "comfort_sanitary", "comfort_clean",
            "comfort_transport", "comfort_booking"],
    "3.1": ["acc_entrance", "acc_parking", "acc_lifts_handrails", "acc_wheelchairs", "acc_sanitary"],
    "3.2": ["svc_sound_visual", "svc_braille", "svc_sign_language", "svc_low_vision_site", "svc_escort",
            "svc_remote_home"],
}  # fmt: skip


@pytest.fixture(scope="module")
def premises():
    return load("premises_checklist")


def test_the_premises_checklist_holds_exactly_the_agreed_codes(premises):
    conditions = [q.code for q in premises.questions() if q.type is QuestionType.YES_NO]
    assert conditions == [code for codes in PREMISES.values() for code in codes]
    recorded = {q.code for q in premises.questions() if q.type is not QuestionType.NOTE}
    photos = {f"{code}_photo" for code in conditions}
    assert recorded == set(conditions) | photos | {"visit_date", "observer_note"}
    for indicator, codes in PREMISES.items():
        for code in codes:
            q = premises.question(code)
            assert q.scoring.indicators == [indicator], code
            assert q.instruction["ru"] and q.instruction["en"], code
            assert premises.question(f"{code}_photo").relevant == f"${{{code}}} = 'yes'"


def test_a_present_condition_needs_a_photo_reference(premises):
    answers = {"visit_date": "2026-02-20"} | {code: "no" for codes in PREMISES.values() for code in codes}
    assert validate_answers(premises, answers, now=NOW).ok
    result = validate_answers(premises, answers | {"acc_entrance": "yes"}, now=NOW)
    assert problems(result) == [(ErrorCode.ANSWER_REQUIRED, "acc_entrance_photo")]
    assert validate_answers(
        premises, answers | {"acc_entrance": "yes", "acc_entrance_photo": "IMG_0412.jpg"}, now=NOW
    ).ok


# --- the staff survey --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def staff():
    return load("staff_survey")


def test_the_staff_scales_refer_to_existing_likert_items(staff):
    assert len(staff.scales) >= 3
    assert {"conditions", "relations", "workload"} <= set(staff.scales)
    for name, scale in staff.scales.items():
        assert scale.items, name
        for code in scale.items:
            q = staff.question(code)
            assert q.type is QuestionType.LIKERT, code
            missing = [c for c in staff.choice_list(q.choices) if c.missing]
            assert {c.name for c in missing} == {"dk", "refused"}
        assert set(scale.reverse) <= set(scale.items), name
    assert any(scale.reverse for scale in staff.scales.values())
    in_scales = [code for scale in staff.scales.values() for code in scale.items]
    assert len(in_scales) == len(set(in_scales)), "an item belongs to one scale only"


def test_the_staff_survey_has_the_agreed_question_types(staff):
    assert staff.settings.respondent == "staff"
    types = {q.code: q.type for q in staff.questions()}
    assert QuestionType.MATRIX in types.values()
    assert types["training_needs"] is QuestionType.SELECT_MULTIPLE
    assert types["position"] is QuestionType.SELECT_ONE
    years = staff.question("years_service")
    assert years.type is QuestionType.INTEGER and (years.min, years.max) == (0, 50)
    assert staff.question("comment").multiline
    assert staff.metadata["small_cell_min"] >= 5


def test_no_training_cannot_be_ticked_with_topics(staff):
    result = validate_answers(staff, {"consent": "yes", "training_needs": "none first_aid"}, now=NOW)
    assert problems(result) == [(ErrorCode.ANSWER_CONSTRAINT, "training_needs")]


# --- the needs assessment --------------------------------------------------------------------------------

ADL_ROWS = ["washing", "dressing", "eating", "toilet", "moving", "going_out", "shopping", "cooking", "housework",
            "medicines", "money", "phone"]  # fmt: skip


@pytest.fixture(scope="module")
def needs():
    return load("needs_assessment")


def needs_answers(**changes):
    answers = {
        "case_code": "2026/014",
        "assessment_date": "2026-02-10",
        "assessment_type": "initial",
        "informant": "client",
        "client_age": 84,
        "client_sex": "female",
        "living_arrangement": "alone",
        "housing_type": "flat",
        "housing_problems": "no_lift",
        "disability_group": "group2",
        "health_limits": "mobility memory",
        "needs_supervision": "no",
        "n_relatives": 2,
        "relatives": [
            {"rel_relation": "child", "rel_age": 55, "rel_lives_together": "no", "rel_can_help": "yes"},
            {"rel_relation": "sibling", "rel_age": 80, "rel_lives_together": "no", "rel_can_help": "no"},
        ],
        "income_band": "from_1_to_1_5",
        "service_types": "household medical",
        "services_needed": "shopping medication",
        "main_service_type": "household",
        "recommended_form": "home",
        "client_agrees": "yes",
        "next_review_date": "2027-02-10",
    }
    answers |= {f"adl_{row}": "alone" for row in ADL_ROWS}
    answers |= {"adl_washing": "with_help", "adl_going_out": "cannot", "adl_shopping": "cannot"}
    answers.update(changes)
    return answers


def test_the_needs_assessment_computes_the_roster_sums_and_the_priority_score(needs):
    assert (needs.settings.respondent, needs.settings.kind) == ("client", "assessment")
    result = validate_answers(needs, needs_answers(), now=NOW)
    assert result.ok, str(result.report)
    answers = result.answers()
    assert answers["adl_score"] == 5  # with help 1 + cannot 2 + cannot 2
    assert (answers["n_helpers"], answers["n_cohabitants"]) == (1, 0)
    # 5 (daily living) + 3 (lives alone) + 2 (group II) + 2 (aged 80+)
    assert answers["priority_score"] == 12
    alone = validate_answers(needs, needs_answers(n_relatives=0, relatives=[]), now=NOW).answers()
    assert (alone["n_helpers"], alone["priority_score"]) == (0, 15)  # + 3: nobody can help


def test_the_services_offered_follow_the_kinds_of_service_chosen(needs):
    result = validate_answers(needs, needs_answers(services_needed="shopping legal_advice"), now=NOW)
    assert problems(result) == [(ErrorCode.ANSWER_FILTERED_CHOICE, "services_needed")]
    result = validate_answers(needs, needs_answers(main_service_type="legal"), now=NOW)
    assert problems(result) == [(ErrorCode.ANSWER_FILTERED_CHOICE, "main_service_type")]


def test_a_relative_cannot_live_with_a_client_who_lives_alone(needs):
    relatives = needs_answers()["relatives"]
    relatives[0] = relatives[0] | {"rel_lives_together": "yes"}
    result = validate_answers(needs, needs_answers(relatives=relatives), now=NOW)
    assert problems(result) == [(ErrorCode.ANSWER_CONSTRAINT, "rel_lives_together")]
