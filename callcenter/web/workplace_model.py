"""Values of the operator workplace: the screen pop, history entries and the stored records.

All are frozen dataclasses. Times are epoch seconds (float) unless the field says otherwise;
`as_dict()` gives the JSON shape the page and the API use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ARRIVAL_KINDS = ("direct", "ivr", "overflow", "callback")
HISTORY_KINDS = ("call", "appeal", "appointment", "callback", "transfer", "report")
APPEAL_KINDS = ("appeal", "complaint")
URGENCIES = ("normal", "urgent", "emergency")
ACTION_KINDS = ("callback", "transfer", "appointment")
# The result code of a call whose wrap-up time ran out before the operator filled the form.
WRAPUP_TIMEOUT_CODE = "wrapup_timeout"
APPEAL_KIND_TITLES = {"appeal": "Обращение", "complaint": "Жалоба"}


@dataclass(frozen=True)
class OperatorRef:
    """The signed-in operator as Asterisk knows them: `interface` is the SIP endpoint."""

    id: str
    name: str
    interface: str


@dataclass(frozen=True)
class Arrival:
    """How the call reached the operator.

    `ivr_choices`: the menu items the caller picked, in order (Russian labels).
    `overflow_from`: the partner center that sent the call, `overflow_context`: what it sent
    (topic chosen there, its caller history reference...), as label/value pairs.
    `callback_id`: set when this is a callback the center dialled.
    """

    kind: str = "direct"
    ivr_choices: tuple[str, ...] = ()
    overflow_from: str = ""
    overflow_context: tuple[tuple[str, str], ...] = ()
    callback_id: str = ""


@dataclass(frozen=True)
class ScreenPop:
    """What the engine knows when an operator answers a call (`OperatorHub.pop`)."""

    call_id: str
    number: str
    answered_at: float
    waited_s: float
    topic: str | None = None
    caller_name: str = ""
    queue: str = ""
    arrival: Arrival = field(default_factory=Arrival)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HistoryEntry:
    """One earlier contact of the caller; `kind` is one of `HISTORY_KINDS`."""

    kind: str
    at: float
    summary: str
    ref: str = ""  # e.g. the appeal number or call id
    call_id: str = ""  # the call it came from, when known


@dataclass(frozen=True)
class Appeal:
    """An appeal or complaint registered during a call; `number` is given by the store."""

    call_id: str
    operator_id: str
    phone: str
    kind: str
    classification: str
    classification_title: str
    text: str
    executor_id: str
    urgency: str
    created_at: float
    number: str = ""


@dataclass(frozen=True)
class CallAction:
    """A callback requested, a transfer made or an appointment booked during a call."""

    call_id: str
    operator_id: str
    phone: str
    kind: str
    at: float
    summary: str
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class WrapUp:
    """The result of a call. `timed_out`: the wrap-up time ran out before a valid form."""

    call_id: str
    operator_id: str
    phone: str
    result_code: str
    fields: tuple[tuple[str, str], ...]
    started_at: float
    finished_at: float
    timed_out: bool = False


@dataclass(frozen=True)
class Slot:
    """A free reception slot; `start` is local time of the agency, "YYYY-MM-DDTHH:MM"."""

    agency_id: str
    service_id: str
    start: str
    minutes: int = 30


@dataclass(frozen=True)
class Appointment:
    id: str
    slot: Slot
    phone: str
    citizen_name: str
    call_id: str
    operator_id: str
