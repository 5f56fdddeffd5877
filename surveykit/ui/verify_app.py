"""The verification app: anyone pastes a serial, a QR link or a signed record and learns whether the
certificate is valid, expired, not yet valid, revoked, suspended, forged or unknown — with the reasons in
Russian and English. The QR code on a certificate points here (``?c=<payload>``): the app opens pre-filled
and checks at once. ``?serial=SK-...`` works the same way.

The verdict is :func:`surveykit.certificates.verify` against the store's register
(:class:`~surveykit.certificates.registry_store.StoreRegistry`); without a database the app still checks
QR codes and records offline with the issuer's public key and says that revocation was not checked. No
sign-in: verification is public, and it shows only what the certificate itself states.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as W

from surveykit.config import settings
from surveykit.errors import CertificateError, ErrorCode
from surveykit.i18n import UI_LANGUAGES, t
from surveykit.ui.common import STYLE, Notice, app_logger, guarded, language_picker, query_params
from surveykit.ui.quiz import QUIZ_STYLE

__all__ = ["VerifyApp", "verification_html"]

VERIFY_STYLE = """
<style>
.sk-verdict-card { border-radius: 12px; padding: 14px 18px; margin: 12px 0; font-size: 18px; line-height: 1.5; }
.sk-verdict-card .sk-status { font-size: 30px; font-weight: 800; }
.sk-status-valid { background: #f0fff4; border: 2px solid #38a169; color: #22543d; }
.sk-status-expired, .sk-status-not_yet_valid, .sk-status-unknown { background: #fffaf0; border: 2px solid #dd6b20; color: #7b341e; }
.sk-status-suspended, .sk-status-revoked, .sk-status-forged { background: #fff5f5; border: 2px solid #e53e3e; color: #742a2a; }
.sk-name-card { border-radius: 10px; padding: 10px 16px; margin: 8px 0; font-size: 18px; }
.sk-name-match { background: #f0fff4; border: 2px solid #38a169; color: #22543d; }
.sk-name-mismatch, .sk-name-unconfirmed { background: #fffaf0; border: 2px solid #dd6b20; color: #7b341e; }
.sk-verify-input textarea { font-size: 17px !important; font-family: monospace; }
</style>
"""


def _esc(text: Any) -> str:
    return html.escape(str(text or "")).replace("\n", "<br>")


def _day(value: Any) -> str:
    if value is None:
        return "—"
    return value.strftime("%d.%m.%Y")


def verification_html(result: Any, language: str) -> str:
    """A verdict card: status, holder, roles, dates, issuer, and every reason in ``language``."""
    status = result.status.value
    # a certificate revoked because a newer one replaced it is called "replaced" (its reason names the new one)
    word = "replaced" if any(r.key == "replaced" for r in result.reasons) else status
    lines = [f'<div class="sk-status">{_esc(t("verify.status." + word, language))}</div>']
    facts = [
        ("verify.serial", result.serial),
        ("verify.holder", result.holder),
        ("verify.roles", ", ".join(r.name(language) for r in result.roles)),
        ("verify.valid_from", _day(result.valid_from) if result.valid_from else None),
        ("verify.valid_until", _day(result.valid_until) if result.serial else None),
        ("verify.issuer", result.issuer_in(language)),
    ]
    for key, value in facts:
        if value:
            lines.append(f"<div><b>{_esc(t(key, language))}:</b> {_esc(value)}</div>")
    name_reason = result.name_reason
    for reason in result.reasons:
        if reason is name_reason:
            continue
        lines.append(
            f'<div class="sk-reason sk-reason-{_esc(reason.key)}">{_esc(reason.text(language))}</div>'
        )
    card = f'<div class="sk-verdict-card sk-status-{status}">{"".join(lines)}</div>'
    if name_reason is None:
        return card
    # the name is its own answer, apart from the certificate's status (issue 16: never "forged" for a name)
    check = result.name_check.value
    return (
        f'{card}<div class="sk-name-card sk-name-{check}"><b>{_esc(t("verify.name_check", language))}:</b> '
        f"{_esc(name_reason.text(language))}</div>"
    )


class VerifyApp(W.VBox):
    """The public verification page (see the module docstring)."""

    def __init__(
        self,
        registry: Any = None,
        *,
        keys: Any = None,
        language: str | None = None,
        params: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.add_class("sk-app")
        self.add_class("sk-verify-app")
        self.registry = registry
        self.trusted_keys = keys
        self.params = params or {}
        wanted = language or self.params.get("lang") or settings().default_language
        self.language = wanted if wanted in UI_LANGUAGES else "ru"
        self.notice = Notice()
        self.guard = guarded(self.notice, lambda: self.language)
        self.header = W.HTML()
        self.result = W.HTML()
        self.result.add_class("sk-verify-result")
        self.evidence = W.Textarea(layout=W.Layout(width="95%", height="120px"))
        self.evidence.add_class("sk-verify-input")
        self.name = W.Text(layout=W.Layout(width="60%"))
        self.name.add_class("sk-verify-name")
        self.button = W.Button(button_style="primary")
        self.button.add_class("sk-verify")
        self.button.on_click(self.guard(lambda _: self.check()))
        self.picker = language_picker(self.language, self.guard(self._set_language))
        self.labels = W.HTML()
        self.name_label = W.HTML()
        self.children = [
            W.HTML(STYLE + QUIZ_STYLE + VERIFY_STYLE),
            self.header,
            self.picker,
            self.labels,
            self.evidence,
            self.name_label,
            self.name,
            self.button,
            self.notice,
            self.result,
        ]
        self._relabel()
        prefilled = self._from_url()
        if prefilled:
            self.evidence.value = prefilled
            self.check()

    @classmethod
    def from_request(cls) -> VerifyApp:
        """The app for a Voilà page: the store's register when the database opens, offline otherwise."""
        params = query_params()
        registry = None
        try:
            from surveykit.certificates.registry_store import StoreRegistry
            from surveykit.store import Store

            registry = StoreRegistry(Store.open())
        except Exception as err:  # offline verification still works
            app_logger().warning("verify app: no register (%s); checking offline", err)
        return cls(registry, params=params)

    def _from_url(self) -> str:
        payload = self.params.get("c")
        if payload:
            base = settings().verify_url
            return f"{base}{'&' if '?' in base else '?'}c={payload}"
        return self.params.get("serial", "")

    def _relabel(self) -> None:
        lang = self.language
        self.header.value = (
            f'<div class="sk-title">{_esc(t("verify.title", lang))}</div>'
            f'<div class="sk-subtitle">{_esc(t("verify.subtitle", lang))}</div>'
        )
        self.labels.value = f"<b>{_esc(t('verify.evidence', lang))}</b>"
        self.name_label.value = f"<b>{_esc(t('verify.name', lang))}</b>"
        self.evidence.placeholder = t("verify.placeholder", lang)
        self.button.description = t("verify.check", lang)

    def _set_language(self, language: str) -> None:
        self.language = language
        self._relabel()
        if self.evidence.value.strip() and self.result.value:
            self.check()

    def check(self) -> Any:
        """Verify what is in the box and show the verdict."""
        from surveykit.certificates import verify

        text = self.evidence.value.strip()
        if not text:
            self.result.value = ""
            self.notice.show(t("verify.empty", self.language), "info")
            return None
        self.notice.clear()
        name = self.name.value.strip() or None
        try:
            result = verify(text, keys=self.trusted_keys, registry=self.registry, name=name)
        except CertificateError as err:
            if err.code is not ErrorCode.OPTION_CONFLICT:
                raise
            self.notice.show(
                t("verify.offline_serial", self.language), "error"
            )  # a serial needs the register
            return None
        self.result.value = verification_html(result, self.language)
        app_logger().info("verify: %s -> %s", result.serial, result.status.value)
        return result
