"""Printing reports for people and for machines: one home for how the CLI shows problems."""

from __future__ import annotations

import json
import sys
from typing import Any

from surveykit.errors import Problem, Report, sentence

__all__ = ["print_json", "print_report"]


def _problem_line(problem: Problem, language: str) -> str:
    message, hint = problem.localized(language)
    return f"{problem.location}: {problem.severity.value} {problem.code.code}: {sentence(message)} {hint}"


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
