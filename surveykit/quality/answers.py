"""Checks on the answers: straight-lining, filter avoidance, item non-response, don't know, identical open
answers. The first four count something per interview and compare each interviewer's rate with the peers'
(:mod:`surveykit.quality.peers`); the last counts texts.

* ``straight_lining``: an interview is straight-lined when at least ``min_items`` substantive items are
  answered (coded-missing answers do not count) and every one has the same answer (the same choice name:
  all "yes", all "4").
* ``filter_avoidance``: per interview, the answers to filter questions and how many of them closed every
  follow-up (no follow-up applies afterwards, by the questionnaire's own relevance).
* ``item_nonresponse``: relevant required questions left unanswered, plus answers with a refusal code
  (``refusal_names``), out of the relevant required questions.
* ``dont_know``: coded-missing answers other than refusals, out of the answered questions that offer one.
* ``identical_open_answers``: the same open answer (lower case, punctuation and repeated spaces removed) at
  least ``min_repeats`` times from one interviewer, ignoring texts shorter than ``min_length`` and texts
  that more than ``max_other_interviewers`` other interviewers also recorded (common phrases).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from surveykit.quality.context import Context, flags_frame
from surveykit.quality.peers import peer_flags, peer_test

__all__ = ["dont_know", "filter_avoidance", "identical_open_answers", "item_nonresponse", "straight_lining"]


def _test(ctx: Context, count: np.ndarray, total: np.ndarray, *, overdispersion: bool):
    return peer_test(
        count,
        total,
        ctx.interviewer,
        ctx.n_interviewers,
        ctx.institution,
        ctx.n_institutions,
        ctx.rules.peers,
        overdispersion=overdispersion,
    )


def straight_lining(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    rule = ctx.rules.straight_lining
    items = ctx.items.substantive
    names: dict[str, int] = {}
    lowest = np.full(ctx.n, np.iinfo(np.int32).max, dtype=np.int64)
    highest = np.full(ctx.n, -1, dtype=np.int64)
    answered = np.zeros(ctx.n, dtype=np.int64)
    for code in items:
        var = ctx.form.variables[code]
        global_ids = np.array(
            [
                -1 if name in var.missing_names else names.setdefault(name, len(names))
                for name in var.choice_names
            ]
            + [-1],
            dtype=np.int64,
        )
        ids = global_ids[ctx.codes(code)]  # code -1 (unanswered) takes the last entry: -1
        ok = ids >= 0
        answered += ok
        lowest = np.where(ok, np.minimum(lowest, ids), lowest)
        highest = np.where(ok, np.maximum(highest, ids), highest)
    eligible = answered >= rule.min_items
    straight = eligible & (lowest == highest)
    by_id = np.array(list(names), dtype=object)
    interviews["straight_lined"] = straight
    interviews["straight_answer"] = np.where(straight, by_id[np.clip(lowest, 0, max(len(by_id) - 1, 0))] if len(by_id) else None, None)  # fmt: skip
    test = _test(ctx, straight.astype(float), eligible.astype(float), overdispersion=False)
    interviewers["straight_lined"] = test.count.astype(int)
    interviewers["straight_rate"] = test.rate
    interviewers["straight_expected"] = test.expected
    interviewers["straight_z"] = test.z
    interviewers["flag_straight_lining"] = test.flag
    return [peer_flags("straight_lining", ctx, test, items=len(items))]


def filter_avoidance(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    filters = ctx.items.filters
    asked_total = np.zeros(ctx.n)
    closed_total = np.zeros(ctx.n)
    relevant = ctx.relevant
    for code, follow in filters.items():
        asked = ctx.codes(code) >= 0
        opened = np.zeros(ctx.n, dtype=bool)
        for f in follow:
            opened |= relevant.get(f, ctx.codes(f) >= 0 if f in ctx.data else np.zeros(ctx.n, dtype=bool))
        asked_total += asked
        closed_total += asked & ~opened
    interviews["filter_answers"] = asked_total.astype(int)
    interviews["filter_closed"] = closed_total.astype(int)
    test = _test(ctx, closed_total, asked_total, overdispersion=True)
    interviewers["filter_answers"] = test.total.astype(int)
    interviewers["filter_closed"] = test.count.astype(int)
    interviewers["filter_closed_rate"] = test.rate
    interviewers["filter_closed_expected"] = test.expected
    interviewers["filter_closed_z"] = test.z
    interviewers["filter_closed_p"] = test.p_value
    interviewers["flag_filter_avoidance"] = test.flag
    return [peer_flags("filter_avoidance", ctx, test, filters=list(filters))]


def item_nonresponse(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    refusals = set(ctx.rules.item_nonresponse.refusal_names)
    relevant = ctx.relevant
    missing = np.zeros(ctx.n)
    total = np.zeros(ctx.n)
    for code in ctx.items.required:
        applies = relevant.get(code)
        if applies is None:
            continue
        codes = ctx.codes(code)
        refused = ctx.missing_mask(code, refusals) if ctx.form.variables[code].choices else False
        total += applies
        missing += applies & ((codes < 0) | refused)
    interviews["nonresponse"] = missing.astype(int)
    interviews["relevant_items"] = total.astype(int)
    test = _test(ctx, missing, total, overdispersion=True)
    interviewers["nonresponse"] = test.count.astype(int)
    interviewers["nonresponse_rate"] = test.rate
    interviewers["nonresponse_expected"] = test.expected
    interviewers["nonresponse_z"] = test.z
    interviewers["flag_item_nonresponse"] = test.flag
    return [peer_flags("item_nonresponse", ctx, test)]


def dont_know(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    refusals = set(ctx.rules.item_nonresponse.refusal_names)
    dk = np.zeros(ctx.n)
    total = np.zeros(ctx.n)
    for code, names in ctx.items.missing_names.items():
        dk_names = set(names) - refusals
        if not dk_names:
            continue
        total += ctx.codes(code) >= 0
        dk += ctx.missing_mask(code, dk_names)
    interviews["dont_know"] = dk.astype(int)
    test = _test(ctx, dk, total, overdispersion=True)
    interviewers["dont_know"] = test.count.astype(int)
    interviewers["dont_know_rate"] = test.rate
    interviewers["dont_know_expected"] = test.expected
    interviewers["dont_know_z"] = test.z
    interviewers["flag_dont_know"] = test.flag
    return [peer_flags("dont_know", ctx, test)]


def normalise_text(texts: pd.Series) -> pd.Series:
    """Lower case, punctuation removed, runs of spaces as one: the comparison form of an open answer."""
    return (
        texts.astype(str)
        .str.lower()
        .str.replace("ё", "е", regex=False)
        .str.replace(r"[^\w\s]", " ", regex=True)
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
    )


def identical_open_answers(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    rule = ctx.rules.identical_open_answers
    repeats = np.zeros(ctx.n, dtype=int)
    interviews["open_repeats"] = repeats
    worst = np.zeros(ctx.n_interviewers, dtype=int)
    interviewers["open_repeats"] = worst
    out = []
    for code in ctx.items.open:
        column = ctx.data[code]
        rows = np.flatnonzero(column.notna().to_numpy())
        if not rows.size:
            continue
        raw, distinct = pd.factorize(column.iloc[rows].astype(str))  # normalise each distinct text once
        normalised = normalise_text(pd.Series(distinct, dtype=object))
        long_enough = (normalised.str.len() >= max(rule.min_length, 1)).to_numpy()
        keep = long_enough[raw]
        rows, text = rows[keep], normalised.to_numpy(dtype=object)[raw[keep]]
        if not rows.size:
            continue
        answers = pd.DataFrame({"row": rows, "text": text, "interviewer": ctx.interviewer[rows]})
        per = answers.groupby(["text", "interviewer"]).size().rename("times").reset_index()
        users = per.groupby("text")["interviewer"].transform("size")
        per = per[users - 1 <= rule.max_other_interviewers]
        counts = answers.merge(per, on=["text", "interviewer"], how="left")["times"].fillna(0).to_numpy()
        repeats[rows] = np.maximum(repeats[rows], counts.astype(int))
        hit = per[per["times"] >= rule.min_repeats]
        if hit.empty:
            continue
        np.maximum.at(worst, hit["interviewer"].to_numpy(), hit["times"].to_numpy())
        first_rows = answers.groupby(["text", "interviewer"])["row"].min()
        sample = first_rows.reindex(pd.MultiIndex.from_frame(hit[["text", "interviewer"]])).to_numpy()
        original = column.iloc[sample].astype(str).to_numpy()
        params = [
            {"question": code, "times": t, "text": _short(text)}
            for t, text in zip(hit["times"].to_numpy(), original, strict=True)
        ]
        out.append(
            flags_frame(
                "identical_open_answers",
                "interviewer",
                interviewer_id=ctx.interviewer_labels[hit["interviewer"].to_numpy()],
                value=hit["times"].to_numpy(),
                threshold=rule.min_repeats,
                message="quality.detail.identical_open_answers",
                params=params,
            )
        )
    return out


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
