"""The engine's live picture, shared by its services (calls, queues, operators, partners)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from queue_engine.config import EngineConfig
from queue_engine.errors import UnknownQueue
from queue_engine.model.calls import Call, CallStage
from queue_engine.model.operators import OperatorBoard
from queue_engine.model.partners import Partner
from queue_engine.model.queues import QueueState
from queue_engine.prediction import WaitStats, iter_line_waits


@dataclass
class EngineState:
    config: EngineConfig
    queues: dict[str, QueueState]
    calls: dict[str, Call] = field(default_factory=dict)
    operators: OperatorBoard = field(default_factory=OperatorBoard)
    partners: dict[str, Partner] = field(default_factory=dict)
    # When we handed calls to each partner: its recent load, for settling ties between partners.
    overflow_sent: dict[str, list[float]] = field(default_factory=dict)
    wait_stats: dict[str, WaitStats] = field(default_factory=dict)
    emergency: bool = False
    seq: int = 0

    @classmethod
    def build(cls, config: EngineConfig) -> EngineState:
        return cls(config=config, queues={q.name: QueueState(q) for q in config.queues})

    def recent_overflow(self, now: float) -> dict[str, int]:
        """Calls handed to each partner within the policy's recent window (older ones forgotten)."""
        since = now - self.config.overflow.recent_window_s
        for name, times in self.overflow_sent.items():
            self.overflow_sent[name] = [t for t in times if t > since]
        return {name: len(times) for name, times in self.overflow_sent.items()}

    def queue(self, name: str) -> QueueState:
        try:
            return self.queues[name]
        except KeyError:
            raise UnknownQueue("unknown queue", queue=name) from None

    def stats(self, queue: str) -> WaitStats:
        stats = self.wait_stats.get(queue)
        if stats is None:
            stats = self.wait_stats[queue] = WaitStats(self.config.default_handle_s)
        return stats

    def capacity(self, queue: str) -> tuple[int, int]:
        """(free, working) operators for ``queue``, reserved ones excluded."""
        board = self.operators
        return board.free.get(queue, 0), board.working.get(queue, 0)

    def line_waits(self, queue: QueueState) -> Iterator[float]:
        """Predicted waits of positions 1, 2, 3… of the queue's line, in one pass."""
        free, working = self.capacity(queue.config.name)
        stats = self.stats(queue.config.name)
        return iter_line_waits(free, working, stats.handle_s, stats.theta)

    def predict(self, queue: QueueState, position: int) -> float:
        free, working = self.capacity(queue.config.name)
        return self.stats(queue.config.name).predict(position - 1, free, working)

    def leave_queue(self, call: Call, now: float) -> float:
        """Take a call out of its queue without service; return how long it waited."""
        if call.stage is not CallStage.QUEUED:
            return 0.0
        waited = call.waited(now)
        self.queue(call.queue).leave(call)
        self.stats(call.queue).record_departure(waited, served=False)
        call.stage = CallStage.DONE
        return waited
