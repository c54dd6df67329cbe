"""The operator's knowledge base: look-ups, ranked FAQ search and outdated-information flags.

Built once from a `KnowledgeSource` (files now, a database later); the search index is built
in the constructor so every query afterwards is only dictionary look-ups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from callcenter.scripting.errors import KnowledgeBaseError
from callcenter.scripting.kb_loader import KnowledgeSource
from callcenter.scripting.kb_model import (
    Agency,
    FaqEntry,
    KnowledgeData,
    OutdatedReport,
    Service,
)
from callcenter.scripting.search import Document, SearchIndex, SearchOptions

_R = TypeVar("_R", Agency, Service, FaqEntry)


@dataclass(frozen=True)
class FaqHit:
    entry: FaqEntry
    score: float


def _by_id(records: tuple[_R, ...], kind: str) -> dict[str, _R]:
    result: dict[str, _R] = {}
    for record in records:
        if record.id in result:
            raise KnowledgeBaseError(f"duplicate {kind} id {record.id!r}")
        result[record.id] = record
    return result


def _faq_document(entry: FaqEntry) -> Document:
    return Document(
        entry.id, {"question": entry.question, "tags": " ".join(entry.tags), "answer": entry.answer}
    )


class KnowledgeBase:
    """Agencies, services and FAQ entries with cross-references checked at construction."""

    def __init__(self, data: KnowledgeData, *, search_options: SearchOptions | None = None) -> None:
        self._agencies = _by_id(data.agencies, "agency")
        self._services = _by_id(data.services, "service")
        self._faq = _by_id(data.faq, "FAQ")
        self._check_unique_across_kinds()
        self._check_references()
        self._index = SearchIndex(
            (_faq_document(e) for e in self._faq.values()),
            synonyms=data.synonyms,
            options=search_options or SearchOptions(),
        )
        self._reports: list[OutdatedReport] = []

    @classmethod
    def from_source(cls, source: KnowledgeSource) -> KnowledgeBase:
        return cls(source.load())

    def _check_unique_across_kinds(self) -> None:
        # Outdated reports name an entry by id alone, so ids must not repeat across kinds.
        kinds: list[Mapping[str, object]] = [self._agencies, self._services, self._faq]
        seen: set[str] = set()
        for records in kinds:
            clash = seen & records.keys()
            if clash:
                raise KnowledgeBaseError(f"id used by two kinds of entry: {sorted(clash)[0]!r}")
            seen |= records.keys()

    def _check_references(self) -> None:
        for service in self._services.values():
            for agency_id in service.agencies:
                self._require(self._agencies, agency_id, f"service {service.id!r}")
        for entry in self._faq.values():
            if entry.service:
                self._require(self._services, entry.service, f"FAQ {entry.id!r}")
            if entry.agency:
                self._require(self._agencies, entry.agency, f"FAQ {entry.id!r}")

    @staticmethod
    def _require(records: Mapping[str, object], ref: str, owner: str) -> None:
        if ref not in records:
            raise KnowledgeBaseError(f"{owner} refers to unknown id {ref!r}")

    @property
    def agencies(self) -> tuple[Agency, ...]:
        return tuple(self._agencies.values())

    @property
    def services(self) -> tuple[Service, ...]:
        return tuple(self._services.values())

    @property
    def faq_entries(self) -> tuple[FaqEntry, ...]:
        return tuple(self._faq.values())

    def faq_ids(self) -> set[str]:
        return set(self._faq)

    def agency(self, agency_id: str) -> Agency:
        return self._get(self._agencies, agency_id, "agency")

    def service(self, service_id: str) -> Service:
        return self._get(self._services, service_id, "service")

    def faq(self, faq_id: str) -> FaqEntry:
        return self._get(self._faq, faq_id, "FAQ entry")

    @staticmethod
    def _get(records: Mapping[str, _R], record_id: str, kind: str) -> _R:
        try:
            return records[record_id]
        except KeyError:
            raise KnowledgeBaseError(f"unknown {kind} {record_id!r}") from None

    def faq_for_topic(self, topic: str) -> tuple[FaqEntry, ...]:
        return tuple(e for e in self._faq.values() if e.topic == topic)

    def agencies_for_topic(self, topic: str) -> tuple[Agency, ...]:
        return tuple(a for a in self._agencies.values() if topic in a.topics)

    def transfer_number(self, agency_id: str) -> str:
        number = self.agency(agency_id).transfer_number
        if not number:
            raise KnowledgeBaseError(f"agency {agency_id!r} has no transfer number")
        return number

    def search(self, query: str, *, limit: int = 5, topic: str | None = None) -> list[FaqHit]:
        """FAQ entries ranked for `query`; `topic` keeps only that topic's entries."""
        window = len(self._faq) if topic else limit
        hits = [FaqHit(self._faq[h.id], h.score) for h in self._index.search(query, limit=window)]
        if topic:
            hits = [h for h in hits if h.entry.topic == topic]
        return hits[:limit]

    def report_outdated(
        self, entry_id: str, note: str, reporter: str, *, at: datetime
    ) -> OutdatedReport:
        """Record an operator's flag that an entry is outdated; the caller persists the record."""
        if not note.strip():
            raise KnowledgeBaseError("an outdated report needs a note saying what is wrong")
        kind = self._kind_of(entry_id)
        report = OutdatedReport(entry_id, kind, note.strip(), reporter, at)
        self._reports.append(report)
        return report

    def _kind_of(self, entry_id: str) -> str:
        for kind, records in (
            ("faq", self._faq),
            ("service", self._services),
            ("agency", self._agencies),
        ):
            if entry_id in records:
                return kind
        raise KnowledgeBaseError(f"unknown entry {entry_id!r}")

    def outdated_reports(self, entry_id: str | None = None) -> tuple[OutdatedReport, ...]:
        return tuple(r for r in self._reports if entry_id is None or r.entry_id == entry_id)
