"""The IVR runner walks the shipped night menu with a scripted caller and fake services."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from ivr_fakes import FakeServices, ScriptedChannel

from callcenter.ivr.menus import Menu, load_menus, shipped_menus_dir
from callcenter.ivr.portal import Slot
from callcenter.ivr.runner import IvrRunner, RunnerSettings
from callcenter.ivr.services import FaqAnswer
from callcenter.ivr.session import IvrSession

MSK = timezone(timedelta(hours=3))
NIGHT = datetime(2026, 11, 23, 2, 30, tzinfo=MSK)


@pytest.fixture(scope="module")
def night() -> Menu:
    return load_menus(shipped_menus_dir())["night"]


def slots() -> list[Slot]:
    return [
        Slot(f"s{i}", "mfc_consultation", NIGHT + timedelta(days=i), f"{20 + i} ноября в 10:00")
        for i in (1, 2, 3, 4)
    ]


async def run(
    menu: Menu, channel: ScriptedChannel, services: FakeServices, now: datetime = NIGHT
) -> IvrSession:
    runner = IvrRunner(menu=menu, services=services, clock=lambda: now)
    return await runner.run(channel, call_id="c1")


async def test_faq_answer_by_dtmf_is_self_service(night: Menu) -> None:
    services = FakeServices(
        faq={"faq.passport.replace_age": FaqAnswer("...", "faq_passport_replace")}
    )
    channel = ScriptedChannel(digits=["1", "1", "0"])
    session = await run(night, channel, services)
    assert session.outcome == "self_served"
    assert session.node_ids == ["welcome", "main", "faq", "faq_passport", "after_answer", "goodbye"]
    assert "faq_passport_replace" in channel.played
    assert channel.played[-1] == "night_goodbye"
    assert channel.variables["IVR_OUTCOME"] == "self_served"


async def test_faq_without_audio_is_synthesised(night: Menu) -> None:
    services = FakeServices(faq={"faq.housing.subsidy": FaqAnswer("Оплатить можно онлайн.")})
    channel = ScriptedChannel(digits=["1", "2", "0"])
    session = await run(night, channel, services)
    assert services.spoken == ["Оплатить можно онлайн."]
    assert "tts_1" in channel.played
    assert session.outcome == "self_served"


async def test_missing_faq_returns_to_the_main_menu(night: Menu) -> None:
    channel = ScriptedChannel(digits=["1", "3", "9"])
    session = await run(night, channel, FakeServices())
    assert session.node_ids[3:6] == ["faq_social", "main", "emergency"]
    assert session.path[3].input == "faq:missing"


async def test_status_retries_an_unknown_number_then_says_the_status(night: Menu) -> None:
    services = FakeServices(statuses={"1002": "Документы готовы."})
    channel = ScriptedChannel(digits=["2", "9999", "1002", "0"])
    session = await run(night, channel, services)
    steps = [(s.node, s.input, s.via) for s in session.path if s.node == "status"]
    assert steps == [
        ("status", "9999", "dtmf"),
        ("status", "status:not_found", "action"),
        ("status", "1002", "dtmf"),
        ("status", "status:found", "action"),
    ]
    assert "night_status_not_found" in channel.played
    assert services.spoken == ["Документы готовы."]
    assert session.outcome == "self_served"


async def test_booking_offers_slots_and_books_the_chosen_one(night: Menu) -> None:
    services = FakeServices(slots=slots())
    channel = ScriptedChannel(digits=["3", "2", "0"], variables={"CALLERID(num)": "+7 916 1"})
    session = await run(night, channel, services)
    assert [b.slot.id for b in services.bookings] == ["s2"]
    assert services.bookings[0].phone == "+79161"
    offers = [t for t in services.spoken if t[0].isdigit()]
    assert offers == ["1. 21 ноября в 10:00.", "2. 22 ноября в 10:00.", "3. 23 ноября в 10:00."]
    assert services.spoken[-1] == "Вы записаны на приём: 22 ноября в 10:00. Номер записи: R1."
    assert session.booking_reference == "R1"


async def test_booking_a_taken_slot_offers_again(night: Menu) -> None:
    services = FakeServices(slots=slots(), taken={"s1"})
    channel = ScriptedChannel(
        digits=["3", "0"], barge_in={"night_booking_choose": "1"}, variables={}
    )
    session = await run(night, channel, services)
    assert "night_booking_taken" in channel.played
    # The re-offer starts at the next free slot; barge-in picks its first entry again.
    assert [b.slot.id for b in services.bookings] == ["s2"]
    assert any(s.input == "booking:taken:s1" for s in session.path)


async def test_booking_without_slots_says_so(night: Menu) -> None:
    channel = ScriptedChannel(digits=["3", "0"])
    session = await run(night, channel, FakeServices())
    assert "night_booking_no_slots" in channel.played
    assert session.outcome == "self_served"


async def test_night_callback_waits_for_six_oclock(night: Menu) -> None:
    services = FakeServices()
    channel = ScriptedChannel(digits=["4"], variables={"CALLERID(num)": "+79161234567"})
    session = await run(night, channel, services)
    assert services.callbacks == [
        ("+79161234567", "general", datetime(2026, 11, 23, 6, 0, tzinfo=MSK))
    ]
    assert session.outcome == "callback_requested"
    assert session.callback_id == "cb-1"
    assert channel.variables["IVR_OUTCOME"] == "callback_requested"


async def test_callback_asks_for_a_number_when_caller_id_is_hidden(night: Menu) -> None:
    services = FakeServices()
    channel = ScriptedChannel(digits=["4", "89161234567"])
    await run(night, channel, services, now=datetime(2026, 11, 23, 7, 0, tzinfo=MSK))
    assert services.callbacks == [("89161234567", "general", None)]  # 06:00 already passed
    assert ("get_data", "night_callback_ask_number") in channel.log


async def test_emergency_transfer(night: Menu) -> None:
    channel = ScriptedChannel(digits=["9"])
    session = await run(night, channel, FakeServices())
    assert session.outcome == "emergency_transfer"
    assert channel.played[-1] == "night_emergency"
    assert channel.variables["IVR_OUTCOME"] == "emergency_transfer"


async def test_retries_on_timeout_and_invalid_then_fails(night: Menu) -> None:
    channel = ScriptedChannel(digits=["", "7", ""])
    session = await run(night, channel, FakeServices())
    assert [(s.input, s.via) for s in session.path if s.node == "main"] == [
        ("", "timeout"),
        ("7", "invalid"),
        ("", "timeout"),
    ]
    assert channel.played.count("night_invalid") == 2
    assert session.outcome == "failed"
    assert channel.played[-1] == "night_failed"


async def test_hang_up_mid_menu(night: Menu) -> None:
    channel = ScriptedChannel(digits=[])
    session = await run(night, channel, FakeServices())
    assert session.outcome == "hung_up"
    assert session.node_ids == ["welcome"]
    assert "IVR_OUTCOME" not in channel.variables


async def test_sound_prefix_is_applied_to_every_prompt(night: Menu) -> None:
    channel = ScriptedChannel(digits=["9"])
    runner = IvrRunner(
        menu=night,
        services=FakeServices(),
        clock=lambda: NIGHT,
        settings=RunnerSettings(sound_prefix="callcenter/"),
    )
    await runner.run(channel, call_id="c2")
    assert all(name.startswith("callcenter/") for _, name in channel.log)


class BrokenPortal(FakeServices):
    async def application_status(self, number: str) -> str | None:
        raise ConnectionError("portal unreachable")


async def test_a_failing_backend_takes_the_failure_path(
    night: Menu, caplog: pytest.LogCaptureFixture
) -> None:
    channel = ScriptedChannel(digits=["2", "1002", "9"])
    session = await run(night, channel, BrokenPortal())
    assert [s.input for s in session.path if s.node == "status"] == [
        "1002",
        "application_status:error",
    ]
    assert session.node_ids[-2:] == ["main", "emergency"]  # on_failure: main
    assert "portal unreachable" in caplog.text
