"""What to do next in a notification campaign: pure decisions, time passed in.

A recipient moves through these states:

    pending -> calling -> delivered
                       -> retry (no answer, busy, failed, hung up, unknown) -> calling ...
                       -> exhausted (max attempts reached without delivery)
    invalid_number (never dialled)

Calls are placed only inside the campaign's allowed hours (local time of the center; a window may
cross midnight), at most `calls_per_minute` started in any 60 seconds and at most
`max_concurrent` at once. The e-mail is a second channel with its own small status.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

RATE_WINDOW_S = 60.0
MAX_EMAIL_ATTEMPTS = 3


class State(StrEnum):
    PENDING = "pending"
    CALLING = "calling"
    DELIVERED = "delivered"
    RETRY = "retry"
    EXHAUSTED = "exhausted"
    INVALID_NUMBER = "invalid_number"


FINAL_STATES = frozenset({State.DELIVERED, State.EXHAUSTED, State.INVALID_NUMBER})


class CallResult(StrEnum):
    DELIVERED = "delivered"  # answered and the message was played to the end
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"  # no such channel, congestion, refused by the PBX
    HUNG_UP = "hung_up"  # answered, but hung up before the end of the message
    UNKNOWN = "unknown"  # connection or engine lost while calling


class EmailStatus(StrEnum):
    NONE = ""  # no address
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_EMAIL_ATTEMPTS


@dataclass(frozen=True)
class AllowedHours:
    """A daily window [start, end) in local time; start > end means it crosses midnight."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return True  # the whole day
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    @classmethod
    def parse(cls, text: str) -> AllowedHours:
        """'09:00-20:00' (or '21:00-06:00' across midnight)."""
        try:
            first, second = (part.strip() for part in text.split("-"))
            return cls(time.fromisoformat(first), time.fromisoformat(second))
        except ValueError as exc:
            raise ValueError(f"allowed_hours: expected HH:MM-HH:MM, got {text!r}") from exc


@dataclass(frozen=True)
class CampaignRules:
    allowed: AllowedHours
    timezone: str
    calls_per_minute: int
    max_concurrent: int
    max_attempts: int
    retry_delay_s: float

    def __post_init__(self) -> None:
        for name in ("calls_per_minute", "max_concurrent", "max_attempts"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: must be at least 1")
        if self.retry_delay_s < 0:
            raise ValueError("retry_delay_s: must not be negative")
        ZoneInfo(self.timezone)  # raises on an unknown zone


@dataclass(frozen=True)
class RecipientStatus:
    id: int
    state: State
    attempts: int = 0
    next_at: float = 0.0  # no call before this time
    email: EmailStatus = EmailStatus.NONE
    email_attempts: int = 0
    email_next_at: float = 0.0


# --- hours -------------------------------------------------------------------------------------


def in_allowed_hours(rules: CampaignRules, now: float) -> bool:
    local = datetime.fromtimestamp(now, ZoneInfo(rules.timezone))
    return rules.allowed.contains(local.time())


def window_opens_at(rules: CampaignRules, now: float) -> float:
    """`now` if inside the window, else the next moment the window opens."""
    if in_allowed_hours(rules, now):
        return now
    tz = ZoneInfo(rules.timezone)
    local = datetime.fromtimestamp(now, tz)
    today = datetime.combine(local.date(), rules.allowed.start, tzinfo=tz)
    opens = today if today > local else today + timedelta(days=1)
    return opens.timestamp()


# --- calls -------------------------------------------------------------------------------------


def calls_to_start(
    rules: CampaignRules,
    recipients: Iterable[RecipientStatus],
    recent_starts: Sequence[float],
    now: float,
) -> list[int]:
    """Ids of the recipients to call now, earliest due first, within hours and limits."""
    if not in_allowed_hours(rules, now):
        return []
    everyone = list(recipients)
    calling = sum(1 for r in everyone if r.state is State.CALLING)
    started = sum(1 for t in recent_starts if now - RATE_WINDOW_S < t <= now)
    room = min(rules.max_concurrent - calling, rules.calls_per_minute - started)
    if room <= 0:
        return []
    due = sorted((r for r in everyone if _due(r, now)), key=lambda r: (r.next_at, r.id))
    return [r.id for r in due[:room]]


def _due(r: RecipientStatus, now: float) -> bool:
    return r.state in (State.PENDING, State.RETRY) and r.next_at <= now


def call_started(r: RecipientStatus) -> RecipientStatus:
    return replace(r, state=State.CALLING, attempts=r.attempts + 1)


def call_ended(
    rules: CampaignRules, r: RecipientStatus, result: CallResult, now: float
) -> RecipientStatus:
    """The attempt in progress ended with `result`."""
    if result is CallResult.DELIVERED:
        return replace(r, state=State.DELIVERED)
    if r.attempts >= rules.max_attempts:
        return replace(r, state=State.EXHAUSTED)
    return replace(r, state=State.RETRY, next_at=now + rules.retry_delay_s)


def reconcile(rules: CampaignRules, r: RecipientStatus, now: float) -> RecipientStatus:
    """At start-up a recipient still `calling` was being called when we stopped: that attempt's
    result is unknown, and it counts."""
    if r.state is not State.CALLING:
        return r
    return call_ended(rules, r, CallResult.UNKNOWN, now)


# --- e-mail ------------------------------------------------------------------------------------


def emails_to_send(recipients: Iterable[RecipientStatus], now: float) -> list[int]:
    return [r.id for r in recipients if r.email is EmailStatus.PENDING and r.email_next_at <= now]


def email_ended(
    rules: CampaignRules, r: RecipientStatus, sent: bool, now: float
) -> RecipientStatus:
    attempts = r.email_attempts + 1
    if sent:
        return replace(r, email=EmailStatus.SENT, email_attempts=attempts)
    if attempts >= MAX_EMAIL_ATTEMPTS:
        return replace(r, email=EmailStatus.FAILED, email_attempts=attempts)
    return replace(r, email_attempts=attempts, email_next_at=now + rules.retry_delay_s)


# --- the campaign as a whole -------------------------------------------------------------------


def finished(recipients: Iterable[RecipientStatus]) -> bool:
    return all(r.state in FINAL_STATES and r.email is not EmailStatus.PENDING for r in recipients)


def next_wake(
    rules: CampaignRules,
    recipients: Iterable[RecipientStatus],
    recent_starts: Sequence[float],
    now: float,
) -> float | None:
    """When something may become due without news from outside (None: only news can help)."""
    everyone = list(recipients)
    moments = [r.email_next_at for r in everyone if r.email is EmailStatus.PENDING]
    waiting = [r.next_at for r in everyone if r.state in (State.PENDING, State.RETRY)]
    calling = sum(1 for r in everyone if r.state is State.CALLING)
    if waiting and calling < rules.max_concurrent:  # when all lines are busy, news wakes us
        due = max(min(waiting), now)
        window = sorted(t + RATE_WINDOW_S for t in recent_starts if t > now - RATE_WINDOW_S)
        if len(window) >= rules.calls_per_minute:
            due = max(due, window[len(window) - rules.calls_per_minute])
        moments.append(window_opens_at(rules, due))
    return max(min(moments), now) if moments else None
