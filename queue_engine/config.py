"""Configuration value objects: how the application tells the engine its rules.

All are frozen; the application builds them once (from YAML, the database, the CLI) and passes
them in. The engine never sees a raw dict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from queue_engine.errors import InvalidConfig


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """One queue: its wait limit (the 40-second promise) and how early the guard acts."""

    name: str
    limit_s: float = 40.0
    # The guard must act this long before the limit: an offer prompt or a transfer takes time.
    act_margin_s: float = 5.0
    priority: int = 0
    # Priority bonus for a caller who declined the callback offer and stays in the queue.
    declined_priority_bonus: int = 1

    def __post_init__(self) -> None:
        if self.limit_s <= 0 or not 0 <= self.act_margin_s < self.limit_s:
            raise InvalidConfig("limit must be positive and above the margin", queue=self.name)


@dataclass(frozen=True, slots=True)
class CallbackPolicy:
    """Callback rules: the 10-minute deadline, retries and when to reserve an operator."""

    enabled: bool = True
    deadline_s: float = 600.0
    max_attempts: int = 3
    retry_delay_s: float = 60.0
    # A request whose deadline is this close gets an operator reserved for it (plus one
    # retry_delay_s for every attempt still allowed after the next, so retries fit in time).
    reserve_lead_s: float = 90.0
    # Dial the citizen first and put them, once they answer, at the head of the queue
    # (``priority``) for the next free operator (the default). Operator-first (False) holds an
    # operator idle while the citizen's phone rings, and through every unanswered attempt.
    citizen_first: bool = True
    priority: int = 100
    # About how long a citizen takes to answer: citizen-first dials as many due requests at
    # once as operators are expected to come free in that time.
    answer_s: float = 12.0

    def __post_init__(self) -> None:
        if self.deadline_s <= 0 or self.max_attempts < 1 or self.retry_delay_s < 0:
            raise InvalidConfig("callback deadline, attempts and retry delay must be positive")
        if self.answer_s <= 0:
            raise InvalidConfig("callback answer time must be positive")


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    """Local time zone, the automatic (night) window and holidays (automatic all day)."""

    tz: str = "Europe/Moscow"
    night_start: dt.time = dt.time(0, 0)
    night_end: dt.time = dt.time(6, 0)
    holidays: frozenset[dt.date] = frozenset()


@dataclass(frozen=True, slots=True)
class PhonePolicy:
    """Which numbers the center will call back."""

    allowed_regions: frozenset[str] = frozenset({"RU"})
    # E.164 prefixes allowed (empty: any in the allowed regions), e.g. "+7495".
    allowed_prefixes: tuple[str, ...] = ()
    default_region: str = "RU"
    forbid_premium: bool = True


@dataclass(frozen=True, slots=True)
class OverflowPolicy:
    """Partner choice: a partner is used only if fresh, accepting and within the hop limit."""

    enabled: bool = True
    max_hops: int = 1
    stale_after_s: float = 30.0
    # A partner is worth it only if its predicted wait plus the transfer fits under the limit.
    transfer_s: float = 5.0
    # Predicted waits this close to the best count as a tie, settled by priority and recent load.
    tie_band_s: float = 5.0
    # "Recent load": calls we handed to a partner within this many seconds.
    recent_window_s: float = 300.0


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Everything the engine needs; ``queues[0]`` is the default queue."""

    queues: tuple[QueueConfig, ...] = (QueueConfig("main"),)
    topic_queues: tuple[tuple[str, str], ...] = ()
    callbacks: CallbackPolicy = field(default_factory=CallbackPolicy)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    phone: PhonePolicy = field(default_factory=PhonePolicy)
    overflow: OverflowPolicy = field(default_factory=OverflowPolicy)
    # Starting handle-time estimate before any call has been measured.
    default_handle_s: float = 180.0
    # How often waiting callers' predictions are re-checked between other events.
    reevaluate_s: float = 2.0
    overflow_priority: int = 10
    # False: the guard acts on the clock alone (the asterisk-timeout baseline).
    predictive_guard: bool = True

    def __post_init__(self) -> None:
        if not self.queues:
            raise InvalidConfig("at least one queue is required")
        names = {q.name for q in self.queues}
        if len(names) != len(self.queues):
            raise InvalidConfig("queue names must be unique")
        unknown = {q for _, q in self.topic_queues} - names
        if unknown:
            raise InvalidConfig("topic mapped to an unknown queue", queues=sorted(unknown))

    def queue(self, name: str) -> QueueConfig:
        for q in self.queues:
            if q.name == name:
                return q
        raise InvalidConfig("unknown queue", queue=name)
