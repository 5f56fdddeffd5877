"""The quality-control workflow after the checks (methodology D.3, D.4): cases, supervisor review, back-checks,
suspension, exclusions, and the one home of "the interviews that count for a rating".

::

    submitted -> checks (surveykit.quality) -> flags -> cases -> supervisor review -> approved | rejected | back-check
    back-check -> outcome -> (partial or full falsification) -> excluded + certificates suspended
                                                              + every interview of the interviewer queued

* :func:`run_qc` runs the checks of a questionnaire, opens a case for every flag (never an automatic
  exclusion; a case is unique by rule and subject, so running again never duplicates) and queues the
  back-checks of D.3: a random share per interviewer (seeded), every flagged interview, and the first
  interviews of each newly certified interviewer (``questionnaires/quality/workflow.yaml``).
* :func:`decide` is the supervisor's decision on a case: ``approve``, ``reject`` (with a comment that goes back
  to the interviewer with the interview, through the store's ``set_status``) or ``backcheck``.
* :func:`record_backcheck` records the back-check form and outcome; a confirmed falsification excludes the
  interview from ratings, queues every interview of its interviewer and suspends their certificates through
  the certificate registry (verification then shows "suspended" with the reason).
* :func:`exclude` / :func:`restore` change exclusions by hand, reversibly, with the reason.
* :func:`counted_interviews` is what every rating reads: the interviews of the store minus the excluded ones;
  :func:`exclusion_effect` compares each institution's rating with and without the exclusions.

Every function takes the acting person (``actor``; the command line passes :data:`surveykit.access.OPERATOR`):
decisions need the permission ``quality.decide``, reading ``quality.read`` (:mod:`surveykit.access`).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from surveykit.access import Principal, require
from surveykit.errors import ConfigError, ErrorCode, Location, StoreError, did_you_mean
from surveykit.i18n import t
from surveykit.quality.context import FLAG_COLUMNS as _FLAG_COLUMNS
from surveykit.store.casework import Backcheck, Case, Exclusion
from surveykit.store.schema import BACKCHECK_OUTCOMES, utcnow

__all__ = [
    "DECISIONS",
    "BackcheckResult",
    "FormItem",
    "QcRun",
    "WorkflowConfig",
    "backcheck_progress",
    "case_detail",
    "case_key",
    "counted_interviews",
    "decide",
    "exclude",
    "exclusion_effect",
    "exclusion_reason",
    "flags_by_interviewer",
    "flags_chart",
    "flags_legend",
    "load_workflow",
    "open_cases",
    "plan_backchecks",
    "record_backcheck",
    "restore",
    "run_checks_for",
    "run_qc",
    "validate_form",
]

#: a supervisor's decisions on a case (methodology D.4)
DECISIONS = ("approve", "reject", "backcheck")
FLAG_COLUMNS = list(_FLAG_COLUMNS)  # one home: surveykit.quality.context
FORM_TYPES = ("choice", "date", "text")


# --- configuration ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FormItem:
    """One question of the back-check form."""

    code: str
    type: str
    label: Mapping[str, str]
    choices: tuple[str, ...] = ()
    required: bool = False

    def text(self, language: str) -> str:
        return self.label.get(language) or self.label.get("en") or self.code


@dataclass(frozen=True)
class WorkflowConfig:
    """``questionnaires/quality/workflow.yaml``: back-check rates, falsification consequences, the form."""

    random_share: float = 0.10
    first_interviews: int = 2
    flagged_interviews: bool = True
    seed: int = 2026
    statuses: tuple[str, ...] = ("submitted", "approved")
    falsification_outcomes: tuple[str, ...] = ("partial_falsification", "full_falsification")
    suspend_certificates: bool = True
    requeue_all_interviews: bool = True
    form: tuple[FormItem, ...] = field(default_factory=tuple)
    #: what the checker says first (``script:``, per language; empty: none configured)
    script: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    def script_text(self, language: str) -> str:
        """The checker's opening words in ``language`` (English when that language has none; "" if none)."""
        return self.script.get(language) or self.script.get("en") or ""


def default_workflow_path() -> Path:
    from surveykit.config import settings

    return settings().questionnaires_dir / "quality" / "workflow.yaml"


def load_workflow(path: str | Path | None = None) -> WorkflowConfig:
    """Read and check the workflow settings; any problem raises ConfigError SK530 naming the file and key."""
    from surveykit.fileio import read_yaml_file

    path = Path(path) if path is not None else default_workflow_path()
    document = read_yaml_file(path)  # read safely: a missing file, bad syntax, hostile content located
    document.report.raise_if_errors(ConfigError)
    data = document.data
    if not isinstance(data, Mapping):
        raise _bad(path, "(file)", "the file is not a mapping", "Start from the shipped workflow.yaml.")
    from surveykit.errors import Report
    from surveykit.filekinds import take_kind

    data, kind_report = dict(data), Report(subject=str(path))
    if not take_kind(data, "qc_workflow", Location(file=str(path), path="kind"), kind_report):
        kind_report.raise_if_errors(ConfigError)
    if data.get("schema_version") != 1:
        raise _bad(
            path,
            "schema_version",
            f"{data.get('schema_version')!r} is not supported",
            "Use schema_version: 1.",
        )
    check = data.get("backcheck") or {}
    fals = data.get("falsification") or {}
    share = check.get("random_share", 0.10)
    if not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise _bad(path, "backcheck.random_share", f"{share!r}", "Give a share between 0 and 1, e.g. 0.10.")
    first = check.get("first_interviews_of_new_interviewers", 2)
    if not isinstance(first, int) or first < 0:
        raise _bad(
            path,
            "backcheck.first_interviews_of_new_interviewers",
            f"{first!r}",
            "Give a whole number, e.g. 2.",
        )
    flagged = check.get("flagged_interviews", "all")
    if flagged not in ("all", "none"):
        raise _bad(path, "backcheck.flagged_interviews", f"{flagged!r}", "Use all (methodology D.3) or none.")
    seed = check.get("seed", 2026)
    if not isinstance(seed, int):
        raise _bad(path, "backcheck.seed", f"{seed!r}", "Give a whole number.")
    outcomes = tuple(fals.get("outcomes") or ())
    for outcome in outcomes:
        if outcome not in BACKCHECK_OUTCOMES:
            raise _bad(
                path,
                "falsification.outcomes",
                f"'{outcome}' is not a back-check outcome{did_you_mean(outcome, BACKCHECK_OUTCOMES)}",
                f"Use some of: {', '.join(BACKCHECK_OUTCOMES)}.",
            )
    script = data.get("script") or {}
    if not isinstance(script, Mapping) or not all(
        isinstance(v, str) and v.strip() for v in script.values()
    ):
        raise _bad(path, "script", "not a text per language", "Write script: with ru: and en: texts.")
    items = []
    for position, raw in enumerate(data.get("form") or [], start=1):
        where = f"form[{position}]"
        if not isinstance(raw, Mapping) or not raw.get("code"):
            raise _bad(path, where, "an item without a code", "Give each form item a code, type and label.")
        kind = raw.get("type")
        if kind not in FORM_TYPES:
            raise _bad(path, f"{where}.type", f"{kind!r}", f"Use one of: {', '.join(FORM_TYPES)}.")
        choices = tuple(str(c) for c in raw.get("choices") or ())
        if kind == "choice" and not choices:
            raise _bad(path, f"{where}.choices", "a choice item without choices", "List the choices.")
        label = raw.get("label") or {}
        items.append(
            FormItem(
                str(raw["code"]),
                kind,
                dict(label) if isinstance(label, Mapping) else {"en": str(label)},
                choices,
                bool(raw.get("required", False)),
            )
        )
    return WorkflowConfig(
        random_share=float(share),
        first_interviews=first,
        flagged_interviews=flagged == "all",
        seed=seed,
        statuses=tuple(check.get("statuses") or ("submitted", "approved")),
        falsification_outcomes=outcomes,
        suspend_certificates=bool(fals.get("suspend_certificates", True)),
        requeue_all_interviews=bool(fals.get("requeue_all_interviews", True)),
        form=tuple(items),
        script={str(k): str(v).strip() for k, v in script.items()},
        source=str(path),
    )


def _bad(path: Path, key: str, detail: str, fix: str) -> ConfigError:
    return ConfigError(
        ErrorCode.QC_CONFIG_INVALID, Location(file=str(path), path=key), detail=detail, fix=fix
    )


def _config(config: WorkflowConfig | None) -> WorkflowConfig:
    return config if config is not None else load_workflow()


# --- the back-check form ---------------------------------------------------------------------------------------
def validate_form(answers: Mapping[str, Any], config: WorkflowConfig | None = None) -> dict[str, Any]:
    """The form's answers checked against the form of the settings, cleaned (dates as ISO text, blanks dropped).
    The first problem raises StoreError SK537 naming the question (an unknown question, a missing required
    answer, a choice that is not offered, a date that is not a date or lies in the future)."""
    config = _config(config)
    items = {item.code: item for item in config.form}
    cleaned: dict[str, Any] = {}
    for code in answers:
        if code not in items:
            raise _form_error(code, "no such question in the form", f"Questions: {', '.join(items)}.")
    for item in config.form:
        value = answers.get(item.code)
        if value is None or (isinstance(value, str) and not value.strip()):
            if item.required:
                raise _form_error(item.code, "it is required", "Ask the respondent and record the answer.")
            continue
        if item.type == "choice":
            if str(value) not in item.choices:
                raise _form_error(
                    item.code,
                    f"'{value}' is not offered{did_you_mean(str(value), item.choices)}",
                    f"Use one of: {', '.join(item.choices)}.",
                )
            cleaned[item.code] = str(value)
        elif item.type == "date":
            try:
                day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
            except ValueError:
                raise _form_error(item.code, f"'{value}' is not a date", "Write it as YYYY-MM-DD.") from None
            if isinstance(day, dt.datetime):
                day = day.date()
            if day > utcnow().date():
                raise _form_error(item.code, f"{day.isoformat()} is in the future", "Check the date.")
            cleaned[item.code] = day.isoformat()
        else:
            cleaned[item.code] = str(value).strip()
    return cleaned


def _form_error(question: str, detail: str, fix: str) -> StoreError:
    return StoreError(
        ErrorCode.QC_FORM_INVALID, Location(field=question), question=question, detail=detail, fix=fix
    )


# --- checks and cases --------------------------------------------------------------------------------------------
def case_key(questionnaire_id: str, flag: Mapping[str, Any]) -> str:
    """The identity of a flag's case: questionnaire, rule, level and subject (the same flag, the same case)."""
    level = str(flag["level"])
    subject = flag.get(
        {"interview": "interview_id", "interviewer": "interviewer_id"}.get(level, "institution_id")
    )
    return f"{questionnaire_id}/{flag['rule']}/{level}/{subject}"[:250]


def run_checks_for(store: Any, questionnaire_id: str, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The flags of the quality checks (``surveykit.quality.run_checks``) for a questionnaire's completed
    interviews, one row per flag with the columns of :data:`FLAG_COLUMNS`."""
    if frame is None:
        frame = store.interviews_frame(questionnaire_id, status=("submitted", "approved"))
    contacts = _disposition_flags(store, questionnaire_id)  # misreported outcomes of contacts (fieldwork)
    if frame.empty:
        return contacts.reindex(columns=FLAG_COLUMNS) if len(contacts) else pd.DataFrame(columns=FLAG_COLUMNS)
    form = store.form(questionnaire_id)
    try:
        from surveykit.quality import run_checks
    except ImportError:  # the checks before they became a package: the signals of quality_report as flags
        return _flags_of_report(form, frame)
    flags = run_checks(form, frame).flags.reindex(columns=FLAG_COLUMNS)
    return pd.concat([flags, contacts], ignore_index=True) if len(contacts) else flags


def _disposition_flags(store: Any, questionnaire_id: str) -> pd.DataFrame:
    """The refusal and non-contact rates of each interviewer's cases against the peers'
    (:mod:`surveykit.quality.dispositions`), for the cases of this questionnaire."""
    from surveykit.quality.dispositions import disposition_flags
    from surveykit.quality.rules import load_rules

    fieldwork = getattr(store, "fieldwork", None)
    if fieldwork is None:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    return disposition_flags(fieldwork.cases_frame(questionnaire_id=questionnaire_id), load_rules())


def _flags_of_report(form: Any, frame: pd.DataFrame) -> pd.DataFrame:
    from surveykit.quality import quality_report
    from surveykit.quality.messages import plain_params, render

    def words(message: str, **params: Any) -> dict[str, Any]:
        params = plain_params(params)
        return {"detail": render(message, params, "en"), "message": message, "params": params}

    report = quality_report(form, frame)
    rows = []
    for r in report.interviews[report.interviews["too_short"]].itertuples():
        rows.append(
            {"rule": "too_short", "level": "interview", "interview_id": r.interview_id,
             "interviewer_id": r.interviewer_id, "institution_id": r.institution_id, "value": r.minutes,
             "threshold": r.median_minutes * 0.5,
             **words("quality.detail.too_short_brief", minutes=r.minutes, median=r.median_minutes)}
        )  # fmt: skip
    per = report.interviewers
    for column in [c for c in per.columns if c.startswith("flag_")]:
        rule = column.removeprefix("flag_")
        rate = {"too_short": "too_short_rate", "filter_avoidance": "filter_closed_rate"}.get(
            rule, f"{rule}_rate"
        )
        rate = {"straight_lining": "straight_rate"}.get(rule, rate)
        for r in per[per[column].fillna(False).astype(bool)].itertuples():
            value = getattr(r, rate, None)
            rows.append(
                {"rule": rule, "level": "interviewer", "interview_id": None, "interviewer_id": r.interviewer_id,
                 "institution_id": None, "value": value, "threshold": None,
                 **(words("quality.detail.rate_above_others", rate=value) if value == value else {"detail": ""})}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def case_detail(case: Case | Mapping[str, Any] | Any, language: str) -> str:
    """What a case's flag says, in ``language``: its message and parameters rendered from the locale's
    template; a case opened before flags carried them (no message) shows its stored English ``detail``.
    ``case`` is a :class:`Case`, a row of ``store.casework.cases()`` or a mapping with the same names."""

    def get(name: str) -> Any:
        value = case.get(name) if isinstance(case, Mapping) else getattr(case, name, None)
        return None if value is None or (isinstance(value, float) and value != value) else value

    message, params, detail = get("message"), get("detail_params"), get("detail")
    if isinstance(message, str) and message:
        from surveykit.quality.messages import render

        return render(message, params if isinstance(params, Mapping) else {}, language)
    return str(detail) if detail is not None else ""


def open_cases(store: Any, questionnaire_id: str, flags: pd.DataFrame, *, actor: Principal) -> list[Case]:
    """A case for every flag not seen before (never an exclusion: a person decides). Returns the new cases."""
    require(actor, "quality.decide")
    rows = []
    for flag in flags.reindex(columns=FLAG_COLUMNS).to_dict("records"):
        if flag["level"] not in ("interview", "interviewer", "institution"):
            continue
        rows.append({**flag, "key": case_key(questionnaire_id, flag), "questionnaire_id": questionnaire_id})
    return store.casework.open_cases(rows, by=actor.id)


# --- back-check selection ------------------------------------------------------------------------------------------
def plan_backchecks(
    interviews: pd.DataFrame,
    cases: pd.DataFrame,
    certified_since: Mapping[str, dt.datetime],
    already: pd.DataFrame,
    config: WorkflowConfig,
    *,
    questionnaire_id: str,
) -> pd.DataFrame:
    """Which interviews to queue (``interview_id, reason, case_id``), methodology D.3 — a pure function.

    ``interviews``: completed interviews (``interview_id, interviewer_id, started_at``); ``cases``: the cases
    (``id, level, interview_id``); ``certified_since``: each interviewer's first certificate issue;
    ``already``: back-checks there are (``interview_id, reason, status``). Flagged interviews first, then the
    first interviews after certification, then a random draw that tops each interviewer's random back-checks
    up to ``ceil(random_share * completed)``, from interviews not back-checked yet; the draw is seeded by
    the seed, questionnaire and interviewer, so it is the same on every run."""
    taken = (
        set(already.loc[already["status"].isin(("queued", "done")), "interview_id"])
        if len(already)
        else set()
    )
    plan: list[tuple[str, str, int | None]] = []

    def add(interview_id: str, reason: str, case_id: int | None) -> None:
        if interview_id not in taken:
            taken.add(interview_id)
            plan.append((interview_id, reason, case_id))

    known = set(interviews["interview_id"])
    if config.flagged_interviews and len(cases):
        flagged = cases[(cases["level"] == "interview") & cases["interview_id"].isin(known)]
        for row in flagged.sort_values("id").itertuples():
            add(row.interview_id, "flagged", int(row.id))
    ordered = interviews.sort_values(["started_at", "interview_id"])
    if config.first_interviews:
        for interviewer, part in ordered.groupby("interviewer_id", sort=True):
            since = certified_since.get(str(interviewer))
            if since is None:
                continue
            after = part[pd.to_datetime(part["started_at"], utc=True) >= pd.Timestamp(since)]
            for interview_id in after["interview_id"].head(config.first_interviews):
                add(interview_id, "new_interviewer", None)
    if config.random_share > 0:
        random_done = already[already["reason"] == "random"] if len(already) else already
        for interviewer, part in ordered.groupby("interviewer_id", sort=True):
            ids = list(part["interview_id"])
            target = math.ceil(config.random_share * len(ids) - 1e-9)
            have = int(random_done["interview_id"].isin(ids).sum()) if len(random_done) else 0
            pool = [i for i in ids if i not in taken]
            need = max(0, min(target - have, len(pool)))
            if need:
                rng = random.Random(f"{config.seed}/{questionnaire_id}/{interviewer}")
                for interview_id in sorted(rng.sample(pool, need), key=ids.index):
                    add(interview_id, "random", None)
    return pd.DataFrame(plan, columns=["interview_id", "reason", "case_id"]).astype({"case_id": "Int64"})


def _certified_since(store: Any) -> dict[str, dt.datetime]:
    first: dict[str, dt.datetime] = {}
    for cert in store.training.certificates():
        if cert.person_id and (cert.person_id not in first or cert.issued_at < first[cert.person_id]):
            first[cert.person_id] = cert.issued_at
    return first


@dataclass(frozen=True)
class QcRun:
    """What :func:`run_qc` did."""

    questionnaire_id: str
    interviews: int
    flags: int
    cases_opened: int
    cases_known: int
    queued: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire_id": self.questionnaire_id,
            "interviews": self.interviews,
            "flags": self.flags,
            "cases_opened": self.cases_opened,
            "cases_known": self.cases_known,
            "queued": dict(self.queued),
        }


def run_qc(
    store: Any,
    questionnaire_id: str,
    *,
    actor: Principal,
    flags: pd.DataFrame | None = None,
    config: WorkflowConfig | None = None,
) -> QcRun:
    """Checks → cases → back-check queue for one questionnaire (``flags``: given instead of running the
    checks). Safe to run again: known cases and back-checked interviews are left as they are."""
    require(actor, "quality.decide")
    config = _config(config)
    frame = store.interviews_frame(questionnaire_id, status=config.statuses)
    if flags is None:
        flags = run_checks_for(store, questionnaire_id, frame)
    opened = open_cases(store, questionnaire_id, flags, actor=actor)
    cases = store.casework.cases(questionnaire_id=questionnaire_id)
    plan = plan_backchecks(
        frame[["interview_id", "interviewer_id", "started_at"]] if len(frame) else frame,
        cases,
        _certified_since(store),
        store.casework.backchecks(),
        config,
        questionnaire_id=questionnaire_id,
    ) if len(frame) else pd.DataFrame(columns=["interview_id", "reason", "case_id"])  # fmt: skip
    store.casework.queue_backchecks(
        [
            (r.interview_id, r.reason, None if pd.isna(r.case_id) else int(r.case_id))
            for r in plan.itertuples()
        ],
        by=actor.id,
    )
    return QcRun(
        questionnaire_id,
        len(frame),
        len(flags),
        len(opened),
        len(flags) - len(opened),
        {
            reason: int((plan["reason"] == reason).sum())
            for reason in ("flagged", "new_interviewer", "random")
        },
    )


# --- the supervisor's decision ---------------------------------------------------------------------------------
def decide(store: Any, case_id: int, decision: str, *, actor: Principal, comment: str = "") -> Case:
    """``approve`` (no action needed; an interview still submitted is approved), ``reject`` (an interview's case
    only, with a comment: the interview goes back to its interviewer with the comment as the review note) or
    ``backcheck`` (the interview — or every interview of the interviewer or institution behind the case — is
    queued; the case closes when the back-checks are done). Every step is audited."""
    require(actor, "quality.decide")
    if decision not in DECISIONS:
        raise StoreError(
            ErrorCode.QC_DECISION_UNKNOWN,
            Location(field="decision", path=f"case #{case_id}"),
            decision=decision,
            suggestion=did_you_mean(decision, DECISIONS),
            allowed=", ".join(DECISIONS),
        )
    case = store.casework.case(case_id)
    where = Location(field="decision", path=f"case #{case.id}")
    if case.status == "closed":
        raise StoreError(ErrorCode.QC_CASE_CLOSED, where, case=case.id, resolution=case.resolution or "-")
    comment = (comment or "").strip()
    if decision == "reject":
        if case.level != "interview":
            raise StoreError(
                ErrorCode.QC_NOT_AN_INTERVIEW, where, case=case.id, level=case.level, subject=case.subject,
                decision="rejected",
            )  # fmt: skip
        if not comment:
            raise StoreError(ErrorCode.QC_REASON_REQUIRED, where, what="rejecting an interview")
        store.set_status(case.interview_id, "rejected", by=actor.id, note=comment)
        return store.casework.set_case(case.id, "closed", by=actor.id, resolution="rejected", note=comment)
    if decision == "approve":
        if case.level == "interview" and store.interview(case.interview_id).status == "submitted":
            store.set_status(
                case.interview_id, "approved", by=actor.id, note=comment or f"quality case #{case.id}"
            )
        return store.casework.set_case(
            case.id, "closed", by=actor.id, resolution="approved", note=comment or None
        )
    if case.level == "interview":
        ids = [case.interview_id]
    elif case.level == "interviewer":
        ids = store.casework.interviews_of(case.interviewer_id, questionnaire_id=case.questionnaire_id)
    else:
        frame = store.interviews_frame(case.questionnaire_id, institution_ids=[case.institution_id])
        ids = list(frame["interview_id"])
    store.casework.queue_backchecks([(i, "supervisor", case.id) for i in ids], by=actor.id)
    return store.casework.set_case(case.id, "backcheck", by=actor.id, note=comment or None)


# --- recording a back-check --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BackcheckResult:
    """A recorded back-check and its consequences."""

    backcheck: Backcheck
    falsification: bool
    excluded: bool
    suspended: tuple[str, ...]
    queued: int


def record_backcheck(
    store: Any,
    backcheck_id: int,
    outcome: str,
    *,
    actor: Principal,
    form: Mapping[str, Any] | None = None,
    method: str | None = None,
    notes: str | None = None,
    config: WorkflowConfig | None = None,
) -> BackcheckResult:
    """Record the outcome with the form's answers (:func:`validate_form`). A confirmed falsification (the
    ``falsification.outcomes`` of the settings) excludes the interview from ratings, queues every completed
    interview of its interviewer (reason ``falsification``) in the same transaction, then suspends each of
    the interviewer's valid certificates with the reason."""
    require(actor, "quality.decide")
    config = _config(config)
    if outcome not in BACKCHECK_OUTCOMES:
        raise StoreError(
            ErrorCode.QC_OUTCOME_UNKNOWN,
            Location(field="outcome", path=f"back-check #{backcheck_id}"),
            outcome=outcome,
            suggestion=did_you_mean(outcome, BACKCHECK_OUTCOMES),
            allowed=", ".join(BACKCHECK_OUTCOMES),
        )
    answers = validate_form(form or {}, config)
    check = store.casework.backcheck(backcheck_id)
    fake = outcome in config.falsification_outcomes
    before = len(store.casework.backchecks(status="queued"))
    reason = _falsification_reason(outcome, check.id, "en")
    recorded = store.casework.record_backcheck(
        check.id,
        outcome,
        form=answers,
        method=method,
        notes=(notes or "").strip() or None,
        checker_id=actor.id,
        by=actor.id,
        exclude_reason=reason if fake else None,
        requeue_interviewer=fake and config.requeue_all_interviews,
    )
    suspended: list[str] = []
    if fake and config.suspend_certificates:
        suspended = _suspend(store, store.interview(check.interview_id).interviewer_id, reason, actor)
    queued = len(store.casework.backchecks(status="queued")) - before + (1 if check.status == "queued" else 0)
    return BackcheckResult(recorded, fake, fake, tuple(suspended), max(0, queued))


def _falsification_reason(outcome: str, backcheck_id: int, language: str) -> str:
    """Why a back-check's outcome excluded an interview (``casework.exclusion_reason``): stored in English,
    shown in the UI's language by :func:`exclusion_reason`."""
    return t(
        "casework.exclusion_reason",
        language,
        outcome=t(f"casework.outcome.{outcome}", language),
        backcheck=backcheck_id,
    )


def exclusion_reason(exclusion: Exclusion | Mapping[str, Any] | Any, language: str) -> str:
    """An exclusion's reason in ``language``. The reason a confirmed falsification wrote (the outcome and the
    back-check, in English) is rendered again from those parts; a reason a person typed is shown as typed."""

    def get(name: str) -> Any:
        return exclusion.get(name) if isinstance(exclusion, Mapping) else getattr(exclusion, name, None)

    reason, backcheck_id = str(get("reason") or ""), get("backcheck_id")
    if backcheck_id is None or pd.isna(backcheck_id):
        return reason
    for outcome in BACKCHECK_OUTCOMES:
        if reason == _falsification_reason(outcome, int(backcheck_id), "en"):
            return _falsification_reason(outcome, int(backcheck_id), language)
    return reason


def _suspend(store: Any, person_id: str, reason: str, actor: Principal) -> list[str]:
    """Suspend every valid certificate of the person through the certificate registry (audited there)."""
    from surveykit.certificates.registry_store import StoreRegistry

    registry = StoreRegistry(store)
    by = actor.id  # a person of the store, or the operator at the command line (store/actors.py)
    now = utcnow()
    serials = [c.serial for c in store.training.certificates(person_id) if c.valid_at(now)]
    for serial in serials:
        registry.suspend(serial, reason=f"confirmed falsification: {reason}", by=by)
    return serials


# --- exclusions -----------------------------------------------------------------------------------------------------
def exclude(store: Any, interview_id: str, reason: str, *, actor: Principal) -> Exclusion:
    """Leave an interview out of ratings by hand (reversible; the reason is required and audited)."""
    require(actor, "quality.decide")
    return store.casework.exclude(interview_id, reason, by=actor.id)


def restore(store: Any, interview_id: str, reason: str, *, actor: Principal) -> Exclusion:
    """Lift an exclusion: the interview counts again; who, when and why are kept."""
    require(actor, "quality.decide")
    return store.casework.lift(interview_id, reason, by=actor.id)


# --- what counts for a rating --------------------------------------------------------------------------------------
def counted_interviews(store: Any, questionnaire_id: str, **filters: Any) -> pd.DataFrame:
    """The interviews that count for a rating: :meth:`Store.interviews_frame` (submitted and approved real
    interviews unless ``filters`` say otherwise) without the interviews excluded by quality control. Every
    rating, dashboard and report reads the store through this function."""
    frame = store.interviews_frame(questionnaire_id, **filters)
    excluded = store.casework.excluded_ids(questionnaire_id)
    if not excluded or frame.empty:
        return frame
    return frame[~frame["interview_id"].astype(str).isin(excluded)].reset_index(drop=True)


def exclusion_effect(
    store: Any, profile: Any = None, period: str | Sequence[str] | None = None, *, actor: Principal
) -> pd.DataFrame:
    """Per institution and period: the score ``S`` and rank with every interview (``S_all``, ``rank_all``) and
    without the excluded ones (``S_counted``, ``rank_counted``), ``delta = S_counted - S_all``,
    ``rank_change`` (positive: moved up once the exclusions apply) and ``excluded`` (interviews left out)."""
    from surveykit.dashboard.sources import StoreSource
    from surveykit.scoring import DEFAULT_PROFILE
    from surveykit.scoring.profile import load_profile
    from surveykit.scoring.rating import rate

    require(actor, "quality.read")
    profile = load_profile(profile or DEFAULT_PROFILE)
    tables = {}
    for name, counted in (("all", False), ("counted", True)):
        frames, institutions, _ = StoreSource(store, counted=counted).rating_inputs(profile)
        rating = rate(profile, frames, institutions=institutions, periods=period)
        tables[name] = rating.table[["institution_id", "period", "S", "rank"]].rename(
            columns={"S": f"S_{name}", "rank": f"rank_{name}"}
        )
    out = tables["all"].merge(tables["counted"], on=["institution_id", "period"], how="outer")
    out["delta"] = (out["S_counted"] - out["S_all"]).round(2)
    out["rank_change"] = (out["rank_all"] - out["rank_counted"]).astype("Int64")
    excluded = store.casework.exclusions(active=True)
    excluded = excluded[excluded["questionnaire_id"].isin(list(profile.sources))]
    counts = excluded.groupby(["institution_id", "period"]).size().rename("excluded").reset_index()
    out = out.merge(counts, on=["institution_id", "period"], how="left")
    out["excluded"] = out["excluded"].fillna(0).astype(int)
    names = {i.id: i.name for i in store.institutions()}
    out.insert(1, "name", out["institution_id"].map(names))
    columns = ["institution_id", "name", "period", "S_all", "S_counted", "delta", "rank_all", "rank_counted",
               "rank_change", "excluded"]  # fmt: skip
    return out.sort_values(["period", "rank_counted", "institution_id"]).reset_index(drop=True)[columns]


# --- views for supervisors and sociologists -----------------------------------------------------------------------
def flags_by_interviewer(
    store: Any, questionnaire_id: str | None = None, *, actor: Principal
) -> pd.DataFrame:
    """Cases per interviewer and rule (rows: interviewers; columns: rules; plus ``open`` and ``total``)."""
    require(actor, "quality.read")
    cases = store.casework.cases(questionnaire_id=questionnaire_id)
    cases = cases[cases["interviewer_id"].notna()]
    if cases.empty:
        return pd.DataFrame(columns=["interviewer_id", "open", "total"])
    table = pd.crosstab(cases["interviewer_id"], cases["rule"])
    table["open"] = cases[cases["status"] != "closed"].groupby("interviewer_id").size()
    table["open"] = table["open"].fillna(0).astype(int)
    table["total"] = cases.groupby("interviewer_id").size()
    return table.reset_index().rename_axis(columns=None)


#: one colour per rule of the flags chart, in the order of the chart's columns (then again)
RULE_COLOURS = ("#2b6cb0", "#dd6b20", "#2f855a", "#c53030", "#6b46c1", "#b7791f", "#319795", "#d53f8c")


def flags_legend(table: pd.DataFrame, language: str = "en") -> list[tuple[str, str]]:
    """The rules of :func:`flags_chart` as (name in ``language``, colour), in the chart's order: the apps draw
    this legend as text beside the chart (a chart drawn in a hidden tab measures its own legend's texts as
    empty, and plotly then cut the legend to single letters or drew its entries over each other)."""
    rules = [c for c in table.columns if c not in ("interviewer_id", "open", "total")]
    return [(_rule_name(rule, language), RULE_COLOURS[i % len(RULE_COLOURS)]) for i, rule in enumerate(rules)]


def flags_chart(table: pd.DataFrame, language: str = "en", names: Mapping[str, str] | None = None) -> Any:
    """A stacked bar chart of :func:`flags_by_interviewer`: one bar per interviewer, one colour per rule
    (:func:`flags_legend` names the colours)."""
    import plotly.graph_objects as go

    from surveykit.i18n import t

    names = names or {}
    rules = [c for c in table.columns if c not in ("interviewer_id", "open", "total")]
    who = [names.get(i, i) for i in table["interviewer_id"]]
    legend = flags_legend(table, language)
    figure = go.Figure(
        [
            go.Bar(
                name=name,
                x=who,
                y=table[rule],
                marker_color=colour,
                hovertemplate=f"{name} · %{{x}}: %{{y}}<extra></extra>",
            )
            for rule, (name, colour) in zip(rules, legend, strict=True)
        ]
    )
    figure.update_layout(
        barmode="stack",
        title=t("casework.chart_title", language),
        xaxis_title=t("casework.col_interviewer", language),
        yaxis_title=t("casework.chart_cases", language),
        showlegend=False,  # drawn as text by the app (flags_legend)
        # names of interviewers tilt when there are many and get the room they need
        xaxis={"automargin": True, "tickangle": -30 if len(who) > 6 else 0},
        yaxis={"automargin": True},
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        height=420,
        autosize=True,
    )
    return figure


def _rule_name(rule: str, language: str) -> str:
    from surveykit.i18n import t

    key = f"casework.rule.{rule}"
    text = t(key, language)
    return rule.replace("_", " ") if text == key else text


def backcheck_progress(store: Any, questionnaire_id: str | None = None, *, actor: Principal) -> pd.DataFrame:
    """Per interviewer: back-checks queued, done, and done by outcome (one column per outcome)."""
    require(actor, "quality.read")
    checks = store.casework.backchecks(questionnaire_id=questionnaire_id)
    columns = ["interviewer_id", "queued", "done", *BACKCHECK_OUTCOMES]
    if checks.empty:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(index=pd.Index(sorted(checks["interviewer_id"].unique()), name="interviewer_id"))
    for status in ("queued", "done"):
        table[status] = checks[checks["status"] == status].groupby("interviewer_id").size()
    for outcome in BACKCHECK_OUTCOMES:
        table[outcome] = checks[checks["outcome"] == outcome].groupby("interviewer_id").size()
    return table.fillna(0).astype(int).reset_index()[columns]
