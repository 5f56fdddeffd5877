"""Convert a questionnaire between YAML, JSON and XLSForm (.xlsx).

The questionnaire is checked first; a file with errors is not converted. XLSForm features surveykit
does not support are reported as warnings or errors naming the sheet and row, never dropped silently.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from surveykit.cli.output import print_report
from surveykit.questionnaire.io import read_questionnaire, save_questionnaire

NAME = "convert"
HELP = "convert a questionnaire to yaml, json or xlsform"

_SUFFIX = {"yaml": ".yaml", "json": ".json", "xlsform": ".xlsx"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="questionnaire file to convert")
    parser.add_argument("--to", required=True, choices=sorted(_SUFFIX), help="target format")
    parser.add_argument(
        "-o", "--output", type=Path, help="output file (default: FILE with the new extension)"
    )
    parser.add_argument(
        "--skip-unsupported",
        action="store_true",
        help="XLSForm: leave out questions of types surveykit does not collect (each one is named)",
    )


def run(args: argparse.Namespace) -> int:
    result = read_questionnaire(args.file, skip_unsupported=args.skip_unsupported)
    if result.report.problems:
        print_report(result.report, args.lang)
    questionnaire = result.unwrap()
    output = args.output or Path(args.file).with_suffix(_SUFFIX[args.to])
    if output.resolve() == Path(args.file).resolve():
        output = output.with_name(output.stem + ".converted" + output.suffix)
    save_questionnaire(questionnaire, output, args.to)
    print(f"wrote {output}")
    return 0
