"""Certificates for a cohort: our batch against a bare loop of one-page fpdf2 documents.

Ours: ``issue_batch`` for 1,300 people (quick: 50): every certificate signed (Ed25519 record and QR
payload), drawn with its QR code, seal and frame, written as one combined PDF for printing *and* one PDF
per person, plus the records file. Baseline, same run, same people: for each person a new fpdf2 document
with the same two vendored DejaVu fonts and a few lines of text only (no signing, no QR, no drawing),
written to its own file: the obvious design, which parses the fonts again for every document.
Target (the issue): 1,300 certificates in at most 30 s on the 2-core build machine.
"""

from __future__ import annotations

import gc
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from benchmarks.harness import Measurement, timed
from surveykit.certificates import Issuer, generate_key, issue_batch, load_template
from surveykit.certificates.pdf import FONT_DIR, FONT_FAMILY, FONT_FILES
from surveykit.certificates.qr import qr_symbol

FULL, QUICK = 1300, 50
TARGET_SECONDS = 30.0
VERIFY_URL = "http://localhost:8866/voila/render/verify.ipynb"
_SURNAMES = (
    "Иванова",
    "Петров",
    "Смирнова",
    "Кузнецов",
    "Соколова",
    "Попов",
    "Лебедева",
    "Новиков",
    "Морозова",
)
_NAMES = (
    "Мария Петровна",
    "Иван Сергеевич",
    "Анна Олеговна",
    "Пётр Ильич",
    "Юлия Андреевна",
    "Олег Викторович",
)


def people(n: int) -> list[dict]:
    return [
        {
            "name": f"{_SURNAMES[i % len(_SURNAMES)]} {_NAMES[i % len(_NAMES)]}",
            "roles": ["questionnaire_taker", "interviewer"] if i % 3 else ["checklist_observer"],
            "person_id": f"p{i:05d}",
            "scores": {"knowledge_test": 80 + i % 20, "mock_interview": 20 + i % 5},
        }
        for i in range(n)
    ]


def bare_loop(cohort: list[dict], out: Path) -> int:
    """One fpdf2 document per person, fonts added each time, text only.

    ``timed()`` switches the garbage collector off, and every fpdf2 document keeps its parsed fonts in
    reference cycles (about 2 MB each): without a collection now and then, 1,300 documents hold gigabytes.
    """
    for i, person in enumerate(cohort):
        if i % 100 == 99:
            gc.collect()
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        for style, filename in FONT_FILES.items():
            pdf.add_font(FONT_FAMILY, style, str(FONT_DIR / filename))
        pdf.add_page()
        pdf.set_font(FONT_FAMILY, "B", 36)
        pdf.cell(0, 20, "СЕРТИФИКАТ", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "B", 28)
        pdf.cell(0, 16, person["name"], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 12)
        pdf.cell(0, 8, ", ".join(person["roles"]), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 8, f"№ SK-2026-{i:04d}", align="C")
        pdf.output(str(out / f"{i:05d}.pdf"))
    return len(cohort)


def run(quick: bool) -> list[Measurement]:
    n = QUICK if quick else FULL
    cohort = people(n)
    template = load_template("interviewer")
    issuer = Issuer(
        "Общественный совет при Министерстве социальной политики Свердловской области",
        "https://sovet.example.org",
    )
    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as tmp:
        root = Path(tmp)
        key = generate_key(root / "keys" / "issuer.pem")
        ours, summary = timed(
            lambda: issue_batch(
                cohort,
                template,
                key,
                root / "ours",
                now=datetime(2026, 5, 14, 10, 30, tzinfo=UTC),
                issuer=issuer,
                verify_url=VERIFY_URL,
            )
        )
        (root / "bare").mkdir()
        baseline, _ = timed(lambda: bare_loop(cohort, root / "bare"))
        assert summary.ok and len(summary.files) == n, str(summary)
        first = summary.issued[0].certificate
        symbol = qr_symbol(first.qr_url)
        qr_seconds, _ = timed(lambda: [qr_symbol(item.certificate.qr_url) for item in summary.issued[:50]])
        extra = {
            "certificates": n,
            "ours_ms_per_certificate": round(ours / n * 1000, 2),
            "baseline_ms_per_document": round(baseline / n * 1000, 2),
            "qr_ms_per_symbol": round(qr_seconds / min(50, n) * 1000, 2),
            "qr_payload_chars": len(first.qr_payload),
            "qr_url_chars": len(first.qr_url),
            "qr_version": symbol.designator,
            "qr_modules": symbol.size,
            "qr_mask": symbol.mask,
            "personal_file_kb": round(summary.files[0].stat().st_size / 1024, 1),
            "combined_mb": round(summary.combined.stat().st_size / 1024 / 1024, 2),
            "extrapolated_to_1300_s": round(ours / n * FULL, 1),
        }
    return [
        Measurement(
            name=f"issue {n} signed certificates (combined PDF + {n} personal PDFs + records)",
            figure=ours,
            baseline_name=f"bare loop: {n} one-page fpdf2 documents, same fonts, text only",
            baseline=baseline,
            target=f"<= {TARGET_SECONDS:g} s for {FULL:,}"
            + (" (extrapolated from the quick run)" if quick else ""),
            met=ours / n * FULL <= TARGET_SECONDS,
            extra=extra,
        )
    ]
