"""The whole engine in a process of its own, so that a test can kill it (SIGKILL) mid-traffic.

The child builds the application exactly as `callcenter serve` does (`bootstrap.build`, served
until a stop signal) with one difference: a scaled clock that shows the same virtual time as the
test's (both read the system-wide monotonic clock), so the emulator and the engine agree on time.

    engine = await EngineProcess.spawn(log_path)   # imports everything, then waits
    await engine.start(settings, clock)            # builds and serves; returns when serving
    engine.kill()          # SIGKILL: no cleanup, no drain of queued writes
    await engine.stop()    # SIGTERM: the graceful way

Spawning ahead keeps Python's imports (seconds on a busy machine) out of the measured restart.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import sys
import time
from pathlib import Path

from callcenter.clock import ScaledClock
from callcenter.config import Settings

ROOT = Path(__file__).resolve().parents[3]


@dataclasses.dataclass
class EngineProcess:
    proc: asyncio.subprocess.Process
    url: str = ""

    @classmethod
    async def spawn(cls, log: Path) -> EngineProcess:
        with log.open("ab") as err:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                cwd=ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=err,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        engine = cls(proc)
        assert await engine._line() == "imported", f"the engine did not start, see {log}"
        return engine

    async def start(self, settings: Settings, clock: ScaledClock) -> None:
        config = {
            "settings": dataclasses.asdict(settings),
            "virtual_at_anchor": clock.now(),
            "anchor": time.monotonic(),
            "speed": clock.speed,
        }
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(config).encode() + b"\n")
        await self.proc.stdin.drain()
        line = await self._line()
        assert line.startswith("serving "), f"the engine did not start: {line!r}"
        self.url = line.removeprefix("serving ")

    async def _line(self) -> str:
        assert self.proc.stdout is not None
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), 30)
        except TimeoutError:
            self.proc.kill()
            raise
        return line.decode().strip()

    def kill(self) -> None:
        """SIGKILL: the process dies at once, whatever it was doing."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def wait(self) -> int:
        return await self.proc.wait()

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


def _child() -> None:
    import logging

    from callcenter.bootstrap import BuildOptions, build
    from callcenter.commands._runner import serve_until_stopped

    print("imported", flush=True)
    config = json.loads(sys.stdin.readline())
    settings = Settings(**config["settings"])
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    speed = config["speed"]
    start = config["virtual_at_anchor"] + (time.monotonic() - config["anchor"]) * speed
    clock = ScaledClock(start=start, speed=speed)
    app = build(settings, BuildOptions(clock=clock))

    def announce(url: str) -> None:
        print(f"serving {url}", flush=True)

    asyncio.run(serve_until_stopped(app, settings.web_host, settings.web_port, announce))


if __name__ == "__main__":
    _child()
