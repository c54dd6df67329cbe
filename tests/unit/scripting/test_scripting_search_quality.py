"""Search quality on the shipped knowledge base: each query must find its entry in the top 3.

The table mixes plain questions, word forms, typos, compounds and synonyms. The second half
proves the table is sensitive: switching off a tolerance feature makes its queries fail.
"""

from __future__ import annotations

from collections import Counter

import pytest

from callcenter.scripting import KnowledgeBase, OperatorGuide, SearchOptions
from callcenter.scripting.catalog import DATA_DIR
from callcenter.scripting.kb_loader import FileKnowledgeSource
from callcenter.scripting.search import Document, SearchIndex

# (query, expected FAQ id, what the query exercises)
QUERIES = [
    ("загранпаспорт", "faq.passport.foreign_how", "plain"),
    ("загран паспорта", "faq.passport.foreign_how", "compound"),
    ("загранпасспорт", "faq.passport.foreign_how", "typo"),
    ("ЗАГРАНПАСПОРТ", "faq.passport.foreign_how", "case"),
    ("сколько стоит загранник", "faq.passport.foreign_fee", "synonym"),
    ("госпошлина за загранпаспорт", "faq.passport.foreign_fee", "plain"),
    ("загранпаспорт для ребёнка", "faq.passport.foreign_child", "yo"),
    ("готов ли мой загран паспорт", "faq.passport.foreign_status", "compound"),
    ("замена паспорта в 45 лет", "faq.passport.replace_age", "forms"),
    ("украли паспорт", "faq.passport.lost", "forms"),
    ("поменяла фамилию после свадьбы паспорт", "faq.passport.surname_change", "forms"),
    ("штраф просроченый паспорт", "faq.passport.expired_fine", "typo"),
    ("как прописаться", "faq.passport.registration", "synonym"),
    ("холодные батареи в квартире", "faq.housing.no_heating", "forms"),
    ("атопление", "faq.housing.no_heating", "typo"),
    ("отключили горячую воду", "faq.housing.hot_water_off", "forms"),
    ("нет гвс", "faq.housing.hot_water_off", "plain"),
    ("ржавая вода из крана", "faq.housing.water_quality", "forms"),
    ("мусор не вывозят уже неделю", "faq.housing.garbage_not_collected", "forms"),
    ("вывезти старый диван мебель", "faq.housing.bulky_waste", "forms"),
    ("перерасчет за мусор", "faq.housing.garbage_recalc", "yo"),
    ("субсидия на коммуналку", "faq.housing.subsidy", "synonym"),
    ("какая управляющая компания у моего дома", "faq.housing.management_company", "forms"),
    ("пособие на ребенка", "faq.social.unified_benefit", "synonym"),
    ("выплата на детей", "faq.social.unified_benefit", "synonym"),
    ("отказали в пособии", "faq.social.benefit_refused", "forms"),
    ("маткапитал", "faq.social.maternity_capital", "synonym"),
    ("материнский капитал на ипотеку", "faq.social.maternity_capital_use", "forms"),
    ("когда придет пособие", "faq.social.payment_date", "forms"),
    ("малоимущая семья", "faq.social.low_income", "forms"),
    ("запись к доктору", "faq.medical.appointment", "synonym"),
    ("записатся к терапефту", "faq.medical.appointment", "typo"),
    ("вызвать врача на дом", "faq.medical.doctor_home", "forms"),
    ("получить страховку омс", "faq.medical.oms_get", "synonym"),
    ("полис новорожденному", "faq.medical.oms_child", "forms"),
    ("сменить поликлинику", "faq.medical.change_clinic", "forms"),
    ("жалоба на врача", "faq.medical.complaint_clinic", "forms"),
    ("льготный проездной", "faq.transport.social_card", "forms"),
    ("потерял соцкарту", "faq.transport.card_lost", "synonym"),
    ("пожаловаться на водителя маршрутки", "faq.transport.driver_complaint", "forms"),
    ("забыл сумку в автобусе", "faq.transport.lost_items", "forms"),
    ("парковка для инвалидов", "faq.transport.disabled_parking", "forms"),
    ("адрес мфц", "faq.general.mfc_addresses", "plain"),
    ("записаться в мфц", "faq.general.mfc_booking", "forms"),
    ("забыл пароль госуслуги", "faq.general.gosuslugi_password", "forms"),
    ("жалоба на чиновника", "faq.general.complaint_official", "forms"),
    ("загранник", "faq.passport.foreign_how", "synonym"),
    ("помойка", "faq.housing.garbage_not_collected", "synonym"),
    ("соцкарта", "faq.transport.social_card", "synonym"),
]


def _top3(kb: KnowledgeBase, query: str) -> list[str]:
    return [hit.entry.id for hit in kb.search(query, limit=3)]


@pytest.mark.parametrize(("query", "expected", "kind"), QUERIES, ids=[q for q, _, _ in QUERIES])
def test_query_finds_expected_entry_in_top3(
    guide: OperatorGuide, query: str, expected: str, kind: str
) -> None:
    assert expected in _top3(guide.knowledge_base, query), kind


def test_the_three_spellings_of_zagranpasport_find_the_same_top_entry(guide: OperatorGuide) -> None:
    tops = {
        _top3(guide.knowledge_base, q)[0]
        for q in ("загранпаспорт", "загран паспорта", "загранпасспорт")
    }
    assert tops == {"faq.passport.foreign_how"}


def test_every_expected_id_exists(guide: OperatorGuide) -> None:
    assert {expected for _, expected, _ in QUERIES} <= guide.knowledge_base.faq_ids()


def _kb(*, synonyms: bool = True, options: SearchOptions | None = None) -> KnowledgeBase:
    data = FileKnowledgeSource.from_directory(DATA_DIR / "kb").load()
    if not synonyms:
        data = type(data)(data.agencies, data.services, data.faq, ())
    return KnowledgeBase(data, search_options=options)


@pytest.mark.parametrize(
    ("kind", "synonyms", "options"),
    [
        ("typo", True, SearchOptions(typos=False)),
        ("compound", True, SearchOptions(compounds=False)),
        ("synonym", False, None),
    ],
)
def test_table_fails_when_a_tolerance_feature_is_switched_off(
    kind: str, synonyms: bool, options: SearchOptions | None
) -> None:
    kb = _kb(synonyms=synonyms, options=options)
    misses = [q for q, expected, k in QUERIES if k == kind and expected not in _top3(kb, q)]
    assert misses, f"no {kind} query depends on the {kind} feature"


def test_a_ranking_that_ignores_the_query_cannot_pass(guide: OperatorGuide) -> None:
    """Expected ids are spread out: any fixed top 3 satisfies only a small part of the table."""
    counts = Counter(expected for _, expected, _ in QUERIES)
    best_fixed_top3 = sum(n for _, n in counts.most_common(3))
    assert best_fixed_top3 < len(QUERIES) // 4
    assert len(counts) >= 35


def test_table_fails_when_field_weights_are_inverted(guide: OperatorGuide) -> None:
    docs = [
        Document(e.id, {"question": e.question, "tags": " ".join(e.tags), "answer": e.answer})
        for e in guide.knowledge_base.faq_entries
    ]
    synonyms = FileKnowledgeSource.from_directory(DATA_DIR / "kb").load().synonyms
    broken = SearchIndex(
        docs, synonyms=synonyms, field_weights={"question": 0.2, "tags": 0.2, "answer": 3.0}
    )
    misses = [
        q for q, expected, _ in QUERIES if expected not in [h.id for h in broken.search(q, limit=3)]
    ]
    assert misses
