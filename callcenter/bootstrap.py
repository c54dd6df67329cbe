"""The one place that builds the application from settings.

Nothing is built at import time: `build(settings)` returns an aiohttp application whose
`cleanup_ctx` opens and closes every resource (database engine, Redis client, background tasks)
so that start-up and shutdown happen in one visible order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import redis.asyncio as aioredis
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from callcenter.config import Settings
from callcenter.web.app import create_app
from callcenter.web.status import ComponentStatus, StatusAggregator

DB_ENGINE = web.AppKey("db_engine", AsyncEngine)
REDIS = web.AppKey("redis", aioredis.Redis)
CleanupCtx = Callable[[web.Application], AsyncIterator[None]]


def build(settings: Settings) -> web.Application:
    status = StatusAggregator()
    app = create_app(settings, status)
    app.cleanup_ctx.append(_database(settings, status))
    if settings.redis_url:
        app.cleanup_ctx.append(_redis(settings, status))
    else:
        status.add("live_state", _in_process)
    return app


def _database(settings: Settings, status: StatusAggregator) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        engine = create_async_engine(settings.database_url, pool_pre_ping=True)
        app[DB_ENGINE] = engine

        async def check() -> ComponentStatus:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return ComponentStatus(True, engine.dialect.name)

        status.add("database", check)
        yield
        await engine.dispose()

    return ctx


def _redis(settings: Settings, status: StatusAggregator) -> CleanupCtx:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        client = aioredis.from_url(settings.redis_url, socket_connect_timeout=2)
        app[REDIS] = client

        async def check() -> ComponentStatus:
            await client.ping()
            return ComponentStatus(True, "redis")

        status.add("live_state", check)
        yield
        await client.aclose()

    return ctx


async def _in_process() -> ComponentStatus:
    return ComponentStatus(True, "in-process (single node)")
