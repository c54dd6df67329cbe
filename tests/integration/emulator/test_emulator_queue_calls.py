"""Queue calls seen by an AMI client: the event sequences of queue_semantics.md 4 and 6."""

from __future__ import annotations

import asyncio

from emulator_helpers import RawAmi, event_is

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.model import Channel
from callcenter.emulator.wire import Headers, get

SKIP = {"VarSet", "Newexten", "QueueMemberStatus", "FullyBooted"}


async def _ready(emu: Emulator, *, answers: bool = True) -> RawAmi:
    emu.add_operator(
        "PJSIP/101", "Оператор 101", answer_delay_s=2, handle_s=(10, 10), answers=answers
    )
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    await client.send(
        ("Action", "QueueAdd"),
        ("Queue", "citizens"),
        ("Interface", "PJSIP/101"),
        ("MemberName", "Оператор 101"),
        ("ActionID", "add"),
    )
    await client.until(event_is("QueueMemberAdded"))
    return client


def _names(messages: list[Headers]) -> list[str]:
    return [get(m, "Event") for m in messages if get(m, "Event") and get(m, "Event") not in SKIP]


async def test_answered_call_events_follow_app_queue_order(emulator: Emulator) -> None:
    client = await _ready(emulator)
    uid = emulator.place_call(CallerScript(number="+79990000001", name="Иван"))
    seen = await client.until(event_is("Hangup", Uniqueid=uid))
    # queue_semantics.md 4: MOH while waiting, stopped on answer; the operator hangs up
    # (HangupRequest), leaves the bridge first; with option c the caller goes on and ends later.
    assert _names(seen) == [
        "Newchannel",
        "Newstate",
        "Newstate",
        "QueueCallerJoin",
        "MusicOnHoldStart",
        "Newchannel",
        "AgentCalled",
        "DialBegin",
        "Newstate",
        "Newstate",
        "DialEnd",
        "MusicOnHoldStop",
        "QueueCallerLeave",
        "AgentConnect",
        "BridgeCreate",
        "BridgeEnter",
        "BridgeEnter",
        "HangupRequest",
        "AgentComplete",
        "BridgeLeave",
        "SoftHangupRequest",
        "BridgeLeave",
        "BridgeDestroy",
        "Hangup",
        "Hangup",
    ]
    member = get(next(m for m in seen if get(m, "Event") == "AgentCalled"), "DestUniqueid")
    ends = [(get(m, "Event"), get(m, "Uniqueid")) for m in seen if "Hangup" in get(m, "Event")]
    assert ends == [
        ("HangupRequest", member),
        ("SoftHangupRequest", member),
        ("Hangup", member),
        ("Hangup", uid),
    ]
    leaves = [get(m, "Uniqueid") for m in seen if get(m, "Event") == "BridgeLeave"]
    assert leaves == [member, uid]
    moh = next(m for m in seen if get(m, "Event") == "MusicOnHoldStart")
    assert (get(moh, "Uniqueid"), get(moh, "Class")) == (uid, "default")
    by_name = {get(m, "Event"): m for m in seen}
    assert get(by_name["DialEnd"], "DialStatus") == "ANSWER"
    assert get(by_name["AgentComplete"], "Reason") == "agent"
    assert get(by_name["AgentConnect"], "Interface") == "PJSIP/101"
    assert get(by_name["AgentConnect"], "HoldTime") in ("2", "3")  # 2 s ring + loop jitter
    assert get(by_name["Hangup"], "Cause") == "16"
    # Option c: the caller goes back to the dialplan when the agent hangs up, so the member is
    # free again before the caller's own Hangup.
    statuses = [get(m, "Status") for m in seen if get(m, "Event") == "QueueMemberStatus"]
    assert statuses == ["6", "2", "1"]
    truth = emulator.truth.get(uid)
    assert truth is not None
    assert truth.answered_by == "PJSIP/101"
    assert not truth.abandoned
    await client.close()


async def test_abandoned_call_cancels_the_ringing_member(emulator: Emulator) -> None:
    client = await _ready(emulator, answers=False)
    uid = emulator.place_call(CallerScript(number="+79990000002", patience_s=5))
    seen = await client.until(event_is("Hangup", Uniqueid=uid))
    # The caller hangs up (HangupRequest) while the member rings: no MusicOnHoldStop, the
    # channel is going; queue_semantics.md 6.
    assert _names(seen) == [
        "Newchannel",
        "Newstate",
        "Newstate",
        "QueueCallerJoin",
        "MusicOnHoldStart",
        "Newchannel",
        "AgentCalled",
        "DialBegin",
        "Newstate",
        "HangupRequest",
        "DialEnd",
        "Hangup",
        "QueueCallerAbandon",
        "QueueCallerLeave",
        "Hangup",
    ]
    by_name = {get(m, "Event"): m for m in seen}
    assert get(by_name["DialEnd"], "DialStatus") == "CANCEL"
    abandon = by_name["QueueCallerAbandon"]
    assert (get(abandon, "Position"), get(abandon, "OriginalPosition")) == ("1", "1")
    assert get(abandon, "HoldTime") in ("4", "5", "6")
    truth = emulator.truth.get(uid)
    assert truth is not None
    assert truth.abandoned
    assert truth.outcome == "abandoned"
    await client.close()


async def test_ring_no_answer_then_retry_rings_again(emulator: Emulator) -> None:
    client = await _ready(emulator, answers=False)
    emulator.place_call(CallerScript(number="+79990000003", patience_s=40))
    seen = await client.until(event_is("AgentCalled"), within=5)
    seen = await client.until(event_is("AgentRingNoAnswer"), within=5)
    assert get(seen[-1], "RingTime") == "15000"
    seen = await client.until(event_is("AgentCalled"), within=5)
    await client.close()


async def test_priority_caller_is_placed_ahead(emulator: Emulator) -> None:
    """Two callers wait while the only operator is paused; a third with QUEUE_PRIO=5 (what the
    dialplan sets from the engine's CC_PRIO) joins at position 1 and is answered first."""
    client = await _ready(emulator)
    await client.send(("Action", "QueuePause"), ("Interface", "PJSIP/101"), ("Paused", "true"))
    await client.until(event_is("QueueMemberPause"))
    callers = []
    for n, prio in enumerate((0, 0, 5)):
        ch = emulator.pbx.new_channel(
            "PJSIP/citizen", num=f"+7999000004{n}", name="", context="test", exten="s"
        )
        ch.variables["QUEUE_PRIO"] = str(prio)
        ch.task = asyncio.create_task(_queue(emulator, ch))
        join = (await client.until(event_is("QueueCallerJoin", Uniqueid=ch.uniqueid)))[-1]
        callers.append((ch, get(join, "Position")))
    assert [position for _, position in callers] == ["1", "2", "1"]
    first, second, urgent = (ch.uniqueid for ch, _ in callers)
    await client.send(("Action", "QueueStatus"), ("ActionID", "q"))
    listing = await client.until(event_is("QueueStatusComplete"))
    entries = [
        (get(m, "Uniqueid"), get(m, "Position")) for m in listing if get(m, "Event") == "QueueEntry"
    ]
    assert entries == [(urgent, "1"), (first, "2"), (second, "3")]
    await client.send(("Action", "QueuePause"), ("Interface", "PJSIP/101"), ("Paused", "false"))
    connect = (await client.until(event_is("AgentConnect")))[-1]
    assert get(connect, "Uniqueid") == urgent
    for ch, _ in callers:
        ch.task.cancel()
    await asyncio.gather(*(ch.task for ch, _ in callers), return_exceptions=True)
    await client.close()


async def _queue(emu: Emulator, ch: Channel) -> None:
    await emu.queues.run(ch, "citizens", 0, "c")


async def test_leastrecent_skips_paused_and_recently_busy_members(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    for interface in ("PJSIP/101", "PJSIP/102", "PJSIP/103"):
        emulator.add_operator(interface, answer_delay_s=1, handle_s=(3, 3))
        await client.send(("Action", "QueueAdd"), ("Queue", "citizens"), ("Interface", interface))
        await client.until(event_is("QueueMemberAdded", Interface=interface))
    await client.send(
        ("Action", "QueuePause"),
        ("Interface", "PJSIP/101"),
        ("Paused", "true"),
        ("Reason", "перерыв"),
        ("ActionID", "p"),
    )
    pause = (await client.until(event_is("QueueMemberPause")))[-1]
    assert (get(pause, "Paused"), get(pause, "PausedReason")) == ("1", "перерыв")
    first = emulator.place_call(CallerScript(number="+79990000301"))
    connect = (await client.until(event_is("AgentConnect", Uniqueid=first)))[-1]
    assert get(connect, "Interface") == "PJSIP/102"
    await client.until(event_is("Hangup", Uniqueid=first))
    second = emulator.place_call(CallerScript(number="+79990000302"))
    connect = (await client.until(event_is("AgentConnect", Uniqueid=second)))[-1]
    assert get(connect, "Interface") == "PJSIP/103"
    await client.close()


async def test_caller_hanging_up_ends_the_call_in_the_traced_order(emulator: Emulator) -> None:
    """queue_semantics.md 4, step 10 [trace]: HangupRequest caller, AgentComplete, BridgeLeave
    caller, SoftHangupRequest caller, BridgeLeave member, BridgeDestroy, Hangup caller,
    SoftHangupRequest member, Hangup member."""
    client = await _ready(emulator)
    uid = emulator.place_call(CallerScript(number="+79990000050", talk_s=3))
    seen = await client.until(event_is("AgentConnect", Uniqueid=uid))
    member = get(seen[-1], "DestUniqueid")
    seen = await client.until(event_is("Hangup", Uniqueid=member))
    who = {uid: "caller", member: "member"}
    tail = [
        f"{get(m, 'Event')} {who.get(get(m, 'Uniqueid'), '')}".strip()
        for m in seen
        if get(m, "Event") not in SKIP
    ]
    assert tail[tail.index("HangupRequest caller") :] == [
        "HangupRequest caller",
        "AgentComplete caller",
        "BridgeLeave caller",
        "SoftHangupRequest caller",
        "BridgeLeave member",
        "BridgeDestroy",
        "Hangup caller",
        "SoftHangupRequest member",
        "Hangup member",
    ]
    complete = next(m for m in seen if get(m, "Event") == "AgentComplete")
    assert get(complete, "Reason") == "caller"
    await client.close()
