"""The operator workplace (`/operator`): page, websocket and API.

Wiring (the lead), after `create_app` and before start-up::

    hub = OperatorHub(clock=clock, start_script=guide.start_script, wrapup_s=60.0)
    workplace = Workplace(guide=guide, hub=hub, controls=ami_operator_controls, store=sql_store,
                          history=sql_history, booking=booking, calls=engine_call_actions,
                          clock=clock, tz=settings.tz)
    add_operator_routes(app, workplace=workplace, users=user_directory)

(`callcenter.web.workplace_memory.in_memory_workplace(guide, clock=...)` builds one with every
port in memory, for the demo), then the engine calls `hub.pop(operator_id, screen_pop)` when an
operator answers a call and `hub.call_ended(operator_id, call_id)` when their leg ends.
Sign-in is installed here unless it already was (same secret derivation as the supervisor
routes).

Routes (operators only unless said; `{id}` is a call id, only the operator's own):
GET /operator (page), GET /operator/static/<file>, GET /operator/ws (websocket of hints),
GET /api/operator/desk, POST /api/operator/state {state: available|paused|offline, reason},
GET /api/operator/catalog (staff), GET /api/operator/calls (own finished calls),
GET /api/operator/calls/{id} (staff; operators 403 for others' calls),
POST /api/operator/calls/{id}/script {step_id, answer}, POST .../script/back,
POST .../appeals {kind, classification, text, executor_id, urgency},
POST .../transfer {agency_id, note}, POST .../callback {phone?, topic?, in_minutes},
POST .../appointments {agency_id, service_id, start, citizen_name?},
POST .../wrapup {result_code, fields}, GET /api/operator/kb/search?q=&topic=&limit= (staff),
POST /api/operator/kb/outdated {entry_id, note}, GET /api/operator/classifier?code= (staff),
GET /api/operator/booking/slots?agency_id=&service_id=&day=.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import WSCloseCode, web

from callcenter.web import workplace_calls as calls
from callcenter.web import workplace_kb as kb
from callcenter.web.app import SETTINGS
from callcenter.web.auth import AUTH, PAGES, UserDirectory, require_role, session_key, setup_auth
from callcenter.web.errors import ApiError
from callcenter.web.live import Subscription
from callcenter.web.workplace_desk import CallSession
from callcenter.web.workplace_http import (
    ANY_STAFF,
    OPERATOR,
    WORKPLACE,
    operator_of,
    read_json,
    reply,
    session_for,
    user_of,
    workplace,
)
from callcenter.web.workplace_input import parse_state
from callcenter.web.workplace_ports import Workplace
from callcenter.web.workplace_views import call_view, catalog_view, desk_view, wrapup_view

STATIC = {"operator.js": "application/javascript", "operator.css": "text/css"}


@dataclass
class _Sockets:
    open: set[web.WebSocketResponse] = field(default_factory=set)


SOCKETS = web.AppKey("operator_sockets", _Sockets)
PAUSE_REASONS = ("Перерыв", "Обед", "Обучение", "Технический сбой", "Совещание")


def add_operator_routes(
    app: web.Application,
    *,
    workplace: Workplace,
    users: UserDirectory | None = None,
    session_clock: Callable[[], float] = time.time,
) -> None:
    if AUTH not in app:
        if users is None:
            raise ValueError("sign-in is not set up: pass users= or call setup_auth first")
        settings = app[SETTINGS]
        secret = session_key(settings)
        setup_auth(
            app, users=users, secret=secret, api_key=settings.api_key, clock=session_clock,
            secure_cookie=settings.mode == "production",
        )  # fmt: skip
    app[WORKPLACE] = workplace
    app[SOCKETS] = _Sockets()
    app.on_shutdown.append(_close_sockets)
    r = app.router
    r.add_get("/operator", get_page)
    r.add_get("/operator/static/{name}", get_static)
    r.add_get("/operator/ws", get_ws)
    r.add_get("/api/operator/desk", get_desk)
    r.add_post("/api/operator/state", post_state)
    r.add_get("/api/operator/catalog", get_catalog)
    r.add_get("/api/operator/calls", get_calls)
    r.add_get("/api/operator/calls/{call_id}", get_call)
    r.add_post("/api/operator/calls/{call_id}/script", calls.post_script_answer)
    r.add_post("/api/operator/calls/{call_id}/script/back", calls.post_script_back)
    r.add_post("/api/operator/calls/{call_id}/appeals", calls.post_appeal)
    r.add_post("/api/operator/calls/{call_id}/transfer", calls.post_transfer)
    r.add_post("/api/operator/calls/{call_id}/callback", calls.post_callback)
    r.add_post("/api/operator/calls/{call_id}/appointments", kb.post_appointment)
    r.add_post("/api/operator/calls/{call_id}/wrapup", calls.post_wrapup)
    r.add_get("/api/operator/kb/search", kb.get_search)
    r.add_post("/api/operator/kb/outdated", kb.post_outdated)
    r.add_get("/api/operator/classifier", kb.get_classifier)
    r.add_get("/api/operator/booking/slots", kb.get_slots)


@require_role(*OPERATOR)
async def get_page(request: web.Request) -> web.Response:
    html = (PAGES / "operator.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html")


async def get_static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in STATIC:
        raise web.HTTPNotFound()
    body = (PAGES / name).read_text(encoding="utf-8")
    return web.Response(text=body, content_type=STATIC[name], charset="utf-8")


async def _pump(ws: web.WebSocketResponse, subscription: Subscription) -> None:
    while not ws.closed:
        await ws.send_str(await subscription.next())


@require_role(*OPERATOR)
async def get_ws(request: web.Request) -> web.WebSocketResponse:
    hub = workplace(request).hub
    operator_id = user_of(request).id
    ws = web.WebSocketResponse(heartbeat=20.0)
    await ws.prepare(request)
    subscription = hub.subscribe(operator_id)
    request.app[SOCKETS].open.add(ws)
    pump = asyncio.create_task(_pump(ws, subscription))
    try:
        async for _message in ws:
            pass  # the page sends nothing; reading keeps pings and close frames flowing
    finally:
        hub.unsubscribe(operator_id, subscription)
        request.app[SOCKETS].open.discard(ws)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await pump
    return ws


async def _close_sockets(app: web.Application) -> None:
    for ws in list(app[SOCKETS].open):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")


@require_role(*OPERATOR)
async def get_desk(request: web.Request) -> web.Response:
    user = user_of(request)
    board = workplace(request).hub.board
    desk = board.desk(user.id)
    body = desk_view(desk, board, board.current(user.id))
    me = {"id": user.id, "name": user.name, "sip": user.sip_endpoint}
    timezone = str(workplace(request).tz)  # the center's: times read the same everywhere
    return reply(
        {**body, "operator": me, "pause_reasons": list(PAUSE_REASONS), "timezone": timezone}
    )


async def _record_timeout(request: web.Request, session: CallSession) -> None:
    """The wrap-up time ran out: keep what is known, marked as timed out, and free the desk."""
    await calls.record_timeout(workplace(request), session)
    await calls.release(request, session)


@require_role(*OPERATOR)
async def post_state(request: web.Request) -> web.Response:
    wp = workplace(request)
    state, reason = parse_state(await read_json(request))
    operator = operator_of(request)
    board = wp.hub.board
    timed_out = board.check_leave(operator.id, state)
    if timed_out is not None:
        await _record_timeout(request, timed_out)
    if state == "available":
        await wp.controls.go_ready(operator)
    elif state == "paused":
        await wp.controls.pause(operator, reason)
    else:
        await wp.controls.sign_out(operator)
    desk = board.desk(operator.id)
    if desk.state != "talking":  # a call answered while we awaited Asterisk wins
        board.set_state(desk, state, reason)
    wp.hub.notify(operator.id, "state", state=desk.state)
    return reply(desk_view(desk, board, board.current(operator.id)))


@require_role(*ANY_STAFF)
async def get_catalog(request: web.Request) -> web.Response:
    return reply(catalog_view(workplace(request).guide))


@require_role(*OPERATOR)
async def get_calls(request: web.Request) -> web.Response:
    raw = request.query.get("limit", "20")
    if not raw.isdigit() or not 1 <= int(raw) <= 200:
        raise ApiError(
            "invalid_input", "«limit» должно быть числом от 1 до 200", {"field": "limit"}
        )
    wrapups = await workplace(request).store.wrapups_of(user_of(request).id, int(raw))
    return reply([wrapup_view(w) for w in wrapups])


@require_role(*ANY_STAFF)
async def get_call(request: web.Request) -> web.Response:
    wp = workplace(request)
    session = session_for(request, write=False)
    history = await wp.history.history(session.pop.number)
    name = user_of(request).name
    return reply(call_view(session, wp.hub.board, wp.guide, name, history))
