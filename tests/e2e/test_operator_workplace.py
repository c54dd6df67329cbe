"""The operator workplace in headless Chromium, with in-memory ports behind the API.

An operator signs in and goes ready; the test delivers a call as the engine would
(`hub.pop`); the screen pop shows the caller's history; the operator follows the passport
script, finds an FAQ answer with a misspelled query, registers a classified complaint; the
engine reports the hang-up (`hub.call_ended`) and the operator wraps up. The in-memory store
must then hold the appeal, the script path and the wrap-up. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestServer
from browser_support import ARTIFACTS, BROWSER_TEST
from operator_page import COMPLAINT, follow_script, register_complaint, sign_in
from playwright.async_api import Browser, expect

from callcenter.config import Settings
from callcenter.scripting import OperatorGuide
from callcenter.web.app import create_app
from callcenter.web.auth import InMemoryUserDirectory
from callcenter.web.operator import add_operator_routes
from callcenter.web.status import StatusAggregator
from callcenter.web.workplace_memory import (
    ControlCall,
    InMemoryWorkplaceStore,
    RecordingCallActions,
    RecordingOperatorControls,
    in_memory_workplace,
)
from callcenter.web.workplace_model import Arrival, HistoryEntry, ScreenPop
from callcenter.web.workplace_ports import Workplace

pytestmark = BROWSER_TEST
CALLER = "+79123456789"


class Served:
    def __init__(self, server: TestServer, workplace: Workplace) -> None:
        self.server = server
        self.hub = workplace.hub
        assert isinstance(workplace.store, InMemoryWorkplaceStore)
        assert isinstance(workplace.controls, RecordingOperatorControls)
        assert isinstance(workplace.calls, RecordingCallActions)
        self.store = workplace.store
        self.controls = workplace.controls
        self.calls = workplace.calls

    @property
    def base(self) -> str:
        return str(self.server.make_url("")).rstrip("/")


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    app = create_app(Settings(mode="demo", api_key="e2e-key"), StatusAggregator())
    guide = OperatorGuide.load()
    store = InMemoryWorkplaceStore()
    now = time.time()
    store.seed_history(CALLER, [
        HistoryEntry("call", now - 86400 * 20, "Консультация по замене паспорта", "c-old"),
        HistoryEntry("appeal", now - 86400 * 3, "Жалоба на сроки выдачи загранпаспорта", "ОБ-77"),
    ])  # fmt: skip
    workplace = in_memory_workplace(guide, clock=time.time, store=store)
    add_operator_routes(app, workplace=workplace, users=InMemoryUserDirectory.demo(n=2**10))
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    yield Served(server, workplace)
    await server.close()


async def test_operator_handles_a_call_from_screen_pop_to_wrapup(
    served: Served, browser: Browser
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = await browser.new_page(viewport={"width": 1500, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await sign_in(page, served.base)
    await page.click("#btn-ready")
    await expect(page.locator("#state")).to_have_text("Готов")

    arrival = Arrival("ivr", ("Паспорт и загранпаспорт", "Загранпаспорт"))
    pop = ScreenPop("call-1", CALLER, time.time(), 23.0, "passport", "Иванов Иван", "general",
                    arrival)  # fmt: skip
    served.hub.pop("op101", pop)
    await expect(page.locator("#state")).to_have_text("Разговор")
    await expect(page.locator("#pop-number")).to_have_text(CALLER)
    await expect(page.locator("#pop-waited")).to_have_text("23 с")
    await expect(page.locator("#pop-topic")).to_have_text("Паспорт и загранпаспорт")
    await expect(page.locator("#pop-arrival")).to_contain_text("Паспорт и загранпаспорт → Загран")
    history = page.locator("#history li")
    await expect(history).to_have_count(2)
    await expect(history.first).to_contain_text("№ ОБ-77")  # newest first

    await follow_script(page)
    await page.fill("#kb-query", "загранпасспорт")
    await page.click("#kb-form button[type=submit]")
    first_hit = page.locator("#kb-results li").first
    await expect(first_hit).to_have_attribute("data-faq", "faq.passport.foreign_how")
    assert await register_complaint(page) == "ОБ-000001"
    await page.screenshot(path=str(ARTIFACTS / "operator_call.png"), full_page=True)

    served.hub.call_ended("op101", "call-1")  # the caller hangs up
    await expect(page.locator("#state")).to_have_text("Завершение звонка")
    await page.click("#btn-ready")
    await expect(page.locator("#error")).to_contain_text("Сначала завершите обработку звонка")
    await page.select_option("#wrapup-code", "complaint_registered")
    await expect(page.locator("#wf-appeal_number")).to_have_value("ОБ-000001")
    await page.screenshot(path=str(ARTIFACTS / "operator_wrapup.png"), full_page=True)
    await page.click("#wrapup-submit")
    await expect(page.locator("#notice")).to_have_text("Обработка звонка завершена")
    await expect(page.locator("#state")).to_have_text("Готов")

    (appeal,) = served.store.appeals
    assert (appeal.classification, appeal.kind, appeal.urgency) == (
        COMPLAINT,
        "complaint",
        "urgent",
    )
    assert (appeal.phone, appeal.call_id, appeal.executor_id) == (
        CALLER, "call-1", "agency.mfc_central",
    )  # fmt: skip
    operator_id, path = served.store.script_paths["call-1"]
    assert operator_id == "op101"
    assert path.completed
    assert path.step_ids[-2:] == ("resolution", "appeal_text")
    (wrapup,) = served.store.wrapups
    fields = dict(wrapup.fields)
    assert wrapup.result_code == "complaint_registered"
    assert not wrapup.timed_out
    assert (fields["appeal_number"], fields["classification"]) == ("ОБ-000001", COMPLAINT)
    assert [c.action for c in served.controls.calls] == ["go_ready", "wrap_up_done"]
    assert served.controls.calls[0] == ControlCall("go_ready", "op101", "PJSIP/101")
    assert errors == []


def next_working_day() -> str:
    day = datetime.now(UTC).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


async def test_operator_books_calls_back_transfers_and_flags_outdated_data(
    served: Served, browser: Browser
) -> None:
    page = await browser.new_page(viewport={"width": 1500, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await sign_in(page, served.base)
    await page.select_option("#pause-reason", "Обед")
    await page.click("#btn-pause")
    await expect(page.locator("#state")).to_have_text("Пауза: Обед")

    context = (("Тема", "Паспорт"), ("Ожидание там", "55 с"))
    arrival = Arrival("overflow", overflow_from="Северный ЦОВ", overflow_context=context)
    served.hub.pop("op101", ScreenPop("call-2", CALLER, time.time(), 41.0, "passport", "",
                                      "general", arrival))  # fmt: skip
    await expect(page.locator("#pop-arrival")).to_contain_text("из центра «Северный ЦОВ»")
    await expect(page.locator("#pop-arrival")).to_contain_text("Ожидание там: 55 с")
    await expect(page.locator("#pop-name")).to_have_text("не известно")

    await page.select_option("#book-service", "service.passport_foreign")
    await page.select_option("#book-agency", "agency.mfc_central")
    day = next_working_day()
    await page.fill("#book-day", day)
    await page.click("#book-load")
    await expect(page.locator(f"#book-slot option[value='{day}T09:00']")).to_have_count(1)
    await page.select_option("#book-slot", f"{day}T10:00")
    await page.fill("#book-name", "Петрова Анна")
    await page.click("#booking-form button[type=submit]")
    await expect(page.locator("#notice")).to_have_text("Гражданин записан на приём")

    await page.fill("#cb-minutes", "30")
    await page.click("#callback-form button[type=submit]")
    await expect(page.locator("#notice")).to_have_text("Обратный звонок назначен")

    await page.locator('#agencies li[data-agency="agency.mfc_north"] button').click()
    await page.fill("#outdated-note", "Новый адрес: пр. Мира, д. 47")
    await page.click("#outdated-form button[type=submit]")
    await expect(page.locator("#notice")).to_have_text(
        "Сообщение об устаревшей информации отправлено"
    )

    await page.select_option("#transfer-agency", "agency.migration")
    await page.fill("#transfer-note", "Вопрос о визе")
    await page.click("#transfer-form button[type=submit]")
    await expect(page.locator("#notice")).to_have_text("Звонок переведён")
    await expect(page.locator("#call-actions li")).to_have_count(3)
    await expect(page.locator("#history li")).to_have_count(2)  # this call's own actions excluded
    await page.screenshot(path=str(ARTIFACTS / "operator_actions.png"), full_page=True)

    assert [a.kind for a in served.store.actions] == ["appointment", "callback", "transfer"]
    assert served.calls.transfers == [("call-2", "7201", "Вопрос о визе")]
    assert served.calls.callbacks[0][:2] == (CALLER, "passport")
    assert served.store.outdated[0].entry_id == "agency.mfc_north"
    assert served.controls.calls[0] == ControlCall("pause", "op101", "PJSIP/101", "Обед")
    assert errors == []
