"""`callcenter emulate`: run the Asterisk emulator (AMI server, FastAGI client, queue model)
standalone, with its HTTP control API, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from callcenter.clock import ScaledClock, SystemClock
from callcenter.commands._runner import serve_until_stopped
from callcenter.emulator.control import make_app
from callcenter.emulator.emulator import Emulator, EmulatorConfig


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
    )
    if args.dialplan is not None:
        config.dialplan = args.dialplan
    return Emulator(config)


async def _main(args: argparse.Namespace) -> None:
    emu = build(args)
    await emu.start()
    for n in range(args.operators):
        bot = emu.add_operator(f"PJSIP/{101 + n}", f"Оператор {101 + n}")
        if args.members:
            emu.add_member("citizens", bot.interface, bot.name)
    if args.rate > 0:
        emu.start_load(rate_per_hour=args.rate, duration_s=args.duration)

    def announce(url: str) -> None:
        print(f"emulator: AMI on 127.0.0.1:{emu.ami_port}, control API on {url}", flush=True)

    try:
        await serve_until_stopped(make_app(emu), "127.0.0.1", args.control_port, announce)
    finally:
        await emu.stop()


def run(args: argparse.Namespace) -> int:
    asyncio.run(_main(args))
    return 0
