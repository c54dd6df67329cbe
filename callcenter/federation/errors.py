"""Errors of the federation adapter.

Hierarchy (the `error_id` strings are part of the partner API; never rename them):

- `FederationError(error_id, message, details)`: a request from a partner is refused.
  - `AuthenticationFailed`: unknown partner, missing headers, bad signature, stale timestamp.
  - `ReplayedRequest`: a nonce seen before (or older than what the bounded cache remembers).
  - `MalformedRequest`: the body is not the JSON the endpoint expects.
  - `UnknownHandoff`: an outcome for a handoff token we never issued to that partner.
- `PartnerCallFailed`: our own request to a partner failed (timeout, refused, bad answer).
- `ConfigError`: the partners file is invalid; the message starts with the offending key.
- `SipHeaderError`: SIP context headers are missing, oversized or tampered with.

HTTP statuses are chosen in one place only: `callcenter.federation.http_routes`.
"""

from __future__ import annotations

from typing import Any


class FederationError(Exception):
    """A partner's request is refused; `error_id` is a stable string (part of the API)."""

    def __init__(self, error_id: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.error_id = error_id
        self.message = message
        self.details: dict[str, Any] = details or {}


class AuthenticationFailed(FederationError):
    pass


class ReplayedRequest(FederationError):
    pass


class MalformedRequest(FederationError):
    pass


class UnknownHandoff(FederationError):
    pass


class PartnerCallFailed(Exception):
    """Our request to a partner did not produce a usable answer."""

    def __init__(self, partner_id: str, reason: str) -> None:
        super().__init__(f"{partner_id}: {reason}")
        self.partner_id = partner_id
        self.reason = reason


class ConfigError(ValueError):
    """The partners configuration is invalid; the message names the key and why."""


class SipHeaderError(ValueError):
    """SIP context headers cannot be trusted (missing, oversized, tampered)."""
