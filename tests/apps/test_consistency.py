"""The apps look and speak alike (issue 16 item 10): one width for every app, given in one place; error
messages that start like a sentence; the promised top-level data/ folder in a fresh clone."""

from __future__ import annotations

import re
import subprocess

import ipywidgets as W
import pytest

from surveykit.config import PROJECT_ROOT

UI = PROJECT_ROOT / "surveykit" / "ui"


def _css_rules(source: str) -> list[tuple[str, str]]:
    """(selector, declarations) of every CSS rule written in a module's source."""
    return [(sel.strip(), body) for sel, body in re.findall(r"([^{}\n]+)\{([^{}]*)\}", source)]


def test_every_app_takes_its_width_from_the_shared_layout():
    """Only surveykit/ui/common.py sets the width of an app's page; no app widens or narrows its own."""
    from surveykit.ui.common import APP_MAX_WIDTH, STYLE

    own_widths = []
    for path in sorted(UI.glob("*.py")):
        if path.name == "common.py":
            continue
        for selector, body in _css_rules(path.read_text(encoding="utf-8")):
            root = re.fullmatch(r"\.sk-[\w-]+-app|\.sk-app|\.sk-lesson", selector)
            if root and re.search(r"(max-|min-)?width\s*:", body):
                own_widths.append(f"{path.name}: {selector} {{{body.strip()}}}")
    assert not own_widths, own_widths
    assert re.search(rf"\.sk-app \{{[^}}]*max-width: {APP_MAX_WIDTH};[^}}]*margin: 0 auto", STYLE)


def test_every_app_root_wears_the_shared_layout():
    """Every app class is an ``sk-app`` (the class the shared layout applies to)."""
    missing = []
    for path in sorted(UI.glob("*_app.py")) + [UI / "lesson.py"]:
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^class (\w+App)\(W\.VBox\):", source, flags=re.M):
            body = source[match.end() : match.end() + 3000]
            if 'add_class("sk-app")' not in body:
                missing.append(f"{path.name}: {match.group(1)}")
    assert not missing, missing


@pytest.fixture
def store(sqlite_store):
    sqlite_store.add_person("anna", "Анна Смирнова", ["interviewer"], login="anna", access_code="2468")
    return sqlite_store


def _widgets(root):
    stack, out = [root], []
    while stack:
        widget = stack.pop()
        out.append(widget)
        stack.extend(getattr(widget, "children", ()))
    return out


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_refused_sign_in_reads_as_a_sentence(store, language):
    from surveykit.ui.interview_app import InterviewApp

    app = InterviewApp(store, params={"lang": language})
    widgets = _widgets(app)
    login = next(w for w in widgets if isinstance(w, W.Text) and "sk-login" in w._dom_classes)
    code = next(w for w in widgets if isinstance(w, W.Password))
    button = next(w for w in widgets if isinstance(w, W.Button) and "sk-sign-in" in w._dom_classes)
    login.value, code.value = "anna", "0000"
    button.click()
    text = re.sub(r"<[^>]+>", "", app.notice.value).strip()
    assert text, "the refusal is shown"
    assert text[0].isupper(), text
    assert text.endswith(".") and ("Проверьте" in text if language == "ru" else "Check" in text), text


def test_user_messages_start_with_a_capital_letter_in_both_languages():
    from surveykit.errors import ErrorCode, Location, SurveykitError
    from surveykit.ui.common import user_message

    err = SurveykitError(ErrorCode.ACCESS_CODE_WRONG, Location(field="access_code"))
    assert user_message(err, "ru").startswith("Код доступа неверный.")
    assert user_message(err, "en").startswith("The access code is not correct.")


def test_a_fresh_clone_has_the_data_folder_and_git_keeps_generated_files_out():
    readme = PROJECT_ROOT / "data" / "README.md"
    assert readme.is_file() and "surveykit.sqlite" in readme.read_text(encoding="utf-8")
    generated = ["data/surveykit.sqlite", "data/exports/x.sav", "data/certificates/a.pdf", "data/logs/apps.log",
                 "data/keys/issuer.pem", "data/reports/r.html", "notebooks/exports/x.sav"]  # fmt: skip
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *generated], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout.split()
    assert ignored == generated
    kept = subprocess.run(["git", "check-ignore", "--no-index", "data/README.md"], cwd=PROJECT_ROOT)
    assert kept.returncode == 1  # not ignored: the folder and what goes there are in every clone
