"""Knowledge-base records: agencies, public services, FAQ entries, outdated-information reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    address: str
    phones: tuple[str, ...]
    hours: str
    kind: str = ""  # e.g. "mfc", "social", "housing"
    transfer_number: str = ""  # internal trunk extension for "transfer to the agency"
    email: str = ""
    website: str = ""
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    topic: str
    procedure: str
    documents: tuple[str, ...]
    deadlines: str
    fees: str
    how_to_complain: str
    agencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaqEntry:
    id: str
    question: str
    answer: str
    topic: str
    tags: tuple[str, ...] = ()
    service: str | None = None
    agency: str | None = None


@dataclass(frozen=True)
class OutdatedReport:
    """An operator's "this information is outdated" flag, for the lead to persist."""

    entry_id: str
    entry_kind: str  # "faq" | "service" | "agency"
    note: str
    reporter: str
    reported_at: datetime
    # The call during which it was reported, if any: the report joins that caller's history.
    call_id: str = ""
    phone: str = ""


@dataclass(frozen=True)
class KnowledgeData:
    """Everything a knowledge source yields; `KnowledgeBase` checks references and indexes it."""

    agencies: tuple[Agency, ...] = ()
    services: tuple[Service, ...] = ()
    faq: tuple[FaqEntry, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()

    def merged(self, other: KnowledgeData) -> KnowledgeData:
        return KnowledgeData(
            self.agencies + other.agencies,
            self.services + other.services,
            self.faq + other.faq,
            self.synonyms + other.synonyms,
        )
