"""The campaign policy: tables of state + time -> decision, with time passed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from callcenter.notify import policy
from callcenter.notify.policy import (
    AllowedHours,
    CallResult,
    CampaignRules,
    EmailStatus,
    RecipientStatus,
    State,
)

MSK = ZoneInfo("Europe/Moscow")


def at(hh: int, mm: int = 0, day: int = 16) -> float:
    return datetime(2026, 11, day, hh, mm, tzinfo=MSK).timestamp()


def rules(**changes: object) -> CampaignRules:
    base = CampaignRules(
        allowed=AllowedHours(time(9), time(20)),
        timezone="Europe/Moscow",
        calls_per_minute=3,
        max_concurrent=2,
        max_attempts=3,
        retry_delay_s=600,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def pending(n: int) -> list[RecipientStatus]:
    return [RecipientStatus(id=i, state=State.PENDING) for i in range(1, n + 1)]


@pytest.mark.parametrize(
    ("window", "clock", "inside"),
    [
        ("09:00-20:00", time(8, 59), False),
        ("09:00-20:00", time(9, 0), True),
        ("09:00-20:00", time(19, 59), True),
        ("09:00-20:00", time(20, 0), False),
        ("21:00-06:00", time(23, 30), True),
        ("21:00-06:00", time(0, 10), True),
        ("21:00-06:00", time(5, 59), True),
        ("21:00-06:00", time(6, 0), False),
        ("21:00-06:00", time(12, 0), False),
        ("00:00-00:00", time(3, 0), True),
    ],
)
def test_allowed_hours_including_windows_across_midnight(
    window: str, clock: time, inside: bool
) -> None:
    assert AllowedHours.parse(window).contains(clock) is inside


def test_hours_are_the_centers_local_time_not_utc() -> None:
    r = rules()
    assert policy.in_allowed_hours(r, at(9, 30))  # 06:30 UTC
    assert not policy.in_allowed_hours(r, at(20, 30))  # 17:30 UTC
    assert policy.calls_to_start(r, pending(2), [], at(20, 30)) == []


def test_outside_hours_the_next_wake_is_when_the_window_opens() -> None:
    r = rules(allowed=AllowedHours.parse("21:00-06:00"))
    assert policy.window_opens_at(r, at(12)) == at(21)
    assert policy.next_wake(r, pending(1), [], at(12)) == at(21)
    # after the window closed in the morning, it opens again the same evening
    assert policy.window_opens_at(r, at(6, 0)) == at(21)
    # inside the window the answer is now
    assert policy.window_opens_at(r, at(23)) == at(23)


def test_concurrency_limit_caps_the_calls_started() -> None:
    assert policy.calls_to_start(rules(), pending(5), [], at(10)) == [1, 2]
    one_calling = [replace(pending(1)[0], state=State.CALLING), *pending(5)[1:]]
    assert policy.calls_to_start(rules(), one_calling, [], at(10)) == [2]


def test_rate_limit_counts_starts_in_the_last_sixty_seconds() -> None:
    r = rules(max_concurrent=10, calls_per_minute=3)
    now = at(10)
    assert policy.calls_to_start(r, pending(5), [now - 59, now - 30], now) == [1]
    assert policy.calls_to_start(r, pending(5), [now - 59, now - 30, now - 1], now) == []
    assert policy.calls_to_start(r, pending(5), [now - 60, now - 61], now) == [1, 2, 3]
    # the next wake is when the oldest start leaves the window
    assert policy.next_wake(r, pending(5), [now - 59, now - 30, now - 1], now) == now + 1


def test_a_failed_attempt_is_retried_after_the_delay_then_exhausted() -> None:
    r = rules()
    s = policy.call_started(pending(1)[0])
    s = policy.call_ended(r, s, CallResult.NO_ANSWER, at(10))
    assert (s.state, s.attempts, s.next_at) == (State.RETRY, 1, at(10, 10))
    assert policy.calls_to_start(r, [s], [], at(10, 9)) == []
    assert policy.calls_to_start(r, [s], [], at(10, 10)) == [1]
    for result in (CallResult.BUSY, CallResult.HUNG_UP):
        s = policy.call_ended(r, policy.call_started(s), result, at(11))
    assert (s.state, s.attempts) == (State.EXHAUSTED, 3)
    assert policy.calls_to_start(r, [s], [], at(12)) == []
    assert policy.finished([s])


def test_delivery_is_final() -> None:
    s = policy.call_ended(rules(), policy.call_started(pending(1)[0]), CallResult.DELIVERED, 0)
    assert s.state is State.DELIVERED
    assert policy.finished([s])
    assert policy.next_wake(rules(), [s], [], at(10)) is None


def test_invalid_numbers_are_never_called_and_do_not_hold_the_campaign() -> None:
    invalid = RecipientStatus(id=1, state=State.INVALID_NUMBER)
    others = pending(2)[1:]
    assert policy.calls_to_start(rules(), [invalid, *others], [], at(10)) == [2]
    assert policy.finished([invalid])


def test_a_call_in_progress_at_start_up_counts_as_an_unknown_attempt() -> None:
    calling = policy.call_started(pending(1)[0])
    s = policy.reconcile(rules(), calling, at(10))
    assert (s.state, s.attempts, s.next_at) == (State.RETRY, 1, at(10, 10))
    last = policy.reconcile(rules(max_attempts=1), calling, at(10))
    assert last.state is State.EXHAUSTED
    untouched = pending(1)[0]
    assert policy.reconcile(rules(), untouched, at(10)) is untouched


def test_e_mail_is_retried_then_given_up_and_blocks_finishing_while_pending() -> None:
    s = RecipientStatus(id=1, state=State.DELIVERED, email=EmailStatus.PENDING)
    assert not policy.finished([s])
    assert policy.emails_to_send([s], at(3)) == [1]  # e-mail is not bound to calling hours
    for _ in range(policy.MAX_EMAIL_ATTEMPTS - 1):
        s = policy.email_ended(rules(), s, False, at(10))
        assert s.email is EmailStatus.PENDING
        assert policy.emails_to_send([s], at(10)) == []
    s = policy.email_ended(rules(), s, False, at(10))
    assert s.email is EmailStatus.FAILED
    assert policy.finished([s])
    sent = policy.email_ended(
        rules(), RecipientStatus(1, State.DELIVERED, email=EmailStatus.PENDING), True, 0
    )
    assert sent.email is EmailStatus.SENT


def test_all_lines_busy_means_wait_for_news_not_a_busy_loop() -> None:
    r = rules(max_concurrent=1)
    calling = policy.call_started(pending(1)[0])
    assert policy.next_wake(r, [calling, *pending(3)[1:]], [at(10)], at(10)) is None


@pytest.mark.parametrize("bad", ["9-20", "09:00", "25:00-26:00", ""])
def test_bad_allowed_hours_are_refused_with_the_setting_named(bad: str) -> None:
    with pytest.raises(ValueError, match="allowed_hours"):
        AllowedHours.parse(bad)
