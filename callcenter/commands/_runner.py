"""Run an aiohttp application until Ctrl-C or SIGTERM, then shut it down cleanly."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web


async def serve_until_stopped(
    app: web.Application,
    host: str,
    port: int,
    on_started: Callable[[str], Awaitable[None] | None] | None = None,
) -> None:
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0]
        url = f"http://{bound[0]}:{bound[1]}"
        if on_started is not None:
            result = on_started(url)
            if asyncio.iscoroutine(result):
                await result
        await _wait_for_stop_signal()
    finally:
        await runner.cleanup()


async def _wait_for_stop_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
