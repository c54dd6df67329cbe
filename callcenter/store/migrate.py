"""Apply the Alembic migrations programmatically (no alembic.ini on disk).

`await migrate(url)` upgrades the database to the newest revision. The Alembic configuration is
built in memory and points at the `migrations` directory shipped inside this package; the async
engine's connection is handed to `migrations/env.py` through `Config.attributes`, so the upgrade
runs inside the caller's event loop. Alembic keeps global state while it runs, so one process
calls `migrate` once at a time; several processes (engine nodes) may call it together on
PostgreSQL, where an advisory lock lets one migrate while the others wait. The upgrade runs in one
transaction (PostgreSQL DDL is transactional: a crash mid-upgrade leaves the old schema intact).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from callcenter.store.db import make_engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x63630001  # arbitrary, constant: PostgreSQL advisory lock id for migrations


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation treats % specially (URL-encoded passwords).
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def migrate(url: str, *, schema: str | None = None, revision: str = "head") -> None:
    """Upgrade the database at `url` (optionally a PostgreSQL `schema`) to `revision`."""
    engine = make_engine(url, schema=schema)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade, revision)
    finally:
        await engine.dispose()


async def current_revision(url: str, *, schema: str | None = None) -> str | None:
    engine = make_engine(url, schema=schema)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_current)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        # Several engine nodes may start together: one migrates, the others wait, then find the
        # schema at head. The lock is released when this transaction ends.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()
