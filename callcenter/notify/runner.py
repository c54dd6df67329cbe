"""Runs a notification campaign against Asterisk: the adapter around `policy`.

Each turn of the loop reads the recipients from the database, asks the policy whom to call and
e-mail now, acts, and sleeps until the policy's next moment or until news arrives from AMI. News
is an `OriginateResponse` (not answered: no answer, busy, failed; or answered), the dialplan's
`UserEvent(NotifyDelivered)` (the message was played to the end) or the `Hangup` of an answered
call before that. Every state change is written before the next decision, so a restart finds each
recipient where it was; recipients found `calling` are reconciled as an attempt with unknown
result (`policy.reconcile`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from callcenter.clock import Clock
from callcenter.notify import policy
from callcenter.notify.campaign import Campaign
from callcenter.notify.policy import CallResult, EmailStatus, RecipientStatus, State
from callcenter.pbx import facts as f
from callcenter.store.repo_notify import NotifyRecipient, NotifyRepository

log = logging.getLogger(__name__)

CONTEXT = "cc-notify"
PROMPT_VARIABLE = "CC_NOTIFY_PROMPT"
ID_VARIABLE = "CC_NOTIFY_ID"
DELIVERED_EVENT = "NotifyDelivered"
NOT_CONNECTED_RETRY_S = 1.0
# Asterisk's OriginateResponse Reason (the last control frame) -> our result; -1 is our own
# "outcome unknown" (connection lost or no event in time).
_REASONS = {
    0: CallResult.FAILED,  # no such channel / unknown failure
    1: CallResult.NO_ANSWER,  # hung up while ringing (rejected)
    3: CallResult.NO_ANSWER,  # rang until the timeout
    5: CallResult.BUSY,
    8: CallResult.FAILED,  # congestion
    -1: CallResult.UNKNOWN,
}


class Originator(Protocol):
    @property
    def logged_in(self) -> bool: ...

    async def originate(
        self,
        *,
        channel: str,
        context: str,
        exten: str,
        priority: int = 1,
        variables: Mapping[str, str] | None = None,
        timeout_ms: int = 30_000,
        on_outcome: Callable[[f.OriginateOutcome], None] | None = None,
    ) -> Any: ...


class Mailer(Protocol):
    async def send(self, *, to: str, subject: str, text: str) -> None: ...


Speak = Callable[[str], Awaitable[str]]


@dataclass
class LiveCall:
    recipient_id: int
    attempt: int
    action_id: str = ""
    uniqueid: str = ""
    deadline: float | None = None  # once answered: give up waiting for the end after this


@dataclass(frozen=True)
class News:
    notify_id: str
    result: CallResult | None  # None: answered, the message is playing
    reason: int | None = None
    uniqueid: str = ""


class NotifyRunner:
    def __init__(
        self,
        *,
        repo: NotifyRepository,
        ami: Originator,
        clock: Clock,
        mailer: Mailer | None = None,
        speak: Speak | None = None,
        trunk: str = "citizen-trunk",
        message_limit_s: float = 300.0,
    ) -> None:
        self._repo = repo
        self._ami = ami
        self._clock = clock
        self._mailer = mailer
        self._speak = speak
        self._trunk = trunk
        self._message_limit_s = message_limit_s
        self._live: dict[str, LiveCall] = {}
        self._news: deque[News] = deque()
        self._news_arrived = asyncio.Event()

    # facts from AMI (the sink) --------------------------------------------------------------

    def on_fact(self, fact: f.Fact) -> None:
        if isinstance(fact, f.UserEventReceived) and fact.name == DELIVERED_EVENT:
            notify_id = dict(fact.headers).get("Id", "")
            self._tell(News(notify_id, CallResult.DELIVERED, uniqueid=fact.uniqueid))
        elif isinstance(fact, f.ChannelHungUp):
            for notify_id, call in self._live.items():
                if call.uniqueid and call.uniqueid == fact.uniqueid:
                    self._tell(News(notify_id, CallResult.HUNG_UP, uniqueid=call.uniqueid))
        elif isinstance(fact, f.AmiDisconnected):
            for notify_id, call in self._live.items():
                if call.uniqueid:  # answered calls: their end can no longer be learnt
                    self._tell(News(notify_id, CallResult.UNKNOWN, uniqueid=call.uniqueid))

    def _on_outcome(self, notify_id: str, outcome: f.OriginateOutcome) -> None:
        if outcome.ok:
            self._tell(News(notify_id, None, outcome.reason, outcome.uniqueid))
        else:
            result = _REASONS.get(outcome.reason, CallResult.FAILED)
            self._tell(News(notify_id, result, outcome.reason))

    # the loop --------------------------------------------------------------------------------

    async def run(self, campaign: Campaign) -> None:
        """Until every recipient is in a final state (and every e-mail sent or given up)."""
        await self._reconcile(campaign)
        while True:
            await self._drain(campaign)
            recipients = await self._repo.recipients(campaign.name)
            statuses = [status_of(r) for r in recipients]
            if policy.finished(statuses) and not self._live:
                return
            now = self._clock.now()
            starts = await self._repo.recent_starts(campaign.name, now - policy.RATE_WINDOW_S)
            if await self._act(campaign, recipients, statuses, starts, now):
                continue
            wake = policy.next_wake(campaign.rules, statuses, starts, now)
            if not self._ami.logged_in and wake is not None:
                wake = max(wake, now + NOT_CONNECTED_RETRY_S)
            await self._wait(self._earliest(wake))

    async def _reconcile(self, campaign: Campaign) -> None:
        now = self._clock.now()
        for r in await self._repo.recipients(campaign.name):
            if r.email_status == EmailStatus.PENDING and self._mailer is None:
                r = replace(r, email_status=EmailStatus.FAILED, email_error="SMTP не настроен")
                await self._repo.save_email_status(r)
            if r.state == State.CALLING:
                new = policy.reconcile(campaign.rules, status_of(r), now)
                log.warning(
                    "notify %s #%d: was being called when we stopped; result unknown",
                    campaign.name,
                    r.position,
                )
                await self._repo.call_ended(
                    with_status(r, new, CallResult.UNKNOWN), at=now, result=CallResult.UNKNOWN
                )

    async def _act(
        self,
        campaign: Campaign,
        recipients: list[NotifyRecipient],
        statuses: list[RecipientStatus],
        starts: list[float],
        now: float,
    ) -> bool:
        by_id = {r.id: r for r in recipients}
        acted = False
        if self._ami.logged_in:
            for rid in policy.calls_to_start(campaign.rules, statuses, starts, now):
                await self._start_call(campaign, by_id[rid], now)
                acted = True
        if self._mailer is not None:
            for rid in policy.emails_to_send(statuses, now):
                await self._send_email(campaign, by_id[rid])
                acted = True
        return acted

    def _earliest(self, wake: float | None) -> float | None:
        deadlines = [c.deadline for c in self._live.values() if c.deadline is not None]
        moments = [t for t in (wake, *deadlines) if t is not None]
        return min(moments) if moments else None

    def _tell(self, news: News) -> None:
        self._news.append(news)
        self._news_arrived.set()

    async def _wait(self, until: float | None) -> None:
        if self._news:
            return
        self._news_arrived.clear()
        waits: set[asyncio.Future[Any]] = {asyncio.ensure_future(self._news_arrived.wait())}
        if until is not None:
            waits.add(asyncio.ensure_future(self._clock.sleep(until - self._clock.now())))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()

    # calls -----------------------------------------------------------------------------------

    async def _start_call(self, campaign: Campaign, r: NotifyRecipient, now: float) -> None:
        assert r.number is not None  # the policy never picks an invalid number
        started = policy.call_started(status_of(r))
        notify_id = f"{r.id}-{started.attempts}"
        prompt = await self._prompt(campaign, r.text)
        self._live[notify_id] = LiveCall(r.id, started.attempts)
        await self._repo.call_started(with_status(r, started, None), now, notify_id)
        result = await self._ami.originate(
            channel=f"PJSIP/{r.number.lstrip('+')}@{self._trunk}",
            context=CONTEXT,
            exten="s",
            priority=1,
            variables={PROMPT_VARIABLE: prompt, ID_VARIABLE: notify_id},
            timeout_ms=int(campaign.ring_timeout_s * 1000),
            on_outcome=lambda outcome: self._on_outcome(notify_id, outcome),
        )
        if not result.ok:
            log.warning(
                "notify %s: originate to %s refused: %s", campaign.name, r.number, result.message
            )
            self._tell(News(notify_id, CallResult.FAILED))

    async def _prompt(self, campaign: Campaign, text: str) -> str:
        if self._speak is None:
            return campaign.prompt
        try:
            return await self._speak(text)
        except Exception:  # a prompt we cannot build must not stop the campaign
            log.exception(
                "notify %s: prompt synthesis failed; using %s", campaign.name, campaign.prompt
            )
            return campaign.prompt

    async def _drain(self, campaign: Campaign) -> None:
        now = self._clock.now()
        for notify_id, call in list(self._live.items()):
            if call.deadline is not None and call.deadline <= now:
                self._tell(News(notify_id, CallResult.UNKNOWN, uniqueid=call.uniqueid))
                call.deadline = None
        while self._news:
            await self._apply(campaign, self._news.popleft())

    async def _apply(self, campaign: Campaign, news: News) -> None:
        call = self._live.get(news.notify_id)
        if call is None:
            await self._late(campaign, news)
            return
        if news.result is None:  # answered: wait for the end of the message
            call.uniqueid = news.uniqueid
            call.deadline = self._clock.now() + self._message_limit_s
            return
        del self._live[news.notify_id]
        await self._finish(campaign, call.recipient_id, news, call.uniqueid or news.uniqueid)

    async def _finish(
        self, campaign: Campaign, recipient_id: int, news: News, uniqueid: str
    ) -> None:
        assert news.result is not None
        r = await self._repo.recipient(recipient_id)
        if r is None:
            return
        now = self._clock.now()
        new = policy.call_ended(campaign.rules, status_of(r), news.result, now)
        log.info(
            "notify %s #%d %s: %s -> %s",
            campaign.name,
            r.position,
            r.number,
            news.result,
            new.state,
        )
        await self._repo.call_ended(
            with_status(r, new, news.result),
            at=now,
            result=news.result,
            reason=news.reason,
            uniqueid=uniqueid or None,
        )

    async def _late(self, campaign: Campaign, news: News) -> None:
        """A delivery confirmed after we gave up on the call (e.g. across a restart): the
        citizen did hear the message, so the recipient is delivered after all."""
        if news.result is not CallResult.DELIVERED:
            return
        rid, _, attempt = news.notify_id.partition("-")
        if not (rid.isdigit() and attempt.isdigit()):
            return
        r = await self._repo.recipient(int(rid))
        if r is not None and r.attempts == int(attempt) and r.state != State.DELIVERED:
            log.info("notify %s #%d: delivered after all (late event)", campaign.name, r.position)
            delivered = replace(r, state=State.DELIVERED, last_result=CallResult.DELIVERED)
            await self._repo.save_call_status(delivered)

    # e-mail ----------------------------------------------------------------------------------

    async def _send_email(self, campaign: Campaign, r: NotifyRecipient) -> None:
        assert self._mailer is not None
        assert r.email is not None
        error = None
        try:
            await self._mailer.send(to=r.email, subject=campaign.email_subject, text=r.text)
        except Exception as exc:  # smtplib and socket errors alike: recorded, retried
            error = f"{type(exc).__name__}: {exc}"
            log.warning("notify %s: e-mail to %s failed: %s", campaign.name, r.email, error)
        now = self._clock.now()
        new = policy.email_ended(campaign.rules, status_of(r), error is None, now)
        await self._repo.save_email_status(
            replace(
                r,
                email_status=new.email,
                email_attempts=new.email_attempts,
                email_next_at=new.email_next_at,
                email_error=error,
                emailed_at=now if error is None else r.emailed_at,
            )
        )


def status_of(r: NotifyRecipient) -> RecipientStatus:
    return RecipientStatus(
        id=r.id,
        state=State(r.state),
        attempts=r.attempts,
        next_at=r.next_at,
        email=EmailStatus(r.email_status),
        email_attempts=r.email_attempts,
        email_next_at=r.email_next_at,
    )


def with_status(
    r: NotifyRecipient, s: RecipientStatus, result: CallResult | None
) -> NotifyRecipient:
    return replace(
        r,
        state=s.state,
        attempts=s.attempts,
        next_at=s.next_at,
        last_result=r.last_result if result is None else result,
    )
