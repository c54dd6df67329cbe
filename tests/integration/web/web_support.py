"""Shared pieces of the supervisor web tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.web.controls import InMemoryAuditLog, RecordingControls
from callcenter.web.live import LiveHub
from callcenter.web.metrics import Metrics
from callcenter.web.reports import CallRow

API_KEY = "test-api-key"
T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC


@dataclass
class FakeClock:
    now: float = T0

    def __call__(self) -> float:
        return self.now


@dataclass
class World:
    client: TestClient[web.Request, web.Application]
    hub: LiveHub
    controls: RecordingControls
    audit: InMemoryAuditLog
    metrics: Metrics
    clock: FakeClock
    rows: list[CallRow] = field(default_factory=list)
    staffed: list[tuple[float, float, float, float, float]] = field(default_factory=list)


SignIn = Callable[[TestClient[web.Request, web.Application], str], Awaitable[None]]
