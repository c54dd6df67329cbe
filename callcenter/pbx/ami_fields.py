"""Reading header values out of AMI messages: text, integers, flags, Asterisk's escapes.

A malformed number raises `ValueError`; the caller logs the whole event and drops only it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from callcenter.pbx.facts import QueueMember

Headers = Mapping[str, Any]

_UNKNOWN = frozenset({"<unknown>", "unknown"})
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "'": "'", "?": "?"}


def text(m: Headers, key: str) -> str:
    """A header's value; a repeated header gives its last value."""
    value = m.get(key, "")
    if isinstance(value, list):
        return str(value[-1]) if value else ""
    return str(value)


def integer(m: Headers, key: str) -> int:
    """An integer header; an absent or empty one is 0, anything else non-numeric raises."""
    value = text(m, key).strip()
    return int(value) if value else 0


def flag(m: Headers, key: str) -> bool:
    return text(m, key).strip().lower() in ("1", "true", "yes", "on")


def unescape_c(value: str) -> str:
    """Undo the C escaping Asterisk applies to caller names and VarSet values."""
    if "\\" not in value:
        return value
    out: list[str] = []
    chars = iter(value)
    for ch in chars:
        if ch != "\\":
            out.append(ch)
            continue
        nxt = next(chars, "")
        out.append(_ESCAPES.get(nxt, "\\" + nxt))
    return "".join(out)


def caller_text(m: Headers, key: str) -> str:
    """Caller id number/name with Asterisk's '<unknown>' placeholders mapped to ""."""
    value = text(m, key)
    return "" if value in _UNKNOWN else unescape_c(value)


def hms_seconds(value: str) -> int:
    """'HH:MM:SS' (CoreShowChannel Duration) to seconds."""
    total = 0
    for part in value.strip().split(":"):
        total = total * 60 + int(part)
    return total


def queue_member(m: Headers) -> QueueMember:
    """QueueMember* events say MemberName/Interface; the QueueStatus list says Name/Location."""
    interface = text(m, "Interface") or text(m, "Location")
    return QueueMember(
        queue=text(m, "Queue"),
        interface=interface,
        name=text(m, "MemberName") or text(m, "Name") or interface,
        state_interface=text(m, "StateInterface"),
        membership=text(m, "Membership"),
        penalty=integer(m, "Penalty"),
        calls_taken=integer(m, "CallsTaken"),
        last_call=integer(m, "LastCall"),
        last_pause=integer(m, "LastPause"),
        login_time=integer(m, "LoginTime"),
        in_call=flag(m, "InCall"),
        status=integer(m, "Status"),
        paused=flag(m, "Paused"),
        paused_reason=text(m, "PausedReason") or text(m, "Reason"),
        wrapuptime=integer(m, "Wrapuptime"),
    )
