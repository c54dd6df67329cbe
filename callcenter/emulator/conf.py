"""Reads Asterisk `.conf` files: `[section](templates)`, `key = value` / `key => value`, comments.

Enough for the emulator to take its AMI users from the shipped `manager.conf`. (pyst2's reader
refuses pjsip templates `[name](template)` and leaves files open, so the format is read here.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# The repository's asterisk_conf/ (the package is installed in place, `pip install -e .`).
CONF_DIR = Path(__file__).resolve().parents[2] / "asterisk_conf"
_SECTION = re.compile(r"^\[([^\]]+)\](?:\(([^)]*)\))?$")


@dataclass
class Section:
    name: str
    templates: tuple[str, ...] = ()
    items: list[tuple[str, str]] = field(default_factory=list)

    def get(self, key: str, default: str = "") -> str:
        return next((v for k, v in self.items if k == key), default)


class ConfError(ValueError):
    """A line of a .conf file that is neither a section, a setting nor a comment."""


def read_conf(path: Path) -> list[Section]:
    sections: list[Section] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        match = _SECTION.match(line)
        if match:
            templates = tuple(t.strip() for t in (match.group(2) or "").split(",") if t.strip())
            sections.append(Section(match.group(1), templates))
            continue
        key, sep, value = line.partition("=")
        if not sep or not sections:
            raise ConfError(f"{path.name}:{number}: cannot read {raw.strip()!r}")
        sections[-1].items.append((key.strip(), value.removeprefix(">").strip()))
    return sections


def manager_users(path: Path) -> dict[str, str]:
    """AMI user name -> secret, from manager.conf."""
    return {s.name: s.get("secret") for s in read_conf(path) if s.name != "general"}
