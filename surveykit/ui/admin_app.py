"""The administrator's app: people (create, roles, new access code, deactivate/activate, unlock) and the audit
log (filters by who, what, action and period; CSV and JSON Lines export).

Only people with the role ``administrator`` get in. Every rule and every check is in
:class:`surveykit.administration.AdminDesk` (session, then permission, before each action); this module lays
out widgets.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from typing import Any

import ipywidgets as W
import pandas as pd

from surveykit.administration import (
    AUDIT_LIMIT,
    AdminDesk,
    action_label,
    actor_label,
    audit_details,
    entity_label,
    entity_name,
)
from surveykit.config import settings
from surveykit.i18n import UI_LANGUAGES, moment_text, t
from surveykit.store.schema import ROLES
from surveykit.ui.common import (
    STYLE,
    Notice,
    app_from_request,
    guarded,
    language_picker,
    sign_in_page,
)

__all__ = ["AdminApp"]

ADMIN_STYLE = """
<style>
.sk-admin-app .lm-TabBar-tab { font-size: 17px !important; line-height: 36px !important; min-height: 38px;
                               flex: 0 0 auto !important; max-width: none !important; padding: 0 14px !important; }
.sk-admin-app .lm-TabBar { min-height: 40px !important; }
.sk-table-wrap { overflow-x: auto; max-width: 100%; max-height: 460px; overflow-y: auto; }
.sk-table-wrap table { font-size: 15px; border-collapse: collapse; }
.sk-table-wrap td, .sk-table-wrap th { padding: 3px 10px; border-bottom: 1px solid #e2e8f0; text-align: left;
                                       vertical-align: top; }
.sk-audit td.sk-details { min-width: 260px; max-width: 460px; white-space: normal; overflow-wrap: anywhere; }
.sk-audit .sk-detail { font-size: 14px; line-height: 1.35; }
.sk-audit .sk-detail span { color: #4a5568; }
.sk-inactive td { color: #718096; text-decoration: line-through; }
.sk-locked td { background: #fff5f5; }
.sk-code-once { font-size: 22px; font-family: monospace; background: #f0fff4; border: 2px solid #38a169;
                padding: 10px 16px; margin: 8px 0; }
.sk-audit-filters { gap: 4px 0; margin-bottom: 4px; }
.sk-audit-filters .widget-dropdown, .sk-audit-filters .widget-datepicker { height: auto; }
.sk-section { font-size: 19px; font-weight: 600; margin: 14px 0 4px 0; }
.sk-download a { font-size: 17px; margin-right: 18px; }
</style>
"""


def _esc(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def _roles_text(roles: str, language: str) -> str:
    words = []
    for role in [r.strip() for r in roles.split(",") if r.strip()]:
        word = t(f"role.{role}", language)
        words.append(role if word == f"role.{role}" else word)
    return ", ".join(words)


def _download(data: bytes, filename: str, mime: str, label: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<a download="{_esc(filename)}" href="data:{mime};charset=utf-8;base64,{encoded}">{_esc(label)}</a>'
    )


class AdminApp(W.VBox):
    """The administrator's app (see the module docstring)."""

    #: who may sign in
    ROLES = ("administrator",)

    def __init__(
        self, store: Any, *, language: str | None = None, params: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.add_class("sk-app")
        self.add_class("sk-admin-app")
        self.store = store
        self.params = params or {}
        wanted = language or self.params.get("lang") or settings().default_language
        self.language = wanted if wanted in UI_LANGUAGES else "ru"
        self.desk: AdminDesk | None = None
        self.person: Any = None
        self.filters: dict[str, Any] = {}
        #: the person chosen in the people tab (kept while the tab is redrawn)
        self.selected: str | None = None
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language, self._signed_out)
        self.header = W.HTML()
        self.body = W.VBox()
        self.children = [W.HTML(STYLE + ADMIN_STYLE), self.header, self.notice, self.body]
        self.show_sign_in()

    @classmethod
    def from_request(cls) -> AdminApp:
        """The app for a Voilà page (surveykit.ui.common.app_from_request)."""
        from surveykit.store import Store

        return app_from_request(cls, "admin", Store.open)

    def _switch(self, language: str, then: Any) -> None:
        self.language = language
        self.notice.clear()
        then()

    # --- sign in ----------------------------------------------------------------------------------------------
    def show_sign_in(self) -> None:
        lang = self.language
        self.header.value = f'<div class="sk-title">{_esc(t("admin.title", lang))}</div>'
        self.body.children = sign_in_page(
            lang,
            self.guard,
            self.sign_in,
            lambda: (self.notice.clear(), self.show_main()),
            lambda new: self._switch(new, self.show_sign_in),
            prompt=t("admin.sign_in_prompt", lang),
        )

    def sign_in(self, login: str, code: str) -> None:
        """Start an admin session (anyone without the role administrator: SK512)."""
        session = self.store.start_session(login, code, self.ROLES, app="admin")
        self.desk = AdminDesk(self.store, session)
        self.person = session.person

    def _signed_out(self) -> None:
        self.desk = None
        self.person = None
        self.show_sign_in()

    def sign_out(self) -> None:
        if self.desk is not None:
            self.desk.sign_out()
        self._signed_out()

    # --- main: two tabs -----------------------------------------------------------------------------------------
    def show_main(self, selected: int = 0) -> None:
        lang = self.language
        self.header.value = (
            f'<div class="sk-title">{_esc(t("admin.title", lang))}</div>'
            f'<div class="sk-subtitle">{_esc(t("app.hello", lang, name=self.person.display_name))}</div>'
        )
        self.tabs = W.Tab()
        self.people_box = W.VBox()
        self.audit_box = W.VBox()
        self.tabs.children = [self.people_box, self.audit_box]
        self.tabs.titles = (t("admin.tab_people", lang), t("admin.tab_audit", lang))
        self.render_people()
        self.render_audit()
        self.tabs.selected_index = selected
        sign_out = W.Button(description=t("app.sign_out", lang))
        sign_out.add_class("sk-sign-out")
        sign_out.on_click(self.guard(lambda _: self.sign_out()))
        picker = language_picker(
            lang, lambda new: self._switch(new, lambda: self.show_main(self.tabs.selected_index or 0))
        )
        self.body.children = [W.HBox([picker, sign_out]), self.tabs]

    # --- people --------------------------------------------------------------------------------------------------
    def people_table(self) -> str:
        lang = self.language
        frame = self.desk.people_frame()
        head = "".join(
            f"<th>{_esc(t(f'admin.col.{c}', lang))}</th>" for c in ("id", "login", "name", "roles", "state")
        )
        rows = []
        for p in frame.to_dict("records"):
            state = t("admin.active", lang) if p["active"] else t("admin.inactive", lang)
            css = "" if p["active"] else "sk-inactive"
            if p["locked_until"] is not None and not pd.isna(p["locked_until"]):
                state += "; " + t("admin.locked_until", lang, until=moment_text(p["locked_until"], lang))
                css = "sk-locked"
            elif p["failed_sign_ins"]:
                state += "; " + t("admin.failures", lang, n=p["failed_sign_ins"])
            cells = (p["id"], p["login"], p["name"], _roles_text(p["roles"], lang), state)
            rows.append(f'<tr class="{css}">' + "".join(f"<td>{_esc(v)}</td>" for v in cells) + "</tr>")
        return f'<div class="sk-table-wrap sk-people"><table><tr>{head}</tr>{"".join(rows)}</table></div>'

    def _role_picker(self, selected: tuple[str, ...] = ()) -> W.SelectMultiple:
        lang = self.language
        options = [(_roles_text(r, lang), r) for r in ROLES]
        picker = W.SelectMultiple(
            options=options, value=tuple(r for r in selected if r in ROLES), rows=min(len(ROLES), 8),
            description=t("admin.roles", lang), style={"description_width": "150px"},
            layout=W.Layout(width="480px"),
        )  # fmt: skip
        picker.add_class("sk-roles")
        return picker

    def render_people(self, code_for: tuple[str, str] | None = None) -> None:
        """The people table, one person's actions and the form for a new person. ``code_for`` (person, code)
        shows a new access code once."""
        lang = self.language
        style = {"description_width": "150px"}
        people = self.desk.people()
        shown: list[W.Widget] = []
        if code_for is not None:
            once = W.HTML(
                f'<div class="sk-code-once">{_esc(t("admin.code_once", lang, person=code_for[0]))} '
                f"<b>{_esc(code_for[1])}</b></div>"
            )
            once.add_class("sk-new-code")
            shown.append(once)
        table = W.HTML(self.people_table())
        # one person: roles, code, deactivate/activate, unlock
        chooser = W.Dropdown(
            options=[(f"{p.display_name} ({p.id})", p.id) for p in people],
            description=t("admin.person", lang), style=style, layout=W.Layout(width="640px", max_width="100%"),
        )  # fmt: skip
        chooser.add_class("sk-person")
        current = next((p for p in people if p.id == self.selected), people[0] if people else None)
        if current is not None:
            chooser.value = current.id
        roles = self._role_picker(current.roles if current is not None else ())

        def chosen(change: dict[str, Any]) -> None:
            self.selected = change["new"]
            person = next(p for p in self.desk.people() if p.id == change["new"])
            roles.value = tuple(r for r in person.roles if r in ROLES)

        chooser.observe(self.guard(chosen), names="value")

        def button(key: str, css: str, action: Any, style_name: str = "") -> W.Button:
            widget = W.Button(description=t(key, lang), button_style=style_name)
            widget.add_class(css)
            widget.on_click(self.guard(lambda _: action(chooser.value)))
            return widget

        def save_roles(person_id: str) -> None:
            self.desk.set_roles(person_id, roles.value)
            self._done(t("admin.done_roles", lang, person=person_id))

        def reset(person_id: str) -> None:
            code = self.desk.reset_code(person_id)
            self.render_people(code_for=(person_id, code))
            self.notice.show(t("admin.done_code", lang, person=person_id), "info")

        def deactivate(person_id: str) -> None:
            self.desk.deactivate(person_id)
            self._done(t("admin.done_deactivate", lang, person=person_id))

        def activate(person_id: str) -> None:
            self.desk.activate(person_id)
            self._done(t("admin.done_activate", lang, person=person_id))

        def unlock(person_id: str) -> None:
            self.desk.unlock(person_id)
            self._done(t("admin.done_unlock", lang, person=person_id))

        actions = W.HBox(
            [
                button("admin.save_roles", "sk-save-roles", save_roles, "primary"),
                button("admin.reset_code", "sk-reset-code", reset),
                button("admin.deactivate", "sk-deactivate", deactivate, "danger"),
                button("admin.activate", "sk-activate", activate),
                button("admin.unlock", "sk-unlock", unlock),
            ]
        )
        # a new person
        new_id = W.Text(description=t("admin.new_id", lang), style=style, layout=W.Layout(width="480px"))
        new_name = W.Text(description=t("admin.new_name", lang), style=style, layout=W.Layout(width="480px"))
        new_login = W.Text(
            description=t("admin.new_login", lang), placeholder=t("admin.new_login_hint", lang),
            style=style, layout=W.Layout(width="480px"),
        )  # fmt: skip
        new_id.add_class("sk-new-id")
        new_name.add_class("sk-new-name")
        new_roles = self._role_picker(("interviewer",))
        new_roles.add_class("sk-new-roles")
        create = W.Button(description=t("admin.create", lang), button_style="primary")
        create.add_class("sk-create")

        def do_create(_: Any) -> None:
            code = self.desk.create(new_id.value, new_name.value, new_roles.value, new_login.value)
            person_id = new_id.value.strip()
            self.render_people(code_for=(person_id, code))
            self.notice.show(t("admin.done_create", lang, person=person_id), "info")

        create.on_click(self.guard(do_create))
        self.people_box.children = [
            *shown,
            table,
            W.HTML(f'<div class="sk-section">{_esc(t("admin.change", lang))}</div>'),
            chooser,
            roles,
            actions,
            W.HTML(f'<div class="sk-section">{_esc(t("admin.new_person", lang))}</div>'),
            new_id,
            new_name,
            new_login,
            new_roles,
            create,
        ]

    def _done(self, message: str) -> None:
        self.render_people()
        self.render_audit()
        self.notice.show(message, "info")

    # --- the audit log ---------------------------------------------------------------------------------------------
    def audit_table(self, frame: pd.DataFrame) -> str:
        lang = self.language
        if not len(frame):
            return f'<div class="sk-hint">{_esc(t("admin.audit_empty", lang))}</div>'
        newest = frame.iloc[::-1].head(AUDIT_LIMIT)
        head = "".join(
            f"<th>{_esc(t(f'admin.col.{c}', lang))}</th>"
            for c in ("at", "actor", "action", "entity", "entity_id", "details")
        )
        rows = []
        names = self.desk.audit_names(lang)
        for e in newest.to_dict("records"):
            details = "".join(
                f'<div class="sk-detail"><span>{_esc(name)}:</span> {_esc(value)}</div>'
                for name, value in audit_details(e["details"], lang, names)
            )
            cells = (
                moment_text(e["at"], lang),
                actor_label(e["actor"], lang, names["person"]),
                action_label(e["action"], lang),
                entity_label(e["entity"], lang),
                entity_name(e["entity"], e["entity_id"], lang, names),
            )
            rows.append(
                "<tr>"
                + "".join(f"<td>{_esc(v)}</td>" for v in cells)
                + f'<td class="sk-details">{details}</td></tr>'
            )
        more = (
            f'<div class="sk-hint">{_esc(t("admin.audit_more", lang, shown=AUDIT_LIMIT, total=len(frame)))}</div>'
            if len(frame) > AUDIT_LIMIT
            else ""
        )
        return (
            f'{more}<div class="sk-table-wrap sk-audit"><table><tr>{head}</tr>{"".join(rows)}</table></div>'
        )

    def render_audit(self) -> None:
        lang = self.language
        choices = self.desk.audit_choices()
        style = {"description_width": "110px"}

        people = self.desk.audit_names(lang)["person"]
        words = {"actor": lambda v: actor_label(v, lang, people), "entity": lambda v: entity_label(v, lang),
                 "action": lambda v: action_label(v, lang)}  # fmt: skip

        def dropdown(key: str, column: str) -> W.Dropdown:
            values = choices[column]
            current = self.filters.get(column, "")
            named = sorted(((words[column](v), v) for v in values), key=lambda pair: pair[0].casefold())
            widget = W.Dropdown(
                options=[(t("admin.any", lang), "")] + named,
                value=current if current in values else "",
                description=t(key, lang), style=style, layout=W.Layout(width="340px", max_width="100%"),
            )  # fmt: skip
            widget.add_class(f"sk-filter-{column}")
            return widget

        actor = dropdown("admin.col.actor", "actor")
        entity = dropdown("admin.col.entity", "entity")
        action = dropdown("admin.col.action", "action")
        since = W.DatePicker(description=t("admin.since", lang), value=self.filters.get("since"), style=style)
        until = W.DatePicker(description=t("admin.until", lang), value=self.filters.get("until"), style=style)
        since.add_class("sk-filter-since")
        until.add_class("sk-filter-until")
        show = W.Button(description=t("admin.show", lang), button_style="primary")
        show.add_class("sk-audit-show")
        frame = self.desk.audit(**self.filters)
        table = W.HTML(self.audit_table(frame))
        exports = W.HTML()
        exports.add_class("sk-download")
        export_buttons = []
        for format in ("csv", "jsonl"):
            prepare = W.Button(description=t(f"admin.export_{format}", lang))
            prepare.add_class(f"sk-export-{format}")
            prepare.on_click(self.guard(lambda _, f=format: setattr(exports, "value", self.export_link(f))))
            export_buttons.append(prepare)

        def apply(_: Any) -> None:
            self.filters = {
                "actor": actor.value, "entity": entity.value, "action": action.value,
                "since": since.value, "until": until.value,
            }  # fmt: skip
            self.render_audit()

        show.on_click(self.guard(apply))
        # the filters wrap onto the next line when the panel is narrower than the three of them (1024 px
        # screens, a tablet): a row of fixed widths was cut at the panel's right edge
        filters = W.HBox([actor, entity, action], layout=W.Layout(flex_flow="row wrap", max_width="100%"))
        period = W.HBox([since, until, show], layout=W.Layout(flex_flow="row wrap", max_width="100%"))
        filters.add_class("sk-audit-filters")
        period.add_class("sk-audit-filters")
        self.audit_box.children = [
            filters,
            period,
            W.HBox(export_buttons),
            exports,
            W.HTML(f'<div class="sk-hint">{_esc(t("admin.audit_count", lang, n=len(frame)))}</div>'),
            table,
        ]

    def export_link(self, format: str) -> str:
        """A download link holding the filtered audit entries (the export of ``surveykit audit export``)."""
        lang = self.language
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
        mime = "text/csv" if format == "csv" else "application/x-ndjson"
        data = self.desk.audit_export(format, **self.filters)
        return _download(
            data, f"audit-{stamp}.{format}", mime, t("admin.download", lang, file=f"audit-{stamp}.{format}")
        )
