"""The emulator's control plane over HTTP: script callers and operators, read what happened."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator

EMULATOR = web.AppKey("emulator", Emulator)


def make_app(emu: Emulator) -> web.Application:
    app = web.Application()
    app[EMULATOR] = emu
    app.router.add_get("/calls", list_calls)
    app.router.add_post("/calls", place_call)
    app.router.add_get("/actions", list_actions)
    app.router.add_post("/operators", add_operator)
    app.router.add_post("/load", start_load)
    app.router.add_get("/queue_log", queue_log)
    return app


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError as exc:
        raise web.HTTPBadRequest(text="body must be JSON") from exc
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    return data


async def list_calls(request: web.Request) -> web.Response:
    calls = request.app[EMULATOR].ground_truth()
    return web.json_response([c.as_json() for c in calls])


async def list_actions(request: web.Request) -> web.Response:
    return web.json_response(request.app[EMULATOR].actions)


async def queue_log(request: web.Request) -> web.Response:
    """app_queue's queue_log so far, one line per event, as Asterisk writes it."""
    lines = request.app[EMULATOR].queue_log.lines
    return web.Response(text="".join(line + "\n" for line in lines), charset="utf-8")


async def place_call(request: web.Request) -> web.Response:
    data = await _body(request)
    if not isinstance(data.get("number"), str):
        raise web.HTTPBadRequest(text="'number' is required")
    try:
        script = CallerScript.from_json(data)
    except TypeError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc
    uniqueid = request.app[EMULATOR].place_call(script)
    return web.json_response({"uniqueid": uniqueid}, status=201)


async def add_operator(request: web.Request) -> web.Response:
    data = await _body(request)
    interface = data.get("interface")
    if not isinstance(interface, str) or not interface:
        raise web.HTTPBadRequest(text="'interface' is required")
    low, high = data.get("handle_s", (60, 180))
    bot = request.app[EMULATOR].add_operator(
        interface,
        str(data.get("name", "")),
        answer_delay_s=float(data.get("answer_delay_s", 2.0)),
        handle_s=(float(low), float(high)),
        answers=bool(data.get("answers", True)),
    )
    return web.json_response({"interface": bot.interface, "name": bot.name}, status=201)


async def start_load(request: web.Request) -> web.Response:
    data = await _body(request)
    try:
        rate, duration = float(data["rate_per_hour"]), float(data["duration_s"])
    except (KeyError, TypeError, ValueError) as exc:
        raise web.HTTPBadRequest(text="'rate_per_hour' and 'duration_s' are required") from exc
    request.app[EMULATOR].start_load(
        rate_per_hour=rate,
        duration_s=duration,
        patience_mean_s=float(data.get("patience_mean_s", 120.0)),
    )
    return web.json_response({"rate_per_hour": rate, "duration_s": duration}, status=202)
