"""The shipped IVR menus and the shipped knowledge base agree: every FAQ a menu plays exists."""

from callcenter.ivr.menus import load_menus, shipped_menus_dir
from callcenter.scripting import OperatorGuide


def test_every_faq_answer_a_menu_plays_is_in_the_knowledge_base() -> None:
    kb = OperatorGuide.load().knowledge_base
    referenced = [
        (menu.name, node.id, str(node.params["faq_id"]))
        for menu in load_menus(shipped_menus_dir()).values()
        for node in menu.nodes.values()
        if node.action == "faq_answer" and node.params
    ]
    assert referenced, "the night menu plays FAQ answers"
    missing = [ref for ref in referenced if ref[2] not in kb.faq_ids()]
    assert missing == []
