"""The emulator against our engine's own clients: the AMI client and the FastAGI server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from emulator_helpers import RawAmi, event_is

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import get
from callcenter.pbx import facts as f
from callcenter.pbx.agi import AgiChannel
from callcenter.pbx.agi_server import AgiRoutes, AgiServer
from callcenter.pbx.ami import AmiClient
from callcenter.pbx.snapshots import PbxResynced


async def _wait_for(pred: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not pred():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_engine_ami_client_resyncs_and_gets_live_facts(emulator: Emulator) -> None:
    emulator.add_operator("PJSIP/101", "Оператор", answer_delay_s=1, handle_s=(5, 5))
    received: list[f.Fact] = []
    client = AmiClient(
        host="127.0.0.1",
        port=emulator.ami_port,
        username="engine",
        secret="change-me-engine",
        sink=received.append,
    )
    await client.start()
    try:
        assert await client.wait_ready(5)
        result = await client.queue_add(queue="citizens", interface="PJSIP/101", member_name="Оп")
        assert result.ok, result.message
        uid = emulator.place_call(CallerScript(number="+79990000020", name="Пётр"))
        await _wait_for(lambda: any(isinstance(x, f.AgentCompleted) for x in received))
        resync = next(x for x in received if isinstance(x, PbxResynced))
        assert [q.queue for q in resync.queues] == ["citizens"]
        joined = next(x for x in received if isinstance(x, f.CallerJoinedQueue))
        assert (joined.uniqueid, joined.callerid_name) == (uid, "Пётр")
        connect = next(x for x in received if isinstance(x, f.AgentConnected))
        assert connect.interface == "PJSIP/101"
        assert connect.hold_time in (1, 2)
        status = await client.queue_status()
        assert [m.interface for m in status.members] == ["PJSIP/101"]
        paused = await client.queue_pause(interface="PJSIP/101", paused=True, reason="обед")
        assert paused.ok
        await _wait_for(lambda: any(isinstance(x, f.QueueMemberPaused) for x in received))
    finally:
        await client.stop()


async def _agi_server(route: Callable[[AgiChannel], object]) -> AgiServer:
    routes = AgiRoutes()
    for name in ("entry", "after-queue"):
        routes.add(name, route)  # type: ignore[arg-type]
    server = AgiServer(routes=routes, port=0)
    await server.start()
    return server


async def test_fastagi_entry_route_puts_the_caller_in_the_queue(
    make_emulator: Callable[..., Emulator],
) -> None:
    seen_requests: list[tuple[str, str, str]] = []

    async def route(ch: AgiChannel) -> None:
        seen_requests.append((ch.request.route, ch.request.channel, ch.request.callerid))
        if ch.request.route == "entry":
            for name, value in (
                ("CC_QUEUE", "citizens"),
                ("CC_PRIO", "0"),
                ("CC_TIMEOUT", "60"),
                ("CC_ACTION", "queue"),
            ):
                await ch.set_variable(name, value)
        else:
            await ch.set_variable("CC_ACTION", "hangup")

    server = await _agi_server(route)
    emu = make_emulator(agi_port=server.port)
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    try:
        uid = emu.place_call(CallerScript(number="+79990000030"))
        seen = await client.until(event_is("QueueCallerJoin", Uniqueid=uid))
        sets = [(get(m, "Variable"), get(m, "Value")) for m in seen if get(m, "Event") == "VarSet"]
        assert ("CC_ACTION", "queue") in sets
        assert ("AGISTATUS", "SUCCESS") in sets
        assert seen_requests[0][0] == "entry"
        assert seen_requests[0][2] == "+79990000030"
        assert get(seen[-1], "Queue") == "citizens"
    finally:
        await client.close()
        await emu.stop()
        await server.stop()


async def test_no_agi_server_fails_open_into_the_queue(
    make_emulator: Callable[..., Emulator],
) -> None:
    listener = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    listener.close()
    await listener.wait_closed()  # nothing listens on `port` any more
    emu = make_emulator(agi_port=port)
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    try:
        uid = emu.place_call(CallerScript(number="+79990000040"))
        seen = await client.until(event_is("QueueCallerJoin", Uniqueid=uid))
        sets = [(get(m, "Variable"), get(m, "Value")) for m in seen if get(m, "Event") == "VarSet"]
        assert ("AGISTATUS", "FAILURE") in sets
    finally:
        await client.close()
        await emu.stop()


async def test_originate_to_bot_answers_and_dials_the_citizen(emulator: Emulator) -> None:
    emulator.add_operator("PJSIP/101", "Оператор", answer_delay_s=1, handle_s=(5, 5))
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    await client.send(
        ("Action", "Originate"),
        ("Channel", "PJSIP/101"),
        ("Context", "cc-callback-out"),
        ("Exten", "79990000050"),
        ("Priority", "1"),
        ("Timeout", "30000"),
        ("Async", "true"),
        ("Variable", "CC_CALLBACK_ID=cb-1"),
        ("ActionID", "orig-1"),
    )
    seen = await client.until(event_is("OriginateResponse"))
    response = seen[-1]
    assert (get(response, "Response"), get(response, "Reason")) == ("Success", "4")
    assert get(response, "ActionID") == "orig-1"
    assert ("CC_CALLBACK_ID", "cb-1") in [
        (get(m, "Variable"), get(m, "Value")) for m in seen if get(m, "Event") == "VarSet"
    ]
    dial = (await client.until(event_is("DialBegin")))[-1]
    assert get(dial, "Uniqueid") == get(response, "Uniqueid")
    assert get(dial, "DialString") == "79990000050@citizen-trunk"
    end = (await client.until(event_is("DialEnd")))[-1]
    assert get(end, "DialStatus") == "NOANSWER"  # nobody scripted behind that number
    await client.close()


async def test_originate_to_a_bot_that_does_not_answer_fails(emulator: Emulator) -> None:
    emulator.add_operator("PJSIP/102", "Молчун", answers=False)
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    await client.send(
        ("Action", "Originate"),
        ("Channel", "PJSIP/102"),
        ("Context", "cc-callback-out"),
        ("Exten", "100"),
        ("Priority", "1"),
        ("Timeout", "10000"),
        ("Async", "true"),
        ("ActionID", "o2"),
    )
    response = (await client.until(event_is("OriginateResponse")))[-1]
    assert (get(response, "Response"), get(response, "Reason")) == ("Failure", "3")
    await client.close()
