"""AAPOR outcome rates, computed by hand.

Every expected value below is worked out in the test's docstring from the formula of AAPOR, *Standard
Definitions: Final Dispositions of Case Codes and Outcome Rates for Surveys* (9th edition, 2016), section
"Calculating rates from response distributions", with the categories of Table 1 (telephone) and Table 2
(in person): I complete (1.1), P partial (1.2), R refusal and break-off (2.1), NC non-contact (2.2),
O other (2.3), UH unknown if household (3.1), UO unknown other (3.2, 3.9), NE not eligible (4).
"""

from __future__ import annotations

import pytest

from surveykit.fieldwork.rates import RATE_COLUMNS, RATE_NAMES, Counts, casro_e, outcome_rates, rates_of_codes

#: the worked example: I=40, P=5, R=15, NC=10, O=5, UH=10, UO=5, NE=10 (120 cases)
EXAMPLE = Counts(I=40, P=5, R=15, NC=10, O=5, UH=10, UO=5, NE=10)


def test_e_by_casro_is_the_share_of_eligible_among_cases_of_known_eligibility():
    """e = (I+P+R+NC+O) / (I+P+R+NC+O+NE) = (40+5+15+10+5) / (75+10) = 75/85 (CASRO, proportional
    allocation; AAPOR Standard Definitions 2016, on estimating e)."""
    assert casro_e(EXAMPLE) == pytest.approx(75 / 85)


def test_response_rates_rr1_to_rr6_of_the_worked_example():
    """AAPOR 2016, response rates (p. 61-62); (I+P)=45, (R+NC+O)=30, (UH+UO)=15, e=75/85, so
    e(UH+UO) = 15*75/85 = 1125/85 and (I+P)+(R+NC+O)+e(UH+UO) = 7500/85 = 1500/17.

    RR1 = I/((I+P)+(R+NC+O)+(UH+UO)) = 40/90;  RR2 = (I+P)/(...) = 45/90
    RR3 = I/((I+P)+(R+NC+O)+e(UH+UO)) = 40*17/1500 = 680/1500;  RR4 = 45*17/1500 = 765/1500
    RR5 = I/((I+P)+(R+NC+O)) = 40/75;  RR6 = (I+P)/((I+P)+(R+NC+O)) = 45/75
    """
    rates = outcome_rates(EXAMPLE)
    assert rates["RR1"] == pytest.approx(40 / 90)
    assert rates["RR2"] == pytest.approx(45 / 90)
    assert rates["RR3"] == pytest.approx(680 / 1500)
    assert rates["RR4"] == pytest.approx(765 / 1500)
    assert rates["RR5"] == pytest.approx(40 / 75)
    assert rates["RR6"] == pytest.approx(45 / 75)


def test_cooperation_rates_coop1_to_coop4_of_the_worked_example():
    """AAPOR 2016, cooperation rates (p. 62-63): among the cases contacted.

    COOP1 = I/((I+P)+R+O) = 40/65;  COOP2 = (I+P)/((I+P)+R+O) = 45/65
    COOP3 = I/((I+P)+R) = 40/60;    COOP4 = (I+P)/((I+P)+R) = 45/60
    """
    rates = outcome_rates(EXAMPLE)
    assert rates["COOP1"] == pytest.approx(40 / 65)
    assert rates["COOP2"] == pytest.approx(45 / 65)
    assert rates["COOP3"] == pytest.approx(40 / 60)
    assert rates["COOP4"] == pytest.approx(45 / 60)


def test_refusal_rates_ref1_to_ref3_of_the_worked_example():
    """AAPOR 2016, refusal rates (p. 63).

    REF1 = R/((I+P)+(R+NC+O)+(UH+UO)) = 15/90
    REF2 = R/((I+P)+(R+NC+O)+e(UH+UO)) = 15*17/1500 = 255/1500
    REF3 = R/((I+P)+(R+NC+O)) = 15/75
    """
    rates = outcome_rates(EXAMPLE)
    assert rates["REF1"] == pytest.approx(15 / 90)
    assert rates["REF2"] == pytest.approx(255 / 1500)
    assert rates["REF3"] == pytest.approx(15 / 75)


def test_contact_rates_con1_to_con3_of_the_worked_example():
    """AAPOR 2016, contact rates (p. 64); contacted = (I+P)+R+O = 65.

    CON1 = ((I+P)+R+O)/((I+P)+R+O+NC+(UH+UO)) = 65/90
    CON2 = ((I+P)+R+O)/((I+P)+R+O+NC+e(UH+UO)) = 65*17/1500 = 1105/1500
    CON3 = ((I+P)+R+O)/((I+P)+R+O+NC) = 65/75
    """
    rates = outcome_rates(EXAMPLE)
    assert rates["CON1"] == pytest.approx(65 / 90)
    assert rates["CON2"] == pytest.approx(1105 / 1500)
    assert rates["CON3"] == pytest.approx(65 / 75)


def test_a_given_e_replaces_the_casro_estimate():
    """With e = 0.5 (AAPOR 2016: e may be estimated otherwise and must then be explained):
    RR3 = 40/(75 + 0.5*15) = 40/82.5; RR4 = 45/82.5; REF2 = 15/82.5; CON2 = 65/82.5; the rates without e
    do not change (RR1 = 40/90)."""
    rates = outcome_rates(EXAMPLE, e=0.5)
    assert rates["e"] == 0.5
    assert rates["RR3"] == pytest.approx(40 / 82.5)
    assert rates["RR4"] == pytest.approx(45 / 82.5)
    assert rates["REF2"] == pytest.approx(15 / 82.5)
    assert rates["CON2"] == pytest.approx(65 / 82.5)
    assert rates["RR1"] == pytest.approx(40 / 90)
    with pytest.raises(ValueError):
        outcome_rates(EXAMPLE, e=1.5)


def test_no_cases_at_all_leaves_every_rate_and_e_not_defined():
    """Every denominator is 0 and e = 0/0: every rate is None ("not defined"), never 0 and never an error."""
    rates = outcome_rates(Counts())
    assert set(rates) == {"e", *RATE_NAMES}
    assert all(value is None for value in rates.values())


def test_only_ineligible_cases_give_e_zero_and_undefined_rates():
    """NE = 3 only: e = 0/(0+3) = 0 (defined); every rate's denominator is 0 + e*0 = 0: not defined."""
    rates = outcome_rates(Counts(NE=3))
    assert rates["e"] == 0
    assert all(rates[name] is None for name in RATE_NAMES)


def test_only_cases_of_unknown_eligibility_leave_e_and_the_e_rates_undefined():
    """UH = 4 only: e = 0/0 is not defined, so RR3, RR4, REF2 and CON2 are not defined; RR1 = 0/4 = 0 is
    defined (a response rate of 0 is a fact here), RR5 = 0/0 is not; COOP = 0/0 is not."""
    rates = outcome_rates(Counts(UH=4))
    assert rates["e"] is None
    assert rates["RR1"] == 0 and rates["REF1"] == 0 and rates["CON1"] == 0
    for name in ("RR3", "RR4", "REF2", "CON2", "RR5", "RR6", "COOP1", "COOP4", "REF3", "CON3"):
        assert rates[name] is None, name


def test_empty_categories_are_zero_not_missing_when_the_denominator_exists():
    """I = 10 only: RR1..RR6 = 10/10 = 1, COOP = 1, REF = 0/10 = 0, CON = 10/10 = 1, e = 10/10 = 1."""
    rates = outcome_rates(Counts(I=10))
    assert rates["e"] == 1
    assert all(rates[f"RR{i}"] == 1 for i in range(1, 7))
    assert all(rates[f"REF{i}"] == 0 for i in range(1, 4))
    assert all(rates[f"CON{i}"] == 1 for i in range(1, 4))


def test_no_refusals_and_no_interviews_make_cooperation_undefined():
    """NC = 5 only: contacted (I+P)+R+O = 0, so COOP1..4 = 0/0 are not defined; CON3 = 0/5 = 0; RR5 = 0/5."""
    rates = outcome_rates(Counts(NC=5))
    assert all(rates[f"COOP{i}"] is None for i in range(1, 5))
    assert rates["CON3"] == 0 and rates["RR5"] == 0


def test_rates_of_codes_counts_final_codes_by_their_first_digits():
    """Codes of Tables 1 and 2 fall into the categories by their first digits: 1.1 → I, 1.2 → P, 2.112 and
    2.12 → R, 2.24 → NC, 2.32 → O, 3.13 → UH, 3.21 → UO, 4.70 → NE; an unknown code is not counted.
    I=2, P=1, R=2, NC=1, O=1, UH=1, UO=1, NE=1: RR1 = 2/(3+4+2) = 2/9; e = 7/8."""
    row = rates_of_codes(
        ["1.1", "1.1", "1.2", "2.112", "2.12", "2.24", "2.32", "3.13", "3.21", "4.70", "9.9"]
    )
    assert [row[c] for c in ("I", "P", "R", "NC", "O", "UH", "UO", "NE")] == [2, 1, 2, 1, 1, 1, 1, 1]
    assert row["RR1"] == pytest.approx(2 / 9)
    assert row["e"] == pytest.approx(7 / 8)
    assert list(row) == list(RATE_COLUMNS)
