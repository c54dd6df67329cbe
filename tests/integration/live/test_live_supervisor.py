"""The supervisor's side on the live system: emergency mode reaches the next caller, and the
report's figures equal those counted from the emulator's ground truth for the same run."""

from pathlib import Path

import aiohttp
from live_center import live_center

from callcenter.emulator.callers import CallerScript
from callcenter.web.reports import build_report
from callcenter.wiring.web_sources import StoreReportSource


async def test_emergency_mode_puts_the_supervisors_announcement_before_the_next_call(
    tmp_path: Path,
) -> None:
    async with live_center(tmp_path, operators={"PJSIP/101": 10.0}) as center:
        headers = {"X-API-Key": center.settings.api_key}
        async with aiohttp.ClientSession() as http:
            body = {"on": True, "announcement": "Внимание! Из-за паводка возможны задержки."}
            async with http.post(
                f"{center.url}/api/supervisor/emergency", json=body, headers=headers
            ) as resp:
                assert resp.status == 200
            async with http.get(f"{center.url}/api/supervisor/audit", headers=headers) as resp:
                audit = await resp.json()
        assert "set_emergency" in str(audit)
        center.emulator.keep_events = True
        uid = center.emulator.place_call(CallerScript(number="+79161234567", talk_s=5))
        await center.wait_for(
            lambda: center.emulator.truth.get(uid).answered_at is not None,  # type: ignore[union-attr]
            virtual_s=120,
        )
        announced = [
            dict(h).get("Value", "")
            for name, h in center.emulator.events()
            if name == "VarSet" and dict(h).get("Variable") == "CC_ANNOUNCE"
        ]
        assert len(announced) == 1
        assert announced[0]  # the synthesised text (or the recorded generic announcement)
        assert (tmp_path / "sounds" / f"{announced[0]}.wav").exists() or announced[0] == "emergency"
        await center.runtime.recorder.drain()
        record = await center.store.calls.get_call(uid)
        assert record is not None
        assert record.mode == "emergency"
        assert center.runtime.snapshot().mode == "emergency"


async def test_report_figures_equal_the_ground_truth(tmp_path: Path) -> None:
    async with live_center(tmp_path, operators={"PJSIP/101": 30.0, "PJSIP/102": 30.0}) as center:
        scripts = [
            CallerScript(number=f"+7916222000{n}", patience_s=None if n % 3 else 15, talk_s=20)
            for n in range(6)
        ]
        uids = [center.emulator.place_call(s) for s in scripts]
        for uid in uids:
            await center.wait_for(
                lambda uid=uid: center.emulator.truth.get(uid).ended_at is not None,  # type: ignore[misc,union-attr]
                virtual_s=600,
            )
        await center.runtime.recorder.drain()
        rows = await StoreReportSource(center.store, limit_of=lambda q: 40.0)(
            0, center.clock.now() + 1
        )
        total = build_report(rows, "queue", center.settings.tz)[-1]
        truth = [center.emulator.truth.get(uid) for uid in uids]
        answered = [t for t in truth if t is not None and t.answered_at is not None]
        abandoned = [t for t in truth if t is not None and t.abandoned]
        assert total.offered == len(uids)
        assert total.answered == len(answered)
        assert total.abandoned == len(abandoned)
        within = [t for t in answered if t.answered_at - t.joined_at <= 40]  # type: ignore[operator]
        assert total.answered_in_limit == len(within)
