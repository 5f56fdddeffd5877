"""Variable names valid in both SPSS and Stata, checked when a questionnaire loads.

SPSS (since 12): up to 64 bytes, starts with a letter (or @, #, $ with special meaning), then letters,
digits, ``_ . @ # $``; must not end with a period; reserved words ALL AND BY EQ GE GT LE LT NE NOT OR TO WITH.
Stata: up to 32 characters, letters, digits and ``_``, must not start with a digit; reserved words such as
``_all``, ``_n``, ``in``, ``if``, ``byte``, ``int``, ``long``, ``float``, ``double``, ``str*``; names starting
with an underscore are legal but reserved for system variables by convention.

The intersection, which every questionnaire code must satisfy: ASCII letter first, then ASCII letters,
digits or underscores, at most 32 characters, and not a reserved word of either program (case-insensitive).
Export adds suffixes (``_1`` for multiple-choice dummies, ``_row`` for matrix rows); those derived names are
checked again by the exporter, which shortens them when needed.
"""

from __future__ import annotations

import re

from surveykit.translit import SIMPLE, transliterate

__all__ = [
    "MAX_NAME_LENGTH",
    "META_COLUMNS",
    "RESERVED",
    "code_problem",
    "is_valid_name",
    "name_problem",
    "suggest_name",
]

MAX_NAME_LENGTH = 32

_SPSS_RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}
_STATA_RESERVED = {
    "_all", "_b", "_coef", "_cons", "_n", "_N", "_pi", "_pred", "_rc", "_se", "_skip",
    "byte", "double", "float", "if", "in", "int", "long", "using", "with",
    "str", "strl",
}  # fmt: skip
RESERVED = frozenset({w.lower() for w in _SPSS_RESERVED | _STATA_RESERVED})

#: the fields of an interview's own record (who, where, when, how) as columns of interview tables, in the
#: order tables show them. Question codes may not take these names; the store's frames and the exports use
#: this list.
META_COLUMNS = (
    "interview_id",
    "questionnaire_id",
    "questionnaire_version",
    "institution_id",
    "interviewer_id",
    "assignment_id",
    "mode",
    "language",
    "status",
    "started_at",
    "submitted_at",
    "period",
    "proxy",
    "practice",
    "weight",
)
_META = frozenset(META_COLUMNS)

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_STR_N = re.compile(r"str\d+\Z", re.IGNORECASE)


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid SPSS and Stata variable name, or ``None`` when it is."""
    if not name:
        return "it is empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"it has {len(name)} characters, at most {MAX_NAME_LENGTH} are allowed"
    if not name[0].isascii() or not name[0].isalpha():
        return "it must start with a Latin letter"
    if not _NAME.match(name):
        bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c == "_"))})
        return (
            "it contains "
            + ", ".join(repr(c) for c in bad)
            + " (only Latin letters, digits and _ are allowed)"
        )
    if name.lower() in RESERVED or _STR_N.match(name):
        return "it is a reserved word in SPSS or Stata"
    return None


def code_problem(code: str) -> str | None:
    """Why ``code`` cannot be a question code: not a valid SPSS/Stata name, or the name of a field of the
    interview's own record (``period``, ``status``...), which sits beside the answers in every table."""
    if code.lower() in _META:
        return "it is the name of a field of the interview's own record (who, where, when, how)"
    return name_problem(code)


def is_valid_name(name: str) -> bool:
    return name_problem(name) is None


def suggest_name(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A valid name close to ``name`` (transliterated, cleaned, shortened), unique among ``taken``."""
    text = transliterate(name, SIMPLE)
    text = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or "v"
    if not text[0].isalpha():
        text = "v" + text
    text = text[:MAX_NAME_LENGTH]
    if code_problem(text):
        text = (text + "_v")[:MAX_NAME_LENGTH]
    candidate, n = text, 1
    lowered = {t.lower() for t in taken}
    while candidate.lower() in lowered:
        n += 1
        suffix = f"_{n}"
        candidate = text[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return candidate
