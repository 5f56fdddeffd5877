"""Analysis helpers on small examples computed by hand: frequencies, a crosstab with column percentages and
chi-square (against scipy), weighted means and shares with their intervals, a Likert summary; labels in the
chosen language."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from surveykit.exchange import (
    crosstab,
    frequencies,
    frequency_figure,
    likert_summary,
    means,
    shares,
    weighted_mean,
)
from surveykit.exchange.analysis import labelled, shares_figure
from surveykit.questionnaire.io import questionnaire_from_data

Z = 1.959963984540054

QUESTIONNAIRE = questionnaire_from_data(
    {
        "schema_version": 1,
        "id": "tiny",
        "version": "1",
        "title": {"en": "Tiny", "ru": "Крошечная"},
        "languages": ["ru", "en"],
        "default_language": "ru",
        "choice_lists": {
            "form": [
                {"name": "home", "label": {"ru": "На дому", "en": "At home"}},
                {"name": "day", "label": {"ru": "Дневное пребывание", "en": "Day care"}},
            ],
            "agree3": [
                {"name": "1", "value": 1, "label": {"ru": "Нет", "en": "Disagree"}},
                {"name": "2", "value": 2, "label": {"ru": "Отчасти", "en": "Partly"}},
                {"name": "3", "value": 3, "label": {"ru": "Да", "en": "Agree"}},
                {"name": "dk", "value": 98, "missing": True, "label": {"ru": "Не знаю", "en": "Don't know"}},
            ],
            "services": [{"name": "meals", "label": {"ru": "Обеды", "en": "Meals"}}, {"name": "cleaning"}],
        },
        "items": [
            {"code": "form", "type": "select_one", "choices": "form", "label": {"ru": "Форма", "en": "Form"}},
            {
                "code": "satisfied",
                "type": "yes_no",
                "choices": "yes_no_dk",
                "label": {"ru": "Довольны?", "en": "Satisfied?"},
            },
            {"code": "score", "type": "integer", "label": {"ru": "Балл", "en": "Score"}},
            {"code": "l1", "type": "likert", "choices": "agree3", "label": {"ru": "Пункт 1", "en": "Item 1"}},
            {"code": "l2", "type": "likert", "choices": "agree3", "label": {"ru": "Пункт 2", "en": "Item 2"}},
            {
                "code": "services",
                "type": "select_multiple",
                "choices": "services",
                "label": {"en": "Services"},
            },
        ],
    }
).unwrap()

FRAME = pd.DataFrame(
    {
        "form": pd.Categorical(["home"] * 5 + ["day"] * 4 + [None], categories=["home", "day"]),
        "satisfied": pd.Categorical(
            ["yes", "yes", "yes", "no", "dk", "yes", "no", "no", "no", None], categories=["yes", "no", "dk"]
        ),
        "score": pd.array([1, 2, 3, 4, None, 1, 1, 2, 2, 5], dtype="Int64"),
        "l1": pd.Categorical(
            ["1", "2", "3", "3", "dk", "2", "2", "3", None, "1"], categories=["1", "2", "3", "dk"]
        ),
        "l2": pd.Categorical(
            ["3", "3", "3", "2", "2", "1", "dk", "3", "3", "3"], categories=["1", "2", "3", "dk"]
        ),
        "services": [
            "meals",
            "meals cleaning",
            None,
            "cleaning",
            "meals",
            None,
            None,
            "meals",
            "cleaning",
            None,
        ],
        "w": [1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    }
)


def test_frequencies_count_user_missing_answers_but_leave_them_out_of_valid_percentages():
    table = frequencies(FRAME, "satisfied", QUESTIONNAIRE, language="en")
    assert table["label"].tolist() == ["Yes", "No", "Don't know / no answer", "No answer"]
    assert table["n"].tolist() == [4.0, 4.0, 1.0, 1.0]
    assert table["percent"].tolist() == [40.0, 40.0, 10.0, 10.0]
    assert table["valid_percent"].tolist()[:2] == [50.0, 50.0]
    assert table["valid_percent"].isna().tolist()[2:] == [True, True]
    assert table.attrs["title"] == "Satisfied?"
    weighted = frequencies(FRAME, "satisfied", QUESTIONNAIRE, weight="w")
    assert weighted["n"].tolist()[:2] == [5.0, 5.0]  # yes: 1+1+2+1, no: 2+1+1+1
    assert weighted["label"].tolist()[0] == "Да"  # the questionnaire's default language
    multi = frequencies(FRAME, "services", QUESTIONNAIRE, language="en")
    assert multi["n"].tolist()[:2] == [4.0, 3.0]
    assert multi["valid_percent"].tolist()[:2] == pytest.approx([4 / 6 * 100, 3 / 6 * 100])
    figure = frequency_figure(table)
    assert list(figure.data[0].y) == ["Yes", "No"]


def test_crosstab_counts_column_percentages_and_chi_square_by_hand_and_by_scipy():
    result = crosstab(FRAME, "satisfied", "form", QUESTIONNAIRE, language="en")
    # dk and the row without form are left out: home yes 3 no 1, day yes 1 no 3
    assert result.counts.to_numpy().tolist() == [[3.0, 1.0], [1.0, 3.0]]
    assert result.counts.index.tolist() == ["Yes", "No"]
    assert result.counts.columns.tolist() == ["At home", "Day care"]
    assert result.column_percent.to_numpy().tolist() == [[75.0, 25.0], [25.0, 75.0]]
    # expected 2 in every cell: chi2 = 4 * (1^2 / 2) = 2, one degree of freedom
    assert result.chi2 == pytest.approx(2.0)
    assert result.dof == 1
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(2.0 / 2)))  # chi2(1) survival function
    reference = chi2_contingency(np.array([[3, 1], [1, 3]]), correction=False)
    assert result.chi2 == pytest.approx(reference.statistic) and result.p_value == pytest.approx(
        reference.pvalue
    )
    assert result.cramers_v == pytest.approx(math.sqrt(2.0 / 8))
    assert result.figure().data[0].name == "Yes"


def test_weighted_mean_and_its_interval_with_kish_effective_n():
    est = weighted_mean([1, 2, 3, 4], [1, 1, 2, 2])
    mean = 17 / 6
    n_eff = 36 / 10
    variance = (1 * (1 - mean) ** 2 + 1 * (2 - mean) ** 2 + 2 * (3 - mean) ** 2 + 2 * (4 - mean) ** 2) / 6
    se = math.sqrt(variance * n_eff / (n_eff - 1) / n_eff)
    assert est.mean == pytest.approx(mean)
    assert est.n_eff == pytest.approx(n_eff)
    assert est.se == pytest.approx(se)
    assert (est.lo, est.hi) == pytest.approx((mean - Z * se, mean + Z * se))
    plain = weighted_mean([1, 2, 3, 4])  # no weights: the textbook s / sqrt(n)
    assert plain.se == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2)
    table = means(FRAME, "l1", QUESTIONNAIRE, by="form", language="en")
    assert table["group"].tolist() == ["At home", "Day care"]
    assert table["mean"].tolist() == pytest.approx([9 / 4, 7 / 3])  # dk left out of the points


def test_shares_with_wilson_and_normal_intervals():
    table = shares(FRAME, "satisfied", QUESTIONNAIRE, by="form", language="en")
    home = table.iloc[0]
    p, n = 0.75, 4
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n)) / (1 + Z**2 / n)
    assert home["share"] == pytest.approx(75.0)
    assert (home["lo"], home["hi"]) == pytest.approx(((centre - half) * 100, (centre + half) * 100))
    normal = shares(FRAME, "satisfied", QUESTIONNAIRE, method="normal")
    p = 4 / 8
    assert normal.iloc[0]["lo"] == pytest.approx((p - Z * math.sqrt(p * (1 - p) / 8)) * 100)
    assert list(shares_figure(table).data[0].y) == ["At home", "Day care"]


def test_likert_summary_uses_the_scoring_statistics_and_labels_the_answers():
    summary = likert_summary(FRAME, ["l1", "l2"], QUESTIONNAIRE, language="en")
    stats = summary.statistics.set_index("item")
    assert stats.loc["l1", "label"] == "Item 1"
    assert stats.loc["l1", "n"] == 8 and stats.loc["l1", "mean"] == pytest.approx(17 / 8)
    assert summary.distribution.columns.tolist() == ["Disagree", "Partly", "Agree"]
    assert summary.distribution.loc["Item 2"].tolist() == pytest.approx([100 / 9, 200 / 9, 600 / 9])
    assert len(summary.figure().data) == 3


def test_labelled_shows_answers_by_their_labels():
    out = labelled(FRAME, QUESTIONNAIRE, language="ru")
    assert out["form"].tolist()[:2] == ["На дому", "На дому"]
    assert out["satisfied"].cat.categories.tolist() == ["Да", "Нет", "Затрудняюсь ответить"]
