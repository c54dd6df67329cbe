"""Supervisor controls (`callcenter.web.controls.SupervisorControls`) on the live engine."""

from __future__ import annotations

from callcenter.runtime.control_share import ControlShare
from callcenter.runtime.live_runtime import LiveRuntime
from callcenter.web.errors import ApiError, NotFound
from queue_engine import messages as m
from queue_engine.errors import QueueEngineError


class EngineControls:
    def __init__(self, runtime: LiveRuntime) -> None:
        self._rt = runtime
        # With several engine nodes, the other nodes apply what this one applied.
        self.share: ControlShare | None = None

    async def set_emergency(self, on: bool, announcement: str) -> None:
        self._rt.announcement = announcement if on else ""
        self._rt.runner.feed(m.EmergencySet(on, by="supervisor"))
        if self.share is not None:
            self.share.emergency(on, announcement)

    async def pause_operator(self, op_id: str, paused: bool, reason: str) -> None:
        self._known_operator(op_id)
        result = await self._rt.ami.queue_pause(
            interface=op_id, paused=paused, reason=reason or None
        )
        if not result.ok:
            raise ApiError("pbx_refused", f"Asterisk отклонил действие: {result.message}")

    async def move_operator(self, op_id: str, queues: list[str]) -> None:
        self._known_operator(op_id)
        known = set(self._rt.engine.state.queues)
        unknown = [q for q in queues if q not in known]
        if unknown:
            raise ApiError("unknown_queue", f"Неизвестная очередь: {', '.join(unknown)}")
        current = set(self._rt.bridge.operators.queues_of(op_id))
        refused: list[str] = []
        for queue in sorted(set(queues) - current):
            added = await self._rt.ami.queue_add(queue=queue, interface=op_id)
            if not added.ok:
                refused.append(f"добавить в «{queue}»: {added.message}")
        if refused:  # the operator keeps the old queues rather than being left in none
            raise ApiError("pbx_refused", f"Asterisk отклонил: {'; '.join(refused)}")
        for queue in sorted(current - set(queues)):
            removed = await self._rt.ami.queue_remove(queue=queue, interface=op_id)
            if not removed.ok:
                refused.append(f"убрать из «{queue}»: {removed.message}")
        if refused:
            raise ApiError("pbx_refused", f"Asterisk отклонил: {'; '.join(refused)}")

    async def set_queue_limit(self, queue: str, limit_s: float) -> None:
        try:
            self._rt.runner.feed(m.QueueLimitChanged(queue, limit_s, by="supervisor"))
        except QueueEngineError as exc:
            raise ApiError("invalid_queue_limit", str(exc)) from exc
        if self.share is not None:
            self.share.queue_limit(queue, limit_s)

    def _known_operator(self, op_id: str) -> None:
        if self._rt.engine.state.operators.get(op_id) is None:
            raise NotFound("unknown_operator", f"Оператор {op_id} не найден")
