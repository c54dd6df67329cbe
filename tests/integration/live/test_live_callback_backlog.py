"""A caller who accepts a callback hears it confirmed as soon as the request itself is stored,
even while thousands of other writes are still queued for the database."""

from pathlib import Path

from live_center import live_center

from callcenter.emulator.callers import CallerScript
from callcenter.runtime.engine_runner import Batch
from callcenter.store.records import Callback
from queue_engine import commands as c
from queue_engine import messages as m

BACKLOG_CALLS = 3000  # two writes each: far more than the writer commits in the offer's time


async def test_the_callback_is_confirmed_ahead_of_a_large_backlog(tmp_path: Path) -> None:
    async with live_center(tmp_path, at="10:00", operators={"PJSIP/101": 60.0}) as center:
        recorder = center.runtime.recorder
        flooded: list[bool] = []

        def flood_at_the_offer(batch: Batch) -> None:
            # Other calls' writes pile up just as this caller is offered a callback.
            if flooded or not any(isinstance(o, c.OfferCallback) for o in batch.outputs):
                return
            flooded.append(True)
            for i in range(BACKLOG_CALLS):
                recorder(Batch((), batch.at, m.CallArrived(f"backlog-{i}", "+79160000000")))

        center.runtime.runner.add_sink(flood_at_the_offer)
        persist = center.runtime.route_deps.persist
        assert persist is not None
        seen: list[tuple[int, Callback | None]] = []

        async def observed(callback_id: str) -> None:
            await persist(callback_id)
            seen.append((recorder.backlog, await center.store.callbacks.get(callback_id)))

        center.runtime.route_deps.persist = observed

        first = center.emulator.place_call(CallerScript(number="+79161110001", talk_s=55))
        await center.wait_for(lambda: center.answered(first), virtual_s=60, label="first answered")
        second = center.emulator.place_call(
            CallerScript(number="+79161110002", digits={"cc-callback-offer": "1"})
        )
        await center.wait_for(lambda: bool(seen), virtual_s=120, label="callback confirmed")
        backlog, stored = seen[0]
        assert flooded
        assert stored is not None
        assert stored.source_call_id == second
        assert stored.number == "+79161110002"
        assert backlog > BACKLOG_CALLS  # most of the flood still waits for the database
        await center.wait_for(lambda: center.ended(second), virtual_s=60, label="second released")
