"""The apps driven without a browser: quiz feedback for every item type, the exam app's sign-in, clock and
result, the trainer's checklist, batch issuance with its progress bar and suspension, the verification app's
verdicts in both languages. Errors reach the user as words, never as a traceback."""

from __future__ import annotations

import re

import pytest

from surveykit.certificates import issue_certificate, load_template
from surveykit.certificates.registry_store import StoreRegistry
from surveykit.ui.exam_app import ExamApp
from surveykit.ui.quiz import QuizItemView, feedback_for
from surveykit.ui.trainer_app import TrainerApp
from surveykit.ui.verify_app import VerifyApp

from .helpers import ACCESS, add_trainee, full_attendance, key_answer, passed_mock, wrong_answer


def text_of(widget) -> str:
    """All the HTML text shown inside a widget tree, tags removed."""
    parts = []
    stack = [widget]
    while stack:
        node = stack.pop()
        value = getattr(node, "value", None)
        if isinstance(value, str):
            parts.append(value)
        stack.extend(getattr(node, "children", ()))
    return re.sub(r"<[^>]+>", " ", " ".join(parts))


def first_of(course, kind):
    return next(i for i in course.items if i.type == kind)


def test_a_numeric_item_suggests_no_number(course):
    """Seen in the lessons app: the input of "compute indicator 1.1" said "например, 89,44", the very key of
    the item. The placeholder names what to type, never a value: no key of the bank can show through it."""
    from surveykit.i18n import t

    for language in ("ru", "en"):
        assert not re.search(r"\d", t("quiz.number_placeholder", language)), language
    item = next(i for i in course.items if i.answer_kind == "numeric")
    view = QuizItemView(item, "ru")
    assert not re.search(r"\d", view.number.placeholder)


def test_quiz_feedback_shows_points_as_people_write_them(course):
    """Seen in the lessons app: "Partly right: 0.333333 of 1 points." and «0 из 1 балл.». Points are rounded,
    with a decimal comma in Russian, and the noun agrees with the number."""
    item = next(i for i in course.items if i.answer_kind == "multi" and len(i.key_set) == 3)
    first_key = sorted(item.key_set)[0]
    partial_en = feedback_for(item, [first_key], "en").headline
    partial_ru = feedback_for(item, [first_key], "ru").headline
    assert partial_en == "Partly right: 0.33 of 1 point." and partial_ru == "Частично верно: 0,33 из 1 балла."
    wrong = next(o for o in item.option_ids if o not in item.key_set)
    assert feedback_for(item, [wrong], "ru").headline == "Неверно: 0 из 1 балла."


@pytest.mark.parametrize("kind", ["single", "multi", "numeric", "scenario"])
def test_quiz_feedback_for_every_item_type(course, kind):
    item = first_of(course, kind)
    right = feedback_for(item, key_answer(item), "en")
    assert right.verdict == "right" and right.explanation == item.explanation["en"]
    wrong = feedback_for(item, wrong_answer(item), "ru")
    assert wrong.verdict in ("wrong", "partial") and wrong.key and "Верный ответ" not in wrong.headline
    assert feedback_for(item, None, "en").verdict == "blank"
    view = QuizItemView(item, "ru")
    if item.answer_kind == "numeric":
        view.number.value = str(item.answer).replace(".", ",")  # a decimal comma counts
    else:
        for option in item.key_set:
            view.buttons[option].value = True
    assert view.check().verdict == "right"
    assert "Верно" in view.feedback.value


def test_a_single_choice_keeps_one_option_and_multi_shows_option_feedback(course):
    single = first_of(course, "single")
    view = QuizItemView(single, "en", mode="exam", on_change=lambda *_: None)
    a, b = single.option_ids[:2]
    view.buttons[a].value = True
    view.buttons[b].value = True
    assert view.value == b and not view.buttons[a].value
    assert view.buttons[b].description.startswith("●")
    with_feedback = next(i for i in course.items if any(o.feedback for o in i.options))
    option = next(o for o in with_feedback.options if o.feedback)
    chosen = option.id if with_feedback.answer_kind == "single" else [option.id]
    assert option.feedback["en"] in " ".join(feedback_for(with_feedback, chosen, "en").option_feedback)


def test_the_exam_app_signs_in_takes_the_exam_and_shows_the_certificate(service, store, ready_trainee):
    app = ExamApp(service, language="ru")
    login, code, button = app.body.children[1:4]
    login.value, code.value = "t1", "wrong"
    button.click()
    assert "Код доступа неверный" in app.notice.value and "Traceback" not in app.notice.value
    code.value = ACCESS
    button.click()
    assert app.person.id == "t1" and "Начать экзамен" in text_of(app.body) + app.body.children[-1].description
    app._start()
    for index, item_id in enumerate(app.attempt.item_ids):
        view = app.item_box.children[0]
        assert f"sk-item-{item_id}" in view._dom_classes
        item = service.course.item(item_id)
        if item.answer_kind == "numeric":
            view.number.value = str(item.answer)
        else:
            for option in item.key_set:
                view.buttons[option].value = True
        if index < len(app.attempt.item_ids) - 1:
            app.forward_button.click()
    assert "25 из 25" in app.answered.value
    app._confirm()
    app.item_box.children[1].children[0].click()  # "Yes, hand it in"
    shown = text_of(app.body)
    assert "Экзамен сдан" in shown and "Поздравляем" in shown
    assert any("sk-download" in w._dom_classes for w in app.body.children[0].children[1].children)


def test_the_clock_closes_the_exam_at_the_deadline(service, ready_trainee, clock):
    app = ExamApp(service, language="en")
    app.sign_in(ready_trainee, ACCESS)
    app._start()
    assert app.timer.playing
    clock.advance(minutes=49, seconds=30)
    app._tick()
    assert "00:30" in app.countdown.value and "sk-countdown-low" in app.countdown.value
    clock.advance(seconds=31)
    app.timer.value += 1  # a tick from the browser
    assert not app.timer.playing and app.attempt is None
    assert "The time is up" in app.notice.value
    assert "Exam not passed" in text_of(app.body) and "re-sit" in text_of(app.body)


def test_a_broken_database_shows_a_message_instead_of_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEYKIT_DATABASE_URL", f"sqlite:///{tmp_path / 'never-upgraded.sqlite'}")
    from surveykit.config import settings

    settings.cache_clear()
    app = ExamApp.from_request()
    assert "sk-banner-error" in text_of(app) or "sk-banner-error" in app.children[1].value
    assert "Traceback" not in text_of(app)


@pytest.fixture
def trainer_app(service, store):
    add_trainee(store, "tr", "Петров Пётр", roles=("trainer",))
    add_trainee(store, "t1", "Иванова Мария Петровна")
    add_trainee(store, "t2", "Смирнов Олег Ильич")
    app = TrainerApp(service, language="en")
    app.sign_in("tr", ACCESS)
    app.show_main()
    return app


def test_the_trainer_scores_the_checklist_with_the_rules_verdict(trainer_app, service, store):
    mock_tab = trainer_app.tabs.children[2]
    person, _rule, *rows = mock_tab.children
    verdict, save = rows[-2], rows[-1]
    toggles = [row.children[1] for row in rows[:-2]]
    person.value = "t1"
    for toggle in toggles:
        toggle.value = 2
    toggles[1].value = 1  # consent, a critical item: 23 of 24 is not a pass
    assert "Not passed: 23 of 24" in verdict.value
    toggles[1].value = 2
    toggles[0].value = 1  # introduction is not critical: 23 of 24 passes
    assert "Passed: 23 of 24" in verdict.value
    save.click()
    assert service.mock_result("t1").passed and service.mock_result("t1").total == 23


def test_attendance_entry_and_batch_issuance_with_a_progress_bar(trainer_app, service, store):
    attendance = trainer_app.tabs.children[1]
    people, module, hours, _date, save = attendance.children
    people.value = ("t1",)
    for m in service.course.modules:
        module.value = m.id
        assert hours.value == m.hours  # the module's hours are proposed
        save.click()
    assert service.attendance_hours("t1") == {m.id: m.hours for m in service.course.modules}
    passed_mock(service, "t1")
    attempt = service.start_exam("t1", seed=1)
    for item_id in attempt.item_ids:
        service.save_answer(attempt.attempt_id, item_id, key_answer(service.course.item(item_id)))
    serial = service.submit_exam(attempt.attempt_id).certificate.serial  # certified on submission
    other = service.start_exam("t2", seed=2)  # t2 passes first, the rest comes later: the batch certifies t2
    for item_id in other.item_ids:
        service.save_answer(other.attempt_id, item_id, key_answer(service.course.item(item_id)))
    assert service.submit_exam(other.attempt_id).certificate is None
    full_attendance(service, "t2")
    passed_mock(service, "t2")
    add_trainee(store, "t3", "Орлова Нина")  # nothing done: skipped with the reasons
    trainer_app.show_main(4)
    tab = trainer_app.tabs.children[4]
    issue = next(w for w in tab.children if "sk-issue-batch" in w._dom_classes)
    progress = next(w for w in tab.children if "sk-batch-progress" in w._dom_classes)
    summary = next(w for w in tab.children if "sk-batch-summary" in w._dom_classes)
    seen: list[int] = []
    progress.observe(lambda change: seen.append(change["new"]), names="value")
    issue.click()
    assert progress.value == progress.max and 0 < seen[0] < 100  # progress on the way, full at the end
    assert "1 certificate(s) issued" in summary.value
    assert "already holds" in summary.value and "Орлова" in summary.value and "attendance" in summary.value
    assert len(service.valid_certificates("t2")) == 1
    assert any("sk-download" in w._dom_classes for w in tab.children[4].children)
    serial_box = next(w for w in tab.children if "sk-status-serial" in w._dom_classes)
    reason_box = next(w for w in tab.children if "sk-status-reason" in w._dom_classes)
    buttons = next(
        w for w in tab.children if isinstance(getattr(w, "children", None), tuple) and len(w.children) == 3
    )
    serial_box.value = serial
    buttons.children[0].click()  # suspend without a reason: refused
    assert "reason" in trainer_app.notice.value.lower()
    reason_box.value = "confirmed falsification"
    buttons.children[0].click()
    assert store.training.certificate(serial).status == "suspended"
    assert "Suspended" in trainer_app.notice.value


def test_the_exam_tab_lists_attempts_and_item_statistics(trainer_app, service):
    full_attendance(service, "t1")
    attempt = service.start_exam("t1", seed=3)
    service.submit_exam(attempt.attempt_id)
    trainer_app.show_main(3)
    shown = text_of(trainer_app.tabs.children[3])
    assert "Exam attempts" in shown and "difficulty" in shown and attempt.item_ids[0] in shown


def test_the_verification_app_says_valid_suspended_forged_and_unknown(store, key):
    add_trainee(store)
    registry = StoreRegistry(store)
    certificate = issue_certificate(
        {"name": "Иванова Мария Петровна", "roles": ["interviewer"], "person_id": "t1"},
        load_template("interviewer"),
        key,
    )
    registry.register(certificate)
    payload = certificate.qr_payload
    app = VerifyApp(registry, keys=[key.public], params={"c": payload, "lang": "en"})
    assert "sk-status-valid" in app.result.value and "Valid" in app.result.value  # pre-filled from ?c=
    assert certificate.serial in app.result.value
    app.picker.value = "ru"
    assert "Действителен" in app.result.value
    registry.suspend(certificate.serial, reason="подтверждённая фальсификация", by="t1")
    app.check()
    assert "sk-status-suspended" in app.result.value and "подтверждённая фальсификация" in app.result.value
    forged = certificate.to_json().replace("Мария", "Марья")
    app.evidence.value = forged
    app.check()
    assert "sk-status-forged" in app.result.value
    app.evidence.value = "SK-2026-0000-0000"
    app.check()
    assert "sk-status-unknown" in app.result.value
    offline = VerifyApp(None, keys=[key.public], language="ru")
    offline.evidence.value = certificate.serial
    offline.check()
    assert "Реестр сертификатов недоступен" in offline.notice.value
    offline.evidence.value = certificate.qr_url
    offline.check()
    assert "не проверялись" in offline.result.value  # QR checked offline, and it says so


def test_an_answer_after_the_deadline_shows_the_result_not_an_error(service, ready_trainee, clock):
    app = ExamApp(service, language="ru")
    app.sign_in(ready_trainee, ACCESS)
    app._start()
    item = service.course.item(app.attempt.item_ids[0])
    clock.advance(hours=1)
    view = app.item_box.children[0]
    if item.answer_kind == "numeric":
        view.number.value = str(item.answer)
    else:
        view.buttons[sorted(item.key_set)[0]].value = True
    assert "Время вышло" in app.notice.value and "Экзамен не сдан" in text_of(app.body)
