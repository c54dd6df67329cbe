"""Fixtures for the supervisor web tests: an app with fakes behind every port, on a real socket."""

from __future__ import annotations

from datetime import UTC

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient
from web_support import API_KEY, FakeClock, SignIn, World

from callcenter.config import Settings
from callcenter.web.alerts import AlertThresholds, AlertTracker
from callcenter.web.app import create_app
from callcenter.web.auth import InMemoryUserDirectory
from callcenter.web.controls import InMemoryAuditLog, RecordingControls
from callcenter.web.live import LiveHub
from callcenter.web.metrics import Metrics
from callcenter.web.reports import CallRow
from callcenter.web.status import StatusAggregator
from callcenter.web.supervisor import add_supervisor_routes


@pytest.fixture(scope="session")
def demo_users() -> InMemoryUserDirectory:
    return InMemoryUserDirectory.demo(n=2**10)  # cheap hashes: tests sign in often


@pytest.fixture
async def world(aiohttp_client: AiohttpClient, demo_users: InMemoryUserDirectory) -> World:
    clock = FakeClock()
    app = create_app(Settings(mode="demo", api_key=API_KEY), StatusAggregator())
    hub = LiveHub(transform=AlertTracker(AlertThresholds(), clock=clock))
    controls, audit, metrics = RecordingControls(), InMemoryAuditLog(clock=clock), Metrics()
    rows: list[CallRow] = []
    staffed: list[tuple[float, float, float, float, float]] = []

    async def source(start: float, end: float) -> list[CallRow]:
        return [r for r in rows if start <= r.arrived_at < end]

    def agents_needed(rate: float, aht: float, target: float, level: float, patience: float) -> int:
        staffed.append((rate, aht, target, level, patience))
        return int(rate * aht / 3600) + 1

    async def schedule(day: object) -> dict[str, int]:
        return {"08:00": 1, "09:00": 3}

    add_supervisor_routes(
        app, hub=hub, controls=controls, audit=audit, users=demo_users, metrics=metrics,
        report_source=source, clock=clock, session_clock=clock, tz=UTC, agents_needed=agents_needed,
        schedule=schedule,
    )  # fmt: skip
    client = await aiohttp_client(app)
    return World(client, hub, controls, audit, metrics, clock, rows, staffed)


@pytest.fixture
def sign_in() -> SignIn:
    async def go(client: TestClient[web.Request, web.Application], login: str) -> None:
        form = {"login": login, "password": login, "next": ""}
        resp = await client.post("/login", data=form, allow_redirects=False)
        assert resp.status == 302, await resp.text()

    return go
