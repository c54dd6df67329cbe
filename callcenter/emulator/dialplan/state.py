"""What the interpreter and the applications share: a channel's run state, jump targets, the
two ways a run stops, and the argument splitting every application uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from callcenter.emulator.model import Channel

if TYPE_CHECKING:
    from callcenter.emulator.dialplan.interpreter import Interpreter


class DialplanFailure(RuntimeError):
    """The dialplan cannot go on (unknown application or function, bad jump): the channel is
    hung up and the reason logged."""


class ChannelHangup(Exception):
    """Hangup(), or an application that found the channel gone: stop running dialplan."""

    def __init__(self, cause: int = 16) -> None:
        super().__init__(cause)
        self.cause = cause


class SubroutineDone(Exception):
    """Return() from the frame a pre-dial subroutine started with."""


@dataclass(frozen=True)
class Target:
    """Where a Goto/GotoIf/Gosub goes; empty context/exten mean "the current one"."""

    context: str
    exten: str
    priority: str  # a number or a label


@dataclass
class Frame:
    """A Gosub return address and the ARGn values it hid."""

    context: str
    exten: str
    priority: int
    saved: dict[str, str | None]
    stop: bool = False  # Return() here ends a pre-dial subroutine run


@dataclass
class Run:
    ch: Channel
    stack: list[Frame] = field(default_factory=list)
    steps: int = 0
    last_prompt: str = ""
    cause: int = 16
    ended: bool = False  # by the dialplan itself (Hangup, end of extension), not from outside


Handler = Callable[["Interpreter", Run, str], Awaitable[Target | None]]


@dataclass(frozen=True)
class App:
    """A dialplan application: its name as Asterisk reports it, and what it does. `run` gets
    the substituted data and returns where to jump, or None to go on to the next priority."""

    name: str
    run: Handler


def split_args(data: str) -> list[str]:
    """Comma-separated arguments; commas inside parentheses or double quotes do not split;
    quotes and backslashes are removed (Asterisk's standard application argument parsing)."""
    args, current, depth, quoted, i = [], [], 0, False, 0
    while i < len(data):
        c = data[i]
        if c == "\\" and i + 1 < len(data):
            current.append(data[i + 1])
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        elif c == "(" and not quoted:
            depth += 1
            current.append(c)
        elif c == ")" and not quoted:
            depth = max(0, depth - 1)
            current.append(c)
        elif c == "," and depth == 0 and not quoted:
            args.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    args.append("".join(current))
    return args


def split_outside_parens(text: str, sep: str) -> tuple[str, str | None]:
    """`text` split at the first `sep` outside parentheses; None when there is none."""
    depth = 0
    for i, c in enumerate(text):
        depth += (c == "(") - (c == ")")
        if c == sep and depth == 0:
            return text[:i], text[i + 1 :]
    return text, None


def parse_target(text: str) -> Target:
    """`[[context,]exten,]priority` (priority a number or a label)."""
    parts = [p.strip() for p in text.split(",")]
    if not parts[-1] or len(parts) > 3:
        raise DialplanFailure(f"bad jump target {text!r}")
    parts = ["", "", *parts][-3:]
    return Target(parts[0], parts[1], parts[2])


def is_true(value: str) -> bool:
    """pbx_checkcondition: empty is false, a number is true unless zero, other text is true."""
    value = value.strip()
    if not value:
        return False
    try:
        return int(value) != 0
    except ValueError:
        return True
