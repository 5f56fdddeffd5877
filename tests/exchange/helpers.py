"""Helpers of the data-exchange tests: answers for the shipped questionnaires, canonical frames, stores."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from surveykit.config import PROJECT_ROOT
from surveykit.questionnaire.compiled import Form, compile_form
from surveykit.questionnaire.io import load_questionnaire
from surveykit.questionnaire.model import Questionnaire
from surveykit.questionnaire.validate import validate_frame

QUESTIONNAIRES = PROJECT_ROOT / "questionnaires"
LONG_TEXT = ("Хотелось бы, чтобы социальный работник приходил чаще и оставался дольше. " * 12).strip()
assert len(LONG_TEXT.encode("utf-8")) > 300 and len(LONG_TEXT) <= 2000


def load(name: str) -> Questionnaire:
    return load_questionnaire(QUESTIONNAIRES / f"{name}.yaml")


def example_answers(i: int) -> dict[str, Any]:
    """Interview ``i`` of example_all_types: every question type, missing codes, 0-2 relatives."""
    region = ["north", "south"][i % 2]
    services = [
        frozenset({"meals", "cleaning"}),
        frozenset({"medical"}),
        frozenset({"company", "meals", "medical"}),
    ][i % 3]
    n_relatives = i % 3
    answers: dict[str, Any] = {
        "consent": "yes",
        "interview_date": dt.date(2026, 1, 1) + dt.timedelta(days=i),
        "visit_start": [dt.time(9, 30), "14:05:30", None][i % 3],
        "next_visit": [dt.datetime(2099, 3, 1, 10, 15), None][i % 2],
        "location": ["55.7558 37.6173", None, "-33.8688 151.2093 58 5"][i % 3],
        "age": 60 + i % 35,
        "region": region,
        "municipality": {"north": "n_city", "south": "s_village"}[region],
        "height_m": [1.72, None, 1.6][i % 3],
        "phone": "+7 912 345-67-89" if i % 2 else None,
        "services": services,
        "uses_meals": ("yes" if i % 4 else "no") if "meals" in services else None,
        "visits_per_week": i % 7,
        "satisfaction": ["1", "2", "3", "4", "5", "dk", "refused"][i % 7],
        "waiting": ["dk", "5", None, "refused"][i % 4],
        "grid_late": ["never", "sometimes", "often"][i % 3],
        "grid_rushed": ["often", None, "never"][i % 3],
        "grid_explains": "sometimes",
        "n_relatives": n_relatives,
        "relatives": [
            {"rel_relation": ["child", "spouse"][k % 2], "rel_age": [35, 70][k % 2] if k or i % 2 else None}
            for k in range(n_relatives)
        ],
        "suggestions": LONG_TEXT if i % 2 == 0 else "Больше прогулок",
    }
    return answers


def recipient_answers(i: int) -> dict[str, Any]:
    """Interview ``i`` of recipient_survey, routing respected (q2 after q1, q4 after q3 ...)."""
    yn = ["yes", "yes", "no", "yes", "dk"]
    answers: dict[str, Any] = {"consent": "yes", "proxy_respondent": "no" if i % 5 else "yes"}
    for filt, item in (("q1", "q2"), ("q3", "q4"), ("q7", "q8"), ("q11", "q12")):
        answers[filt] = "yes" if i % 3 else "no"
        if answers[filt] == "yes":
            answers[item] = yn[(i + len(item)) % 5]
    for q in ("q5", "q6", "q9", "q10", "q13", "q14", "q15"):
        answers[q] = yn[(i * 7 + int(q[1:])) % 5]
    answers["q16"] = "Спасибо" if i % 4 == 0 else None
    answers["sex"] = ["female", "male"][i % 2]
    answers["age_group"] = ["a18_34", "a35_54", "a55_64", "a65_74", "a75p"][i % 5]
    answers["service_form"] = ["home", "semi_stationary", "stationary"][i % 3]
    return answers


def staff_answers(i: int) -> dict[str, Any]:
    form = compile_form(load("staff_survey"))
    answers: dict[str, Any] = {"consent": "yes"}
    points = ["1", "2", "3", "4", "5", "4", "dk", "5", "refused"]
    for k, (code, var) in enumerate(form.variables.items()):
        if var.type.value == "likert":
            answers[code] = points[(i + k) % len(points)]
        elif var.type.value == "matrix":
            answers[code] = ["1", "2", "3", "4", "5", "dk"][(i + k) % 6]
    answers["training_needs"] = [
        frozenset({"first_aid", "dementia"}),
        frozenset({"none"}),
        frozenset({"other"}),
    ][i % 3]
    answers["training_other"] = "Жестовый язык" if i % 3 == 2 else None
    answers["plan_to_stay"] = ["yes", "no", "dk"][i % 3]
    answers["position"] = ["social_worker", "specialist", "medical", "manager"][i % 4]
    answers["years_service"] = i % 30
    return answers


def canonical(
    form: Form, rows: Sequence[dict[str, Any]], *, meta: dict[str, Any] | None = None
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Canonical frames (validation's cleaned data) of answer dicts, with meta columns added."""
    main_codes = [v.code for v in form.variables_of(None)]
    main = pd.DataFrame({c: [r.get(c) for r in rows] for c in main_codes}, dtype=object)
    repeats = {}
    for code in form.repeats:
        instances = [(p, inst) for p, r in enumerate(rows) for inst in (r.get(code) or [])]
        data = {"_parent": np.array([p for p, _ in instances], dtype=np.int64)}
        for var in form.variables_of(code):
            data[var.code] = pd.Series([inst.get(var.code) for _, inst in instances], dtype=object)
        repeats[code] = pd.DataFrame(data)
    result = validate_frame(form, main, repeats=repeats)
    assert result.ok, str(result.report)
    frame = result.data
    n = len(frame)
    columns = {
        "interview_id": [str(uuid.UUID(int=k + 1)) for k in range(n)],
        "institution_id": [["csp1", "csp2", "csp3"][k % 3] for k in range(n)],
        "interviewer_id": [["anna", "boris"][k % 2] for k in range(n)],
        "mode": "face_to_face",
        "status": "submitted",
        "period": "2026Q1",
        **(meta or {}),
    }
    for position, (name, values) in enumerate(columns.items()):
        frame.insert(position, name, values)
    return frame, result.repeats


def checksum(store) -> tuple[dict[str, int], str]:
    """Row counts and a digest of every row of every table: proof that a database did not change."""
    from surveykit.store.schema import metadata

    digest = hashlib.sha256()
    counts = {}
    with store.db.read() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            counts[table.name] = len(rows)
            for row in sorted(repr(tuple(r)) for r in rows):
                digest.update(row.encode())
    return counts, digest.hexdigest()


def new_store(path: Path, *, questionnaires: Sequence[Questionnaire] = ()):
    """A migrated SQLite store with the questionnaires published, three institutions and two interviewers."""
    from surveykit.store import Store

    url = f"sqlite:///{path}"
    Store.upgrade(url)
    store = Store.open(url, enforce_certification=False)
    for q in questionnaires:
        store.publish(q)
    for k, name in enumerate(["ЦСО Северный", "ЦСО Южный", "Дом-интернат"], start=1):
        store.add_institution(f"csp{k}", name)
    store.add_person("anna", "Анна Иванова")
    store.add_person("boris", "Борис Петров")
    return store


def submit_all(store, questionnaire: str, rows: Sequence[dict[str, Any]]) -> list[str]:
    ids = []
    for k, answers in enumerate(rows):
        meta = store.start_interview(
            questionnaire,
            institution_id=f"csp{k % 3 + 1}",
            interviewer_id=["anna", "boris"][k % 2],
            mode="face_to_face",
            period="2026Q1",
        )
        store.submit(meta.id, answers)
        ids.append(meta.id)
    return ids
