"""Benchmark harness: every benchmark measures our figure and a baseline in the same run and reports the ratio.

These machines are noisy, so a benchmark never asserts an absolute time: it prints the figure, the baseline
measured moments before or after on the same data, and ``ratio = figure / baseline``. A benchmark module is
``benchmarks/bench_<topic>.py`` exposing ``run(quick: bool) -> list[Measurement]``; ``python -m benchmarks.run``
runs them all (``--quick`` shrinks the data for a smoke run) and writes ``benchmarks/results/<stamp>.json`` and
``latest.json``.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Measurement", "best_of", "timed"]


@dataclass
class Measurement:
    name: str  # what was measured, e.g. "validate 100k x 30"
    figure: float  # our time (seconds) or rate, see unit
    baseline_name: str  # what the baseline is, e.g. "pandas groupby of the same frame"
    baseline: float  # the baseline, same unit, measured in the same run
    unit: str = "s"  # "s" (lower is better) or e.g. "interviews/s" (higher is better)
    target: str | None = None  # the target in words, e.g. "<= 1 s", "overhead <= 30 %"
    met: bool | None = None  # whether the target was met in this run (None when it has no target)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.figure / self.baseline if self.baseline else float("inf")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        return data

    def line(self) -> str:
        target = f"  target {self.target}: {'met' if self.met else 'NOT met'}" if self.target else ""
        return (
            f"{self.name}: {self.figure:.4g} {self.unit}  vs {self.baseline_name}: {self.baseline:.4g} {self.unit}"
            f"  ratio {self.ratio:.2f}{target}"
        )


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall-clock seconds of one call, with the garbage collector quiet, and the call's result."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        result = fn()
        return time.perf_counter() - start, result
    finally:
        if enabled:
            gc.enable()


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    """The best of ``repeat`` timings: the least disturbed by other work on the machine."""
    return min(timed(fn)[0] for _ in range(max(1, repeat)))
