"""``surveykit training lint`` and ``surveykit training review``: the item bank, checked and reviewed.

  surveykit training lint [PATH | --course DIR] [--strict]
                                                       item-writing flaws of the bank (keyed positions, the
                                                       length cue, "all/none of the above", "all but one",
                                                       an answer shown, English codes in Russian text,
                                                       paraphrased questions), each with the item and the fix
  surveykit training review [--cohort C] [--no-lint]   items to look at after real attempts: difficulty,
                                                       discrimination, harmful options chosen, distractors
                                                       nobody chooses, and the linter's warnings

The rules live in :mod:`surveykit.training.lint` and :mod:`surveykit.training.itemstats`; this module only
parses, calls and prints (not a ``cmd_*`` module: ``cmd_training`` dispatches to it). Exit code 1 when the
linter finds an error, or a warning with ``--strict``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from surveykit.cli.output import print_json, print_report

__all__ = ["add_arguments", "lint", "review"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the two actions (declared once, on the ``training`` command)."""
    parser.add_argument(
        "--course", help="lint: the course folder (default: questionnaires/training of the settings)"
    )
    parser.add_argument("--strict", action="store_true", help="lint: warnings fail too (exit code 1)")
    parser.add_argument("--no-lint", action="store_true", help="review: leave out the linter's warnings")


def _root(args: argparse.Namespace) -> Path:
    if args.values:  # `surveykit training lint PATH`: a course folder or one item-bank file
        return Path(args.values[0])
    if args.course:
        return Path(args.course)
    from surveykit.config import settings

    return Path(settings().questionnaires_dir) / "training"


def lint(args: argparse.Namespace) -> int:
    from surveykit.training.lint import lint_path

    report = lint_path(_root(args))
    failed = bool(report.errors) or (args.strict and bool(report.warnings))
    if args.json:
        print_json({"ok": not failed, "subject": report.subject, "problems": report.to_dicts()})
    else:
        print_report(report, args.lang)
    return 1 if failed else 0


def review(args: argparse.Namespace, store: Any) -> int:
    from surveykit.training.service import TrainingService

    frame = TrainingService(store).item_review(args.cohort, lint=not args.no_lint)
    if args.json:
        records = frame.reset_index().to_dict(orient="records")
        print_json({"ok": True, "items": [_plain(r) for r in records]})
        return 0
    if not len(frame):
        print("нет вопросов для пересмотра" if args.lang == "ru" else "no items to review")
        return 0
    ru = args.lang == "ru"
    for item_id, row in frame.iterrows():
        n = int(row["n"])
        difficulty = "—" if row["difficulty"] != row["difficulty"] else f"{row['difficulty'] * 100:.0f} %"
        head = f"{item_id:<7} {row['module']:<3} n={n:<4} {'верно' if ru else 'right'} {difficulty}"
        print(f"{head}  {row['reasons_ru'] if ru else row['reasons_en']}")
        print(f"{'':<8}{row['fix_ru'] if ru else row['fix_en']}")
    return 0


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in record.items():
        if isinstance(value, float) and value != value:
            value = None
        elif hasattr(value, "item"):
            value = value.item()
        out[key] = value
    return out
