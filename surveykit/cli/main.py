"""Entry point of the ``surveykit`` command: shared options, subcommand discovery, error handling.

Exit codes: 0 success, 1 a user error (bad file, failed validation, refused operation: the message says
where, what and how to fix), 2 wrong usage of the command line, 3 an unexpected internal error (run with
``--debug`` for the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from surveykit import __version__
from surveykit.errors import SurveykitError

__all__ = ["build_parser", "main"]


def _commands() -> list[ModuleType]:
    import surveykit.cli as package

    modules = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            modules.append(importlib.import_module(f"surveykit.cli.{info.name}"))
    return modules


def _shared_options(*, top_level: bool) -> argparse.ArgumentParser:
    """The shared options, declared once. After the subcommand they default to "not given", so that
    ``surveykit --lang ru validate`` and ``surveykit validate --lang ru`` mean the same."""
    options = argparse.ArgumentParser(add_help=False)
    unset = {} if top_level else {"default": argparse.SUPPRESS}
    options.add_argument(
        "--json", action="store_true", help="machine-readable output (JSON on stdout)", **unset
    )
    options.add_argument("--debug", action="store_true", help="show tracebacks of internal errors", **unset)
    options.add_argument(
        "--lang",
        default="en" if top_level else argparse.SUPPRESS,
        help="language of messages: en or ru (default en)",
    )
    return options


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    parser = argparse.ArgumentParser(
        prog="surveykit",
        description="Questionnaires, fieldwork, ratings and interviewer training for public councils.",
        parents=[_shared_options(top_level=True)],
    )
    parser.add_argument("--version", action="version", version=f"surveykit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules: dict[str, ModuleType] = {}
    for module in _commands():
        command = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,  # docstrings are laid out by hand
            parents=[_shared_options(top_level=False)],
        )
        module.add_arguments(command)
        modules[module.NAME] = module
    return parser, modules


def main(argv: Sequence[str] | None = None) -> int:
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(message)s"
    )
    if not args.command:
        parser.print_help()
        return 2
    try:
        return int(modules[args.command].run(args) or 0)
    except SurveykitError as err:
        if args.json:
            payload = err.report.to_dicts() if err.report is not None else [err.problem.to_dict()]
            print(json.dumps({"ok": False, "problems": payload}, ensure_ascii=False, indent=2))
        else:
            from surveykit.cli.output import report_text

            text = (
                report_text(err.report, args.lang)
                if err.report is not None and len(err.report.errors) > 1
                else err.localized(args.lang)
            )

            where = "" if err.report is not None and len(err.report.errors) > 1 else f"{err.location}: "
            print(f"error {err.code.code}: {where}{text}", file=sys.stderr)
        if args.debug:
            raise
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # an internal error: a short message, the traceback only with --debug
        if args.debug:
            raise
        print(
            f"internal error: {type(err).__name__}: {err} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
