"""Export to SPSS: our whole export against a bare ``pyreadstat.write_sav`` of the same prepared frame.

Data: 1,000,000 interviews (quick: 50,000) of a synthetic questionnaire with 40 variables (30 Likert items
with "don't know"/"refused" as user-missing codes, 3 single choices, 2 integers, a decimal, a date, a text,
two multiple choices of 4 choices each, written as 8 dummies), plus the interview meta columns, as the store
hands them over (canonical frame: categoricals, Int64, Float64, datetime64, object texts).

Ours, timed: :func:`surveykit.exchange.export_frames` to .sav: the metadata built from the questionnaire,
every input checked, interviewer ids pseudonymised, every column prepared (codes through the categorical
codes arrays), the file written with labels, value labels and missing ranges, the .sps syntax file.
Baseline, same run: ``pyreadstat.write_sav`` of the frame our preparation produced, with the same keyword
arguments (so the baseline writes the same file). Target (the issue): our overhead at most 30 %.
Also reported: the preparation alone, its peak memory (tracemalloc), and a write without any metadata.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from benchmarks.harness import Measurement, timed
from surveykit.exchange import export_frames
from surveykit.exchange.metadata import build_metadata, meta_columns_in
from surveykit.exchange.prepare import prepare_table
from surveykit.questionnaire.compiled import compile_form
from surveykit.questionnaire.io import questionnaire_from_data

FULL, QUICK = 1_000_000, 50_000
TARGET_OVERHEAD = 0.30
AGREE = [
    {"name": "1", "value": 1, "label": {"ru": "Совершенно не согласен", "en": "Strongly disagree"}},
    {"name": "2", "value": 2, "label": {"ru": "Скорее не согласен", "en": "Disagree"}},
    {"name": "3", "value": 3, "label": {"ru": "И да и нет", "en": "Neither"}},
    {"name": "4", "value": 4, "label": {"ru": "Скорее согласен", "en": "Agree"}},
    {"name": "5", "value": 5, "label": {"ru": "Полностью согласен", "en": "Strongly agree"}},
    {"name": "dk", "value": 98, "missing": True, "label": {"ru": "Затрудняюсь ответить", "en": "Don't know"}},
    {"name": "refused", "value": 99, "missing": True, "label": {"ru": "Отказ", "en": "Refused"}},
]


def questionnaire():
    four = [{"name": n, "label": {"ru": f"Вариант {n}", "en": f"Option {n}"}} for n in ("a", "b", "c", "d")]
    items = [
        {
            "code": f"item{k:02d}",
            "type": "likert",
            "choices": "agree5",
            "label": {"ru": f"Утверждение {k}", "en": f"Item {k}"},
        }
        for k in range(1, 31)
    ]
    items += [
        {
            "code": f"single{k}",
            "type": "select_one",
            "choices": "four",
            "label": {"ru": f"Выбор {k}", "en": f"Choice {k}"},
        }
        for k in range(1, 4)
    ]
    items += [
        {"code": "age", "type": "integer", "label": {"ru": "Возраст", "en": "Age"}},
        {"code": "visits", "type": "integer", "label": {"ru": "Визиты", "en": "Visits"}},
        {"code": "height", "type": "decimal", "label": {"ru": "Рост", "en": "Height"}},
        {"code": "visited", "type": "date", "label": {"ru": "Дата", "en": "Date"}},
        {"code": "comment", "type": "text", "label": {"ru": "Комментарий", "en": "Comment"}},
        {
            "code": "multi1",
            "type": "select_multiple",
            "choices": "four",
            "label": {"ru": "Несколько 1", "en": "Multi 1"},
        },
        {
            "code": "multi2",
            "type": "select_multiple",
            "choices": "four",
            "label": {"ru": "Несколько 2", "en": "Multi 2"},
        },
    ]
    return questionnaire_from_data(
        {
            "schema_version": 1,
            "id": "bench40",
            "version": "1",
            "title": {"ru": "Сорок переменных", "en": "Forty variables"},
            "languages": ["ru", "en"],
            "default_language": "ru",
            "choice_lists": {"agree5": AGREE, "four": four},
            "items": items,
        }
    ).unwrap()


def canonical_frame(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {
        "interview_id": np.array([f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(n)], dtype=object),
        "institution_id": np.array([f"csp{k}" for k in range(40)], dtype=object)[rng.integers(0, 40, n)],
        "interviewer_id": np.array([f"int{k:03d}" for k in range(200)], dtype=object)[
            rng.integers(0, 200, n)
        ],
        "mode": np.array(["face_to_face", "telephone"], dtype=object)[rng.integers(0, 2, n)],
        "status": np.full(n, "submitted", dtype=object),
        "submitted_at": pd.Series(
            pd.Timestamp("2026-03-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 86400 * 60, n), unit="s")
        ),
        "period": np.full(n, "2026Q1", dtype=object),
    }
    agree = ["1", "2", "3", "4", "5", "dk", "refused"]
    for k in range(1, 31):
        codes = rng.integers(-1, 7, n)  # -1: no answer
        data[f"item{k:02d}"] = pd.Categorical.from_codes(codes, categories=agree)
    for k in range(1, 4):
        data[f"single{k}"] = pd.Categorical.from_codes(
            rng.integers(-1, 4, n), categories=["a", "b", "c", "d"]
        )
    data["age"] = pd.array(rng.integers(18, 100, n), dtype="Int64")
    data["visits"] = pd.array(
        np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 20, n)), dtype="Float64"
    ).astype("Int64")
    data["height"] = pd.array(np.round(rng.normal(1.68, 0.1, n), 2), dtype="Float64")
    days = rng.integers(0, 90, n).astype("timedelta64[D]")
    data["visited"] = pd.Series(np.datetime64("2026-01-01") + days).astype("datetime64[s]")
    texts = np.array(["", "Спасибо", "Хотелось бы чаще", "Всё хорошо, спасибо большое"], dtype=object)
    data["comment"] = np.where(rng.integers(0, 4, n) == 0, None, texts[rng.integers(0, 4, n)])
    combos = np.array([None, "a", "a b", "b c d", "d", "a c"], dtype=object)
    data["multi1"] = combos[rng.integers(0, 6, n)]
    data["multi2"] = combos[rng.integers(0, 6, n)]
    frame = pd.DataFrame(data)
    for name, values in data.items():  # texts as object columns, as the store's frames hold them
        if isinstance(values, np.ndarray) and values.dtype == object:
            frame[name] = pd.Series(values, dtype=object)
    return frame


def run(quick: bool = False) -> list[Measurement]:
    n = QUICK if quick else FULL
    q = questionnaire()
    form = compile_form(q)
    frame = canonical_frame(n)
    key = b"benchmark-key-32-bytes-long!!!!!"
    repeat = 3 if quick else 2
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        out = Path(folder)
        # the baseline writes the frame our preparation produced, with the same metadata
        metadata = build_metadata(form, "ru", meta_columns=meta_columns_in(list(frame.columns), form))
        table = metadata.table()
        view = metadata.view("sav")
        prepare_seconds, prepared = timed(lambda: prepare_table(table, frame, "sav", view=view))
        ours_times, base_times = [], []
        result = None
        for _ in range(repeat):  # interleaved, best of each: the least disturbed by the machine
            seconds, _ = timed(
                lambda: pyreadstat.write_sav(prepared, str(out / "bare.sav"), **view.write_kwargs())
            )
            base_times.append(seconds)
            seconds, result = timed(
                lambda: export_frames(
                    form, frame, out / "ours.sav", language="ru", pseudonymise=True, pseudonym_key_bytes=key
                )  # fmt: skip
            )
            ours_times.append(seconds)
        ours, baseline = min(ours_times), min(base_times)
        no_metadata, _ = timed(lambda: pyreadstat.write_sav(prepared, str(out / "plain.sav")))
        tracemalloc.start()
        prepare_table(table, frame, "sav", view=view)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = (out / "ours.sav").stat().st_size
    overhead = ours / baseline - 1
    return [
        Measurement(
            name=f"export {n:,} interviews x 40 variables to .sav",
            figure=ours,
            baseline_name="pyreadstat.write_sav of the prepared frame, same labels and missing ranges",
            baseline=baseline,
            target=f"overhead <= {TARGET_OVERHEAD:.0%}",
            met=overhead <= TARGET_OVERHEAD,
            extra={
                "overhead": round(overhead, 3),
                "columns_written": prepared.shape[1],
                "prepare_seconds": round(prepare_seconds, 3),
                "prepare_peak_mib": round(peak / 2**20, 1),
                "prepared_frame_mib": round(prepared.memory_usage(deep=False).sum() / 2**20, 1),
                "write_without_metadata_seconds": round(no_metadata, 3),
                "file_mib": round(size / 2**20, 1),
                "rows": n,
                "runs": {
                    "ours": [round(x, 3) for x in ours_times],
                    "baseline": [round(x, 3) for x in base_times],
                },
                "when": dt.datetime.now().isoformat(timespec="seconds"),
                "files": [p.name for p in result.files],
            },
        )
    ]


if __name__ == "__main__":
    for measurement in run(quick=True):
        print(measurement.line(), measurement.extra)
