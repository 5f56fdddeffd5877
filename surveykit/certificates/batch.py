"""Issuing certificates to a whole cohort: one call, a summary at the end, progress on the way.

Design for speed (1,300 people): every certificate is drawn as one page of a *single* fpdf2 document, so
the fonts are parsed and subset once, not 1,300 times. That document is the combined PDF for printing;
the per-person files are cut out of it page by page with pypdf (a few milliseconds each). Without pypdf
each person's file is drawn as its own document instead: correct, about ten times slower.

A person that cannot be certified (no name, an unknown role, a placeholder without a value, a character
the fonts cannot print) is reported in the summary and the batch goes on; nothing of theirs is left on
disk. Every problem is found *before* the person's page is drawn, so the combined PDF never holds half a
page. Files are written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from surveykit.errors import CertificateError, ErrorCode, Location, Problem, SurveykitError
from surveykit.safepath import safe_child
from surveykit.translit import ICAO, transliterate

from .model import Certificate, Holder, Issuer
from .pdf import CertificatePdf
from .records import issue_certificate, utc
from .serials import new_serial
from .signing import IssuerKey, load_key
from .templates import CertificateTemplate, load_template
from .verify import CertificateRegistry

__all__ = ["BatchProgress", "BatchSummary", "FailedItem", "IssuedItem", "issue_batch"]


@dataclass(frozen=True)
class BatchProgress:
    """Where a batch is: ``done`` of ``total`` steps, for a progress bar (``fraction``).

    There is a step per person to issue (phase ``"issue"``) and, with per-person files, a step per
    person's file (phase ``"files"``; the rows that failed already count as done, so ``done`` may jump).
    The last call has phase ``"done"`` and ``done == total``.
    """

    done: int
    total: int
    phase: str  # "issue", "files" or "done"
    holder: str | None = None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


@dataclass(frozen=True)
class IssuedItem:
    row: int  # 1-based position in the input
    certificate: Certificate
    page: int  # page of the combined PDF
    file: Path | None = None

    @property
    def serial(self) -> str:
        return self.certificate.serial

    @property
    def holder(self) -> str:
        return self.certificate.holder.name


@dataclass(frozen=True)
class FailedItem:
    row: int
    holder: str
    problem: Problem

    @property
    def reason(self) -> str:
        return f"{self.problem.message}. {self.problem.hint}"

    def __str__(self) -> str:
        return f"row {self.row} ({self.holder or 'no name'}): {self.problem.code.code} {self.reason}"


@dataclass
class BatchSummary:
    issued: list[IssuedItem] = field(default_factory=list)
    failed: list[FailedItem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # one PDF per person, in input order
    combined: Path | None = None  # all pages in one PDF, for printing
    records: Path | None = None  # the signed records, one JSON object per line
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def certificates(self) -> list[Certificate]:
        return [item.certificate for item in self.issued]

    def __str__(self) -> str:
        lines = [f"{len(self.issued)} certificate(s) issued, {len(self.failed)} failed, {self.seconds:.1f} s"]
        if self.combined:
            lines.append(f"  for printing: {self.combined}")
        if self.files:
            lines.append(f"  {len(self.files)} personal file(s) in {self.files[0].parent}")
        lines += [f"  FAILED {item}" for item in self.failed]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "issued": [
                {
                    "row": i.row,
                    "serial": i.serial,
                    "holder": i.holder,
                    "file": str(i.file) if i.file else None,
                }
                for i in self.issued
            ],
            "failed": [{"row": f.row, "holder": f.holder, **f.problem.to_dict()} for f in self.failed],
            "combined": str(self.combined) if self.combined else None,
            "records": str(self.records) if self.records else None,
            "seconds": self.seconds,
        }


# --- file names --------------------------------------------------------------------------------------------


def file_slug(name: str, limit: int = 40) -> str:
    """``Иванова Мария Петровна`` -> ``ivanova-mariia-petrovna`` (ICAO Doc 9303, surveykit.translit)."""
    text = transliterate(name, ICAO)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].rstrip("-") or "certificate"


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` completely or not at all (a partial file is removed)."""
    part = path.with_name(path.name + ".part")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _page_splitter(data: bytes) -> Callable[[int, Mapping[str, str]], bytes] | None:
    """A function cutting page ``n`` (1-based) out of ``data`` as its own PDF; ``None`` without pypdf."""
    try:
        from pypdf import PdfReader, PdfWriter
    except ImportError:
        return None
    reader = PdfReader(io.BytesIO(data))

    def page(number: int, metadata: Mapping[str, str]) -> bytes:
        writer = PdfWriter()
        writer.add_page(reader.pages[number - 1])
        writer.add_metadata(dict(metadata))
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    return page


def _pages_only(data: bytes, pages: list[int]) -> bytes:
    """``data`` with only ``pages`` (1-based) kept: the combined PDF after a late failure."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for number in pages:
        writer.add_page(reader.pages[number - 1])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- the batch ---------------------------------------------------------------------------------------------


def _failure(row: int, person: Any, err: SurveykitError) -> FailedItem:
    name = person.name if isinstance(person, Holder) else str((person or {}).get("name") or "").strip()
    problem = err.problem
    if problem.location.row is None:
        problem = Problem(problem.code, problem.location.with_(row=row), problem.severity, problem.params)
    return FailedItem(row, name, problem)


def issue_batch(
    people: Iterable[Holder | Mapping[str, Any]],
    template: CertificateTemplate | str | Path,
    key: IssuerKey | Path | str | None = None,
    out_dir: Path | str | None = None,
    progress: Callable[[BatchProgress], None] | None = None,
    *,
    language: str | None = None,
    now: datetime | date | None = None,
    per_person: bool = True,
    combined: str | None = "certificates.pdf",
    records: str | None = "records.jsonl",
    fields: Mapping[str, Any] | None = None,
    registry: CertificateRegistry | None = None,
    issuer: Issuer | None = None,
    verify_url: str | None = None,
) -> BatchSummary:
    """Sign and print certificates for ``people``; returns a :class:`BatchSummary`.

    ``people`` are :class:`Holder` objects or mappings (``name``, ``roles``, ``hours``, ``scores``,
    ``person_id``, any template field). ``key`` is the issuer key or its path (default: the configured
    key). In ``out_dir`` (default ``<data_dir>/certificates``) the batch writes ``combined`` (all pages,
    for printing; ``None``: not written), one file per person ``<serial>_<name>.pdf`` when ``per_person``,
    and the signed records as JSON lines in ``records``. ``fields`` fill template placeholders shared by
    everyone (``{"region": ...}``). ``registry``, when given, is asked so that no serial is issued twice.
    ``progress`` is called after every step with a :class:`BatchProgress`.
    """
    started = time.perf_counter()
    template = load_template(template)
    key = key if isinstance(key, IssuerKey) else load_key(key)
    if out_dir is None:
        from surveykit.config import settings

        out_dir = Path(settings().data_dir) / "certificates"
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CertificateError(
            ErrorCode.EXPORT_WRITE_FAILED, Location(file=str(out)), path=str(out), detail=err.strerror
        ) from err
    people = list(people)
    moment = utc(now)
    total = len(people) * (2 if per_person else 1)
    summary = BatchSummary()
    doc = CertificatePdf(template, language)
    doc.set_creation_date(moment)
    used: set[str] = set()

    def report(done: int, phase: str, holder: str | None) -> None:
        if progress is not None:
            progress(BatchProgress(done, total, phase, holder))

    def fresh_serial() -> str:
        while True:
            serial = new_serial(moment.year)
            if serial not in used and (registry is None or registry.get_record(serial) is None):
                used.add(serial)
                return serial

    for row, person in enumerate(people, start=1):
        try:
            certificate = issue_certificate(
                person,
                template,
                key,
                language=doc.language,
                now=moment,
                serial=fresh_serial(),
                issuer=issuer,
                verify_url=verify_url,
                fields=fields,
                row=row,
            )
            page = doc.add(certificate, row)  # checks everything before it draws
        except SurveykitError as err:
            failure = _failure(row, person, err)
            summary.failed.append(failure)
            report(row, "issue", failure.holder)
        else:
            summary.issued.append(IssuedItem(row, certificate, page))
            report(row, "issue", certificate.holder.name)

    if summary.issued:
        data = doc.output()
        if per_person:
            _write_personal_files(summary, data, doc, template, out, report, len(people), language)
        kept = [item.page for item in summary.issued]
        if combined:
            path = out / combined
            _write_atomic(path, data if len(kept) == doc.pages else _pages_only(data, kept))
            summary.combined = path
        if records:
            path = out / records
            lines = (json.dumps(item.certificate.record, ensure_ascii=False) for item in summary.issued)
            _write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
            summary.records = path
    summary.seconds = time.perf_counter() - started
    report(total, "done", None)
    return summary


def _write_personal_files(
    summary: BatchSummary,
    data: bytes,
    doc: CertificatePdf,
    template: CertificateTemplate,
    out: Path,
    report: Callable[[int, str, str | None], None],
    count: int,
    language: str | None,
) -> None:
    split = _page_splitter(data)
    kept: list[IssuedItem] = []
    for item in summary.issued:
        cert = item.certificate
        path = safe_child(out, f"{cert.serial}_{file_slug(cert.holder.name)}.pdf")
        try:
            if split is not None:
                metadata = {
                    "/Title": f"{doc.title} {cert.serial}",
                    "/Author": cert.issuer.name_in(doc.languages[0]),
                    "/Creator": "surveykit",
                }
                content = split(item.page, metadata)
            else:
                single = CertificatePdf(template, language, title=f"{doc.title} {cert.serial}")
                single.set_creation_date(cert.valid_from)
                single.add(cert, item.row)
                content = single.output()
            _write_atomic(path, content)
        except OSError as err:
            summary.failed.append(
                FailedItem(
                    item.row,
                    cert.holder.name,
                    Problem.of(
                        ErrorCode.EXPORT_WRITE_FAILED,
                        Location(file=str(path), row=item.row),
                        path=str(path),
                        detail=err.strerror or str(err),
                    ),
                )
            )
        else:
            kept.append(IssuedItem(item.row, cert, item.page, path))
            summary.files.append(path)
        report(count + item.row, "files", cert.holder.name)
    summary.issued[:] = kept
    summary.failed.sort(key=lambda f: f.row)
