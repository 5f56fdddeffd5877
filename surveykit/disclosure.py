"""Statistical disclosure control: the one home of what may be published about respondents.

Council members, the public dashboard, the council workbook and the published reports must never show a
figure from which a group of fewer than ``k`` respondents (``settings().min_cell_size``) can be seen *or
inferred*. This module holds the rule; :mod:`surveykit.dashboard.privacy` applies it to the rating, and
every council output (dashboard, workbook, reports, the fieldwork tab) calls :meth:`Disclosure.table`
for anything it adds up over respondents.

**Primary suppression.** A figure with 1..k-1 respondents behind it is withheld (shown as "n < k").
Zero respondents reveal nothing and are shown.

**Secondary suppression by publishable blocks.** Subtraction is the attack: "all institutions" minus "the
region" leaves the institution without a region; a total minus its shown parts leaves the withheld part; a
figure for one mode of interview minus the institution's total leaves the other mode. Instead of searching,
table by table, for extra cells to hide (what tau-ARGUS's hypercube and modular methods and sdcTable /
GaussSuppression do for a fixed set of tables), every figure is computed over whole *publishable blocks*,
so that every figure, and every difference of figures, is a sum of blocks of at least ``k`` respondents:

* a *unit* (an institution in a period, for one question or count) is publishable when it has 0 or at least
  ``k`` respondents; a unit of 1..k-1 never enters any figure, of any selection, of any total;
* a figure that takes only part of a unit (one interview mode of an institution, one interviewer's share of
  it) may use that part only when *every* non-empty part of the unit has at least ``k`` respondents (the
  unit is then "split": its parts are blocks); otherwise the unit counts only as a whole.

The blocks partition the respondents, each has at least ``k`` (or 0) respondents, and every published figure
is a sum over whole blocks; so any linear combination of published figures (totals, siblings, filters with
and without a value, periods) is a combination over whole blocks and can never isolate a group of fewer than
``k`` respondents. This is the criterion GaussSuppression states for its Gaussian elimination: no protected
cell may depend linearly on the published ones; here it holds by construction, for every filter combination
at once, and ``tests/disclosure`` checks it by attacking every published figure.

The price: a figure over a selection leaves out its small institutions (``n_excluded`` says how many, for the
footnote), so a selection's total can be lower than the sum a reader expects; that is the point.

The protected unit is a group of respondents defined by the published dimensions (institution, period, mode,
region, municipality, type). Within a published group of at least ``k``, the counts of its answers are
shown (a share of 5 out of 40), as statistical offices do for percentages with a minimum base; a group whose
members all gave the same answer reveals that answer for each of them (group attribute disclosure), which
the minimum base does not prevent (docs/dashboard.md, "Privacy").

Usage, one line for a table of counts or rates (e.g. response rates per institution, the fieldwork tab)::

    from surveykit.disclosure import Disclosure

    d = Disclosure.from_settings()
    table = d.table(rows, unit="institution_id", count="completes", sums=["eligible", "completes"],
                    rates={"response_rate": ("completes", "eligible")}, keep=["eligible"])
    by_region = d.table(rows, unit="institution_id", count="completes", by=["region"], sums=[...])

This module imports only numpy and pandas (no widgets, no plotting): apps and the command line may import it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from surveykit.errors import ErrorCode, Location, SurveykitError

__all__ = ["DERIVED", "SMALL", "Disclosure"]

#: why a figure is withheld: fewer than ``k`` respondents behind it (primary suppression) ...
SMALL = "small"
#: ... or it would let a reader work out a figure that is withheld for that reason (secondary, complementary)
DERIVED = "derived"


def _as_list(keys: str | Sequence[str] | None) -> list[str]:
    if keys is None:
        return []
    return [keys] if isinstance(keys, str) else list(keys)


@dataclass(frozen=True)
class Disclosure:
    """The suppression threshold ``k``: numbers with fewer than ``k`` respondents behind them are withheld."""

    k: int

    @classmethod
    def from_settings(cls, k: int | None = None) -> Disclosure:
        if k is None:
            from surveykit.config import settings

            k = settings().min_cell_size
        return cls(int(k))

    # --- single figures ----------------------------------------------------------------------------------------
    def withheld(self, n: Any) -> np.ndarray:
        """True where ``n`` is 1..k-1: too few respondents to show a number (0 respondents reveal nothing)."""
        values = pd.to_numeric(pd.Series(np.asarray(n, dtype=object).ravel()), errors="coerce").to_numpy(
            float
        )
        values = np.nan_to_num(values, nan=0.0)
        return (values > 0) & (values < self.k)

    def reasons(self, withheld: Any, small: Any) -> np.ndarray:
        """Why each figure is withheld: :data:`SMALL` where fewer than ``k`` respondents stand behind it
        (``small``: the primary rule held, for the figure or for its whole group), :data:`DERIVED` where it is
        withheld only because it would reveal such a figure (complementary suppression), ``""`` where shown."""
        hidden = np.asarray(withheld, dtype=bool)
        primary = np.broadcast_to(np.asarray(small, dtype=bool), hidden.shape)
        return np.where(hidden, np.where(primary, SMALL, DERIVED), "").astype(object)

    def label(self, language: str, reason: str = SMALL) -> str:
        """What is shown in place of a withheld number, saying why: ``n < 5`` (too few respondents), or that it
        is withheld so that such a figure cannot be worked out from it (:data:`DERIVED`)."""
        from surveykit.i18n import t

        key = "disclosure.withheld_derived" if reason == DERIVED else "dash.withheld"
        return t(key, language, k=self.k)

    def bar_label(self, language: str, reason: str = SMALL) -> str:
        """The same, where a bar of a chart would be: ``не показано (n < 5)``."""
        from surveykit.i18n import t

        if reason == DERIVED:
            return self.label(language, reason)
        return t("dash.withheld_bar", language, k=self.k)

    def note(self, language: str) -> str:
        """One sentence for footnotes: why some numbers are not shown."""
        from surveykit.i18n import t

        return t("dash.withheld_note", language, k=self.k)

    def excluded_note(self, n_excluded: int, language: str) -> str:
        """The footnote of a figure over a selection that left out ``n_excluded`` small units ("" if none)."""
        from surveykit.i18n import t

        if not n_excluded:
            return ""
        return t("disclosure.excluded", language, n=int(n_excluded), k=self.k)

    # --- tables ---------------------------------------------------------------------------------------------
    def table(
        self,
        rows: pd.DataFrame,
        *,
        unit: str | Sequence[str],
        count: str,
        by: str | Sequence[str] | None = None,
        sums: Sequence[str] = (),
        rates: Mapping[str, tuple[str, str]] | None = None,
        keep: Sequence[str] = (),
        where: Any = None,
        scale: float = 1.0,
    ) -> pd.DataFrame:
        """A table of counts (and rates) that can be published: suppressed, with complementary suppression.

        ``rows``: one row per *cell* — the finest piece any figure can select (an institution, an institution
        and interview mode, an assignment of one interviewer at one institution ...), holding additive columns.
        ``unit``: the column(s) naming the publication unit a cell belongs to (usually ``institution_id``,
        with ``period`` when the rows span periods); ``count``: the column of respondents behind the cell (the
        base that decides what may be shown). ``by``: the grouping of the output (default: one row per unit;
        ``[]``: one row for everything selected). ``sums``: additive columns (``count`` is always summed);
        ``rates``: ``name -> (numerator, denominator)`` computed after summing, times ``scale``; ``keep``:
        columns of ``sums`` that are not about respondents (a target, a sample size) and stay shown in a
        withheld row. ``where``: a boolean mask of the rows the figure selects (the filters); what is
        publishable is decided on *all* rows first, so a filter can never turn a small part into a block.

        Returns one row per group of ``by`` that the selection touches, with ``by``, ``sums``, ``rates``,
        ``n_units`` (units behind the figure), ``n_excluded`` (units with respondents left out because they,
        or a part the figure would need, are too small) and ``withheld`` (no publishable unit behind a group
        that has respondents: its numbers are missing). ``attrs["rows"]`` holds the index of the rows the
        figures add up (what each figure covers), for footnotes and for the adversarial tests.
        """
        units = _as_list(unit)
        groups = units if by is None else _as_list(by)
        columns = list(dict.fromkeys([count, *sums]))
        rates = dict(rates or {})
        self._check(rows, units, groups, columns, rates, keep)
        size = len(rows)
        n = _numbers(rows[count])
        selected = np.ones(size, dtype=bool) if where is None else np.array(where, dtype=bool).ravel()
        if len(selected) != size:
            raise self._error(
                f"'where' has {len(selected)} values for {size} rows", "Pass a mask of the rows."
            )
        # blocks: a unit is publishable with 0 or >= k respondents; "split" when every non-empty cell is too
        unit_code, n_units = _codes(rows, units)
        n_units = max(n_units, 1)
        nonzero = n > 0
        unit_n = np.bincount(unit_code, weights=n, minlength=n_units)
        unit_ok = (unit_n == 0) | (unit_n >= self.k)
        unit_small_cells = np.bincount(unit_code, weights=nonzero & (n < self.k), minlength=n_units)
        unit_split = unit_ok & (unit_small_cells == 0)
        unit_cells = np.bincount(unit_code, weights=nonzero, minlength=n_units)
        # what each group takes of each unit: the whole unit (all its non-empty cells) or a part
        group_code, n_groups = _codes(rows, groups) if groups else (np.zeros(size, dtype=np.int64), 1)
        n_groups = max(n_groups, 1)
        pair, pair_of = np.unique(group_code * n_units + unit_code, return_inverse=True)
        taken = np.bincount(pair_of, weights=nonzero & selected, minlength=len(pair))
        pair_unit = pair % n_units
        whole = taken == unit_cells[pair_unit]
        usable = np.where(whole, unit_ok[pair_unit], unit_split[pair_unit])
        included = selected & usable[pair_of]
        # the figures: sums over the included cells of each group touched by the selection
        touched = np.bincount(group_code, weights=selected, minlength=n_groups) > 0
        sums_in = {
            c: np.bincount(group_code, weights=np.where(included, _numbers(rows[c]), 0.0), minlength=n_groups)
            for c in columns
        }
        sums_all = {
            c: np.bincount(group_code, weights=np.where(selected, _numbers(rows[c]), 0.0), minlength=n_groups)
            for c in keep
        }
        in_units = _distinct_per_group(group_code, unit_code, included & nonzero, n_groups)
        out_units = _distinct_per_group(group_code, unit_code, selected & ~included & nonzero, n_groups)
        order = np.flatnonzero(touched) if groups else np.zeros(1, dtype=np.int64)
        result: dict[str, Any] = {}
        if groups:
            first = np.full(n_groups, -1)
            first[group_code[::-1]] = np.arange(size)[::-1]
            keys = rows.iloc[first[order]][groups].reset_index(drop=True)
            keys = keys.sort_values(groups, kind="stable", na_position="last")
            order = order[keys.index.to_numpy()]
            result.update({g: keys[g].to_numpy() for g in groups})
        behind = sums_in[count][order]
        excluded = out_units[order]
        hidden = ((behind == 0) & (excluded > 0)) | self.withheld(behind)
        for c in columns:
            values = sums_in[c][order]
            result[c] = (
                np.where(hidden, sums_all[c][order], values)
                if c in keep
                else np.where(hidden, np.nan, values)
            )
        for name, (num, den) in rates.items():
            numerator, denominator = result[num], result[den]
            with np.errstate(invalid="ignore", divide="ignore"):
                value = np.where(
                    denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan
                )
            result[name] = np.where(hidden, np.nan, value * scale)
        result["n_units"] = in_units[order].astype(int)
        result["n_excluded"] = excluded.astype(int)
        result["withheld"] = hidden
        out = pd.DataFrame(result)
        out.attrs["rows"] = rows.index[included].tolist()
        return out

    # --- checks -----------------------------------------------------------------------------------------------
    @staticmethod
    def _error(detail: str, fix: str) -> SurveykitError:
        return SurveykitError(
            ErrorCode.DISCLOSURE_TABLE_INVALID, Location(field="disclosure"), detail=detail, fix=fix
        )

    def _check(
        self,
        rows: Any,
        units: list[str],
        groups: list[str],
        columns: list[str],
        rates: Mapping[str, tuple[str, str]],
        keep: Sequence[str],
    ) -> None:
        if not isinstance(rows, pd.DataFrame):
            raise self._error(
                f"expected a table (pandas DataFrame), got {type(rows).__name__}", "Pass a DataFrame."
            )
        if not units:
            raise self._error(
                "no unit column given", "Name the column of the publication unit, e.g. unit='institution_id'."
            )
        missing = [c for c in dict.fromkeys([*units, *groups, *columns]) if c not in rows.columns]
        if missing:
            from surveykit.errors import did_you_mean

            hint = "".join(did_you_mean(m, [str(c) for c in rows.columns]) for m in missing[:1])
            raise self._error(
                f"the table has no column {', '.join(repr(m) for m in missing)}{hint}",
                f"Columns present: {', '.join(map(str, rows.columns))}.",
            )
        for name, pair in rates.items():
            if len(pair) != 2 or any(c not in columns for c in pair):
                raise self._error(
                    f"rate '{name}' needs a numerator and a denominator among the summed columns, got {pair!r}",
                    "Add both columns to sums=.",
                )
        stray = [c for c in keep if c not in columns]
        if stray:
            raise self._error(
                f"keep= names columns that are not summed: {', '.join(stray)}", "Add them to sums=."
            )


def _numbers(values: Any) -> np.ndarray:
    return pd.to_numeric(pd.Series(values), errors="coerce").fillna(0.0).to_numpy(dtype=float)


def _codes(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, int]:
    """One integer per distinct combination of ``columns`` (missing values are a value of their own)."""
    if len(columns) == 1:
        codes, uniques = pd.factorize(frame[columns[0]].astype(object), use_na_sentinel=False)
        return codes.astype(np.int64), len(uniques)
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(frame[column].astype(object), use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
    codes, uniques = pd.factorize(combined)
    return codes.astype(np.int64), len(uniques)


def _distinct_per_group(groups: np.ndarray, units: np.ndarray, mask: np.ndarray, n_groups: int) -> np.ndarray:
    """How many distinct units each group has among the rows of ``mask``."""
    if not mask.any():
        return np.zeros(n_groups)
    pairs = np.unique(np.stack([groups[mask], units[mask]], axis=1), axis=0)
    return np.bincount(pairs[:, 0], minlength=n_groups).astype(float)
