"""The fieldwork desk: what the apps may do with cases, contact attempts, the campaign and the rates, for one
signed-in person. The interview app, the supervisor's fieldwork tab and the campaign tab are views of it; this
module imports no widgets.

Every action first re-reads the session (``Store.session``: an expired or ended session is refused with
SK522) and asks :func:`surveykit.access.require` with the person as the store knows them now:

* an interviewer (``interviews.own``) sees their own assignments and cases and records outcomes for them;
  the interviewer of an attempt is always the signed-in person;
* supervisors and sociologists (``interviews.read_all``) see everyone's progress, outcomes, contacts and rates;
* the campaign set-up (register, plan, assignments) needs ``fieldwork.manage`` (sociologists, administrators).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surveykit import access
from surveykit.errors import AccessDenied, ErrorCode, Location
from surveykit.fieldwork import dispositions as D

if TYPE_CHECKING:  # the supervisors' tables are frames; the interviewer's home page is read without pandas
    import pandas as pd

    from surveykit.store.fieldwork import CaseSummary

__all__ = ["AssignmentView", "FieldworkDesk", "HomeView", "Reminder"]


@dataclass(frozen=True)
class AssignmentView:
    """An assignment as the interviewer's home page shows it."""

    assignment: Any
    institution: str
    questionnaire: str  # the title, in the app's language
    done: int
    past: bool
    open_cases: list[CaseSummary]  # open cases of the assignment with at least one attempt

    @property
    def target(self) -> int:
        return int(self.assignment.target)

    @property
    def full(self) -> bool:
        return self.done >= self.target

    @property
    def current(self) -> bool:
        """Offered first: a period that is not over and a target not yet reached."""
        return not self.past and not self.full


@dataclass(frozen=True)
class Reminder:
    """An appointment to keep: due within ``appointments.remind_hours``, or overdue."""

    case_id: int
    code: str
    institution: str
    appointment_at: dt.datetime
    overdue: bool


@dataclass
class HomeView:
    """The interviewer's home page: assignments (current ones first), reminders of appointments (soonest first)."""

    assignments: list[AssignmentView]
    reminders: list[Reminder]
    closed_interviews: set[str] = field(default_factory=set)  # drafts of cases that ended (break-off)


class FieldworkDesk:
    """Fieldwork for the person of ``session`` (anything with a ``token``: a Session or a GuardedStore)."""

    def __init__(self, store: Any, session: Any) -> None:
        self.store = store
        self.token = str(session.token)

    def _as(self, permission: str) -> Any:
        person = self.store.session(self.token).person  # SK522 when the session has ended
        access.require(person, permission)  # SK514 unless the person may, now
        return person

    def _own_case(self, case_id: int) -> tuple[Any, Any]:
        """The case and the person, who must be its interviewer (or may read everyone's)."""
        person = self.store.session(self.token).person
        case = self.store.fieldwork.case(case_id)
        if access.can(person, "interviews.read_all"):
            return case, person
        access.require(person, "interviews.own")
        mine = case.interviewer_id == person.id or any(
            a.interviewer_id == person.id for a in self.store.fieldwork.attempts(case.id)
        )
        if not mine:
            raise AccessDenied(ErrorCode.NOT_YOURS, Location(path=f"case {case.code}"), person=person.display_name,
                               what="case", key=case.code)  # fmt: skip
        return case, person

    # --- the interviewer ----------------------------------------------------------------------------------------
    def home(self, language: str, now: dt.datetime | None = None) -> HomeView:
        """Own assignments with progress and open cases (current periods and unfinished targets first), and
        the appointments to remind of (due within ``appointments.remind_hours`` or overdue)."""
        from surveykit.fieldwork.config import load_rules
        from surveykit.fieldwork.periods import is_past

        person = self._as("interviews.own")
        now = now or dt.datetime.now(dt.UTC)
        today = now.astimezone().date()
        assignments = self.store.assignments(interviewer_id=person.id)
        done = {row["assignment_id"]: row["done"] for row in self.store.directory.progress_rows(interviewer_id=person.id)}
        cases = self.store.fieldwork.case_summaries(interviewer_id=person.id)
        views = []
        titles: dict[str, str] = {}
        names = {i.id: i.name for i in self.store.institutions()}
        for a in assignments:
            if a.questionnaire_id not in titles:
                q = self.store.questionnaire(a.questionnaire_id)
                titles[a.questionnaire_id] = q.text(q.title, language)
            mine = [c for c in cases if c.assignment_id == a.id and c.open and c.attempts > 0]
            views.append(AssignmentView(a, names.get(a.institution_id, a.institution_id), titles[a.questionnaire_id],
                                        int(done.get(a.id, 0)), is_past(a.period, today), mine))  # fmt: skip
        views.sort(key=lambda v: (not v.current, v.past, v.full, v.assignment.period, v.institution))
        remind = dt.timedelta(hours=load_rules().appointments.remind_hours)
        reminders = sorted(
            (
                Reminder(c.case_id, c.code, names.get(c.institution_id, c.institution_id), c.appointment_at,
                         _aware(c.appointment_at) < _aware(now))  # fmt: skip
                for c in cases
                if c.open and c.appointment_at is not None and _aware(c.appointment_at) - _aware(now) <= remind
            ),
            key=lambda r: _aware(r.appointment_at),
        )
        # a refusal or break-off ended the case (or a partial interview was recorded): not offered again
        closed = {
            str(c.interview_id)
            for c in cases
            if c.interview_id is not None and (c.category == "R" or c.final == "1.2")
        }
        return HomeView(views, reminders, closed)

    def assignment(self, assignment_id: int) -> Any:
        """One of one's own assignments (SK515 for someone else's)."""
        person = self._as("interviews.own")
        for a in self.store.assignments(interviewer_id=person.id):
            if a.id == int(assignment_id):
                return a
        raise AccessDenied(ErrorCode.NOT_YOURS, Location(path=f"assignment {assignment_id}"),
                           person=person.display_name, what="assignment", key=str(assignment_id))  # fmt: skip

    def done(self, assignment_id: int) -> int:
        """Interviews submitted or approved for one's own assignment."""
        person = self._as("interviews.own")
        rows = self.store.directory.progress_rows(interviewer_id=person.id)
        return next((row["done"] for row in rows if row["assignment_id"] == int(assignment_id)), 0)

    def case(self, case_id: int) -> tuple[Any, list[Any]]:
        """A case and its attempts (one's own, or any with ``interviews.read_all``)."""
        case, _ = self._own_case(case_id)
        return case, self.store.fieldwork.attempts(case.id)

    def record(
        self,
        disposition: str,
        *,
        mode: str,
        assignment_id: int | None = None,
        case_id: int | None = None,
        appointment_at: dt.datetime | None = None,
        note: str | None = None,
    ) -> tuple[Any, Any]:
        """Record an outcome for one's case, or for a new case of one's assignment: ``(case, attempt)``."""
        from surveykit.fieldwork.contacts import record_outcome

        if case_id is not None:
            case, person = self._own_case(case_id)
            access.require(person, "interviews.own")
            return record_outcome(self.store, case_id=case.id, interviewer_id=person.id, mode=mode,
                                  disposition=disposition, appointment_at=appointment_at, note=note, by=person.id)  # fmt: skip
        assignment = self.assignment(int(assignment_id))
        person = self._as("interviews.own")
        return record_outcome(self.store, assignment=assignment, interviewer_id=person.id, mode=mode,
                              disposition=disposition, appointment_at=appointment_at, note=note, by=person.id)  # fmt: skip

    def start_interview(
        self, guarded: Any, assignment: Any, *, mode: str, language: str, case_id: int | None = None,
        practice: bool = False, with_case: bool = True,
    ) -> tuple[Any, Any]:  # fmt: skip
        """Start the interview of a case (a new case of ``assignment`` unless ``case_id``) after consent:
        ``(meta, case)``. Practice interviews, checklists and observations have no case (``case`` None)."""
        meta = guarded.start_interview(
            assignment.questionnaire_id, institution_id=assignment.institution_id, mode=mode, language=language,
            practice=practice, period=assignment.period, assignment_id=assignment.id,
        )  # fmt: skip
        if practice or not with_case:
            return meta, None
        person = self._as("interviews.own")
        if case_id is None:
            case = self.store.fieldwork.new_case(
                assignment.period, assignment.institution_id, questionnaire_id=assignment.questionnaire_id,
                interviewer_id=person.id, assignment_id=assignment.id, by=person.id,
            )  # fmt: skip
        else:
            case, _ = self._own_case(case_id)
        return meta, self.store.fieldwork.link_interview(case.id, meta.id, by=person.id)

    def case_of_interview(self, interview_id: str) -> Any:
        """The case of one's interview (None: no case)."""
        self._as("interviews.own")
        case = self.store.fieldwork.case_of_interview(interview_id)
        if case is not None:
            self._own_case(case.id)
        return case

    def break_off(self, interview_id: str, answers: Mapping[str, Any]) -> Any:
        """The respondent stopped: partial or break-off by the share answered (the draft is kept)."""
        from surveykit.fieldwork.contacts import record_break_off

        case = self.case_of_interview(interview_id)
        if case is None:
            return None
        person = self._as("interviews.own")
        return record_break_off(self.store, interview_id, answers, by=person.id)

    # --- supervisors and sociologists ------------------------------------------------------------------------
    def periods(self) -> list[str]:
        """Periods with assignments or cases, newest first."""
        self._as("interviews.read_all")
        found = {a.period for a in self.store.assignments()} | {
            c.period for c in self.store.fieldwork.cases()
        }
        return sorted(found, reverse=True)

    def cases(self, period: str | None = None) -> pd.DataFrame:
        self._as("interviews.read_all")
        return self.store.fieldwork.cases_frame(period=period)

    def progress(self, period: str | None = None) -> pd.DataFrame:
        """Per institution: the sample target (planned, else the sum of assignments), completed interviews,
        cases with an outcome, open cases and the share of the target done."""
        import pandas as pd

        self._as("interviews.read_all")
        assignments = self.store.progress(period=period)
        targets = (
            {t.institution_id: t.target for t in self.store.fieldwork.targets(period=period)}
            if period
            else {}
        )
        cases = self.store.fieldwork.cases_frame(period=period)
        names = {i.id: i.name for i in self.store.institutions()}
        rows = []
        ids = sorted(set(assignments["institution_id"]) | set(targets) | set(cases["institution_id"]))
        for ident in ids:
            mine = assignments[assignments["institution_id"] == ident]
            here = cases[cases["institution_id"] == ident]
            target = targets.get(ident, int(mine["target"].sum()) if len(mine) else 0)
            done = int(mine["done"].sum()) if len(mine) else 0
            rows.append({
                "institution_id": ident, "institution": names.get(ident, ident), "target": target, "done": done,
                "share": done / target if target else None, "cases": int((here["attempts"] > 0).sum()),
                "open": int((here["open"] & (here["attempts"] > 0)).sum()),
                "below_target": done < target,
            })  # fmt: skip
        return pd.DataFrame(rows, columns=["institution_id", "institution", "target", "done", "share", "cases",
                                           "open", "below_target"])  # fmt: skip

    def outcomes(self, period: str | None = None, by: str = "interviewer") -> pd.DataFrame:
        """Cases by final category (columns I … NE), one row per interviewer or institution."""
        import pandas as pd

        self._as("interviews.read_all")
        cases = self.store.fieldwork.cases_frame(period=period)
        cases = cases[cases["final"].notna()]
        key = "interviewer_id" if by == "interviewer" else "institution_id"
        table = pd.crosstab(cases[key], cases["category"]) if len(cases) else pd.DataFrame()
        table = table.reindex(columns=list(D.CATEGORIES), fill_value=0)
        table.index.name = key
        return table.reset_index()

    def rates(self, period: str | None = None, by: str | None = None, e: float | None = None) -> pd.DataFrame:
        """The AAPOR rates table (surveykit.fieldwork.contacts.rates_table)."""
        from surveykit.fieldwork.contacts import rates_table

        self._as("interviews.read_all")
        return rates_table(self.store.fieldwork.cases_frame(period=period), by=by, e=e)

    def contacts(self, period: str | None = None, limit: int | None = None) -> pd.DataFrame:
        """The latest contact attempts first (the contact log)."""
        self._as("interviews.read_all")
        frame = self.store.fieldwork.contacts_frame(period=period)
        frame = frame.sort_values(["attempted_at", "attempt_id"], ascending=False)
        return (frame.head(limit) if limit else frame).reset_index(drop=True)

    def names(self) -> tuple[dict[str, str], dict[str, str]]:
        """People's and institutions' names (for tables)."""
        self._as("interviews.read_all")
        return (
            {p.id: p.display_name for p in self.store.people()},
            {i.id: i.name for i in self.store.institutions()},
        )

    def export_contacts(
        self, path: str | Path, period: str | None = None, language: str = "en"
    ) -> tuple[Path, int]:
        """The contact log as a file (``exports.microdata``); interviewer ids pseudonymised, as every export made
        through an app."""
        from surveykit.fieldwork.contacts import export_contacts

        self._as("exports.microdata")
        return export_contacts(self.store, path, period=period, language=language, pseudonymise=True)

    # --- the campaign (sociologists, administrators) --------------------------------------------------------------
    def can_manage(self) -> bool:
        person = self.store.session(self.token).person
        return access.can(person, "fieldwork.manage")

    def import_register(self, path: str | Path) -> Any:
        from surveykit.fieldwork.register import import_register

        person = self._as("fieldwork.manage")
        return import_register(self.store, path, by=person.id)

    def plan(self, period: str, *, overrides: Sequence[str] | Mapping[str, Any] | None = None,
             dry_run: bool = False, **options: Any) -> Any:  # fmt: skip
        from surveykit.fieldwork.campaign import plan_campaign

        person = self._as("fieldwork.manage")
        return plan_campaign(
            self.store, period, overrides=overrides, dry_run=dry_run, by=person.id, **options
        )

    def import_assignments(self, path: str | Path) -> int:
        from surveykit.fieldwork.campaign import import_assignments

        person = self._as("fieldwork.manage")
        return import_assignments(self.store, path, by=person.id)

    def export_assignments(self, path: str | Path, period: str | None = None) -> tuple[Path, int]:
        from surveykit.fieldwork.campaign import export_assignments

        self._as("interviews.read_all")
        return export_assignments(self.store, path, period=period)

    def export_register(self, path: str | Path) -> Path:
        from surveykit.fieldwork.register import export_register

        self._as("fieldwork.manage")
        return export_register(self.store, path)


def _aware(when: dt.datetime) -> dt.datetime:
    """A time with its zone, a naive one taken as UTC (the store's rule, surveykit.store.schema.UTCDateTime)."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
