"""Which events reach which client: the user's read classes, Login's `Events`, the Events action."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from emulator_helpers import RawAmi, event_is, write_manager_conf

from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import Headers, get

USERS = """
[engine]
secret = change-me-engine
read = all
write = all

[calls]
secret = c
read = call
write = all

[agents]
secret = a
read = agent,system
write = all
"""


async def _login(port: int, user: str, secret: str, events: str = "") -> RawAmi:
    client = await RawAmi.connect(port)
    headers = [("Action", "Login"), ("Username", user), ("Secret", secret), ("ActionID", "l")]
    await client.send(*headers, *([("Events", events)] if events else []))
    assert get(await client.next(), "Response") == "Success"
    return client


async def _ping_fence(client: RawAmi) -> list[Headers]:
    """Everything the client received before the answer to a Ping sent now."""
    await client.send(("Action", "Ping"), ("ActionID", "fence"))
    return (await client.until(lambda m: get(m, "ActionID") == "fence"))[:-1]


async def _member_added(emu: Emulator, port: int) -> None:
    engine = await _login(port, "engine", "change-me-engine", events="off")
    await engine.send(("Action", "QueueAdd"), ("Queue", "citizens"), ("Interface", "PJSIP/109"))
    assert get(await engine.next(), "Response") == "Success"
    await engine.close()


async def test_read_classes_decide_which_events_arrive(
    make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emu = make_emulator(manager_conf=write_manager_conf(tmp_path, USERS))
    await emu.start()
    try:
        calls = await _login(emu.ami_port, "calls", "c")
        agents = await _login(emu.ami_port, "agents", "a")
        assert get(await agents.next(), "Event") == "FullyBooted"  # only with 'system' to read
        await _member_added(emu, emu.ami_port)
        await agents.until(event_is("QueueMemberAdded"))
        assert await _ping_fence(calls) == []
        await calls.send(("Action", "Setvar"), ("Variable", "X"), ("Value", "1"))
        await calls.next()
        assert await _ping_fence(calls) == []  # VarSet is 'dialplan': not readable by `calls`
        await calls.close()
        await agents.close()
    finally:
        await emu.stop()


async def test_event_masks_of_login_and_of_the_events_action(emulator: Emulator) -> None:
    port = emulator.ami_port
    agent_only = await _login(port, "engine", "change-me-engine", events="agent")
    muted = await _login(port, "engine", "change-me-engine", events="off")
    everything = await _login(port, "engine", "change-me-engine")
    assert get(await everything.next(), "Event") == "FullyBooted"
    await _member_added(emulator, port)
    added = (await agent_only.until(event_is("QueueMemberAdded")))[-1]
    assert [k for k, _ in added][:3] == ["Event", "Privilege", "Timestamp"]
    await everything.until(event_is("QueueMemberAdded"))
    assert await _ping_fence(muted) == []

    await muted.send(("Action", "Events"), ("EventMask", "call,agent"), ("ActionID", "e1"))
    assert await muted.next() == [("Response", "Success"), ("ActionID", "e1"), ("Events", "On")]
    await agent_only.send(("Action", "Events"), ("EventMask", "off"), ("ActionID", "e2"))
    assert get(await agent_only.next(), "Events") == "Off"
    await everything.send(("Action", "Events"), ("EventMask", ""), ("ActionID", "e3"))
    assert get(await everything.next(), "Message") == "Invalid event mask"

    await everything.send(("Action", "UserEvent"), ("UserEvent", "Проверка"), ("ActionID", "u"))
    user_event = (await everything.until(event_is("UserEvent")))[-1]
    assert user_event[3:] == [("UserEvent", "Проверка"), ("ActionID", "u")]
    assert get(user_event, "Privilege") == "user,all"
    assert await _ping_fence(muted) == []  # 'user' is not in its mask
    await _member_removed(port)
    assert get((await muted.until(event_is("QueueMemberRemoved")))[-1], "Privilege") == "agent,all"
    assert await _ping_fence(agent_only) == []
    for client in (agent_only, muted, everything):
        await client.close()


async def _member_removed(port: int) -> None:
    engine = await _login(port, "engine", "change-me-engine", events="off")
    await engine.send(("Action", "QueueRemove"), ("Queue", "citizens"), ("Interface", "PJSIP/109"))
    assert get(await engine.next(), "Message") == "Removed interface from queue"
    await engine.close()
