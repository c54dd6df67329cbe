"""Migrations: the first revision builds exactly the ORM schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from store_fixtures import Database, create_or_drop_schema

from callcenter.cli import main as cli_main
from callcenter.commands import migrate as migrate_command
from callcenter.store.db import make_engine
from callcenter.store.migrate import current_revision, migrate
from callcenter.store.models import Base

HEAD = "0007"  # the newest revision under callcenter/store/migrations/versions


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "include_name": lambda name, kind, _parent: (
                kind != "table" or name != "alembic_version"
            ),
        },
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migrated_schema_has_no_drift_from_models(migrated_db: Database) -> None:
    engine = make_engine(migrated_db.url, schema=migrated_db.schema)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
            tables = await conn.run_sync(_tables)
    finally:
        await engine.dispose()
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


async def test_drift_check_notices_a_missing_migration(empty_db: Database) -> None:
    """The comparison is not vacuous: on an unmigrated database every table is reported."""
    engine = make_engine(empty_db.url, schema=empty_db.schema)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
    finally:
        await engine.dispose()
    added = {op[1].name for op in diff if op[0] == "add_table"}
    assert added == set(Base.metadata.tables)


async def test_migrate_is_repeatable_and_records_the_head(migrated_db: Database) -> None:
    await migrate(migrated_db.url, schema=migrated_db.schema)
    assert await current_revision(migrated_db.url, schema=migrated_db.schema) == HEAD


_MIGRATE_SCRIPT = (
    "import asyncio, sys; from callcenter.store.migrate import migrate; "
    "asyncio.run(migrate(sys.argv[1], schema=sys.argv[2]))"
)


@pytest.mark.postgres
@pytest.mark.slow
async def test_nodes_migrating_at_the_same_time_all_succeed(postgres_url: str) -> None:
    """Two engine processes start together on one PostgreSQL: none fails, one migrates."""
    schema = f"store_{uuid.uuid4().hex[:12]}"
    await create_or_drop_schema(postgres_url, schema, create=True)
    try:
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                _MIGRATE_SCRIPT,
                postgres_url,
                schema,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(2)
        ]
        results = [await p.communicate() for p in processes]
        assert [p.returncode for p in processes] == [0, 0], [e for _, e in results]
        assert await current_revision(postgres_url, schema=schema) == HEAD
    finally:
        await create_or_drop_schema(postgres_url, schema, create=False)


def test_cli_migrate_creates_the_schema(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert cli_main(["migrate", "--database-url", f"sqlite+aiosqlite:///{db}"]) == 0
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(Base.metadata.tables) <= names


def test_cli_migrate_reads_the_url_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("CALLCENTER_DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    parser = argparse.ArgumentParser()
    migrate_command.add_arguments(parser)
    args = parser.parse_args([])
    assert migrate_command.run(args) == 0
    assert asyncio.run(current_revision(f"sqlite+aiosqlite:///{db}")) == HEAD


def test_cli_migrate_refuses_an_unsupported_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["migrate", "--database-url", "mysql://x/y"]) == 2
    assert "unsupported database URL" in capsys.readouterr().err
