"""Run a training cohort without the apps: cohorts, attendance, mock interviews, progress, export.

  surveykit training cohort ID NAME [--member P ...]           create a cohort (or add members to it)
  surveykit training attendance MODULE HOURS (--person P ... | --cohort C) [--date 2026-05-14] [--by TRAINER]
  surveykit training mock PERSON item=score ... [--by TRAINER] the 12-item checklist, scored 0/1/2
  surveykit training progress [--cohort C]                     one line per trainee: hours, exam, mock, roles
  surveykit training export FILE.csv|FILE.xlsx [--cohort C]    progress (xlsx: also modules, exam attempts,
                                                               item statistics, the review list)
  surveykit training lint [PATH | --course DIR] [--strict]     item-writing flaws of the item bank (a course
                                                               folder or one item file)
  surveykit training review [--cohort C] [--no-lint]           items to review after real attempts

Every rule (attendance share, pass marks, the checklist verdict) comes from questionnaires/training/rules.yaml
through surveykit.training; the database is SURVEYKIT_DATABASE_URL or --url.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from surveykit.cli import training_bank
from surveykit.cli.output import print_json, print_report
from surveykit.errors import ErrorCode, Location, SurveykitError, TrainingError

NAME = "training"
HELP = "trainers: cohorts, attendance, mock interviews, progress, export, item-bank lint and review"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=("cohort", "attendance", "mock", "progress", "export", "lint", "review"),
        help="what to do",
    )
    parser.add_argument(
        "values",
        nargs="*",
        help="cohort: ID NAME; attendance: MODULE HOURS; mock: PERSON item=score ...; export: FILE",
    )
    parser.add_argument("--url", help="database URL (default: the database_url setting)")
    parser.add_argument("--cohort", help="the cohort")
    parser.add_argument("--person", action="append", default=[], help="attendance: a trainee (repeatable)")
    parser.add_argument("--member", action="append", default=[], help="cohort: a member (repeatable)")
    parser.add_argument("--date", help="attendance: the day (YYYY-MM-DD, default today)")
    parser.add_argument("--by", help="person id of the trainer (recorded in the audit log)")
    training_bank.add_arguments(parser)


def _usage(detail: str, fix: str) -> TrainingError:
    return TrainingError(ErrorCode.OPTION_CONFLICT, Location(), detail=detail, fix=fix)


def _service(store: Any) -> Any:
    from surveykit.training.service import TrainingService

    return TrainingService(store)


def run(args: argparse.Namespace) -> int:
    from surveykit.store import Store

    if args.action == "lint":  # the bank only: no database
        return training_bank.lint(args)
    with Store.open(args.url) as store:
        return {
            "cohort": _cohort,
            "attendance": _attendance,
            "mock": _mock,
            "progress": _progress,
            "export": _export,
            "review": training_bank.review,
        }[args.action](args, store)


def _cohort(args: argparse.Namespace, store: Any) -> int:
    if len(args.values) < 1:
        raise _usage(
            "cohort needs an ID (and a NAME to create it)",
            "Run `surveykit training cohort 2026-05 'May 2026' --member p01`.",
        )
    cohort_id = args.values[0]
    known = {str(c) for c in store.training.cohorts().get("id", [])}
    if cohort_id not in known:
        if len(args.values) < 2:
            raise _usage(
                f"cohort '{cohort_id}' does not exist yet and needs a NAME", "Add the cohort's name."
            )
        store.training.create_cohort(cohort_id, args.values[1], members=args.member, by=args.by)
    elif args.member:
        store.training.add_cohort_members(cohort_id, args.member, by=args.by)
    members = store.training.cohort_members(cohort_id)
    if args.json:
        print_json({"ok": True, "cohort": cohort_id, "members": members})
    else:
        print(f"cohort {cohort_id}: {len(members)} member(s): {', '.join(members)}")
    return 0


def _attendance(args: argparse.Namespace, store: Any) -> int:
    if len(args.values) != 2:
        raise _usage(
            "attendance needs MODULE HOURS", "Run `surveykit training attendance M4 2 --cohort 2026-05`."
        )
    module_id, hours_text = args.values
    try:
        hours = float(hours_text.replace(",", "."))
    except ValueError:
        raise TrainingError(
            ErrorCode.FIELD_INVALID,
            Location(field="HOURS"),
            field="HOURS",
            detail=repr(hours_text),
            fix="Write the hours as a number, e.g. 1.5.",
        ) from None
    people = list(args.person)
    if args.cohort:
        people += [p for p in store.training.cohort_members(args.cohort) if p not in people]
    if not people:
        raise _usage(
            "attendance needs --person or --cohort", "Name the trainees, or the cohort they belong to."
        )
    try:
        day = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise TrainingError(
            ErrorCode.FIELD_INVALID,
            Location(field="--date"),
            field="--date",
            detail=repr(args.date),
            fix="Write the date as YYYY-MM-DD.",
        ) from None
    service = _service(store)
    for person_id in people:
        service.record_attendance(person_id, module_id, hours, day, by=args.by)
    if args.json:
        print_json({"ok": True, "module": module_id, "hours": hours, "people": people})
    else:
        print(f"recorded {hours:g} h of {module_id} for {len(people)} trainee(s)")
    return 0


def _mock(args: argparse.Namespace, store: Any) -> int:
    if len(args.values) < 2:
        raise _usage(
            "mock needs PERSON and item=score pairs",
            "Run `surveykit training mock p01 introduction=2 consent=2 ...`.",
        )
    person_id, pairs = args.values[0], args.values[1:]
    scores: dict[str, int] = {}
    for pair in pairs:
        item, sep, value = pair.partition("=")
        if not sep or not value.strip().isdigit():
            raise TrainingError(
                ErrorCode.FIELD_INVALID,
                Location(field=pair),
                field="score",
                detail=repr(pair),
                fix="Write each score as item=0, item=1 or item=2.",
            )
        scores[item.strip()] = int(value)
    result = _service(store).record_mock(person_id, scores, trainer_id=args.by)
    if args.json:
        print_json({"ok": True, "person_id": person_id, **result.model_dump()})
    else:
        print(
            f"{person_id}: mock interview {result.total} of {result.max_total}: {'passed' if result.passed else 'not passed'}"
        )
    return 0


def _progress(args: argparse.Namespace, store: Any) -> int:
    frame = _service(store).progress_frame(args.cohort, language=args.lang)
    if args.json:
        print_json({"ok": True, "trainees": frame.to_dict(orient="records")})
        return 0
    if not len(frame):
        print("no trainees")
        return 0
    for row in frame.itertuples(index=False):
        exam = (
            "—"
            if row.exam_score is None or row.exam_score != row.exam_score
            else f"{row.exam_score * 100:.0f} %"
        )
        mock = "—" if row.mock_total is None or row.mock_total != row.mock_total else f"{row.mock_total:g}"
        cert = f" · {row.certificate} ({row.certificate_status})" if row.certificate else ""
        print(
            f"{row.person_id:<12} {row.name:<32} hours {row.hours:>5g} ({row.attendance * 100:.0f} %) · exam {exam} · "
            f"mock {mock} · roles: {row.eligible_roles or '—'}{cert}"
        )
        if row.missing:
            print(f"{'':<12} missing: {row.missing}")
    return 0


def _export(args: argparse.Namespace, store: Any) -> int:
    if len(args.values) != 1:
        raise _usage(
            "export needs FILE (.csv or .xlsx)",
            "Run `surveykit training export results.xlsx --cohort 2026-05`.",
        )
    path = Path(args.values[0])
    service = _service(store)
    progress = service.progress_frame(args.cohort, language=args.lang)
    from surveykit.spreadsheet import Sheet, write_csv, write_xlsx

    if path.suffix.lower() == ".xlsx":  # texts never formulas (surveykit.spreadsheet); times in UTC
        import pandas as pd

        exams = service.exam_results_frame(args.cohort)
        for column in ("started_at", "closed_at"):
            exams[column] = pd.to_datetime(exams[column], utc=True)
        problems = write_xlsx(
            path,
            [
                Sheet("progress", progress),
                Sheet("modules", service.module_frame(args.cohort)),
                Sheet("exam_attempts", exams),
                Sheet("item_statistics", service.item_stats(args.cohort), index=True),
                Sheet("item_review", service.item_review(args.cohort), index=True),
            ],
        )
    elif path.suffix.lower() == ".csv":
        problems = write_csv(path, progress)
    else:
        raise SurveykitError(
            ErrorCode.FILE_FORMAT_UNKNOWN,
            Location(file=str(path)),
            path=str(path),
            expected=".csv, .xlsx",
        )
    if problems and not args.json:
        print_report(problems, args.lang, file=sys.stderr, quiet_ok=True)
    if args.json:
        print_json(
            {"ok": True, "file": str(path), "trainees": len(progress), "problems": problems.to_dicts()}
        )
    else:
        print(f"{path}: {len(progress)} trainee(s)")
    return 0
