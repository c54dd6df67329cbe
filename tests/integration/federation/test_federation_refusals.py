"""Requests a center must refuse: each gets `{error_id, message, details}` and a log line."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from federation_centers import SECRET, Center, call_request

from callcenter.federation.client import CAPACITY_PATH, HANDOFFS_PATH, outcome_path
from callcenter.federation.messages import dumps, handoff_to_json
from callcenter.federation.signing import signed_headers

HANDOFF_BODY = dumps(handoff_to_json(call_request()))


def headers(
    body: bytes = b"",
    *,
    method: str = "GET",
    path: str = CAPACITY_PATH,
    center: str = "center-a",
    secret: str = SECRET,
    now: float | None = None,
    nonce: str = "nonce-0123456789abcdef",
) -> dict[str, str]:
    return signed_headers(
        secret=secret.encode(),
        center=center,
        method=method,
        path=path,
        body=body,
        now=time.time() if now is None else now,
        nonce=nonce,
    )


async def trickle(body: bytes, piece: int = 8192) -> AsyncIterator[bytes]:
    """The body in pieces with pauses, so that the server sees several chunks."""
    for i in range(0, len(body), piece):
        yield body[i : i + piece]
        await asyncio.sleep(0.005)


async def send(
    b: Center,
    method: str,
    path: str,
    hdrs: dict[str, str],
    body: bytes = b"",
    *,
    in_pieces: bool = False,
) -> tuple[int, dict[str, Any]]:
    data: Any = trickle(body) if in_pieces else body
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, b.url + path, data=data, headers=hdrs) as resp,
    ):
        return resp.status, json.loads(await resp.read())


def refusal_logged(caplog: pytest.LogCaptureFixture, error_id: str) -> bool:
    return any(
        "refused" in r.getMessage() and error_id in r.getMessage() and r.levelno == logging.WARNING
        for r in caplog.records
    )


# Headers are made when the test runs, not when pytest collects it: a slow collection
# would otherwise age every timestamp past the accepted window.
@pytest.mark.parametrize(
    ("make_headers", "error_id"),
    [
        pytest.param(dict, "unsigned_request", id="unsigned"),
        pytest.param(lambda: headers(center="center-z"), "unknown_partner", id="unknown-partner"),
        pytest.param(
            lambda: headers(secret="another-secret-0123456789"), "bad_signature", id="bad-key"
        ),
        pytest.param(lambda: headers(path="/api/other"), "bad_signature", id="other-path-signed"),
        pytest.param(lambda: headers(nonce="short"), "bad_signature", id="malformed-nonce"),
        pytest.param(lambda: headers(now=time.time() - 120), "stale_timestamp", id="old-timestamp"),
        pytest.param(
            lambda: headers(now=time.time() + 120), "stale_timestamp", id="future-timestamp"
        ),
    ],
)
async def test_given_bad_credentials_when_requesting_then_401_and_logged(
    two_centers: tuple[Center, Center],
    caplog: pytest.LogCaptureFixture,
    make_headers: Callable[[], dict[str, str]],
    error_id: str,
) -> None:
    _, b = two_centers
    caplog.set_level(logging.WARNING, logger="callcenter.federation")
    status, body = await send(b, "GET", CAPACITY_PATH, make_headers())
    assert status == 401
    assert body["error_id"] == error_id
    assert set(body) == {"error_id", "message", "details"}
    assert refusal_logged(caplog, error_id)


async def test_given_a_tampered_body_when_posted_then_401_bad_signature(
    two_centers: tuple[Center, Center], caplog: pytest.LogCaptureFixture
) -> None:
    _, b = two_centers
    hdrs = headers(HANDOFF_BODY, method="POST", path=HANDOFFS_PATH)
    tampered = HANDOFF_BODY.replace(b"+79161234567", b"+79160000000")
    status, body = await send(b, "POST", HANDOFFS_PATH, hdrs, tampered)
    assert (status, body["error_id"]) == (401, "bad_signature")
    assert refusal_logged(caplog, "bad_signature")
    assert b.fed.stats()["in"] == {}


async def test_given_a_valid_request_when_replayed_then_409_and_logged(
    two_centers: tuple[Center, Center], caplog: pytest.LogCaptureFixture
) -> None:
    _, b = two_centers
    hdrs = headers(HANDOFF_BODY, method="POST", path=HANDOFFS_PATH)
    status, body = await send(b, "POST", HANDOFFS_PATH, hdrs, HANDOFF_BODY)
    assert (status, body["decision"]) == (200, "accept")
    status, body = await send(b, "POST", HANDOFFS_PATH, hdrs, HANDOFF_BODY)
    assert (status, body["error_id"]) == (409, "replayed_nonce")
    assert refusal_logged(caplog, "replayed_nonce")
    assert b.fed.stats()["in"]["center-a"]["offered"] == 1


@pytest.mark.parametrize(
    ("body", "error_id", "field"),
    [
        pytest.param(b"{not json", "malformed_body", None, id="not-json"),
        pytest.param(b"[1, 2]", "malformed_body", None, id="not-an-object"),
        pytest.param(b'{"call_ref": "c1"}', "malformed_body", "caller_number", id="missing"),
        pytest.param(
            dumps({**handoff_to_json(call_request()), "hops": "center-x"}),
            "malformed_body",
            "hops",
            id="hops-not-a-list",
        ),
        pytest.param(b"x" * (65 * 1024), "body_too_large", None, id="too-large"),
    ],
)
async def test_given_a_malformed_body_when_posted_then_400_with_details_and_logged(
    two_centers: tuple[Center, Center],
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    error_id: str,
    field: str | None,
) -> None:
    _, b = two_centers
    hdrs = headers(body, method="POST", path=HANDOFFS_PATH)
    status, answer = await send(b, "POST", HANDOFFS_PATH, hdrs, body)
    assert status == 400
    assert answer["error_id"] == error_id
    if field is not None:
        assert answer["details"]["field"] == field
    assert refusal_logged(caplog, error_id)


async def test_given_an_unknown_token_when_outcome_posted_then_404_and_logged(
    two_centers: tuple[Center, Center], caplog: pytest.LogCaptureFixture
) -> None:
    _, b = two_centers
    path = outcome_path("no-such-token")
    body = dumps({"outcome": "answered", "wait_s": 3})
    status, answer = await send(b, "POST", path, headers(body, method="POST", path=path), body)
    assert (status, answer["error_id"]) == (404, "unknown_handoff")
    assert refusal_logged(caplog, "unknown_handoff")
    assert b.outcomes == []


async def test_given_a_large_body_within_the_limit_when_posted_then_read_whole_and_accepted(
    two_centers: tuple[Center, Center],
) -> None:
    """Bodies arrive in several TCP chunks; the signature must cover all of them."""
    _, b = two_centers
    body = dumps({**handoff_to_json(call_request()), "padding": "я" * 30_000})
    assert 60_000 < len(body) < 64 * 1024
    hdrs = headers(body, method="POST", path=HANDOFFS_PATH, nonce="nonce-large-body-01")
    status, answer = await send(b, "POST", HANDOFFS_PATH, hdrs, body, in_pieces=True)
    assert (status, answer["decision"]) == (200, "accept")
