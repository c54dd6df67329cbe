"""The aiohttp application: routes and typed keys; built by `callcenter.bootstrap`."""

from __future__ import annotations

import time

from aiohttp import web

from callcenter.config import Settings
from callcenter.web.errors import error_middleware
from callcenter.web.status import StatusAggregator

SETTINGS = web.AppKey("settings", Settings)
STATUS = web.AppKey("status", StatusAggregator)
STARTED_AT = web.AppKey("started_at", float)


async def get_status(request: web.Request) -> web.Response:
    components = await request.app[STATUS].collect()
    settings = request.app[SETTINGS]
    body = {
        "ok": all(c.ok for c in components.values()),
        "center_id": settings.center_id,
        "mode": settings.mode,
        "uptime_s": round(time.monotonic() - request.app[STARTED_AT], 1),
        "components": {name: {"ok": c.ok, "detail": c.detail} for name, c in components.items()},
    }
    return web.json_response(body, status=200 if body["ok"] else 503)


async def get_index(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    html = (
        "<!doctype html><html lang='ru'><head><meta charset='utf-8'>"
        "<title>Единый номер — центр обработки вызовов</title></head><body>"
        f"<h1>Центр обработки вызовов «{settings.center_id}»</h1>"
        "<ul><li><a href='/api/status'>Состояние компонентов</a></li></ul></body></html>"
    )
    return web.Response(text=html, content_type="text/html")


def create_app(settings: Settings, status: StatusAggregator) -> web.Application:
    app = web.Application(middlewares=[error_middleware])
    app[SETTINGS] = settings
    app[STATUS] = status
    app[STARTED_AT] = time.monotonic()
    app.router.add_get("/", get_index)
    app.router.add_get("/api/status", get_status)
    return app
