"""SIP context headers: round trips, and refusal of tampered, swapped or oversized headers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.federation import (
    HandoffRequest,
    SipHeaderError,
    decode_sip_headers,
    encode_sip_headers,
)
from callcenter.federation.sip_headers import CONTEXT, HANDOFF, HOPS

SECRET = b"pair-secret-0123456789"
SECRETS = {"center-a": SECRET}
REQUEST = HandoffRequest(
    call_ref="call-42",
    caller_number="+79161234567",
    topic="Пенсии и пособия",
    origin_center="center-x",
    ivr_choices=("2", "1"),
    language="ru",
    history_ref="citizen/42",
    hops=("center-x",),
)


def encode(
    request: HandoffRequest = REQUEST, token: str = "tok-1", limit: int = 1024
) -> dict[str, str]:
    return encode_sip_headers(request, token=token, sender="center-a", secret=SECRET, limit=limit)


def decode(headers: dict[str, str], limit: int = 1024) -> object:
    return decode_sip_headers(headers, secret_for=SECRETS.get, limit=limit)


def test_round_trip_keeps_the_context_and_adds_the_sender_to_hops() -> None:
    headers = encode()
    assert headers[HANDOFF] == "tok-1"
    assert headers[HOPS] == "center-x,center-a"
    assert all(ch.isascii() for ch in headers[CONTEXT])
    ctx = decode_sip_headers(headers, secret_for=SECRETS.get)
    assert ctx.request == REQUEST
    assert (ctx.token, ctx.sender) == ("tok-1", "center-a")
    assert ctx.hops_after == ("center-x", "center-a")


def test_header_names_are_case_insensitive() -> None:
    headers = {k.lower(): v for k, v in encode().items()}
    assert decode_sip_headers(headers, secret_for=SECRETS.get).request == REQUEST


text = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() == s and s)


@given(
    call_ref=text,
    topic=text,
    choices=st.lists(st.text(min_size=1, max_size=5), max_size=5),
    history=st.none() | text,
    hops=st.lists(st.from_regex(r"center-[a-z]{1,5}", fullmatch=True), max_size=3),
)
def test_round_trip_property(
    call_ref: str, topic: str, choices: list[str], history: str | None, hops: list[str]
) -> None:
    request = HandoffRequest(
        call_ref=call_ref,
        caller_number="+79160000000",
        topic=topic,
        origin_center="center-x",
        ivr_choices=tuple(choices),
        history_ref=history,
        hops=tuple(hops),
    )
    headers = encode_sip_headers(request, token="t", sender="center-a", secret=SECRET, limit=4096)
    assert decode_sip_headers(headers, secret_for=SECRETS.get, limit=4096).request == request


def _reencoded(headers: dict[str, str], change: dict[str, object]) -> dict[str, str]:
    body, _, mac = headers[CONTEXT].partition(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["ctx"].update(change)
    raw = json.dumps(payload).encode()
    return {**headers, CONTEXT: base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + mac}


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda h: _reencoded(h, {"caller_number": "+79990000000"}), "MAC"),
        (lambda h: _reencoded(h, {"hops": []}), "MAC"),
        (lambda h: {**h, HANDOFF: "tok-2"}, "MAC"),
        (lambda h: {**h, HOPS: "center-a"}, HOPS),
        (lambda h: {**h, CONTEXT: h[CONTEXT][:-2]}, "MAC"),
        (lambda h: {**h, CONTEXT: "!!!." + h[CONTEXT].split(".")[1]}, "base64url"),
        (lambda h: {k: v for k, v in h.items() if k != HANDOFF}, "required"),
        (lambda h: {k: v for k, v in h.items() if k != CONTEXT}, "required"),
    ],
)
def test_given_tampered_headers_when_decoded_then_refused(
    tamper: Callable[[dict[str, str]], dict[str, str]], message: str
) -> None:
    with pytest.raises(SipHeaderError, match=message):
        decode(tamper(encode()))


def test_given_another_pair_secret_when_decoded_then_refused() -> None:
    headers = encode()
    with pytest.raises(SipHeaderError, match="MAC"):
        decode_sip_headers(headers, secret_for={"center-a": b"x" * 20}.get)
    with pytest.raises(SipHeaderError, match="unknown sending center"):
        decode_sip_headers(headers, secret_for=lambda _center: None)


def test_given_an_oversized_context_when_encoded_or_decoded_then_refused() -> None:
    big = HandoffRequest(
        call_ref="c",
        caller_number="+7",
        topic="т" * 200,
        origin_center="center-x",
        ivr_choices=tuple("д" * 100 for _ in range(10)),
    )
    with pytest.raises(SipHeaderError, match="exceeds the limit"):
        encode(big)
    headers = encode(big, limit=100_000)
    with pytest.raises(SipHeaderError, match="longer than the limit"):
        decode(headers, limit=1024)
