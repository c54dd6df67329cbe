"""The poller with a fake capacity source and a fake clock: freshness, staleness, callbacks."""

from __future__ import annotations

import logging

import pytest

from callcenter.federation.errors import PartnerCallFailed
from callcenter.federation.messages import CapacityReport, PartnerCapacity
from callcenter.federation.poller import PartnerPoller

T0 = 1_790_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class FakeSource:
    def __init__(self) -> None:
        self.down: set[str] = set()
        self.wait = 10.0

    async def fetch_capacity(self, partner_id: str) -> CapacityReport:
        if partner_id in self.down:
            raise PartnerCallFailed(partner_id, "timeout")
        return CapacityReport(partner_id, T0, True, 2, self.wait, {"pension": 20.0})


def poller(clock: Clock, source: FakeSource, updates: list[PartnerCapacity]) -> PartnerPoller:
    return PartnerPoller(
        client=source,
        partner_ids=["center-a", "center-c"],
        clock=clock,
        interval_s=1.0,
        stale_after_s=15.0,
        on_update=updates.append,
    )


async def test_fresh_figures_then_stale_after_silence_announced_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, source = Clock(), FakeSource()
    updates: list[PartnerCapacity] = []
    p = poller(clock, source, updates)
    assert p.latest("center-a") is None
    cap = await p.poll_once("center-a")
    assert cap is not None
    assert (cap.received_at, cap.stale, cap.wait_for("pension")) == (T0, False, 20.0)
    source.down.add("center-a")
    clock.now = T0 + 15
    assert await p.poll_once("center-a") is None
    assert updates == [cap]  # 15 s is still fresh
    latest = p.latest("center-a")
    assert latest is not None
    assert not latest.stale
    clock.now = T0 + 15.1
    latest = p.latest("center-a")
    assert latest is not None
    assert latest.stale
    await p.poll_once("center-a")
    await p.poll_once("center-a")
    assert [u.stale for u in updates] == [False, True]
    assert sum("capacity poll failed" in r.getMessage() for r in caplog.records) == 1
    assert any("is stale" in r.getMessage() for r in caplog.records)

    source.down.clear()
    source.wait = 3.0
    clock.now = T0 + 20
    back = await p.poll_once("center-a")
    assert back is not None
    assert (back.stale, back.predicted_wait_s, back.received_at) == (False, 3.0, T0 + 20)
    assert p.snapshot() == [back]


async def test_a_failing_callback_does_not_stop_polling(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)

    def explode(_cap: PartnerCapacity) -> None:
        raise RuntimeError("boom")

    p = PartnerPoller(
        client=FakeSource(),
        partner_ids=["center-a"],
        clock=Clock(),
        interval_s=1.0,
        stale_after_s=15.0,
        on_update=explode,
    )
    assert await p.poll_once("center-a") is not None
    assert p.latest("center-a") is not None
    assert any("on_update failed" in r.getMessage() for r in caplog.records)


async def test_start_and_stop_run_and_cancel_one_task_per_partner() -> None:
    clock, source = Clock(), FakeSource()
    updates: list[PartnerCapacity] = []
    p = poller(clock, source, updates)
    p.start()
    p.start()  # idempotent
    assert len(p._tasks) == 2
    await p.stop()
    assert p._tasks == []
