"""An interviewer's rate against the peers' rate: the comparison behind every per-interviewer rate signal.

Methodology D.2 flags an interviewer whose rate (all-"yes" interviews, filter answers that skip the
follow-ups, "don't know" ...) is more than 2 standard errors above the pooled rate of the others. Two
refinements make that comparison fair, and both are documented in docs/quality.md:

1. **Peers at the same institutions** (indirect standardisation). Interviewers are assigned to institutions,
   and institutions differ (a residential home has more respondents with a disability group, a good centre
   more all-"yes" interviews). The expected count of interviewer *i* is therefore
   ``E_i = sum_j T_ij * p_j(-i)``: for each institution *j* the interviewer worked at, their number of
   answers ``T_ij`` times the rate of the *other* interviewers at that institution; where those others gave
   fewer than ``min_peer_answers`` answers, the rate of all other interviewers is used instead.
2. **Two-proportion z test**: the variance of ``C_i - E_i`` if the interviewer's rate were the peers'
   is the binomial variance of their own count plus the sampling variance of the peers' rate, both at the
   pooled rate ``q_j`` of interviewer and peers (as in the textbook two-proportion test; the peers' rate
   alone would understate the variance exactly when it is low by chance):
   ``V_i = phi * sum_j q_j (1 - q_j) (T_ij + T_ij**2 / P_j)`` with ``P_j`` the peers' number of answers,
   and ``phi >= 1`` a quasi-binomial dispersion estimated from all interviews when one interview gives
   several answers (answers of one respondent are correlated). ``z_i = (C_i - E_i) / sqrt(V_i)``,
   one-sided ``p = 1 - Phi(z_i)``.

An interviewer is flagged when ``rate > expected + z * SE`` (that is ``z_i > z``, the D.2 rule) and
``p < alpha``, and they did at least ``min_interviews`` interviews. Peer rates of exactly 0 or 1 are moved
half an answer inside, so one event against a spotless peer group does not give an infinite z.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from surveykit.quality.context import Context, flags_frame
from surveykit.quality.rules import Peers

__all__ = ["PeerTest", "peer_flags", "peer_test"]


@dataclass
class PeerTest:
    """Per interviewer (aligned with the interviewer index): counts, rates, the test and the flag."""

    count: np.ndarray
    total: np.ndarray
    units: np.ndarray  # interviews that contributed at least one answer
    rate: np.ndarray
    expected: np.ndarray  # the peers' rate, standardised to the interviewer's institutions
    se: np.ndarray
    z: np.ndarray
    p_value: np.ndarray
    flag: np.ndarray
    dispersion: float


def peer_test(
    count: np.ndarray,
    total: np.ndarray,
    interviewer: np.ndarray,
    n_interviewers: int,
    institution: np.ndarray,
    n_institutions: int,
    settings: Peers,
    *,
    overdispersion: bool = False,
) -> PeerTest:
    """Compare each interviewer's ``sum(count) / sum(total)`` with the peers' (see the module docstring).

    ``count`` and ``total`` are per interview (e.g. "don't know" answers and answered items); ``interviewer``
    and ``institution`` are integer codes ``0..n-1`` per interview.
    """
    count = np.asarray(count, dtype=float)
    total = np.asarray(total, dtype=float)
    a, b = n_interviewers, max(n_institutions, 1)
    cell = interviewer.astype(np.int64) * b + institution.astype(np.int64)
    c_cell = np.bincount(cell, weights=count, minlength=a * b)
    t_cell = np.bincount(cell, weights=total, minlength=a * b)
    used = np.flatnonzero(t_cell > 0)
    i_of, j_of = used // b, used % b
    c_ij, t_ij = c_cell[used], t_cell[used]
    c_i = np.bincount(i_of, weights=c_ij, minlength=a)
    t_i = np.bincount(i_of, weights=t_ij, minlength=a)
    c_j = np.bincount(j_of, weights=c_ij, minlength=b)
    t_j = np.bincount(j_of, weights=t_ij, minlength=b)
    c_all, t_all = c_i.sum(), t_i.sum()

    # the peers: other interviewers at the same institution, else all other interviewers
    peer_t = t_j[j_of] - t_ij
    peer_c = c_j[j_of] - c_ij
    pooled_t = (t_all - t_i)[i_of]
    pooled_c = (c_all - c_i)[i_of]
    local = settings.within_institution & (peer_t >= settings.min_peer_answers)
    ref_t = np.where(local, peer_t, pooled_t)
    ref_c = np.where(local, peer_c, pooled_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = ref_c / ref_t
        half = 0.5 / ref_t
        p = np.clip(p, half, 1 - half)
    p = np.where(ref_t > 0, p, np.nan)

    dispersion = 1.0
    if overdispersion:
        # quasi-binomial dispersion from every interview, against its institution's overall rate
        with np.errstate(divide="ignore", invalid="ignore"):
            p_inst = np.where(t_j > 0, c_j / t_j, np.nan)
        inst = institution.astype(np.int64)
        p_row = p_inst[inst]
        ok = (total > 0) & np.isfinite(p_row) & (p_row > 0) & (p_row < 1)
        expected_var = (total * p_row * (1 - p_row))[ok].sum()
        if expected_var > 0:
            dispersion = max(1.0, float(((count - total * p_row)[ok] ** 2).sum() / expected_var))

    e_i = np.bincount(i_of, weights=np.nan_to_num(t_ij * p), minlength=a)
    with np.errstate(divide="ignore", invalid="ignore"):
        # the variance under the null (the interviewer's rate equals the peers'): the pooled rate of both
        pooled = np.clip((c_ij + ref_c) / (t_ij + ref_t), 0.5 / (t_ij + ref_t), 1 - 0.5 / (t_ij + ref_t))
        p_var = pooled * (1 - pooled)
        v_own = np.bincount(i_of, weights=np.nan_to_num(t_ij * p_var), minlength=a)
        v_ref = np.bincount(i_of, weights=np.nan_to_num(t_ij**2 * p_var / ref_t), minlength=a)
        variance = dispersion * (v_own + v_ref)
        se = np.sqrt(variance) / t_i
        z = (c_i - e_i) / np.sqrt(variance)
        rate = c_i / t_i
        expected = e_i / t_i
    z = np.where(np.isfinite(z), z, np.where(c_i > e_i, np.inf, 0.0))
    z = np.where(t_i > 0, z, np.nan)
    p_value = norm.sf(z)
    units = np.bincount(interviewer.astype(np.int64), weights=(total > 0).astype(float), minlength=a)
    flag = (
        (units >= settings.min_interviews)
        & (np.nan_to_num(z, nan=-np.inf) > settings.z)
        & (np.nan_to_num(p_value, nan=1.0) < settings.alpha)
    )
    return PeerTest(
        count=c_i,
        total=t_i,
        units=units,
        rate=rate,
        expected=expected,
        se=se,
        z=z,
        p_value=p_value,
        flag=flag,
        dispersion=dispersion,
    )


def peer_flags(rule: str, ctx: Context, test: PeerTest, **params: Any) -> pd.DataFrame:
    """The interviewer-level flags of a peer comparison, with the numbers in words: the message
    ``quality.detail.<rule>_interviewer`` with ``count, total, rate, expected, z, p`` and ``params``."""
    who = np.flatnonzero(test.flag)
    z = ctx.rules.peers.z
    rows = [
        {
            "count": int(round(test.count[i])),
            "total": int(round(test.total[i])),
            "rate": test.rate[i],
            "expected": test.expected[i],
            "z": test.z[i],
            "p": test.p_value[i],
            **params,
        }
        for i in who
    ]
    return flags_frame(
        rule,
        "interviewer",
        interviewer_id=ctx.interviewer_labels[who],
        value=test.rate[who],
        threshold=test.expected[who] + z * test.se[who],
        message=f"quality.detail.{rule}_interviewer",
        params=rows,
    )
