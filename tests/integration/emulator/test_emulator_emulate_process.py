"""`python -m callcenter emulate --config FILE` as a process: a monitoring tool logs in as the
read-only `monitor` user of the shipped manager.conf, sees the events of a call placed through
the control API, is refused a write action, and the process stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

import aiohttp
from emulator_helpers import RawAmi, event_is

from callcenter.emulator.wire import get

CONFIG = """
seed = 3
speed = 20.0
work_dir = "work"

[network]
bind = "127.0.0.1"
ami_port = 0
control_port = 0
agi = "127.0.0.1:9"

[operators]
count = 1
members = true
answer_delay_s = 1.0
handle_s = [5, 5]
"""
ANNOUNCE = re.compile(r"AMI on ([\d.]+):(\d+), control API on (http://\S+)")


async def test_emulate_with_a_config_file_serves_a_read_only_monitor(tmp_path: Path) -> None:
    config = tmp_path / "emulator.toml"
    config.write_text(CONFIG, encoding="utf-8")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "callcenter", "emulate", "--config", str(config),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        found = ANNOUNCE.search(line)
        assert found, line
        ami_port, control = int(found.group(2)), found.group(3)
        monitor = await RawAmi.connect(ami_port)
        login = await monitor.login("monitor", "change-me-monitor")
        assert get(login, "Response") == "Success"
        async with aiohttp.ClientSession() as http:
            placed = await http.post(f"{control}/calls", json={"number": "+79990000030"})
            assert placed.status == 201
            uid = (await placed.json())["uniqueid"]
        seen = await monitor.until(event_is("AgentConnect", Uniqueid=uid), within=20)
        assert {"Newchannel", "QueueCallerJoin", "AgentCalled"} <= {get(m, "Event") for m in seen}
        await monitor.send(
            ("Action", "Originate"),
            ("Channel", "PJSIP/101"),
            ("Context", "cc-notify"),
            ("Exten", "s"),
            ("Priority", "1"),
            ("ActionID", "w"),
        )
        refused = (await monitor.until(lambda m: get(m, "ActionID") == "w"))[-1]
        assert (get(refused, "Response"), get(refused, "Message")) == ("Error", "Permission denied")
        await monitor.close()
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0
    assert (tmp_path / "work" / "queue_log").read_text(encoding="utf-8").count("CONNECT") >= 1
