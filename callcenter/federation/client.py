"""Our side of calls to partner centers: signed requests over aiohttp with a hard timeout.

Every failure (timeout, connection refused, error status, unreadable answer) surfaces as
`PartnerCallFailed`, so callers have one thing to catch and the engine can carry on.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp

from callcenter.federation.config import FederationConfig, PartnerConfig
from callcenter.federation.errors import MalformedRequest, PartnerCallFailed
from callcenter.federation.messages import (
    CapacityReport,
    HandoffDecision,
    HandoffOutcome,
    HandoffRequest,
    capacity_from_json,
    decision_from_json,
    dumps,
    handoff_to_json,
    loads_object,
    outcome_to_json,
)
from callcenter.federation.signing import signed_headers

T = TypeVar("T")
API = "/api/federation/v1"
CAPACITY_PATH = f"{API}/capacity"
HANDOFFS_PATH = f"{API}/handoffs"


def outcome_path(token: str) -> str:
    return f"{HANDOFFS_PATH}/{token}/outcome"


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


class FederationClient:
    def __init__(
        self,
        *,
        config: FederationConfig,
        clock: Callable[[], float],
        nonce_factory: Callable[[], str] = new_nonce,
    ) -> None:
        self._config = config
        self._clock = clock
        self._nonce = nonce_factory
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=self._config.request_timeout_s)
            self._session = aiohttp.ClientSession(timeout=timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch_capacity(self, partner_id: str) -> CapacityReport:
        data = await self._call(partner_id, "GET", CAPACITY_PATH, None)
        report = self._parse(partner_id, capacity_from_json, data)
        if report.center_id != partner_id:
            raise PartnerCallFailed(partner_id, f"answered as {report.center_id!r}")
        return report

    async def offer_handoff(self, partner_id: str, request: HandoffRequest) -> HandoffDecision:
        data = await self._call(partner_id, "POST", HANDOFFS_PATH, handoff_to_json(request))
        return self._parse(partner_id, decision_from_json, data)

    async def send_outcome(self, partner_id: str, outcome: HandoffOutcome) -> None:
        await self._call(partner_id, "POST", outcome_path(outcome.token), outcome_to_json(outcome))

    def _partner(self, partner_id: str) -> PartnerConfig:
        partner = self._config.partner(partner_id)
        if partner is None:
            raise PartnerCallFailed(partner_id, "not a configured partner")
        return partner

    async def _call(
        self, partner_id: str, method: str, path: str, payload: dict[str, Any] | None
    ) -> dict[str, Any]:
        partner = self._partner(partner_id)
        if self._session is None:
            raise PartnerCallFailed(partner_id, "client not started")
        body = b"" if payload is None else dumps(payload)
        signed_path = urlsplit(partner.api_url).path + path
        headers = signed_headers(
            secret=partner.secret,
            center=self._config.center_id,
            method=method,
            path=signed_path,
            body=body,
            now=self._clock(),
            nonce=self._nonce(),
        )
        headers["Content-Type"] = "application/json"
        try:
            async with asyncio.timeout(self._config.request_timeout_s):
                return await self._send(partner, method, path, body, headers)
        except TimeoutError as exc:
            raise PartnerCallFailed(partner_id, "timeout") from exc
        except aiohttp.ClientError as exc:
            raise PartnerCallFailed(partner_id, f"connection: {exc.__class__.__name__}") from exc

    async def _send(
        self, partner: PartnerConfig, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> dict[str, Any]:
        assert self._session is not None
        url = partner.api_url + path
        async with self._session.request(method, url, data=body, headers=headers) as resp:
            raw = await resp.read()
            if resp.status != 200:
                raise PartnerCallFailed(partner.id, f"http {resp.status}: {raw[:200]!r}")
        try:
            return loads_object(raw)
        except MalformedRequest as exc:
            raise PartnerCallFailed(partner.id, f"bad answer: {exc.message}") from exc

    @staticmethod
    def _parse(partner_id: str, parse: Callable[[dict[str, Any]], T], data: dict[str, Any]) -> T:
        try:
            return parse(data)
        except MalformedRequest as exc:
            raise PartnerCallFailed(partner_id, f"bad answer: {exc.message}") from exc
