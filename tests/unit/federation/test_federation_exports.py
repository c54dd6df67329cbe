"""The package's public names are pinned; every module imports on its own."""

from __future__ import annotations

import importlib
import pkgutil

import callcenter.federation as federation
from callcenter.federation.stats import FederationStats

PUBLIC = {
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
}


def test_public_names_are_pinned() -> None:
    assert set(federation.__all__) == PUBLIC
    assert all(hasattr(federation, name) for name in PUBLIC)


def test_every_module_imports_on_its_own() -> None:
    names = [m.name for m in pkgutil.iter_modules(federation.__path__, "callcenter.federation.")]
    assert len(names) >= 12
    for name in names:
        module = importlib.import_module(name)
        assert module.__doc__, name


def test_stats_snapshot_shape() -> None:
    stats = FederationStats()
    stats.offered("out", "center-b")
    stats.accepted("out", "center-b")
    stats.refused("out", "center-b", "near_limit")
    stats.refused("out", "center-b", "near_limit")
    stats.outcome("out", "center-b", "answered", 12.0)
    stats.outcome("out", "center-b", "abandoned", 30.5)
    stats.error("in", "center-c")
    snap = stats.snapshot()
    out = snap["out"]["center-b"]
    assert out["refused"] == {"near_limit": 2}
    assert (out["answered"], out["abandoned"], out["callback"], out["outcomes"]) == (1, 1, 0, 2)
    assert (out["wait_s_total"], out["wait_s_max"]) == (42.5, 30.5)
    assert snap["in"]["center-c"]["errors"] == 1
