"""Import interviews from an SPSS, Stata, CSV or Excel file, or a KoboToolbox/ODK export (--kobo).

Columns are matched to the questionnaire by variable name (--map OLD=NEW renames first; --drop and
--ignore-unknown leave columns out, each listed in the report); numeric codes and labels become choice
names, and the file's declared missing values (SPSS user-missing, Stata .a-.z) are honoured. Every
problem is listed with the file's row and column. All or nothing: with any error nothing is written. --dry-run prints the report and writes nothing. Exit code 1 when the file has
errors.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from surveykit.cli.cmd_export import add_store_arguments
from surveykit.cli.output import print_json, print_report
from surveykit.errors import DataImportError, ErrorCode, Location
from surveykit.exchange.importing import import_file, parse_column_map, read_import
from surveykit.i18n import t

NAME = "import"
HELP = "import interviews from SPSS, Stata, CSV, Excel or KoboToolbox/ODK files"

_QUESTIONNAIRE_FILES = (".yaml", ".yml", ".json", ".xlsx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="data file (.sav, .dta, .csv, .xlsx)")
    parser.add_argument(
        "--questionnaire",
        required=True,
        metavar="ID[@VERSION]",
        help="published questionnaire (with --dry-run also a questionnaire file)",
    )
    parser.add_argument("--kobo", action="store_true", help="a KoboToolbox or ODK Central export")
    parser.add_argument(
        "--map", action="append", default=[], metavar="OLD=NEW", help="rename a column (repeatable)"
    )
    parser.add_argument(
        "--repeat",
        action="append",
        default=[],
        metavar="CODE=FILE",
        help="a file with a repeat group (repeatable)",
    )
    parser.add_argument(
        "--sheet", help="Excel: the sheet with the interviews (default: interviews, data or first)"
    )
    parser.add_argument(
        "--drop",
        action="append",
        default=[],
        metavar="COLUMNS",
        help="leave these file columns out (comma-separated, repeatable); each is listed in the report",
    )
    parser.add_argument(
        "--ignore-unknown",
        action="store_true",
        help="leave out columns that match no question (listed in the report) instead of failing",
    )
    parser.add_argument(
        "--encoding",
        metavar="NAME",
        help="CSV: the file's encoding, e.g. cp1251 or cp1252 (default: UTF-8, else recognised and reported)",
    )
    parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    parser.add_argument("--institution", metavar="ID", help="institution of rows that name none")
    parser.add_argument("--interviewer", metavar="ID", help="interviewer of rows that name none")
    parser.add_argument("--mode", help="mode of rows that name none, e.g. face_to_face")
    parser.add_argument("--period", help="period of rows that name none, e.g. 2026Q1")
    parser.add_argument(
        "--historical",
        action="store_true",
        help="historical data: do not require interviewer certificates (recorded in the audit log)",
    )
    parser.add_argument("--by", metavar="PERSON", help="who imports (for the audit log)")
    add_store_arguments(parser)


def _repeats(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        code, sep, file = item.partition("=")
        if not sep or not code or not file:
            raise DataImportError(
                ErrorCode.OPTION_CONFLICT,
                Location(field="--repeat"),
                detail=f"--repeat {item!r} is not CODE=FILE",
                fix="Write for example --repeat relatives=survey_relatives.sav",
            )
        out[code.strip()] = file.strip()
    return out


def drop_list(items: list[str]) -> list[str]:
    """``--drop a,b --drop c`` -> ``["a", "b", "c"]``."""
    return [name.strip() for item in items for name in item.split(",") if name.strip()]


def _show(outcome, args: argparse.Namespace) -> None:
    if args.json:
        print_json(outcome.to_dict())
        return
    print_report(outcome.report, args.lang)


def run(args: argparse.Namespace) -> int:
    column_map = parse_column_map(args.map)
    repeats = _repeats(args.repeat)
    if Path(args.questionnaire).suffix.lower() in _QUESTIONNAIRE_FILES and Path(args.questionnaire).exists():
        if not args.dry_run:
            raise DataImportError(
                ErrorCode.OPTION_CONFLICT,
                Location(field="--questionnaire"),
                detail="a questionnaire file can only be used with --dry-run",
                fix="Publish the questionnaire and give its id, or add --dry-run.",
            )
        from surveykit.questionnaire.io import load_questionnaire

        outcome = read_import(
            args.file,
            load_questionnaire(args.questionnaire),
            kobo=args.kobo,
            column_map=column_map,
            repeats=repeats,
            sheet=args.sheet,
            language=args.lang,
            drop=drop_list(args.drop),
            ignore_unknown=args.ignore_unknown,
            encoding=args.encoding,
        )
        outcome.dry_run = True
    else:
        from surveykit.store import Store

        defaults = {
            "institution_id": args.institution,
            "interviewer_id": args.interviewer,
            "mode": args.mode,
            "period": args.period,
        }
        with Store.open(args.database, enforce_certification=not args.historical) as store:
            try:
                outcome = import_file(
                    store,
                    args.file,
                    args.questionnaire,
                    kobo=args.kobo,
                    column_map=column_map,
                    repeats=repeats,
                    sheet=args.sheet,
                    defaults={k: v for k, v in defaults.items() if v is not None},
                    dry_run=args.dry_run,
                    by=args.by,
                    language=args.lang,
                    drop=drop_list(args.drop),
                    ignore_unknown=args.ignore_unknown,
                    encoding=args.encoding,
                )
            except DataImportError as err:
                if err.report is None:
                    raise
                if args.json:
                    print_json({"ok": False, "file": args.file, "problems": err.report.to_dicts()})
                else:
                    print_report(err.report, args.lang)
                return 1
    _show(outcome, args)
    if args.json:
        return 0 if outcome.ok else 1
    if outcome.dry_run:
        print(t("exchange.cli.dry_run", args.lang))
        if outcome.ok:
            print(t("exchange.cli.would_import", args.lang, rows=outcome.rows))
    else:
        print(t("exchange.cli.imported", args.lang, imported=outcome.imported, duplicates=outcome.duplicates))
    return 0 if outcome.ok else 1
