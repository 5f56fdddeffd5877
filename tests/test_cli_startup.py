"""The command starts at once: ``surveykit --version`` and ``--help`` import no subcommand (nor pandas or
SQLAlchemy); the chosen subcommand alone is imported, and every subcommand is still listed and works."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from surveykit.cli.main import build_parser, commands, main
from surveykit.lazy import probe_imports

_HEAVY = ("pandas", "numpy", "sqlalchemy", "yaml", "pydantic")


def _run(argv: list[str]) -> str:
    return f"from surveykit.cli.main import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["--lang", "ru", "--help"]])
def test_version_and_help_import_no_subcommand(argv):
    probe = probe_imports(_run(argv))
    assert probe.loaded(_HEAVY) == []
    assert sorted(m for m in probe.modules if m.startswith("surveykit.cli.cmd_")) == []


def test_the_chosen_subcommand_alone_is_imported():
    probe = probe_imports(_run(["--lang", "ru", "convert", "--help"]))
    assert sorted(m for m in probe.modules if m.startswith("surveykit.cli.cmd_")) == [
        "surveykit.cli.cmd_convert"
    ]


def test_every_subcommand_is_listed_as_its_module_declares_it():
    listed = commands()
    assert len(listed) >= 20
    for command in listed:
        module = importlib.import_module(command.module)
        assert (command.name, command.help) == (module.NAME, module.HELP)
    completed = subprocess.run(
        [sys.executable, "-m", "surveykit", "--help"], capture_output=True, text=True, check=True
    )
    words = completed.stdout.split()
    assert all(command.name in words for command in listed)


def test_each_subcommand_parses_its_own_arguments():
    for command in commands():
        parser, modules = build_parser([command.name, "--help"])
        assert list(modules) == [command.name]
        with pytest.raises(SystemExit) as done:
            parser.parse_args([command.name, "--help"])
        assert done.value.code == 0


def test_shared_options_before_the_subcommand_still_choose_it(capsys, tmp_path):
    questionnaire = tmp_path / "q.yaml"
    questionnaire.write_text("not: [a questionnaire", encoding="utf-8")
    assert main(["--la", "ru", "--json", "validate", str(questionnaire)]) == 1
    assert '"ok": false' in capsys.readouterr().out
