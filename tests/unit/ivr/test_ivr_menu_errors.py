"""A broken menu file is refused with an error naming the file and the key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from callcenter.ivr.menus import MenuError, load_menu, load_menus

VALID: dict[str, Any] = {
    "menu": "m",
    "start": "main",
    "defaults": {"retry_prompt": "again", "fallback_prompt": "press"},
    "prompts": {"hello": "Здравствуйте", "again": "Ещё раз", "press": "Нажмите", "bye": "Пока"},
    "nodes": {
        "main": {
            "type": "menu",
            "prompt": "hello",
            "choices": [
                {"dtmf": "1", "phrases": ["справка"], "goto": "topic"},
                {"dtmf": "2", "goto": "bye"},
            ],
        },
        "topic": {
            "type": "action",
            "action": "set_topic",
            "params": {"topic": "housing"},
            "next": "bye",
        },
        "bye": {"type": "end", "prompt": "bye"},
    },
}


def write(tmp_path: Path, tree: object, name: str = "m.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    return path


def broken(change: str, value: object) -> dict[str, Any]:
    """VALID with the value at dotted path `change` replaced (or deleted when None)."""
    tree = copy.deepcopy(VALID)
    *parents, last = change.split(".")
    target: Any = tree
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is None:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return tree


def test_the_valid_menu_loads(tmp_path: Path) -> None:
    menu = load_menu(write(tmp_path, VALID))
    assert menu.node("main").phrases == ("справка",)
    settings = menu.node("main").input
    assert settings is not None
    assert settings.retries == 2


@pytest.mark.parametrize(
    ("change", "value", "key", "problem"),
    [
        ("start", "nowhere", "start", "unknown node 'nowhere'"),
        ("nodes.main.choices.0.goto", "topik", "nodes.main.choices[0].goto", "unknown node"),
        ("nodes.main.prompt", "helo", "nodes.main.prompt", "unknown prompt 'helo'"),
        ("nodes.main.choices.1.dtmf", "1", "nodes.main.choices[1]", "1 also in [0]"),
        ("nodes.main.choices.1.dtmf", "x", "nodes.main.choices[1].dtmf", "DTMF keys"),
        ("nodes.main.choices.1", {"goto": "bye"}, "nodes.main.choices[1]", "needs `dtmf`"),
        ("nodes.main.choices.0.goto", "bye", "nodes.topic", "unreachable"),
        ("nodes.main.colour", "red", "nodes.main", "unknown key(s): colour"),
        ("nodes.main.type", "dance", "nodes.main.type", "unknown node type"),
        ("nodes.topic.action", "fly", "nodes.topic.action", "unknown action"),
        ("nodes.topic.params", {}, "nodes.topic.params.topic", "missing"),
        ("nodes.topic.params.topic", "pets", "nodes.topic.params.topic", "unknown topic"),
        ("nodes.topic.params.colour", "red", "nodes.topic.params.colour", "unknown parameter"),
        ("nodes.topic.next", None, "nodes.topic.next", "needs `next`"),
        ("nodes.bye.outcome", "great", "nodes.bye.outcome", "unknown outcome"),
        ("nodes.main.input", {"timeout_ms": 10}, "nodes.main.input.timeout_ms", ">= 500"),
        ("nodes.main.input", {"retries": "two"}, "nodes.main.input.retries", "integer"),
        ("defaults", {}, "nodes.main.input.fallback_prompt", "spoken choices need one"),
        ("prompts.hello", "", "prompts.hello", "non-empty string"),
        ("nodes", [], "nodes", "expected a mapping"),
    ],
)
def test_errors_name_file_and_key(
    tmp_path: Path, change: str, value: object, key: str, problem: str
) -> None:
    with pytest.raises(MenuError) as caught:
        load_menu(write(tmp_path, broken(change, value), "night.yaml"))
    assert caught.value.source == "night.yaml"
    assert caught.value.key == key
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"night.yaml: {key}: ")


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("menu: [unclosed\n", encoding="utf-8")
    with pytest.raises(MenuError, match=r"^bad\.yaml: <file>: invalid YAML"):
        load_menu(path)


def test_a_prompt_id_with_two_texts_across_files_is_refused(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    other = broken("prompts.hello", "Добрый день")
    other["menu"] = "other"
    write(tmp_path, other, "b.yaml")
    with pytest.raises(MenuError, match=r"^b\.yaml: prompts\.hello: .* in a\.yaml"):
        load_menus(tmp_path)


def test_the_same_prompt_text_may_be_shared(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, {**VALID, "menu": "other"}, "b.yaml")
    assert set(load_menus(tmp_path)) == {"m", "other"}
