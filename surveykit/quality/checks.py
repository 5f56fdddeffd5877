"""``run_checks``: every quality check of methodology D.2 over one questionnaire's interviews.

The result is a :class:`QualityResult`: the flags (one row each, a fixed shape other modules code against),
and per-interview, per-interviewer and per-institution summaries with the numbers behind the flags, plus
the interviewer effects per item. A flag is a signal for a reviewer, never an exclusion; a check that cannot
run on the frame (no time stamps, too few comparable items) is listed in ``skipped`` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveykit.quality import answers, duplicates, effects, institutions, timing
from surveykit.quality.context import FLAG_COLUMNS, Context, object_frame
from surveykit.quality.rules import RULE_IDS, QualityRules, load_rules, rules_from_data
from surveykit.questionnaire.compiled import Form

__all__ = ["QualityResult", "run_checks"]

Check = Callable[[Context, dict, dict], list[pd.DataFrame]]

_CHECKS: dict[str, Check] = {
    "too_short": timing.too_short,
    "throughput": timing.throughput,
    "overlap": timing.overlap,
    "outside_hours": timing.outside_hours,
    "straight_lining": answers.straight_lining,
    "filter_avoidance": answers.filter_avoidance,
    "item_nonresponse": answers.item_nonresponse,
    "dont_know": answers.dont_know,
    "near_duplicate": duplicates.near_duplicate,
    "identical_open_answers": answers.identical_open_answers,
    "interviewer_effect": effects.interviewer_effect,
    "institution_anomaly": institutions.institution_anomaly,
}
assert tuple(_CHECKS) == RULE_IDS

#: what each check needs in the frame besides ``interview_id``
_NEEDS: dict[str, tuple[str, ...]] = {
    "too_short": ("started_at", "submitted_at"),
    "throughput": ("submitted_at", "mode"),
    "overlap": ("started_at", "submitted_at"),
    "outside_hours": ("started_at", "submitted_at"),
}

_EFFECT_COLUMNS = ["item", "indicators", "answers", "interviewers", "mean_workload", "sigma_u2", "sigma_e2",
                   "rho", "deff", "flagged"]  # fmt: skip


@dataclass
class QualityResult:
    """The outcome of :func:`run_checks`.

    ``flags`` has the columns of :data:`FLAG_COLUMNS`: ``rule`` (a rule id), ``level`` (``interview``,
    ``interviewer`` or ``institution``), ``interview_id``, ``interviewer_id``, ``institution_id`` (``None``
    where they do not apply: an interviewer-level flag has no interview; a design-effect flag concerns every
    interviewer and has no interviewer), ``value`` and ``threshold`` (floats: the rule's statistic and the
    value it was compared with), ``detail`` (plain English), and ``message`` and ``params``: the key and the
    plain JSON parameters of the words, which :func:`surveykit.quality.messages.render` shows in any UI
    language (``detail`` is their English rendering). ``interviews``, ``interviewers`` and
    ``institutions`` hold the numbers behind the flags; ``interviewer_effects`` has rho_int and deff per
    item. ``skipped`` names the checks that could not run, with the reason.
    """

    flags: pd.DataFrame
    interviews: pd.DataFrame
    interviewers: pd.DataFrame
    institutions: pd.DataFrame
    interviewer_effects: pd.DataFrame
    rules: QualityRules
    skipped: dict[str, str] = field(default_factory=dict)

    def flagged(self, rule: str | None = None, level: str | None = None) -> pd.DataFrame:
        """The flags of one rule and/or level."""
        keep = np.ones(len(self.flags), dtype=bool)
        if rule is not None:
            keep &= (self.flags["rule"] == rule).to_numpy()
        if level is not None:
            keep &= (self.flags["level"] == level).to_numpy()
        return self.flags[keep].reset_index(drop=True)

    def counts(self) -> pd.DataFrame:
        """How many flags each rule raised, per level (a rule that raised none is listed with 0)."""
        table = self.flags.groupby(["rule", "level"]).size().rename("flags").reset_index()
        missing = [r for r in RULE_IDS if r not in set(table["rule"])]
        table = pd.concat(
            [table, pd.DataFrame({"rule": missing, "level": None, "flags": 0})], ignore_index=True
        )
        order = {r: i for i, r in enumerate(RULE_IDS)}
        return table.sort_values("rule", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def _resolve_rules(rules: QualityRules | str | Path | Mapping[str, Any] | None) -> QualityRules:
    if rules is None:
        return load_rules()
    if isinstance(rules, QualityRules):
        return rules
    if isinstance(rules, Mapping):
        return rules_from_data({"schema_version": 1, **rules}, source="(rules given as a mapping)").unwrap()
    return load_rules(rules)


def run_checks(
    form: Form,
    frame: pd.DataFrame,
    rules: QualityRules | str | Path | Mapping[str, Any] | None = None,
) -> QualityResult:
    """Run every enabled check of ``rules`` (default: ``questionnaires/quality/rules.yaml``) on ``frame``,
    the canonical interview frame of ``form`` (``store.interviews_frame(questionnaire_id)``: meta columns and
    one column per question). ``rules`` may also be a path or a mapping in the file's format."""
    rules = _resolve_rules(rules)
    ctx = Context.build(form, frame, rules)
    interviews: dict[str, Any] = {
        "interview_id": ctx.interview_id,
        "interviewer_id": ctx.interviewer_labels[ctx.interviewer] if ctx.n else np.empty(0, dtype=object),
        "institution_id": ctx.institution_labels[ctx.institution] if ctx.n else np.empty(0, dtype=object),
        "mode": ctx.mode,
    }
    interviewers: dict[str, Any] = {
        "interviewer_id": ctx.interviewer_labels if ctx.n else np.empty(0, dtype=object),
        "interviews": np.bincount(ctx.interviewer, minlength=ctx.n_interviewers) if ctx.n else np.empty(0, dtype=int),
    }  # fmt: skip
    found: list[pd.DataFrame] = []
    if ctx.n:
        for rule, check in _CHECKS.items():
            if not rules.enabled(rule):
                continue
            absent = [c for c in _NEEDS.get(rule, ()) if c not in ctx.data.columns]
            if absent:
                ctx.skipped[rule] = f"the frame has no column {', '.join(absent)}"
                continue
            found.extend(f for f in check(ctx, interviews, interviewers) if len(f))
    flags = (
        pd.concat(found, ignore_index=True)
        if found
        else pd.DataFrame({c: pd.Series(dtype=float if c in ("value", "threshold") else object) for c in FLAG_COLUMNS})
    )  # fmt: skip
    interview_table = object_frame(interviews)
    interviewer_table = object_frame(interviewers)
    by_interview = flags["interview_id"].value_counts()
    interview_table["flags"] = interview_table["interview_id"].map(by_interview).fillna(0).astype(int)
    by_interviewer = flags.loc[flags["interview_id"].isna(), "interviewer_id"].value_counts()
    interviewer_table["flags"] = interviewer_table["interviewer_id"].map(by_interviewer).fillna(0).astype(int)
    institution_table = ctx.institutions
    if institution_table is None:
        institution_table = pd.DataFrame({"institution_id": pd.Series(dtype=object)})
    by_institution = flags.loc[flags["level"] == "institution", "institution_id"].value_counts()
    institution_table = institution_table.assign(
        flags=institution_table["institution_id"].map(by_institution).fillna(0).astype(int)
    )
    effects_table = ctx.effects if ctx.effects is not None else pd.DataFrame(columns=_EFFECT_COLUMNS)
    return QualityResult(
        flags=flags,
        interviews=interview_table,
        interviewers=interviewer_table,
        institutions=institution_table,
        interviewer_effects=effects_table,
        rules=rules,
        skipped=dict(ctx.skipped),
    )
