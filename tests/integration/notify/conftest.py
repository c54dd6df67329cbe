"""Fixtures for auto-informing: a real SMTP server (aiosmtpd) on a free loopback port, an
emulated Asterisk over TCP, and a migrated SQLite store."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from notify_fixtures import Inbox
from sqlalchemy import text

from callcenter.clock import ScaledClock
from callcenter.emulator.emulator import Emulator, EmulatorConfig
from callcenter.store.db import make_engine
from callcenter.store.migrate import migrate
from callcenter.store.repositories import Store, open_store

SPEED = 40.0
START = 1_700_000_000.0  # 01:13 in Moscow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def clock() -> ScaledClock:
    return ScaledClock(start=START, speed=SPEED)


@pytest.fixture
async def emulator(clock: ScaledClock) -> AsyncIterator[Emulator]:
    emu = Emulator(EmulatorConfig(clock=clock))
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: ScaledClock
) -> AsyncIterator[Store]:
    """A migrated store on SQLite, and on the real PostgreSQL in a schema of its own."""
    if request.param == "sqlite":
        url, schema = f"sqlite+aiosqlite:///{tmp_path / 'notify.db'}", None
    else:
        url, schema = request.getfixturevalue("postgres_url"), f"notify_{uuid.uuid4().hex[:12]}"
        await _schema(url, f'CREATE SCHEMA "{schema}"')
    try:
        await migrate(url, schema=schema)
        opened = open_store(url, schema=schema, clock=clock.now)
        yield opened
        await opened.close()
    finally:
        if schema is not None:
            await _schema(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


async def _schema(url: str, statement: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()
