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


async def _member(emulator: Emulator, ami: RawAmi, interface: str) -> None:
    await ami.send(("Action", "QueueAdd"), ("Queue", "citizens"), ("Interface", interface))
    await ami.until(event_is("QueueMemberAdded", Interface=interface))


async def test_operators_pause_unregister_and_leave_through_the_api(emulator: Emulator) -> None:
    async with TestClient(TestServer(make_app(emulator))) as http:
        ami = await RawAmi.connect(emulator.ami_port)
        await ami.login()
        body = {"interface": "PJSIP/101", "answer_delay_s": 1, "handle_s": [30, 30]}
        assert (await http.post("/operators", json=body)).status == 201
        await _member(emulator, ami, "PJSIP/101")
        pause = {"interface": "PJSIP/101", "paused": True, "reason": "обед"}
        assert (await http.post("/operators/pause", json=pause)).status == 200
        event = (await ami.until(event_is("QueueMemberPause")))[-1]
        assert (get(event, "Paused"), get(event, "PausedReason")) == ("1", "обед")
        pause["paused"] = False
        assert (await http.post("/operators/pause", json=pause)).status == 200
        event = (await ami.until(event_is("QueueMemberPause")))[-1]
        assert get(event, "Paused") == "0"
        gone = {"interface": "PJSIP/101", "registered": False}
        assert (await http.post("/operators/register", json=gone)).status == 200
        status = (await ami.until(event_is("QueueMemberStatus")))[-1]
        assert get(status, "Status") == "5"  # unavailable
        reply = await http.post("/calls", json={"number": "+79990000210", "patience_s": 4})
        uid = (await reply.json())["uniqueid"]
        seen = await ami.until(event_is("Hangup", Uniqueid=uid))
        assert "AgentCalled" not in {get(m, "Event") for m in seen}  # nobody to ring
        back = {"interface": "PJSIP/101", "registered": True}
        assert (await http.post("/operators/register", json=back)).status == 200
        status = (await ami.until(event_is("QueueMemberStatus")))[-1]
        assert get(status, "Status") == "1"
        assert (await http.post("/operators/remove", json=back)).status == 200
        assert "PJSIP/101" not in emulator.bots
        assert (await http.post("/operators/remove", json=back)).status == 404
        assert (await http.post("/operators/pause", json=pause)).status == 404
        await ami.close()


async def test_calls_are_held_and_hung_up_through_the_api(emulator: Emulator) -> None:
    async with TestClient(TestServer(make_app(emulator))) as http:
        ami = await RawAmi.connect(emulator.ami_port)
        await ami.login()
        body = {"interface": "PJSIP/101", "answer_delay_s": 1, "handle_s": [60, 60]}
        await http.post("/operators", json=body)
        await _member(emulator, ami, "PJSIP/101")
        reply = await http.post("/calls", json={"number": "+79990000220", "name": "Олег"})
        uid = (await reply.json())["uniqueid"]
        connect = (await ami.until(event_is("AgentConnect", Uniqueid=uid)))[-1]
        held = await http.post(f"/calls/{uid}/hold", json={"on": True})
        assert (await held.json())["held_by"] == get(connect, "DestUniqueid")
        await ami.until(event_is("Hold", Uniqueid=get(connect, "DestUniqueid")))
        await http.post(f"/calls/{uid}/hold", json={"on": False})
        await ami.until(event_is("MusicOnHoldStop", Uniqueid=uid))
        assert (await http.post(f"/calls/{uid}/hangup")).status == 200
        seen = await ami.until(event_is("Hangup", Uniqueid=uid))
        assert get(seen[0], "Event") == "HangupRequest"
        complete = next(m for m in seen if get(m, "Event") == "AgentComplete")
        assert get(complete, "Reason") == "caller"
        assert (await http.post(f"/calls/{uid}/hangup")).status == 404
        assert (await http.post(f"/calls/{uid}/hold", json={"on": True})).status == 409
        await ami.close()


async def test_citizens_answer_originated_calls_and_the_truth_shows_them(
    emulator: Emulator,
) -> None:
    emulator.add_operator("PJSIP/102", answer_delay_s=1, handle_s=(5, 5))
    async with TestClient(TestServer(make_app(emulator))) as http:
        for citizen in (
            {"number": "+79990000300", "answers_callback": False},
            {"number": "+79990000301", "talk_s": 3},
        ):
            assert (await http.post("/citizens", json=citizen)).status == 201
        assert (await http.post("/citizens", json={"number": "1", "patience": 3})).status == 400
        ami = await RawAmi.connect(emulator.ami_port)
        await ami.login()
        for n, (channel, context, exten) in enumerate(
            (
                ("PJSIP/+79990000300@citizen-trunk", "cc-notify", "s"),
                ("PJSIP/+79990000301@citizen-trunk", "cc-notify", "s"),
                ("PJSIP/102", "cc-callback-out", "+79990000301"),
            )
        ):
            await ami.send(
                ("Action", "Originate"),
                ("Channel", channel),
                ("Context", context),
                ("Exten", exten),
                ("Priority", "1"),
                ("Timeout", "10000"),
                ("Async", "true"),
                ("ActionID", f"o{n}"),
            )
        for _ in range(3):
            await ami.until(event_is("OriginateResponse"))
        await asyncio.sleep(0.5)  # 20 virtual seconds: every leg has ended
        calls = await (await http.get("/calls")).json()
        await ami.close()
    outbound = sorted(
        (c["caller"], c["answered_by"], c["outcome"]) for c in calls if c["direction"] == "outbound"
    )
    assert outbound == [
        ("+79990000300", None, "noanswer"),
        ("+79990000301", "+79990000301", "answered"),
        ("+79990000301", "PJSIP/102", "answered"),
    ]
    assert all(c["ended_at"] is not None for c in calls)


async def test_post_load_starts_poisson_citizens(emulator: Emulator) -> None:
    emulator.add_operator("PJSIP/101", answer_delay_s=1, handle_s=(5, 5))
    emulator.add_member("citizens", "PJSIP/101")
    async with TestClient(TestServer(make_app(emulator))) as http:
        assert (await http.post("/load", json={"rate_per_hour": 600})).status == 400
        body = {"rate_per_hour": 600, "duration_s": 120, "patience_mean_s": 60}
        reply = await http.post("/load", json=body)
        assert reply.status == 202
        assert emulator.load is not None
        await asyncio.wait_for(emulator.load.wait(), 10)
        calls = await (await http.get("/calls")).json()
    assert len(calls) == emulator.load.placed >= 5
    assert all(c["direction"] == "inbound" and c["joined_at"] for c in calls)
