"""Call scripts as data: the model, the YAML loader and its cross-reference checks.

A script is a graph of steps. Each step either offers choices (each leading to a next step),
asks for free text, or just shows text (greeting, FAQ answer) and moves on. `closing` steps end it.

    id: passport                 # unique; `topics` (default [id]) select it for a call
    title: Паспорт и загранпаспорт
    start: greeting              # default: the first step
    steps:
      - {id: greeting, kind: greeting, text: "Оператор {operator_name}, здравствуйте!", next: name}
      - {id: name, kind: identification, text: Как к вам обращаться?, mandatory: true,
         input: true, next: topic}
      - id: topic
        kind: topic
        text: Какой документ вас интересует?
        choices: [{id: foreign, label: Загранпаспорт, next: faq_fee}, ...]
      - {id: faq_fee, kind: faq, text: Назовите госпошлину., faq: [faq.passport.foreign_fee],
         next: closing}
      - {id: transfer, kind: info, text: Перевожу..., transfer_to: agency.migration, next: closing}
      - {id: closing, kind: closing, text: Спасибо за обращение!}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from callcenter.scripting.errors import DataFileError, ScriptingError
from callcenter.scripting.schema import Node, read_yaml, root

STEP_KINDS = frozenset(
    {"greeting", "identification", "topic", "question", "info", "faq", "closing"}
)
_SCRIPT_KEYS = {"id", "title", "topics", "description", "start", "steps"}
_STEP_KEYS = {
    "id", "kind", "text", "hint", "mandatory", "input", "choices", "next", "faq", "transfer_to",
}  # fmt: skip
_CHOICE_KEYS = {"id", "label", "next"}
DEFAULT_SCRIPT_ID = "general"


class _KeepMissing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    next: str


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    text: str
    hint: str = ""
    mandatory: bool = False
    input: bool = False  # free-text answer expected (e.g. the caller's name)
    choices: tuple[Choice, ...] = ()
    next: str | None = None
    faq: tuple[str, ...] = ()
    transfer_to: str | None = None  # agency id: the page offers "transfer" to its trunk number

    @property
    def is_closing(self) -> bool:
        return self.kind == "closing"

    def render(self, values: Mapping[str, str]) -> str:
        """The text with `{placeholders}` filled in; unknown placeholders are left visible."""
        return self.text.format_map(_KeepMissing(values))

    def successors(self) -> tuple[str, ...]:
        if self.choices:
            return tuple(c.next for c in self.choices)
        return (self.next,) if self.next else ()

    def choice(self, value: str) -> Choice | None:
        """The choice named by its id, or by its label ignoring case."""
        wanted = value.strip().casefold()
        for choice in self.choices:
            if wanted in (choice.id.casefold(), choice.label.casefold()):
                return choice
        return None


@dataclass(frozen=True)
class Script:
    id: str
    title: str
    topics: tuple[str, ...]
    start: str
    steps: Mapping[str, Step]
    description: str = ""
    source: str = ""

    def step(self, step_id: str) -> Step:
        try:
            return self.steps[step_id]
        except KeyError:
            raise ScriptingError(f"script {self.id!r} has no step {step_id!r}") from None


def _parse_choice(node: Node) -> Choice:
    node.mapping(_CHOICE_KEYS)
    return Choice(
        id=node.get("id").text(), label=node.get("label").text(), next=node.get("next").text()
    )


def _parse_step(node: Node) -> Step:
    node.mapping(_STEP_KEYS)
    kind_node = node.get("kind")
    kind = kind_node.text()
    if kind not in STEP_KINDS:
        raise kind_node.fail(
            f"unknown step kind {kind!r} (allowed: {', '.join(sorted(STEP_KINDS))})"
        )
    choices = tuple(
        _parse_choice(c) for c in node.get("choices", required=False).items(allow_empty=True)
    )
    step = Step(
        id=node.get("id").text(),
        kind=kind,
        text=node.get("text").text(),
        hint=node.get("hint", required=False).opt_text(),
        mandatory=node.get("mandatory", required=False, default=False).boolean(),
        input=node.get("input", required=False, default=False).boolean(),
        choices=choices,
        next=node.get("next", required=False).opt_text() or None,
        faq=node.get("faq", required=False).texts(),
        transfer_to=node.get("transfer_to", required=False).opt_text() or None,
    )
    _check_step_shape(node, step)
    return step


def _check_step_shape(node: Node, step: Step) -> None:
    if step.choices and (step.next or step.input):
        raise node.fail("a step with choices must not also have 'next' or 'input'")
    if step.is_closing and (step.choices or step.next):
        raise node.fail("a closing step must not lead anywhere")
    if not step.is_closing and not step.successors():
        raise node.fail("a non-closing step needs 'next' or 'choices'")
    ids = [c.id for c in step.choices]
    if len(set(ids)) != len(ids):
        raise node.get("choices").fail("duplicate choice ids")


def parse_script(source: str, data: object) -> Script:
    """Validate one parsed YAML document and build a `Script`."""
    top = root(source, data)
    top.mapping(_SCRIPT_KEYS)
    steps: dict[str, Step] = {}
    for item in top.get("steps").items():
        step = _parse_step(item)
        if step.id in steps:
            raise item.get("id").fail(f"duplicate step id {step.id!r}")
        steps[step.id] = step
    script_id = top.get("id").text()
    start = top.get("start", required=False).opt_text() or next(iter(steps))
    script = Script(
        id=script_id,
        title=top.get("title").text(),
        topics=top.get("topics", required=False).texts() or (script_id,),
        start=start,
        steps=steps,
        description=top.get("description", required=False).opt_text(),
        source=source,
    )
    _check_graph(top, script)
    return script


def _check_graph(top: Node, script: Script) -> None:
    if script.start not in script.steps:
        raise top.get("start").fail(f"unknown step {script.start!r}")
    index = {step_id: i for i, step_id in enumerate(script.steps)}
    for step in script.steps.values():
        where = f"steps[{index[step.id]}]"
        for i, choice in enumerate(step.choices):
            if choice.next not in script.steps:
                raise DataFileError(
                    script.source, f"{where}.choices[{i}].next", f"unknown step {choice.next!r}"
                )
        if step.next and step.next not in script.steps:
            raise DataFileError(script.source, f"{where}.next", f"unknown step {step.next!r}")
    if not any(s.is_closing for s in script.steps.values()):
        raise top.get("steps").fail("the script has no closing step")
    unreachable = set(script.steps) - reachable_from(script, script.start)
    if unreachable:
        raise top.get("steps").fail(f"unreachable steps: {', '.join(sorted(unreachable))}")


def reachable_from(script: Script, start: str, *, without: str | None = None) -> set[str]:
    """Step ids reachable from `start`, optionally pretending step `without` is removed."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        step_id = stack.pop()
        if step_id in seen or step_id == without:
            continue
        seen.add(step_id)
        stack.extend(script.steps[step_id].successors())
    return seen


def load_script_file(path: Path) -> Script:
    return parse_script(str(path), read_yaml(path))


def parse_script_text(source: str, text: str) -> Script:
    """A script an administrator typed: YAML syntax errors name the source like file errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataFileError(source, "<text>", f"invalid YAML: {exc}") from exc
    return parse_script(source, data)


class ScriptLibrary:
    """All scripts by id; picks the script for a caller's topic (falls back to `general`)."""

    def __init__(self, scripts: Iterable[Script]) -> None:
        self._by_id: dict[str, Script] = {}
        self._by_topic: dict[str, Script] = {}
        for script in scripts:
            if script.id in self._by_id:
                other = self._by_id[script.id].source
                raise DataFileError(script.source, "id", f"duplicate script id (also in {other})")
            self._by_id[script.id] = script
            for topic in script.topics:
                self._by_topic.setdefault(topic, script)

    @classmethod
    def from_directory(cls, directory: Path) -> ScriptLibrary:
        return cls(load_script_file(p) for p in sorted(directory.glob("*.yaml")))

    def put(self, script: Script) -> None:
        """Add or replace a script (an administrator's edit); its topics point to it now."""
        self._by_id[script.id] = script
        self._by_topic = {}
        for each in self._by_id.values():
            for topic in each.topics:
                self._by_topic.setdefault(topic, each)
        for topic in script.topics:  # the edited script wins a topic it shares
            self._by_topic[topic] = script

    def __iter__(self) -> Iterator[Script]:
        return iter(self._by_id.values())

    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def get(self, script_id: str) -> Script:
        try:
            return self._by_id[script_id]
        except KeyError:
            raise ScriptingError(f"unknown script {script_id!r}") from None

    def for_topic(self, topic: str | None) -> Script:
        if topic and topic in self._by_topic:
            return self._by_topic[topic]
        return self.get(DEFAULT_SCRIPT_ID)

    def check_references(self, *, faq_ids: set[str], agency_ids: set[str]) -> None:
        """Fail naming the file and step if a script cites an FAQ or agency the KB lacks."""
        for script in self._by_id.values():
            for i, step in enumerate(script.steps.values()):
                for j, faq_id in enumerate(step.faq):
                    if faq_id not in faq_ids:
                        raise DataFileError(
                            script.source, f"steps[{i}].faq[{j}]", f"unknown FAQ id {faq_id!r}"
                        )
                if step.transfer_to and step.transfer_to not in agency_ids:
                    raise DataFileError(
                        script.source,
                        f"steps[{i}].transfer_to",
                        f"unknown agency id {step.transfer_to!r}",
                    )
