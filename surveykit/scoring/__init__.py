"""Scoring: methodology profiles as data, indicator types, ratings, conclusions and Likert statistics.

The facade the CLI, the dashboards and the notebooks use::

    from surveykit.scoring import load_profile, rate

    profile = load_profile("ru_nok_344n_2018")           # questionnaires/methodology/<id>.yaml
    rating = rate(profile, {"recipient_survey": survey, "website_audit": audit, "premises_checklist": premises})
    rating.table          # one row per institution x period: indicators, criteria, S, rank, band, flags ...
    rating.indicators     # tidy view for dashboards
    rating.conclusions()  # qualified conclusions in Russian and English

Pure: no I/O except reading profile files; callers supply canonical frames (from files or the database).
The method as implemented is in docs/methodology.md.
"""

from surveykit.scoring.conclusion import conclusion_text, conclusions, format_number
from surveykit.scoring.indicators import REGISTRY, IndicatorResult, wilson
from surveykit.scoring.likert import (
    Reliability,
    cronbach_alpha,
    item_rest_statistics,
    item_statistics,
    likert_matrix,
    reliability,
    scale_scores,
    scales_report,
)
from surveykit.scoring.profile import (
    DEFAULT_PROFILE,
    INDICATOR_TYPES,
    Profile,
    ProfileInfo,
    ProfileLoad,
    list_profiles,
    load_profile,
    read_profile,
)
from surveykit.scoring.rating import Rating, rate, round_half_up

__all__ = [
    "DEFAULT_PROFILE",
    "INDICATOR_TYPES",
    "REGISTRY",
    "IndicatorResult",
    "Profile",
    "ProfileInfo",
    "ProfileLoad",
    "Rating",
    "Reliability",
    "conclusion_text",
    "conclusions",
    "cronbach_alpha",
    "format_number",
    "item_rest_statistics",
    "item_statistics",
    "likert_matrix",
    "list_profiles",
    "load_profile",
    "rate",
    "read_profile",
    "reliability",
    "round_half_up",
    "scale_scores",
    "scales_report",
    "wilson",
]
