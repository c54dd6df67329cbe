"""The supervisor's pages read as Russian over the live system: queue and topic titles instead of
codes, the caller's number masked instead of a call id, "нет" in empty tables, one readable line
per action in the audit log, a move between queues chosen from a list, and reports by operator
by name in a table that fits the page. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

from browser_support import ARTIFACTS, BROWSER_TEST
from live_center import live_center
from playwright.async_api import Browser, expect

from callcenter.emulator.callers import TOPIC_KEYS, TOPIC_MENU, CallerScript

pytestmark = BROWSER_TEST


async def test_the_dashboard_and_reports_show_titles_names_and_readable_actions(
    tmp_path: Path, browser: Browser
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    operators = {"PJSIP/101": 600.0}
    async with live_center(
        tmp_path, speed=10.0, operators=operators, queues=("citizens", "social")
    ) as center:
        page = await browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{center.url}/supervisor")
        await page.fill("#login", "supervisor")
        await page.fill("#password", "supervisor")
        await page.click("button[type=submit]")
        await expect(page.locator("#link")).to_have_text("онлайн")

        citizens = page.locator('article[data-queue="citizens"] h2')
        await expect(citizens).to_have_text("Обращения граждан (предел 40 с)")
        await expect(page.locator("#callbacks tr.none")).to_have_text("нет")
        await expect(page.locator('article[data-queue="social"] tr.none')).to_have_text(
            "нет ожидающих"
        )

        talking = CallerScript(number="+79161112233", digits={TOPIC_MENU: TOPIC_KEYS["housing"]})
        talking.talk_s = 90
        talking_id = center.emulator.place_call(talking)
        waiting = CallerScript(number="", digits={TOPIC_MENU: TOPIC_KEYS["passport"]})
        waiting.patience_s = 600
        center.emulator.place_call(waiting)
        row = page.locator('#operators tr[data-operator="PJSIP/101"]')
        await expect(row.locator("td.caller")).to_have_text("*******2233", timeout=20_000)
        await expect(page.locator("table.waiting td", has_text="Паспорт")).to_have_text(
            "Паспорт и загранпаспорт", timeout=20_000
        )
        await page.select_option("#op-queues", ["citizens", "social"])
        await page.click("#op-move")
        await expect(page.locator("#control-result")).to_have_text("Выполнено")
        await expect(page.locator('#audit li[data-action="move_operator"]')).to_contain_text(
            "supervisor: перевёл(а) Оператор 101 в очереди: Обращения граждан, Социальные вопросы"
        )
        await expect(row.locator("td").nth(4)).to_have_text(
            "Обращения граждан, Социальные вопросы", timeout=10_000
        )
        await page.screenshot(path=str(ARTIFACTS / "live-supervisor-titles.png"), full_page=True)

        await center.wait_for(lambda: center.ended(talking_id), virtual_s=120, label="talk")
        await center.runtime.recorder.drain()
        await page.goto(f"{center.url}/reports?group=operator&from=2026-11-24&to=2026-11-24")
        keys = page.locator("#report tbody tr td:first-child")
        await expect(keys.filter(has_text="Оператор 101")).to_have_count(1)
        await expect(keys.filter(has_text="PJSIP")).to_have_count(0)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1400, f"the reports page is {width} px wide in a 1400 px window"
        await page.screenshot(path=str(ARTIFACTS / "live-reports.png"), full_page=True)
        assert errors == []
