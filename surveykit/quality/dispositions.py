"""Misreported dispositions: an interviewer whose refusals or non-contacts depart from the peers'.

Misreporting the outcome of contacts (recording a refusal or "nobody at home" for a case never visited, or
to avoid the work of an interview) is one of the forms of interviewer falsification in the AAPOR/ASA
definition (methodology D.1; AAPOR/ASA, "Interviewer Falsification in Survey Research", 2003). The check
compares each interviewer's share of cases ending in a refusal (AAPOR category R) and in a non-contact (NC)
with the share of the *other* interviewers at the same institutions, by the peer test of every other
per-interviewer rate (:mod:`surveykit.quality.peers`: indirect standardisation, two-proportion z test,
flag at ``z > peers.z`` and ``p < peers.alpha``). The denominator is the interviewer's cases with a final
outcome other than "not eligible" (NE), leaving out cases waiting for an agreed appointment; an interviewer with fewer than ``min_cases`` such cases in a period
is never flagged. Periods are compared separately. A flag opens a case for a supervisor; it is never proof.

Pure: a frame of cases in (``surveykit.store.fieldwork.Fieldwork.cases_frame``), flags out.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from surveykit.quality.context import FLAG_COLUMNS, object_frame
from surveykit.quality.peers import peer_flags, peer_test
from surveykit.quality.rules import QualityRules

__all__ = ["DISPOSITION_RULES", "disposition_flags"]

#: the rule id of each outcome category the check watches
DISPOSITION_RULES = {"R": "refusal_rate", "NC": "non_contact_rate"}


def disposition_flags(cases: pd.DataFrame, rules: QualityRules) -> pd.DataFrame:
    """The interviewer-level flags (columns of ``FLAG_COLUMNS``) of the refusal and non-contact rates."""
    config = rules.disposition_pattern
    empty = object_frame({c: np.array([], dtype=object) for c in FLAG_COLUMNS})
    if not config.enabled or cases is None or cases.empty:
        return empty
    worked = cases[cases["category"].notna() & (cases["category"] != "NE") & cases["interviewer_id"].notna()]
    if "appointment_at" in worked.columns:  # a pending appointment is no outcome yet, nor a misreported one
        worked = worked[worked["appointment_at"].isna()]
    peers = rules.peers.model_copy(update={"min_interviews": config.min_cases})
    found = []
    for period, part in worked.groupby(worked["period"].astype(str), sort=True):
        interviewer, labels = pd.factorize(part["interviewer_id"].astype(str), sort=True)
        institution, places = pd.factorize(part["institution_id"].astype(str), sort=True)
        for category in config.outcomes:
            rule = DISPOSITION_RULES[category]
            count = (part["category"] == category).to_numpy(dtype=float)
            test = peer_test(
                count, np.ones(len(part)), interviewer, len(labels), institution, len(places), peers
            )
            if not test.flag.any():
                continue
            ctx = SimpleNamespace(interviewer_labels=np.asarray(labels, dtype=object),
                                  rules=rules.model_copy(update={"peers": peers}))  # fmt: skip
            found.append(peer_flags(rule, ctx, test, period=period))
    return pd.concat(found, ignore_index=True) if found else empty
