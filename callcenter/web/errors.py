"""Errors rendered as JSON `{error_id, message, details}`: the one place that maps to HTTP."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """An error the API reports to its client; `error_id` is a stable string (part of the API)."""

    status = 400

    def __init__(self, error_id: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.error_id = error_id
        self.message = message
        self.details = details or {}


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


def error_response(status: int, error_id: str, message: str, details: Any = None) -> web.Response:
    body = {"error_id": error_id, "message": message, "details": details or {}}
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.error_id, exc.message, exc.details)
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api/"):
            raise
        return error_response(exc.status, exc.reason.lower().replace(" ", "_"), exc.reason)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "internal server error")
