"""surveykit: questionnaires, fieldwork, ratings and interviewer training for public councils.

The public facade (imported lazily, so that an app pays only for what it uses)::

    import surveykit as sk

    q = sk.load_questionnaire("questionnaires/recipient_survey.yaml")
    result = sk.validate_answers(q, {"consent": "yes", "q1": "no"})
    with sk.Store.open() as store:
        frame = store.interviews_frame("recipient_survey")
    rating = sk.rate(sk.load_profile(), {"recipient_survey": frame})

Everything else lives in the subpackages: ``surveykit.questionnaire``, ``surveykit.expressions``,
``surveykit.store``, ``surveykit.scoring``, ``surveykit.exchange``, ``surveykit.training``,
``surveykit.certificates``, ``surveykit.dashboard``, ``surveykit.reports``; widgets only in ``surveykit.ui``.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS = {
    "SurveykitError": "surveykit.errors",
    "Report": "surveykit.errors",
    "ErrorCode": "surveykit.errors",
    "Questionnaire": "surveykit.questionnaire.model",
    "load_questionnaire": "surveykit.questionnaire.io",
    "read_questionnaire": "surveykit.questionnaire.io",
    "save_questionnaire": "surveykit.questionnaire.io",
    "validate_answers": "surveykit.questionnaire.validate",
    "validate_frame": "surveykit.questionnaire.validate",
    "InterviewSession": "surveykit.interview.session",
    "Store": "surveykit.store",
    "load_profile": "surveykit.scoring",
    "rate": "surveykit.scoring",
    "export_interviews": "surveykit.exchange",
    "load_course": "surveykit.training",
    "verify_certificate": "surveykit.certificates",
    "dashboard_data": "surveykit.dashboard",
    "settings": "surveykit.config",
}
_RENAMED = {"verify_certificate": "verify"}

__all__ = [
    "ErrorCode",
    "InterviewSession",
    "Questionnaire",
    "Report",
    "Store",
    "SurveykitError",
    "dashboard_data",
    "export_interviews",
    "load_course",
    "load_profile",
    "load_questionnaire",
    "rate",
    "read_questionnaire",
    "save_questionnaire",
    "settings",
    "validate_answers",
    "validate_frame",
    "verify_certificate",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'surveykit' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
