"""Sending side of a handoff: local limits, the offer to the partner, and its later outcome.

`offer()` never raises for a partner's trouble: a timeout or error answer becomes a refusal with
reason `unavailable`, so the engine simply falls back (callback offer, keep queueing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from callcenter.federation.client import FederationClient
from callcenter.federation.config import FederationConfig, Trunk
from callcenter.federation.errors import PartnerCallFailed, SipHeaderError, UnknownHandoff
from callcenter.federation.messages import HandoffDecision, HandoffOutcome, HandoffRequest
from callcenter.federation.rate_limit import PartnerRateLimiter
from callcenter.federation.receiver import BoundedRegistry
from callcenter.federation.sip_headers import encode_sip_headers
from callcenter.federation.stats import FederationStats

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboundHandoff:
    token: str
    partner_id: str
    request: HandoffRequest
    sent_at: float


@dataclass(frozen=True, slots=True)
class OfferResult:
    """The partner's answer; when accepted, where to dial and which SIP headers to set."""

    decision: HandoffDecision
    trunk: Trunk | None = None
    sip_headers: dict[str, str] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.decision.accepted


OnOutcome = Callable[[OutboundHandoff, HandoffOutcome], None]


class OverflowSender:
    def __init__(
        self,
        *,
        config: FederationConfig,
        client: FederationClient,
        stats: FederationStats,
        clock: Callable[[], float],
        on_outcome: OnOutcome | None = None,
        ttl_s: float = 7200.0,
        max_pending: int = 10_000,
    ) -> None:
        self._config = config
        self._client = client
        self._stats = stats
        self._clock = clock
        self._on_outcome = on_outcome
        self.limits = PartnerRateLimiter(
            {pid: p.limits for pid, p in config.partners.items()}, config.tz
        )
        self.handoffs: BoundedRegistry[OutboundHandoff] = BoundedRegistry(
            ttl_s=ttl_s, max_size=max_pending
        )

    def refusal(self, partner_id: str) -> str | None:
        """Local reason not to offer a call to this partner now (limits), or None."""
        if self._config.partner(partner_id) is None:
            return "unavailable"
        return self.limits.refusal(partner_id, self._clock())

    async def offer(self, partner_id: str, request: HandoffRequest) -> OfferResult:
        reason = self.refusal(partner_id)
        if reason is not None:
            self._stats.refused("out", partner_id, reason)
            return OfferResult(HandoffDecision(accepted=False, reason=reason))
        self.limits.record(partner_id, self._clock())
        self._stats.offered("out", partner_id)
        try:
            decision = await self._client.offer_handoff(partner_id, request)
        except PartnerCallFailed as exc:
            log.warning("handoff of %s to %s failed: %s", request.call_ref, partner_id, exc.reason)
            self._stats.error("out", partner_id)
            return OfferResult(HandoffDecision(accepted=False, reason="unavailable"))
        if not decision.accepted or decision.token is None:
            self._stats.refused("out", partner_id, decision.reason or "unknown")
            return OfferResult(decision)
        return self._accepted(partner_id, request, decision.token, decision)

    def _accepted(
        self, partner_id: str, request: HandoffRequest, token: str, decision: HandoffDecision
    ) -> OfferResult:
        partner = self._config.partners[partner_id]
        try:
            headers = encode_sip_headers(
                request,
                token=token,
                sender=self._config.center_id,
                secret=partner.secret,
                limit=self._config.context_header_limit,
            )
        except SipHeaderError as exc:
            log.warning("handoff of %s to %s: %s", request.call_ref, partner_id, exc)
            self._stats.error("out", partner_id)
            return OfferResult(HandoffDecision(accepted=False, reason="context_too_large"))
        now = self._clock()
        self.handoffs.put(token, OutboundHandoff(token, partner_id, request, now), now)
        self._stats.accepted("out", partner_id)
        return OfferResult(decision, trunk=partner.trunk, sip_headers=headers)

    def record_outcome(self, partner_id: str, outcome: HandoffOutcome) -> OutboundHandoff:
        """A partner reports what became of a call we handed to it."""
        now = self._clock()
        handoff = self.handoffs.get(outcome.token, now)
        if handoff is None or handoff.partner_id != partner_id:
            raise UnknownHandoff("unknown_handoff", "no handoff with this token for your center")
        self.handoffs.pop(outcome.token, now)
        self._stats.outcome("out", partner_id, outcome.outcome, outcome.wait_s)
        if self._on_outcome is not None:
            try:
                self._on_outcome(handoff, outcome)
            except Exception:
                log.exception("on_outcome failed for handoff %s", outcome.token)
        return handoff
