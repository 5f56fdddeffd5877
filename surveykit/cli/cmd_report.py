"""Make monitoring reports (HTML and PDF) from the response store: one institution, the region, or all.

    surveykit report institution kcson_sev --period 2025 --language ru --out data/reports
    surveykit report region --period 2025 --format pdf
    surveykit report all --period 2025            # every institution and the region; a summary at the end

Each report is a notebook in notebooks/reports/ executed with papermill; figures are static images (kaleido)
and the PDF is printed by headless Chromium. A report that fails is named with the notebook cell (SK902) and
the others are still made; the exit code is 1 when any report failed.
"""

from __future__ import annotations

import argparse
import sys

from surveykit.cli.output import print_json
from surveykit.i18n import UI_LANGUAGES, t
from surveykit.scoring import DEFAULT_PROFILE

NAME = "report"
HELP = "make monitoring reports (HTML, PDF) for an institution, the region, or all institutions"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scope", choices=["institution", "region", "all"], help="what to report on")
    parser.add_argument("institution", nargs="*", help="institution id(s) (with 'institution')")
    parser.add_argument("--period", help="the period (default: the latest with data)")
    parser.add_argument(
        "--language",
        choices=UI_LANGUAGES,
        help="language of the reports (default: the default_language setting)",
    )
    parser.add_argument(
        "--out", default="data/reports", metavar="FOLDER", help="output folder (default data/reports)"
    )
    parser.add_argument(
        "--format",
        action="append",
        choices=["html", "pdf"],
        dest="formats",
        help="html and/or pdf (repeatable; default both)",
    )
    parser.add_argument(
        "--profile", default=DEFAULT_PROFILE, help=f"methodology profile (default {DEFAULT_PROFILE})"
    )
    parser.add_argument("--region", default="", help="with 'region': only this region")
    parser.add_argument("--no-region", action="store_true", help="with 'all': skip the regional report")
    parser.add_argument(
        "--url",
        "--database",
        dest="database",
        default="",
        metavar="URL",
        help="database URL (default: the settings)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        metavar="N",
        help="reports made at the same time (default 2: about twice as fast on two cores)",
    )


def _progress(done: int, total: int, name: str) -> None:
    width = 28
    filled = int(width * done / max(total, 1))
    bar = "█" * filled + "·" * (width - filled)
    print(
        f"\r{bar} {done}/{total} {name[:50]:<50}",
        end="" if done < total else "\n",
        file=sys.stderr,
        flush=True,
    )


def run(args: argparse.Namespace) -> int:
    from surveykit.config import settings
    from surveykit.errors import ErrorCode, Location, SurveykitError
    from surveykit.reports import generate_reports

    language = args.language or (
        settings().default_language if settings().default_language in UI_LANGUAGES else "ru"
    )
    formats = tuple(dict.fromkeys(args.formats or ["html", "pdf"]))
    if args.scope == "institution" and not args.institution:
        raise SurveykitError(
            ErrorCode.OPTION_CONFLICT,
            Location(field="institution"),
            detail="no institution given",
            fix="Write e.g. `surveykit report institution kcson_sev`, or `surveykit report all`.",
        )
    if args.scope != "institution" and args.institution:
        raise SurveykitError(
            ErrorCode.OPTION_CONFLICT,
            Location(field="institution"),
            detail=f"institution ids are only read with 'institution', not with '{args.scope}'",
            fix="Drop the ids, or use `surveykit report institution ID ...`.",
        )
    institutions: list[str] | str = (
        args.institution if args.scope == "institution" else ("all" if args.scope == "all" else [])
    )
    summary = generate_reports(
        institutions,
        period=args.period,
        language=language,
        out_dir=args.out,
        formats=formats,
        region=args.scope == "region" or (args.scope == "all" and not args.no_region),
        database_url=args.database,
        profile=args.profile,
        progress=None if args.json else _progress,
        jobs=max(1, args.jobs),
    )
    if args.json:
        print_json(summary.to_dict())
    else:
        print(summary.text(args.lang if args.lang in UI_LANGUAGES else "en"))
        for made in summary.made:
            for path in made.files.values():
                print(t("rating.written", args.lang, path=str(path)))
    return 0 if summary.ok else 1
