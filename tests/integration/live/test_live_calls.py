"""End to end over TCP: the emulator's calls follow the engine's decisions (issue 5)."""

from pathlib import Path

from live_center import live_center

from callcenter.emulator.callers import CallerScript


async def test_a_day_call_is_answered_within_40_seconds_and_recorded(tmp_path: Path) -> None:
    async with live_center(tmp_path, operators={"PJSIP/101": 30.0}) as center:
        uid = center.emulator.place_call(
            CallerScript(number="+79161234567", name="Пётр", talk_s=20)
        )

        def answered() -> bool:
            truth = center.emulator.truth.get(uid)
            return truth is not None and truth.answered_at is not None

        await center.wait_for(answered, virtual_s=120, label="answer")
        truth = center.emulator.truth.get(uid)
        assert truth is not None
        assert truth.answered_by == "PJSIP/101"
        assert truth.joined_at is not None
        assert truth.answered_at is not None
        assert truth.answered_at - truth.joined_at < 40
        await center.wait_for(
            lambda: center.emulator.truth.get(uid).ended_at is not None, virtual_s=120
        )  # type: ignore[union-attr]
        await center.runtime.recorder.drain()
        record = await center.store.calls.get_call(uid)
        assert record is not None
        assert record.outcome == "answered"
        assert record.operator_id == "PJSIP/101"
        assert record.caller_number == "+79161234567"
        assert record.mode == "day"
        assert record.wait_s is not None
        assert record.wait_s < 40
        # The caller pressed nothing: the day menu played ~20 s before the queue. The call
        # arrived when it reached the engine, before the menu (5 s: scheduling delay at 20x).
        assert truth.joined_at - truth.arrived_at > 15
        assert record.arrived_at is not None
        assert abs(record.arrived_at - truth.arrived_at) <= 5, (record.arrived_at, truth)
