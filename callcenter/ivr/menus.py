"""IVR menus as data: the model and the loader for `ivr_scripts/*.yaml`.

A menu file holds Russian prompt texts keyed by a stable prompt id (also the audio file name),
and a graph of nodes. Every problem is reported as `MenuError` naming the file and the key path,
e.g. `night.yaml: nodes.main.choices[1].goto: unknown node 'stauts'`.

Node types:
  play    play `prompt`, then go to `next` (or end when there is none)
  menu    play `prompt`, collect DTMF (or a spoken phrase), follow the matching choice's `goto`
  action  run `action` with `params`, then go to `next`
  end     play `prompt` (optional) and finish with `outcome` (default: self_served)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

NodeType = Literal["play", "menu", "action", "end"]
NODE_TYPES: tuple[str, ...] = ("play", "menu", "action", "end")
DTMF_KEYS = "0123456789*#"


class MenuError(ValueError):
    """A menu file does not match the schema; the message names the file and the key."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source = source
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class Choice:
    """One way out of a menu node: a DTMF key and/or spoken phrases."""

    dtmf: str
    phrases: tuple[str, ...]
    goto: str
    value: str


@dataclass(frozen=True)
class InputSettings:
    timeout_ms: int
    retries: int
    max_digits: int
    retry_prompt: str | None
    fallback_prompt: str | None


@dataclass(frozen=True)
class Node:
    id: str
    type: NodeType
    prompt: str | None = None
    next: str | None = None
    choices: tuple[Choice, ...] = ()
    input: InputSettings | None = None
    on_failure: str | None = None
    action: str | None = None
    params: Mapping[str, str | int] | None = None
    outcome: str | None = None
    store_as: str | None = None

    @property
    def phrases(self) -> tuple[str, ...]:
        return tuple(p for c in self.choices for p in c.phrases)

    @property
    def dtmf_keys(self) -> str:
        return "".join(c.dtmf for c in self.choices if len(c.dtmf) == 1)


@dataclass(frozen=True)
class Menu:
    name: str
    source: str
    start: str
    prompts: Mapping[str, str]
    nodes: Mapping[str, Node]

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]


def load_menu(path: Path) -> Menu:
    """Read, parse and check one menu file."""
    from callcenter.ivr.menu_check import check_menu
    from callcenter.ivr.menu_parse import parse_menu, read_yaml

    menu = parse_menu(path.name, read_yaml(path))
    check_menu(menu)
    return menu


def load_menus(directory: Path) -> dict[str, Menu]:
    """Load every `*.yaml` menu of a directory; prompt ids must not clash across menus."""
    if not directory.is_dir():
        raise MenuError(str(directory), "<dir>", "menu directory not found (setting menus_dir)")
    menus: dict[str, Menu] = {}
    owners: dict[str, Menu] = {}
    for path in sorted(directory.glob("*.yaml")):
        menu = load_menu(path)
        if menu.name in menus:
            raise MenuError(menu.source, "menu", f"name {menu.name!r} also used by another file")
        for prompt_id, text in menu.prompts.items():
            other = owners.setdefault(prompt_id, menu)
            if other.prompts[prompt_id] != text:
                raise MenuError(
                    menu.source,
                    f"prompts.{prompt_id}",
                    f"prompt id also defined with another text in {other.source}",
                )
        menus[menu.name] = menu
    if not menus:
        raise MenuError(str(directory), "<dir>", "no menu files (*.yaml)")
    return menus


def all_prompt_texts(menus: Mapping[str, Menu]) -> dict[str, str]:
    """Prompt id -> Russian text over all menus (the input of the prompt builder)."""
    texts: dict[str, str] = {}
    for menu in menus.values():
        texts.update(menu.prompts)
    return texts


def shipped_menus_dir() -> Path:
    """The `ivr_scripts/` directory of the source tree; an installed package (the Docker image)
    has none around it and names its copy in `menus_dir`."""
    return Path(__file__).resolve().parents[2] / "ivr_scripts"
