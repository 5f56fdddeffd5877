"""Properties over random data (hypothesis): bounds, and monotonicity of every share and of S.

Survey data are generated routing-consistent, as the questionnaire enforces: a follow-up (q2, q4, q8, q12) is
answered only where its filter is "yes".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveykit.scoring import load_profile, rate
from surveykit.scoring.demo import (
    AUDIT_REMOTE,
    AUDIT_SITE,
    AUDIT_STAND,
    FILTERS,
    PREMISES_ITEMS,
    SATISFACTION,
)

PROFILE = load_profile("ru_nok_344n_2018")
AUDIT_STATUS = ["present", "outdated", "absent", "not_applicable"]
REMOTE_STATUS = ["functioning", "not_functioning", "absent"]
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def sources(draw):
    n_inst = draw(st.integers(1, 3))
    n = draw(st.integers(1, 30))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    inst = np.array([f"i{k}" for k in rng.integers(0, n_inst, n)], dtype=object)
    frame = {"institution_id": inst, "period": ["2025"] * n}
    routed = {}
    for q, follow in FILTERS.items():
        yes = rng.random(n) < rng.random()
        frame[q] = pd.Categorical(np.where(yes, "yes", "no"), categories=["yes", "no"])
        routed[follow] = yes
    for q in SATISFACTION:
        values = rng.choice(
            np.array(["yes", "no", "dk", None], dtype=object), n, p=rng.dirichlet([1, 1, 1, 1])
        )
        if q in routed:
            values = np.where(routed[q], values, None)
        frame[q] = pd.Categorical(values, categories=["yes", "no", "dk"])
    survey = pd.DataFrame(frame)
    ids = sorted(set(inst))
    audit = {"institution_id": ids, "period": ["2025"] * len(ids)}
    for code in AUDIT_SITE + AUDIT_STAND:
        audit[code] = pd.Categorical(rng.choice(AUDIT_STATUS, len(ids)), categories=AUDIT_STATUS)
    for code in AUDIT_REMOTE:
        audit[code] = pd.Categorical(rng.choice(REMOTE_STATUS, len(ids)), categories=REMOTE_STATUS)
    premises = {"institution_id": ids, "period": ["2025"] * len(ids)}
    for code in PREMISES_ITEMS:
        premises[code] = pd.Categorical(rng.choice(["yes", "no"], len(ids)), categories=["yes", "no"])
    out = {
        "recipient_survey": survey,
        "website_audit": pd.DataFrame(audit),
        "premises_checklist": pd.DataFrame(premises),
    }
    if draw(st.booleans()):  # sometimes a checklist is not done
        del out[draw(st.sampled_from(["website_audit", "premises_checklist"]))]
    return out


def measures(rating) -> pd.DataFrame:
    tidy = rating.indicators
    return tidy[tidy["level"] != "channel"].set_index(["institution_id", "id"])["value"]


@SETTINGS
@given(sources())
def test_every_value_between_0_and_100(data):
    rating = rate(PROFILE, data)
    values = measures(rating).dropna()
    assert ((values >= 0) & (values <= 100)).all()
    for column in ("S_lo", "S_hi"):
        bounds = rating.table[column].dropna()
        assert ((bounds >= 0) & (bounds <= 100)).all()
    assert (rating.table["S_lo"].fillna(0) <= rating.table["S"].fillna(0) + 1e-9).all()


@SETTINGS
@given(sources(), st.data())
def test_turning_one_no_into_yes_never_lowers_anything(data, pick):
    """Flip one "no" to "yes" in a satisfaction item or a premises item (or "absent" to "present" in the
    audit): no indicator, criterion or S may go down."""
    before = measures(rate(PROFILE, data))
    candidates = []
    survey = data["recipient_survey"]
    for q in SATISFACTION:
        for row in np.flatnonzero((survey[q] == "no").to_numpy()):
            candidates.append(("recipient_survey", q, int(row), "yes"))
    if "premises_checklist" in data:
        for code in PREMISES_ITEMS:
            for row in np.flatnonzero((data["premises_checklist"][code] == "no").to_numpy()):
                candidates.append(("premises_checklist", code, int(row), "yes"))
    if "website_audit" in data:
        for code in AUDIT_SITE + AUDIT_STAND:
            for row in np.flatnonzero((data["website_audit"][code] == "absent").to_numpy()):
                candidates.append(("website_audit", code, int(row), "present"))
    if not candidates:
        return
    source, column, row, value = pick.draw(st.sampled_from(candidates))
    changed = dict(data)
    frame = data[source].copy()
    values = frame[column].astype(object).to_numpy(copy=True)
    values[row] = value
    frame[column] = pd.Categorical(values, categories=data[source][column].cat.categories)
    changed[source] = frame
    after = measures(rate(PROFILE, changed))
    both = pd.concat({"before": before, "after": after}, axis=1).dropna()
    assert (both["after"] >= both["before"] - 1e-9).all(), both[both["after"] < both["before"]]
