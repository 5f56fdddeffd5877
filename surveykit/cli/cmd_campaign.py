"""The campaign plan: sample targets per institution from the methodology profile's sample rule and the
register's recipient counts, allocated to interviewers as assignments.

  surveykit campaign plan --period 2026 [--questionnaire recipient_survey] [--profile ru_nok_344n_2018]
                          [--override kcson_sev=45 ...] [--interviewers anna,boris] [--institutions a,b]
                          [--per-institution 2] [--dry-run]

Targets: the profile's ``sample:`` rule (e.g. 40 % of the recipients, at most 600) unless overridden
(``INSTITUTION=N``; ``INSTITUTION=rule`` goes back to the rule; an override stays until changed). Institutions
keep the interviewers they have in the period; new ones go to the least-loaded interviewers nearby. The plan
is written to the store (targets and assignments, audited) unless --dry-run, and shown as a table.
docs/fieldwork.md, "The campaign plan".
"""

from __future__ import annotations

import argparse

from surveykit.cli.output import print_json
from surveykit.errors import ConfigError, ErrorCode, Location
from surveykit.i18n import t

NAME = "campaign"
HELP = "plan a campaign: sample targets from the profile's sample rule, allocated to interviewers"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("plan",), help="what to do")
    parser.add_argument("--period", help="the campaign's period, e.g. 2026 (required)")
    parser.add_argument("--questionnaire", help="the respondents' questionnaire (default: the profile's)")
    parser.add_argument("--profile", help="the methodology profile (default: the default profile)")
    parser.add_argument("--override", action="append", default=[], help="INSTITUTION=N or INSTITUTION=rule")
    parser.add_argument(
        "--interviewers", help="comma-separated person ids (default: every active interviewer)"
    )
    parser.add_argument(
        "--institutions", help="comma-separated institution ids (default: the whole register)"
    )
    parser.add_argument(
        "--per-institution", type=int, help="interviewers per new institution (default: rules)"
    )
    parser.add_argument("--dry-run", action="store_true", help="show the plan without writing it")
    parser.add_argument("--url", help="database URL (default: the database_url setting)")
    parser.add_argument("--by", help="who is recorded in the audit log (default: operator)")


def _list(text: str | None) -> list[str] | None:
    items = [x.strip() for x in (text or "").split(",") if x.strip()]
    return items or None


def run(args: argparse.Namespace) -> int:
    from surveykit.access import OPERATOR, require
    from surveykit.cli.output import print_report
    from surveykit.errors import Report
    from surveykit.fieldwork.campaign import plan_campaign
    from surveykit.store import Store

    if not args.period:
        raise ConfigError(ErrorCode.OPTION_CONFLICT, Location(), detail="campaign plan needs --period",
                          fix="Run `surveykit campaign plan --period 2026`.")  # fmt: skip
    require(OPERATOR, "fieldwork.manage")
    with Store.open(args.url) as store:
        plan = plan_campaign(
            store, args.period, questionnaire_id=args.questionnaire, profile=args.profile,
            overrides=args.override, interviewers=_list(args.interviewers), institutions=_list(args.institutions),
            per_institution=args.per_institution, dry_run=args.dry_run, by=args.by or OPERATOR.id,
        )  # fmt: skip
        if args.json:
            print_json({"ok": True, **plan.to_dict()})
            return 0
        names = {p.id: p.display_name for p in store.people()}
        frame = plan.frame(names)
        print(
            frame.astype(object).fillna("").to_string(index=False)
            if len(frame)
            else t("fieldwork.cli_plan_empty", args.lang)
        )
        if plan.skipped:
            print(t("fieldwork.cli_plan_skipped", args.lang, ids=", ".join(plan.skipped)))
        if plan.warnings:
            print_report(Report(plan.warnings), args.lang, quiet_ok=True)
        key = "fieldwork.cli_plan_written" if plan.written else "fieldwork.cli_plan_dry"
        print(t(key, args.lang, period=plan.period, institutions=len(plan.rows), total=plan.total,
                profile=plan.profile_id))  # fmt: skip
    return 0
