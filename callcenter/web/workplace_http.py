"""Shared pieces of the workplace's HTTP handlers: the app key, the caller, call ownership."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from callcenter.web.auth import USER, User
from callcenter.web.errors import ApiError, Conflict, Forbidden, NotFound
from callcenter.web.workplace_desk import CallSession
from callcenter.web.workplace_model import OperatorRef
from callcenter.web.workplace_ports import Workplace

WORKPLACE = web.AppKey("workplace", Workplace)
OPERATOR = ("operator",)
ANY_STAFF = ("operator", "supervisor", "admin")


def workplace(request: web.Request) -> Workplace:
    return request.app[WORKPLACE]


def user_of(request: web.Request) -> User:
    return request[USER]


def operator_of(request: web.Request) -> OperatorRef:
    """The signed-in operator bound to their SIP endpoint (state changes need one)."""
    user = user_of(request)
    if not user.sip_endpoint:
        raise Conflict(
            "no_sip_endpoint",
            "Учётная запись не привязана к SIP-телефону: обратитесь к администратору",
            {"user": user.id},
        )
    return OperatorRef(user.id, user.name, user.sip_endpoint)


def session_for(request: web.Request, *, write: bool) -> CallSession:
    """The call named in the path; operators reach only their own calls (403 otherwise)."""
    call_id = request.match_info["call_id"]
    session = workplace(request).hub.board.session(call_id)
    if session is None:
        raise NotFound("unknown_call", "Звонок не найден", {"call_id": call_id})
    user = user_of(request)
    own = user.role == "operator" and session.operator_id == user.id
    if not own and (write or user.role == "operator"):
        raise Forbidden("not_your_call", "Это звонок другого оператора", {"call_id": call_id})
    if write and session.wrapped_up:
        raise Conflict("call_closed", "Обработка этого звонка уже завершена", {"call_id": call_id})
    return session


async def read_json(request: web.Request) -> Any:
    if not request.can_read_body:
        return {}
    try:
        return await request.json()
    except ValueError as exc:
        raise ApiError("invalid_input", "Тело запроса должно быть JSON", {}) from exc


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def reply(value: Any, status: int = 200) -> web.Response:
    return web.json_response(value, status=status, dumps=dumps)


def local_time(request: web.Request, at: float) -> datetime:
    return datetime.fromtimestamp(at, workplace(request).tz)


def human_time(moment: datetime) -> str:
    """As a person reads it on the page: "02.12.2026 в 10:45" (the moment's own time zone)."""
    return moment.strftime("%d.%m.%Y в %H:%M")
