"""The questionnaire form as widgets: a view of an :class:`~surveykit.interview.session.InterviewSession`.

The view holds no rules. It shows what ``session.view()`` says is on the page, passes every change to
``session.set_answer`` and re-reads the session. Widgets are kept per question between refreshes, so the
cursor does not jump and typing is not lost when other questions appear or disappear.

Every container gets CSS classes (``sk-q-<code>``; repeat rows ``sk-q-<repeat>-<n>-<code>``) so the
browser tests can find questions by code.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from surveykit.i18n import t
from surveykit.interview.session import Field, InterviewSession, RepeatView
from surveykit.questionnaire.model import QuestionType

__all__ = ["FormView"]

Key = tuple[str, str | None, int | None]  # (variable, repeat, row)


def _esc(text: str) -> str:
    return html.escape(text or "").replace("\n", "<br>")


#: stores a file answering a question: ``(question, content, uploaded name) -> stored name``; raises a
#: SurveykitError (too large, wrong kind) that the question shows
FileSink = Callable[[str, bytes, str], str]

#: the browser's location, asked only when the interviewer presses the button: the browser asks for
#: permission first; the answer goes into the geopoint's text box as ODK writes it (lat lon alt accuracy).
#: Static code of ours (no user text in it), run from the button's onclick.
_GEOLOCATE_JS = (
    "var box=this.closest('.sk-question');var input=box&&box.querySelector('.sk-geopoint input');"
    "var note=box&&box.querySelector('.sk-geo-status');var self=this;"
    "if(!navigator.geolocation){if(note){note.textContent=self.dataset.unavailable;}return false;}"
    "self.disabled=true;if(note){note.textContent=self.dataset.asking;}"
    "navigator.geolocation.getCurrentPosition(function(p){var c=p.coords;"
    "var v=c.latitude.toFixed(6)+' '+c.longitude.toFixed(6)+' '+(c.altitude==null?0:c.altitude.toFixed(1))"
    "+' '+c.accuracy.toFixed(1);input.value=v;"
    "input.dispatchEvent(new Event('input',{bubbles:true}));"
    "input.dispatchEvent(new Event('change',{bubbles:true}));"
    "if(note){note.textContent='';}self.disabled=false;},"
    "function(e){if(note){note.textContent=self.dataset.denied;}self.disabled=false;},"
    "{enableHighAccuracy:true,timeout:20000,maximumAge:0});return false;"
)


#: opens the (hidden) upload widget's file chooser of the same question
_CHOOSE_FILE_JS = (
    "var b=this.closest('.sk-question').querySelector('.sk-upload');if(b){b.click();}return false;"
)


class _QuestionWidget:
    """Label, instruction, input and error line of one field."""

    def __init__(
        self,
        field: Field,
        key: Key,
        on_value: Callable[[Key, Any], None],
        language: str,
        on_file: FileSink | None = None,
        files: dict[str, tuple[str, int, bytes | None]] | None = None,
    ) -> None:
        self.key = key
        self.field = field
        self.on_value = on_value
        self.on_file = on_file
        #: stored name -> (uploaded name, size, picture to preview): kept by the view across rebuilds
        self.files = files if files is not None else {}
        self.language = language
        self.syncing = False
        self.file_error = ""
        self.header = W.HTML()
        self.error = W.HTML()
        self.input = self._make_input(field)
        self.box = W.VBox([self.header, self.input, self.error])
        self.box.add_class("sk-question")
        variable, repeat, row = key
        self.box.add_class(f"sk-q-{variable}" if repeat is None else f"sk-q-{repeat}-{row + 1}-{variable}")
        self.update(field, language)

    # --- inputs per type ---------------------------------------------------------------------------------
    def _make_input(self, field: Field) -> W.Widget:
        t_ = field.type
        if t_ in (QuestionType.SELECT_ONE, QuestionType.YES_NO, QuestionType.LIKERT, QuestionType.MATRIX):
            options = [(label, name) for name, label in field.choices]
            widget = W.RadioButtons(options=options, index=None, layout=W.Layout(width="auto"))
            if t_ in (QuestionType.YES_NO, QuestionType.MATRIX) or (
                t_ is QuestionType.LIKERT and "likert" in (field.question.appearance or "")
            ):
                widget = W.ToggleButtons(options=options, index=None, style={"button_width": "auto"})
            widget.observe(self._changed, names="value")
            return widget
        if t_ is QuestionType.SELECT_MULTIPLE:
            self.checks: dict[str, W.Checkbox] = {}
            box = W.VBox()
            self._set_checks(box, field)
            return box
        if t_ is QuestionType.DATE:
            widget = W.DatePicker(value=None)
            widget.observe(self._changed, names="value")
            return widget
        if t_ is QuestionType.TIME:
            widget = W.TimePicker(value=None, step=60)
            widget.add_class("sk-time")
            widget.observe(self._changed, names="value")
            return widget
        if t_ is QuestionType.DATETIME:
            widget = W.NaiveDatetimePicker(value=None)
            widget.add_class("sk-datetime")
            widget.observe(self._changed, names="value")
            return widget
        if t_ is QuestionType.GEOPOINT:
            return self._make_geopoint()
        if t_.is_media:
            return self._make_upload(field)
        if t_ is QuestionType.TEXT and field.question.multiline:
            widget = W.Textarea(
                value="", continuous_update=False, layout=W.Layout(width="95%", height="110px")
            )
        else:
            width = "220px" if t_ in (QuestionType.INTEGER, QuestionType.DECIMAL) else "95%"
            widget = W.Text(value="", continuous_update=False, layout=W.Layout(width=width))
        widget.observe(self._changed, names="value")
        return widget

    def _make_geopoint(self) -> W.Widget:
        """Typed in (latitude longitude), or the browser's location when the interviewer asks for it."""
        language = self.language
        self.text = W.Text(
            value="",
            continuous_update=False,
            placeholder=t("form.geo.placeholder", language),
            layout=W.Layout(width="340px"),
        )
        self.text.add_class("sk-geopoint")
        self.text.observe(self._changed, names="value")
        data = {
            "asking": t("form.geo.asking", language),
            "denied": t("form.geo.denied", language),
            "unavailable": t("form.geo.unavailable", language),
        }
        attributes = " ".join(f'data-{k}="{html.escape(v, quote=True)}"' for k, v in data.items())
        button = W.HTML(
            f'<button type="button" class="sk-geo-button jupyter-button" {attributes} '
            f'onclick="{html.escape(_GEOLOCATE_JS, quote=True)}"><i class="fa fa-map-marker"></i> '
            f'{_esc(t("form.geo.button", language))}</button> <span class="sk-geo-status sk-hint"></span>'
            f'<div class="sk-hint">{_esc(t("form.geo.consent", language))}</div>'
        )
        return W.VBox([self.text, button])

    def _make_upload(self, field: Field) -> W.Widget:
        """A file upload (a photo on a phone opens the camera); the file is stored at once, the answer is its
        stored name."""
        from surveykit.questionnaire.model import MEDIA_ACCEPT

        language = self.language
        kind = field.type.value
        # the upload widget itself is hidden (its button always shows a file count, "(0)"); a button of ours
        # with the question's words opens its file chooser
        self.upload = W.FileUpload(
            accept=MEDIA_ACCEPT[field.type], multiple=False, layout=W.Layout(display="none")
        )
        self.upload.add_class("sk-upload")
        self.upload.observe(self._uploaded, names="value")
        icon = "camera" if field.type is QuestionType.IMAGE else "upload"
        chooser = W.HTML(
            f'<button type="button" class="sk-upload-button jupyter-button" onclick="{_CHOOSE_FILE_JS}">'
            f'<i class="fa fa-{icon}"></i> {_esc(t(f"form.file.choose_{kind}", language))}</button>'
        )
        self.file_status = W.HTML()
        self.preview = W.Image(format="png", layout=W.Layout(max_width="240px", display="none"))
        self.remove_file = W.Button(description=t("form.remove", language), icon="trash")
        self.remove_file.add_class("sk-file-remove")
        self.remove_file.on_click(lambda _: self._clear_file())
        return W.VBox([W.HBox([self.upload, chooser, self.remove_file]), self.file_status, self.preview])

    def _uploaded(self, change: dict[str, Any]) -> None:
        if self.syncing or not change["new"]:
            return
        item = change["new"][0]
        content = bytes(item["content"])
        name = str(item.get("name") or "")
        from surveykit.errors import SurveykitError

        try:
            stored = self._store_file(content, name)
        except SurveykitError as err:
            message, hint = err.problem.localized(self.language)
            self.file_error = f"{message.rstrip('.')}. {hint}" if hint else message
            self.error.value = f'<div class="sk-error">⚠ {_esc(self.file_error)}</div>'
            return
        finally:
            self.syncing = True
            try:
                self.upload.value = ()
            finally:
                self.syncing = False
        self.file_error = ""
        suffix = stored.rsplit(".", 1)[-1]
        picture = suffix in ("jpg", "png", "gif", "webp") and self.field.type is QuestionType.IMAGE
        self.files[stored] = (name, len(content), content if picture else None)
        self.on_value(self.key, stored)

    def _store_file(self, content: bytes, name: str) -> str:
        if self.on_file is not None:
            return self.on_file(self.field.variable, content, name)
        # no store (the sandbox): the file is checked as the store checks it, and not kept
        from surveykit.config import settings
        from surveykit.store.files import checked_file

        stored, _ = checked_file(
            self.field.variable, self.field.type, content, name, settings().max_upload_mb * 1_048_576
        )
        return stored

    def _clear_file(self) -> None:
        self.on_value(self.key, None)

    def _set_checks(self, box: W.VBox, field: Field) -> None:
        checks = []
        self.checks = {}
        for name, label in field.choices:
            check = W.Checkbox(value=False, description=label, indent=False, layout=W.Layout(width="auto"))
            check.observe(self._changed, names="value")
            self.checks[name] = check
            checks.append(check)
        box.children = checks

    def _changed(self, change: dict[str, Any]) -> None:
        if self.syncing:
            return
        self.on_value(self.key, self.read())

    def read(self) -> Any:
        t_ = self.field.type
        if t_ is QuestionType.SELECT_MULTIPLE:
            return frozenset(name for name, check in self.checks.items() if check.value) or None
        if t_ is QuestionType.GEOPOINT:
            return self.text.value.strip() or None
        value = self.input.value
        if isinstance(value, str):
            return value.strip() or None
        return value

    # --- refresh from the session ------------------------------------------------------------------------
    def update(self, field: Field, language: str) -> None:
        self.field = field
        parts = []
        if field.row_label is not None:
            parts.append(f'<div class="sk-read">{_esc(field.label)}</div>')
            parts.append(f'<div class="sk-read" style="font-weight:400">— {_esc(field.row_label)}</div>')
        else:
            star = ' <span class="sk-required" title="required">*</span>' if field.required else ""
            parts.append(f'<div class="sk-read">{_esc(field.label)}{star}</div>')
        if field.hint:
            parts.append(f'<div class="sk-hint">{_esc(field.hint)}</div>')
        if field.instruction:
            prefix = html.escape(t("form.instruction_prefix", language))
            parts.append(
                f'<div class="sk-instruction" data-prefix="{prefix} ">{_esc(field.instruction)}</div>'
            )
        header = "".join(parts)
        if self.header.value != header:
            self.header.value = header
        shown = [*field.errors, *([self.file_error] if self.file_error else [])]
        errors = "".join(f'<div class="sk-error">⚠ {_esc(e)}</div>' for e in shown)
        if self.error.value != errors:
            self.error.value = errors
        self.syncing = True
        try:
            self._write(field)
        finally:
            self.syncing = False

    def _write(self, field: Field) -> None:
        t_ = field.type
        value = field.value
        if t_ is QuestionType.SELECT_MULTIPLE:
            if list(self.checks) != [name for name, _ in field.choices]:
                self._set_checks(self.input, field)
            chosen = value or frozenset()
            for name, check in self.checks.items():
                if check.value != (name in chosen):
                    check.value = name in chosen
            return
        if hasattr(self.input, "options"):
            options = tuple((label, name) for name, label in field.choices)
            if tuple(self.input.options) != options:
                self.input.options = options
            names = [name for name, _ in field.choices]
            wanted = value if value in names else None
            if self.input.value != wanted:
                self.input.value = wanted
            return
        if isinstance(self.input, W.DatePicker):
            wanted = value if isinstance(value, dt.date) else None
            if self.input.value != wanted:
                self.input.value = wanted
            return
        if t_ is QuestionType.TIME:
            wanted_time = _parse(dt.time.fromisoformat, value)
            if self.input.value != wanted_time:
                self.input.value = wanted_time
            return
        if t_ is QuestionType.DATETIME:
            wanted_stamp = _parse(dt.datetime.fromisoformat, value)
            if self.input.value != wanted_stamp:
                self.input.value = wanted_stamp
            return
        if t_ is QuestionType.GEOPOINT:
            text = value if isinstance(value, str) else ""
            if self.text.value.strip() != text:
                self.text.value = text
            return
        if t_.is_media:
            self._write_file(value)
            return
        text = (
            ""
            if value is None
            else (str(int(value)) if isinstance(value, float) and value.is_integer() else str(value))
        )
        if self.input.value != text:
            self.input.value = text

    def _write_file(self, value: Any) -> None:
        language = self.language
        shown, size, picture = self.files.get(value, (None, 0, None)) if value else (None, 0, None)
        if not value:
            status = f'<span class="sk-hint">{_esc(t("form.file.none", language))}</span>'
        else:
            number = f"{size / 1024:.1f}".replace(".", "," if language in ("ru", "uk", "bg", "pl") else ".")
            extra = f" ({t('form.file.kb', language, size=number)})" if size else ""
            name = shown or t("form.file.stored_file", language)
            status = (
                f'<span class="sk-file"><i class="fa fa-paperclip"></i> '
                f"{_esc(t('form.file.stored', language, name=name))}{_esc(extra)}</span>"
            )
            if self.on_file is None:
                status += f'<div class="sk-hint">{_esc(t("form.file.sandbox", language))}</div>'
        if picture:
            suffix = str(value).rsplit(".", 1)[-1]
            if self.preview.value != picture:
                self.preview.format = suffix.replace("jpg", "jpeg")
                self.preview.value = picture
            self.preview.layout.display = None
        else:
            self.preview.layout.display = "none"
        self.remove_file.layout.display = None if value else "none"
        if self.file_status.value != status:
            self.file_status.value = status


def _parse(parse: Callable[[str], Any], value: Any) -> Any:
    """The canonical text of a time or date-time answer as the picker's value (None when unreadable)."""
    if not isinstance(value, str):
        return None
    try:
        return parse(value)
    except ValueError:
        return None


class FormView(W.VBox):
    """The current page of a session, with back/next navigation and a progress bar."""

    def __init__(
        self,
        session: InterviewSession,
        *,
        on_page_change: Callable[[InterviewSession], None] | None = None,
        on_finish: Callable[[InterviewSession], None] | None = None,
        guard: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None,
        on_file: FileSink | None = None,
    ) -> None:
        super().__init__()
        self.add_class("sk-form")
        self.session = session
        self.on_file = on_file
        #: files uploaded in this view (stored name -> uploaded name, size, picture), and those listed by
        #: the app for a resumed draft: what the file questions show, across pages and language switches
        self.files: dict[str, tuple[str, int, bytes | None]] = {}
        self.on_page_change = on_page_change
        self.on_finish = on_finish
        guard = guard or (lambda fn: fn)
        self.widgets: dict[Key, _QuestionWidget] = {}
        self.repeat_boxes: dict[str, W.VBox] = {}
        self.title = W.HTML()
        self.progress = W.IntProgress(min=0, max=1, value=0, layout=W.Layout(width="60%"))
        self.progress_text = W.HTML()
        self.page_box = W.VBox()
        self.page_notice = W.HTML()
        self.back_button = W.Button(description=t("form.back", session.language), icon="arrow-left")
        self.next_button = W.Button(description=t("form.next", session.language), button_style="primary")
        self.back_button.add_class("sk-back")
        self.next_button.add_class("sk-next")
        self.back_button.on_click(guard(lambda _: self.go(back=True)))
        self.next_button.on_click(guard(lambda _: self.go(back=False)))
        self._guard = guard
        nav = W.HBox([self.back_button, self.next_button])
        nav.add_class("sk-nav")
        self.children = [
            W.HBox([self.progress, self.progress_text]),
            self.title,
            self.page_box,
            self.page_notice,
            nav,
        ]
        self.refresh()

    # --- events -----------------------------------------------------------------------------------------------
    def _on_value(self, key: Key, value: Any) -> None:
        variable, repeat, row = key
        self._guard(self._apply)(variable, value, None if repeat is None else (repeat, row))

    def _apply(self, variable: str, value: Any, instance: tuple[str, int] | None) -> None:
        self.session.set_answer(variable, value, instance)
        self.refresh()

    def go(self, *, back: bool) -> None:
        s = self.session
        language = s.language
        if back:
            moved = s.back()
        else:
            if s.is_last:
                s.next()  # marks the page as attempted: required problems show
                if not s.page_problems(include_required=True):
                    if self.on_finish:
                        self.on_finish(s)
                    return
                self.refresh()
                self.page_notice.value = f'<div class="sk-error">{_esc(t("form.fix_page", language))}</div>'
                return
            moved = s.next()
        if moved:
            self.widgets.clear()
            self.repeat_boxes.clear()
            if self.on_page_change:
                self.on_page_change(s)
        self.refresh()
        if not moved and not back:
            self.page_notice.value = f'<div class="sk-error">{_esc(t("form.fix_page", language))}</div>'

    def relabel(self) -> None:
        """Rebuild after a language switch."""
        self.widgets.clear()
        self.repeat_boxes.clear()
        self.back_button.description = t("form.back", self.session.language)
        self.refresh()

    # --- rendering -----------------------------------------------------------------------------------------
    def refresh(self) -> None:
        s = self.session
        language = s.language
        view = s.view()
        position, total = s.progress
        self.progress.max = total
        self.progress.value = position
        self.progress_text.value = (
            f"&nbsp;{html.escape(t('form.page_of', language, page=position, pages=total))}"
        )
        self.title.value = f'<div class="sk-title">{_esc(view.title)}</div>' + (
            f'<div class="sk-instruction" data-prefix="{html.escape(t("form.instruction_prefix", language))} ">'
            f"{_esc(view.instruction)}</div>"
            if view.instruction
            else ""
        )
        self.page_notice.value = ""
        self.back_button.disabled = s.is_first
        self.next_button.description = t("form.review" if s.is_last else "form.next", language)
        children: list[W.Widget] = []
        seen: set[Key] = set()
        for block in view.blocks:
            if isinstance(block, tuple):
                label, instruction = block
                note = f'<div class="sk-note"><div class="sk-read">{_esc(label)}</div>'
                if instruction:
                    note += (
                        f'<div class="sk-instruction" data-prefix="{html.escape(t("form.instruction_prefix", language))} ">'
                        f"{_esc(instruction)}</div>"
                    )
                children.append(W.HTML(note + "</div>"))
            elif isinstance(block, RepeatView):
                children.append(self._repeat(block, seen))
            else:
                children.append(self._field(block, (block.variable, None, None), seen))
        for key in list(self.widgets):
            if key not in seen:
                del self.widgets[key]
        if list(self.page_box.children) != children:
            self.page_box.children = children

    def _field(self, field: Field, key: Key, seen: set[Key]) -> W.Widget:
        seen.add(key)
        widget = self.widgets.get(key)
        if widget is None or widget.field.type is not field.type:
            widget = _QuestionWidget(
                field, key, self._on_value, self.session.language, self.on_file, self.files
            )
            self.widgets[key] = widget
        else:
            widget.update(field, self.session.language)
        return widget.box

    def _repeat(self, block: RepeatView, seen: set[Key]) -> W.Widget:
        language = self.session.language
        code = block.group.code
        rows: list[W.Widget] = []
        for row, fields in enumerate(block.instances):
            items: list[W.Widget] = [W.HTML(f"<b>{_esc(block.label)} {row + 1}</b>")]
            items.extend(self._field(f, (f.variable, code, row), seen) for f in fields)
            if not block.fixed_count:
                remove = W.Button(description=t("form.remove", language), icon="trash")
                remove.on_click(self._guard(lambda _, r=row: self._remove(code, r)))
                items.append(remove)
            card = W.VBox(items)
            card.add_class("sk-repeat")
            rows.append(card)
        if not block.fixed_count:
            add = W.Button(description=t("form.add", language, what=block.label), icon="plus")
            add.add_class(f"sk-add-{code}")
            add.on_click(self._guard(lambda _: self._add(code)))
            rows.append(add)
        box = self.repeat_boxes.setdefault(code, W.VBox())
        box.children = rows
        return box

    def _add(self, repeat: str) -> None:
        self.session.add_instance(repeat)
        self.refresh()

    def _remove(self, repeat: str, row: int) -> None:
        self.session.remove_instance(repeat, row)
        self.widgets = {k: v for k, v in self.widgets.items() if k[1] != repeat}
        self.refresh()
