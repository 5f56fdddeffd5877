"""From text to :class:`Expression`: limits first, then lark's LALR parser, then a checked postfix program.

Order of work for any input, however hostile:

1. length against ``LIMITS.max_length``;
2. linear pre-scans for nesting (parentheses and runs of unary minus, outside string literals) against
   ``LIMITS.max_depth`` and for the number of tokens that become parts against ``LIMITS.max_nodes``, so
   lark never sees deeply nested or oversized text;
3. lark (LALR, no recursion) builds a tree; its errors become EXPR_SYNTAX with a plain-language detail
   in English and Russian (:class:`~surveykit.errors.Translated`);
4. an explicit-stack walk counts nodes (``LIMITS.max_nodes``), checks function names and arities and
   literal regex patterns, and emits the postfix program.

Every failure is an :class:`ExpressionError` whose location column is the 1-based character offset.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

import lark
import numpy as np
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from surveykit.errors import ErrorCode, ExpressionError, Location, Translated, did_you_mean
from surveykit.expressions import limits as _limits
from surveykit.expressions.expression import BARE, BINARY, CALL, CONST, CURRENT, NEG, REF, Expression
from surveykit.expressions.functions import FUNCTIONS, compile_pattern
from surveykit.expressions.limits import Limits
from surveykit.expressions.values import Kind

__all__ = ["parse"]

_GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")
#: texts up to this length are cached (longer ones are rare and would make the cache large)
_CACHE_MAX_CHARS = 2_000


@functools.cache
def _parser() -> lark.Lark:
    return lark.Lark(_GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr", lexer="contextual")


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _error(code: ErrorCode, at: int, /, **params: Any) -> ExpressionError:
    return ExpressionError(code, Location(column=at), **params)


def _tr(en: str, ru: str) -> Translated:
    """A message detail in English and Russian (the languages of the user interface)."""
    return Translated(en=en, ru=ru)


def _syntax(text: str, column: int, detail: Translated) -> ExpressionError:
    return _error(ErrorCode.EXPR_SYNTAX, column, expression=_shorten(text), detail=detail, column=column)


def _too_complex(column: int, detail: Translated, limits: Limits) -> ExpressionError:
    return _error(ErrorCode.EXPR_TOO_COMPLEX, column, detail=detail, limits=limits.describe())


def _ru_number(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


# --- 1 and 2: length and nesting before parsing ----------------------------------------------------

_SCAN_RE = re.compile(r"""'[^']*'|"[^"]*"|['"]|[()]|-|[ \t\r\n]+|[^()'"\- \t\r\n]+""")
_PART_RE = re.compile(
    r"""'[^']*'|"[^"]*"|\$\{[^}]*\}|[0-9]+(?:\.[0-9]*)?|\.[0-9]+|!=|<=|>=|[=<>+\-*.]"""
    r"""|[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z_][A-Za-z0-9_\-]*)?"""
)


def _deeper(limits: Limits) -> Translated:
    return _tr(
        f"nested more than {limits.max_depth} levels deep",
        f"вложенность больше {limits.max_depth} уровней",
    )


def _more_parts(limits: Limits) -> Translated:
    return _tr(f"more than {limits.max_nodes:,} parts", f"больше {_ru_number(limits.max_nodes)} частей")


def _prescan(text: str, limits: Limits) -> None:
    if len(text) > limits.max_length:
        raise _too_complex(
            limits.max_length + 1,
            _tr(
                f"{len(text):,} characters, more than {limits.max_length:,}",
                f"символов: {_ru_number(len(text))}, больше {_ru_number(limits.max_length)}",
            ),
            limits,
        )
    # Depth = open parentheses + runs of minus signs, each "(" also carrying the minus run before it.
    opened: list[int] = []
    depth = 0
    run = 0
    for m in _SCAN_RE.finditer(text):
        c = m.group()[0]
        if c == "(":
            opened.append(1 + run)
            depth += 1 + run
            run = 0
            if depth > limits.max_depth:
                raise _too_complex(m.start() + 1, _deeper(limits), limits)
        elif c == ")":
            if opened:
                depth -= opened.pop()
            run = 0
        elif c == "-":
            run += 1
            if depth + run > limits.max_depth:
                raise _too_complex(m.start() + 1, _deeper(limits), limits)
        elif c in " \t\r\n":
            continue
        elif c in "'\"" and len(m.group()) == 1:
            break  # an unclosed quote: the parser reports it
        else:
            run = 0
    # Each of these tokens becomes one part of the tree (never more tokens than parts), so a text with
    # too many of them is refused before lark spends time on it.
    for count, m in enumerate(_PART_RE.finditer(text), start=1):
        if count > limits.max_nodes:
            raise _too_complex(m.start() + 1, _more_parts(limits), limits)


# --- 3: syntax errors in plain language ------------------------------------------------------------

_OPERATOR_TERMINALS = {"OR", "AND", "EQ_OP", "REL_OP", "PLUS", "MINUS", "STAR", "DIV", "MOD"}
_TYPOGRAPHIC_QUOTES = "‘’‚‛“”„‟«»‹›"


def _describe_character(text: str, pos: int) -> Translated:
    ch = text[pos]
    nxt = text[pos + 1 : pos + 2]
    if ch in "'\"":
        return _tr(
            f"the text in quotes that starts here is not closed: add the closing {ch}",
            f"текст в кавычках, начатый здесь, не закрыт: добавьте закрывающую {ch}",
        )
    if ch == "$":
        if nxt == "{":
            return _tr(
                "a reference must be written ${code}, where the code is a letter followed by letters, "
                "digits or underscores",
                "ссылка пишется как ${код}, где код — латинская буква, за которой идут буквы, цифры "
                "или подчёркивания",
            )
        return _tr("'$' must begin a reference written ${code}", "«$» должен начинать ссылку вида ${код}")
    if ch in _TYPOGRAPHIC_QUOTES:
        return _tr(
            f"{ch!r} is a typographic quote; write text in straight quotes ' or \"",
            f"{ch!r} — типографская кавычка; заключайте текст в прямые кавычки ' или \"",
        )
    if ch == "&":
        return _tr("'&' is not an operator; write 'and'", "«&» — не оператор; пишите and")
    if ch == "|":
        return _tr(
            "'|' is not supported; write 'or' to combine conditions",
            "«|» не поддерживается; чтобы объединить условия, пишите or",
        )
    if ch == "!":
        return _tr(
            "'!' is not an operator; write not(...) to negate, or '!=' for 'not equal'",
            "«!» — не оператор; для отрицания пишите not(...), для «не равно» — !=",
        )
    if ch in "[]":
        return _tr("XPath predicates '[...]' are not supported", "предикаты XPath «[...]» не поддерживаются")
    if ch == "/":
        return _tr(
            "paths with '/' are not supported; refer to questions as ${code} and divide with 'div'",
            "пути с «/» не поддерживаются; ссылайтесь на вопросы как ${код}, а делите с помощью div",
        )
    if ch == "@":
        return _tr("attributes ('@') are not supported", "атрибуты («@») не поддерживаются")
    category = unicodedata.category(ch)
    if category == "Zs" or ch in "\u200b\u2028\u2029\ufeff\x0b\x0c":
        return _tr(
            f"a non-standard space character (U+{ord(ch):04X}); use an ordinary space",
            f"нестандартный пробел (U+{ord(ch):04X}); используйте обычный пробел",
        )
    if category.startswith("C"):
        return _tr(
            f"the invisible character U+{ord(ch):04X} is not allowed",
            f"невидимый символ U+{ord(ch):04X} недопустим",
        )
    return _tr(f"unexpected character {ch!r}", f"неожиданный символ {ch!r}")


def _open_parentheses(text: str) -> int:
    depth = 0
    for m in _SCAN_RE.finditer(text):
        c = m.group()[0]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
    return depth


def _describe_token(text: str, token: lark.Token, expected: set[str]) -> Translated:
    shown = repr(_shorten(str(token), 30))
    if token.type == "RPAR" and "$END" in expected:
        return _tr("')' has no matching '('", "у «)» нет парной «(»")
    if token.type == "EQ_OP" and token.start_pos and text[token.start_pos - 1] in "=!<>":
        op = text[token.start_pos - 1] + str(token)
        return _tr(
            f"{op} is not an operator; write =, !=, <= or >=", f"{op} — не оператор; пишите =, !=, <= или >="
        )
    if "NUMBER" in expected:  # an operand was expected
        return _tr(f"a value is missing before {shown}", f"перед {shown} не хватает значения")
    if expected & _OPERATOR_TERMINALS:
        if token.type == "NAME" and token.lower() in ("and", "or", "div", "mod"):
            return _tr(
                f"operators are written in lower case: write {token.lower()!r}",
                f"операторы пишутся строчными буквами: {token.lower()!r}",
            )
        return _tr(
            f"an operator (such as =, +, and) is missing before {shown}",
            f"перед {shown} не хватает оператора (например, =, + или and)",
        )
    return _tr(f"unexpected {shown}", f"неожиданное {shown}")


def _describe_end(text: str, expected: set[str]) -> Translated:
    if not text.strip(" \t\r\n"):
        return _tr("the expression is empty", "выражение пустое")
    missing = _open_parentheses(text)
    if missing == 1 and expected & {"RPAR"}:
        return _tr("a closing parenthesis ')' is missing", "не хватает закрывающей скобки «)»")
    if missing > 1 and expected & {"RPAR"}:
        return _tr(f"{missing} closing parentheses are missing", f"не хватает закрывающих скобок: {missing}")
    return _tr(
        "the expression ends too early: a value is missing at the end",
        "выражение обрывается: в конце не хватает значения",
    )


def _cannot_read() -> Translated:
    return _tr("the expression cannot be read", "выражение не удаётся прочитать")


def _syntax_error(text: str, err: UnexpectedInput) -> ExpressionError:
    if isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream
        return _syntax(text, pos + 1, _describe_character(text, pos))
    if isinstance(err, UnexpectedToken):
        expected = set(err.expected or ())
        if err.token.type == "$END":
            return _syntax(text, len(text) + 1, _describe_end(text, expected))
        pos = err.token.start_pos or 0
        return _syntax(text, pos + 1, _describe_token(text, err.token, expected))
    if isinstance(err, UnexpectedEOF):
        return _syntax(text, len(text) + 1, _describe_end(text, set(err.expected or ())))
    return _syntax(text, 1, _cannot_read())  # pragma: no cover - lark has no other kind


# --- 4: the checked program ------------------------------------------------------------------------


def _constant(kind: Kind, value: object) -> tuple[Kind, np.ndarray]:
    if kind is Kind.STRING:
        cats = np.empty(1, dtype=object)
        cats[0] = value
    else:
        cats = np.array([value], dtype=np.float64)
    cats.flags.writeable = False
    return kind, cats


def _column(token: lark.Token) -> int:
    return (token.start_pos or 0) + 1


def _first_token(node: lark.Tree | lark.Token) -> lark.Token:
    while isinstance(node, lark.Tree):
        node = node.children[1] if node.data == "binop" else node.children[0]
    return node


def _build(text: str, tree: lark.Tree, limits: Limits) -> Expression:
    program: list[tuple[int, Any, int]] = []
    references: set[str] = set()
    bare_names: set[str] = set()
    functions: set[str] = set()
    uses_current = False
    volatile = False
    count = 0
    todo: list[tuple[lark.Tree, bool]] = [(tree, False)]
    while todo:
        node, ready = todo.pop()
        data = node.data
        children = node.children
        if ready:
            if data == "binop":
                op = children[1]
                program.append((BINARY, str(op), _column(op)))
            elif data == "neg":
                program.append((NEG, None, _column(children[0])))
            else:  # call
                name = children[0]
                program.append((CALL, (FUNCTIONS[str(name)], len(children) - 1), _column(name)))
            continue
        count += 1
        if count > limits.max_nodes:
            raise _too_complex(_column(_first_token(node)), _more_parts(limits), limits)
        if data == "binop":
            todo.append((node, True))
            todo.append((children[2], False))
            todo.append((children[0], False))
        elif data == "neg":
            todo.append((node, True))
            todo.append((children[1], False))
        elif data == "call":
            name_token = children[0]
            name = str(name_token)
            arguments = children[1:]
            spec = FUNCTIONS.get(name)
            if spec is None:
                raise _error(
                    ErrorCode.EXPR_UNKNOWN_FUNCTION,
                    _column(name_token),
                    name=name,
                    suggestion=did_you_mean(name, FUNCTIONS),
                    supported=", ".join(sorted(FUNCTIONS)),
                )
            if not spec.accepts(len(arguments)):
                raise _error(
                    ErrorCode.EXPR_ARITY,
                    _column(name_token),
                    name=name,
                    expected=spec.arity_text(),
                    found=len(arguments),
                )
            if name == "regex" and isinstance(arguments[1], lark.Tree) and arguments[1].data == "string":
                pattern_token = arguments[1].children[0]
                try:
                    compile_pattern(str(pattern_token)[1:-1])
                except ExpressionError as err:
                    raise _error(err.code, _column(pattern_token), **err.params) from None
            functions.add(name)
            volatile = volatile or spec.volatile
            todo.append((node, True))
            todo.extend((arg, False) for arg in reversed(arguments))
        else:
            token = children[0]
            value = str(token)
            column = _column(token)
            if data == "number":
                number = float(value)
                integral = "." not in value
                program.append((CONST, _constant(Kind.INTEGER if integral else Kind.DECIMAL, number), column))
            elif data == "string":
                program.append((CONST, _constant(Kind.STRING, value[1:-1]), column))
            elif data == "ref":
                references.add(value[2:-1])
                program.append((REF, value[2:-1], column))
            elif data == "current":
                uses_current = True
                program.append((CURRENT, None, column))
            else:  # bare
                bare_names.add(value)
                program.append((BARE, value, column))
    return Expression(
        text=text,
        references=frozenset(references),
        uses_current=uses_current,
        bare_names=frozenset(bare_names),
        functions=frozenset(functions),
        node_count=count,
        is_constant=not (references or uses_current or bare_names or volatile),
        program=tuple(program),
    )


def _compile(text: str, limits: Limits) -> Expression:
    _prescan(text, limits)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as err:
        raise _syntax_error(text, err) from None
    except (LarkError, RecursionError, ValueError, IndexError):  # pragma: no cover - defensive
        raise _syntax(text, 1, _cannot_read()) from None
    return _build(text, tree, limits)


@functools.lru_cache(maxsize=4096)
def _cached(text: str, limits: Limits) -> Expression:
    return _compile(text, limits)


def parse(text: str, *, location: Location | None = None) -> Expression:
    """Parse and check ``text``; the result is cached by text and immutable.

    Raises :class:`ExpressionError`: EXPR_SYNTAX, EXPR_TOO_COMPLEX, EXPR_UNKNOWN_FUNCTION, EXPR_ARITY or
    EXPR_REGEX_INVALID, located at ``location.with_(column=<1-based character offset>)``.
    """
    try:
        if not isinstance(text, str):
            kind = type(text).__name__
            detail = _tr(
                f"an expression must be text, not {kind}", f"выражение должно быть текстом, а не {kind}"
            )
            raise _syntax(repr(text), 1, detail)
        limits = _limits.LIMITS
        if len(text) <= _CACHE_MAX_CHARS:
            return _cached(text, limits)
        return _compile(text, limits)
    except ExpressionError as err:
        column = err.location.column
        where = location.with_(column=column) if location is not None else Location(column=column)
        raise ExpressionError(err.code, where, **err.params) from None
