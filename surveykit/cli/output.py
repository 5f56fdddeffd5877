"""Printing reports for people and for machines: one home for how the CLI shows problems."""

from __future__ import annotations

import json
import sys
from typing import Any

from surveykit.errors import Problem, Report, sentence

__all__ = ["print_json", "print_report", "report_text"]


def _problem_line(problem: Problem, language: str) -> str:
    message, hint = problem.localized(language)
    return f"{problem.location}: {problem.severity.value} {problem.code.code}: {sentence(message)} {hint}"


def report_text(report: Report, language: str = "en") -> str:
    """The report as ``str(report)`` gives it, with every message in ``language``."""
    head = f"{report.subject}: " if report.subject else ""
    counts = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    return "\n".join([f"{head}{counts}"] + [f"  {_problem_line(p, language)}" for p in report.problems])


def print_report(report: Report, language: str = "en", *, file=None, quiet_ok: bool = False) -> None:
    """Every problem on its own line (where: severity code: what. how to fix), then a count."""
    out = file or sys.stdout
    for problem in report:
        print(_problem_line(problem, language), file=out)
    if report.problems or not quiet_ok:
        subject = f"{report.subject}: " if report.subject else ""
        print(f"{subject}{len(report.errors)} error(s), {len(report.warnings)} warning(s)", file=out)


def print_json(payload: Any) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
