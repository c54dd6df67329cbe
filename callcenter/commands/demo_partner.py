"""The demo's neighbouring center: a second emulator and engine, linked to ours by a trunk and
the partner API, so that a newcomer sees calls overflow at the peak (and the partner's view)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from callcenter.bootstrap import RUNTIME, BuildOptions, build
from callcenter.clock import ScaledClock
from callcenter.config import Settings
from callcenter.emulator.emulator import Emulator, EmulatorConfig
from callcenter.federation.config import default_secret_env

PARTNER_ID = "center-partner"
PARTNER_OPERATORS = [f"PJSIP/{n}" for n in range(201, 205)]
# Demo mode only: production reads each pair's secret from the environment or a file.
DEMO_PAIR_SECRET = "demo-only-shared-secret-of-the-pair"


def partners_file(path: Path, *, me: str, partner: str, port: int) -> str:
    """The partners file of one side of the demo pair."""
    path.write_text(
        f"""[federation]
center_id = "{me}"
max_hops = 1
poll_interval_s = 2
stale_after_s = 60
request_timeout_s = 2

[partners.{partner}]
api_url = "http://127.0.0.1:{port}"
priority = 10
trunk = {{ name = "trunk-{partner}", dial_number = "9000" }}
""",
        encoding="utf-8",
    )
    return str(path)


def share_demo_secrets(*centers: str) -> None:
    for center in centers:
        os.environ.setdefault(default_secret_env(center), DEMO_PAIR_SECRET)


@dataclass
class PartnerCenter:
    settings: Settings
    emulator: Emulator
    runner: web.AppRunner

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"

    async def stop(self) -> None:
        await self.runner.cleanup()
        await self.emulator.stop()


def demo_emulator(
    settings: Settings, *, clock: ScaledClock, seed: int, recordings: Path, center_id: str
) -> Emulator:
    """The Asterisk of one demo center, on the ports its engine is set to use."""
    return Emulator(
        EmulatorConfig(
            ami_port=settings.ami_port,
            agi_host=settings.agi_host,
            agi_port=settings.agi_port,
            users={settings.ami_user: settings.ami_secret},
            queues=settings.queue_names,
            clock=clock,
            seed=seed,
            recordings_dir=recordings,
            sounds_dir=Path(settings.sounds_dir),
            center_id=center_id,
            timezone=settings.timezone,
        )
    )


async def start_partner(settings: Settings, *, clock: ScaledClock, data_dir: Path) -> PartnerCenter:
    """`settings` are the partner's own (its ports, database, and partners file naming us)."""
    emulator = demo_emulator(
        settings,
        clock=clock,
        seed=8,
        recordings=data_dir / "partner-recordings",
        center_id=PARTNER_ID,
    )
    for interface in PARTNER_OPERATORS:
        emulator.add_operator(interface, name=interface, answer_delay_s=3, handle_s=(60, 180))
    await emulator.start()
    app = build(settings, BuildOptions(clock=clock))
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.web_port).start()
    runtime = app[RUNTIME]
    await runtime.ami.wait_ready(10)
    for interface in PARTNER_OPERATORS:
        await runtime.ami.queue_add(
            queue=settings.queue_names[0], interface=interface, member_name=interface
        )
    return PartnerCenter(settings, emulator, runner)
