"""Typo tolerance: a deletion-neighbourhood index over the vocabulary of stems.

Comparing a query word with every stem would cost milliseconds in Python; instead every stem
is stored under all strings obtained by deleting up to k of its letters, so a query word only
looks up its own deletions and verifies the few candidates with a real edit distance.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

_CACHE_LIMIT = 20_000
# Longer "words" are pasted codes or glued text; their deletion sets would be large and useless.
MAX_WORD = 24


def max_typos(length: int) -> int:
    """Allowed edits by word length: short words must match exactly, long ones may have two."""
    if length <= 3 or length > MAX_WORD:
        return 0
    if length <= 7:
        return 1
    return 2


def _deletions(word: str, k: int) -> set[str]:
    result = {word}
    for n in range(1, min(k, len(word) - 1) + 1):
        for drop in combinations(range(len(word)), n):
            result.add("".join(ch for i, ch in enumerate(word) if i not in drop))
    return result


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (adjacent swaps count 1); `limit + 1` if beyond."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


class TypoIndex:
    """Finds vocabulary terms within the allowed edit distance of a (misspelt) term."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._by_deletion: dict[str, set[str]] = {}
        for term in vocabulary:
            for variant in _deletions(term, max_typos(len(term))):
                self._by_deletion.setdefault(variant, set()).add(term)
        self._cache: dict[str, tuple[tuple[str, int], ...]] = {}

    def near(self, term: str) -> tuple[tuple[str, int], ...]:
        """(vocabulary term, distance) pairs at the smallest distance found, best first."""
        cached = self._cache.get(term)
        if cached is None:
            if len(self._cache) >= _CACHE_LIMIT:  # query words come from people: bound memory
                self._cache.clear()
            cached = self._lookup(term)
            self._cache[term] = cached
        return cached

    def _lookup(self, term: str) -> tuple[tuple[str, int], ...]:
        k = max_typos(len(term))
        if k == 0:
            return ()
        candidates: set[str] = set()
        for variant in _deletions(term, k):
            candidates |= self._by_deletion.get(variant, set())
        found: list[tuple[str, int]] = []
        for candidate in candidates:
            limit = min(k, max_typos(len(candidate)))
            distance = edit_distance(term, candidate, limit)
            if 0 < distance <= limit:
                found.append((candidate, distance))
        if not found:
            return ()
        best = min(d for _, d in found)
        return tuple(sorted((t, d) for t, d in found if d == best))
