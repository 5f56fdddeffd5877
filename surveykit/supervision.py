"""What supervisors and sociologists review: submitted interviews, and open answers before publication.

* :func:`interviews_to_review` — submitted (not yet approved or rejected) interviews of a questionnaire with
  the quality-control signals of :mod:`surveykit.quality` (too short; the interviewer's flags), newest first.
* :func:`open_answers` — the answers to open questions (long text: suggestions, comments) with their review
  status. Open answers can identify people, so councils see only those approved for publication, in the
  approved (possibly redacted) wording; the store keeps the decision (``store.reviews``) and the audit log
  records who decided.
"""

from __future__ import annotations

import pandas as pd

from surveykit.questionnaire.compiled import Form
from surveykit.questionnaire.model import QuestionType

__all__ = ["interviews_to_review", "open_answer_questions", "open_answers"]


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
