"""Records what the engine saw and decided: call records, timelines, callbacks, audit.

The engine is synchronous, the database is not: each step's writes are queued in order and one
writer task performs them (`callcenter.runtime.record_writer`: call records and timelines are
committed in batches). A failed write is retried (the database may restart), so a record is
delayed, never dropped; every write is an idempotent upsert or keyed insert, so replaying the
same facts after an engine restart neither loses nor doubles a record. A new callback request
is written ahead of the queue (with the other requests pending at that moment, in one
transaction), and `stored(callback_id)` waits for that commit alone: the callback route awaits it
before it tells the caller that the callback is booked. `drain()` waits until everything queued
so far is committed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from callcenter.ivr.session import IvrSession
from callcenter.runtime import recorder_resync as resync
from callcenter.runtime.claims import ActionClaims, SingleNodeClaims
from callcenter.runtime.engine_runner import Batch
from callcenter.runtime.record_writer import RecordWriter, Write
from callcenter.store.records import (
    CallbackAttempt,
    CallEvent,
    CallRecord,
    NewCallback,
    SurveyAnswer,
)
from callcenter.store.repositories import Store
from queue_engine import commands as c
from queue_engine import events as e
from queue_engine import messages as m
from queue_engine.model.calls import CallOutcome
from queue_engine.model.schedule import Mode

log = logging.getLogger(__name__)

SURVEY_MENU = "survey"  # ivr_scripts/survey.yaml: its answers are the caller's ratings

OUTCOMES = {
    "answered": "answered",
    "abandoned": "abandoned",
    "overflowed": "overflowed",
    "callback_requested": "callback",
    "ivr_served": "ivr",
    "failed": "failed",
}
MODES = {Mode.DAY: "day", Mode.AUTOMATIC: "night", Mode.EMERGENCY: "emergency"}


class Recorder:
    def __init__(
        self,
        *,
        store: Store,
        mode_at: Callable[[float], Mode],
        callback_deadline_s: float,
        retry_s: float = 1.0,
    ) -> None:
        self._store = store
        self._mode_at = mode_at
        self._deadline_s = callback_deadline_s
        self._writer = RecordWriter(
            calls=store.calls, callbacks=store.callbacks, claim=self._claim, retry_s=retry_s
        )
        self._requested: dict[str, asyncio.Future[bool]] = {}  # callback id -> stored yet?
        self._answered_at: dict[str, float] = {}
        # Several engine nodes record the same facts: a timeline entry or an attempt is written
        # by the node that claims it (upserts of the call record are idempotent anyway).
        self.claims: ActionClaims = SingleNodeClaims()
        self._seen: Counter[tuple[str, str]] = Counter()
        self._offered_to: dict[str, str] = {}  # call id -> partner, while the handoff is open
        self._adopted_talking: set[str] = set()  # taken over while talking; answer on record

    # the sink --------------------------------------------------------------------------------

    def __call__(self, batch: Batch) -> None:
        if batch.message is not None:
            self._message(batch.message, batch.at)
        for output in batch.outputs:
            self._output(output, batch.at)

    def _message(self, msg: m.Message, at: float) -> None:
        if isinstance(msg, m.CallArrived):
            arrived = at if msg.arrived_at is None else msg.arrived_at
            self._call(
                CallRecord(
                    id=msg.call_id,
                    caller_number=msg.caller or None,
                    arrived_at=arrived,
                    topic=msg.topic or None,
                    mode=MODES[self._mode_at(arrived)],
                    hops=msg.hops,
                    origin_center=msg.origin or None,
                    overflow_direction="in" if msg.hops else None,
                )
            )
            self._event(msg.call_id, arrived, "arrived", caller=msg.caller, topic=msg.topic)
        elif isinstance(msg, m.CallAnswered):
            self._answered_at[msg.call_id] = at
            self._call(CallRecord(id=msg.call_id, answered_at=at, operator_id=msg.operator_id))
            self._event(msg.call_id, at, "answered", operator=msg.operator_id)
        elif isinstance(msg, m.CallEnded) and msg.call_id in self._answered_at:
            talk = at - self._answered_at.pop(msg.call_id)
            self._call(CallRecord(id=msg.call_id, ended_at=at, talk_s=round(talk, 3)))
            self._event(msg.call_id, at, "ended", talk_s=round(talk, 3))
        elif isinstance(msg, m.CallEnded) and msg.call_id in self._adopted_talking:
            self._adopted_talking.discard(msg.call_id)
            self._write(partial(resync.finish_adopted, self._store, msg.call_id, at))
        elif isinstance(msg, m.CallAdopted):
            if msg.operator_id:
                self._adopted_talking.add(msg.call_id)
            mode = MODES[self._mode_at(msg.arrived_at)]
            self._write(partial(resync.adopt, self._store, msg, at, mode))

    def resynced(self, alive: set[str], at: float) -> None:
        """After a resync: close the records of calls that ended while nobody watched."""

        async def close() -> None:
            closed = await resync.close_unobserved(self._store, alive, at)
            if closed:
                shown = ", ".join(closed[:10]) + (", ..." if len(closed) > 10 else "")
                log.warning("%d calls ended while the engine was away: %s", len(closed), shown)

        self._write(close)

    def _output(self, out: object, at: float) -> None:
        handler = _HANDLERS.get(type(out))
        if handler is not None:
            handler(self, out, at)

    def _queued(self, ev: e.CallQueued, at: float) -> None:
        self._call(CallRecord(id=ev.call_id, queue=ev.queue, entered_queue_at=at))
        self._event(
            ev.call_id, at, "queued", queue=ev.queue, priority=ev.priority,
            predicted_wait_s=ev.predicted_wait_s,
        )  # fmt: skip

    def _completed(self, ev: e.CallCompleted, at: float) -> None:
        outcome = OUTCOMES[ev.outcome.value]
        ended = None if outcome == "answered" else at
        partner = self._offered_to.pop(ev.call_id, None)
        record = CallRecord(id=ev.call_id, outcome=outcome, wait_s=ev.wait_s, ended_at=ended)
        if partner is not None and ev.outcome is CallOutcome.OVERFLOWED:
            record = dataclasses.replace(record, overflow_partner=partner, overflow_direction="out")
        self._call(record)
        self._event(ev.call_id, at, "completed", outcome=outcome, wait_s=ev.wait_s)

    def _guard(self, ev: e.GuardTriggered, at: float) -> None:
        self._event(
            ev.call_id,
            at,
            "guard",
            action=ev.action,
            waited_s=ev.waited_s,
            predicted_wait_s=ev.predicted_wait_s,
        )

    def _breach(self, ev: e.SlaBreached, at: float) -> None:
        self._event(
            ev.call_id, at, "breach", queue=ev.queue, waited_s=ev.waited_s, reason=ev.reason
        )

    def _overflow(self, cmd: c.OverflowCall, at: float) -> None:
        # The partner is written on the record only once it accepts (CallCompleted: overflowed).
        self._offered_to[cmd.call_id] = cmd.partner
        self._event(cmd.call_id, at, "overflow", partner=cmd.partner, hops=cmd.hops)

    def _overflow_failed(self, ev: e.OverflowFailed, at: float) -> None:
        self._offered_to.pop(ev.call_id, None)
        self._event(ev.call_id, at, "overflow_refused", partner=ev.partner, reason=ev.reason)

    def partner_outcome(
        self, call_id: str, partner: str, outcome: str, wait_s: float, at: float
    ) -> None:
        """What the partner reported of a call we overflowed to it."""
        self._call(CallRecord(id=call_id, partner_outcome=outcome, partner_wait_s=wait_s))
        self._event(call_id, at, "partner_outcome", partner=partner, outcome=outcome, wait_s=wait_s)

    def overflow_sender(self, call_id: str, partner: str) -> None:
        """The partner that handed this call to us (the origin may be further back)."""
        self._call(CallRecord(id=call_id, overflow_partner=partner, overflow_direction="in"))

    def _offer(self, cmd: c.OfferCallback, at: float) -> None:
        self._event(cmd.call_id, at, "callback_offer", number=cmd.number)

    def ivr_session(self, call_id: str, session: IvrSession, at: float) -> None:
        """One IVR run: in the timeline with what was heard; the survey's answers stored."""
        phrases = [
            {"node": p.node, "text": p.text, "phrase": p.phrase, "confidence": p.confidence}
            for p in session.phrases
        ]
        path = [{"node": s.node, "input": s.input, "via": s.via} for s in session.path]
        self._event(
            call_id, at, "ivr", menu=session.menu, outcome=session.outcome, path=path,
            phrases=phrases,
        )  # fmt: skip
        if session.menu != SURVEY_MENU:
            self._call(CallRecord(id=call_id, ivr_path=tuple(session.node_ids)))
            return
        for question, answer in sorted(session.answers.items()):
            stored = SurveyAnswer(call_id=call_id, question=question, answer=answer, at=at)
            key = f"survey:{call_id}:{question}"
            self._writer.put(partial(self._store.calls.record_survey, stored), claim=key)
        rating = session.answers.get("rating", "")
        if rating.isdigit():
            self._call(CallRecord(id=call_id, survey_rating=int(rating)))

    def _callback_requested(self, ev: e.CallbackRequested, at: float) -> None:
        new = NewCallback(
            id=ev.callback_id,
            number=ev.number,
            requested_at=at,
            deadline=ev.deadline,
            not_before=max(at, ev.deadline - self._deadline_s),
            source_call_id=ev.call_id,
        )
        stored = self._writer.put_callback(new)
        self._requested[ev.callback_id] = stored
        stored.add_done_callback(lambda _: self._requested.pop(ev.callback_id, None))
        self._event(ev.call_id, at, "callback_requested", callback_id=ev.callback_id)

    def _callback_attempted(self, ev: e.CallbackAttempted, at: float) -> None:
        attempt = CallbackAttempt(
            ev.callback_id, started_at=at, result=ev.result, ended_at=at,
            operator_id=ev.operator_id or None,
        )  # fmt: skip
        key = f"attempt:{ev.callback_id}:{ev.attempt}"
        self._writer.put(lambda: self._store.callbacks.record_attempt(attempt), claim=key)

    def _callback_completed(self, ev: e.CallbackCompleted, at: float) -> None:
        status = "done" if ev.outcome == "served" else "failed"
        outcome = "on_time" if ev.on_time else f"late:{ev.late_reason}"
        self._write(lambda: self._store.callbacks.mark_outcome(ev.callback_id, status, outcome))

    # The supervisor's API audits its own actions under the person's name, and a restart only
    # replays them: an entry here for those would say the same thing twice.
    _AUDITED_ELSEWHERE = ("supervisor", "restore")

    def _mode(self, ev: e.ModeChanged, at: float) -> None:
        if ev.by in self._AUDITED_ELSEWHERE:
            return
        details = {"mode": ev.mode.value}
        self._write(lambda: self._store.audit.append(ev.by or "engine", "mode_changed", details))

    def _limit(self, ev: e.QueueLimitUpdated, at: float) -> None:
        if ev.by in self._AUDITED_ELSEWHERE:
            return
        details = {"queue": ev.queue, "limit_s": ev.limit_s}
        self._write(lambda: self._store.audit.append(ev.by or "engine", "queue_limit", details))

    # writing ---------------------------------------------------------------------------------

    def _call(self, record: CallRecord) -> None:
        self._writer.put(record)

    def _event(self, call_id: str, at: float, kind: str, **details: Any) -> None:
        event = CallEvent(call_id=call_id, at=at, kind=kind, details=details)
        self._seen[(call_id, kind)] += 1
        self._writer.put(event, claim=f"event:{call_id}:{kind}:{self._seen[(call_id, kind)]}")

    def _claim(self, key: str) -> Awaitable[bool]:
        return self.claims.claim(key)  # bootstrap may replace the claims after construction

    def _write(self, write: Write) -> None:
        self._writer.put(write)

    async def run(self) -> None:
        """The writer task: performs queued writes in order, retrying each until it succeeds."""
        await self._writer.run()

    async def stored(self, callback_id: str) -> None:
        """Until this callback request (made by the engine just now) is in the database; later
        and earlier writes are not waited for. Raises CallbackNotStored if it was refused."""
        pending = self._requested.get(callback_id)
        if pending is not None and not await asyncio.shield(pending):
            raise CallbackNotStored(callback_id)

    async def drain(self) -> None:
        await self._writer.drain()

    @property
    def backlog(self) -> int:
        return self._writer.backlog


class CallbackNotStored(RuntimeError):
    """The database refused a callback request: the caller must not hear it confirmed."""


_HANDLERS: dict[type, Callable[[Recorder, Any, float], None]] = {
    e.CallQueued: Recorder._queued,
    e.CallCompleted: Recorder._completed,
    e.GuardTriggered: Recorder._guard,
    e.SlaBreached: Recorder._breach,
    e.OverflowFailed: Recorder._overflow_failed,
    c.OverflowCall: Recorder._overflow,
    c.OfferCallback: Recorder._offer,
    e.CallbackRequested: Recorder._callback_requested,
    e.CallbackAttempted: Recorder._callback_attempted,
    e.CallbackCompleted: Recorder._callback_completed,
    e.ModeChanged: Recorder._mode,
    e.QueueLimitUpdated: Recorder._limit,
}
