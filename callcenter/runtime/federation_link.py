"""Connects the engine to partner centers (`callcenter.federation`).

Out: the engine's `OverflowCall` becomes a signed handoff offer; when the partner accepts, the
executor redirects the caller to the trunk with the context in SIP headers. In: our capacity is
published from the engine's live picture, an offer is refused when we are near our own limit, and
an overflow call arriving on the trunk is introduced to the engine with its hops and origin.
Partners' figures reach the engine as `PartnerCapacityUpdated`; a stale partner is unusable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from callcenter.federation import (
    Federation,
    HandoffOutcome,
    HandoffRequest,
    LocalCapacity,
    OutboundHandoff,
    PartnerCapacity,
    SipContext,
    SipHeaderError,
)
from callcenter.runtime.executor import Handoff
from callcenter.runtime.live_runtime import LiveRuntime
from callcenter.web.workplace_model import Arrival
from queue_engine import commands as c
from queue_engine import events as ev
from queue_engine import messages as m

log = logging.getLogger(__name__)

SIP_HEADERS = ("X-CC-Context", "X-CC-Handoff", "X-CC-Hops")
# Refuse partners' calls when a newcomer would wait more than this share of our limit.
ADMIT_SHARE = 0.6
# Our menus and operators speak Russian; a call passed on keeps the language it came with.
DEFAULT_LANGUAGE = "ru"


class FederationLink:
    def __init__(
        self,
        runtime: LiveRuntime,
        *,
        center_id: str,
        max_hops: int,
        on_overflow: Callable[[str, str], None] | None = None,
        on_inbound: Callable[[str, Arrival], None] | None = None,
        on_handed_over_outcome: Callable[[str, str, str, float], None] | None = None,
    ) -> None:
        self.rt = runtime
        self.center_id = center_id
        self.max_hops = max_hops
        self.federation: Federation | None = None
        self.inbound: dict[str, SipContext] = {}  # call id -> context it came with
        # (partner, "out" | "in") for each call handed over, e.g. to the Prometheus counter.
        self._on_overflow = on_overflow or (lambda _partner, _direction: None)
        # (call id, how it came) for the operator's screen pop.
        self._on_inbound = on_inbound or (lambda _call_id, _arrival: None)
        # (partner, direction, outcome, wait) of each handed-over call once its fate is known.
        self._on_handed_over_outcome = on_handed_over_outcome or (lambda *_args: None)

    def attach(self, federation: Federation) -> None:
        self.federation = federation
        self.rt.executor.overflow = self.offer
        self.rt.route_deps.decode_overflow = self.decode
        self.rt.partner_counts = self.counts
        self.rt.runner.add_sink(self._report_outcomes)

    def counts(self, partner: str) -> tuple[int, int]:
        """Calls (sent to, received from) a partner since start."""
        if self.federation is None:
            return (0, 0)
        stats = self.federation.stats()
        return (_accepted(stats["out"], partner), _accepted(stats["in"], partner))

    # our side, published ----------------------------------------------------------------------

    def capacity(self, now: float) -> LocalCapacity:
        state = self.rt.engine.state
        config = self.rt.engine.config
        predicted = self._newcomer_wait(config.queues[0].name)
        # Topics routed to queues of their own get that queue's wait; the rest share the default.
        topics = {topic: round(self._newcomer_wait(q), 1) for topic, q in config.topic_queues}
        free = sum(state.operators.free.values())
        return LocalCapacity(
            accepting=self.admission_reason(predicted) is None,
            free_operators=free,
            predicted_wait_s=round(predicted, 1),
            topic_wait_s=topics,
        )

    def _newcomer_wait(self, queue_name: str) -> float:
        state = self.rt.engine.state
        queue = state.queue(queue_name)
        return state.predict(queue, len(queue.waiting) + 1)

    def admission_reason(self, predicted_wait_s: float) -> str | None:
        limit = self.rt.queue_limit(self.rt.engine.config.queues[0].name)
        return "near_limit" if predicted_wait_s > limit * ADMIT_SHARE else None

    def admission(self, request: HandoffRequest, now: float) -> str | None:
        return self.admission_reason(self.capacity(now).predicted_wait_s)

    def on_update(self, capacity: PartnerCapacity) -> None:
        federation = self.federation
        refusal = federation.refusal(capacity.partner_id) if federation else None
        partner = federation.config.partners.get(capacity.partner_id) if federation else None
        self.rt.runner.feed(
            m.PartnerCapacityUpdated(
                partner=capacity.partner_id,
                predicted_wait_s=capacity.predicted_wait_s,
                free_operators=capacity.free_operators,
                accepting=capacity.available and refusal is None,
                max_hops=self.max_hops,
                priority=partner.priority if partner else 0,
                topic_waits=tuple(sorted(capacity.topic_wait_s.items())),
            )
        )

    # out ---------------------------------------------------------------------------------------

    def on_outcome(self, handoff: OutboundHandoff, outcome: HandoffOutcome) -> None:
        """The partner told us what became of a call we sent it: kept with the call."""
        self._on_handed_over_outcome(handoff.partner_id, "out", outcome.outcome, outcome.wait_s)
        self.rt.recorder.partner_outcome(
            handoff.request.call_ref,
            handoff.partner_id,
            outcome.outcome,
            outcome.wait_s,
            self.rt.clock.now(),
        )

    async def offer(self, cmd: c.OverflowCall, caller: str) -> Handoff:
        assert self.federation is not None
        previous = self.inbound.get(cmd.call_id)
        request = HandoffRequest(
            call_ref=cmd.call_id,
            caller_number=caller,
            topic=cmd.topic,
            origin_center=previous.request.origin_center if previous else self.center_id,
            # What the caller already chose in our menus (and, for a call that came to us from
            # another center, what they chose there) travels on to the partner's operator.
            ivr_choices=self.rt.ivr_choices.get(cmd.call_id, ())
            or (previous.request.ivr_choices if previous else ()),
            language=previous.request.language if previous else DEFAULT_LANGUAGE,
            history_ref=f"{self.center_id}:{cmd.call_id}",
            hops=previous.hops_after if previous else (),
        )
        result = await self.federation.offer_handoff(cmd.partner, request)
        if not result.accepted or result.trunk is None:
            return Handoff(False, reason=result.decision.reason or "refused")
        self._on_overflow(cmd.partner, "out")
        headers = result.sip_headers
        return Handoff(
            True,
            trunk=result.trunk.name,
            number=result.trunk.dial_number,
            context_header=headers.get("X-CC-Context", ""),
            token=headers.get("X-CC-Handoff", ""),
            hops=headers.get("X-CC-Hops", ""),
        )

    # in ----------------------------------------------------------------------------------------

    def decode(self, call_id: str, headers: Mapping[str, str]) -> tuple[str, int, str] | None:
        """(topic, hops, origin) of an overflow call arriving on a trunk, None if unusable."""
        if self.federation is None:
            return None
        try:
            context = self.federation.decode_sip(headers)
        except SipHeaderError as exc:
            log.warning("overflow call %s with bad context headers: %s", call_id, exc)
            return None
        self.inbound[call_id] = context
        request = context.request
        self.rt.recorder.overflow_sender(call_id, context.sender)
        self._on_overflow(context.sender, "in")
        self._on_inbound(call_id, arrival_of(context))
        return request.topic, len(context.hops_after), request.origin_center

    def _report_outcomes(self, batch: object) -> None:
        for output in getattr(batch, "outputs", ()):
            if isinstance(output, ev.CallCompleted) and output.call_id in self.inbound:
                context = self.inbound.pop(output.call_id)
                outcome = _OUTCOMES.get(output.outcome.value)
                if outcome is not None:
                    self._on_handed_over_outcome(context.sender, "in", outcome, output.wait_s)
                if outcome is not None and self.federation is not None:
                    self.rt.tasks.spawn(
                        self.federation.report_outcome(context.token, outcome, output.wait_s),
                        name="overflow-outcome",
                    )


def arrival_of(context: SipContext) -> Arrival:
    """What the receiving operator sees of the context the sending center sent along."""
    request = context.request
    shown = (
        ("Центр обращения", request.origin_center),
        ("Тема", request.topic),
        ("Выбор в меню", ", ".join(request.ivr_choices)),
        ("Язык", request.language),
        ("История звонков", request.history_ref or ""),
        ("Переходов между центрами", str(len(context.hops_after))),
    )
    return Arrival(
        "overflow",
        ivr_choices=request.ivr_choices,
        overflow_from=context.sender,
        overflow_context=tuple((label, value) for label, value in shown if value),
    )


def _accepted(per_partner: Mapping[str, Mapping[str, object]], partner: str) -> int:
    value = per_partner.get(partner, {}).get("accepted", 0)
    return value if isinstance(value, int) else 0


_OUTCOMES = {"answered": "answered", "abandoned": "abandoned", "callback_requested": "callback"}
