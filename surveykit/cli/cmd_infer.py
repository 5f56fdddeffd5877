"""Make a questionnaire from a data file (SPSS .sav/.zsav, Stata .dta, CSV, Excel .xlsx) to start from.

Variable labels become question texts, value labels choice lists, formats and measurement levels question
types (dates, times, Likert scales), declared missing values (SPSS user-missing, Stata .a-.z) coded missing
choices, and 0/1 variables q5_1..q5_n with a common label stem one multiple choice. Names SPSS/Stata
cannot use as codes (str, 64-byte names) are cleaned; the import still finds the original columns. The
file is valid at once and meant to be edited: a comment above every question says what was guessed.

    surveykit infer legacy.sav -o questionnaires/legacy.yaml
    surveykit validate questionnaires/legacy.yaml
    surveykit db publish questionnaires/legacy.yaml
    surveykit import legacy.sav --questionnaire legacy

Exit code 1 when the file cannot be read or the output exists (use --force to replace it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from surveykit.cli.output import print_json, print_report
from surveykit.errors import ErrorCode, ExportError, Location
from surveykit.i18n import t

NAME = "infer"
HELP = "make a questionnaire from an SPSS, Stata, CSV or Excel data file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="data file (.sav, .zsav, .dta, .csv, .xlsx)")
    parser.add_argument(
        "-o", "--output", metavar="FILE.yaml", help="questionnaire file to write (default: print it)"
    )
    parser.add_argument("--id", help="questionnaire id (default: from the file name)")
    parser.add_argument("--title", help="questionnaire title (default: the file's label or name)")
    parser.add_argument(
        "--language",
        metavar="CODE",
        help="language of the file's texts (default: ru when they have Cyrillic letters, else en)",
    )
    parser.add_argument("--sheet", help="Excel: the sheet with the data (default: interviews, data or first)")
    parser.add_argument("--encoding", metavar="NAME", help="CSV: the file's encoding, e.g. cp1251")
    parser.add_argument("--force", action="store_true", help="replace the output file if it exists")


def run(args: argparse.Namespace) -> int:
    from surveykit.exchange.infer import infer_questionnaire

    output = Path(args.output) if args.output else None
    if output is not None and output.exists() and not args.force:
        raise ExportError(
            ErrorCode.OPTION_CONFLICT,
            Location(file=str(output)),
            detail=t("files.infer.exists", args.lang, path=str(output)),
            fix=t("files.infer.exists_fix", args.lang),
        )
    result = infer_questionnaire(
        args.file,
        id=args.id,
        title=args.title,
        language=args.language,
        sheet=args.sheet,
        encoding=args.encoding,
    )
    comments = args.lang if args.lang in ("en", "ru") else "en"
    if output is not None:
        result.write(output, comments)
    questions = len(result.questionnaire.questions())
    if args.json:
        print_json(
            {
                "ok": True,
                "file": args.file,
                "questionnaire": result.questionnaire.id,
                "questions": questions,
                "written": str(output) if output else None,
                "variables": result.summary(comments).to_dict("records"),
                "problems": result.report.to_dicts(),
                **({} if output else {"yaml": result.to_yaml(comments)}),
            }
        )
        return 0
    if output is None:
        sys.stdout.write(result.to_yaml(comments))
        return 0
    from surveykit.errors import Report, Severity

    shown = Report([p for p in result.report if p.severity is not Severity.INFO], subject=args.file)
    print_report(shown, args.lang, quiet_ok=True)
    print(t("files.infer.written", args.lang, path=str(output), questions=questions))
    print(t("files.infer.notes", args.lang, notes=len(result.report) - len(shown)))

    return 0
