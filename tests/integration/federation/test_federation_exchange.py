"""Two centers over real sockets: capacity publishing and polling, staleness, handoffs."""

from __future__ import annotations

import time

from federation_centers import (
    Center,
    bound_socket,
    call_request,
    close_center,
    start_center,
    wait_for,
)

from callcenter.federation import LocalCapacity


async def test_given_a_publishes_capacity_when_b_polls_then_b_sees_a_figures(
    two_centers: tuple[Center, Center],
) -> None:
    a, b = two_centers
    a.capacity = LocalCapacity(True, 4, 7.5, {"pension": 30.0, "housing": 5.0})
    cap = await b.fed.poller.poll_once("center-a")
    assert cap is not None
    assert (cap.partner_id, cap.free_operators, cap.accepting) == ("center-a", 4, True)
    assert cap.predicted_wait_s == 7.5
    assert cap.wait_for("pension") == 30.0
    assert cap.wait_for("unknown-topic") == 7.5
    assert not cap.stale
    assert cap.available
    assert abs(cap.received_at - time.time()) < 2
    assert b.updates[-1] == cap
    assert b.fed.latest("center-a") == cap


async def test_given_b_polls_a_when_a_stops_then_b_view_goes_stale_within_seconds(
    two_centers: tuple[Center, Center],
) -> None:
    a, b = two_centers
    b.fed.poller.start()
    await wait_for(lambda: b.fed.latest("center-a") is not None)
    a.capacity = LocalCapacity(False, 0, 99.0)
    await wait_for(lambda: b.updates[-1].accepting is False)
    await a.stop_server()
    stopped = time.monotonic()
    await wait_for(lambda: b.updates[-1].stale, limit_s=5.0)
    took = time.monotonic() - stopped
    view = b.fed.latest("center-a")
    assert view is not None
    assert view.stale
    assert not view.available
    assert b.fed.partners() == [view]
    # stale_after_s is 1.0 and polls every 0.1 s with a 0.5 s timeout.
    assert took < 2.5, took
    assert view.received_at <= b.clock() - 1.0
    assert await b.fed.report_outcome("no-such-token", "answered", 1.0) is False


async def test_given_b_accepting_when_a_hands_off_then_b_accepts_with_token_and_outcome_returns(
    two_centers: tuple[Center, Center],
) -> None:
    a, b = two_centers
    request = call_request(topic="Пенсии", caller_number="+79161234567")
    result = await a.fed.offer_handoff("center-b", request)
    assert result.accepted
    assert result.decision.token
    token = result.decision.token
    assert result.trunk is not None
    assert result.trunk.name == "trunk-center-b"
    assert result.sip_headers["X-CC-Handoff"] == token
    assert result.sip_headers["X-CC-Hops"] == "center-a"

    inbound = b.fed.inbound(token)
    assert inbound is not None
    assert inbound.request == request
    assert inbound.partner_id == "center-a"
    assert inbound.hops_after == ("center-a",)
    sip = b.fed.decode_sip(result.sip_headers)
    assert sip.request == request
    assert sip.token == token
    assert sip.sender == "center-a"

    assert await b.fed.report_outcome(token, "answered", 12.5) is True
    assert len(a.outcomes) == 1
    handoff, outcome = a.outcomes[0]
    assert (handoff.partner_id, handoff.request.call_ref) == ("center-b", "call-0001")
    assert (outcome.outcome, outcome.wait_s) == ("answered", 12.5)
    out = a.fed.stats()["out"]["center-b"]
    assert (out["offered"], out["accepted"], out["answered"], out["wait_s_total"]) == (
        1,
        1,
        1,
        12.5,
    )
    into = b.fed.stats()["in"]["center-a"]
    assert (into["offered"], into["accepted"], into["answered"]) == (1, 1, 1)
    assert b.fed.inbound(token) is None


async def test_given_b_near_its_limit_when_a_hands_off_then_b_refuses(
    two_centers: tuple[Center, Center],
) -> None:
    a, b = two_centers
    b.admission_reason = "near_limit"
    result = await a.fed.offer_handoff("center-b", call_request())
    assert not result.accepted
    assert result.decision.reason == "near_limit"
    assert result.trunk is None
    assert result.sip_headers == {}
    b.admission_reason = None
    b.capacity = LocalCapacity(False, 0, 0.0)
    result = await a.fed.offer_handoff("center-b", call_request())
    assert result.decision.reason == "not_accepting"
    assert a.fed.stats()["out"]["center-b"]["refused"] == {"near_limit": 1, "not_accepting": 1}
    assert b.fed.stats()["in"]["center-a"]["refused"] == {"near_limit": 1, "not_accepting": 1}


async def test_given_loops_and_too_many_hops_when_offered_then_b_refuses(
    two_centers: tuple[Center, Center],
) -> None:
    a, b = two_centers
    loop = await a.fed.offer_handoff("center-b", call_request(hops=("center-x", "center-b")))
    assert loop.decision.reason == "loop"
    back_home = await a.fed.offer_handoff("center-b", call_request(origin_center="center-b"))
    assert back_home.decision.reason == "loop"
    # max_hops is 1: a call that was already transferred once may not move again.
    too_far = await a.fed.offer_handoff("center-b", call_request(hops=("center-x",)))
    assert too_far.decision.reason == "hop_limit"
    assert b.fed.inbound("anything") is None


async def test_given_a_rate_limit_when_exceeded_then_refused_locally_without_asking_b() -> None:
    a, b = Center("center-a", bound_socket()), Center("center-b", bound_socket())
    limits = {"partners": {"center-b": {"limits": {"calls_per_minute": 2}}}}
    await start_center(a, {"center-b": b.url}, limits)
    await start_center(b, {"center-a": a.url})
    try:
        results = [await a.fed.offer_handoff("center-b", call_request()) for _ in range(3)]
        assert [r.accepted for r in results] == [True, True, False]
        assert results[2].decision.reason == "rate_limited"
        assert a.fed.refusal("center-b") == "rate_limited"
        assert b.fed.stats()["in"]["center-a"]["offered"] == 2
        assert a.fed.stats()["out"]["center-b"]["refused"] == {"rate_limited": 1}
        a.clock.offset += 61
        assert a.fed.refusal("center-b") is None
    finally:
        for c in (a, b):
            await close_center(c)


async def test_given_b_down_when_a_hands_off_then_refusal_is_unavailable(
    two_centers: tuple[Center, Center],
) -> None:
    a, b = two_centers
    await b.stop_server()
    result = await a.fed.offer_handoff("center-b", call_request())
    assert result.decision.reason == "unavailable"
    assert a.fed.stats()["out"]["center-b"]["errors"] == 1
