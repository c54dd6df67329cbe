"""The recorder's write path: one task performs the queued writes, in order, until they commit.

Call-record updates and timeline events are data (`CallRecord`, `CallEvent`): consecutive ones are
committed together, up to `batch_max` per transaction, because at a peak thousands queue up and a
transaction each is what made the backlog grow. Other writes (callback attempts, audit, surveys)
are callables performed one by one. A write that fails is retried after `retry_s` (the database
may restart): delayed, never dropped. Only a write the database refuses as invalid is dropped,
with a log line; a refused batch is retried one write at a time, so one bad write cannot take its
neighbours with it. A write keyed by a claim (several engine nodes record the same facts) is
claimed once, before its first try, so a retry is not mistaken for another node's claim.

New callback requests, which their callers are about to hear confirmed, jump the queue: all the
requests pending when the writer is next free are stored in one transaction (group commit: a
burst of callers who accept at once costs one commit, not one each, and requests that come in
meanwhile form the next group), before the next batch of records. A batch being written when
requests come in gives way between two statements: it commits what it has written, and the rest of
its record updates are written right after the requests (a batch of 200 takes long enough, at a
peak, to be most of a caller's wait otherwise). Each request's future says when its group is
committed. A request is always the first write about its row, so jumping ahead never reorders
writes about one thing. `drain()` waits until everything queued before it (callback requests
included) has been performed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from callcenter.store.records import CallEvent, CallRecord, NewCallback
from callcenter.store.repo_callbacks import CallbackRepository
from callcenter.store.repo_calls import CallRepository

log = logging.getLogger(__name__)

Write = Callable[[], Awaitable[Any]]
BATCH_MAX = 200  # writes per transaction: a transaction stays short, a backlog drains quickly


@dataclass(frozen=True)
class Queued:
    write: Write | CallRecord | CallEvent
    claim: str | None = None  # performed only by the node that claims this key


class RecordWriter:
    def __init__(
        self,
        *,
        calls: CallRepository,
        callbacks: CallbackRepository,
        claim: Callable[[str], Awaitable[bool]],
        retry_s: float = 1.0,
        batch_max: int = BATCH_MAX,
    ) -> None:
        self._calls = calls
        self._callbacks = callbacks
        self._claim = claim
        self._retry_s = retry_s
        self._batch_max = batch_max
        self._queue: deque[Queued | asyncio.Future[None]] = deque()  # futures: drain markers
        self._requests: deque[tuple[NewCallback, asyncio.Future[bool]]] = deque()
        self._wake = asyncio.Event()
        self._in_flight = 0

    def put(self, write: Write | CallRecord | CallEvent, *, claim: str | None = None) -> None:
        self._queue.append(Queued(write, claim))
        self._wake.set()

    def put_callback(self, new: NewCallback) -> asyncio.Future[bool]:
        """Queue a new callback request ahead of the other writes; the future is True once it is
        committed (False if the database refused it as invalid)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._requests.append((new, done))
        self._wake.set()
        return done

    async def drain(self) -> None:
        """Until everything queued so far is performed (later writes are not waited for)."""
        marker: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(marker)
        self._wake.set()
        await asyncio.shield(marker)

    @property
    def backlog(self) -> int:
        """Writes not yet performed, the ones being written included."""
        queued = sum(1 for item in self._queue if isinstance(item, Queued))
        return queued + len(self._requests) + self._in_flight

    async def run(self) -> None:
        while True:
            if self._requests:
                await self._store_requests()
            elif self._queue:
                await self._step()
            else:
                self._wake.clear()
                await self._wake.wait()

    async def _store_requests(self) -> None:
        """Every callback request pending now (up to `batch_max`), in one transaction."""
        count = min(len(self._requests), self._batch_max)
        group = [self._requests.popleft() for _ in range(count)]
        self._in_flight = count
        try:
            stored = await self._store_group([new for new, _ in group])
        except BaseException:  # cancelled: still to be stored, and their callers still wait
            self._requests.extendleft(reversed(group))
            raise
        finally:
            self._in_flight = 0
        for (_, done), ok in zip(group, stored, strict=True):
            if not done.done():
                done.set_result(ok)

    async def _store_group(self, news: list[NewCallback]) -> list[bool]:
        """Whether each request is stored. A group the database refuses is stored one request
        at a time, so one invalid request cannot keep its neighbours from being confirmed."""
        single = len(news) == 1
        if await self._perform(partial(self._callbacks.create_many, news), log_refusal=single):
            return [True] * len(news)
        if single:
            return [False]
        log.warning(
            "a group of %d callback requests was refused; storing them one by one", len(news)
        )
        return [await self._perform(partial(self._callbacks.create_many, [new])) for new in news]

    async def _step(self) -> None:
        head = self._queue.popleft()
        if isinstance(head, asyncio.Future):
            if not head.done():
                head.set_result(None)
            return
        items = [head]
        if _batchable(head):
            while len(items) < self._batch_max and self._queue:
                after = self._queue[0]
                if not isinstance(after, Queued) or not _batchable(after):
                    break
                self._queue.popleft()
                items.append(after)
        self._in_flight = len(items)
        try:
            await self._write(items)
        finally:
            self._in_flight = 0

    async def _write(self, items: list[Queued]) -> None:
        mine = [item for item in items if await self._claimed(item)]
        if len(mine) == 1 or not all(_batchable(item) for item in mine):
            for item in mine:
                await self._perform(_as_write(self._calls, item))
            return
        data = [item.write for item in mine if isinstance(item.write, (CallRecord, CallEvent))]
        left: list[CallRecord] = []

        async def write() -> None:
            left[:] = await self._calls.write_batch(data, give_way=self._requests_wait)

        if not await self._perform(write, log_refusal=False):
            log.warning("a batch of %d writes was refused; writing them one by one", len(mine))
            for item in mine:
                await self._perform(_as_write(self._calls, item))
            return
        # The batch gave way to callback requests: its rest is written next, after them and
        # still ahead of everything queued later (claimed already: records have no claim).
        self._queue.extendleft(Queued(record) for record in reversed(left))

    def _requests_wait(self) -> bool:
        return bool(self._requests)

    async def _claimed(self, item: Queued) -> bool:
        while item.claim is not None:
            try:
                return await self._claim(item.claim)
            except Exception:
                log.exception("could not claim %s; retrying in %.1f s", item.claim, self._retry_s)
                await asyncio.sleep(self._retry_s)
        return True

    async def _perform(self, write: Write, *, log_refusal: bool = True) -> bool:
        """True once written; False when the database refused it (retrying cannot help)."""
        while True:
            try:
                await write()
                return True
            except (ValueError, LookupError):
                # Invalid data or a row that was never created.
                if log_refusal:
                    log.exception("record refused; dropped")
                return False
            except Exception:
                log.exception("database write failed; retrying in %.1f s", self._retry_s)
                await asyncio.sleep(self._retry_s)


def _batchable(item: Queued) -> bool:
    return isinstance(item.write, (CallRecord, CallEvent))


def _as_write(calls: CallRepository, item: Queued) -> Write:
    data = item.write
    if isinstance(data, CallRecord):
        return lambda: calls.upsert_call(data)
    if isinstance(data, CallEvent):
        return lambda: calls.append_event(data)
    return data
