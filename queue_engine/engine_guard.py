"""Engine service for the 40-second guard: predict, act in time, record breaches."""

from __future__ import annotations

import dataclasses

from queue_engine import messages as m
from queue_engine.commands import Command, OfferCallback, OverflowCall
from queue_engine.engine_state import EngineState
from queue_engine.events import (
    CallCompleted,
    Event,
    GuardTriggered,
    OverflowFailed,
    QueueLimitUpdated,
    SlaBreached,
)
from queue_engine.model.calls import Call, CallOutcome, CallStage
from queue_engine.model.partners import Partner
from queue_engine.policies.guard import act_time, is_breach, must_act
from queue_engine.policies.overflow import choose_partner

Output = Command | Event


class GuardService:
    def __init__(self, state: EngineState) -> None:
        self.state = state

    def check_call(self, call: Call, predicted: float, now: float) -> list[Output]:
        """Act for one waiting caller if the prediction (or the clock) says so."""
        qconf = self.state.queue(call.queue).config
        waited = call.waited(now)
        if not self.state.config.predictive_guard:
            predicted = 0.0
        out: list[Output] = []
        if call.way_out_at is None and must_act(qconf, waited, predicted):
            out.extend(self._act(call, waited, predicted, now))
        offered = call.way_out_at is not None
        queued = call.stage is CallStage.QUEUED
        if queued and not call.breached and is_breach(qconf, waited, offered):
            call.breached = True
            out.append(SlaBreached(call.call_id, call.queue, waited, self._reason()))
        return out

    def check_all(self, now: float) -> list[Output]:
        out: list[Output] = []
        for queue in self.state.queues.values():
            if not queue.waiting:
                continue
            waits = self.state.line_waits(queue)
            for call, predicted in zip(list(queue.waiting), waits, strict=False):
                if call.way_out_at is None:
                    out.extend(self.check_call(call, predicted, now))
        return out

    def next_wakeup(self, now: float) -> float | None:
        """Re-check unhelped callers every few seconds, and exactly at their hard timers."""
        best: float | None = None
        step = now + self.state.config.reevaluate_s
        for queue in self.state.queues.values():
            for call in queue.waiting:
                if call.way_out_at is not None:
                    continue
                t = step
                t_act = act_time(queue.config, call.joined_at)
                if t_act > now:
                    t = min(t, t_act)
                t_limit = call.joined_at + queue.config.limit_s
                if not call.breached and t_limit > now:
                    t = min(t, t_limit)
                best = t if best is None else min(best, t)
        return best

    def _act(self, call: Call, waited: float, predicted: float, now: float) -> list[Output]:
        config = self.state.config
        budget = self.state.queue(call.queue).config.limit_s - waited
        partner = choose_partner(
            self.state.partners.values(),
            config.overflow,
            now,
            call.hops,
            budget,
            topic=call.topic,
            recent_sent=self.state.recent_overflow(now),
            origin=call.origin,
        )
        if partner is not None:
            return self._overflow(call, partner, waited, predicted, now)
        if config.callbacks.enabled:  # a withheld number is asked for when the offer is taken
            call.way_out_at, call.offer_pending = now, True
            return [
                GuardTriggered(call.call_id, waited, predicted, "callback_offer"),
                OfferCallback(call.call_id, call.caller),
            ]
        return []

    def _overflow(
        self, call: Call, partner: Partner, waited: float, predicted: float, now: float
    ) -> list[Output]:
        # The caller keeps their place until the partner accepts (OverflowAccepted); a refusal
        # (OverflowRefused) sends them on to the next way out.
        call.way_out_at, call.handoff_to = now, partner.name
        self.state.overflow_sent.setdefault(partner.name, []).append(now)
        # The partner will soon be busier than it said: count the call against it until it speaks.
        self.state.partners[partner.name] = dataclasses.replace(
            partner, free_operators=partner.free_operators - 1
        )
        return [
            GuardTriggered(call.call_id, waited, predicted, "overflow"),
            OverflowCall(call.call_id, partner.name, call.hops + 1, call.topic),
        ]

    def overflow_accepted(self, msg: m.OverflowAccepted, now: float) -> list[Output]:
        call = self.state.calls.get(msg.call_id)
        if call is None or not call.handoff_to or call.stage is not CallStage.QUEUED:
            return []  # answered or gone meanwhile: nothing leaves for the partner
        waited = call.waited(now)
        self.state.leave_queue(call, now)
        call.outcome = CallOutcome.OVERFLOWED
        self.state.calls.pop(call.call_id, None)
        return [CallCompleted(call.call_id, CallOutcome.OVERFLOWED, waited, call.queue)]

    def overflow_refused(self, msg: m.OverflowRefused, now: float) -> list[Output]:
        call = self.state.calls.get(msg.call_id)
        if call is None or not call.handoff_to:
            return []
        partner = self.state.partners.get(call.handoff_to)
        if partner is not None:  # not chosen again until it reports that it accepts
            self.state.partners[partner.name] = dataclasses.replace(partner, accepting=False)
        call.handoff_to, call.way_out_at = "", None
        out: list[Output] = [
            OverflowFailed(call.call_id, partner.name if partner else "", msg.reason)
        ]
        if call.stage is CallStage.QUEUED:
            queue = self.state.queue(call.queue)
            position = queue.waiting.index(call) + 1 if call in queue.waiting else 1
            out.extend(self.check_call(call, self.state.predict(queue, position), now))
        return out

    def _reason(self) -> str:
        config = self.state.config
        if not config.callbacks.enabled:
            return "no_partner_callbacks_disabled"
        return "guard_late"

    def partner_update(self, msg: m.PartnerCapacityUpdated, now: float) -> list[Output]:
        self.state.partners[msg.partner] = Partner(
            msg.partner,
            msg.predicted_wait_s,
            msg.free_operators,
            msg.accepting,
            now,
            msg.max_hops,
            msg.priority,
            msg.topic_waits,
        )
        return []

    def limit_changed(self, msg: m.QueueLimitChanged, now: float) -> list[Output]:
        queue = self.state.queue(msg.queue)
        margin = min(queue.config.act_margin_s, msg.limit_s * 0.3)
        queue.config = dataclasses.replace(queue.config, limit_s=msg.limit_s, act_margin_s=margin)
        return [QueueLimitUpdated(msg.queue, msg.limit_s, msg.by)]
