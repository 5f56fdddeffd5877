"""Near-duplicate interviews: the maximum percent match (Kuriakose & Robbins), calibrated on the data.

**The statistic.** For every interview, the share of the comparable items (every choice or whole-number
question outside repeats except gates; "not asked" counts as a value, so a copied skip pattern matches)
on which it agrees with the most similar *other* interview of the same block: the same institution by
default (``block_by``), because a copied form is nearly always copied within one assignment, and because
comparing a million interviews with each other pairwise is out of reach while comparing within
institutions is cheap.

**Why a calibration.** Kuriakose & Robbins flag a maximum match of 85 % or more. On a short yes/no
instrument such as the НОК anketa (about 20 items, most answered "yes") honest interviews reach 100 %
all the time: every satisfied respondent looks like every other. So an interview is flagged only when its
maximum match is at least ``floor`` (0.85) **and** a match that close would turn up among the block's
interviews with a chance below ``1 - quantile`` (1 %) if the answers were independent *given the level of
agreement* (the number of substantive items answered as the block's most common answer; sparse levels are
pooled into bands of at least ``min_stratum`` interviews). Conditioning on the level keeps the legitimate
correlation between satisfaction items (a satisfied respondent says "yes" throughout), so honest all-"yes"
interviews are compared with honest all-"yes" interviews, not with coin flips; a filter and its follow-ups
count as one unit, so that impossible combinations do not make honest data look too alike. The chance is
computed exactly from agreement counts (:func:`_chance_of_a_match`), per interview: a copy of a common
pattern (all "yes") cannot be told from honest data and is not flagged, a copy of a rare pattern is. An
earlier version compared with seeded column permutations of the data; a per-cell quantile of permuted
data could not tell a rare copied pattern from the common exact matches around it, and cost a second pass.

**How it is computed.** Identical answer patterns within a block are merged first (an exact duplicate has
a 100 % match, no arithmetic needed), then the distinct patterns are embedded as simplex vectors (an item
with ``m`` values takes ``m - 1`` dimensions) and multiplied (``X @ X.T`` in float32 with BLAS, in row
chunks, on one BLAS thread): the product counts the agreeing items of every pair. A block with more than
``_MAX_COMPARE`` distinct patterns is compared with a seeded sample of that many (a lower bound of the
maximum).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from surveykit.quality._blas import single_threaded_blas
from surveykit.quality.context import Context, flags_frame
from surveykit.quality.items import group_key
from surveykit.quality.peers import peer_flags, peer_test

__all__ = ["max_match", "near_duplicate"]

_MAX_COMPARE = 20_000  # distinct patterns a block is compared with in full
_CHUNK_CELLS = 2**24  # entries of one block of the pairwise product (64 MB of float32)


def max_match(
    codes: np.ndarray,
    block: np.ndarray,
    *,
    partner: bool = True,
    rng: np.random.Generator | None = None,
    dense: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``codes`` (``n x k`` integer answer codes, ``-1`` = not answered), the largest number
    of items on which it agrees with another row of the same ``block``, and that row (``-1`` when the block
    has no other row). ``partner=False`` skips finding the row; ``dense`` is ``_dense(codes)`` if the
    caller has it already."""
    n, k = codes.shape
    best = np.full(n, -1, dtype=np.int64)
    other = np.full(n, -1, dtype=np.int64)
    if n == 0 or k == 0:
        return best, other
    shifted, levels = dense if dense is not None else _dense(codes)
    vectors, columns, constant = _simplex_embedding(levels)
    # one sort: rows ordered by block, then answer pattern
    radix = [int(block.max(initial=0)) + 1, *levels.tolist()]
    if float(np.prod([float(r) for r in radix])) < 2.0**62:
        key = block.astype(np.int64)
        for t in range(k):
            key = key * levels[t] + shifted[:, t]
    else:
        pattern, _ = group_key([shifted[:, t] for t in range(k)])
        key = block.astype(np.int64) * (int(pattern.max()) + 1) + pattern
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    new_group = np.concatenate([[True], sorted_key[1:] != sorted_key[:-1]])
    starts = np.flatnonzero(new_group)
    counts = np.diff(np.concatenate([starts, [n]]))
    uid = np.empty(n, dtype=np.int64)
    uid[order] = np.cumsum(new_group) - 1
    first_row = order[starts]
    second_row = np.where(counts >= 2, order[np.minimum(starts + 1, n - 1)], -1)
    u_block = block[first_row]
    u_codes = shifted[first_row]
    width = columns[-1].stop
    n_unique = len(starts)
    u_best = np.full(n_unique, -1, dtype=np.int64)
    u_other = np.full(n_unique, -1, dtype=np.int64)
    bounds = np.flatnonzero(np.diff(u_block)) + 1
    block_starts = np.concatenate([[0], bounds])
    block_ends = np.concatenate([bounds, [n_unique]])
    rng = rng or np.random.default_rng(0)
    batch_start = 0
    embedded = np.empty((0, width), dtype=np.float32)
    for s, e in zip(block_starts, block_ends, strict=True):
        size = e - s
        if size < 2:
            continue
        if e > batch_start + len(embedded):  # embed the patterns of the next blocks, ~64k at a time
            batch_start = s
            stop = max(e, min(n_unique, s + 65_536))
            embedded = np.empty((stop - s, width), dtype=np.float32)
            for t in range(k):
                embedded[:, columns[t]] = vectors[t][u_codes[s:stop, t]]
        vecs = embedded[s - batch_start : e - batch_start]
        if size > _MAX_COMPARE:
            compare = np.sort(rng.choice(size, _MAX_COMPARE, replace=False))
            target = np.ascontiguousarray(vecs[compare].T)
        else:
            compare = np.arange(size)
            target = np.ascontiguousarray(vecs.T)
        position = np.full(size, -1, dtype=np.int64)  # where a pattern sits in ``compare`` (self-match)
        position[compare] = np.arange(len(compare))
        step = max(1, _CHUNK_CELLS // len(compare))
        for r0 in range(0, size, step):
            r1 = min(size, r0 + step)
            agree = vecs[r0:r1] @ target  # agreeing items + constant
            rows = np.arange(r1 - r0)
            self_at = position[r0:r1]
            mine = self_at >= 0
            agree[rows[mine], self_at[mine]] = -np.inf
            if partner:
                arg = agree.argmax(axis=1)
                top = agree[rows, arg]
                u_other[s + r0 : s + r1] = s + compare[arg]
            else:
                top = agree.max(axis=1)
            u_best[s + r0 : s + r1] = np.rint(top - constant).astype(np.int64)
    # an exact duplicate in the block: a full match with the other row of the same pattern
    dup = counts >= 2
    u_best[dup] = k
    best = u_best[uid]
    if partner:
        own_first = first_row[uid]
        other = np.where(u_other[uid] >= 0, first_row[np.maximum(u_other[uid], 0)], -1)
        duplicate_partner = np.where(np.arange(n) == own_first, second_row[uid], own_first)
        other = np.where(dup[uid], duplicate_partner, other)
    return best, other


def _dense(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per item the values that occur numbered 0, 1, ... ("not answered", code -1, is a value of its own),
    and how many there are (at least 2)."""
    n, k = codes.shape
    dense = np.empty((n, k), dtype=np.int64, order="F")
    levels = np.empty(k, dtype=np.int64)
    for t in range(k):
        column = codes[:, t].astype(np.int64) + 1
        present = np.bincount(column) > 0
        dense[:, t] = (np.cumsum(present) - 1)[column]
        levels[t] = max(int(present.sum()), 2)
    return dense, levels


def _simplex_embedding(levels: np.ndarray) -> tuple[list[np.ndarray], list[slice], float]:
    """Vectors for the values of every item such that the inner product of two answer patterns is the
    number of agreeing items plus a constant: item ``t`` with ``m`` values uses the ``m`` corners of a
    regular simplex in ``m - 1`` dimensions (centred one-hot vectors in an orthonormal basis), whose inner
    products are ``1 - 1/m`` for equal and ``-1/m`` for different values. A quarter narrower than one-hot
    vectors (a yes/no item takes one dimension), so the pairwise product costs a quarter less. Returns the
    per-item tables (``m x (m - 1)``), the columns each item occupies, and the constant ``-sum(1/m)``."""
    vectors, columns = [], []
    column = 0
    constant = 0.0
    for m in levels.tolist():
        centred = np.eye(m) - 1.0 / m
        basis = np.linalg.svd(centred)[2][: m - 1]
        vectors.append((centred @ basis.T).astype(np.float32))
        columns.append(slice(column, column + m - 1))
        column += m - 1
        constant -= 1.0 / m
    return vectors, columns, constant


def _families(ctx: Context, items: list[str]) -> np.ndarray:
    """A number per comparable item; a filter and its follow-ups share one (merged when they overlap)."""
    family = {code: i for i, code in enumerate(items)}

    def root(code: str) -> str:
        while items[family[code]] != code:
            code = items[family[code]]
        return code

    for code, follow in ctx.items.filters.items():
        for f in follow:
            if code in family and f in family:
                family[root(f)] = family[root(code)]
    return np.array([family[root(code)] for code in items])


def _agreement_level(ctx: Context, block: np.ndarray, n_blocks: int) -> np.ndarray:
    """Per interview, the number of substantive items answered as the block's most common answer."""
    level = np.zeros(ctx.n, dtype=np.int64)
    for code in ctx.items.substantive or ctx.items.comparable:
        values = ctx.codes(code).astype(np.int64) + 1
        m = int(values.max(initial=0)) + 1
        table = np.bincount(block * m + values, minlength=n_blocks * m).reshape(n_blocks, m)
        level += values == table.argmax(axis=1)[block]
    return level


def _bands(block: np.ndarray, level: np.ndarray, n_blocks: int, levels: int, minimum: int) -> np.ndarray:
    """Levels of agreement pooled, within each block, into bands of at least ``minimum`` interviews: from
    the lowest level up, a band closes once it holds enough; a short last band joins the one before. In a
    level of three identical copies their own marginals would reproduce them: a band mixes them with
    interviews of neighbouring levels."""
    counts = np.bincount(block * levels + level, minlength=n_blocks * levels).reshape(n_blocks, levels)
    band_of = np.zeros((n_blocks, levels), dtype=np.int64)
    for b in np.flatnonzero(counts.sum(axis=1)):  # one small loop per block over at most ``levels`` values
        band, filled, last_full = 0, 0, -1
        for lv in range(levels):
            band_of[b, lv] = band
            filled += counts[b, lv]
            if filled >= minimum:
                last_full, band, filled = band, band + 1, 0
        if filled and last_full >= 0:  # a short top band joins the one below
            band_of[b, band_of[b] == band] = last_full
    return band_of[block, level]


class _Units:
    """The agreement counts behind the null of :func:`_chance_of_a_match`, per unit (an item, or a filter
    with its follow-ups) and per group (a band of a block): for every subset ``S`` of a unit's items of at
    most ``most`` items, how many interviews of the group agree with a given one on the unit's items
    outside ``S``."""

    def __init__(
        self, dense: np.ndarray, levels: np.ndarray, units: list[np.ndarray], group: np.ndarray, most: int
    ) -> None:
        self.most = most
        n_groups = int(group.max()) + 1
        self.size = np.bincount(group, minlength=n_groups).astype(float)
        self.units: list[tuple[int, dict]] = []
        for columns in units:
            radix = levels[columns]
            width = int(np.prod(radix))
            entries = {}
            for size in range(min(len(columns), most) + 1):
                for subset in itertools.combinations(range(len(columns)), size):
                    if len(columns) == 1 and size == 1:
                        continue  # a single item: "agree outside it" is the whole group
                    key = np.zeros(len(dense), dtype=np.int64)
                    for position, column in enumerate(columns):
                        key = key * radix[position] + (0 if position in subset else dense[:, column])
                    table = np.bincount(group * width + key, minlength=n_groups * width)
                    entries[subset] = (key, table.reshape(n_groups, width))
            self.units.append((len(columns), entries))

    def close(self, rows: np.ndarray, g: np.ndarray, own: bool, mismatches: np.ndarray) -> np.ndarray:
        """For interviews ``rows`` and groups ``g`` (one each): the share of the group's other interviews
        expected to mismatch on at most ``mismatches`` items if the units were independent."""
        others = self.size[g] - own
        with np.errstate(invalid="ignore", divide="ignore"):
            inverse = np.where(others > 0, 1.0 / others, 0.0)
        state = [np.ones(len(rows))] + [np.zeros(len(rows)) for _ in range(self.most)]
        for n_items, entries in self.units:
            if n_items == 1:  # agree (q0) or not (q1)
                key, table = entries[()]
                q0 = np.clip((table[g, key[rows]] - own) * inverse, 0.0, 1.0)
                q = [q0, 1.0 - q0]
            else:
                q = self._exact(entries, rows, g, own, inverse)
            state = [
                sum(state[a] * q[c - a] for a in range(c + 1) if c - a < len(q)) for c in range(self.most + 1)
            ]
        below = np.zeros(len(rows))
        for e in range(self.most + 1):
            below += np.where(mismatches >= e, state[e], 0.0)
        return below

    def _exact(self, entries: dict, rows: np.ndarray, g: np.ndarray, own: bool, inverse: np.ndarray) -> list:
        """Shares of the group's others mismatching on exactly 0, 1, ... ``most`` of a unit's items (Moebius
        inversion of the "agree outside S" counts)."""
        agree = {subset: table[g, key[rows]].astype(float) for subset, (key, table) in entries.items()}
        exact = [np.zeros(len(rows)) for _ in range(self.most + 1)]
        for subset in agree:
            total = np.zeros(len(rows))
            for size in range(len(subset) + 1):
                for inner in itertools.combinations(subset, size):
                    total += (-1) ** (len(subset) - size) * agree[inner]
            exact[len(subset)] += total
        exact[0] -= own  # an interview agrees with itself
        return [np.clip(e * inverse, 0.0, 1.0) for e in exact]


def _chance_of_a_match(
    units: _Units,
    band: np.ndarray,
    block: np.ndarray,
    n_bands: np.ndarray,
    levels_per_block: int,
    rows: np.ndarray,
    mismatches: np.ndarray,
    enough: float = np.inf,
) -> np.ndarray:
    """For each of ``rows``: the expected number of other interviews of its block that agree with it on
    all but at most ``mismatches`` items if, within each band, the units (items, or a filter with its
    follow-ups as one) were independent: ``sum over bands b of n_b * P_b(mismatches <= e)``.

    ``P_b`` is the distribution of the number of mismatching items between the row and a random
    interview of band ``b``, a Poisson-binomial over the units counted up to ``most`` by a small dynamic
    programme. Only bands within ``most`` of the row's own band can hold interviews that close. The own
    band is computed first: a row whose expectation already reaches ``enough`` is left there (it cannot
    be flagged), which spares the neighbouring bands for the many ordinary interviews."""
    most = units.most
    own_band = band[rows]
    g = block[rows] * levels_per_block + own_band
    expected = np.maximum(units.size[g] - 1, 0) * units.close(rows, g, True, mismatches)
    open_ = np.flatnonzero(expected < enough)
    for offset in [o for d in range(1, most + 1) for o in (-d, d)]:
        target = own_band[open_] + offset
        exists = (target >= 0) & (target < n_bands[block[rows[open_]]])
        if not exists.any():
            continue
        which = open_[exists]
        g = block[rows[which]] * levels_per_block + target[exists]
        expected[which] += units.size[g] * units.close(rows[which], g, False, mismatches[which])
    return expected


def near_duplicate(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    rule = ctx.rules.near_duplicate
    items = list(ctx.items.comparable)
    k = len(items)
    if k < rule.min_items:
        ctx.skipped["near_duplicate"] = (
            f"only {k} comparable items (at least {rule.min_items} are needed for a percent match)"
        )
        return []
    codes = np.empty((ctx.n, k), dtype=np.int32, order="F")  # item by item: columns contiguous
    for t, code in enumerate(items):
        codes[:, t] = ctx.codes(code)
    dense, levels = _dense(codes)
    block = ctx.institution if rule.block_by == "institution" else ctx.interviewer
    n_blocks = ctx.n_institutions if rule.block_by == "institution" else ctx.n_interviewers
    rng = np.random.default_rng(rule.seed)
    with single_threaded_blas():
        best, other = max_match(codes, block, partner=True, rng=rng, dense=(dense, levels))
    # the null: how many so close matches would the block hold by chance (see _chance_of_a_match)
    most = k - math.ceil(rule.floor * k - 1e-9)  # the most mismatching items a flag allows
    levels_per_block = len(ctx.items.substantive or items) + 1
    level = _agreement_level(ctx, block, n_blocks)
    band = _bands(block, level, n_blocks, levels_per_block, rule.min_stratum)
    n_bands = np.zeros(n_blocks, dtype=np.int64)
    np.maximum.at(n_bands, block, band + 1)
    group = block.astype(np.int64) * levels_per_block + band
    family = _families(ctx, items)
    compared = best >= 0
    candidates = np.flatnonzero(compared & (best >= k - most))
    chance = np.full(ctx.n, np.nan)
    if candidates.size:
        units = _Units(dense, levels, [np.flatnonzero(family == f) for f in np.unique(family)], group, most)
        enough = -math.log(rule.quantile)  # an expectation this high already gives a chance >= 1 - quantile
        chance[candidates] = _chance_of_a_match(
            units, band, block, n_bands, levels_per_block, candidates, k - best[candidates], enough
        )
    p_value = 1.0 - np.exp(-chance)  # P(at least one such match) with a Poisson number of chance matches
    share = np.where(compared, best / k, np.nan)
    flagged = compared & (share >= rule.floor) & (np.nan_to_num(p_value, nan=1.0) < 1 - rule.quantile)
    interviews["max_match"] = np.round(share, 3)
    interviews["max_match_with"] = np.where(other >= 0, ctx.interview_id[np.maximum(other, 0)], None)
    interviews["max_match_chance"] = p_value
    interviews["near_duplicate"] = flagged
    test = peer_test(
        flagged.astype(float),
        compared.astype(float),
        ctx.interviewer,
        ctx.n_interviewers,
        ctx.institution,
        ctx.n_institutions,
        ctx.rules.peers,
    )
    interviewers["near_duplicates"] = test.count.astype(int)
    interviewers["near_duplicate_rate"] = test.rate
    interviewers["flag_near_duplicate"] = test.flag
    out = []
    rows = np.flatnonzero(flagged)
    if rows.size:
        params = [
            {
                "other": ctx.interview_id[o],
                "same": b,
                "items": k,
                "share": b / k,
                "block": rule.block_by,
                "p": p,
            }
            for b, o, p in zip(best[rows], other[rows], p_value[rows], strict=True)
        ]
        out.append(
            flags_frame(
                "near_duplicate",
                "interview",
                interview_id=ctx.interview_id[rows],
                interviewer_id=ctx.interviewer_labels[ctx.interviewer[rows]],
                institution_id=ctx.institution_labels[ctx.institution[rows]],
                value=share[rows],
                threshold=rule.floor,
                message="quality.detail.near_duplicate",
                params=params,
            )
        )
    out.append(peer_flags("near_duplicate", ctx, test))
    return out
