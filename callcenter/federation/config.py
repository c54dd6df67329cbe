"""Partners configuration: a TOML or YAML file -> frozen, validated value objects.

File shape (TOML shown; YAML has the same keys)::

    [federation]
    center_id = "center-msk"          # our id, as partners know us (X-CC-Center)
    timezone = "Europe/Moscow"        # for the partners' allowed hours
    max_hops = 1                      # transfers a call may take in total
    stale_after_s = 15                # a partner silent longer is unavailable
    poll_interval_s = 2
    request_timeout_s = 2
    timestamp_window_s = 30           # accepted clock skew of signed requests
    nonce_cache_size = 10000          # per partner
    context_header_limit = 1024       # bytes of X-CC-Context

    [partners.center-spb]
    api_url = "https://spb.example.org"
    priority = 10                     # higher first when waits are equal
    secret_env = "CC_SECRET_SPB"      # or secret_file = "/run/secrets/spb"
    trunk = { name = "trunk-spb", dial_number = "+78120000000" }
    limits = { calls_per_minute = 20, hours = [[8, 20]] }   # [start, end) local hours

Secrets are never inline: a `secret` key is refused. Without `secret_env`/`secret_file` the
secret is read from `CALLCENTER_PARTNER_<ID>_SECRET` (id upper-cased, '-' and '.' -> '_').
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from callcenter.federation.errors import ConfigError

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MIN_SECRET_LEN = 16


@dataclass(frozen=True, slots=True)
class Trunk:
    name: str
    dial_number: str


@dataclass(frozen=True, slots=True)
class PartnerLimits:
    calls_per_minute: int | None = None
    hours: tuple[tuple[int, int], ...] = ((0, 24),)


@dataclass(frozen=True, slots=True)
class PartnerConfig:
    id: str
    api_url: str
    trunk: Trunk
    secret: bytes = field(repr=False)
    priority: int = 0
    limits: PartnerLimits = PartnerLimits()


@dataclass(frozen=True, slots=True)
class FederationConfig:
    center_id: str
    partners: Mapping[str, PartnerConfig]
    timezone: str = "Europe/Moscow"
    max_hops: int = 1
    stale_after_s: float = 15.0
    poll_interval_s: float = 2.0
    request_timeout_s: float = 2.0
    timestamp_window_s: float = 30.0
    nonce_cache_size: int = 10_000
    context_header_limit: int = 1024

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def partner(self, partner_id: str) -> PartnerConfig | None:
        return self.partners.get(partner_id)


_NUMBERS: dict[str, tuple[type, float]] = {
    "max_hops": (int, 1),
    "stale_after_s": (float, 0.1),
    "poll_interval_s": (float, 0.01),
    "request_timeout_s": (float, 0.01),
    "timestamp_window_s": (float, 1),
    "nonce_cache_size": (int, 1),
    "context_header_limit": (int, 128),
}


def load_federation_config(
    path: str | Path, environ: Mapping[str, str], *, center_id: str | None = None
) -> FederationConfig:
    """Read a `.toml`, `.yaml` or `.yml` file; `center_id` overrides the file's."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"partners file: cannot read {p}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text) if p.suffix in (".yaml", ".yml") else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"partners file: {p} cannot be parsed: {exc}") from exc
    return parse_federation_config(data or {}, environ, center_id=center_id)


def parse_federation_config(
    data: Mapping[str, Any], environ: Mapping[str, str], *, center_id: str | None = None
) -> FederationConfig:
    _only_keys(data, {"federation", "partners"}, "")
    section = _table(data.get("federation", {}), "federation")
    _only_keys(section, {"center_id", "timezone", *_NUMBERS}, "federation.")
    own_id = center_id or section.get("center_id")
    if not isinstance(own_id, str) or not _ID.match(own_id):
        raise ConfigError("federation.center_id: required, letters/digits/'-_.' up to 64")
    timezone = section.get("timezone", "Europe/Moscow")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"federation.timezone: unknown time zone {timezone!r}") from exc
    numbers: dict[str, Any] = {
        k: _number(section[k], f"federation.{k}", *_NUMBERS[k]) for k in section if k in _NUMBERS
    }
    partners = _table(data.get("partners", {}), "partners")
    if own_id in partners:
        raise ConfigError(f"partners.{own_id}: a center cannot be its own partner")
    parsed = {pid: _partner(pid, raw, environ) for pid, raw in partners.items()}
    return FederationConfig(center_id=own_id, partners=parsed, timezone=str(timezone), **numbers)


def _partner(pid: str, raw: Any, environ: Mapping[str, str]) -> PartnerConfig:
    key = f"partners.{pid}"
    if not _ID.match(pid):
        raise ConfigError(f"{key}: bad partner id (letters/digits/'-_.' up to 64)")
    table = _table(raw, key)
    if "secret" in table:
        raise ConfigError(
            f"{key}.secret: secrets are not accepted inline; use secret_env or secret_file"
        )
    _only_keys(
        table, {"api_url", "priority", "secret_env", "secret_file", "trunk", "limits"}, key + "."
    )
    api_url = table.get("api_url")
    if not isinstance(api_url, str) or not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"{key}.api_url: required, an http:// or https:// URL")
    return PartnerConfig(
        id=pid,
        api_url=api_url.rstrip("/"),
        trunk=_trunk(table.get("trunk"), f"{key}.trunk"),
        secret=_secret(pid, table, environ),
        priority=int(_number(table.get("priority", 0), f"{key}.priority", int, -1000)),
        limits=_limits(table.get("limits", {}), f"{key}.limits"),
    )


def _trunk(raw: Any, key: str) -> Trunk:
    table = _table(raw, key)
    _only_keys(table, {"name", "dial_number"}, key + ".")
    for sub in ("name", "dial_number"):
        if not isinstance(table.get(sub), str) or not table[sub]:
            raise ConfigError(f"{key}.{sub}: required, a non-empty string")
    return Trunk(name=table["name"], dial_number=table["dial_number"])


def _limits(raw: Any, key: str) -> PartnerLimits:
    table = _table(raw, key)
    _only_keys(table, {"calls_per_minute", "hours"}, key + ".")
    cpm = table.get("calls_per_minute")
    per_minute = None if cpm is None else int(_number(cpm, f"{key}.calls_per_minute", int, 0))
    hours_raw = table.get("hours", [[0, 24]])
    if not isinstance(hours_raw, list) or not hours_raw:
        raise ConfigError(f"{key}.hours: a non-empty list of [start, end) hour pairs")
    return PartnerLimits(per_minute, tuple(_hour_range(h, f"{key}.hours") for h in hours_raw))


def _hour_range(raw: Any, key: str) -> tuple[int, int]:
    ok = isinstance(raw, list) and len(raw) == 2 and all(type(h) is int for h in raw)
    if not ok or not (0 <= raw[0] <= 23 and 1 <= raw[1] <= 24) or raw[0] == raw[1]:
        raise ConfigError(f"{key}: each entry is [start, end) with 0<=start<=23, 1<=end<=24")
    return (raw[0], raw[1])


def _secret(pid: str, table: Mapping[str, Any], environ: Mapping[str, str]) -> bytes:
    key = f"partners.{pid}"
    if "secret_file" in table:
        try:
            value = Path(str(table["secret_file"])).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{key}.secret_file: cannot read: {exc.strerror}") from exc
        where = f"{key}.secret_file"
    else:
        env_name = str(table.get("secret_env") or default_secret_env(pid))
        value = environ.get(env_name, "").strip()
        where = f"{key}.secret_env ({env_name})"
    if len(value) < MIN_SECRET_LEN:
        raise ConfigError(f"{where}: secret missing or shorter than {MIN_SECRET_LEN} characters")
    return value.encode()


def default_secret_env(partner_id: str) -> str:
    return "CALLCENTER_PARTNER_" + re.sub(r"[-.]", "_", partner_id).upper() + "_SECRET"


def _table(raw: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{key}: must be a table/mapping")
    return raw


def _only_keys(table: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    for k in table:
        if k not in allowed:
            raise ConfigError(f"{prefix}{k}: unknown key")


def _number(value: Any, key: str, kind: type, minimum: float) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{key}: must be a number, got {value!r}")
    if kind is int and not isinstance(value, int):
        raise ConfigError(f"{key}: must be an integer, got {value!r}")
    if value < minimum:
        raise ConfigError(f"{key}: must be >= {minimum}, got {value!r}")
    return kind(value)  # type: ignore[no-any-return]
