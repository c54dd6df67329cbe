"""Health of each component, aggregated for `GET /api/status`.

Each provider is a small async callable; tests wait on this endpoint instead of sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ComponentStatus:
    ok: bool
    detail: str = ""


StatusProvider = Callable[[], Awaitable[ComponentStatus]]


class StatusAggregator:
    """Collects component health; a provider that fails or hangs reports itself as down."""

    def __init__(self, *, timeout_s: float = 2.0) -> None:
        self._providers: dict[str, StatusProvider] = {}
        self._timeout_s = timeout_s

    def add(self, name: str, provider: StatusProvider) -> None:
        self._providers[name] = provider

    async def collect(self) -> dict[str, ComponentStatus]:
        names = list(self._providers)
        results = await asyncio.gather(*(self._one(self._providers[n]) for n in names))
        return dict(zip(names, results, strict=True))

    async def _one(self, provider: StatusProvider) -> ComponentStatus:
        try:
            return await asyncio.wait_for(provider(), self._timeout_s)
        except TimeoutError:
            return ComponentStatus(False, f"no answer within {self._timeout_s:g} s")
        except Exception as exc:  # a broken component must not break the status page
            return ComponentStatus(False, f"{type(exc).__name__}: {exc}")
