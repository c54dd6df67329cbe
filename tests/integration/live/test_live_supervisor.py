"""The supervisor's side on the live system: emergency mode reaches the next caller, and the
report's figures equal those counted from the emulator's ground truth for the same run: a night
call the IVR serves, then a morning overload with abandons, callbacks and a survey."""

from pathlib import Path
from typing import Any

import aiohttp
from ground_truth import TOTAL, TruthFigures, expected_figures, scenario
from live_center import Center, live_center, local_epoch

from callcenter.emulator.callers import CallerScript


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


DAY = "2026-11-24"
GROUPS = ("hour", "queue", "topic", "operator")
COUNTS = ("offered", "answered", "answered_in_limit", "abandoned", "callbacks_requested",
          "callbacks_on_time", "ivr_served")  # fmt: skip
MEANS = ("sl_pct", "asa_s", "aht_s")


async def _report(center: Center, group: str) -> dict[str, Any]:
    headers = {"X-API-Key": center.settings.api_key}
    query = {"from": DAY, "to": DAY, "group": group}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{center.url}/api/reports", params=query, headers=headers) as resp,
    ):
        assert resp.status == 200, await resp.text()
        body: dict[str, Any] = await resp.json()
        return body


def _same(line: dict[str, Any], truth: TruthFigures, where: str) -> None:
    for name in COUNTS:
        assert line[name] == getattr(truth, name), f"{where}: {name}"
    for name in MEANS:
        want = getattr(truth, name)
        got = line[name]
        # Times differ by the AMI round trip and queue_log's whole seconds, never more.
        assert (got is None) == (want is None), f"{where}: {name} {got} != {want}"
        if want is not None:
            assert abs(got - want) <= (1.0 if name == "sl_pct" else 1.5), f"{where}: {name}"


async def test_report_figures_equal_the_ground_truth(tmp_path: Path) -> None:
    operators = {"PJSIP/101": 30.0, "PJSIP/102": 30.0}
    async with live_center(tmp_path, day=DAY, at="05:55", operators=operators) as center:
        scripts = await scenario(center, six=local_epoch(DAY, "06:00"))
        expected = expected_figures(center, scripts)
        kinds = expected.groups["queue"][TOTAL]
        # The run has every kind of call the figures count.
        assert kinds.ivr_served >= 1
        assert kinds.abandoned >= 1
        assert kinds.callbacks_on_time >= 2
        assert kinds.answered > kinds.answered_in_limit >= 1
        assert expected.survey
        for group in GROUPS:
            body = await _report(center, group)
            lines = {line["key"]: line for line in body["lines"]}
            assert set(lines) == set(expected.groups[group]), group
            for key, truth in expected.groups[group].items():
                _same(lines[key], truth, f"{group} {key}")
        body = await _report(center, "operator")
        answers = {
            (a["key"], a["question"], a["answer"]): a["count"] for a in body["survey_answers"]
        }
        assert answers == expected.survey
