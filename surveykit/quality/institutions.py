"""Institution-level anomalies (methodology D.2, specific to the НОК): results too good to be true.

Per institution and period: the share of *best* answers on the substantive scored items (the substantive
choice with the highest numeric code: "yes" = 1 over "no" = 0; coded-missing answers left out), the share
of the forms taken by the busiest interviewer, and the share taken on the busiest local day. Flagged when
the best-answer share is at least ``min_share`` (99 %) with at least ``min_interviews`` interviews, and more
than ``concentration`` (90 %) of the forms come from one interviewer or one day: a published 99.7-point
result collected by one person in an afternoon deserves a back-check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from surveykit.quality.context import Context, flags_frame

__all__ = ["institution_anomaly"]


def institution_anomaly(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    rule = ctx.rules.institution_anomaly
    best = np.zeros(ctx.n)
    answered = np.zeros(ctx.n)
    for code in ctx.items.substantive:
        var = ctx.form.variables[code]
        substantive = [
            (var.choice_values[name], i)
            for i, name in enumerate(var.choice_names)
            if name not in var.missing_names
        ]
        if not substantive:
            continue
        top = max(substantive)[1]
        valid = [i for _, i in substantive]
        codes = ctx.codes(code)
        answered += np.isin(codes, valid)
        best += codes == top
    reference = np.where(np.isfinite(ctx.started), ctx.started, ctx.submitted)
    day = np.floor_divide(ctx.local(reference), 86400)
    day = np.where(np.isfinite(day), day, -1).astype(np.int64)
    period_codes, periods = pd.factorize(pd.Series(ctx.period), sort=True)
    frame = pd.DataFrame(
        {
            "institution": ctx.institution,
            "period": period_codes,
            "interviewer": ctx.interviewer,
            "day": day,
            "best": best,
            "answered": answered,
        }
    )
    keys = ["institution", "period"]
    per = frame.groupby(keys).agg(
        interviews=("best", "size"), best=("best", "sum"), answered=("answered", "sum")
    )
    by_person = frame.groupby([*keys, "interviewer"]).size().rename("n").reset_index()
    top_person = by_person.loc[by_person.groupby(keys)["n"].idxmax()].set_index(keys)
    by_day = frame[frame["day"] >= 0].groupby([*keys, "day"]).size().rename("n").reset_index()
    top_day = (
        by_day.loc[by_day.groupby(keys)["n"].idxmax()].set_index(keys)
        if len(by_day)
        else by_day.set_index(keys)
    )
    per["best_share"] = per["best"] / per["answered"].where(per["answered"] > 0)
    per["top_interviewer"] = ctx.interviewer_labels[top_person["interviewer"].reindex(per.index).to_numpy()]
    per["top_interviewer_share"] = top_person["n"].reindex(per.index).to_numpy() / per["interviews"]
    day_n = top_day["n"].reindex(per.index) if len(top_day) else pd.Series(np.nan, index=per.index)
    day_of = top_day["day"].reindex(per.index) if len(top_day) else pd.Series(np.nan, index=per.index)
    per["top_day"] = [
        pd.Timestamp(int(d) * 86400, unit="s").strftime("%Y-%m-%d") if pd.notna(d) else None for d in day_of
    ]
    per["top_day_share"] = day_n.to_numpy() / per["interviews"]
    concentrated = (per["top_interviewer_share"] > rule.concentration) | (
        per["top_day_share"].fillna(0) > rule.concentration
    )
    flagged = (
        (per["interviews"] >= rule.min_interviews) & (per["best_share"] >= rule.min_share) & concentrated
    )
    per["flag_institution_anomaly"] = flagged
    per = per.reset_index()
    per["institution_id"] = ctx.institution_labels[per["institution"].to_numpy()]
    per["period"] = np.asarray(periods, dtype=object)[per["period"].to_numpy()] if len(periods) else ""
    ctx.institutions = per[
        ["institution_id", "period", "interviews", "best_share", "top_interviewer", "top_interviewer_share",
         "top_day", "top_day_share", "flag_institution_anomaly"]
    ]  # fmt: skip
    hit = per[flagged.to_numpy()]
    if hit.empty:
        return []
    n_items = len(ctx.items.substantive)
    params = [
        {"best": r.best_share, "items": n_items, "interviews": r.interviews, "period": r.period,
         "person": r.top_interviewer, "person_share": r.top_interviewer_share, "day": r.top_day,
         "day_share": r.top_day_share}
        for r in hit.itertuples()
    ]  # fmt: skip
    messages = [
        "quality.detail.institution_anomaly_period" if p["period"] else "quality.detail.institution_anomaly"
        for p in params
    ]
    return [
        flags_frame(
            "institution_anomaly",
            "institution",
            institution_id=hit["institution_id"].to_numpy(),
            value=hit["best_share"].to_numpy(),
            threshold=rule.min_share,
            message=messages,
            params=params,
        )
    ]
