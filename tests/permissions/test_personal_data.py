"""Data protection: rating questionnaires ask for no respondent names or contacts (SK517); free text reaches
council viewers only as approved; exports through the apps carry pseudonyms."""

from __future__ import annotations

import pytest

from surveykit.errors import ErrorCode
from surveykit.questionnaire.io import questionnaire_from_data


def form(*items, metadata=None, modes=("face_to_face",)):
    data = {
        "schema_version": 1,
        "id": "rating_form",
        "version": "1",
        "title": {"en": "Rating"},
        "languages": ["en"],
        "default_language": "en",
        "settings": {"modes": list(modes)},
        "items": [
            {
                "code": "q1",
                "type": "yes_no",
                "label": {"en": "Satisfied?"},
                "scoring": {"indicators": ["1.3"]},
            },
            *items,
        ],
    }
    if metadata is not None:
        data["metadata"] = metadata
    return questionnaire_from_data(data)


def personal(result):
    return [p for p in result.report.problems if p.code is ErrorCode.PERSONAL_DATA_IN_RATING]


@pytest.mark.parametrize(
    "code", ["respondent_name", "fio", "phone2", "email", "home_address", "contact_phone"]
)
def test_a_rating_questionnaire_refuses_names_and_contacts_by_their_code(code):
    found = personal(form({"code": code, "type": "text", "label": {"en": "?"}}))
    assert len(found) == 1 and found[0].severity == "error"
    assert code in str(found[0]) and "personal_data: false" in str(found[0])


def test_a_question_marked_personal_data_is_refused_whatever_its_code_type_and_mode():
    item = {"code": "q9", "type": "yes_no", "label": {"en": "?"}, "personal_data": True}
    found = personal(form(item, modes=("observation",)))
    assert [p.location.path for p in found] == ["q9.personal_data"]
    assert "marked personal_data: true" in str(found[0])


def test_false_positives_can_be_marked_and_audits_have_no_respondent():
    assert not personal(form({"code": "name_of_service", "type": "text", "personal_data": False}))
    assert not personal(form({"code": "remote_phone_log", "type": "text"}, modes=("observation",)))
    assert not personal(form({"code": "phone_works", "type": "yes_no"}))  # a yes/no is no contact


@pytest.mark.parametrize("qtype", ["geopoint", "image", "audio", "video"])
def test_a_place_a_face_or_a_voice_of_a_respondent_is_personal_data_but_an_audits_photo_is_not(qtype):
    found = personal(form({"code": "evidence", "type": qtype, "label": {"en": "?"}}))
    assert len(found) == 1 and f"a {qtype} answer can identify the respondent" in str(found[0])
    assert not personal(form({"code": "evidence", "type": qtype}, modes=("observation",)))  # premises audit
    assert not personal(form({"code": "evidence", "type": qtype, "personal_data": False}))
    assert not personal(form({"code": "evidence", "type": "file"}))  # a document: judged by its code


def test_only_rating_questionnaires_are_checked():
    assert not personal(form({"code": "respondent_name", "type": "text"}, metadata={"rating": False}))
    flagged = form({"code": "respondent_name", "type": "text"}, metadata={"rating": True})
    assert personal(flagged)


def test_free_text_reaches_a_council_viewer_only_as_approved_and_redacted(world):
    """Pending free text is possibly identifying: not in the council's open answers, dashboard or report
    block; once a supervisor approves it (redacted), only the published wording appears."""
    from surveykit.reports.content import InstitutionReport

    supervisor, council = world.sign_in("sup"), world.sign_in("cou")
    frame = supervisor.interviews_frame("recipient_survey").set_index("interview_id")
    approved_texts = set(council.open_answers()["text"])
    # a pending answer whose wording no approved answer shares (the sample repeats some phrases)
    pending = next(
        r
        for r in supervisor.open_answers("pending").itertuples()
        if str(frame.loc[r.interview_id, r.question]) not in approved_texts | {"nan", "<NA>", ""}
    )
    row = frame.loc[pending.interview_id]
    raw = str(row[pending.question])

    def council_texts():
        data = council.dashboard_data(None, {"period": str(row["period"])}, "ru")
        shown = set(council.open_answers()["text"])
        shown |= set(data.suggestions(row["institution_id"], str(row["period"])))
        report = str(InstitutionReport(data, row["institution_id"]).suggestions())
        return shown, report

    shown, report = council_texts()
    assert raw not in shown and raw not in report
    supervisor.review_open_answer(
        pending.interview_id, pending.question, "approved", published_text="[изъято]"
    )
    shown, report = council_texts()
    assert "[изъято]" in shown and "[изъято]" in report
    assert raw not in shown and raw not in report


def test_interviewer_ids_in_exports_through_the_apps_are_pseudonyms(world, tmp_path):
    result = world.sign_in("soc").export_interviews("recipient_survey", tmp_path / "out.csv")
    import pandas as pd

    exported = set(pd.read_csv(result.files[0])["interviewer_id"].astype(str))
    real = {p.id for p in world.store.people()}
    assert exported and not exported & real and result.pseudonymised
