"""Keys, hold and blind transfer: DTMFBegin/DTMFEnd for the digits a scripted caller presses
in the dialplan, Hold/Unhold with the caller's music on hold, and AMI BlindTransfer's answers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conformance_helpers import check
from emulator_helpers import RawAmi, event_is, write_manager_conf

from callcenter.emulator.call_control import CallControlError, hold
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import Headers, get

MENU = """
[from-citizens]
exten => _X.,1,Answer()
 same => n,Background(menu)
 same => n,WaitExten(3)
exten => 2,1,Read(CODE,code,4)
 same => n,UserEvent(CodeRead,Code: ${CODE})
 same => n,Hangup()
"""


async def _all_events(emu: Emulator) -> RawAmi:
    client = await RawAmi.connect(emu.ami_port)
    await client.login("watcher", "w")
    return client


async def test_pressed_keys_raise_dtmf_begin_and_end(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    plan = tmp_path / "extensions.conf"
    plan.write_text(MENU, encoding="utf-8")
    users = "[watcher]\nsecret = w\nread = all\nwrite = all\n"
    conf = write_manager_conf(tmp_path, users, "timestampevents = yes")
    emu = make_emulator(dialplan=plan, manager_conf=conf)
    await emu.start()
    client = await _all_events(emu)
    try:
        script = CallerScript(number="+79990000020", digits={"menu": "2", "code": "1234"})
        uid = emu.place_call(script)
        seen = await client.until(event_is("Hangup", Uniqueid=uid))
    finally:
        await client.close()
        await emu.stop()
    keys = [m for m in seen if get(m, "Event").startswith("DTMF")]
    assert [(get(m, "Event"), get(m, "Digit")) for m in keys] == [
        (f"DTMF{half}", digit) for digit in "21234" for half in ("Begin", "End")
    ]
    assert {get(m, "Direction") for m in keys} == {"Received"}
    assert {get(m, "DurationMs") for m in keys if get(m, "Event") == "DTMFEnd"} == {"100"}
    assert [p for m in keys for p in check(m)] == []
    code = next(m for m in seen if get(m, "Event") == "UserEvent")
    assert get(code, "Code") == "1234"
    # The menu key is pressed in the menu's extension, the code ones in extension 2.
    assert [get(m, "Exten") for m in keys[:2]] == ["1000", "1000"]
    assert {get(m, "Exten") for m in keys[2:]} == {"2"}


async def test_the_engine_user_does_not_receive_dtmf(emulator: Emulator) -> None:
    """The shipped manager.conf gives the engine no `dtmf` read class, as on a real Asterisk."""
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    ch = emulator.pbx.new_channel("PJSIP/citizen", num="1", name="", context="x", exten="s")
    emulator.pbx.dtmf(ch, "5", begin=True)
    emulator.pbx.user_event(ch, "Marker", [])
    seen = await client.until(event_is("UserEvent"))
    assert not [m for m in seen if get(m, "Event").startswith("DTMF")]
    await client.close()


async def _answered(emu: Emulator, client: RawAmi) -> tuple[str, Headers]:
    emu.add_operator("PJSIP/101", "Оператор", answer_delay_s=1, handle_s=(60, 60))
    await client.send(
        ("Action", "QueueAdd"), ("Queue", "citizens"), ("Interface", "PJSIP/101"), ("ActionID", "a")
    )
    await client.until(event_is("QueueMemberAdded"))
    uid = emu.place_call(CallerScript(number="+79990000021", name="Глеб"))
    connect = (await client.until(event_is("AgentConnect", Uniqueid=uid)))[-1]
    return uid, connect


async def test_hold_plays_music_to_the_caller_until_unhold(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    uid, connect = await _answered(emulator, client)
    holder = hold(emulator.pbx, uid, on=True)
    assert holder == get(connect, "DestUniqueid")
    seen = await client.until(event_is("MusicOnHoldStart", Uniqueid=uid))
    hold(emulator.pbx, uid, on=False)
    seen += await client.until(event_is("MusicOnHoldStop", Uniqueid=uid))
    story = [(get(m, "Event"), get(m, "Uniqueid")) for m in seen if "old" in get(m, "Event")]
    assert story == [
        ("Hold", holder),
        ("MusicOnHoldStart", uid),
        ("Unhold", holder),
        ("MusicOnHoldStop", uid),
    ]
    assert [p for m in seen if "old" in get(m, "Event") for p in check(m)] == []
    waiting = emulator.pbx.new_channel("PJSIP/citizen", num="2", name="", context="x", exten="s")
    with pytest.raises(CallControlError, match="not bridged"):
        hold(emulator.pbx, waiting.uniqueid)
    await client.close()


async def test_blind_transfer_answers_like_asterisk(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    uid, connect = await _answered(emulator, client)
    member = get(connect, "DestChannel")

    async def ask(*headers: tuple[str, str]) -> Headers:
        await client.send(("Action", "BlindTransfer"), *headers, ("ActionID", "t"))
        return (await client.until(lambda m: get(m, "ActionID") == "t"))[-1]

    assert get(await ask(("Exten", "s")), "Message") == "No channel specified"
    assert get(await ask(("Channel", member)), "Message") == "No extension specified"
    gone = await ask(("Channel", "PJSIP/999-0000ffff"), ("Exten", "s"))
    assert get(gone, "Message") == "Channel specified does not exist"
    nowhere = await ask(("Channel", member), ("Context", "no-such"), ("Exten", "s"))
    assert (get(nowhere, "Response"), get(nowhere, "Message")) == ("Error", "Transfer failed")
    lone = emulator.pbx.new_channel("PJSIP/citizen", num="3", name="", context="x", exten="s")
    invalid = await ask(("Channel", lone.name), ("Exten", "s"))
    assert get(invalid, "Message") == "Transfer invalid"
    ok = await ask(("Channel", member), ("Context", "cc-transfer"), ("Exten", "s"))
    assert get(ok, "Message") == "Transfer succeeded"
    seen = await client.until(event_is("Hangup", Uniqueid=get(connect, "DestUniqueid")))
    results = [get(m, "Result") for m in seen if get(m, "Event") == "BlindTransfer"]
    assert results[-1] == "Success"
    assert emulator.pbx.channels[uid].context == "cc-transfer"  # the caller goes on
    await client.close()
