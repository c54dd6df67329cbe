"""The AMI server over real TCP: login, permissions, ping, events off, garbage clients."""

from __future__ import annotations

import asyncio

from emulator_helpers import RawAmi

from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import get


async def test_banner_login_and_ping_echo_action_id(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    assert client.banner == "Asterisk Call Manager/9.0.0\r\n"
    reply = await client.login()
    assert (get(reply, "Response"), get(reply, "ActionID")) == ("Success", "login-1")
    await client.send(("Action", "Ping"), ("ActionID", "p-7"))
    messages = await client.until(lambda m: get(m, "Response") != "")
    pong = messages[-1]
    assert (get(pong, "Ping"), get(pong, "ActionID")) == ("Pong", "p-7")
    assert float(get(pong, "Timestamp")) > 1_700_000_000
    assert any(get(m, "Event") == "FullyBooted" and get(m, "Privilege") for m in messages)
    await client.close()


async def test_wrong_secret_and_unauthenticated_actions_are_refused(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.send(("Action", "Ping"), ("ActionID", "x"))
    refused = await client.next()
    assert (get(refused, "Response"), get(refused, "Message")) == ("Error", "Permission denied")
    reply = await client.login(secret="wrong")
    assert (get(reply, "Response"), get(reply, "Message")) == ("Error", "Authentication failed")
    await client.close()


async def test_monitor_may_read_but_not_redirect(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    assert get(await client.login("monitor", "change-me-monitor"), "Response") == "Success"
    await client.send(
        ("Action", "Redirect"),
        ("Channel", "PJSIP/x-1"),
        ("Context", "cc-transfer"),
        ("Exten", "s"),
        ("ActionID", "r1"),
    )
    reply = (await client.until(lambda m: get(m, "ActionID") == "r1"))[-1]
    assert (get(reply, "Response"), get(reply, "Message")) == ("Error", "Permission denied")
    await client.send(("Action", "QueueStatus"), ("ActionID", "q1"))
    listing = await client.until(lambda m: get(m, "Event") == "QueueStatusComplete")
    assert get(listing[-1], "ActionID") == "q1"
    assert [get(m, "Queue") for m in listing if get(m, "Event") == "QueueParams"] == ["citizens"]
    await client.close()


async def test_unknown_action_and_events_off(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    await client.send(("Action", "Frobnicate"), ("ActionID", "f"))
    reply = (await client.until(lambda m: get(m, "ActionID") == "f"))[-1]
    assert get(reply, "Message") == "Invalid/unknown command"
    await client.send(("Action", "Events"), ("EventMask", "off"), ("ActionID", "e"))
    await client.until(lambda m: get(m, "ActionID") == "e")
    await client.send(
        ("Action", "QueueAdd"), ("Queue", "citizens"), ("Interface", "PJSIP/101"), ("ActionID", "a")
    )
    reply = await client.next()
    assert (get(reply, "ActionID"), get(reply, "Response")) == ("a", "Success")
    await client.send(("Action", "Ping"), ("ActionID", "p"))
    assert get(await client.next(), "ActionID") == "p"  # no QueueMemberAdded in between
    await client.close()


async def test_garbage_client_is_dropped_while_another_works(emulator: Emulator) -> None:
    bad = await RawAmi.connect(emulator.ami_port)
    good = await RawAmi.connect(emulator.ami_port)
    await good.login()
    bad.writer.write(b"hello there\r\n" * 10)
    await bad.writer.drain()
    assert await asyncio.wait_for(bad.reader.read(), 5) == b""
    await good.send(("Action", "Ping"), ("ActionID", "still"))
    messages = await good.until(lambda m: get(m, "ActionID") == "still")
    assert get(messages[-1], "Ping") == "Pong"
    await good.close()
    await bad.close()


async def test_cyrillic_split_across_reads_survives(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    data = "Action: Setvar\r\nVariable: GREETING\r\nValue: Здравствуйте\r\nActionID: s\r\n\r\n"
    raw = data.encode()
    cut = raw.index("Здр".encode()) + 1  # inside the first Cyrillic letter
    client.writer.write(raw[:cut])
    await client.writer.drain()
    await asyncio.sleep(0.05)
    client.writer.write(raw[cut:])
    await client.until(lambda m: get(m, "ActionID") == "s")
    await client.send(("Action", "Getvar"), ("Variable", "GREETING"), ("ActionID", "g"))
    reply = (await client.until(lambda m: get(m, "ActionID") == "g"))[-1]
    assert get(reply, "Value") == "Здравствуйте"
    await client.close()
