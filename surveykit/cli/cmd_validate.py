"""Check the files you edit: questionnaires, methodology profiles, quality-control rules and workflow, the
training course, item bank, certification rules, checklists, calibration cases, personas and certificate
templates. A folder is checked file by file, everything under it.

Each file is checked as its own kind, told by its `kind:` line, its place (methodology/*.yaml,
training/items/*.yaml ...) or its content; --kind names it. Every problem is listed with its location
(file:line, or workbook sheet and row), what is wrong and how to fix it. Exit code 1 when any file has
errors (warnings alone pass unless --strict).
"""

from __future__ import annotations

import argparse

from surveykit.cli.output import print_json, print_report
from surveykit.errors import ErrorCode
from surveykit.filekinds import KINDS, title, validate_paths
from surveykit.i18n import t

NAME = "validate"
HELP = "check the files you edit: questionnaires, profiles, QC rules, course, item bank, checklists ..."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", metavar="PATH", help="files, or folders to check everything under"
    )
    parser.add_argument(
        "--kind",
        choices=sorted(KINDS),
        metavar="KIND",
        help=f"read every file as this kind: {', '.join(sorted(KINDS))} (default: recognise each file)",
    )
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument(
        "--skip-unsupported",
        action="store_true",
        help="XLSForm: check the form without the questions of types surveykit does not collect",
    )


def run(args: argparse.Namespace) -> int:
    results = validate_paths(args.files, kind=args.kind, skip_unsupported=args.skip_unsupported)
    failed = False
    files = []
    for checked in results:
        bad = not checked.report.ok or (args.strict and bool(checked.report.warnings))
        failed |= bad
        if args.json:
            files.append(dict(checked.to_dict(), ok=not bad))
        else:
            if checked.kind:
                kind = title(checked.kind, args.lang)
            elif {p.code for p in checked.report} & {ErrorCode.KIND_UNKNOWN, ErrorCode.KIND_INVALID}:
                kind = t("validate.kind.none", args.lang)
            else:
                kind = t("validate.kind.unread", args.lang)
            checked.report.subject = f"{checked.path} ({kind})"
            print_report(checked.report, args.lang)
    if args.json:
        print_json({"ok": not failed, "files": files})
    elif len(results) > 1:
        failing = sum(1 for c in results if not c.report.ok or (args.strict and c.report.warnings))
        print(t("validate.summary", args.lang, files=len(results), failing=failing))
    return 1 if failed else 0
