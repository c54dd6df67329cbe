"""`callcenter demo`: the whole system in one process on the embedded default (SQLite).

An in-process Asterisk emulator plays the PBX: operator bots at SIP endpoints PJSIP/101..105 and
citizens calling at the rate of a morning peak, on a clock that runs faster than real time, so
that queues, the 40-second guard, callbacks and the dashboards move within minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import socket
import sys
import time as time_module
from datetime import datetime, time
from pathlib import Path
from typing import Any

from callcenter.bootstrap import RUNTIME, BuildOptions, build
from callcenter.clock import ScaledClock
from callcenter.commands._runner import serve_until_stopped
from callcenter.commands.demo_partner import (
    PARTNER_ID,
    PartnerCenter,
    demo_emulator,
    partners_file,
    share_demo_secrets,
    start_partner,
)
from callcenter.commands.prompts import build_all
from callcenter.config import Settings, SettingsError, load_settings
from callcenter.ivr.menus import MenuError
from callcenter.scripting.errors import ScriptingError
from callcenter.speech.synth import SynthesisError

OPERATORS = [f"PJSIP/{n}" for n in range(101, 106)]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="TOML settings file")
    parser.add_argument("--port", type=int, default=None, help="web port (default 8080)")
    parser.add_argument(
        "--data-dir", default="var/demo", help="where the demo keeps its SQLite file"
    )
    parser.add_argument("--speed", type=float, default=4.0, help="virtual seconds per real second")
    parser.add_argument("--rate", type=float, default=150.0, help="calls per (virtual) hour")
    parser.add_argument("--start", default="09:30", help="local time the demo day starts at")
    parser.add_argument("--no-emulator", action="store_true", help="web and status only")
    parser.add_argument(
        "--no-partner", action="store_true", help="without the neighbouring center (no overflow)"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


DEMO_SCHEDULE = Path(__file__).resolve().parents[1] / "wiring" / "demo_schedule.csv"


def _settings(args: argparse.Namespace, data_dir: Path) -> Settings:
    overrides: dict[str, Any] = {
        "mode": "demo",
        "database_url": f"sqlite+aiosqlite:///{(data_dir / 'callcenter.db').resolve()}",
        "ami_host": "127.0.0.1",
        "ami_port": _free_port(),
        "agi_host": "127.0.0.1",
        "agi_port": _free_port(),
        "schedule_file": str(DEMO_SCHEDULE),
        # Both demo centers play the same prompts: one directory, built at start.
        "sounds_dir": str((data_dir / "sounds").resolve()),
    }
    if args.port is not None:
        # The partner must know our address before we listen: a free port, not "any".
        overrides["web_port"] = args.port or _free_port()
    return load_settings(args.config, **overrides)


def _with_partner(settings: Settings, data_dir: Path) -> tuple[Settings, Settings]:
    """Our settings naming the partner, and the partner's own (its ports, database, file)."""
    share_demo_secrets(settings.center_id, PARTNER_ID)
    partner_port = _free_port()
    ours = dataclasses.replace(
        settings,
        federation_config=partners_file(
            data_dir / "partners.toml", me=settings.center_id, partner=PARTNER_ID, port=partner_port
        ),
    )
    partner_db = (data_dir / "partner.db").resolve()
    partner = dataclasses.replace(
        settings,
        center_id=PARTNER_ID,
        database_url=f"sqlite+aiosqlite:///{partner_db}",
        ami_port=_free_port(),
        agi_port=_free_port(),
        web_port=partner_port,
        federation_config=partners_file(
            data_dir / "partner-partners.toml",
            me=PARTNER_ID,
            partner=settings.center_id,
            port=settings.web_port,
        ),
    )
    return ours, partner


def _start_of_day(settings: Settings, hhmm: str) -> float:
    hour, minute = (int(x) for x in hhmm.split(":"))
    today = datetime.now(settings.tz).date()
    return datetime.combine(today, time(hour, minute), settings.tz).timestamp()


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        settings = _settings(args, data_dir)
    except SettingsError as exc:
        print(f"callcenter: invalid settings: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    if not args.no_emulator:
        _build_prompts(settings)
    asyncio.run(_demo(args, settings, data_dir))
    return 0


def _build_prompts(settings: Settings) -> None:
    """The emulated Asterisk plays only prompts that exist, as a real one: build what changed."""
    print("Сборка голосовых подсказок / building prompts...", flush=True)
    started = time_module.monotonic()
    try:
        report = build_all(
            Path(settings.sounds_dir),
            menus_dir=Path(settings.menus_dir) if settings.menus_dir else None,
            kb_dir=Path(settings.kb_dir) if settings.kb_dir else None,
        )
    except (SynthesisError, MenuError, ScriptingError, OSError, ValueError) as exc:
        # The demo still runs; callers hear nothing and decline every offer.
        print(f"callcenter demo: prompts not built ({exc}); callers will hear no prompts")
        return
    took = time_module.monotonic() - started
    print(
        f"  built {len(report.built)}, unchanged {len(report.skipped)} in {took:.1f} s "
        f"-> {settings.sounds_dir}",
        flush=True,
    )


async def _demo(args: argparse.Namespace, settings: Settings, data_dir: Path) -> None:
    if args.no_emulator:
        app = build(settings, BuildOptions(with_runtime=False))
        await serve_until_stopped(app, settings.web_host, settings.web_port, _announce(settings))
        return
    clock = ScaledClock(start=_start_of_day(settings, args.start), speed=args.speed)
    partner: PartnerCenter | None = None
    if not args.no_partner:
        settings, partner_settings = _with_partner(settings, data_dir)
        partner = await start_partner(partner_settings, clock=clock, data_dir=data_dir)
    emulator = demo_emulator(
        settings,
        clock=clock,
        seed=7,
        recordings=data_dir / "recordings",
        center_id=settings.center_id,
    )
    for interface in OPERATORS:
        emulator.add_operator(interface, name=interface, answer_delay_s=3, handle_s=(90, 240))
    if partner is not None:
        emulator.link_trunk(f"trunk-{PARTNER_ID}", partner.emulator)
        partner.emulator.link_trunk(f"trunk-{settings.center_id}", emulator)
    await emulator.start()
    app = build(settings, BuildOptions(clock=clock))

    async def on_started(url: str) -> None:
        runtime = app[RUNTIME]
        await runtime.ami.wait_ready(10)
        for interface in OPERATORS:
            for queue in settings.queue_names:
                await runtime.ami.queue_add(queue=queue, interface=interface, member_name=interface)
        # A morning of citizens; some give up after a couple of minutes, as real callers do.
        emulator.start_load(rate_per_hour=args.rate, duration_s=8 * 3600, patience_mean_s=150)
        _announce(settings)(url)
        if partner is not None:
            print(f"  partner center (takes our overflow): {partner.url}/supervisor", flush=True)

    try:
        await serve_until_stopped(app, settings.web_host, settings.web_port, on_started)
    finally:
        await emulator.stop()
        if partner is not None:
            await partner.stop()


def _announce(settings: Settings) -> Any:
    def announce(url: str) -> None:
        print(f"\nДемо запущено / demo running: {url}", flush=True)
        print(f"  supervisor dashboard: {url}/supervisor   (sign in: supervisor / supervisor)")
        print(f"  operator workplace:   {url}/operator     (sign in: op101 / op101 … op105)")
        print(f"  reports:              {url}/reports      status: {url}/api/status")
        print(f"  call scripts (admin): {url}/admin/scripts (sign in: admin / admin)")
        print(f"  Asterisk emulator AMI on 127.0.0.1:{settings.ami_port}, "
              f"engine FastAGI on 127.0.0.1:{settings.agi_port}")  # fmt: skip
        print("  Ctrl-C stops it.", flush=True)

    return announce
