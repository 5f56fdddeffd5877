"""The words of the flags: every check emits a message key with plain parameters, the templates exist in
English and Russian, and the English ``detail`` is the English rendering of the same template."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
import yaml

import surveykit.quality as quality
from surveykit.quality import QualityRules, run_checks
from surveykit.quality.messages import plain, render

from .conftest import tiny_frame

LOCALE = Path(quality.__file__).resolve().parents[1] / "locale"
EN = yaml.safe_load((LOCALE / "en" / "quality.yaml").read_text(encoding="utf-8"))
RU = yaml.safe_load((LOCALE / "ru" / "quality.yaml").read_text(encoding="utf-8"))
DETAIL_KEYS = sorted(k for k in EN if k.startswith("quality.detail."))
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
DOUBLED = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)
LEFTOVER = re.compile(r"[{}]")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _check_words(message: str, params: dict, detail: str) -> None:
    assert message in EN and message in RU, f"{message} is missing in a locale file"
    for key in {
        f"{message}.item" for v in params.values() if isinstance(v, list) and v and isinstance(v[0], dict)
    }:
        assert key in EN and key in RU, f"{key} is missing in a locale file"
    json.dumps(params, allow_nan=False)  # plain JSON: it is stored with the case
    english, russian = render(message, params, "en"), render(message, params, "ru")
    assert detail == english
    for text in (english, russian):
        assert not LEFTOVER.search(text), text
        assert not DOUBLED.search(text), text
        assert "face_to_face" not in text and "telephone" not in text, text
    assert CYRILLIC.search(russian.replace(params.get("text") or "", "")), russian


def test_every_message_of_the_planted_fieldwork_is_translated_and_rendered(planted):
    flags = planted.result.flags
    assert tuple(flags.columns) == quality.FLAG_COLUMNS
    assert flags["message"].notna().all() and flags["params"].map(lambda p: isinstance(p, dict)).all()
    emitted = set(flags["message"])
    # every kind of signal the planted data holds speaks both languages
    assert {"quality.detail.too_short", "quality.detail.too_short_interviewer", "quality.detail.throughput",
            "quality.detail.overlap", "quality.detail.near_duplicate", "quality.detail.interviewer_effect",
            "quality.detail.identical_open_answers"} <= emitted  # fmt: skip
    for message, group in flags.groupby("message"):
        for row in group.head(25).itertuples():
            _check_words(message, row.params, row.detail)
    peers = flags[flags["message"] == "quality.detail.too_short_interviewer"].iloc[0]
    assert " интервью короче 0,5 медианы: " in " " + render(peers["message"], peers["params"], "ru")
    assert "interviews interviews" not in " ".join(flags["detail"])


def test_every_template_has_the_same_parameters_in_both_languages_and_renders():
    assert DETAIL_KEYS and set(DETAIL_KEYS) == {k for k in RU if k.startswith("quality.detail.")}
    for key in DETAIL_KEYS:
        assert _fields(EN[key]) == _fields(RU[key]), key
        params = {name: 1.5 for name in _fields(EN[key])}
        for language in ("en", "ru"):
            text = render(key, params, language)
            assert not LEFTOVER.search(text), (key, language, text)


def test_the_hand_made_checks_emit_words_that_render_in_both_languages(tiny):
    frame = tiny_frame(
        [{"interviewer_id": f"p{i % 3}", "mode": None} for i in range(9)]
        + [{"interviewer_id": "x", "minutes": 2, "mode": None}]
        + [{"interviewer_id": "x", "mode": None, "remarks": "Хотелось бы больше кружков для детей"}] * 3
    )  # the mode is unknown: the words say so rather than show an empty code
    flags = run_checks(tiny, frame, QualityRules()).flags
    assert len(flags)
    for row in flags.itertuples():
        _check_words(row.message, row.params, row.detail)
    short = flags[flags["message"] == "quality.detail.too_short"].iloc[0]
    assert "(mode unknown;" in short["detail"] and "(режим не указан;" in render(
        short["message"], short["params"], "ru"
    )


@pytest.mark.parametrize(
    ("params", "en", "ru"),
    [
        ({"minutes": 4.25, "median": 18.9, "mode": "face_to_face", "z": -4.8},
         "4.2 min against a median of 18.9 min (Face to face; z = -4.8 on log minutes)",
         "4,2 мин при медиане 18,9 мин (Лично; z = -4,8 по логарифму длительности)"),
        ({"minutes": 4.0, "median": 9.0, "mode": "web", "z": None},
         "4.0 min against a median of 9.0 min (web; z = — on log minutes)",
         "4,0 мин при медиане 9,0 мин (web; z = — по логарифму длительности)"),
    ],
)  # fmt: skip
def test_numbers_codes_and_missing_values_in_the_templates(params, en, ru):
    assert render("quality.detail.too_short", params, "en") == en
    assert render("quality.detail.too_short", params, "ru") == ru


def test_plain_parameters_and_an_infinite_z():
    import numpy as np

    assert plain({"z": np.float64(np.inf), "n": np.int64(3), "p": np.float64(np.nan), "l": np.array(["a"])}) == {
        "z": "inf", "n": 3, "p": None, "l": ["a"]
    }  # fmt: skip
    params = plain(
        {"count": 3, "total": 3, "share": 0.5, "rate": 1.0, "expected": 0.0, "z": np.inf, "p": 0.0}
    )
    text = render("quality.detail.too_short_interviewer", params, "ru")
    assert "z = ∞" in text and "0,0%" in text
    assert render("quality.detail.throughput", {"count": 5, "modes": [], "window": 60, "day": "2026-03-02",
                                                "day_total": 9}, "ru").startswith("02.03.2026: интервью (все режимы)")  # fmt: skip
    assert render("quality.detail.unknown_key", {}, "ru") == "quality.detail.unknown_key"
