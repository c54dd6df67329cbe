"""Dialplan paths: AGI media commands, dead channels, Redirect, queue timeout, overflow."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from emulator_helpers import RawAmi, event_is

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import Headers, get
from callcenter.pbx.agi import AgiChannel, ChannelHungUp
from callcenter.pbx.agi_server import AgiRoutes, AgiServer


def _vars(seen: list[Headers]) -> list[tuple[str, str]]:
    return [(get(m, "Variable"), get(m, "Value")) for m in seen if get(m, "Event") == "VarSet"]


async def _serve(routes: dict[str, Callable[[AgiChannel], object]]) -> AgiServer:
    table = AgiRoutes()
    for name, route in routes.items():
        table.add(name, route)  # type: ignore[arg-type]
    server = AgiServer(routes=table, port=0)
    await server.start()
    return server


async def test_agi_media_commands_follow_the_caller_script(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    results: dict[str, object] = {}

    async def entry(ch: AgiChannel) -> None:
        results["digit"] = await ch.stream_file("cc-menu-main", "123")
        results["number"] = await ch.get_data("cc-callback-enter-number", 5000, 11)
        results["none"] = await ch.get_data("cc-other", 5000, 3)
        results["path"] = await ch.record_file("voicemail/msg1", "wav", "#", 10000, 2)
        results["missing"] = await ch.get_variable("NOPE")
        results["caller"] = await ch.get_variable("CALLERID(num)")  # what the IVR asks
        await ch.hangup()

    server = await _serve({"entry": entry})
    emu = make_emulator(agi_port=server.port, recordings_dir=tmp_path)
    await emu.start()
    wav = tmp_path / "input.wav"
    wav.write_bytes(b"RIFF-fake-wave")
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    try:
        script = CallerScript(
            number="+79990000060",
            digits={"cc-menu": "2", "cc-callback-enter-number": "89991234567"},
            wav=str(wav),
        )
        uid = emu.place_call(script)
        seen = await client.until(event_is("Hangup", Uniqueid=uid))
        assert results == {
            "digit": "2",
            "number": "89991234567",
            "none": "",
            "path": ("voicemail/msg1.wav", ""),
            "missing": None,
            "caller": "+79990000060",
        }
        assert (tmp_path / "voicemail" / "msg1.wav").read_bytes() == b"RIFF-fake-wave"
        assert "QueueCallerJoin" not in [get(m, "Event") for m in seen]
    finally:
        await client.close()
        await emu.stop()
        await server.stop()


async def test_caller_hanging_up_mid_agi_makes_the_channel_dead(
    make_emulator: Callable[..., Emulator],
) -> None:
    outcome: list[str] = []
    started = asyncio.Event()

    async def entry(ch: AgiChannel) -> None:
        started.set()
        await asyncio.sleep(0.3)
        try:
            await ch.verbose("still there?")
            outcome.append("answered")
        except ChannelHungUp:
            outcome.append("dead")

    server = await _serve({"entry": entry})
    emu = make_emulator(agi_port=server.port)
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    try:
        uid = emu.place_call(CallerScript(number="+79990000070"))
        await asyncio.wait_for(started.wait(), 5)
        channel = emu.pbx.channels[uid].name
        await client.send(("Action", "Hangup"), ("Channel", channel), ("ActionID", "h"))
        seen = await client.until(event_is("Hangup", Uniqueid=uid))
        assert get(seen[-1], "Cause") == "16"
        for _ in range(100):
            if outcome:
                break
            await asyncio.sleep(0.02)
        assert outcome == ["dead"]
        # As in Asterisk: AGI() ends when the script closes, AGISTATUS=HANGUP is set on the
        # hung-up channel (an `h` extension could read it), and only then the channel goes.
        assert ("AGISTATUS", "HANGUP") in _vars(seen)
        names = [get(m, "Event") + ":" + get(m, "Variable") for m in seen]
        assert names.index("VarSet:AGISTATUS") < names.index("Hangup:")
    finally:
        await client.close()
        await emu.stop()
        await server.stop()


async def test_redirect_from_queue_leaves_without_abandon_and_transfers(
    emulator: Emulator,
) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    uid = emulator.place_call(CallerScript(number="+79990000080", talk_s=20))
    await client.until(event_is("QueueCallerJoin", Uniqueid=uid))
    channel = emulator.pbx.channels[uid].name
    await client.send(
        ("Action", "Setvar"),
        ("Channel", channel),
        ("Variable", "CC_TRANSFER_NUMBER"),
        ("Value", "112"),
        ("ActionID", "v"),
    )
    await client.send(
        ("Action", "Redirect"),
        ("Channel", channel),
        ("Context", "cc-transfer"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("ActionID", "r"),
    )
    seen = await client.until(event_is("Hangup", Uniqueid=uid))
    names = [get(m, "Event") for m in seen]
    assert "QueueCallerAbandon" not in names
    assert names.index("QueueCallerLeave") < names.index("DialBegin") < names.index("DialEnd")
    dial = next(m for m in seen if get(m, "Event") == "DialBegin")
    assert (get(dial, "Uniqueid"), get(dial, "DialString")) == (uid, "112@citizen-trunk")
    assert get(next(m for m in seen if get(m, "Event") == "DialEnd"), "DialStatus") == "ANSWER"
    truth = emulator.truth.get(uid)
    assert truth is not None
    assert truth.outcome == "transferred"
    assert not truth.abandoned
    await client.close()


async def test_queue_timeout_abandons_and_continues_to_after_queue(
    make_emulator: Callable[..., Emulator],
) -> None:
    routes_seen: list[str] = []

    async def route(ch: AgiChannel) -> None:
        routes_seen.append(ch.request.route)
        if ch.request.route == "entry":
            await ch.set_variable("CC_ACTION", "queue")
            await ch.set_variable("CC_QUEUE", "citizens")
            await ch.set_variable("CC_TIMEOUT", "10")
        else:
            results = await ch.get_variable("QUEUESTATUS")
            routes_seen.append(results or "")
            await ch.set_variable("CC_ACTION", "hangup")

    server = await _serve({"entry": route, "after-queue": route})
    emu = make_emulator(agi_port=server.port)
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    try:
        uid = emu.place_call(CallerScript(number="+79990000090"))
        seen = await client.until(event_is("Hangup", Uniqueid=uid))
        names = [get(m, "Event") for m in seen]
        # record_abandoned, then queue_exec stops the music, then leave_queue
        start = names.index("QueueCallerAbandon")
        assert names[start : start + 3] == [
            "QueueCallerAbandon",
            "MusicOnHoldStop",
            "QueueCallerLeave",
        ]
        assert ("QUEUESTATUS", "TIMEOUT") in _vars(seen)
        assert routes_seen == ["entry", "after-queue", "TIMEOUT"]
    finally:
        await client.close()
        await emu.stop()
        await server.stop()


async def test_overflow_reaches_the_partner_with_sip_headers(
    make_emulator: Callable[..., Emulator],
) -> None:
    headers: dict[str, str | None] = {}

    async def inbound(ch: AgiChannel) -> None:
        for name in ("X-CC-Context", "X-CC-Handoff", "X-CC-Hops"):
            headers[name] = await ch.get_variable(f"PJSIP_HEADER(read,{name})")
        await ch.set_variable("CC_ACTION", "queue")
        await ch.set_variable("CC_QUEUE", "citizens")

    server = await _serve({"overflow-inbound": inbound})
    home, partner = make_emulator(), make_emulator(agi_port=server.port)
    await home.start()
    await partner.start()
    home.link_trunk("partner-b", partner)
    partner.add_operator("PJSIP/201", "Партнёр", answer_delay_s=1, handle_s=(5, 5))
    local = await RawAmi.connect(home.ami_port)
    remote = await RawAmi.connect(partner.ami_port)
    await local.login()
    await remote.login()
    try:
        await remote.send(
            ("Action", "QueueAdd"),
            ("Queue", "citizens"),
            ("Interface", "PJSIP/201"),
            ("ActionID", "a"),
        )
        await remote.until(event_is("QueueMemberAdded"))
        uid = home.place_call(CallerScript(number="+79990000100"))
        await local.until(event_is("QueueCallerJoin", Uniqueid=uid))
        channel = home.pbx.channels[uid].name
        for var, value in (
            ("CC_PARTNER_TRUNK", "partner-b"),
            ("CC_PARTNER_NUMBER", "5000"),
            ("CC_CONTEXT", "topic=passport"),
            ("CC_HANDOFF", "h-1"),
            ("CC_HOPS", "1"),
        ):
            await local.send(
                ("Action", "Setvar"), ("Channel", channel), ("Variable", var), ("Value", value)
            )
        await local.send(
            ("Action", "Redirect"),
            ("Channel", channel),
            ("Context", "cc-overflow-out"),
            ("Exten", "s"),
            ("Priority", "1"),
            ("ActionID", "r"),
        )
        seen = await local.until(event_is("Hangup", Uniqueid=uid))
        dial = next(m for m in seen if get(m, "Event") == "DialBegin")
        assert get(dial, "DialString") == "5000@partner-b"
        assert get(next(m for m in seen if get(m, "Event") == "DialEnd"), "DialStatus") == "ANSWER"
        assert headers == {
            "X-CC-Context": "topic=passport",
            "X-CC-Handoff": "h-1",
            "X-CC-Hops": "1",
        }
        answered = [c for c in partner.ground_truth() if c.answered_by == "PJSIP/201"]
        assert len(answered) == 1
    finally:
        await local.close()
        await remote.close()
        await home.stop()
        await partner.stop()
        await server.stop()


async def test_overflow_without_a_linked_trunk_is_chanunavail(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    uid = emulator.place_call(CallerScript(number="+79990000110"))
    await client.until(event_is("QueueCallerJoin", Uniqueid=uid))
    channel = emulator.pbx.channels[uid].name
    await client.send(
        ("Action", "Redirect"),
        ("Channel", channel),
        ("Context", "cc-overflow-out"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("ActionID", "r"),
    )
    seen = await client.until(event_is("Hangup", Uniqueid=uid))
    end = next(m for m in seen if get(m, "Event") == "DialEnd")
    assert get(end, "DialStatus") == "CHANUNAVAIL"
    await client.close()


async def test_callback_offer_then_originate_reaches_the_citizen(
    make_emulator: Callable[..., Emulator],
) -> None:
    pressed: list[str] = []

    async def offer(ch: AgiChannel) -> None:
        pressed.append(await ch.stream_file("cc-callback-offer", "12"))
        await ch.set_variable("CC_ACTION", "hangup")

    async def entry(ch: AgiChannel) -> None:
        await ch.set_variable("CC_QUEUE", "citizens")
        await ch.set_variable("CC_ACTION", "queue")

    server = await _serve({"entry": entry, "callback-offer": offer})
    emu = make_emulator(agi_port=server.port)
    await emu.start()
    emu.add_operator("PJSIP/101", answer_delay_s=1, handle_s=(8, 8))
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    try:
        script = CallerScript(number="+79990000120", accept_callback=True, answers_callback=True)
        uid = emu.place_call(script)
        await client.until(event_is("QueueCallerJoin", Uniqueid=uid))
        channel = emu.pbx.channels[uid].name
        await client.send(
            ("Action", "Redirect"),
            ("Channel", channel),
            ("Context", "cc-callback-offer"),
            ("Exten", "s"),
            ("Priority", "1"),
            ("ActionID", "r"),
        )
        await client.until(event_is("Hangup", Uniqueid=uid))
        assert pressed == ["1"]
        await client.send(
            ("Action", "Originate"),
            ("Channel", "PJSIP/101"),
            ("Context", "cc-callback-out"),
            ("Exten", "79990000120"),
            ("Priority", "1"),
            ("Timeout", "20000"),
            ("Async", "true"),
            ("Variable", "CC_CALLBACK_ID=cb-9"),
            ("ActionID", "o"),
        )
        response = (await client.until(event_is("OriginateResponse")))[-1]
        bot_uid = get(response, "Uniqueid")
        seen = await client.until(event_is("Hangup", Uniqueid=bot_uid))
        end = next(m for m in seen if get(m, "Event") == "DialEnd")
        assert (get(end, "Uniqueid"), get(end, "DialStatus")) == (bot_uid, "ANSWER")
        names = [get(m, "Event") for m in seen]
        assert names.count("BridgeEnter") == 2
        assert names.count("BridgeLeave") == 2
    finally:
        await client.close()
        await emu.stop()
        await server.stop()
