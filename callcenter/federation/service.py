"""`Federation`: the one object the application wires; it composes the adapter's parts.

- Publishing: `capacity_report()` from the injected `CapacityProvider`.
- Receiving: `authenticate()`, `receive_handoff()`, `receive_outcome()` (used by the routes),
  `inbound(token)` for the context of a call that arrived, `report_outcome()` back to the sender.
- Sending: `partners()` / `latest()` (from memory, never awaiting), `refusal()` for local limits,
  `offer_handoff()`.
- `start()` / `stop()` run the HTTP client and the poller; `stats()` returns the counters.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping

from callcenter.federation.client import FederationClient, new_nonce
from callcenter.federation.config import FederationConfig
from callcenter.federation.errors import PartnerCallFailed
from callcenter.federation.messages import (
    OUTCOMES,
    CapacityReport,
    HandoffDecision,
    HandoffOutcome,
    HandoffRequest,
    PartnerCapacity,
)
from callcenter.federation.poller import OnUpdate, PartnerPoller
from callcenter.federation.receiver import (
    AdmissionPolicy,
    CapacityProvider,
    HandoffReceiver,
    InboundHandoff,
)
from callcenter.federation.sender import OfferResult, OnOutcome, OutboundHandoff, OverflowSender
from callcenter.federation.signing import RequestVerifier, SignedRequest
from callcenter.federation.sip_headers import SipContext, decode_sip_headers
from callcenter.federation.stats import FederationStats

log = logging.getLogger(__name__)


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Federation:
    def __init__(
        self,
        *,
        config: FederationConfig,
        clock: Callable[[], float],
        capacity: CapacityProvider,
        admission: AdmissionPolicy,
        on_update: OnUpdate | None = None,
        on_outcome: OnOutcome | None = None,
        token_factory: Callable[[], str] = new_token,
        nonce_factory: Callable[[], str] = new_nonce,
    ) -> None:
        self.config = config
        self._clock = clock
        self._capacity = capacity
        self._stats = FederationStats()
        self.client = FederationClient(config=config, clock=clock, nonce_factory=nonce_factory)
        self.verifier = RequestVerifier(
            secrets={pid: p.secret for pid, p in config.partners.items()},
            clock=clock,
            window_s=config.timestamp_window_s,
            nonce_cache_size=config.nonce_cache_size,
        )
        self.poller = PartnerPoller(
            client=self.client,
            partner_ids=config.partners,
            clock=clock,
            interval_s=config.poll_interval_s,
            stale_after_s=config.stale_after_s,
            on_update=on_update,
        )
        self.receiver = HandoffReceiver(
            center_id=config.center_id,
            max_hops=config.max_hops,
            capacity=capacity,
            admission=admission,
            stats=self._stats,
            token_factory=token_factory,
        )
        self.sender = OverflowSender(
            config=config, client=self.client, stats=self._stats, clock=clock, on_outcome=on_outcome
        )

    async def start(self, *, poll: bool = True) -> None:
        await self.client.start()
        if poll:
            self.poller.start()

    async def stop(self) -> None:
        await self.poller.stop()
        await self.client.close()

    # publishing and receiving (called by the HTTP routes)

    def authenticate(self, request: SignedRequest) -> str:
        return self.verifier.verify(request)

    def capacity_report(self) -> CapacityReport:
        now = self._clock()
        own = self._capacity(now)
        return CapacityReport(
            center_id=self.config.center_id,
            generated_at=now,
            accepting=own.accepting,
            free_operators=own.free_operators,
            predicted_wait_s=own.predicted_wait_s,
            topic_wait_s=dict(own.topic_wait_s),
        )

    def receive_handoff(self, partner_id: str, request: HandoffRequest) -> HandoffDecision:
        decision = self.receiver.decide(partner_id, request, self._clock())
        log.info(
            "handoff %s from %s: %s",
            request.call_ref,
            partner_id,
            "accepted" if decision.accepted else f"refused ({decision.reason})",
        )
        return decision

    def receive_outcome(self, partner_id: str, outcome: HandoffOutcome) -> OutboundHandoff:
        return self.sender.record_outcome(partner_id, outcome)

    def inbound(self, token: str) -> InboundHandoff | None:
        """Context of a call a partner handed to us (by the X-CC-Handoff token)."""
        return self.receiver.handoffs.get(token, self._clock())

    def decode_sip(self, headers: Mapping[str, str]) -> SipContext:
        """Checks the SIP context headers of an arriving call; raises `SipHeaderError`."""

        def secret_for(center: str) -> bytes | None:
            partner = self.config.partner(center)
            return None if partner is None else partner.secret

        return decode_sip_headers(
            headers, secret_for=secret_for, limit=self.config.context_header_limit
        )

    async def report_outcome(self, token: str, outcome: str, wait_s: float) -> bool:
        """Tells the sending center what became of a call it handed to us.

        False if the token is unknown (or expired) or the partner could not be reached.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {outcome!r}")
        handoff = self.receiver.handoffs.pop(token, self._clock())
        if handoff is None:
            log.warning("outcome for unknown or expired inbound handoff %s dropped", token)
            return False
        self._stats.outcome("in", handoff.partner_id, outcome, wait_s)
        try:
            await self.client.send_outcome(
                handoff.partner_id, HandoffOutcome(token, outcome, wait_s)
            )
        except PartnerCallFailed as exc:
            log.warning("outcome of %s to %s not delivered: %s", token, exc.partner_id, exc.reason)
            return False
        return True

    # sending (called by the engine's runtime)

    def partners(self) -> list[PartnerCapacity]:
        return self.poller.snapshot()

    def latest(self, partner_id: str) -> PartnerCapacity | None:
        return self.poller.latest(partner_id)

    def refusal(self, partner_id: str) -> str | None:
        return self.sender.refusal(partner_id)

    async def offer_handoff(self, partner_id: str, request: HandoffRequest) -> OfferResult:
        return await self.sender.offer(partner_id, request)

    def stats(self) -> dict[str, dict[str, dict[str, object]]]:
        return self._stats.snapshot()
