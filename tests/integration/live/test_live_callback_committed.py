"""A caller hears the callback confirmed only once the request is committed: an engine crash
after the confirmation cannot lose it. What Asterisk (the emulator) is told to play is checked,
at that moment, against what another database connection sees."""

import asyncio
from pathlib import Path
from typing import Any

import pytest
from live_center import live_center
from sqlalchemy import event, select
from sqlalchemy.util import await_only

from callcenter.emulator import agi_client
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.dialplan import apps_calls
from callcenter.runtime.agi_routes import CONFIRMED_PROMPT
from callcenter.store.db import make_engine
from callcenter.store.models import CallbackRow

COMMIT_DELAY_S = 0.5  # real seconds: ten of the center's


async def committed_sources(url: str) -> list[str | None]:
    probe = make_engine(url)
    try:
        async with probe.connect() as conn:
            return list((await conn.scalars(select(CallbackRow.source_call_id))).all())
    finally:
        await probe.dispose()


def slow_callback_commits(engine: Any) -> None:
    """Each transaction that stores callback requests waits before its COMMIT, while the event
    loop (the routes, the emulator) runs on: a confirmation sent before the commit is heard then."""

    def executed(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CALLBACKS"):
            conn.info["callbacks"] = True

    def commit(conn: Any) -> None:
        if conn.info.pop("callbacks", False):
            await_only(asyncio.sleep(COMMIT_DELAY_S))

    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", commit)


async def test_the_confirmation_is_played_only_after_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'center.db'}"
    heard: list[tuple[str, list[str | None]]] = []  # (caller's call, requests committed by then)

    class Listening(agi_client.AgiSession):
        async def execute(self, text: str) -> bytes:
            if CONFIRMED_PROMPT in text:
                heard.append((self.ch.uniqueid, await committed_sources(url)))
            return await super().execute(text)

    monkeypatch.setattr(apps_calls, "AgiSession", Listening)  # the dialplan's AGI()
    async with live_center(tmp_path, at="10:00", operators={"PJSIP/101": 60.0}) as center:
        slow_callback_commits(center.store.engine.sync_engine)
        first = center.emulator.place_call(CallerScript(number="+79161110001", talk_s=55))
        await center.wait_for(lambda: center.answered(first), virtual_s=60, label="first answered")
        second = center.emulator.place_call(
            CallerScript(number="+79161110002", digits={"cc-callback-offer": "1"})
        )
        await center.wait_for(lambda: bool(heard), virtual_s=120, label="callback confirmed")
        assert heard == [(second, [second])]
        await center.wait_for(lambda: center.ended(second), virtual_s=60, label="second released")
