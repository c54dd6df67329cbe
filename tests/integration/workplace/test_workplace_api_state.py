"""Operator state over the API: ready/pause/sign-out reach the controls; wrap-up is enforced."""

from __future__ import annotations

import asyncio

from pytest_aiohttp import AiohttpClient
from workplace_support import (
    T0,
    FakeClock,
    WorkplaceWorld,
    api,
    build_app,
    passport_pop,
    sign_in,
)

from callcenter.scripting import OperatorGuide
from callcenter.web.auth import InMemoryUserDirectory, User, hash_password
from callcenter.web.workplace_memory import ControlCall, InMemoryWorkplaceStore
from callcenter.web.workplace_model import WRAPUP_TIMEOUT_CODE, WrapUp


async def test_ready_pause_and_sign_out_reach_the_controls_with_the_sip_endpoint(
    world: WorkplaceWorld,
) -> None:
    await sign_in(world.client, "op101")
    desk = await api(world.client, "GET", "/api/operator/desk")
    assert desk["state"] == "offline"
    assert desk["operator"] == {"id": "op101", "name": "Оператор 101", "sip": "PJSIP/101"}
    assert (await api(world.client, "POST", "/api/operator/state", {"state": "available"}))[
        "state"
    ] == "available"
    await api(world.client, "POST", "/api/operator/state", {"state": "paused", "reason": "Обед"})
    await api(world.client, "POST", "/api/operator/state", {"state": "offline"})
    assert world.controls.calls == [
        ControlCall("go_ready", "op101", "PJSIP/101"),
        ControlCall("pause", "op101", "PJSIP/101", "Обед"),
        ControlCall("sign_out", "op101", "PJSIP/101"),
    ]


async def test_pause_needs_a_reason_and_unknown_states_are_refused_in_russian(
    world: WorkplaceWorld,
) -> None:
    await sign_in(world.client, "op101")
    err = await api(world.client, "POST", "/api/operator/state", {"state": "paused"}, status=400)
    assert err["error_id"] == "invalid_input"
    assert err["details"] == {"field": "reason"}
    assert "Причина паузы" in err["message"]
    err = await api(world.client, "POST", "/api/operator/state", {"state": "busy"}, status=400)
    assert err["details"] == {"field": "state"}
    err = await api(world.client, "POST", "/api/operator/state", ["available"], status=400)
    assert err["message"] == "Ожидался JSON-объект"
    assert world.controls.calls == []


async def test_state_cannot_change_during_a_call(world: WorkplaceWorld) -> None:
    await sign_in(world.client, "op101")
    await api(world.client, "POST", "/api/operator/state", {"state": "available"})
    world.hub.pop("op101", passport_pop())
    assert (await api(world.client, "GET", "/api/operator/desk"))["state"] == "talking"
    err = await api(
        world.client, "POST", "/api/operator/state", {"state": "paused", "reason": "x"}, status=409
    )
    assert err["error_id"] == "on_call"
    assert len(world.controls.calls) == 1


async def test_ready_is_refused_until_the_wrapup_time_has_passed(world: WorkplaceWorld) -> None:
    await sign_in(world.client, "op101")
    await api(world.client, "POST", "/api/operator/state", {"state": "available"})
    world.hub.pop("op101", passport_pop())
    world.clock.now = T0 + 100
    world.hub.call_ended("op101", "c1")
    desk = await api(world.client, "GET", "/api/operator/desk")
    assert desk["state"] == "wrapup"
    assert desk["wrapup"] == {"call_id": "c1", "remaining_s": 60.0, "total_s": 60.0}

    world.clock.now = T0 + 130
    err = await api(world.client, "POST", "/api/operator/state", {"state": "available"}, status=409)
    assert err["error_id"] == "wrapup_required"
    assert err["details"] == {"call_id": "c1", "remaining_s": 30.0}
    assert "осталось 30 с" in err["message"]
    err = await api(world.client, "POST", "/api/operator/calls/c1/wrapup",
                    {"result_code": "answered_faq", "fields": {}}, status=400)  # fmt: skip
    assert err["error_id"] == "wrapup_invalid"
    assert err["message"] == "Заполните обязательные поля: Статья базы знаний"
    assert err["details"]["missing"] == ["faq_id"]  # the topic came with the screen pop

    world.clock.now = T0 + 160.5
    desk = await api(world.client, "POST", "/api/operator/state", {"state": "available"})
    assert desk["state"] == "available"
    assert desk["wrapup"] is None
    assert [c.action for c in world.controls.calls] == ["go_ready", "wrap_up_done", "go_ready"]
    (wrapup,) = world.store.wrapups
    assert (wrapup.call_id, wrapup.timed_out) == ("c1", True)
    assert wrapup.result_code == WRAPUP_TIMEOUT_CODE
    assert world.store.script_paths["c1"][1].completed is False


async def test_a_valid_wrapup_frees_the_operator_for_the_next_call(world: WorkplaceWorld) -> None:
    await sign_in(world.client, "op101")
    world.hub.pop("op101", passport_pop())
    err = await api(world.client, "POST", "/api/operator/calls/c1/wrapup",
                    {"result_code": "dropped"}, status=409)  # fmt: skip
    assert err["error_id"] == "call_in_progress"
    world.hub.call_ended("op101", "c1")
    done = await api(world.client, "POST", "/api/operator/calls/c1/wrapup",
                     {"result_code": "dropped", "fields": {"comment": "тишина"}})  # fmt: skip
    assert done == {"ok": True, "state": "available"}
    assert [c.action for c in world.controls.calls] == ["wrap_up_done"]
    (wrapup,) = world.store.wrapups
    assert wrapup.result_code == "dropped"
    assert not wrapup.timed_out
    assert ("comment", "тишина") in wrapup.fields
    err = await api(world.client, "POST", "/api/operator/calls/c1/wrapup",
                    {"result_code": "dropped"}, status=409)  # fmt: skip
    assert err["error_id"] == "call_closed"
    calls = await api(world.client, "GET", "/api/operator/calls")
    assert [c["call_id"] for c in calls] == ["c1"]

    world.hub.pop("op101", passport_pop("c2"))
    assert (await api(world.client, "GET", "/api/operator/desk"))["call_id"] == "c2"


async def test_wrapup_refuses_to_close_a_script_with_unanswered_mandatory_questions(
    world: WorkplaceWorld,
) -> None:
    await sign_in(world.client, "op101")
    world.hub.pop("op101", passport_pop())
    world.hub.call_ended("op101", "c1")
    body = {"result_code": "answered_other", "fields": {"comment": "консультация"}}
    err = await api(world.client, "POST", "/api/operator/calls/c1/wrapup", body, status=400)
    assert err["error_id"] == "script_run_invalid"
    assert err["message"].startswith("Не пройдены обязательные вопросы сценария: Подскажите")
    assert "identification" in err["details"]["missing"]
    assert world.store.wrapups == []


class SlowStore(InMemoryWorkplaceStore):
    """Saving takes a moment, as a database would: a second request can arrive meanwhile."""

    async def save_wrapup(self, wrapup: WrapUp) -> None:
        await asyncio.sleep(0.05)
        await super().save_wrapup(wrapup)


async def test_two_wrapup_submissions_at_once_record_the_call_once(
    aiohttp_client: AiohttpClient, guide: OperatorGuide, users: InMemoryUserDirectory
) -> None:
    store = SlowStore()
    app, wp = build_app(guide, users, FakeClock(), store=store)
    client = await aiohttp_client(app)
    await sign_in(client, "op101")
    wp.hub.pop("op101", passport_pop())
    wp.hub.call_ended("op101", "c1")
    body = {"result_code": "dropped"}
    first, second = await asyncio.gather(
        client.post("/api/operator/calls/c1/wrapup", json=body),
        client.post("/api/operator/calls/c1/wrapup", json=body),
    )
    assert sorted([first.status, second.status]) == [200, 409]
    assert len(store.wrapups) == 1


async def test_an_operator_without_a_sip_endpoint_cannot_go_ready(
    aiohttp_client: AiohttpClient, guide: OperatorGuide
) -> None:
    users = InMemoryUserDirectory(
        [User("op9", "Оператор 9", "operator", None, hash_password("op9", n=2**10))]
    )
    app, wp = build_app(guide, users, FakeClock())
    client = await aiohttp_client(app)
    await sign_in(client, "op9")
    err = await api(client, "POST", "/api/operator/state", {"state": "available"}, status=409)
    assert err["error_id"] == "no_sip_endpoint"
    assert wp.hub.board.desk("op9").state == "offline"
