"""Assignments of interviewers to institutions: a target number of interviews per period.

  surveykit assignments import FILE               interviewer_id, institution_id, questionnaire_id, period,
                                                   target (CSV or XLSX); all or nothing, every bad row
                                                   reported with its row; existing assignments get the new
                                                   target (the export's extra columns are ignored)
  surveykit assignments export FILE [--period P]  .csv, .xlsx or .sav, with names, done and remaining
  surveykit assignments list [--period P]         done against target

docs/fieldwork.md, "Assignments". The database is SURVEYKIT_DATABASE_URL or --url.
"""

from __future__ import annotations

import argparse

from surveykit.cli.output import print_json
from surveykit.errors import ConfigError, ErrorCode, Location
from surveykit.i18n import t

NAME = "assignments"
HELP = "assignments of interviewers: import (CSV/XLSX, all or nothing), export, list"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("import", "export", "list"), help="what to do")
    parser.add_argument("file", nargs="?", help="import: the file to read; export: where to write")
    parser.add_argument("--period", help="export, list: only this period")
    parser.add_argument("--url", help="database URL (default: the database_url setting)")
    parser.add_argument("--by", help="who is recorded in the audit log (default: operator)")


def run(args: argparse.Namespace) -> int:
    from surveykit.access import OPERATOR, require
    from surveykit.fieldwork.campaign import assignments_frame, export_assignments, import_assignments
    from surveykit.store import Store

    if args.action in ("import", "export") and not args.file:
        raise ConfigError(ErrorCode.OPTION_CONFLICT, Location(), detail=f"assignments {args.action} needs a FILE",
                          fix=f"Run `surveykit assignments {args.action} assignments.xlsx`.")  # fmt: skip
    require(OPERATOR, "interviews.read_all" if args.action != "import" else "fieldwork.manage")
    with Store.open(args.url) as store:
        if args.action == "import":
            count = import_assignments(store, args.file, by=args.by or OPERATOR.id)
            if args.json:
                print_json({"ok": True, "file": args.file, "assignments": count})
            else:
                print(t("fieldwork.cli_assignments", args.lang, file=args.file, count=count))
            return 0
        if args.action == "export":
            path, count = export_assignments(store, args.file, period=args.period)
            if args.json:
                print_json({"ok": True, "written": str(path), "assignments": count})
            else:
                print(t("fieldwork.cli_written", args.lang, path=str(path), rows=count))
            return 0
        frame = assignments_frame(store, period=args.period)
        if args.json:
            print_json({"ok": True, "rows": frame.astype(object).to_dict("records")})
        elif frame.empty:
            print(t("fieldwork.cli_no_assignments", args.lang))
        else:
            print(frame.to_string(index=False))
    return 0
