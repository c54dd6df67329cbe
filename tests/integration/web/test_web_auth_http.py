"""Sign-in, roles and API keys over HTTP on a real socket."""

from __future__ import annotations

from web_support import API_KEY, SignIn, World


async def test_login_page_is_russian(world: World) -> None:
    resp = await world.client.get("/login?next=/supervisor")
    text = await resp.text()
    assert resp.status == 200
    assert "Вход в систему" in text
    assert 'name="next" value="/supervisor"' in text


async def test_wrong_password_is_refused_with_a_message(world: World) -> None:
    form = {"login": "supervisor", "password": "nope"}
    resp = await world.client.post("/login", data=form, allow_redirects=False)
    assert resp.status == 401
    assert "Неверное имя пользователя или пароль" in await resp.text()
    assert "cc_session" not in resp.cookies


async def test_sign_in_sets_a_strict_http_only_cookie_and_goes_home(world: World) -> None:
    form = {"login": "supervisor", "password": "supervisor", "next": ""}
    resp = await world.client.post("/login", data=form, allow_redirects=False)
    assert resp.status == 302
    assert resp.headers["Location"] == "/supervisor"
    cookie = resp.headers["Set-Cookie"]
    assert "cc_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    me = await (await world.client.get("/api/me")).json()
    assert me == {"id": "supervisor", "name": "Старший смены", "role": "supervisor", "sip": None}


async def test_next_must_be_a_local_path(world: World) -> None:
    form = {"login": "admin", "password": "admin", "next": "//evil.example/"}
    resp = await world.client.post("/login", data=form, allow_redirects=False)
    assert resp.headers["Location"] == "/supervisor"


async def test_unauthenticated_page_redirects_and_api_answers_401(world: World) -> None:
    page = await world.client.get("/supervisor", allow_redirects=False)
    assert page.status == 302
    assert page.headers["Location"] == "/login?next=/supervisor"
    api = await world.client.get("/api/supervisor/snapshot")
    assert api.status == 401
    assert (await api.json())["error_id"] == "unauthorized"
    other_api = await world.client.get("/api/anything")
    assert other_api.status == 401
    federation = await world.client.get("/api/federation/v1/capacity")
    assert federation.status == 404  # signed by partners: not ours to refuse, and not routed here


async def test_status_and_metrics_stay_public(world: World) -> None:
    assert (await world.client.get("/api/status")).status == 200
    metrics = await world.client.get("/metrics")
    assert metrics.status == 200
    assert "callcenter_ami_connected" in await metrics.text()


async def test_operator_gets_403_on_supervisor_pages_and_apis(
    world: World, sign_in: SignIn
) -> None:
    await sign_in(world.client, "op101")
    page = await world.client.get("/supervisor", allow_redirects=False)
    assert page.status == 403
    assert "Доступ запрещён" in await page.text()
    reports = await world.client.get("/reports", allow_redirects=False)
    assert reports.status == 403
    for path in ("/api/supervisor/snapshot", "/api/supervisor/audit", "/api/reports"):
        resp = await world.client.get(path)
        assert resp.status == 403, path
        assert (await resp.json())["error_id"] == "forbidden"
    post = await world.client.post(
        "/api/supervisor/emergency", json={"on": True, "announcement": "x"}
    )
    assert post.status == 403
    assert world.controls.calls == []
    assert world.audit.entries == []
    ws = await world.client.get("/api/supervisor/ws")
    assert ws.status == 403


async def test_api_key_header_serves_machine_clients(world: World) -> None:
    ok = await world.client.get("/api/supervisor/snapshot", headers={"X-API-Key": API_KEY})
    assert ok.status == 200
    bad = await world.client.get("/api/supervisor/snapshot", headers={"X-API-Key": "wrong"})
    assert bad.status == 401


async def test_expired_session_is_no_session(world: World, sign_in: SignIn) -> None:
    await sign_in(world.client, "supervisor")
    assert (await world.client.get("/api/supervisor/snapshot")).status == 200
    world.clock.now += 13 * 3600
    assert (await world.client.get("/api/supervisor/snapshot")).status == 401


async def test_logout_forgets_the_session(world: World, sign_in: SignIn) -> None:
    await sign_in(world.client, "supervisor")
    await world.client.post("/logout", allow_redirects=False)
    assert (await world.client.get("/api/supervisor/snapshot")).status == 401
