"""Check questionnaire files: syntax, structure, expressions, translations and logic.

Every problem is listed with its location (file:line, or workbook sheet and row), what is wrong and how to
fix it. Exit code 1 when any file has errors (warnings alone pass unless --strict).
"""

from __future__ import annotations

import argparse

from surveykit.cli.output import print_json, print_report
from surveykit.questionnaire.io import read_questionnaire

NAME = "validate"
HELP = "check questionnaire files (YAML, JSON, XLSForm)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="questionnaire files")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument(
        "--skip-unsupported",
        action="store_true",
        help="XLSForm: check the form without the questions of types surveykit does not collect",
    )


def run(args: argparse.Namespace) -> int:
    failed = False
    results = []
    for file in args.files:
        result = read_questionnaire(file, skip_unsupported=args.skip_unsupported)
        bad = bool(result.report.errors) or (args.strict and bool(result.report.warnings))
        failed |= bad
        if args.json:
            results.append({"file": file, "ok": not bad, "problems": result.report.to_dicts()})
        else:
            result.report.subject = file
            print_report(result.report, args.lang)
    if args.json:
        print_json({"ok": not failed, "files": results})
    return 1 if failed else 0
