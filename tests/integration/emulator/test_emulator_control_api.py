"""The emulator's HTTP control API and its load generator."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer
from emulator_helpers import RawAmi, event_is

from callcenter.emulator.control import make_app
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import get


async def test_control_api_places_calls_adds_bots_and_logs_actions(emulator: Emulator) -> None:
    async with TestClient(TestServer(make_app(emulator))) as http:
        ami = await RawAmi.connect(emulator.ami_port)
        await ami.login()
        await ami.send(
            ("Action", "QueueAdd"),
            ("Queue", "citizens"),
            ("Interface", "PJSIP/105"),
            ("ActionID", "a"),
        )
        await ami.until(event_is("QueueMemberAdded"))
        reply = await http.post(
            "/operators", json={"interface": "PJSIP/105", "handle_s": [4, 4], "answer_delay_s": 1}
        )
        assert reply.status == 201
        reply = await http.post("/calls", json={"number": "+79990000200", "name": "Анна"})
        uid = (await reply.json())["uniqueid"]
        await ami.until(event_is("Hangup", Uniqueid=uid))
        calls = await (await http.get("/calls")).json()
        assert [(c["uniqueid"], c["answered_by"], c["outcome"]) for c in calls] == [
            (uid, "PJSIP/105", "answered")
        ]
        actions = await (await http.get("/actions")).json()
        assert [a["Action"] for a in actions] == ["Login", "QueueAdd"]
        assert actions[0]["Secret"] == "***"
        assert (await http.post("/calls", json={"name": "x"})).status == 400
        await ami.close()


async def test_load_generator_drives_calls_through_the_queue(emulator: Emulator) -> None:
    emulator.add_operator("PJSIP/101", answer_delay_s=1, handle_s=(20, 40))
    ami = await RawAmi.connect(emulator.ami_port)
    await ami.login()
    await ami.send(("Action", "QueueAdd"), ("Queue", "citizens"), ("Interface", "PJSIP/101"))
    await ami.until(event_is("QueueMemberAdded"))
    emulator.start_load(rate_per_hour=360, duration_s=120, patience_mean_s=30)
    assert emulator.load is not None
    await asyncio.wait_for(emulator.load.wait(), 10)
    calls = emulator.ground_truth()
    assert emulator.load.placed == len(calls) >= 3
    assert all(c.joined_at is not None for c in calls)
    assert any(c.answered_by == "PJSIP/101" for c in calls)
    await ami.send(("Action", "Ping"), ("ActionID", "p"))
    assert get((await ami.until(lambda m: get(m, "ActionID") == "p"))[-1], "Ping") == "Pong"
    await ami.close()
