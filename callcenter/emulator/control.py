"""The emulator's control plane over HTTP: script callers and operators, read what happened.

GET  /calls                    ground truth of every call (inbound and originated)
POST /calls                    a citizen calls in (a CallerScript as JSON)
POST /calls/{uniqueid}/hangup  the person on that channel hangs up
POST /calls/{uniqueid}/hold    {"on": true|false}: the phone bridged with it holds/resumes
POST /citizens                 a citizen reachable by callbacks and notifications
POST /operators                an operator bot (answer delay, probability, handle, wrap-up)
POST /operators/pause          {"interface", "paused", "reason"}: QueuePause in every queue
POST /operators/register       {"interface", "registered"}: the softphone (un)registers
POST /operators/remove         {"interface"}: the bot unregisters and is gone
POST /load                     Poisson citizens {"rate_per_hour", "duration_s"}
GET  /actions, /queue_log      AMI actions received; app_queue's queue_log
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.emulator.call_control import CallControlError, hang_up, hold, register
from callcenter.emulator.callers import CallerScript
from callcenter.emulator.emulator import Emulator

EMULATOR = web.AppKey("emulator", Emulator)


def make_app(emu: Emulator) -> web.Application:
    app = web.Application()
    app[EMULATOR] = emu
    app.router.add_get("/calls", list_calls)
    app.router.add_post("/calls", place_call)
    app.router.add_get("/actions", list_actions)
    app.router.add_post("/calls/{uniqueid}/hangup", hangup_call)
    app.router.add_post("/calls/{uniqueid}/hold", hold_call)
    app.router.add_post("/citizens", add_citizen)
    app.router.add_post("/operators", add_operator)
    app.router.add_post("/operators/pause", pause_operator)
    app.router.add_post("/operators/register", register_operator)
    app.router.add_post("/operators/remove", remove_operator)
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


def _script(data: dict[str, Any]) -> CallerScript:
    if not isinstance(data.get("number"), str) or not data["number"]:
        raise web.HTTPBadRequest(text="'number' is required")
    unknown = sorted(set(data) - set(CallerScript.__dataclass_fields__))
    if unknown:
        raise web.HTTPBadRequest(text=f"unknown fields: {', '.join(unknown)}")
    try:
        return CallerScript.from_json(data)
    except TypeError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc


async def place_call(request: web.Request) -> web.Response:
    script = _script(await _body(request))
    uniqueid = request.app[EMULATOR].place_call(script)
    return web.json_response({"uniqueid": uniqueid}, status=201)


async def add_citizen(request: web.Request) -> web.Response:
    """A citizen the engine may call: answers callbacks or not (`answers_callback`), is busy
    (`busy`), talks `talk_s` seconds once answered."""
    script = _script(await _body(request))
    request.app[EMULATOR].add_citizen(script)
    return web.json_response({"number": script.number}, status=201)


async def hangup_call(request: web.Request) -> web.Response:
    uniqueid = request.match_info["uniqueid"]
    try:
        hang_up(request.app[EMULATOR].pbx, uniqueid)
    except CallControlError as exc:
        raise web.HTTPNotFound(text=str(exc)) from exc
    return web.json_response({"uniqueid": uniqueid})


async def hold_call(request: web.Request) -> web.Response:
    data = await _body(request)
    on = data.get("on", True)
    if not isinstance(on, bool):
        raise web.HTTPBadRequest(text="'on' must be true or false")
    try:
        holder = hold(request.app[EMULATOR].pbx, request.match_info["uniqueid"], on=on)
    except CallControlError as exc:
        raise web.HTTPConflict(text=str(exc)) from exc
    return web.json_response({"held_by": holder, "on": on})


async def add_operator(request: web.Request) -> web.Response:
    data = await _body(request)
    interface = data.get("interface")
    if not isinstance(interface, str) or not interface:
        raise web.HTTPBadRequest(text="'interface' is required")
    try:
        low, high = (float(x) for x in data.get("handle_s", (60, 180)))
        mean = data.get("handle_mean_s")
        handle_mean_s = None if mean is None else float(mean)
        answer_delay_s = float(data.get("answer_delay_s", 2.0))
        answer_jitter_s = float(data.get("answer_jitter_s", 0.0))
        answer_p = float(data.get("answer_p", 1.0))
        wrapup_s = float(data.get("wrapup_s", 0.0))
        break_every = int(data.get("break_every", 0))
        break_s = float(data.get("break_s", 0.0))
        hold_s = float(data.get("hold_s", 0.0))
    except (TypeError, ValueError) as exc:
        raise web.HTTPBadRequest(text=f"bad operator option: {exc}") from exc
    if not 0.0 <= answer_p <= 1.0:
        raise web.HTTPBadRequest(text="'answer_p' must be between 0 and 1")
    bot = request.app[EMULATOR].add_operator(
        interface,
        str(data.get("name", "")),
        answer_delay_s=answer_delay_s,
        handle_s=(low, high),
        answers=bool(data.get("answers", True)),
        answer_jitter_s=answer_jitter_s,
        answer_p=answer_p,
        handle_mean_s=handle_mean_s,
        wrapup_s=wrapup_s,
        break_every=break_every,
        break_s=break_s,
        hold_s=hold_s,
    )
    return web.json_response({"interface": bot.interface, "name": bot.name}, status=201)


async def _operator(request: web.Request) -> tuple[Emulator, str, dict[str, Any]]:
    data = await _body(request)
    interface = data.get("interface")
    emu = request.app[EMULATOR]
    if not isinstance(interface, str) or interface not in emu.bots:
        raise web.HTTPNotFound(text=f"no operator bot {interface!r}")
    return emu, interface, data


async def pause_operator(request: web.Request) -> web.Response:
    emu, interface, data = await _operator(request)
    paused, reason = data.get("paused", True), data.get("reason", "")
    if not isinstance(paused, bool) or not isinstance(reason, str):
        raise web.HTTPBadRequest(text="'paused' is true or false, 'reason' a string")
    if not emu.pause_operator(interface, reason, paused=paused):
        raise web.HTTPConflict(text=f"{interface} is not a member of any queue")
    return web.json_response({"interface": interface, "paused": paused})


async def register_operator(request: web.Request) -> web.Response:
    emu, interface, data = await _operator(request)
    registered = data.get("registered", True)
    if not isinstance(registered, bool):
        raise web.HTTPBadRequest(text="'registered' must be true or false")
    register(emu.devices, interface, on=registered)
    return web.json_response({"interface": interface, "registered": registered})


async def remove_operator(request: web.Request) -> web.Response:
    emu, interface, _ = await _operator(request)
    register(emu.devices, interface, on=False)
    del emu.bots[interface]
    return web.json_response({"interface": interface, "removed": True})


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
