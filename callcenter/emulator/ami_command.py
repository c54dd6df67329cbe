"""The CLI commands the AMI Command action can run here, with Asterisk 20's output layout."""

from __future__ import annotations

from callcenter.emulator.members import Queue
from callcenter.emulator.model import Pbx
from callcenter.emulator.queue import QueueApp

BUILT = "built by emulator @ callcenter on a x86_64 running Linux on 2024-01-01 00:00:00 UTC"
DEVICE_STATES = {
    0: "Unknown",
    1: "Not in use",
    2: "In use",
    3: "Busy",
    4: "Invalid",
    5: "Unavailable",
    6: "Ringing",
    7: "Ring+Inuse",
    8: "On Hold",
}


def command_output(
    line: str, *, version: str, pbx: Pbx, queues: QueueApp
) -> tuple[bool, list[str]]:
    """(succeeded, output lines) for one CLI command line."""
    words = line.split()
    if [w.lower() for w in words] == ["core", "show", "version"]:
        return True, [f"Asterisk {version} {BUILT}"]
    if [w.lower() for w in words[:2]] == ["queue", "show"] and len(words) <= 3:
        return _queue_show(words[2] if len(words) == 3 else "", pbx, queues)
    return False, [
        f"No such command '{line}' (type 'core show help {line}' for other possible commands)"
    ]


def _queue_show(name: str, pbx: Pbx, queues: QueueApp) -> tuple[bool, list[str]]:
    chosen = [q for q in queues.queues.values() if not name or q.name == name]
    if not chosen:
        return True, [f"No such queue: {name}." if name else "No queues."]
    now = pbx.clock.now()
    lines: list[str] = []
    for q in sorted(chosen, key=lambda q: q.name):
        count = len(q.entries)
        lines.append(
            f"{q.name} has {count} call{'' if count == 1 else 's'} (max unlimited) in "
            f"'leastrecent' strategy ({int(q.holdtime)}s holdtime, {int(q.talktime)}s talktime), "
            f"W:0, C:{q.completed}, A:{q.abandoned}, SL:0.0%, SL2:0.0% within 40s"
        )
        lines.extend(_members(q, now))
        if not q.entries:
            lines.append("   No Callers")
        else:
            lines.append("   Callers: ")
            for pos, e in enumerate(q.entries, 1):
                wait = int(now - e.joined_at)
                lines.append(
                    f"      {pos}. {e.channel.name} (wait: {wait // 60}:{wait % 60:02d}, "
                    f"prio: {e.priority})"
                )
        lines.append("")
    return True, lines[:-1]  # the blank line between queues, not after the last


def _members(q: Queue, now: float) -> list[str]:
    members = list(q.members.values())
    if not members:
        return ["   No Members"]
    lines = ["   Members: "]
    for m in members:
        text = f"      {m.name}"
        if m.name.lower() != m.interface.lower():
            origin = f" from {m.state_interface}" if m.state_interface != m.interface else ""
            text += f" ({m.interface}{origin})"
        if m.penalty:
            text += f" with penalty {m.penalty}"
        text += " (ringinuse disabled) (dynamic)"
        if m.in_call:
            text += " (in call)"
        if m.paused:
            reason = f":{m.reason}" if m.reason else ""
            text += f" (paused{reason} was {int(now - m.last_pause)} secs ago)"
        text += f" ({DEVICE_STATES.get(m.status, 'Unknown')})"
        if m.calls_taken:
            text += f" has taken {m.calls_taken} calls (last was {int(now - m.last_call)} secs ago)"
        else:
            text += " has taken no calls yet"
        text += f" (login was {int(now - m.login_time)} secs ago)"
        lines.append(text)
    return lines
