"""Automatic mode 00:00–06:00 end to end: the night IVR serves the caller; a callback asked for
at night is dialled after 06:00."""

from pathlib import Path

from live_center import live_center, local_epoch

from callcenter.emulator.callers import CallerScript

DAY = "2026-11-24"


async def test_a_call_at_0030_is_served_by_the_night_ivr(tmp_path: Path) -> None:
    async with live_center(tmp_path, day=DAY, at="00:30", operators={"PJSIP/101": 30.0}) as center:
        # FAQ (1), passport (1), then end the call (0) after hearing the answer.
        script = CallerScript(
            number="+79161234567",
            digits={"night_main": "1", "night_faq_menu": "1", "night_after_answer": "0"},
        )
        uid = center.emulator.place_call(script)
        await center.wait_for(
            lambda: center.emulator.truth.get(uid).ended_at is not None,  # type: ignore[union-attr]
            virtual_s=300,
            label="night call finished",
        )
        truth = center.emulator.truth.get(uid)
        assert truth is not None
        assert truth.joined_at is None  # never queued: nobody is on duty at night
        await center.runtime.recorder.drain()
        record = await center.store.calls.get_call(uid)
        assert record is not None
        assert (record.mode, record.outcome) == ("night", "ivr")
        assert record.ivr_path is not None
        assert record.ivr_path[:3] == ("welcome", "main", "faq")
        ivr = [e.details for e in await center.store.calls.timeline(uid) if e.kind == "ivr"]
        assert [(i["menu"], i["outcome"]) for i in ivr] == [("night", "self_served")]
        assert {"node": "main", "input": "1", "via": "dtmf"} in ivr[0]["path"]


async def test_a_night_callback_request_is_called_after_0600(tmp_path: Path) -> None:
    async with live_center(tmp_path, day=DAY, at="05:58", operators={"PJSIP/101": 30.0}) as center:
        uid = center.emulator.place_call(
            CallerScript(number="+79161234568", digits={"night_main": "4"}, talk_s=20)
        )
        await center.wait_for(
            lambda: center.emulator.truth.get(uid).ended_at is not None,  # type: ignore[union-attr]
            virtual_s=120,
            label="night caller left a request",
        )
        await center.runtime.recorder.drain()
        record = await center.store.calls.get_call(uid)
        assert record is not None
        assert (record.mode, record.outcome) == ("night", "callback")
        callback_id = f"cb-{uid}"
        six = local_epoch(DAY, "06:00")
        stored = await center.store.callbacks.get(callback_id)
        assert stored is not None
        assert stored.not_before == six

        await center.called_back_once(callback_id, not_before=six)
