"""The call's context in SIP headers on the trunk, so the receiving dialplan can carry it.

- `X-CC-Handoff`: the token the receiver gave when it accepted the handoff.
- `X-CC-Hops`: centers the call has been transferred out of, this transfer included
  (comma-separated), for the receiver's own loop and hop checks.
- `X-CC-Context`: `<base64url JSON>.<base64url HMAC-SHA256>`; the MAC, keyed by the secret the two
  centers share, covers the JSON and the token, so neither can be altered or swapped. The whole
  value is limited in length (SIP proxies and Asterisk truncate long headers).

Pure functions: no I/O, no clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from callcenter.federation.errors import MalformedRequest, SipHeaderError
from callcenter.federation.messages import HandoffRequest, handoff_from_json, handoff_to_json

CONTEXT = "X-CC-Context"
HANDOFF = "X-CC-Handoff"
HOPS = "X-CC-Hops"
DEFAULT_LIMIT = 1024


@dataclass(frozen=True, slots=True)
class SipContext:
    request: HandoffRequest
    token: str
    sender: str

    @property
    def hops_after(self) -> tuple[str, ...]:
        return (*self.request.hops, self.sender)


def encode_sip_headers(
    request: HandoffRequest, *, token: str, sender: str, secret: bytes, limit: int = DEFAULT_LIMIT
) -> dict[str, str]:
    """Headers for the SIP INVITE; raises `SipHeaderError` if the context exceeds `limit`."""
    payload = {"from": sender, "token": token, "ctx": handoff_to_json(request)}
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    body = _b64(raw)
    value = f"{body}.{_b64(_mac(secret, body, token))}"
    if len(value) > limit:
        raise SipHeaderError(f"{CONTEXT}: {len(value)} bytes exceeds the limit of {limit}")
    hops = ",".join((*request.hops, sender))
    return {CONTEXT: value, HANDOFF: token, HOPS: hops}


def decode_sip_headers(
    headers: Mapping[str, str],
    *,
    secret_for: Callable[[str], bytes | None],
    limit: int = DEFAULT_LIMIT,
) -> SipContext:
    """Checks and decodes the headers; `secret_for(center_id)` gives the shared secret."""
    lower = {k.lower(): v for k, v in headers.items()}
    value, token, hops = (lower.get(h.lower(), "") for h in (CONTEXT, HANDOFF, HOPS))
    if not value or not token:
        raise SipHeaderError(f"{CONTEXT} and {HANDOFF} are required")
    if len(value) > limit:
        raise SipHeaderError(f"{CONTEXT}: longer than the limit of {limit}")
    body, _, mac = value.partition(".")
    payload = _payload(body)
    sender = payload.get("from")
    secret = secret_for(sender) if isinstance(sender, str) else None
    if secret is None or not isinstance(sender, str):
        raise SipHeaderError(f"{CONTEXT}: unknown sending center {sender!r}")
    if not hmac.compare_digest(_b64(_mac(secret, body, token)), mac):
        raise SipHeaderError(f"{CONTEXT}: MAC does not match (tampered or wrong token)")
    if payload.get("token") != token:
        raise SipHeaderError(f"{HANDOFF}: does not match the context")
    context = _context(payload, token, sender)
    if hops != ",".join(context.hops_after):
        raise SipHeaderError(f"{HOPS}: does not match the context")
    return context


def _context(payload: Mapping[str, object], token: str, sender: str) -> SipContext:
    ctx = payload.get("ctx")
    if not isinstance(ctx, dict):
        raise SipHeaderError(f"{CONTEXT}: no call context")
    try:
        return SipContext(request=handoff_from_json(ctx), token=token, sender=sender)
    except MalformedRequest as exc:
        raise SipHeaderError(f"{CONTEXT}: {exc.message}") from exc


def _payload(body: str) -> dict[str, object]:
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise SipHeaderError(f"{CONTEXT}: not base64url JSON") from exc
    if not isinstance(data, dict):
        raise SipHeaderError(f"{CONTEXT}: not a JSON object")
    return data


def _mac(secret: bytes, body: str, token: str) -> bytes:
    return hmac.new(secret, f"{body}.{token}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
