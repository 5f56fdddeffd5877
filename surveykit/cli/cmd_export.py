"""Export interviews of a questionnaire to SPSS (.sav), Stata (.dta), CSV, Excel or Parquet.

Variable labels, value labels and user-missing codes ("don't know", "refused") are written in the label
language (--labels; default: --lang when the questionnaire has it, else its default language). Repeat groups
go to their own files, keyed by interview_id and <repeat>_index. Interviewer ids are pseudonymised unless
--no-pseudonymise (setting pseudonymise_exports). Exit code 1 when the export cannot be written.
"""

from __future__ import annotations

import argparse

from surveykit.cli.output import print_json, print_report
from surveykit.exchange.codebook import CODEBOOK_FORMATS, build_codebook
from surveykit.exchange.export import EXPORT_FORMATS, export_interviews
from surveykit.exchange.metadata import label_language
from surveykit.i18n import t

NAME = "export"
HELP = "export interviews with labels (SPSS, Stata, CSV, Excel, Parquet)"


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        "--database",
        dest="database",
        metavar="URL",
        help="database URL (default: the database_url setting)",
    )


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", help="only interviews of this period, e.g. 2026Q1")
    parser.add_argument(
        "--institution",
        action="append",
        metavar="ID",
        help="only interviews in this institution (repeatable)",
    )
    parser.add_argument(
        "--status",
        action="append",
        metavar="STATUS",
        help="only interviews with this status (repeatable; default submitted and approved)",
    )
    parser.add_argument(
        "--labels", metavar="LANG", help="language of the labels (default: --lang, if available)"
    )


def filters(args: argparse.Namespace) -> dict:
    return {
        "period": args.period,
        "institution_ids": args.institution,
        "status": tuple(args.status) if args.status else ("submitted", "approved"),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("questionnaire", metavar="ID[@VERSION]", help="published questionnaire")
    parser.add_argument("--format", choices=EXPORT_FORMATS, default="sav", help="file format (default sav)")
    parser.add_argument(
        "-o", "--output", metavar="PATH", help="file to write (default <questionnaire>.<format>)"
    )
    add_filter_arguments(parser)
    parser.add_argument(
        "--no-pseudonymise",
        action="store_true",
        help="keep interviewer ids as they are (default: pseudonyms)",
    )
    parser.add_argument(
        "--pseudonym-scope",
        choices=("project", "export"),
        default="project",
        help="project: the same pseudonym in every export (default); export: new pseudonyms for this file",
    )
    parser.add_argument(
        "--values",
        choices=("labels", "codes", "names"),
        default="labels",
        help="CSV, Excel, Parquet: single choices as labels (default), numeric codes or choice names",
    )
    parser.add_argument(
        "--excel",
        action="store_true",
        help="CSV for Excel: BOM, and ';' with decimal comma where Excel expects it",
    )
    parser.add_argument("--codebook", choices=CODEBOOK_FORMATS, help="also write a codebook in this format")
    add_store_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from surveykit.store import Store

    with Store.open(args.database) as store:
        questionnaire = store.questionnaire(args.questionnaire)
        language = label_language(
            questionnaire.languages, questionnaire.default_language, args.labels, args.lang
        )
        output = args.output or f"{questionnaire.id}.{args.format}"
        result = export_interviews(
            store,
            args.questionnaire,
            output,
            format=args.format,
            language=language,
            pseudonymise=False if args.no_pseudonymise else None,
            pseudonym_scope=args.pseudonym_scope,
            values=args.values,
            excel=args.excel,
            **filters(args),
        )
    written = [str(p) for p in result.files]
    if args.codebook:
        main = result.files[0]
        path = main.with_name(f"{main.stem}_codebook.{args.codebook}")
        written.append(str(build_codebook(result.metadata, result.frames).write(path, args.codebook)))
    if args.json:
        print_json({"ok": True, **result.to_dict(), "files": written})
        return 0
    if result.report.problems:
        print_report(result.report, args.lang, quiet_ok=True)
    rows = result.rows.get("interviews", 0)
    print(t("exchange.cli.exported", args.lang, rows=rows, files=", ".join(written)))
    if result.attachments is not None:
        found = result.attachments
        print(
            t(
                "forms.export.files",
                args.lang,
                files=found.files,
                folder=found.folder,
                manifest=found.manifest,
            )
        )
        if found.missing:
            print(t("forms.export.missing", args.lang, missing=found.missing, manifest=found.manifest))
    if result.pseudonymised:
        print(t("exchange.cli.pseudonymised", args.lang, scope=args.pseudonym_scope))
    else:
        print(t("exchange.cli.not_pseudonymised", args.lang))
    return 0
