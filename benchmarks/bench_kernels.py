"""What an app's kernel pays to start: import time and peak memory of each app module, against a bare
one-widget kernel (ipykernel and ipywidgets only), each in a fresh interpreter (issue 17).

Each figure is the best of a few runs of ``import ipykernel.ipkernel, ipywidgets`` followed by the app's own
import line, read from its notebook in ``apps/`` (what Voilà's kernel runs first); the baseline is the same
without the app. Memory is the peak resident set size of the process. The browser measurement of a served page
(time to interactive, memory per open page under Voilà) is ``bench_apps.py``; this one isolates the kernels.

The interview app is also measured as a kernel holds it (resident memory at the end, on the demo store, with
``QUERY_STRING=lang=en`` as Voilà sets it): after its first screen (the notebook's statement: the store opened,
the sign-in page built), after signing in (the home page) and after an interview taken to submission through
the app's widgets (sign in, start the first assignment, consent, answer every page, review, submit).
Target (issue 17, memory per open page): at most 2x the bare page.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

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


_FIND = """
def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)

def one(css, prefix=False):  # the widget of a class (prefix: the first whose class starts so)
    found = [w for w in walk(app)
             if any(c == css or prefix and c.startswith(css) for c in getattr(w, "_dom_classes", ()))]
    assert len(found) == 1 or prefix and found, (css, len(found))
    return found[0]
"""
#: the interview notebook's statement, then the sign-in page's fields
_FIRST_SCREEN = f"""
from surveykit.ui.interview_app import InterviewApp
app = InterviewApp.from_request()
{_FIND}
one("sk-login"), one("sk-code"), one("sk-sign-in")
"""
#: signed in as anna on the demo store: the home page (certificate line, assignments, drafts)
_HOME = (
    _FIRST_SCREEN
    + """
one("sk-login").value = "anna"
one("sk-code").value = "ACCESS_CODE"
one("sk-sign-in").click()
"""
)
#: an interview of the demo store taken to submission: the first choice offered (or 5) for every question shown
_INTERVIEW = (
    _HOME
    + """
one("sk-start-", prefix=True).click()
one("sk-contact-consent").value = "yes"
one("sk-contact-begin").click()
for _page in range(100):
    while True:
        todo = [b for b in app.session.view().blocks
                if hasattr(b, "choices") and app.session.value(b.variable) is None]
        if not todo:
            break
        app.session.set_answer(todo[0].variable, todo[0].choices[0][0] if todo[0].choices else "5")
    app.form_view.refresh()
    if not app.session.next():
        break
app.show_review()
one("sk-submit").click()
one("sk-next-interview")
"""
)


def _best(statement: str, repeat: int, env: dict[str, str] | None = None) -> ImportProbe:
    probes = [probe_imports(statement, env=env) for _ in range(repeat)]
    return ImportProbe(
        probes[0].modules,
        min(p.seconds for p in probes),
        min(p.rss_mib for p in probes),
        min(p.rss_now_mib for p in probes),
    )


def _interview_kernel(bare: ImportProbe, repeat: int) -> list[Measurement]:
    """The interview app's kernel after its first screen and after a submitted interview (demo store)."""
    from surveykit.demo import DEMO_ACCESS_CODE, build_demo

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'surveykit.sqlite'}"
        build_demo(url, seed=5, size="small")
        env = {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": tmp, "QUERY_STRING": "lang=en"}
        first = _best(f"{_KERNEL}\n{_FIRST_SCREEN}", repeat, env)
        home = _best(f"{_KERNEL}\n{_HOME.replace('ACCESS_CODE', DEMO_ACCESS_CODE)}", min(repeat, 3), env)
        # each run submits one interview of anna's first assignment: a few, to stay under its target
        interview = _INTERVIEW.replace("ACCESS_CODE", DEMO_ACCESS_CODE)
        done = _best(f"{_KERNEL}\n{interview}", min(repeat, 3), env)
    out = []
    for label, probe, target in (
        ("first screen (store opened, sign-in page)", first, True),
        ("sign-in (home page: verified certificate, assignments)", home, False),
        ("one interview submitted", done, False),
    ):
        out.append(
            Measurement(
                f"interview app kernel: resident memory after its {label}",
                probe.rss_now_mib,
                "bare one-widget kernel (ipykernel + ipywidgets), resident memory",
                bare.rss_now_mib,
                unit="MiB",
                target="<= 2x the baseline" if target else None,
                met=probe.rss_now_mib <= 2 * bare.rss_now_mib if target else None,
                extra={  # (no peak: a child started from this process, which built the demo, inherits its peak)
                    "seconds": probe.seconds,
                    "pandas": "pandas" in probe.modules,
                    "numpy": "numpy" in probe.modules,
                },
            )
        )
    return out


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
    return measurements + _interview_kernel(bare, repeat)
