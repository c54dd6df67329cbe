"""Ranked Russian search over short documents (FAQ entries): BM25F over Snowball stems.

Each query word becomes a *slot* with weighted alternative terms: its own stem, near stems
when it is misspelt, synonyms, and compound forms (a word split in two, or two words joined:
"загран паспорта" ~ "загранпаспорт"). A document scores, per slot, its best alternative; slot
scores add up. Per-(term, document) BM25F weights are precomputed at build time, so a query is
a handful of dictionary look-ups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from math import log

from callcenter.scripting.fuzzy import TypoIndex
from callcenter.scripting.text import STOP_WORDS, Analyzer, words

DEFAULT_FIELD_WEIGHTS: Mapping[str, float] = {"question": 3.0, "tags": 2.0, "answer": 1.0}
K1 = 1.2
B = 0.75
TYPO_WEIGHT = {1: 0.8, 2: 0.6}
SYNONYM_WEIGHT = 0.7
SPLIT_WEIGHT = 0.9
MIN_SPLIT_PART = 3
# A pasted paragraph must not cost a typo look-up per word: only the first words count.
MAX_QUERY_WORDS = 32


@dataclass(frozen=True)
class Document:
    id: str
    fields: Mapping[str, str]


@dataclass(frozen=True)
class SearchOptions:
    """Switches for the tolerant parts of matching; all on in production, off to measure them."""

    typos: bool = True
    compounds: bool = True


@dataclass(frozen=True)
class Hit:
    id: str
    score: float


@dataclass
class _Slot:
    alternatives: dict[str, float] = field(default_factory=dict)

    def offer(self, term: str, weight: float) -> None:
        if weight > self.alternatives.get(term, 0.0):
            self.alternatives[term] = weight


class SearchIndex:
    """Built once; afterwards only memo caches change, so searches never see a partial index."""

    def __init__(
        self,
        documents: Iterable[Document],
        *,
        synonyms: Iterable[Sequence[str]] = (),
        field_weights: Mapping[str, float] = DEFAULT_FIELD_WEIGHTS,
        options: SearchOptions = SearchOptions(),
    ) -> None:
        self._analyzer = Analyzer()
        self._options = options
        self._weights = dict(field_weights)
        self._postings: dict[str, dict[str, float]] = {}
        self._build(list(documents))
        self._synonyms = self._build_synonyms(synonyms)
        self._typos = TypoIndex(self._postings.keys() | self._synonyms.keys())

    @property
    def vocabulary_size(self) -> int:
        return len(self._postings)

    def _build(self, documents: list[Document]) -> None:
        counts: list[dict[str, Counter[str]]] = []
        lengths: dict[str, float] = dict.fromkeys(self._weights, 0.0)
        for doc in documents:
            per_field = {
                f: Counter(self._analyzer.stems(doc.fields.get(f, ""))) for f in self._weights
            }
            for f, c in per_field.items():
                lengths[f] += c.total()
            counts.append(per_field)
        n = max(len(documents), 1)
        average = {f: max(total / n, 1.0) for f, total in lengths.items()}
        doc_freq: Counter[str] = Counter()
        for per_field in counts:
            doc_freq.update({t for c in per_field.values() for t in c})
        for doc, per_field in zip(documents, counts, strict=True):
            for term in {t for c in per_field.values() for t in c}:
                pseudo_tf = sum(
                    self._weights[f] * c[term] / (1 - B + B * c.total() / average[f])
                    for f, c in per_field.items()
                    if term in c
                )
                idf = log(1 + (n - doc_freq[term] + 0.5) / (doc_freq[term] + 0.5))
                weight = idf * pseudo_tf * (K1 + 1) / (pseudo_tf + K1)
                self._postings.setdefault(term, {})[doc.id] = weight

    def _build_synonyms(self, groups: Iterable[Sequence[str]]) -> dict[str, set[str]]:
        result: dict[str, set[str]] = {}
        for group in groups:
            stems = {self._analyzer.stem(w) for item in group for w in words(item)}
            for stem in stems:
                result.setdefault(stem, set()).update(stems - {stem})
        return result

    def search(self, query: str, *, limit: int = 10) -> list[Hit]:
        slots = self._slots(query)
        scores: dict[str, float] = {}
        for slot in slots:
            best: dict[str, float] = {}
            for term, weight in slot.alternatives.items():
                for doc_id, value in self._postings.get(term, {}).items():
                    if weight * value > best.get(doc_id, 0.0):
                        best[doc_id] = weight * value
            for doc_id, value in best.items():
                scores[doc_id] = scores.get(doc_id, 0.0) + value
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [Hit(doc_id, round(score, 4)) for doc_id, score in ranked[:limit]]

    def _slots(self, query: str) -> list[_Slot]:
        tokens = [w for w in words(query) if w not in STOP_WORDS][:MAX_QUERY_WORDS]
        per_token = [self._slots_for(word) for word in tokens]
        for i in range(len(tokens) - 1 if self._options.compounds else 0):
            joined = self._analyzer.stem(tokens[i] + tokens[i + 1])
            for term, weight in self._resolve(joined):
                per_token[i][-1].offer(term, weight)
                per_token[i + 1][0].offer(term, weight)
        slots = [slot for group in per_token for slot in group]
        for slot in slots:
            self._add_synonyms(slot)
        return slots

    def _slots_for(self, word: str) -> list[_Slot]:
        slot = _Slot()
        for term, weight in self._resolve(self._analyzer.stem(word)):
            slot.offer(term, weight)
        if any(w == 1.0 and t in self._postings for t, w in slot.alternatives.items()):
            return [slot]
        halves = self._split(word) if self._options.compounds else []
        if not halves:
            return [slot]
        tail = _Slot()
        slot.offer(halves[0], SPLIT_WEIGHT)
        tail.offer(halves[1], SPLIT_WEIGHT)
        return [slot, tail]

    def _resolve(self, stem: str) -> list[tuple[str, float]]:
        """The stem itself if known, else its nearest known stems (typo tolerance)."""
        if stem in self._postings or stem in self._synonyms:
            return [(stem, 1.0)]
        if not self._options.typos:
            return []
        return [(term, TYPO_WEIGHT[d]) for term, d in self._typos.near(stem)]

    def _split(self, word: str) -> list[str]:
        """Both halves of a compound word when each half is indexed ("загранпаспорт")."""
        for cut in range(MIN_SPLIT_PART, len(word) - MIN_SPLIT_PART + 1):
            head, tail = self._analyzer.stem(word[:cut]), self._analyzer.stem(word[cut:])
            if head in self._postings and tail in self._postings:
                return [head, tail]
        return []

    def _add_synonyms(self, slot: _Slot) -> None:
        for term, weight in list(slot.alternatives.items()):
            for synonym in self._synonyms.get(term, ()):
                slot.offer(synonym, weight * SYNONYM_WEIGHT)
