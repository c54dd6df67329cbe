"""The schedule file of the settings reaches the staffing report, next to the advice."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from callcenter.bootstrap import BuildOptions, build
from callcenter.config import Settings
from callcenter.wiring.schedule import load_shifts
from queue_engine.errors import InvalidConfig


async def test_scheduled_operators_per_half_hour_in_the_report(
    aiohttp_client, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    shifts = tmp_path / "shifts.csv"
    shifts.write_text("from,to,operators\n08:00,12:00,4\n09:00,17:00,2\n", encoding="utf-8")
    settings = Settings(
        mode="demo",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}",
        schedule_file=str(shifts),
    )
    client: TestClient = await aiohttp_client(build(settings, BuildOptions(with_runtime=False)))
    form = {"login": "supervisor", "password": "supervisor", "next": ""}
    assert (await client.post("/login", data=form, allow_redirects=False)).status == 302
    body = await (await client.get("/api/reports")).json()
    scheduled = {s["slot"]: s["scheduled"] for s in body["staffing"]}
    assert (scheduled["08:00"], scheduled["09:30"], scheduled["12:00"]) == (4, 6, 2)
    assert "07:30" not in scheduled  # nobody on duty and no calls: no line


def test_a_bad_schedule_row_is_named(tmp_path: Path) -> None:
    shifts = tmp_path / "shifts.csv"
    shifts.write_text("from,to,operators\n08:00,12:00,four\n", encoding="utf-8")
    with pytest.raises(InvalidConfig, match="bad shift row"):
        load_shifts(shifts)
