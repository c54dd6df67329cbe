"""Simulator bookkeeping: settings, the simulated calls, operators, callbacks and partners."""

from __future__ import annotations

from dataclasses import dataclass, field

from queue_engine.model.calls import CallOutcome


@dataclass(frozen=True, slots=True)
class SimSettings:
    """Caller and network behaviour the trace does not carry (all seeded where random)."""

    day_origin: float = 0.0
    seed: int = 0
    accept_probability: float = 0.6
    decide_s: float = 6.0
    callback_answer_probability: float = 0.85
    callback_answer_s: float = 12.0
    callback_no_answer_s: float = 30.0
    wrapup_s: float = 5.0
    ivr_s: float = 90.0
    ivr_callback_probability: float = 0.2
    partner_report_s: float = 10.0
    queue: str = "main"


@dataclass(slots=True)
class SimCall:
    call_id: str
    service: float
    patience: float | None
    topic: str
    caller: str
    arrival: float
    joined_at: float | None = None
    left_at: float | None = None
    way_out_at: float | None = None
    outcome: CallOutcome | None = None
    # The policy's own predicted wait at joining (its CallQueued event), and the two classic
    # predictions made from the simulator's observations at the same moment.
    predicted: float | None = None
    classic: tuple[float, float] | None = None


@dataclass(slots=True)
class SimOperator:
    op_id: str
    state: str = "available"  # available, talking, wrap_up, offline
    job: str = ""
    reserved: bool = False
    leaving: bool = False


@dataclass(slots=True)
class SimCallback:
    callback_id: str
    call_id: str
    service: float
    requested_at: float
    deadline: float
    served_at: float | None = None
    unreached: bool = False


@dataclass(slots=True)
class SimPartner:
    name: str
    slots: int
    max_hops: int
    busy: int = 0


@dataclass
class Tally:
    """What the run observed, independent of what the policy says about itself."""

    outcome_conflicts: list[str] = field(default_factory=list)
    queue_waits: list[float] = field(default_factory=list)
    answered_waits: list[float] = field(default_factory=list)
    # Per answered caller: |error| of engine, queue-length and LES predictions, actual wait.
    errors: list[tuple[float, float, float, float]] = field(default_factory=list)
    breaches: int = 0
    engine_breaches: dict[str, int] = field(default_factory=dict)
    guard_actions: dict[str, int] = field(default_factory=dict)
    engine_outcomes: dict[str, str] = field(default_factory=dict)
    announcements: int = 0
