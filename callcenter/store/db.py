"""Engines and sessions for the two supported servers (SQLite embedded, PostgreSQL production).

`make_engine(url, schema=...)` builds an `AsyncEngine`; `schema` (PostgreSQL only) sets the
connection's `search_path`, which is how tests give each module a private schema on the shared
test server. SQLite connections get foreign keys switched on (off by default in SQLite) and a busy
timeout so two writers wait for each other instead of failing, and write-ahead logging (WAL):
readers (reports) no longer block the engine's writes, and a commit costs half as much. The
default `synchronous=FULL` is kept, so a committed write survives a power cut too.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SUPPORTED = ("sqlite+aiosqlite://", "postgresql+asyncpg://")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def make_engine(url: str, *, schema: str | None = None, echo: bool = False) -> AsyncEngine:
    if not url.startswith(SUPPORTED):
        raise ValueError(f"unsupported database URL (want {' or '.join(SUPPORTED)}): {url!r}")
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        if schema is not None:
            raise ValueError("schema is a PostgreSQL option")
        kwargs["connect_args"] = {"timeout": 30}
    elif schema is not None:
        if not _SCHEMA_NAME.match(schema):
            raise ValueError(f"invalid schema name: {schema!r}")
        kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: repositories return plain records built after commit.
    return async_sessionmaker(engine, expire_on_commit=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
