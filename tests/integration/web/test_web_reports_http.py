"""Reports over HTTP: JSON, the page with SVG charts, CSV and XLSX downloads."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from web_support import SignIn, World

from callcenter.web.reports import CallRow


def call(call_id: str, hour: int, outcome: str, wait: float, **extra: object) -> CallRow:
    arrived = datetime(2027, 1, 15, hour, 10, tzinfo=UTC).timestamp()
    fields: dict[str, object] = {"operator_id": "op101", "talk_s": 120.0, "arrived_at": arrived}
    fields.update(extra)
    return CallRow(
        call_id=call_id, queue="general", topic="ЖКХ", mode="day",
        outcome=outcome, wait_s=wait, answered_within_limit=wait <= 40, **fields,  # type: ignore[arg-type]
    )  # fmt: skip


async def signed_in(world: World, sign_in: SignIn) -> None:
    world.rows.extend(
        [
            call("a", 8, "answered", 10, survey_rating=5, survey_answers=(("Решён?", "да"),)),
            call("b", 8, "answered", 50),
            call("c", 9, "abandoned", 30, operator_id=None),
            call("old", 8, "answered", 5, arrived_at=datetime(2027, 1, 1, tzinfo=UTC).timestamp()),
        ]
    )
    await sign_in(world.client, "supervisor")


async def test_json_report_defaults_to_today_by_hour(world: World, sign_in: SignIn) -> None:
    await signed_in(world, sign_in)
    body = await (await world.client.get("/api/reports")).json()
    assert (body["from"], body["to"], body["group"]) == ("2027-01-15", "2027-01-15", "hour")
    assert [x["key"] for x in body["lines"]] == ["08:00", "09:00", "Итого"]
    total = body["lines"][-1]
    assert (total["offered"], total["answered"], total["answered_in_limit"]) == (3, 2, 1)
    assert round(total["sl_pct"], 1) == 33.3
    assert body["survey_answers"] == [
        {"key": "08:00", "question": "Решён?", "answer": "да", "count": 1}
    ]


async def test_staffing_learns_from_the_same_weekday_of_the_last_four_weeks(
    world: World, sign_in: SignIn
) -> None:
    await signed_in(world, sign_in)  # today (Friday 15 January) has calls at 08:00 and 09:00
    week = 7 * 86400.0
    friday = datetime(2027, 1, 15, 8, 10, tzinfo=UTC).timestamp()
    world.rows.extend(
        [
            call("w1", 8, "answered", 10, arrived_at=friday - week),
            call("w2", 8, "answered", 10, arrived_at=friday - week + 60),
            call("w3", 8, "answered", 10, arrived_at=friday - 3 * week),
            call("thu", 8, "answered", 10, arrived_at=friday - 86400),  # not a Friday
            call("w5", 8, "answered", 10, arrived_at=friday - 5 * week),  # too long ago
        ]
    )
    body = await (await world.client.get("/api/reports")).json()
    assert body["staffing_days"] == ["2026-12-18", "2026-12-25", "2027-01-01", "2027-01-08"]
    slots = {s["slot"]: s for s in body["staffing"]}
    # Three 08:00 calls over the three Fridays that had calls ("old" is on 1 January, at 00:00):
    # one a half hour, two an hour; the Friday without calls does not dilute them.
    assert (slots["08:00"]["calls"], slots["08:00"]["rate_per_hour"]) == (3, 2.0)
    assert slots["00:00"]["calls"] == 1
    assert slots["08:00"]["needed"] == 1
    assert slots["09:00"]["calls"] == 0  # today's 09:00 call is not history yet
    assert slots["09:00"]["scheduled"] == 3
    assert world.staffed[0][2:4] == (40.0, 0.8)


async def test_range_and_grouping_are_honoured(world: World, sign_in: SignIn) -> None:
    await signed_in(world, sign_in)
    query = "/api/reports?from=2027-01-01&to=2027-01-15&group=day"
    body = await (await world.client.get(query)).json()
    assert [x["key"] for x in body["lines"]] == ["2027-01-01", "2027-01-15", "Итого"]


async def test_bad_query_is_a_400(world: World, sign_in: SignIn) -> None:
    await sign_in(world.client, "supervisor")
    for query in ("from=15.01.2027", "group=week", "from=2027-01-15&to=2027-01-01"):
        resp = await world.client.get(f"/api/reports?{query}")
        assert resp.status == 400, query
        assert (await resp.json())["error_id"] == "invalid_input"
    page = await world.client.get("/reports?group=week")
    assert page.status == 400
    assert "hour, day, queue, topic или operator" in await page.text()


async def test_page_shows_table_charts_and_export_links(world: World, sign_in: SignIn) -> None:
    await signed_in(world, sign_in)
    resp = await world.client.get("/reports?group=operator")
    html = await resp.text()
    assert resp.status == 200
    assert html.count("<svg") == 2
    assert "Уровень обслуживания" in html
    assert "/api/reports/export.xlsx?group=operator" in html
    assert "<td>op101</td>" in html
    assert "Потребность в операторах" in html
    assert "https://" not in html  # nothing from the internet


async def test_csv_and_xlsx_downloads(world: World, sign_in: SignIn) -> None:
    await signed_in(world, sign_in)
    csv_resp = await world.client.get("/api/reports/export.csv?group=queue")
    assert csv_resp.headers["Content-Type"].startswith("text/csv")
    assert "report_queue_2027-01-15_2027-01-15.csv" in csv_resp.headers["Content-Disposition"]
    text = (await csv_resp.read()).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("general;3;2;1;33.3")
    xlsx = await world.client.get("/api/reports/export.xlsx?group=queue")
    sheet = load_workbook(io.BytesIO(await xlsx.read())).active
    assert [c.value for c in sheet[2]][:4] == ["general", 3, 2, 1]
