"""What an answer value may be: checked where one interview's answers enter (submit, drafts, validation).

An interview arrives as a mapping ``{question code: value, repeat code: [{...}, ...]}`` from an app, a
notebook or an import. Before anything is evaluated or stored, :func:`check_answers` refuses, each with a
located error (the question and, inside a repeat group, the instance):

========  ==========================================================================================
SK410     the answers are not a mapping (a list, a string, None where a mapping is needed)
SK411     a value that is not an answer: bytes, a mapping, a set (outside multiple choice), any other
          object — these used to be stored as their Python ``repr``
SK412     a text with a lone surrogate (not Unicode text; e.g. bytes decoded with ``surrogateescape``) or
          a NUL character (PostgreSQL cannot store it; nobody types it)
SK413     NaN or an infinity: no answer is ``None`` (pandas' NA and NaT are taken as no answer too)
SK414     a question code that is not text, or a repeat group that is not a list of mappings
========  ==========================================================================================

An answer value is ``None`` (no answer), a text, a number (``int``, finite ``float``, ``Decimal``, numpy
numbers), a ``bool`` (yes/no), a ``datetime.date``/``datetime``/``time``/``pandas.Timestamp``, or for a multiple
choice a list, tuple or set of choice names (or one space-separated text). Whether a text reads as the
question's type (a number, a date, a choice name) is the next step's business (:func:`frame.coerce`,
SK403/SK404). Other control characters (tab, vertical tab, escape ...) are text and are kept; the exports
handle them per format (:mod:`surveykit.spreadsheet`, ``exchange/writers.py``). The check is plain Python over one interview's values: no pandas.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Mapping
from numbers import Number
from typing import Any

from surveykit.errors import ErrorCode, Location, Report, Translated
from surveykit.expressions import Kind
from surveykit.questionnaire.compiled import Form

__all__ = ["check_answers", "value_problem"]

_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: what no stored text may hold: lone surrogates (not Unicode) and NUL (PostgreSQL refuses it in text)
_BROKEN = re.compile(r"[\ud800-\udfff\x00]")
_NUL = Translated(en="a NUL character", ru="символ NUL")
_LONE_SURROGATE = Translated(
    en="a lone surrogate (not Unicode text)", ru="одиночный суррогат (не текст Юникода)"
)
_NUL_FIX = Translated(
    en="Remove the character; a text with NULs usually comes from a binary or UTF-16 file read as text.",
    ru="Удалите символ; NUL в тексте обычно означает, что двоичный файл или файл UTF-16 прочитан как текст.",
)
_SURROGATE_FIX = Translated(
    en="The text was decoded wrongly somewhere; send it as proper (UTF-8) text.",
    ru="Текст где-то неверно декодирован; передайте его как обычный текст (UTF-8).",
)
_FIX_VALUE = Translated(
    en="Send text, a number, a date or time or (multiple choice) a list of choice names; None for no answer.",
    ru="Передайте текст, число, дату или время или (для множественного выбора) список имён вариантов; None — нет ответа.",
)


def _type_name(value: Any) -> str:
    return type(value).__name__


def _not_finite(value: Any) -> bool:
    if isinstance(value, float | Number) and not isinstance(value, bool | int):
        try:
            return not math.isfinite(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return False
    return False


def _missing_marker(value: Any) -> bool:
    """pandas' NA and NaT: unambiguous "no answer" (unlike NaN, which may be a failed computation)."""
    return value.__class__.__name__ in ("NAType", "NaTType")


def _text_problem(text: str) -> tuple[ErrorCode, dict[str, Any]] | None:
    found = _BROKEN.search(text)
    if found is None:
        return None
    char = found.group()
    nul = char == "\0"
    return ErrorCode.ANSWER_TEXT_INVALID, {
        "what": _NUL if nul else _LONE_SURROGATE,
        "char": f"U+{ord(char):04X}",
        "position": found.start() + 1,
        "fix": _NUL_FIX if nul else _SURROGATE_FIX,
    }


def _scalar_problem(value: Any) -> tuple[ErrorCode, dict[str, Any]] | None:
    if isinstance(value, str):
        return _text_problem(value)
    if _not_finite(value):
        return ErrorCode.ANSWER_NOT_FINITE, {"value": str(value)}
    if isinstance(value, bool | int | float | decimal.Decimal | dt.date | dt.datetime | dt.time):
        return None
    if isinstance(value, Number):  # numpy numbers
        return None
    if value.__class__.__name__ in ("Timestamp", "datetime64"):  # pandas / numpy times
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        detail = Translated(
            en="bytes, not text: decode them (e.g. value.decode('utf-8')) before sending",
            ru="байты, а не текст: декодируйте их (например, value.decode('utf-8')) перед отправкой",
        )
    elif isinstance(value, Mapping):
        detail = Translated(
            en="a mapping is not an answer (only a repeat group holds mappings, in a list)",
            ru="словарь не может быть ответом (словари бывают только в списке группы повторов)",
        )
    elif isinstance(value, set | frozenset | list | tuple):
        detail = Translated(
            en="a collection is an answer only to a multiple-choice question",
            ru="набор значений — ответ только на вопрос с множественным выбором",
        )
    else:
        detail = Translated(en="not text, a number, a date or a time", ru="не текст, не число, не дата и не время")
    return ErrorCode.ANSWER_VALUE_TYPE, {"type": _type_name(value), "detail": detail, "fix": _FIX_VALUE}


def value_problem(value: Any, kind: Kind | None) -> tuple[ErrorCode, dict[str, Any]] | None:
    """Why ``value`` cannot be an answer to a question of ``kind`` (None: it can, or it is no answer)."""
    if value is None or _missing_marker(value):
        return None
    if kind is Kind.MULTI and isinstance(value, list | tuple | set | frozenset):
        for element in value:
            if isinstance(element, bool) or not isinstance(element, str | int):
                problem = _scalar_problem(element)
                if problem is None or problem[0] is ErrorCode.ANSWER_NOT_FINITE:
                    return ErrorCode.ANSWER_VALUE_TYPE, {
                        "type": f"{_type_name(value)} of {_type_name(element)}",
                        "detail": Translated(
                            en="a multiple choice is a list of choice names",
                            ru="множественный выбор — это список имён вариантов",
                        ),
                        "fix": _FIX_VALUE,
                    }
                return problem
            if isinstance(element, str) and (problem := _text_problem(element)) is not None:
                return problem
        return None
    return _scalar_problem(value)


def _check_level(
    form: Form,
    answers: Mapping[Any, Any],
    report: Report,
    path: str | None,
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for code, value in answers.items():
        if not isinstance(code, str) or _SURROGATE.search(code):
            report.add(
                ErrorCode.ANSWER_SHAPE,
                Location(path=path),
                detail=Translated(
                    en=f"the question code {code!r} is not text",
                    ru=f"код вопроса {code!r} — не текст",
                ),
            )
            continue
        if code in form.repeats:
            clean[code] = _check_repeat(form, code, value, report, path)
            continue
        var = form.variables.get(code)
        problem = value_problem(value, var.kind if var is not None else None)
        if _missing_marker(value):
            clean[code] = None
        elif problem is not None:
            error, params = problem
            report.add(error, Location(field=code, path=path), **params)
            clean[code] = None
        else:
            clean[code] = value
    return clean


def _check_repeat(form: Form, code: str, value: Any, report: Report, path: str | None) -> Any:
    if value is None:
        return None
    if isinstance(value, list | tuple) and all(isinstance(v, Mapping) for v in value):
        prefix = f"{path}/" if path else ""
        return [_check_level(form, v, report, f"{prefix}{code}[{k}]") for k, v in enumerate(value, 1)]
    report.add(
        ErrorCode.ANSWER_SHAPE,
        Location(field=code, path=path),
        detail=Translated(
            en=f"repeat group '{code}' holds a {_type_name(value)}, not a list of answer mappings",
            ru=f"группа повторов '{code}' содержит {_type_name(value)}, а не список словарей с ответами",
        ),
    )
    return None


def check_answers(form: Form, answers: Any, report: Report) -> dict[str, Any]:
    """The answers with every refused value reported in ``report`` (as an error) and replaced by None;
    ``{}`` when ``answers`` is not a mapping at all (SK410)."""
    if not isinstance(answers, Mapping):
        report.add(ErrorCode.ANSWERS_NOT_MAPPING, Location(), type=_type_name(answers))
        return {}
    return _check_level(form, answers, report, None)
