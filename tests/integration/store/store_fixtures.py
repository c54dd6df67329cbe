"""Helpers shared by the store integration tests (imported by conftest and tests)."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy import text

from callcenter.store.db import make_engine


@dataclass(frozen=True)
class Database:
    url: str
    schema: str | None

    @property
    def dialect(self) -> str:
        return "postgresql" if self.url.startswith("postgresql") else "sqlite"


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.t = now

    def now(self) -> float:
        return self.t


async def delete_prefix(redis_url: str, prefix: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def create_or_drop_schema(url: str, schema: str, create: bool) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            if create:
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            else:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()
