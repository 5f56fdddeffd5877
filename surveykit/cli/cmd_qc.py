"""Quality control after the checks: cases, back-checks, exclusions from ratings (methodology D.3, D.4).

  surveykit qc run QUESTIONNAIRE                      checks → cases → back-check queue; prints a summary
  surveykit qc cases [QUESTIONNAIRE] [--status open]  the cases
  surveykit qc decide CASE approve|reject|backcheck [--comment TEXT]
  surveykit qc backchecks [QUESTIONNAIRE] [--status queued]
  surveykit qc record BACKCHECK --outcome OUTCOME [--answer happened=no ...] [--method telephone] [--notes TEXT]
  surveykit qc exclude INTERVIEW --reason TEXT        leave an interview out of ratings (reversible)
  surveykit qc restore INTERVIEW --reason TEXT        count it again
  surveykit qc exclusions                             the interviews excluded now
  surveykit qc effect [--period 2026] [--profile ID]  each institution's rating with and without exclusions

The command line acts as the operator (surveykit.access.OPERATOR); the rules are surveykit.casework's and the
settings questionnaires/quality/workflow.yaml. The database is SURVEYKIT_DATABASE_URL or --url.
"""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from surveykit.cli.output import print_json
from surveykit.errors import ErrorCode, Location, SurveykitError
from surveykit.i18n import t

NAME = "qc"
HELP = "quality control: run the checks into cases, decide cases, record back-checks, exclude or restore interviews"

ACTIONS = ("run", "cases", "decide", "backchecks", "record", "exclude", "restore", "exclusions", "effect")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="what to do")
    parser.add_argument(
        "values",
        nargs="*",
        help="run: QUESTIONNAIRE; cases/backchecks: [QUESTIONNAIRE]; decide: CASE DECISION; record: BACKCHECK; "
        "exclude/restore: INTERVIEW",
    )
    parser.add_argument("--url", help="database URL (default: the database_url setting)")
    parser.add_argument("--status", help="cases: open, backcheck, closed; backchecks: queued, done")
    parser.add_argument("--outcome", help="record: " + "confirmed_ok, minor_deviation, protocol_breach, "
                        "partial_falsification, full_falsification, unreachable")  # fmt: skip
    parser.add_argument(
        "--answer", action="append", default=[], help="record: a form answer code=value (repeatable)"
    )
    parser.add_argument("--method", help="record: telephone or visit")
    parser.add_argument("--notes", help="record: the checker's notes")
    parser.add_argument("--comment", default="", help="decide: the comment (needed to reject)")
    parser.add_argument("--reason", help="exclude/restore: why (required)")
    parser.add_argument("--period", help="effect: the period to rate")
    parser.add_argument("--profile", help="effect: the methodology profile (default: the default profile)")


def _usage(detail: str, fix: str) -> SurveykitError:
    return SurveykitError(ErrorCode.OPTION_CONFLICT, Location(), detail=detail, fix=fix)


def _need(args: argparse.Namespace, count: int, what: str, example: str) -> list[str]:
    if len(args.values) < count:
        raise _usage(f"qc {args.action} needs {what}", f"Run `surveykit qc {args.action} {example}`.")
    return args.values


def run(args: argparse.Namespace) -> int:
    from surveykit.store import Store

    with Store.open(args.url) as store:
        return globals()[f"_{args.action}"](args, store)


def _show(args: argparse.Namespace, frame: pd.DataFrame, columns: list[str]) -> int:
    frame = frame[[c for c in columns if c in frame.columns]]
    if args.json:
        print_json({"ok": True, "rows": frame.astype(object).where(frame.notna(), None).to_dict("records")})
    elif frame.empty:
        print(t("casework.cli_none", args.lang))
    else:
        print(frame.to_string(index=False))
    return 0


def _run(args: argparse.Namespace, store: Any) -> int:
    from surveykit.access import OPERATOR
    from surveykit.casework import run_qc

    (questionnaire, *_) = _need(args, 1, "a QUESTIONNAIRE", "recipient_survey")
    result = run_qc(store, questionnaire, actor=OPERATOR)
    if args.json:
        print_json({"ok": True, **result.to_dict()})
        return 0
    print(
        t("casework.cli_run", args.lang, questionnaire=questionnaire, interviews=result.interviews,
          flags=result.flags, opened=result.cases_opened, known=result.cases_known,
          flagged=result.queued["flagged"], new=result.queued["new_interviewer"], random=result.queued["random"])
    )  # fmt: skip
    return 0


def _cases(args: argparse.Namespace, store: Any) -> int:
    from surveykit.casework import case_detail

    frame = store.casework.cases(status=args.status, questionnaire_id=args.values[0] if args.values else None)
    if len(frame):  # in the language asked for (--lang); the stored English text for old rows
        frame["detail"] = [case_detail(row, args.lang) for row in frame.to_dict("records")]
    columns = ["id", "status", "rule", "level", "interviewer_id", "institution_id", "interview_id", "detail",
               "resolution", "note"]  # fmt: skip
    return _show(args, frame, columns)


def _decide(args: argparse.Namespace, store: Any) -> int:
    from surveykit.access import OPERATOR
    from surveykit.casework import decide

    case, decision = _need(args, 2, "a CASE and a DECISION", "12 reject --comment 'q5 is empty'")[:2]
    result = decide(store, _number(case, "case"), decision, actor=OPERATOR, comment=args.comment)
    if args.json:
        print_json({"ok": True, "case": result.id, "status": result.status, "resolution": result.resolution})
    else:
        print(t("casework.cli_decided", args.lang, case=result.id, status=result.status,
                resolution=result.resolution or ""))  # fmt: skip
    return 0


def _backchecks(args: argparse.Namespace, store: Any) -> int:
    frame = store.casework.backchecks(
        status=args.status, questionnaire_id=args.values[0] if args.values else None
    )
    columns = [
        "id",
        "status",
        "reason",
        "interviewer_id",
        "institution_id",
        "interview_id",
        "outcome",
        "case_id",
    ]
    return _show(args, frame, columns)


def _record(args: argparse.Namespace, store: Any) -> int:
    from surveykit.access import OPERATOR
    from surveykit.casework import record_backcheck

    (backcheck, *_) = _need(args, 1, "a BACKCHECK id", "7 --outcome confirmed_ok --answer happened=yes")
    if not args.outcome:
        raise _usage("qc record needs --outcome", "Add --outcome confirmed_ok (or another outcome).")
    form: dict[str, str] = {}
    for pair in args.answer:
        code, sep, value = pair.partition("=")
        if not sep:
            raise _usage(f"--answer '{pair}' is not code=value", "Write e.g. --answer happened=yes.")
        form[code.strip()] = value.strip()
    result = record_backcheck(
        store, _number(backcheck, "back-check"), args.outcome, actor=OPERATOR, form=form, method=args.method,
        notes=args.notes,
    )  # fmt: skip
    if args.json:
        print_json({"ok": True, "backcheck": result.backcheck.id, "outcome": result.backcheck.outcome,
                    "excluded": result.excluded, "suspended": list(result.suspended), "queued": result.queued})  # fmt: skip
        return 0
    print(t("casework.cli_recorded", args.lang, id=result.backcheck.id, outcome=result.backcheck.outcome))
    if result.falsification:
        print(t("casework.cli_consequences", args.lang, queued=result.queued,
                serials=", ".join(result.suspended) or "-"))  # fmt: skip
    return 0


def _exclude(args: argparse.Namespace, store: Any) -> int:
    return _change(args, store, "exclude")


def _restore(args: argparse.Namespace, store: Any) -> int:
    return _change(args, store, "restore")


def _change(args: argparse.Namespace, store: Any, what: str) -> int:
    from surveykit import casework
    from surveykit.access import OPERATOR

    (interview, *_) = _need(args, 1, "an INTERVIEW id", "0b6c… --reason 'duplicate of 4f2a…'")
    record = getattr(casework, what)(store, interview, args.reason or "", actor=OPERATOR)
    reason = record.reason if what == "exclude" else record.lift_reason
    if args.json:
        print_json(
            {"ok": True, "interview": record.interview_id, "excluded": record.active, "reason": reason}
        )
    else:
        key = "casework.cli_excluded" if what == "exclude" else "casework.cli_restored"
        print(t(key, args.lang, interview=record.interview_id, reason=reason))
    return 0


def _exclusions(args: argparse.Namespace, store: Any) -> int:
    columns = ["interview_id", "questionnaire_id", "interviewer_id", "institution_id", "period", "reason",
               "excluded_by", "excluded_at"]  # fmt: skip
    return _show(args, store.casework.exclusions(active=True), columns)


def _effect(args: argparse.Namespace, store: Any) -> int:
    from surveykit.access import OPERATOR
    from surveykit.casework import exclusion_effect

    frame = exclusion_effect(store, args.profile, args.period, actor=OPERATOR)
    return _show(args, frame, list(frame.columns))


def _number(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _usage(
            f"'{text}' is not a {what} number", f"Give the {what}'s number (see `surveykit qc`)."
        ) from None
