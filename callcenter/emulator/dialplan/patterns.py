"""Extension patterns (`_X.`, `_NXXN.`, `_1[2-5]X!`) and Asterisk's order among matching ones."""

from __future__ import annotations

import re
from functools import lru_cache

_CLASSES = {"X": "0-9", "Z": "1-9", "N": "2-9"}
_ANY = 1000  # weight of '.' and '!' when ordering patterns by specificity


def is_pattern(name: str) -> bool:
    return name.startswith("_")


@lru_cache(maxsize=512)
def _compile(pattern: str) -> tuple[re.Pattern[str], tuple[int, ...]]:
    """The regular expression of a pattern and its specificity key (smaller = more specific)."""
    body, regex, weights, i = pattern[1:], [], [], 0
    while i < len(body):
        c = body[i]
        if c.upper() in _CLASSES:
            regex.append(f"[{_CLASSES[c.upper()]}]")
            weights.append(len(range(int(_CLASSES[c.upper()][0]), 10)))
        elif c == "[":
            end = body.find("]", i)
            if end < 0:
                raise ValueError(f"pattern {pattern!r}: '[' without ']'")
            inner = body[i + 1 : end]
            regex.append(f"[{re.escape(inner).replace(chr(92) + '-', '-')}]")
            weights.append(_class_size(inner))
            i = end
        elif c == ".":
            regex.append(".+")
            weights.append(_ANY)
        elif c == "!":
            regex.append(".*")
            weights.append(_ANY + 1)
        elif c != "-":  # a dash outside brackets is ignored, as in Asterisk
            regex.append(re.escape(c))
            weights.append(1)
        i += 1
    return re.compile("".join(regex) + r"\Z"), tuple(weights)


def _class_size(inner: str) -> int:
    size, i = 0, 0
    while i < len(inner):
        if i + 2 < len(inner) and inner[i + 1] == "-":
            size += abs(ord(inner[i + 2]) - ord(inner[i])) + 1
            i += 3
        else:
            size += 1
            i += 1
    return size


def matches(name: str, exten: str) -> bool:
    if not is_pattern(name):
        return name == exten
    return _compile(name)[0].match(exten) is not None


def specificity(name: str) -> tuple[int, ...]:
    """Sort key: an exact name first, then patterns whose characters match fewer digits."""
    return () if not is_pattern(name) else _compile(name)[1]


def check(name: str) -> None:
    """Raises ValueError for a pattern that cannot be read."""
    if is_pattern(name):
        _compile(name)
