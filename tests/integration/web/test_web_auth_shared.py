"""The sign-in module as the operator workplace uses it: its own routes behind `require_role`."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web
from pytest_aiohttp import AiohttpClient
from web_support import API_KEY, FakeClock, SignIn

from callcenter.config import Settings
from callcenter.web.app import create_app
from callcenter.web.auth import USER, InMemoryUserDirectory, require_role, setup_auth
from callcenter.web.status import StatusAggregator

PAGES = Path(__file__).resolve().parents[3] / "callcenter/web/pages"


@require_role("operator")
async def workplace(request: web.Request) -> web.Response:
    user = request[USER]
    return web.json_response({"operator": user.id, "sip": user.sip_endpoint})


async def test_operator_routes_reuse_the_same_sign_in(
    aiohttp_client: AiohttpClient, demo_users: InMemoryUserDirectory, sign_in: SignIn
) -> None:
    app = create_app(Settings(mode="demo", api_key=API_KEY), StatusAggregator())
    setup_auth(app, users=demo_users, secret=b"s" * 32, api_key=API_KEY, clock=FakeClock())
    app.router.add_get("/api/operator/me", workplace)
    client = await aiohttp_client(app)
    assert (await client.get("/api/operator/me")).status == 401
    await sign_in(client, "op103")
    assert await (await client.get("/api/operator/me")).json() == {
        "operator": "op103",
        "sip": "PJSIP/103",
    }
    await client.post("/logout")
    await sign_in(client, "supervisor")
    assert (await client.get("/api/operator/me")).status == 403


def test_pages_load_nothing_from_the_internet() -> None:
    for page in PAGES.iterdir():
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), page.name
        assert "https://" not in text, page.name
