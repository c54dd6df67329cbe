"""What a new call gets, by mode: a queue and priority, self-service IVR, or the emergency
announcement first."""

from __future__ import annotations

from queue_engine.commands import Command, PlayAnnouncement, RouteToIvr, RouteToQueue
from queue_engine.config import EngineConfig
from queue_engine.model.schedule import Mode

NIGHT_MENU = "night"
EMERGENCY_PROMPT = "emergency"


def queue_for_topic(config: EngineConfig, topic: str) -> str:
    for mapped_topic, queue in config.topic_queues:
        if mapped_topic == topic:
            return queue
    return config.queues[0].name


def entry_priority(config: EngineConfig, queue: str, hops: int) -> int:
    """Overflow calls from partners have already waited elsewhere: they go first."""
    base = config.queue(queue).priority
    return base + config.overflow_priority if hops > 0 else base


def decide_entry(
    config: EngineConfig, mode: Mode, call_id: str, topic: str, hops: int
) -> list[Command]:
    if mode is Mode.AUTOMATIC:
        return [RouteToIvr(call_id, NIGHT_MENU)]
    queue = queue_for_topic(config, topic)
    route = RouteToQueue(call_id, queue, entry_priority(config, queue, hops))
    if mode is Mode.EMERGENCY:
        return [PlayAnnouncement(call_id, EMERGENCY_PROMPT), route]
    return [route]
