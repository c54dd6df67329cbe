"""Receiving side: loop, hop limit, not accepting, admission policy; tokens and their expiry."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from callcenter.federation import HandoffRequest, LocalCapacity
from callcenter.federation.receiver import BoundedRegistry, HandoffReceiver
from callcenter.federation.stats import FederationStats

T0 = 1_790_000_000.0


def req(**changes: Any) -> HandoffRequest:
    base: dict[str, Any] = {
        "call_ref": "c1",
        "caller_number": "+79160000000",
        "topic": "pension",
        "origin_center": "center-a",
    }
    return HandoffRequest(**{**base, **changes})


def receiver(
    *, accepting: bool = True, admission: str | None = None, max_hops: int = 2
) -> tuple[HandoffReceiver, FederationStats]:
    stats = FederationStats()
    counter = itertools.count(1)
    r = HandoffReceiver(
        center_id="center-b",
        max_hops=max_hops,
        capacity=lambda _now: LocalCapacity(accepting, 1, 5.0),
        admission=lambda _req, _now: admission,
        stats=stats,
        token_factory=lambda: f"tok-{next(counter)}",
        ttl_s=600,
    )
    return r, stats


@pytest.mark.parametrize(
    ("request_", "kwargs", "reason"),
    [
        (req(hops=("center-b",)), {}, "loop"),
        (req(hops=("center-x", "center-b")), {"accepting": False}, "loop"),
        (req(origin_center="center-b"), {}, "loop"),
        (req(hops=("center-x", "center-y")), {}, "hop_limit"),
        (req(hops=("center-x",)), {"max_hops": 1}, "hop_limit"),
        (req(), {"accepting": False, "admission": "near_limit"}, "not_accepting"),
        (req(), {"admission": "near_limit"}, "near_limit"),
        (req(hops=("center-x",)), {}, None),
        (req(), {}, None),
    ],
)
def test_refusal_order(
    request_: HandoffRequest, kwargs: dict[str, Any], reason: str | None
) -> None:
    r, _ = receiver(**kwargs)
    assert r.refusal(request_, T0) == reason


def test_accepting_issues_a_token_that_finds_the_context_until_it_expires() -> None:
    r, stats = receiver()
    decision = r.decide("center-a", req(hops=("center-x",)), T0)
    assert (decision.accepted, decision.token) == (True, "tok-1")
    inbound = r.handoffs.get("tok-1", T0 + 599)
    assert inbound is not None
    assert inbound.hops_after == ("center-x", "center-a")
    assert r.handoffs.get("tok-1", T0 + 601) is None
    assert stats.snapshot()["in"]["center-a"]["accepted"] == 1


def test_refusing_counts_the_reason_and_stores_nothing() -> None:
    r, stats = receiver(admission="near_limit")
    decision = r.decide("center-a", req(), T0)
    assert (decision.accepted, decision.reason, decision.token) == (False, "near_limit", None)
    assert len(r.handoffs) == 0
    counters = stats.snapshot()["in"]["center-a"]
    assert (counters["offered"], counters["accepted"], counters["refused"]) == (
        1,
        0,
        {"near_limit": 1},
    )


def test_bounded_registry_drops_the_oldest_beyond_its_size() -> None:
    reg: BoundedRegistry[int] = BoundedRegistry(ttl_s=100, max_size=2)
    for i in range(3):
        reg.put(f"k{i}", i, T0 + i)
    assert reg.get("k0", T0 + 3) is None
    assert (reg.get("k1", T0 + 3), reg.get("k2", T0 + 3)) == (1, 2)
    assert reg.pop("k1", T0 + 3) == 1
    assert reg.pop("k1", T0 + 3) is None
