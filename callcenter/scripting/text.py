"""Russian text normalisation for search: case, ё→е, tokens, stop words, Snowball stems.

Snowball in pure Python costs ~60 µs a word, so stems are memoised per `Analyzer`.
"""

from __future__ import annotations

import importlib
import re

_CACHE_LIMIT = 50_000
_TOKEN = re.compile(r"[0-9a-zа-я]+")

# Function words that carry no topic; kept short on purpose: "не"/"нет" are meaningful
# in complaints ("нет отопления"), so they stay searchable.
STOP_WORDS = frozenset(
    """
    а в во и или к ко с со у о об от до по за из на над под при для без про же ли бы
    как где что кто когда куда какой какая какие каком чем это этот эта эти мне меня мой моя
    мои я мы вы вас вам ты он она они его ее их там тут здесь ну уже ещё еще можно нужно надо
    ли то так также тоже если чтобы есть быть был была было
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def normalize(text: str) -> str:
    return text.casefold().replace("ё", "е")


def words(text: str) -> list[str]:
    """Normalised word tokens, stop words included (compound joins need neighbours)."""
    return _TOKEN.findall(normalize(text))


class Analyzer:
    """Turns text into stems; one instance per index so its cache lives with the index."""

    def __init__(self) -> None:
        # Imported by name: snowballstemmer ships no type information, and the stemmer is
        # only used through stemWord(str) -> str.
        self._stemmer = importlib.import_module("snowballstemmer").stemmer("russian")
        self._cache: dict[str, str] = {}

    def stem(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is None:
            if len(self._cache) >= _CACHE_LIMIT:  # query words come from people: bound memory
                self._cache.clear()
            cached = self._stemmer.stemWord(word) if len(word) > 2 else word
            self._cache[word] = cached
        return cached

    def content_words(self, text: str) -> list[str]:
        return [w for w in words(text) if w not in STOP_WORDS]

    def stems(self, text: str) -> list[str]:
        return [self.stem(w) for w in self.content_words(text)]
