"""The operator's workplace in headless Chromium over the whole live system (issue 6).

The operator signs in and goes ready (QueueAdd through Asterisk, here the emulator); the emulator
delivers a citizen who chose "passport" in the menu; the screen pop shows the caller's earlier
call; the operator follows the script, finds an FAQ answer with a misspelled query, registers a
classified complaint; the citizen hangs up and the operator wraps up. The database holds it all.
"""

from __future__ import annotations

from pathlib import Path

from browser_support import ARTIFACTS, BROWSER_TEST
from live_center import live_center
from operator_page import COMPLAINT, follow_script, register_complaint, sign_in
from playwright.async_api import Browser, expect

from callcenter.emulator.callers import CallerScript
from callcenter.store.records import CallRecord

pytestmark = BROWSER_TEST
CALLER = "+79123456789"
SPEED = 2.0  # the citizen talks for a minute of the center's time: 30 s of the test


async def test_an_operator_serves_a_live_call_from_pop_to_wrap_up(
    tmp_path: Path, browser: Browser
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    async with live_center(tmp_path, speed=SPEED) as center:
        earlier = CallRecord(
            id="1790000000.1",
            caller_number=CALLER,
            arrived_at=center.clock.now() - 20 * 86400,
            topic="passport",
            outcome="answered",
        )
        await center.store.calls.upsert_call(earlier)
        # The softphone at PJSIP/101 answers whatever rings and stays on until the caller leaves.
        center.emulator.add_operator("PJSIP/101", answer_delay_s=1.0, handle_s=(3600, 3600))
        page = await browser.new_page(viewport={"width": 1500, "height": 1100})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await sign_in(page, center.url)
        await page.click("#btn-ready")
        await expect(page.locator("#state")).to_have_text("Готов")

        uid = center.emulator.place_call(
            CallerScript(number=CALLER, name="Иванов Иван", digits={"day_topics": "1"}, talk_s=60)
        )
        await expect(page.locator("#state")).to_have_text("Разговор", timeout=20_000)
        await expect(page.locator("#pop-number")).to_have_text(CALLER)
        await expect(page.locator("#pop-topic")).to_have_text("Паспорт и загранпаспорт")
        await expect(page.locator("#pop-arrival")).to_contain_text("паспорт")
        await expect(page.locator("#history li")).to_have_count(1)
        # In the center's time (12:00 in Moscow), though this browser runs in UTC, and in words.
        earlier_line = page.locator("#history li").first
        await expect(earlier_line).to_contain_text(", 12:0")
        await expect(earlier_line).to_contain_text(
            "Звонок (Паспорт и загранпаспорт): разговор с оператором"
        )
        header_height = (await page.locator("header").bounding_box() or {})["height"]

        await follow_script(page)
        await page.fill("#kb-query", "загранпасспорт")
        await page.click("#kb-form button[type=submit]")
        first_hit = page.locator("#kb-results li").first
        await expect(first_hit).to_have_attribute("data-faq", "faq.passport.foreign_how")
        number = await register_complaint(page)
        await page.screenshot(path=str(ARTIFACTS / "live-operator-call.png"), full_page=True)

        # The citizen hangs up; the next call waits for the wrap-up.
        await expect(page.locator("#state")).to_have_text("Завершение звонка", timeout=60_000)
        # The form comes into view by itself; the header stays one row with the timer in it.
        await expect(page.locator("#wrapup")).to_be_in_viewport()
        await expect(page.locator("#wrapup-timer")).to_contain_text("осталось")
        assert (await page.locator("header").bounding_box() or {})["height"] == header_height
        await page.select_option("#wrapup-code", "complaint_registered")
        await expect(page.locator("#wf-appeal_number")).to_have_value(number)
        # The classification reads as its four Russian names; the form sends the code.
        await expect(page.locator("#wt-classification")).to_have_text(
            "Паспорта и регистрация → Заграничный паспорт → Нарушение срока выдачи → МФЦ"
        )
        await expect(page.locator("#wf-classification")).to_have_value(COMPLAINT)
        await page.screenshot(path=str(ARTIFACTS / "live-operator-wrapup-start.png"))
        await page.click("#wrapup-submit")
        await expect(page.locator("#notice")).to_have_text("Обработка звонка завершена")
        await page.screenshot(path=str(ARTIFACTS / "live-operator-wrapup.png"), full_page=True)

        record = await center.call_record(uid)
        assert (record.outcome, record.operator_id) == ("answered", "PJSIP/101")
        assert record.result_code == "complaint_registered"
        assert record.script_path is not None
        assert len(record.script_path) >= 4  # the steps the operator walked through
        (appeal,) = await center.store.citizens.appeals(CALLER)
        levels = (appeal.category, appeal.subcategory, appeal.fact, appeal.object_code)
        assert ".".join(str(level).rsplit(".", 1)[-1] for level in levels) == COMPLAINT
        assert (appeal.id, appeal.call_id, appeal.urgency) == (number, uid, "high")  # "срочно"
        assert errors == []
