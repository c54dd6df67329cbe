"""The partner API over aiohttp, and the one table that maps federation errors to HTTP.

Routes (all signed, see `signing`):

- `GET  /api/federation/v1/capacity`: our live figures.
- `POST /api/federation/v1/handoffs`: a partner offers a call; 200 with accept+token or
  refuse+reason.
- `POST /api/federation/v1/handoffs/{token}/outcome`: a partner reports a call we handed over.

Refusals are JSON `{error_id, message, details}` and each one is logged with its reason.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from callcenter.federation.client import CAPACITY_PATH, HANDOFFS_PATH
from callcenter.federation.errors import (
    AuthenticationFailed,
    FederationError,
    MalformedRequest,
    ReplayedRequest,
    UnknownHandoff,
)
from callcenter.federation.messages import (
    capacity_to_json,
    decision_to_json,
    dumps,
    handoff_from_json,
    loads_object,
    outcome_from_json,
)
from callcenter.federation.service import Federation
from callcenter.federation.signing import CENTER, SignedRequest

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
STATUS: dict[type[FederationError], int] = {
    AuthenticationFailed: 401,
    ReplayedRequest: 409,
    MalformedRequest: 400,
    UnknownHandoff: 404,
}

Endpoint = Callable[[web.Request, str, bytes], Awaitable[dict[str, Any]]]


def error_response(exc: FederationError) -> web.Response:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    body = {"error_id": exc.error_id, "message": exc.message, "details": exc.details}
    return web.Response(body=dumps(body), status=status, content_type="application/json")


def add_federation_routes(app: web.Application, federation: Federation) -> None:
    """Registers the partner API on `app` (the main application or a test one)."""

    async def capacity(_request: web.Request, _partner: str, _body: bytes) -> dict[str, Any]:
        return capacity_to_json(federation.capacity_report())

    async def handoff(_request: web.Request, partner: str, body: bytes) -> dict[str, Any]:
        request = handoff_from_json(loads_object(body))
        return decision_to_json(federation.receive_handoff(partner, request))

    async def outcome(request: web.Request, partner: str, body: bytes) -> dict[str, Any]:
        report = outcome_from_json(request.match_info["token"], loads_object(body))
        federation.receive_outcome(partner, report)
        return {"recorded": True}

    app.router.add_get(CAPACITY_PATH, _signed(federation, capacity))
    app.router.add_post(HANDOFFS_PATH, _signed(federation, handoff))
    app.router.add_post(HANDOFFS_PATH + "/{token}/outcome", _signed(federation, outcome))


def federation_context(
    federation: Federation,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """For `app.cleanup_ctx`: starts the client and poller with the app, stops them after."""

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        await federation.start()
        try:
            yield
        finally:
            await federation.stop()

    return ctx


def _signed(
    federation: Federation, endpoint: Endpoint
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        try:
            body = await _read_body(request)
            signed = SignedRequest(request.method, request.raw_path, request.headers, body)
            partner = federation.authenticate(signed)
            result = await endpoint(request, partner, body)
        except FederationError as exc:
            log.warning(
                "federation request refused: %s %s from %r: %s (%s) %s",
                request.method,
                request.path,
                request.headers.get(CENTER, ""),
                exc.error_id,
                exc.message,
                exc.details or "",
            )
            return error_response(exc)
        return web.Response(body=dumps(result), content_type="application/json")

    return handler


async def _read_body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise MalformedRequest("body_too_large", f"body exceeds {MAX_BODY} bytes")
    # StreamReader.read(n) returns what has arrived so far, so read until EOF.
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(MAX_BODY + 1):
        size += len(chunk)
        if size > MAX_BODY:
            raise MalformedRequest("body_too_large", f"body exceeds {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
