"""A small, realistic-looking sample for the dashboard, the reports, their tests and the benchmark.

Until the lead's demo database (``surveykit demo build``) exists, this module provides what the council
outputs need: named institutions in several municipalities and of several types, recipient interviews over
two periods, website and premises audits, fieldwork assignments, and open answers (q16) with their reviews.
The answers come from :func:`surveykit.scoring.demo.synthetic_sources` (no real data, reproducible by seed);
this module only names the institutions, shapes the frames like the shipped questionnaires, and can write
everything into a :class:`~surveykit.store.Store` through its public import (so what the apps read from a
database is exactly what they read from frames).

One institution (``SMALL_INSTITUTION``) has only a handful of interviews in the latest period: it is there
on purpose, so that small-cell suppression is visible in the dashboard and exercised by the tests.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveykit.scoring.demo import AUDIT_REMOTE, AUDIT_SITE, AUDIT_STAND, PREMISES_ITEMS, synthetic_sources
from surveykit.spreadsheet import write_csv

__all__ = [
    "SAMPLE_INSTITUTIONS",
    "SMALL_INSTITUTION",
    "Sample",
    "build_sample_database",
    "fill_store",
    "institutions_frame",
    "sample_data",
]

#: (id, name, type, municipality): a region with four municipalities and four kinds of institution
SAMPLE_INSTITUTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("kcson_sev", "КЦСОН Северного района", "kcson", "Северный район"),
    ("kcson_zar", "КЦСОН Заречного района", "kcson", "Заречный район"),
    ("kcson_svet", "КЦСОН города Светлогорска", "kcson", "г. Светлогорск"),
    ("kcson_oz", "КЦСОН Озёрского района", "kcson", "Озёрский район"),
    ("dom_veteran", "Дом-интернат для престарелых и инвалидов «Ветеран»", "elderly_home", "г. Светлогорск"),
    ("dom_sosny", "Дом-интернат «Сосновый бор»", "elderly_home", "Озёрский район"),
    ("pni_2", "Психоневрологический интернат № 2", "psycho_home", "Заречный район"),
    ("pni_5", "Психоневрологический интернат № 5", "psycho_home", "Северный район"),
    (
        "srcn_raduga",
        "Социально-реабилитационный центр для несовершеннолетних «Радуга»",
        "children_rehab",
        "г. Светлогорск",
    ),
    ("srcn_nadezhda", "Социально-реабилитационный центр «Надежда»", "children_rehab", "Северный район"),
    ("kcson_lug", "КЦСОН Луговского района", "kcson", "Луговской район"),
    ("dom_ryabinka", "Малый дом-интернат «Рябинка»", "elderly_home", "Луговской район"),
)
REGION = "Северо-Западная область"
#: the institution with too few interviews in the latest period (its figures must never be shown)
SMALL_INSTITUTION = "dom_ryabinka"
SMALL_N = 3

_SUGGESTIONS = (
    "Поставить больше скамеек в коридоре у кабинетов специалистов.",
    "Хотелось бы, чтобы на сайте публиковали расписание кружков заранее.",
    "Сделать пандус у второго входа, зимой там скользко.",
    "Спасибо персоналу за внимание и терпение.",
    "Чаще приглашать врача-терапевта, очередь на приём большая.",
    "Установить кулер с питьевой водой в холле.",
    "Дать возможность записываться на услуги по телефону вечером.",
)
#: a suggestion that names a person: in the sample it is rejected by the reviewer and must never be shown
_IDENTIFYING = "Медсестра Иванова Мария Петровна из палаты 12 грубит моей маме."


@dataclass
class Sample:
    """Everything a council output reads: canonical frames per questionnaire and the tables beside them.

    ``frames`` is the mapping :func:`surveykit.dashboard.dashboard_data` accepts as a source (questionnaire
    frames plus ``institutions``, ``assignments`` and ``open_answer_reviews``)."""

    frames: dict[str, pd.DataFrame]
    periods: tuple[str, ...]
    interviewers: dict[str, str] = field(default_factory=dict)

    @property
    def institutions(self) -> pd.DataFrame:
        return self.frames["institutions"]


def institutions_frame(ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The sample institutions (or ``len(ids)`` generated ones for ids beyond the named twelve)."""
    rows = [
        {"institution_id": i, "name": n, "type": t, "region": REGION, "municipality": m}
        for i, n, t, m in SAMPLE_INSTITUTIONS
    ]
    if ids is None:
        return pd.DataFrame(rows)
    types = ["kcson", "elderly_home", "psycho_home", "children_rehab"]
    out = []
    for k, ident in enumerate(ids):
        kind = types[k % len(types)]
        out.append(
            {
                "institution_id": ident,
                "name": f"Учреждение № {k + 1}",
                "type": kind,
                "region": REGION,
                "municipality": f"Муниципалитет {k % 40 + 1}",
            }
        )
    return pd.DataFrame(out)


def sample_data(
    *,
    interviews_per_institution: int = 60,
    periods: Sequence[str] = ("2024", "2025"),
    seed: int = 7,
) -> Sample:
    """The twelve sample institutions over ``periods``; ``SMALL_INSTITUTION`` has ``SMALL_N`` interviews in
    the latest period. Answers use the shipped questionnaires' choice names."""
    periods = tuple(str(p) for p in periods)
    ids = [row[0] for row in SAMPLE_INSTITUTIONS]
    n = len(ids)
    total = interviews_per_institution * n * len(periods)
    raw = synthetic_sources(n, total, periods=periods, seed=seed)
    rng = np.random.default_rng(seed + 1)
    code_to_id = {f"inst_{k:04d}": ident for k, ident in enumerate(ids)}

    survey = raw["recipient_survey"]
    inst = survey["institution_id"].astype(str).map(code_to_id)
    period = survey["period"].astype(str)
    keep = ~((inst == SMALL_INSTITUTION) & (period == periods[-1]))
    small_rows = np.flatnonzero(~keep.to_numpy())[:SMALL_N]
    keep.iloc[small_rows] = True
    survey = survey[keep.to_numpy()].reset_index(drop=True)
    survey["institution_id"] = survey["institution_id"].astype(str).map(code_to_id)
    survey["period"] = survey["period"].astype(str)
    m = len(survey)
    survey["interview_id"] = [str(uuid.UUID(int=int(x), version=4)) for x in rng.integers(0, 2**63, m)]
    # interviewers: two per municipality-ish, named
    interviewers = {f"int_{j:02d}": name for j, name in enumerate(_INTERVIEWER_NAMES)}
    codes = list(interviewers)
    home = {ident: k % len(codes) for k, ident in enumerate(ids)}
    pick = rng.integers(0, 2, m)
    survey["interviewer_id"] = [
        codes[(home[i] + p) % len(codes)] for i, p in zip(survey["institution_id"], pick, strict=True)
    ]
    survey["consent"] = pd.Categorical(["yes"] * m, categories=["yes", "no"])
    age_names = ["a18_34", "a35_54", "a55_64", "a65_74", "a75p"]
    survey["age_group"] = pd.Categorical.from_codes(rng.integers(0, 5, m), categories=age_names)
    texts = np.full(m, None, dtype=object)
    said = rng.random(m) < 0.12
    texts[said] = np.array(_SUGGESTIONS, dtype=object)[rng.integers(0, len(_SUGGESTIONS), said.sum())]
    first = int(np.flatnonzero(survey["institution_id"].to_numpy() == "kcson_sev")[0])
    texts[first] = _IDENTIFYING
    survey["q16"] = texts
    survey["mode"] = "face_to_face"
    survey["language"] = "ru"

    def checklist(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        out["institution_id"] = out["institution_id"].astype(str).map(code_to_id)
        out["period"] = out["period"].astype(str)
        out["interview_id"] = [
            str(uuid.UUID(int=int(x), version=4)) for x in rng.integers(0, 2**63, len(out))
        ]
        out["interviewer_id"] = codes[0]
        out["mode"] = "observation"
        out["language"] = "ru"
        return out

    audit = checklist(raw["website_audit"])
    premises = checklist(raw["premises_checklist"])
    reviews = _reviews(survey, rng)
    assignments = _assignments(survey, periods, interviewers_per=2, rng=rng)
    frames = {
        "recipient_survey": survey,
        "website_audit": audit,
        "premises_checklist": premises,
        "institutions": institutions_frame(),
        "assignments": assignments,
        "open_answer_reviews": reviews,
        "interviewers": pd.DataFrame(
            {"interviewer_id": list(interviewers), "name": list(interviewers.values())}
        ),
    }
    return Sample(frames=frames, periods=periods, interviewers=interviewers)


_INTERVIEWER_NAMES = (
    "Анна Смирнова",
    "Борис Кузнецов",
    "Вера Попова",
    "Глеб Соколов",
    "Дарья Лебедева",
    "Егор Новиков",
)


def _reviews(survey: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Open-answer reviews: most suggestions approved (some lightly redacted), the identifying one rejected,
    a few still pending."""
    has = survey["q16"].notna().to_numpy()
    rows = []
    for i in np.flatnonzero(has):
        text = survey["q16"].iloc[i]
        if text == _IDENTIFYING:
            status, published = "rejected", None
        else:
            u = rng.random()
            status = "pending" if u < 0.15 else "approved"
            published = text if status == "approved" else None
        rows.append(
            {
                "interview_id": survey["interview_id"].iloc[i],
                "question": "q16",
                "status": status,
                "published_text": published,
                "reviewer_id": "soc_01",
            }
        )
    return pd.DataFrame(rows, columns=["interview_id", "question", "status", "published_text", "reviewer_id"])


def _assignments(
    survey: pd.DataFrame, periods: Sequence[str], *, interviewers_per: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Targets per interviewer, institution and period; ``done`` counted from the interviews. The latest
    period is still in the field: targets above what is done for some institutions."""
    done = (
        survey.groupby(["interviewer_id", "institution_id", "period"], observed=True)
        .size()
        .rename("done")
        .reset_index()
    )
    latest = done["period"] == periods[-1]
    extra = np.where(latest, rng.integers(0, 25, len(done)), 0)
    done["target"] = np.maximum(done["done"] + extra, 15)
    done["questionnaire_id"] = "recipient_survey"
    return done[["interviewer_id", "institution_id", "questionnaire_id", "period", "target", "done"]]


# --- writing the sample into a store ---------------------------------------------------------------------------
_META = ("interview_id", "institution_id", "interviewer_id", "mode", "language", "period", "submitted_at")


def fill_store(store: Any, sample: Sample) -> None:
    """Write the sample into an (empty, migrated) store: questionnaires, institutions, people, assignments,
    interviews (through the store's CSV import) and open-answer reviews."""
    from surveykit.config import settings
    from surveykit.questionnaire.io import load_questionnaire

    folder = Path(settings().questionnaires_dir)
    for qid in ("recipient_survey", "website_audit", "premises_checklist"):
        store.publish(load_questionnaire(folder / f"{qid}.yaml"))
    for row in sample.institutions.itertuples(index=False):
        store.add_institution(
            row.institution_id, row.name, type=row.type, region=row.region, municipality=row.municipality
        )
    for ident, name in sample.interviewers.items():
        store.add_person(ident, name, ["interviewer"])
    store.add_person("soc_01", "Социолог совета", ["sociologist"])
    for row in sample.frames["assignments"].itertuples(index=False):
        store.assign(
            row.interviewer_id, row.institution_id, row.questionnaire_id, row.period, int(row.target)
        )
    with tempfile.TemporaryDirectory() as tmp:
        for qid in ("recipient_survey", "website_audit", "premises_checklist"):
            frame = _import_frame(qid, sample.frames[qid], store.questionnaire(qid))
            path = Path(tmp) / f"{qid}.csv"
            write_csv(path, frame)  # the importer undoes the formula guard: the texts arrive unchanged
            store.import_responses(path, qid, defaults={"status": "submitted"})
    reviews = sample.frames["open_answer_reviews"]
    for row in reviews.itertuples(index=False):
        store.reviews.review(
            row.interview_id,
            row.question,
            row.status,
            published_text=row.published_text,
            reviewer_id=row.reviewer_id,
        )


def build_sample_database(url: str, sample: Sample | None = None) -> Sample:
    """Create (migrate) the database at ``url`` and fill it with the sample; returns the sample written."""
    from surveykit.store import Store

    sample = sample or sample_data()
    Store.upgrade(url)
    with Store.open(url, enforce_certification=False) as store:
        fill_store(store, sample)
    return sample


def _import_frame(qid: str, frame: pd.DataFrame, questionnaire: Any) -> pd.DataFrame:
    """The frame as the store's CSV import reads it: choice names as text, required evidence filled in."""
    from surveykit.questionnaire.model import QuestionType

    out = pd.DataFrame({c: frame[c] for c in _META if c in frame.columns})
    out["submitted_at"] = pd.to_datetime(frame["submitted_at"]).dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    out["started_at"] = out["submitted_at"]
    for question in questionnaire.questions():
        code = question.code
        if code in frame.columns and code not in out.columns:
            out[code] = frame[code].astype(object).where(frame[code].notna(), "")
    if qid == "recipient_survey":
        return out
    # checklists: the evidence and dates the questionnaires require for every item found present
    n = len(out)
    texts: dict[str, Any] = {}
    for question in questionnaire.questions():
        code = question.code
        if code in out.columns:
            continue
        if question.type is QuestionType.DATE:
            texts[code] = ["2025-04-01"] * n
        elif question.type is QuestionType.TEXT:
            base = code.removesuffix("_ev").removesuffix("_photo").removesuffix("_log")
            if base in out.columns:
                present = out[base].isin(["present", "outdated", "yes", "functioning", "not_functioning"])
                texts[code] = np.where(present, "https://example.org/evidence", "")
            elif question.required:
                texts[code] = ["https://example.org"] * n
    return pd.concat([out, pd.DataFrame(texts, index=out.index)], axis=1)


#: the item columns of the synthetic checklists (for tests that need them)
CHECKLIST_ITEMS: Mapping[str, list[str]] = {
    "website_audit": [*AUDIT_SITE, *AUDIT_STAND, *AUDIT_REMOTE],
    "premises_checklist": list(PREMISES_ITEMS),
}
