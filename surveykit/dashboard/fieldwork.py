"""Response rates for councils and reports: the AAPOR rates of each institution's fieldwork, suppressed like
every other council figure.

Councils see rates, never who did the interviews and never the numbers of cases behind a rate (the counts of
one institution could be recovered from the region's counts by difference). What may be shown is decided by
the council's one home of disclosure control (:meth:`surveykit.disclosure.Disclosure.table`, an institution's
cases with a final outcome as the base): a rate is withheld when fewer than ``k`` cases stand behind it, and the
region's rates are computed over the institutions shown only, so that no difference of two published figures
isolates a withheld institution.

The data functions here are separate from the widgets (``surveykit.ui.dashboard_app`` shows them, the
reports state them), so the council's disclosure control can be changed in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from surveykit.dashboard.privacy import Disclosure
from surveykit.fieldwork.rates import rates_of_codes

__all__ = ["COUNCIL_RATES", "council_rates", "rate_text", "region_rates"]

#: the rates a council sees (AAPOR Standard Definitions 2016): response RR1 and RR3, cooperation COOP1,
#: refusal REF1, contact CON1
COUNCIL_RATES = ("RR1", "RR3", "COOP1", "REF1", "CON1")


def rate_text(value: Any, language: str = "en") -> str:
    """A rate as a percentage (``76.2 %``; ``76,2 %`` in Russian), or "—" when it is not defined (its
    denominator is 0) or withheld."""
    from surveykit.dashboard.labels import fmt

    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "—"
    return f"{fmt(float(value) * 100, language, 1)} %"


def _cases(source: Any, period: str | None) -> pd.DataFrame:
    reader = getattr(source, "contact_cases", None)
    cases = reader() if reader is not None else pd.DataFrame(columns=["institution_id", "period", "final"])
    if period is not None and len(cases):
        cases = cases[cases["period"].astype(str) == str(period)]
    return cases[cases["final"].notna()] if len(cases) else cases


def _case_table(source: Any, period: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cases with a final outcome, and one row per institution with the number of them (the base)."""
    cases = _cases(source, period)
    ids = cases["institution_id"].astype(str) if len(cases) else pd.Series([], dtype=str)
    counts = ids.value_counts(sort=False).sort_index() if len(cases) else pd.Series([], dtype="int64")
    rows = pd.DataFrame({"institution_id": counts.index.astype(str), "cases": counts.to_numpy()})
    return cases.assign(institution_id=ids) if len(cases) else cases, rows


def _selected(rows: pd.DataFrame, institutions: Sequence[str] | None) -> Any:
    if institutions is None:
        return None
    return rows["institution_id"].isin([str(i) for i in institutions]).to_numpy()


def council_rates(
    source: Any, period: str | None, disclosure: Disclosure, institutions: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per institution with cases in ``period``: ``institution_id``, the :data:`COUNCIL_RATES`
    (None where not defined or withheld) and ``withheld``. ``institutions``: only these (the dashboard's
    filters). The number of cases decides what is shown and is then dropped."""
    cases, rows = _case_table(source, period)
    columns = ["institution_id", *COUNCIL_RATES, "withheld"]
    if not len(rows):
        return pd.DataFrame(columns=columns)
    table = disclosure.table(rows, unit="institution_id", count="cases", where=_selected(rows, institutions))
    out = []
    for ident, withheld in zip(table["institution_id"], table["withheld"], strict=True):
        rates = {} if withheld else rates_of_codes(cases.loc[cases["institution_id"] == ident, "final"])
        out.append({"institution_id": ident, **{r: rates.get(r) for r in COUNCIL_RATES}, "withheld": bool(withheld)})
    return pd.DataFrame(out, columns=columns)


def region_rates(
    source: Any, period: str | None, disclosure: Disclosure, institutions: Sequence[str] | None = None
) -> dict[str, float | None] | None:
    """The rates over every institution that may be shown (None: none), with ``n`` the number of
    institutions behind them: the blocks :meth:`Disclosure.table` adds up for the whole selection."""
    cases, rows = _case_table(source, period)
    if not len(rows):
        return None
    table = disclosure.table(
        rows, unit="institution_id", count="cases", by=[], where=_selected(rows, institutions)
    )
    covered = rows.loc[table.attrs["rows"], "institution_id"].tolist() if len(table) else []
    covered = [i for i in covered if (rows.loc[rows["institution_id"] == i, "cases"] > 0).any()]
    if not covered:
        return None
    rates = rates_of_codes(cases.loc[cases["institution_id"].isin(covered), "final"])
    return {**{r: rates[r] for r in COUNCIL_RATES}, "n": len(covered)}
