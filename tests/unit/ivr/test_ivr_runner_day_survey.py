"""The runner on the day entry (topic for routing), survey and a looping menu."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from ivr_fakes import FakeServices, ScriptedChannel

from callcenter.ivr.menu_check import check_menu
from callcenter.ivr.menu_parse import parse_menu
from callcenter.ivr.menus import Menu, load_menus, shipped_menus_dir
from callcenter.ivr.runner import IvrRunner, RunnerSettings
from callcenter.ivr.session import IvrSession

DAY = datetime(2026, 11, 23, 14, 0, tzinfo=timezone(timedelta(hours=3)))


@pytest.fixture(scope="module")
def menus() -> dict[str, Menu]:
    return load_menus(shipped_menus_dir())


async def run(menu: Menu, channel: ScriptedChannel, services: FakeServices) -> IvrSession:
    return await IvrRunner(menu=menu, services=services, clock=lambda: DAY).run(
        channel, call_id="d1"
    )


@pytest.mark.parametrize(
    ("key", "topic"),
    [
        ("1", "passport"),
        ("2", "housing"),
        ("3", "social"),
        ("4", "medical"),
        ("5", "transport"),
        ("0", "general"),
    ],
)
async def test_topic_choice_routes_to_operator(
    menus: dict[str, Menu], key: str, topic: str
) -> None:
    channel = ScriptedChannel(digits=[key])
    session = await run(menus["day_entry"], channel, FakeServices())
    assert session.outcome == "to_operator"
    assert session.topic == topic
    assert channel.variables == {"IVR_TOPIC": topic, "IVR_OUTCOME": "to_operator"}
    assert channel.played[-1] == "day_connecting"


async def test_no_choice_still_reaches_an_operator_as_general(menus: dict[str, Menu]) -> None:
    session = await run(menus["day_entry"], ScriptedChannel(digits=["", ""]), FakeServices())
    assert (session.outcome, session.topic) == ("to_operator", "general")


async def test_no_operator_on_duty_offers_a_callback_with_the_topic(
    menus: dict[str, Menu],
) -> None:
    services = FakeServices(on_duty=False)
    channel = ScriptedChannel(digits=["1", "1"], variables={"CALLERID(num)": "84951234567"})
    session = await run(menus["day_entry"], channel, services)
    assert services.callbacks == [("84951234567", "passport", None)]
    assert session.outcome == "callback_requested"
    assert session.topic == "passport"


async def test_survey_stores_rating_and_answers(menus: dict[str, Menu]) -> None:
    session = await run(menus["survey"], ScriptedChannel(digits=["4", "1", "2"]), FakeServices())
    assert session.answers == {"rating": "4", "resolved": "yes", "recommend": "no"}
    assert session.outcome == "self_served"


async def test_survey_rejects_a_rating_out_of_range(menus: dict[str, Menu]) -> None:
    session = await run(menus["survey"], ScriptedChannel(digits=["7", "5", "", ""]), FakeServices())
    assert session.answers == {"rating": "5"}
    assert [s.via for s in session.path if s.node == "rating"] == ["invalid", "dtmf"]


async def test_emergency_menu_transfers(menus: dict[str, Menu]) -> None:
    session = await run(menus["emergency"], ScriptedChannel(digits=["1"]), FakeServices())
    assert session.outcome == "emergency_transfer"
    assert session.node_ids == ["announcement", "menu", "transfer"]


async def test_a_menu_loop_is_cut_after_max_steps() -> None:
    menu = parse_menu(
        "loop.yaml",
        {
            "menu": "loop",
            "start": "a",
            "prompts": {"p": "Текст"},
            "nodes": {
                "a": {"type": "play", "prompt": "p", "next": "b"},
                "b": {"type": "play", "prompt": "p", "next": "a"},
            },
        },
    )
    check_menu(menu)
    runner = IvrRunner(
        menu=menu,
        services=FakeServices(),
        clock=lambda: DAY,
        settings=RunnerSettings(max_steps=10),
    )
    session = await runner.run(ScriptedChannel(), call_id="x")
    assert session.outcome == "failed"
    assert len(session.path) == 10
