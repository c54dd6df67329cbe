"""A FastAGI session when the caller hangs up, and its AMI mirror, over real TCP: HANGUP, dead
mode (511 for some commands only), AGISTATUS=HANGUP readable in `h`, AGIExecStart/End."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path

from emulator_helpers import RawAmi, event_is, write_manager_conf
from fastagi_helpers import ScriptedAgi, Session, ended, newexten_data, varsets, write_dialplan

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import get

MakeEmulator = Callable[..., Emulator]
DEAD = "511 Command Not Permitted on a dead channel or intercept routine"


async def test_caller_hangs_up_mid_command_then_dead_mode(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    replies: list[str] = []
    waiting = asyncio.Event()

    async def talk(s: Session) -> None:
        waiting.set()
        replies.append(await s.send("WAIT FOR DIGIT -1"))  # forever: until the hang-up
        if not s.hangups:
            await s.until_hangup()
        for line in (
            "ANSWER",
            "STREAM FILE hello-world #",
            "GET DATA x 1000 1",
            "CHANNEL STATUS",
            "GET VARIABLE CALLERID(num)",
            'GET FULL VARIABLE "${EXTEN}"',
            "SET VARIABLE CC_LAST dead",
            "NOOP",
            "VERBOSE bye 1",
            "DATABASE PUT cc k v",
            "DATABASE GET cc k",
            "EXEC NoOp still-here",
        ):
            replies.append(await s.send(line))

    server = ScriptedAgi(talk)
    emu = make_emulator(agi_port=await server.start(), dialplan=write_dialplan(tmp_path))
    emu.keep_events = True
    await emu.start()
    try:
        uid = emu.place_call(CallerScript(number="+79990001133"))
        await asyncio.wait_for(waiting.wait(), 5)
        emu.pbx.request_hangup(emu.pbx.channels[uid])  # the citizen puts the phone down
        await ended(emu, uid)
    finally:
        await emu.stop()
        await server.stop()
    assert replies == [
        "200 result=-1",
        DEAD,
        DEAD,
        DEAD,
        DEAD,
        "200 result=1 (+79990001133)",
        "200 result=1 (1000)",
        "200 result=1",
        "200 result=0",
        "200 result=1",
        "200 result=1",
        "200 result=1 (v)",
        "200 result=0",
    ]
    assert server.sessions[0].hangups == 1
    assert len(server.sessions) == 1  # AGI() returned -1: the next AGI() did not run
    events = [e + ":" + dict(h).get("Variable", "") for e, h in emu.events()]
    # AGISTATUS is set on the hung-up channel once the script closed; `h` reads it; then it goes
    assert events.index("VarSet:CC_LAST") < events.index("VarSet:AGISTATUS")
    assert events.index("VarSet:AGISTATUS") < events.index("Hangup:")
    assert ("AGISTATUS", "HANGUP") in varsets(emu)
    assert newexten_data(emu)[-1] == "h sees HANGUP"


async def test_agisighup_no_and_agiexitonhangup(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    """AGISIGHUP=no: no HANGUP line; AGIEXITONHANGUP=yes: the session ends at the hang-up."""
    seen: list[bytes] = []

    async def talk(s: Session) -> None:
        await s.send("SET VARIABLE AGISIGHUP no")
        await s.send("SET VARIABLE AGIEXITONHANGUP yes")
        await s.send("EXEC Hangup")
        seen.append(await asyncio.wait_for(s.reader.read(), 5))  # to the end of the session

    server = ScriptedAgi(talk)
    emu = make_emulator(agi_port=await server.start(), dialplan=write_dialplan(tmp_path))
    emu.keep_events = True
    await emu.start()
    try:
        uid = emu.place_call(CallerScript(number="+79990001144"))
        await ended(emu, uid)
        await asyncio.wait_for(server.done.wait(), 5)
    finally:
        await emu.stop()
        await server.stop()
    assert seen == [b""]  # closed by Asterisk, without a HANGUP line
    assert ("AGISTATUS", "HANGUP") in varsets(emu)


async def test_hangup_line_also_ends_a_session_the_server_half_closed(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    """res_agi writes HANGUP as the AGI ends even when the script ended it; a server that only
    shut its sending side still reads it."""
    tail: list[bytes] = []

    async def talk(s: Session) -> None:
        assert await s.send("NOOP") == "200 result=0"
        sock = s.writer.get_extra_info("socket")
        sock.shutdown(socket.SHUT_WR)
        tail.append(await asyncio.wait_for(s.reader.read(), 5))

    server = ScriptedAgi(talk)
    emu = make_emulator(agi_port=await server.start(), dialplan=write_dialplan(tmp_path))
    await emu.start()
    try:
        uid = emu.place_call(CallerScript(number="+79990001155"))
        await ended(emu, uid)
    finally:
        await emu.stop()
        await server.stop()
    assert tail[0] == b"HANGUP\n"


async def test_every_command_is_mirrored_on_ami_with_the_spec_headers(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    async def talk(s: Session) -> None:
        await s.send("NOOP")
        await s.send("FOO")
        await s.send("GET VARIABLE")
        await s.send("EXEC Hangup")
        await s.until_hangup()
        await s.send("ANSWER")

    users = "[watcher]\nsecret = w\nread = agi,call\nwrite =\n"
    conf = write_manager_conf(tmp_path, users)
    server = ScriptedAgi(talk)
    emu = make_emulator(
        agi_port=await server.start(), dialplan=write_dialplan(tmp_path), manager_conf=conf
    )
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)
    try:
        assert get(await client.login("watcher", "w"), "Response") == "Success"
        uid = emu.place_call(CallerScript(number="+79990001166"))
        seen = await client.until(event_is("Hangup", Uniqueid=uid))
    finally:
        await client.close()
        await emu.stop()
        await server.stop()
    starts = [m for m in seen if get(m, "Event") == "AGIExecStart"]
    ends = [m for m in seen if get(m, "Event") == "AGIExecEnd"]
    assert [get(m, "Command") for m in starts] == [
        "NOOP",
        "FOO",
        "GET VARIABLE",
        "EXEC Hangup",
        "ANSWER",
    ]
    assert [(get(m, "ResultCode"), get(m, "Result")) for m in ends] == [
        ("200", "Success"),
        ("510", "Invalid or unknown command"),
        ("520", "Usage"),
        ("200", "Unknown Result"),  # EXEC answers -1: res_agi's "Unknown Result"
        ("511", "Command Not Permitted on a dead channel or intercept routine"),
    ]
    assert [get(m, "CommandId") for m in starts] == [get(m, "CommandId") for m in ends]
    assert len({get(m, "CommandId") for m in starts}) == 5
    # shared/asterisk/ami_spec.json: AGIExecStart/End wire header_order, privilege agi,all
    snapshot = [
        "Channel", "ChannelState", "ChannelStateDesc", "CallerIDNum", "CallerIDName",
        "ConnectedLineNum", "ConnectedLineName", "Language", "AccountCode", "Context", "Exten",
        "Priority", "Uniqueid", "Linkedid",
    ]  # fmt: skip
    start_keys = ["Event", "Privilege", *snapshot, "CommandId", "Command"]
    end_keys = ["Event", "Privilege", *snapshot, "CommandId", "Command", "ResultCode", "Result"]
    assert all([k for k, _ in m] == start_keys for m in starts)
    assert all([k for k, _ in m] == end_keys for m in ends)
    assert {get(m, "Privilege") for m in starts + ends} == {"agi,all"}


async def test_agi_events_reach_only_users_reading_the_agi_class(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    async def talk(s: Session) -> None:
        await s.send("NOOP")

    server = ScriptedAgi(talk)
    emu = make_emulator(agi_port=await server.start(), dialplan=write_dialplan(tmp_path))
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)  # the shipped engine user: no agi class
    try:
        await client.login()
        uid = emu.place_call(CallerScript(number="+79990001177"))
        seen = await client.until(event_is("Hangup", Uniqueid=uid))
    finally:
        await client.close()
        await emu.stop()
        await server.stop()
    assert not [m for m in seen if get(m, "Event").startswith("AGIExec")]
