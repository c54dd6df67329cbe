"""Supervisor controls over HTTP: validated, passed to the engine port, written to the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from web_support import T0, SignIn, World

from callcenter.web.controls import ControlCall
from callcenter.web.errors import NotFound

ACTIONS: list[tuple[str, dict[str, Any], ControlCall, str, dict[str, Any]]] = [
    (
        "/api/supervisor/emergency",
        {"on": True, "announcement": "Авария на водоводе"},
        ControlCall("set_emergency", (True, "Авария на водоводе")),
        "set_emergency",
        {"on": True, "announcement": "Авария на водоводе"},
    ),
    (
        "/api/supervisor/operators/op101/pause",
        {"paused": True, "reason": "обучение"},
        ControlCall("pause_operator", ("op101", True, "обучение")),
        "pause_operator",
        {"operator": "op101", "paused": True, "reason": "обучение"},
    ),
    (
        "/api/supervisor/operators/op102/queues",
        {"queues": ["general", "housing"]},
        ControlCall("move_operator", ("op102", ["general", "housing"])),
        "move_operator",
        {"operator": "op102", "queues": ["general", "housing"]},
    ),
    (
        "/api/supervisor/queues/general/limit",
        {"limit_s": 35},
        ControlCall("set_queue_limit", ("general", 35.0)),
        "set_queue_limit",
        {"queue": "general", "limit_s": 35.0},
    ),
]


@pytest.mark.parametrize(("path", "body", "call", "action", "details"), ACTIONS)
async def test_control_calls_the_engine_and_writes_the_audit(
    world: World, sign_in: SignIn, path: str, body: dict[str, Any], call: ControlCall,
    action: str, details: dict[str, Any],
) -> None:  # fmt: skip
    await sign_in(world.client, "supervisor")
    resp = await world.client.post(path, json=body)
    assert resp.status == 200, await resp.text()
    assert world.controls.calls == [call]
    (entry,) = world.audit.entries
    assert (entry.at, entry.actor, entry.action, dict(entry.details)) == (
        T0, "supervisor", action, details,
    )  # fmt: skip
    audit = await (await world.client.get("/api/supervisor/audit")).json()
    assert audit[0]["action"] == action
    assert audit[0]["actor"] == "supervisor"


async def test_admin_may_use_controls_too(world: World, sign_in: SignIn) -> None:
    await sign_in(world.client, "admin")
    resp = await world.client.post("/api/supervisor/emergency", json={"on": False})
    assert resp.status == 200
    assert world.audit.entries[0].actor == "admin"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/supervisor/emergency", {"on": True, "announcement": ""}),
        ("/api/supervisor/operators/op101/pause", {"paused": "да"}),
        ("/api/supervisor/operators/op101/queues", {"queues": "general"}),
        ("/api/supervisor/queues/general/limit", {"limit_s": 1000}),
    ],
)
async def test_invalid_input_is_a_clear_400_and_nothing_happens(
    world: World, sign_in: SignIn, path: str, body: dict[str, Any]
) -> None:
    await sign_in(world.client, "supervisor")
    resp = await world.client.post(path, json=body)
    assert resp.status == 400
    error = await resp.json()
    assert error["error_id"] == "invalid_input"
    assert error["message"]
    assert error["details"]["field"]
    assert world.controls.calls == []
    assert world.audit.entries == []


async def test_body_that_is_not_json_is_a_400(world: World, sign_in: SignIn) -> None:
    await sign_in(world.client, "supervisor")
    resp = await world.client.post("/api/supervisor/emergency", data=b"{not json")
    assert resp.status == 400
    assert (await resp.json())["message"] == "Тело запроса должно быть JSON"


async def test_engine_refusal_is_reported_and_not_audited(world: World, sign_in: SignIn) -> None:
    async def refuse(op_id: str, paused: bool, reason: str) -> None:
        raise NotFound("unknown_operator", "Оператор не найден", {"operator": op_id})

    world.controls.pause_operator = refuse  # type: ignore[method-assign]
    await sign_in(world.client, "supervisor")
    resp = await world.client.post(
        "/api/supervisor/operators/op999/pause", json={"paused": True, "reason": "обед"}
    )
    assert resp.status == 404
    assert (await resp.json())["error_id"] == "unknown_operator"
    assert world.audit.entries == []
