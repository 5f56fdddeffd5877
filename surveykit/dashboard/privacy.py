"""The rating and open answers as council members may see them (the rule itself: :mod:`surveykit.disclosure`).

Every council-facing output — the dashboard's data and charts, the council workbook, the report tables and
texts — is built from what this module and :meth:`surveykit.disclosure.Disclosure.table` return, never from a
raw :class:`~surveykit.scoring.Rating` or raw answers. The threshold ``k`` is ``settings().min_cell_size``
(``SURVEYKIT_MIN_CELL_SIZE``, default 5).

The rules (docs/dashboard.md, "Privacy"):

1. **Primary suppression.** A number computed from respondents' answers is *withheld* when fewer than ``k``
   respondents stand behind it: a share or scale indicator (or one of its channels) whose denominator is
   1..k-1, and every respondent-based number of an institution and period with fewer than ``k`` respondents
   (its respondent count itself is shown as "n < k"). Checklist (audit) and administrative indicators
   count items or cases, not people, and are never withheld.
2. **Complementary suppression within an institution.** A number that would let a reader recompute a
   withheld one is withheld too: an indicator when one of its channels is withheld (it is their mean), a
   criterion when one of its indicators is, the total ``S`` when a criterion is (or when the institution has
   fewer than ``k`` respondents); with ``S`` go its interval, band and place; a change between periods is
   withheld when either value is.
3. **Places among the published only.** Places are ranks among the institutions whose total is shown
   (1..m, ties as the rating decided them, "of m"); a withheld institution has no place, leaves no gap, and
   the comparison with the next place skips it, so no pair of published neighbours brackets its score.
4. **Regional means** are taken over the values that are shown (with the profile's membership rule), so a
   mean can never be differenced against the shown values to recover a withheld one.
5. **Anything added up over institutions** (answer distributions, fieldwork counts) goes through
   :meth:`surveykit.disclosure.Disclosure.table`: only publishable blocks, so no difference of selections
   isolates fewer than ``k`` respondents.
6. **Open answers** are shown only when a sociologist approved them for publication, and then only the
   published (possibly redacted) text, and never for an institution and period with fewer than ``k``
   respondents; pending and rejected answers never leave the store.

Withheld numbers become missing values (NaN/NA) in the frames; a ``withheld`` flag says which, and
:meth:`Disclosure.label` gives the text shown in their place ("n < 5").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from surveykit.disclosure import Disclosure
from surveykit.errors import Report
from surveykit.i18n import t
from surveykit.questionnaire.model import Questionnaire
from surveykit.scoring import Rating, round_half_up
from surveykit.scoring.conclusion import TEMPLATES, conclusions

__all__ = [
    "Disclosure",
    "approved_open_answers",
    "publish_conclusions",
    "publish_rating",
    "reference_means",
    "regional_means",
]

KEYS = ["institution_id", "period"]
#: sentinel written into a status so that the conclusion writer prints a sentence we then replace
_SENTINEL = "⟦withheld⟧"


# --- the rating ------------------------------------------------------------------------------------------------------
def _parent(ids: pd.Series) -> pd.Series:
    """The indicator of a channel id (``1.3/site`` -> ``1.3``), split once per distinct id."""
    values = ids.astype(str)
    return values.map({u: u.split("/", 1)[0] for u in values.unique()})


def publish_rating(rating: Rating, disclosure: Disclosure | int | None = None) -> Rating:
    """The rating as council members may see it: every withheld number replaced by a missing value.

    Adds ``withheld`` (bool), ``withheld_reason`` (:data:`surveykit.disclosure.SMALL` or ``DERIVED``, "" when
    shown) and ``n`` (respondents behind the number; NaN for checklists) to ``indicators``; adds ``n_shown``
    (bool), ``S_shown`` (bool), ``S_withheld_reason`` and ``withheld`` (the ids withheld, as text) to ``table``.
    ``regional`` is recomputed over the shown values; ``warnings`` (for sociologists, with counts) is emptied.
    """
    d = disclosure if isinstance(disclosure, Disclosure) else Disclosure.from_settings(disclosure)
    profile = rating.profile
    table = rating.table.copy()
    tidy = rating.indicators.copy()
    n_resp = table.set_index(KEYS)["n_respondents"]
    small_group = pd.Series(d.withheld(n_resp.to_numpy()), index=n_resp.index)

    key = pd.MultiIndex.from_arrays([tidy["institution_id"].astype(str), tidy["period"].astype(str)])
    group_small = small_group.reindex(key).fillna(False).to_numpy(dtype=bool)
    level = tidy["level"].astype(str).to_numpy()
    ids = tidy["id"].astype(str)
    respondents = (tidy["unit"].astype(str).to_numpy() == "respondents") & np.isin(
        level, ["indicator", "channel"]
    )
    den = tidy["den"].to_numpy(dtype=float)
    withheld = respondents & (((den > 0) & (den < d.k)) | group_small)
    primary = withheld.copy()  # fewer than k respondents behind the figure (or its institution and period)

    # complementary: channel -> indicator -> criterion -> total, within each institution and period
    frame = pd.DataFrame({"i": tidy["institution_id"].astype(str), "p": tidy["period"].astype(str)})
    frame["w"] = withheld
    parent = np.where(level == "channel", _parent(ids).to_numpy(), ids.to_numpy())
    frame["parent"] = parent
    by_indicator = frame[level == "channel"].groupby(["i", "p", "parent"])["w"].any()
    hit = by_indicator[by_indicator].index
    lookup = pd.MultiIndex.from_arrays([frame["i"], frame["p"], frame["parent"]])
    withheld |= (level == "indicator") & lookup.isin(hit)
    frame["w"] = withheld
    criterion = tidy["criterion"].astype(str).to_numpy()
    frame["criterion"] = criterion
    by_criterion = frame[level == "indicator"].groupby(["i", "p", "criterion"])["w"].any()
    hit = by_criterion[by_criterion].index
    lookup = pd.MultiIndex.from_arrays([frame["i"], frame["p"], ids.to_numpy()])
    withheld |= (level == "criterion") & lookup.isin(hit)
    frame["w"] = withheld
    by_group = frame[level == "criterion"].groupby(["i", "p"])["w"].any() | small_group.rename_axis(
        ["i", "p"]
    )
    hit = by_group[by_group.fillna(False).astype(bool)].index
    lookup = pd.MultiIndex.from_arrays([frame["i"], frame["p"]])
    withheld |= (level == "total") & lookup.isin(hit)

    n_behind = np.where(respondents, den, np.nan)
    tidy["n"] = n_behind
    tidy["withheld"] = withheld
    # why (surveykit.disclosure): too few respondents, or withheld only so that such a figure cannot be derived
    tidy["withheld_reason"] = d.reasons(withheld, primary | group_small)
    for column in ("value", "num", "den", "se", "lo", "hi", "n"):
        values = tidy[column].to_numpy(dtype=float).copy()
        values[withheld] = np.nan
        tidy[column] = values
    flag = tidy["flag"].astype(object).to_numpy().copy()
    flag[withheld] = ""
    tidy["flag"] = pd.Categorical(flag)
    tidy["small_cell"] = tidy["small_cell"].to_numpy(dtype=bool) | withheld

    table = _publish_table(table, tidy, small_group, rating)
    table["S_withheld_reason"] = d.reasons(table["S_withheld"], ~table["n_shown"].to_numpy(dtype=bool))
    published = dataclasses.replace(
        rating,
        table=table,
        indicators=tidy,
        regional=regional_means(table, profile, d),
        warnings=rating.warnings.iloc[0:0].copy(),
        report=Report(subject=f"published rating (k = {d.k})"),
    )
    return published


def _publish_table(
    table: pd.DataFrame, tidy: pd.DataFrame, small_group: pd.Series, rating: Rating
) -> pd.DataFrame:
    profile = rating.profile
    wide = (
        tidy.assign(
            i=tidy["institution_id"].astype(str), p=tidy["period"].astype(str), m=tidy["id"].astype(str)
        )
        .loc[lambda f: f["level"].astype(str).isin(["total", "criterion", "indicator"])]
        .pivot_table(index=["i", "p"], columns="m", values="withheld", aggfunc="any", observed=True)
    )
    index = pd.MultiIndex.from_arrays([table["institution_id"].astype(str), table["period"].astype(str)])
    wide = wide.reindex(index).fillna(False).astype(bool)
    measures = [m for m in wide.columns]
    out = table.copy()
    withheld_ids = np.full(len(out), "", dtype=object)
    for m in measures:
        mask = wide[m].to_numpy()
        if not mask.any():
            continue
        if m == "S":
            columns = ["S", "S_se", "S_lo", "S_hi", "z_next"] + [
                c for c in out.columns if c.startswith("band_")
            ]
        else:
            columns = [m, f"{m}_se", f"{m}_lo", f"{m}_hi", f"{m}_num", f"{m}_den"]
        for c in columns:
            if c in out.columns:
                out[c] = (
                    out[c].astype(object).where(~mask, None)
                    if out[c].dtype == object
                    else out[c].where(~mask)
                )
        withheld_ids = np.where(mask, np.where(withheld_ids == "", m, withheld_ids + ", " + m), withheld_ids)
    s_hidden = wide["S"].to_numpy() if "S" in wide.columns else np.zeros(len(out), dtype=bool)
    # places among the published institutions only (docs/dashboard.md, "Places"): a withheld institution
    # has no place and leaves no gap, so no pair of neighbours brackets its score
    out = _places_among_published(out, s_hidden, profile)
    # changes between periods: withheld when the value now or in the previous period is
    for m in ["S", *[c.id for c in profile.criteria]]:
        column = f"change_{m}"
        if column not in out.columns:
            continue
        now = wide[m].to_numpy() if m in wide.columns else np.zeros(len(out), dtype=bool)
        prev_key = pd.MultiIndex.from_arrays(
            [out["institution_id"].astype(str), out["previous_period"].astype(str)]
        )
        before = (
            wide[m].reindex(prev_key).fillna(False).to_numpy(dtype=bool)
            if m in wide.columns
            else np.zeros(len(out), dtype=bool)
        )
        out[column] = out[column].where(~(now | before))
    # flags listed per institution: only shown measures
    for column in ("good_practice", "needs_improvement"):
        if column in out.columns:
            out[column] = [
                ", ".join(x for x in str(items or "").split(", ") if x and x not in set(hidden.split(", ")))
                for items, hidden in zip(out[column].fillna(""), withheld_ids, strict=True)
            ]
    n_shown = ~small_group.reindex(index).fillna(False).to_numpy(dtype=bool)
    out["n_respondents"] = out["n_respondents"].astype("Int64").where(n_shown)
    out["n_shown"] = n_shown
    out["S_withheld"] = s_hidden
    out["S_shown"] = ~s_hidden & out["S"].notna().to_numpy()
    out["withheld"] = withheld_ids
    return out


def _places_among_published(table: pd.DataFrame, hidden: np.ndarray, profile: Any) -> pd.DataFrame:
    """Re-rank the published totals: places 1..m among the institutions whose S is shown, within the period
    (and the profile's ``ranking.group_by``), ties as the rating decided them. ``rank_of`` counts the
    published places; ``z_next`` / ``distinct_from_next`` compare with the next *published* place (kept
    from the rating where that neighbour was already the next, recomputed where a withheld one is skipped);
    a tie note is kept only when the tie is with a published institution."""
    out = table.copy()
    n = len(out)
    rank = out["rank"].to_numpy(dtype=float, na_value=np.nan)
    parts = ["period", *[c for c in profile.ranking.group_by if c in out.columns]]
    order = pd.DataFrame({c: out[c].astype(str).to_numpy() for c in parts})
    order["_i"] = np.arange(n)
    order["_rank"] = rank
    order["_id"] = out["institution_id"].astype(str).to_numpy()
    order["_hidden"] = np.asarray(hidden, dtype=bool)
    order = order[~np.isnan(rank)].sort_values([*parts, "_rank", "_id"], kind="stable")
    new_rank = np.full(n, np.nan)
    new_of = np.full(n, np.nan)
    z_next = out["z_next"].to_numpy(dtype=float, na_value=np.nan).copy()
    distinct = out["distinct_from_next"].astype("boolean").to_numpy(dtype=object, na_value=None).copy()
    notes = out["rank_note"].astype(object).to_numpy().copy() if "rank_note" in out.columns else None
    s = out["S"].to_numpy(dtype=float, na_value=np.nan)
    se = out["S_se"].to_numpy(dtype=float, na_value=np.nan) if "S_se" in out.columns else np.full(n, np.nan)
    z_crit = NormalDist().inv_cdf(0.5 + profile.uncertainty.confidence / 2)
    for _, part in order.groupby(parts, sort=False, dropna=False):
        idx = part["_i"].to_numpy()
        shown = ~part["_hidden"].to_numpy()
        ranks = part["_rank"].to_numpy()
        pub_idx, pub_ranks = idx[shown], ranks[shown]
        if not len(pub_idx):
            continue
        new_rank[pub_idx] = 1 + np.searchsorted(np.sort(pub_ranks), pub_ranks, side="left")
        new_of[pub_idx] = len(pub_idx)
        # the next row in the rating's order, and the next published one: where they differ, a withheld
        # institution sat between and the comparison is made again with the next shown
        positions = np.flatnonzero(shown)
        original_next = np.append(idx, -1)[np.minimum(positions + 1, len(idx))]
        published_next = np.append(pub_idx[1:], -1)
        changed = original_next != published_next
        if changed.any():
            a, b = pub_idx[changed], published_next[changed]
            has_next = b >= 0
            z = np.full(len(a), np.nan)
            upper, lower = a[has_next], b[has_next]
            with np.errstate(invalid="ignore", divide="ignore"):
                z[has_next] = (s[upper] - s[lower]) / np.sqrt(se[upper] ** 2 + se[lower] ** 2)
            z_next[a] = z
            for i, value in zip(a, z, strict=True):
                distinct[i] = None if value != value else bool(abs(value) >= z_crit)
        if notes is not None:  # a tie note stays only when the tie is with a published institution
            values = pd.Series(s[pub_idx])
            alone = (values.map(values.value_counts()) <= 1).to_numpy()
            notes[pub_idx[alone]] = ""
    placed = ~np.isnan(new_rank)
    z_next[~placed] = np.nan
    distinct[~placed] = None
    out["rank"] = pd.array(np.where(placed, new_rank, np.nan), dtype="Float64").astype("Int64")
    out["rank_of"] = pd.array(np.where(placed, new_of, np.nan), dtype="Float64").astype("Int64")
    out["z_next"] = np.round(z_next, 2)
    out["distinct_from_next"] = pd.array(list(distinct), dtype="boolean")
    if notes is not None:
        out["rank_note"] = np.where(placed, notes, "")
    return out


def _members(table: pd.DataFrame, profile: Any) -> np.ndarray:
    """Institutions that count in regional means (profile ``policies.regional_mean``)."""
    if profile.policies.regional_mean == "complete":
        return table["complete"].to_numpy(dtype=bool)
    return table["S"].notna().to_numpy()


def regional_means(table: pd.DataFrame, profile: Any, disclosure: Disclosure) -> pd.DataFrame:
    """The regional mean of S and of each criterion per period (and region), over the *shown* values of the
    member institutions; ``n_organisations`` counts the shown totals."""
    measures = ["S", *[c.id for c in profile.criteria]]
    keys = ["period"] + (["region"] if "region" in table.columns else [])
    use = table[_members(table, profile)]
    if use.empty:
        return pd.DataFrame(columns=[*keys, "n_organisations", *measures])
    grouped = use.groupby(keys, sort=True, dropna=False)
    out = grouped[measures].mean()
    out = out.apply(lambda col: round_half_up(col.to_numpy(dtype=float), profile.rounding.decimals))
    out.insert(0, "n_organisations", grouped["S"].count())
    return out.reset_index()


def reference_means(published: Rating, period: str, region: str | None = None) -> pd.Series:
    """Mean of every total, criterion and indicator over the shown values of the member institutions in one
    period (and region): what an institution is compared with. Index: measure id."""
    table = published.table
    members = _members(table, published.profile) & (table["period"].astype(str).to_numpy() == str(period))
    if region is not None and "region" in table.columns:
        members &= table["region"].astype(str).to_numpy() == str(region)
    ids = set(table.loc[members, "institution_id"].astype(str))
    tidy = published.indicators
    part = tidy[
        (tidy["period"].astype(str) == str(period))
        & tidy["institution_id"].astype(str).isin(ids)
        & tidy["level"].astype(str).isin(["total", "criterion", "indicator"])
    ]
    if part.empty:
        return pd.Series(dtype=float)
    means = part.groupby(part["id"].astype(str))["value"].mean()
    return pd.Series(
        round_half_up(means.to_numpy(dtype=float), published.profile.rounding.decimals), index=means.index
    )


# --- conclusions ----------------------------------------------------------------------------------------------------
def publish_conclusions(
    published: Rating,
    disclosure: Disclosure | int | None = None,
    *,
    languages: Sequence[str] = ("ru", "en"),
    questionnaires: Mapping[str, Questionnaire] | Iterable[Questionnaire] | None = None,
) -> pd.DataFrame:
    """Qualified conclusions (:func:`surveykit.scoring.conclusions`) of a *published* rating, without any
    withheld number: withheld measures are left out and named in one sentence; an institution whose total is
    withheld gets a sentence saying so instead of its score and place."""
    d = disclosure if isinstance(disclosure, Disclosure) else Disclosure.from_settings(disclosure)
    table = published.table.copy()
    hidden_s = table["S_withheld"].to_numpy(dtype=bool)
    table["status"] = np.where(hidden_s, _SENTINEL, table["status"].astype(object))
    table["complete"] = table["complete"].to_numpy(dtype=bool) & ~hidden_s
    table["sample_ok"] = table["sample_ok"].to_numpy(dtype=bool) | ~table["n_shown"].to_numpy(dtype=bool)
    table["n_respondents"] = table["n_respondents"].astype("Float64").fillna(-1).astype(int)
    tidy = published.indicators
    tidy = tidy[~tidy["withheld"].to_numpy(dtype=bool)]
    view = dataclasses.replace(published, table=table, indicators=tidy)
    texts = conclusions(view, languages=languages, questionnaires=questionnaires)
    withheld = dict(
        zip(zip(table["institution_id"], table["period"], strict=True), table["withheld"], strict=True)
    )
    n_shown = dict(
        zip(zip(table["institution_id"], table["period"], strict=True), table["n_shown"], strict=True)
    )
    for language in languages:
        templates = TEMPLATES.get(language, TEMPLATES["en"])
        column = f"text_{language}"
        out = []
        for inst, period, text in zip(texts["institution_id"], texts["period"], texts[column], strict=True):
            sentence = templates["not_ranked"].format(reason=_SENTINEL)
            text = text.replace(sentence, t("dash.conclusion_withheld", language, k=d.k))
            text = text.replace(
                templates["respondents"].format(n=-1),
                t("dash.conclusion_respondents_withheld", language, k=d.k),
            )
            ids = withheld.get((inst, period), "")
            # the total score by its name, not its measure id "S" (criteria K1… and indicators 1.1… are
            # numbered in the methodology and keep their numbers)
            ids = ", ".join(
                t("dash.total", language).lower() if i.strip() == "S" else i.strip() for i in str(ids).split(",")
            ) if ids else ids  # fmt: skip
            if ids and n_shown.get((inst, period), True):
                text += " " + t("dash.conclusion_measures_withheld", language, k=d.k, ids=ids)
            out.append(text)
        texts[column] = out
    return texts


# --- open answers -----------------------------------------------------------------------------------------------------
def approved_open_answers(
    reviews: pd.DataFrame, interviews: pd.DataFrame, question: str = "q16"
) -> pd.DataFrame:
    """The open answers a sociologist approved for publication, with their institution and period: only the
    published text, never the raw answer. Columns ``institution_id``, ``period``, ``text``."""
    columns = ["institution_id", "period", "text"]
    if reviews is None or not len(reviews) or interviews is None or not len(interviews):
        return pd.DataFrame(columns=columns)
    ok = reviews[(reviews["status"] == "approved") & (reviews["question"] == question)]
    ok = ok[ok["published_text"].notna() & (ok["published_text"].astype(str).str.strip() != "")]
    if ok.empty:
        return pd.DataFrame(columns=columns)
    meta = interviews[["interview_id", "institution_id", "period"]].astype(str)
    merged = ok.assign(interview_id=ok["interview_id"].astype(str)).merge(
        meta, on="interview_id", how="inner"
    )
    merged["text"] = merged["published_text"].astype(str).str.strip()
    return merged[columns].reset_index(drop=True)
