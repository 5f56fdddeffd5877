"""Parsing: the grammar, what an Expression tells about itself, caching and syntax errors."""

from __future__ import annotations

import dataclasses

import pytest

from surveykit.errors import ErrorCode, ExpressionError, Location, QuestionnaireError, did_you_mean
from surveykit.expressions import FUNCTIONS, Expression, parse

from .helpers import raises, rows


class TestGrammar:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("12", 12),
            ("3.5", 3.5),
            (".5", 0.5),
            ("5.", 5),
            ("007", 7),
        ],
    )
    def test_number_literals(self, text, expected):
        assert rows(text) == [expected]

    def test_string_literals_use_the_other_quote_to_embed_one(self):
        assert rows('"it\'s"') == ["it's"]
        assert rows("'say \"hi\"'") == ['say "hi"']
        assert rows("'a\\nb'") == ["a\\nb"]  # no escapes in XPath 1.0
        raises(ErrorCode.EXPR_SYNTAX, parse, "'it''s'")  # two literals side by side, not one

    def test_whitespace_tabs_and_newlines_are_ignored(self):
        assert rows("\t1\n+\r\n2 ") == [3]

    def test_operator_words_are_names_where_a_value_is_expected(self):
        assert parse("and = 'x'").bare_names == frozenset({"and"})
        assert parse("div div div").bare_names == frozenset({"div"})

    def test_operator_words_need_a_word_boundary(self):
        raises(ErrorCode.EXPR_SYNTAX, parse, "${a} division")
        raises(ErrorCode.EXPR_SYNTAX, parse, "${a} order 2")

    def test_minus_between_names_is_subtraction(self):
        assert parse("a-b").bare_names == frozenset({"a", "b"})
        assert parse("${a}-1").references == frozenset({"a"})

    def test_function_names_may_contain_hyphens_and_spaces_before_the_parenthesis(self):
        assert parse("count-selected (${m})").functions == frozenset({"count-selected"})

    def test_references_must_be_valid_codes(self):
        for text in ("${1a}", "${a b}", "${}", "${a-b}", "${a", "$a"):
            err = raises(ErrorCode.EXPR_SYNTAX, parse, text)
            assert err.location.column == 1, text


class TestExpressionFacts:
    def test_references_functions_and_flags(self):
        expr = parse("selected(${m}, 'a') and . > ${age} or name = 'x'")
        assert expr.text == "selected(${m}, 'a') and . > ${age} or name = 'x'"
        assert expr.references == frozenset({"m", "age"})
        assert expr.uses_current
        assert expr.bare_names == frozenset({"name"})
        assert expr.functions == frozenset({"selected"})
        assert expr.node_count == 11

    @pytest.mark.parametrize(
        ("text", "constant"),
        [
            ("1 + 2", True),
            ("concat('a', string(3))", True),
            ("${a}", False),
            (". > 1", False),
            ("name", False),
            ("today() > 0", False),
            ("format-date-time(now(), '%Y')", False),
        ],
    )
    def test_is_constant(self, text, constant):
        assert parse(text).is_constant is constant

    def test_node_count_counts_every_part(self):
        assert parse("1").node_count == 1
        assert parse("-(1 + ${a})").node_count == 4
        assert parse("if(true(), 1, 2)").node_count == 4

    def test_parse_is_cached_and_expressions_are_immutable_and_hashable(self):
        expr = parse("${a} + 1")
        assert parse("${a} + 1") is expr
        assert expr == Expression(**{f.name: getattr(expr, f.name) for f in dataclasses.fields(expr)})
        assert hash(expr) == hash(parse("${a} + 1"))
        assert expr != parse("${a} + 2")
        assert {expr: 1}[parse("${a} + 1")] == 1
        with pytest.raises(dataclasses.FrozenInstanceError):
            expr.text = "x"  # type: ignore[misc]
        assert str(expr) == "${a} + 1"


class TestSyntaxErrors:
    @pytest.mark.parametrize(
        ("text", "column", "detail"),
        [
            ("", 1, "empty"),
            ("   ", 4, "empty"),
            ("${a} ${b}", 6, "operator"),
            ("1 +", 4, "ends too early"),
            ("1 + * 2", 5, "value is missing before '*'"),
            ("(1", 3, "parenthesis"),
            ("((1)", 5, "parenthesis"),
            ("1)", 2, "no matching '('"),
            ("'abc", 1, "not closed"),
            ('${a} = "x', 8, "not closed"),
            ("1 | 2", 3, "or"),
            ("x && y", 3, "and"),
            ("!x", 1, "not("),
            ("a == b", 4, "=="),
            ("1 AND 2", 3, "lower case"),
            ("\u2018yes\u2019", 1, "typographic"),
            ("1 +\u00a02", 4, "U+00A0"),
            ("1 + \x00", 5, "U+0000"),
            ("a[1]", 2, "predicates"),
            ("/data/a", 1, "paths"),
            ("@a", 1, "attributes"),
            ("1 ~ 2", 3, "'~'"),
            ("f(1,)", 5, "value is missing"),
            ("${a} =\n\n 2 3", 12, "operator"),
        ],
    )
    def test_syntax_error_column_and_detail(self, text, column, detail):
        err = raises(ErrorCode.EXPR_SYNTAX, parse, text)
        assert err.location.column == column
        assert err.params["column"] == column
        assert detail in str(err.params["detail"])
        assert err.params["expression"] == text

    def test_details_are_in_english_and_russian(self):
        err = raises(ErrorCode.EXPR_SYNTAX, parse, "(1 + 2")
        assert "a closing parenthesis ')' is missing" in err.localized("en")
        assert "не хватает закрывающей скобки" in err.localized("ru")
        err = raises(ErrorCode.EXPR_TOO_COMPLEX, parse, "-" * 100 + "1")
        assert "вложенность больше 64 уровней" in err.localized("ru")
        assert "не больше 10\u00a0000 символов" in err.localized("ru")

    def test_location_is_kept_and_the_column_added(self):
        where = Location(file="form.xlsx", sheet="survey", row=7, path="q3.relevant")
        err = raises(ErrorCode.EXPR_SYNTAX, parse, "${a} =", location=where)
        assert err.location == where.with_(column=7)
        assert "form.xlsx, sheet 'survey', row 7" in str(err)

    def test_expression_errors_are_questionnaire_errors(self):
        with pytest.raises(QuestionnaireError):
            parse("(")

    def test_non_text_is_a_syntax_error(self):
        err = raises(ErrorCode.EXPR_SYNTAX, parse, None)  # type: ignore[arg-type]
        assert err.location.column == 1

    def test_a_long_expression_is_shortened_in_the_message(self):
        text = "1 + " * 400 + "+"
        err = raises(ErrorCode.EXPR_SYNTAX, parse, text)
        assert len(err.params["expression"]) < 300
        assert err.location.column == len(text)


class TestFunctionChecks:
    def test_unknown_function_suggests_the_closest(self):
        err = raises(ErrorCode.EXPR_UNKNOWN_FUNCTION, parse, "1 + selectd(${a}, 'x')")
        assert err.params["name"] == "selectd"
        assert err.params["suggestion"] == did_you_mean("selectd", FUNCTIONS)
        assert "'selected'" in err.params["suggestion"]
        assert "count-selected" in err.params["supported"]
        assert err.location.column == 5

    def test_unsupported_odk_functions_are_unknown(self):
        for name in ("random", "uuid", "jr:choice-name", "pulldata", "position"):
            err = raises(ErrorCode.EXPR_UNKNOWN_FUNCTION, parse, f"{name}()")
            assert err.params["name"] == name

    @pytest.mark.parametrize(
        ("text", "expected", "found", "column"),
        [
            ("if(1, 2)", "3", 2, 1),
            ("1 + round()", "1–2", 0, 5),
            ("concat()", "≥1", 0, 1),
            ("substr('a', 1, 2, 3)", "2–3", 4, 1),
            ("true(1)", "0", 1, 1),
            ("not(not(1, 2))", "1", 2, 5),
        ],
    )
    def test_wrong_number_of_arguments(self, text, expected, found, column):
        err = raises(ErrorCode.EXPR_ARITY, parse, text)
        assert err.params["expected"] == expected
        assert err.params["found"] == found
        assert err.location.column == column

    def test_invalid_literal_regex_is_found_when_parsing(self):
        err = raises(ErrorCode.EXPR_REGEX_INVALID, parse, "regex(., '[a-')")
        assert err.params["pattern"] == "[a-"
        assert err.location.column == 10

    def test_regex_with_a_pattern_from_a_question_is_checked_at_run_time(self):
        assert parse("regex(., ${pattern})").functions == frozenset({"regex"})

    def test_errors_raise_only_expression_error(self):
        with pytest.raises(ExpressionError):
            parse("nope(")
