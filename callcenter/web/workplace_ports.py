"""Ports of the operator workplace: what the engine and the database implement for it.

The lead wires real implementations (AMI, SQL) into `Workplace`; tests and the demo use the
in-memory ones in `callcenter.web.workplace_memory`. Every method is async. An implementation
that refuses an action raises `callcenter.web.errors.ApiError` (or a subclass): its `error_id`
and message reach the page as they are; any other exception becomes a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Protocol

from callcenter.scripting import OperatorGuide, OutdatedReport, ScriptPath
from callcenter.web.workplace_hub import OperatorHub
from callcenter.web.workplace_model import (
    Appeal,
    Appointment,
    CallAction,
    HistoryEntry,
    OperatorRef,
    Slot,
    WrapUp,
)


class OperatorControls(Protocol):
    """Operator state changes; each must reach Asterisk (QueueAdd/QueuePause) and supervisors."""

    async def go_ready(self, operator: OperatorRef) -> None: ...

    async def pause(self, operator: OperatorRef, reason: str) -> None: ...

    async def wrap_up_done(self, operator: OperatorRef) -> None: ...

    async def sign_out(self, operator: OperatorRef) -> None: ...


class HistorySource(Protocol):
    """The caller's earlier calls, appeals, appointments and callbacks (any order)."""

    async def history(self, phone: str) -> list[HistoryEntry]: ...


class CallActions(Protocol):
    """Actions on the live call and the callback queue; `due` is epoch seconds."""

    async def request_callback(self, phone: str, topic: str, due: float) -> str: ...

    async def transfer(self, call_id: str, number: str, note: str) -> None: ...


class Booking(Protocol):
    """Reception slots of agencies and MFC offices; `day` is "YYYY-MM-DD"."""

    async def free_slots(self, agency_id: str, service_id: str, day: str) -> list[Slot]: ...

    async def book(
        self, slot: Slot, *, phone: str, citizen_name: str, call_id: str, operator_id: str
    ) -> Appointment: ...


class WorkplaceStore(Protocol):
    """Persistence of everything the operator records; `save_appeal` returns the appeal number."""

    async def save_appeal(self, appeal: Appeal) -> str: ...

    async def save_script_path(self, call_id: str, operator_id: str, path: ScriptPath) -> None: ...

    async def save_wrapup(self, wrapup: WrapUp) -> None: ...

    async def save_outdated_report(self, report: OutdatedReport) -> None: ...

    async def save_action(self, action: CallAction) -> None: ...

    async def wrapups_of(self, operator_id: str, limit: int) -> list[WrapUp]:
        """The operator's own finished calls, newest first."""
        ...


@dataclass(frozen=True)
class Workplace:
    """Everything `add_operator_routes` needs. `clock` gives epoch seconds (injected)."""

    guide: OperatorGuide
    hub: OperatorHub
    controls: OperatorControls
    store: WorkplaceStore
    history: HistorySource
    booking: Booking
    calls: CallActions
    clock: Callable[[], float]
    tz: tzinfo = UTC
