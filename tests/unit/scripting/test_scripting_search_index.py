"""SearchIndex on tiny hand-made corpora: field weights, word forms, ё, compounds, typos."""

from __future__ import annotations

from callcenter.scripting.search import Document, SearchIndex, SearchOptions


def _doc(doc_id: str, question: str = "", tags: str = "", answer: str = "") -> Document:
    return Document(doc_id, {"question": question, "tags": tags, "answer": answer})


def _ids(index: SearchIndex, query: str) -> list[str]:
    return [hit.id for hit in index.search(query)]


def test_question_outweighs_tags_which_outweigh_answer() -> None:
    index = SearchIndex(
        [
            _doc("in_answer", question="Общий вопрос", answer="про справку"),
            _doc("in_tags", question="Общий вопрос", tags="справка"),
            _doc("in_question", question="Как получить справку"),
            _doc("filler", question="Отопление", answer="батареи"),
        ]
    )
    assert _ids(index, "справка") == ["in_question", "in_tags", "in_answer"]


def test_word_forms_match_through_stemming() -> None:
    index = SearchIndex([_doc("a", question="Выплаты пособий семьям"), _doc("b", question="Вода")])
    assert _ids(index, "выплата пособия семье") == ["a"]


def test_yo_and_case_are_normalised() -> None:
    index = SearchIndex([_doc("a", question="Полис ребёнку"), _doc("b", question="Вода")])
    assert _ids(index, "РЕБЕНКУ") == ["a"]


def test_two_query_words_joined_match_a_compound() -> None:
    index = SearchIndex([_doc("a", question="Загранпаспорт"), _doc("b", question="Паспорт")])
    hits = index.search("загран паспорта")
    assert hits[0].id == "a"
    assert hits[0].score > hits[1].score


def test_compound_query_word_split_matches_separate_words() -> None:
    index = SearchIndex([_doc("a", question="Детский сад рядом"), _doc("b", question="Сад")])
    index_no = SearchIndex(
        [_doc("a", question="Детский сад рядом"), _doc("b", question="Сад")],
        options=SearchOptions(compounds=False),
    )
    assert _ids(index, "детскийсад")[0] == "a"
    assert _ids(index_no, "детскийсад") == []


def test_typos_within_distance_are_tolerated_and_short_words_are_not() -> None:
    index = SearchIndex([_doc("a", question="Отопление"), _doc("b", question="Сад")])
    assert _ids(index, "отаплениe") == []  # a Latin letter is not a typo we can bridge
    assert _ids(index, "атопление") == ["a"]
    assert _ids(index, "сат") == []  # three letters: exact only
    assert (
        SearchIndex([_doc("a", question="Отопление")], options=SearchOptions(typos=False)).search(
            "атопление"
        )
        == []
    )


def test_a_known_word_is_not_fuzzed_but_an_unknown_one_is() -> None:
    index = SearchIndex([_doc("exact", question="Полиса"), _doc("near", question="Полюса")])
    assert _ids(index, "полиса") == ["exact"]
    typo = index.search("полуса")  # unknown word, both neighbours at distance 1
    assert {hit.id for hit in typo} == {"exact", "near"}
    assert index.search("полиса")[0].score > typo[0].score


def test_synonyms_expand_query_in_both_directions() -> None:
    docs = [_doc("a", question="Оплата ЖКХ"), _doc("b", question="Коммуналка и долги")]
    index = SearchIndex(docs, synonyms=[["ЖКХ", "коммуналка"]])
    assert set(_ids(index, "коммуналка")) == {"a", "b"}
    assert _ids(index, "коммуналка")[0] == "b"  # the literal word beats its synonym
    assert _ids(SearchIndex(docs), "жкх") == ["a"]


def test_stop_words_and_empty_queries_return_nothing() -> None:
    index = SearchIndex([_doc("a", question="Как и где")])
    assert index.search("") == []
    assert index.search("как и где") == []
    assert index.search("!!!") == []


def test_limit_is_respected_and_ties_break_by_id() -> None:
    index = SearchIndex(
        [_doc(f"d{i}", question="вода") for i in range(5)] + [_doc("x", question="газ")]
    )
    assert _ids(index, "вода") == ["d0", "d1", "d2", "d3", "d4"]
    assert len(index.search("вода", limit=2)) == 2


def test_only_the_first_query_words_count() -> None:
    index = SearchIndex([_doc("water", question="вода"), _doc("heat", question="отопление")])
    assert _ids(index, "вода " * 40 + "отопление") == ["water"]
    assert _ids(index, "вода " * 3 + "отопление") == ["water", "heat"]
