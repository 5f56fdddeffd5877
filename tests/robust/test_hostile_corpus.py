"""The hostile-file corpus through every entry point: a located message within a time and memory bound, never
a crash (exit code 3, a traceback), a hang or an exhausted memory.

Each file of :mod:`.corpus` is given to each entry point it suits, every run in its own forked process with
its address space capped and a time limit (:mod:`.runner`), so a hang or a blow-up fails its test instead of
the machine. The table :data:`ENTRY_POINTS` makes a new command one line (``infer`` once it exists).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .corpus import CASES, build

pytestmark = pytest.mark.timeout(1800)


@dataclass(frozen=True)
class EntryPoint:
    takes: str  # "form" (questionnaire files) or "data" (data files)
    argv: Callable[
        [Path, Path], list[str]
    ]  # the command line for a file; ``out`` is a folder of the run's own


#: every command the corpus is run through, in order; a new command is one line
ENTRY_POINTS: dict[str, EntryPoint] = {
    "validate": EntryPoint("form", lambda file, out: ["validate", str(file)]),
    "convert": EntryPoint(
        "form", lambda file, out: ["convert", str(file), "--to", "json", "-o", str(out / "converted.json")]
    ),
    "import": EntryPoint(
        "data",
        lambda file, out: [
            "import",
            str(file),
            "--questionnaire",
            str(out.parents[1] / "import-questionnaire.yaml"),
            "--dry-run",
        ],  # fmt: skip
    ),
    # "infer": EntryPoint("data", lambda file, out: ["infer", str(file), "-o", str(out / "inferred.yaml")]),
}


#: the bounds of one run: seconds (generous: CI machines are shared) and memory over the runner's own
SECONDS = 90
MEMORY_MB = 1024

IMPORT_QUESTIONNAIRE = """schema_version: 1
id: hostile_import
version: "1"
title: {en: Import, ru: Импорт}
languages: [en, ru]
default_language: en
items:
  - {code: age, type: integer, label: {en: Age, ru: Возраст}}
  - {code: comment, type: text, label: {en: Comment, ru: Комментарий}}
"""

RUNS = [(case, entry) for case in CASES for entry, e in ENTRY_POINTS.items() if e.takes in case.given_to]


def checked_closely(case) -> str:
    """The command whose exit code and message codes are checked, beyond the bounds every run keeps."""
    return case.checked_by or next(name for name, e in ENTRY_POINTS.items() if e.takes == case.given_to[0])


def test_the_corpus_is_large_and_covers_every_entry_point():
    assert len(CASES) >= 60 and len({c.name for c in CASES}) == len(CASES)
    assert {entry for _, entry in RUNS} == set(ENTRY_POINTS)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    paths = build(root / "files")
    (root / "import-questionnaire.yaml").write_text(IMPORT_QUESTIONNAIRE, encoding="utf-8")
    jobs = []
    for index, (case, entry) in enumerate(RUNS):
        out = root / "runs" / str(index)
        out.mkdir(parents=True)
        jobs.append(
            {
                "id": index,
                "argv": ENTRY_POINTS[entry].argv(paths[case.name], out),
                "env": case.env,
                "cwd": str(out),
                "stdout": str(out / "stdout"),
                "stderr": str(out / "stderr"),
                "timeout": SECONDS,
                "memory_mb": MEMORY_MB,
            }
        )
    (root / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    runner = Path(__file__).with_name("runner.py")
    subprocess.run(
        [sys.executable, str(runner), str(root / "jobs.json"), str(root / "results.json")],
        check=True,
        timeout=SECONDS * len(jobs) + 120,
    )
    results = json.loads((root / "results.json").read_text(encoding="utf-8"))
    found = {}
    for job, result in zip(jobs, results, strict=True):
        out = Path(job["cwd"])
        result["output"] = (out / "stdout").read_text(errors="replace") + (out / "stderr").read_text(
            errors="replace"
        )
        found[job["id"]] = result
    return found


@pytest.mark.parametrize(
    ("index", "name", "entry"),
    [(i, case.name, entry) for i, (case, entry) in enumerate(RUNS)],
    ids=[f"{entry}:{case.name}" for case, entry in RUNS],
)
def test_a_hostile_file_gives_a_located_message_in_bounded_time_and_memory(outcomes, index, name, entry):
    case = next(c for c in CASES if c.name == name)
    result = outcomes[index]
    output = result["output"]
    assert not result["killed_for_time"], f"still running after {SECONDS} s: {output[-1500:]}"
    assert result["exit"] in (0, 1), f"exit {result['exit']}: {output[-3000:]}"
    assert "Traceback" not in output and "internal error" not in output, output[-3000:]
    assert result["extra_rss_kb"] < MEMORY_MB * 1024, f"{result['extra_rss_kb'] // 1024} MB"
    problems = [line for line in output.splitlines() if re.search(r"\b(error|warning) SK\d{3}", line)]
    if result["exit"] == 1:
        assert problems, f"exit 1 without a coded message: {output[-2000:]}"
    for line in problems:  # located: every problem names the file it is about
        assert name in line, line
    if entry == checked_closely(case):
        assert result["exit"] in case.exit_codes, output[-3000:]
        wanted = [c for c in case.codes if c]
        if wanted:
            assert any(code in output for code in wanted), f"none of {wanted} in: {output[-3000:]}"
