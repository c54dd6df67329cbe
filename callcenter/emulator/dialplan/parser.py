"""Reads extensions.conf: [general], [globals], contexts of `exten =>` / `same =>` / `include =>`.

Priorities are numbers or `n`, optionally labelled (`n(queue)`); `hint` lines are read and
skipped. Anything else is refused with `file:line` so that a broken dialplan is never half-run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from callcenter.emulator.dialplan import patterns

_SECTION = re.compile(r"^\[([^\]]+)\]$")
_PRIORITY = re.compile(r"^(\d+|n)(?:\(([A-Za-z0-9_-]+)\))?$")
_APP = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\s*(.*)$", re.S)


class DialplanError(ValueError):
    """A line of extensions.conf the emulator cannot read."""


@dataclass(frozen=True)
class Step:
    priority: int
    label: str
    app: str
    data: str
    line: int


@dataclass
class Extension:
    name: str
    steps: dict[int, Step] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    last: int = 0  # the priority `n` continues from


@dataclass
class Context:
    name: str
    extensions: dict[str, Extension] = field(default_factory=dict)
    includes: list[str] = field(default_factory=list)


@dataclass
class Dialplan:
    source: str
    general: dict[str, str] = field(default_factory=dict)
    globals: dict[str, str] = field(default_factory=dict)
    contexts: dict[str, Context] = field(default_factory=dict)
    _found: dict[tuple[str, str], Extension | None] = field(
        default_factory=dict, repr=False, compare=False
    )

    def find(self, context: str, exten: str) -> Extension | None:
        """The extension `exten` runs in `context`: exact names first, then the most specific
        pattern, then the included contexts in order."""
        key = (context, exten)
        if key not in self._found:  # the dialplan never changes once read
            if len(self._found) > 4096:  # callback numbers are many: keep the cache small
                self._found.clear()
            self._found[key] = self._find(context, exten, set())
        return self._found[key]

    def _find(self, context: str, exten: str, seen: set[str]) -> Extension | None:
        ctx = self.contexts.get(context)
        if ctx is None or context in seen:
            return None
        seen.add(context)
        found = [e for e in ctx.extensions.values() if patterns.matches(e.name, exten)]
        if found:
            return min(found, key=lambda e: patterns.specificity(e.name))
        for included in ctx.includes:
            hit = self._find(included, exten, seen)
            if hit is not None:
                return hit
        return None


def load(path: Path) -> Dialplan:
    return parse(path.read_text(encoding="utf-8"), path.name)


def parse(text: str, source: str = "extensions.conf") -> Dialplan:
    plan = Dialplan(source=source)
    reader = _Reader(plan)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw).strip()
        if line:
            try:
                reader.line(line, number)
            except (DialplanError, ValueError) as exc:
                raise DialplanError(f"{source}:{number}: {exc} in {raw.strip()!r}") from None
    return plan


def _strip_comment(raw: str) -> str:
    """Everything before the first `;` that is not escaped as `\\;`."""
    out, i = [], 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw) and raw[i + 1] == ";":
            out.append(";")
            i += 2
            continue
        if raw[i] == ";":
            break
        out.append(raw[i])
        i += 1
    return "".join(out)


class _Reader:
    def __init__(self, plan: Dialplan) -> None:
        self.plan = plan
        self.section = ""
        self.current: Extension | None = None

    def line(self, line: str, number: int) -> None:
        header = _SECTION.match(line)
        if header:
            self._section(header.group(1).strip())
            return
        key, sep, value = line.partition("=")
        if not sep or not self.section:
            raise DialplanError("expected '[context]', 'key = value' or 'exten => ...'")
        key, value = key.strip().lower(), value.removeprefix(">").strip()
        if self.section == "general":
            self.plan.general[key] = value
        elif self.section == "globals":
            self.plan.globals[line.partition("=")[0].strip()] = value
        elif key == "exten":
            self._exten(value, number)
        elif key == "same":
            self._same(value, number)
        elif key == "include":
            self.plan.contexts[self.section].includes.append(value)
        else:
            raise DialplanError(f"'{key}' is not supported in a context")

    def _section(self, name: str) -> None:
        if not name or "(" in name:
            raise DialplanError("context templates are not supported")
        self.section, self.current = name, None
        if name not in ("general", "globals"):
            if name in self.plan.contexts:
                raise DialplanError(f"context [{name}] defined twice")
            self.plan.contexts[name] = Context(name)

    def _exten(self, value: str, number: int) -> None:
        name, sep, rest = value.partition(",")
        name = name.strip()
        if not sep or not name:
            raise DialplanError("'exten =>' needs name,priority,application")
        if "/" in name:
            raise DialplanError("caller-id matching (exten/cid) is not supported")
        patterns.check(name)
        if rest.partition(",")[0].strip() == "hint":
            return  # device-state hints are for phones, not for the emulator
        ctx = self.plan.contexts[self.section]
        self.current = ctx.extensions.setdefault(name, Extension(name))
        self._step(self.current, rest, number)

    def _same(self, value: str, number: int) -> None:
        if self.current is None:
            raise DialplanError("'same =>' without an 'exten =>' before it")
        self._step(self.current, value, number)

    def _step(self, ext: Extension, value: str, number: int) -> None:
        priority_text, sep, app_text = value.partition(",")
        priority_text = priority_text.strip()
        if priority_text == "hint":
            return
        match = _PRIORITY.match(priority_text)
        if match is None:
            raise DialplanError(f"bad priority {priority_text!r}")
        if not sep:
            raise DialplanError("missing application")
        priority = ext.last + 1 if match.group(1) == "n" else int(match.group(1))
        if priority in ext.steps:
            raise DialplanError(f"priority {priority} of '{ext.name}' defined twice")
        app, data = _application(app_text.strip())
        label = match.group(2) or ""
        if label:
            ext.labels[label] = priority
        ext.steps[priority] = Step(priority, label, app, data, number)
        ext.last = priority


def _application(text: str) -> tuple[str, str]:
    """`App(data)`, `App()`, `App` or the old `App,data` -> (App, data)."""
    match = _APP.match(text)
    if match is None:
        raise DialplanError("missing application")
    app, rest = match.group(1), match.group(2).strip()
    if not rest:
        return app, ""
    if rest.startswith("("):
        if not rest.endswith(")"):
            raise DialplanError(f"unbalanced parentheses after {app}")
        return app, rest[1:-1]
    if rest.startswith(","):
        return app, rest[1:]
    raise DialplanError(f"cannot read the arguments of {app}")
