"""The interview-outcome rule: whether an interview is complete (1.1), partial (1.2) or a break-off (2.12).

AAPOR Standard Definitions (2016) leave the threshold to the survey and give an example: fewer than 50 % of
the applicable questions answered is a break-off, 50-80 % a partial and more than 80 % a complete interview.
surveykit takes both thresholds from ``questionnaires/fieldwork/rules.yaml`` (``interview_outcome``).

*Applicable* questions are the questionnaire's **required** questions of the main table (not inside repeat
groups) that are relevant to this respondent given the answers so far (its own skip rules): the questions its
author marked as essential, as AAPOR suggests basing the partial threshold on the essential questions. A
questionnaire without required questions uses every relevant question instead (never notes or calculated
values). A question counts as answered when it has any value, a coded "don't know" or refusal included.
A submitted interview has every required question answered and is therefore complete; a break-off recorded
in the app while the interview is under way is classified by the share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from surveykit.questionnaire.model import QuestionType

__all__ = ["AnsweredShare", "answered_share", "interview_disposition"]


@dataclass(frozen=True)
class AnsweredShare:
    answered: int
    applicable: int

    @property
    def share(self) -> float:
        """Answered among applicable (1.0 when nothing applies: nothing was left out)."""
        return self.answered / self.applicable if self.applicable else 1.0


def _answered(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (frozenset, set, list, tuple)):
        return len(value) > 0
    if isinstance(value, float):
        return value == value
    return True


def answered_share(form: Any, answers: Mapping[str, Any]) -> AnsweredShare:
    """How many applicable questions of the main table ``answers`` answer (``form``: a compiled Form or a
    Questionnaire)."""
    from surveykit.questionnaire.validate import _form, evaluate

    compiled = _form(form)
    state = evaluate(compiled, answers, report_not_relevant=False)
    main = [
        (code, var)
        for code, var in compiled.variables.items()
        if var.repeat is None and var.calculation is None and var.type is not QuestionType.NOTE
    ]
    essential = [(code, var) for code, var in main if var.required is not False] or main
    applicable = answered = 0
    for code, var in essential:
        if not state.item_relevant(code):
            continue
        if var.required is not True and var.required is not False:  # required only under a condition
            level = state.levels[None]
            if not bool(state.condition(var.required, level)[0]):
                continue
        applicable += 1
        answered += _answered(answers.get(code))
    return AnsweredShare(answered, applicable)


def interview_disposition(share: float, rules: Any = None) -> str:
    """``1.1`` at or above ``complete_share``, ``1.2`` at or above ``partial_share``, else ``2.12``
    (``rules``: :class:`~surveykit.fieldwork.config.FieldworkRules`, default the shipped file)."""
    if rules is None:
        from surveykit.fieldwork.config import load_rules

        rules = load_rules()
    thresholds = rules.interview_outcome
    if share >= thresholds.complete_share:
        return "1.1"
    if share >= thresholds.partial_share:
        return "1.2"
    return "2.12"
