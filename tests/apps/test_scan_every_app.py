"""Every app as its users meet it (issue 16, "Done when"): each role that may use each app signs in, in Russian
and in English, walks the app's main path (the first screen, one main action, every tab), and every page's
visible text is scanned for the defects users reported:

* a raw message key (``supervisor.review.skipped``) where its text belongs;
* ``nan`` / ``NaN`` / ``None`` shown as words;
* the code of a fixed list where its label belongs: institution types, modes, statuses, audit actions,
  questionnaire ids;
* a server path (``/tmp/…``, ``/work/…``, ``data/…``);
* text of the other language: Latin words on a Russian page, Cyrillic words on an English page, beyond names
  and data of the demo (people, institutions, places, respondents' own words) and a few allowed terms;
* a cut label: a button, tab or description whose text does not fit (``Приня…``), a drop-down narrower than
  its chosen option.

One Voilà server serves every app over one small demo database; a screenshot of every step goes to
``artifacts/scan/<app>-<lang>-<step>.png``, the text scanned to ``<app>-<lang>-<step>.txt`` and every defect
found to ``artifacts/scan/defects.txt``. The test
fails listing every defect of every page, so one run shows them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from surveykit.config import PROJECT_ROOT
from surveykit.demo import DEMO_ACCESS_CODE, build_demo
from surveykit.i18n import LOCALE_DIR
from surveykit.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 90_000  # ms: a Voilà page on a busy 2-core machine can take a while
SETTLE = 1_500  # ms after a click: the kernel answers and the widgets redraw
LANGUAGES = ("ru", "en")

#: who may use which app (surveykit.access); None: anonymous
ROLES: dict[str, tuple[str | None, ...]] = {
    "interview": ("anna",),
    "exam": ("trainee01",),
    "practice": ("trainee01",),
    "trainer": ("raisa",),
    "supervisor": ("olga", "pavel"),
    "dashboard": ("council", "olga"),
    "admin": ("admin",),
    "verify": (None,),
    "lessons": (None,),
}

#: Latin words allowed on a Russian page: names of formats and standards, and the other language's own name
#: in the language switch
LATIN_ALLOWED = {
    "English", "PDF", "CSV", "JSON", "JSONL", "Lines", "QR", "ID", "UTC", "SPSS", "Stata", "Excel", "XLSX",
    "XLSForm", "AAPOR", "RR", "COOP", "REF", "CON", "ODK", "SK", "ISO", "URL", "Voilà", "Jupyter", "OK", "NOK",
    "SD", "SE", "p", "z", "n", "N", "e", "x", "SAV", "DTA",
    # notation of the item statistics (difficulty, discrimination D, correlation r) and of the rating's formulas
    # (the total score S, min, the methodology's parts A.1-A.3)
    "D", "r", "S", "A", "min", "max",
    # the title of the AAPOR publication the fieldwork tab cites, and the body it names
    "Standard", "Definitions", "CASRO",
    # the column names a register file must have (the campaign tab says which): a file format's own words
    "name", "type", "region", "municipality", "address", "website", "recipients", "rule",
}  # fmt: skip
#: Cyrillic words allowed on an English page: the other language's own name in the language switch
CYRILLIC_ALLOWED = {"Русский", "русский"}

KEY_PATTERN = re.compile(r"\b[a-z_]+\.[a-z_0-9]+(?:\.[a-z_0-9]+)*\b")
MISSING = re.compile(r"(?<![\w.])(nan|NaN|None|NaT|null|undefined)(?![\w.])")
# data that is neither language: web addresses (an institution's site, bus.gov.ru) and certificate serials
ADDRESS = re.compile(r"\b(?:https?://\S+|(?:[\w-]+\.)+(?:ru|org|com|net|gov)\b/?\S*)")
SERIAL = re.compile(r"\bSK-\d{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
PATH = re.compile(r"(?<![\w.])(/tmp/|/work/|/root/|/home/|/usr/|/var/|data/[\w.-]+|[\w-]+\.sqlite\b)")
# whole words only: identifiers mixing letters, digits and underscores (q14, rho_int, SK-2025-…) are not prose
LATIN_WORD = re.compile(r"(?<![\w])[A-Za-zÀ-ÿ]+(?![\w])")
CYRILLIC_WORD = re.compile(r"(?<![\w])[А-Яа-яЁё]+(?![\w])")

# the visible text of cut labels and clipped drop-downs (measured, not guessed: scrollWidth and the chosen
# option's width in the select's own font)
CUT_SCRIPT = """() => {
  const visible = e => e.offsetParent !== null && e.getClientRects().length > 0;
  const out = [];
  for (const e of document.querySelectorAll(
      '.widget-button, .widget-toggle-button, .lm-TabBar-tab-label, .widget-label, .widget-label-basic')) {
    if (visible(e) && e.innerText.trim() && e.scrollWidth > e.clientWidth + 1) out.push(e.innerText.trim());
  }
  const canvas = document.createElement('canvas').getContext('2d');
  for (const s of document.querySelectorAll('select')) {
    if (!visible(s) || s.multiple || s.selectedIndex < 0) continue;
    const style = getComputedStyle(s);
    canvas.font = style.fontWeight + ' ' + style.fontSize + ' ' + style.fontFamily;
    const text = s.options[s.selectedIndex].text;
    // ipywidgets draw their own arrow inside the right padding (appearance: none); a native select's arrow
    // takes about 16 px more
    const arrow = style.appearance === 'none' || style.webkitAppearance === 'none' ? 0 : 16;
    const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - arrow;
    if (canvas.measureText(text).width > room + 1) out.push('select: ' + text);
  }
  return out;
}"""


def _locale_keys() -> set[str]:
    keys: set[str] = set()
    for path in LOCALE_DIR.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        keys |= {str(k) for k in data}
    return keys


def _fixed_codes(store: Store) -> set[str]:
    """Codes of fixed lists that must be shown by their labels."""
    from surveykit.store import audit as _audit  # noqa: F401  (the audit module names its actions)
    from surveykit.store.schema import CASE_STATUSES, INTERVIEW_STATUSES, MODES

    types = yaml.safe_load(
        (PROJECT_ROOT / "questionnaires" / "directory" / "institution_types.yaml").read_text()
    )
    actions = set(store.audit_frame()["action"].dropna().astype(str))
    ids = {v.questionnaire_id for v in store.versions()}
    return {
        *types["types"],
        *MODES,
        *INTERVIEW_STATUSES,
        *CASE_STATUSES,
        *{a for a in actions if "_" in a},
        *ids,
    }


def _data_words(store: Store) -> tuple[set[str], set[str]]:
    """Words of names and data (people, institutions, places, certificates, respondents' own text): allowed in
    either language."""
    texts: list[str] = []
    texts += [f"{p.display_name} {p.id} {p.login or ''}" for p in store.people()]  # logins are names too
    for i in store.institutions():
        texts += [
            str(getattr(i, name, "") or "") for name in ("name", "municipality", "region", "short_name")
        ]
    texts += list(store.training.cohorts()["name"].astype(str))  # a cohort's name (its id is a code)
    for c in store.training.certificates():
        texts.append(str(c.record.get("credentialSubject", {}).get("name", "")))
    for qid in {v.questionnaire_id for v in store.versions()}:
        frame = store.interviews_frame(qid)
        for column in frame.columns:
            if frame[column].dtype == object:
                texts += [v for v in frame[column].dropna().unique() if isinstance(v, str) and " " in v]
    joined = " ".join(texts)
    return set(CYRILLIC_WORD.findall(joined)), set(LATIN_WORD.findall(joined))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scan")
    url = f"sqlite:///{folder / 'surveykit.sqlite'}"
    build_demo(url, seed=7, size="small", plant_falsifiers=True)
    with Store.open(url) as store:
        certificate = store.training.certificates()[0]
        cyrillic, latin = _data_words(store)
        facts = {
            "env": {"SURVEYKIT_DATABASE_URL": url, "SURVEYKIT_DATA_DIR": str(folder)},
            "codes": _fixed_codes(store),
            "cyrillic": cyrillic | CYRILLIC_ALLOWED,
            "latin": latin | LATIN_ALLOWED,
            "serial": certificate.serial,
            "holder": store.person(certificate.person_id).display_name,
            "keys": _locale_keys(),
        }
    return facts


@pytest.fixture(scope="module")
def server(demo, tmp_path_factory):
    """One Voilà server for every app (a port of 14800-14899 when one is free, else any free port)."""
    import socket

    from surveykit.ui.browser import VoilaServer
    from surveykit.ui.server import free_port

    def port_in_range() -> int:
        for candidate in range(14_800, 14_900):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", candidate)) != 0:
                    return candidate
        return free_port()

    log = tmp_path_factory.mktemp("scan-log") / "voila.log"
    started = VoilaServer(env=demo["env"], log=log, port=port_in_range()).start()
    yield started
    started.stop()


class Scanner:
    """Opens pages, takes a screenshot of every step and collects the defects of its text."""

    def __init__(self, demo: dict, folder: Path) -> None:
        self.demo = demo
        self.folder = folder
        self.defects: list[str] = []
        self.prefixes = {k.split(".", 1)[0] for k in demo["keys"]}

    def check(self, page, app: str, lang: str, step: str) -> None:
        page.wait_for_timeout(SETTLE)
        page.screenshot(path=str(self.folder / f"{app}-{lang}-{step}.png"), full_page=True)
        text = page.inner_text("body")
        for frame in page.frames[1:]:  # charts: plotly figures in frames of their own, the visible ones
            try:
                if frame.frame_element().is_visible():
                    text += "\n" + frame.inner_text("body", timeout=2_000)
            except Exception:  # a frame gone while reading (the page redrew it): nothing to read there
                continue
        text = UUID.sub(" ", text)  # interview ids are data
        text = SERIAL.sub(" ", ADDRESS.sub(" ", text))
        (self.folder / f"{app}-{lang}-{step}.txt").write_text(text, encoding="utf-8")  # what was scanned
        where = f"{app} [{lang}] {step}"
        found: list[str] = []
        keys = self.demo["keys"]
        for match in KEY_PATTERN.findall(text):
            if match in keys or (
                match.split(".", 1)[0] in self.prefixes
                and match.count(".") >= 1
                and not re.search(r"\.(py|ipynb|yaml|csv|pdf|json|jsonl|xlsx|sav|org|ru)$", match)
            ):
                found.append(f"raw key: {match}")  # fmt: skip
        found += [f"missing value shown: {m}" for m in MISSING.findall(text)]
        codes = self.demo["codes"]
        for word in set(re.findall(r"[a-z][a-z0-9_]*[a-z0-9]", text)):
            if word in codes and ("_" in word or lang == "ru" or word in {"rehab", "kcson", "csp"}):
                found.append(f"code shown: {word}")
        found += [f"server path: {m}" for m in set(PATH.findall(text))]
        if lang == "ru":
            stray = {w for w in LATIN_WORD.findall(text) if w not in self.demo["latin"] and w not in codes}
            found += [f"English on a Russian page: {w}" for w in sorted(stray)]
        else:
            stray = {w for w in CYRILLIC_WORD.findall(text) if w not in self.demo["cyrillic"]}
            found += [f"Russian on an English page: {w}" for w in sorted(stray)]
        found += [f"cut label: {c}" for c in page.evaluate(CUT_SCRIPT)]
        self.defects += [f"{where}: {f}" for f in sorted(set(found))]


def _open(page, url: str, ready: str) -> None:
    page.goto(url, timeout=TIMEOUT)
    page.wait_for_selector(ready, timeout=TIMEOUT)


def _sign_in(page, login: str) -> None:
    page.fill(".sk-login input", login)
    page.fill(".sk-code input", DEMO_ACCESS_CODE)
    page.click(".sk-sign-in")
    page.wait_for_selector(".sk-sign-in", state="detached", timeout=TIMEOUT)


def _tabs(page, scan: Callable[[str], None], prefix: str = "tab") -> None:
    """Click every tab of the app's first tab bar and scan each."""
    bar = page.locator(".lm-TabBar").first
    if not bar.count():
        return
    count = bar.locator(".lm-TabBar-tab").count()
    for i in range(count):
        bar.locator(".lm-TabBar-tab").nth(i).click()
        scan(f"{prefix}{i + 1}")


def _click_if(page, selector: str) -> bool:
    target = page.locator(selector).first
    if target.count() and target.is_visible():
        target.click()
        return True
    return False


# --- the main path of each app ---------------------------------------------------------------------------------
def walk_interview(page, scan, lang, demo):
    scan("start")
    if _click_if(page, "[class*='sk-start-']:not(.sk-start-practice)"):
        scan("contact")
        consent = page.locator(".sk-contact-consent button").first
        if consent.count():
            consent.click()
            if _click_if(page, ".sk-contact-begin"):
                page.locator(".sk-q-proxy_respondent").wait_for(timeout=TIMEOUT)
                scan("first-page")


def walk_exam(page, scan, lang, demo):
    scan("start")
    if _click_if(page, ".sk-start-exam"):
        scan("exam")


def walk_practice(page, scan, lang, demo):
    scan("start")
    if _click_if(page, ".sk-persona .widget-button"):  # a respondent: the cover sheet
        page.locator(".sk-start-practice").wait_for(timeout=TIMEOUT)
        scan("cover")
        page.click(".sk-start-practice")
        scan("practice")


def walk_tabs(page, scan, lang, demo):
    scan("start")
    _tabs(page, scan)


def walk_supervisor(page, scan, lang, demo):
    page.locator(".sk-read").first.wait_for(timeout=TIMEOUT)  # the queue is drawn
    scan("start")
    page.locator(".sk-read").first.click()
    page.locator(".sk-review").wait_for(timeout=TIMEOUT)
    scan("review")
    page.locator(".sk-review-back").click()
    _tabs(page, scan)


def walk_verify(page, scan, lang, demo):
    scan("start")
    page.fill(".sk-verify-input textarea", demo["serial"])
    page.fill(".sk-verify-name input", demo["holder"])
    page.click(".sk-verify")
    page.locator(".sk-verify-result").wait_for(timeout=TIMEOUT)
    scan("verified")


def walk_lessons(page, scan, lang, demo):
    scan("start")
    link = page.locator(".sk-app a[href*='module=']").first
    if link.count():
        link.click()
        page.wait_for_selector(".sk-lesson", timeout=TIMEOUT)
        scan("module")


WALKS = {
    "interview": walk_interview,
    "exam": walk_exam,
    "practice": walk_practice,
    "trainer": walk_tabs,
    "supervisor": walk_supervisor,
    "dashboard": walk_tabs,
    "admin": walk_tabs,
    "verify": walk_verify,
    "lessons": walk_lessons,
}

CASES = [(app, login) for app, logins in ROLES.items() for login in logins]


@pytest.fixture(scope="module")
def scanner(demo, artifacts):
    folder = artifacts / "scan"
    folder.mkdir(exist_ok=True)
    for old in [*folder.glob("*.png"), *folder.glob("*.txt")]:
        old.unlink()
    return Scanner(demo, folder)


@pytest.mark.parametrize(("app", "login"), CASES, ids=[f"{a}-{login or 'anonymous'}" for a, login in CASES])
def test_every_page_of_the_app_reads_right_in_both_languages(browser, server, demo, scanner, app, login):
    before = len(scanner.defects)
    for lang in LANGUAGES:
        context = browser.new_context(lang=lang, viewport={"width": 1280, "height": 1400})
        page = context.new_page()
        try:
            who = login or "anonymous"
            name = f"{app}-{who}" if len(ROLES[app]) > 1 else app
            ready = ".sk-login input" if login else ".sk-app"
            _open(page, server.url(app, lang=lang), ready)
            scanner.check(page, name, lang, "0-open")
            if login:
                _sign_in(page, login)

            def scan(step, _page=page, _name=name, _lang=lang):
                scanner.check(_page, _name, _lang, step)

            WALKS[app](page, scan, lang, demo)
        finally:
            page.close(run_before_unload=True)  # Voilà shuts the page's kernel down on unload
            context.close()
    mine = scanner.defects[before:]
    with (scanner.folder / "defects.txt").open("a", encoding="utf-8") as out:
        out.writelines(f"{d}\n" for d in mine)
    assert not mine, f"{len(mine)} defect(s):\n" + "\n".join(mine)
