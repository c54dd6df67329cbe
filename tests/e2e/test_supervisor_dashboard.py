"""The supervisor dashboard in headless Chromium, fed by a scripted publisher.

The supervisor signs in, watches a caller's wait count up and turn red at the 40-second limit while
the service level falls and alerts appear, switches emergency mode (the controls fake records it),
and opens the reports page. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestServer
from browser_support import ARTIFACTS, BROWSER_TEST
from playwright.async_api import Browser, Page, expect

from callcenter.config import Settings
from callcenter.web.alerts import AlertThresholds, AlertTracker
from callcenter.web.app import create_app
from callcenter.web.auth import InMemoryUserDirectory
from callcenter.web.controls import ControlCall, InMemoryAuditLog, RecordingControls
from callcenter.web.live import (
    CallbackView,
    LiveHub,
    OperatorView,
    PartnerView,
    QueueFigures,
    QueueView,
    Snapshot,
    WaitingCaller,
)
from callcenter.web.metrics import Metrics
from callcenter.web.reports import CallRow
from callcenter.web.status import StatusAggregator
from callcenter.web.supervisor import add_supervisor_routes

pytestmark = BROWSER_TEST
T0 = 1_800_000_000.0


def scripted(t: float, *, sl15: float, mode: str = "day", note: str = "") -> Snapshot:
    """The picture at virtual time t: caller c1 has waited since T0 - 20, nobody is free."""
    caller = WaitingCaller("c1", "*******4567", T0 - 20, 1, 25.0, 0, "ЖКХ")
    figures = QueueFigures(sl_today_pct=86.0, sl_15m_pct=sl15, asa_s=14.0, answered=41, offered=47)
    queue = QueueView("general", 40.0, "Общая очередь", 25.0, (caller,), figures)
    ops = (
        OperatorView("op101", "Иванова А.", "talking", T0 - 95, "", ("general",), "c0"),
        OperatorView("op102", "Петров Б.", "paused", T0 - 300, "обучение", ("general",)),
    )
    callbacks = (CallbackView("cb1", "*******9876", "Транспорт", T0 + 300, 1, "pending"),)
    partners = (PartnerView("north", "Северный ЦОВ", 12.0, True, t - 5, 4, 2),)
    return Snapshot(t, mode, (queue,), ops, callbacks, partners, announcement=note)


async def two_rows(start: float, end: float) -> list[CallRow]:
    arrived = datetime.fromtimestamp(start, UTC).replace(hour=9).timestamp()
    return [
        CallRow("r1", arrived, "general", "ЖКХ", "op101", "day", "answered", 12, 200, True),
        CallRow("r2", arrived + 60, "general", "ЖКХ", None, "day", "abandoned", 45, 0, False),
    ]


@pytest.fixture
async def served() -> AsyncIterator[tuple[TestServer, LiveHub, RecordingControls]]:
    app = create_app(Settings(mode="demo", api_key="e2e-key"), StatusAggregator())
    hub = LiveHub(transform=AlertTracker(AlertThresholds()))
    controls = RecordingControls()
    add_supervisor_routes(
        app, hub=hub, controls=controls, audit=InMemoryAuditLog(clock=time.time),
        users=InMemoryUserDirectory.demo(n=2**10), metrics=Metrics(), report_source=two_rows,
        agents_needed=lambda rate, aht, target, level, patience: 2,
    )  # fmt: skip
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    yield server, hub, controls
    await server.close()


async def sign_in(page: Page, base: str) -> None:
    await page.goto(f"{base}/supervisor")
    await expect(page.get_by_role("heading", name="Вход в систему")).to_be_visible()
    await page.fill("#login", "supervisor")
    await page.fill("#password", "supervisor")
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/supervisor")


async def test_supervisor_watches_the_limit_and_switches_emergency(
    served: tuple[TestServer, LiveHub, RecordingControls], browser: Browser
) -> None:
    server, hub, controls = served
    base = str(server.make_url("")).rstrip("/")
    ARTIFACTS.mkdir(exist_ok=True)
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await sign_in(page, base)
    await expect(page.locator("#link")).to_have_text("онлайн")

    hub.publish(scripted(T0, sl15=88.0))
    wait = page.locator('.wait[data-call="c1"]')
    await expect(wait).to_have_text("20 с")
    await expect(wait).to_have_class("wait ok")
    await expect(wait).to_have_text("21 с", timeout=3000)  # counts up between snapshots
    await expect(page.locator("#alerts li.none")).to_be_visible()

    hub.publish(scripted(T0 + 12, sl15=76.0))
    await expect(wait).to_have_class("wait near")
    await expect(page.locator('#alerts li[data-kind="near_limit"]')).to_be_visible()

    hub.publish(scripted(T0 + 21, sl15=61.0))
    await expect(wait).to_have_class("wait over")
    await expect(page.locator(".sl-15m")).to_have_text("61%")
    await expect(page.locator('#alerts li[data-kind="sl_low"]')).to_contain_text("61%")
    await expect(page.locator('#alerts li[data-kind="near_limit"]')).to_have_class("critical")
    await page.screenshot(path=str(ARTIFACTS / "supervisor-limit-red.png"), full_page=True)

    note = "Авария на водоводе, подача воды восстановится к 18:00"
    await page.fill("#emergency-text", note)
    await page.click("#emergency-toggle")
    await expect(page.locator("#control-result")).to_have_text("Выполнено")
    assert controls.calls == [
        ControlCall(
            "set_emergency", (True, "Авария на водоводе, подача воды восстановится к 18:00")
        )
    ]
    await expect(page.locator("#audit li").first).to_contain_text(
        "supervisor: включил(а) режим ЧС, объявление: «Авария на водоводе"
    )
    hub.publish(scripted(T0 + 22, sl15=61.0, mode="emergency", note="Авария на водоводе"))
    await expect(page.locator("#mode")).to_have_text("Режим ЧС")
    await expect(page.locator("#announcement")).to_contain_text("Авария на водоводе")
    await page.screenshot(path=str(ARTIFACTS / "supervisor-emergency.png"), full_page=True)

    await page.select_option("#op-select", "op102")
    await expect(page.locator("#op-queues")).to_have_values(["general"])
    await page.click("#op-unpause")
    await expect(page.locator("#audit li").first).to_contain_text("снял(а) с паузы")
    await page.fill("#queue-limit", "2")
    await page.click("#queue-limit-set")
    await expect(page.locator("#control-result")).to_contain_text("Предел ожидания должен быть")
    assert controls.calls[1:] == [ControlCall("pause_operator", ("op102", False, ""))]

    await page.goto(f"{base}/reports?group=hour")
    await expect(page.locator("#report tr.total td").first).to_have_text("Итого")
    assert await page.locator("svg.chart").count() == 2
    await page.screenshot(path=str(ARTIFACTS / "supervisor-reports.png"), full_page=True)
    assert errors == []


async def test_an_operator_cannot_open_the_dashboard(
    served: tuple[TestServer, LiveHub, RecordingControls], browser: Browser
) -> None:
    server, _, _ = served
    base = str(server.make_url("")).rstrip("/")
    page = await browser.new_page()
    await page.goto(f"{base}/login")
    await page.fill("#login", "op101")
    await page.fill("#password", "op101")
    await page.click("button[type=submit]")
    response = await page.goto(f"{base}/supervisor")
    assert response is not None
    assert response.status == 403
    await expect(page.get_by_role("heading", name="Доступ запрещён")).to_be_visible()
