"""``Disclosure.table``: the one call every council table makes, tested on hand-computed examples and on random
tables attacked by linear algebra."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from surveykit.disclosure import Disclosure
from surveykit.errors import ErrorCode, SurveykitError

D = Disclosure(5)


@pytest.fixture
def rows() -> pd.DataFrame:
    """A: 20 face to face + 6 by telephone (both large: A may be split by mode); B: 20 + 1 (B counts only
    whole); C: 3 (too small for anything); D: planned, nobody interviewed yet."""
    return pd.DataFrame(
        {
            "institution_id": ["A", "A", "B", "B", "C", "D"],
            "region": ["R1", "R1", "R1", "R1", "R2", "R2"],
            "mode": ["f2f", "tel", "f2f", "tel", "f2f", "f2f"],
            "n": [20, 6, 20, 1, 3, 0],
            "yes": [15, 2, 10, 1, 3, 0],
            "target": [30, 10, 30, 5, 10, 10],
        }
    )


def test_one_row_per_unit_withholds_the_small_one(rows):
    out = D.table(rows, unit="institution_id", count="n", sums=["yes"]).set_index("institution_id")
    assert out.loc["A", "n"] == 26 and out.loc["A", "yes"] == 17 and not out.loc["A", "withheld"]
    assert out.loc["B", "n"] == 21 and out.loc["B", "yes"] == 11
    assert out.loc["C", "withheld"] and np.isnan(out.loc["C", "n"]) and np.isnan(out.loc["C", "yes"])
    assert out.loc["D", "n"] == 0 and not out.loc["D", "withheld"]  # nobody: nothing to hide


def test_a_total_leaves_small_units_out_and_says_how_many(rows):
    out = D.table(rows, unit="institution_id", count="n", by=["region"], sums=["yes"]).set_index("region")
    assert out.loc["R1", "n"] == 47 and out.loc["R1", "n_units"] == 2 and out.loc["R1", "n_excluded"] == 0
    # R2: C (3) is left out, D has nobody: nothing publishable, and the row says so instead of "0"
    assert out.loc["R2", "withheld"] and np.isnan(out.loc["R2", "n"]) and out.loc["R2", "n_excluded"] == 1
    everything = D.table(rows, unit="institution_id", count="n", by=[], sums=["yes"])
    assert len(everything) == 1 and everything.loc[0, "n"] == 47 and everything.loc[0, "n_excluded"] == 1
    # all minus R1 = 0: the small institution is not behind any figure
    assert everything.loc[0, "n"] - out.loc["R1", "n"] == 0


def test_a_part_of_a_unit_counts_only_when_every_part_is_large(rows):
    out = D.table(rows, unit="institution_id", count="n", by=["mode"], sums=["yes"]).set_index("mode")
    # f2f: A's 20 (A splits: 20 and 6); B's 20 would give B's single telephone interview by subtraction
    assert out.loc["f2f", "n"] == 20 and out.loc["f2f", "n_excluded"] == 2  # B and C
    assert out.loc["tel", "n"] == 6 and out.loc["tel", "yes"] == 2 and out.loc["tel", "n_excluded"] == 1
    one = D.table(rows, unit="institution_id", count="n", by=[], sums=["yes"], where=rows["mode"] == "tel")
    assert one.loc[0, "n"] == 6 and one.attrs["rows"] == [1]
    b_alone = rows["institution_id"] == "B"
    whole_b = D.table(rows, unit="institution_id", count="n", by=[], where=b_alone)
    part_b = D.table(rows, unit="institution_id", count="n", by=[], where=b_alone & (rows["mode"] == "f2f"))
    assert whole_b.loc[0, "n"] == 21 and part_b.loc[0, "withheld"]


def test_rates_and_plan_numbers(rows):
    out = D.table(
        rows,
        unit="institution_id",
        count="n",
        sums=["target", "n"],
        keep=["target"],
        rates={"share": ("n", "target")},
        scale=100.0,
    ).set_index("institution_id")
    assert out.loc["A", "share"] == pytest.approx(65.0) and out.loc["A", "target"] == 40
    assert out.loc["C", "withheld"] and out.loc["C", "target"] == 10 and np.isnan(out.loc["C", "share"])
    assert out.loc["D", "share"] == 0.0


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"unit": "institution", "count": "n"}, "did you mean 'institution_id'"),
        ({"unit": "institution_id", "count": "n", "rates": {"r": ("yes", "n")}}, "rate 'r'"),
        ({"unit": "institution_id", "count": "n", "keep": ["target"]}, "keep="),
        ({"unit": "institution_id", "count": "n", "where": [True]}, "'where' has 1 values for 6 rows"),
        ({"unit": [], "count": "n"}, "no unit column"),
    ],
)
def test_a_wrong_call_says_what_and_how(rows, kwargs, needle):
    with pytest.raises(SurveykitError) as err:
        D.table(rows, **kwargs)
    assert err.value.code is ErrorCode.DISCLOSURE_TABLE_INVALID and needle in str(err.value)
    with pytest.raises(SurveykitError):
        D.table([1, 2], unit="a", count="n")


# --- random tables, every selection, attacked ------------------------------------------------------------------
def _random_table(rng: np.random.Generator) -> pd.DataFrame:
    records = []
    for u in range(int(rng.integers(2, 7))):
        group = f"g{rng.integers(0, 3)}"
        for part in rng.choice(["p", "q", "r"], size=int(rng.integers(1, 4)), replace=False):
            records.append({"unit": f"u{u}", "group": group, "part": str(part), "n": int(rng.integers(0, 9))})
    return pd.DataFrame(records)


def test_no_selection_of_a_random_table_isolates_a_small_group():
    """Every selection by group and part (and one unit alone), published through the table: no group of 1..k-1
    respondents (a unit, a part of a unit, a group of units) is a linear combination of the published
    figures' rows, so no subtraction recovers it."""
    rng = np.random.default_rng(20261207)
    checked = 0
    for _ in range(60):
        table = _random_table(rng)
        figures = []
        groups = [None, *sorted(table["group"].unique())]
        parts = [None, *sorted(table["part"].unique())]
        units = sorted(table["unit"].unique())
        selections = [(g, p, None) for g, p in itertools.product(groups, parts)]
        selections += [(None, p, u) for p, u in itertools.product(parts, units)]
        for group, part, unit in selections:
            where = np.ones(len(table), dtype=bool)
            for column, value in (("group", group), ("part", part), ("unit", unit)):
                if value is not None:
                    where &= (table[column] == value).to_numpy()
            out = D.table(table, unit="unit", count="n", by=[], where=where)
            used = out.attrs["rows"]
            assert out.loc[0, "n"] == table.loc[used, "n"].sum() or out.loc[0, "withheld"]
            if not out.loc[0, "withheld"]:
                figures.append(np.isin(np.arange(len(table)), used).astype(float))
        if not figures:
            continue
        matrix = np.array(figures)
        n = table["n"].to_numpy()
        candidates = [np.arange(len(table)) == i for i in range(len(table))]
        candidates += [(table["unit"] == u).to_numpy() for u in table["unit"].unique()]
        candidates += [(table["group"] == g).to_numpy() for g in table["group"].unique()]
        for target in candidates:
            if not 0 < n[target].sum() < D.k:
                continue
            live = n > 0  # empty cells are known to add nothing: the attacker may ignore them
            vector = target[live].astype(float)
            coef, *_ = np.linalg.lstsq(matrix[:, live].T, vector, rcond=None)
            recovered = np.abs(matrix[:, live].T @ coef - vector).max() < 1e-6
            assert not recovered, (table, target)
            checked += 1
    assert checked > 40  # the random tables do contain small groups to attack
