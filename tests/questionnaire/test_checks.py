"""Questionnaire checks beyond syntax: each structural, language and logic problem has its code and place."""

from __future__ import annotations

import pytest

from surveykit.errors import ErrorCode, Severity
from surveykit.questionnaire.names import is_valid_name, name_problem, suggest_name

LISTS = """\
choice_lists:
  yn:
    - {name: y, label: {en: Y, ru: Д}}
    - {name: n, label: {en: N, ru: Н}}
"""


def codes(result, severity=None):
    return [p.code for p in result.report if severity is None or p.severity is severity]


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("q1", True),
        ("Q_1_a", True),
        ("a" * 32, True),
        ("a" * 33, False),
        ("1q", False),
        ("_q", False),
        ("q-1", False),
        ("q.1", False),
        ("вопрос", False),
        ("with", False),
        ("AND", False),
        ("_n", False),
        ("str12", False),
        ("int", False),
    ],
)
def test_variable_names_valid_in_spss_and_stata(name, valid):
    assert is_valid_name(name) is valid
    assert (name_problem(name) is None) is valid


def test_codes_may_not_take_the_names_of_interview_metadata(load_yaml):
    result = load_yaml(
        """\
        items:
          - {code: period, type: text, label: {en: P, ru: П}}
          - {code: Status, type: text, label: {en: S, ru: С}}
        """
    )
    invalid = [p for p in result.report.errors if p.code is ErrorCode.CODE_INVALID]
    assert [p.params["code"] for p in invalid] == ["period", "Status"]
    assert "interview's own record" in invalid[0].message


def test_suggested_names_are_valid_and_unique():
    assert suggest_name("Возраст респондента") == "vozrast_respondenta"
    assert suggest_name("1st question") == "v1st_question"
    assert suggest_name("q-1", {"q_1"}) == "q_1_2"
    assert is_valid_name(suggest_name("x" * 50))
    assert is_valid_name(suggest_name("with"))


def test_duplicate_codes_including_matrix_rows(load_yaml):
    result = load_yaml(
        LISTS,
        """\
        items:
          - {code: a, type: text, label: {en: A, ru: А}}
          - {code: A, type: text, label: {en: A, ru: А}}
          - code: m
            type: matrix
            choices: yn
            label: {en: M, ru: М}
            rows: [{code: x, label: {en: X, ru: Х}}]
          - {code: m_x, type: text, label: {en: Clash, ru: Конфликт}}
        """,
    )
    dups = [p for p in result.report.errors if p.code is ErrorCode.CODE_DUPLICATE]
    assert [p.params["code"] for p in dups] == ["A", "m_x"]
    assert dups[0].location.line == 13 and "form.yaml:12" in dups[0].params["other"]


def test_choice_list_problems(load_yaml):
    result = load_yaml(
        """\
        choice_lists:
          yn:
            - {name: y, value: 1, label: {en: Y, ru: Д}}
            - {name: y, value: 1, label: {en: Y2, ru: Д2}}
          spare:
            - {name: s, label: {en: S, ru: С}}
        items:
          - {code: a, type: select_one, choices: yn, label: {en: A, ru: А}}
          - {code: b, type: select_multiple, label: {en: B, ru: Б}}
          - {code: c, type: likert, choices: yn, label: {en: C, ru: В}}
        """
    )
    assert ErrorCode.CHOICE_DUPLICATE in codes(result)
    assert ErrorCode.CHOICE_VALUE_DUPLICATE in codes(result)
    assert ErrorCode.CHOICE_LIST_MISSING in codes(result)
    assert ErrorCode.CHOICE_LIST_UNUSED in codes(result, Severity.WARNING)
    unused = next(p for p in result.report if p.code is ErrorCode.CHOICE_LIST_UNUSED)
    assert unused.params["list_name"] == "spare" and unused.location.line == 11


def test_likert_needs_two_substantive_points(load_yaml):
    result = load_yaml(
        """\
        choice_lists:
          odd:
            - {name: one, label: {en: One, ru: Один}}
            - {name: dk, missing: true, label: {en: DK, ru: НЗ}}
        items:
          - {code: l, type: likert, choices: odd, label: {en: L, ru: Л}}
        """
    )
    assert codes(result) == [ErrorCode.LIKERT_SCALE_INVALID]


def test_options_that_do_not_fit_the_type(load_yaml):
    result = load_yaml(
        LISTS,
        """\
        items:
          - {code: a, type: text, choices: yn, min: 1, label: {en: A, ru: А}}
          - {code: b, type: integer, rows: [{code: r, label: {en: R, ru: Р}}], label: {en: B, ru: Б}}
          - {code: c, type: note, required: true, label: {en: C, ru: В}}
          - {code: d, type: integer, value_type: decimal, label: {en: D, ru: Г}}
          - {code: e, type: integer, calculation: "1", label: {en: E, ru: Д}}
          - {code: f, type: text, choice_filter: "x = 1", label: {en: F, ru: Е}}
        """,
    )
    options = sorted(p.params["option"] for p in result.report if p.code is ErrorCode.OPTION_INVALID)
    assert options == [
        "calculation",
        "choice_filter",
        "choices",
        "min/max",
        "required/constraint",
        "rows",
        "value_type",
    ]


def test_range_matrix_group_calculate(load_yaml):
    result = load_yaml(
        LISTS,
        """\
        items:
          - {code: a, type: integer, min: 10, max: 1, label: {en: A, ru: А}}
          - {code: m, type: matrix, choices: yn, label: {en: M, ru: М}}
          - {code: g, type: group, label: {en: G, ru: Г}, items: []}
          - {code: c, type: calculate}
        """,
    )
    found = codes(result)
    for code in (
        ErrorCode.RANGE_INVALID,
        ErrorCode.MATRIX_ROWS_MISSING,
        ErrorCode.GROUP_EMPTY,
        ErrorCode.FIELD_MISSING,
    ):
        assert code in found


def test_bad_default_values(load_yaml):
    result = load_yaml(
        LISTS,
        """\
        items:
          - {code: a, type: select_one, choices: yn, default: maybe, label: {en: A, ru: А}}
          - {code: b, type: integer, default: "1.5", label: {en: B, ru: Б}}
          - {code: c, type: date, default: "tomorrow", label: {en: C, ru: В}}
          - {code: d, type: decimal, default: "x", label: {en: D, ru: Г}}
          - {code: e, type: select_multiple, choices: yn, default: "y n", label: {en: E, ru: Д}}
        """,
    )
    defaults = [p.location.path for p in result.report.errors if p.code is ErrorCode.FIELD_INVALID]
    assert defaults == ["a.default", "b.default", "c.default", "d.default"]


def test_languages(load_yaml):
    result = load_yaml(
        """\
        schema_version: 1
        id: t
        version: "1"
        title: {en: T}
        languages: [en, ru]
        default_language: de
        items:
          - {code: a, type: text, label: {en: A, fr: Le A}}
        """
    )
    assert ErrorCode.LANGUAGE_DEFAULT_UNDECLARED in codes(result)
    warnings = codes(result, Severity.WARNING)
    assert warnings.count(ErrorCode.TRANSLATION_MISSING) == 2  # title.ru and a.label.ru
    assert ErrorCode.LANGUAGE_UNDECLARED in warnings


def test_scale_items_must_exist(load_yaml):
    result = load_yaml(
        """\
        items:
          - {code: satisfied, type: integer, label: {en: S, ru: С}}
        scales:
          sc: {items: [satisfied, satisfeid], reverse: [satisfied]}
        """
    )
    problem = next(p for p in result.report.errors if p.code is ErrorCode.SCALE_ITEM_UNKNOWN)
    assert problem.params["item"] == "satisfeid" and "'satisfied'" in problem.params["suggestion"]


def test_expression_problems_are_located(load_yaml):
    result = load_yaml(
        """\
        items:
          - {code: a, type: integer, label: {en: A, ru: А}}
          - {code: b, type: integer, relevant: ". > 1", label: {en: B, ru: Б}}
          - {code: c, type: integer, relevant: "region = 'x'", label: {en: C, ru: В}}
          - {code: d, type: integer, relevant: "foo(${a})", label: {en: D, ru: Г}}
          - {code: e, type: integer, relevant: "selected(${a})", label: {en: E, ru: Д}}
          - {code: f, type: integer, constraint: ". >", label: {en: F, ru: Е}}
        """
    )
    by_code = {p.code: p for p in result.report.errors}
    assert by_code[ErrorCode.EXPR_CURRENT_NOT_ALLOWED].location.line == 9
    assert by_code[ErrorCode.EXPR_BARE_NAME].params["name"] == "region"
    assert by_code[ErrorCode.EXPR_UNKNOWN_FUNCTION].location.path == "d.relevant"
    assert by_code[ErrorCode.EXPR_ARITY].params["name"] == "selected"
    assert by_code[ErrorCode.EXPR_SYNTAX].location.line == 13


def test_choice_filter_columns_must_exist(load_yaml):
    result = load_yaml(
        """\
        choice_lists:
          towns:
            - {name: t1, label: {en: T1, ru: Г1}, attributes: {region: r1}}
        items:
          - {code: r, type: text, label: {en: R, ru: Р}}
          - {code: t, type: select_one, choices: towns, choice_filter: "regoin = ${r}", label: {en: T, ru: Г}}
        """
    )
    problem = next(p for p in result.report.errors if p.code is ErrorCode.FIELD_INVALID)
    assert "regoin" in problem.message and "region" in problem.message


def test_cycles_through_relevance_and_calculations(load_yaml):
    result = load_yaml(
        """\
        items:
          - {code: a, type: integer, relevant: "${c} > 1", label: {en: A, ru: А}}
          - {code: b, type: calculate, calculation: "${a} + 1"}
          - {code: c, type: calculate, calculation: "${b} * 2"}
        """
    )
    cycle = next(p for p in result.report.errors if p.code is ErrorCode.EXPR_CYCLE)
    assert set(cycle.params["cycle"].split(" -> ")) == {"a", "b", "c"}


def test_a_group_condition_counts_for_cycles(load_yaml):
    result = load_yaml(
        """\
        items:
          - code: g
            type: group
            relevant: "${inner} = 1"
            label: {en: G, ru: Г}
            items:
              - {code: inner, type: integer, label: {en: I, ru: И}}
        """
    )
    assert ErrorCode.EXPR_CYCLE in codes(result)


def test_never_shown_and_never_passes(load_yaml):
    result = load_yaml(
        LISTS,
        """\
        items:
          - {code: a, type: select_one, choices: yn, label: {en: A, ru: А}}
          - {code: b, type: integer, relevant: "${a} = 'y' and ${a} = 'n'", label: {en: B, ru: Б}}
          - {code: c, type: integer, constraint: ". > 10 and . < 5", label: {en: C, ru: В}}
          - {code: d, type: integer, relevant: "false()", label: {en: D, ru: Г}}
          - {code: e, type: integer, relevant: "${a} = 'y'", constraint: ". >= 0", label: {en: E, ru: Д}}
        """,
    )
    assert result.ok, str(result.report)
    never = {
        (p.code, p.params["code"])
        for p in result.report.warnings
        if p.code in (ErrorCode.QUESTION_NEVER_SHOWN, ErrorCode.CONSTRAINT_NEVER_PASSES)
    }
    assert never == {
        (ErrorCode.QUESTION_NEVER_SHOWN, "b"),
        (ErrorCode.CONSTRAINT_NEVER_PASSES, "c"),
        (ErrorCode.QUESTION_NEVER_SHOWN, "d"),
    }


def test_a_list_used_through_its_type_counts_as_used(load_yaml):
    result = load_yaml(
        """\
        choice_lists:
          yes_no:
            - {name: "yes", label: {en: Yes, ru: Да}}
            - {name: "no", label: {en: No, ru: Нет}}
        items:
          - {code: a, type: yes_no, label: {en: A, ru: А}}
        """
    )
    assert result.report.problems == []


def test_constraints_on_text_are_sampled_with_their_own_literals(load_yaml):
    result = load_yaml(
        """\
        items:
          - code: url
            type: text
            constraint: "starts-with(., 'http://') or starts-with(., 'https://')"
            label: {en: Link, ru: Ссылка}
          - code: code
            type: text
            constraint: ". = 'AB-17' or regex(., '^Z[0-9]{3}$')"
            label: {en: Code, ru: Код}
        """
    )
    assert result.report.problems == []


def test_notes_and_groups_have_a_relevance_too(load_yaml):
    from surveykit.questionnaire.validate import validate_answers

    result = load_yaml(
        """\
        items:
          - {code: n, type: integer, label: {en: N, ru: Н}}
          - {code: high, type: note, relevant: "${n} > 5", label: {en: High, ru: Много}}
          - code: g
            type: group
            relevant: "${n} > 1"
            label: {en: G, ru: Г}
            items:
              - {code: low, type: note, relevant: "${n} <= 5", label: {en: Low, ru: Мало}}
        """
    )
    q = result.unwrap()
    assert [validate_answers(q, {"n": 7}).relevant(c) for c in ("high", "g", "low")] == [True, True, False]
    assert [validate_answers(q, {"n": 3}).relevant(c) for c in ("high", "g", "low")] == [False, True, True]
    assert [validate_answers(q, {"n": 1}).relevant(c) for c in ("high", "g", "low")] == [False, False, False]


def test_a_duplicate_code_is_located_at_its_second_occurrence(load_yaml):
    result = load_yaml(
        """\
        items:
          - {code: b, type: text, label: {en: B, ru: Б}}
          - code: g
            type: group
            label: {en: G, ru: Г}
            items:
              - {code: b, type: text, label: {en: B2, ru: Б2}}
        """
    )
    duplicate = next(p for p in result.report.errors if p.code is ErrorCode.CODE_DUPLICATE)
    assert duplicate.location.line == 13 and duplicate.location.path == "b.code"
    assert "form.yaml:8:6" in duplicate.params["other"]
