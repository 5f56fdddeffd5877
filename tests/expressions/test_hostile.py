"""Hostile input: every text gives an Expression or a clean ExpressionError, quickly."""

from __future__ import annotations

import dataclasses
import time

import pytest

from surveykit.errors import ErrorCode
from surveykit.expressions import LIMITS, Kind, limits, parse

from .helpers import ev, raises, rows

pytestmark = pytest.mark.timeout(30)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    try:
        fn(*args, **kwargs)
    finally:
        elapsed = time.perf_counter() - start
    return elapsed


class TestSize:
    @pytest.mark.parametrize("size", [LIMITS.max_length + 1, 1_000_000])
    def test_long_text_is_refused_before_parsing(self, size):
        for text in ("x" * size, "'" + "a" * size + "'", "(" * size):
            err = raises(ErrorCode.EXPR_TOO_COMPLEX, parse, text)
            assert err.location.column == LIMITS.max_length + 1
            assert f"{len(text):,} characters" in str(err.params["detail"])

    def test_text_at_the_length_limit_is_parsed(self):
        text = "'" + "a" * (LIMITS.max_length - 2) + "'"
        assert rows(text) == ["a" * (LIMITS.max_length - 2)]

    def test_too_many_parts(self):
        text = "1+" * 2_500 + "1"
        err = raises(ErrorCode.EXPR_TOO_COMPLEX, parse, text)
        assert "2,000 parts" in str(err.params["detail"])
        assert 1 < err.location.column <= len(text)

    def test_many_parts_within_the_limit_evaluate_without_recursion(self):
        text = "1+" * 999 + "1"
        assert parse(text).node_count == 1_999
        assert ev(text, n=1_000).to_num().tolist() == [1_000.0] * 1_000
        text = "concat(" + ",".join(["'a'"] * 1_500) + ")"
        assert rows(text) == ["a" * 1_500]


class TestDepth:
    def test_hundred_thousand_parentheses(self):
        text = "(" * 100_000 + "1" + ")" * 100_000
        assert timed(raises, ErrorCode.EXPR_TOO_COMPLEX, parse, text) < 1

    def test_nesting_beyond_the_limit_within_the_length(self):
        depth = LIMITS.max_depth
        err = raises(ErrorCode.EXPR_TOO_COMPLEX, parse, "(" * 4_000 + "1" + ")" * 4_000)
        assert err.location.column == depth + 1
        assert f"{depth} levels" in str(err.params["detail"])

    def test_nesting_at_the_limit_is_allowed(self):
        depth = LIMITS.max_depth
        assert rows("(" * depth + "1" + ")" * depth) == [1]
        assert rows("abs(" * depth + "1" + ")" * depth) == [1]

    def test_runs_of_unary_minus(self):
        err = raises(ErrorCode.EXPR_TOO_COMPLEX, parse, "-" * 5_000 + "1")
        assert err.location.column == LIMITS.max_depth + 1
        assert rows("-" * 64 + "1") == [1]

    def test_minus_and_parentheses_count_together(self):
        raises(ErrorCode.EXPR_TOO_COMPLEX, parse, "-(" * 40 + "1" + ")" * 40)
        assert rows("-(" * 30 + "1" + ")" * 30) == [1]

    def test_nested_calls(self):
        raises(ErrorCode.EXPR_TOO_COMPLEX, parse, "abs(" * 65 + "1" + ")" * 65)

    def test_parentheses_inside_text_do_not_count(self):
        assert rows("'" + "(" * 500 + "'") == ["(" * 500]


class TestGarbage:
    @pytest.mark.parametrize(
        "text",
        [
            "\x00\x01\x02",
            "\u202e${a}",
            "\ud800",
            "🙂 = 1",
            "'" + "a" * 9_000,
            "${" * 3_000,
            "x(" * 3_000,
            "))))",
            ",",
            "1 2 3 4",
            "${a} = 'x' and",
            "\\",
            "$",
            "${a}}",
            "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((",
        ],
    )
    def test_garbage_is_a_clean_error(self, text):
        with pytest.raises(Exception) as info:
            parse(text)
        assert info.value.__class__.__name__ == "ExpressionError"
        assert info.value.location.column is not None
        assert 1 <= info.value.location.column <= len(text) + 1

    def test_unknown_functions_and_arity_in_deep_text(self):
        raises(ErrorCode.EXPR_UNKNOWN_FUNCTION, parse, "abs(" * 30 + "nope()" + ")" * 30)
        raises(ErrorCode.EXPR_ARITY, parse, "abs(" * 30 + "abs(1, 2)" + ")" * 30)


class TestRegex:
    def test_catastrophic_pattern_times_out(self, monkeypatch):
        monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(LIMITS, regex_timeout=0.2))
        elapsed = timed(
            raises,
            ErrorCode.EXPR_REGEX_TIMEOUT,
            ev,
            "regex(${t}, '(a|aa)+b')",
            {"t": ["a" * 100]},
            {"t": Kind.STRING},
        )
        assert elapsed < 5

    def test_the_timeout_covers_all_rows_of_one_call(self, monkeypatch):
        monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(LIMITS, regex_timeout=0.2))
        texts = ["a" * (60 + i) for i in range(500)]  # distinct values: no sharing of work
        elapsed = timed(
            raises,
            ErrorCode.EXPR_REGEX_TIMEOUT,
            ev,
            "regex(${t}, '(a|aa)+b')",
            {"t": texts},
            {"t": Kind.STRING},
        )
        assert elapsed < 5

    def test_nested_quantifier_from_the_brief_does_not_hang(self):
        assert rows("regex(${t}, '(a+)+$')", {"t": ["a" * 3_000 + "b"]}, {"t": Kind.STRING}) == [False]

    @pytest.mark.parametrize(
        "pattern", ["(?R)", "a(?R)?b", "((?1))", "(?P<x>a(?&x)?)", "(?P<x>a(?P>x)?)", "(a)(?-1)"]
    )
    def test_recursive_patterns_are_refused_when_the_expression_is_read(self, pattern):
        err = raises(ErrorCode.EXPR_REGEX_INVALID, parse, f"regex(., '{pattern}')")
        assert "recursively" in str(err.params["detail"]) and "рекурсивно" in err.localized("ru")

    @pytest.mark.parametrize("pattern", [r"\(?R\)", "[(?R)]", "(?P<x>a)(?P=x)", "(?i)abc"])
    def test_look_alikes_of_recursion_are_ordinary_patterns(self, pattern):
        parse(f"regex(., '{pattern}')")

    def test_memory_running_out_while_matching_is_a_message(self, monkeypatch):
        from surveykit.expressions import functions

        class Exhausting:
            def fullmatch(self, text, **options):
                raise MemoryError

        monkeypatch.setattr(functions, "compile_pattern", lambda pattern: Exhausting())
        err = raises(
            ErrorCode.EXPR_REGEX_INVALID, ev, "regex(${t}, 'a+')", {"t": ["aaa"]}, {"t": Kind.STRING}
        )
        assert "memory" in str(err.params["detail"])

    def test_the_evaluation_gives_up_at_the_ceiling_even_if_a_match_would_not_stop(self, monkeypatch):
        """The regex library counts CPU time: on a busy machine a match overruns its timeout in wall-clock
        time. A match that ignores its timeout entirely (sleeping 5 s) is abandoned at the ceiling,
        three times the budget, long before it ends."""
        from surveykit.expressions import functions

        class Stuck:
            def fullmatch(self, text, **options):
                time.sleep(5)
                return None

        monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(LIMITS, regex_timeout=0.2))
        monkeypatch.setattr(functions, "compile_pattern", lambda pattern: Stuck())
        elapsed = timed(
            raises, ErrorCode.EXPR_REGEX_TIMEOUT, ev, "regex(${t}, 'a')", {"t": ["a"]}, {"t": Kind.STRING}
        )
        assert elapsed < 4  # the stuck match would take 5 s

    def test_the_time_budget_is_a_setting(self, monkeypatch):
        from surveykit.config import settings

        monkeypatch.setenv("SURVEYKIT_REGEX_TIMEOUT_MS", "250")
        settings.cache_clear()
        try:
            assert LIMITS.regex_timeout is None and LIMITS.regex_seconds == 0.25
        finally:
            monkeypatch.delenv("SURVEYKIT_REGEX_TIMEOUT_MS")
            settings.cache_clear()
        assert dataclasses.replace(LIMITS, regex_timeout=0.2).regex_seconds == 0.2

    def test_patterns_that_expand_hugely_are_refused_before_compiling(self):
        pattern = "(?:(?:(?:a{100}){100}){100}){100}"  # would build 10^8 nodes in the regex engine
        err = raises(ErrorCode.EXPR_REGEX_INVALID, parse, f"regex(., '{pattern}')")
        assert "100,000 parts" in str(err.params["detail"])
        elapsed = timed(
            raises,
            ErrorCode.EXPR_REGEX_INVALID,
            ev,
            "regex(${t}, ${p})",
            {"t": ["a"], "p": ["a{99999999999}"]},
            {"t": Kind.STRING, "p": Kind.STRING},
        )
        assert elapsed < 1

    def test_ordinary_counted_repeats_are_fine(self):
        values = {"t": ["0123456789", "12-34"]}
        assert rows("regex(${t}, '[0-9]{10}')", values, {"t": Kind.STRING}) == [True, False]
        assert rows("regex(${t}, '(?:[0-9]{2}-?){2}')", values, {"t": Kind.STRING}) == [False, True]

    def test_deeply_nested_groups_in_a_pattern_are_invalid(self):
        pattern = "(" * 3_000 + "a" + ")" * 3_000
        raises(ErrorCode.EXPR_REGEX_INVALID, parse, f"regex(., '{pattern}')")

    def test_the_timeout_covers_all_regex_calls_of_one_evaluation(self, monkeypatch):
        """Each call alone stays under the budget (about 0.05-0.1 s); fifty together must not."""
        monkeypatch.setattr(limits, "LIMITS", dataclasses.replace(LIMITS, regex_timeout=0.3))
        calls = " or ".join(["regex(${t}, '(a+)+$')"] * 50)
        values = {"t": ["a" * 4_000 + "b"]}
        elapsed = timed(raises, ErrorCode.EXPR_REGEX_TIMEOUT, ev, calls, values, {"t": Kind.STRING})
        assert elapsed < 2
