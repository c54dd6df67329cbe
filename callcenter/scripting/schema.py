"""Small schema helpers for data files: every failure names the file and the exact key path.

The data files are edited by administrators, so an error must say where to look,
e.g. `scripts/passport.yaml: steps[3].choices[0].next: unknown step 'clsoe'`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from callcenter.scripting.errors import DataFileError

# libyaml's parser when PyYAML has it: the data files are read at every start, and the pure
# Python parser takes seconds for them (the engine's restart time).
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; syntax errors become `DataFileError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(str(path), "<file>", f"cannot read: {exc}") from exc
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise DataFileError(str(path), "<file>", f"invalid YAML: {exc}") from exc


class Node:
    """A position inside a parsed data file: the value plus its key path for errors."""

    def __init__(self, source: str, key: str, value: object) -> None:
        self.source = source
        self.key = key
        self.value = value

    def fail(self, problem: str) -> DataFileError:
        return DataFileError(self.source, self.key or "<root>", problem)

    def _child_key(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def mapping(self, allowed: set[str] | None = None) -> Mapping[str, object]:
        if not isinstance(self.value, Mapping):
            raise self.fail(f"expected a mapping, got {type(self.value).__name__}")
        if allowed is not None:
            unknown = sorted(str(k) for k in self.value if k not in allowed)
            if unknown:
                raise DataFileError(
                    self.source,
                    self._child_key(unknown[0]),
                    f"unknown key (allowed: {', '.join(sorted(allowed))})",
                )
        return self.value

    def get(self, name: str, *, required: bool = True, default: object = None) -> Node:
        data = self.mapping()
        if name not in data or data[name] is None:
            if required:
                raise DataFileError(self.source, self._child_key(name), "required key is missing")
            return Node(self.source, self._child_key(name), default)
        return Node(self.source, self._child_key(name), data[name])

    def text(self) -> str:
        if isinstance(self.value, bool) or not isinstance(self.value, str | int | float):
            raise self.fail(f"expected text, got {type(self.value).__name__}")
        result = str(self.value).strip()
        if not result:
            raise self.fail("must not be empty")
        return result

    def opt_text(self) -> str:
        return "" if self.value in (None, "") else self.text()

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail(f"expected true/false, got {self.value!r}")
        return self.value

    def items(self, *, allow_empty: bool = False) -> list[Node]:
        if self.value is None and allow_empty:
            return []
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {type(self.value).__name__}")
        if not self.value and not allow_empty:
            raise self.fail("list must not be empty")
        return [Node(self.source, f"{self.key}[{i}]", v) for i, v in enumerate(self.value)]

    def texts(self) -> tuple[str, ...]:
        """A list of strings; a single string is accepted as a one-item list."""
        if self.value is None:
            return ()
        if isinstance(self.value, str):
            return (self.text(),)
        return tuple(item.text() for item in self.items(allow_empty=True))


def root(source: str, value: object) -> Node:
    return Node(source, "", value)
