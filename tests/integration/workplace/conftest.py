"""Fixtures for the operator workplace API tests: the app with in-memory ports, a fake clock."""

from __future__ import annotations

import pytest
from pytest_aiohttp import AiohttpClient
from workplace_support import FakeClock, WorkplaceWorld, build_app

from callcenter.scripting import OperatorGuide
from callcenter.web.auth import InMemoryUserDirectory
from callcenter.web.workplace_memory import (
    InMemoryBooking,
    InMemoryWorkplaceStore,
    RecordingCallActions,
    RecordingOperatorControls,
)


@pytest.fixture(scope="session")
def guide() -> OperatorGuide:
    return OperatorGuide.load()


@pytest.fixture(scope="session")
def users() -> InMemoryUserDirectory:
    return InMemoryUserDirectory.demo(n=2**10)  # cheap hashes: tests sign in often


@pytest.fixture
async def world(
    aiohttp_client: AiohttpClient, guide: OperatorGuide, users: InMemoryUserDirectory
) -> WorkplaceWorld:
    clock = FakeClock()
    app, wp = build_app(guide, users, clock)
    assert isinstance(wp.store, InMemoryWorkplaceStore)
    assert isinstance(wp.controls, RecordingOperatorControls)
    assert isinstance(wp.calls, RecordingCallActions)
    assert isinstance(wp.booking, InMemoryBooking)
    client = await aiohttp_client(app)
    return WorkplaceWorld(client, wp.hub, wp.store, wp.controls, wp.calls, wp.booking, clock)
