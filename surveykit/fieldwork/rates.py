"""AAPOR outcome rates: response (RR1–RR6), cooperation (COOP1–COOP4), refusal (REF1–REF3) and contact
(CON1–CON3) rates from the counts of final dispositions, with ``e`` estimated by the CASRO method.

Source of every formula: AAPOR, *Standard Definitions: Final Dispositions of Case Codes and Outcome Rates
for Surveys*, 9th edition (2016), section "Calculating rates from response distributions" (response rates
p. 61–62, cooperation rates p. 62–63, refusal rates p. 63, contact rates p. 64), with the categories

    I  complete interview (1.1)          P  partial interview (1.2)
    R  refusal and break-off (2.1)       NC non-contact (2.2)          O  other (2.3)
    UH unknown if household (3.1)        UO unknown, other (3.2–3.9)   NE not eligible (4)

and ``e`` the estimated share of eligible cases among those of unknown eligibility. Without a value from
the user, ``e`` is estimated by the CASRO method (the "proportional allocation" of Standard Definitions,
also the default of AAPOR's Response Rate Calculator): the share of eligible cases among the cases whose
eligibility is known, ``e = (I + P + R + NC + O) / (I + P + R + NC + O + NE)``.

A rate whose denominator is 0 is **not defined**: :func:`outcome_rates` returns None for it (shown as "—",
written as an empty cell), never 0 and never an error. Pure: numbers in, numbers out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from surveykit.fieldwork.dispositions import CATEGORIES, counts_of

__all__ = [
    "COUNT_COLUMNS",
    "RATE_COLUMNS",
    "RATE_NAMES",
    "Counts",
    "casro_e",
    "outcome_rates",
    "rates_of_codes",
]

#: every rate, in the order of the Standard Definitions
RATE_NAMES = ("RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "COOP2", "COOP3", "COOP4", "REF1", "REF2",
              "REF3", "CON1", "CON2", "CON3")  # fmt: skip
#: the columns of a rates table, after ``group``: the counts, ``e``, then the rates (CLI --csv and --json)
COUNT_COLUMNS = (*CATEGORIES, "e")
RATE_COLUMNS = (*COUNT_COLUMNS, *RATE_NAMES)


@dataclass(frozen=True)
class Counts:
    """Numbers of cases by final category (weights allowed: any non-negative numbers)."""

    I: float = 0  # noqa: E741 - the Standard Definitions' own symbol
    P: float = 0
    R: float = 0
    NC: float = 0
    O: float = 0  # noqa: E741
    UH: float = 0
    UO: float = 0
    NE: float = 0

    @classmethod
    def of(cls, values: Mapping[str, float]) -> Counts:
        """From a mapping category -> count (missing categories are 0)."""
        return cls(**{c: values.get(c, 0) for c in CATEGORIES})

    @classmethod
    def from_codes(cls, final_codes: Iterable[Any]) -> Counts:
        """From the final disposition codes of cases (unknown codes are not counted)."""
        return cls.of(counts_of(final_codes))

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{c: getattr(self, c) + getattr(other, c) for c in CATEGORIES})

    @property
    def total(self) -> float:
        return sum(getattr(self, c) for c in CATEGORIES)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None ("not defined") when the denominator is 0."""
    return numerator / denominator if denominator > 0 else None


def casro_e(counts: Counts) -> float | None:
    """``e`` by the CASRO method: eligible cases among those of known eligibility (AAPOR Standard
    Definitions 2016, "Calculating rates", on estimating e; proportional allocation):
    ``e = (I + P + R + NC + O) / (I + P + R + NC + O + NE)``. None when no case's eligibility is known."""
    c = counts
    eligible = c.I + c.P + c.R + c.NC + c.O
    return _ratio(eligible, eligible + c.NE)


def outcome_rates(counts: Counts, e: float | None = None) -> dict[str, float | None]:
    """``e`` and every AAPOR rate of ``counts``; ``e`` None: estimated by :func:`casro_e`.

    A rate is None when its denominator is 0 (not defined). Rates using ``e`` (RR3, RR4, REF2, CON2) are
    None when ``e`` is not defined either, unless there is no case of unknown eligibility (then ``e`` does
    not enter the formula: ``e * 0 = 0``).
    """
    if e is not None and not 0 <= e <= 1:
        raise ValueError(f"e must be between 0 and 1, not {e}")
    c = counts
    e_used = casro_e(c) if e is None else float(e)
    unknown = c.UH + c.UO
    interviews = c.I + c.P  # (I + P)
    eligible_no_interview = c.R + c.NC + c.O  # (R + NC + O)
    # e(UH + UO): the estimated eligible among the unknown; undefined e matters only when there are unknowns
    e_unknown = (e_used * unknown) if e_used is not None else (0.0 if unknown == 0 else None)

    def with_e(numerator: float, known: float) -> float | None:
        return None if e_unknown is None else _ratio(numerator, known + e_unknown)

    base_all = interviews + eligible_no_interview + unknown  # (I+P) + (R+NC+O) + (UH+UO)
    base_known = interviews + eligible_no_interview  # (I+P) + (R+NC+O)
    contacted = interviews + c.R + c.O  # (I+P) + R + O
    return {
        "e": e_used,
        # Response rates, AAPOR Standard Definitions (2016) p. 61-62
        "RR1": _ratio(c.I, base_all),  # RR1 = I / ((I+P) + (R+NC+O) + (UH+UO))
        "RR2": _ratio(interviews, base_all),  # RR2 = (I+P) / ((I+P) + (R+NC+O) + (UH+UO))
        "RR3": with_e(c.I, base_known),  # RR3 = I / ((I+P) + (R+NC+O) + e(UH+UO))
        "RR4": with_e(interviews, base_known),  # RR4 = (I+P) / ((I+P) + (R+NC+O) + e(UH+UO))
        "RR5": _ratio(c.I, base_known),  # RR5 = I / ((I+P) + (R+NC+O))
        "RR6": _ratio(interviews, base_known),  # RR6 = (I+P) / ((I+P) + (R+NC+O))
        # Cooperation rates, p. 62-63
        "COOP1": _ratio(c.I, contacted),  # COOP1 = I / ((I+P) + R + O)
        "COOP2": _ratio(interviews, contacted),  # COOP2 = (I+P) / ((I+P) + R + O)
        "COOP3": _ratio(c.I, interviews + c.R),  # COOP3 = I / ((I+P) + R)
        "COOP4": _ratio(interviews, interviews + c.R),  # COOP4 = (I+P) / ((I+P) + R)
        # Refusal rates, p. 63
        "REF1": _ratio(c.R, base_all),  # REF1 = R / ((I+P) + (R+NC+O) + (UH+UO))
        "REF2": with_e(c.R, base_known),  # REF2 = R / ((I+P) + (R+NC+O) + e(UH+UO))
        "REF3": _ratio(c.R, base_known),  # REF3 = R / ((I+P) + (R+NC+O))
        # Contact rates, p. 64
        "CON1": _ratio(contacted, base_all),  # CON1 = ((I+P) + R + O) / ((I+P) + R + O + NC + (UH+UO))
        "CON2": with_e(contacted, base_known),  # CON2 = ((I+P) + R + O) / ((I+P) + R + O + NC + e(UH+UO))
        "CON3": _ratio(contacted, base_known),  # CON3 = ((I+P) + R + O) / ((I+P) + R + O + NC)
    }


def rates_of_codes(final_codes: Iterable[Any], e: float | None = None) -> dict[str, float | None]:
    """The counts and rates of a set of cases given by their final codes: one row of a rates table."""
    counts = Counts.from_codes(final_codes)
    return {**counts.as_dict(), **outcome_rates(counts, e)}
