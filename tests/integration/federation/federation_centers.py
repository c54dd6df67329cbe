"""Helpers: two (or three) centers in one test, each a real aiohttp app on 127.0.0.1, port 0.

Sockets are bound first so that every center's partner URLs are known before its app is built.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from callcenter.federation import (
    Federation,
    HandoffOutcome,
    HandoffRequest,
    LocalCapacity,
    OutboundHandoff,
    PartnerCapacity,
    add_federation_routes,
    parse_federation_config,
)

SECRET = "s3cret-shared-by-the-pair-0123456789"


class MovableClock:
    """Real time plus an offset the test can move."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Center:
    id: str
    sock: socket.socket
    clock: MovableClock = field(default_factory=MovableClock)
    capacity: LocalCapacity = field(
        default_factory=lambda: LocalCapacity(True, 3, 12.0, {"pension": 20.0})
    )
    admission_reason: str | None = None
    updates: list[PartnerCapacity] = field(default_factory=list)
    outcomes: list[tuple[OutboundHandoff, HandoffOutcome]] = field(default_factory=list)
    federation: Federation | None = None
    runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def fed(self) -> Federation:
        assert self.federation is not None
        return self.federation

    async def stop_server(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def config_for(
    center: Center, partners: Mapping[str, str], overrides: Mapping[str, Any]
) -> dict[str, Any]:
    section = {
        "center_id": center.id,
        "stale_after_s": 1.0,
        "poll_interval_s": 0.1,
        "request_timeout_s": 0.5,
        **overrides.get("federation", {}),
    }
    table = {
        pid: {
            "api_url": url,
            "secret_env": "PAIR_SECRET",
            "trunk": {"name": f"trunk-{pid}", "dial_number": f"+7900{len(pid):07d}"},
            **overrides.get("partners", {}).get(pid, {}),
        }
        for pid, url in partners.items()
    }
    return {"federation": section, "partners": table}


async def close_center(center: Center) -> None:
    await center.fed.stop()
    await center.stop_server()
    center.sock.close()


async def start_center(
    center: Center, partners: Mapping[str, str], overrides: Mapping[str, Any] | None = None
) -> Center:
    data = config_for(center, partners, overrides or {})
    config = parse_federation_config(data, {"PAIR_SECRET": SECRET})
    center.federation = Federation(
        config=config,
        clock=center.clock,
        capacity=lambda _now: center.capacity,
        admission=lambda _req, _now: center.admission_reason,
        on_update=center.updates.append,
        on_outcome=lambda h, o: center.outcomes.append((h, o)),
    )
    app = web.Application()
    add_federation_routes(app, center.federation)
    center.runner = web.AppRunner(app)
    await center.runner.setup()
    await web.SockSite(center.runner, center.sock).start()
    await center.federation.start(poll=False)
    return center


def call_request(**changes: Any) -> HandoffRequest:
    base: dict[str, Any] = {
        "call_ref": "call-0001",
        "caller_number": "+79161234567",
        "topic": "pension",
        "origin_center": "center-a",
        "ivr_choices": ("1", "3"),
        "language": "ru",
        "history_ref": "citizen/42",
        "hops": (),
    }
    base.update(changes)
    return HandoffRequest(**base)


async def wait_for(predicate: Callable[[], bool], limit_s: float = 5.0) -> float:
    """Seconds until `predicate()` holds; fails the test after `limit_s`."""
    start = time.monotonic()
    while not predicate():
        assert time.monotonic() - start < limit_s, "condition not met in time"
        await asyncio.sleep(0.01)
    return time.monotonic() - start
