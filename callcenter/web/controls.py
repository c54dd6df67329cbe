"""Supervisor controls: the port the engine implements, the audit log port, input validation.

Interface for the lead:

- `SupervisorControls` (Protocol): the engine-side actions. Each method is async and raises
  `callcenter.web.errors.ApiError` (or a subclass such as `NotFound` / `Conflict`) when the engine
  refuses, e.g. an unknown operator; any other exception becomes a 500.
- `AuditLog` (Protocol): `append(actor, action, details)` stores who did what; `recent(limit)`
  returns the newest entries first for the dashboard. `InMemoryAuditLog` and `RecordingControls`
  are the test/demo fakes; production stores entries in the database audit table.

The HTTP handlers (in `callcenter.web.supervisor`) parse JSON bodies with the `parse_*` functions
below, which raise `ApiError` (400) with a Russian message naming the field, call the controls,
then append an audit entry. Audit actions: "set_emergency", "pause_operator", "move_operator",
"set_queue_limit".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from callcenter.web.errors import ApiError

MIN_LIMIT_S = 5.0
MAX_LIMIT_S = 600.0
MAX_TEXT = 500


class SupervisorControls(Protocol):
    async def set_emergency(self, on: bool, announcement: str) -> None: ...

    async def pause_operator(self, op_id: str, paused: bool, reason: str) -> None: ...

    async def move_operator(self, op_id: str, queues: list[str]) -> None: ...

    async def set_queue_limit(self, queue: str, limit_s: float) -> None: ...


@dataclass(frozen=True)
class AuditEntry:
    at: float
    actor: str
    action: str
    details: Mapping[str, Any] = field(default_factory=dict)


class AuditLog(Protocol):
    async def append(self, actor: str, action: str, details: Mapping[str, Any]) -> None: ...

    async def recent(self, limit: int) -> list[AuditEntry]: ...


class InMemoryAuditLog:
    """Keeps entries in a list; the clock is injected so tests can check timestamps."""

    def __init__(self, *, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.entries: list[AuditEntry] = []

    async def append(self, actor: str, action: str, details: Mapping[str, Any]) -> None:
        self.entries.append(AuditEntry(self._clock(), actor, action, dict(details)))

    async def recent(self, limit: int) -> list[AuditEntry]:
        return list(reversed(self.entries[-limit:])) if limit > 0 else []


def _bad(field_name: str, message: str) -> ApiError:
    return ApiError("invalid_input", message, {"field": field_name})


def _require_object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise ApiError("invalid_input", "Ожидался JSON-объект", {})
    return body


def _text(body: Mapping[str, Any], name: str, *, required: bool) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise _bad(name, f"Поле «{name}» должно быть строкой")
    value = value.strip()
    if required and not value:
        raise _bad(name, f"Поле «{name}» обязательно")
    if len(value) > MAX_TEXT:
        raise _bad(name, f"Поле «{name}» длиннее {MAX_TEXT} символов")
    return value


def _flag(body: Mapping[str, Any], name: str) -> bool:
    value = body.get(name)
    if not isinstance(value, bool):
        raise _bad(name, f"Поле «{name}» должно быть true или false")
    return value


@dataclass(frozen=True)
class EmergencyRequest:
    on: bool
    announcement: str


@dataclass(frozen=True)
class PauseRequest:
    paused: bool
    reason: str


def parse_emergency(body: Any) -> EmergencyRequest:
    data = _require_object(body)
    on = _flag(data, "on")
    announcement = _text(data, "announcement", required=on)
    return EmergencyRequest(on, announcement)


def parse_pause(body: Any) -> PauseRequest:
    data = _require_object(body)
    paused = _flag(data, "paused")
    return PauseRequest(paused, _text(data, "reason", required=paused))


def parse_move(body: Any) -> list[str]:
    data = _require_object(body)
    queues = data.get("queues")
    if not isinstance(queues, list) or not all(isinstance(q, str) and q.strip() for q in queues):
        raise _bad("queues", "Поле «queues» должно быть списком имён очередей")
    names = [q.strip() for q in queues]
    if len(set(names)) != len(names):
        raise _bad("queues", "Очереди в списке повторяются")
    return names


def parse_limit(body: Any) -> float:
    data = _require_object(body)
    value = data.get("limit_s")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad("limit_s", "Поле «limit_s» должно быть числом секунд")
    if not MIN_LIMIT_S <= value <= MAX_LIMIT_S:
        raise _bad(
            "limit_s", f"Предел ожидания должен быть от {MIN_LIMIT_S:g} до {MAX_LIMIT_S:g} с"
        )
    return float(value)


@dataclass(frozen=True)
class ControlCall:
    method: str
    args: tuple[Any, ...]


class RecordingControls:
    """A `SupervisorControls` that records each call: for tests and for the dashboard demo."""

    def __init__(self) -> None:
        self.calls: list[ControlCall] = []

    async def set_emergency(self, on: bool, announcement: str) -> None:
        self.calls.append(ControlCall("set_emergency", (on, announcement)))

    async def pause_operator(self, op_id: str, paused: bool, reason: str) -> None:
        self.calls.append(ControlCall("pause_operator", (op_id, paused, reason)))

    async def move_operator(self, op_id: str, queues: list[str]) -> None:
        self.calls.append(ControlCall("move_operator", (op_id, list(queues))))

    async def set_queue_limit(self, queue: str, limit_s: float) -> None:
        self.calls.append(ControlCall("set_queue_limit", (queue, limit_s)))
