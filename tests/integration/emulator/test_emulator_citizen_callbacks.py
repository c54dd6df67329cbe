"""Citizen-first callbacks in the emulator: an async Originate to the citizens' trunk into the
shipped `cc-callback-in`. The citizen's own script decides (answer, ring out, busy); once they
answer they wait in the queue at the priority the dialplan set, an operator takes them, and the
ground truth tells both moments apart (shared/asterisk/ami_spec.json: OriginateResponse)."""

from __future__ import annotations

from collections.abc import Callable

from emulator_helpers import RawAmi, event_is

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import Headers, get

NUMBER = "+79990000200"


async def dial_citizen(client: RawAmi, leg: str, *, number: str = NUMBER) -> None:
    await client.send(
        ("Action", "Originate"),
        ("Channel", f"PJSIP/{number.lstrip('+')}@citizen-trunk"),
        ("Context", "cc-callback-in"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("Timeout", "20000"),
        ("Async", "true"),
        ("ChannelId", leg),
        ("Variable", "CC_CALLBACK_ID=cb-1"),
        ("Variable", f"CC_CALLBACK_NUMBER={number}"),
        ("Variable", "CC_QUEUE=citizens"),
        ("Variable", "CC_PRIO=100"),
        ("ActionID", f"o-{leg}"),
    )


def response(seen: list[Headers], leg: str) -> Headers:
    return next(m for m in seen if get(m, "Event") == "OriginateResponse" and leg in str(m))


async def test_a_citizen_who_answers_waits_ahead_of_callers_and_is_taken_by_an_operator(
    make_emulator: Callable[..., Emulator],
) -> None:
    emu = make_emulator(agi_port=None)  # no engine: callers take the fail-open Queue()
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    try:
        emu.add_citizen(CallerScript(number=NUMBER, talk_s=10))
        caller = emu.place_call(CallerScript(number="+79990000201", talk_s=5))
        await client.until(event_is("QueueCallerJoin", Uniqueid=caller))
        await dial_citizen(client, "cb-1-try1")
        seen = await client.until(event_is("QueueCallerJoin", Uniqueid="cb-1-try1"))
        answered = response(seen, "cb-1-try1")
        assert (get(answered, "Response"), get(answered, "Reason")) == ("Success", "4")
        assert get(answered, "Channel").startswith("PJSIP/citizen-trunk-")
        varset = {
            (get(m, "Variable"), get(m, "Value")) for m in seen if get(m, "Event") == "VarSet"
        }
        assert ("QUEUE_PRIO", "100") in varset
        entries = emu.queues.queues["citizens"].entries
        assert [e.channel.uniqueid for e in entries] == ["cb-1-try1", caller]  # at the head
        emu.add_operator("PJSIP/101", answer_delay_s=1, handle_s=(30, 30))
        emu.add_member("citizens", "PJSIP/101")
        seen = await client.until(event_is("AgentConnect", Uniqueid="cb-1-try1"))
        connect = seen[-1]
        assert get(connect, "Interface") == "PJSIP/101"
        # The citizen talks for 10 s after the operator took them, then hangs up.
        seen = await client.until(event_is("Hangup", Uniqueid="cb-1-try1"), within=20)
        complete = next(m for m in seen if get(m, "Event") == "AgentComplete")
        assert get(complete, "Reason") == "caller"
        truth = emu.truth.get("cb-1-try1")
        assert truth is not None
        assert (truth.direction, truth.caller, truth.answered_by) == (
            "outbound",
            NUMBER[1:],
            NUMBER[1:],
        )
        assert truth.answered_at is not None
        assert truth.joined_at is not None
        assert truth.connected_at is not None
        assert truth.ended_at is not None
        assert truth.answered_at <= truth.joined_at < truth.connected_at < truth.ended_at
        assert truth.operator == "PJSIP/101"
        assert 9 <= truth.ended_at - truth.connected_at <= 12  # talk_s from the operator's pick-up
        assert [r.number for r in emu.truth.reached] == [NUMBER[1:]]
    finally:
        await client.close()
        await emu.stop()


async def test_a_citizen_who_rings_out_or_is_busy_never_comes_up(
    make_emulator: Callable[..., Emulator],
) -> None:
    emu = make_emulator(agi_port=None)
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    try:
        emu.add_citizen(CallerScript(number=NUMBER, answers_callback=False))
        emu.add_citizen(CallerScript(number="+79990000202", busy=True))
        await dial_citizen(client, "cb-1-try1")
        await dial_citizen(client, "cb-2-try1", number="+79990000202")
        seen = await client.until(event_is("OriginateResponse", Uniqueid="cb-1-try1"), within=30)
        busy, rang_out = response(seen, "cb-2-try1"), response(seen, "cb-1-try1")
        assert (get(busy, "Response"), get(busy, "Reason")) == ("Failure", "5")
        assert (get(rang_out, "Response"), get(rang_out, "Reason")) == ("Failure", "3")
        assert get(rang_out, "Channel") == "PJSIP/79990000200@citizen-trunk"  # as requested
        hangups = {get(m, "Uniqueid"): get(m, "Cause") for m in seen if get(m, "Event") == "Hangup"}
        assert hangups == {"cb-2-try1": "17"}  # the other one is hung up after its response
        assert emu.truth.get("cb-1-try1").outcome == "noanswer"  # type: ignore[union-attr]
        assert emu.truth.get("cb-2-try1").outcome == "busy"  # type: ignore[union-attr]
        assert emu.truth.reached == []
        assert not any(get(m, "Event") == "QueueCallerJoin" for m in seen)
    finally:
        await client.close()
        await emu.stop()


async def test_originate_refuses_a_uniqueid_in_use_and_an_unknown_endpoint_without_a_channel(
    make_emulator: Callable[..., Emulator],
) -> None:
    emu = make_emulator(agi_port=None)
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    try:
        emu.add_citizen(CallerScript(number=NUMBER, talk_s=60))
        await dial_citizen(client, "cb-1-try1")
        await client.until(event_is("QueueCallerJoin", Uniqueid="cb-1-try1"))
        await dial_citizen(client, "cb-1-try1")  # the same attempt again: Asterisk refuses
        again = (await client.until(event_is("OriginateResponse")))[-1]
        assert (get(again, "Response"), get(again, "Reason")) == ("Failure", "0")
        assert len(emu.queues.queues["citizens"].entries) == 1
        await client.send(
            ("Action", "Originate"), ("Channel", "PJSIP/199"), ("Context", "cc-callback-out"),
            ("Exten", "100"), ("Priority", "1"), ("Async", "true"), ("ActionID", "o-199"),
        )  # fmt: skip
        seen = await client.until(event_is("OriginateResponse", ActionID="o-199"))
        assert (get(seen[-1], "Reason"), get(seen[-1], "Uniqueid")) == ("0", "<unknown>")
        assert not any(get(m, "Event") in ("Newchannel", "Hangup") for m in seen)
    finally:
        await client.close()
        await emu.stop()
