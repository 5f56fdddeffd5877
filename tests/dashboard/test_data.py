"""The dashboard's data layer without widgets or a browser: selections, views, labels, sources."""

from __future__ import annotations

import pandas as pd
import pytest

from surveykit.dashboard import Filters, FramesSource, as_source, dashboard_data
from surveykit.dashboard.sample import build_sample_database, sample_data
from surveykit.errors import AccessDenied, ErrorCode, NotFoundError, SurveykitError
from surveykit.store import Store


def test_ranking_is_in_place_order_with_withheld_and_unrated_last(data_ru, small_institution):
    ranking = data_ru.ranking()
    ranked = ranking[ranking["rank"].notna()]
    assert list(ranked["rank"]) == sorted(ranked["rank"])
    assert list(ranked["S"]) == sorted(ranked["S"], reverse=True)
    assert (
        ranking.iloc[-1]["institution_id"] == small_institution and ranking.iloc[-1]["category"] == "withheld"
    )
    assert ranking["name"].str.contains("КЦСОН").any()  # names, not ids


def test_filters_select_institutions_but_keep_the_official_places(data_ru):
    everyone = data_ru.ranking().set_index("institution_id")["rank"]
    north = data_ru.with_(municipality="Северный район")
    part = north.ranking()
    assert set(part["municipality"]) == {"Северный район"} and 0 < len(part) < len(everyone)
    for ident, rank in zip(part["institution_id"], part["rank"], strict=True):
        assert rank is pd.NA or rank == everyone[ident]
    homes = data_ru.with_(filters=Filters(type="elderly_home"))
    assert set(homes.institutions.set_index("institution_id").loc[homes.selected, "type_code"]) == {
        "elderly_home"
    }
    assert data_ru.with_(municipality="nowhere").ranking().empty


def test_periods_and_an_unknown_period(data_ru):
    assert data_ru.periods == ["2024", "2025"] and data_ru.period == "2025"
    assert data_ru.with_(period="2024").ranking()["S"].notna().all()
    with pytest.raises(NotFoundError) as err:
        _ = data_ru.with_(period="2052").period
    assert err.value.code is ErrorCode.NOT_FOUND and "2025" in str(err.value)


def test_filter_options_are_labelled_in_the_language(data_ru, data_en):
    ru, en = data_ru.options(), data_en.options()
    assert ru["type"][0] == ("Все", None) and en["type"][0] == ("All", None)
    assert ("Психоневрологический интернат", "psycho_home") in ru["type"]
    assert ("Psychoneurological residential home", "psycho_home") in en["type"]
    assert [v for _, v in ru["period"]] == ["2025", "2024"]


def test_institution_view(data_ru):
    view = data_ru.institution("kcson_sev")
    assert view.name == "КЦСОН Северного района" and view.period == "2025"
    assert view.type_label == "Комплексный центр социального обслуживания населения"
    measures = view.measures.set_index("id")
    assert list(measures.index[:5]) == ["K1", "K2", "K3", "K4", "K5"]
    assert measures.loc["K1", "name"] == "Открытость и доступность информации об организации"
    assert measures["regional"].notna().all()
    assert (
        measures.loc["4.1", "good_practice_at"] == 95 and measures.loc["4.1", "needs_improvement_below"] == 80
    )
    assert measures.loc["4.1", "n"] > 0 and measures.loc["4.1", "num"] <= measures.loc["4.1", "den"]
    assert list(view.trend["period"]) == ["2024", "2025"] and view.trend["regional_S"].notna().all()
    assert "КЦСОН Северного района, 2025." in view.conclusion
    assert set(view.findings["source"]) <= {"website_audit", "premises_checklist"}
    assert view.suggestions and all(isinstance(s, str) for s in view.suggestions)


def test_unknown_institution_says_what_and_suggests(data_ru):
    with pytest.raises(NotFoundError) as err:
        data_ru.institution("kcson_se")
    assert "kcson_sev" in str(err.value)


def test_progress_per_institution_and_interviewer(sample, data_ru):
    by_institution = data_ru.progress("institution")
    shown = by_institution[~by_institution["withheld"]]
    assert list(shown["share"]) == sorted(shown["share"])
    assert (shown["done"] <= shown["target"] + 1000).all()
    small = by_institution.set_index("label").loc["Малый дом-интернат «Рябинка»"]
    assert small["withheld"] and small[["done", "remaining", "share"]].isna().all() and small["target"] > 0
    with pytest.raises(AccessDenied) as err:  # council outputs never name interviewers
        data_ru.progress("interviewer")
    assert err.value.code is ErrorCode.IDENTITIES_WITHHELD
    supervisor = dashboard_data(sample.frames, language="ru", k=5, identities=True)
    by_interviewer = supervisor.progress("interviewer")
    assert "Анна Смирнова" in set(by_interviewer["label"])
    assert by_interviewer["done"].sum() == sample.frames["assignments"].query("period == '2025'")["done"].sum()


def test_questions_are_labelled_from_the_questionnaire(data_ru, data_en):
    ru = {q.code: q for q in data_ru.questions("recipient_survey")}
    en = {q.code: q for q in data_en.questions("recipient_survey")}
    assert "q16" not in ru  # open answers are never distributions
    assert ru["q15"].label.startswith("Удовлетворены ли Вы в целом")
    assert en["q15"].label.startswith("Overall, are you satisfied")
    assert [c[1] for c in ru["q15"].choices] == ["Да", "Нет", "Затрудняюсь ответить"]
    assert [c[2] for c in en["q15"].choices] == [False, False, True]


def test_distribution_and_comparison(data_en):
    frame = data_en.distribution("recipient_survey", "q15")
    assert list(frame["label"]) == ["Yes", "No", "Don't know / hard to say"]
    assert frame["count"].sum() == frame["base"].iloc[0]
    both = data_en.compare_periods("recipient_survey", "q15")
    assert list(dict.fromkeys(both["period"])) == ["2024", "2025"]
    with pytest.raises(NotFoundError):
        data_en.distribution("recipient_survey", "q16")


def test_no_interviews_gives_a_message_not_a_traceback():
    with pytest.raises(SurveykitError) as err:
        dashboard_data({"institutions": pd.DataFrame({"institution_id": ["a"], "name": ["A"]})})
    assert err.value.code is ErrorCode.INDICATOR_NO_DATA and "demo" in err.value.hint


def test_a_store_and_frames_give_the_same_data(tmp_path):
    """The same sample read from a database and from frames: the same published rating and snapshot hash."""
    sample = sample_data(interviews_per_institution=12)
    url = f"sqlite:///{tmp_path / 'surveykit.sqlite'}"
    build_sample_database(url, sample)
    with Store.open(url) as store:
        from_store = dashboard_data(store, language="en")
        source = as_source(store)
        assert source.open_answer_reviews()["status"].isin(["approved", "pending", "rejected"]).all()
        a = from_store.ranking()[["institution_id", "rank", "S", "n"]].reset_index(drop=True)
    from_frames = dashboard_data(sample.frames, language="en").ranking()[["institution_id", "rank", "S", "n"]]
    pd.testing.assert_frame_equal(a, from_frames.reset_index(drop=True), check_dtype=False)
    assert len(from_store.progress()) and from_store.progress()["done"].sum() > 0
    assert from_store.snapshot().rows["recipient_survey"] == len(sample.frames["recipient_survey"])


def test_snapshot_hash_changes_with_the_data(sample):
    a = FramesSource(sample.frames)
    a.frames(["recipient_survey"])
    changed = dict(sample.frames)
    changed["recipient_survey"] = sample.frames["recipient_survey"].iloc[1:]
    b = FramesSource(changed)
    b.frames(["recipient_survey"])
    assert a.snapshot().content_hash != b.snapshot().content_hash
    c = FramesSource(sample.frames)
    c.frames(["recipient_survey"])
    assert a.snapshot().content_hash == c.snapshot().content_hash
