"""The AMI server over real TCP, against the shipped asterisk_conf/manager.conf: login (plain and
MD5), refusals with Asterisk's messages, read/write classes, permit/deny, garbage clients."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from emulator_helpers import RawAmi, write_manager_conf

from callcenter.emulator.emulator import SHIPPED_MANAGER_CONF, Emulator
from callcenter.emulator.wire import get

UNKNOWN = (
    "Invalid/unknown command: Frobnicate. Use Action: ListCommands to show available commands."
)


async def test_banner_login_and_ping_echo_action_id(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    assert client.banner == "Asterisk Call Manager/9.0.0\r\n"
    reply = await client.login()
    assert reply == [
        ("Response", "Success"),
        ("ActionID", "login-1"),
        ("Message", "Authentication accepted"),
    ]
    booted = await client.next()
    assert [k for k, _ in booted] == ["Event", "Privilege", "Uptime", "LastReload", "Status"]
    assert get(booted, "Privilege") == "system,all"
    await client.send(("Action", "Ping"), ("ActionID", "p-7"))
    pong = await client.next()
    assert [k for k, _ in pong] == ["Response", "ActionID", "Ping", "Timestamp"]
    assert (get(pong, "Ping"), get(pong, "ActionID")) == ("Pong", "p-7")
    assert float(get(pong, "Timestamp")) > 1_700_000_000
    await client.close()


async def test_md5_challenge_login_with_the_secret_of_manager_conf(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.send(("Action", "Challenge"), ("AuthType", "MD5"), ("ActionID", "c"))
    challenge = await client.next()
    assert [k for k, _ in challenge] == ["Response", "ActionID", "Challenge"]
    assert get(challenge, "Challenge").isdigit()
    reply = await client.login_md5("monitor", "change-me-monitor")  # asks again: same challenge
    assert get(reply, "Message") == "Authentication accepted"
    await client.send(("Action", "Login"), ("Username", "monitor"), ("ActionID", "again"))
    again = (await client.until(lambda m: get(m, "ActionID") == "again"))[-1]
    assert get(again, "Message") == "Already authenticated"
    await client.close()


async def test_a_wrong_md5_key_is_refused_and_the_connection_closed(
    make_emulator: Callable[..., Emulator],
) -> None:
    emu = make_emulator(ami_login_failure_delay_s=0.05)
    await emu.start()
    try:
        client = await RawAmi.connect(emu.ami_port)
        reply = await client.login_md5("engine", "not-the-secret")
        assert (get(reply, "Response"), get(reply, "Message")) == (
            "Error",
            "Authentication failed",
        )
        assert await client.closed()
        no_challenge = await RawAmi.connect(emu.ami_port)  # a Key without a Challenge first
        await no_challenge.send(
            ("Action", "Login"), ("AuthType", "MD5"), ("Username", "engine"), ("Key", "00")
        )
        assert get(await no_challenge.next(), "Message") == "Authentication failed"
        assert await no_challenge.closed()
    finally:
        await emu.stop()


async def test_unauthenticated_wrong_secret_and_missing_action_are_refused(
    emulator: Emulator,
) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.send(("Action", "Ping"), ("ActionID", "x"))
    assert await client.next() == [
        ("Response", "Error"),
        ("ActionID", "x"),
        ("Message", "Permission denied"),
    ]
    await client.send(("ActionID", "y"))
    assert get(await client.next(), "Message") == "Missing action in request"
    await client.send(("Action", "Challenge"), ("AuthType", "plain"))
    assert get(await client.next(), "Message") == "Must specify AuthType"
    reply = await client.login(secret="wrong")
    assert (get(reply, "Response"), get(reply, "Message")) == ("Error", "Authentication failed")
    assert await client.closed()
    stranger = await RawAmi.connect(emulator.ami_port)
    assert get(await stranger.login("nobody", "x"), "Message") == "Authentication failed"
    assert await stranger.closed()


async def test_monitor_reads_events_and_lists_but_may_not_write(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    assert get(await client.login("monitor", "change-me-monitor"), "Response") == "Success"
    for action in ("Redirect", "QueueAdd", "Originate", "Setvar", "Hangup", "UserEvent"):
        await client.send(("Action", action), ("ActionID", action))
        reply = (await client.until(lambda m, a=action: get(m, "ActionID") == a))[-1]
        assert (get(reply, "Response"), get(reply, "Message")) == ("Error", "Permission denied")
    await client.send(("Action", "QueueStatus"), ("ActionID", "q1"))
    listing = await client.until(lambda m: get(m, "Event") == "QueueStatusComplete")
    assert [get(m, "Queue") for m in listing if get(m, "Event") == "QueueParams"] == ["citizens"]
    engine = await RawAmi.connect(emulator.ami_port)
    await engine.login()
    await engine.send(
        ("Action", "QueueAdd"), ("Queue", "citizens"), ("Interface", "PJSIP/101"), ("ActionID", "a")
    )
    added = await client.until(lambda m: get(m, "Event") == "QueueMemberAdded")
    assert get(added[-1], "Privilege") == "agent,all"
    await client.close()
    await engine.close()


async def test_unknown_action_gets_asterisks_message(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    await client.send(("Action", "Frobnicate"), ("ActionID", "f"))
    reply = (await client.until(lambda m: get(m, "ActionID") == "f"))[-1]
    assert (get(reply, "Response"), get(reply, "Message")) == ("Error", UNKNOWN)
    await client.close()


async def test_the_engine_may_not_run_cli_commands(emulator: Emulator) -> None:
    """write = call,agent,user,originate,reporting: no 'command' class for the engine."""
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    await client.send(("Action", "Command"), ("Command", "core show version"), ("ActionID", "c"))
    reply = (await client.until(lambda m: get(m, "ActionID") == "c"))[-1]
    assert get(reply, "Message") == "Permission denied"
    await client.close()


async def test_permit_deny_of_manager_conf_refuses_another_address(emulator: Emulator) -> None:
    """manager.conf permits 127.0.0.1/32 but not 127.0.0.2: Asterisk answers as for a bad
    secret and closes the connection."""
    refused = await RawAmi.connect(emulator.ami_port, source="127.0.0.2")
    reply = await refused.login()
    assert (get(reply, "Response"), get(reply, "Message")) == ("Error", "Authentication failed")
    assert await refused.closed()
    allowed = await RawAmi.connect(emulator.ami_port, source="127.0.0.1")
    assert get(await allowed.login(), "Response") == "Success"
    await allowed.close()


async def test_acl_rules_apply_in_order_the_last_match_wins(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    conf = write_manager_conf(
        tmp_path,
        "[ops]\nsecret = s\npermit = 127.0.0.0/255.0.0.0\ndeny = 127.0.0.2/255.255.255.255\n"
        "read = all\nwrite = all\n",
    )
    emu = make_emulator(manager_conf=conf, ami_login_failure_delay_s=0.05)
    await emu.start()
    try:
        first = await RawAmi.connect(emu.ami_port, source="127.0.0.2")
        assert get(await first.login("ops", "s"), "Response") == "Error"
        assert await first.closed()
        second = await RawAmi.connect(emu.ami_port, source="127.0.0.3")
        assert get(await second.login("ops", "s"), "Response") == "Success"
        await second.close()
    finally:
        await emu.stop()


async def test_garbage_client_is_dropped_at_authtimeout_while_another_works(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    users = SHIPPED_MANAGER_CONF.read_text(encoding="utf-8").split("[engine]", 1)[1]
    conf = write_manager_conf(tmp_path, "[engine]" + users, general="authtimeout = 1")
    emu = make_emulator(manager_conf=conf)
    await emu.start()
    try:
        bad = await RawAmi.connect(emu.ami_port)
        good = await RawAmi.connect(emu.ami_port)
        await good.login()
        bad.writer.write(b"hello there\r\n\r\n" + b"\x00\xff" * 3000 + b"\r\n\r\n")
        await bad.writer.drain()
        assert await bad.next() == [("Response", "Error"), ("Message", "Missing action in request")]
        too_long = await bad.next()
        assert get(too_long, "Message") == "Failed to parse message: line too long"
        assert await bad.closed(within=5)  # authtimeout = 1 s without a login
        await asyncio.sleep(1.2)  # past authtimeout: a logged-in client is not affected
        await good.send(("Action", "Ping"), ("ActionID", "still"))
        messages = await good.until(lambda m: get(m, "ActionID") == "still")
        assert get(messages[-1], "Ping") == "Pong"
        await good.close()
    finally:
        await emu.stop()


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
    assert reply == [
        ("Response", "Success"),
        ("ActionID", "g"),
        ("Variable", "GREETING"),
        ("Value", "Здравствуйте"),
    ]
    await client.close()


async def test_logoff_says_goodbye_and_closes(emulator: Emulator) -> None:
    client = await RawAmi.connect(emulator.ami_port)
    await client.login()
    await client.send(("Action", "Logoff"), ("ActionID", "bye"))
    reply = (await client.until(lambda m: get(m, "ActionID") == "bye"))[-1]
    assert reply == [
        ("Response", "Goodbye"),
        ("ActionID", "bye"),
        ("Message", "Thanks for all the fish."),
    ]
    assert await client.closed()
