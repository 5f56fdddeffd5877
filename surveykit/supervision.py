"""What supervisors and sociologists review: submitted interviews, and open answers before publication.

* :func:`interviews_to_review` — submitted (not yet approved or rejected) interviews of a questionnaire with
  the quality-control signals of :mod:`surveykit.quality` (too short; the interviewer's flags), newest first.
* :func:`open_answers` — the answers to open questions (long text: suggestions, comments) with their review
  status. Open answers can identify people, so councils see only those approved for publication, in the
  approved (possibly redacted) wording; the store keeps the decision (``store.reviews``) and the audit log
  records who decided.
* :func:`interview_review` — one interview as the supervisor reads it before deciding: every question in
  questionnaire order with its answer as labels, skipped questions marked, calculated values, the paradata
  timeline (time per page, changed answers) and the quality-control flags that concern it. The app only lays
  the rows out; the words come from here.
* :func:`request_backcheck` — the supervisor sends one interview to back-check (reason ``supervisor``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from surveykit.access import Principal, require
from surveykit.i18n import pick, t
from surveykit.questionnaire.compiled import Form
from surveykit.questionnaire.model import QuestionType

__all__ = [
    "AnswerRow",
    "ChangeRow",
    "FlagRow",
    "InterviewReview",
    "PageTime",
    "answer_text",
    "interview_review",
    "interviews_to_review",
    "open_answer_questions",
    "open_answers",
    "questionnaire_choices",
    "request_backcheck",
]

_REF = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")


def questionnaire_choices(store: Any, language: str) -> list[tuple[str, str]]:
    """The published questionnaires as (title in ``language``, id), by title; the id is added only where two
    titles read the same (a reader chooses by title, never by code)."""
    ids = sorted({v.questionnaire_id for v in store.versions()})
    titles = {}
    for qid in ids:
        q = store.questionnaire(qid)
        titles[qid] = q.text(q.title, language) or qid
    seen = pd.Series(list(titles.values())).value_counts()
    return sorted(
        ((f"{title} ({qid})" if seen[title] > 1 else title, qid) for qid, title in titles.items()),
        key=lambda pair: pair[0].casefold(),
    )


def open_answer_questions(form: Form) -> list[str]:
    """The open questions whose answers might be published: long-text questions outside repeats."""
    return [
        v.code
        for v in form.variables_of(None)
        if v.question.type is QuestionType.TEXT and v.question.multiline and v.calculation is None
    ]


def interviews_to_review(store, questionnaire_id: str) -> pd.DataFrame:
    """Submitted interviews awaiting a decision, with quality signals, newest first."""
    frame = store.interviews_frame(questionnaire_id, status=("submitted",))
    columns = ["interview_id", "institution_id", "interviewer_id", "mode", "submitted_at", "minutes", "too_short",
               "interviewer_flags"]  # fmt: skip
    if frame.empty:
        return pd.DataFrame(columns=columns)
    from surveykit.quality import quality_report  # the checks need SciPy: loaded with the first review list

    everything = store.interviews_frame(questionnaire_id, status=("submitted", "approved"))
    report = quality_report(store.form(questionnaire_id), everything)
    flags = report.interviewers.set_index("interviewer_id")
    flag_columns = [c for c in flags.columns if c.startswith("flag_")]
    named = flags[flag_columns].apply(
        lambda row: ", ".join(c.removeprefix("flag_") for c in flag_columns if row[c]), axis=1
    )
    signals = report.interviews.set_index("interview_id")[["minutes", "too_short"]]
    out = frame[["interview_id", "institution_id", "interviewer_id", "mode", "submitted_at"]].join(
        signals, on="interview_id"
    )
    out["interviewer_flags"] = out["interviewer_id"].map(named).fillna("")
    return out.sort_values("submitted_at", ascending=False).reset_index(drop=True)[columns]


def open_answers(store, questionnaire_id: str, *, status: str | None = None) -> pd.DataFrame:
    """Open answers of submitted and approved interviews with their review: ``pending`` until decided."""
    form = store.form(questionnaire_id)
    questions = open_answer_questions(form)
    columns = ["interview_id", "institution_id", "question", "text", "status", "published_text"]
    frame = store.interviews_frame(questionnaire_id)
    if frame.empty or not questions:
        return pd.DataFrame(columns=columns)
    long = frame.melt(
        id_vars=["interview_id", "institution_id"],
        value_vars=questions,
        var_name="question",
        value_name="text",
    )
    long = long[long["text"].notna() & (long["text"].astype(str).str.strip() != "")]
    decided = pd.DataFrame(
        [(r.interview_id, r.question, r.status, r.published_text) for r in store.reviews.reviews()],
        columns=["interview_id", "question", "status", "published_text"],
    )
    out = long.merge(decided, on=["interview_id", "question"], how="left")
    out["status"] = out["status"].fillna("pending")
    if status is not None:
        out = out[out["status"] == status]
    return out.reset_index(drop=True)[columns]


# --- one interview, as the supervisor reads it ---------------------------------------------------------------------
@dataclass(frozen=True)
class AnswerRow:
    """One question of the interview. ``state``: ``answered``, ``unanswered`` (asked, left blank), ``skipped``
    (not asked: its relevance was false) or ``calculated`` (computed, never asked)."""

    page: str  # the page (section) title in the language
    code: str  # the variable; inside a repeat ``group[n].code``
    question: str  # the question text (a matrix row: "question — row")
    answer: str  # the answer as labels, never codes ("" when skipped or unanswered)
    state: str


@dataclass(frozen=True)
class PageTime:
    """Time spent on one page of the interview (paradata), over all visits."""

    page: str  # the page title
    seconds: float
    visits: int
    changes: int  # answers changed or cleared on the page


@dataclass(frozen=True)
class ChangeRow:
    """An answer changed (or cleared) during the interview."""

    at: dt.datetime | None
    page: str
    question: str
    old: str
    new: str


@dataclass(frozen=True)
class FlagRow:
    """A quality-control flag (case) that concerns the interview, or its interviewer, in words."""

    case_id: int
    level: str  # interview or interviewer
    rule: str  # the rule's name in the language
    detail: str
    status: str  # the case status in the language


@dataclass(frozen=True)
class InterviewReview:
    interview_id: str
    meta: Any  # surveykit.store.InterviewMeta
    answers: list[AnswerRow]
    pages: list[PageTime]
    changes: list[ChangeRow]
    flags: list[FlagRow]
    minutes: float | None  # from the first to the last paradata event (None without paradata)
    mode: str = ""  # the mode's name in the language
    notes: list[Any] = field(default_factory=list)  # earlier decisions (store.review_notes)


def answer_text(var: Any, value: Any, language: str, default: str | None = None) -> str:
    """An answer as a reader should see it: choice labels (not codes), dates and numbers plainly; ``""`` when
    there is none. ``var`` is a compiled :class:`~surveykit.questionnaire.compiled.Variable`."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    labels = {c.name: pick(c.label, language, default) for c in var.choices}
    if isinstance(value, (set, frozenset, list, tuple)):
        chosen = {str(v) for v in value}
        return ", ".join(labels.get(n, n) for n in var.choice_names if n in chosen) or ", ".join(
            sorted(chosen)
        )
    if labels and isinstance(value, str) and " " in value and var.kind.name == "MULTI":
        return answer_text(var, value.split(), language, default)
    if var.type.is_media:
        return t("supervisor.review.file", language, kind=str(value).rsplit(".", 1)[-1].upper())
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return t("supervisor.review.yes" if value else "supervisor.review.no", language)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4g}"
    return labels.get(str(value), str(value))


def interview_review(store: Any, interview_id: str, language: str, *, actor: Principal) -> InterviewReview:
    """The whole interview in questionnaire order, its paradata timeline and its quality-control flags
    (permissions ``interviews.read_all`` and ``quality.read``)."""
    from surveykit.dashboard.labels import mode_label
    from surveykit.questionnaire.frame import python_value
    from surveykit.questionnaire.validate import evaluate

    require(actor, "interviews.read_all")
    require(actor, "quality.read")
    loaded = store.load_interview(interview_id)
    meta = loaded.meta
    form = store.form(meta.questionnaire_id, meta.questionnaire_version)
    default = form.questionnaire.default_language
    state = evaluate(form, loaded.answers, language=language, report_not_relevant=False)
    main = state.levels[None]

    def main_value(code: str) -> str:
        var = form.variables.get(code)
        if var is None or var.repeat is not None:
            return ""
        return answer_text(var, python_value(var, main.values[code], 0), language, default) or "…"

    def text(texts: Any) -> str:
        raw = pick(texts, language, default)
        return _REF.sub(lambda m: main_value(m.group(1)), raw) if "${" in raw else raw

    def question_text(var: Any) -> str:
        label = text(var.question.label) or var.code
        return f"{label} — {pick(var.row.label, language, default)}" if var.row is not None else label

    def row(page: str, var: Any, key: str, level: Any, r: int) -> AnswerRow:
        if var.calculation is not None:
            value = python_value(var, level.values[var.code], r)
            return AnswerRow(page, key, question_text(var), answer_text(var, value, language, default),
                             "calculated")  # fmt: skip
        if not bool(level.relevant[var.code][r]):
            return AnswerRow(page, key, question_text(var), "", "skipped")
        value = python_value(var, level.values[var.code], r)
        shown = answer_text(var, value, language, default)
        return AnswerRow(page, key, question_text(var), shown, "answered" if shown else "unanswered")

    rows: list[AnswerRow] = []
    titles: dict[str, str] = {}
    for number, page in enumerate(form.pages, start=1):
        title = text(page.group.label) if page.group is not None else ""
        title = title or t("supervisor.review.page", language, n=number)
        titles[page.code] = title
        done: set[str] = set()
        for code in page.variables:
            var = form.variables[code]
            if var.type.name == "NOTE":
                continue
            if var.repeat is None:
                rows.append(row(title, var, code, main, 0))
                continue
            if var.repeat in done:
                continue
            done.add(var.repeat)
            level = state.levels[var.repeat]
            group = text(form.repeats[var.repeat].label) or var.repeat
            members = [form.variables[c] for c in page.variables if form.variables[c].repeat == var.repeat]
            for r in range(level.n):
                for member in members:
                    if member.type.name == "NOTE":
                        continue
                    rows.append(row(f"{title} · {group} {r + 1}", member, f"{var.repeat}[{r + 1}].{member.code}",
                                    level, r))  # fmt: skip
    pages, changes, minutes = _timeline(store, form, interview_id, titles, language, default)
    return InterviewReview(
        interview_id=meta.id,
        meta=meta,
        answers=rows,
        pages=pages,
        changes=changes,
        flags=_flags(store, meta, language),
        minutes=minutes,
        mode=mode_label(meta.mode, language),
        notes=list(store.review_notes(meta.id)),
    )


def _timeline(
    store: Any, form: Any, interview_id: str, titles: Mapping[str, str], language: str, default: str | None
) -> tuple[list[PageTime], list[ChangeRow], float | None]:
    """Time per page and changed answers from the paradata. The time of an event (``elapsed_ms``) is the time
    since the event before it, so the time on a page is the sum over its events after entering it."""
    events = store.paradata_frame(interview_ids=[interview_id], practice=None)
    if events.empty:
        return [], [], None
    seconds: dict[str, float] = {}
    visits: dict[str, int] = {}
    changed: dict[str, int] = {}
    changes: list[ChangeRow] = []
    for e in events.itertuples():
        page = e.page if isinstance(e.page, str) else None
        if page is None:
            continue
        seconds.setdefault(page, 0.0)
        if e.event in ("page_enter", "resume"):
            visits[page] = visits.get(page, 0) + 1
        elif pd.notna(e.elapsed_ms):
            seconds[page] += int(e.elapsed_ms) / 1000
        if e.event in ("answer_changed", "answer_cleared") and isinstance(e.question, str):
            changed[page] = changed.get(page, 0) + 1
            var = form.variables.get(e.question.split(".")[-1].split("[")[0])
            question = (
                (pick(var.question.label, language, default) or var.code) if var is not None else e.question
            )
            old = (
                answer_text(var, e.old_value, language, default)
                if var is not None
                else str(e.old_value or "")
            )
            new = (
                answer_text(var, e.new_value, language, default)
                if var is not None
                else str(e.new_value or "")
            )
            at = e.at.to_pydatetime() if isinstance(e.at, pd.Timestamp) else None
            changes.append(ChangeRow(at, titles.get(page, page), question, old, new))
    order = [p.code for p in form.pages if p.code in seconds] + [p for p in seconds if p not in titles]
    pages = [
        PageTime(titles.get(p, p), round(seconds[p], 1), visits.get(p, 0), changed.get(p, 0)) for p in order
    ]
    span = (events["at"].max() - events["at"].min()).total_seconds() / 60
    return pages, changes, round(float(span), 1)


def _flags(store: Any, meta: Any, language: str) -> list[FlagRow]:
    """The cases about this interview and about its interviewer (for this questionnaire), newest first."""
    from surveykit.casework import _rule_name, case_detail

    cases = store.casework.cases(questionnaire_id=meta.questionnaire_id, interviewer_id=meta.interviewer_id)
    mine = cases[(cases["level"] == "interviewer") | (cases["interview_id"].astype(str) == str(meta.id))]
    return [
        FlagRow(
            int(c["id"]),
            str(c["level"]),
            _rule_name(str(c["rule"]), language),
            case_detail(c, language),
            t(f"casework.status.{c['status']}", language),
        )  # fmt: skip
        for c in mine.iloc[::-1].to_dict("records")
    ]


def request_backcheck(store: Any, interview_id: str, *, actor: Principal, comment: str = "") -> bool:
    """Send one interview to back-check (reason ``supervisor``; permission ``quality.decide``); an open case
    about the interview moves to back-check with it. False when it has been back-checked or queued already."""
    from surveykit import casework as qc

    require(actor, "quality.decide")
    meta = store.interview(interview_id)
    cases = store.casework.cases(status="open", interview_id=meta.id)
    if len(cases):
        qc.decide(store, int(cases["id"].iloc[0]), "backcheck", actor=actor, comment=comment)
        return True
    return bool(store.casework.queue_backchecks([(meta.id, "supervisor", None)], by=actor.id))
