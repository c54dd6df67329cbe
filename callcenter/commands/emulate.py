"""`callcenter emulate`: run the Asterisk emulator (AMI server, FastAGI client, queue model)
standalone, with its HTTP control API, until Ctrl-C or SIGTERM. Settings come from flags and
from a TOML file (`--config`, see emulate_config.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callcenter.clock import ScaledClock, SystemClock
from callcenter.commands._runner import serve_until_stopped
from callcenter.commands.emulate_config import ConfigError, resolve
from callcenter.emulator.callers import TraceError, read_trace
from callcenter.emulator.conf import ConfError
from callcenter.emulator.control import make_app
from callcenter.emulator.emulator import SHIPPED_MANAGER_CONF, Emulator, EmulatorConfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags default to None: a flag not given takes the config file's value, else the default
    of `emulate_config.SETTINGS`."""
    parser.add_argument(
        "--config", type=Path, default=None, help="TOML settings file (flags override it)"
    )
    parser.add_argument("--bind", default=None, help="host of the AMI and control API")
    parser.add_argument("--ami-port", type=int, default=None, help="default 5038")
    parser.add_argument("--control-port", type=int, default=None, help="default 8088")
    parser.add_argument("--agi", default=None, help="the engine's FastAGI HOST:PORT")
    parser.add_argument("--speed", type=float, default=None, help="virtual time speed-up")
    parser.add_argument("--operators", type=int, default=None, help="operator bots PJSIP/101...")
    parser.add_argument("--rate", type=float, default=None, help="citizen calls per hour")
    parser.add_argument("--duration", type=float, default=None, help="load duration, s")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--timezone", default=None, help="GotoIfTime's and the profile's zone")
    parser.add_argument("--sounds-dir", type=Path, default=None, help="prompt WAV files")
    parser.add_argument(
        "--profile", type=_profile, default=None,
        help="24 comma-separated hourly rates (calls per hour by local hour) instead of --rate",
    )  # fmt: skip
    parser.add_argument(
        "--trace", type=Path, default=None,
        help="replay calls from a CSV trace: arrival,service,patience[,topic] in seconds",
    )  # fmt: skip
    parser.add_argument("--queues-conf", type=Path, default=None, help="default: the shipped one")
    parser.add_argument("--work-dir", type=Path, default=None, help="default var/emulator")
    parser.add_argument("--queue-log", type=Path, default=None, help="default: WORK_DIR/queue_log")
    parser.add_argument(
        "--manager-conf",
        type=Path,
        default=None,
        help="manager.conf with the AMI users (default: the one we ship)",
    )
    parser.add_argument(
        "--dialplan", type=Path, default=None, help="extensions.conf to run (default: shipped)"
    )
    parser.add_argument(
        "--members",
        action="store_true",
        default=None,
        help="also add the bots to the queue (no engine)",
    )


def build(args: argparse.Namespace) -> Emulator:
    args = resolve(args)
    host, _, port = args.agi.rpartition(":")
    clock = SystemClock() if args.speed == 1 else ScaledClock(start=time.time(), speed=args.speed)
    config = EmulatorConfig(
        ami_host=args.bind,
        ami_port=args.ami_port,
        agi_host=host or "127.0.0.1",
        agi_port=int(port),
        clock=clock,
        seed=args.seed,
        queues_conf=args.queues_conf,
        work_dir=args.work_dir,
        queue_log_path=args.queue_log,
        manager_conf=args.manager_conf or SHIPPED_MANAGER_CONF,
        sounds_dir=args.sounds_dir,
        timezone=args.timezone,
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
    args = resolve(args)
    calls = read_trace(args.trace) if args.trace is not None else None
    emu = build(args)
    await emu.start()
    for n in range(args.operators):
        bot = emu.add_operator(
            f"PJSIP/{101 + n}",
            f"Оператор {101 + n}",
            answer_delay_s=args.answer_delay_s,
            answer_p=args.answer_p,
            handle_s=args.handle_s,
            wrapup_s=args.wrapup_s,
            answer_jitter_s=args.answer_jitter_s,
            hold_s=args.hold_s,
            break_every=args.break_every,
            break_s=args.break_s,
        )
        if args.members:
            emu.add_member("citizens", bot.interface, bot.name)
    if calls is not None:
        emu.replay_trace(calls)
    elif args.rate > 0 or args.profile is not None:
        local = ZoneInfo(args.timezone)
        emu.start_load(
            rate_per_hour=args.rate, duration_s=args.duration, profile=args.profile, tz=local
        )

    def announce(url: str) -> None:
        print(f"emulator: AMI on {args.bind}:{emu.ami_port}, control API on {url}", flush=True)

    try:
        await serve_until_stopped(make_app(emu), args.bind, args.control_port, announce)
    finally:
        await emu.stop()


def run(args: argparse.Namespace) -> int:
    try:
        asyncio.run(_main(args))
    except (TraceError, ConfError, ConfigError, OSError, ZoneInfoNotFoundError) as exc:
        print(f"emulate: {exc}", file=sys.stderr)
        return 2
    return 0
