"""Signed requests between centers: HMAC-SHA256 over a canonical string, and its checks.

Canonical string (lines joined by "\\n"): METHOD, path with query, center id, timestamp, nonce,
hex SHA-256 of the body. The signature is the hex HMAC-SHA256 of that string with the secret the
two centers share. The receiver refuses unknown centers, timestamps outside the window, bad
signatures and nonces it has already seen; each partner's nonces live in a bounded cache that
forgets a nonce once its timestamp has left the window (a replay would be refused as stale then).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from callcenter.federation.errors import AuthenticationFailed, ReplayedRequest

CENTER = "X-CC-Center"
TIMESTAMP = "X-CC-Timestamp"
NONCE = "X-CC-Nonce"
SIGNATURE = "X-CC-Signature"
_NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_TS_RE = re.compile(r"^[0-9]{1,12}$")


def canonical(
    method: str, path: str, center: str, timestamp: str, nonce: str, body: bytes
) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((method.upper(), path, center, timestamp, nonce, digest)).encode()


def sign(secret: bytes, message: bytes) -> str:
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signed_headers(
    *, secret: bytes, center: str, method: str, path: str, body: bytes, now: float, nonce: str
) -> dict[str, str]:
    """Headers that authenticate one request from `center`."""
    ts = str(int(now))
    signature = sign(secret, canonical(method, path, center, ts, nonce, body))
    return {CENTER: center, TIMESTAMP: ts, NONCE: nonce, SIGNATURE: signature}


class NonceCache:
    """Nonces seen from one partner, bounded; time is passed in.

    When full, the oldest nonce is dropped and `floor` rises to its timestamp: any request not
    newer than the floor is refused, so an evicted nonce can never be replayed.
    """

    def __init__(self, *, max_size: int, window_s: float) -> None:
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._max = max_size
        self._window = window_s
        self.floor = -1

    def __len__(self) -> int:
        return len(self._seen)

    def check_and_add(self, nonce: str, timestamp: int, now: float) -> None:
        self._expire(now)
        if nonce in self._seen or timestamp <= self.floor:
            raise ReplayedRequest("replayed_nonce", "this request was already received")
        self._seen[nonce] = timestamp
        while len(self._seen) > self._max:
            _, evicted_ts = self._seen.popitem(last=False)
            self.floor = max(self.floor, evicted_ts)

    def _expire(self, now: float) -> None:
        # Insertion order is close to timestamp order; a late entry just lives a bit longer.
        while self._seen:
            nonce, ts = next(iter(self._seen.items()))
            if ts + self._window >= now:
                return
            del self._seen[nonce]


@dataclass(frozen=True, slots=True)
class SignedRequest:
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes


class RequestVerifier:
    """Checks a signed request and returns the partner id it comes from."""

    def __init__(
        self,
        *,
        secrets: Mapping[str, bytes],
        clock: Callable[[], float],
        window_s: float,
        nonce_cache_size: int,
    ) -> None:
        self._secrets = secrets
        self._clock = clock
        self._window = window_s
        self._nonces = {
            pid: NonceCache(max_size=nonce_cache_size, window_s=window_s) for pid in secrets
        }

    def verify(self, req: SignedRequest) -> str:
        center, ts, nonce, signature = (
            req.headers.get(h, "") for h in (CENTER, TIMESTAMP, NONCE, SIGNATURE)
        )
        if not (center and ts and nonce and signature):
            raise AuthenticationFailed("unsigned_request", "signature headers are missing")
        secret = self._secrets.get(center)
        if secret is None:
            raise AuthenticationFailed(
                "unknown_partner", "this center is not a partner", {"center": center}
            )
        if not _TS_RE.match(ts) or not _NONCE_RE.match(nonce):
            raise AuthenticationFailed("bad_signature", "malformed timestamp or nonce")
        now = self._clock()
        skew = now - int(ts)
        if abs(skew) > self._window:
            raise AuthenticationFailed(
                "stale_timestamp",
                "timestamp outside the accepted window",
                {"skew_s": round(skew, 3)},
            )
        expected = sign(secret, canonical(req.method, req.path, center, ts, nonce, req.body))
        if not hmac.compare_digest(expected, signature):
            raise AuthenticationFailed("bad_signature", "signature does not match")
        self._nonces[center].check_and_add(nonce, int(ts), now)
        return center
