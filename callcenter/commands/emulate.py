"""`callcenter emulate`: run the Asterisk emulator (AMI server, FastAGI client, queue model)
standalone, with its HTTP control API, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from callcenter.clock import ScaledClock, SystemClock
from callcenter.commands._runner import serve_until_stopped
from callcenter.emulator.callers import TraceError, read_trace
from callcenter.emulator.conf import ConfError
from callcenter.emulator.control import make_app
from callcenter.emulator.emulator import SHIPPED_MANAGER_CONF, Emulator, EmulatorConfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ami-port", type=int, default=5038)
    parser.add_argument("--control-port", type=int, default=8088)
    parser.add_argument("--agi", default="127.0.0.1:4573", help="the engine's FastAGI HOST:PORT")
    parser.add_argument("--speed", type=float, default=1.0, help="virtual time speed-up")
    parser.add_argument("--operators", type=int, default=0, help="operator bots PJSIP/101...")
    parser.add_argument("--rate", type=float, default=0.0, help="citizen calls per hour")
    parser.add_argument("--duration", type=float, default=8 * 3600.0, help="load duration, s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--profile", type=_profile, default=None,
        help="24 comma-separated hourly rates (calls per hour by local hour) instead of --rate",
    )  # fmt: skip
    parser.add_argument(
        "--trace", type=Path, default=None,
        help="replay calls from a CSV trace: arrival,service,patience[,topic] in seconds",
    )  # fmt: skip
    parser.add_argument("--queues-conf", type=Path, default=None, help="default: the shipped one")
    parser.add_argument("--work-dir", type=Path, default=Path("var/emulator"))
    parser.add_argument("--queue-log", type=Path, default=None, help="default: WORK_DIR/queue_log")
    parser.add_argument(
        "--manager-conf",
        type=Path,
        default=SHIPPED_MANAGER_CONF,
        help="manager.conf with the AMI users (default: the one we ship)",
    )
    parser.add_argument(
        "--dialplan", type=Path, default=None, help="extensions.conf to run (default: shipped)"
    )
    parser.add_argument(
        "--members", action="store_true", help="also add the bots to the queue (no engine)"
    )


def build(args: argparse.Namespace) -> Emulator:
    host, _, port = args.agi.rpartition(":")
    clock = SystemClock() if args.speed == 1 else ScaledClock(start=time.time(), speed=args.speed)
    config = EmulatorConfig(
        ami_port=args.ami_port,
        agi_host=host or "127.0.0.1",
        agi_port=int(port),
        clock=clock,
        seed=args.seed,
        queues_conf=args.queues_conf,
        work_dir=args.work_dir,
        queue_log_path=args.queue_log,
        manager_conf=args.manager_conf,
    )
    if args.dialplan is not None:
        config.dialplan = args.dialplan
    return Emulator(config)


def _profile(text: str) -> tuple[float, ...]:
    try:
        rates = tuple(float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("rates must be numbers") from None
    if len(rates) != 24 or any(r < 0 for r in rates):
        raise argparse.ArgumentTypeError("24 comma-separated rates, not negative")
    return rates


async def _main(args: argparse.Namespace) -> None:
    calls = read_trace(args.trace) if args.trace is not None else None
    emu = build(args)
    await emu.start()
    for n in range(args.operators):
        bot = emu.add_operator(f"PJSIP/{101 + n}", f"Оператор {101 + n}")
        if args.members:
            emu.add_member("citizens", bot.interface, bot.name)
    if calls is not None:
        emu.replay_trace(calls)
    elif args.rate > 0 or args.profile is not None:
        local = datetime.now().astimezone().tzinfo or UTC
        emu.start_load(
            rate_per_hour=args.rate, duration_s=args.duration, profile=args.profile, tz=local
        )

    def announce(url: str) -> None:
        print(f"emulator: AMI on 127.0.0.1:{emu.ami_port}, control API on {url}", flush=True)

    try:
        await serve_until_stopped(make_app(emu), "127.0.0.1", args.control_port, announce)
    finally:
        await emu.stop()


def run(args: argparse.Namespace) -> int:
    try:
        asyncio.run(_main(args))
    except (TraceError, ConfError, OSError) as exc:
        print(f"emulate: {exc}", file=sys.stderr)
        return 2
    return 0
