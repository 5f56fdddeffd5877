"""Entry point of the ``surveykit`` command: shared options, subcommand discovery, error handling.

The command starts at once: ``surveykit --version`` and ``surveykit --help`` import no subcommand. Each
``cmd_*.py`` module declares ``NAME`` and ``HELP`` as plain strings at its top, which are read from the
source without importing it; only the chosen subcommand's module is imported, and only its arguments are
declared (a test checks that every module's ``NAME``/``HELP`` are read the same way they import).

Exit codes: 0 success, 1 a user error (bad file, failed validation, refused operation: the message says
where, what and how to fix), 2 wrong usage of the command line, 3 an unexpected internal error (run with
``--debug`` for the traceback).
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib
import json
import logging
import pkgutil
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from surveykit import __version__
from surveykit.errors import SurveykitError

__all__ = ["Command", "build_parser", "commands", "main"]


_DECLARATION = re.compile(r"^(NAME|HELP)\s*=\s*(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Command:
    """A subcommand as listed in ``--help``: its name and help line, and the module that implements it."""

    name: str
    help: str
    module: str

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


def _declared(path: Path, module: str) -> Command:
    """NAME and HELP of a command module read from its source; imported only when they are not literals."""
    found: dict[str, str] = {}
    for key, value in _DECLARATION.findall(path.read_text(encoding="utf-8")):
        try:
            found.setdefault(key, str(ast.literal_eval(value.strip())))
        except (ValueError, SyntaxError):
            break
    if {"NAME", "HELP"} <= set(found):
        return Command(found["NAME"], found["HELP"], module)
    loaded = importlib.import_module(module)
    return Command(loaded.NAME, loaded.HELP, module)


@functools.cache
def commands() -> tuple[Command, ...]:
    """Every subcommand (the ``cmd_*`` modules of this package), by module name, none of them imported."""
    import surveykit.cli as package

    folder = Path(package.__path__[0])
    return tuple(
        _declared(folder / f"{info.name}.py", f"surveykit.cli.{info.name}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name)
        if info.name.startswith("cmd_")
    )


def _chosen(argv: Sequence[str], names: set[str]) -> str | None:
    """The subcommand named on the command line: the first word that is not a shared option or its value."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif len(word) >= 4 and "--lang".startswith(word):  # argparse accepts --la, --lan for --lang
            skip = True
        elif word == "--":
            return None
        elif not word.startswith("-"):
            return word if word in names else None
    return None


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


def build_parser(
    argv: Sequence[str] | None = None,
) -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    """The parser: every subcommand listed, the arguments declared only for the one ``argv`` chooses (all
    of them when ``argv`` is None); returns the imported modules of those subcommands by name."""
    parser = argparse.ArgumentParser(
        prog="surveykit",
        description="Questionnaires, fieldwork, ratings and interviewer training for public councils.",
        parents=[_shared_options(top_level=True)],
    )
    parser.add_argument("--version", action="version", version=f"surveykit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    listed = commands()
    chosen = None if argv is None else _chosen(argv, {c.name for c in listed})
    modules: dict[str, ModuleType] = {}
    for command in listed:
        if argv is not None and command.name != chosen:
            sub.add_parser(command.name, help=command.help, add_help=False)  # listed, never parsed
            continue
        module = command.load()
        parsed = sub.add_parser(
            command.name,
            help=command.help,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,  # docstrings are laid out by hand
            parents=[_shared_options(top_level=False)],
        )
        module.add_arguments(parsed)
        modules[command.name] = module
    return parser, modules


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser, modules = build_parser(words)
    args = parser.parse_args(words)
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
