"""The supervisor's dashboard in headless Chromium over the whole live system (issue 7).

The emulator produces an overload (one operator, busy for ten minutes). The supervisor watches a
caller's wait count up and turn red at the 40-second limit, the alerts fire, the service level
falls when that caller gives up; then the supervisor switches emergency mode on the page and the
next call gets the announcement first. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path

from browser_support import ARTIFACTS, BROWSER_TEST
from live_center import Center, live_center
from playwright.async_api import Browser, Page, expect

from callcenter.emulator.callers import CallerScript

pytestmark = BROWSER_TEST
SPEED = 4.0  # the center's clock: 40 seconds of waiting take 10 s of the test
NOTE = "Авария на водоводе в Заречном районе, подача воды к 18:00"


async def sign_in(page: Page, base: str) -> None:
    await page.goto(f"{base}/supervisor")
    await page.fill("#login", "supervisor")
    await page.fill("#password", "supervisor")
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/supervisor")
    await expect(page.locator("#link")).to_have_text("онлайн")


def virtual_ms(seconds: float) -> float:
    return seconds / SPEED * 1000 + 3000


async def test_the_supervisor_watches_an_overload_and_switches_emergency_mode(
    tmp_path: Path, browser: Browser
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    async with live_center(tmp_path, speed=SPEED, operators={"PJSIP/101": 600.0}) as center:
        page = await browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await sign_in(page, center.url)
        await center.busy_operator()
        await expect(page.locator(".sl-15m")).to_have_text("100%", timeout=virtual_ms(10))
        # The center's local time (12:00 in Moscow) whatever the browser's zone (UTC here), and
        # the operator by name.
        await expect(page.locator("#clock")).to_contain_text("12:0")
        await expect(page.get_by_role("cell", name="Оператор 101")).to_be_visible()

        # The caller asks for an operator in the day menu (0), declines the callback offer,
        # keeps waiting and gives up after 70 s.
        uid = center.emulator.place_call(
            CallerScript(number="+79165550002", patience_s=70, digits={"day_topics": "0"})
        )
        wait = page.locator(f'.wait[data-call="{uid}"]')
        await expect(wait).to_have_class("wait ok", timeout=virtual_ms(10))
        first = int((await wait.inner_text()).split()[0])
        await expect(wait).not_to_have_text(f"{first} с", timeout=virtual_ms(5))
        assert int((await wait.inner_text()).split()[0]) > first  # counting up
        await expect(page.locator('#alerts li[data-kind="near_limit"]')).to_be_visible(
            timeout=virtual_ms(40)
        )
        await expect(wait).to_have_class("wait near", timeout=virtual_ms(40))
        await expect(wait).to_have_class("wait over", timeout=virtual_ms(20))
        await page.screenshot(path=str(ARTIFACTS / "live-supervisor-limit.png"), full_page=True)

        await expect(wait).to_have_count(0, timeout=virtual_ms(40))  # gave up
        await expect(page.locator(".sl-15m")).to_have_text("50%", timeout=virtual_ms(10))
        await expect(page.locator('#alerts li[data-kind="sl_low"]')).to_contain_text("50%")

        await page.fill("#emergency-text", NOTE)
        await page.click("#emergency-toggle")
        await expect(page.locator("#control-result")).to_have_text("Выполнено")
        await expect(page.locator("#mode")).to_have_text("Режим ЧС", timeout=virtual_ms(10))
        await expect(page.locator("#announcement")).to_contain_text("Авария на водоводе")
        await expect(page.locator('#audit li[data-action="set_emergency"]')).to_contain_text(
            "включил(а) режим ЧС, объявление: «Авария на водоводе"
        )

        center.emulator.keep_events = True
        next_call = center.emulator.place_call(CallerScript(number="+79165550003"))
        await center.wait_for(
            lambda: announced(center, next_call) != "", virtual_s=30, label="announcement"
        )
        assert (tmp_path / "sounds" / f"{announced(center, next_call)}.wav").exists()
        await page.screenshot(path=str(ARTIFACTS / "live-supervisor-emergency.png"), full_page=True)
        assert errors == []


def announced(center: Center, uid: str) -> str:
    """The prompt the dialplan played to the call before anything else ("" if none yet)."""
    for name, headers in center.emulator.events():
        fields = dict(headers)
        if name == "VarSet" and (fields.get("Uniqueid"), fields.get("Variable")) == (
            uid,
            "CC_ANNOUNCE",
        ):
            return fields.get("Value", "")
    return ""
