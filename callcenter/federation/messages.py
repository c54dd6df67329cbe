"""Messages exchanged between centers: frozen values, with their JSON form and its checks.

`from_json` functions raise `MalformedRequest` whose details name the bad field, so a partner
can fix its side from our 400 answer alone.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from callcenter.federation.errors import MalformedRequest

REFUSAL_REASONS = (
    "near_limit",
    "not_accepting",
    "loop",
    "hop_limit",
    "rate_limited",
    "outside_hours",
    "unavailable",
    "context_too_large",
)
OUTCOMES = ("answered", "abandoned", "callback")


@dataclass(frozen=True, slots=True)
class LocalCapacity:
    """Our own live figures, as the engine gives them for publishing."""

    accepting: bool
    free_operators: int
    predicted_wait_s: float
    topic_wait_s: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CapacityReport:
    """A center's live figures as it publishes them."""

    center_id: str
    generated_at: float
    accepting: bool
    free_operators: int
    predicted_wait_s: float
    topic_wait_s: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PartnerCapacity:
    """What we know of a partner: its last report, when we got it, and whether it is stale."""

    partner_id: str
    predicted_wait_s: float
    topic_wait_s: Mapping[str, float]
    free_operators: int
    accepting: bool
    received_at: float
    stale: bool
    generated_at: float = 0.0

    @property
    def available(self) -> bool:
        return self.accepting and not self.stale

    def wait_for(self, topic: str | None) -> float:
        """Predicted wait for `topic`, falling back to the overall figure."""
        return (
            self.topic_wait_s.get(topic, self.predicted_wait_s) if topic else self.predicted_wait_s
        )


@dataclass(frozen=True, slots=True)
class HandoffRequest:
    """Context of a call offered to a partner.

    `hops`: ids of the centers that already transferred this call out, before this transfer
    (empty for a call overflowing for the first time). `origin_center`: where the caller dialled.
    """

    call_ref: str
    caller_number: str
    topic: str
    origin_center: str
    ivr_choices: tuple[str, ...] = ()
    language: str = "ru"
    history_ref: str | None = None
    hops: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HandoffDecision:
    accepted: bool
    token: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class HandoffOutcome:
    token: str
    outcome: str
    wait_s: float


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def loads_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedRequest(
            "malformed_body", "body is not UTF-8 JSON", {"error": str(exc)}
        ) from exc
    if not isinstance(data, dict):
        raise MalformedRequest("malformed_body", "body must be a JSON object")
    return data


def capacity_to_json(r: CapacityReport) -> dict[str, Any]:
    return {
        "center_id": r.center_id,
        "generated_at": r.generated_at,
        "accepting": r.accepting,
        "free_operators": r.free_operators,
        "predicted_wait_s": r.predicted_wait_s,
        "topic_wait_s": dict(r.topic_wait_s),
    }


def capacity_from_json(d: Mapping[str, Any]) -> CapacityReport:
    topics = _get(d, "topic_wait_s", dict)
    for topic, wait in topics.items():
        _non_negative(wait, f"topic_wait_s.{topic}")
    return CapacityReport(
        center_id=_text(d, "center_id"),
        generated_at=_non_negative(d.get("generated_at"), "generated_at"),
        accepting=_get(d, "accepting", bool),
        free_operators=int(_non_negative(_get(d, "free_operators", int), "free_operators")),
        predicted_wait_s=_non_negative(d.get("predicted_wait_s"), "predicted_wait_s"),
        topic_wait_s={str(k): float(v) for k, v in topics.items()},
    )


def handoff_to_json(h: HandoffRequest) -> dict[str, Any]:
    return {
        "call_ref": h.call_ref,
        "caller_number": h.caller_number,
        "topic": h.topic,
        "origin_center": h.origin_center,
        "ivr_choices": list(h.ivr_choices),
        "language": h.language,
        "history_ref": h.history_ref,
        "hops": list(h.hops),
    }


def handoff_from_json(d: Mapping[str, Any]) -> HandoffRequest:
    history = d.get("history_ref")
    if history is not None and not isinstance(history, str):
        raise _bad("history_ref", "must be a string or null")
    return HandoffRequest(
        call_ref=_text(d, "call_ref"),
        caller_number=_text(d, "caller_number"),
        topic=_text(d, "topic"),
        origin_center=_text(d, "origin_center"),
        ivr_choices=_strings(d, "ivr_choices"),
        language=_text(d, "language"),
        history_ref=history,
        hops=_strings(d, "hops"),
    )


def decision_to_json(dec: HandoffDecision) -> dict[str, Any]:
    if dec.accepted:
        return {"decision": "accept", "token": dec.token}
    return {"decision": "refuse", "reason": dec.reason}


def decision_from_json(d: Mapping[str, Any]) -> HandoffDecision:
    kind = _get(d, "decision", str)
    if kind == "accept":
        return HandoffDecision(accepted=True, token=_text(d, "token"))
    if kind == "refuse":
        return HandoffDecision(accepted=False, reason=_text(d, "reason"))
    raise _bad("decision", "must be 'accept' or 'refuse'")


def outcome_to_json(o: HandoffOutcome) -> dict[str, Any]:
    return {"outcome": o.outcome, "wait_s": o.wait_s}


def outcome_from_json(token: str, d: Mapping[str, Any]) -> HandoffOutcome:
    outcome = _get(d, "outcome", str)
    if outcome not in OUTCOMES:
        raise _bad("outcome", f"must be one of {', '.join(OUTCOMES)}")
    return HandoffOutcome(
        token=token, outcome=outcome, wait_s=_non_negative(d.get("wait_s"), "wait_s")
    )


def _bad(name: str, problem: str) -> MalformedRequest:
    return MalformedRequest(
        "malformed_body", f"{name}: {problem}", {"field": name, "problem": problem}
    )


def _get(d: Mapping[str, Any], name: str, kind: type) -> Any:
    value = d.get(name)
    # bool is an int in Python; a JSON true is no operator count.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _bad(name, f"required, must be {kind.__name__}")
    return value


def _text(d: Mapping[str, Any], name: str, limit: int = 200) -> str:
    value: str = _get(d, name, str)
    if not value or len(value) > limit:
        raise _bad(name, f"must be 1..{limit} characters")
    return value


def _strings(d: Mapping[str, Any], name: str) -> tuple[str, ...]:
    items = _get(d, name, list)
    if len(items) > 32 or not all(isinstance(i, str) and 0 < len(i) <= 100 for i in items):
        raise _bad(name, "must be a list of up to 32 non-empty strings")
    return tuple(items)


def _non_negative(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(name, "required, must be a number")
    if not math.isfinite(value) or value < 0:
        raise _bad(name, "must be a finite number >= 0")
    return float(value)
