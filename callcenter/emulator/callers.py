"""Scripted citizens: what each caller presses, how long they wait and talk; call traces.

`digits` is either a mapping from a prompt-name prefix to the digits pressed at that prompt
(or to a list: what is pressed the first, second... time the prompt plays, "" for nothing), or a
list consumed in order by STREAM FILE (one digit) and GET DATA (one item).

A trace is a CSV file `arrival,service,patience[,topic]` in seconds from the start of the run:
`service` is how long the operator serves the call, an empty `patience` waits forever, and
`topic` is a day-menu digit or topic name (passport, housing, social, medical, transport,
general). A first line that is not numeric is taken as a header.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OFFER_PROMPT = "cc-callback-offer"  # "1" accepts the callback the engine offers
TOPIC_MENU = "day_topics"
TOPIC_KEYS = {
    "passport": "1",
    "housing": "2",
    "social": "3",
    "medical": "4",
    "transport": "5",
    "general": "0",
}


@dataclass
class CallerScript:
    number: str
    name: str = ""
    patience_s: float | None = None
    digits: dict[str, str | list[str]] | list[str] = field(default_factory=list)
    talk_s: float | None = None
    accept_callback: bool = False
    answers_callback: bool = True
    busy: bool = False  # an Originate to this number finds it busy
    wav: str | None = None
    dnid: str = "1000"
    service_s: float | None = None  # the operator's handle time for this call (traces)
    # What the caller entered, as (prompt, digits): the ground truth of menus and surveys.
    pressed: list[tuple[str, str]] = field(default_factory=list)

    def keys(self, prompt: str, *, single: bool) -> str:
        """Digits the caller enters at `prompt` ("" = none); `prompt` may carry the sounds
        subdirectory ("callcenter/night_main"): the caller hears the same words either way."""
        prompt = prompt.rsplit("/", 1)[-1]
        keys = self._keys(prompt, single=single)
        if keys:
            self.pressed.append((prompt, keys))
        return keys

    def _keys(self, prompt: str, *, single: bool) -> str:
        if prompt.startswith(OFFER_PROMPT) and self.accept_callback:
            return "1"
        if isinstance(self.digits, dict):
            value = next((v for k, v in self.digits.items() if prompt.startswith(k)), "")
            if isinstance(value, list):  # one entry per time the prompt plays
                value = value.pop(0) if value else ""
            return value[:1] if single else value
        if not self.digits:
            return ""
        item = self.digits.pop(0)
        if single and len(item) > 1:
            self.digits.insert(0, item[1:])
            return item[0]
        return item

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallerScript:
        allowed = {
            k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "pressed"
        }
        return cls(**allowed)


class TraceError(ValueError):
    """A trace line that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class TraceCall:
    arrival_s: float
    service_s: float
    patience_s: float | None
    topic: str = ""  # day-menu digit, "" = none pressed

    def script(self, number: str) -> CallerScript:
        digits: dict[str, str | list[str]] = {TOPIC_MENU: self.topic} if self.topic else {}
        return CallerScript(
            number=number, patience_s=self.patience_s, digits=digits, service_s=self.service_s
        )


def read_trace(path: Path) -> list[TraceCall]:
    """The calls of a trace file in arrival order."""
    calls = []
    with path.open(encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.reader(f), start=1):
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            if number == 1 and not _is_number(row[0]):
                continue  # header
            try:
                calls.append(_trace_call(row))
            except ValueError as exc:
                raise TraceError(f"{path.name}:{number}: {exc}") from None
    return sorted(calls, key=lambda c: c.arrival_s)


def _trace_call(row: list[str]) -> TraceCall:
    if not 3 <= len(row) <= 4:
        raise ValueError(f"expected arrival,service,patience[,topic], got {len(row)} fields")
    arrival, service = _seconds(row[0], "arrival"), _seconds(row[1], "service")
    patience = _seconds(row[2], "patience") if row[2].strip() else None
    topic = row[3].strip().lower() if len(row) == 4 else ""
    if topic and topic not in TOPIC_KEYS.values():
        if topic not in TOPIC_KEYS:
            raise ValueError(f"unknown topic {topic!r}")
        topic = TOPIC_KEYS[topic]
    return TraceCall(arrival, service, patience, topic)


def _seconds(raw: str, name: str) -> float:
    if not _is_number(raw):
        raise ValueError(f"{name} must be a number of seconds, got {raw.strip()!r}")
    value = float(raw)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must not be negative, got {raw.strip()!r}")
    return value


def _is_number(raw: str) -> bool:
    try:
        float(raw)
    except ValueError:
        return False
    return True
