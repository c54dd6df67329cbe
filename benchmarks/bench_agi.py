"""FastAGI decision latency of the engine's real routes, as the shipped dialplan calls them, at 50
and 200 new calls per second.

The engine runs in a child process, built by `callcenter.bootstrap.build` exactly as `callcenter
serve` builds it, on the embedded SQLite store. This process is Asterisk: the emulator runs the
shipped extensions.conf, so every call goes through `entry` (the day menu: the caller presses a
topic key), the queue, and then `callback-offer` when the engine redirects it out of the queue
(half the callers accept, which stores a callback request before the answer) or `after-queue`
when the queue returns. Operators are few on purpose: the center is overloaded, as at a peak.

What is measured is the engine's own think time, not the session's length: the emulator plays
prompts in (virtual) real time, so a session also contains the caller listening and pressing keys.
Per AGI session, each interval from the emulator having sent the environment (or a command's
reply) to the engine's next command line (or its close) is the engine thinking; the session's
`think` is their sum, and `decision` is the first of them (connect and environment to the
engine's first command). Both are per route, p50/p99/max in milliseconds, with the sessions that
did not end with SUCCESS (the caller hung up first, or no connection) counted apart; next to them
the route's three slowest steps, by the command the engine sent after thinking, and where the
route books callbacks (`callback-offer`, `after-queue`) its `confirmation` step: the interval
before the engine plays the confirmation, which holds the wait until the request is committed.
Both processes share the machine; the load average and the CPU seconds of each side are printed
with them.

    .venv/bin/python benchmarks/bench_agi.py [--rates 50,200] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import socket
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.clock import ScaledClock
from callcenter.emulator.agi_client import AgiSession, AgiTarget, parse_args
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.dialplan import apps_calls
from callcenter.emulator.emulator import Emulator, EmulatorConfig

TZ = "Europe/Moscow"
DAY = datetime(2026, 11, 24, 11, 0, tzinfo=ZoneInfo(TZ)).timestamp()
OPERATORS = 10
ENGINE_READY_S = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# The engine's process ----------------------------------------------------------------------


async def serve(ami_port: int, agi_port: int, real_start: float) -> None:
    from aiohttp import web

    from callcenter.bootstrap import BuildOptions, build
    from callcenter.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            mode="development",
            timezone=TZ,
            database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
            ami_port=ami_port,
            agi_port=agi_port,
            sounds_dir=f"{tmp}/sounds",
            recordings_dir=f"{tmp}/recordings",
            log_level="ERROR",
        )
        app = build(settings, BuildOptions(clock=shared_clock(real_start)))
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()  # database migrated, FastAGI listening, AMI connecting
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()


def shared_clock(real_start: float) -> ScaledClock:
    """The center's day, at real speed; both processes read the same CLOCK_MONOTONIC."""
    return ScaledClock(start=DAY + (time.monotonic() - real_start), speed=1.0)


# Asterisk's process --------------------------------------------------------------------------

THINK: dict[str, list[float]] = defaultdict(list)
# route -> the engine's next command (its first three words, "(close)" for the end) -> the
# intervals that ended with it: where in a route the engine's time goes
STEPS: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
SLOWEST_STEPS = 3
# The callback route's last decision: the engine's interval before it plays the confirmation,
# which holds feeding the acceptance to the engine and waiting until the request is committed.
CONFIRMATION_STEP = "STREAM FILE callcenter/cc-callback-confirmed"
DECISION: dict[str, list[float]] = defaultdict(list)
COMMANDS: dict[str, list[int]] = defaultdict(list)
# Sessions that did not end with SUCCESS, by status: HANGUP (the caller gave up, 75 s after joining
# the queue, before the engine closed the session) or FAILURE (no connection). Their times are not
# in the percentiles, which therefore flatter a route with many of them.
FAILED: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))


def route_name(url: str) -> str:
    """`agi://host:port/callback-offer?x` -> `callback-offer`."""
    return url.split("?")[0].rstrip("/").rpartition("/")[2] or url


class TimedSession(AgiSession):
    """The emulator's own FastAGI client, timing the engine between its replies and the next
    command; what the emulator does with each command (and its media time) is left out."""

    async def run(self, target: AgiTarget, route: str, args: list[str]) -> str:
        self.thinking: list[float] = []
        self.steps: list[str] = []
        self.sent_at = time.perf_counter()  # connect and environment: the engine's turn
        status = await super().run(target, route, args)
        name = route_name(route)
        if status == "SUCCESS" and self.thinking:
            THINK[name].append(sum(self.thinking) * 1000)
            DECISION[name].append(self.thinking[0] * 1000)
            COMMANDS[name].append(len(self.thinking) - 1)
            for step, interval in zip(self.steps, self.thinking, strict=True):
                STEPS[name][step].append(interval * 1000)
        else:
            FAILED[name][status] += 1
        return status

    async def _loop(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await super()._loop(reader, writer)
        self.thinking.append(time.perf_counter() - self.sent_at)  # until the engine's close
        self.steps.append("(close)")

    async def execute(self, text: str) -> bytes:
        self.thinking.append(time.perf_counter() - self.sent_at)
        self.steps.append(" ".join(parse_args(text)[:3]))
        reply = await super().execute(text)
        self.sent_at = time.perf_counter()  # the session writes the reply right away
        return reply


async def run_rate(rate: int, seconds: float) -> dict[str, Any]:
    THINK.clear()
    STEPS.clear()
    DECISION.clear()
    COMMANDS.clear()
    FAILED.clear()
    real_start = time.monotonic()
    cpu_before = cpu_seconds()
    agi_port = free_port()
    emulator = Emulator(
        EmulatorConfig(agi_port=agi_port, clock=shared_clock(real_start), timezone=TZ, seed=rate)
    )
    for n in range(OPERATORS):
        interface = f"PJSIP/{100 + n}"
        # The operator ends the conversation; the caller goes on to `after-queue` (option c).
        emulator.add_operator(interface, answer_delay_s=1.0, handle_s=(5.0, 10.0))
        emulator.add_member("citizens", interface)
    await emulator.start()
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", str(emulator.ami_port), str(agi_port),
        str(real_start), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        assert child.stdin is not None
        await asyncio.wait_for(child.stdout.readline(), ENGINE_READY_S)
        await wait_for_engine_login(emulator)
        placed = await place_calls(emulator, rate, seconds)
        await settle(emulator, placed)
        child.stdin.close()
        await child.wait()
    finally:
        if child.returncode is None:
            child.kill()
        await emulator.stop()
    cpu_after = cpu_seconds()
    engine_cpu, own_cpu = cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]
    result = summary(rate, len(placed), time.monotonic() - real_start)
    result["cpu_s"] = {"engine": round(engine_cpu, 1), "asterisk_emulator": round(own_cpu, 1)}
    return result


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds of finished child processes (the engine) and of this process."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime, own.ru_utime + own.ru_stime


async def wait_for_engine_login(emulator: Emulator) -> None:
    deadline = time.monotonic() + ENGINE_READY_S
    while not any(a.get("Action", "").lower() == "login" for a in emulator.actions):
        if time.monotonic() > deadline:
            raise RuntimeError("the engine did not log in to the emulator's AMI")
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # the engine's resync (QueueStatus, CoreShowChannels)


async def place_calls(emulator: Emulator, rate: int, seconds: float) -> list[str]:
    total = int(rate * seconds)
    start = time.perf_counter()
    placed = []
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        script = CallerScript(
            number=f"+7916{rate:03d}{i:04d}",
            digits={"day_topics": "1"},
            accept_callback=i % 2 == 0,
            # Who declines stays until Queue()'s own timeout (limit + grace) sends them to
            # `after-queue`, and gives up after that.
            patience_s=75.0,
        )
        placed.append(emulator.place_call(script))
    return placed


async def settle(emulator: Emulator, placed: list[str], limit_s: float = 100.0) -> None:
    """Until every call has ended: served, called back later, or given up."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        truths = [emulator.truth.get(uid) for uid in placed]
        if all(t is not None and t.ended_at for t in truths):
            break
        await asyncio.sleep(0.25)
    await asyncio.sleep(1.0)  # the last sessions close


def summary(rate: int, calls: int, wall_s: float) -> dict[str, Any]:
    routes: dict[str, dict[str, Any]] = {}
    for route in sorted({*THINK, *FAILED}):
        routes[route] = {"sessions": len(THINK.get(route, [])), "not_success": dict(FAILED[route])}
        if THINK.get(route):
            routes[route] |= {
                "agi_commands_median": statistics.median(COMMANDS[route]),
                "decision_ms": percentiles(DECISION[route]),
                "think_ms": percentiles(THINK[route]),
                "slowest_steps_ms": slowest_steps(STEPS[route]),
            }
            confirmed = STEPS[route].get(CONFIRMATION_STEP)
            if confirmed:  # its interval holds the wait for the request's commit
                routes[route]["confirmation_ms"] = percentiles(confirmed)
    load = [round(x, 1) for x in os.getloadavg()]
    return {
        "new_calls_per_s": rate,
        "calls": calls,
        "wall_s": round(wall_s, 1),
        "load_average_1_5_15": load,
        "routes": routes,
    }


def slowest_steps(steps: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """The steps with the highest p99: the engine's interval before each such command."""
    figures = {step: percentiles(values) for step, values in steps.items()}
    ranked = sorted(figures, key=lambda step: figures[step]["p99"], reverse=True)
    return {step: figures[step] for step in ranked[:SLOWEST_STEPS]}


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 2),
        "p99": round(ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)], 2),
        "max": round(ordered[-1], 2),
    }


async def drive(args: argparse.Namespace) -> dict[str, Any]:
    apps_calls.AgiSession = TimedSession  # type: ignore[attr-defined]  # the dialplan's AGI()
    runs = [await run_rate(int(r), args.seconds) for r in args.rates.split(",")]
    return {
        "benchmark": "agi_decision_latency",
        "engine": "callcenter.bootstrap.build, SQLite, own process; Asterisk: the emulator",
        "measured": (
            "engine think time per AGI session, ms, per route: decision = connect and "
            "environment to the first command; think = sum of every interval from the "
            "emulator's reply to the engine's next command or close"
        ),
        "operators": OPERATORS,
        "seconds_of_arrivals": args.seconds,
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="50,200")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        ami, agi, real_start = args.serve
        asyncio.run(serve(int(ami), int(agi), float(real_start)))
        return
    print(json.dumps(asyncio.run(drive(args))))


if __name__ == "__main__":
    main()
