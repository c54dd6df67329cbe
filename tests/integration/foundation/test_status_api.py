import socket
from pathlib import Path

from aiohttp.test_utils import TestClient

from callcenter.bootstrap import BuildOptions, build
from callcenter.config import Settings

# The status API without the engine runtime (no Asterisk to talk to in these tests).
WEB_ONLY = BuildOptions(with_runtime=False)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_status_on_embedded_default(aiohttp_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(mode="demo", database_url=f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}")
    client: TestClient = await aiohttp_client(build(settings, WEB_ONLY))
    resp = await client.get("/api/status")
    assert resp.status == 200
    body = await resp.json()
    assert body["ok"] is True
    assert body["components"]["database"] == {"ok": True, "detail": "sqlite"}
    assert body["components"]["live_state"]["ok"] is True


async def test_status_on_real_postgresql_and_redis(
    aiohttp_client, postgres_url: str, redis_url: str
) -> None:  # type: ignore[no-untyped-def]
    client: TestClient = await aiohttp_client(
        build(Settings(database_url=postgres_url, redis_url=redis_url), WEB_ONLY)
    )
    body = await (await client.get("/api/status")).json()
    assert body["components"]["database"] == {"ok": True, "detail": "postgresql"}
    live_state = {"ok": True, "detail": "redis: reachable; no engine on this node"}
    assert body["components"]["live_state"] == live_state


async def test_status_reports_a_component_that_is_down(aiohttp_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}",
        redis_url=f"redis://127.0.0.1:{closed_port()}/0",
    )
    client: TestClient = await aiohttp_client(build(settings, WEB_ONLY))
    resp = await client.get("/api/status")
    assert resp.status == 503
    body = await resp.json()
    assert body["ok"] is False
    assert body["components"]["live_state"]["ok"] is False
    assert "ConnectionError" in body["components"]["live_state"]["detail"]
    assert body["components"]["database"]["ok"] is True


async def test_unknown_api_path_is_a_json_error(aiohttp_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}")
    client: TestClient = await aiohttp_client(build(settings, WEB_ONLY))
    resp = await client.get("/api/nope")
    assert resp.status == 401  # every API call is authenticated, even to a path that does not exist
    resp = await client.get("/api/nope", headers={"X-API-Key": settings.api_key})
    assert resp.status == 404
    assert (await resp.json())["error_id"] == "not_found"


async def test_a_missing_speech_model_is_reported_and_the_engine_still_starts(
    aiohttp_client, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}",
        ami_port=closed_port(),
        agi_port=closed_port(),
        vosk_model=str(tmp_path / "no-model"),
        sounds_dir=str(tmp_path / "sounds"),
    )
    client: TestClient = await aiohttp_client(build(settings))
    body = await (await client.get("/api/status")).json()
    assert body["components"]["speech"]["ok"] is False
    assert "not a Vosk model directory" in body["components"]["speech"]["detail"]
    assert body["components"]["agi"]["ok"] is True  # the menus still run, by DTMF
