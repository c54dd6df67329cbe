"""Real AMI clients against the emulator: panoramisk's `Manager` (plain login; panoramisk 1.4 has
no MD5 login) beside a plain-socket client logged in with MD5; both act and receive events."""

from __future__ import annotations

import asyncio
from typing import Any

from emulator_helpers import RawAmi, event_is
from panoramisk import Manager

from callcenter.emulator.emulator import Emulator
from callcenter.emulator.wire import get


async def test_panoramisk_and_an_md5_client_act_and_see_each_others_events(
    emulator: Emulator,
) -> None:
    manager = Manager(
        host="127.0.0.1",
        port=emulator.ami_port,
        username="engine",
        secret="change-me-engine",
        ping_delay=0,
        loop=asyncio.get_running_loop(),
    )
    seen: list[Any] = []
    manager.register_event("QueueMemberPause", lambda _m, message: seen.append(message))
    manager.register_event("UserEvent", lambda _m, message: seen.append(message))
    await manager.connect()
    try:
        for _ in range(100):
            if manager.authenticated:
                break
            await asyncio.sleep(0.02)
        assert manager.authenticated
        raw = await RawAmi.connect(emulator.ami_port)
        assert get(await raw.login_md5("monitor", "change-me-monitor"), "Response") == "Success"

        assert emulator.add_member("citizens", "PJSIP/105", "Оператор 105")
        paused = await manager.send_action(
            {"Action": "QueuePause", "Interface": "PJSIP/105", "Paused": "true", "Reason": "обед"}
        )
        assert (paused.Response, paused.Message) == ("Success", "Interface paused successfully")
        event = (await raw.until(event_is("QueueMemberPause")))[-1]
        assert (get(event, "Interface"), get(event, "PausedReason")) == ("PJSIP/105", "обед")

        status = await manager.send_action({"Action": "QueueStatus", "Queue": "citizens"})
        assert [m.Event for m in status] == [
            "",
            "QueueParams",
            "QueueMember",
            "QueueStatusComplete",
        ]
        assert status[2].Name == "Оператор 105"
        await raw.send(("Action", "QueueStatus"), ("ActionID", "mon-q"))
        listing = await raw.until(lambda m: get(m, "Event") == "QueueStatusComplete")
        assert [get(m, "Paused") for m in listing if get(m, "Event") == "QueueMember"] == ["1"]
        said = await manager.send_action(
            {"Action": "UserEvent", "UserEvent": "Привет", "Текст": "Пётр"}
        )
        assert said.Message == "Event Sent"
        user_event = (await raw.until(event_is("UserEvent")))[-1]
        assert (get(user_event, "UserEvent"), get(user_event, "Текст")) == ("Привет", "Пётр")
        for _ in range(100):
            if any(m.Event == "UserEvent" for m in seen):
                break
            await asyncio.sleep(0.02)
        assert [m.Event for m in seen] == ["QueueMemberPause", "UserEvent"]
        assert seen[1]["Текст"] == "Пётр"
        await raw.close()
    finally:
        manager.close()
