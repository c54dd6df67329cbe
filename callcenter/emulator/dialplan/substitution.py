"""`${...}` and `$[...]` expansion, innermost first, as pbx_substitute_variables does.

`lookup(name)` receives the expanded text between `${` and `}` without its `:offset:length`
suffix (a variable name or a function call `NAME(args)`) and returns its value.
"""

from __future__ import annotations

from collections.abc import Callable

from callcenter.emulator.dialplan.expressions import evaluate

Lookup = Callable[[str], str]


def substitute(text: str, lookup: Lookup) -> str:
    if "$" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("${", i) or text.startswith("$[", i):
            end = _closing(text, i + 1)
            inner = substitute(text[i + 2 : end], lookup)
            out.append(_variable(inner, lookup) if text[i + 1] == "{" else evaluate(inner))
            i = end + 1
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _closing(text: str, opening: int) -> int:
    """Index of the bracket that closes the one at `opening`: `${` counts `${`/`}` pairs,
    `$[` counts `[`/`]` pairs."""
    brace = text[opening] == "{"
    depth = 0
    for i in range(opening, len(text)):
        c = text[i]
        if brace:
            depth += (c == "{" and text[i - 1] == "$") - (c == "}")
        else:
            depth += (c == "[") - (c == "]")
        if depth == 0:
            return i
    raise ValueError(f"unterminated ${text[opening]} in {text!r}")


def _variable(inner: str, lookup: Lookup) -> str:
    name, offset, length = _split_slice(inner)
    value = lookup(name)
    if offset is None:
        return value
    start = offset if offset >= 0 else max(0, len(value) + offset)
    if length is None:
        return value[start:]
    stop = start + length if length >= 0 else len(value) + length
    return value[start:stop]


def _split_slice(inner: str) -> tuple[str, int | None, int | None]:
    """`NAME:offset:length` (colons inside a function's parentheses do not count)."""
    depth = 0
    for i, c in enumerate(inner):
        depth += (c == "(") - (c == ")")
        if c == ":" and depth == 0:
            parts = inner[i + 1 :].split(":", 1)
            offset = _int(parts[0])
            length = _int(parts[1]) if len(parts) > 1 and parts[1] != "" else None
            return inner[:i], offset, length
    return inner, None, None


def _int(text: str) -> int:
    try:
        return int(text.strip() or 0)
    except ValueError:
        raise ValueError(f"bad substring offset {text!r}") from None
