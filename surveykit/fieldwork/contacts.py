"""Cases and contact attempts: what the interview app records, paper contact logs, the contact-log export
and the rates tables.

* :func:`record_outcome` records an interviewer's outcome for a case (opening the case first when it is new);
* :func:`record_submission` records "complete" or "partial" when an interview of a case is submitted
  (:meth:`surveykit.store.Store.submit` calls it), :func:`record_break_off` a break-off by the same rule;
* :func:`import_contacts` reads a paper contact log (``case_id, institution_id, interviewer_id, attempted_at,
  mode, disposition`` and optional ``note``, ``appointment_at``), all or nothing with a row-level report;
* :func:`export_contacts` writes the contact log as CSV, XLSX or SPSS .sav;
* :func:`rates_table` gives the AAPOR counts and rates of a period, overall or by institution, interviewer
  or mode (the ``surveykit fieldwork rates`` table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from surveykit.errors import (
    DataImportError,
    ErrorCode,
    Location,
    Report,
    StoreError,
    Translated,
    did_you_mean,
)
from surveykit.fieldwork import dispositions as D
from surveykit.fieldwork.rates import RATE_COLUMNS, rates_of_codes

__all__ = ["BY", "CONTACT_REQUIRED", "ContactImport", "export_contacts", "import_contacts", "rates_table",
           "record_break_off", "record_outcome", "record_submission"]  # fmt: skip

CONTACT_REQUIRED = ("case_id", "institution_id", "interviewer_id", "attempted_at", "mode", "disposition")
CONTACT_OPTIONAL = ("note", "appointment_at")
#: how a rates table can be broken down
BY = ("institution", "interviewer", "mode")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- what the app records ----------------------------------------------------------------------------------------
def record_outcome(
    store: Any,
    *,
    interviewer_id: str,
    mode: str,
    disposition: str,
    case_id: int | None = None,
    assignment: Any = None,
    appointment_at: dt.datetime | None = None,
    note: str | None = None,
    attempted_at: dt.datetime | None = None,
    by: str | None = None,
) -> tuple[Any, Any]:
    """Record an attempt's outcome for ``case_id``, or for a new case of ``assignment`` (opened here).
    Returns ``(case, attempt)``. The attempt is checked before a new case is opened, so a refused outcome
    (SK551, SK552, SK554, SK557) leaves no empty case behind."""
    from surveykit.store.fieldwork import check_attempt

    now = _now()
    check_attempt(disposition, mode, attempted_at or now, appointment_at, now)
    if case_id is None:
        if assignment is None:
            raise ValueError("record_outcome needs a case_id or an assignment")
        case = store.fieldwork.new_case(
            assignment.period,
            assignment.institution_id,
            questionnaire_id=assignment.questionnaire_id,
            interviewer_id=interviewer_id,
            assignment_id=assignment.id,
            by=by,
        )
    else:
        case = store.fieldwork.case(case_id)
    attempt = store.fieldwork.record_attempt(
        case.id,
        disposition,
        mode=mode,
        interviewer_id=interviewer_id,
        attempted_at=attempted_at,
        appointment_at=appointment_at,
        note=note,
        by=by,
    )
    return case, attempt


def record_submission(store: Any, interview_id: str, *, by: str | None = None, rules: Any = None) -> Any:
    """When an interview of a case is submitted: its outcome by the interview-outcome rule (complete 1.1,
    partial 1.2; surveykit.fieldwork.outcome), once (:meth:`surveykit.store.Store.submit` does this)."""
    return store.fieldwork.record_submission(interview_id, by=by, rules=rules)


def record_break_off(
    store: Any, interview_id: str, answers: Mapping[str, Any], *, by: str | None = None, rules: Any = None
) -> Any:
    """The respondent stopped during the interview: partial (1.2) or break-off (2.12) by the share answered
    (surveykit.fieldwork.outcome); the draft stays as it is. Returns the attempt (None: no case)."""
    return store.fieldwork.record_break_off(interview_id, answers, by=by, rules=rules)


# --- paper contact logs ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ContactImport:
    file: str
    period: str
    attempts: int
    cases_created: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "period": self.period, "attempts": self.attempts,
                "cases_created": self.cases_created}  # fmt: skip


def _timezone() -> str:
    """The local time of the fieldwork: the quality rules' time zone (one home for it)."""
    from surveykit.quality.rules import load_rules

    return load_rules().timezone


def read_contacts(store: Any, path: str | Path, *, period: str, now: dt.datetime | None = None) -> list[dict]:
    """A paper contact log, checked row by row (unknown codes, institutions and people, codes outside the
    mode's AAPOR table, times in the future or unreadable, a case id used for two institutions, attempts
    after a case's interview); DataImportError with every problem, each with its row and column."""
    from surveykit.fieldwork.files import read_table
    from surveykit.store.fieldwork import CLOCK_SKEW

    now = now or _now()
    table = read_table(path, CONTACT_REQUIRED, CONTACT_OPTIONAL, subject="the contact log")
    report = table.report
    institutions = {i.id for i in store.institutions()}
    people = {p.id for p in store.people()}
    stored = {c.code: c for c in store.fieldwork.cases(period=period)}
    stored_final = {}
    if stored:
        cases = store.fieldwork.cases_frame(period=period)
        stored_final = dict(zip(cases["code"], cases["final"], strict=True))
    zone = _timezone()
    rows: list[dict] = []
    first_institution: dict[str, tuple[str, int]] = {}
    for i in range(len(table)):
        code = table.text(i, "case_id")
        institution = table.text(i, "institution_id")
        interviewer = table.text(i, "interviewer_id")
        mode = table.text(i, "mode")
        disposition = table.text(i, "disposition")
        good = True
        for column, value in (("case_id", code), ("institution_id", institution), ("interviewer_id", interviewer),
                              ("mode", mode), ("disposition", disposition)):  # fmt: skip
            if value is None:
                table.problem(
                    i, column, Translated(en=f"{column} is empty", ru=f"{column} не заполнен"),
                    Translated(en="Fill in every required column.", ru="Заполните все обязательные столбцы."),
                )  # fmt: skip
                good = False
        if code is not None and len(code) > 64:
            table.problem(
                i, "case_id", Translated(en="the case_id is longer than 64 characters", ru="case_id длиннее 64 знаков"),
                Translated(en="Use a shorter case number.", ru="Используйте более короткий номер случая."),
            )  # fmt: skip
            good = False
        if institution is not None and institution not in institutions:
            report.add(ErrorCode.NOT_FOUND, table.where(i, "institution_id"), entity="institution", key=institution,
                       suggestion=did_you_mean(institution, sorted(institutions)))  # fmt: skip
            good = False
        if interviewer is not None and interviewer not in people:
            report.add(ErrorCode.NOT_FOUND, table.where(i, "interviewer_id"), entity="person", key=interviewer,
                       suggestion=did_you_mean(interviewer, sorted(people)))  # fmt: skip
            good = False
        if mode is not None and mode not in D.CONTACT_MODES:
            table.problem(
                i, "mode", Translated(en=f"'{mode}' is not a contact mode", ru=f"«{mode}» — не режим контакта"),
                Translated(en=f"Use one of: {', '.join(D.CONTACT_MODES)}.",
                           ru=f"Используйте одно из: {', '.join(D.CONTACT_MODES)}."),
            )  # fmt: skip
            good = False
        found = D.lookup(disposition) if disposition is not None else None
        if disposition is not None and found is None:
            report.add(ErrorCode.DISPOSITION_UNKNOWN, table.where(i, "disposition"), code=disposition,
                       suggestion=did_you_mean(disposition, list(D.DISPOSITIONS)))  # fmt: skip
            good = False
        elif found is not None and mode in D.CONTACT_MODES and not D.in_table(found.code, mode):
            report.add(ErrorCode.DISPOSITION_NOT_IN_MODE, table.where(i, "disposition"), code=found.code,
                       label=D.label(found.code), mode=mode)  # fmt: skip
            good = False
        attempted = table.moment(i, "attempted_at", zone)
        if attempted is None:
            table.problem(
                i, "attempted_at", Translated(en="attempted_at is empty", ru="attempted_at не заполнен"),
                Translated(en="Write when the attempt was made.", ru="Укажите, когда была попытка."),
            )  # fmt: skip
            good = False
        elif attempted is False:
            good = False
        elif attempted > now + CLOCK_SKEW:
            report.add(ErrorCode.CONTACT_IN_FUTURE, table.where(i, "attempted_at"),
                       when=attempted.strftime("%Y-%m-%d %H:%M UTC"))  # fmt: skip
            good = False
        appointment = table.moment(i, "appointment_at", zone)
        if appointment is False:
            good = False
            appointment = None
        elif appointment is not None and isinstance(attempted, dt.datetime) and appointment <= attempted:
            report.add(ErrorCode.APPOINTMENT_INVALID, table.where(i, "appointment_at"),
                       when=appointment.strftime("%Y-%m-%d %H:%M UTC"),
                       attempted=attempted.strftime("%Y-%m-%d %H:%M UTC"))  # fmt: skip
            good = False
        if code is not None and institution is not None:
            case = stored.get(code)
            owner = (case.institution_id, None) if case is not None else first_institution.get(code)
            if owner is not None and owner[0] != institution:
                report.add(ErrorCode.CASE_CONFLICT, table.where(i, "institution_id"), case=code, period=period,
                           institution=owner[0], other=institution)  # fmt: skip
                good = False
            first_institution.setdefault(code, (institution, i))
        if good:
            rows.append({
                "row": table.rows[i], "index": i, "code": code, "institution_id": institution,
                "interviewer_id": interviewer, "attempted_at": attempted, "mode": mode, "disposition": found.code,
                "appointment_at": appointment, "note": table.text(i, "note"),
            })  # fmt: skip
    # an interview is final: no other attempt after a case's complete or partial interview (in time order)
    by_case: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda r: (r["code"], r["attempted_at"], r["index"])):
        by_case.setdefault(row["code"], []).append(row)
    for code, attempts in by_case.items():
        interviewed = D.category(stored_final.get(code)) in ("I", "P")
        for row in attempts:
            category = D.category(row["disposition"])
            if interviewed and category not in ("I", "P"):
                report.add(ErrorCode.CASE_CLOSED, table.where(row["index"], "disposition"), case=code,
                           disposition=stored_final.get(code) or "1.x", label=D.label(stored_final.get(code) or "1.1"))  # fmt: skip
            if category in ("I", "P"):
                stored_final[code] = row["disposition"]
                interviewed = True
    report.raise_if_errors(DataImportError)
    return rows


def import_contacts(store: Any, path: str | Path, *, period: str, questionnaire_id: str | None = None,
                    by: str | None = None, now: dt.datetime | None = None) -> ContactImport:  # fmt: skip
    """Import a paper contact log for ``period``: all or nothing (see :func:`read_contacts`). New cases
    belong to ``questionnaire_id`` (default: the default profile's respondents' questionnaire)."""
    if questionnaire_id is None:
        from surveykit.scoring import DEFAULT_PROFILE, load_profile

        questionnaire_id = load_profile(DEFAULT_PROFILE).respondents_source
    store.version(questionnaire_id)  # SK503 when it is not published
    rows = [
        {**row, "questionnaire_id": questionnaire_id}
        for row in read_contacts(store, path, period=period, now=now)
    ]
    if not rows:
        raise DataImportError(
            ErrorCode.IMPORT_VALUE_INVALID, Location(file=str(path)),
            detail=Translated(en="the contact log has no rows", ru="в журнале контактов нет строк"),
            fix=Translated(en="Add one row per contact attempt under the header.",
                           ru="Добавьте по строке на каждую попытку контакта под заголовком."),
        )  # fmt: skip
    try:
        done = store.fieldwork.import_log(rows, period=period, by=by)
    except StoreError as err:  # a race with another writer: reported with the file
        report = Report(subject=str(path))
        report.problems.append(err.problem)
        raise DataImportError(err.code, err.location, report=report, **err.params) from err
    return ContactImport(str(path), period, done["attempts"], done["cases_created"])


# --- exports ---------------------------------------------------------------------------------------------------
def contacts_export_frame(store: Any, *, period: str | None = None, language: str = "en",
                          pseudonymise: bool = False) -> pd.DataFrame:  # fmt: skip
    """The contact log as exported: one row per attempt with the case id as written on paper, the AAPOR code,
    its words and its category (interviewer ids pseudonymised on request)."""
    frame = store.fieldwork.contacts_frame(period=period)
    out = pd.DataFrame({
        "case_id": frame["code"], "period": frame["period"], "institution_id": frame["institution_id"],
        "questionnaire_id": frame["questionnaire_id"], "interviewer_id": frame["interviewer_id"],
        "attempted_at": frame["attempted_at"], "mode": frame["mode"], "disposition": frame["disposition"],
        "disposition_label": [D.label(c, language) for c in frame["disposition"]],
        "category": frame["category"], "appointment_at": frame["appointment_at"], "note": frame["note"],
        "source": frame["source"],
    })  # fmt: skip
    if pseudonymise and len(out):
        from surveykit.exchange.pseudonyms import pseudonym_key
        from surveykit.exchange.pseudonyms import pseudonymise as hide

        out["interviewer_id"] = hide(out["interviewer_id"], pseudonym_key())
    return out


def export_contacts(store: Any, path: str | Path, *, period: str | None = None, language: str = "en",
                    pseudonymise: bool = False) -> tuple[Path, int]:  # fmt: skip
    """Write the contact log (CSV, XLSX or .sav with labels); returns the path and the number of attempts."""
    from surveykit.fieldwork.files import write_table
    from surveykit.i18n import t

    frame = contacts_export_frame(store, period=period, language=language, pseudonymise=pseudonymise)
    columns = list(frame.columns)
    labels = {c: t(f"fieldwork.column.{c}", language) for c in columns}
    value_labels = {"category": {c: t(f"category.{c}", language) for c in D.CATEGORIES}}
    if (
        Path(path).suffix.lower() == ".sav"
    ):  # a labelled numeric outcome group (pyreadstat keeps no labels on text)
        frame = frame.assign(
            category_code=[D.CATEGORIES.index(c) + 1 if c else None for c in frame["category"]]
        )
        labels["category_code"] = t("fieldwork.column.category", language)
        value_labels = {
            "category_code": {
                i + 1: f"{c} {t(f'category.{c}', language)}" for i, c in enumerate(D.CATEGORIES)
            }
        }
    written = write_table(frame, path, sheet="contacts", labels=labels, value_labels=value_labels)
    return written, len(frame)


# --- rates ----------------------------------------------------------------------------------------------------------
def rates_table(cases: pd.DataFrame, by: str | None = None, e: float | None = None) -> pd.DataFrame:
    """The AAPOR counts and rates of ``cases`` (a :meth:`Fieldwork.cases_frame`): one row per group of ``by``
    (``institution``, ``interviewer``, ``mode``; column ``group``: its id) and a last row ``all``. ``e`` is
    estimated by CASRO within each group unless given. Cases without any attempt are not counted (nothing
    has happened to them yet). Rates whose denominator is 0 are missing (None)."""
    columns = ["group", *RATE_COLUMNS]
    if by is not None and by not in BY:
        raise StoreError(
            ErrorCode.OPTION_CONFLICT, Location(field="by"), detail=f"'{by}' is not a breakdown of the rates",
            fix=f"Use one of: {', '.join(BY)}.",
        )  # fmt: skip
    worked = cases[cases["final"].notna()] if len(cases) else cases
    rows = []
    if by is not None and len(worked):
        key = {"institution": "institution_id", "interviewer": "interviewer_id", "mode": "mode"}[by]
        for group, part in worked.groupby(worked[key].fillna("(unknown)").astype(str), sort=True):
            rows.append({"group": group, **rates_of_codes(part["final"], e)})
    rows.append({"group": "all", **rates_of_codes(worked["final"] if len(worked) else [], e)})
    frame = pd.DataFrame(rows, columns=columns)
    for category in D.CATEGORIES:
        frame[category] = frame[category].astype("int64")
    return frame
