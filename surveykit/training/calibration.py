"""Checklist calibration: a trainee's audit of a practice case against the expert key (C.3 item 4).

Over the ``n`` items of the case's key:

* **percent agreement** ``p_o = matches / n`` — an item the trainee left unrated counts as a disagreement;
* **Cohen's kappa** ``κ = (p_o - p_e) / (1 - p_e)`` with chance agreement
  ``p_e = Σ_k (n_expert,k / n) · (n_trainee,k / n)`` over every status ``k`` either rater used (an unrated
  item is its own category). When ``p_e = 1`` (both raters used one and the same status throughout) κ is
  undefined and reported as ``None``; the pass decision then rests on the agreement alone.

Pass rule (``rules.yaml``, ``calibration``): ``combine: either`` passes when ``p_o >= min_agreement`` or
``κ >= min_kappa``; ``combine: both`` needs both (an undefined κ counts as met only when ``p_o = 1``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from surveykit.errors import ErrorCode, Location, Report, TrainingError, did_you_mean
from surveykit.training.course import AuditItems, CalibrationCase, CalibrationRules, LocalText, Rules

__all__ = ["CalibrationResult", "Disagreement", "calibration_shortfalls", "cohens_kappa", "score_calibration"]

#: the category of an item the trainee did not rate
UNRATED = "(unrated)"
EPSILON = 1e-9


class Disagreement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item: str
    expected: str
    given: str | None


class CalibrationResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    kind: str
    n_items: int
    n_agree: int
    agreement: float
    kappa: float | None
    disagreements: tuple[Disagreement, ...]
    passed: bool


def cohens_kappa(expert: list[str], trainee: list[str]) -> float | None:
    """Cohen's κ of two equally long label lists; ``None`` when chance agreement is 1."""
    n = len(expert)
    if n == 0 or n != len(trainee):
        raise ValueError("cohens_kappa needs two non-empty lists of equal length")
    observed = sum(a == b for a, b in zip(expert, trainee, strict=True)) / n
    counts_e, counts_t = Counter(expert), Counter(trainee)
    chance = sum(counts_e[k] * counts_t[k] for k in counts_e.keys() | counts_t.keys()) / (n * n)
    if chance >= 1 - EPSILON:
        return None
    return (observed - chance) / (1 - chance)


def _verdict(agreement: float, kappa: float | None, rules: CalibrationRules) -> list[LocalText]:
    """The one home of the calibration pass rule: reasons for failing (empty when passed)."""
    agree_ok = agreement + EPSILON >= rules.min_agreement
    kappa_ok = (agreement >= 1 - EPSILON) if kappa is None else kappa + EPSILON >= rules.min_kappa
    passed = (agree_ok or kappa_ok) if rules.combine == "either" else (agree_ok and kappa_ok)
    if passed:
        return []
    kappa_text = "—" if kappa is None else f"{kappa:.2f}"
    joiner = {"either": ("или", "or"), "both": ("и", "and")}[rules.combine]
    return [
        {
            "ru": f"согласие {agreement * 100:.1f} %, каппа {kappa_text} (нужно ≥ {rules.min_agreement * 100:.0f} % "
            f"{joiner[0]} каппа ≥ {rules.min_kappa:.2f})",
            "en": f"agreement {agreement * 100:.1f} %, kappa {kappa_text} (needs ≥ {rules.min_agreement * 100:.0f} % "
            f"{joiner[1]} kappa ≥ {rules.min_kappa:.2f})",
        }
    ]


def score_calibration(
    case: CalibrationCase,
    answers: Mapping[str, str | None],
    rules: Rules | CalibrationRules,
    audit_items: AuditItems | None = None,
) -> CalibrationResult:
    """Compare a trainee's statuses with the case's expert key.

    ``answers`` maps audit item ids to statuses (``None`` or a missing id: not rated). With ``audit_items``
    the choice names of the audit questionnaires are accepted too (``yes``/``no`` for present/absent,
    ``absent`` for a remote channel that is not functioning, see ``aliases`` in audit_items.yaml), and a
    status the item does not allow raises ``ITEM_INVALID``, as does an id outside the case.
    """
    cal_rules = rules.calibration if isinstance(rules, Rules) else rules
    if audit_items is not None:
        answers = {k: (audit_items.normalise(k, v) if isinstance(v, str) else v) for k, v in answers.items()}
    report = Report(subject=f"calibration {case.id}")
    for item_id, status in answers.items():
        if item_id not in case.key:
            report.add(
                ErrorCode.ITEM_INVALID,
                Location(path=f"{case.id}.{item_id}"),
                item=item_id,
                detail=f"not an item of calibration case '{case.id}'{did_you_mean(str(item_id), case.key)}",
                fix="Rate only the items of the case.",
            )
        elif (
            status is not None and audit_items is not None and status not in audit_items.statuses_of(item_id)
        ):
            allowed = audit_items.statuses_of(item_id)
            report.add(
                ErrorCode.ITEM_INVALID,
                Location(path=f"{case.id}.{item_id}"),
                item=item_id,
                detail=f"status '{status}' is not allowed{did_you_mean(str(status), allowed)}",
                fix=f"Use one of: {', '.join(allowed)}.",
            )
    report.raise_if_errors(TrainingError)
    expert = list(case.key.values())
    given = [answers.get(item_id) for item_id in case.key]
    trainee = [UNRATED if g is None else g for g in given]
    n = len(expert)
    n_agree = sum(a == b for a, b in zip(expert, trainee, strict=True))
    agreement = n_agree / n
    kappa = cohens_kappa(expert, trainee)
    disagreements = tuple(
        Disagreement(item=item_id, expected=exp, given=g)
        for (item_id, exp), g in zip(case.key.items(), given, strict=True)
        if exp != g
    )
    return CalibrationResult(
        case_id=case.id,
        kind=case.kind,
        n_items=n,
        n_agree=n_agree,
        agreement=agreement,
        kappa=kappa,
        disagreements=disagreements,
        passed=not _verdict(agreement, kappa, cal_rules),
    )


def calibration_shortfalls(result: CalibrationResult, rules: Rules | CalibrationRules) -> list[LocalText]:
    """Why ``result`` does not pass under the current rules (empty when it passes)."""
    cal_rules = rules.calibration if isinstance(rules, Rules) else rules
    return _verdict(result.agreement, result.kappa, cal_rules)
