"""An app's kernel imports only what its first screen (the sign-in) needs: the migration runner, backups,
imports and exports, the analysis stack, plotting and the spreadsheet and SPSS/Stata readers load on first
use. Each app module is imported the way its notebook does, in a fresh interpreter.

The interview app goes further (issue 17, memory per open interview): its sign-in page needs neither numpy nor
pandas, its home page after sign-in not the interview engine (numpy, the expressions), and a whole interview
(sign in, open, answer, submit, through the widgets the app shows and the store they call) never loads pandas."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from surveykit.config import PROJECT_ROOT
from surveykit.lazy import probe_imports
from surveykit.ui.server import apps_dir

#: modules no app may import before its first screen (SQLAlchemy Core and pandas are allowed: the store)
HEAVY = (
    "alembic",  # the migration runner: `surveykit db upgrade` only
    "surveykit.store.migrate",
    "surveykit.store.backup",
    "surveykit.store.importer",
    "surveykit.store.exporter",
    "surveykit.exchange",  # exports, codebooks, analysis
    "surveykit.reports",
    "surveykit.quality.checks",  # the quality checks (SciPy)
    "surveykit.dashboard.charts",  # plotly
    "scipy",
    "statsmodels",
    "plotly",
    "pyreadstat",
    "openpyxl",
    "fpdf",
    "matplotlib",
)
_IMPORT = re.compile(r"^from (surveykit\.ui\.\w+) import (\w+)", re.MULTILINE)


def _app_imports() -> list[tuple[str, str]]:
    """(notebook, import statement) of every app notebook, read from the notebooks themselves."""
    found = []
    for notebook in sorted(apps_dir().glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        source = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        for module, name in _IMPORT.findall(source):
            found.append((notebook.stem, f"from {module} import {name}"))
    return found


APP_IMPORTS = _app_imports()


def test_every_app_notebook_is_checked():
    names = {notebook for notebook, _ in APP_IMPORTS}
    assert names == {p.stem for p in apps_dir().glob("*.ipynb")}
    assert len(names) >= 9


@pytest.mark.parametrize(("notebook", "statement"), APP_IMPORTS, ids=[n for n, _ in APP_IMPORTS])
def test_an_app_kernel_does_not_import_what_its_first_screen_does_not_need(notebook, statement):
    probe = probe_imports(statement)
    assert probe.loaded(HEAVY) == [], f"{notebook}: `{statement}` imports {probe.loaded(HEAVY)}"
    assert "ipywidgets" in probe.modules  # the probe really imported the app


def test_the_heavy_parts_still_load_when_used():
    """Lazy names resolve: the packages made lazy still give what they export."""
    probe = probe_imports(
        "from surveykit.dashboard import charts, council_workbook; from surveykit.quality import run_checks; "
        "from surveykit.store import ImportResult; from surveykit.store.migrate import upgrade"
    )
    assert probe.loaded(("plotly", "scipy", "alembic", "surveykit.store.importer")) == [
        "alembic",
        "plotly",
        "scipy",
        "surveykit.store.importer",
    ]


#: what the interview app's first screen and a whole interview must not load (pandas brings pyarrow along)
NO_FRAMES = ("pandas", "pyarrow")
#: numpy comes with the expression engine when an interview opens, not before
NO_ARRAYS = ("numpy",)

# (names the probe itself uses are not reused: start, seconds, rss, json, sys, time, resource)
_FIND = """
def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)

def one(css):
    (found,) = [w for w in walk(app) if css in getattr(w, "_dom_classes", ())]
    return found
"""

#: the notebook's own statement (apps/interview.ipynb), then what the sign-in page shows
_FIRST_SCREEN = f"""
from surveykit.ui.interview_app import InterviewApp
app = InterviewApp.from_request()
{_FIND}
one("sk-login"), one("sk-code"), one("sk-sign-in")
"""

#: the first screen, then signed in: the home page (certificate line, assignments, drafts)
_HOME = (
    _FIRST_SCREEN
    + """
one("sk-login").value = "ANNA"
one("sk-code").value = "1111-2222"
one("sk-sign-in").click()
assert app.person is not None, app.notice.value
assert "sk-banner-ok" in app.body.children[0].value, app.body.children[0].value  # certified: checked
"""
)

#: the home page, then an interview taken to submission through the widgets, as an interviewer does
_INTERVIEW = (
    _HOME
    + """
(go,) = [w for w in walk(app) if any(c.startswith("sk-start-") for c in getattr(w, "_dom_classes", ()))]
go.click()
one("sk-contact-consent").value = "yes"
one("sk-contact-begin").click()
answers = {"proxy_respondent": "no", **{f"q{i}": "yes" for i in range(1, 16)}}
for code, value in answers.items():
    app.session.set_answer(code, value)
app.form_view.refresh()
app.show_review()
one("sk-submit").click()
one("sk-next-interview")  # the page after a submission
assert app.guarded.interview(app.meta.id).status == "submitted", app.notice.value
"""
)


@pytest.fixture
def interview_env(tmp_path, sqlite_url):
    """A store with the recipient survey, one institution and anna (certified) assigned to it: the
    environment of an app kernel under Voilà (database, data folder, the page's query string)."""
    from surveykit.questionnaire.io import load_questionnaire
    from surveykit.store import Store
    from surveykit.store.testing import add_signed_certificate

    Store.upgrade(sqlite_url)
    with Store.open(sqlite_url) as store:
        store.publish(load_questionnaire(PROJECT_ROOT / "questionnaires" / "recipient_survey.yaml"))
        store.add_institution("cso_2", "ЦСО № 2", type="cso", region="north", municipality="Северск")
        store.add_person("anna", "Анна Иванова", ["interviewer"], login="ANNA", access_code="1111-2222")
        now = dt.datetime.now(dt.UTC)
        add_signed_certificate(store, "anna", ["interviewer"], issued_at=now - dt.timedelta(days=1),
                               valid_until=now + dt.timedelta(days=300))  # fmt: skip
        store.assign("anna", "cso_2", "recipient_survey", "2026", 10)
    return {"SURVEYKIT_DATABASE_URL": sqlite_url, "SURVEYKIT_DATA_DIR": str(tmp_path), "QUERY_STRING": "lang=en"}


def test_the_interview_apps_sign_in_page_needs_neither_pandas_nor_numpy(interview_env):
    probe = probe_imports(_FIRST_SCREEN, env=interview_env)
    assert probe.loaded(NO_FRAMES + NO_ARRAYS + HEAVY) == []
    assert "sqlalchemy" in probe.modules  # the store was really opened


#: the interview's engine: loaded when an interview opens, never by the home page (issue 17, lean kernels)
ENGINE = ("numpy", "surveykit.expressions", "surveykit.interview.session", "lark")


def test_the_home_page_after_sign_in_does_not_load_the_interview_engine(interview_env):
    """Signed in, the home page shows the (verified) certificate, the assignments and their contact history
    without the expression engine and numpy, which a kernel loads only when an interview opens."""
    probe = probe_imports(_HOME, env=interview_env)
    assert probe.loaded(ENGINE + NO_FRAMES + HEAVY) == []
    assert "surveykit.certificates.stored" in probe.modules  # the certificate's signature was really checked


def test_an_interview_from_sign_in_to_submission_never_loads_pandas(interview_env):
    probe = probe_imports(_INTERVIEW, env=interview_env)
    assert probe.loaded(NO_FRAMES + HEAVY) == []
    assert "surveykit.questionnaire.validate_one" in probe.modules  # the submission was validated
