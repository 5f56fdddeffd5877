"""AAPOR final disposition codes, the outcome categories behind the rates, and the final-disposition rule.

Source: The American Association for Public Opinion Research, *Standard Definitions: Final Dispositions of
Case Codes and Outcome Rates for Surveys*, 9th edition (2016): Table 1 (RDD telephone surveys) and Table 2
(in-person household surveys). surveykit interviews recipients of an institution's services, sampled from
the institution's list: a face-to-face or self-completed case uses the in-person table, a telephone case
the telephone table. The codes' first digits decide the rate categories (AAPOR, "Calculating rates from
response distributions"):

=====  =============================================  ===========================
 I      1.1  complete interview                        interviews
 P      1.2  partial interview
 R      2.1x refusal and break-off                      eligible, no interview
 NC     2.2x non-contact
 O      2.3x other (dead, unable, language …)
 UH     3.1x unknown if household / person reachable    unknown eligibility
 UO     3.2x, 3.9x unknown, other
 NE     4.x  not eligible                               not eligible
=====  =============================================  ===========================

The sub-codes of the tables (2.111, 2.221 …) are listed as recalled from the 2016 edition [R]: they only
refine the words; the rates depend on the category alone. Codes are accepted as written in the tables
(``2.10``) and in their short spreadsheet form (``2.1``, a cell that lost its trailing zero).

**The final disposition of a case** (:func:`final_disposition`), one rule: the last attempt's code, except
that a refusal or break-off (R) at an earlier attempt outranks later non-contacts (NC) and unknown-eligibility
codes (UH, UO) — AAPOR's guidance on assigning final codes from temporary ones — and a completed or partial
interview is final (a complete outranks a partial). An appointment is stored as a non-contact code (2.21
telephone, 2.25 in person: the respondent was not available to be interviewed) with its date and time.

Pure: no I/O, no store; the labels of the codes are in the locale files (``disposition.<code>``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CATEGORIES",
    "CATEGORY_OF_APP_OUTCOME",
    "CONTACT_MODES",
    "DISPOSITIONS",
    "OUTCOMES",
    "Disposition",
    "category",
    "codes_for",
    "counts_of",
    "describe_codes",
    "final_disposition",
    "in_table",
    "is_open",
    "label",
    "lookup",
    "normalise_code",
    "table_of",
]

#: the outcome categories of AAPOR's rate formulas, in the order of the Standard Definitions
CATEGORIES = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
#: the AAPOR table a contact mode uses: face-to-face and self-completed questionnaires (handed out in
#: person) use the in-person table, telephone the telephone table
TABLES = {"face_to_face": "in_person", "telephone": "telephone", "self_completed": "in_person"}
#: the modes a contact attempt can have (observation is a checklist mode, not a contact with a person)
CONTACT_MODES = tuple(TABLES)

_T = frozenset({"telephone"})
_F = frozenset({"in_person"})
_TF = _T | _F


@dataclass(frozen=True)
class Disposition:
    """One AAPOR code: its category and the tables (``telephone``, ``in_person``) that list it."""

    code: str
    category: str
    tables: frozenset[str]

    @property
    def final_rank(self) -> int:
        """Interviews outrank everything; used by :func:`final_disposition`."""
        return 2 if self.category == "I" else 1 if self.category == "P" else 0


def _d(code: str, category: str, tables: frozenset[str] = _TF) -> Disposition:
    return Disposition(code, category, tables)


#: every code surveykit accepts, by code (AAPOR Standard Definitions 2016, Tables 1 and 2)
DISPOSITIONS: dict[str, Disposition] = {
    d.code: d
    for d in (
        # 1.0 interview
        _d("1.1", "I"),  # complete
        _d("1.2", "P"),  # partial
        # 2.0 eligible, non-interview: 2.10 refusal and break-off
        _d("2.10", "R"),
        _d("2.11", "R"),  # refusal
        _d("2.111", "R"),  # household-level refusal (someone else refused for the respondent)
        _d("2.112", "R"),  # known-respondent refusal
        _d("2.12", "R"),  # break-off
        # 2.20 non-contact
        _d("2.20", "NC"),
        _d("2.21", "NC", _T),  # respondent never available
        _d("2.22", "NC", _T),  # telephone answering device (confirming the respondent's number)
        _d("2.221", "NC", _T),  # no message left
        _d("2.222", "NC", _T),  # message left
        _d("2.23", "NC", _F),  # unable to enter building / reach the respondent's place
        _d("2.24", "NC", _F),  # no one at residence
        _d("2.25", "NC", _F),  # respondent away / unavailable
        # 2.30 other
        _d("2.30", "O"),
        _d("2.31", "O"),  # dead
        _d("2.32", "O"),  # physically or mentally unable / incompetent
        _d("2.33", "O"),  # language
        _d("2.331", "O"),  # household-level language problem
        _d("2.332", "O"),  # respondent language problem
        _d("2.333", "O"),  # no interviewer available for the needed language
        _d("2.34", "O", _T),  # inadequate audio quality
        _d("2.35", "O", _T),  # location / activity not allowing interview
        _d("2.36", "O"),  # miscellaneous
        # 3.0 unknown eligibility, non-interview
        _d("3.10", "UH"),  # unknown if household / occupied housing unit
        _d("3.11", "UH"),  # not attempted or worked
        _d("3.12", "UH", _T),  # always busy
        _d("3.13", "UH", _T),  # no answer
        _d("3.14", "UH", _T),  # answering machine, don't know if the respondent's
        _d("3.15", "UH", _T),  # call blocking
        _d("3.16", "UH", _T),  # technical phone problems
        _d("3.17", "UH", _F),  # unable to reach / unsafe area
        _d("3.18", "UH", _F),  # unable to locate address
        _d("3.20", "UO"),  # household, unknown if eligible respondent
        _d("3.21", "UO"),  # no screener completed
        _d("3.90", "UO"),  # other
        # 4.0 not eligible
        _d("4.10", "NE"),  # out of sample
        _d("4.20", "NE", _T),  # fax / data line
        _d("4.30", "NE", _T),  # non-working / disconnected number
        _d("4.31", "NE", _T),  # non-working number
        _d("4.32", "NE", _T),  # disconnected number
        _d("4.33", "NE", _T),  # temporarily out of service
        _d("4.40", "NE", _T),  # special technological circumstances
        _d("4.41", "NE", _T),  # number changed
        _d("4.50", "NE"),  # non-residence / not a housing unit
        _d("4.51", "NE", _F),  # business, government office, other organisation
        _d("4.52", "NE", _F),  # institution
        _d("4.53", "NE", _F),  # group quarters
        _d("4.60", "NE", _F),  # vacant housing unit
        _d("4.70", "NE"),  # no eligible respondent
        _d("4.80", "NE"),  # quota filled
        _d("4.90", "NE"),  # other
    )
}

#: what an interviewer records in the app, and the codes offered for it by mode (the first is the default).
#: ``complete``/``partial``/``break_off`` come from the interview itself (surveykit.fieldwork.outcome).
OUTCOMES: dict[str, dict[str, tuple[str, ...]]] = {
    "refusal": {"in_person": ("2.112", "2.111"), "telephone": ("2.112", "2.111")},
    "non_contact": {"in_person": ("2.25", "2.24", "2.23"), "telephone": ("3.13", "3.12", "2.21", "2.222")},
    "appointment": {"in_person": ("2.25",), "telephone": ("2.21",)},
    "unable": {"in_person": ("2.32", "2.332", "2.31"), "telephone": ("2.32", "2.332", "2.34")},
    "not_eligible": {"in_person": ("4.70", "4.10"), "telephone": ("4.70", "4.30", "4.10")},
}
#: the categories each app outcome falls in (a telephone "no answer" does not even tell whether the number
#: is the respondent's: unknown eligibility, UH)
CATEGORY_OF_APP_OUTCOME = {"refusal": ("R",), "non_contact": ("NC", "UH"), "appointment": ("NC",),
                           "unable": ("O",), "not_eligible": ("NE",)}  # fmt: skip

_SHORT = re.compile(r"^([234])\.(\d)$")
_CODE = re.compile(r"^\d\.\d{1,3}$")


def normalise_code(value: Any) -> str | None:
    """The code as the tables write it, or None when ``value`` is not shaped like a code at all.

    ``"2.1"`` and the number ``2.1`` (a spreadsheet cell) become ``"2.10"``; ``"1.10"`` becomes ``"1.1"``;
    spaces and a decimal comma are accepted. Whether the code exists is :func:`lookup`'s question."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        text = f"{value:.3f}".rstrip("0")
    else:
        text = str(value).strip().replace(",", ".")
    if not _CODE.match(text):
        return None
    if text in ("1.10", "1.20"):
        return text[:3]
    short = _SHORT.match(text)
    if short:
        return f"{short.group(1)}.{short.group(2)}0"
    return text


def lookup(value: Any) -> Disposition | None:
    """The disposition of a code (any form :func:`normalise_code` accepts), or None when it is unknown."""
    code = normalise_code(value)
    return DISPOSITIONS.get(code) if code else None


def category(value: Any) -> str | None:
    """The rate category (I, P, R, NC, O, UH, UO, NE) of a code; None for an unknown code."""
    found = lookup(value)
    return found.category if found else None


def table_of(mode: str) -> str | None:
    """``telephone`` or ``in_person``: the AAPOR table of a contact mode (None: not a contact mode)."""
    return TABLES.get(mode)


def label(code: str, language: str = "en") -> str:
    """The words of a code in ``language`` (``locale/*/fieldwork.yaml``, ``disposition.<code>``)."""
    from surveykit.i18n import t

    return t(f"disposition.{normalise_code(code) or code}", language)


def final_disposition(codes: Iterable[Any]) -> str | None:
    """The final disposition of a case from its attempts' codes in time order (None: no attempt).

    The last attempt's code, except that an earlier refusal or break-off (R) outranks later non-contacts
    and unknown-eligibility codes (NC, UH, UO), and an interview is final: a complete (1.1) if any attempt
    was complete, else a partial (1.2) if any was partial. A later "other" (O) or "not eligible" (NE) code
    replaces an earlier refusal: it is new information about the case, not a failed contact. Unknown codes
    are ignored (imports refuse them before they are stored).
    """
    found = [d for d in (lookup(c) for c in codes) if d is not None]
    if not found:
        return None
    best = max(found, key=lambda d: d.final_rank)
    if best.final_rank:
        return best.code
    final = found[0]
    for attempt in found[1:]:
        if final.category == "R" and attempt.category in ("NC", "UH", "UO"):
            continue  # AAPOR: a refusal outranks later non-contacts and unknown eligibility
        final = attempt
    return final.code


def is_open(code: str | None) -> bool:
    """Whether a case with this final code may still be worked: nothing recorded yet, a non-contact or an
    appointment, or unknown eligibility. Interviews, refusals, other and not-eligible codes close a case."""
    return code is None or category(code) in ("NC", "UH", "UO")


def counts_of(final_codes: Iterable[Any]) -> dict[str, int]:
    """How many cases fall in each category (every category present, zero when empty)."""
    counts = dict.fromkeys(CATEGORIES, 0)
    for code in final_codes:
        cat = category(code)
        if cat is not None:
            counts[cat] += 1
    return counts


def codes_for(outcome: str, mode: str) -> tuple[str, ...]:
    """The codes the app offers for an outcome in a contact mode (the first is the default)."""
    table = table_of(mode) or "in_person"
    return OUTCOMES[outcome][table]


def in_table(code: str, mode: str) -> bool:
    """Whether the code belongs to the AAPOR table of ``mode``."""
    found = lookup(code)
    table = table_of(mode)
    return found is not None and table is not None and table in found.tables


def describe_codes(codes: Sequence[str] | None = None, language: str = "en") -> list[Mapping[str, str]]:
    """The disposition table for documentation and the apps: code, category, label, tables."""
    chosen = codes or list(DISPOSITIONS)
    return [
        {
            "code": c,
            "category": DISPOSITIONS[c].category,
            "label": label(c, language),
            "tables": ", ".join(sorted(DISPOSITIONS[c].tables)),
        }
        for c in chosen
    ]
