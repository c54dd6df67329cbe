"""Plain records the repositories take and return (frozen dataclasses, no ORM session attached).

They are the store's own vocabulary, independent of `queue_engine`: the wiring maps domain events
to them. Times are epoch seconds (float). Validation happens here, before anything is written, and
raises `InvalidRecord` with a message naming the field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import phonenumbers

CALL_OUTCOMES = ("answered", "abandoned", "overflowed", "callback", "ivr", "failed")
# "automatic" is the reports' word for the night mode; both are accepted.
CALL_MODES = ("day", "night", "automatic", "emergency")
OVERFLOW_DIRECTIONS = ("in", "out")
PARTNER_OUTCOMES = ("answered", "abandoned", "callback")
CALLBACK_STATUSES = ("pending", "claimed", "dialing", "done", "failed", "cancelled")
FINAL_CALLBACK_STATUSES = ("done", "failed", "cancelled")
# queue_engine.AttemptResult: hung_up is a citizen who answered a citizen-first callback, then hung
# up before an operator took them.
ATTEMPT_RESULTS = ("answered", "no_answer", "busy", "failed", "hung_up")
APPEAL_URGENCIES = ("low", "normal", "high", "emergency")


class InvalidRecord(ValueError):
    """A record failed validation; nothing was written."""


def check_choice(name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise InvalidRecord(f"{name}: {value!r} is not one of {', '.join(allowed)}")


def normalize_number(number: str, *, region: str = "RU", allow_foreign: bool = False) -> str:
    """E.164 form of a number we may call back: valid, not premium-rate, domestic unless allowed."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidRecord(f"number: cannot parse {number!r}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidRecord(f"number: {number!r} is not a valid number")
    if phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.PREMIUM_RATE:
        raise InvalidRecord(f"number: {number!r} is premium-rate")
    if not allow_foreign and phonenumbers.region_code_for_number(parsed) != region:
        raise InvalidRecord(f"number: {number!r} is foreign")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class CallRecord:
    """A call record, or a partial update of one: None means "not known / leave unchanged"."""

    id: str
    caller_number: str | None = None
    caller_name: str | None = None
    arrived_at: float | None = None
    queue: str | None = None
    topic: str | None = None
    mode: str | None = None
    entered_queue_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    wait_s: float | None = None
    talk_s: float | None = None
    operator_id: str | None = None
    outcome: str | None = None
    overflow_partner: str | None = None
    overflow_direction: str | None = None
    origin_center: str | None = None
    hops: int | None = None
    ivr_path: tuple[str, ...] | None = None
    script_path: tuple[Any, ...] | None = None
    result_code: str | None = None
    survey_rating: int | None = None
    # For a call we overflowed: what the partner reported became of it, and its wait there.
    partner_outcome: str | None = None
    partner_wait_s: float | None = None

    def validate(self) -> None:
        if not self.id:
            raise InvalidRecord("id: empty")
        check_choice("mode", self.mode, CALL_MODES)
        check_choice("outcome", self.outcome, CALL_OUTCOMES)
        check_choice("overflow_direction", self.overflow_direction, OVERFLOW_DIRECTIONS)
        check_choice("partner_outcome", self.partner_outcome, PARTNER_OUTCOMES)
        if self.survey_rating is not None and not 1 <= self.survey_rating <= 5:
            raise InvalidRecord("survey_rating: must be 1..5")
        if self.hops is not None and self.hops < 0:
            raise InvalidRecord("hops: must not be negative")

    def known_fields(self) -> dict[str, Any]:
        """Column values that this update sets (everything not None except the id)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "id" and value is not None:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class CallEvent:
    """One timeline entry. `key` identifies it across replays (default: kind, time and a digest
    of the details, so that two different entries of one kind at one instant are both kept)."""

    call_id: str
    at: float
    kind: str
    details: Mapping[str, Any] = field(default_factory=dict)
    key: str | None = None

    @property
    def event_key(self) -> str:
        if self.key is not None:
            return self.key
        if not self.details:
            return f"{self.kind}@{self.at!r}"
        text = json.dumps(self.details, sort_keys=True, ensure_ascii=False, default=str)
        return f"{self.kind}@{self.at!r}#{hashlib.sha1(text.encode()).hexdigest()[:12]}"


@dataclass(frozen=True)
class NewCallback:
    """A callback request as the engine makes it; `id` defaults to a fresh UUID."""

    number: str
    requested_at: float
    deadline: float
    topic: str | None = None
    not_before: float | None = None
    source_call_id: str | None = None
    id: str | None = None

    def validate(self) -> None:
        if self.deadline <= self.requested_at:
            raise InvalidRecord("deadline: must be after requested_at")
        if self.not_before is not None and self.not_before > self.deadline:
            raise InvalidRecord("not_before: must not be after the deadline")


@dataclass(frozen=True)
class Callback:
    id: str
    number: str
    topic: str | None
    requested_at: float
    deadline: float
    not_before: float | None
    status: str
    attempts: int
    outcome: str | None
    source_call_id: str | None
    claimed_by: str | None
    claimed_until: float | None


@dataclass(frozen=True)
class CallbackAttempt:
    callback_id: str
    started_at: float
    result: str
    ended_at: float | None = None
    operator_id: str | None = None


@dataclass(frozen=True)
class Appeal:
    id: str
    citizen_phone: str
    category: str
    text: str
    created_at: float
    call_id: str | None = None
    subcategory: str | None = None
    fact: str | None = None
    object_code: str | None = None
    executor_org: str | None = None
    urgency: str = "normal"
    status: str = "new"

    def validate(self) -> None:
        if not self.id or not self.citizen_phone or not self.category:
            raise InvalidRecord("id, citizen_phone and category are required")
        if not self.text.strip():
            raise InvalidRecord("text: empty")
        check_choice("urgency", self.urgency, APPEAL_URGENCIES)


@dataclass(frozen=True)
class Appointment:
    id: str
    citizen_phone: str
    agency: str
    slot_start: float
    service: str
    call_id: str | None = None


@dataclass(frozen=True)
class SurveyAnswer:
    call_id: str
    question: str
    answer: str
    at: float


@dataclass(frozen=True)
class AuditEntry:
    at: float
    actor: str
    action: str
    details: Mapping[str, Any]


@dataclass(frozen=True)
class Operator:
    id: str
    name: str
    role: str = "operator"
    sip_endpoint: str | None = None
    queues: tuple[str, ...] = ()
    skills: Mapping[str, Any] = field(default_factory=dict)
    password_hash: str | None = None


@dataclass(frozen=True)
class CitizenHistory:
    """Everything we know about one phone number, newest first."""

    phone: str
    name: str | None
    calls: tuple[CallRecord, ...]
    appeals: tuple[Appeal, ...]


APPLICATION_STATUSES = ("received", "in_progress", "ready", "rejected")


@dataclass(frozen=True)
class ApplicationRecord:
    """An application's status as the portal gives it, kept for lookups by phone (IVR)."""

    number: str
    status: str
    text: str

    def validate(self) -> None:
        if not self.number.strip():
            raise InvalidRecord("number: empty")
        check_choice("status", self.status, APPLICATION_STATUSES)
        if not self.text.strip():
            raise InvalidRecord("text: empty")
