"""Shared pieces of the operator workplace tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.config import Settings
from callcenter.scripting import OperatorGuide
from callcenter.web.app import create_app
from callcenter.web.auth import InMemoryUserDirectory
from callcenter.web.operator import add_operator_routes
from callcenter.web.status import StatusAggregator
from callcenter.web.workplace_hub import OperatorHub
from callcenter.web.workplace_memory import (
    InMemoryBooking,
    InMemoryWorkplaceStore,
    RecordingCallActions,
    RecordingOperatorControls,
    in_memory_workplace,
)
from callcenter.web.workplace_model import Arrival, ScreenPop
from callcenter.web.workplace_ports import Workplace

API_KEY = "test-api-key"
T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC, a Friday
CALLER = "+79123456789"
Client = TestClient[web.Request, web.Application]


@dataclass
class FakeClock:
    now: float = T0

    def __call__(self) -> float:
        return self.now


@dataclass
class WorkplaceWorld:
    client: Client
    hub: OperatorHub
    store: InMemoryWorkplaceStore
    controls: RecordingOperatorControls
    calls: RecordingCallActions
    booking: InMemoryBooking
    clock: FakeClock


def build_app(
    guide: OperatorGuide,
    users: InMemoryUserDirectory,
    clock: FakeClock,
    *,
    store: InMemoryWorkplaceStore | None = None,
) -> tuple[web.Application, Workplace]:
    app = create_app(Settings(mode="demo", api_key=API_KEY), StatusAggregator())
    workplace = in_memory_workplace(guide, clock=clock, store=store)
    add_operator_routes(app, workplace=workplace, users=users, session_clock=clock)
    return app, workplace


def passport_pop(call_id: str = "c1", number: str = CALLER, **changes: Any) -> ScreenPop:
    values: dict[str, Any] = {
        "call_id": call_id, "number": number, "answered_at": T0, "waited_s": 17.0,
        "topic": "passport", "caller_name": "Иванов Иван", "queue": "general",
        "arrival": Arrival("ivr", ("Паспорт и загранпаспорт", "Загранпаспорт")),
    }  # fmt: skip
    values.update(changes)
    return ScreenPop(**values)


SignIn = Callable[[Client, str], Awaitable[None]]


async def sign_in(client: Client, login: str) -> None:
    client.session.cookie_jar.clear()
    form = {"login": login, "password": login, "next": ""}
    resp = await client.post("/login", data=form, allow_redirects=False)
    assert resp.status == 302, await resp.text()


async def api(
    client: Client, method: str, path: str, body: Any = None, *, status: int = 200
) -> Any:
    resp = await client.request(method, path, json=body)
    data = await resp.json()
    assert resp.status == status, data
    return data
