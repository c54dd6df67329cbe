"""Databases for the store tests: every test runs on SQLite (a temporary file) and on the real
PostgreSQL, each PostgreSQL test in its own schema that is dropped afterwards (the server is
shared with other tests)."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from store_fixtures import Database, FakeClock, create_or_drop_schema, delete_prefix

from callcenter.store.migrate import migrate
from callcenter.store.repositories import Store, open_store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("store") / "callcenter.db"
        yield Database(url=f"sqlite+aiosqlite:///{path}", schema=None)
        return
    url: str = request.getfixturevalue("postgres_url")
    schema = f"store_{uuid.uuid4().hex[:12]}"
    await create_or_drop_schema(url, schema, create=True)
    try:
        yield Database(url=url, schema=schema)
    finally:
        await create_or_drop_schema(url, schema, create=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; tests get copies (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("store-template") / "template.db"
    asyncio.run(migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
async def migrated_db(empty_db: Database, sqlite_template: Path) -> Database:
    if empty_db.schema is None:
        shutil.copyfile(sqlite_template, empty_db.url.removeprefix("sqlite+aiosqlite:///"))
    else:
        await migrate(empty_db.url, schema=empty_db.schema)
    return empty_db


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(migrated_db: Database, clock: FakeClock) -> AsyncIterator[Store]:
    opened = open_store(migrated_db.url, schema=migrated_db.schema, clock=clock.now)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A unique key prefix; every key under it is deleted afterwards."""
    prefix = f"test:store:{uuid.uuid4().hex[:12]}"
    yield prefix
    await delete_prefix(redis_url, prefix)
