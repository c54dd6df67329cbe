"""Faults end to end: with the engine down calls are still queued and served (fail-open); after
a graceful restart nothing is lost or doubled and the live picture matches Asterisk's. The
engine killed with SIGKILL mid-traffic is `test_live_engine_kill.py`."""

from pathlib import Path

from live_center import Center, live_center

from callcenter.emulator.callers import CallerScript

TO_OPERATOR = {"day_topics": "0"}  # the day menu's "other questions": an operator
ACCEPTS = {"cc-callback-offer": "1"}


def ended(center: Center, uid: str) -> bool:
    truth = center.emulator.truth.get(uid)
    return truth is not None and truth.ended_at is not None


async def test_with_the_engine_down_calls_fail_open_to_the_queue(tmp_path: Path) -> None:
    async with live_center(tmp_path, operators={"PJSIP/101": 20.0}) as center:
        await center.stop_engine()
        center.emulator.keep_events = True
        uid = center.emulator.place_call(CallerScript(number="+79161234567", talk_s=10))
        await center.wait_for(lambda: ended(center, uid), virtual_s=120, label="served")
        truth = center.emulator.truth.get(uid)
        assert truth is not None
        assert truth.answered_by == "PJSIP/101"  # AGI failed, the dialplan queued the caller
        statuses = [
            dict(h).get("Value")
            for name, h in center.emulator.events()
            if name == "VarSet" and dict(h).get("Variable") == "AGISTATUS"
        ]
        assert statuses == ["FAILURE"]


async def test_an_engine_gone_in_the_middle_of_the_entry_menu_fails_open_to_the_queue(
    tmp_path: Path,
) -> None:
    async with live_center(tmp_path, operators={"PJSIP/101": 20.0}) as center:
        center.emulator.keep_events = True
        uid = center.emulator.place_call(CallerScript(number="+79161234567", talk_s=10))

        def in_day_menu() -> bool:
            return any(
                name == "AGIExecStart" and "day_topics" in dict(h).get("Command", "")
                for name, h in center.emulator.events()
            )

        await center.wait_for(in_day_menu, virtual_s=60, label="caller in the day menu")
        await center.stop_engine()  # its FastAGI connection closes under the caller's AGI

        await center.wait_for(lambda: ended(center, uid), virtual_s=120, label="served")
        truth = center.emulator.truth.get(uid)
        assert truth is not None
        assert truth.answered_by == "PJSIP/101"  # no decision from the engine: plain Queue()
        statuses = [
            dict(h).get("Value")
            for name, h in center.emulator.events()
            if name == "VarSet" and dict(h).get("Variable") == "AGISTATUS"
        ]
        assert statuses == ["SUCCESS"]  # what Asterisk reports when the AGI server goes away


async def test_restart_mid_traffic_loses_no_callback_and_doubles_no_record(tmp_path: Path) -> None:
    async with live_center(tmp_path, at="10:00", operators={"PJSIP/101": 40.0}) as center:
        busy = center.emulator.place_call(CallerScript(number="+79161110001", talk_s=35))
        await center.wait_for(
            lambda: center.emulator.truth.get(busy).answered_at is not None,  # type: ignore[union-attr]
            virtual_s=60,
        )
        # Both press 0 ("to an operator") in the day menu, so that the restart comes while the
        # busy call still goes on, before its wrap-up and the callback.
        booked = center.emulator.place_call(
            CallerScript(number="+79161110002", digits=dict(TO_OPERATOR, **ACCEPTS), talk_s=15)
        )
        await center.wait_for(lambda: ended(center, booked), virtual_s=60, label="callback booked")
        waiting = center.emulator.place_call(
            CallerScript(number="+79161110003", digits=dict(TO_OPERATOR), talk_s=10)
        )
        await center.wait_for(
            lambda: center.emulator.truth.get(waiting).joined_at is not None,  # type: ignore[union-attr]
            virtual_s=60,
            label="third caller queued",
        )
        await center.clock.sleep(1)

        await center.stop_engine()  # the engine goes away mid-traffic
        await center.clock.sleep(5)
        await center.start_engine()  # and comes back: resync from QueueStatus/CoreShowChannels

        engine = center.runtime.engine
        assert f"cb-{booked}" in engine.callbacks.desk.requests  # restored from the database
        in_queue = {c.call_id for q in engine.state.queues.values() for c in q.waiting}
        truth_waiting = {
            t.uniqueid
            for t in center.emulator.ground_truth()
            if t.joined_at is not None and t.answered_at is None and t.ended_at is None
        }
        assert in_queue == truth_waiting

        for uid in (busy, waiting):
            await center.wait_for(lambda uid=uid: ended(center, uid), virtual_s=300, label=uid)  # type: ignore[misc]
        callback_id = f"cb-{booked}"
        attempts = await center.callback_attempts(callback_id, virtual_s=600)
        assert [a.result for a in attempts] == ["answered"]  # dialled once, not lost

        await center.runtime.recorder.drain()
        truth_ids = {
            t.uniqueid for t in center.emulator.ground_truth() if not t.uniqueid.startswith("cb")
        }
        records = await center.store.calls.calls_between(0, center.clock.now() + 1)
        by_id = {r.id: r for r in records}
        assert set(by_id) == truth_ids  # every call the engine saw, and nothing else
        for uid, record in by_id.items():
            assert record.ended_at is not None, f"{uid} left open"
        assert by_id[booked].outcome == "callback"
        assert by_id[busy].outcome == "answered"
