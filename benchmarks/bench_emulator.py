"""Emulator throughput: AMI events/s delivered to one client, and calls/s driven end to end.

Calls run through Answer, a fail-open Queue() (no AGI server), a bot that answers at once and a
short talk, in virtual time sped up so that ring/talk waits cost little real time.
Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import time

from callcenter.clock import ScaledClock
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator, EmulatorConfig
from callcenter.emulator.wire import MessageReader, encode, get

CALLS = 1000
OPERATORS = 50
SPEED = 500.0


async def _client(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()
    writer.write(
        encode([("Action", "Login"), ("Username", "engine"), ("Secret", "change-me-engine")])
    )
    await writer.drain()
    while b"Authentication accepted" not in await reader.readline():
        pass
    return reader, writer


async def _count_events(reader: asyncio.StreamReader, hangups: int, counts: dict[str, int]) -> None:
    parser = MessageReader()
    while counts["callers_hung_up"] < hangups:
        data = await reader.read(1 << 16)
        if not data:
            return
        for message in parser.feed(data):
            if get(message, "Event"):
                counts["events"] += 1
            if get(message, "Event") == "Hangup" and get(message, "Channel").startswith(
                "PJSIP/citizen"
            ):
                counts["callers_hung_up"] += 1


async def burst(calls: int) -> dict[str, float | int]:
    """Events/s: `calls` callers arrive at once (no operators); time until one AMI client has
    read every event up to the last QueueCallerJoin."""
    emu = Emulator(EmulatorConfig(clock=ScaledClock(start=1_700_000_000.0, speed=1.0)))
    await emu.start()
    reader, writer = await _client(emu.ami_port)
    parser, events, joins = MessageReader(), 0, 0
    started = time.perf_counter()
    for n in range(calls):
        emu.place_call(CallerScript(number=f"+7998{n:07d}"))
    while joins < calls:
        data = await asyncio.wait_for(reader.read(1 << 16), 30)
        for message in parser.feed(data):
            events += 1
            joins += get(message, "Event") == "QueueCallerJoin"
    wall = time.perf_counter() - started
    writer.close()
    await emu.stop()
    return {"burst_calls": calls, "burst_events": events, "events_per_s": round(events / wall, 1)}


async def paced(calls: int, operators: int, speed: float) -> dict[str, float | int]:
    """Calls/s: one arrival per virtual second, answered by bots, talked and hung up."""
    clock = ScaledClock(start=1_700_000_000.0, speed=speed)
    emu = Emulator(EmulatorConfig(clock=clock, seed=7))
    await emu.start()
    reader, writer = await _client(emu.ami_port)
    for n in range(operators):
        interface = f"PJSIP/{101 + n}"
        emu.add_operator(interface, answer_delay_s=0.5, handle_s=(5, 10))
        writer.write(
            encode([("Action", "QueueAdd"), ("Queue", "citizens"), ("Interface", interface)])
        )
    await writer.drain()
    counts = {"events": 0, "callers_hung_up": 0}
    counter = asyncio.create_task(_count_events(reader, calls, counts))
    started = time.perf_counter()
    for n in range(calls):
        emu.place_call(CallerScript(number=f"+7999{n:07d}"))
        await clock.sleep(1.0)
    await asyncio.wait_for(counter, 120)
    wall = time.perf_counter() - started
    answered = sum(1 for c in emu.ground_truth() if c.answered_by)
    writer.close()
    await emu.stop()
    return {
        "paced_calls": calls,
        "paced_answered": answered,
        "operators": operators,
        "virtual_speed": speed,
        "paced_events": counts["events"],
        "paced_wall_s": round(wall, 3),
        "calls_per_s": round(calls / wall, 1),
        "paced_events_per_s": round(counts["events"] / wall, 1),
    }


async def main() -> dict[str, float | int]:
    return {**await burst(2000), **await paced(CALLS, OPERATORS, SPEED)}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
