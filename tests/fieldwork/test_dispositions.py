"""AAPOR disposition codes and the final-disposition rule (docs/fieldwork.md, "Final disposition").

The rule: the last attempt's code, except that an earlier refusal or break-off (R) outranks later
non-contacts (NC) and unknown-eligibility codes (UH, UO), and an interview is final (complete outranks
partial). Codes from AAPOR Standard Definitions (2016), Table 1 (telephone) and Table 2 (in person).
"""

from __future__ import annotations

import pytest

from surveykit.fieldwork import dispositions as D
from surveykit.i18n import t
from surveykit.store.schema import CONTACT_MODES


@pytest.mark.parametrize(
    ("sequence", "final"),
    [
        (["2.112", "2.24"], "2.112"),  # refusal → non-contact: the refusal stays
        (["2.112", "3.13", "2.25"], "2.112"),  # refusal → no answer → not available: still the refusal
        (["2.24", "1.1"], "1.1"),  # non-contact → complete: complete
        (["2.24", "2.112"], "2.112"),  # non-contact → refusal: refusal
        (["2.12", "2.24"], "2.12"),  # break-off → non-contact: the break-off stays
        (["2.112", "4.70"], "4.70"),  # refusal → not eligible: new information about the case
        (["2.112", "2.32"], "2.32"),  # refusal → unable (other): the later code
        (["1.2", "1.1"], "1.1"),  # partial → complete
        (["1.1", "2.24"], "1.1"),  # an interview is final
        (["1.2", "2.112"], "1.2"),
        (["3.13", "2.24", "3.13"], "3.13"),  # only non-contacts: the last
        (["2.25", "2.112"], "2.112"),  # appointment (2.25) → refusal
        (["2.112", "2.25", "3.13"], "2.112"),  # refusal → appointment → no answer
        (["2.1", "3.13"], "2.10"),  # short spreadsheet form of 2.10
        ([], None),
        (["9.9"], None),  # unknown codes are ignored
    ],
)
def test_final_disposition_sequences(sequence, final):
    assert D.final_disposition(sequence) == final


@pytest.mark.parametrize(
    ("value", "code"),
    [("2.1", "2.10"), (2.1, "2.10"), ("2,111", "2.111"), (" 1.1 ", "1.1"), (1.1, "1.1"), ("1.10", "1.1"),
     ("4.7", "4.70"), (2.112, "2.112"), ("abc", None), ("", None), (None, None), (float("nan"), None),
     (True, None), ("2.1111", None)],
)  # fmt: skip
def test_codes_are_normalised_as_the_tables_write_them(value, code):
    assert D.normalise_code(value) == code


def test_categories_follow_the_first_digits():
    expected = {"1.1": "I", "1.2": "P", "2.10": "R", "2.112": "R", "2.12": "R", "2.20": "NC", "2.221": "NC",
                "2.30": "O", "2.332": "O", "3.10": "UH", "3.13": "UH", "3.20": "UO", "3.90": "UO", "4.10": "NE",
                "4.90": "NE"}  # fmt: skip
    assert {code: D.category(code) for code in expected} == expected
    for code, disposition in D.DISPOSITIONS.items():
        first = code.split(".")[0] + "." + code.split(".")[1][:1]
        assert disposition.category == {"1.1": "I", "1.2": "P", "2.1": "R", "2.2": "NC", "2.3": "O", "3.1": "UH",
                                        "3.2": "UO", "3.9": "UO"}.get(first, "NE" if code.startswith("4") else "?")  # fmt: skip


def test_codes_belong_to_the_table_of_their_mode():
    """Telephone-only codes (3.13 no answer) are refused for an in-person contact and the reverse (2.24
    nobody at home); codes of both tables are fine in every contact mode."""
    assert D.in_table("3.13", "telephone") and not D.in_table("3.13", "face_to_face")
    assert D.in_table("2.24", "face_to_face") and D.in_table("2.24", "self_completed")
    assert not D.in_table("2.24", "telephone")
    assert all(D.in_table("2.112", mode) for mode in D.CONTACT_MODES)
    assert not D.in_table("2.112", "observation")


def test_every_app_outcome_offers_codes_of_its_category_and_mode():
    for outcome, tables in D.OUTCOMES.items():
        for table, codes in tables.items():
            mode = "telephone" if table == "telephone" else "face_to_face"
            for code in codes:
                assert D.in_table(code, mode), (outcome, code)
                assert D.category(code) in D.CATEGORY_OF_APP_OUTCOME[outcome], (outcome, code)


def test_open_cases_are_the_ones_still_to_be_worked():
    assert D.is_open(None) and D.is_open("2.24") and D.is_open("3.13") and D.is_open("3.21")
    assert not any(D.is_open(code) for code in ("1.1", "1.2", "2.112", "2.32", "4.70"))


def test_every_code_and_category_has_words_in_both_languages():
    for code in D.DISPOSITIONS:
        for language in ("en", "ru"):
            assert t(f"disposition.{code}", language) != f"disposition.{code}"
    for category in D.CATEGORIES:
        assert t(f"category.{category}", "ru") != t(f"category.{category}", "en")


def test_the_contact_modes_are_the_stores():
    assert tuple(D.CONTACT_MODES) == CONTACT_MODES
