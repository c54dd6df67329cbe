"""Shared fixtures: the throwaway Redis and PostgreSQL servers started by `make test`.

`scripts/test-services.sh` exports their URLs. Under `make test`
(CALLCENTER_TEST_REQUIRE_SERVICES=1) a missing server is an error, never a skip; a developer
running one file without them gets a skip.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from browser_support import ARGS, CHROMIUM
from playwright.async_api import Browser, async_playwright


def _service_url(env_name: str, what: str) -> str:
    url = os.environ.get(env_name)
    if url:
        return url
    if os.environ.get("CALLCENTER_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{env_name} is not set but make test requires a real {what}")
    pytest.skip(f"no {what}: run through `make test` or export {env_name}")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a real, throwaway Redis server (database 0, flushed by users as they need)."""
    return _service_url("CALLCENTER_TEST_REDIS_URL", "Redis server")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """SQLAlchemy async URL (postgresql+asyncpg) of a real, throwaway PostgreSQL database."""
    return _service_url("CALLCENTER_TEST_DATABASE_URL", "PostgreSQL server")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless Chromium, closed after the test."""
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        await chromium.close()
