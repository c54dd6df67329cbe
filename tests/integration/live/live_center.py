"""One contact center in a test: the Asterisk emulator and the whole application, over TCP.

The emulator and the engine share one scaled clock, so a minute of the center passes in a couple
of real seconds. Operators are emulator bots that sign in (QueueAdd) as the workplace would.
"""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from callcenter.bootstrap import RUNTIME, STORE, BuildOptions, build
from callcenter.clock import ScaledClock
from callcenter.config import Settings
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator, EmulatorConfig
from callcenter.emulator.truth import CallTruth
from callcenter.runtime.live_runtime import LiveRuntime
from callcenter.store.records import CallbackAttempt, CallRecord
from callcenter.store.repositories import Store

TZ = "Europe/Moscow"
# Both ways of dialling a callback (the `callback_mode` setting); citizen-first is the default.
CALLBACK_MODES = ("citizen_first", "operator_first")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def local_epoch(day: str, hhmm: str) -> float:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=ZoneInfo(TZ)).timestamp()


@dataclass
class Center:
    emulator: Emulator
    app: web.Application
    runtime: LiveRuntime
    store: Store
    clock: ScaledClock
    settings: Settings
    url: str
    runner: web.AppRunner | None = None

    async def stop_engine(self) -> None:
        """The engine process goes away; Asterisk (the emulator) keeps running."""
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def start_engine(self) -> None:
        self.app, self.runner, self.url = await start_app(self.settings, self.clock)
        self.runtime, self.store = self.app[RUNTIME], self.app[STORE]
        assert await self.runtime.ami.wait_ready(10), "the engine did not log in to the emulator"

    def ended(self, uid: str) -> bool:
        truth = self.emulator.truth.get(uid)
        return truth is not None and truth.ended_at is not None

    def leg(self, callback_id: str, attempt: int = 1) -> CallTruth | None:
        """The ground truth of a callback attempt's leg (Originate's ChannelId)."""
        return self.emulator.truth.get(f"{callback_id}-try{attempt}")

    def answered(self, uid: str) -> bool:
        truth = self.emulator.truth.get(uid)
        return truth is not None and truth.answered_at is not None

    async def busy_operator(self, number: str = "+79160000001") -> str:
        """A call that an operator answers and keeps for ten minutes: the center is busy."""
        uid = self.emulator.place_call(CallerScript(number=number, talk_s=600))
        await self.wait_for(lambda: self.answered(uid), virtual_s=60, label="busy call answered")
        return uid

    async def call_record(self, uid: str) -> CallRecord:
        """The call's record once every pending write has reached the database."""
        await self.runtime.recorder.drain()
        record = await self.store.calls.get_call(uid)
        assert record is not None, f"no record of {uid}"
        return record

    async def callback_attempts(
        self, callback_id: str, *, virtual_s: float = 800.0
    ) -> list[CallbackAttempt]:
        """The attempts of a callback request once it is done (or once `virtual_s` have passed)."""
        for _ in range(int(virtual_s / 2)):
            await self.runtime.recorder.drain()
            row = await self.store.callbacks.get(callback_id)
            if row is not None and row.status == "done":
                break
            await self.clock.sleep(2)
        return await self.store.callbacks.attempts(callback_id)

    async def called_back_once(self, callback_id: str, *, not_before: float) -> None:
        """The request was dialled once, not before `not_before`, the way the center's
        settings say, and the citizen answered."""
        attempts = await self.callback_attempts(callback_id, virtual_s=600)
        assert [a.result for a in attempts] == ["answered"]
        assert attempts[0].started_at >= not_before
        originates = [a for a in self.emulator.actions if a.get("Action") == "Originate"]
        assert len(originates) == 1
        assert float(originates[0]["_at"]) >= not_before
        assert self.dials(callback_id) == [originates[0]]

    def dials(self, callback_id: str) -> list[dict[str, str]]:
        """The Originates of a callback's attempts (their ChannelId names the attempt), each
        checked to be made the way the center's settings say."""
        found = [
            a
            for a in self.emulator.actions
            if a.get("Action") == "Originate" and a.get("ChannelId", "").startswith(callback_id)
        ]
        for n, action in enumerate(found, start=1):
            assert action["ChannelId"] == f"{callback_id}-try{n}", found
            if self.settings.callback_mode == "citizen_first":  # the citizen's phone rings
                assert action["Channel"].endswith("@citizen-trunk"), action
                assert action["Context"] == "cc-callback-in", action
            else:  # an operator's phone, which then dials the citizen
                assert action["Channel"].startswith("PJSIP/1"), action
                assert action["Context"] == "cc-callback-out", action
        return found

    async def operator_view(self, login: str, call_id: str) -> dict[str, Any]:
        """What the operator's workplace shows for the call, read as the operator over HTTP."""
        # unsafe=True: the jar must keep cookies of a bare IP address (127.0.0.1).
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(self.url, cookie_jar=jar) as http:
            form = {"login": login, "password": login, "next": ""}
            async with http.post("/login", data=form, allow_redirects=False) as resp:
                assert resp.status == 302, await resp.text()
            async with http.get(f"/api/operator/calls/{call_id}") as resp:
                assert resp.status == 200, await resp.text()
                body: dict[str, Any] = await resp.json()
                return body

    async def wait_for(
        self, what: Callable[[], bool], *, virtual_s: float, label: str = ""
    ) -> None:
        """Wait until `what()` holds, for at most `virtual_s` seconds of the center's clock."""
        deadline = time.monotonic() + virtual_s / self.clock.speed + 2.0
        while not what():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {label or what}")
            await asyncio.sleep(0.02)


@asynccontextmanager
async def live_center(
    tmp_path: Path,
    *,
    day: str = "2026-11-24",
    at: str = "12:00",
    speed: float = 20.0,
    operators: dict[str, float] | None = None,
    database_url: str | None = None,
    redis_url: str = "",
    engine: bool = True,
    center_id: str = "",
    web_port: int = 0,
    federation_config: str = "",
    clock: ScaledClock | None = None,
    menus_dir: str = "",
    vosk_model: str = "",
    queues: tuple[str, ...] = ("citizens",),
    pbx_queues: tuple[str, ...] | None = None,
    wrapup_s: float = 60.0,
    callback_mode: str = "citizen_first",
) -> AsyncIterator[Center]:
    """`operators`: interface -> handle time in seconds (the bot answers after 1 s), signed in
    to the first queue. `queues`: the engine's; `pbx_queues`: Asterisk's (default the same).
    `callback_mode`: how callbacks are dialled (the setting of that name)."""
    settings = Settings(
        mode="development",
        timezone=TZ,
        wrapup_s=wrapup_s,
        database_url=database_url or f"sqlite+aiosqlite:///{tmp_path / 'center.db'}",
        ami_port=free_port(),
        agi_port=free_port(),
        redis_url=redis_url,
        center_id=center_id or f"test-{uuid.uuid4().hex[:8]}",
        sounds_dir=str(tmp_path / "sounds"),
        recordings_dir=str(tmp_path / "recordings"),
        menus_dir=menus_dir,
        vosk_model=vosk_model,
        web_port=web_port,
        federation_config=federation_config,
        queues=",".join(queues),
        callback_mode=callback_mode,
    )
    clock = clock or ScaledClock(start=local_epoch(day, at), speed=speed)
    emulator = Emulator(
        EmulatorConfig(
            ami_port=settings.ami_port,
            agi_port=settings.agi_port if engine else free_port(),
            users={settings.ami_user: settings.ami_secret},
            clock=clock,
            seed=11,
            recordings_dir=tmp_path / "recordings",
            queues=pbx_queues or queues,
        )
    )
    for interface, handle in (operators or {}).items():
        emulator.add_operator(interface, answer_delay_s=1.0, handle_s=(handle, handle))
    await emulator.start()
    app, runner, url = await start_app(settings, clock)
    center = Center(emulator, app, app[RUNTIME], app[STORE], clock, settings, url, runner)
    try:
        assert await center.runtime.ami.wait_ready(10), "the engine did not log in to the emulator"
        for interface in operators or {}:
            result = await center.runtime.ami.queue_add(queue=queues[0], interface=interface)
            assert result.ok, result.message
        yield center
    finally:
        await center.stop_engine()
        await emulator.stop()


async def start_app(
    settings: Settings, clock: ScaledClock
) -> tuple[web.Application, web.AppRunner, str]:
    app = build(settings, BuildOptions(clock=clock))
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", settings.web_port)
    await site.start()
    host, port = runner.addresses[0][:2]
    return app, runner, f"http://{host}:{port}"
