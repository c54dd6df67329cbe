"""Queue settings read from queues.conf, with app_queue's defaults for what a section leaves out.

Only the options the emulator models are read; the rest of the file is accepted and ignored.
`joinempty` / `leavewhenempty` become the set of member conditions that count as "empty"
(app_queue's `parse_empty_options`): `joinempty=yes` means no condition (always join),
`leavewhenempty=yes` means penalty, invalid and paused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from callcenter.emulator.conf import ConfError, Section, read_conf

STRATEGIES = ("ringall", "leastrecent", "fewestcalls", "random", "rrmemory", "linear", "wrandom")
CONDITIONS = (
    "paused",
    "penalty",
    "inuse",
    "ringing",
    "unavailable",
    "invalid",
    "unknown",
    "wrapup",
)
_LOOSE = frozenset({"penalty", "invalid"})
_STRICT = frozenset({"penalty", "invalid", "paused", "unavailable"})
_EMPTY_YES = frozenset({"penalty", "invalid", "paused"})
_TRUE = ("yes", "true", "y", "t", "1", "on")
_FALSE = ("no", "false", "n", "f", "0", "off")


@dataclass(frozen=True)
class StaticMember:
    """A `member => interface[,penalty[,name[,state_interface]]]` line."""

    interface: str
    penalty: int = 0
    name: str = ""
    state_interface: str = ""


@dataclass(frozen=True)
class QueueSettings:
    name: str
    strategy: str = "ringall"
    timeout_s: float = 15.0  # ring time of one attempt; 0 = until the caller's own timeout
    retry_s: float = 5.0
    wrapup_s: float = 0.0
    ringinuse: bool = True
    joinempty: frozenset[str] = frozenset()
    leavewhenempty: frozenset[str] = frozenset()
    maxlen: int = 0
    weight: int = 0
    servicelevel: int = 0
    autofill: bool = True
    shared_lastcall: bool = False
    log_membername_as_agent: bool = False
    timeoutpriority: str = "app"
    musicclass: str = "default"  # the class Queue() plays to waiting callers
    memberdelay: float = 0.0  # seconds between the member answering and the bridge
    members: tuple[StaticMember, ...] = ()


@dataclass(frozen=True)
class QueuesConf:
    queues: dict[str, QueueSettings] = field(default_factory=dict)

    def get(self, name: str) -> QueueSettings:
        """The queue's settings; a queue the file does not define gets app_queue's defaults."""
        return self.queues.get(name) or QueueSettings(name)


def parse_empty(value: str, *, joining: bool) -> frozenset[str]:
    conditions: set[str] = set()
    for option in (o.strip().lower() for o in value.split(",") if o.strip()):
        if option in CONDITIONS:
            conditions.add(option)
        elif option in ("loose", "strict"):
            conditions = set(_LOOSE if option == "loose" else _STRICT)
        elif option in _TRUE + _FALSE:
            means_empty = (option in _FALSE) == joining
            conditions = set(_EMPTY_YES) if means_empty else set()
        else:
            kind = "joinempty" if joining else "leavewhenempty"
            raise ConfError(f"queues.conf: unknown {kind} option {option!r}")
    return frozenset(conditions)


def load_queues(path: Path) -> QueuesConf:
    sections = read_conf(path)
    general = next((s for s in sections if s.name == "general"), Section("general"))
    return QueuesConf({s.name: _settings(s, general) for s in sections if s.name != "general"})


def _settings(s: Section, general: Section) -> QueueSettings:
    strategy = s.get("strategy", "ringall").lower()
    if strategy not in STRATEGIES:
        raise ConfError(f"queues.conf [{s.name}]: unknown strategy {strategy!r}")
    timeoutpriority = s.get("timeoutpriority", "app").lower()
    if timeoutpriority not in ("app", "conf"):
        raise ConfError(f"queues.conf [{s.name}]: timeoutpriority must be app or conf")
    return QueueSettings(
        name=s.name,
        strategy=strategy,
        timeout_s=_number(s, "timeout", 15),
        retry_s=_number(s, "retry", 5),
        wrapup_s=_number(s, "wrapuptime", 0),
        ringinuse=_flag(s.get("ringinuse", "yes")),
        joinempty=parse_empty(s.get("joinempty", "yes"), joining=True),
        leavewhenempty=parse_empty(s.get("leavewhenempty", "no"), joining=False),
        maxlen=int(_number(s, "maxlen", 0)),
        weight=int(_number(s, "weight", 0)),
        servicelevel=int(_number(s, "servicelevel", 0)),
        autofill=_flag(general.get("autofill", "yes")),
        shared_lastcall=_flag(general.get("shared_lastcall", "yes")),
        log_membername_as_agent=_flag(general.get("log_membername_as_agent", "no")),
        timeoutpriority=timeoutpriority,
        musicclass=s.get("musicclass", "default") or "default",
        memberdelay=_number(s, "memberdelay", 0),
        members=tuple(_member(s.name, v) for k, v in s.items if k == "member"),
    )


def _member(queue: str, value: str) -> StaticMember:
    parts = [p.strip() for p in value.split(",")]
    if not parts[0]:
        raise ConfError(f"queues.conf [{queue}]: member needs an interface")
    penalty = parts[1] if len(parts) > 1 and parts[1] else "0"
    if not penalty.isdigit():
        raise ConfError(f"queues.conf [{queue}]: member penalty must be a number, got {penalty!r}")
    name = parts[2] if len(parts) > 2 else ""
    state = parts[3] if len(parts) > 3 else ""
    return StaticMember(parts[0], int(penalty), name, state)


def _number(s: Section, key: str, default: float) -> float:
    raw = s.get(key, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise ConfError(f"queues.conf [{s.name}]: {key} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfError(f"queues.conf [{s.name}]: {key} must not be negative, got {raw!r}")
    return value


def _flag(value: str) -> bool:
    return value.strip().lower() in _TRUE
