"""`$[ expression ]`: Asterisk's expression language, the part a call-center dialplan uses.

Operators, lowest precedence first: `|`, `&`, comparisons (`=`, `==`, `!=`, `<`, `>`, `<=`,
`>=`), `+ -`, `* / %`, unary `-` and `!`; parentheses group. Operands are numbers or strings
(quotes are removed). Comparisons are numeric when both sides are unquoted integers, else by
text; true is "1", false "0". `|` and `&` return an operand, as Asterisk does.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(
    r'\s*(?:("(?:[^"\\]|\\.)*")|(==|!=|<=|>=|[|&=<>+\-*/%()!])|([^\s|&=<>+\-*/%()!"]+))'
)
_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}
_COMPARE = tuple(_COMPARATORS)


class ExpressionError(ValueError):
    pass


class _Quoted(str):
    """A "quoted" operand: compared as text even when it looks like a number."""

    __slots__ = ()


def evaluate(expression: str) -> str:
    tokens = _tokens(expression)
    if not tokens:
        return ""
    parser = _Parser(tokens)
    value = parser.either()
    if parser.pos != len(tokens):
        raise ExpressionError(f"unexpected {tokens[parser.pos][1]!r} in $[{expression}]")
    return value


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text): kind is "v" for a value, "o" for an operator."""
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            if text[pos:].strip():
                raise ExpressionError(f"cannot read $[{text}]")
            break
        quoted, op, word = match.groups()
        if quoted is not None:
            out.append(("v", _Quoted(quoted[1:-1].replace('\\"', '"'))))
        elif op is not None:
            out.append(("o", op))
        elif word is not None:
            out.append(("v", word))
        pos = match.end()
    return out


def _number(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _true(value: str) -> bool:
    return value not in ("", "0")


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.pos = tokens, 0

    def _peek(self, *ops: str) -> str | None:
        if self.pos < len(self.tokens) and self.tokens[self.pos] in [("o", o) for o in ops]:
            op = self.tokens[self.pos][1]
            self.pos += 1
            return op
        return None

    def either(self) -> str:
        left = self.both()
        while self._peek("|"):
            right = self.both()
            left = left if _true(left) else (right if _true(right) else "0")
        return left

    def both(self) -> str:
        left = self.compare()
        while self._peek("&"):
            right = self.compare()
            left = left if _true(left) and _true(right) else "0"
        return left

    def compare(self) -> str:
        left = self.sum()
        while (op := self._peek(*_COMPARE)) is not None:
            left = _compare(left, op, self.sum())
        return left

    def sum(self) -> str:
        left = self.product()
        while (op := self._peek("+", "-")) is not None:
            left = _arith(left, op, self.product())
        return left

    def product(self) -> str:
        left = self.unary()
        while (op := self._peek("*", "/", "%")) is not None:
            left = _arith(left, op, self.unary())
        return left

    def unary(self) -> str:
        if self._peek("-"):
            return _arith("0", "-", self.unary())
        if self._peek("!"):
            return "0" if _true(self.unary()) else "1"
        if self._peek("("):
            value = self.either()
            if not self._peek(")"):
                raise ExpressionError("missing ')'")
            return value
        if self.pos >= len(self.tokens) or self.tokens[self.pos][0] != "v":
            found = self.tokens[self.pos][1] if self.pos < len(self.tokens) else "the end"
            raise ExpressionError(f"a value was expected, not {found!r}")
        self.pos += 1
        return self.tokens[self.pos - 1][1]


def _compare(left: str, op: str, right: str) -> str:
    quoted = isinstance(left, _Quoted) or isinstance(right, _Quoted)
    a, b = (None, None) if quoted else (_number(left), _number(right))
    test = _COMPARATORS[op]
    result = test(a, b) if a is not None and b is not None else test(left, right)
    return "1" if result else "0"


def _arith(left: str, op: str, right: str) -> str:
    a, b = _number(left), _number(right)
    if a is None or b is None:
        raise ExpressionError(f"non-numeric argument: {left!r} {op} {right!r}")
    if op in "/%" and b == 0:
        raise ExpressionError("division by zero")
    if op == "+":
        return str(a + b)
    if op == "-":
        return str(a - b)
    if op == "*":
        return str(a * b)
    quotient = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)  # C division truncates
    return str(quotient if op == "/" else a - quotient * b)
