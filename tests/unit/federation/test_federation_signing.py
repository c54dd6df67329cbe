"""Signed requests: what passes, what is refused and why; the bounded nonce cache."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from callcenter.federation.errors import AuthenticationFailed, ReplayedRequest
from callcenter.federation.signing import (
    NONCE,
    SIGNATURE,
    TIMESTAMP,
    NonceCache,
    RequestVerifier,
    SignedRequest,
    canonical,
    sign,
    signed_headers,
)

SECRET = b"pair-secret-0123456789"
T0 = 1_790_000_000.0
PATH = "/api/federation/v1/handoffs"
BODY = b'{"call_ref":"c1"}'


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def verifier(clock: Clock, size: int = 100) -> RequestVerifier:
    return RequestVerifier(
        secrets={"center-a": SECRET}, clock=clock, window_s=30, nonce_cache_size=size
    )


def request(nonce: str = "n" * 16, now: float = T0, body: bytes = BODY) -> SignedRequest:
    hdrs = signed_headers(
        secret=SECRET, center="center-a", method="post", path=PATH, body=body, now=now, nonce=nonce
    )
    return SignedRequest("POST", PATH, hdrs, body)


def test_given_a_signed_request_when_verified_then_partner_id() -> None:
    assert verifier(Clock()).verify(request()) == "center-a"


def test_signature_covers_every_part_of_the_canonical_string() -> None:
    ts, nonce = str(int(T0)), "n" * 16
    reference = sign(SECRET, canonical("POST", PATH, "center-a", ts, nonce, BODY))
    variants = [
        canonical("PUT", PATH, "center-a", ts, nonce, BODY),
        canonical("POST", PATH + "x", "center-a", ts, nonce, BODY),
        canonical("POST", PATH, "center-b", ts, nonce, BODY),
        canonical("POST", PATH, "center-a", ts + "1", nonce, BODY),
        canonical("POST", PATH, "center-a", ts, nonce + "x", BODY),
        canonical("POST", PATH, "center-a", ts, nonce, BODY + b" "),
    ]
    assert all(sign(SECRET, v) != reference for v in variants)
    assert sign(b"other-secret-0123456", canonical("POST", PATH, "center-a", ts, nonce, BODY)) != (
        reference
    )


@pytest.mark.parametrize(
    ("mutate", "error_id"),
    [
        (lambda r: SignedRequest(r.method, r.path, {}, r.body), "unsigned_request"),
        (lambda r: SignedRequest(r.method, r.path, r.headers, b"{}"), "bad_signature"),
        (lambda r: SignedRequest("GET", r.path, r.headers, r.body), "bad_signature"),
        (lambda r: SignedRequest(r.method, "/api/x", r.headers, r.body), "bad_signature"),
        (
            lambda r: SignedRequest(r.method, r.path, {**r.headers, SIGNATURE: "0" * 64}, r.body),
            "bad_signature",
        ),
        (
            lambda r: SignedRequest(r.method, r.path, {**r.headers, TIMESTAMP: "soon"}, r.body),
            "bad_signature",
        ),
        (
            lambda r: SignedRequest(r.method, r.path, {**r.headers, NONCE: "x"}, r.body),
            "bad_signature",
        ),
    ],
)
def test_given_a_modified_request_when_verified_then_refused(
    mutate: Callable[[SignedRequest], SignedRequest], error_id: str
) -> None:
    with pytest.raises(AuthenticationFailed) as err:
        verifier(Clock()).verify(mutate(request()))
    assert err.value.error_id == error_id


def test_given_an_unknown_center_when_verified_then_unknown_partner() -> None:
    v = RequestVerifier(
        secrets={"center-b": SECRET}, clock=Clock(), window_s=30, nonce_cache_size=9
    )
    with pytest.raises(AuthenticationFailed) as err:
        v.verify(request())
    assert err.value.error_id == "unknown_partner"
    assert err.value.details == {"center": "center-a"}


@pytest.mark.parametrize(("skew", "ok"), [(-30, True), (30, True), (-31, False), (31, False)])
def test_timestamp_window_is_inclusive(skew: float, ok: bool) -> None:
    v = verifier(Clock(T0 + skew))
    if ok:
        assert v.verify(request()) == "center-a"
    else:
        with pytest.raises(AuthenticationFailed, match="window") as err:
            v.verify(request())
        assert err.value.error_id == "stale_timestamp"


def test_given_a_replay_when_verified_then_refused_even_after_other_requests() -> None:
    clock = Clock()
    v = verifier(clock)
    v.verify(request("first-nonce-00000"))
    v.verify(request("second-nonce-0000"))
    clock.now += 10
    with pytest.raises(ReplayedRequest) as err:
        v.verify(request("first-nonce-00000"))
    assert err.value.error_id == "replayed_nonce"


def test_given_a_bad_signature_when_verified_then_nonce_is_not_burnt() -> None:
    v = verifier(Clock())
    forged = request()
    with pytest.raises(AuthenticationFailed):
        v.verify(SignedRequest(forged.method, forged.path, forged.headers, b"forged"))
    assert v.verify(forged) == "center-a"


def test_nonce_cache_forgets_nonces_whose_timestamp_left_the_window() -> None:
    cache = NonceCache(max_size=10, window_s=30)
    cache.check_and_add("a" * 16, int(T0), T0)
    assert len(cache) == 1
    cache.check_and_add("b" * 16, int(T0 + 31), T0 + 31)
    assert len(cache) == 1


def test_nonce_cache_when_full_refuses_anything_not_newer_than_evicted() -> None:
    cache = NonceCache(max_size=2, window_s=30)
    for i, ts in enumerate((100, 101, 102)):
        cache.check_and_add(f"nonce-{i}-0000000000", ts, 102)
    assert len(cache) == 2
    assert cache.floor == 100
    with pytest.raises(ReplayedRequest):
        cache.check_and_add("nonce-0-0000000000", 100, 102)  # evicted, yet still refused
    cache.check_and_add("nonce-9-0000000000", 103, 103)
