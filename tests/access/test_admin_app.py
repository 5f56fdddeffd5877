"""The admin app driven as a model (no browser): only administrators get in; every action is checked
against the session and the permission, reaches the store and is audited as done by the administrator."""

from __future__ import annotations

import datetime as dt

import pytest

from surveykit.administration import AdminDesk
from surveykit.errors import AccessDenied, ErrorCode
from surveykit.ui.admin_app import AdminApp

from .conftest import CODES


def widgets(widget, cls):
    """Widgets with a CSS class, in document order."""
    found, stack = [], [widget]
    while stack:
        w = stack.pop()
        if cls in getattr(w, "_dom_classes", ()):
            found.append(w)
        stack.extend(reversed(getattr(w, "children", ())))
    return found


def signed_in(store, login="ada", code=None, language="en") -> AdminApp:
    app = AdminApp(store, language=language)
    widgets(app, "sk-login")[0].value = login
    widgets(app, "sk-code")[0].value = code or CODES.get(login, "")
    widgets(app, "sk-sign-in")[0].click()
    return app


@pytest.fixture
def store(people):
    return people


def test_only_administrators_get_in(store):
    app = signed_in(store, "ANNA01", CODES["anna"])
    assert app.desk is None and "administrator" in app.notice.value
    app = signed_in(store, "ada")
    assert app.person.id == "ada" and "Ada Admin" in app.header.value
    assert "ANNA01" in app.people_box.children[0].value and "Sofia P." in app.people_box.children[0].value


def test_create_a_person_and_the_code_is_shown_once_and_works(store):
    app = signed_in(store)
    widgets(app, "sk-new-id")[0].value = "vera"
    widgets(app, "sk-new-name")[0].value = "Вера Смирнова"
    widgets(app, "sk-new-roles")[0].value = ("interviewer", "trainee")
    widgets(app, "sk-create")[0].click()
    [once] = widgets(app, "sk-new-code")
    code = once.value.split("<b>")[1].split("</b>")[0]
    assert store.sign_in("vera", code).roles == ("interviewer", "trainee")
    app.render_people()
    assert not widgets(app, "sk-new-code") and code not in app.people_box.children[0].value
    [entry] = store.audit_frame(action="create", entity_id="vera").to_dict("records")
    assert entry["actor"] == "ada"


def test_roles_code_deactivate_activate_and_unlock(store):
    app = signed_in(store)
    chooser = widgets(app, "sk-person")[0]
    chooser.value = "anna"
    roles = widgets(app, "sk-roles")[0]
    assert roles.value == ("interviewer",)
    roles.value = ("interviewer", "supervisor")
    widgets(app, "sk-save-roles")[0].click()
    assert set(store.person("anna").roles) == {"interviewer", "supervisor"}
    widgets(app, "sk-reset-code")[0].click()
    code = widgets(app, "sk-new-code")[0].value.split("<b>")[1].split("</b>")[0]
    assert store.sign_in("anna01", code).id == "anna"
    session = store.start_session("anna01", code, app="interview")
    widgets(app, "sk-person")[0].value = "anna"
    widgets(app, "sk-deactivate")[0].click()
    assert not store.person("anna").active and "deactivated" in app.people_box.children[0].value
    with pytest.raises(AccessDenied) as info:
        store.session(session.token)
    assert info.value.code is ErrorCode.SESSION_ENDED
    widgets(app, "sk-person")[0].value = "anna"
    widgets(app, "sk-activate")[0].click()
    assert store.person("anna").active
    for _ in range(5):
        with pytest.raises(AccessDenied):
            store.sign_in("anna01", "WRNG-CODE")
    app.render_people()
    assert "locked until" in app.people_box.children[0].value
    widgets(app, "sk-person")[0].value = "anna"
    widgets(app, "sk-unlock")[0].click()
    assert not store.person("anna").locked() and "is unlocked" in app.notice.value
    actions = store.audit_frame(actor="ada", entity_id="anna")["action"].tolist()
    assert actions == ["set_roles", "set_access_code", "deactivate", "activate", "unlock"]


def test_the_last_administrator_is_kept_with_a_message(store):
    app = signed_in(store)
    widgets(app, "sk-person")[0].value = "ada"
    widgets(app, "sk-deactivate")[0].click()
    assert store.person("ada").active and "last active administrator" in app.notice.value


def test_audit_view_filters_and_export(store):
    app = signed_in(store, language="ru")
    widgets(app, "sk-person")[0].value = "sofia"
    widgets(app, "sk-unlock")[0].click()
    widgets(app, "sk-filter-actor")[0].value = "ada"
    widgets(app, "sk-filter-action")[0].value = "unlock"
    widgets(app, "sk-audit-show")[0].click()
    table = app.audit_box.children[-1].value
    assert (
        "<td>разблокировка</td>" in table
        and "<td>вход</td>" not in table
        and "Подходящих записей: 1" in app.audit_box.children[-2].value
    )
    widgets(app, "sk-export-csv")[0].click()
    link = widgets(app, "sk-download")[0].value
    assert 'download="audit-' in link and "data:text/csv" in link
    csv_text = app.desk.audit_export("csv", **app.filters).decode()
    assert csv_text.splitlines()[0] == "id,at,actor,action,entity,entity_id,details"
    assert len(csv_text.splitlines()) == 2 and ",ada,unlock,person,sofia," in csv_text
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert len(app.desk.audit(since=tomorrow)) == 0
    assert len(app.desk.audit(until=dt.date.today(), actor="ada")) >= 2  # the day is included


def test_the_audit_log_reads_as_words_in_each_language(store):
    """Issue 16 item 8: actions, kinds of things and details were shown as codes ("sign_in", "qc_case",
    "rehashed: False") and the details were cut off; now they are words, and the details wrap."""
    store.sign_in("ADA", CODES["ada"])  # an audited sign-in with details (app, rehashed)
    store.set_roles("anna", ["interviewer", "trainee"], by="ada")
    for language, words in (
        ("ru", ("<td>вход</td>", "<td>изменение ролей</td>", "<td>человек</td>", "интервьюер, слушатель курса",
                "код доступа перехеширован:</span> нет", "<td>Ada Admin</td>")),
        ("en", ("<td>sign-in</td>", "<td>roles changed</td>", "<td>person</td>", "interviewer, trainee",
                "access code re-hashed:</span> no", "<td>Ada Admin</td>")),
    ):  # fmt: skip
        app = signed_in(store, language=language)
        table = app.audit_box.children[-1].value
        for word in words:
            assert word in table, (language, word)
        for code in ("sign_in", "set_roles", "rehashed", "False", "True"):
            assert code not in table, (language, code)
        assert 'class="sk-details"' in table and "overflow-wrap: anywhere" in app.children[0].value
        actions = dict((v, k) for k, v in widgets(app, "sk-filter-action")[0].options)
        assert actions["sign_in"] == ("вход" if language == "ru" else "sign-in")


def test_every_action_rechecks_session_and_permission(store):
    app = signed_in(store)
    desk = app.desk
    store.set_roles("sofia", ["supervisor", "administrator"], by="ada")
    store.set_roles("ada", ["sociologist"], by="sofia")  # ada is no administrator any more
    with pytest.raises(AccessDenied) as info:
        desk.unlock("anna")
    assert info.value.code is ErrorCode.PERMISSION_DENIED
    widgets(app, "sk-person")[0].value = "anna"
    widgets(app, "sk-unlock")[0].click()
    assert "may not" in app.notice.value
    store.set_roles("ada", ["administrator"], by="sofia")
    app.sign_out()
    with pytest.raises(AccessDenied) as info:
        desk.people()
    assert info.value.code is ErrorCode.SESSION_ENDED
    assert widgets(app, "sk-sign-in")  # back at the sign-in page
    sofia = store.start_session("sofia", CODES["sofia"], ("administrator",), app="admin")
    assert AdminDesk(store, sofia).people_frame().shape[0] == 3


def test_a_mock_interview_entry_names_the_checklist_items_by_their_text():
    from surveykit.administration import audit_details

    for lang, text in (("ru", "Вопросы зачитываются дословно: 2"), ("en", "Questions read verbatim: 2")):
        shown = dict(audit_details({"item_scores": {"verbatim": 2, "privacy": 1}}, lang))
        (value,) = shown.values()
        assert value.startswith(text) and not value.startswith("verbatim") and "privacy:" not in value


def test_times_and_numbers_in_the_audit_log_read_as_words_in_each_language(store):
    """A session's expiry, a deadline, a day and the time of every entry read as dates in words (the one
    home: surveykit.i18n.moment_text), not as ISO 8601 timestamps; numbers with the language's decimal
    mark; a methodology profile by its title."""
    import re

    from surveykit.administration import audit_details
    from surveykit.i18n import moment_text

    session = store.start_session("ADA", CODES["ada"], app="admin")  # audited: sign-in, expires_at
    for _ in range(5):  # anna locked out (locked_until), then unlocked (failed_sign_ins)
        with pytest.raises(AccessDenied):
            store.sign_in("anna01", "WRNG-CODE")
    AdminDesk(store, session).unlock("anna")
    expires = session.expires_at
    details = {"date": "2026-03-02", "hours": 1.5, "total": 24.0, "profile_id": "ru_nok_344n_2018",
               "deadline": "2026-03-10T16:50:00+00:00"}  # fmt: skip
    for language, words in (
        ("ru", ("2 марта 2026 г.", "1,5", "24", "10 марта 2026 г., 16:50 UTC")),
        ("en", ("2 March 2026", "1.5", "24", "10 March 2026, 16:50 UTC")),
    ):
        app = signed_in(store, language=language)
        table = app.audit_box.children[-1].value
        assert not re.search(r"\d{4}-\d\d-\d\d", table), re.search(r".{80}\d{4}-\d\d-\d\d.{40}", table)
        assert moment_text(expires, language) in table  # the session's expiry, as the rest of the app
        assert "failed_sign_ins" not in table and ":</span> </div>" not in table  # no raw key, no blank
        assert f"{expires.day} " in moment_text(expires, language)
        shown = dict(audit_details(details, language))
        values = [shown[name] for name in shown]
        for word in words:
            assert word in values, (language, word, values)
        assert not any("T16:50" in v or "ru_nok" in v or "24.0" in v for v in values), values


def test_moment_text_is_the_one_way_a_time_is_written_for_people():
    import pandas as pd

    from surveykit.i18n import format_date, moment_text

    at = dt.datetime(2026, 5, 1, 3, 5, tzinfo=dt.timezone(dt.timedelta(hours=3)))  # 00:05 UTC
    assert moment_text(at, "ru") == "1 мая 2026 г., 00:05 UTC"
    assert moment_text(pd.Timestamp(at), "en") == "1 May 2026, 00:05 UTC"
    assert moment_text("2026-05-01T00:05:00", "en") == "1 May 2026, 00:05 UTC"  # naive: UTC
    assert moment_text(dt.date(2026, 5, 1), "ru") == format_date(dt.date(2026, 5, 1), "ru") == "1 мая 2026 г."
    assert moment_text(None, "ru") == moment_text(pd.NaT, "en") == ""
    assert moment_text("2025", "ru") == "2025" and moment_text("не дата", "ru") == "не дата"
