"""Two engine nodes on one Redis follow the same Asterisk: each callback is dialled once, also
when the node that won the dial dies before dialling; either way of dialling (citizen-first, the
default, or operator-first)."""

import asyncio
import dataclasses
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from live_center import CALLBACK_MODES, free_port, live_center, start_app

from callcenter.bootstrap import RUNTIME
from callcenter.emulator.callers import CallerScript
from callcenter.runtime.live_runtime import LiveRuntime


@pytest.mark.parametrize("mode", CALLBACK_MODES)
async def test_two_engine_nodes_dial_each_callback_once(
    tmp_path: Path, redis_url: str, mode: str
) -> None:
    async with live_center(
        tmp_path,
        at="10:00",
        operators={"PJSIP/101": 30.0},
        redis_url=redis_url,
        callback_mode=mode,
    ) as center:
        busy = center.emulator.place_call(CallerScript(number="+79161110001", talk_s=25))
        await center.wait_for(
            lambda: center.emulator.truth.get(busy).answered_at is not None,  # type: ignore[union-attr]
            virtual_s=60,
        )
        # They press 0 ("to an operator") in the day menu: booked while the busy call goes on,
        # so that both nodes run before any callback is due.
        keys = {"day_topics": "0", "cc-callback-offer": "1"}
        booked = [
            center.emulator.place_call(
                CallerScript(number=f"+7916111000{n}", digits=dict(keys), talk_s=5)
            )
            for n in (2, 3)
        ]
        for uid in booked:
            await center.wait_for(
                lambda uid=uid: center.emulator.truth.get(uid).ended_at is not None,  # type: ignore[misc,union-attr]
                virtual_s=60,
            )
        await center.runtime.recorder.drain()

        # A second node starts: it learns the stored callbacks and follows the same AMI.
        second = dataclasses.replace(center.settings, agi_port=free_port())
        app2, runner2, _ = await start_app(second, center.clock)
        try:
            node2 = app2[RUNTIME]
            assert await node2.ami.wait_ready(10)
            assert {f"cb-{u}" for u in booked} <= set(node2.engine.callbacks.desk.requests)
            for _ in range(400):
                rows = [await center.store.callbacks.get(f"cb-{u}") for u in booked]
                if all(r is not None and r.status == "done" for r in rows):
                    break
                await center.clock.sleep(2)
                await center.runtime.recorder.drain()
        finally:
            await runner2.cleanup()
        originates = [a for a in center.emulator.actions if a.get("Action") == "Originate"]
        dialled = sorted(a.get("ChannelId", "") for a in originates)
        assert len(originates) == 2, dialled
        for uid in booked:
            assert len(center.dials(f"cb-{uid}")) == 1
            attempts = await center.store.callbacks.attempts(f"cb-{uid}")
            assert [a.result for a in attempts] == ["answered"]
            assert attempts[0].operator_id == "PJSIP/101"


class StuckFirstDial:
    """The node that wins a callback's dial hangs in it, as a node that dies between its claim and
    its dial; the other nodes' dials go through to Asterisk."""

    def __init__(self) -> None:
        self.stuck: LiveRuntime | None = None
        self.claimed = asyncio.Event()

    def install(self, runtime: LiveRuntime, monkeypatch: pytest.MonkeyPatch) -> None:
        real = runtime.ami.originate

        async def originate(**kwargs: Any) -> Any:
            if self.stuck is None:
                self.stuck = runtime
                self.claimed.set()
                await asyncio.Event().wait()
            return await real(**kwargs)

        monkeypatch.setattr(runtime.ami, "originate", originate)


@pytest.mark.parametrize("mode", CALLBACK_MODES)
async def test_a_node_dying_after_its_claim_leaves_the_callback_to_the_other(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    async with live_center(
        tmp_path,
        at="10:00",
        operators={"PJSIP/101": 30.0},
        redis_url=redis_url,
        callback_mode=mode,
    ) as center:
        busy = center.emulator.place_call(CallerScript(number="+79161110001", talk_s=20))
        await center.wait_for(lambda: center.answered(busy), virtual_s=60)
        second = dataclasses.replace(center.settings, agi_port=free_port())
        app2, runner2, _ = await start_app(second, center.clock)
        nodes = {center.runtime: center.runner, app2[RUNTIME]: runner2}
        try:
            assert await app2[RUNTIME].ami.wait_ready(10)
            stuck = StuckFirstDial()
            for runtime in nodes:
                stuck.install(runtime, monkeypatch)
            booked = center.emulator.place_call(
                CallerScript(number="+79161110002", digits={"cc-callback-offer": "1"}, talk_s=5)
            )
            await center.wait_for(lambda: center.ended(booked), virtual_s=60)
            # The operator frees up: both engines dispatch the callback, one node wins the dial.
            await asyncio.wait_for(stuck.claimed.wait(), 60)
            assert stuck.stuck is not None
            survivor = next(rt for rt in nodes if rt is not stuck.stuck)
            died_at = center.clock.now()
            # It dies: its tasks are cancelled (no release of the lease), its sockets close.
            await nodes.pop(stuck.stuck).cleanup()

            store = survivor.store
            row = await store.callbacks.get(f"cb-{booked}")
            assert row is not None
            for _ in range(300):
                await survivor.recorder.drain()
                row = await store.callbacks.get(f"cb-{booked}")
                if row is not None and row.status == "done":
                    break
                await asyncio.sleep(0.1)
            assert row is not None
            assert row.status == "done", row
            attempts = await store.callbacks.attempts(f"cb-{booked}")
            assert [a.result for a in attempts] == ["answered"]
            assert attempts[0].started_at <= row.deadline  # connected before the deadline
            taken_over_s = attempts[0].started_at - died_at
            print(f"answered {taken_over_s:.0f} s (center's clock) after the winner died")
            assert taken_over_s < 400  # the 10 s dial lease ran out (x20 clock), not a 10 min claim
        finally:
            for runner in nodes.values():
                await runner.cleanup()
            center.runner = None  # stopped above, one way or the other
        originates = [a for a in center.emulator.actions if a.get("Action") == "Originate"]
        assert len(originates) == 1, originates
        assert center.dials(f"cb-{booked}") == originates


async def test_a_supervisors_controls_on_one_node_hold_on_every_node(
    tmp_path: Path, redis_url: str
) -> None:
    async with live_center(
        tmp_path, at="10:00", operators={"PJSIP/101": 30.0}, redis_url=redis_url
    ) as center:
        second = dataclasses.replace(center.settings, agi_port=free_port())
        app2, runner2, _ = await start_app(second, center.clock)
        try:
            node2: LiveRuntime = app2[RUNTIME]
            assert await node2.ami.wait_ready(10)
            text = "Внимание: авария на теплосети."
            post = partial(supervisor_post, center.url, center.settings.api_key)
            await post("/api/supervisor/emergency", {"on": True, "announcement": text})
            await post("/api/supervisor/queues/citizens/limit", {"limit_s": 30})
            for _ in range(100):
                limit = node2.engine.state.queue("citizens").config.limit_s
                if node2.engine.state.emergency and limit == 30:
                    break
                await asyncio.sleep(0.05)
            assert node2.engine.state.emergency
            assert node2.announcement == text
            assert node2.engine.state.queue("citizens").config.limit_s == 30
        finally:
            await runner2.cleanup()


async def supervisor_post(url: str, key: str, path: str, body: dict[str, Any]) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}{path}", json=body, headers={"X-API-Key": key}) as resp,
    ):
        assert resp.status == 200, await resp.text()
