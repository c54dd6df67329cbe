"""Operator desks: each operator's state and the calls they handle, with wrap-up enforcement.

States: offline → available ⇄ paused; available → talking (the engine answered a call) →
wrapup (the call ended) → available. While a call's wrap-up is neither valid nor past its time,
the desk refuses to leave `wrapup`: the operator cannot take the next call. The check is made
when a change is asked for, against the injected clock, so no timer task is needed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from callcenter.scripting import ScriptRun
from callcenter.web.errors import Conflict
from callcenter.web.workplace_model import Appeal, CallAction, ScreenPop

STATES = ("offline", "available", "paused", "talking", "wrapup")


@dataclass
class CallSession:
    """One answered call: its screen pop, script run and what the operator did during it."""

    pop: ScreenPop
    operator_id: str
    run: ScriptRun
    ended_at: float | None = None
    wrapup_deadline: float | None = None
    wrapped_up: bool = False
    appeals: list[Appeal] = field(default_factory=list)
    actions: list[CallAction] = field(default_factory=list)
    # Values the wrap-up form gets pre-filled with (appeal number, agency, callback time...).
    facts: dict[str, str] = field(default_factory=dict)
    # Serialises the wrap-up: a double click must not record the call twice.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def call_id(self) -> str:
        return self.pop.call_id


@dataclass
class Desk:
    operator_id: str
    state: str = "offline"
    since: float = 0.0
    pause_reason: str = ""
    call_id: str | None = None  # the call being talked or wrapped up


class DeskBoard:
    """All desks and sessions of this node, kept in memory (they live as long as a call)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        start_script: Callable[[str | None], ScriptRun],
        wrapup_s: float,
        keep_finished: int = 500,
    ) -> None:
        self._clock = clock
        self._start_script = start_script
        self.wrapup_s = wrapup_s
        self._desks: dict[str, Desk] = {}
        self._sessions: dict[str, CallSession] = {}
        # Finished calls stay readable for a while (a late page refresh), then are dropped so a
        # long-running node does not keep every call of the day in memory.
        self._finished: deque[str] = deque()
        self._keep_finished = keep_finished

    def now(self) -> float:
        return self._clock()

    def desk(self, operator_id: str) -> Desk:
        return self._desks.setdefault(operator_id, Desk(operator_id, since=self._clock()))

    def session(self, call_id: str) -> CallSession | None:
        return self._sessions.get(call_id)

    def current(self, operator_id: str) -> CallSession | None:
        call_id = self.desk(operator_id).call_id
        return self._sessions.get(call_id) if call_id else None

    def set_state(self, desk: Desk, state: str, reason: str = "") -> None:
        desk.state, desk.pause_reason, desk.since = state, reason, self._clock()

    def answered(self, operator_id: str, pop: ScreenPop) -> CallSession:
        session = self._sessions.get(pop.call_id)
        if session is None or session.operator_id != operator_id:
            session = CallSession(pop, operator_id, self._start_script(pop.topic))
            if pop.topic:
                session.facts["topic"] = pop.topic
            self._sessions[pop.call_id] = session
        desk = self.desk(operator_id)
        desk.call_id = pop.call_id
        self.set_state(desk, "talking")
        return session

    def ended(self, operator_id: str, call_id: str) -> CallSession | None:
        session = self._sessions.get(call_id)
        if session is None or session.operator_id != operator_id or session.ended_at is not None:
            return None
        now = self._clock()
        session.ended_at, session.wrapup_deadline = now, now + self.wrapup_s
        desk = self.desk(operator_id)
        if desk.call_id == call_id:
            self.set_state(desk, "wrapup")
        return session

    def remaining_s(self, session: CallSession) -> float:
        if session.wrapup_deadline is None or session.wrapped_up:
            return 0.0
        return max(0.0, session.wrapup_deadline - self._clock())

    def pending_wrapup(self, operator_id: str) -> CallSession | None:
        """The call whose wrap-up still holds the operator, if any."""
        session = self.current(operator_id)
        if session is None or session.ended_at is None or session.wrapped_up:
            return None
        return session

    def check_leave(self, operator_id: str, target: str) -> CallSession | None:
        """Refuse a change away from talking/wrap-up; returns a timed-out wrap-up to record."""
        desk = self.desk(operator_id)
        if desk.state == "talking":
            raise Conflict(
                "on_call",
                "Идёт разговор: сменить статус можно после завершения звонка",
                {"state": desk.state, "target": target},
            )
        pending = self.pending_wrapup(operator_id)
        if pending is None:
            return None
        remaining = self.remaining_s(pending)
        if remaining > 0:
            raise Conflict(
                "wrapup_required",
                "Сначала завершите обработку звонка: выберите результат и заполните обязательные "
                f"поля (осталось {int(remaining + 0.999)} с)",
                {"call_id": pending.call_id, "remaining_s": round(remaining, 1)},
            )
        return pending

    def finish(self, session: CallSession) -> None:
        """The wrap-up is recorded (valid or timed out): the desk is free for the next call."""
        session.wrapped_up = True
        desk = self.desk(session.operator_id)
        if desk.call_id == session.call_id:
            desk.call_id = None
        self._finished.append(session.call_id)
        while len(self._finished) > self._keep_finished:
            self._sessions.pop(self._finished.popleft(), None)
