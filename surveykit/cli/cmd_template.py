"""Write an input workbook for a rating: the sheet to fill with the accepted codes as drop-downs.

SOURCE is survey (the recipient survey), audit (website and stand audit), premises (premises checklist),
staff, or any source id of the profile. The workbook has the sheet 'data' (what `surveykit rate` reads:
institution_id, period and every column the profile reads from that source, each coded column with a
drop-down of its codes; a checklist has a row per institution of --institutions), 'codes' (every column and
code explained in Russian and English) and 'read_me'.

    surveykit template premises --institutions institutions.csv --period 2026 -o premises_2026.xlsx
    surveykit rate --survey survey.csv --premises premises_2026.xlsx --institutions institutions.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

from surveykit.cli.output import print_json
from surveykit.i18n import t
from surveykit.scoring.profile import DEFAULT_PROFILE

NAME = "template"
HELP = "write an input workbook (survey, audit, premises ...) with the accepted codes as drop-downs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="SOURCE", help="survey, audit, premises, staff or a source id")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="workbook to write")
    parser.add_argument(
        "--institutions", metavar="FILE", help="institutions (CSV, Parquet, XLSX): institution_id and name"
    )
    parser.add_argument("--period", help="the period written in every row, e.g. 2026")
    parser.add_argument(
        "--profile", default=DEFAULT_PROFILE, help=f"profile id or YAML file (default {DEFAULT_PROFILE})"
    )
    parser.add_argument("--variant", help="a variant of the profile")
    parser.add_argument(
        "--questionnaire",
        action="append",
        default=[],
        metavar="FILE",
        help="the source's questionnaire (default: questionnaires/<source id>.yaml)",
    )
    parser.add_argument("--rows", type=int, default=300, help="empty rows of a survey sheet (default 300)")


def run(args: argparse.Namespace) -> int:
    from surveykit.cli.cmd_rate import read_frame
    from surveykit.questionnaire.io import load_questionnaire
    from surveykit.scoring import load_profile
    from surveykit.scoring.inputs import accepted_codes, source_questionnaires
    from surveykit.scoring.template import input_template, resolve_source

    profile = load_profile(args.profile, variant=args.variant)
    source = resolve_source(profile, args.source)
    given = {q.id: q for q in (load_questionnaire(p) for p in args.questionnaire)}
    institutions = read_frame(args.institutions) if args.institutions else None
    path = input_template(
        profile,
        source,
        Path(args.output),
        institutions=institutions,
        period=args.period,
        questionnaires=given,
        rows=max(args.rows, 1),
    )
    columns = accepted_codes(profile, source_questionnaires(profile, given)).get(source, {})
    coded = sum(1 for a in columns.values() if a.codes is not None)
    if args.json:
        print_json({"ok": True, "source": source, "written": str(path), "columns": list(columns)})
        return 0
    print(t("files.template.written", args.lang, source=source, path=str(path), columns=coded))
    return 0
