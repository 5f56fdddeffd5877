"""Names of a package imported on first use (PEP 562), so that an app kernel or the CLI pays only for what it uses.

A package lists ``name -> module`` and installs the pair this returns as its ``__getattr__`` and ``__dir__``::

    __getattr__, __dir__ = lazy_exports(__name__, {"quality_report": "surveykit.quality.legacy"}, __all__)

``from package import name`` and ``package.name`` work as before; the module behind ``name`` (and what it
imports: SciPy, plotly, openpyxl ...) loads when the name is first asked for, then the value is kept.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ImportProbe", "lazy_exports", "probe_imports"]


def lazy_exports(
    package: str,
    exports: Mapping[str, str],
    public: Iterable[str] = (),
    renamed: Mapping[str, str] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``exports`` maps a name to the module defining it
    (absolute, or relative to ``package`` with a leading dot); ``renamed`` maps a name to the attribute of
    that module when they differ. A submodule is exported under its own name (``{"charts": ".charts"}``)."""
    names = dict(exports)
    aliases = dict(renamed or {})
    listed = list(public)

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        loaded = importlib.import_module(module, package)
        attribute = aliases.get(name, name)
        # a submodule exported under its own name ("charts": ".charts") is the module itself
        value = loaded if loaded.__name__.rpartition(".")[2] == attribute else getattr(loaded, attribute)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(listed) | set(names))

    return __getattr__, __dir__


@dataclass(frozen=True)
class ImportProbe:
    """What one statement imports in a fresh interpreter: the modules loaded, the seconds it took and the
    process's peak resident memory afterwards (MiB); ``rss_now_mib``: the resident memory at the end (what
    an open page keeps; the peak also counts what was freed, e.g. the access-code hash's 19 MiB; NaN where
    ``/proc`` is missing)."""

    modules: frozenset[str]
    seconds: float
    rss_mib: float
    rss_now_mib: float = float("nan")

    def loaded(self, names: Iterable[str]) -> list[str]:
        """Those of ``names`` (modules or packages) that were imported."""
        return sorted(n for n in names if n in self.modules)


_PROBE = """
import json, resource, sys, time
start = time.perf_counter()
{statement}
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:
    with open("/proc/self/statm") as statm:
        now = int(statm.read().split()[1]) * resource.getpagesize() / 2**20
except OSError:
    now = float("nan")
json.dump({{"modules": sorted(sys.modules), "seconds": seconds, "rss": rss, "now": now}}, sys.stdout)
"""


def probe_imports(statement: str, *, env: Mapping[str, str] | None = None) -> ImportProbe:
    """Run ``statement`` (e.g. ``"from surveykit.ui.interview_app import InterviewApp"``) in a fresh
    interpreter and report what it imported (used by the lean-import tests and the kernel benchmark)."""
    import json
    import os
    import subprocess

    completed = subprocess.run(
        [sys.executable, "-c", _PROBE.format(statement=statement)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{statement!r} failed in a fresh interpreter:\n{completed.stderr[-2000:]}")
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    return ImportProbe(frozenset(data["modules"]), float(data["seconds"]), float(data["rss"]), float(data["now"]))
