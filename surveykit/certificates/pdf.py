"""Printable certificates: A4 landscape pages drawn with fpdf2, fonts parsed once per document.

:class:`CertificatePdf` is one fpdf2 document; every :meth:`CertificatePdf.add` draws one certificate on
a new page. Parsing the TrueType fonts is the expensive part of a small PDF (two thirds of the time of a
one-page document), so a batch draws all its pages into one document and, if it needs one file per person,
splits that document afterwards (see :mod:`surveykit.certificates.batch`). Line breaking is cached too:
the body text is the same on every page.

Fonts: DejaVu Sans and DejaVu Sans Bold, vendored in ``surveykit/fonts/`` with their licence; they cover
Latin and Cyrillic. A text with a character the fonts cannot print is refused before anything is drawn.

The page, top to bottom: the issuer; title, subtitle, a divider; the preamble, the holder's name, the
body text and the roles (this middle block is centred and shrinks evenly if a template has much text);
a row with the date of issue, the validity and the serial; a band with the signature lines, a drawn
seal with the year, and the verification QR code.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from fpdf import FPDF

from surveykit.errors import CertificateError, ErrorCode, Location

from .model import Certificate
from .qr import QrSymbol, qr_symbol
from .templates import CertificateTemplate, Layout, format_date, languages_of, pick_text

__all__ = ["FONT_DIR", "CertificatePdf", "unprintable"]

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT_FAMILY = "DejaVuSans"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm
PT = 25.4 / 72  # one typographic point in mm
QR_SIZE = 40.0  # mm without the quiet zone: 0.75 mm modules for version 9 (the default verify_url)
# vertical layout, mm
MIDDLE_TOP, MIDDLE_BOTTOM = 27.0, 129.0
DETAILS_Y = 133.0
BAND_TOP = 149.0
INK = (0x22, 0x26, 0x2E)
MUTED = (0x5F, 0x66, 0x70)
PAPER = (0xFF, 0xFF, 0xFF)

#: the labels printed on every document, in both languages (the one home of these texts)
_LABELS = {
    "issued": {"ru": "Дата выдачи", "en": "Date of issue"},
    "valid_until": {"ru": "Действителен до", "en": "Valid until"},
    "serial": {"ru": "Регистрационный номер", "en": "Serial number"},
    "verify": {"ru": "Проверка подлинности", "en": "Verify authenticity"},
    "scan": {"ru": "отсканируйте QR-код или введите номер", "en": "scan the QR code or enter the serial"},
}


@functools.cache
def _printable_codepoints() -> frozenset[int]:
    """Characters both vendored fonts can draw."""
    from fontTools.ttLib import TTFont

    sets = []
    for name in FONT_FILES.values():
        font = TTFont(FONT_DIR / name, lazy=True)
        sets.append(set(font.getBestCmap()))
        font.close()
    return frozenset(set.intersection(*sets))


def unprintable(text: str) -> str:
    """The characters of ``text`` the certificate fonts cannot draw (empty when all can)."""
    covered = _printable_codepoints()
    return "".join(sorted({c for c in text if ord(c) not in covered and not c.isspace()}))


def _tint(colour: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    """``colour`` mixed with white: ``amount`` 0 is white, 1 the colour itself."""
    return tuple(round(255 - (255 - c) * amount) for c in colour)  # type: ignore[return-value]


def _dark_enough(colour: tuple[int, int, int]) -> bool:
    """Whether a QR code in ``colour`` on white keeps a contrast of at least 7:1 (WCAG relative luminance)."""
    channels = [(c / 255 / 12.92) if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour]
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return 1.05 / (luminance + 0.05) >= 7.0


@dataclass(frozen=True)
class _Block:
    """One centred paragraph of the middle of the page."""

    text: str
    size: float  # pt
    bold: bool = False
    colour: tuple[int, int, int] = INK
    space_after: float = 2.0  # mm
    spacing: float = 0.0  # extra space between characters, pt
    leading: float = 1.22


class CertificatePdf:
    """An fpdf2 document for certificates made from one template; ``add()`` draws one page.

    ``language`` is ``"ru"``, ``"en"`` or ``"bilingual"`` (default: the template's choice).
    """

    def __init__(
        self, template: CertificateTemplate, language: str | None = None, *, title: str = ""
    ) -> None:
        self.template = template
        self.language = language or template.language
        self.languages = languages_of(self.language)
        self.layout: Layout = template.layout
        self.title = title or pick_text(template.title, self.languages[0])
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.c_margin = 0
        for style, filename in FONT_FILES.items():
            pdf.add_font(FONT_FAMILY, style, str(FONT_DIR / filename))
        pdf.set_creator("surveykit")
        pdf.set_title(self.title)
        pdf.set_lang(self.languages[0])
        self.pdf = pdf
        self.pages = 0
        self._line_cache: dict[tuple, tuple[str, ...]] = {}

    # --- public ---------------------------------------------------------------------------------------

    def check(self, certificate: Certificate, row: int | None = None) -> None:
        """Refuse a certificate this document cannot print, before anything is drawn."""
        missing = [lang for lang in self.languages if lang not in certificate.texts]
        if missing:
            raise CertificateError(
                ErrorCode.OPTION_CONFLICT,
                Location(row=row),
                detail=f"certificate {certificate.serial} was issued without the {', '.join(missing)} texts",
                fix=f"Issue it with language='{self.language}', the language of the PDF.",
            )
        texts = [
            certificate.holder.name,
            *(certificate.issuer.name_in(lang) for lang in self.languages),
            *(r.name(lang) for r in certificate.roles for lang in self.languages),
        ]
        texts += [text for language in self.languages for text in certificate.texts[language].values()]
        bad = unprintable("".join(texts))
        if bad:
            field = "name" if unprintable(certificate.holder.name) else "fields"
            raise CertificateError(
                ErrorCode.FIELD_INVALID,
                Location(row=row, field=field),
                field=field,
                detail=f"the certificate fonts cannot print {', '.join(repr(c) for c in bad)}",
                fix="Write it in Cyrillic or Latin letters.",
            )

    def add(self, certificate: Certificate, row: int | None = None, *, qr: QrSymbol | None = None) -> int:
        """Draw ``certificate`` on a new page; returns the page number (1-based).

        ``qr`` is the QR symbol of ``certificate.qr_url`` when the caller made it already.
        """
        self.check(certificate, row)
        self.pdf.add_page()
        self.pages += 1
        self._frame()
        self._middle(certificate)
        self._details(certificate)
        self._signatories()
        if self.layout.seal:
            self._seal(certificate.valid_from.year)
        if self.layout.qr:
            self._qr(qr or qr_symbol(certificate.qr_url), certificate.qr_url)
        return self.pages

    def output(self) -> bytes:
        return bytes(self.pdf.output())

    def set_creation_date(self, moment: datetime) -> None:
        """Fix the document date (to the date of issue) so that the same input gives the same file."""
        self.pdf.set_creation_date(moment.astimezone(UTC))

    # --- text ---------------------------------------------------------------------------------------------

    def _font(
        self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK, spacing: float = 0.0
    ) -> None:
        self.pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
        self.pdf.set_text_color(*colour)
        self.pdf.set_char_spacing(spacing)

    def _lines(self, block: _Block, width: float) -> tuple[str, ...]:
        """``block`` broken into lines of at most ``width`` mm; cached, as most texts repeat on every page."""
        key = (block.text, block.size, block.bold, block.spacing, width)
        lines = self._line_cache.get(key)
        if lines is None:
            self._font(block.size, block.bold, block.colour, block.spacing)
            lines = tuple(self.pdf.multi_cell(width, 5, block.text, dry_run=True, output="LINES"))
            if len(self._line_cache) < 4096:
                self._line_cache[key] = lines
        return lines

    def _height(self, block: _Block, width: float) -> float:
        return len(self._lines(block, width)) * block.size * PT * block.leading + block.space_after

    def _draw(self, block: _Block, x: float, y: float, width: float, align: str = "C") -> float:
        """Draw ``block`` in the column ``x .. x + width`` from ``y``; returns the y below it."""
        line_h = block.size * PT * block.leading
        lines = self._lines(block, width)
        self._font(block.size, block.bold, block.colour, block.spacing)
        for line in lines:
            self.pdf.set_xy(x, y)
            self.pdf.cell(width, line_h, line, align=align)
            y += line_h
        return y + block.space_after

    def _centred(self, block: _Block, y: float, width: float = PAGE_W) -> float:
        return self._draw(block, (PAGE_W - width) / 2, y, width)

    # --- ornament ----------------------------------------------------------------------------------------

    def _diamond(self, x: float, y: float, r: float, colour: tuple[int, int, int]) -> None:
        self.pdf.set_fill_color(*colour)
        self.pdf.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], style="F")

    def _frame(self) -> None:
        """A navy outer frame, a tinted band, a double gold rule, and corner ornaments."""
        pdf, navy, gold = self.pdf, self.layout.accent, self.layout.ornament
        pdf.set_fill_color(*_tint(gold, 0.22))
        pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16, style="F")
        pdf.set_fill_color(*PAPER)
        pdf.rect(11, 11, PAGE_W - 22, PAGE_H - 22, style="F")
        pdf.set_draw_color(*navy)
        pdf.set_line_width(1.4)
        pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
        pdf.set_draw_color(*gold)
        pdf.set_line_width(0.5)
        pdf.rect(11, 11, PAGE_W - 22, PAGE_H - 22)
        pdf.set_line_width(0.2)
        pdf.rect(12.4, 12.4, PAGE_W - 24.8, PAGE_H - 24.8)
        for cx, sx in ((11, 1), (PAGE_W - 11, -1)):
            for cy, sy in ((11, 1), (PAGE_H - 11, -1)):
                pdf.set_draw_color(*gold)
                pdf.set_line_width(0.5)
                pdf.line(cx + sx * 5, cy + sy * 5, cx + sx * 24, cy + sy * 5)
                pdf.line(cx + sx * 5, cy + sy * 5, cx + sx * 5, cy + sy * 24)
                self._diamond(cx, cy, 2.6, gold)
                self._diamond(cx + sx * 5, cy + sy * 5, 1.2, navy)

    def _divider(self, y: float, half_width: float = 38) -> None:
        pdf, gold = self.pdf, self.layout.ornament
        cx = PAGE_W / 2
        pdf.set_draw_color(*gold)
        pdf.set_line_width(0.35)
        pdf.line(cx - half_width, y, cx - 4, y)
        pdf.line(cx + 4, y, cx + half_width, y)
        self._diamond(cx, y, 1.8, gold)
        self._diamond(cx - half_width, y, 0.8, gold)
        self._diamond(cx + half_width, y, 0.8, gold)

    # --- the parts of the page ---------------------------------------------------------------------------

    def _name_size(self, name: str, size: float, width: float) -> float:
        """The largest size up to ``size`` at which ``name`` fits on one line (not below 60 %)."""
        self._font(size, True)
        measured = self.pdf.get_string_width(name)
        return size if measured <= width else max(size * 0.6, size * width / measured)

    def _middle(self, cert: Certificate) -> None:
        navy = self.layout.accent
        primary, *rest = self.languages
        second = rest[0] if rest else None
        texts = cert.texts
        width = 236.0

        self._centred(
            _Block(cert.issuer.name_in(primary).upper(), 9.5, True, navy, 0, spacing=1.6), 20.0, 250
        )

        head = [_Block(texts[primary]["title"].upper(), 34 if second else 40, True, navy, 0.5, spacing=5)]
        if second:
            head.append(_Block(texts[second]["title"].upper(), 13, True, MUTED, 1.5, spacing=4))
        lead: list[_Block] = []
        body: list[_Block] = []
        for lang, main in ((primary, True), (second, False)):
            if not lang:
                continue
            if texts[lang]["subtitle"]:
                head.append(
                    _Block(
                        texts[lang]["subtitle"],
                        15 if not second else 14 if main else 10.5,
                        False,
                        INK if main else MUTED,
                        0.6,
                    )
                )
            if texts[lang]["preamble"]:
                lead.append(_Block(texts[lang]["preamble"], 12.5 if main else 10, False, MUTED, 0.4))
            if texts[lang]["body"]:
                body.append(
                    _Block(
                        texts[lang]["body"],
                        (12.5 if not second else 12) if main else 10,
                        False,
                        INK if main else MUTED,
                        1.2,
                    )
                )
        if self.template.show_roles and cert.roles:
            names = "  ·  ".join(role.name(primary) for role in cert.roles)
            body.append(_Block(names.upper(), 14, True, navy, 0.6, spacing=1.2))
            if second:
                body.append(
                    _Block("  ·  ".join(role.name(second) for role in cert.roles), 10, False, MUTED, 0.6)
                )
        name = _Block(cert.holder.name, self._name_size(cert.holder.name, 30, width), True, navy, 0)

        divider_gap, underline_gap = 5.0, 5.2
        natural = (
            sum(self._height(b, width) for b in (*head, *lead, name, *body)) + divider_gap + underline_gap + 2
        )
        space = MIDDLE_BOTTOM - MIDDLE_TOP
        scale = min(1.0, space / natural)
        if scale < 1.0:  # much text: shrink everything evenly rather than overflow onto the details row
            head, lead, body = (
                [replace(b, size=b.size * scale, space_after=b.space_after * scale) for b in part]
                for part in (head, lead, body)
            )
            name = replace(name, size=name.size * scale)
            divider_gap, underline_gap = divider_gap * scale, underline_gap * scale
        y = MIDDLE_TOP + max(0.0, (space - natural * scale) / 2)

        for block in head:
            y = self._centred(block, y, width)
        self._divider(y + divider_gap / 2)
        y += divider_gap + 1.5
        for block in lead:
            y = self._centred(block, y, width)
        y = self._centred(name, y + 0.5, width)
        self._font(name.size, True)
        underline = min(width, self.pdf.get_string_width(name.text) + 24)
        self.pdf.set_draw_color(*self.layout.ornament)
        self.pdf.set_line_width(0.4)
        self.pdf.line((PAGE_W - underline) / 2, y + 1.2, (PAGE_W + underline) / 2, y + 1.2)
        y += underline_gap
        for block in body:
            y = self._centred(block, y, width)

    def _details(self, cert: Certificate) -> None:
        """Date of issue, validity (when the document expires) and serial, in columns."""
        langs, primary = self.languages, self.languages[0]
        columns = [(_LABELS["issued"], format_date(cert.valid_from, primary))]
        if cert.valid_until is not None:
            columns.append((_LABELS["valid_until"], format_date(cert.valid_until, primary)))
        columns.append((_LABELS["serial"], cert.serial))
        col_w = 80.0
        x0 = (PAGE_W - len(columns) * col_w) / 2
        pdf = self.pdf
        for i, (label, value) in enumerate(columns):
            x = x0 + i * col_w
            caption = " / ".join(label[lang] for lang in langs).upper()
            self._draw(_Block(caption, 7, False, MUTED, 0, spacing=0.6), x, DETAILS_Y, col_w)
            self._draw(
                _Block(value, 12, True, self.layout.accent, 0, spacing=0.3 if value == cert.serial else 0),
                x,
                DETAILS_Y + 4.3,
                col_w,
            )
            if i:
                pdf.set_draw_color(*self.layout.ornament)
                pdf.set_line_width(0.2)
                pdf.line(x, DETAILS_Y + 0.5, x, DETAILS_Y + 9.5)

    def _signatories(self) -> None:
        signatories = self.template.signatories[:2]
        pdf = self.pdf
        x, line_w = 26.0, 78.0
        top = BAND_TOP + (13 if len(signatories) > 1 else 23)
        for i, signatory in enumerate(signatories):
            y = top + i * 17.0
            pdf.set_draw_color(*MUTED)
            pdf.set_line_width(0.25)
            pdf.line(x, y, x + line_w, y)
            if signatory.name:
                self._draw(_Block(signatory.name, 9.5, True, INK, 0), x, y - 5, line_w, align="R")
            title = " / ".join(pick_text(signatory.title, lang) for lang in self.languages)
            self._draw(_Block(title, 7.5, False, MUTED, 0, leading=1.3), x, y + 1, line_w, align="L")

    def _seal(self, year: int) -> None:
        """A rosette: a gold star-edged disc with two rings, the year and stars; drawn, not an image."""
        pdf, gold, navy = self.pdf, self.layout.ornament, self.layout.accent
        cx, cy, r = PAGE_W / 2, BAND_TOP + 21, 15.5
        points = []
        for i in range(96):
            radius = r if i % 2 == 0 else r - 1.3
            angle = math.pi * i / 48
            points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
        pdf.set_fill_color(*gold)
        pdf.polygon(points, style="F")
        pdf.set_fill_color(*PAPER)
        pdf.ellipse(cx - 12.2, cy - 12.2, 24.4, 24.4, style="F")
        pdf.set_draw_color(*gold)
        pdf.set_line_width(0.5)
        pdf.ellipse(cx - 11.0, cy - 11.0, 22.0, 22.0)
        pdf.set_line_width(0.2)
        pdf.ellipse(cx - 10.0, cy - 10.0, 20.0, 20.0)
        self._centred(_Block("★", 9, False, gold, 0), cy - 7.3, 30)
        self._centred(_Block(str(year), 12, True, navy, 0), cy - 2.9, 30)
        self._centred(_Block("★  ★  ★", 5.5, False, gold, 0), cy + 2.6, 30)

    def _qr(self, symbol: QrSymbol, url: str) -> None:
        """The verification QR as one vector path (crisp at any size, no seams between modules)."""
        pdf = self.pdf
        n = symbol.size
        module = QR_SIZE / n
        x0, y0 = PAGE_W - 26.0 - QR_SIZE, BAND_TOP
        k, page_h = pdf.k, pdf.h
        # one rectangle per horizontal run of dark modules
        edges = np.diff(np.pad(symbol.matrix.astype(np.int8), ((0, 0), (1, 1))), axis=1)
        rows, starts = np.nonzero(edges == 1)
        ends = np.nonzero(edges == -1)[1]
        height = module * k
        ops = [
            f"{(x0 + a * module) * k:.3f} {(page_h - y0 - (j + 1) * module) * k:.3f} "
            f"{(b - a) * module * k:.3f} {height:.3f} re"
            for j, a, b in zip(rows.tolist(), starts.tolist(), ends.tolist())
        ]
        ink = self.layout.accent if _dark_enough(self.layout.accent) else (0, 0, 0)
        pdf.set_fill_color(*ink)
        # fpdf2 has no public call for "many rectangles, one fill"; _out() appends operators to the page
        pdf._out("\n".join(ops) + "\nf")
        # the caption sits left of the code, level with its bottom edge, clear of the quiet zone
        x_right = x0 - 5.0
        caption = [
            _Block(
                " / ".join(_LABELS["verify"][lang] for lang in self.languages).upper(),
                6.5,
                True,
                MUTED,
                0.6,
                0.5,
            ),
            _Block(" / ".join(_LABELS["scan"][lang] for lang in self.languages), 6.5, False, MUTED, 0.4),
            _Block(urlsplit(url).netloc, 7, True, self.layout.accent, 0),
        ]
        width = 52.0
        y = y0 + QR_SIZE - sum(self._height(b, width) for b in caption) + 0.6
        for block in caption:
            y = self._draw(block, x_right - width, y, width, align="R")
