"""Domain errors of the queue engine.

Every error carries a stable ``code``: the codes are API (the web layer maps them to HTTP in one
place, the dashboards count them), so never rename one. Hierarchy::

    QueueEngineError
    ├── InvalidCallbackNumber   "invalid_callback_number"
    ├── UnknownCall             "unknown_call"
    ├── UnknownQueue            "unknown_queue"
    ├── UnknownCallback         "unknown_callback"
    └── InvalidConfig           "invalid_config"
"""

from __future__ import annotations


class QueueEngineError(Exception):
    """Base of all domain errors; ``code`` is a stable machine-readable identifier."""

    code = "queue_engine_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidCallbackNumber(QueueEngineError):
    code = "invalid_callback_number"


class UnknownCall(QueueEngineError):
    code = "unknown_call"


class UnknownQueue(QueueEngineError):
    code = "unknown_queue"


class UnknownCallback(QueueEngineError):
    code = "unknown_callback"


class InvalidConfig(QueueEngineError):
    code = "invalid_config"
