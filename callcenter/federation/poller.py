"""Background polling of partners' capacity; the latest figures are always read from memory.

One task per partner, so a partner that hangs delays nobody else; each request is bounded by the
client's timeout. `latest()` never awaits: the engine reads it inside its decisions. A partner
silent for longer than `stale_after_s` is reported stale (unavailable) both on read and, once,
through `on_update`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterable
from typing import Protocol

from callcenter.federation.errors import PartnerCallFailed
from callcenter.federation.messages import CapacityReport, PartnerCapacity

log = logging.getLogger(__name__)

OnUpdate = Callable[[PartnerCapacity], None]


class CapacitySource(Protocol):
    """Where figures come from: `FederationClient` in production, fakes in unit tests."""

    async def fetch_capacity(self, partner_id: str) -> CapacityReport: ...


class PartnerPoller:
    def __init__(
        self,
        *,
        client: CapacitySource,
        partner_ids: Iterable[str],
        clock: Callable[[], float],
        interval_s: float,
        stale_after_s: float,
        on_update: OnUpdate | None = None,
    ) -> None:
        self._client = client
        self._ids = tuple(partner_ids)
        self._clock = clock
        self._interval = interval_s
        self._stale_after = stale_after_s
        self._on_update = on_update
        self._latest: dict[str, PartnerCapacity] = {}
        self._failing: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []

    def latest(self, partner_id: str) -> PartnerCapacity | None:
        """The last figures heard from the partner, with `stale` as of now; None if never heard."""
        cap = self._latest.get(partner_id)
        if cap is None:
            return None
        stale = self._clock() - cap.received_at > self._stale_after
        return cap if cap.stale == stale else dataclasses.replace(cap, stale=stale)

    def snapshot(self) -> list[PartnerCapacity]:
        return [cap for pid in self._ids if (cap := self.latest(pid)) is not None]

    def start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._run(pid), name=f"poll-{pid}") for pid in self._ids
            ]

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, partner_id: str) -> None:
        while True:
            await self.poll_once(partner_id)
            await asyncio.sleep(self._interval)

    async def poll_once(self, partner_id: str) -> PartnerCapacity | None:
        """Ask one partner now; returns the fresh figures, or None if it did not answer."""
        try:
            report = await self._client.fetch_capacity(partner_id)
        except PartnerCallFailed as exc:
            self._failed(partner_id, exc.reason)
            return None
        if partner_id in self._failing:
            self._failing.discard(partner_id)
            log.info("partner %s answers again", partner_id)
        cap = _capacity(partner_id, report, self._clock())
        self._latest[partner_id] = cap
        self._publish(cap)
        return cap

    def _failed(self, partner_id: str, reason: str) -> None:
        if partner_id not in self._failing:
            self._failing.add(partner_id)
            log.warning("partner %s capacity poll failed: %s", partner_id, reason)
        previous = self._latest.get(partner_id)
        current = self.latest(partner_id)
        if previous is not None and current is not None and current.stale and not previous.stale:
            self._latest[partner_id] = current
            log.warning("partner %s is stale: treated as unavailable", partner_id)
            self._publish(current)

    def _publish(self, cap: PartnerCapacity) -> None:
        if self._on_update is None:
            return
        try:
            self._on_update(cap)
        except Exception:
            log.exception("on_update failed for partner %s", cap.partner_id)


def _capacity(partner_id: str, report: CapacityReport, now: float) -> PartnerCapacity:
    return PartnerCapacity(
        partner_id=partner_id,
        predicted_wait_s=report.predicted_wait_s,
        topic_wait_s=dict(report.topic_wait_s),
        free_operators=report.free_operators,
        accepting=report.accepting,
        received_at=now,
        stale=False,
        generated_at=report.generated_at,
    )
