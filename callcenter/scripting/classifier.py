"""The appeal classifier: category → subcategory → fact → object, shipped as YAML data.

Codes are stable dotted paths (`housing.heating.no_heating.apartment_building`) so stored
appeals keep their meaning when labels are reworded. Several files can be merged: a later file
may add branches under existing nodes (their labels must agree) but may not define the same
object twice.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from callcenter.scripting.errors import ClassifierError
from callcenter.scripting.schema import Node, read_yaml, root

LEVELS = ("category", "subcategory", "fact", "object")
_SEGMENT = re.compile(r"^[a-z][a-z0-9_]*$")
_NODE_KEYS = {"code", "label", "children"}


@dataclass(frozen=True)
class ClassNode:
    """One option of a cascading select: its full code, Russian label and level name."""

    code: str
    label: str
    level: str
    is_leaf: bool


@dataclass(frozen=True)
class Classification:
    """A validated complete path; `labels` are ready to show ("ЖКХ / Отопление / ...")."""

    code: str
    labels: tuple[str, ...]

    @property
    def title(self) -> str:
        return " / ".join(self.labels)


@dataclass
class _Entry:
    label: str
    source: str
    children: dict[str, _Entry] = field(default_factory=dict)


class ClassifierTree:
    """A merged classifier; build with `from_files` or `add_file`/`add_data`."""

    def __init__(self) -> None:
        self._roots: dict[str, _Entry] = {}

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> ClassifierTree:
        tree = cls()
        for path in paths:
            tree.add_file(path)
        return tree

    def add_file(self, path: Path) -> None:
        self.add_data(str(path), read_yaml(path))

    def add_data(self, source: str, data: object) -> None:
        top = root(source, data)
        top.mapping({"categories"})
        # Merge into a copy so a file rejected half-way leaves the tree as it was.
        roots = copy.deepcopy(self._roots)
        self._merge_level(roots, top.get("categories").items(), source, depth=0, prefix="")
        self._roots = roots

    def _merge_level(
        self, into: dict[str, _Entry], nodes: list[Node], source: str, depth: int, prefix: str
    ) -> None:
        seen_here: set[str] = set()
        for node in nodes:
            node.mapping(_NODE_KEYS)
            code_node = node.get("code")
            segment = code_node.text()
            if not _SEGMENT.match(segment):
                raise code_node.fail(f"code {segment!r} must match [a-z][a-z0-9_]*")
            full = f"{prefix}{segment}"
            if segment in seen_here:
                raise code_node.fail(f"duplicate code {full!r} in this file")
            seen_here.add(segment)
            self._merge_node(into, node, segment, full, source, depth)

    def _merge_node(
        self, into: dict[str, _Entry], node: Node, segment: str, full: str, source: str, depth: int
    ) -> None:
        is_leaf = depth == len(LEVELS) - 1
        existing = into.get(segment)
        label = node.get("label", required=existing is None).opt_text()
        if existing is not None:
            if is_leaf:
                raise node.get("code").fail(
                    f"duplicate code {full!r} (already defined in {existing.source})"
                )
            if label and label != existing.label:
                raise node.get("label").fail(
                    f"label {label!r} conflicts with {existing.label!r} for {full!r} "
                    f"(defined in {existing.source})"
                )
        entry = existing or _Entry(label, source)
        children = node.get("children", required=not is_leaf)
        if is_leaf:
            if children.value is not None:
                raise children.fail(f"an {LEVELS[-1]} has no children")
        else:
            self._merge_level(entry.children, children.items(), source, depth + 1, f"{full}.")
        into[segment] = entry

    def children(self, code: str | None = None) -> tuple[ClassNode, ...]:
        """Options for the next select: categories for `None`, else the node's children."""
        segments = _split(code) if code else []
        level = self._walk(segments)
        depth = len(segments)
        if depth >= len(LEVELS):
            return ()
        prefix = f"{code}." if code else ""
        return tuple(
            ClassNode(f"{prefix}{seg}", e.label, LEVELS[depth], depth == len(LEVELS) - 1)
            for seg, e in level.items()
        )

    def validate(self, code: str | Sequence[str]) -> Classification:
        """Check a complete path (dotted code or its segments) down to an object."""
        segments = _split(code) if isinstance(code, str) else list(code)
        if len(segments) != len(LEVELS):
            raise ClassifierError(
                f"classification {'.'.join(segments)!r} must have {len(LEVELS)} levels "
                f"({' → '.join(LEVELS)}), got {len(segments)}",
                details={"code": ".".join(segments)},
            )
        labels = []
        level = self._roots
        for depth in range(len(segments)):
            entry = self._child(level, segments, depth)
            labels.append(entry.label)
            level = entry.children
        return Classification(".".join(segments), tuple(labels))

    def _walk(self, segments: list[str]) -> dict[str, _Entry]:
        level = self._roots
        for depth in range(len(segments)):
            level = self._child(level, segments, depth).children
        return level

    @staticmethod
    def _child(level: dict[str, _Entry], segments: list[str], depth: int) -> _Entry:
        entry = level.get(segments[depth])
        if entry is None:
            known = ".".join(segments[:depth]) or "the root"
            raise ClassifierError(
                f"unknown {LEVELS[min(depth, len(LEVELS) - 1)]} {segments[depth]!r} under {known}",
                details={"code": ".".join(segments), "level": depth},
            )
        return entry

    def leaf_codes(self) -> tuple[str, ...]:
        result: list[str] = []
        self._collect(self._roots, "", result)
        return tuple(result)

    def _collect(self, level: dict[str, _Entry], prefix: str, out: list[str]) -> None:
        for segment, entry in level.items():
            if entry.children:
                self._collect(entry.children, f"{prefix}{segment}.", out)
            else:
                out.append(f"{prefix}{segment}")


def _split(code: str) -> list[str]:
    segments = code.strip().split(".")
    if any(not s for s in segments):
        raise ClassifierError(f"malformed classification code {code!r}", details={"code": code})
    return segments
