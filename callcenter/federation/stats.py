"""In-memory counters of overflow out (we sent) and in (we received), per partner.

`snapshot()` returns plain dicts, ready for metrics and reports:
`{"out": {partner: {...}}, "in": {partner: {...}}}` where each entry holds `offered`, `accepted`,
`refused` (by reason), `errors`, `answered`, `abandoned`, `callback`, `wait_s_total`,
`wait_s_max` and `outcomes` (count of reported outcomes).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["out", "in"]


@dataclass
class _Counters:
    offered: int = 0
    accepted: int = 0
    errors: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    wait_s_total: float = 0.0
    wait_s_max: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "offered": self.offered,
            "accepted": self.accepted,
            "refused": dict(self.refused),
            "errors": self.errors,
            "answered": self.outcomes["answered"],
            "abandoned": self.outcomes["abandoned"],
            "callback": self.outcomes["callback"],
            "outcomes": sum(self.outcomes.values()),
            "wait_s_total": round(self.wait_s_total, 3),
            "wait_s_max": round(self.wait_s_max, 3),
        }


class FederationStats:
    def __init__(self) -> None:
        self._data: dict[Direction, dict[str, _Counters]] = {"out": {}, "in": {}}

    def _of(self, direction: Direction, partner_id: str) -> _Counters:
        return self._data[direction].setdefault(partner_id, _Counters())

    def offered(self, direction: Direction, partner_id: str) -> None:
        self._of(direction, partner_id).offered += 1

    def accepted(self, direction: Direction, partner_id: str) -> None:
        self._of(direction, partner_id).accepted += 1

    def refused(self, direction: Direction, partner_id: str, reason: str) -> None:
        self._of(direction, partner_id).refused[reason] += 1

    def error(self, direction: Direction, partner_id: str) -> None:
        self._of(direction, partner_id).errors += 1

    def outcome(self, direction: Direction, partner_id: str, outcome: str, wait_s: float) -> None:
        c = self._of(direction, partner_id)
        c.outcomes[outcome] += 1
        c.wait_s_total += wait_s
        c.wait_s_max = max(c.wait_s_max, wait_s)

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {d: {p: c.as_dict() for p, c in per.items()} for d, per in self._data.items()}
