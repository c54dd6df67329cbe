"""What a caller chose in a menu, in words an operator reads at a glance."""

from __future__ import annotations

from callcenter.ivr.menus import Menu
from callcenter.ivr.session import IvrSession


def chosen_labels(menu: Menu, session: IvrSession) -> tuple[str, ...]:
    """One label per choice the caller made (by key or by voice), in order: the choice's first
    phrase ("вопрос", "статус"), else its value, else the key pressed."""
    labels: list[str] = []
    for step in session.path:
        if step.via not in ("dtmf", "speech"):
            continue
        node = menu.nodes.get(step.node)
        if node is None:
            continue
        for choice in node.choices:
            if step.input == choice.dtmf or step.input in choice.phrases:
                labels.append(choice.phrases[0] if choice.phrases else choice.value or choice.dtmf)
                break
    return tuple(labels)
