"""`OperatorHub`: where the engine reports answered and ended calls, and the fan-out of
per-operator messages to the workplace pages over the websocket `/operator/ws`.

The engine calls (synchronously, never waiting on a browser):

- `hub.pop(operator_id, screen_pop)` when it sees the operator answer a call;
- `hub.call_ended(operator_id, call_id)` when the operator's leg of the call ends (hang-up or
  transfer): the desk goes to wrap-up for `wrapup_s` seconds.

Each message is a small JSON object (`{"type": "pop"|"ended"|"state", ...}`) telling the page
what changed; the page then reads the full picture from the API. So when a client falls behind
and its bounded queue drops the oldest messages, nothing is lost but a redundant hint.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from callcenter.scripting import ScriptRun
from callcenter.web.live import Subscription
from callcenter.web.workplace_desk import DeskBoard
from callcenter.web.workplace_model import ScreenPop


class OperatorHub:
    def __init__(
        self,
        *,
        clock: Callable[[], float],
        start_script: Callable[[str | None], ScriptRun],
        wrapup_s: float = 60.0,
        maxsize: int = 16,
    ) -> None:
        self.board = DeskBoard(clock=clock, start_script=start_script, wrapup_s=wrapup_s)
        self._maxsize = maxsize
        self._subscribers: dict[str, set[Subscription]] = {}

    def subscribe(self, operator_id: str) -> Subscription:
        subscription = Subscription(self._maxsize)
        self._subscribers.setdefault(operator_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, operator_id: str, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(operator_id, set())
        subscribers.discard(subscription)
        if not subscribers:
            self._subscribers.pop(operator_id, None)

    def subscriber_count(self, operator_id: str) -> int:
        return len(self._subscribers.get(operator_id, ()))

    def notify(self, operator_id: str, kind: str, **payload: Any) -> None:
        message = json.dumps({"type": kind, **payload}, ensure_ascii=False)
        for subscription in self._subscribers.get(operator_id, ()):
            subscription.offer(message)

    def pop(self, operator_id: str, pop: ScreenPop) -> None:
        self.board.answered(operator_id, pop)
        self.notify(operator_id, "pop", call_id=pop.call_id, number=pop.number)

    def call_ended(self, operator_id: str, call_id: str) -> None:
        session = self.board.ended(operator_id, call_id)
        if session is not None:
            self.notify(operator_id, "ended", call_id=call_id, wrapup_s=self.board.wrapup_s)
