"""The shipped menus load, every jump resolves, every action is known and implemented."""

from __future__ import annotations

import pytest

from callcenter.ivr.actions import ACTION_HANDLERS
from callcenter.ivr.actions_spec import ACTIONS, TOPICS
from callcenter.ivr.menu_check import jumps, reachable
from callcenter.ivr.menus import Menu, all_prompt_texts, load_menus, shipped_menus_dir


@pytest.fixture(scope="module")
def menus() -> dict[str, Menu]:
    return load_menus(shipped_menus_dir())


def test_the_four_menus_ship(menus: dict[str, Menu]) -> None:
    assert set(menus) == {"night", "day_entry", "emergency", "survey"}


def test_every_jump_resolves_and_every_node_is_reachable(menus: dict[str, Menu]) -> None:
    for menu in menus.values():
        for node in menu.nodes.values():
            for key, target in jumps(menu, node):
                assert target in menu.nodes, f"{menu.source}: {key}"
        assert reachable(menu) == set(menu.nodes), menu.source


def test_every_action_is_known_and_implemented(menus: dict[str, Menu]) -> None:
    assert set(ACTION_HANDLERS) == set(ACTIONS)
    used = {n.action for m in menus.values() for n in m.nodes.values() if n.type == "action"}
    assert used <= set(ACTIONS)
    # The night menu exercises every self-service action the issue lists.
    night = {n.action for n in menus["night"].nodes.values() if n.action}
    assert {"faq_answer", "application_status", "book_appointment", "request_callback"} <= night
    assert "transfer_emergency" in night


def test_day_entry_offers_every_topic(menus: dict[str, Menu]) -> None:
    day = menus["day_entry"]
    topics = {n.params["topic"] for n in day.nodes.values() if n.action == "set_topic" and n.params}
    assert topics == set(TOPICS)


def test_survey_rates_one_to_five_and_asks_questions(menus: dict[str, Menu]) -> None:
    survey = menus["survey"]
    assert [c.value for c in survey.node("rating").choices] == ["1", "2", "3", "4", "5"]
    stored = [n.store_as for n in survey.nodes.values() if n.store_as]
    assert stored[0] == "rating"
    assert 2 <= len(stored) <= 3


def test_prompts_are_russian_text_with_file_safe_ids(menus: dict[str, Menu]) -> None:
    texts = all_prompt_texts(menus)
    assert len(texts) >= 30
    for prompt_id, text in texts.items():
        assert prompt_id.replace("_", "").isalnum(), prompt_id
        assert prompt_id.isascii(), prompt_id
        assert any("а" <= ch <= "я" for ch in text.lower()), prompt_id


def test_spoken_choices_have_a_dtmf_fallback(menus: dict[str, Menu]) -> None:
    for menu in menus.values():
        for node in menu.nodes.values():
            for choice in node.choices:
                assert choice.dtmf, f"{menu.source}: {node.id}: every choice keeps a key"
