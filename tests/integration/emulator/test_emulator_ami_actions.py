"""AMI actions and event lists answered as Asterisk 20 answers them (an `admin` user with every
class, from a manager.conf written for the test, so that Command is allowed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from emulator_helpers import RawAmi, event_is, write_manager_conf

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import Headers, get

ADMIN = "[admin]\nsecret = s3cret\npermit = 127.0.0.1/255.255.255.255\nread = all\nwrite = all\n"


@pytest.fixture
async def admin(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> AsyncIterator[tuple[Emulator, RawAmi]]:
    emu = make_emulator(manager_conf=write_manager_conf(tmp_path, ADMIN, "timestampevents = yes"))
    await emu.start()
    client = await RawAmi.connect(emu.ami_port)
    assert get(await client.login("admin", "s3cret"), "Response") == "Success"
    await client.next()  # FullyBooted
    try:
        yield emu, client
    finally:
        await client.close()
        await emu.stop()


async def ask(client: RawAmi, action: str, *headers: tuple[str, str]) -> Headers:
    """The response to one action (events before it are skipped)."""
    await client.send(("Action", action), *headers, ("ActionID", f"id-{action}"))
    seen = await client.until(lambda m: get(m, "Response") != "" and get(m, "ActionID") != "")
    return seen[-1]


async def listing(
    client: RawAmi, action: str, complete: str, *headers: tuple[str, str]
) -> list[Headers]:
    await client.send(("Action", action), *headers, ("ActionID", "L1"))
    seen = await client.until(lambda m: get(m, "Event") == complete)
    start = next(i for i, m in enumerate(seen) if get(m, "Response"))
    return [m for m in seen[start:] if get(m, "ActionID") == "L1"]


async def test_command_core_show_version_and_queue_show(admin: tuple[Emulator, RawAmi]) -> None:
    emu, client = admin
    reply = await ask(client, "Command", ("Command", "core show version"))
    assert [k for k, _ in reply] == ["Response", "ActionID", "Message", "Output"]
    assert get(reply, "Output").startswith("Asterisk 20.")
    emu.add_member("citizens", "PJSIP/101", "Оператор 101")
    shown = await ask(client, "Command", ("Command", "queue show citizens"))
    outputs = [v for k, v in shown if k == "Output"]
    assert outputs[0].startswith("citizens has 0 calls (max unlimited) in 'leastrecent' strategy")
    assert outputs[1:3] == ["   Members: ", outputs[2]]
    assert outputs[2].startswith("      Оператор 101 (PJSIP/101) (ringinuse disabled) (dynamic)")
    assert outputs[-1] == "   No Callers"
    bad = await ask(client, "Command", ("Command", "frob nicate"))
    assert (get(bad, "Response"), get(bad, "Output")) == (
        "Error",
        "No such command 'frob nicate' (type 'core show help frob nicate' for other possible "
        "commands)",
    )
    assert get(await ask(client, "Command"), "Message") == "No command provided"


async def test_list_actions_carry_eventlist_listitems_and_action_ids(
    admin: tuple[Emulator, RawAmi],
) -> None:
    emu, client = admin
    emu.add_member("citizens", "PJSIP/101", "Оператор 101")  # no bot: unavailable, never rung
    uid = emu.place_call(CallerScript(number="+79990000010", name="Пётр"))
    await client.until(event_is("QueueCallerJoin", Uniqueid=uid))

    status = await listing(client, "QueueStatus", "QueueStatusComplete")
    assert [get(m, "Event") or get(m, "Response") for m in status] == [
        "Success",
        "QueueParams",
        "QueueMember",
        "QueueEntry",
        "QueueStatusComplete",
    ]
    assert status[0][1:] == [
        ("ActionID", "L1"),
        ("EventList", "start"),
        ("Message", "Queue status will follow"),
    ]
    assert all(get(m, "Privilege") == "" for m in status[1:])
    assert [k for k, _ in status[3]][-1] == "ActionID"  # app_queue puts it last
    assert (get(status[3], "CallerIDName"), get(status[3], "ConnectedLineNum")) == (
        "Пётр",
        "unknown",
    )
    assert status[-1][1:] == [("ActionID", "L1"), ("EventList", "Complete"), ("ListItems", "3")]

    summary = await listing(client, "QueueSummary", "QueueSummaryComplete", ("Queue", "citizens"))
    assert get(summary[1], "Callers") == "1"
    assert (get(summary[1], "LoggedIn"), get(summary[1], "Available")) == ("0", "0")

    channels = await listing(client, "CoreShowChannels", "CoreShowChannelsComplete")
    assert [k for k, _ in channels[1]][:3] == ["Event", "ActionID", "Channel"]
    assert get(channels[1], "Application") == "Queue"
    assert get(channels[-1], "ListItems") == "1"

    one = await listing(client, "Status", "StatusComplete", ("Variables", "AGISTATUS"))
    assert [k for k, _ in one[1]][:3] == ["Event", "Privilege", "Channel"]
    assert get(one[1], "Privilege") == "Call"
    assert get(one[1], "Variable") == "AGISTATUS=FAILURE"
    assert one[-1][-2:] == [("ListItems", "1"), ("Items", "1")]
    missing = await ask(client, "Status", ("Channel", "PJSIP/nobody-0001"))
    assert get(missing, "Message") == "No such channel"


async def test_call_actions_and_their_refusals(admin: tuple[Emulator, RawAmi]) -> None:
    emu, client = admin
    uid = emu.place_call(CallerScript(number="+79990000011", name="Анна"))
    await client.until(event_is("QueueCallerJoin", Uniqueid=uid))
    name = emu.pbx.channels[uid].name
    no_prio = await ask(client, "Redirect", ("Channel", name), ("Context", "x"), ("Exten", "s"))
    assert get(no_prio, "Message") == "Priority not specified"
    gone = await ask(
        client,
        "Redirect",
        ("Channel", "PJSIP/x-1"),
        ("Context", "x"),
        ("Exten", "s"),
        ("Priority", "1"),
    )
    assert get(gone, "Message") == "Channel does not exist: PJSIP/x-1"
    assert get(await ask(client, "Setvar", ("Channel", "nope"), ("Variable", "A")), "Message") == (
        "No such channel"
    )
    assert get(await ask(client, "Getvar"), "Message") == "No variable specified"
    await ask(client, "Setvar", ("Channel", name), ("Variable", "ИМЯ"), ("Value", 'Анна "А"'))
    varset = (await client.until(event_is("VarSet", Variable="ИМЯ")))[-1]
    assert get(varset, "Value") == 'Анна \\"А\\"'  # C-escaped as Asterisk writes it
    got = await ask(client, "Getvar", ("Channel", name), ("Variable", "ИМЯ"))
    assert get(got, "Value") == 'Анна "А"'
    assert get(await ask(client, "Hangup", ("Channel", "nope")), "Message") == "No such channel"
    hung = await ask(client, "Hangup", ("Channel", name), ("Cause", "21"))
    assert get(hung, "Message") == "Channel Hungup"
    soft = (await client.until(event_is("SoftHangupRequest", Uniqueid=uid)))[-1]
    assert get(soft, "Cause") == "21"
    hangup = (await client.until(event_is("Hangup", Uniqueid=uid)))[-1]
    assert (get(hangup, "Cause"), get(hangup, "Cause-txt")) == ("21", "Call Rejected")


async def test_originate_sync_answers_after_the_call_async_at_once(
    admin: tuple[Emulator, RawAmi],
) -> None:
    emu, client = admin
    emu.add_operator("PJSIP/103", "Оператор", answer_delay_s=1, handle_s=(2, 2))
    base = [("Context", "cc-callback-out"), ("Exten", "100"), ("Priority", "1")]
    answered = await ask(client, "Originate", ("Channel", "PJSIP/103"), *base)
    assert get(answered, "Message") == "Originate successfully queued"
    failed = await ask(client, "Originate", ("Channel", "PJSIP/999"), *base)
    assert get(failed, "Message") == "Originate failed"
    assert get(await ask(client, "Originate", ("Channel", "nochannel")), "Message") == (
        "Invalid channel"
    )
    queued = await ask(client, "Originate", ("Channel", "PJSIP/998"), ("Async", "true"), *base)
    assert get(queued, "Message") == "Originate successfully queued"
    outcome = (await client.until(event_is("OriginateResponse")))[-1]
    assert get(outcome, "ActionID") == "id-Originate"
    assert (get(outcome, "Response"), get(outcome, "Channel"), get(outcome, "Uniqueid")) == (
        "Failure",
        "PJSIP/998",
        "<unknown>",
    )


async def test_queue_member_actions_and_queue_log(admin: tuple[Emulator, RawAmi]) -> None:
    emu, client = admin
    assert get(await ask(client, "QueueAdd", ("Interface", "PJSIP/1")), "Message") == (
        "'Queue' not specified."
    )
    await ask(client, "QueueAdd", ("Queue", "citizens"), ("Interface", "PJSIP/104"))
    unpaused = await ask(client, "QueuePause", ("Interface", "PJSIP/104"), ("Paused", "false"))
    assert get(unpaused, "Message") == "Interface unpaused successfully"
    assert get(await ask(client, "QueuePause", ("Interface", "PJSIP/104")), "Message") == (
        "Need 'Interface' and 'Paused' parameters."
    )
    bad = await ask(client, "QueuePenalty", ("Interface", "PJSIP/104"), ("Penalty", "-1"))
    assert get(bad, "Message") == "Invalid interface, queuename or penalty"
    logged = await ask(
        client, "QueueLog", ("Queue", "citizens"), ("Event", "CC_NOTE"), ("Message", "всё хорошо")
    )
    assert get(logged, "Message") == "Event added successfully"
    assert emu.queue_log.lines[-1].endswith("|NONE|citizens|NONE|CC_NOTE|всё хорошо")
    removed = await ask(client, "QueueRemove", ("Queue", "nowhere"), ("Interface", "PJSIP/104"))
    assert get(removed, "Message") == "Unable to remove interface from queue: No such queue"
