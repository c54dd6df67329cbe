"""Two engine nodes on one Redis follow the same Asterisk: each callback is dialled once."""

import dataclasses
from pathlib import Path

from live_center import free_port, live_center, start_app

from callcenter.bootstrap import RUNTIME
from callcenter.emulator.callers import CallerScript


async def test_two_engine_nodes_dial_each_callback_once(tmp_path: Path, redis_url: str) -> None:
    async with live_center(
        tmp_path, at="10:00", operators={"PJSIP/101": 30.0}, redis_url=redis_url
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
        dialled = sorted(a.get("Variable", "") for a in originates)
        assert len(originates) == 2, dialled
        for uid in booked:
            attempts = await center.store.callbacks.attempts(f"cb-{uid}")
            assert [a.result for a in attempts] == ["answered"]
