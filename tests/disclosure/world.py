"""The adversarial world: a region whose small groups sit at every level a council output can slice by.

Built on the dashboard sample (twelve institutions, two periods) with, added on purpose:

* ``tiny_noregion``: an institution without region or municipality, 30 interviews in 2024 and 3 in 2025
  (the issue's case: "all" minus "the region" isolates it; also a period pair, large then small);
* ``tiny_muni``: the only institution of its municipality ("Малый район"), 2 interviews in each period;
* ``tiny_type``: the only institution of its type (``hospice``), 40 interviews in 2024 and 4 in 2025;
* ``tiny_one``: one interview in each period;
* ``dom_ryabinka`` (from the sample): 3 interviews in the latest period;
* modes: in ``kcson_sev`` one interview by telephone (a mode with one interview), in ``kcson_zar`` one
  self-completed interview (the only one of that mode in the region), and ``kcson_svet`` interviewed half by
  telephone, half face to face (both parts large: a unit that may be split by mode).

Everything else is the sample as it is. The truth (what no council output may reveal) is computed from these
frames by the tests themselves, never by the code under test.
"""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd

from surveykit.dashboard.sample import Sample, sample_data

K = 5
PERIODS = ("2024", "2025")
#: (id, name, type, region, municipality, {period: interviews}, donor institution of the answers)
ADDED = (
    ("tiny_noregion", "Центр «Без региона»", "kcson", None, None, {"2024": 30, "2025": 3}, "kcson_oz"),
    ("tiny_muni", "Дом-интернат «Малый»", "elderly_home", "Северо-Западная область", "Малый район",
     {"2024": 2, "2025": 2}, "dom_sosny"),
    ("tiny_type", "Хоспис «Тихий»", "hospice", "Северо-Западная область", "Северный район",
     {"2024": 40, "2025": 4}, "pni_5"),
    ("tiny_one", "КЦСОН «Один»", "kcson", "Северо-Западная область", "Заречный район",
     {"2024": 1, "2025": 1}, "kcson_zar"),
)  # fmt: skip
#: every (institution, period) group with fewer than K respondents, by construction
SMALL_GROUPS = {
    ("tiny_noregion", "2025"),
    ("tiny_muni", "2024"),
    ("tiny_muni", "2025"),
    ("tiny_type", "2025"),
    ("tiny_one", "2024"),
    ("tiny_one", "2025"),
    ("dom_ryabinka", "2025"),
}
#: an approved suggestion of a respondent of tiny_type in 2025 (four respondents: it must not be shown)
SMALL_SUGGESTION = "Хотелось бы больше прогулок во дворе."
#: the questions the attacks tabulate: a five-way choice, a yes/no/don't know, a filtered follow-up
QUESTIONS = ("age_group", "q15", "q2")


def adversarial_sample(seed: int = 11) -> Sample:
    """The sample with the small groups above (see the module docstring)."""
    sample = sample_data(interviews_per_institution=30, periods=PERIODS, seed=seed)
    frames = dict(sample.frames)
    survey = frames["recipient_survey"].copy()
    rng = np.random.default_rng(seed)
    extra = []
    for ident, _name, _type, _region, _muni, sizes, donor in ADDED:
        for period, n in sizes.items():
            pool = survey[(survey["institution_id"] == donor) & (survey["period"] == period)]
            rows = pool.sample(n=n, random_state=int(rng.integers(0, 2**31)), replace=n > len(pool)).copy()
            rows["institution_id"] = ident
            rows["q16"] = None
            extra.append(rows)
    survey = pd.concat([survey, *extra], ignore_index=True)
    survey["interview_id"] = [
        str(uuid.UUID(int=int(x), version=4)) for x in rng.integers(0, 2**63, len(survey))
    ]
    survey["mode"] = "face_to_face"
    latest = survey["period"] == PERIODS[-1]
    sev = np.flatnonzero((survey["institution_id"] == "kcson_sev").to_numpy() & latest.to_numpy())
    survey.loc[sev[0], "mode"] = "telephone"
    zar = np.flatnonzero((survey["institution_id"] == "kcson_zar").to_numpy() & latest.to_numpy())
    survey.loc[zar[0], "mode"] = "self_completed"
    svet = np.flatnonzero((survey["institution_id"] == "kcson_svet").to_numpy())
    survey.loc[svet[::2], "mode"] = "telephone"
    frames["recipient_survey"] = survey
    for qid in ("website_audit", "premises_checklist"):
        checklist = frames[qid]
        copies = []
        for ident, *_rest, donor in ADDED:
            rows = checklist[checklist["institution_id"] == donor].copy()
            rows["institution_id"] = ident
            rows["interview_id"] = [str(uuid.uuid4()) for _ in range(len(rows))]
            copies.append(rows)
        frames[qid] = pd.concat([checklist, *copies], ignore_index=True)
    institutions = frames["institutions"]
    added = pd.DataFrame(
        [
            {"institution_id": i, "name": n, "type": t, "region": r, "municipality": m}
            for i, n, t, r, m, _sizes, _donor in ADDED
        ]
    ).astype(object)
    frames["institutions"] = pd.concat([institutions.astype(object), added], ignore_index=True)
    reviews = frames["open_answer_reviews"]
    reviews = reviews[reviews["interview_id"].isin(set(survey["interview_id"]))]
    # one of the four respondents of tiny_type in 2025 made a suggestion, approved for publication
    small = np.flatnonzero((survey["institution_id"] == "tiny_type").to_numpy() & latest.to_numpy())[0]
    survey.loc[small, "q16"] = SMALL_SUGGESTION
    approved = {
        "interview_id": survey.loc[small, "interview_id"],
        "question": "q16",
        "status": "approved",
        "published_text": SMALL_SUGGESTION,
        "reviewer_id": "soc_01",
    }
    frames["open_answer_reviews"] = pd.concat([reviews, pd.DataFrame([approved])], ignore_index=True)
    frames["assignments"] = _assignments(survey)
    return Sample(frames=frames, periods=PERIODS, interviewers=sample.interviewers)


def _assignments(survey: pd.DataFrame) -> pd.DataFrame:
    """One assignment per interviewer, institution and period, done as counted, targets a little above."""
    done = (
        survey.groupby(["interviewer_id", "institution_id", "period"], observed=True)
        .size()
        .rename("done")
        .reset_index()
    )
    done["target"] = np.maximum(done["done"] + 5, 10)
    done["questionnaire_id"] = "recipient_survey"
    return done[["interviewer_id", "institution_id", "questionnaire_id", "period", "target", "done"]]
