"""Checks on time stamps (paradata): too-short interviews, throughput, overlaps, work outside field hours.

* ``too_short`` (interview): ``minutes < share_of_median * median(minutes of the same mode)``; the z score of
  log minutes within the mode is reported (durations are skewed: on the raw scale a few long interviews
  inflate the SD so much that ``z < -2`` is hardly reachable). Interviewer level: the interviewer's share of
  too-short interviews against the peers' (:mod:`surveykit.quality.peers`).
* ``throughput`` (interviewer and day): the most interviews of the modes checked (face to face) *submitted*
  within any ``window_minutes`` (60) of a local day, per hour; flagged above ``max_per_hour`` (3).
* ``overlap`` (interview): an interview that starts before another interview of the same interviewer has
  ended, by more than ``min_minutes`` (0: any overlap). Telephone counts: nobody holds two calls at once.
* ``outside_hours`` (interview): started before ``start`` or ended after ``end`` local time (or on a later
  day).

Each sort is one ``argsort`` over all interviews: keys are ``interviewer * 2**32 + seconds``, so a running
maximum or a ``searchsorted`` never crosses from one interviewer to the next.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from surveykit.quality.context import Context, flags_frame
from surveykit.quality.peers import peer_flags, peer_test

__all__ = ["outside_hours", "overlap", "throughput", "too_short"]

_SHIFT = np.int64(2**32)  # > seconds since 1970 until 2106


def _fmt_day(local_seconds: np.ndarray) -> np.ndarray:
    return pd.to_datetime(local_seconds, unit="s").strftime("%Y-%m-%d").to_numpy(dtype=object)


def _fmt_clock(local_seconds: np.ndarray) -> np.ndarray:
    return pd.to_datetime(local_seconds, unit="s").strftime("%H:%M").to_numpy(dtype=object)


def too_short(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    rule = ctx.rules.too_short
    minutes = (ctx.submitted - ctx.started) / 60.0
    timed = np.isfinite(minutes) & (minutes > 0)
    mode_codes, modes = pd.factorize(pd.Series(ctx.mode))
    frame = pd.DataFrame({"mode": mode_codes, "minutes": np.where(timed, minutes, np.nan)})
    grouped = frame.groupby("mode")["minutes"]
    median = grouped.transform("median").to_numpy()
    count = grouped.transform("count").to_numpy()
    log = np.log(frame["minutes"].where(frame["minutes"] > 0))
    log_grouped = log.groupby(frame["mode"])
    z = ((log - log_grouped.transform("mean")) / log_grouped.transform("std")).to_numpy()
    usable = timed & (count >= rule.min_interviews)
    short = usable & (minutes < rule.share_of_median * median)
    interviews["minutes"] = np.round(minutes, 1)
    interviews["median_minutes"] = np.where(usable, np.round(median, 1), np.nan)
    interviews["duration_z"] = np.round(z, 2)
    interviews["duration_z_low"] = usable & (z < rule.z_report)
    interviews["too_short"] = short
    out = []
    rows = np.flatnonzero(short)
    if rows.size:
        params = [
            {"minutes": m, "median": med, "mode": mode, "z": zz}
            for m, med, mode, zz in zip(minutes[rows], median[rows], ctx.mode[rows], z[rows], strict=True)
        ]
        out.append(
            flags_frame(
                "too_short",
                "interview",
                interview_id=ctx.interview_id[rows],
                interviewer_id=ctx.interviewer_labels[ctx.interviewer[rows]],
                institution_id=ctx.institution_labels[ctx.institution[rows]],
                value=minutes[rows],
                threshold=rule.share_of_median * median[rows],
                message="quality.detail.too_short",
                params=params,
            )
        )
    test = peer_test(
        short.astype(float),
        usable.astype(float),
        ctx.interviewer,
        ctx.n_interviewers,
        ctx.institution,
        ctx.n_institutions,
        ctx.rules.peers,
    )
    interviewers["too_short"] = test.count.astype(int)
    interviewers["too_short_rate"] = test.rate
    interviewers["too_short_expected"] = test.expected
    interviewers["too_short_z"] = test.z
    interviewers["flag_too_short"] = test.flag
    out.append(peer_flags("too_short", ctx, test, share=rule.share_of_median))
    return out


def _in_modes(ctx: Context, modes: tuple[str, ...]) -> np.ndarray:
    return np.isin(ctx.mode, list(modes)) if modes else np.ones(ctx.n, dtype=bool)


def throughput(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    rule = ctx.rules.throughput
    window = rule.window_minutes * 60
    rows = np.flatnonzero(_in_modes(ctx, rule.modes) & np.isfinite(ctx.submitted))
    peak_per_interviewer = np.zeros(ctx.n_interviewers)
    interviewers["peak_per_hour"] = peak_per_interviewer
    if not rows.size:
        return []
    local = np.floor(ctx.local(ctx.submitted[rows], rows)).astype(np.int64)
    key = ctx.interviewer[rows].astype(np.int64) * _SHIFT + local
    order = np.argsort(key, kind="stable")
    key, rows, local = key[order], rows[order], local[order]
    in_window = np.arange(len(key)) - np.searchsorted(key, key - window, side="right") + 1
    day = local // 86400
    per_hour = in_window * 3600.0 / window
    cells = pd.DataFrame(
        {
            "interviewer": ctx.interviewer[rows],
            "day": day,
            "per_hour": per_hour,
            "local": local,
            "institution": ctx.institution[rows],
        }
    )
    by_day = cells.groupby(["interviewer", "day"])
    best = cells.loc[by_day["per_hour"].idxmax()].reset_index(drop=True)
    sizes = by_day.size().to_numpy()  # same (sorted) order as idxmax
    same_place = (by_day["institution"].min() == by_day["institution"].max()).to_numpy()
    peak = best.groupby("interviewer")["per_hour"].max()
    peak_per_interviewer[peak.index.to_numpy()] = peak.to_numpy()
    flagged = best["per_hour"].to_numpy() > rule.max_per_hour
    if not flagged.any():
        return []
    best, sizes, same_place = best[flagged], sizes[flagged], same_place[flagged]
    who = best["interviewer"].to_numpy()
    days = _fmt_day(best["local"].to_numpy())
    institution = np.where(same_place, ctx.institution_labels[best["institution"].to_numpy()], None)
    params = [
        {"count": int(round(peak * rule.window_minutes / 60)), "modes": list(rule.modes),
         "window": rule.window_minutes, "day": d, "day_total": size}
        for peak, d, size in zip(best["per_hour"].to_numpy(), days, sizes, strict=True)
    ]  # fmt: skip
    return [
        flags_frame(
            "throughput",
            "interviewer",
            interviewer_id=ctx.interviewer_labels[who],
            institution_id=institution,
            value=best["per_hour"].to_numpy(),
            threshold=rule.max_per_hour,
            message="quality.detail.throughput",
            params=params,
        )
    ]


def overlap(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    rule = ctx.rules.overlap
    minutes = np.zeros(ctx.n)
    interviews["overlap_minutes"] = minutes
    rows = np.flatnonzero(_in_modes(ctx, rule.modes) & np.isfinite(ctx.started) & np.isfinite(ctx.submitted))
    if rows.size < 2:
        interviewers["overlaps"] = np.zeros(ctx.n_interviewers, dtype=int)
        return []
    base = ctx.interviewer[rows].astype(np.int64) * _SHIFT
    start = base + np.floor(ctx.started[rows]).astype(np.int64)
    end = base + np.ceil(ctx.submitted[rows]).astype(np.int64)
    order = np.lexsort((end, start))
    start, end, rows = start[order], end[order], rows[order]
    running = np.maximum.accumulate(end)
    record = np.flatnonzero(end == running)  # where the running maximum is set
    holder = record[np.searchsorted(record, np.arange(len(end)), side="right") - 1]
    previous_end = np.concatenate([[-1], running[:-1]])  # every key is >= 0
    previous_holder = np.concatenate([[0], holder[:-1]])
    lap = (previous_end - start) / 60.0
    hit = np.flatnonzero((lap > rule.min_minutes) & (lap > 0))
    minutes[rows[hit]] = np.round(lap[hit], 1)
    interviewers["overlaps"] = np.bincount(ctx.interviewer[rows[hit]], minlength=ctx.n_interviewers).astype(
        int
    )
    if not hit.size:
        return []
    other = ctx.interview_id[rows[previous_holder[hit]]]
    params = [{"minutes": m, "other": o} for m, o in zip(lap[hit], other, strict=True)]
    target = rows[hit]
    return [
        flags_frame(
            "overlap",
            "interview",
            interview_id=ctx.interview_id[target],
            interviewer_id=ctx.interviewer_labels[ctx.interviewer[target]],
            institution_id=ctx.institution_labels[ctx.institution[target]],
            value=lap[hit],
            threshold=rule.min_minutes,
            message="quality.detail.overlap",
            params=params,
        )
    ]


def outside_hours(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    rule = ctx.rules.outside_hours
    start_s = rule.start.hour * 3600 + rule.start.minute * 60
    end_s = rule.end.hour * 3600 + rule.end.minute * 60
    checked = _in_modes(ctx, rule.modes)
    began = ctx.local(ctx.started)
    ended = ctx.local(ctx.submitted)
    began_day, began_clock = np.floor_divide(began, 86400), np.mod(began, 86400)
    ended_day, ended_clock = np.floor_divide(ended, 86400), np.mod(ended, 86400)
    early = checked & np.isfinite(began) & (began_clock < start_s)
    late = (
        checked
        & np.isfinite(ended)
        & ((ended_clock > end_s) | (np.isfinite(began) & (ended_day > began_day)))
    )
    late &= ~early
    outside = early | late
    interviews["outside_hours"] = outside
    interviewers["outside_hours"] = np.bincount(
        ctx.interviewer[outside], minlength=ctx.n_interviewers
    ).astype(int)
    rows = np.flatnonzero(outside)
    if not rows.size:
        return []
    is_early = early[rows]
    moment = np.where(is_early, began[rows], ended[rows])
    clock = np.where(is_early, began_clock[rows], ended_clock[rows]) / 3600.0
    clock = np.where(~is_early & (ended_day[rows] > began_day[rows]), clock + 24.0, clock)
    threshold = np.where(is_early, start_s, end_s) / 3600.0
    stamps = _fmt_clock(moment)
    days = _fmt_day(moment)
    limit_start, limit_end = f"{rule.start:%H:%M}", f"{rule.end:%H:%M}"
    params = [
        {"time": s, "day": d, "limit": limit_start if e else limit_end, "timezone": ctx.rules.timezone}
        for s, d, e in zip(stamps, days, is_early, strict=True)
    ]
    messages = np.where(is_early, "quality.detail.outside_hours_early", "quality.detail.outside_hours_late")
    return [
        flags_frame(
            "outside_hours",
            "interview",
            interview_id=ctx.interview_id[rows],
            interviewer_id=ctx.interviewer_labels[ctx.interviewer[rows]],
            institution_id=ctx.institution_labels[ctx.institution[rows]],
            value=clock,
            threshold=threshold,
            message=messages.tolist(),
            params=params,
        )
    ]
