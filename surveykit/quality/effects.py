"""Interviewer effects: the intra-interviewer correlation and design effect per indicator item.

For each item that feeds an indicator (the answer's numeric code: "yes" = 1, "no" = 0; coded-missing answers
left out), with interviewers as groups, the one-way ANOVA estimator of the random-intercept model
``y = mu + u_interviewer + e`` (Searle, Casella & McCulloch, *Variance Components*, ch. 3)::

    MSB = sum_i n_i (ybar_i - ybar)^2 / (a - 1)          a interviewers, N answers, n_i per interviewer
    MSW = sum_i sum_r (y_ir - ybar_i)^2 / (N - a)
    n0  = (N - sum_i n_i^2 / N) / (a - 1)                 the "average" group size for unequal groups
    sigma_u^2 = max(0, (MSB - MSW) / n0),  sigma_e^2 = MSW,  rho_int = sigma_u^2 / (sigma_u^2 + sigma_e^2)
    deff_int = 1 + rho_int (m - 1),  m = N / a the mean workload (methodology D.2, Statistics Canada 2022)

Interviewers are assigned to institutions, so without care the differences between institutions would be
counted as interviewer effects. With ``adjust_for_institution`` (the default) each answer is first centred
on its institution's mean, so rho_int measures how much interviewers differ *within* the institutions they
share; an interviewer who alone covers an institution contributes no between-interviewer information
(their centred mean is 0), which makes the estimate conservative. The institution means cost degrees of
freedom that the formula above ignores: with many answers per institution this is negligible.

An interviewer is flagged when their mean on an item deviates from the other interviewers' mean (both
centred as above) by more than ``z`` standard errors, ``SE = sqrt(sigma_e^2 (1/n_i + 1/(N - n_i)))``. With
``m`` items tested at once the critical value rises so that an honest interviewer is flagged as rarely as
by a single 2-SE test (two-sided 4.6 %; Bonferroni: ``z_m = Phi^-1(1 - (1 - Phi(z)) / m)``, 2.94 for
15 items). The methodology's "random effect > 2 SE" would shrink each mean towards the grand mean first
(the BLUP ``lambda_i (ybar_i - ybar)``); with a few falsifiers among hundreds of honest interviewers the
estimated interviewer variance is tiny and the shrinkage hides exactly the interviewers to be found, so the
unshrunken deviation is used. In a team of two, the honest partner of a deviant interviewer deviates the
other way from the institution's mean and may be flagged with them: the reviewer sees both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from surveykit.quality.context import Context, flags_frame

__all__ = ["AnovaICC", "anova_icc", "interviewer_effect"]


@dataclass(frozen=True)
class AnovaICC:
    """The one-way ANOVA variance components of one item."""

    answers: int
    groups: int
    msb: float
    msw: float
    n0: float
    sigma_u2: float
    sigma_e2: float
    rho: float
    mean_workload: float
    deff: float


def anova_icc(
    y: np.ndarray, group: np.ndarray, n_groups: int | None = None
) -> tuple[AnovaICC, np.ndarray, np.ndarray]:
    """Variance components of ``y`` by ``group`` (integer codes), with each group's size and mean.

    Returns ``(components, n_i, mean_i)``; groups without answers have ``n_i = 0`` and mean NaN."""
    y = np.asarray(y, dtype=float)
    group = np.asarray(group, dtype=np.int64)
    size = int(n_groups if n_groups is not None else (group.max(initial=-1) + 1))
    n_i = np.bincount(group, minlength=size).astype(float)
    sum_i = np.bincount(group, weights=y, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_i = sum_i / n_i
    a = int((n_i > 0).sum())
    total = len(y)
    nan = float("nan")
    if a < 2 or total <= a:
        return AnovaICC(total, a, nan, nan, nan, nan, nan, nan, total / max(a, 1), nan), n_i, mean_i
    grand = y.mean()
    present = n_i > 0
    ssb = float((n_i[present] * (mean_i[present] - grand) ** 2).sum())
    ssw = float(((y - mean_i[group]) ** 2).sum())
    msb = ssb / (a - 1)
    msw = ssw / (total - a)
    n0 = (total - float((n_i**2).sum()) / total) / (a - 1)
    sigma_u2 = max(0.0, (msb - msw) / n0)
    rho = sigma_u2 / (sigma_u2 + msw) if sigma_u2 + msw > 0 else 0.0
    workload = total / a
    return (
        AnovaICC(total, a, msb, msw, n0, sigma_u2, msw, rho, workload, 1.0 + rho * (workload - 1.0)),
        n_i,
        mean_i,
    )


def interviewer_effect(ctx: Context, interviews: dict, interviewers: dict) -> list[pd.DataFrame]:
    rule = ctx.rules.interviewer_effect
    items = ctx.items.scored or ctx.items.substantive
    rows = []
    worst = np.zeros(ctx.n_interviewers)
    worst_items: list[list[dict]] = [[] for _ in range(ctx.n_interviewers)]
    min_interviews = ctx.rules.peers.min_interviews
    tested: list[tuple[str, np.ndarray, np.ndarray]] = []
    for code in items:
        var = ctx.form.variables[code]
        lookup = np.array(
            [
                np.nan if name in var.missing_names else float(var.choice_values[name])
                for name in var.choice_names
            ]
            + [np.nan]
        )
        values = lookup[ctx.codes(code)]
        ok = np.isfinite(values)
        y = values[ok]
        who = ctx.interviewer[ok]
        if rule.adjust_for_institution:
            place = ctx.institution[ok]
            count = np.bincount(place, minlength=ctx.n_institutions)
            total = np.bincount(place, weights=y, minlength=ctx.n_institutions)
            with np.errstate(invalid="ignore", divide="ignore"):
                y = y - (total / count)[place]
        components, n_i, mean_i = anova_icc(y, who, ctx.n_interviewers)
        indicators = ", ".join(var.question.scoring.indicators) if var.question.scoring else ""
        rows.append(
            {
                "item": code,
                "indicators": indicators,
                "answers": components.answers,
                "interviewers": components.groups,
                "mean_workload": components.mean_workload,
                "sigma_u2": components.sigma_u2,
                "sigma_e2": components.sigma_e2,
                "rho": components.rho,
                "deff": components.deff,
                "flagged": bool(
                    components.groups >= rule.min_interviewers and components.deff > rule.max_deff
                ),
            }
        )
        if components.groups < rule.min_interviewers:
            continue
        total_sum, total_n = float(y.sum()), len(y)
        with np.errstate(invalid="ignore", divide="ignore"):
            others = (total_sum - mean_i * n_i) / (total_n - n_i)
            se = np.sqrt(components.sigma_e2 * (1.0 / n_i + 1.0 / (total_n - n_i)))
            z = (mean_i - others) / se
        z = np.where((n_i >= min_interviews) & np.isfinite(z), z, 0.0)
        tested.append((code, z, mean_i - others))
    critical = float(norm.isf(norm.sf(rule.z) / max(len(tested), 1)))
    for code, z, difference in tested:
        for i in np.flatnonzero(np.abs(z) > critical):
            worst_items[i].append({"item": code, "difference": difference[i], "z": z[i]})
        worst = np.maximum(worst, np.abs(z))
    effects = pd.DataFrame(
        rows,
        columns=["item", "indicators", "answers", "interviewers", "mean_workload", "sigma_u2", "sigma_e2", "rho",
                 "deff", "flagged"],
    )  # fmt: skip
    ctx.effects = effects
    interviewers["effect_max_z"] = np.round(worst, 2)
    interviewers["flag_interviewer_effect"] = worst > critical
    out = []
    hot = effects[effects["flagged"]]
    if not hot.empty:
        out.append(
            flags_frame(
                "interviewer_effect",
                "interviewer",
                value=hot["deff"].to_numpy(),
                threshold=rule.max_deff,
                message=[
                    "quality.detail.design_effect_indicator"
                    if r.indicators
                    else "quality.detail.design_effect"
                    for r in hot.itertuples()
                ],
                params=[
                    {
                        "item": r.item,
                        "indicators": r.indicators,
                        "rho": r.rho,
                        "deff": r.deff,
                        "workload": r.mean_workload,
                        "interviewers": r.interviewers,
                    }
                    for r in hot.itertuples()
                ],
            )
        )
    who = np.flatnonzero(worst > critical)
    if who.size:
        peers = "institution" if rule.adjust_for_institution else "all"
        out.append(
            flags_frame(
                "interviewer_effect",
                "interviewer",
                interviewer_id=ctx.interviewer_labels[who],
                value=worst[who],
                threshold=critical,
                message="quality.detail.interviewer_effect",
                params=[
                    {
                        "peers": peers,
                        "items": worst_items[i],
                        "critical": critical,
                        "z": rule.z,
                        "tested": len(tested),
                    }
                    for i in who
                ],
            )
        )
    return out
