"""The per-interview validator of the submit path (:func:`check_interview`) and the vectorised one
(:func:`validate_answers`) agree on generated interviews, valid and broken: the same outcome, the same
problems (code, place, severity, parameters, order), the same cleaned values and the same content hash."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from surveykit.questionnaire.compiled import compile_form
from surveykit.questionnaire.io import load_questionnaire, questionnaire_from_data
from surveykit.questionnaire.validate import validate_answers
from surveykit.questionnaire.validate_one import check_interview, python_answer
from surveykit.store.codec import content_hashes, levels_from_evaluation, rows_from_levels, rows_from_values
from surveykit.synthetic import synthesize

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
NOW = dt.datetime(2026, 3, 1, 12, 0)
TODAY = NOW.date()

LOGIC_FORM = {  # every kind of logic the engine knows, on the main level
    "schema_version": 1,
    "id": "logic",
    "version": "1",
    "title": {"en": "Logic", "ru": "Логика"},
    "languages": ["en", "ru"],
    "default_language": "en",
    "choice_lists": {
        "yn": [{"name": "yes"}, {"name": "no"}],
        "regions": [
            {"name": "north", "attributes": {"zone": "a"}},
            {"name": "south", "attributes": {"zone": "b"}},
            {"name": "east", "attributes": {"zone": "a"}},
        ],
        "services": [{"name": n} for n in ("meals", "cleaning", "medical")],
    },
    "items": [
        {"code": "consent", "type": "select_one", "choices": "yn", "required": True},
        {
            "code": "g",
            "type": "group",
            "relevant": "${consent} = 'yes'",
            "items": [
                {"code": "age", "type": "integer", "min": 18, "max": 110, "required": True},
                {"code": "born", "type": "date", "constraint": ". <= today()",
                 "constraint_message": {"en": "Not in the future.", "ru": "Не в будущем."}},
                {"code": "score", "type": "decimal", "constraint": ". >= 0 and . <= 10"},
                {"code": "zone", "type": "text", "required": "${age} > 60"},
                {"code": "region", "type": "select_one", "choices": "regions", "choice_filter": "zone = 'a'"},
                {"code": "used", "type": "select_multiple", "choices": "services"},
                {"code": "why", "type": "text", "relevant": "selected(${used}, 'medical')"},
                {"code": "when", "type": "time"},
                {"code": "where", "type": "geopoint"},
                {"code": "decade", "type": "calculate", "calculation": "int(${age} div 10)",
                 "value_type": "integer"},
                {"code": "label", "type": "calculate", "calculation": "concat(${region}, '-', ${consent})"},
            ],
        },
    ],
}  # fmt: skip


def _forms():
    forms = {"logic": compile_form(questionnaire_from_data(LOGIC_FORM).unwrap())}
    for path in sorted(QUESTIONNAIRES.glob("*.yaml")):
        form = compile_form(load_questionnaire(path))
        if not form.repeats:
            forms[path.stem] = form
    return forms


FORMS = _forms()


def _same_value(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def _compare(form, answers, language="en"):
    vectorised = validate_answers(form, answers, language=language, now=NOW)
    one = check_interview(form, answers, language=language, now=NOW)
    assert one is not None
    assert one.ok == vectorised.ok
    expected = [(p.code, p.location, p.severity, p.params) for p in vectorised.report.problems]
    found = [(p.code, p.location, p.severity, p.params) for p in one.report.problems]
    assert found == expected
    cleaned = vectorised.answers()
    for code, var in form.variables.items():
        assert _same_value(python_answer(var, one.values[code]), cleaned[code]), code
    a = rows_from_levels(form, levels_from_evaluation(vectorised.evaluation), ["i1"])
    b = rows_from_values(form, one.values, "i1")
    assert content_hashes(a).tolist() == content_hashes(b).tolist()
    for name in a.columns:
        assert a.columns[name].tolist() == b.columns[name].tolist(), name
    return one


def _broken(form, answers: dict, rng: np.random.Generator) -> dict:
    """The answers with a few values spoiled the ways people and files spoil them."""
    spoiled = dict(answers)
    codes = list(form.variables)
    for code in rng.choice(codes, size=min(4, len(codes)), replace=False):
        var = form.variables[str(code)]
        kind = var.kind.value
        options = [None, "", "  ", "abc", "12,5", -5, 10**6, 3.5, True, b"bytes", {"a": 1}, "not_a_choice",
                   frozenset({"nope"}), "1 2", "31.02.2026", "2026-13-01", "25:99", "91 200", "x\0y", float("nan"),
                   dt.date(2099, 1, 1), "2026-02-01", "14:30", "55.7 37.6"]  # fmt: skip
        if kind in ("integer", "decimal"):
            options += [0, 200, "7", 7.0, 110, 111, 17]
        spoiled[str(code)] = options[int(rng.integers(len(options)))]
    if rng.random() < 0.3:
        spoiled["no_such_question"] = "x"
    if rng.random() < 0.3 and codes:
        spoiled.pop(codes[0], None)
    return spoiled


@pytest.mark.parametrize("name", list(FORMS))
def test_both_validators_agree_on_generated_interviews(name):
    form = FORMS[name]
    rng = np.random.default_rng(11)
    data = synthesize(form, 12, rng, today=TODAY)
    outcomes = {True: 0, False: 0}
    for row in range(12):
        answers = data.answers(row)
        _compare(form, answers)
        broken = _compare(form, _broken(form, answers, rng), language="ru" if row % 2 else "en")
        outcomes[broken.ok] += 1
    assert outcomes[False] > 0  # the spoiled answers were really refused (and compared as refused)


def test_the_logic_form_exercises_every_step():
    form = FORMS["logic"]
    base = {"consent": "yes", "age": 70, "born": dt.date(1956, 5, 1), "score": 4.5, "zone": "z",
            "region": "north", "used": frozenset({"medical", "meals"}), "why": "w", "when": "09:15",
            "where": "55.75 37.61"}  # fmt: skip
    assert _compare(form, base).ok
    cases = [
        ({"age": 120}, "SK4"),  # out of range
        ({"born": dt.date(2030, 1, 1)}, "SK4"),  # constraint with its message
        ({"score": 11}, "SK4"),
        ({"zone": None}, "SK4"),  # required by an expression
        ({"region": "south"}, "SK4"),  # filtered out by the choice filter
        ({"used": frozenset({"meals"})}, "SK4"),  # why is then not relevant
        ({"consent": "no"}, "SK4"),  # the whole group not relevant
        ({"decade": 3}, None),  # a calculated value that differs: a warning
        ({"when": "25:00"}, "SK4"),
        ({"where": "95 10"}, "SK4"),
    ]
    for change, _ in cases:
        _compare(form, {**base, **change})
        _compare(form, {**base, **change}, language="ru")
    assert not check_interview(form, {**base, "age": 120}, now=NOW).ok


def test_a_form_with_repeat_groups_goes_to_the_vectorised_path():
    form = compile_form(load_questionnaire(QUESTIONNAIRES / "needs_assessment.yaml"))
    assert form.repeats
    assert check_interview(form, {}) is None
