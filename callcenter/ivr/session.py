"""The record of one IVR run: path taken, phrases heard, answers, outcome and topic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal[
    "self_served", "to_operator", "callback_requested", "emergency_transfer", "hung_up", "failed"
]
# How a step got its input: dtmf / speech matched, timeout (nothing), invalid (no such choice),
# auto (a play node), action (an action's own result, e.g. "status:found").
Via = Literal["dtmf", "speech", "timeout", "invalid", "auto", "action"]


@dataclass(frozen=True)
class Step:
    node: str
    input: str
    via: Via


@dataclass(frozen=True)
class HeardPhrase:
    node: str
    text: str  # what the recogniser returned
    phrase: str | None  # the menu phrase it was accepted as, None when rejected
    confidence: float


@dataclass(frozen=True)
class IvrSession:
    menu: str
    outcome: Outcome
    topic: str | None
    path: tuple[Step, ...]
    phrases: tuple[HeardPhrase, ...]
    answers: Mapping[str, str]
    callback_id: str | None = None
    booking_reference: str | None = None

    @property
    def node_ids(self) -> list[str]:
        return [step.node for step in self.path]


@dataclass
class SessionRecorder:
    """Mutable while the runner walks the menu; `freeze()` gives the record."""

    menu: str
    outcome: Outcome | None = None
    topic: str | None = None
    path: list[Step] = field(default_factory=list)
    phrases: list[HeardPhrase] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    callback_id: str | None = None
    booking_reference: str | None = None

    def step(self, node: str, value: str, via: Via) -> None:
        self.path.append(Step(node=node, input=value, via=via))

    def freeze(self) -> IvrSession:
        return IvrSession(
            menu=self.menu,
            outcome=self.outcome or "failed",
            topic=self.topic,
            path=tuple(self.path),
            phrases=tuple(self.phrases),
            answers=dict(self.answers),
            callback_id=self.callback_id,
            booking_reference=self.booking_reference,
        )
