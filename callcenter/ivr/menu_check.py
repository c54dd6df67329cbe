"""Check a parsed menu's references: jumps resolve, prompts exist, actions and params are known."""

from __future__ import annotations

import re

from callcenter.ivr.actions_spec import ACTIONS, OUTCOMES, TOPICS, ParamKind
from callcenter.ivr.menus import Menu, MenuError, Node

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def check_menu(menu: Menu) -> None:
    if menu.start not in menu.nodes:
        raise MenuError(menu.source, "start", f"unknown node {menu.start!r}")
    for node in menu.nodes.values():
        _check_node(menu, node)
    unreachable = sorted(set(menu.nodes) - reachable(menu))
    if unreachable:
        raise MenuError(menu.source, f"nodes.{unreachable[0]}", "unreachable from `start`")


def jumps(menu: Menu, node: Node) -> list[tuple[str, str]]:
    """(key path, target node id) of every jump out of `node`."""
    base = f"nodes.{node.id}"
    found = [(f"{base}.{k}", v) for k, v in (("next", node.next), ("on_failure", node.on_failure))]
    found += [(f"{base}.choices[{i}].goto", c.goto) for i, c in enumerate(node.choices)]
    spec = ACTIONS.get(node.action or "")
    for name, value in (node.params or {}).items():
        if spec is not None and spec.kind_of(name) == "node":
            found.append((f"{base}.params.{name}", str(value)))
    return [(key, target) for key, target in found if target is not None]


def reachable(menu: Menu) -> set[str]:
    seen: set[str] = set()
    todo = [menu.start]
    while todo:
        node_id = todo.pop()
        if node_id in seen or node_id not in menu.nodes:
            continue
        seen.add(node_id)
        todo.extend(target for _, target in jumps(menu, menu.nodes[node_id]))
    return seen


def _check_node(menu: Menu, node: Node) -> None:
    base = f"nodes.{node.id}"
    for key, target in jumps(menu, node):
        if target not in menu.nodes:
            raise MenuError(menu.source, key, f"unknown node {target!r}")
    _check_prompts(menu, node)
    if node.type in ("play", "menu") and node.prompt is None:
        raise MenuError(menu.source, f"{base}.prompt", f"a {node.type} node needs a prompt")
    if node.type == "menu":
        _check_choices(menu, node)
    elif node.type == "action":
        _check_action(menu, node)
    elif node.type == "end" and (node.outcome or "self_served") not in OUTCOMES:
        raise MenuError(menu.source, f"{base}.outcome", f"unknown outcome; expected {OUTCOMES}")


def _check_prompts(menu: Menu, node: Node) -> None:
    base = f"nodes.{node.id}"
    refs = [("prompt", node.prompt)]
    if node.input is not None:
        refs += [("input.retry_prompt", node.input.retry_prompt)]
        refs += [("input.fallback_prompt", node.input.fallback_prompt)]
    for key, prompt_id in refs:
        if prompt_id is not None and prompt_id not in menu.prompts:
            raise MenuError(menu.source, f"{base}.{key}", f"unknown prompt {prompt_id!r}")


def _check_choices(menu: Menu, node: Node) -> None:
    base = f"nodes.{node.id}.choices"
    seen: dict[str, int] = {}
    for index, choice in enumerate(node.choices):
        for token in ([choice.dtmf] if choice.dtmf else []) + [f"«{p}»" for p in choice.phrases]:
            if token in seen:
                raise MenuError(menu.source, f"{base}[{index}]", f"{token} also in [{seen[token]}]")
            seen[token] = index
    if node.phrases and (node.input is None or node.input.fallback_prompt is None):
        raise MenuError(
            menu.source, f"nodes.{node.id}.input.fallback_prompt", "spoken choices need one"
        )


def _check_action(menu: Menu, node: Node) -> None:
    base = f"nodes.{node.id}"
    spec = ACTIONS.get(node.action or "")
    if spec is None:
        raise MenuError(menu.source, f"{base}.action", f"unknown action; expected {list(ACTIONS)}")
    params = node.params or {}
    for name in spec.required:
        if name not in params:
            raise MenuError(menu.source, f"{base}.params.{name}", "missing")
    for name, value in params.items():
        kind = spec.kind_of(name)
        if kind is None:
            raise MenuError(menu.source, f"{base}.params.{name}", "unknown parameter")
        problem = _param_problem(menu, kind, value)
        if problem:
            raise MenuError(menu.source, f"{base}.params.{name}", problem)
    if not spec.terminal and node.next is None:
        raise MenuError(menu.source, f"{base}.next", f"action {node.action} needs `next`")


def _param_problem(menu: Menu, kind: ParamKind, value: str | int) -> str | None:
    if kind == "int":
        return None if isinstance(value, int) and value > 0 else "expected a positive integer"
    text = str(value)
    if kind == "prompt" and text not in menu.prompts:
        return f"unknown prompt {text!r}"
    if kind == "topic" and text not in TOPICS:
        return f"unknown topic {text!r}; expected one of {TOPICS}"
    if kind == "time" and not _TIME.match(text):
        return "expected a local time HH:MM"
    return None
