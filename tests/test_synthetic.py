"""Synthetic interviews (demo data, benchmarks, practice) obey the questionnaire: skip logic, constraints,
choice filters, required answers, rosters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from surveykit.questionnaire.io import load_questionnaire
from surveykit.questionnaire.validate import validate_frame
from surveykit.synthetic import synthesize

QUESTIONNAIRES = sorted((Path(__file__).resolve().parents[1] / "questionnaires").glob("*.yaml"))


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda p: p.stem)
def test_synthetic_interviews_of_every_shipped_questionnaire_are_valid(path):
    questionnaire = load_questionnaire(path)
    for seed in range(4):
        synthetic = synthesize(questionnaire, 40, np.random.default_rng(seed))
        result = validate_frame(questionnaire, synthetic.data, repeats=synthetic.repeats)
        assert result.ok, str(result.report)


def test_tilts_shape_the_answers_and_skip_logic_is_applied():
    q = load_questionnaire(QUESTIONNAIRES[0].with_name("recipient_survey.yaml"))
    yes = {"consent": lambda latent, rng: np.column_stack([np.ones(len(latent)), np.zeros(len(latent))])}
    never = {**yes, "q1": lambda latent, rng: np.column_stack([np.zeros(len(latent)), np.ones(len(latent))])}
    data = synthesize(q, 200, np.random.default_rng(1), tilts=never).data
    assert (data["consent"].astype(object) == "yes").all()
    assert (data["q1"].astype(object) == "no").all() and data["q2"].isna().all()
    answers = synthesize(q, 3, np.random.default_rng(2), tilts=yes).answers(0)
    assert answers["consent"] == "yes" and set(answers) >= {"q1", "q15", "service_form"}
