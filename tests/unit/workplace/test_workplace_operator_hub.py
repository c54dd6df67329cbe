"""OperatorHub: per-operator fan-out with bounded queues; engine reports update the desks."""

from __future__ import annotations

import json

from callcenter.scripting import ScriptRun
from callcenter.scripting.scripts import parse_script
from callcenter.web.workplace_hub import OperatorHub
from callcenter.web.workplace_model import ScreenPop

SCRIPT = parse_script("inline", {"id": "general", "title": "Общий", "steps": [
    {"id": "bye", "kind": "closing", "text": "До свидания"}]})  # fmt: skip


def hub(maxsize: int = 16) -> OperatorHub:
    return OperatorHub(clock=lambda: 5.0, start_script=lambda t: ScriptRun(SCRIPT), maxsize=maxsize)


def pop(call_id: str) -> ScreenPop:
    return ScreenPop(call_id, "+79123456789", 5.0, 3.0)


def test_each_operator_gets_only_their_own_messages() -> None:
    h = hub()
    mine, other = h.subscribe("op1"), h.subscribe("op2")
    h.pop("op1", pop("c1"))
    assert other.pending() == 0
    assert mine.pending() == 1
    assert h.board.desk("op1").state == "talking"
    assert h.board.desk("op2").state == "offline"


async def test_a_slow_client_keeps_only_the_newest_messages() -> None:
    h = hub(maxsize=2)
    slow = h.subscribe("op1")
    for i in range(5):
        h.notify("op1", "state", n=i)
    assert slow.pending() == 2
    assert slow.dropped == 3
    assert [json.loads(await slow.next())["n"] for _ in range(2)] == [3, 4]


def test_unsubscribed_clients_are_forgotten_and_ended_calls_notify_once() -> None:
    h = hub()
    sub = h.subscribe("op1")
    h.pop("op1", pop("c1"))
    h.call_ended("op1", "c1")
    h.call_ended("op1", "c1")
    assert sub.pending() == 2
    h.unsubscribe("op1", sub)
    assert h.subscriber_count("op1") == 0
    h.notify("op1", "state")  # nobody listens: nothing breaks, nothing is kept
    assert sub.pending() == 2
