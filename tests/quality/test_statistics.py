"""The statistics behind the checks, on tables small enough to compute by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from surveykit.quality.duplicates import _bands, _chance_of_a_match, _Units, max_match
from surveykit.quality.effects import anova_icc
from surveykit.quality.peers import peer_test
from surveykit.quality.rules import Peers


def test_icc_and_design_effect_by_hand():
    """Three interviewers, three answers each (1 = yes):

        A: 1 1 1   mean 1        B: 1 0 0   mean 1/3        C: 0 0 0   mean 0        grand mean 4/9

    SSB = 3 [(5/9)^2 + (1/9)^2 + (4/9)^2] = 3 * 42/81 = 14/9, MSB = (14/9) / (3 - 1) = 7/9
    SSW = 0 + [(2/3)^2 + 2 (1/3)^2] + 0 = 2/3,                MSW = (2/3) / (9 - 3) = 1/9
    n0 = (9 - 27/9) / 2 = 3;  sigma_u^2 = (7/9 - 1/9) / 3 = 2/9;  rho = (2/9) / (2/9 + 1/9) = 2/3
    deff = 1 + rho (m - 1) with m = 9/3 = 3:  1 + (2/3) * 2 = 7/3
    """
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0], dtype=float)
    group = np.repeat([0, 1, 2], 3)
    icc, n_i, mean_i = anova_icc(y, group)
    assert icc.msb == pytest.approx(7 / 9) and icc.msw == pytest.approx(1 / 9)
    assert icc.n0 == pytest.approx(3) and icc.sigma_u2 == pytest.approx(2 / 9)
    assert icc.rho == pytest.approx(2 / 3) and icc.deff == pytest.approx(7 / 3)
    assert list(n_i) == [3, 3, 3] and mean_i == pytest.approx([1, 1 / 3, 0])


def test_icc_is_zero_when_interviewers_do_not_differ_and_unequal_workloads_use_n0():
    y = np.array([1, 0, 1, 0, 1, 0, 1, 0], dtype=float)
    icc, *_ = anova_icc(y, np.array([0, 0, 1, 1, 2, 2, 2, 2]))
    # every mean is 1/2: MSB = 0, sigma_u^2 truncated at 0, deff 1
    assert icc.msb == 0 and icc.rho == 0 and icc.deff == 1
    # n0 = (N - sum n_i^2 / N) / (a - 1) = (8 - 24/8) / 2 = 2.5, below the mean workload 8/3
    assert icc.n0 == pytest.approx(2.5) and icc.mean_workload == pytest.approx(8 / 3)


def test_percent_match_on_three_rows():
    """r1 = (yes, no, yes, dk), r2 = (yes, no, no, dk), r3 = (no, yes, no, yes):
    r1-r2 agree on 3 of 4 items, r1-r3 on none, r2-r3 on one (item 3) -> maxima 3, 3, 1."""
    yes, no, dk = 0, 1, 2
    codes = np.array([[yes, no, yes, dk], [yes, no, no, dk], [no, yes, no, yes]], dtype=np.int32)
    best, other = max_match(codes, np.zeros(3, dtype=np.int64))
    assert list(best) == [3, 3, 1] and list(other) == [1, 0, 1]
    # "not asked" (-1) is a value of its own: two skipped follow-ups agree
    codes[:, 3] = -1
    best, _ = max_match(codes, np.zeros(3, dtype=np.int64))
    assert list(best) == [3, 3, 2]
    # rows of different blocks are never compared; a block of one has no match
    best, other = max_match(codes, np.array([0, 1, 1]))
    assert list(best) == [-1, 2, 2] and list(other) == [-1, 2, 1]


def test_exact_duplicates_match_fully_and_name_each_other():
    codes = np.array([[0, 1, 0], [0, 1, 0], [1, 1, 1]], dtype=np.int32)
    best, other = max_match(codes, np.zeros(3, dtype=np.int64))
    assert list(best) == [3, 3, 1] and list(other[:2]) == [1, 0]


def test_max_match_agrees_with_brute_force():
    rng = np.random.default_rng(4)
    codes = rng.integers(-1, 3, (300, 9)).astype(np.int32)
    block = rng.integers(0, 3, 300)
    best, other = max_match(codes, block)
    for i in range(300):
        peers = np.flatnonzero((block == block[i]) & (np.arange(300) != i))
        assert best[i] == (codes[peers] == codes[i]).sum(axis=1).max()
        assert other[i] in peers and (codes[other[i]] == codes[i]).sum() == best[i]


def chance(dense, units, rows, mismatches, most):
    zeros = np.zeros(len(dense), dtype=np.int64)
    table = _Units(dense, dense.max(axis=0) + 1, units, zeros, most)
    return _chance_of_a_match(table, zeros, zeros, np.array([1]), 1, np.asarray(rows), np.asarray(mismatches))


def test_the_chance_of_a_close_match_by_hand():
    """Rows (0,0), (0,0), (0,1), (1,1). Row 1 against the three others, the two items independent: item 1
    agrees with 2 of 3, item 2 with 1 of 3, so an exact match is expected 3 * (2/3) * (1/3) = 2/3 times;
    at most one mismatch: 3 * (1 - (1/3) * (2/3)) = 7/3 times. The two items as one unit (a filter and its
    follow-up move together): only (0,0) itself agrees on both, 3 * (1/3) = 1."""
    dense = np.array([[0, 0], [0, 0], [0, 1], [1, 1]])
    singles = [np.array([0]), np.array([1])]
    assert chance(dense, singles, [0], [0], 1) == pytest.approx([2 / 3])
    assert chance(dense, singles, [0], [1], 1) == pytest.approx([7 / 3])
    assert chance(dense, [np.array([0, 1])], [0], [0], 1) == pytest.approx([1.0])
    # row 3, (0,1): item 1 agrees with 2 of 3 others, item 2 with 1 -> 3 * (2/3) * (1/3) = 2/3 again;
    # row 4, (1,1): nobody else has item 1 = 1 -> no exact match is possible
    assert chance(dense, singles, [2, 3], [0, 0], 0) == pytest.approx([2 / 3, 0])


def test_levels_of_agreement_are_pooled_into_bands_of_a_minimum_size():
    block = np.zeros(10, dtype=np.int64)
    level = np.array([0, 1, 1, 2, 3, 3, 3, 3, 4, 4])
    # from the lowest level up: {0, 1} holds 3 >= 3, {2, 3} holds 5, {4} holds 2 < 3 and joins {2, 3}
    assert list(_bands(block, level, 1, 5, 3)) == [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]


def test_peer_comparison_by_hand():
    """One institution, three interviewers with 10 interviews each: A 8 events, B 2, C 3.

    A against its peers B + C: expected rate 5/20 = 0.25, expected count 2.5. Under the null both share
    the pooled rate q = (8 + 5) / 30 = 13/30; V = q (1 - q) (10 + 10^2 / 20) = 0.24556 * 15 = 3.6833;
    z = (8 - 2.5) / sqrt(3.6833) = 2.866, one-sided p = 0.0021: flagged (z > 2). B against A + C:
    expected 11/20 = 0.55, z = (2 - 5.5) / sqrt(3.6833) = -1.82: not flagged.
    """
    interviewer = np.repeat([0, 1, 2], 10)
    count = np.zeros(30)
    count[:8] = 1
    count[10:12] = 1
    count[20:23] = 1
    test = peer_test(
        count, np.ones(30), interviewer, 3, np.zeros(30, dtype=np.int64), 1, Peers(min_peer_answers=1)
    )
    variance = (13 / 30) * (17 / 30) * 15
    assert test.expected[0] == pytest.approx(0.25)
    assert test.z[0] == pytest.approx(5.5 / math.sqrt(variance))
    assert test.p_value[0] == pytest.approx(norm.sf(5.5 / math.sqrt(variance)))
    assert test.z[1] == pytest.approx(-3.5 / math.sqrt(variance))
    assert list(test.flag) == [True, False, False]
    # the D.2 form of the same rule: rate above the peers' rate plus 2 SE
    assert test.rate[0] > test.expected[0] + 2 * test.se[0]


def test_peers_are_the_other_interviewers_of_the_same_institution():
    """A works only at a good institution where everybody says "yes" 90 % of the time; B and C at a poor
    one (40 %). Against everybody A looks like an outlier; against the peers at their institution, no."""
    rng = np.random.default_rng(2)
    interviewer = np.repeat([0, 3, 1, 2], 100)
    institution = np.repeat([0, 0, 1, 1], 100)
    count = np.concatenate([rng.random(100) < 0.9, rng.random(100) < 0.9, rng.random(200) < 0.4]).astype(
        float
    )
    total = np.ones(400)
    local = peer_test(count, total, interviewer, 4, institution, 2, Peers())
    pooled = peer_test(count, total, interviewer, 4, institution, 2, Peers(within_institution=False))
    assert pooled.flag[0] and not local.flag[0]


def test_too_few_interviews_are_never_flagged():
    interviewer = np.array([0, 1, 1, 1, 1, 1, 1])
    count = np.array([1, 0, 0, 0, 0, 0, 0], dtype=float)
    test = peer_test(
        count, np.ones(7), interviewer, 2, np.zeros(7, dtype=np.int64), 1, Peers(min_peer_answers=1)
    )
    assert test.z[0] > 2 and not test.flag[0]  # one interview: below min_interviews (5)
