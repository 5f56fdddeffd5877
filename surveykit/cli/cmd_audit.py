"""The append-only audit log: who changed what, when.

  surveykit audit show [--actor P] [--entity E] [--entity-id ID] [--action A] [--since D] [--until D] [--limit N]
  surveykit audit export --format csv|jsonl -o FILE [the same filters]

Dates are YYYY-MM-DD (both ends included) or ISO times (UTC). The export is the one of the admin app.
"""

from __future__ import annotations

import argparse
import json

from surveykit.cli.output import print_json
from surveykit.errors import ConfigError, ErrorCode, Location

NAME = "audit"
HELP = "administrators: show or export the audit log (who changed what, when)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", metavar="show|export", choices=("show", "export"), help="what to do")
    parser.add_argument("--url", help="database URL (default: the database_url setting)")
    parser.add_argument("--actor", help="who (a person id)")
    parser.add_argument(
        "--entity", help="what kind of thing: person, interview, certificate, questionnaire, ..."
    )
    parser.add_argument("--entity-id", help="which one")
    parser.add_argument("--action", help="the action, e.g. set_roles, sign_in_failed, submit")
    parser.add_argument("--since", help="from this day or time (YYYY-MM-DD, included)")
    parser.add_argument("--until", help="to this day or time (YYYY-MM-DD, included)")
    parser.add_argument(
        "--limit", type=int, default=50, help="show: the newest N entries (default 50; 0: all)"
    )
    parser.add_argument("--format", choices=("csv", "jsonl"), help="export: the format (default from -o)")
    parser.add_argument("-o", "--output", metavar="FILE", help="export: the file to write")


def run(args: argparse.Namespace) -> int:
    from surveykit.access import OPERATOR, require
    from surveykit.store import Store
    from surveykit.store.audit_export import audit_text, period_bounds, write_audit

    require(OPERATOR, "audit.read")
    filters = {
        key: value
        for key, value in (
            ("actor", args.actor),
            ("entity", args.entity),
            ("entity_id", args.entity_id),
            ("action", args.action),
        )
        if value
    }
    filters.update(period_bounds(args.since, args.until))
    with Store.open(args.url) as store:
        frame = store.audit_frame(**filters)
    if args.task == "export":
        if not args.output:
            raise ConfigError(
                ErrorCode.OPTION_CONFLICT,
                Location(field="output"),
                detail="export needs -o FILE",
                fix="Run `surveykit audit export --format csv -o exports/audit.csv`.",
            )
        count = write_audit(frame, args.output, args.format)
        if args.json:
            print_json({"ok": True, "file": args.output, "entries": count})
        else:
            print(f"{args.output}: {count} audit entries written")
        return 0
    if args.limit:
        frame = frame.tail(args.limit)
    if args.json:
        print_json(
            {"ok": True, "entries": [json.loads(line) for line in audit_text(frame, "jsonl").splitlines()]}
        )
        return 0
    for line in audit_text(frame, "jsonl").splitlines():
        entry = json.loads(line)
        details = json.dumps(entry["details"], ensure_ascii=False) if entry["details"] else ""
        print(
            f"{entry['at'][:19]}  {entry['actor'] or '(system)':<12} {entry['action']:<18} "
            f"{entry['entity']} {entry['entity_id']}  {details}".rstrip()
        )
    print(f"{len(frame)} entries")
    return 0
