"""Parse a menu file's YAML tree into the `Menu` model, checking shapes and types.

References between nodes and prompts are checked afterwards by `menu_check`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import yaml

from callcenter.ivr.menus import (
    DTMF_KEYS,
    NODE_TYPES,
    Choice,
    InputSettings,
    Menu,
    MenuError,
    Node,
    NodeType,
)

_DEFAULTS = {"timeout_ms": 5000, "retries": 2, "max_digits": 1}
_NODE_KEYS = {
    "play": {"type", "prompt", "next"},
    "menu": {"type", "prompt", "choices", "input", "on_failure", "store_as"},
    "action": {"type", "action", "params", "next", "on_failure", "input"},
    "end": {"type", "prompt", "outcome"},
}
_INPUT_KEYS = {"timeout_ms", "retries", "max_digits", "retry_prompt", "fallback_prompt"}


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MenuError(path.name, "<file>", f"cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise MenuError(path.name, "<file>", f"invalid YAML: {exc}") from exc


class _At:
    """A value with its file and key path, so every error says where it is."""

    def __init__(self, source: str, key: str, value: object) -> None:
        self.source, self.key, self.value = source, key, value

    def fail(self, problem: str) -> MenuError:
        return MenuError(self.source, self.key or "<root>", problem)

    def child(self, name: str | int) -> _At:
        if isinstance(name, int):
            key = f"{self.key}[{name}]"
        else:
            key = f"{self.key}.{name}" if self.key else name
        if isinstance(name, int):
            value = cast(list[object], self.value)[name]
        else:
            value = None if self.value is None else self.mapping().get(name)
        return _At(self.source, key, value)

    def mapping(self, allowed: set[str] | None = None) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise self.fail("expected a mapping")
        unknown = sorted(str(k) for k in self.value if allowed is not None and k not in allowed)
        if unknown:
            raise self.fail(f"unknown key(s): {', '.join(unknown)}")
        return cast(dict[str, Any], self.value)

    def items(self) -> list[_At]:
        if not isinstance(self.value, list) or not self.value:
            raise self.fail("expected a non-empty list")
        return [self.child(i) for i in range(len(self.value))]

    def text(self, *, optional: bool = False) -> str | None:
        if self.value is None and optional:
            return None
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            return str(self.value)
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.fail("expected a non-empty string" + (" (or nothing)" if optional else ""))
        return self.value

    def required_text(self) -> str:
        value = self.text()
        assert value is not None
        return value

    def integer(self, default: int, *, minimum: int = 0) -> int:
        if self.value is None:
            return default
        if not isinstance(self.value, int) or isinstance(self.value, bool) or self.value < minimum:
            raise self.fail(f"expected an integer >= {minimum}")
        return self.value


def parse_menu(source: str, tree: object) -> Menu:
    root = _At(source, "", tree)
    root.mapping({"menu", "start", "defaults", "prompts", "nodes"})
    defaults = _input(root.child("defaults"), None)
    prompts = {
        k: _At(source, f"prompts.{k}", v).required_text() for k, v in _pairs(root, "prompts")
    }
    nodes = {k: _node(_At(source, f"nodes.{k}", v), k, defaults) for k, v in _pairs(root, "nodes")}
    return Menu(
        name=root.child("menu").required_text(),
        source=source,
        start=root.child("start").required_text(),
        prompts=prompts,
        nodes=nodes,
    )


def _pairs(root: _At, name: str) -> list[tuple[str, object]]:
    section = root.child(name)
    mapping = section.mapping()
    if not mapping:
        raise section.fail("must not be empty")
    return [(str(k), v) for k, v in mapping.items()]


def _input(at: _At, base: InputSettings | None) -> InputSettings:
    if at.value is not None:
        at.mapping(_INPUT_KEYS)

    def default(name: str) -> int:
        return getattr(base, name) if base is not None else _DEFAULTS[name]

    return InputSettings(
        timeout_ms=at.child("timeout_ms").integer(default("timeout_ms"), minimum=500),
        retries=at.child("retries").integer(default("retries")),
        max_digits=at.child("max_digits").integer(default("max_digits"), minimum=1),
        retry_prompt=at.child("retry_prompt").text(optional=True)
        or (base.retry_prompt if base else None),
        fallback_prompt=at.child("fallback_prompt").text(optional=True)
        or (base.fallback_prompt if base else None),
    )


def _node(at: _At, node_id: str, defaults: InputSettings) -> Node:
    kind = at.child("type").required_text()
    if kind not in NODE_TYPES:
        raise at.child("type").fail(f"unknown node type {kind!r}; expected one of {NODE_TYPES}")
    at.mapping(_NODE_KEYS[kind])
    node = Node(
        id=node_id,
        type=cast(NodeType, kind),
        prompt=at.child("prompt").text(optional=True),
        next=at.child("next").text(optional=True),
        on_failure=at.child("on_failure").text(optional=True),
        outcome=at.child("outcome").text(optional=True),
        store_as=at.child("store_as").text(optional=True),
        action=at.child("action").text(optional=True),
        params=_params(at.child("params")) if kind == "action" else None,
        input=_input(at.child("input"), defaults) if kind in ("menu", "action") else None,
        choices=_choices(at.child("choices")) if kind == "menu" else (),
    )
    return node


def _params(at: _At) -> Mapping[str, str | int]:
    if at.value is None:
        return {}
    params: dict[str, str | int] = {}
    for key, value in at.mapping().items():
        item = at.child(key)
        params[key] = value if isinstance(value, int) else item.required_text()
    return params


def _choices(at: _At) -> tuple[Choice, ...]:
    return tuple(_choice(item) for item in at.items())


def _choice(at: _At) -> Choice:
    at.mapping({"dtmf", "phrases", "goto", "value"})
    dtmf = at.child("dtmf").text(optional=True) or ""
    if any(ch not in DTMF_KEYS for ch in dtmf):
        raise at.child("dtmf").fail(f"DTMF keys must be among {DTMF_KEYS!r}")
    phrases = _phrases(at.child("phrases"))
    if not dtmf and not phrases:
        raise at.fail("a choice needs `dtmf` or `phrases`")
    value = at.child("value").text(optional=True) or dtmf or phrases[0]
    return Choice(dtmf=dtmf, phrases=phrases, goto=at.child("goto").required_text(), value=value)


def _phrases(at: _At) -> tuple[str, ...]:
    if at.value is None:
        return ()
    return tuple(" ".join(item.required_text().lower().split()) for item in at.items())
