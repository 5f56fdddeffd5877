"""Quality control of fieldwork: signals that send an interview, an interviewer or an institution to a human
reviewer (methodology part D.2; AAPOR/ASA on interviewer falsification).

A flag means "look at this, back-check some of it", never "exclude this". Every threshold is a [P] default
read from ``questionnaires/quality/rules.yaml`` (:mod:`surveykit.quality.rules`); docs/quality.md, section
"Checks", gives each formula with its source. :func:`run_checks` runs them all::

    result = run_checks(form, store.interviews_frame("recipient_survey"))
    result.flags            # rule, level, interview_id, interviewer_id, institution_id, value, threshold, detail,
                            # message, params (the words as a key and parameters: surveykit.quality.messages)

The checks (``rule`` ids, in order):

* ``too_short`` — an interview under ``share_of_median`` (0.5) of the median duration of the same mode
  (z of log minutes reported); an interviewer with more too-short interviews than the peers.
* ``throughput`` — more than 3 face-to-face completes within 60 minutes (per interviewer and local day).
* ``overlap`` — an interview starting before another of the same interviewer ended.
* ``outside_hours`` — an interview started before 08:00 or ended after 21:00 local time (time zone in the rules).
* ``straight_lining`` — the interviewer's share of interviews with one answer to every substantive item
  above the peers' by more than 2 SE.
* ``filter_avoidance`` — the interviewer's share of filter answers that skip every follow-up above the
  peers' (+ 2 SE, one-sided two-proportion z test).
* ``item_nonresponse`` and ``dont_know`` — unanswered/refused and "don't know" rates against the peers'.
* ``near_duplicate`` — the maximum percent match with another interview of the institution (Kuriakose &
  Robbins) at least 85 % *and* a chance below 1 % of so close a match were answers independent given the
  level of agreement (calibrated on the data, so short yes/no questionnaires do not flag everyone).
* ``identical_open_answers`` — one interviewer recording the same open answer at least 3 times.
* ``interviewer_effect`` — rho_int and deff = 1 + rho (m - 1) per indicator item (deff > 1.5), and
  interviewers whose random effect exceeds 2 SE.
* ``institution_anomaly`` — at least 99 % best answers with more than 90 % of the forms from one
  interviewer or one day.

"Peers" are the other interviewers at the same institutions (:mod:`surveykit.quality.peers`). Everything
is vectorised over the interview frame: a million interviews take seconds (``benchmarks/bench_quality.py``).
:func:`quality_report` is the older four-signal view the supervisor app shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from surveykit.lazy import lazy_exports

if TYPE_CHECKING:
    from surveykit.quality.checks import QualityResult, run_checks
    from surveykit.quality.context import FLAG_COLUMNS
    from surveykit.quality.items import filter_questions
    from surveykit.quality.legacy import QualityReport, quality_report
    from surveykit.quality.rules import RULE_IDS, QualityRules, load_rules, read_rules

__all__ = [
    "FLAG_COLUMNS",
    "RULE_IDS",
    "QualityReport",
    "QualityResult",
    "QualityRules",
    "filter_questions",
    "load_rules",
    "quality_report",
    "read_rules",
    "run_checks",
]

# imported on first use: the checks need SciPy, which an app that only reads the flag columns does not
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "QualityResult": ".checks",
        "run_checks": ".checks",
        "FLAG_COLUMNS": ".context",
        "filter_questions": ".items",
        "QualityReport": ".legacy",
        "quality_report": ".legacy",
        "RULE_IDS": ".rules",
        "QualityRules": ".rules",
        "load_rules": ".rules",
        "read_rules": ".rules",
    },
    __all__,
)
