"""The review list from real attempts (statistics, harmful options chosen, distractors nobody chooses, the
linter's warnings) through the service, the trainer's view and ``surveykit training review``; and
``surveykit training lint`` on the shipped bank and on a flawed copy."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from surveykit.cli.main import main
from surveykit.config import PROJECT_ROOT
from surveykit.errors import AccessDenied, ErrorCode, Report, Severity
from surveykit.training.itemstats import REVIEW_COLUMNS, option_counts, review_list

from .helpers import ACCESS, add_trainee, harmful_answer, key_answer


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _stats(course, rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    from surveykit.training import item_statistics

    points = pd.DataFrame.from_dict(rows, orient="index", dtype=float)
    return item_statistics(points, course.rules)


def test_the_review_list_by_hand(course):
    """12 trainees answered m1-01 (critical): 4 chose the harmful option a (33 % > 15 %); nobody chose b
    (a dead distractor). m5-03 is answered right by everyone (too easy). A lint warning on m0-02 is listed."""
    item = course.item("m1-01")
    harmful = sorted(item.harmful_ids)[0]
    dead = next(o for o in item.option_ids if o not in item.key_set and o not in item.harmful_ids)
    answers = [{"m1-01": harmful} for _ in range(4)] + [{"m1-01": item.answer} for _ in range(8)]
    answers = [dict(a, **{"m5-03": course.item("m5-03").answer}) for a in answers]
    counts = option_counts(answers, course)
    assert counts["m1-01"][harmful] == 4 and counts["m1-01"][dead] == 0
    rows = {
        f"t{k}": {"m1-01": 1.0 if k >= 4 else 0.0, "m5-03": 1.0, "m0-02": 1.0 if k % 2 else 0.0}
        for k in range(12)
    }
    stats = _stats(course, rows)
    lint = Report()
    lint.add(
        ErrorCode.LINT_KEY_LONGEST, None, Severity.WARNING, item="m0-02", language="Russian", ratio="2.0"
    )
    frame = review_list(course, stats, counts, lint)
    assert list(frame.columns) == REVIEW_COLUMNS
    assert frame.loc["m1-01", "flags"] == "harmful_chosen; dead_distractor"
    assert (
        f"{harmful} (33 %)" in frame.loc["m1-01", "reasons_en"] and dead in frame.loc["m1-01", "reasons_ru"]
    )
    assert frame.loc["m5-03", "flags"] == "too_easy; dead_distractor"  # everybody right: no distractor works
    assert "100 %" in frame.loc["m5-03", "reasons_ru"]
    assert frame.loc["m0-02", "flags"] == "lint" and "SK823" in frame.loc["m0-02", "reasons_en"]
    assert list(frame.index)[0] == "m1-01"  # most flags first
    empty = review_list(course, stats.iloc[0:0], {}, None)
    assert list(empty.columns) == REVIEW_COLUMNS and not len(empty)


def _sit_exam(service, person_id: str, *, harm: bool) -> None:
    attempt = service.start_exam(person_id, seed="cohort")  # the same items for everyone: enough answers
    course = service.course
    for item_id in attempt.item_ids:
        item = course.item(item_id)
        value = harmful_answer(item) if harm and item.critical else key_answer(item)
        service.save_answer(attempt.attempt_id, item_id, value)
    service.submit_exam(attempt.attempt_id)


def test_the_service_the_trainer_view_and_the_cli_show_the_review_list(service, store, store_url, capsys):
    for n in range(12):
        add_trainee(store, f"t{n:02d}", f"Слушатель {n}")
        _sit_exam(service, f"t{n:02d}", harm=n < 4)
    frame = service.item_review(lint=False)
    assert len(frame) and "harmful_chosen" in "; ".join(frame["flags"])
    harmful_rows = frame[frame["flags"].str.contains("harmful_chosen")]
    assert all(service.course.item(i).critical for i in harmful_rows.index)
    # the trainer's view needs training.keys; a trainee may not see it
    from surveykit.store.guarded import GuardedStore

    add_trainee(store, "tr", "Петров Пётр", roles=("trainer",))
    trainer = GuardedStore(store, store.start_session("tr", ACCESS, ("trainer",), app="trainer")).training(
        service
    )
    assert list(trainer.item_review().index) == list(service.item_review().index)
    trainee = GuardedStore(store, store.start_session("t00", ACCESS, ("trainee",), app="exam")).training(
        service
    )
    with pytest.raises(AccessDenied):
        trainee.item_review()
    code, out, _ = run(capsys, "training", "review", "--url", store_url, "--no-lint", "--json")
    assert code == 0
    items = json.loads(out)["items"]
    assert {i["item"] for i in items} == set(frame.index)
    code, out, _ = run(capsys, "--lang", "ru", "training", "review", "--url", store_url, "--no-lint")
    assert code == 0 and "недопустимый вариант" in out


def test_the_trainer_app_shows_the_review_list_and_the_persona_cards(service, store):
    from surveykit.ui.trainer_app import TrainerApp

    add_trainee(store, "tr", "Петров Пётр", roles=("trainer",))
    app = TrainerApp(service, language="ru")
    app.sign_in("tr", ACCESS)
    app.show_main(3)
    exam_tab = app.tabs.children[3]
    html = " ".join(getattr(w, "value", "") for w in exam_tab.children)
    assert "Вопросы на пересмотр" in html and "sk-item-review" in html
    cards = app.tabs.children[-1].value
    for persona in service.personas().values():
        assert persona.title("ru") in cards and persona.behaviours[0]["ru"] in cards


def test_training_lint_on_the_shipped_bank_and_on_a_flawed_copy(capsys, tmp_path):
    code, out, _ = run(capsys, "training", "lint")
    assert code == 0 and "0 warning(s)" in out and "SK829" in out
    code, out, _ = run(capsys, "training", "lint", "--strict", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["ok"] and not [p for p in payload["problems"] if p["severity"] == "warning"]
    # the lessons quote the questionnaires beside the course folder: copy them together
    shutil.copytree(PROJECT_ROOT / "questionnaires", tmp_path / "questionnaires")
    copy = tmp_path / "questionnaires" / "training"
    m1 = copy / "items" / "m1.yaml"
    text = m1.read_text(encoding="utf-8")
    m1.write_text(text.replace("Код организации", "Код организации (proxy)"), encoding="utf-8")
    code, out, _ = run(capsys, "--lang", "ru", "training", "lint", "--course", str(copy))
    assert code == 0 and "SK827" in out and "proxy" in out and "m1.yaml:" in out
    code, _, _ = run(capsys, "training", "lint", "--course", str(copy), "--strict")
    assert code == 1
    (copy / "rules.yaml").write_text("schema_version: 1\n", encoding="utf-8")
    code, out, _ = run(capsys, "training", "lint", "--course", str(copy))
    assert code == 1 and "error" in out
