"""What an app's kernel pays to start: import time and peak memory of each app module, against a bare
one-widget kernel (ipykernel and ipywidgets only), each in a fresh interpreter (issue 17).

Each figure is the best of a few runs of ``import ipykernel.ipkernel, ipywidgets`` followed by the app's own
import line, read from its notebook in ``apps/`` (what Voilà's kernel runs first); the baseline is the same
without the app. Memory is the peak resident set size of the process. The browser measurement of a served page
(time to interactive, memory per open page under Voilà) is ``bench_apps.py``; this one isolates the imports.
Target (issue 17, memory per open page): at most 2x the bare page.
"""

from __future__ import annotations

import json
import re

from benchmarks.harness import Measurement
from surveykit.lazy import ImportProbe, probe_imports
from surveykit.ui.server import apps_dir

_KERNEL = "import ipykernel.ipkernel, ipywidgets\nipywidgets.Button(description='ready')"
_IMPORT = re.compile(r"^from (surveykit\.ui\.\w+) import (\w+)", re.MULTILINE)


def app_imports() -> dict[str, str]:
    """Notebook name -> its import line, read from the app notebooks."""
    found = {}
    for notebook in sorted(apps_dir().glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        source = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        match = _IMPORT.search(source)
        if match:
            found[notebook.stem] = f"from {match.group(1)} import {match.group(2)}"
    return found


def _best(statement: str, repeat: int) -> ImportProbe:
    probes = [probe_imports(statement) for _ in range(repeat)]
    return ImportProbe(probes[0].modules, min(p.seconds for p in probes), min(p.rss_mib for p in probes))


def run(quick: bool = False) -> list[Measurement]:
    repeat = 2 if quick else 5
    bare = _best(_KERNEL, repeat)
    measurements = []
    for name, line in app_imports().items():
        app = _best(f"{_KERNEL}\n{line}", repeat)
        measurements.append(
            Measurement(
                f"{name} app kernel: import time (best of {repeat})",
                app.seconds,
                "bare one-widget kernel (ipykernel + ipywidgets)",
                bare.seconds,
                extra={"modules": len(app.modules), "baseline_modules": len(bare.modules)},
            )
        )
        measurements.append(
            Measurement(
                f"{name} app kernel: peak memory after import",
                app.rss_mib,
                "bare one-widget kernel (ipykernel + ipywidgets)",
                bare.rss_mib,
                unit="MiB",
                target="<= 2x the baseline",
                met=app.rss_mib <= 2 * bare.rss_mib,
            )
        )
    return measurements
