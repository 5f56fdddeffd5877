"""An attacker of council outputs: collects published figures and tries to recover what was withheld.

Nothing here trusts the code under test. The truth (every group's real counts, every institution's real
score) is computed from the raw frames with plain pandas and the unsuppressed :func:`surveykit.scoring.rate`;
the attacker only reads what a council member can read, and then tries what a council member could try:

* **linear differencing of answer distributions** (:class:`LinearAttack`): every published distribution is a
  vector (count of each answer, and the base) that claims to cover a set of atomic cells (institution x mode
  in one period). Total minus siblings, "with minus without one filter value", any linear combination: the
  attack solves for the combination of published figures whose cells are exactly a small group's cells and
  compares what that combination implies with the group's true counts. The *naive* attacker assumes every
  figure covers every cell its filters select; the *informed* one uses the cells the figure declares it covers
  (``frame.attrs["cells"]``) and checks the declaration is true. A small group is recovered when the implied
  counts equal the truth; with declared cells, a small group must not even be in the span.
* **places** (:func:`place_leaks`): gaps in the published places bracket a withheld institution's score;
  ``rank_of`` counting institutions that are not shown says that some are hidden between;
* **changes between periods** (:func:`change_leaks`): a shown score minus its shown change is the score of the
  previous period;
* **parents and children** (:func:`complement_leaks`): a criterion (or the total) shown while one of its
  indicators (criteria) is withheld gives the withheld one back through the published weights;
* **means and sums over institutions** (:func:`mean_leaks`): a regional mean (or a sum of respondents)
  times the number of institutions, minus the shown values, is the withheld value;
* **counts seen directly** (:func:`small_counts_seen`): a count of 1..k-1 respondents shown as a number.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "Leak",
    "LinearAttack",
    "change_leaks",
    "complement_leaks",
    "filter_combinations",
    "mean_leaks",
    "place_leaks",
    "small_counts_seen",
    "truth_cells",
]

Cell = tuple[str, str]  # (institution id, mode)


@dataclass(frozen=True)
class Leak:
    """One thing recovered: what, how, and the value found (equal to the truth)."""

    kind: str
    target: str
    how: str
    value: Any = None

    def __str__(self) -> str:
        return f"[{self.kind}] {self.target} <- {self.how}" + (
            f" = {self.value}" if self.value is not None else ""
        )


# --- the dashboard's filters ------------------------------------------------------------------------------------
def filter_combinations(options: Mapping[str, Sequence[tuple[str, Any]]]) -> list[dict[str, Any]]:
    """Every combination of the values the dashboard offers (``DashboardData.options()``), "all" included."""
    names = list(options)
    values = [[v for _, v in options[name]] for name in names]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


# --- the truth ---------------------------------------------------------------------------------------------------
def truth_cells(
    survey: pd.DataFrame, code: str, choices: Sequence[str], period: str, *, multiple: bool = False
) -> dict[Cell, np.ndarray]:
    """The true vector (count of each choice, then the base) of every (institution, mode) cell of a period."""
    part = survey[survey["period"].astype(str) == str(period)]
    out: dict[Cell, np.ndarray] = {}
    for (inst, mode), rows in part.groupby([part["institution_id"].astype(str), part["mode"].astype(str)]):
        answers = rows[code].dropna().astype(str)
        answers = answers[answers.str.strip() != ""]
        picked = answers.str.split().explode() if multiple else answers
        counts = [float((picked == c).sum()) for c in choices]
        out[(inst, mode)] = np.array([*counts, float(len(answers))])
    return out


# --- linear differencing -------------------------------------------------------------------------------------------
@dataclass
class LinearAttack:
    """Published vectors over atomic cells of one family (one question in one period)."""

    family: str
    truth: dict[Cell, np.ndarray]
    k: int
    rows: list[tuple[frozenset[Cell], np.ndarray, str]] = field(default_factory=list)

    def add(self, cells: Iterable[Cell], values: np.ndarray, label: str) -> None:
        cells = frozenset(c for c in cells if c in self.truth)
        if cells and np.all(np.isfinite(values)):
            self.rows.append((cells, np.asarray(values, dtype=float), label))

    def targets(self, groups: Iterable[frozenset[Cell]] = ()) -> dict[str, frozenset[Cell]]:
        """Every small group: single cells, single institutions, and the given filter-defined groups."""
        out: dict[str, frozenset[Cell]] = {}
        candidates: list[tuple[str, frozenset[Cell]]] = [(f"cell {c}", frozenset([c])) for c in self.truth]
        for inst in sorted({c[0] for c in self.truth}):
            candidates.append((f"institution {inst}", frozenset(c for c in self.truth if c[0] == inst)))
        candidates += [(f"group {sorted(g)}", g) for g in groups]
        for name, group in candidates:
            base = sum(self.truth[c][-1] for c in group if c in self.truth)
            if 0 < base < self.k and group not in out.values():
                out[name] = group
        return out

    def _matrix(self) -> tuple[list[Cell], np.ndarray, np.ndarray, list[str]]:
        cells = sorted(self.truth)
        index = {c: i for i, c in enumerate(cells)}
        seen: dict[tuple[frozenset[Cell], bytes], int] = {}
        rows, values, labels = [], [], []
        for member, vector, label in self.rows:
            key = (member, np.round(vector, 6).tobytes())
            if key in seen:
                continue
            seen[key] = len(rows)
            row = np.zeros(len(cells))
            row[[index[c] for c in member]] = 1.0
            rows.append(row)
            values.append(vector)
            labels.append(label)
        if not rows:
            return cells, np.zeros((0, len(cells))), np.zeros((0, 0)), []
        return cells, np.array(rows), np.array(values), labels

    def recover(self, groups: Iterable[frozenset[Cell]] = ()) -> list[Leak]:
        """Small groups whose true counts some linear combination of the published figures gives back."""
        cells, matrix, values, labels = self._matrix()
        leaks = []
        if not len(matrix):
            return leaks
        for name, group in self.targets(groups).items():
            target = np.array([1.0 if c in group else 0.0 for c in cells])
            coef, *_ = np.linalg.lstsq(matrix.T, target, rcond=None)
            if np.abs(matrix.T @ coef - target).max() > 1e-6:
                continue  # not a combination of published figures
            implied = coef @ values
            truth = sum(self.truth[c] for c in group)
            if np.allclose(implied, truth, atol=1e-6):
                used = [labels[i] for i in np.flatnonzero(np.abs(coef) > 1e-9)][:4]
                leaks.append(
                    Leak(
                        "differencing",
                        f"{self.family}: {name}",
                        " ± ".join(used),
                        np.round(implied, 3).tolist(),
                    )
                )
        return leaks

    def in_span(self, groups: Iterable[frozenset[Cell]] = ()) -> list[str]:
        """Small groups that are linear combinations of the published figures' cells at all (with declared
        cells, none may be)."""
        cells, matrix, _values, _labels = self._matrix()
        found = []
        if not len(matrix):
            return found
        for name, group in self.targets(groups).items():
            target = np.array([1.0 if c in group else 0.0 for c in cells])
            coef, *_ = np.linalg.lstsq(matrix.T, target, rcond=None)
            if np.abs(matrix.T @ coef - target).max() <= 1e-6:
                found.append(f"{self.family}: {name}")
        return found


# --- the rating ----------------------------------------------------------------------------------------------------
def place_leaks(published: pd.DataFrame, truth: pd.DataFrame, where: str) -> list[Leak]:
    """``published``: institution_id, place, of, shown (score shown) for one period; ``truth``: institution_id,
    S (the unsuppressed score). Places must be the competition ranks among the shown institutions only."""
    leaks = []
    shown = published[published["shown"]]
    placed = shown[shown["place"].notna()]
    hidden = published[~published["shown"]]
    for row in hidden.itertuples():
        if row.place == row.place and row.place is not None and row.place is not pd.NA:
            leaks.append(
                Leak(
                    "place", f"{where}: {row.institution_id}", "a withheld institution has a place", row.place
                )
            )
    places = sorted(int(p) for p in placed["place"])
    for p in sorted(set(places)):
        better = sum(1 for q in places if q < p)
        if p != better + 1:  # a gap: somebody not shown sits between
            above = placed[placed["place"].astype(int) == max(q for q in places if q < p)] if better else None
            below = placed[placed["place"].astype(int) == p]
            true_s = truth.set_index("institution_id")["S"]
            bracketed = [
                i
                for i in hidden["institution_id"]
                if i in true_s.index
                and true_s[i] == true_s[i]
                and true_s[i]
                <= (true_s[above["institution_id"]].min() if above is not None else np.inf) + 1e-9
                and true_s[i] >= true_s[below["institution_id"]].max() - 1e-9
            ]
            leaks.append(
                Leak(
                    "place",
                    f"{where}: gap before place {p}",
                    "places skip the withheld",
                    ", ".join(bracketed) or "?",
                )
            )
    for value in set(int(x) for x in placed["of"].dropna()) if "of" in placed else set():
        if value != len(placed):
            leaks.append(Leak("place", f"{where}: 'of {value}'", f"{len(placed)} places shown", value))
    return leaks


def change_leaks(published: pd.DataFrame, truth: Mapping[tuple[str, str], float], where: str) -> list[Leak]:
    """``published``: institution_id, period, previous_period, S, change (shown values or NaN)."""
    leaks = []
    for row in published.itertuples():
        if not (row.S == row.S and row.change == row.change) or not isinstance(row.previous_period, str):
            continue
        key = (row.institution_id, row.previous_period)
        implied = float(row.S) - float(row.change)
        true = truth.get(key)
        if key in truth.get("__withheld__", set()) and true is not None and abs(implied - true) < 0.011:
            leaks.append(Leak("change", f"{where}: {key}", "score minus its change", round(implied, 2)))
    return leaks


def complement_leaks(measures: pd.DataFrame, parents: Mapping[str, Sequence[str]], where: str) -> list[Leak]:
    """``measures``: id, shown (bool) of one institution and period; ``parents``: parent id -> children ids.
    A parent shown with a child withheld gives the child back (the weights are published)."""
    shown = dict(zip(measures["id"].astype(str), measures["shown"].astype(bool), strict=True))
    leaks = []
    for parent, children in parents.items():
        if not shown.get(parent, False):
            continue
        hidden = [c for c in children if c in shown and not shown[c]]
        if hidden:
            leaks.append(
                Leak("complement", f"{where}: {', '.join(hidden)}", f"{parent} shown with its other parts")
            )
    return leaks


def mean_leaks(
    value: float,
    count_all: int,
    shown: Sequence[float],
    hidden_truth: Mapping[str, float],
    where: str,
    tol: float,
) -> list[Leak]:
    """A mean (or, with count_all = 1, a sum) over ``count_all`` institutions of which ``shown`` are
    published: with exactly one hidden, mean x n minus the shown values is the hidden one."""
    if value != value or len(hidden_truth) != 1:
        return []
    ((name, true),) = hidden_truth.items()
    implied = value * count_all - float(np.sum(shown))
    if true == true and abs(implied - true) <= tol:
        return [Leak("mean", f"{where}: {name}", "mean x n minus the shown values", round(implied, 2))]
    return []


def small_counts_seen(values: Iterable[tuple[str, Any]], k: int, kind: str) -> list[Leak]:
    """Counts of 1..k-1 shown as numbers."""
    leaks = []
    for label, value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if number == number and 0 < number < k and float(number).is_integer():
            leaks.append(Leak(kind, label, "shown directly", int(number)))
    return leaks


def numbers(text: str) -> list[float]:
    """Numbers written in a text (decimal comma or point, thin spaces between thousands)."""
    found = re.findall(r"(?<![\w.,])-?\d[\d\u202f]*(?:[.,]\d+)?", text)
    return [float(x.replace("\u202f", "").replace(",", ".")) for x in found]
