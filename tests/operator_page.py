"""Steps of the operator's workplace page, shared by the browser tests."""

from __future__ import annotations

from playwright.async_api import Page, expect

# The classification the complaint of these tests gets: category.subcategory.fact.object
COMPLAINT = "passport.foreign.deadline_violation.mfc"


async def sign_in(page: Page, base: str) -> None:
    await page.goto(f"{base}/operator")
    await page.fill("#login", "op101")
    await page.fill("#password", "op101")
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/operator")
    await expect(page.locator("#link")).to_have_text("онлайн")


async def follow_script(page: Page) -> None:
    await expect(page.locator("#step-text")).to_contain_text("оператор Оператор 101")
    await page.click("#step-next")
    await expect(page.locator("#step-text")).to_have_attribute("data-step", "identification")
    await page.click("#step-next")  # the mandatory answer is missing: refused
    await expect(page.locator("#error")).to_have_text("Ответ на этот вопрос сценария обязателен")
    await page.fill("#step-input", "Иванов Иван Петрович")
    await page.click("#step-next")
    await page.get_by_role("button", name="Загранпаспорт").click()
    await page.get_by_role("button", name="Стоимость госпошлины").click()
    await expect(page.locator("#step-faq .faq")).to_contain_text("15 000 ₽")
    await page.click("#step-next")
    await page.get_by_role("button", name="Гражданин хочет подать обращение").click()
    await page.fill("#step-input", "Паспорт не выдан в срок")
    await page.click("#step-next")
    await expect(page.locator("#step-done")).to_be_visible()
    await expect(page.locator("#script-path li").first).to_contain_text("оператор Оператор 101")


async def register_complaint(page: Page) -> str:
    """Registers the classified complaint; returns the number the page announces."""
    await page.select_option("#appeal-kind", "complaint")
    levels = COMPLAINT.split(".")
    for depth in range(4):
        code = ".".join(levels[: depth + 1])
        await expect(page.locator(f"#cls-{depth} option[value='{code}']")).to_have_count(1)
        await page.select_option(f"#cls-{depth}", code)
    await page.fill("#appeal-text", "Загранпаспорт не выдан через 2 месяца после подачи в МФЦ")
    await page.select_option("#appeal-executor", "agency.mfc_central")
    await page.select_option("#appeal-urgency", "urgent")
    await page.click("#appeal-submit")
    notice = page.locator("#notice")
    await expect(notice).to_contain_text("Зарегистрировано обращение № ")
    return (await notice.inner_text()).rsplit("№ ", 1)[1]
