"""Overload and callbacks end to end: nobody passes 40 s without a way out; a callback asked
for at 10:00 is dialled and connected before 10:10."""

from pathlib import Path

import pytest
from live_center import live_center

from callcenter.emulator.callers import CallerScript

ACCEPTS = {"cc-callback-offer": "1"}  # presses 1 when offered a callback


async def test_overloaded_callers_get_a_callback_offer_in_time_and_are_called_back(
    tmp_path: Path,
) -> None:
    async with live_center(tmp_path, at="10:00", operators={"PJSIP/101": 60.0}) as center:
        first = center.emulator.place_call(CallerScript(number="+79161110001", talk_s=55))
        await center.wait_for(
            lambda: center.emulator.truth.get(first).answered_at is not None,  # type: ignore[union-attr]
            virtual_s=60,
            label="first caller answered",
        )
        second = center.emulator.place_call(
            CallerScript(number="+79161110002", digits=dict(ACCEPTS), talk_s=30)
        )
        requested_at = center.clock.now()

        async def callback_rows() -> list[object]:
            await center.runtime.recorder.drain()
            return list(await center.store.callbacks.open_requests())

        await center.wait_for(
            lambda: center.emulator.truth.get(second).ended_at is not None,  # type: ignore[union-attr]
            virtual_s=60,
            label="second caller released after booking",
        )
        truth = center.emulator.truth.get(second)
        assert truth is not None
        assert truth.answered_at is None
        assert truth.ended_at is not None
        assert truth.joined_at is None or truth.ended_at - truth.joined_at < 40
        await center.runtime.recorder.drain()
        record = await center.store.calls.get_call(second)
        assert record is not None
        assert record.outcome == "callback"
        timeline = [e.kind for e in await center.store.calls.timeline(second)]
        assert "callback_offer" in timeline or "callback_requested" in timeline
        assert "breach" not in timeline

        callback_id = f"cb-{second}"
        stored = await center.store.callbacks.get(callback_id)
        assert stored is not None
        assert stored.number == "+79161110002"
        # asked for after the day menu (prompts and timeouts take their time) and the offer
        assert requested_at <= stored.requested_at <= truth.ended_at
        assert abs(stored.deadline - stored.requested_at - 600) < 1

        async def served() -> bool:
            row = await center.store.callbacks.get(callback_id)
            return row is not None and row.status == "done"

        done = False
        for _ in range(400):
            await center.runtime.recorder.drain()
            if await served():
                done = True
                break
            await center.clock.sleep(2)
        assert done, "the callback was not completed"
        stored = await center.store.callbacks.get(callback_id)
        assert stored is not None
        assert stored.outcome == "on_time"
        attempts = await center.store.callbacks.attempts(callback_id)
        assert [a.result for a in attempts] == ["answered"]
        assert attempts[0].started_at < stored.requested_at + 600  # connected before 10:10


@pytest.mark.parametrize("withheld", ["", "anonymous"])  # no caller id; PJSIP privacy
async def test_a_caller_with_a_withheld_number_is_offered_a_callback_and_called_back(
    tmp_path: Path, withheld: str
) -> None:
    async with live_center(tmp_path, at="10:00", operators={"PJSIP/101": 60.0}) as center:
        await center.busy_operator("+79161110001")
        # The withheld caller takes the offer (1) and types the number to call back on.
        center.emulator.add_citizen(CallerScript(number="+79161110009", talk_s=20))
        digits = {"cc-callback-offer": "1", "cc-callback-enter-number": "89161110009#"}
        uid = center.emulator.place_call(CallerScript(number=withheld, digits=dict(digits)))
        await center.wait_for(lambda: center.ended(uid), virtual_s=90, label="caller released")

        truth = center.emulator.truth.get(uid)
        assert truth is not None
        assert truth.joined_at is not None
        assert truth.ended_at is not None
        assert truth.answered_at is None
        timeline = await center.store.calls.timeline(uid)
        offers = [e.at for e in timeline if e.kind == "callback_offer"]
        assert offers, [e.kind for e in timeline]
        assert offers[0] - truth.joined_at < 40  # a way out before the limit
        assert "breach" not in [e.kind for e in timeline]
        script = center.emulator.plan.scripts[uid]
        assert ("cc-callback-enter-number", "89161110009#") in script.pressed
        record = await center.call_record(uid)
        assert record.outcome == "callback"

        callback_id = f"cb-{uid}"
        stored = await center.store.callbacks.get(callback_id)
        assert stored is not None
        assert stored.number == "+79161110009"  # the number typed, as the engine validated it
        attempts = await center.callback_attempts(callback_id)
        assert [a.result for a in attempts] == ["answered"]
