"""Every event the emulator writes in the scenarios of the issue (answered call, abandoned call,
queue timeout, ring no answer then answer, callback Originate, Redirect, transfer to a partner
trunk, and the list items of QueueStatus, CoreShowChannels and Status) carries the headers
shared/asterisk/ami_spec.json lists for it, in that order, with its Privilege and a Timestamp
(manager.conf has timestampevents = yes); and each scenario's events come in the order of
shared/asterisk/queue_semantics.md.

Read by a plain-socket client logged in as `engine` with the shipped manager.conf."""

from __future__ import annotations

from collections.abc import Callable

from conformance_helpers import check, check_item, expected_headers
from emulator_helpers import RawAmi, event_is

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import Headers, get


async def _engine(emu: Emulator) -> RawAmi:
    client = await RawAmi.connect(emu.ami_port)
    await client.login()
    await client.next()  # FullyBooted
    return client


async def _member(client: RawAmi, emu: Emulator, interface: str, answers: bool = True) -> None:
    emu.add_operator(interface, "Оператор", answer_delay_s=1, handle_s=(4, 4), answers=answers)
    await client.send(
        ("Action", "QueueAdd"),
        ("Queue", "citizens"),
        ("Interface", interface),
        ("MemberName", "Оператор"),
        ("ActionID", "add"),
    )
    await client.until(event_is("QueueMemberAdded"))


def _assert_conforms(seen: list[Headers]) -> set[str]:
    events = [m for m in seen if get(m, "Event") and not get(m, "ActionID")]
    problems = [p for m in events for p in check(m)]
    assert problems == []
    return {get(m, "Event") for m in events}


async def test_answered_and_abandoned_calls_conform(emulator: Emulator) -> None:
    client = await _engine(emulator)
    await _member(client, emulator, "PJSIP/101")
    seen = []
    uid = emulator.place_call(CallerScript(number="+79990000001", name="Пётр Ильич", talk_s=3))
    seen += await client.until(event_is("Hangup", Uniqueid=uid))
    await client.send(("Action", "QueuePause"), ("Interface", "PJSIP/101"), ("Paused", "true"))
    seen += await client.until(event_is("QueueMemberPause"))
    lost = emulator.place_call(CallerScript(number="+79990000002", name="Анна", patience_s=3))
    seen += await client.until(event_is("Hangup", Uniqueid=lost))
    names = _assert_conforms(seen)
    assert {"AgentConnect", "AgentComplete", "BridgeEnter", "QueueCallerAbandon"} <= names
    join = next(m for m in seen if get(m, "Event") == "QueueCallerJoin")
    assert get(join, "CallerIDName") == "Пётр Ильич"
    await client.close()


async def test_callback_originate_and_redirect_conform(emulator: Emulator) -> None:
    client = await _engine(emulator)
    emulator.add_operator("PJSIP/102", "Оператор", answer_delay_s=1, handle_s=(3, 3))
    await client.send(
        ("Action", "Originate"),
        ("Channel", "PJSIP/102"),
        ("Context", "cc-callback-out"),
        ("Exten", "+79990000003"),
        ("Priority", "1"),
        ("Async", "true"),
        ("CallerID", '"Обратный звонок" <1000>'),
        ("Variable", "CC_CALLBACK_ID=cb-1"),
        ("ActionID", "o1"),
    )
    seen = await client.until(event_is("OriginateResponse"))
    response = seen[-1]
    assert [k for k, _ in response][:4] == ["Event", "Privilege", "Timestamp", "ActionID"]
    assert get(response, "CallerIDName") == "Обратный звонок"
    seen += await client.until(event_is("Hangup", Uniqueid=get(response, "Uniqueid")))
    uid = emulator.place_call(CallerScript(number="+79990000004", name="Иван"))
    seen += await client.until(event_is("QueueCallerJoin", Uniqueid=uid))
    await client.send(
        ("Action", "Redirect"),
        ("Channel", emulator.pbx.channels[uid].name),
        ("Context", "cc-transfer"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("ActionID", "r"),
    )
    seen += await client.until(event_is("Hangup", Uniqueid=uid))
    names = _assert_conforms([m for m in seen if get(m, "Event") != "OriginateResponse"])
    assert {"DialBegin", "DialEnd", "VarSet", "Newexten", "QueueCallerLeave"} <= names
    await client.close()


_QUIET = {"VarSet", "Newexten", "QueueMemberStatus", "FullyBooted"}


def _story(seen: list[Headers], uid: str) -> list[str]:
    """The events of channel `uid` (caller-side snapshot), agent ones with their member and
    dial ends with their status: the sequence queue_semantics.md documents."""
    out = []
    for m in seen:
        name = get(m, "Event")
        if get(m, "Uniqueid") != uid or name in _QUIET or get(m, "ActionID"):
            continue
        if name.startswith("Agent"):
            name += f" {get(m, 'Interface')}"
        elif name == "DialEnd":
            name += f" {get(m, 'DialStatus')}"
        elif name == "Newstate":
            name += f" {get(m, 'ChannelStateDesc')}"
        out.append(name)
    return out


async def test_queue_timeout_conforms(emulator: Emulator) -> None:
    emulator.plan.globals["FAILOPEN_TIMEOUT"] = "4"  # the dialplan's global, shortened
    client = await _engine(emulator)
    uid = emulator.place_call(CallerScript(number="+79990000005", name="Ольга"))
    seen = await client.until(event_is("Hangup", Uniqueid=uid))
    _assert_conforms(seen)
    assert _story(seen, uid) == [
        "Newchannel",
        "Newstate Ring",
        "Newstate Up",
        "QueueCallerJoin",
        "MusicOnHoldStart",
        "QueueCallerAbandon",  # record_abandoned, then the music stops, then leave_queue
        "MusicOnHoldStop",
        "QueueCallerLeave",
        "Hangup",
    ]
    abandon = next(m for m in seen if get(m, "Event") == "QueueCallerAbandon")
    assert get(abandon, "HoldTime") in ("4", "5")
    log = [line.split("|")[4:] for line in emulator.queue_log.lines]
    assert log[-1][0] == "EXITWITHTIMEOUT"
    assert log[-1][1:3] == ["1", "1"]
    await client.close()


async def test_ring_no_answer_then_answer_conforms(emulator: Emulator) -> None:
    client = await _engine(emulator)
    await _member(client, emulator, "PJSIP/101", answers=False)
    uid = emulator.place_call(CallerScript(number="+79990000006", name="Сергей"))
    seen = await client.until(event_is("AgentRingNoAnswer", Uniqueid=uid), within=20)
    emulator.bots["PJSIP/101"].answers = True  # the operator misses the first ring only
    seen += await client.until(event_is("Hangup", Uniqueid=uid), within=20)
    _assert_conforms(seen)
    assert _story(seen, uid) == [
        "Newchannel",
        "Newstate Ring",
        "Newstate Up",
        "QueueCallerJoin",
        "MusicOnHoldStart",
        "AgentCalled PJSIP/101",
        "DialBegin",
        "AgentRingNoAnswer PJSIP/101",  # rna(): the event, then the dial ends
        "DialEnd NOANSWER",
        "AgentCalled PJSIP/101",  # after `retry` seconds the strategy picks again
        "DialBegin",
        "DialEnd ANSWER",
        "MusicOnHoldStop",
        "QueueCallerLeave",
        "AgentConnect PJSIP/101",
        "BridgeEnter",
        "AgentComplete PJSIP/101",
        "BridgeLeave",
        "Hangup",
    ]
    rna = next(m for m in seen if get(m, "Event") == "AgentRingNoAnswer")
    assert get(rna, "RingTime") == "15000"
    await client.close()


async def test_list_items_conform(emulator: Emulator) -> None:
    client = await _engine(emulator)
    await _member(client, emulator, "PJSIP/101")
    await client.send(("Action", "QueuePause"), ("Interface", "PJSIP/101"), ("Paused", "true"))
    await client.until(event_is("QueueMemberPause"))
    uid = emulator.place_call(CallerScript(number="+79990000007", name="Вера"))
    await client.until(event_is("QueueCallerJoin", Uniqueid=uid))
    items: list[Headers] = []
    for action, done in (
        ("QueueStatus", "QueueStatusComplete"),
        ("CoreShowChannels", "CoreShowChannelsComplete"),
        ("Status", "StatusComplete"),
    ):
        await client.send(("Action", action), ("ActionID", action))
        got = await client.until(event_is(done))
        items += [
            m for m in got if get(m, "ActionID") == action and get(m, "Event") not in ("", done)
        ]
    assert {get(m, "Event") for m in items} == {
        "QueueParams",
        "QueueMember",
        "QueueEntry",
        "CoreShowChannel",
        "Status",
    }
    assert [p for m in items for p in check_item(m)] == []
    await client.close()


async def test_blind_transfer_to_a_partner_trunk_conforms_on_both_sides(
    make_emulator: Callable[..., Emulator],
) -> None:
    """The operator blind-transfers the citizen (AMI BlindTransfer of the operator's channel)
    to the overflow context, which dials a partner center over its trunk; that center (another
    emulator, no engine: fail-open queue) answers the call."""
    home, partner = make_emulator(), make_emulator()
    await home.start()
    await partner.start()
    home.link_trunk("partner-b", partner)
    local, remote = await _engine(home), await _engine(partner)
    try:
        home.add_operator("PJSIP/101", "Оператор", answer_delay_s=1, handle_s=(60, 60))
        await _member(local, home, "PJSIP/101")
        await _member(remote, partner, "PJSIP/201")
        uid = home.place_call(CallerScript(number="+79990000008", name="Мария"))
        seen = await local.until(event_is("AgentConnect", Uniqueid=uid))
        member = get(seen[-1], "DestChannel")
        for var, value in (("CC_PARTNER_TRUNK", "partner-b"), ("CC_PARTNER_NUMBER", "5000")):
            channel = home.pbx.channels[uid].name
            await local.send(
                ("Action", "Setvar"), ("Channel", channel), ("Variable", var), ("Value", value)
            )
        await local.send(
            ("Action", "BlindTransfer"),
            ("Channel", member),
            ("Context", "cc-overflow-out"),
            ("Exten", "s"),
            ("ActionID", "bt"),
        )
        seen += await local.until(event_is("Hangup", Uniqueid=uid), within=20)
        theirs = await remote.until(event_is("Hangup", CallerIDNum="+79990000008"), within=20)
    finally:
        await local.close()
        await remote.close()
        await home.stop()
        await partner.stop()
    reply = next(m for m in seen if get(m, "ActionID") == "bt")
    assert (get(reply, "Response"), get(reply, "Message")) == ("Success", "Transfer succeeded")
    _assert_conforms(seen)
    _assert_conforms(theirs)
    transfer = next(m for m in seen if get(m, "Event") == "BlindTransfer")
    assert get(transfer, "TransfererChannel") == member
    assert get(transfer, "TransfereeUniqueid") == uid
    assert (get(transfer, "Result"), get(transfer, "Extension")) == ("Success", "s")
    story = _story(seen, uid)
    connect = story.index("AgentConnect PJSIP/101")
    # queue_semantics.md 7: BlindTransfer, AgentComplete (Reason transfer), the caller leaves
    # the bridge and goes on in the dialplan: to the partner, until the partner's side ends.
    assert story[connect:] == [
        "AgentConnect PJSIP/101",
        "BridgeEnter",
        "AgentComplete PJSIP/101",
        "BridgeLeave",
        "DialBegin",
        "DialEnd ANSWER",
        "BridgeEnter",
        "BridgeLeave",
        "SoftHangupRequest",
        "Hangup",
    ]
    complete = next(m for m in seen if get(m, "Event") == "AgentComplete")
    assert get(complete, "Reason") == "transfer"
    assert seen.index(transfer) < seen.index(complete)
    log = [line.split("|")[4:7] for line in home.queue_log.lines]
    assert log[-1] == ["BLINDTRANSFER", "s", "cc-overflow-out"]
    remote_uid = get(next(m for m in theirs if get(m, "Event") == "Newchannel"), "Uniqueid")
    assert _story(theirs, remote_uid)[:5] == [
        "Newchannel",
        "Newstate Ring",
        "Newstate Up",
        "QueueCallerJoin",
        "MusicOnHoldStart",
    ]
    assert "AgentConnect PJSIP/201" in _story(theirs, remote_uid)


def test_the_check_itself_catches_a_missing_or_misplaced_header() -> None:
    snapshot = [(h, "x") for h in expected_headers("Newchannel")]
    good = [("Event", "Newchannel"), ("Privilege", "call,all"), ("Timestamp", "1.0"), *snapshot]
    assert check(good) == []
    assert check([m for m in good if m[0] != "Linkedid"]) == ["Newchannel: missing ['Linkedid']"]
    swapped = [*good[:3], snapshot[1], snapshot[0], *snapshot[2:]]
    assert check(swapped)[0].startswith("Newchannel: order")
    item = [("Event", "QueueEntry"), ("ActionID", "x")]
    item += [(h, "x") for h in expected_headers("QueueEntry")]
    assert check_item(item) == []
    assert check_item([*item[:2], ("Privilege", "agent,all"), *item[2:]]) == [
        "QueueEntry: a list item with Privilege"
    ]
    assert check_item([*item[:2], *item[3:]])[0].startswith("QueueEntry: missing")
    assert check([("Event", "Newchannel"), ("Privilege", "agent,all"), *snapshot])[:2] == [
        "Newchannel: starts ['Event', 'Privilege', 'Channel']",
        "Newchannel: Privilege 'agent,all'",
    ]
