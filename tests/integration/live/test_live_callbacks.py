"""Overload and callbacks end to end: nobody passes 40 s without a way out; a callback asked
for at 10:00 is dialled and connected before 10:10, either way of dialling: citizen-first (the
citizen's phone rings; once they answer they wait at the head of the queue for the next free
operator) or operator-first (a free operator is held and their phone dials the citizen)."""

from pathlib import Path

import pytest
from live_center import CALLBACK_MODES, Center, live_center

from callcenter.emulator.callers import CallerScript

ACCEPTS = {"cc-callback-offer": "1"}  # presses 1 when offered a callback


@pytest.mark.parametrize("mode", CALLBACK_MODES)
async def test_overloaded_callers_get_a_callback_offer_in_time_and_are_called_back(
    tmp_path: Path, mode: str
) -> None:
    async with live_center(
        tmp_path, at="10:00", operators={"PJSIP/101": 60.0}, callback_mode=mode
    ) as center:
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
        assert attempts[0].operator_id == "PJSIP/101"
        assert len(center.dials(callback_id)) == 1
        leg = center.leg(callback_id)
        assert leg is not None
        assert leg.direction == "outbound"
        if mode == "citizen_first":  # the emulator saw the citizen answer, wait, and be taken
            assert_served_citizen_first(center, leg.uniqueid, stored.requested_at)


def assert_served_citizen_first(center: Center, leg_id: str, requested_at: float) -> None:
    """The citizen answered, joined the queue at the head and an operator took them before
    the deadline; their leg was never an inbound call to the engine."""
    leg = center.emulator.truth.get(leg_id)
    assert leg is not None
    assert leg.answered_by is not None
    assert leg.answered_by.endswith(leg.caller[-10:])  # the citizen picked up first
    assert leg.answered_at is not None
    assert leg.joined_at is not None
    assert leg.connected_at is not None
    assert leg.answered_at <= leg.joined_at <= leg.connected_at < requested_at + 600
    assert leg.operator == "PJSIP/101"
    log = [line.split("|") for line in center.emulator.queue_log.lines]
    assert [f[4] for f in log if f[1] == leg_id][:2] == ["ENTERQUEUE", "CONNECT"]
    assert center.runtime.engine.call(leg_id) is None


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


async def test_a_citizen_who_does_not_answer_is_called_again_after_the_retry_delay(
    tmp_path: Path,
) -> None:
    async with live_center(tmp_path, at="10:00", operators={"PJSIP/101": 40.0}) as center:
        await center.busy_operator("+79161110001")
        number = "+79161110003"
        uid = center.emulator.place_call(CallerScript(number=number, digits=dict(ACCEPTS)))
        # When called back, the citizen's phone rings out the first time.
        citizen = CallerScript(number=number, answers_callback=False, talk_s=20)
        center.emulator.add_citizen(citizen)
        await center.wait_for(lambda: center.ended(uid), virtual_s=90, label="booked")
        callback_id = f"cb-{uid}"

        def rang_out() -> bool:
            first = center.leg(callback_id, 1)
            return first is not None and first.ended_at is not None

        await center.wait_for(rang_out, virtual_s=600, label="the first attempt rang out")
        citizen.answers_callback = True  # they pick up the next time
        attempts = await center.callback_attempts(callback_id)
        assert [a.result for a in attempts] == ["no_answer", "answered"]
        dials = center.dials(callback_id)
        assert len(dials) == 2
        assert float(dials[1]["_at"]) - float(dials[0]["_at"]) >= 60  # the retry delay
        first, second = center.leg(callback_id, 1), center.leg(callback_id, 2)
        assert first is not None
        assert second is not None
        assert (first.outcome, first.answered_at, first.joined_at) == ("noanswer", None, None)
        assert second.operator == "PJSIP/101"
        stored = await center.store.callbacks.get(callback_id)
        assert stored is not None
        assert (stored.status, stored.attempts) == ("done", 2)


async def test_a_citizen_called_back_goes_ahead_of_the_callers_waiting(tmp_path: Path) -> None:
    """Citizen-first: the citizen who answered joins the queue at its head (CC_PRIO), so the
    next free operator takes them before a caller who was waiting already."""
    async with live_center(tmp_path, at="10:00", operators={"PJSIP/101": 480.0}) as center:
        await center.busy_operator("+79161110001")  # busy for 8 minutes
        booked = center.emulator.place_call(
            CallerScript(number="+79161110004", digits=dict(ACCEPTS), talk_s=20)
        )
        await center.wait_for(lambda: center.ended(booked), virtual_s=90, label="booked")
        # Declines the offer (presses nothing) and waits for as long as it takes.
        waiting = center.emulator.place_call(CallerScript(number="+79161110005", talk_s=20))
        callback_id = f"cb-{booked}"

        def citizen_waits() -> bool:
            leg = center.leg(callback_id)
            return leg is not None and leg.joined_at is not None

        await center.wait_for(citizen_waits, virtual_s=600, label="the citizen queued")
        queue = center.emulator.queues.queues["citizens"]
        assert [e.channel.uniqueid for e in queue.entries] == [f"{callback_id}-try1", waiting]
        await center.wait_for(lambda: center.answered(waiting), virtual_s=600, label="answered")
        leg = center.leg(callback_id)
        caller = center.emulator.truth.get(waiting)
        assert leg is not None
        assert caller is not None
        assert caller.joined_at is not None
        assert leg.connected_at is not None
        assert caller.answered_at is not None
        assert caller.joined_at < leg.joined_at < leg.connected_at < caller.answered_at  # type: ignore[operator]
        stored = await center.store.callbacks.get(callback_id)
        assert stored is not None
        assert leg.connected_at < stored.requested_at + 600  # before the deadline
        attempts = await center.callback_attempts(callback_id)
        assert [(a.result, a.operator_id) for a in attempts] == [("answered", "PJSIP/101")]
