"""Knowledge-base importers: YAML files (shipped sample) and CSV (FAQ exports from spreadsheets).

`KnowledgeSource` is the port: a database-backed source only has to return `KnowledgeData`.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from callcenter.scripting.errors import DataFileError
from callcenter.scripting.kb_model import Agency, FaqEntry, KnowledgeData, Service
from callcenter.scripting.schema import Node, read_yaml, root

_AGENCY_KEYS = {
    "id", "name", "address", "phones", "hours", "kind", "transfer_number", "email", "website",
    "topics",
}  # fmt: skip
_SERVICE_KEYS = {
    "id", "name", "topic", "procedure", "documents", "deadlines", "fees", "how_to_complain",
    "agencies",
}  # fmt: skip
_FAQ_KEYS = {"id", "question", "answer", "topic", "tags", "service", "agency"}
_FILE_KEYS = {"agencies", "services", "faq", "synonyms"}
CSV_COLUMNS = ("id", "question", "answer", "topic", "tags", "service", "agency")


class KnowledgeSource(Protocol):
    def load(self) -> KnowledgeData: ...


def _agency(node: Node) -> Agency:
    node.mapping(_AGENCY_KEYS)
    return Agency(
        id=node.get("id").text(),
        name=node.get("name").text(),
        address=node.get("address").text(),
        phones=node.get("phones").texts(),
        hours=node.get("hours").text(),
        kind=node.get("kind", required=False).opt_text(),
        transfer_number=node.get("transfer_number", required=False).opt_text(),
        email=node.get("email", required=False).opt_text(),
        website=node.get("website", required=False).opt_text(),
        topics=node.get("topics", required=False).texts(),
    )


def _service(node: Node) -> Service:
    node.mapping(_SERVICE_KEYS)
    return Service(
        id=node.get("id").text(),
        name=node.get("name").text(),
        topic=node.get("topic").text(),
        procedure=node.get("procedure").text(),
        documents=node.get("documents").texts(),
        deadlines=node.get("deadlines").text(),
        fees=node.get("fees").text(),
        how_to_complain=node.get("how_to_complain").text(),
        agencies=node.get("agencies", required=False).texts(),
    )


def _faq(node: Node) -> FaqEntry:
    node.mapping(_FAQ_KEYS)
    return FaqEntry(
        id=node.get("id").text(),
        question=node.get("question").text(),
        answer=node.get("answer").text(),
        topic=node.get("topic").text(),
        tags=node.get("tags", required=False).texts(),
        service=node.get("service", required=False).opt_text() or None,
        agency=node.get("agency", required=False).opt_text() or None,
    )


def parse_knowledge_yaml(source: str, data: object) -> KnowledgeData:
    """One YAML document with any of the lists `agencies`, `services`, `faq`, `synonyms`."""
    top = root(source, data)
    top.mapping(_FILE_KEYS)

    def section(name: str) -> list[Node]:
        return top.get(name, required=False).items(allow_empty=True)

    return KnowledgeData(
        agencies=tuple(_agency(n) for n in section("agencies")),
        services=tuple(_service(n) for n in section("services")),
        faq=tuple(_faq(n) for n in section("faq")),
        synonyms=tuple(n.texts() for n in section("synonyms")),
    )


def import_yaml(path: Path) -> KnowledgeData:
    return parse_knowledge_yaml(str(path), read_yaml(path))


def import_faq_csv(path: Path) -> tuple[FaqEntry, ...]:
    """FAQ rows from a UTF-8 CSV with a header; `tags` separated by ';'. Errors name the row."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
            header = list(rows[0].keys()) if rows else []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataFileError(str(path), "<file>", f"cannot read CSV: {exc}") from exc
    missing = [c for c in ("id", "question", "answer", "topic") if c not in header]
    if missing:
        raise DataFileError(str(path), "<header>", f"missing columns: {', '.join(missing)}")
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if unknown:
        raise DataFileError(str(path), "<header>", f"unknown columns: {', '.join(unknown)}")
    # Row numbers count the header as line 1, as spreadsheets show them.
    return tuple(_faq_row(str(path), n, row) for n, row in enumerate(rows, start=2))


def _faq_row(source: str, line: int, row: dict[str, str | None]) -> FaqEntry:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    for name in ("id", "question", "answer", "topic"):
        if not cell(name):
            raise DataFileError(source, f"row {line}.{name}", "required value is empty")
    return FaqEntry(
        id=cell("id"),
        question=cell("question"),
        answer=cell("answer"),
        topic=cell("topic"),
        tags=tuple(t.strip() for t in cell("tags").split(";") if t.strip()),
        service=cell("service") or None,
        agency=cell("agency") or None,
    )


class FileKnowledgeSource:
    """YAML files and FAQ CSV files, merged in the order given."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._paths = tuple(paths)

    @classmethod
    def from_directory(cls, directory: Path) -> FileKnowledgeSource:
        return cls(sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.csv")))

    def load(self) -> KnowledgeData:
        data = KnowledgeData()
        seen: dict[str, str] = {}
        for path in self._paths:
            if path.suffix.lower() == ".csv":
                part = KnowledgeData(faq=import_faq_csv(path))
            else:
                part = import_yaml(path)
            ids = [r.id for r in part.agencies] + [r.id for r in part.services]
            for record_id in ids + [r.id for r in part.faq]:
                if record_id in seen:
                    raise DataFileError(
                        str(path), record_id, f"duplicate id (first defined in {seen[record_id]})"
                    )
                seen[record_id] = str(path)
            data = data.merged(part)
        return data
