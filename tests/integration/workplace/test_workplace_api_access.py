"""Access to the workplace: sign-in required, operators reach only their own calls, the
websocket carries each operator's own messages only."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import WSServerHandshakeError
from workplace_support import WorkplaceWorld, api, passport_pop, sign_in

CALL_PATHS = [
    ("POST", "/api/operator/calls/c1/script", {"step_id": "greeting"}),
    ("POST", "/api/operator/calls/c1/script/back", {}),
    ("POST", "/api/operator/calls/c1/appeals", {}),
    ("POST", "/api/operator/calls/c1/transfer", {"agency_id": "agency.migration"}),
    ("POST", "/api/operator/calls/c1/callback", {"in_minutes": 10}),
    ("POST", "/api/operator/calls/c1/appointments", {}),
    ("POST", "/api/operator/calls/c1/wrapup", {"result_code": "dropped"}),
    ("GET", "/api/operator/calls/c1", None),
]


@pytest.mark.parametrize(
    "path", ["/api/operator/desk", "/api/operator/calls/c1", "/api/operator/kb/search?q=паспорт"]
)
async def test_every_api_call_needs_a_signed_in_user(world: WorkplaceWorld, path: str) -> None:
    err = await api(world.client, "GET", path, status=401)
    assert err["error_id"] == "unauthorized"


async def test_the_page_sends_strangers_to_the_sign_in_form(world: WorkplaceWorld) -> None:
    resp = await world.client.get("/operator", allow_redirects=False)
    assert resp.status == 302
    assert resp.headers["Location"].startswith("/login?next=")
    with pytest.raises(WSServerHandshakeError):
        await world.client.ws_connect("/operator/ws")


async def test_supervisors_cannot_act_as_operators(world: WorkplaceWorld) -> None:
    await sign_in(world.client, "supervisor")
    err = await api(world.client, "POST", "/api/operator/state", {"state": "available"}, status=403)
    assert err["error_id"] == "forbidden"
    assert (await world.client.get("/operator")).status == 403
    world.hub.pop("op101", passport_pop())
    call = await api(world.client, "GET", "/api/operator/calls/c1")  # supervisors may look
    assert call["operator_id"] == "op101"
    err = await api(world.client, "POST", "/api/operator/calls/c1/wrapup", {}, status=403)
    assert err["error_id"] == "forbidden"
    assert world.controls.calls == []


@pytest.mark.parametrize(("method", "path", "body"), CALL_PATHS)
async def test_an_operator_gets_403_for_another_operators_call(
    world: WorkplaceWorld, method: str, path: str, body: object
) -> None:
    world.hub.pop("op101", passport_pop())
    await sign_in(world.client, "op102")
    err = await api(world.client, method, path, body, status=403)
    assert err["error_id"] == "not_your_call"
    assert world.calls.transfers == []
    assert world.calls.callbacks == []
    assert world.store.appeals == []
    assert world.store.wrapups == []


async def test_an_unknown_call_is_404(world: WorkplaceWorld) -> None:
    await sign_in(world.client, "op101")
    err = await api(world.client, "GET", "/api/operator/calls/nope", status=404)
    assert err["error_id"] == "unknown_call"


async def test_the_websocket_carries_only_the_operators_own_messages(
    world: WorkplaceWorld,
) -> None:
    await sign_in(world.client, "op101")
    ws = await world.client.ws_connect("/operator/ws")
    for _ in range(50):
        if world.hub.subscriber_count("op101"):
            break
        await asyncio.sleep(0.01)
    world.hub.pop("op102", passport_pop("other"))
    world.hub.pop("op101", passport_pop("c1"))
    message = json.loads(await ws.receive_str(timeout=2))
    assert message == {"type": "pop", "call_id": "c1", "number": "+79123456789"}
    world.hub.call_ended("op101", "c1")
    message = json.loads(await ws.receive_str(timeout=2))
    assert message == {"type": "ended", "call_id": "c1", "wrapup_s": 60.0}
    await ws.close()
    for _ in range(50):
        if not world.hub.subscriber_count("op101"):
            break
        await asyncio.sleep(0.01)
    assert world.hub.subscriber_count("op101") == 0
