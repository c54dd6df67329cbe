"""The Asterisk baselines, as policies with the engine's interface.

- ``asterisk-fifo``: a plain app_queue, no engine: every call joins the queue and waits.
- ``asterisk-timeout``: app_queue with a 40-second timeout to a callback offer (the engine's own
  code configured without prediction, overflow, night mode or callback reservations): callbacks
  are dialled only by operators nobody in the queue needs, from their own phone (operator-first,
  as an operator calls back by hand where no engine dials the citizen first).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from queue_engine import messages as m
from queue_engine.commands import RouteToQueue
from queue_engine.config import EngineConfig
from queue_engine.engine import Engine, Output


class AsteriskFifoPolicy:
    def __init__(self, *, config: EngineConfig) -> None:
        self.queue = config.queues[0].name

    def handle(self, message: m.Message, now: float) -> list[Output]:
        if isinstance(message, m.CallArrived):
            return [RouteToQueue(message.call_id, self.queue, 0)]
        return []

    def tick(self, now: float) -> list[Output]:
        return []

    def next_wakeup(self, now: float) -> float | None:
        return None


def asterisk_timeout_config(config: EngineConfig) -> EngineConfig:
    queues = tuple(
        dataclasses.replace(q, act_margin_s=0.0, declined_priority_bonus=0) for q in config.queues
    )
    no_night = dataclasses.replace(
        config.schedule, night_start=dt.time(0, 0), night_end=dt.time(0, 0), holidays=frozenset()
    )
    return dataclasses.replace(
        config,
        queues=queues,
        schedule=no_night,
        predictive_guard=False,
        overflow=dataclasses.replace(config.overflow, enabled=False),
        callbacks=dataclasses.replace(
            config.callbacks, reserve_lead_s=float("-inf"), citizen_first=False
        ),
    )


def asterisk_timeout_policy(config: EngineConfig) -> Engine:
    return Engine(config=asterisk_timeout_config(config))
