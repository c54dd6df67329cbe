"""Edit distance and the deletion-neighbourhood typo index."""

from __future__ import annotations

import pytest

from callcenter.scripting.fuzzy import TypoIndex, edit_distance, max_typos


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("паспорт", "паспорт", 0),
        ("паспорт", "пасспорт", 1),  # insertion
        ("паспорт", "пасорт", 1),  # deletion
        ("паспорт", "паспарт", 1),  # substitution
        ("паспорт", "пасопрт", 1),  # adjacent swap
        ("отоплен", "атаплен", 2),
    ],
)
def test_edit_distance(a: str, b: str, expected: int) -> None:
    assert edit_distance(a, b, limit=3) == expected


def test_edit_distance_stops_at_limit() -> None:
    assert edit_distance("абвгдежз", "зжедгвба", limit=2) == 3
    assert edit_distance("а", "абвг", limit=1) == 2


def test_allowed_typos_grow_with_length() -> None:
    assert [max_typos(n) for n in (3, 4, 7, 8, 24, 25)] == [0, 1, 1, 2, 2, 0]


def test_index_returns_only_the_nearest_terms() -> None:
    index = TypoIndex(["загранпаспорт", "паспорт", "пасспорт", "отоплен"])
    assert index.near("загранпасспорт") == (("загранпаспорт", 1),)
    assert index.near("паспарт") == (("паспорт", 1),)
    assert index.near("отоплен") == ()  # exact matches are not typos
    assert index.near("вод") == ()
    assert index.near("ххххххх") == ()
