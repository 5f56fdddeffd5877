"""Write the codebook of a questionnaire: every variable of its exports with the question text, type, values
and labels, missing codes, relevance condition, multiple-response sets and renamed names.

Given a published questionnaire id, the codebook carries frequencies (counts and % of valid answers) of the
interviews in the store (filters as for export; --no-frequencies to leave them out); given a questionnaire
file (YAML, JSON, XLSForm) it describes the variables only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from surveykit.cli.cmd_export import add_filter_arguments, add_store_arguments, filters
from surveykit.cli.output import print_json
from surveykit.exchange.codebook import CODEBOOK_FORMATS, questionnaire_codebook, store_codebook
from surveykit.exchange.metadata import label_language
from surveykit.i18n import t

NAME = "codebook"
HELP = "write a codebook (HTML, Excel, Markdown) with frequencies from the store"

_QUESTIONNAIRE_FILES = (".yaml", ".yml", ".json", ".xlsx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "questionnaire", metavar="ID[@VERSION]|FILE", help="published questionnaire or its file"
    )
    parser.add_argument(
        "--format", choices=CODEBOOK_FORMATS, default="html", help="html (default), md or xlsx"
    )
    parser.add_argument(
        "-o", "--output", metavar="PATH", help="file to write (default <id>_codebook.<format>)"
    )
    parser.add_argument("--no-frequencies", action="store_true", help="leave out the frequencies")
    add_filter_arguments(parser)
    add_store_arguments(parser)


def run(args: argparse.Namespace) -> int:
    source = Path(args.questionnaire)
    if source.suffix.lower() in _QUESTIONNAIRE_FILES and source.exists():
        from surveykit.questionnaire.io import load_questionnaire

        questionnaire = load_questionnaire(source)
        language = label_language(
            questionnaire.languages, questionnaire.default_language, args.labels, args.lang
        )
        codebook = questionnaire_codebook(questionnaire, language=language)
    else:
        from surveykit.store import Store

        with Store.open(args.database) as store:
            questionnaire = store.questionnaire(args.questionnaire)
            language = label_language(
                questionnaire.languages, questionnaire.default_language, args.labels, args.lang
            )
            codebook = store_codebook(
                store,
                args.questionnaire,
                language=language,
                frequencies=not args.no_frequencies,
                **filters(args),
            )
    output = args.output or f"{questionnaire.id}_codebook.{args.format}"
    path = codebook.write(output, args.format)
    if args.json:
        print_json(
            {"ok": True, "file": str(path), "language": language, "frequencies": codebook.with_frequencies}
        )
    else:
        print(t("exchange.cli.codebook", args.lang, path=str(path)))
    return 0
