"""The repository's own rules: notebooks without outputs, a small public facade, settings documented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import surveykit
from surveykit.config import Settings

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p for p in ROOT.glob("**/*.ipynb") if ".venv" not in p.parts and ".ipynb_checkpoints" not in p.parts
)


def test_there_are_notebooks_to_check():
    folders = {p.parent.relative_to(ROOT).as_posix() for p in NOTEBOOKS}
    assert {"apps", "notebooks", "notebooks/training", "notebooks/reports"} <= folders


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebooks_are_committed_without_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    dirty = [
        i
        for i, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs; strip them (e.g. nbstripout) before committing"
    )


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parent.name == "apps"], ids=lambda p: p.name)
def test_app_notebooks_are_thin(path):
    """An app notebook is one code cell that creates the app from the package (every rule lives there)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert len(code) == 1
    lines = [ln for ln in "".join(code[0]["source"]).splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(lines) <= 3 and any("from_request()" in ln for ln in lines)


def test_the_public_facade_is_small_and_complete():
    assert sorted(surveykit.__all__) == sorted(surveykit._EXPORTS)
    for name in surveykit.__all__:
        assert getattr(surveykit, name) is not None, name
    with pytest.raises(AttributeError):
        surveykit.no_such_thing  # noqa: B018


def test_every_setting_has_a_help_string():
    assert all(help_text for help_text in Settings.help().values())


def test_environment_yml_matches_pyproject():
    """conda users get the same packages and bounds as pyproject.toml (where they are declared)."""
    import re
    import tomllib

    import yaml

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    conda = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    renamed = {"python-kaleido": "kaleido"}

    def split(spec: str) -> tuple[str, str]:
        name, bounds = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?(.*)", spec.replace(" ", "")).groups()
        return renamed.get(name.lower(), name.lower()), bounds

    conda_specs = dict(split(d) for d in conda if isinstance(d, str) and not d.startswith(("python", "pip")))
    conda_specs.update(dict([split(d) for d in conda if isinstance(d, str) and d.startswith("python-")]))
    for spec in declared:
        name, bounds = split(spec)
        assert conda_specs.get(name) == bounds, f"environment.yml: {name}{conda_specs.get(name)} != {spec}"
    assert any(isinstance(d, dict) and '-e ".[test]"' in d.get("pip", []) for d in conda)


def test_every_error_code_is_exercised_by_a_test():
    """Each code of the catalog is asserted somewhere in the tests (by name or by its SK number), and each
    has a Russian translation with the same fields."""
    import string

    from surveykit.errors import ErrorCode
    from surveykit.i18n import error_templates

    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py"))
    untested = [
        c.name for c in ErrorCode if f"ErrorCode.{c.name}" not in tests and f'"{c.code}"' not in tests
    ]
    assert not untested, f"no test asserts these error codes: {untested}"

    def fields(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}

    for code in ErrorCode:
        message, hint = error_templates(code.code, "ru")
        assert message and hint, f"{code.code} has no Russian translation"
        assert fields(message) <= fields(code.template) | fields(code.hint_template), code.code
