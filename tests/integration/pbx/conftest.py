"""Fixtures of the PBX adapter tests: the fake AMI peer on a fresh port for each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pbx_fake_ami import FakeAmi


@pytest.fixture
async def fake_ami() -> AsyncIterator[FakeAmi]:
    server = FakeAmi()
    await server.start()
    yield server
    await server.stop()
