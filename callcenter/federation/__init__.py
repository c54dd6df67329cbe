"""Overflow between regional centers: the authenticated HTTP exchange and its helpers.

The choice of partner is the domain's (`queue_engine`); this package publishes our capacity,
polls partners', hands calls over with their context, and counts what happened. Wire it with
`Federation(...)`, `add_federation_routes(app, federation)` and
`app.cleanup_ctx.append(federation_context(federation))`.
"""

from callcenter.federation.config import (
    FederationConfig,
    PartnerConfig,
    PartnerLimits,
    Trunk,
    load_federation_config,
    parse_federation_config,
)
from callcenter.federation.errors import (
    ConfigError,
    FederationError,
    PartnerCallFailed,
    SipHeaderError,
)
from callcenter.federation.http_routes import add_federation_routes, federation_context
from callcenter.federation.messages import (
    HandoffDecision,
    HandoffOutcome,
    HandoffRequest,
    LocalCapacity,
    PartnerCapacity,
)
from callcenter.federation.rate_limit import PartnerRateLimiter
from callcenter.federation.receiver import AdmissionPolicy, CapacityProvider, InboundHandoff
from callcenter.federation.sender import OfferResult, OutboundHandoff
from callcenter.federation.service import Federation
from callcenter.federation.sip_headers import SipContext, decode_sip_headers, encode_sip_headers

__all__ = [
    "AdmissionPolicy",
    "CapacityProvider",
    "ConfigError",
    "Federation",
    "FederationConfig",
    "FederationError",
    "HandoffDecision",
    "HandoffOutcome",
    "HandoffRequest",
    "InboundHandoff",
    "LocalCapacity",
    "OfferResult",
    "OutboundHandoff",
    "PartnerCallFailed",
    "PartnerCapacity",
    "PartnerConfig",
    "PartnerLimits",
    "PartnerRateLimiter",
    "SipContext",
    "SipHeaderError",
    "Trunk",
    "add_federation_routes",
    "decode_sip_headers",
    "encode_sip_headers",
    "federation_context",
    "load_federation_config",
    "parse_federation_config",
]
