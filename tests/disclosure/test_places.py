"""The places rule: ranks among the published institutions only, computed by hand."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from surveykit.dashboard.privacy import _places_among_published

PROFILE = SimpleNamespace(ranking=SimpleNamespace(group_by=[]), uncertainty=SimpleNamespace(confidence=0.95))


def _table() -> pd.DataFrame:
    """A 92 (place 1), B withheld (place 2: its score is what the gap would bracket), C and D 88 sharing
    place 3, E 80 (place 5), F shown but not ranked (incomplete)."""
    return pd.DataFrame(
        {
            "institution_id": ["A", "B", "C", "D", "E", "F"],
            "period": "2025",
            "rank": pd.array([1, 2, 3, 3, 5, None], dtype="Int64"),
            "rank_of": pd.array([5, 5, 5, 5, 5, None], dtype="Int64"),
            "rank_note": ["tie on S broken by n_respondents", "", "shared place", "shared place", "", ""],
            "S": [92.0, np.nan, 88.0, 88.0, 80.0, 70.0],
            "S_se": [1.0, np.nan, 1.5, 1.5, 2.0, 3.0],
            "z_next": [9.99, 9.99, 0.0, 3.2, np.nan, np.nan],
            "distinct_from_next": pd.array([True, True, False, True, None, None], dtype="boolean"),
        }
    )


def test_places_skip_the_withheld_and_count_only_the_published():
    out = _places_among_published(_table(), np.array([False, True, False, False, False, False]), PROFILE)
    out = out.set_index("institution_id")
    assert out.loc["A", "rank"] == 1 and out.loc["C", "rank"] == 2 and out.loc["D", "rank"] == 2
    assert out.loc["E", "rank"] == 4  # competition ranking: two share place 2, the next is 4
    assert out["rank_of"].dropna().unique().tolist() == [4]
    assert out.loc[["B", "F"], "rank"].isna().all() and out.loc[["B", "F"], "rank_of"].isna().all()
    # A is now compared with C (B skipped): z = (92 - 88) / sqrt(1.0^2 + 1.5^2) = 2.2188 -> 2.22, distinct
    assert out.loc["A", "z_next"] == pytest.approx(2.22) and bool(out.loc["A", "distinct_from_next"])
    # C's and D's neighbours did not change: the rating's own comparison is kept
    assert out.loc["C", "z_next"] == 0.0 and not bool(out.loc["C", "distinct_from_next"])
    assert out.loc["D", "z_next"] == 3.2
    assert pd.isna(out.loc["B", "z_next"]) and pd.isna(out.loc["B", "distinct_from_next"])
    # A's tie was with the withheld B: saying so would bracket B's score exactly
    assert out.loc["A", "rank_note"] == "" and out.loc["C", "rank_note"] == "shared place"


def test_with_nothing_withheld_the_places_are_the_ratings():
    table = _table().drop(index=1).reset_index(drop=True)
    table["rank"] = pd.array([1, 2, 2, 4, None], dtype="Int64")
    out = _places_among_published(table, np.zeros(len(table), dtype=bool), PROFILE)
    assert list(out["rank"].astype(object)[:4]) == [1, 2, 2, 4] and list(out["z_next"][:2]) == [9.99, 0.0]
