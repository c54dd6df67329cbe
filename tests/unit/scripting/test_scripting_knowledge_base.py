"""Knowledge base: shipped sample, YAML/CSV importers, references, outdated reports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from callcenter.scripting import (
    DataFileError,
    FileKnowledgeSource,
    KnowledgeBase,
    KnowledgeBaseError,
    KnowledgeData,
    OperatorGuide,
    import_faq_csv,
)
from callcenter.scripting.kb_loader import parse_knowledge_yaml
from callcenter.scripting.kb_model import Agency, FaqEntry, Service

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


def _agency(agency_id: str = "agency.mfc") -> Agency:
    return Agency(agency_id, "МФЦ", "ул. Ленина, 1", ("+7 800 000-00-00",), "пн–пт", "mfc", "7100")


def _service() -> Service:
    return Service(
        "service.passport", "Паспорт", "passport", "Подать заявление", ("паспорт",), "10 дней",
        "1500 ₽", "Жалоба руководителю", ("agency.mfc",),
    )  # fmt: skip


def test_shipped_sample_has_the_promised_size(guide: OperatorGuide) -> None:
    kb = guide.knowledge_base
    assert len(kb.faq_entries) >= 40
    assert len(kb.agencies) >= 10
    assert len(kb.services) >= 12
    assert sum(a.kind == "mfc" for a in kb.agencies) >= 3
    assert all(a.transfer_number.isdigit() for a in kb.agencies)
    assert {e.topic for e in kb.faq_entries} >= {
        "passport", "housing", "social", "medical", "transport", "general",
    }  # fmt: skip


def test_lookups_and_transfer_number(guide: OperatorGuide) -> None:
    kb = guide.knowledge_base
    assert kb.transfer_number("agency.migration") == "7201"
    assert kb.faq("faq.passport.foreign_fee").service == "service.passport_foreign"
    assert "15 000" in kb.service("service.passport_foreign").fees
    assert all(e.topic == "medical" for e in kb.faq_for_topic("medical"))
    assert kb.agency("agency.mfc_central") in kb.agencies_for_topic("passport")
    with pytest.raises(KnowledgeBaseError, match=r"unknown agency 'agency\.nope'"):
        kb.agency("agency.nope")


def test_search_can_be_limited_to_a_topic(guide: OperatorGuide) -> None:
    hits = guide.knowledge_base.search("жалоба", topic="transport", limit=3)
    assert hits
    assert {h.entry.topic for h in hits} == {"transport"}
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_csv_import_reads_rows_and_tags() -> None:
    entries = import_faq_csv(FIXTURES / "faq_import.csv")
    assert [e.id for e in entries] == ["faq.csv.heating", "faq.csv.passport_photo"]
    heating, photo = entries
    assert heating.tags == ("отопление", "школа")
    assert (heating.service, heating.agency) == (None, None)
    assert photo.question == "Нужно ли приносить фото на паспорт, если подаю в МФЦ?"
    assert (photo.service, photo.agency) == ("service.passport", "agency.mfc")


def test_csv_entries_are_searchable_together_with_yaml(tmp_path: Path) -> None:
    yaml_file = tmp_path / "kb.yaml"
    yaml_file.write_text(
        "agencies:\n"
        "  - {id: agency.mfc, name: МФЦ, address: ул. Ленина, phones: ['1'], hours: пн–пт}\n"
        "services:\n"
        "  - {id: service.passport, name: Паспорт, topic: passport, procedure: Заявление,\n"
        "     documents: [паспорт], deadlines: 10 дней, fees: 1500, how_to_complain: Жалоба,\n"
        "     agencies: [agency.mfc]}\n",
        encoding="utf-8",
    )
    source = FileKnowledgeSource([yaml_file, FIXTURES / "faq_import.csv"])
    kb = KnowledgeBase.from_source(source)
    assert kb.search("фотография на паспорт")[0].entry.id == "faq.csv.passport_photo"
    assert kb.search("атопление в школе")[0].entry.id == "faq.csv.heating"


@pytest.mark.parametrize(
    ("content", "key", "problem"),
    [
        ("id,question,answer\nx,q,a\n", "<header>", "missing columns: topic"),
        ("id,question,answer,topic,colour\nx,q,a,t,red\n", "<header>", "unknown columns: colour"),
        ("id,question,answer,topic\nx,q,a,t\ny,,a,t\n", "row 3.question", "empty"),
    ],
)
def test_csv_errors_name_the_file_and_cell(
    tmp_path: Path, content: str, key: str, problem: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        import_faq_csv(path)
    assert info.value.source == str(path)
    assert info.value.key == key
    assert problem in info.value.problem


def test_yaml_errors_name_the_key() -> None:
    with pytest.raises(DataFileError, match=r"kb.yaml: faq\[0\].answer: required key is missing"):
        parse_knowledge_yaml("kb.yaml", {"faq": [{"id": "x", "question": "q", "topic": "t"}]})
    with pytest.raises(DataFileError, match=r"kb.yaml: agencies\[0\].fax: unknown key"):
        parse_knowledge_yaml(
            "kb.yaml",
            {"agencies": [{"id": "a", "name": "n", "address": "a", "phones": [], "hours": "h",
                           "fax": "1"}]},
        )  # fmt: skip


def test_duplicate_ids_across_files_name_both_files(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(
            "faq:\n  - {id: faq.same, question: Вопрос, answer: Ответ, topic: general}\n",
            encoding="utf-8",
        )
    with pytest.raises(DataFileError, match=r"b.yaml: faq.same: duplicate id \(first defined in"):
        FileKnowledgeSource.from_directory(tmp_path).load()


def test_broken_references_are_rejected() -> None:
    faq = FaqEntry("faq.x", "Вопрос", "Ответ", "general", agency="agency.ghost")
    with pytest.raises(
        KnowledgeBaseError, match=r"FAQ 'faq\.x' refers to unknown id 'agency\.ghost'"
    ):
        KnowledgeBase(KnowledgeData(agencies=(_agency(),), faq=(faq,)))
    with pytest.raises(KnowledgeBaseError, match=r"service 'service\.passport' refers to unknown"):
        KnowledgeBase(KnowledgeData(services=(_service(),)))
    same_id = FaqEntry("agency.mfc", "Вопрос", "Ответ", "general")
    with pytest.raises(KnowledgeBaseError, match="two kinds"):
        KnowledgeBase(KnowledgeData(agencies=(_agency(),), faq=(same_id,)))


def test_report_outdated_returns_and_keeps_the_record() -> None:
    kb = KnowledgeBase(KnowledgeData(agencies=(_agency(),), services=(_service(),)))
    report = kb.report_outdated("service.passport", " Госпошлина изменилась ", "operator-7", at=NOW)
    assert (report.entry_id, report.entry_kind, report.note) == (
        "service.passport", "service", "Госпошлина изменилась",
    )  # fmt: skip
    assert (report.reporter, report.reported_at) == ("operator-7", NOW)
    kb.report_outdated("agency.mfc", "Новый адрес", "operator-8", at=NOW)
    assert kb.outdated_reports("service.passport") == (report,)
    assert len(kb.outdated_reports()) == 2
    with pytest.raises(KnowledgeBaseError, match="unknown entry"):
        kb.report_outdated("faq.nope", "note", "operator-7", at=NOW)
    with pytest.raises(KnowledgeBaseError, match="needs a note"):
        kb.report_outdated("agency.mfc", "  ", "operator-7", at=NOW)


def test_transfer_number_missing_is_an_error() -> None:
    agency = Agency("agency.x", "X", "адрес", (), "пн")
    kb = KnowledgeBase(KnowledgeData(agencies=(agency,)))
    with pytest.raises(KnowledgeBaseError, match="no transfer number"):
        kb.transfer_number("agency.x")


class _FakeDatabaseSource:
    """Stands in for a future DB-backed source: anything returning KnowledgeData plugs in."""

    def __init__(self) -> None:
        self.loads = 0

    def load(self) -> KnowledgeData:
        self.loads += 1
        entry = FaqEntry("faq.db.1", "Как заменить счётчик воды?", "Вызовите мастера.", "housing")
        return KnowledgeData(faq=(entry,), synonyms=(("счетчик", "водомер"),))


def test_any_knowledge_source_can_feed_the_knowledge_base() -> None:
    source = _FakeDatabaseSource()
    kb = KnowledgeBase.from_source(source)
    assert source.loads == 1
    assert kb.search("водомер")[0].entry.id == "faq.db.1"
