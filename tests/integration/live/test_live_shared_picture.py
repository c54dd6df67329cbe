"""Two engine nodes on one Redis show one live picture on their dashboards' API; when the node
that publishes it dies, the other takes over within a few seconds."""

import asyncio
import dataclasses
import time
from pathlib import Path
from typing import Any

import aiohttp
from live_center import Center, free_port, live_center, start_app

from callcenter.bootstrap import RUNTIME
from callcenter.emulator.callers import CallerScript
from callcenter.runtime.live_runtime import LiveRuntime

PICTURE_TTL_S = 3.0  # SharedPicture's default
# The day menu's "other questions": straight to the queue, without the ~20 s the menu plays to a
# caller who presses nothing.
TO_OPERATOR = {"day_topics": "0"}


async def _get(http: aiohttp.ClientSession, url: str, key: str) -> Any:
    async with http.get(url, headers={"X-API-Key": key}) as resp:
        assert resp.status in (200, 503), await resp.text()
        return await resp.json()


def _picture(snapshot: dict[str, Any]) -> tuple[Any, ...]:
    """What must be the same on every node: the time the picture was taken, waiting calls,
    operator states and the queues' figures (alerts are each node's own)."""
    return snapshot["taken_at"], snapshot["queues"], snapshot["operators"]


async def test_two_nodes_show_one_picture_and_the_survivor_takes_over(
    tmp_path: Path, redis_url: str
) -> None:
    # The operators talk as long as the caller does: `early` is short, the busy call is not.
    operators = {"PJSIP/101": 600.0, "PJSIP/102": 600.0}
    async with live_center(tmp_path, speed=5, operators=operators, redis_url=redis_url) as center:
        # Answered and finished before the second node starts: its engine never saw it, but
        # counts it from the day's records in the shared database, as a restarted node does.
        early = center.emulator.place_call(
            CallerScript(number="+79163330001", digits=dict(TO_OPERATOR), talk_s=5)
        )
        await center.wait_for(lambda: center.ended(early), virtual_s=60)
        await center.runtime.recorder.drain()
        second = dataclasses.replace(center.settings, agi_port=free_port())
        app2, runner2, url2 = await start_app(second, center.clock)
        try:
            node2 = app2[RUNTIME]
            assert await node2.ami.wait_ready(10)
            first, own = (node.snapshot().queues[0].figures for node in (center.runtime, node2))
            assert (own.offered, own.answered) == (first.offered, first.answered) == (1, 1)
            await center.busy_operator("+79163330002")
            waiting = {
                center.emulator.place_call(
                    CallerScript(number=f"+7916333001{n}", digits=dict(TO_OPERATOR))
                )
                for n in range(2)
            }
            async with aiohttp.ClientSession() as http:
                await _same_picture(http, center, url2, waiting)
                await _failover(http, center, url2, node2)
        finally:
            await runner2.cleanup()


async def _same_picture(
    http: aiohttp.ClientSession, center: Center, url2: str, waiting: set[str]
) -> None:
    """The second node shows the picture the first one took (the same `taken_at`), not one of
    its own."""
    key = center.settings.api_key
    deadline = time.monotonic() + 10
    while True:
        one = await _get(http, f"{center.url}/api/supervisor/snapshot", key)
        two = await _get(http, f"{url2}/api/supervisor/snapshot", key)
        shown = {c["call_id"] for c in two["queues"][0]["waiting"]} if two else set()
        first = dataclasses.asdict(center.runtime.snapshot().queues[0].figures)
        if (
            one
            and shown
            and shown <= waiting
            and _picture(one) == _picture(two)
            and two["queues"][0]["figures"] == first  # the first node's own figures
        ):
            break
        assert time.monotonic() < deadline, (one, two)
        await asyncio.sleep(0.05)
    assert [o["id"] for o in two["operators"]] == ["PJSIP/101", "PJSIP/102"]
    assert "talking" in [o["state"] for o in two["operators"]]  # the busy call
    status1 = await _get(http, f"{center.url}/api/status", key)
    status2 = await _get(http, f"{url2}/api/status", key)
    assert "published by this node" in status1["components"]["live_state"]["detail"]
    assert "shown from node" in status2["components"]["live_state"]["detail"]


async def _failover(
    http: aiohttp.ClientSession, center: Center, url2: str, node2: LiveRuntime
) -> None:
    key = center.settings.api_key
    await center.stop_engine()  # the publisher goes away without handing anything over
    stopped = time.monotonic()
    while True:
        status = await _get(http, f"{url2}/api/status", key)
        if "published by this node" in status["components"]["live_state"]["detail"]:
            print(f"the survivor publishes {time.monotonic() - stopped:.1f} s after the stop")
            break
        assert time.monotonic() - stopped < PICTURE_TTL_S + 3, status
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)  # a tick of its own
    snapshot = await _get(http, f"{url2}/api/supervisor/snapshot", key)
    own_figures = node2.snapshot().queues[0].figures
    assert snapshot["queues"][0]["figures"] == dataclasses.asdict(own_figures)  # its own now
