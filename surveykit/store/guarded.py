"""The store as one signed-in person sees it: every data access checked against :mod:`surveykit.access`.

An app signs a person in with ``Store.start_session(login, code, roles, app=...)`` and keeps the session's
token; from then on it reaches data only through ``GuardedStore(store, session)``::

    session = store.start_session("anna", "2468", ("interviewer",), app="interview")
    mine = GuardedStore(store, session)
    mine.drafts()                        # anna's drafts and rejections
    mine.load_interview(other_id)        # SK514 unless the interview is anna's (or she may read all)
    mine.interviews_frame("recipient_survey")   # SK514: interviews.read_all is not hers

Every method first re-reads the session from the store (``Store.session(token)``): a session that expired,
was ended or whose person was deactivated refuses the call with SK522 ("sign in again", :mod:`surveykit.store.sessions`), so an app left open
overnight cannot read anything. Then it asks :func:`surveykit.access.require` / ``require_owner`` with the
person as the store knows them *now* (roles changed by an administrator count at once).

There is deliberately no ``__getattr__``: only the methods written here exist, each with its check; the raw
:class:`~surveykit.store.facade.Store` stays reachable only to code that holds it already (the command
line, notebooks of the sociologist, the tests). Training workflows are under :meth:`GuardedStore.training`
(:class:`GuardedTraining`), council data under :meth:`GuardedStore.dashboard_data` (always through the
small-cell suppression of :mod:`surveykit.dashboard.privacy`) and :meth:`GuardedStore.open_answers`
(approved text only unless the person reviews open answers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surveykit import access
from surveykit.errors import AccessDenied, ErrorCode, Location

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["GuardedStore", "GuardedTraining", "session_ended"]


def session_ended(err: BaseException) -> bool:
    """Whether ``err`` means "sign in again" (the app then shows its sign-in page with the message)."""
    return isinstance(err, AccessDenied) and err.code is ErrorCode.SESSION_ENDED  # SK522, store.sessions


class GuardedStore:
    """The store for the person of ``session`` (an object with ``token``, as ``Store.start_session`` returns).

    Writes are recorded in the audit log as done by that person (``by`` is never taken from the caller).
    """

    __slots__ = ("_store", "_token", "_app", "_person", "_training")

    def __init__(self, store: Any, session: Any) -> None:
        self._store = store
        self._token = str(session.token)
        self._app = str(getattr(session, "app", "") or "")
        self._person = session.person
        self._training: dict[int, GuardedTraining] = {}

    # --- the session ------------------------------------------------------------------------------------------
    @property
    def token(self) -> str:
        """The session token (the app keeps it; it is never stored in the database)."""
        return self._token

    @property
    def app(self) -> str:
        return self._app

    def check(self) -> Any:
        """The person signed in, re-read with the session: a session that has ended refuses with the store's
        SK522 (why, and to sign in again); :func:`session_ended` recognises it."""
        session = self._store.session(self._token)
        self._person = session.person
        return session.person

    @property
    def person(self) -> Any:
        """The signed-in person (checked: SK522 when the session has ended)."""
        return self.check()

    def end(self) -> None:
        """Sign out: the token stops working for every later call."""
        self._store.end_session(self._token)

    def _require(self, permission: str) -> Any:
        person = self.check()
        access.require(person, permission)
        return person

    def _require_owner(self, owner_id: str | None, own: str, every: str) -> Any:
        person = self.check()
        access.require_owner(person, owner_id, own, every)
        return person

    def _own_only(self, person: Any, owner_id: str | None, what: str, key: str, own: str) -> None:
        """Work that only the owner may do (answer one's exam, save one's interview): nobody else, whatever
        their roles."""
        access.require(person, own)
        if owner_id != person.id:
            raise AccessDenied(
                ErrorCode.NOT_YOURS,
                Location(path=f"{what} {key}"),
                person=person.display_name,
                what=what,
                key=key,
            )

    # --- public to every signed-in person: the directory of institutions and the questionnaires ---------------
    def institution(self, institution_id: str) -> Any:
        self.check()
        return self._store.institution(institution_id)

    def institutions(self) -> list[Any]:
        self.check()
        return self._store.institutions()

    def questionnaire(self, questionnaire: str, version: str | None = None) -> Any:
        self.check()
        return self._store.questionnaire(questionnaire, version)

    def certification_status(self, person_id: str | None = None, **kwargs: Any) -> Any:
        """One's own certification status; another person's needs ``training.manage`` or
        ``interviews.read_all``."""
        person = self.check()
        target = person_id or person.id
        if target != person.id and not access.can(person, "interviews.read_all"):
            access.require(person, "training.manage")
        return self._store.certification_status(target, **kwargs)

    # --- people ----------------------------------------------------------------------------------------------
    def people(self, role: str | None = None) -> list[Any]:
        """Every person, or those with ``role`` (``people.read``)."""
        self._require("people.read")
        return self._store.people(role)

    def audit_frame(self, **filters: Any) -> pd.DataFrame:
        """The audit log (``audit.read``)."""
        self._require("audit.read")
        return self._store.audit_frame(**filters)

    # --- fieldwork of one interviewer ----------------------------------------------------------------------------
    def assignments(self, interviewer_id: str | None = None, **filters: Any) -> list[Any]:
        """One's own assignments (``interviews.own``); anyone's with ``interviews.read_all``."""
        person = self.check()
        target = interviewer_id or person.id
        access.require_owner(person, target, "interviews.own", "interviews.read_all")
        return self._store.assignments(interviewer_id=target, **filters)

    def progress(self, interviewer_id: str | None = None, **filters: Any) -> pd.DataFrame:
        """Done against target, one's own (``interviews.own``) or anyone's (``interviews.read_all``)."""
        person = self.check()
        target = interviewer_id or person.id
        access.require_owner(person, target, "interviews.own", "interviews.read_all")
        return self._store.progress(interviewer_id=target, **filters)

    # --- interviews ------------------------------------------------------------------------------------------------
    @staticmethod
    def _own_permission(practice: bool) -> str:
        return "training.take" if practice else "interviews.own"

    def start_interview(self, questionnaire: str, *, practice: bool = False, **kwargs: Any) -> Any:
        """Start an interview of one's own (the interviewer is always the signed-in person)."""
        kwargs.pop("interviewer_id", None)
        kwargs.pop("by", None)
        person = self._require(self._own_permission(practice))
        return self._store.start_interview(
            questionnaire, interviewer_id=person.id, practice=practice, by=person.id, **kwargs
        )

    def _meta(self, interview_id: str) -> Any:
        return self._store.interview(interview_id)

    def interview(self, interview_id: str) -> Any:
        """The meta of one interview: one's own, or any with ``interviews.read_all``."""
        person = self.check()
        meta = self._meta(interview_id)
        access.require_owner(
            person, meta.interviewer_id, self._own_permission(meta.practice), "interviews.read_all"
        )
        return meta

    def review_notes(self, interview_id: str) -> list[Any]:
        """The supervisor's decisions on one's own interview (why it was returned), or on any with
        ``interviews.read_all``."""
        self.interview(interview_id)
        return self._store.review_notes(interview_id)

    def load_interview(self, interview_id: str) -> Any:
        """Meta, answers and page of one's own interview (or any, with ``interviews.read_all``)."""
        self.interview(interview_id)
        return self._store.load_interview(interview_id)

    def attach_file(
        self, interview_id: str, question: str, content: bytes, original_name: str | None = None
    ) -> Any:
        """Store a file answering a question of one's own draft (nobody else's: SK515)."""
        person = self.check()
        meta = self._meta(interview_id)
        self._own_only(person, meta.interviewer_id, "interview", meta.id, self._own_permission(meta.practice))
        return self._store.attach_file(interview_id, question, content, original_name)

    def interview_files(self, interview_id: str) -> list[Any]:
        """The files stored with one's own interview (or any, with ``interviews.read_all``), without content."""
        self.interview(interview_id)
        return self._store.interview_files(interview_id)

    def interview_file(self, interview_id: str, name: str) -> Any:
        """A stored file of one's own interview (or of any, with ``interviews.read_all``)."""
        self.interview(interview_id)
        return self._store.interview_file(interview_id, name)

    def save_draft(
        self,
        interview_id: str,
        answers: Mapping[str, Any],
        page: str | None = None,
        events: Iterable[Any] = (),
    ) -> Any:
        """Save one's own draft (nobody else's: SK515)."""
        person = self.check()
        meta = self._meta(interview_id)
        self._own_only(person, meta.interviewer_id, "interview", meta.id, self._own_permission(meta.practice))
        return self._store.save_draft(interview_id, answers, page, events, by=person.id)

    def submit(
        self, interview_id: str, answers: Mapping[str, Any] | None = None, *, events: Iterable[Any] = ()
    ) -> Any:
        """Submit one's own interview (nobody else's: SK515); the store's gate and validation apply. Whose
        interview it is is checked on the submission's own first look (no read of its own)."""
        person = self.check()

        def own(meta: Any) -> None:
            self._own_only(
                person, meta.interviewer_id, "interview", meta.id, self._own_permission(meta.practice)
            )

        return self._store.submit(interview_id, answers, events=events, by=person.id, precheck=own)

    def drafts(self, interviewer_id: str | None = None, *, practice: bool | None = False) -> list[Any]:
        """One's own drafts and rejections (anyone's with ``interviews.read_all``)."""
        person = self.check()
        target = interviewer_id or person.id
        own = "training.take" if practice else "interviews.own"
        access.require_owner(person, target, own, "interviews.read_all")
        return self._store.drafts(target, practice=practice)

    def set_status(self, interview_id: str, status: str, *, note: str = "") -> Any:
        """Approve or reject a submitted interview (``interviews.review``)."""
        person = self._require("interviews.review")
        return self._store.set_status(interview_id, status, by=person.id, note=note)

    # --- microdata ------------------------------------------------------------------------------------------------
    def interviews_frame(self, questionnaire_id: str, **filters: Any) -> pd.DataFrame:
        """Every interview's answers (``interviews.read_all``)."""
        self._require("interviews.read_all")
        return self._store.interviews_frame(questionnaire_id, **filters)

    def repeat_frame(self, questionnaire_id: str, repeat: str, **filters: Any) -> pd.DataFrame:
        self._require("interviews.read_all")
        return self._store.repeat_frame(questionnaire_id, repeat, **filters)

    def paradata_frame(self, **filters: Any) -> pd.DataFrame:
        """Paradata of every interview (``interviews.read_all``)."""
        self._require("interviews.read_all")
        return self._store.paradata_frame(**filters)

    def export_interviews(self, questionnaire: str, path: str | Path, **options: Any) -> Any:
        """Export microdata (``exports.microdata``) with interviewer ids always pseudonymised: a person
        exporting through an app never gets the identities (the command line decides for itself)."""
        from surveykit.exchange.export import export_interviews

        self._require("exports.microdata")
        options["pseudonymise"] = True
        return export_interviews(self._store, questionnaire, path, **options)

    # --- council data ----------------------------------------------------------------------------------------------
    def dashboard_data(
        self, profile: Any = None, filters: Any = None, language: str | None = None, *, k: int | None = None
    ) -> Any:
        """The dashboard's data (``aggregates.read``), always through the disclosure control of
        :mod:`surveykit.disclosure` and :mod:`surveykit.dashboard.privacy`; a threshold below the setting needs
        ``aggregates.unsuppressed``; fieldwork per interviewer needs ``interviews.read_all``."""
        from surveykit.config import settings
        from surveykit.dashboard import dashboard_data
        from surveykit.scoring import DEFAULT_PROFILE

        person = self._require("aggregates.read")
        if k is not None and k < settings().min_cell_size:
            access.require(person, "aggregates.unsuppressed")
        # who interviewed is shown only to those who may read every interview anyway (never a council)
        identities = access.can(person, "interviews.read_all")
        return dashboard_data(
            self._store, profile or DEFAULT_PROFILE, filters, language, k=k, identities=identities
        )

    def rating(self, profile: Any = None, periods: Sequence[str] | str | None = None) -> Any:
        """The rating with every figure, also those behind fewer respondents than the threshold
        (``aggregates.unsuppressed``): for sociologists and supervisors, never for a council."""
        from surveykit.dashboard.sources import StoreSource
        from surveykit.scoring import DEFAULT_PROFILE, load_profile, rate

        self._require("aggregates.unsuppressed")
        prof = load_profile(profile or DEFAULT_PROFILE)
        frames, institutions, targets = StoreSource(self._store).rating_inputs(prof)
        return rate(prof, frames, institutions=institutions, periods=periods, targets=targets)

    def open_answers(self, status: str = "approved") -> pd.DataFrame:
        """Open answers for council publications. ``approved``: the published (possibly redacted) text only,
        with institution and period (``open_answers.read_published``); any other status lists the reviews
        with interview and question (``open_answers.review``): free text is possibly identifying until approved."""
        import pandas as pd

        from surveykit.dashboard.privacy import approved_open_answers
        from surveykit.dashboard.sources import StoreSource

        if status != "approved":
            self._require("open_answers.review")
            reviews = self._store.reviews.reviews(status=status)
            return pd.DataFrame(
                [
                    {"interview_id": r.interview_id, "question": r.question, "status": r.status}
                    for r in reviews
                ],
                columns=["interview_id", "question", "status"],
            )
        self._require("open_answers.read_published")
        source = StoreSource(self._store)
        respondents = [qid for qid in {v.questionnaire_id for v in self._store.versions()}]
        frames = source.frames(respondents)
        interviews = pd.concat(
            [
                f[["interview_id", "institution_id", "period"]]
                for f in frames.values()
                if f is not None and len(f)
            ]
            or [pd.DataFrame(columns=["interview_id", "institution_id", "period"])],
            ignore_index=True,
        )
        reviews = source.open_answer_reviews()
        out = []
        for question in sorted(set(reviews["question"].astype(str))) if len(reviews) else []:
            found = approved_open_answers(reviews, interviews, question)
            out.append(found.assign(question=question))
        columns = ["institution_id", "period", "question", "text"]
        return pd.concat(out, ignore_index=True)[columns] if out else pd.DataFrame(columns=columns)

    def review_open_answer(
        self, interview_id: str, question: str, status: str, *, published_text: str | None = None
    ) -> Any:
        """Approve (with the text to publish), reject or reset one open answer (``open_answers.review``)."""
        person = self._require("open_answers.review")
        return self._store.reviews.review(
            interview_id, question, status, published_text=published_text, reviewer_id=person.id
        )

    # --- training ---------------------------------------------------------------------------------------------------
    def training(self, service: Any = None) -> GuardedTraining:
        """The training workflows for this person over ``service`` (a TrainingService over the same store;
        default: a new one with the current course)."""
        if service is None:
            from surveykit.training.service import TrainingService

            service = TrainingService(self._store)
        key = id(service)
        if key not in self._training:
            self._training[key] = GuardedTraining(service, self)
        return self._training[key]


class GuardedTraining:
    """:class:`surveykit.training.service.TrainingService` as one signed-in person may use it.

    A trainee reaches their own exam status, attempts, answers, results, certificate and practice; answer keys,
    the item bank, other trainees' attempts and the cohort's statistics need ``training.keys``; recording
    attendance, mock interviews and issuing certificates ``training.manage``.
    """

    __slots__ = ("_service", "_guard")

    def __init__(self, service: Any, guard: GuardedStore) -> None:
        self._service = service
        self._guard = guard

    def now(self) -> dt.datetime:
        return self._service.now()

    @property
    def person(self) -> Any:
        """The signed-in person (checked with the session)."""
        return self._guard.check()

    def sign_out(self) -> None:
        self._guard.end()

    # --- keys ---------------------------------------------------------------------------------------------------
    def item_bank(self) -> tuple[Any, ...]:
        """Every exam item with its answer key (``training.keys``)."""
        self._guard._require("training.keys")
        return self._service.course.items

    # --- one's own exam -----------------------------------------------------------------------------------------
    def _self_or_keys(self, person_id: str | None) -> tuple[Any, str]:
        person = self._guard.check()
        target = person_id or person.id
        access.require_owner(person, target, "training.take", "training.keys")
        return person, target

    def exam_status(self, person_id: str | None = None) -> Any:
        _, target = self._self_or_keys(person_id)
        return self._service.exam_status(target)

    def attempts(self, person_id: str | None = None) -> list[Any]:
        _, target = self._self_or_keys(person_id)
        return self._service.attempts(target)

    def attempt(self, attempt_id: str) -> Any:
        """One exam attempt: one's own (``training.take``) or anyone's (``training.keys``)."""
        person = self._guard.check()
        attempt = self._service.attempt(attempt_id)
        access.require_owner(person, attempt.person_id, "training.take", "training.keys")
        return attempt

    def _own_attempt(self, attempt_id: str) -> Any:
        person = self._guard.check()
        attempt = self._service.attempt(attempt_id)
        self._guard._own_only(person, attempt.person_id, "exam attempt", attempt_id, "training.take")
        return attempt

    def start_exam(self, role: str | None = None) -> Any:
        """Start one's own exam; ``role``: the role one trains for (default: that of the last attempt)."""
        person = self._guard._require("training.take")
        return self._service.start_exam(person.id, role=role)

    def exam_role(self) -> Any:
        """The role of one's own next exam by default (the last attempt's, else the rules' default)."""
        person = self._guard._require("training.take")
        return self._service.exam_role(person.id)

    def save_answer(self, attempt_id: str, item_id: str, value: Any) -> Any:
        self._own_attempt(attempt_id)
        return self._service.save_answer(attempt_id, item_id, value)

    def submit_exam(self, attempt_id: str, *, language: str = "ru") -> Any:
        self._own_attempt(attempt_id)
        return self._service.submit_exam(attempt_id, language=language)

    def outcome(self, attempt: Any, *, language: str = "ru") -> Any:
        self.attempt(attempt.attempt_id)
        return self._service.outcome(attempt, language=language)

    def certificate(self, serial: str) -> Any:
        """A certificate record: one's own, or any with ``training.manage``."""
        person = self._guard.check()
        record = self._service.store.training.certificate(serial)
        access.require_owner(person, record.person_id, "training.take", "training.manage")
        return record

    def certificate_pdf(self, serial: str) -> bytes:
        self.certificate(serial)
        return self._service.certificate_pdf(serial)

    # --- practice ------------------------------------------------------------------------------------------------
    def _practising(self) -> Any:
        person = self._guard.check()
        if not access.can(person, "interviews.own"):
            access.require(person, "training.take")
        return person

    def personas(self) -> dict[str, Any]:
        self._practising()
        return self._service.personas()

    def practice_questionnaire(self) -> Any:
        self._practising()
        return self._service.practice_questionnaire()

    def start_practice(self, **options: Any) -> Any:
        person = self._practising()
        return self._service.start_practice(person.id, **options)

    def score_practice(self, interview_id: str, persona_id: str, **options: Any) -> Any:
        person = self._practising()
        meta = self._guard._store.interview(interview_id)
        self._guard._own_only(person, meta.interviewer_id, "interview", meta.id, "training.take")
        return self._service.score_practice(interview_id, persona_id, **options)

    def record_calibration(self, case_id: str, answers: Mapping[str, Any]) -> Any:
        person = self._practising()
        return self._service.record_calibration(person.id, case_id, answers)

    # --- the trainer's work --------------------------------------------------------------------------------------
    def cohorts(self) -> list[tuple[str, str]]:
        self._guard._require("training.manage")
        return self._service.cohorts()

    def trainees(self, cohort_id: str | None = None) -> list[Any]:
        self._guard._require("people.read")
        return self._service.trainees(cohort_id)

    def progress_frame(self, cohort_id: str | None = None, *, language: str = "en") -> pd.DataFrame:
        self._guard._require("training.manage")
        return self._service.progress_frame(cohort_id, language=language)

    def module_frame(self, cohort_id: str | None = None) -> pd.DataFrame:
        self._guard._require("training.manage")
        return self._service.module_frame(cohort_id)

    def exam_results_frame(self, cohort_id: str | None = None, *, language: str = "en") -> pd.DataFrame:
        """Every trainee's exam results (``training.keys``)."""
        self._guard._require("training.keys")
        return self._service.exam_results_frame(cohort_id, language=language)

    def persona_cards(self, language: str = "en") -> list[dict[str, Any]]:
        """The practice personas' behaviour cards: trainers only (``training.manage``)."""
        self._guard._require("training.manage")
        return self._service.persona_cards(language)

    def item_stats(self, cohort_id: str | None = None) -> pd.DataFrame:
        """Item statistics (difficulty, discrimination) name the keyed items (``training.keys``)."""
        self._guard._require("training.keys")
        return self._service.item_stats(cohort_id)

    def item_review(self, cohort_id: str | None = None) -> pd.DataFrame:
        """The items to review: statistics, option choices and item-writing flaws (``training.keys``)."""
        self._guard._require("training.keys")
        return self._service.item_review(cohort_id)

    def record_attendance(self, person_id: str, module_id: str, hours: float, date: Any = None) -> Any:
        person = self._guard._require("training.manage")
        return self._service.record_attendance(person_id, module_id, hours, date, by=person.id)

    def record_mock(self, person_id: str, scores: Mapping[str, int]) -> Any:
        person = self._guard._require("training.manage")
        return self._service.record_mock(person_id, scores, trainer_id=person.id)

    def issue_cohort(self, person_ids: Sequence[str], **options: Any) -> Any:
        person = self._guard._require("training.manage")
        options.pop("by", None)
        return self._service.issue_cohort(person_ids, by=person.id, **options)

    def certificates(self) -> list[Any]:
        self._guard._require("training.manage")
        return self._service.store.training.certificates()

    def set_certificate_status(self, serial: str, action: str, *, reason: str) -> Any:
        person = self._guard._require("certificates.suspend")
        return self._service.set_certificate_status(serial, action, reason=reason, by=person.id)
