"""Leases on a real Redis: two nodes want the same work; it is done once, and a dead owner's work
is taken over once its lease runs out."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis

from callcenter.runtime.channels import CallbackLeg, ChannelBook
from callcenter.runtime.engine_runner import Batch, EngineRunner
from callcenter.runtime.executor import CommandExecutor
from callcenter.runtime.leases import RedisLeases, Verdict
from queue_engine import commands as c
from queue_engine import messages as m
from queue_engine.config import CallbackPolicy, EngineConfig, QueueConfig
from queue_engine.engine import Engine
from queue_engine.model.callbacks import AttemptResult
from queue_engine.model.operators import OperatorState

LEASE_S = 0.6

pytestmark = pytest.mark.redis


@pytest.fixture
async def nodes(redis_url: str) -> AsyncIterator[tuple[RedisLeases, RedisLeases]]:
    client = Redis.from_url(redis_url)
    prefix = f"test:lease:{uuid.uuid4().hex[:12]}:"
    try:
        yield tuple(  # type: ignore[misc]
            RedisLeases(client, node_id=name, prefix=prefix, lease_s=LEASE_S) for name in "AB"
        )
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


class Dialler:
    """The work of each node: counts the dials and can hang before dialling."""

    def __init__(self, *, hang: bool = False, ok: bool = True, error: bool = False) -> None:
        self.hang, self.ok, self.error = hang, ok, error
        self.started = asyncio.Event()
        self.dials = 0

    async def __call__(self) -> bool:
        self.started.set()
        if self.hang:
            await asyncio.Event().wait()  # a node stuck between its claim and its dial
        if self.error:
            raise ConnectionError("AMI connection lost")
        self.dials += 1
        return self.ok


def needed() -> bool:
    return True


async def test_a_dead_owners_work_is_taken_over_once_its_lease_runs_out(
    nodes: tuple[RedisLeases, RedisLeases],
) -> None:
    a, b = nodes
    a_work, b_work = Dialler(hang=True), Dialler()
    owner = asyncio.create_task(a.run("originate:cb-1:1", a_work, needed))
    await asyncio.wait_for(a_work.started.wait(), 5)

    waiter = asyncio.create_task(b.run("originate:cb-1:1", b_work, needed))
    await asyncio.sleep(LEASE_S * 2)  # A is alive and renews: B keeps waiting
    assert b_work.dials == 0
    assert not waiter.done()

    owner.cancel()  # A dies abruptly: no renewal, no release
    died = time.monotonic()
    assert await asyncio.wait_for(waiter, 5) is Verdict.OURS
    assert time.monotonic() - died <= LEASE_S * 1.5
    assert (a_work.dials, b_work.dials) == (0, 1)


async def test_work_done_by_one_node_is_not_repeated(
    nodes: tuple[RedisLeases, RedisLeases],
) -> None:
    a, b = nodes
    works = [Dialler(), Dialler()]
    runs = [node.run("originate:cb-2:1", w, needed) for node, w in zip(nodes, works, strict=True)]
    verdicts = await asyncio.gather(*runs)
    assert sorted(v.value for v in verdicts) == ["done", "ours"]
    assert sum(w.dials for w in works) == 1
    await asyncio.sleep(LEASE_S * 1.5)  # the verdict outlives the lease
    late = Dialler()
    assert await b.run("originate:cb-2:1", late, needed) is Verdict.DONE
    assert await a.run("originate:cb-2:1", late, needed) is Verdict.DONE
    assert late.dials == 0


async def test_a_refused_dial_is_reported_to_the_other_node_as_failed(
    nodes: tuple[RedisLeases, RedisLeases],
) -> None:
    a, b = nodes
    assert await a.run("originate:cb-3:1", Dialler(ok=False), needed) is Verdict.OURS
    other = Dialler()
    assert await b.run("originate:cb-3:1", other, needed) is Verdict.FAILED
    assert other.dials == 0


async def test_an_owner_that_fails_releases_at_once(
    nodes: tuple[RedisLeases, RedisLeases],
) -> None:
    a, b = nodes
    with pytest.raises(ConnectionError):
        await a.run("originate:cb-4:1", Dialler(error=True), needed)
    started = time.monotonic()
    other = Dialler()
    assert await b.run("originate:cb-4:1", other, needed) is Verdict.OURS
    assert time.monotonic() - started < LEASE_S / 2  # no waiting for the lease to run out
    assert other.dials == 1


async def test_a_waiter_stops_when_its_engine_no_longer_needs_the_work(
    nodes: tuple[RedisLeases, RedisLeases],
) -> None:
    a, b = nodes
    a_work = Dialler(hang=True)
    owner = asyncio.create_task(a.run("originate:cb-5:1", a_work, needed))
    await asyncio.wait_for(a_work.started.wait(), 5)
    still = [True]
    waiter = asyncio.create_task(b.run("originate:cb-5:1", Dialler(), lambda: still[0]))
    await asyncio.sleep(LEASE_S / 2)
    still[0] = False  # say, Asterisk showed the leg A dialled
    owner.cancel()
    assert await asyncio.wait_for(waiter, 5) is Verdict.NOT_NEEDED


async def test_hold_takes_renews_and_expires(nodes: tuple[RedisLeases, RedisLeases]) -> None:
    a, b = nodes
    assert await a.hold("publisher", 0.3)
    assert not await b.hold("publisher", 0.3)
    await asyncio.sleep(0.2)
    assert await a.hold("publisher", 0.3)  # renewed: still A's after the first 0.3 s
    await asyncio.sleep(0.2)
    assert not await b.hold("publisher", 0.3)
    assert await a.holder("publisher") == "A"
    await asyncio.sleep(0.4)  # A stopped renewing
    assert await b.hold("publisher", 0.3)
    assert await b.holder("publisher") == "B"


# The executor on the leases: what a waiting node does with what the owner did.

T0 = 1_700_038_800.0


class Clock:
    def now(self) -> float:
        return T0


@dataclass
class Answer:
    ok: bool
    message: str = ""


class Ami:
    """Our own `PbxActions` port, recording the dials (the lease is what is under test)."""

    def __init__(self) -> None:
        self.dials = 0

    async def queue_pause(self, **kw: Any) -> Answer:
        return Answer(True)

    async def originate(self, **kw: Any) -> Answer:
        self.dials += 1
        return Answer(True)


def node(
    leases: RedisLeases, *, citizen_first: bool = True
) -> tuple[CommandExecutor, Ami, list[Batch]]:
    """An engine with a free operator and a callback to dial (the citizen, or citizen_first
    False: from the operator's phone): its executor, AMI and batches."""
    callbacks = CallbackPolicy(citizen_first=citizen_first)
    config = EngineConfig(queues=(QueueConfig("main"),), callbacks=callbacks)
    runner = EngineRunner(engine=Engine(config=config), clock=Clock())
    fed: list[Batch] = []
    runner.add_sink(fed.append)
    ami = Ami()
    channels = ChannelBook()
    executor = CommandExecutor(ami=ami, runner=runner, channels=channels, leases=leases)  # type: ignore[arg-type]
    runner.add_sink(executor)
    runner.feed(m.OperatorStateChanged("PJSIP/101", OperatorState.AVAILABLE, ("main",)))
    out = runner.feed(m.CallbackRestored("cb-1", "c1", "+79161234567", "", T0, T0 + 600, T0))
    dial = c.DialCitizen if citizen_first else c.OriginateCallback
    assert [o.attempt for o in out if isinstance(o, dial)] == [1]
    return executor, ami, fed


BOTH_MODES = pytest.mark.parametrize("citizen_first", [True, False])


@BOTH_MODES
async def test_a_waiting_node_gives_up_when_asterisk_shows_the_owners_leg(
    nodes: tuple[RedisLeases, RedisLeases], citizen_first: bool
) -> None:
    a, b = nodes
    stuck = Dialler(hang=True)
    owner = asyncio.create_task(a.run("originate:cb-1:1", stuck, needed))
    await asyncio.wait_for(stuck.started.wait(), 5)
    executor, ami, _ = node(b, citizen_first=citizen_first)
    await asyncio.sleep(LEASE_S / 2)
    # The owner's dial reached Asterisk (its leg carries the callback id), then the owner died.
    executor._channels.callback_legs["leg-1"] = CallbackLeg("cb-1")
    owner.cancel()
    await asyncio.wait_for(executor.tasks.drain(10), 5)
    await asyncio.sleep(LEASE_S * 1.5)
    assert len(executor.tasks) == 0
    assert ami.dials == 0


@BOTH_MODES
async def test_a_dial_refused_on_the_owner_is_a_failed_attempt_on_every_node(
    nodes: tuple[RedisLeases, RedisLeases], citizen_first: bool
) -> None:
    a, b = nodes
    assert await a.run("originate:cb-1:1", Dialler(ok=False), needed) is Verdict.OURS
    executor, ami, fed = node(b, citizen_first=citizen_first)
    await executor.tasks.drain()
    assert ami.dials == 0
    assert fed[-1].message == m.CallbackAttemptFinished("cb-1", AttemptResult.FAILED)


@BOTH_MODES
async def test_two_nodes_dial_a_callback_attempt_once(
    nodes: tuple[RedisLeases, RedisLeases], citizen_first: bool
) -> None:
    (first, ami_a, _), (second, ami_b, _) = (
        node(leases, citizen_first=citizen_first) for leases in nodes
    )
    await asyncio.wait_for(asyncio.gather(first.tasks.drain(10), second.tasks.drain(10)), 5)
    assert ami_a.dials + ami_b.dials == 1
