"""Start-up of the command line: ``surveykit --version`` against ``python -c "import pandas"`` (issue 17).

Both run as fresh processes with the same interpreter, alternately, best of several runs (the least disturbed
by other work on the machine). Target: at most 2x the pandas import. ``surveykit --help`` is measured the
same way (it lists every subcommand without importing any).
"""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks.harness import Measurement


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def run(quick: bool = False) -> list[Measurement]:
    repeat = 3 if quick else 7
    python = sys.executable
    commands = {
        "version": [python, "-m", "surveykit", "--version"],
        "help": [python, "-m", "surveykit", "--help"],
        "pandas": [python, "-c", "import pandas"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the file cache once, untimed
        _seconds(argv)
    for _ in range(repeat):  # alternate, so that machine noise hits all alike
        for name, argv in commands.items():
            times[name].append(_seconds(argv))
    best = {name: min(values) for name, values in times.items()}
    return [
        Measurement(
            f"surveykit --{what} (best of {repeat}, fresh process)",
            best[what],
            'python -c "import pandas"',
            best["pandas"],
            target="<= 2x the baseline",
            met=best[what] <= 2 * best["pandas"],
            extra={"runs": times[what], "baseline_runs": times["pandas"]},
        )
        for what in ("version", "help")
    ]
