"""How well the checks find planted falsifiers: detection and false-alarm rates per rule.

For synthetic fieldwork with a known truth (:func:`surveykit.synthetic.fieldwork`): each rule is scored at
the level it speaks about. Interview-level rules (too short, overlap, outside hours, near-duplicate) are
scored per interview: *detection* is the share of the planted interviews of the rule's target kind that the
rule flags, the *false-alarm rate* the share of the interviews of honest interviewers it flags. The
other rules are scored per interviewer (any flag of the rule naming them) or per institution. The
interviews and interviewers of other falsifier kinds count neither way: a straight-liner flagged for
interviewer effects is not a false alarm.
"""

from __future__ import annotations

import pandas as pd

from surveykit.quality.checks import QualityResult

__all__ = ["TARGETS", "detection_rates"]

#: rule -> (unit it is scored on, the planted kinds it should find)
TARGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "too_short": ("interview", ("too_fast",)),
    "throughput": ("interviewer", ("high_throughput",)),
    "overlap": ("interview", ("overlap",)),
    "outside_hours": ("interview", ("outside_hours",)),
    "straight_lining": ("interviewer", ("straight_liner",)),
    "filter_avoidance": ("interviewer", ("filter_avoider",)),
    "item_nonresponse": ("interviewer", ("item_skipper",)),
    "dont_know": ("interviewer", ("dont_knower",)),
    "near_duplicate": ("interview", ("duplicator",)),
    "identical_open_answers": ("interviewer", ("curbstoner",)),
    # a straight-liner's "yes" differs little from an institution where 85 % say "yes" anyway: finding
    # them is the straight-lining rule's job; filter answers differ a lot
    "interviewer_effect": ("interviewer", ("filter_avoider",)),
    "institution_anomaly": ("institution", ("all_yes",)),
}


#: interview-level rules that also compare each interviewer's share of flagged interviews with the peers'
_INTERVIEWER_ROWS = {"too_short", "near_duplicate"}


def detection_rates(result: QualityResult, truth) -> pd.DataFrame:
    """One row per rule: unit, planted (positives), detected, detection, honest (negatives), false alarms,
    false-alarm rate, and for interview-level rules the same read per interviewer; ``truth`` is a
    :class:`surveykit.synthetic.Fieldwork`."""
    interviews = truth.interviews
    kinds = truth.interviewers.set_index("interviewer_id")["kind"]
    tainted = set(interviews.loc[interviews["planted"] != "", "interviewer_id"]) | set(
        kinds[kinds != "honest"].index
    )
    working = set(interviews["interviewer_id"])
    honest_interviewers = [i for i in kinds.index if i not in tainted and i in working]
    honest_rows = interviews[~interviews["interviewer_id"].isin(tainted)]
    rows = []
    for rule, (unit, targets) in TARGETS.items():
        flags = result.flagged(rule)
        if unit == "interview":
            hit = set(flags.loc[flags["level"] == "interview", "interview_id"])
            positive = interviews.loc[interviews["planted"].isin(targets), "interview_id"]
            negative = honest_rows["interview_id"]
        elif unit == "interviewer":
            hit = set(flags["interviewer_id"].dropna())
            positive = pd.Series(kinds[kinds.isin(targets)].index)
            negative = pd.Series(honest_interviewers)
        else:
            hit = set(flags["institution_id"].dropna())
            places = truth.institutions
            positive = places.loc[places["kind"].isin(targets), "institution_id"]
            negative = places.loc[places["kind"] == "honest", "institution_id"]
        detected = int(positive.isin(hit).sum())
        alarms = int(negative.isin(hit).sum())
        row = {
            "rule": rule,
            "unit": unit,
            "planted": len(positive),
            "detected": detected,
            "detection": _share(detected, len(positive)),
            "honest": len(negative),
            "false_alarms": alarms,
            "false_alarm_rate": _share(alarms, len(negative)),
        }
        if (
            unit == "interview"
        ):  # the same rule read per interviewer: its interviewer-level flags, if it has any
            level = "interviewer" if rule in _INTERVIEWER_ROWS else "interview"
            named = set(flags.loc[flags["level"] == level, "interviewer_id"].dropna())
            falsifiers = pd.Series(kinds[kinds.isin(targets)].index)
            row["interviewer_detection"] = _share(int(falsifiers.isin(named).sum()), len(falsifiers))
            row["interviewer_false_alarm_rate"] = _share(
                sum(i in named for i in honest_interviewers), len(honest_interviewers)
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")
