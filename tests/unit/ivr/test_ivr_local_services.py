"""The night menu end to end over the local services and the in-memory portal."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ivr_fakes import ScriptedChannel

from callcenter.ivr.local_services import LocalIvrServices
from callcenter.ivr.menus import load_menus, shipped_menus_dir
from callcenter.ivr.portal import demo_portal_file, load_portal_file
from callcenter.ivr.runner import IvrRunner
from callcenter.ivr.services import FaqAnswer, IvrServices

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=timezone(timedelta(hours=3)))


def services(spoken: list[str], callbacks: list[tuple[str, str, datetime | None]]) -> IvrServices:
    async def callback(phone: str, topic: str, not_before: datetime | None) -> str:
        callbacks.append((phone, topic, not_before))
        return "cb-9"

    async def nobody() -> bool:
        return False

    async def speak(text: str) -> str:
        spoken.append(text)
        return f"dyn_{len(spoken)}"

    return LocalIvrServices(
        portal=load_portal_file(demo_portal_file(), clock=lambda: NOW),
        faq={"passport_replace": FaqAnswer("Паспорт меняют в МФЦ.", "faq_passport_replace")},
        request_callback=callback,
        operator_on_duty=nobody,
        speak=speak,
    )


async def test_status_then_booking_over_the_demo_portal() -> None:
    spoken: list[str] = []
    night = load_menus(shipped_menus_dir())["night"]
    runner = IvrRunner(menu=night, services=services(spoken, []), clock=lambda: NOW)
    channel = ScriptedChannel(
        digits=["2", "1001", "1", "3", "1", "0"], variables={"CALLERID(num)": "+79160000001"}
    )
    session = await runner.run(channel, call_id="n1")
    assert spoken[0].startswith("Ваше заявление номер тысяча один рассматривается")
    assert spoken[-1] == "Вы записаны на приём: 1 декабря в 09:00. Номер записи: 0001."
    assert session.booking_reference == "0001"
    assert session.outcome == "self_served"


async def test_callback_goes_to_the_sink_with_the_morning_deadline() -> None:
    callbacks: list[tuple[str, str, datetime | None]] = []
    night = load_menus(shipped_menus_dir())["night"]
    runner = IvrRunner(menu=night, services=services([], callbacks), clock=lambda: NOW)
    channel = ScriptedChannel(digits=["4"], variables={"CALLERID(num)": "+79160000001"})
    session = await runner.run(channel, call_id="n2")
    assert callbacks == [("+79160000001", "general", NOW.replace(hour=6))]
    assert (session.outcome, session.callback_id) == ("callback_requested", "cb-9")
