"""Receiving side of a handoff: loop and hop checks, admission, and the tokens we issued.

Order of checks (the first that fails gives the refusal reason): our own id among the hops or as
the origin -> `loop`; as many hops as allowed already -> `hop_limit`; our capacity says we are not
accepting -> `not_accepting`; then the pluggable `AdmissionPolicy` (e.g. `near_limit`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from callcenter.federation.messages import HandoffDecision, HandoffRequest, LocalCapacity
from callcenter.federation.stats import FederationStats

AdmissionPolicy = Callable[[HandoffRequest, float], str | None]
"""(request, now) -> None to admit, or a refusal reason such as "near_limit"."""

CapacityProvider = Callable[[float], LocalCapacity]
"""(now) -> our own live figures, as we publish them to partners."""

V = TypeVar("V")


class BoundedRegistry(Generic[V]):
    """Token -> value, forgetting entries older than `ttl_s` and the oldest beyond `max_size`."""

    def __init__(self, *, ttl_s: float, max_size: int) -> None:
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._ttl = ttl_s
        self._max = max_size

    def __len__(self) -> int:
        return len(self._items)

    def put(self, key: str, value: V, now: float) -> None:
        self._expire(now)
        self._items[key] = (now, value)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def get(self, key: str, now: float) -> V | None:
        self._expire(now)
        item = self._items.get(key)
        return None if item is None else item[1]

    def pop(self, key: str, now: float) -> V | None:
        self._expire(now)
        item = self._items.pop(key, None)
        return None if item is None else item[1]

    def _expire(self, now: float) -> None:
        while self._items:
            key, (added, _) = next(iter(self._items.items()))
            if now - added <= self._ttl:
                return
            del self._items[key]


@dataclass(frozen=True, slots=True)
class InboundHandoff:
    """A call a partner handed to us: the context to show our operator."""

    token: str
    partner_id: str
    request: HandoffRequest
    accepted_at: float

    @property
    def hops_after(self) -> tuple[str, ...]:
        """Hops to send on if we overflow this call again."""
        return (*self.request.hops, self.partner_id)


class HandoffReceiver:
    def __init__(
        self,
        *,
        center_id: str,
        max_hops: int,
        capacity: CapacityProvider,
        admission: AdmissionPolicy,
        stats: FederationStats,
        token_factory: Callable[[], str],
        ttl_s: float = 7200.0,
        max_pending: int = 10_000,
    ) -> None:
        self._center_id = center_id
        self._max_hops = max_hops
        self._capacity = capacity
        self._admission = admission
        self._stats = stats
        self._token = token_factory
        self.handoffs: BoundedRegistry[InboundHandoff] = BoundedRegistry(
            ttl_s=ttl_s, max_size=max_pending
        )

    def refusal(self, request: HandoffRequest, now: float) -> str | None:
        if self._center_id in request.hops or request.origin_center == self._center_id:
            return "loop"
        if len(request.hops) >= self._max_hops:
            return "hop_limit"
        if not self._capacity(now).accepting:
            return "not_accepting"
        return self._admission(request, now)

    def decide(self, partner_id: str, request: HandoffRequest, now: float) -> HandoffDecision:
        self._stats.offered("in", partner_id)
        reason = self.refusal(request, now)
        if reason is not None:
            self._stats.refused("in", partner_id, reason)
            return HandoffDecision(accepted=False, reason=reason)
        token = self._token()
        self.handoffs.put(token, InboundHandoff(token, partner_id, request, now), now)
        self._stats.accepted("in", partner_id)
        return HandoffDecision(accepted=True, token=token)
