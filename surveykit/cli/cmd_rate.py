"""Rate institutions with a methodology profile and write the rating (CSV and/or an Excel workbook).

Without ``--survey`` every source is read from the response store (``--url`` or the configured database).
Otherwise inputs are canonical frames saved as CSV, Parquet or XLSX (in CSV and XLSX the answer columns hold the choice
names, e.g. yes / no / dk): the recipient survey (--survey), the website and stand audit (--audit), the
premises checklist (--premises), optionally others with --source ID=FILE, and an institutions table
(--institutions: institution_id, name, region, recipients, ...). A missing audit or checklist counts as
"not done" for every institution (see the profile's policies). The workbook has the sheets rating,
indicators, findings, warnings, conclusions and regional. Exit code 1 when the inputs cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from surveykit.cli.output import print_json, print_report
from surveykit.errors import DataImportError, ErrorCode, Location, Report, sentence
from surveykit.i18n import t
from surveykit.questionnaire.model import Questionnaire
from surveykit.scoring import DEFAULT_PROFILE, Rating, load_profile, rate
from surveykit.scoring.inputs import InputOrigin

NAME = "rate"
HELP = "rate institutions from survey, audit and checklist files with a methodology profile"

READERS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}
#: options naming the usual sources -> source ids of the shipped profiles
SOURCE_OPTIONS = {"audit": "website_audit", "premises": "premises_checklist", "staff": "staff_survey"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--survey",
        metavar="FILE",
        help="recipient survey (the respondents); without it every source is read from the response store",
    )
    parser.add_argument(
        "--url", help="database URL when reading from the store (default: the configured one)"
    )
    parser.add_argument("--audit", metavar="FILE", help="website and stand audit (website_audit)")
    parser.add_argument("--premises", metavar="FILE", help="premises checklist (premises_checklist)")
    parser.add_argument(
        "--staff", metavar="FILE", help="staff survey (staff_survey), for profiles that use it"
    )
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="ID=FILE",
        help="any other source of the profile, e.g. outcomes=admin.csv",
    )
    parser.add_argument(
        "--institutions", metavar="FILE", help="institutions: institution_id, name, region, recipients"
    )
    parser.add_argument(
        "--profile", default=DEFAULT_PROFILE, help=f"profile id or YAML file (default {DEFAULT_PROFILE})"
    )
    parser.add_argument("--variant", help="a variant of the profile, e.g. k2_with_waiting_time")
    parser.add_argument(
        "--questionnaire",
        action="append",
        default=[],
        metavar="FILE",
        help="the questionnaire of a source (repeatable; default: questionnaires/<source id>.yaml); "
        "answers are checked against its choice lists",
    )
    parser.add_argument(
        "--period", action="append", metavar="PERIOD", help="rate only this period (repeatable)"
    )
    parser.add_argument(
        "--previous", metavar="FILE", help="an earlier rating (CSV) for the change since then"
    )
    parser.add_argument("--out", metavar="FILE.xlsx", help="write the workbook here")
    parser.add_argument("--csv", metavar="FILE.csv", help="write the wide rating table as CSV here")


def read_frame(path_text: str) -> pd.DataFrame:
    """A frame from CSV, Parquet or XLSX (first sheet); problems raise DataImportError naming the file."""
    path = Path(path_text)
    kind = READERS.get(path.suffix.lower())
    report = Report(subject=str(path))
    if kind is None:
        report.add(
            ErrorCode.FILE_FORMAT_UNKNOWN,
            Location(file=str(path)),
            path=str(path),
            expected=", ".join(READERS),
        )
        report.raise_if_errors(DataImportError)
    if not path.exists():
        report.add(ErrorCode.FILE_NOT_FOUND, Location(file=str(path)), path=str(path), cwd=str(Path.cwd()))
        report.raise_if_errors(DataImportError)
    try:
        if kind == "csv":
            return pd.read_csv(path, encoding="utf-8-sig", low_memory=False)
        if kind == "parquet":
            return pd.read_parquet(path)
        return pd.read_excel(path, sheet_name=0, engine="openpyxl")
    except (ValueError, OSError, pd.errors.ParserError) as err:
        code = ErrorCode.CSV_UNREADABLE if kind == "csv" else ErrorCode.XLSX_UNREADABLE
        if kind == "parquet":
            code = ErrorCode.FIELD_INVALID
            report.add(
                code,
                Location(file=str(path)),
                field="(file)",
                detail=str(err),
                fix="Save the file as Parquet.",
            )
        else:
            report.add(code, Location(file=str(path)), detail=str(err))
        raise DataImportError(
            report.errors[0].code, report.errors[0].location, report=report, **report.errors[0].params
        ) from err


def origin_of(path_text: str) -> InputOrigin:
    """The file row of a frame's first row: 2 under the header of CSV and Excel, 1 in Parquet."""
    kind = READERS.get(Path(path_text).suffix.lower())
    return InputOrigin(path_text, 1 if kind == "parquet" else 2)


def _sources(
    args: argparse.Namespace, respondents: str
) -> tuple[dict[str, pd.DataFrame], dict[str, InputOrigin]]:
    files = {respondents: args.survey}
    for option, source in SOURCE_OPTIONS.items():
        value = getattr(args, option)
        if value:
            files[source] = value
    for item in args.source:
        source, sep, file = item.partition("=")
        if not sep or not source or not file:
            from surveykit.errors import SurveykitError

            raise SurveykitError(
                ErrorCode.OPTION_CONFLICT,
                Location(field="--source"),
                detail=f"--source {item!r} is not ID=FILE",
                fix="Write for example --source outcomes=admin_outcomes.csv",
            )
        files[source] = file
    return {s: read_frame(f) for s, f in files.items()}, {s: origin_of(f) for s, f in files.items()}


def _questionnaires(paths: list[str]) -> list[Questionnaire]:
    from surveykit.questionnaire.io import load_questionnaire

    return [load_questionnaire(p) for p in paths]


def write_workbook(rating: Rating, path: Path, language: str) -> Report:
    """The rating's tables as one workbook (texts never formulas, see surveykit.spreadsheet); the warnings."""
    from surveykit.spreadsheet import Sheet, write_xlsx

    sheets = {
        "rating": rating.summary(language),
        "indicators": rating.indicators,
        "findings": rating.findings,
        "warnings": rating.warnings,
        "conclusions": rating.conclusions(("ru", "en")),
        "regional": rating.regional,
        "table": rating.table,
    }
    return write_xlsx(
        path,
        [
            Sheet(
                name,
                frame,
                widths=[
                    100
                    if name == "conclusions" and str(c).startswith("text_")
                    else max(10, min(40, len(str(c)) + 4))
                    for c in frame.columns
                ],
            )
            for name, frame in sheets.items()
        ],
    )


def _from_store(
    args: argparse.Namespace, profile
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, list[Questionnaire], pd.DataFrame]:
    """Every source of the profile (submitted and approved real interviews), the institutions, the
    published questionnaires of the sources and the campaign's sample targets (an institution below its
    target is warned about: SK553)."""
    from surveykit.dashboard.sources import StoreSource
    from surveykit.errors import NotFoundError
    from surveykit.store import Store

    with Store.open(args.url) as store:
        frames, institutions, targets = StoreSource(store).rating_inputs(profile)
        questionnaires = []
        for name in frames:
            try:
                questionnaires.append(store.questionnaire(name))
            except NotFoundError:
                continue
        return frames, institutions, questionnaires, targets


def run(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile, variant=args.variant)
    given = _questionnaires(args.questionnaire)
    origins: dict[str, InputOrigin] = {}
    targets = None
    if args.survey:
        sources, origins = _sources(args, profile.respondents_source)
        institutions = read_frame(args.institutions) if args.institutions else None
    else:
        sources, institutions, published, targets = _from_store(args, profile)
        given = [*published, *given]
        if args.institutions:
            institutions = read_frame(args.institutions)
    previous = read_frame(args.previous) if args.previous else None
    rating = rate(
        profile,
        sources,
        institutions=institutions,
        periods=args.period,
        previous=previous,
        questionnaires={q.id: q for q in given} or None,
        origins=origins,
        targets=targets,
    )
    written = []
    problems = Report()
    if args.csv:
        from surveykit.spreadsheet import write_csv

        problems.extend(write_csv(Path(args.csv), rating.table))
        written.append(args.csv)
    if args.out:
        problems.extend(write_workbook(rating, Path(args.out), args.lang))
        written.append(args.out)
    if problems and not args.json:
        print_report(problems, args.lang, file=sys.stderr, quiet_ok=True)
    if args.json:
        print_json(
            {
                "ok": True,
                "profile": profile.id,
                "written": written,
                "rating": rating.summary(args.lang)
                .astype(object)
                .where(rating.summary(args.lang).notna(), None)
                .to_dict("records"),
                "warnings": rating.warnings.to_dict("records"),
                "problems": problems.to_dicts(),
            }
        )
        return 0
    for period, part in rating.table.groupby("period", sort=True):
        ranked = part[part["rank"].notna()]
        mean = rating.regional.loc[rating.regional["period"] == period, "S"]
        print(
            t(
                "rating.summary",
                args.lang,
                period=period,
                ranked=len(ranked),
                total=len(part),
                mean=f"{mean.iloc[0]:.2f}" if len(mean) and mean.iloc[0] == mean.iloc[0] else "-",
            )
        )
        for _, row in part.iterrows():
            place = (
                f"{int(row['rank']):>4}"
                if row["rank"] is not pd.NA and row["rank"] == row["rank"]
                else "   -"
            )
            score = f"{row['S']:6.2f}" if row["S"] == row["S"] else "     -"
            name = row.get("name") if isinstance(row.get("name"), str) else row["institution_id"]
            print(f"{place}  {score}  {name}  ({row['status']})")
    warnings = rating.report.warnings
    if warnings:
        print(t("rating.warnings", args.lang, count=len(warnings)))
        for problem in warnings:
            message, hint = problem.localized(args.lang)
            print(f"  {problem.location}: {problem.code.code}: {sentence(message)} {hint}")
    for path in written:
        print(t("rating.written", args.lang, path=path))
    return 0
