"""Training workflows over the response store: the one facade the exam, practice and trainer apps and the
``surveykit training`` / ``surveykit certificates`` commands use.

The rules stay where they are: grading, the exam draw and re-sits, mock and calibration scoring and the
eligibility rules in :mod:`surveykit.training` (read from ``rules.yaml``), signing and verification in
:mod:`surveykit.certificates`, storage and the interview gate in :mod:`surveykit.store`. This module only
joins them::

    service = TrainingService(store)                 # the course from questionnaires/training
    attempt = service.start_exam("p017")             # a stratified draw, stored at once
    service.save_answer(attempt.attempt_id, "m4-01", "b")
    outcome = service.submit_exam(attempt.attempt_id)
    outcome.passed, outcome.eligibility.roles, outcome.certificate   # issued when every rule is met

Every time is taken from ``clock`` (aware UTC; tests inject it). Stored exam attempts are the plain dicts of
:meth:`ExamAttempt.to_dict`, so a reload restores an attempt exactly, its deadline included.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from surveykit.errors import (
    CertificateError,
    ErrorCode,
    Location,
    NotFoundError,
    TrainingError,
    Translated,
)
from surveykit.i18n import pick
from surveykit.training.calibration import CalibrationResult, score_calibration
from surveykit.training.course import Course, LocalText, load_course
from surveykit.training.eligibility import Eligibility, PersonRecord, check_eligibility
from surveykit.training.exam import AttemptState, ExamAttempt, check_can_start, next_attempt_at, start_attempt
from surveykit.training.grading import AttemptResult, knowledge_shortfalls
from surveykit.training.itemstats import item_statistics, response_matrix
from surveykit.training.mock import MockResult, score_mock
from surveykit.training.personas import Persona, load_personas
from surveykit.training.practice import PracticeReport, score_recording

__all__ = [
    "CERTIFICATE_TEMPLATE",
    "PRACTICE_INSTITUTION",
    "PRACTICE_QUESTIONNAIRE",
    "CohortIssue",
    "ExamOutcome",
    "ExamStatus",
    "IssuedCertificate",
    "TrainingService",
    "current_course",
]

#: the template of the interviewer certificate (questionnaires/training/certificates/interviewer.yaml)
CERTIFICATE_TEMPLATE = "interviewer"
#: the questionnaire practice interviews use, and the institution they are filed under (practice only)
PRACTICE_QUESTIONNAIRE = "recipient_survey"
PRACTICE_INSTITUTION = "practice"
PRACTICE_NAME = "Учебная организация (практика) / Practice institution"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_COURSES: dict[tuple[str, float], Course] = {}


def current_course(root: Path | None = None) -> Course:
    """The course in ``root`` (default: ``<questionnaires>/training``), loaded once per process and loaded
    again when a file of it changes (every app page would otherwise spend a second reading it)."""
    if root is None:
        from surveykit.config import settings

        root = Path(settings().questionnaires_dir) / "training"
    root = Path(root)
    # the course's files, its lesson texts, and the questionnaires beside it that the lessons quote
    files = [p for p in root.rglob("*") if p.suffix in (".yaml", ".md")] if root.is_dir() else []
    files += list(root.parent.glob("*.yaml")) if root.is_dir() else []
    stamp = max((p.stat().st_mtime for p in files), default=0.0)
    key = (str(root.resolve()), stamp, len(files))
    course = _COURSES.get(key)
    if course is None:
        course = load_course(root)
        _COURSES.clear()
        _COURSES[key] = course
    return course


@dataclass(frozen=True)
class ExamStatus:
    """Where a trainee stands with the exam: attempts, the open one, results, and whether a new one may start."""

    attempts: tuple[ExamAttempt, ...]
    open_attempt: ExamAttempt | None
    results: tuple[tuple[ExamAttempt, AttemptResult], ...]
    passed: bool
    next_at: dt.datetime | None  # None: no attempts left
    can_start: bool
    attempts_left: int

    @property
    def last_result(self) -> tuple[ExamAttempt, AttemptResult] | None:
        return self.results[-1] if self.results else None


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate issued to a trainee and stored: its serial, the signed certificate and the PDF."""

    serial: str
    person_id: str
    roles: tuple[str, ...]
    certificate: Any  # surveykit.certificates.Certificate
    pdf: bytes
    path: Path | None = None
    #: the person's earlier certificates this one replaced (revoked: one valid certificate per role)
    replaced: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExamOutcome:
    """A closed attempt: its result, the verdict, why it failed, the eligibility now, a certificate if issued."""

    attempt: ExamAttempt
    result: AttemptResult
    passed: bool
    reasons: tuple[LocalText, ...]
    eligibility: Eligibility
    certificate: IssuedCertificate | None = None
    next_at: dt.datetime | None = None
    #: why no certificate is issued although the rules are met (a suspended or revoked certificate)
    blocked: LocalText | None = None


@dataclass
class CohortIssue:
    """What a batch issuance did: the batch summary, who was skipped and why, what could not be stored."""

    summary: Any  # surveykit.certificates.BatchSummary
    skipped: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (person_id, name, reasons en)
    skipped_ru: list[list[str]] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)
    not_registered: list[tuple[str, str]] = field(default_factory=list)  # (serial, message)
    #: (new serial, the serials it replaced): one valid certificate per person and role
    replaced: list[tuple[str, list[str]]] = field(default_factory=list)

    def lines(self, language: str = "en", *, paths: bool = False) -> list[str]:
        """A summary for people, one line each (the apps and the CLI print it). The file for printing is
        named by its file name; ``paths`` (the command line, run on the server) gives its full path."""
        ru = language == "ru"
        out = [
            (
                f"Выдано сертификатов: {len(self.registered)}, не выдано: {len(self.summary.failed)}, "
                f"пропущено: {len(self.skipped)}"
                if ru
                else f"{len(self.registered)} certificate(s) issued, {len(self.summary.failed)} failed, "
                f"{len(self.skipped)} skipped"
            )
        ]
        for (_pid, name, reasons), reasons_ru in zip(self.skipped, self.skipped_ru, strict=True):
            out.append(
                f"  {'пропущен(а)' if ru else 'skipped'}: {name} — {'; '.join(reasons_ru if ru else reasons)}"
            )
        for item in self.summary.failed:
            out.append(f"  {'ошибка' if ru else 'FAILED'}: {item}")
        for serial, message in self.not_registered:
            out.append(f"  {'не сохранён в базе' if ru else 'not stored'}: {serial} — {message}")
        for serial, old in self.replaced:
            out.append(
                f"  {serial} {'заменяет' if ru else 'replaces'} {', '.join(old)} "
                f"({'прежний отозван' if ru else 'the earlier one is revoked'})"
            )
        if self.summary.combined and self.registered:
            where = self.summary.combined if paths else self.summary.combined.name
            out.append(f"  {'для печати' if ru else 'for printing'}: {where}")
        return out


def missing_text(eligibility: Eligibility, language: str) -> str:
    """What a person still lacks, one sentence per group of roles it blocks, each group named once
    ("For the roles: Interviewer — attendance: …; no mock interview recorded")."""
    from surveykit.i18n import t

    return " ".join(
        f"{t('exam.for_roles', language, roles=roles)} — {'; '.join(lines)}."
        if roles
        else f"{'; '.join(lines)}."
        for roles, lines in eligibility.grouped(language)
    )


class TrainingService:
    """Training workflows over a :class:`~surveykit.store.Store` (see the module docstring)."""

    def __init__(
        self,
        store: Any,
        *,
        course: Course | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        key: Any = None,
    ) -> None:
        self.store = store
        self.course = course if course is not None else current_course()
        self.clock = clock or _utcnow
        self._key = key
        self._personas: dict[str, Persona] | None = None

    # --- helpers ---------------------------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment

    @property
    def registry(self) -> Any:
        from surveykit.certificates.registry_store import StoreRegistry

        return StoreRegistry(self.store)

    @property
    def key(self) -> Any:
        """The issuer's signing key (loaded on first use from the ``signing_key`` setting)."""
        if self._key is None:
            from surveykit.certificates import load_key

            self._key = load_key()
        return self._key

    # --- people --------------------------------------------------------------------------------------------------
    def sign_in(self, login: str, code: str, *, roles: Sequence[str] = ()) -> Any:
        """The person with this login and access code holding one of ``roles`` (the store's sign-in rule:
        SK506 for a wrong code, SK512 for a missing role)."""
        return self.store.sign_in(login, code, roles)

    def trainees(self, cohort_id: str | None = None) -> list[Any]:
        """The members of a cohort (every person with the role trainee when no cohort is given)."""
        if cohort_id:
            members = set(self.store.training.cohort_members(cohort_id))
            return [p for p in self.store.people() if p.id in members]
        return self.store.people("trainee")

    def cohorts(self) -> list[tuple[str, str]]:
        frame = self.store.training.cohorts()
        return [(str(r.id), str(r.name)) for r in frame.itertuples()] if len(frame) else []

    # --- the training record ---------------------------------------------------------------------------------
    def attendance_hours(self, person_id: str) -> dict[str, float]:
        frame = self.store.training.attendance(person_id)
        if not len(frame):
            return {}
        sums = frame.groupby("module_id")["hours"].sum()
        return {str(k): float(v) for k, v in sums.items()}

    def record_attendance(
        self,
        person_id: str,
        module_id: str,
        hours: float,
        date: dt.date | None = None,
        *,
        by: str | None = None,
    ) -> int:
        """Record hours attended (the module must exist; hours above 0)."""
        self.course.module(module_id)
        self.store.person(person_id)
        if by:
            self.store.person(by)
        if not hours or float(hours) <= 0:
            raise TrainingError(
                ErrorCode.FIELD_INVALID,
                Location(field="hours"),
                field="hours",
                detail=f"{hours!r} hours",
                fix="Record the hours attended as a number above 0, e.g. 1.5.",
            )
        return self.store.training.record_attendance(
            person_id, module_id, float(hours), date or self.now().date(), recorded_by=by
        )

    def attempts(self, person_id: str) -> list[ExamAttempt]:
        """The person's exam attempts, oldest first, exactly as stored."""
        frame = self.store.training.exam_attempts(person_id)
        if not len(frame):
            return []
        frame = frame.sort_values("attempt")
        return [ExamAttempt.from_dict(state) for state in frame["state"]]

    def _graded(self, attempts: Iterable[ExamAttempt]) -> list[tuple[ExamAttempt, AttemptResult]]:
        return [(a, a.grade(self.course)) for a in attempts if a.state is not AttemptState.OPEN]

    def mock_result(self, person_id: str) -> MockResult | None:
        """The latest mock interview, re-scored with the current rules."""
        frame = self.store.training.mock_interviews(person_id)
        if not len(frame):
            return None
        latest = frame.sort_values(["at", "id"]).iloc[-1]
        return score_mock(dict(latest["item_scores"]), self.course.checklist, self.course.rules)

    def calibration_results(self, person_id: str) -> list[CalibrationResult]:
        """Stored calibration results (agreement and kappa re-judged with the current rules)."""
        from surveykit.training.calibration import calibration_shortfalls

        frame = self.store.training.calibration_results(person_id)
        results = []
        for row in frame.itertuples():
            try:
                case = self.course.case(str(row.case_id))
            except TrainingError:
                continue  # a case removed from the course no longer counts
            kappa = None if row.kappa is None or pd.isna(row.kappa) else float(row.kappa)
            n = len(case.key)
            draft = CalibrationResult(
                case_id=case.id, kind=case.kind, n_items=n, n_agree=round(float(row.agreement) * n),
                agreement=float(row.agreement), kappa=kappa, disagreements=(), passed=False,
            )  # fmt: skip
            passed = not calibration_shortfalls(draft, self.course.rules)
            results.append(draft.model_copy(update={"passed": passed}))
        return results

    def person_record(self, person_id: str) -> PersonRecord:
        """Everything the eligibility rules need, read from the store."""
        attempts = self.attempts(person_id)
        now = self.now()
        for attempt in attempts:
            if attempt.expire_if_due(now):
                self._save_attempt(attempt)
        return PersonRecord(
            person_id=person_id,
            attendance_hours=self.attendance_hours(person_id),
            knowledge_results=tuple(r for _, r in self._graded(attempts)),
            mock_result=self.mock_result(person_id),
            calibration_results=tuple(self.calibration_results(person_id)),
        )

    def eligibility(self, person_id: str) -> Eligibility:
        return check_eligibility(self.person_record(person_id), self.course)

    # --- the exam ---------------------------------------------------------------------------------------------------
    def _save_attempt(self, attempt: ExamAttempt) -> None:
        score = passed = None
        if attempt.state is not AttemptState.OPEN:
            result = attempt.grade(self.course)
            score = result.score
            passed = not knowledge_shortfalls(result, self.course.rules)
        self.store.training.save_exam_attempt(
            attempt.attempt_id,
            attempt.person_id,
            attempt.number,
            attempt.to_dict(),
            started_at=attempt.started_at,
            deadline=attempt.deadline,
            submitted_at=attempt.closed_at,
            score=score,
            passed=passed,
            by=attempt.person_id,
        )

    def exam_status(self, person_id: str) -> ExamStatus:
        """The attempts, the open one (an attempt whose time ran out is closed and stored here), results."""
        now = self.now()
        attempts = self.attempts(person_id)
        for attempt in attempts:
            if attempt.expire_if_due(now):
                self._save_attempt(attempt)
        graded = self._graded(attempts)
        rules = self.course.rules
        passed = any(not knowledge_shortfalls(r, rules) for _, r in graded)
        open_attempt = next((a for a in attempts if a.state is AttemptState.OPEN), None)
        next_at = next_attempt_at(attempts, rules)
        can_start = open_attempt is None and not passed and next_at is not None and now >= next_at
        return ExamStatus(
            attempts=tuple(attempts),
            open_attempt=open_attempt,
            results=tuple(graded),
            passed=passed,
            next_at=next_at,
            can_start=can_start,
            attempts_left=max(0, rules.exam.max_attempts - len(attempts)),
        )

    def exam_role(self, person_id: str) -> str | None:
        """The role whose exam the person sits by default: that of their latest attempt (a re-sit keeps the
        role), else ``exam.default_role``; ``None`` with the one common plan."""
        exam = self.course.rules.exam
        for attempt in reversed(self.attempts(person_id)):
            if attempt.role is not None and attempt.role in exam.blueprints:
                return attempt.role
        return exam.role_of(None)

    def start_exam(
        self, person_id: str, *, seed: str | int | None = None, role: str | None = None
    ) -> ExamAttempt:
        """Start an attempt (re-sit rules checked; a re-sit draws items not seen before) and store it.

        ``role``: the role the trainee trains for (its blueprint is drawn); default :meth:`exam_role`."""
        previous = self.attempts(person_id)
        now = self.now()
        if any(not knowledge_shortfalls(r, self.course.rules) for _, r in self._graded(previous)):
            raise TrainingError(
                ErrorCode.EXAM_CLOSED,
                attempt=previous[-1].attempt_id,
                state=Translated(en="passed already", ru="уже сдан"),
                fix=Translated(en="No re-sit is needed.", ru="Пересдача не нужна."),
            )
        check_can_start(previous, self.course.rules, now)
        chosen = self.course.rules.exam.role_of(role) if role is not None else self.exam_role(person_id)
        attempt = start_attempt(self.course, person_id, previous, now, seed=seed, role=chosen)
        self._save_attempt(attempt)
        return attempt

    def attempt(self, attempt_id: str) -> ExamAttempt:
        frame = self.store.training.exam_attempts()
        match = frame[frame["id"] == attempt_id] if len(frame) else frame
        if not len(match):
            raise NotFoundError(ErrorCode.NOT_FOUND, entity="exam attempt", key=attempt_id, suggestion="")
        return ExamAttempt.from_dict(match["state"].iloc[0])

    def save_answer(self, attempt_id: str, item_id: str, value: Any) -> ExamAttempt:
        """Store one answer at once (the latest answer to an item counts). After the deadline the attempt
        closes (stored as expired) and SK803 says so; answers given before it count."""
        attempt = self.attempt(attempt_id)
        try:
            attempt.answer(item_id, value, self.now())
        except TrainingError:
            if attempt.state is AttemptState.EXPIRED:
                self._save_attempt(attempt)
            raise
        self._save_attempt(attempt)
        return attempt

    def submit_exam(self, attempt_id: str, *, language: str = "ru") -> ExamOutcome:
        """Hand in (or close an attempt whose time is up), grade, store, and certify when every rule is met."""
        attempt = self.attempt(attempt_id)
        if attempt.state is AttemptState.OPEN:
            attempt.submit(self.now())
            self._save_attempt(attempt)
        return self.outcome(attempt, language=language)

    def outcome(self, attempt: ExamAttempt, *, language: str = "ru") -> ExamOutcome:
        """The verdict of a closed attempt, the eligibility now, and the certificate (issued if due)."""
        result = attempt.grade(self.course)
        reasons = tuple(knowledge_shortfalls(result, self.course.rules))
        issued, eligibility = self.certify_if_eligible(attempt.person_id)
        status = self.exam_status(attempt.person_id)
        return ExamOutcome(
            attempt=attempt,
            result=result,
            passed=not reasons,
            reasons=reasons,
            eligibility=eligibility,
            certificate=issued,
            next_at=None if status.passed else status.next_at,
            blocked=None if issued is not None else self.blocked(attempt.person_id),
        )

    # --- certificates -----------------------------------------------------------------------------------------------
    def valid_certificates(self, person_id: str) -> list[Any]:
        """The person's certificates valid now, among those the issuer signed as stored (an edited row does
        not count: surveykit.store.training.authentic, the interview gate's rule)."""
        from surveykit.store.training import authentic

        now = self.now()
        return [c for c in authentic(self.store.training.certificates(person_id))[0] if c.valid_at(now)]

    def _holder(self, person_id: str, eligibility: Eligibility) -> Any:
        from surveykit.certificates import Holder

        person = self.store.person(person_id)
        scores: dict[str, float] = {}
        if eligibility.best_knowledge is not None:
            scores["knowledge_test"] = round(eligibility.best_knowledge.score * 100, 1)
        mock = self.mock_result(person_id)
        if mock is not None:
            scores["mock_interview"] = mock.total
        return Holder(
            name=person.display_name,
            roles=eligibility.roles,
            hours=self.course.total_hours,
            scores=scores,
            person_id=person_id,
        )

    def blocked(self, person_id: str) -> LocalText | None:
        """Why no certificate may be issued automatically although the rules are met: the person's latest
        certificate is suspended or revoked (a confirmed falsification, methodology C.3 item 7). A trainer
        decides: reinstate the certificate, or recertify (not automatic). ``None``: nothing blocks."""
        records = self.store.training.certificates(person_id)
        if not records or records[-1].status == "valid":
            return None
        latest = records[-1]
        why = f": {latest.status_reason}" if latest.status_reason else ""
        status = {"suspended": ("suspended", "приостановлен"), "revoked": ("revoked", "отозван")}.get(
            latest.status, (latest.status, latest.status)
        )
        return {
            "en": f"certificate {latest.serial} is {status[0]}{why}; a trainer must reinstate it or decide on "
            "recertification (re-test and mock interview)",
            "ru": f"сертификат {latest.serial} {status[1]}{why}; преподаватель должен восстановить его или "
            "решить вопрос о повторной сертификации (тест и пробное интервью заново)",
        }

    def certify(self, person_id: str, *, by: str | None = None) -> IssuedCertificate:
        """Issue, sign and store the certificate for every role the person now meets; SK806 otherwise,
        naming every unmet rule (or the suspended / revoked certificate that blocks it)."""
        eligibility = self.eligibility(person_id)
        blocked = self.blocked(person_id)
        if not eligibility.eligible or blocked:
            name = self.store.person(person_id).display_name
            texts = {
                lang: eligibility.reasons_in(lang) + ([blocked[lang]] if blocked else [])
                for lang in ("en", "ru")
            }
            raise CertificateError(
                ErrorCode.CERT_NOT_ELIGIBLE,
                Location(field="person_id"),
                person=name,
                reasons=Translated(en="; ".join(texts["en"]), ru="; ".join(texts["ru"])),
                fix=Translated(
                    en="Complete the missing requirements, then try again.",
                    ru="Выполните недостающие требования и повторите.",
                ),
            )
        return self._issue(person_id, eligibility, by=by)

    def certify_if_eligible(self, person_id: str) -> tuple[IssuedCertificate | None, Eligibility]:
        """Issue a certificate when the person meets every rule of a role and holds no valid certificate for
        those roles yet; returns the issued (or already held) certificate and the eligibility."""
        eligibility = self.eligibility(person_id)
        held = self.valid_certificates(person_id)
        covering = [c for c in held if set(eligibility.roles) <= set(c.roles)]
        if covering:
            latest = covering[-1]
            return self._stored(latest), eligibility
        if not eligibility.eligible or self.blocked(person_id):
            return None, eligibility
        return self._issue(person_id, eligibility, by=person_id), eligibility

    def _issue(self, person_id: str, eligibility: Eligibility, *, by: str | None) -> IssuedCertificate:
        from surveykit.certificates import CertificatePdf, issue_certificate, load_template, new_serial

        template = load_template(CERTIFICATE_TEMPLATE)
        holder = self._holder(person_id, eligibility)
        now = self.now()
        registry = self.registry
        serial = new_serial(now.year)
        while registry.get_record(serial) is not None:  # pragma: no cover - 35 random bits
            serial = new_serial(now.year)
        certificate = issue_certificate(holder, template, self.key, now=now, serial=serial)
        registry.register(certificate, person_id=person_id, by=by)
        replaced = tuple(registry.replaced(serial))
        doc = CertificatePdf(template)
        doc.set_creation_date(certificate.valid_from)
        doc.add(certificate)
        pdf = doc.output()
        path = self._write_pdf(serial, pdf)
        return IssuedCertificate(
            serial, person_id, tuple(eligibility.roles), certificate, pdf, path, replaced
        )

    @staticmethod
    def _pdf_path(serial: str) -> Path:
        from surveykit.config import settings
        from surveykit.safepath import safe_child

        return safe_child(Path(settings().data_dir) / "certificates" / "issued", f"{serial}.pdf")

    def _write_pdf(self, serial: str, pdf: bytes) -> Path | None:
        path = self._pdf_path(serial)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")
            part.write_bytes(pdf)
            part.replace(path)
        except OSError:
            return None  # the PDF can be drawn again from the stored record
        return path

    def _stored(self, record: Any) -> IssuedCertificate:
        return IssuedCertificate(
            serial=record.serial,
            person_id=record.person_id,
            roles=tuple(record.roles),
            certificate=None,
            pdf=self.certificate_pdf(record.serial),
            path=self._pdf_path(record.serial),
        )

    def certificate_pdf(self, serial: str) -> bytes:
        """The PDF of a stored certificate: the file written at issue, or drawn again from the signed record
        (signatures are deterministic: the same record, QR code and page come back)."""
        path = self._pdf_path(serial)
        if path.is_file():
            return path.read_bytes()
        from surveykit.certificates import CertificatePdf, Holder, Issuer, issue_certificate, load_template

        stored = self.store.training.certificate(serial)
        record = stored.record
        subject = record.get("credentialSubject") or {}
        template = load_template(str((record.get("surveykit") or {}).get("template") or CERTIFICATE_TEMPLATE))
        person = str(subject.get("id", "")).rsplit(":", 1)[-1] or None
        holder = Holder(
            name=str(subject.get("name", "")),
            roles=tuple(str(r.get("id")) for r in subject.get("roles") or []),
            hours=subject.get("hours"),
            scores=subject.get("scores"),
            person_id=person,
            fields=subject.get("fields") or {},
        )
        status_id = str((record.get("credentialStatus") or {}).get("id", ""))
        verify_url = re.sub(r"[?&]serial=[^&]*$", "", status_id)
        issuer = Issuer.from_record(record["issuer"])
        again = issue_certificate(
            holder,
            template,
            self.key,
            now=stored.issued_at,
            serial=serial,
            issuer=issuer,
            verify_url=verify_url,
        )
        if dict(again.record) != dict(record):
            raise CertificateError(
                ErrorCode.CERT_FORGED,
                Location(field="serial"),
                detail=f"the stored record of {serial} cannot be reproduced with the current key",
            )
        doc = CertificatePdf(template)
        doc.set_creation_date(again.valid_from)
        doc.add(again)
        pdf = doc.output()
        self._write_pdf(serial, pdf)
        return pdf

    def issue_cohort(
        self,
        person_ids: Sequence[str],
        *,
        progress: Callable[[Any], None] | None = None,
        out_dir: Path | str | None = None,
        by: str | None = None,
        language: str | None = None,
    ) -> CohortIssue:
        """Certificates for everyone in ``person_ids`` who meets the rules and holds none yet: one batch
        (:func:`~surveykit.certificates.issue_batch`, progress per step), stored in the store; everyone
        else is listed with the reasons. Keeps going past a failure and ends with a summary."""
        from surveykit.certificates import issue_batch

        holders = []
        skipped: list[tuple[str, str, list[str]]] = []
        skipped_ru: list[list[str]] = []
        for person_id in person_ids:
            person = self.store.person(person_id)
            eligibility = self.eligibility(person_id)
            held = [c for c in self.valid_certificates(person_id) if set(eligibility.roles) <= set(c.roles)]
            blocked = self.blocked(person_id)
            if held:
                skipped.append((person_id, person.display_name, [f"already holds {held[-1].serial}"]))
                skipped_ru.append([f"уже есть сертификат {held[-1].serial}"])
            elif blocked:
                skipped.append((person_id, person.display_name, [blocked["en"]]))
                skipped_ru.append([blocked["ru"]])
            elif not eligibility.eligible:
                skipped.append((person_id, person.display_name, eligibility.reasons_in("en")))
                skipped_ru.append(eligibility.reasons_in("ru"))
            else:
                holders.append(self._holder(person_id, eligibility))
        if out_dir is None:
            from surveykit.config import settings

            out_dir = Path(settings().data_dir) / "certificates" / f"batch-{self.now():%Y%m%d-%H%M%S}"
        summary = issue_batch(
            holders,
            CERTIFICATE_TEMPLATE,
            self.key,
            out_dir,
            progress,
            now=self.now(),
            registry=self.registry,
            language=language,
        )
        result = CohortIssue(summary=summary, skipped=skipped, skipped_ru=skipped_ru)
        registry = self.registry
        for item in summary.issued:
            try:
                registry.register(item.certificate, by=by)
            except Exception as err:  # keep going: one row that cannot be stored never stops the batch
                message = getattr(err, "problem", None)
                result.not_registered.append((item.serial, str(message or err)))
            else:
                result.registered.append(item.serial)
                replaced = registry.replaced(item.serial)
                if replaced:
                    result.replaced.append((item.serial, replaced))
                if item.file is not None:
                    self._write_pdf(item.serial, item.file.read_bytes())
        return result

    def set_certificate_status(self, serial: str, action: str, *, reason: str, by: str | None) -> Any:
        """``action`` is ``revoke``, ``suspend`` or ``reinstate``; the reason is required and audited."""
        registry = self.registry
        actions = {"revoke": registry.revoke, "suspend": registry.suspend, "reinstate": registry.reinstate}
        if action not in actions:
            raise TrainingError(
                ErrorCode.FIELD_INVALID,
                Location(field="action"),
                field="action",
                detail=f"'{action}'",
                fix=f"Use one of: {', '.join(actions)}.",
            )
        actions[action](serial, reason=reason, by=by)
        return self.store.training.certificate(serial)

    def suspend_for_falsification(self, person_id: str, *, reason: str, by: str | None) -> list[str]:
        """Suspend every valid certificate of the person (methodology C.3 item 7, D.3: a confirmed
        falsification); the interview gate then refuses their real interviews. Returns the serials."""
        serials = [c.serial for c in self.valid_certificates(person_id)]
        for serial in serials:
            self.registry.suspend(serial, reason=reason, by=by)
        return serials

    # --- mock interviews and calibration -------------------------------------------------------------------------------
    def record_mock(self, person_id: str, scores: Mapping[str, int], *, trainer_id: str | None) -> MockResult:
        """Score the 12-item checklist (rules.yaml ``mock_interview``) and store it."""
        self.store.person(person_id)
        if trainer_id:
            self.store.person(trainer_id)
        result = score_mock(dict(scores), self.course.checklist, self.course.rules)
        self.store.training.record_mock_interview(
            person_id, result.scores, result.total, result.passed, trainer_id=trainer_id, at=self.now()
        )
        return result

    def record_calibration(
        self, person_id: str, case_id: str, answers: Mapping[str, str | None]
    ) -> CalibrationResult:
        """Compare a trainee's audit of a calibration case with the expert key, store and return it."""
        case = self.course.case(case_id)
        result = score_calibration(case, dict(answers), self.course.rules, self.course.audit_items)
        self.store.training.record_calibration(
            person_id,
            case.id,
            result.agreement,
            result.passed,
            kappa=result.kappa,
            at=self.now(),
            by=person_id,
        )
        return result

    # --- practice interviews -------------------------------------------------------------------------------------------
    def personas(self) -> dict[str, Persona]:
        if self._personas is None:
            self._personas = load_personas()
        return self._personas

    def practice_questionnaire(self) -> Any:
        """The recipient survey as published in the store (published from questionnaires/ when missing),
        and the practice institution (created when missing): practice needs both."""
        try:
            questionnaire = self.store.questionnaire(PRACTICE_QUESTIONNAIRE)
        except NotFoundError:
            from surveykit.config import settings
            from surveykit.questionnaire.io import load_questionnaire

            path = Path(settings().questionnaires_dir) / f"{PRACTICE_QUESTIONNAIRE}.yaml"
            questionnaire = load_questionnaire(path)
            self.store.publish(questionnaire)
        try:
            self.store.institution(PRACTICE_INSTITUTION)
        except NotFoundError:
            self.store.add_institution(PRACTICE_INSTITUTION, PRACTICE_NAME, type="practice")
        return questionnaire

    def start_practice(
        self, person_id: str, *, proxy: bool, mode: str = "face_to_face", language: str | None = None
    ) -> Any:
        """Start a practice interview (always ``practice=True``: never counted, never mixed with real data)."""
        self.practice_questionnaire()
        return self.store.start_interview(
            PRACTICE_QUESTIONNAIRE,
            institution_id=PRACTICE_INSTITUTION,
            interviewer_id=person_id,
            mode=mode,
            language=language,
            practice=True,
            proxy=bool(proxy),
            started_at=self.now(),
            by=person_id,
        )

    def score_practice(
        self,
        interview_id: str,
        persona_id: str,
        *,
        probes: Mapping[str, Sequence[str]] | None = None,
        contact: Any = None,
    ) -> PracticeReport:
        """Score a stored practice interview (submitted, or a draft when the contact ended early) against the
        persona's script: answers, the proxy flag and the mode of the cover sheet, the probe log and the
        contact log (:class:`surveykit.training.practice.ContactLog`) when given."""
        loaded = self.store.load_interview(interview_id)
        meta = loaded.meta
        if not meta.practice:
            raise TrainingError(
                ErrorCode.FIELD_INVALID,
                Location(field="interview_id"),
                field="interview_id",
                detail=f"interview {interview_id} is not a practice interview",
                fix="Only practice interviews are scored against a persona.",
            )
        questionnaire = self.store.questionnaire(meta.questionnaire_id, meta.questionnaire_version)
        persona = self.personas()[persona_id]
        return score_recording(
            persona,
            questionnaire,
            loaded.answers,
            proxy_flag=meta.proxy,
            probes=probes,
            contact=contact,
            mode=str(getattr(meta.mode, "value", meta.mode)),
        )

    def persona_cards(self, language: str = "en") -> list[dict[str, Any]]:
        """The behaviour cards of the practice personas, for trainers: name, what the trainee is told, the
        story, what the persona tests, the expected outcome and the mode (never shown to trainees)."""
        from surveykit.training.practice import _MODE_LABELS, outcome_label

        cards = []
        for persona in self.personas().values():
            cards.append(
                {
                    "id": persona.id,
                    "name": persona.title(language),
                    "brief": persona.brief_in(language),
                    "story": pick(persona.description, language, "en"),
                    "behaviours": [pick(b, language, "en") for b in persona.behaviours],
                    "outcome": outcome_label(persona.contact.outcome, language),
                    "mode": pick(_MODE_LABELS[persona.mode], language, "en"),
                    "proxy": persona.proxy,
                }
            )
        return cards

    # --- the trainer's views ----------------------------------------------------------------------------------------------
    def progress_frame(self, cohort_id: str | None = None, *, language: str = "en") -> pd.DataFrame:
        """One row per trainee: attendance, exam, mock, calibration, eligible roles, certificate."""
        rows = []
        now = self.now()
        for person in self.trainees(cohort_id):
            record = self.person_record(person.id)
            eligibility = check_eligibility(record, self.course)
            best = eligibility.best_knowledge
            certs = self.store.training.certificates(person.id)
            latest = certs[-1] if certs else None
            kinds = {r.kind for r in record.calibration_results if r.passed}
            rows.append(
                {
                    "person_id": person.id,
                    "name": person.display_name,
                    "hours": round(sum(record.attendance_hours.values()), 2),
                    "attendance": round(max(eligibility.attendance.values(), default=0.0), 3),
                    "attempts": len(self.attempts(person.id)),
                    "exam_score": None if best is None else round(best.score, 3),
                    "exam_passed": None
                    if best is None
                    else not knowledge_shortfalls(best, self.course.rules),
                    "mock_total": None if record.mock_result is None else record.mock_result.total,
                    "mock_passed": None if record.mock_result is None else record.mock_result.passed,
                    "calibration": ", ".join(sorted(kinds)),
                    "eligible_roles": ", ".join(
                        pick(self.course.rules.roles[r].name, language, "en") for r in eligibility.roles
                    ),
                    "missing": missing_text(eligibility, language),
                    "certificate": latest.serial if latest else None,
                    "certificate_status": (
                        None
                        if latest is None
                        else (
                            "expired"
                            if latest.status == "valid" and not latest.valid_at(now)
                            else latest.status
                        )
                    ),
                }
            )
        columns = [
            "person_id", "name", "hours", "attendance", "attempts", "exam_score", "exam_passed", "mock_total",
            "mock_passed", "calibration", "eligible_roles", "missing", "certificate", "certificate_status",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def module_frame(self, cohort_id: str | None = None) -> pd.DataFrame:
        """Trainee × module: hours attended of the module's hours, and the best attempt's module score."""
        rows = []
        for person in self.trainees(cohort_id):
            hours = self.attendance_hours(person.id)
            graded = self._graded(self.attempts(person.id))
            best = max((r for _, r in graded), key=lambda r: r.score, default=None)
            for module in self.course.modules:
                score = best.by_module.get(module.id) if best is not None else None
                rows.append(
                    {
                        "person_id": person.id,
                        "name": person.display_name,
                        "module": module.id,
                        "hours": hours.get(module.id, 0.0),
                        "module_hours": module.hours,
                        "exam_module_score": None if score is None else round(score.score, 3),
                    }
                )
        return pd.DataFrame(
            rows, columns=["person_id", "name", "module", "hours", "module_hours", "exam_module_score"]
        )

    def exam_results_frame(self, cohort_id: str | None = None, *, language: str = "en") -> pd.DataFrame:
        """Every closed attempt: who, which role's exam (its name in ``language``), when, score, verdict, the
        critical items where a harmful answer was chosen."""
        roles = self.course.rules.roles
        rows = []
        for person in self.trainees(cohort_id):
            for attempt, result in self._graded(self.attempts(person.id)):
                reasons = knowledge_shortfalls(result, self.course.rules)
                rows.append(
                    {
                        "person_id": person.id,
                        "name": person.display_name,
                        "attempt": attempt.number,
                        "role": pick(roles[attempt.role].name, language, "en")
                        if attempt.role in roles
                        else "",
                        "state": attempt.state.value,
                        "started_at": attempt.started_at,
                        "closed_at": attempt.closed_at,
                        "score": round(result.score, 3),
                        "passed": not reasons,
                        "critical_missed": ", ".join(result.critical_errors),
                    }
                )
        return pd.DataFrame(
            rows,
            columns=[
                "person_id",
                "name",
                "attempt",
                "role",
                "state",
                "started_at",
                "closed_at",
                "score",
                "passed",
                "critical_missed",
            ],
        )

    def item_stats(self, cohort_id: str | None = None) -> pd.DataFrame:
        """Item statistics over every closed attempt (difficulty, discrimination, review flags)."""
        return self._item_stats([r for _, r in self._closed(cohort_id)])

    def _closed(self, cohort_id: str | None) -> list[tuple[ExamAttempt, AttemptResult]]:
        graded = []
        for person in self.trainees(cohort_id):
            graded.extend(self._graded(self.attempts(person.id)))
        return graded

    def _item_stats(self, results: Sequence[AttemptResult]) -> pd.DataFrame:
        if not results:
            return pd.DataFrame(
                columns=["n", "difficulty", "item_rest_r", "upper_lower_d", "review", "reasons"]
            )
        points, maxima = response_matrix(results)
        return item_statistics(points, self.course.rules, maxima)

    def item_review(self, cohort_id: str | None = None, *, lint: bool = True) -> pd.DataFrame:
        """The items to look at (:func:`surveykit.training.itemstats.review_list`): statistics and option
        choices of every closed attempt, and (``lint``) the item-bank linter's warnings."""
        from surveykit.training.itemstats import option_counts, review_list

        graded = self._closed(cohort_id)
        stats = self._item_stats([r for _, r in graded])
        counts = option_counts((a.answer_values() for a, _ in graded), self.course)
        report = None
        if lint:
            from surveykit.training.lint import lint_course

            report = lint_course(self.course)
        return review_list(self.course, stats, counts, report)
