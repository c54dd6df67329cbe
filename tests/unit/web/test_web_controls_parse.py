"""Input validation of the supervisor controls: clear 400 errors naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from callcenter.web.controls import (
    EmergencyRequest,
    InMemoryAuditLog,
    PauseRequest,
    parse_emergency,
    parse_limit,
    parse_move,
    parse_pause,
)
from callcenter.web.errors import ApiError


def test_valid_bodies_parse() -> None:
    on = parse_emergency({"on": True, "announcement": " Авария на ТЭЦ "})
    assert on == EmergencyRequest(True, "Авария на ТЭЦ")
    assert parse_emergency({"on": False}) == EmergencyRequest(False, "")
    assert parse_pause({"paused": True, "reason": "обед"}) == PauseRequest(True, "обед")
    assert parse_pause({"paused": False}) == PauseRequest(False, "")
    assert parse_move({"queues": ["general", " housing "]}) == ["general", "housing"]
    assert parse_move({"queues": []}) == []
    assert parse_limit({"limit_s": 30}) == 30.0


BAD: list[tuple[Any, Any, str]] = [
    (parse_emergency, [], ""),
    (parse_emergency, {"on": "yes"}, "on"),
    (parse_emergency, {"on": True}, "announcement"),
    (parse_emergency, {"on": True, "announcement": "x" * 501}, "announcement"),
    (parse_pause, {"paused": True, "reason": ""}, "reason"),
    (parse_pause, {"paused": 1, "reason": "обед"}, "paused"),
    (parse_move, {"queues": "general"}, "queues"),
    (parse_move, {"queues": ["a", "a"]}, "queues"),
    (parse_move, {"queues": [""]}, "queues"),
    (parse_limit, {"limit_s": "40"}, "limit_s"),
    (parse_limit, {"limit_s": True}, "limit_s"),
    (parse_limit, {"limit_s": 4}, "limit_s"),
    (parse_limit, {"limit_s": 601}, "limit_s"),
]


@pytest.mark.parametrize(("parse", "body", "field"), BAD)
def test_invalid_bodies_are_refused_with_the_field_named(parse: Any, body: Any, field: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse(body)
    assert caught.value.status == 400
    assert caught.value.error_id == "invalid_input"
    assert caught.value.details.get("field", "") == field
    assert caught.value.message


async def test_in_memory_audit_log_returns_newest_first_with_clock_time() -> None:
    clock = [10.0]
    log = InMemoryAuditLog(clock=lambda: clock[0])
    await log.append("supervisor", "a", {"n": 1})
    clock[0] = 11.0
    await log.append("admin", "b", {})
    recent = await log.recent(5)
    assert [(e.at, e.actor, e.action) for e in recent] == [
        (11.0, "admin", "b"),
        (10.0, "supervisor", "a"),
    ]
    assert await log.recent(1) == recent[:1]
    assert await log.recent(0) == []
