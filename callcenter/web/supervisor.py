"""Supervisor routes: live dashboard, its websocket, controls with audit, metrics and reports.

Wiring (the lead, in `callcenter.bootstrap`), after `create_app` and before start-up::

    hub = LiveHub(transform=AlertTracker(AlertThresholds()))
    add_supervisor_routes(app, hub=hub, controls=engine_controls, audit=audit_log,
                          users=user_directory, metrics=Metrics(), report_source=load_call_rows,
                          clock=engine_clock.now, agents_needed=queue_engine_erlang_a,
                          schedule=load_schedule)

and the runtime calls `hub.publish(snapshot)` (on change or once a second) and
`metrics.observe_call_finished(...)` / `metrics.observe_overflow(...)`; the hub feeds the metrics
gauges itself (`hub.add_listener(metrics.set_from_snapshot)` is done here).
`clock` is the engine's time (virtual in the demo) and decides what "today" is in reports;
`session_clock` is the wall clock that expires sign-in sessions. This also installs sign-in
(`callcenter.web.auth.setup_auth`) unless it was installed before, with a session key derived from
the settings' API key (a separate `session_secret` setting would be better).

Routes (supervisor and admin only, operators get 403):
GET /supervisor (page), GET /supervisor/static/<file>, GET /api/supervisor/ws (websocket: each
message is one `Snapshot.to_json()`), GET /api/supervisor/snapshot, GET /api/supervisor/audit,
POST /api/supervisor/emergency {on, announcement}, POST /api/supervisor/operators/{id}/pause
{paused, reason}, POST /api/supervisor/operators/{id}/queues {queues}, POST
/api/supervisor/queues/{name}/limit {limit_s}; public GET /metrics; reports (`reports_web`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import tzinfo
from typing import Any

from aiohttp import WSCloseCode, web

from callcenter.web.app import SETTINGS
from callcenter.web.auth import PAGES, USER, UserDirectory, require_role, session_key, setup_auth
from callcenter.web.controls import (
    AuditLog,
    SupervisorControls,
    parse_emergency,
    parse_limit,
    parse_move,
    parse_pause,
)
from callcenter.web.errors import ApiError
from callcenter.web.live import LiveHub, Subscription
from callcenter.web.metrics import Metrics, metrics_handler
from callcenter.web.reports_staffing import AgentsNeeded
from callcenter.web.reports_web import (
    ReportsConfig,
    ReportSource,
    ScheduleSource,
    add_report_routes,
)

STAFF = ("supervisor", "admin")
STATIC = {"supervisor.js": "application/javascript", "supervisor.css": "text/css"}


@dataclass
class SupervisorContext:
    hub: LiveHub
    controls: SupervisorControls
    audit: AuditLog
    sockets: set[web.WebSocketResponse]


SUPERVISOR = web.AppKey("supervisor", SupervisorContext)


def add_supervisor_routes(
    app: web.Application,
    *,
    hub: LiveHub,
    controls: SupervisorControls,
    audit: AuditLog,
    users: UserDirectory,
    metrics: Metrics,
    report_source: ReportSource,
    clock: Callable[[], float] = time.time,
    session_clock: Callable[[], float] = time.time,
    tz: tzinfo | None = None,
    agents_needed: AgentsNeeded | None = None,
    schedule: ScheduleSource | None = None,
    report_labels: Callable[[str, str], str] | None = None,
    survey_questions: Mapping[str, str] | None = None,
) -> None:
    settings = app[SETTINGS]
    secret = session_key(settings)
    setup_auth(
        app, users=users, secret=secret, api_key=settings.api_key, clock=session_clock,
        secure_cookie=settings.mode == "production",  # production is served over HTTPS only
    )  # fmt: skip
    app[SUPERVISOR] = SupervisorContext(hub, controls, audit, set())
    hub.add_listener(metrics.set_from_snapshot)
    app.on_shutdown.append(_close_sockets)
    r = app.router
    r.add_get("/supervisor", get_page)
    r.add_get("/supervisor/static/{name}", get_static)
    r.add_get("/api/supervisor/ws", get_ws)
    r.add_get("/api/supervisor/snapshot", get_snapshot)
    r.add_get("/api/supervisor/audit", get_audit)
    r.add_post("/api/supervisor/emergency", post_emergency)
    r.add_post("/api/supervisor/operators/{op_id}/pause", post_pause)
    r.add_post("/api/supervisor/operators/{op_id}/queues", post_move)
    r.add_post("/api/supervisor/queues/{queue}/limit", post_limit)
    r.add_get("/metrics", metrics_handler(metrics))
    reports = ReportsConfig(report_source, tz or settings.tz, clock, agents_needed, schedule)
    if report_labels is not None:
        reports = replace(reports, labels=report_labels)
    reports = replace(reports, survey_questions=survey_questions or {})
    add_report_routes(app, reports)


@require_role(*STAFF)
async def get_page(request: web.Request) -> web.Response:
    html = (PAGES / "supervisor.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html")


async def get_static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in STATIC:
        raise web.HTTPNotFound()
    body = (PAGES / name).read_text(encoding="utf-8")
    return web.Response(text=body, content_type=STATIC[name], charset="utf-8")


async def _pump(ws: web.WebSocketResponse, subscription: Subscription) -> None:
    # Awaiting this client's socket only blocks this task: the hub keeps just the newest snapshot.
    while not ws.closed:
        await ws.send_str(await subscription.next())


@require_role(*STAFF)
async def get_ws(request: web.Request) -> web.WebSocketResponse:
    ctx = request.app[SUPERVISOR]
    ws = web.WebSocketResponse(heartbeat=20.0)
    await ws.prepare(request)
    subscription = ctx.hub.subscribe()
    ctx.sockets.add(ws)
    pump = asyncio.create_task(_pump(ws, subscription))
    try:
        async for _message in ws:
            pass  # the dashboard sends nothing; reading keeps pings and close frames flowing
    finally:
        ctx.hub.unsubscribe(subscription)
        ctx.sockets.discard(ws)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await pump
    return ws


async def _close_sockets(app: web.Application) -> None:
    for ws in list(app[SUPERVISOR].sockets):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")


@require_role(*STAFF)
async def get_snapshot(request: web.Request) -> web.Response:
    latest = request.app[SUPERVISOR].hub.latest_json
    if latest is None:
        return web.json_response(None)
    return web.Response(text=latest, content_type="application/json")


@require_role(*STAFF)
async def get_audit(request: web.Request) -> web.Response:
    try:
        limit = min(max(int(request.query.get("limit", "50")), 1), 500)
    except ValueError as exc:
        raise ApiError("invalid_input", "«limit» должно быть числом", {"field": "limit"}) from exc
    entries = await request.app[SUPERVISOR].audit.recent(limit)
    return web.json_response([asdict(e) for e in entries], dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


async def _json(request: web.Request) -> Any:
    try:
        return await request.json()
    except ValueError as exc:
        raise ApiError("invalid_input", "Тело запроса должно быть JSON", {}) from exc


async def _done(request: web.Request, action: str, details: dict[str, Any]) -> web.Response:
    await request.app[SUPERVISOR].audit.append(request[USER].id, action, details)
    return web.json_response({"ok": True, "action": action, **details}, dumps=_dumps)


@require_role(*STAFF)
async def post_emergency(request: web.Request) -> web.Response:
    req = parse_emergency(await _json(request))
    await request.app[SUPERVISOR].controls.set_emergency(req.on, req.announcement)
    return await _done(request, "set_emergency", {"on": req.on, "announcement": req.announcement})


@require_role(*STAFF)
async def post_pause(request: web.Request) -> web.Response:
    op_id = request.match_info["op_id"]
    req = parse_pause(await _json(request))
    await request.app[SUPERVISOR].controls.pause_operator(op_id, req.paused, req.reason)
    details = {"operator": op_id, "paused": req.paused, "reason": req.reason}
    return await _done(request, "pause_operator", details)


@require_role(*STAFF)
async def post_move(request: web.Request) -> web.Response:
    op_id = request.match_info["op_id"]
    queues = parse_move(await _json(request))
    await request.app[SUPERVISOR].controls.move_operator(op_id, queues)
    return await _done(request, "move_operator", {"operator": op_id, "queues": queues})


@require_role(*STAFF)
async def post_limit(request: web.Request) -> web.Response:
    queue = request.match_info["queue"]
    limit_s = parse_limit(await _json(request))
    await request.app[SUPERVISOR].controls.set_queue_limit(queue, limit_s)
    return await _done(request, "set_queue_limit", {"queue": queue, "limit_s": limit_s})
