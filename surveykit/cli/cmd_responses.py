"""Import and export interviews (CSV or JSON) for data collected elsewhere, e.g. paper forms keyed later.

  surveykit responses import FILE --questionnaire ID[@VERSION] [--skip-invalid] [--map OLD=NEW ...]
  surveykit responses export --questionnaire ID[@VERSION] --format csv|json -o FILE

An import is all or nothing: any problem and nothing is written, and every problem is listed with its row
(in a CSV file the line, the header being row 1) and column. With --skip-invalid the valid rows are imported
and the rejected rows listed. Columns: interview_id (empty: one is made), institution_id, interviewer_id,
mode, language, started_at, submitted_at, period, proxy, practice, status, then one column per question
(choice names; multiple choice space-separated) and, for repeat groups, one per instance (relatives[2]/rel_age).
Interviews are checked against the interviewers' certificates unless --no-certification-check is given
(recorded in the audit log). See docs/store.md.
"""

from __future__ import annotations

import argparse

from surveykit.cli.output import print_json, print_report

NAME = "responses"
HELP = "import and export interviews (CSV, JSON)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("import", "export"), help="what to do")
    parser.add_argument("file", nargs="?", metavar="FILE", help="the file to import")
    parser.add_argument(
        "--questionnaire", "-q", required=True, metavar="ID[@VERSION]", help="the questionnaire"
    )
    parser.add_argument("--format", choices=("csv", "json"), help="file format (default: from the extension)")
    parser.add_argument("--url", help="database URL (default: the database_url setting)")
    group = parser.add_argument_group("import")
    group.add_argument(
        "--skip-invalid", action="store_true", help="import the valid rows, list the rejected ones"
    )
    group.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="rename a column of the file (repeatable)",
    )
    for option, meta in (
        ("institution", "ID"),
        ("interviewer", "ID"),
        ("mode", "MODE"),
        ("period", "PERIOD"),
        ("language", "CODE"),
    ):
        group.add_argument(
            f"--{option}", metavar=meta, help=f"{option} of rows whose file has no {option} value"
        )
    group.add_argument(
        "--no-certification-check",
        action="store_true",
        help="accept interviews by interviewers without a valid certificate (recorded in the audit log)",
    )
    group.add_argument("--by", metavar="PERSON", help="person id recorded in the audit log")
    group = parser.add_argument_group("export")
    group.add_argument("-o", "--output", metavar="FILE", help="the file to write")
    group.add_argument(
        "--status",
        action="append",
        metavar="STATUS",
        help="statuses to export (repeatable; default submitted, approved)",
    )
    group.add_argument(
        "--practice", action="store_true", help="export practice interviews instead of real ones"
    )


def _usage_error(args: argparse.Namespace, detail: str, fix: str) -> int:
    from surveykit.errors import ErrorCode, Location, Report

    report = Report()
    report.add(ErrorCode.OPTION_CONFLICT, Location(), detail=detail, fix=fix)
    if args.json:
        print_json({"ok": False, "problems": report.to_dicts()})
    else:
        print_report(report, args.lang)
    return 2


def run(args: argparse.Namespace) -> int:
    from surveykit.store import Store

    if args.action == "import":
        if not args.file:
            return _usage_error(
                args, "import needs a FILE", "Run `surveykit responses import forms.csv -q ID`."
            )
        mapping = {}
        for item in args.map:
            old, sep, new = item.partition("=")
            if not sep or not old or not new:
                return _usage_error(args, f"--map '{item}' is not OLD=NEW", "Write e.g. --map Q5=age.")
            mapping[old] = new
        defaults = {
            "institution_id": args.institution,
            "interviewer_id": args.interviewer,
            "mode": args.mode,
            "period": args.period,
            "language": args.language,
        }
        with Store.open(args.url, enforce_certification=not args.no_certification_check) as store:
            result = store.import_responses(
                args.file,
                args.questionnaire,
                format=args.format,
                skip_invalid=args.skip_invalid,
                defaults={k: v for k, v in defaults.items() if v is not None},
                column_map=mapping,
                by=args.by,
            )
        if args.json:
            print_json({"ok": True, **result.to_dict()})
            return 0
        if result.report.problems:
            result.report.subject = f"{args.file}: rejected rows {', '.join(map(str, result.rejected_rows))}"
            print_report(result.report, args.lang)
        print(
            f"{args.file}: imported {result.imported} interview(s) into {result.questionnaire}"
            f" ({result.duplicates} already stored, {len(result.rejected_rows)} row(s) rejected)"
        )
        return 0
    if not args.output:
        return _usage_error(
            args, "export needs -o FILE", "Run `surveykit responses export -q ID -o out.csv`."
        )
    with Store.open(args.url) as store:
        count = store.export_responses(
            args.questionnaire,
            args.output,
            format=args.format,
            status=tuple(args.status) if args.status else ("submitted", "approved"),
            practice=bool(args.practice),
        )
    if args.json:
        print_json({"ok": True, "file": args.output, "interviews": count})
    else:
        print(f"{args.output}: {count} interview(s) of {args.questionnaire}")
    return 0
